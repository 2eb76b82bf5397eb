"""Estates for the diff tests: a small two-tier VPC whose database group is the thing a change edits."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from topology.builder import EstateBuilder, RuleSpec
from zonecheck.model import Snapshot, to_json

REPLICA_CIDR = "10.0.1.0/24"
FROM_APP = ("tcp", 5432, 5432, "sg-0app")

POLICY = """\
version: 1
zones:
  public-replica: {match: [{tags: {Zone: public-replica}}]}
  app: {match: [{tags: {Zone: app}}]}
  private-db: {match: [{tags: {Zone: private-db}}]}
assertions:
  - name: replica-cannot-reach-private-db
    from: public-replica
    to: private-db
    expect: no-access
  - name: app-reaches-private-db
    from: app
    to: private-db
    expect: {access: [tcp/5432]}
"""


def two_tier(db_ingress: Iterable[RuleSpec] = (FROM_APP,), *, replicas: int = 1, with_db: bool = True) -> Snapshot:
    """One VPC: the public replica(s) in 10.0.1.0/24, the app in 10.0.2.0/24, the private database in 10.0.3.0/24.

    The database group admits what `db_ingress` says (by default tcp/5432 from the app's group only).
    """
    b = EstateBuilder(account="111111111111", region="us-east-1")
    b.vpc("vpc-0main", "10.0.0.0/16")
    b.subnet("subnet-0replica", "vpc-0main", REPLICA_CIDR)
    b.subnet("subnet-0app", "vpc-0main", "10.0.2.0/24")
    b.subnet("subnet-0db", "vpc-0main", "10.0.3.0/24")
    b.security_group("sg-0replica", "vpc-0main", ingress=[("tcp", 443, 443, "0.0.0.0/0")])
    b.security_group("sg-0app", "vpc-0main")
    b.security_group("sg-0db", "vpc-0main", ingress=list(db_ingress), egress=[])
    for n in range(1, replicas + 1):
        b.instance(f"i-0replica{n}", "subnet-0replica", f"10.0.1.{49 + n}", groups=["sg-0replica"],
                   tags={"Zone": "public-replica"})
    b.instance("i-0app", "subnet-0app", "10.0.2.10", groups=["sg-0app"], tags={"Zone": "app"})
    if with_db:
        b.instance("i-0db", "subnet-0db", "10.0.3.10", groups=["sg-0db"], tags={"Zone": "private-db"})
    return b.build()


def write(tmp_path: Path, name: str, snapshot: Snapshot) -> str:
    path = tmp_path / name
    path.write_text(to_json(snapshot), encoding="utf-8")
    return str(path)


def write_policy(tmp_path: Path, text: Optional[str] = None) -> str:
    path = tmp_path / "zones.yaml"
    path.write_text(text or POLICY, encoding="utf-8")
    return str(path)
