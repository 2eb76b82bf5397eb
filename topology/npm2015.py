"""The npm 2015 estate (shared/seeds/000_*): a public registry replica that could reach private data.

Before: one flat LAN.  The public CouchDB replica (skimdb), the registry's app servers and the private
CouchDB holding scoped/private package metadata share a VPC, and the private database's security group
admits CouchDB from the whole LAN ("network configuration within npm's LAN was insufficiently
granular").  When an old ansible script re-enabled standard replication, nothing in the network stopped
the replica from pulling private documents.

After: the replica sits in its own VPC, "a separate network zone that is physically unable to access
private data".  A filtering follower in the app zone pushes public documents to it over a peering whose
routes in the replica VPC lead only to the app subnet; the private database admits CouchDB only from the
app servers' security group, and the data subnet's NACL denies the replica's range as a second wall.

Run `python -m topology.npm2015 examples/npm2015` to rewrite the example snapshots and policy.
"""

from __future__ import annotations

import sys
from pathlib import Path

from topology.builder import EstateBuilder
from zonecheck.model import Snapshot, to_json

REGION = "us-east-1"
ACCOUNT = "210987654321"
POLICY_FILE = "npm2015_zones.yaml"


def _registry_vpc(b: EstateBuilder, *, flat: bool) -> None:
    """The registry VPC: app servers and the private databases (and, before the fix, the replica)."""
    b.vpc("vpc-0registry", "10.0.0.0/16", tags={"Name": "registry"})
    b.subnet("subnet-0public", "vpc-0registry", "10.0.1.0/24", az="us-east-1a", tags={"Name": "registry-public"})
    b.subnet("subnet-0app", "vpc-0registry", "10.0.2.0/24", az="us-east-1a", tags={"Name": "registry-app"})
    b.subnet("subnet-0data-a", "vpc-0registry", "10.0.3.0/24", az="us-east-1a", tags={"Name": "registry-data-a"})
    b.subnet("subnet-0data-b", "vpc-0registry", "10.0.4.0/24", az="us-east-1b", tags={"Name": "registry-data-b"})
    b.igw("igw-0registry", "vpc-0registry")
    b.nat("nat-0registry", "subnet-0public", "10.0.1.5", "52.44.10.5")
    b.route_table("rtb-0public", "vpc-0registry", subnets=["subnet-0public"], routes=[("0.0.0.0/0", "igw-0registry")])
    app_routes = [("0.0.0.0/0", "nat-0registry")]
    if not flat:
        app_routes.append(("10.10.0.0/16", "pcx-0feed"))
    b.route_table("rtb-0app", "vpc-0registry", subnets=["subnet-0app"], routes=app_routes)
    # The data subnets use the main route table: only `local`, no way out.

    b.security_group("sg-0app", "vpc-0registry", name="registry-app",
                     ingress=[("tcp", 443, 443, "10.0.1.0/24")])
    if flat:
        # The LAN-wide rule the incident report calls insufficiently granular.
        db_ingress = [("tcp", 5984, 5984, "10.0.0.0/16"), ("tcp", 5432, 5432, "10.0.0.0/16")]
    else:
        db_ingress = [("tcp", 5984, 5984, "sg-0app"), ("tcp", 5432, 5432, "sg-0app")]
    b.security_group("sg-0privatedb", "vpc-0registry", name="private-couchdb", ingress=db_ingress, egress=[])
    b.instance("i-0app1", "subnet-0app", "10.0.2.11", groups=["sg-0app"], tags={"Name": "registry-app-1", "Zone": "app"})
    b.instance("i-0app2", "subnet-0app", "10.0.2.12", groups=["sg-0app"], tags={"Name": "registry-app-2", "Zone": "app"})
    b.instance("i-0couch", "subnet-0data-a", "10.0.3.20", groups=["sg-0privatedb"],
               tags={"Name": "couchdb-private", "Zone": "private-db"})
    b.rds("db-0billing", ["subnet-0data-a", "subnet-0data-b"], groups=["sg-0privatedb"],
          tags={"Name": "billing-postgres", "Zone": "private-db"}, port=5432)
    if not flat:
        b.nacl("acl-0data", "vpc-0registry", subnets=["subnet-0data-a", "subnet-0data-b"],
               ingress=[(90, "deny", "-1", None, None, "10.10.0.0/16"), (100, "allow", "-1", None, None, "10.0.0.0/16")],
               egress=[(100, "allow", "-1", None, None, "10.0.0.0/16")])


def _replica_groups(b: EstateBuilder, vpc_id: str, feed_cidr: str) -> None:
    b.security_group("sg-0replica", vpc_id, name="public-replica",
                     ingress=[("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 5984, 5984, "0.0.0.0/0"),
                              ("tcp", 5984, 5984, feed_cidr)])


def before() -> Snapshot:
    """July 2015: the public replica shares the registry LAN with the private database."""
    b = EstateBuilder(account=ACCOUNT, region=REGION)
    _registry_vpc(b, flat=True)
    _replica_groups(b, "vpc-0registry", "10.0.2.0/24")
    b.instance("i-0replica", "subnet-0public", "10.0.1.50", groups=["sg-0replica"], public_ip="54.210.7.50",
               tags={"Name": "skimdb-public-replica", "Zone": "public-replica"})
    return b.build()


def after() -> Snapshot:
    """After the fix: the replica in its own VPC, fed one way from the app zone over a narrow peering."""
    b = EstateBuilder(account=ACCOUNT, region=REGION)
    _registry_vpc(b, flat=False)
    b.vpc("vpc-0replica", "10.10.0.0/16", tags={"Name": "public-replica"})
    b.subnet("subnet-0replica", "vpc-0replica", "10.10.1.0/24", az="us-east-1a", tags={"Name": "replica-public"})
    b.igw("igw-0replica", "vpc-0replica")
    b.peering("pcx-0feed", "vpc-0registry", "vpc-0replica")
    # Only the app subnet is reachable from the replica's VPC: no route to the data subnets exists.
    b.route_table("rtb-0replica", "vpc-0replica", subnets=["subnet-0replica"],
                  routes=[("0.0.0.0/0", "igw-0replica"), ("10.0.2.0/24", "pcx-0feed")])
    _replica_groups(b, "vpc-0replica", "10.0.2.0/24")
    b.instance("i-0replica", "subnet-0replica", "10.10.1.50", groups=["sg-0replica"], public_ip="54.210.7.50",
               tags={"Name": "skimdb-public-replica", "Zone": "public-replica"})
    return b.build()


def policy_text() -> str:
    return Path(__file__).with_name(POLICY_FILE).read_text(encoding="utf-8")


def write_examples(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "before.snapshot.json").write_text(to_json(before()), encoding="utf-8")
    (directory / "after.snapshot.json").write_text(to_json(after()), encoding="utf-8")
    (directory / "zones.yaml").write_text(policy_text(), encoding="utf-8")


if __name__ == "__main__":
    write_examples(Path(sys.argv[1] if len(sys.argv) > 1 else "examples/npm2015"))
