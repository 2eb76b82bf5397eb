"""Managed prefix lists, built with boto3 in moto and collected live: customer-managed lists in security
group rules (ingress and egress) and as a route destination, an AWS-managed list (S3's, whose entries
moto gives as AWS does) in an egress rule, and the same estate collected without the permission to read
list entries, where every verdict that rests on a list is `unknown`, never `pass`.

    app 10.70/16 ──pcx-data── data 10.71/16 (db: tcp 5432 from list "app-nets" = 10.70.1.0/24)
        │        ──pcx-other── other 10.72/16 (admits everything from 10.70/16)
        app's table: list "data-nets" (10.71.0.0/16) -> pcx-data, 10.72.0.0/16 -> pcx-other, S3's list -> S3 gateway endpoint
        app's group egress: tcp 5432 to "data-nets", tcp 443 to S3's list; nothing else
"""

from __future__ import annotations

from ipaddress import ip_network

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import (
    Builder, allow, collect_regions, decide, hops, refusing, shared_session,
)
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult

REGION = "us-east-1"
S3 = f"com.amazonaws.{REGION}.s3"

POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: pl-app}}]}
  db: {match: [{tags: {Zone: pl-db}}]}
  other: {match: [{tags: {Zone: pl-other}}]}
assertions:
  - {name: app-reaches-db-on-postgres-only, from: app, to: db, expect: {only: [tcp/5432]}}
  - {name: app-cannot-reach-db, from: app, to: db, expect: no-access}
  - {name: app-cannot-reach-other, from: app, to: other, expect: no-access}
  - {name: app-cannot-reach-internet, from: app, to: internet, expect: no-access}
"""


def prefix_list(b: Builder, name: str, *cidrs: str) -> str:
    b.ids[f"pl-{name}"] = b.ec2.create_managed_prefix_list(
        PrefixListName=name, AddressFamily="IPv4", MaxEntries=5,
        Entries=[{"Cidr": c, "Description": name} for c in cidrs])["PrefixList"]["PrefixListId"]
    return b[f"pl-{name}"]


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Builder:
    b = Builder(moto, REGION)
    for name, octet in (("app", 70), ("data", 71), ("other", 72)):
        b.vpc(name, f"10.{octet}.0.0/16")
        b.subnet(name, name, f"10.{octet}.1.0/24")
    prefix_list(b, "data-nets", "10.71.0.0/16")
    prefix_list(b, "app-nets", "10.70.1.0/24")
    b.ids["pl-s3"] = next(p["PrefixListId"] for p in b.ec2.describe_managed_prefix_lists()["PrefixLists"]
                          if p["PrefixListName"] == S3)
    b.peering("data", "app", "data")
    b.peering("other", "app", "other")
    b.table("app", "app", "app")
    b.route("app", b["pl-data-nets"], VpcPeeringConnectionId=b["pcx-data"])
    b.route("app", "10.72.0.0/16", VpcPeeringConnectionId=b["pcx-other"])
    b.ids["vpce-s3"] = b.ec2.create_vpc_endpoint(VpcId=b["vpc-app"], ServiceName=S3, VpcEndpointType="Gateway",
                                                 RouteTableIds=[b["rtb-app"]])["VpcEndpoint"]["VpcEndpointId"]
    b.group("app", "app", egress=[allow("tcp", 5432, prefix_list=b["pl-data-nets"]),
                                  allow("tcp", 443, prefix_list=b["pl-s3"])])
    b.group("db", "data", allow("tcp", 5432, prefix_list=b["pl-app-nets"]), allow("tcp", 22, cidr="10.99.0.0/16"))
    b.group("other", "other", allow("-1", cidr="10.70.0.0/16"))
    b.instance("app", "app", "app", zone="pl-app")
    b.instance("db", "data", "db", zone="pl-db")
    b.instance("other", "other", "other", zone="pl-other")
    return b


@pytest.fixture(scope="module")
def without_entries(estate: Builder) -> LiveCollection:
    with refusing(shared_session(), {"GetManagedPrefixListEntries": "UnauthorizedOperation"}):
        return collect_regions(REGION)


def test_customer_and_aws_managed_lists_are_collected_with_their_entries(collection: LiveCollection,
                                                                         estate: Builder) -> None:
    lists = {p.id: p for p in collection.snapshot.prefix_lists}
    assert lists[estate["pl-data-nets"]].entries == (ip_network("10.71.0.0/16"),)
    assert not lists[estate["pl-data-nets"]].aws_managed
    s3 = lists[estate["pl-s3"]]
    assert s3.aws_managed and s3.name == S3 and s3.entries


def test_a_list_in_egress_a_list_as_route_destination_and_a_list_in_ingress_make_one_path(
        results: dict[str, AssertionResult], estate: Builder) -> None:
    reached = results["app-cannot-reach-db"]
    assert reached.result == "fail"
    (witness,) = reached.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (5432, 5432), estate["eni-db"])
    path = hops(witness)
    assert path[0] == ("sg-egress", estate["sg-app"], f"egress tcp 5432 to {estate['pl-data-nets']}")
    assert path[1] == ("route", estate["rtb-app"], f"{estate['pl-data-nets']} -> {estate['pcx-data']}")
    assert path[-1] == ("sg-ingress", estate["sg-db"], f"ingress tcp 5432 from {estate['pl-app-nets']}")


def test_the_lists_entries_bound_what_is_delivered(results: dict[str, AssertionResult]) -> None:
    only = results["app-reaches-db-on-postgres-only"]  # db's ssh rule names 10.99/16, not a list app is in
    assert (only.result, only.witnesses) == ("pass", ())
    other = results["app-cannot-reach-other"]  # routed, admitted, but app's egress lists do not hold 10.72/16
    assert (other.result, other.witnesses) == ("pass", ())


def test_an_aws_managed_list_in_egress_reaches_only_its_entries_through_the_gateway_endpoint(
        results: dict[str, AssertionResult], collection: LiveCollection, estate: Builder) -> None:
    out = results["app-cannot-reach-internet"]
    assert out.result == "fail"
    (witness,) = out.witnesses
    assert (witness.protocol, witness.port_range) == ("tcp", (443, 443))
    entries = next(p for p in collection.snapshot.prefix_lists if p.id == estate["pl-s3"]).entries
    assert entries is not None
    assert {ip_network(n) for n in witness.target.networks} == set(entries)
    path = hops(witness)
    assert path[0] == ("sg-egress", estate["sg-app"], f"egress tcp 443 to {estate['pl-s3']}")
    assert path[1] == ("route", estate["rtb-app"], f"{estate['pl-s3']} -> {estate['vpce-s3']}")
    assert path[-1] == ("vpc-endpoint", estate["vpce-s3"], f"to {S3} (gateway endpoint)")


def test_without_the_entries_every_verdict_resting_on_a_list_is_unknown(without_entries: LiveCollection,
                                                                        estate: Builder) -> None:
    snapshot = without_entries.snapshot
    assert all(p.entries is None for p in snapshot.prefix_lists)
    results = decide(snapshot, POLICY)
    assert {name: r.result for name, r in results.items()} == {
        "app-reaches-db-on-postgres-only": "unknown", "app-cannot-reach-db": "unknown",
        "app-cannot-reach-other": "unknown", "app-cannot-reach-internet": "unknown"}
    reasons = " ".join(results["app-cannot-reach-other"].reasons)
    assert "ec2:GetManagedPrefixListEntries" in reasons
    assert all(not w.certain for r in results.values() for w in r.witnesses)
