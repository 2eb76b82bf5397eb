"""Zone resolution: which endpoints and which of their addresses each selector puts in a zone (SPEC §3)."""

from ipaddress import ip_network

import pytest

from zonecheck.model import Endpoint, Instance, RdsInstance, Snapshot, SourceInfo, Subnet, Vpc
from zonecheck.policy import Policy, PolicyError, ResolvedZone, ZoneMember, normalise_networks, resolve_zones

VPC_A = Vpc(id="vpc-a", cidrs=(ip_network("10.0.0.0/16"),), ipv6_cidrs=(ip_network("2600:1f18:1::/56"),),
            tags={"Env": "prod", "Zone": "vpc-zone", "Team": "network"})
VPC_B = Vpc(id="vpc-b", cidrs=(ip_network("10.1.0.0/16"),), tags={"Env": "dev"})
SUBNET_A1 = Subnet(id="subnet-a1", vpc_id="vpc-a", cidr=ip_network("10.0.1.0/24"),
                   ipv6_cidr=ip_network("2600:1f18:1:1::/64"), tags={"Zone": "subnet-zone", "Tier": "public"})
SUBNET_A2 = Subnet(id="subnet-a2", vpc_id="vpc-a", cidr=ip_network("10.0.2.0/24"), tags={"Tier": "private"})
SUBNET_A3 = Subnet(id="subnet-a3", vpc_id="vpc-a", cidr=ip_network("10.0.3.0/24"),
                   ipv6_cidr=ip_network("2600:1f18:1:3::/64"))
SUBNET_B1 = Subnet(id="subnet-b1", vpc_id="vpc-b", cidr=ip_network("10.1.1.0/24"))

WEB = Endpoint(id="eni-web", kind="instance", owner_id="i-web", subnet_id="subnet-a1", security_group_ids=("sg-web",),
               private_ips=("10.0.1.11", "10.0.1.10"), public_ips=("54.0.0.10",),
               ipv6_addresses=("2600:1f18:1:1::10",), tags={"Role": "frontend", "Zone": "eni-zone"},
               owner_tags={"Name": "web-1", "Zone": "public-replica"})
APP = Endpoint(id="eni-app", kind="instance", owner_id="i-app", subnet_id="subnet-a1",
               security_group_ids=("sg-app", "sg-web"), private_ips=("10.0.1.20",), tags={"Zone": "eni-zone"})
DB_A2 = Endpoint(id="db-ORDERS@subnet-a2", kind="rds", owner_id="db-ORDERS", subnet_id="subnet-a2",
                 security_group_ids=("sg-db",), address_unknown=True)
DB_A3 = Endpoint(id="db-ORDERS@subnet-a3", kind="rds", owner_id="db-ORDERS", subnet_id="subnet-a3",
                 security_group_ids=("sg-db",), address_unknown=True)
NAT = Endpoint(id="eni-nat", kind="nat-gateway", owner_id="nat-1", subnet_id="subnet-a1",
               private_ips=("10.0.1.5",), public_ips=("3.3.3.3",), tags={"Zone": "eni-zone"})
TGW = Endpoint(id="eni-tgw", kind="transit-gateway-attachment", owner_id="tgw-attach-1", subnet_id="subnet-a2",
               private_ips=("10.0.2.5",))
PLAIN = Endpoint(id="eni-plain", subnet_id="subnet-a1", private_ips=("10.0.1.40",))
BATCH = Endpoint(id="eni-batch", subnet_id="subnet-a2", private_ips=("10.0.2.30",))
DEV = Endpoint(id="eni-dev", kind="instance", owner_id="i-dev", subnet_id="subnet-b1", security_group_ids=("sg-dev",),
               private_ips=("10.1.1.10",))

ESTATE = Snapshot(
    source=SourceInfo(kind="topology"),
    vpcs=(VPC_A, VPC_B),
    subnets=(SUBNET_A1, SUBNET_A2, SUBNET_A3, SUBNET_B1),
    endpoints=(WEB, APP, DB_A2, DB_A3, NAT, TGW, PLAIN, BATCH, DEV),
    instances=(Instance(id="i-app", subnet_id="subnet-a1", tags={"Owner": "team-a"}),),
    rds_instances=(RdsInstance(id="db-ORDERS", identifier="orders", subnet_ids=("subnet-a2", "subnet-a3"),
                               security_group_ids=("sg-db",), tags={"Zone": "private-db"}),),
)


def policy(zones: dict) -> Policy:
    first = next(iter(zones))
    assertion = {"name": "a", "from": first, "to": "internet", "expect": "no-access"}
    return Policy.model_validate({"version": 1, "zones": zones, "assertions": [assertion]})


def resolve(*match: dict, snapshot: Snapshot = ESTATE, allow_empty: bool = False) -> ResolvedZone:
    zones = {"z": {"match": list(match), "allow_empty": allow_empty}}
    return resolve_zones(policy(zones), snapshot, "zones.yaml")["z"]


def members(zone: ResolvedZone) -> dict[str, list[str]]:
    return {m.endpoint_id: [str(a) for a in m.addresses] for m in zone.members}


WEB_ALL = ["10.0.1.10/32", "10.0.1.11/32", "54.0.0.10/32", "2600:1f18:1:1::10/128"]

# --- tags --------------------------------------------------------------------------------------------


def test_tags_select_the_endpoint_with_every_address_it_has():
    assert members(resolve({"tags": {"Name": "web-1"}})) == {"eni-web": WEB_ALL}


def test_owner_tags_win_over_eni_tags_on_the_same_key():
    assert list(members(resolve({"tags": {"Zone": "public-replica"}}))) == ["eni-web"]
    # eni-web's ENI says eni-zone but its instance says public-replica: only eni-app keeps eni-zone.
    assert list(members(resolve({"tags": {"Zone": "eni-zone"}}))) == ["eni-app"]


def test_eni_tags_win_over_subnet_tags_on_the_same_key():
    # eni-web and eni-app are in subnet-a1 (Zone=subnet-zone) but their own tags say otherwise.
    assert list(members(resolve({"tags": {"Zone": "subnet-zone"}}))) == ["eni-plain"]


def test_subnet_tags_win_over_vpc_tags_on_the_same_key():
    # vpc-a says Zone=vpc-zone; only subnet-a2 has no Zone tag, and of its endpoints only eni-batch has none
    # of its own (the DB instance says private-db, the transit gateway attachment is infrastructure).
    assert list(members(resolve({"tags": {"Zone": "vpc-zone"}}))) == ["eni-batch"]


def test_vpc_tags_apply_to_every_endpoint_in_the_vpc_unless_overridden():
    assert list(members(resolve({"tags": {"Team": "network"}}))) == [
        "db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3", "eni-app", "eni-batch", "eni-plain", "eni-web"]


def test_subnet_tags_apply_to_endpoints_in_the_subnet():
    assert list(members(resolve({"tags": {"Tier": "private"}}))) == ["db-ORDERS@subnet-a2", "eni-batch"]


def test_tags_of_the_owning_instance_and_db_instance_in_the_snapshot_count_as_owner_tags():
    assert list(members(resolve({"tags": {"Owner": "team-a"}}))) == ["eni-app"]
    assert list(members(resolve({"tags": {"Zone": "private-db"}}))) == ["db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3"]


def test_every_tag_of_a_selector_must_match():
    assert list(members(resolve({"tags": {"Env": "prod", "Role": "frontend"}}))) == ["eni-web"]
    assert resolve({"tags": {"Env": "dev", "Role": "frontend"}}, allow_empty=True).members == ()


def test_tag_values_are_compared_exactly():
    assert resolve({"tags": {"Env": "Prod"}}, allow_empty=True).members == ()
    assert resolve({"tags": {"env": "prod"}}, allow_empty=True).members == ()


# --- endpoint selectors -------------------------------------------------------------------------------


def test_vpc_selects_every_endpoint_of_its_subnets_with_all_addresses():
    assert members(resolve({"vpc": "vpc-b"})) == {"eni-dev": ["10.1.1.10/32"]}
    assert list(members(resolve({"vpc": "vpc-a"}))) == [
        "db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3", "eni-app", "eni-batch", "eni-plain", "eni-web"]
    assert members(resolve({"vpc": "vpc-a"}))["eni-web"] == WEB_ALL


def test_subnet_selects_endpoints_in_that_subnet():
    assert list(members(resolve({"subnet": "subnet-a2"}))) == ["db-ORDERS@subnet-a2", "eni-batch"]


def test_vpc_and_subnet_in_one_entry_must_both_hold():
    assert list(members(resolve({"vpc": "vpc-a", "subnet": "subnet-a2"}))) == ["db-ORDERS@subnet-a2", "eni-batch"]
    assert resolve({"vpc": "vpc-b", "subnet": "subnet-a2"}, allow_empty=True).members == ()


def test_security_group_selects_its_members_with_all_addresses():
    assert members(resolve({"security_group": "sg-web"})) == {"eni-app": ["10.0.1.20/32"], "eni-web": WEB_ALL}


@pytest.mark.parametrize("ident, expected", [
    ("eni-web", ["eni-web"]),
    ("i-web", ["eni-web"]),
    ("db-ORDERS", ["db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3"]),
    ("orders", ["db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3"]),
    ("db-ORDERS@subnet-a2", ["db-ORDERS@subnet-a2"]),
])
def test_id_selects_by_eni_id_owner_id_or_db_identifier(ident, expected):
    assert list(members(resolve({"id": ident}))) == expected


def test_endpoint_with_unknown_address_has_its_subnet_cidrs():
    assert members(resolve({"id": "orders"})) == {
        "db-ORDERS@subnet-a2": ["10.0.2.0/24"],
        "db-ORDERS@subnet-a3": ["10.0.3.0/24", "2600:1f18:1:3::/64"],
    }


def test_public_address_whose_value_is_unknown_is_not_invented():
    public_db = DB_A2.model_copy(update={"public_address_unknown": True})
    estate = ESTATE.model_copy(update={"endpoints": (public_db,)})
    assert members(resolve({"id": "db-ORDERS"}, snapshot=estate)) == {"db-ORDERS@subnet-a2": ["10.0.2.0/24"]}


# --- address selectors --------------------------------------------------------------------------------


def test_cidr_selects_only_the_addresses_inside_it():
    assert members(resolve({"cidr": "10.0.1.8/30"})) == {"eni-web": ["10.0.1.10/32", "10.0.1.11/32"]}


def test_cidr_does_not_bring_in_the_public_address_of_the_same_host():
    assert members(resolve({"cidr": "10.0.1.10/32"})) == {"eni-web": ["10.0.1.10/32"]}


def test_cidr_on_public_addresses_selects_only_them():
    assert members(resolve({"cidr": "54.0.0.0/8"})) == {"eni-web": ["54.0.0.10/32"]}


def test_ipv6_cidr_selects_ipv6_addresses_only():
    assert members(resolve({"cidr": "2600:1f18:1:1::10/128"})) == {"eni-web": ["2600:1f18:1:1::10/128"]}


def test_address_selects_only_that_address():
    assert members(resolve({"address": "10.0.1.11"})) == {"eni-web": ["10.0.1.11/32"]}
    assert members(resolve({"address": "2600:1f18:1:1::10"})) == {"eni-web": ["2600:1f18:1:1::10/128"]}


def test_cidr_narrower_than_the_subnet_of_an_unknown_address_endpoint_selects_the_cidr():
    assert members(resolve({"cidr": "10.0.2.128/25"})) == {"db-ORDERS@subnet-a2": ["10.0.2.128/25"]}


def test_cidr_wider_than_the_subnet_of_an_unknown_address_endpoint_selects_the_subnet():
    zone = resolve({"cidr": "10.0.0.0/16"})
    assert members(zone)["db-ORDERS@subnet-a2"] == ["10.0.2.0/24"]
    assert members(zone)["db-ORDERS@subnet-a3"] == ["10.0.3.0/24"]
    assert members(zone)["eni-web"] == ["10.0.1.10/32", "10.0.1.11/32"]


def test_cidr_outside_the_subnet_of_an_unknown_address_endpoint_does_not_select_it():
    assert "db-ORDERS@subnet-a2" not in members(resolve({"cidr": "10.0.3.0/24"}))


def test_address_inside_the_subnet_of_an_unknown_address_endpoint_selects_that_address():
    assert members(resolve({"address": "10.0.2.77"})) == {"db-ORDERS@subnet-a2": ["10.0.2.77/32"]}


def test_address_of_a_known_host_also_selects_an_unknown_address_endpoint_of_the_same_subnet():
    # The DB instance could hold any address of its subnet: the zone over-approximates, never misses it.
    assert members(resolve({"address": "10.0.2.30"})) == {
        "db-ORDERS@subnet-a2": ["10.0.2.30/32"], "eni-batch": ["10.0.2.30/32"]}


def test_cidr_combined_with_an_endpoint_selector_needs_both():
    assert members(resolve({"security_group": "sg-web", "cidr": "10.0.1.16/28"})) == {"eni-app": ["10.0.1.20/32"]}
    assert resolve({"security_group": "sg-dev", "cidr": "10.0.1.0/24"}, allow_empty=True).members == ()


def test_cidr_and_address_in_one_entry_select_their_intersection():
    assert members(resolve({"cidr": "10.0.1.0/24", "address": "10.0.1.20"})) == {"eni-app": ["10.0.1.20/32"]}


def test_cidr_covering_no_endpoint_address_selects_nothing():
    assert resolve({"cidr": "192.168.0.0/16"}, allow_empty=True).members == ()


# --- infrastructure endpoints -------------------------------------------------------------------------


@pytest.mark.parametrize("selector", [
    {"tags": {"Zone": "eni-zone"}}, {"vpc": "vpc-a"}, {"subnet": "subnet-a1"}, {"cidr": "10.0.1.5/32"},
    {"address": "3.3.3.3"}, {"cidr": "0.0.0.0/0"},
])
def test_nat_gateway_is_never_selected_by_tags_vpc_subnet_or_addresses(selector):
    assert "eni-nat" not in members(resolve(selector, allow_empty=True))


@pytest.mark.parametrize("selector", [{"vpc": "vpc-a"}, {"subnet": "subnet-a2"}, {"cidr": "10.0.2.5/32"}])
def test_transit_gateway_attachment_is_never_selected_by_vpc_subnet_or_addresses(selector):
    assert "eni-tgw" not in members(resolve(selector, allow_empty=True))


def test_nat_gateway_is_selected_by_its_id():
    assert members(resolve({"id": "nat-1"})) == {"eni-nat": ["3.3.3.3/32", "10.0.1.5/32"]}
    assert members(resolve({"id": "eni-nat", "cidr": "3.0.0.0/8"})) == {"eni-nat": ["3.3.3.3/32"]}


def test_transit_gateway_attachment_is_selected_by_its_id():
    assert members(resolve({"id": "tgw-attach-1"})) == {"eni-tgw": ["10.0.2.5/32"]}


# --- several entries, ordering, built-ins -------------------------------------------------------------


def test_endpoint_matched_by_several_entries_gets_the_union_of_their_addresses():
    zone = resolve({"address": "10.0.1.10"}, {"cidr": "54.0.0.10/32"}, {"address": "10.0.1.10"})
    assert members(zone) == {"eni-web": ["10.0.1.10/32", "54.0.0.10/32"]}


def test_an_endpoint_selector_and_an_address_selector_together_select_everything():
    zone = resolve({"address": "10.0.1.10"}, {"id": "i-web"})
    assert members(zone) == {"eni-web": WEB_ALL}


def test_members_are_sorted_by_endpoint_id_and_addresses_ipv4_first_sorted_without_duplicates():
    zone = resolve({"id": "db-ORDERS"}, {"id": "eni-web"}, {"address": "10.0.2.9"})
    assert zone.endpoint_ids == ("db-ORDERS@subnet-a2", "db-ORDERS@subnet-a3", "eni-web")
    assert members(zone)["eni-web"] == WEB_ALL  # private_ips were given out of order
    assert members(zone)["db-ORDERS@subnet-a2"] == ["10.0.2.0/24"]  # 10.0.2.9 is inside the subnet
    assert zone.member("eni-web") == ZoneMember("eni-web", tuple(ip_network(a) for a in WEB_ALL))
    assert zone.member("eni-nope") is None


def test_zone_that_matches_nothing_is_an_error_naming_it():
    with pytest.raises(PolicyError) as caught:
        resolve({"tags": {"Zone": "nowhere"}})
    assert str(caught.value) == ("zones.yaml: zone 'z' matches nothing in the estate "
                                 "(set allow_empty: true if that is intended)")


def test_zone_that_matches_only_an_infrastructure_endpoint_by_tags_is_empty():
    with pytest.raises(PolicyError, match="zone 'z' matches nothing"):
        resolve({"address": "3.3.3.3"})


def test_empty_zone_with_allow_empty_has_no_members():
    zone = resolve({"tags": {"Zone": "nowhere"}}, allow_empty=True)
    assert zone == ResolvedZone(name="z", builtin=None, members=())


def test_every_zone_is_resolved_and_checked_even_if_no_assertion_uses_it():
    zones = {"web": {"match": [{"id": "i-web"}]}, "unused": {"match": [{"id": "i-gone"}]}}
    with pytest.raises(PolicyError, match="zone 'unused' matches nothing"):
        resolve_zones(policy(zones), ESTATE, "zones.yaml")


def test_builtin_zones_are_included_without_members_when_assertions_use_them():
    p = Policy.model_validate({
        "version": 1,
        "zones": {"web": {"match": [{"id": "i-web"}]}, "db": {"match": [{"id": "orders"}]}},
        "assertions": [{"name": "a", "from": "internet", "to": "web", "expect": "no-access"},
                       {"name": "b", "from": "web", "to": "db", "expect": "no-access"}],
    })
    resolved = resolve_zones(p, ESTATE, "zones.yaml")
    assert list(resolved) == ["web", "db", "internet"]
    assert resolved["internet"] == ResolvedZone(name="internet", builtin="internet", members=())
    assert resolved["web"].builtin is None


def test_on_premises_is_included_when_used():
    p = Policy.model_validate({
        "version": 1, "zones": {"web": {"match": [{"id": "i-web"}]}},
        "assertions": [{"name": "a", "from": "on-premises", "to": "web", "expect": "no-access"}],
    })
    resolved = resolve_zones(p, ESTATE, "zones.yaml")
    assert list(resolved) == ["web", "on-premises"]
    assert resolved["on-premises"].builtin == "on-premises"


def test_endpoint_in_a_subnet_missing_from_the_snapshot_does_not_crash_resolution():
    orphan = Endpoint(id="eni-orphan", subnet_id="subnet-gone", private_ips=("10.9.0.1",), tags={"Zone": "o"})
    lost_db = Endpoint(id="db-X@subnet-gone", kind="rds", owner_id="db-X", subnet_id="subnet-gone",
                       address_unknown=True, owner_tags={"Zone": "o"})
    estate = Snapshot(source=SourceInfo(kind="topology"), endpoints=(orphan, lost_db),
                      subnets=(Subnet(id="subnet-novpc", vpc_id="vpc-gone"),))
    assert members(resolve({"tags": {"Zone": "o"}}, snapshot=estate)) == {
        "db-X@subnet-gone": [], "eni-orphan": ["10.9.0.1/32"]}
    assert resolve({"vpc": "vpc-gone"}, snapshot=estate, allow_empty=True).members == ()
    assert resolve({"cidr": "10.0.0.0/8"}, snapshot=estate).endpoint_ids == ("eni-orphan",)


def test_endpoint_in_a_subnet_whose_vpc_is_missing_is_matched_by_vpc_id_and_subnet_tags():
    estate = Snapshot(source=SourceInfo(kind="topology"),
                      subnets=(Subnet(id="subnet-x", vpc_id="vpc-gone", tags={"Zone": "x"}),),
                      endpoints=(Endpoint(id="eni-x", subnet_id="subnet-x", private_ips=("10.5.0.1",)),))
    assert resolve({"vpc": "vpc-gone"}, snapshot=estate).endpoint_ids == ("eni-x",)
    assert resolve({"tags": {"Zone": "x"}}, snapshot=estate).endpoint_ids == ("eni-x",)


def test_normalise_networks_drops_contained_networks_but_never_merges_neighbours():
    nets = [ip_network(n) for n in ["10.0.0.3/32", "10.0.0.2/32", "10.0.0.0/24", "10.1.0.1/32", "10.1.0.0/32",
                                    "::1/128", "10.1.0.1/32"]]
    assert [str(n) for n in normalise_networks(nets)] == ["10.0.0.0/24", "10.1.0.0/32", "10.1.0.1/32", "::1/128"]
