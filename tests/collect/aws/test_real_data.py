"""Every estate captured from real AWS accounts (../shared/real-data/aws/) loads, completely and correctly.

Counts are computed here with plain `json`, independently of the transforms; the facts were checked by
reading the files.
"""

from __future__ import annotations

import json
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import pytest

from zonecheck.collect.aws import load_aws_dump
from zonecheck.model import Snapshot, from_json_text, to_json

REAL = Path(__file__).resolve().parents[3].parent / "shared" / "real-data" / "aws"
ESTATES = sorted([REAL / "hybrid-cloud" / "aws_configs", *(REAL / "batfish-e2e").glob("*/aws_configs")])

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-data/aws is not available")


def estate_id(path: Path) -> str:
    return path.parent.name


def items(root: Path, key: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(root.rglob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and isinstance(data.get(key), list):
            out += data[key]
    return out


def expected_counts(root: Path) -> dict[str, int]:
    instances = {i["InstanceId"] for r in items(root, "Reservations") for i in r["Instances"]}
    return {"vpcs": len({v["VpcId"] for v in items(root, "Vpcs")}),
            "subnets": len({s["SubnetId"] for s in items(root, "Subnets")}),
            "instances": len(instances),
            "security_groups": len({g["GroupId"] for g in items(root, "SecurityGroups")})}


_CACHE: dict[str, Snapshot] = {}


def load(name: str) -> Snapshot:
    if name not in _CACHE:
        path = REAL / "hybrid-cloud" / "aws_configs" if name == "hybrid-cloud" else REAL / "batfish-e2e" / name / "aws_configs"
        _CACHE[name] = load_aws_dump(path)
    return _CACHE[name]


@pytest.mark.parametrize("root", ESTATES, ids=estate_id)
def test_each_estate_loads_with_the_counts_its_json_holds(root: Path) -> None:
    snapshot = load_aws_dump(root)
    counts = {"vpcs": len(snapshot.vpcs), "subnets": len(snapshot.subnets), "instances": len(snapshot.instances),
              "security_groups": len(snapshot.security_groups)}
    assert counts == expected_counts(root)
    assert len(snapshot.source.files) == len(list(root.rglob("*.json")))


@pytest.mark.parametrize("root", ESTATES, ids=estate_id)
def test_each_estate_has_an_endpoint_for_every_described_interface(root: Path) -> None:
    enis = {e["NetworkInterfaceId"] for e in items(root, "NetworkInterfaces")}
    assert enis <= {e.id for e in load_aws_dump(root).endpoints}


@pytest.mark.parametrize("root", ESTATES, ids=estate_id)
def test_each_estate_snapshot_reads_back_as_a_consistent_snapshot(root: Path) -> None:
    snapshot = load_aws_dump(root)
    assert from_json_text(to_json(snapshot), str(root)) == snapshot


def test_all_estates_are_found() -> None:
    assert len(ESTATES) == 18


# -- hybrid-cloud: two regions, transit gateways with a BGP VPN to on-premises -------------------------------


def test_hybrid_cloud_accounts_and_regions_come_from_the_layout_and_owner_ids() -> None:
    regions = {v.id: (v.account, v.region) for v in load("hybrid-cloud").vpcs}
    assert regions["vpc-0276455718806058a"] == ("554773406868", "us-east-2")
    assert regions["vpc-00b65e98077106059"] == ("554773406868", "us-west-2")


def test_hybrid_cloud_main_route_table_sends_on_premises_traffic_to_the_transit_gateway() -> None:
    table = {t.id: t for t in load("hybrid-cloud").route_tables}["rtb-06227a9df13216f67"]
    assert table.is_main and table.vpc_id == "vpc-0276455718806058a"
    route = next(x for x in table.routes if x.destination == ip_network("203.0.113.0/24"))
    assert (route.target, route.target_id) == ("transit-gateway", "tgw-06b348adabd13452d")


def test_hybrid_cloud_tgw_route_table_associates_both_vpcs_and_the_vpn_and_misses_its_bgp_routes() -> None:
    table = {t.id: t for t in load("hybrid-cloud").transit_gateway_route_tables}["tgw-rtb-00e37bc5142347b03"]
    assert table.associations == ("tgw-attach-021f89744fac566dd", "tgw-attach-0648110513acd6de5", "tgw-attach-0881ce2eb93cd63a8")
    assert table.propagations == table.associations
    assert table.is_default_association and table.routes == () and not table.routes_complete


def test_hybrid_cloud_mysql_open_to_the_world_rule() -> None:
    group = {g.id: g for g in load("hybrid-cloud").security_groups}["sg-0e37fc2ef01c89369"]
    rule = {x.id: x for x in group.ingress}["sg-0e37fc2ef01c89369/ingress/tcp:3306-3306/0.0.0.0/0"]
    assert rule.description == "Connectivity test"


def test_hybrid_cloud_tgw_peering_being_deleted_is_kept_with_its_state_and_peer() -> None:
    peering = {a.id: a for a in load("hybrid-cloud").transit_gateway_attachments}["tgw-attach-0cc6cf6a578b754e3"]
    assert (peering.kind, peering.state, peering.transit_gateway_id, peering.resource_id, peering.peer_region) == \
        ("peering", "deleting", "tgw-06b348adabd13452d", "tgw-0888a76c8a371246d", "us-west-2")


def test_hybrid_cloud_vpns_terminate_on_transit_gateways_and_their_keys_are_not_copied() -> None:
    snapshot = load("hybrid-cloud")
    vpn = {v.id: v for v in snapshot.vpn_connections}["vpn-01c45673532d3e33e"]
    assert (vpn.transit_gateway_id, vpn.customer_gateway_id, vpn.static_routes_only) == \
        ("tgw-06b348adabd13452d", "cgw-0d7410421c0d7799e", False)
    assert {c.bgp_asn for c in snapshot.customer_gateways} == {65100}
    assert "pre_shared_key" not in to_json(snapshot) and "FnPi1E827" not in to_json(snapshot)


def test_hybrid_cloud_public_instance_and_tgw_interfaces() -> None:
    endpoints = {e.id: e for e in load("hybrid-cloud").endpoints}
    assert endpoints["eni-01997085076a9b98a"].public_ips == (ip_address("13.59.144.125"),)
    assert endpoints["eni-01997085076a9b98a"].owner_id == "i-01602d9efaed4409a"
    tgw = endpoints["eni-03ca2c3d64376a98b"]
    assert (tgw.kind, tgw.owner_id) == ("transit-gateway-attachment", "tgw-attach-021f89744fac566dd")


def test_hybrid_cloud_is_complete() -> None:
    assert load("hybrid-cloud").incomplete == ()


# -- batfish end-to-end scenarios ----------------------------------------------------------------------------


def test_vpc_peering_disassociated_cidr_blocks_are_not_vpc_space() -> None:
    vpc = {v.id: v for v in load("test-vpc-peering").vpcs}["vpc-0404e08ceddf7f650"]
    assert vpc.cidrs == (ip_network("10.10.0.0/16"),)


def test_vpc_peering_routes_and_a_blackhole_to_a_deleted_internet_gateway() -> None:
    table = {t.id: t for t in load("test-vpc-peering").route_tables}["rtb-017c36290c9baf017"]
    labels = {x.label() for x in table.routes}
    assert "10.10.0.0/16 -> pcx-0b89b559e3319d6cf" in labels
    assert "0.0.0.0/0 -> igw-0a2c9ae201b441bff (blackhole)" in labels
    peering = {p.id: p for p in load("test-vpc-peering").vpc_peerings}["pcx-0b89b559e3319d6cf"]
    assert (peering.requester_vpc_id, peering.accepter_vpc_id) == ("vpc-0404e08ceddf7f650", "vpc-00a31ce9d0c06675c")


def test_cross_account_peering_seen_from_both_accounts_is_one_active_record() -> None:
    snapshot = load("test-vpc-peering-multi-account")
    assert [p.id for p in snapshot.vpc_peerings] == ["pcx-0040f7640e10191f4"]  # the deleted ones are left out
    peering = snapshot.vpc_peerings[0]
    assert (peering.requester_account, peering.accepter_account) == ("028403472736", "951601349076")
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {
        ("internet-gateway", "123456789012/us-east-1"), ("internet-gateway", "123456789013/us-east-1"),
        ("network-acl", "123456789012/us-east-1"), ("network-acl", "123456789013/us-east-1")}


def test_nat_gateway_route_and_its_interface() -> None:
    snapshot = load("test-nat-gateway")
    table = {t.id: t for t in snapshot.route_tables}["rtb-02fe228b42de92a7c"]
    route = next(x for x in table.routes if x.destination == ip_network("0.0.0.0/0"))
    assert (route.target, route.target_id) == ("nat-gateway", "nat-07ab4846da51f4612")
    nat = {e.id: e for e in snapshot.endpoints}["eni-017aaec115610308a"]
    assert (nat.kind, nat.owner_id, nat.public_ips) == ("nat-gateway", "nat-07ab4846da51f4612", (ip_address("3.135.127.225"),))


def test_nat_gateway_estate_nacl_allows_all_icmp_from_one_subnet() -> None:
    acl = {a.id: a for a in load("test-nat-gateway").network_acls}["acl-0792adae678b88f85"]
    entry = next(e for e in acl.entries if e.rule_number == 100 and not e.egress)
    assert entry.label() == "#100 allow icmp all types from 10.1.1.0/24"


def test_load_balancer_interfaces_listener_and_registered_targets() -> None:
    snapshot = load("test-load-balancer")
    arn = "arn:aws:elasticloadbalancing:us-east-2:554773406868:loadbalancer/net/test-lb/725b996cb6be8fba"
    (lb,) = snapshot.load_balancers
    assert (lb.id, lb.kind, lb.scheme) == (arn, "network", "internal")
    assert {e.id for e in snapshot.endpoints if e.owner_id == arn} == {"eni-01f261dccaba46564", "eni-0c82d6f7254ae6695"}
    group = {g.name: g for g in snapshot.target_groups}["test-lb-tg"]
    assert lb.listeners[0].target_group_ids == (group.id,) and lb.listeners[0].port == 80
    assert {t.target_id for t in group.targets} == {"i-0f4af951d61a19245", "i-055b0db7be365202c"}
    assert not {g.name: g for g in snapshot.target_groups}["target1"].targets_known


def test_static_vpn_behind_a_vpn_gateway_propagating_into_a_route_table() -> None:
    snapshot = load("test-public-private-subnet")
    (vpn,) = snapshot.vpn_connections
    assert vpn.static_routes == (ip_network("19.168.0.0/16"),) and vpn.vpn_gateway_id == "vgw-070087240d6fa2989"
    assert [(p.route_table_id, p.gateway_id) for p in snapshot.route_propagations] == \
        [("rtb-002f0eabf583bf991", "vgw-070087240d6fa2989")]
    assert snapshot.vpn_gateways[0].vpc_ids == ("vpc-0b966fdeb36d5e43f",)


def test_gateway_endpoint_route_uses_the_s3_prefix_list() -> None:
    snapshot = load("test-vpc-endpoint-gateway")
    table = {t.id: t for t in snapshot.route_tables}["rtb-04f71fc2caa8d94cf"]
    assert "pl-63a5400a -> vpce-0b7357542bb7b83ec" in {x.label() for x in table.routes}
    assert snapshot.vpc_endpoints[0].prefix_list_id == "pl-63a5400a"
    s3 = {p.id: p for p in snapshot.prefix_lists}["pl-63a5400a"]
    assert s3.aws_managed and ip_network("52.216.0.0/15") in (s3.entries or ())


def test_interface_endpoint_interface_belongs_to_the_endpoint() -> None:
    snapshot = load("test-vpc-endpoint-interface")
    eni = {e.id: e for e in snapshot.endpoints}["eni-0084b734451ba23ca"]
    assert (eni.kind, eni.owner_id, eni.security_group_ids) == ("vpc-endpoint", "vpce-083c683a6be29b889", ("sg-0973207c61f3466e1",))


def test_transit_gateway_peering_static_routes_and_associations_on_both_sides() -> None:
    snapshot = load("test-transit-gateway-peering")
    tables = {t.id: t for t in snapshot.transit_gateway_route_tables}
    assert [x.label() for x in tables["tgw-rtb-018a5e572ec3088d1"].routes] == \
        ["192.168.0.0/16 -> tgw-attach-012e5d602f859dd80 (static)"]
    assert "tgw-attach-012e5d602f859dd80" in tables["tgw-rtb-05d2952671d1f460a"].associations  # us-east-1 side
    assert "tgw-attach-012e5d602f859dd80" in tables["tgw-rtb-00be87593fb2cd0ae"].associations  # us-west-1 side
    peering = {a.id: a for a in snapshot.transit_gateway_attachments}["tgw-attach-012e5d602f859dd80"]
    assert (peering.peer_account, peering.peer_region) == ("804819755326", "us-west-1")


def test_transit_gateway_multi_table_associates_and_propagates_crosswise() -> None:
    tables = {t.id: t for t in load("test-transit-gateway-multi-table").transit_gateway_route_tables}
    assert tables["tgw-rtb-096a7119299ab1c42"].associations == ("tgw-attach-0ae2696617bb06fb4",)
    assert tables["tgw-rtb-096a7119299ab1c42"].propagations == ("tgw-attach-07f5ec59e9f540021",)
    assert tables["tgw-rtb-0fa40c8df355dce6e"].is_default_association


def test_transit_gateway_multi_table_icmp_rule_from_anywhere_ipv4_and_ipv6() -> None:
    group = {g.id: g for g in load("test-transit-gateway-multi-table").security_groups}["sg-09606ce9642cac154"]
    assert {x.peer_label() for x in group.ingress if x.protocol == 1} == {"0.0.0.0/0", "::/0"}


def test_shared_transit_gateway_serves_an_attachment_of_another_account() -> None:
    snapshot = load("test-transit-gateway-multi-account")
    (table,) = snapshot.transit_gateway_route_tables
    assert table.associations == ("tgw-attach-0f832eb2ca4a975a4", "tgw-attach-0f8397dbb9b9bce0d")
    (tgw,) = snapshot.transit_gateways
    assert tgw.account == "028403472736"
    assert {i.id: i.state for i in snapshot.instances}["i-04f03d526c63297ae"] == "terminated"


def test_rds_instance_is_placed_in_its_subnet_group_with_unknown_addresses() -> None:
    snapshot = load("test")
    (rds,) = snapshot.rds_instances
    assert (rds.id, rds.identifier, rds.port, rds.publicly_accessible) == ("db-12345", "test-rds", 3306, True)
    stand_ins = {e.id: e for e in snapshot.endpoints if e.kind == "rds"}
    assert set(stand_ins) == {"db-12345@subnet-073b8061", "db-12345@subnet-1f315846"}
    assert all(e.address_unknown and e.public_address_unknown for e in stand_ins.values())
    entry = next(e for a in snapshot.network_acls if a.id == "acl-4db39c28" for e in a.entries if e.rule_number == 100)
    assert entry.label() == "#100 allow tcp 3306 from 162.243.144.192/32"
    assert ("route-table", "no describe-route-tables file in the dump") in {(i.family, i.reason) for i in snapshot.incomplete}


def test_an_estate_with_only_vpcs_says_what_it_is_missing() -> None:
    snapshot = load("test-multi-account")
    missing = {(i.family, i.scope) for i in snapshot.incomplete}
    assert missing == {(family, scope) for family in ("subnet", "route-table", "network-acl", "security-group",
                                                     "network-interface")
                       for scope in ("111/us-west-1", "222/us-west-2")}
