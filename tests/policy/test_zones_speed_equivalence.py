"""The shortcuts zone resolution takes to be fast change nothing it gives (test_policy_zones_oracle.py compares
whole resolutions against a brute-force oracle; these pin the shortcuts themselves):

* host networks are built from the addresses' integers, and must be indistinguishable from `ip_network`'s;
* an owner's tags that `owner_tags` repeat are not merged again, and must still lose and win as before;
* `ResolvedZone.whole_members` lets the engine skip intersecting a member's addresses with its own, so it must
  name only members whose addresses are all the endpoint's.
"""

from __future__ import annotations

import copy
import pickle
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from topology.synthetic import generate
from zonecheck.model import Endpoint, Instance, RdsInstance, Snapshot, SourceInfo, Subnet, Vpc
from zonecheck.policy import Policy, ResolvedZone, normalise_networks, parse_policy_text, resolve_zones
from zonecheck.policy import zones as zones_module

# --------------------------------------------------------------------------------------------- host networks


def assert_indistinguishable(built, expected) -> None:
    assert type(built) is type(expected)
    assert built == expected and hash(built) == hash(expected)
    assert (str(built), repr(built), built.with_prefixlen, built.prefixlen) == \
        (str(expected), repr(expected), expected.with_prefixlen, expected.prefixlen)
    assert (built.network_address, built.broadcast_address, built.netmask, built.hostmask, built.num_addresses) == \
        (expected.network_address, expected.broadcast_address, expected.netmask, expected.hostmask,
         expected.num_addresses)
    assert list(built.hosts()) == list(expected.hosts()) and list(built) == list(expected)
    assert vars(built).keys() == vars(expected).keys()
    assert pickle.loads(pickle.dumps(built)) == expected and copy.deepcopy(built) == expected
    assert not (built < expected) and not (expected < built)
    assert built.subnet_of(ip_network(f"{expected.network_address}/{expected.max_prefixlen - 8}", strict=False))


@pytest.mark.parametrize("text", ["0.0.0.0", "10.0.1.10", "54.0.0.10", "255.255.255.255", "::", "2600:1f18::10",
                                  "fe80::1%eth0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:10.0.0.1"])
def test_a_host_network_is_the_one_the_constructor_builds(text):
    address = IPv6Address(text) if ":" in text else IPv4Address(text)
    expected = (IPv6Network if address.version == 6 else IPv4Network)(int(address))
    assert_indistinguishable(zones_module._host_network(address), expected)
    assert zones_module._host_networks([address, address]) == (expected,)


@given(st.lists(st.one_of(st.integers(0, 2**32 - 1).map(IPv4Address), st.integers(0, 2**128 - 1).map(IPv6Address)),
                max_size=5))
def test_host_networks_are_sorted_distinct_and_as_the_constructor_builds_them(addresses):
    got = zones_module._host_networks(addresses)
    expected = normalise_networks(ip_network(a) for a in addresses)
    assert got == expected
    for built, constructed in zip(got, expected):
        assert_indistinguishable(built, constructed)


# --------------------------------------------------------------------------------------------- tags

SUBNET = Subnet(id="subnet-1", vpc_id="vpc-1", cidr=ip_network("10.0.0.0/24"), tags={"Tier": "data"})
VPC = Vpc(id="vpc-1", cidrs=(ip_network("10.0.0.0/16"),), tags={"Env": "prod", "Tier": "any"})


def resolve(snapshot: Snapshot, **zones: list[dict]) -> dict[str, ResolvedZone]:
    policy = Policy.model_validate({
        "version": 1, "zones": {name: {"match": match, "allow_empty": True} for name, match in zones.items()},
        "assertions": [{"name": "a", "from": next(iter(zones)), "to": "internet", "expect": "no-access"}]})
    return resolve_zones(policy, snapshot, "zones.yaml")


def ids(zone: ResolvedZone) -> list[str]:
    return [m.endpoint_id for m in zone.members]


def test_owner_tags_win_and_the_owners_own_tags_still_count():
    snapshot = Snapshot(
        source=SourceInfo(kind="topology"), vpcs=(VPC,), subnets=(SUBNET,),
        endpoints=(
            # owner_tags repeat the instance's tags: nothing to merge.
            Endpoint(id="eni-same", kind="instance", owner_id="i-same", subnet_id="subnet-1", private_ips=("10.0.0.1",),
                     owner_tags={"Zone": "app"}, tags={"Zone": "eni", "Role": "web"}),
            # The instance has a tag owner_tags lack, and one they override.
            Endpoint(id="eni-more", kind="instance", owner_id="i-more", subnet_id="subnet-1", private_ips=("10.0.0.2",),
                     owner_tags={"Zone": "app"}),
            Endpoint(id="db-1@subnet-1", kind="rds", owner_id="db-1", subnet_id="subnet-1", address_unknown=True,
                     owner_tags={"Zone": "db"}),
            # No owner tags from the source: the DB instance's tags over the ENI's own.
            Endpoint(id="db-2@subnet-1", kind="rds", owner_id="db-2", subnet_id="subnet-1", address_unknown=True,
                     tags={"Zone": "eni", "Role": "replica"}),
        ),
        instances=(Instance(id="i-same", tags={"Zone": "app"}),
                   Instance(id="i-more", tags={"Zone": "old", "Team": "payments", "Tier": "web"})),
        rds_instances=(RdsInstance(id="db-1", tags={"Zone": "db", "Backup": "daily"}),
                       RdsInstance(id="db-2", tags={"Zone": "db"})),
    )
    zones = resolve(snapshot, app=[{"tags": {"Zone": "app"}}], old=[{"tags": {"Zone": "old"}}],
                    eni=[{"tags": {"Zone": "eni"}}], web=[{"tags": {"Role": "web", "Env": "prod"}}],
                    payments=[{"tags": {"Team": "payments"}}], data=[{"tags": {"Tier": "data"}}],
                    tier_web=[{"tags": {"Tier": "web"}}], backup=[{"tags": {"Backup": "daily", "Zone": "db"}}],
                    db=[{"tags": {"Zone": "db"}}], replica=[{"tags": {"Role": "replica"}}])
    assert ids(zones["app"]) == ["eni-more", "eni-same"]
    assert ids(zones["old"]) == ids(zones["eni"]) == []
    assert ids(zones["web"]) == ["eni-same"]  # the ENI's own tag, where no owner tag hides it; the VPC's
    assert ids(zones["payments"]) == ["eni-more"] == ids(zones["tier_web"])  # the instance's, over the subnet's
    assert ids(zones["data"]) == ["db-1@subnet-1", "db-2@subnet-1", "eni-same"]  # the subnet's, over the VPC's
    assert ids(zones["backup"]) == ["db-1@subnet-1"]
    assert ids(zones["db"]) == ["db-1@subnet-1", "db-2@subnet-1"] and ids(zones["replica"]) == ["db-2@subnet-1"]


# --------------------------------------------------------------------------------------------- whole members


def all_addresses(snapshot: Snapshot, endpoint: Endpoint) -> tuple:
    """Every address of the endpoint, the naive way (SPEC §3, §6.6)."""
    nets = [ip_network(a) for a in (*endpoint.private_ips, *endpoint.public_ips, *endpoint.ipv6_addresses)]
    subnet = next((s for s in snapshot.subnets if s.id == endpoint.subnet_id), None)
    if endpoint.address_unknown and subnet is not None:
        nets += [n for n in (subnet.cidr, subnet.ipv6_cidr) if n is not None]
    return normalise_networks(nets)


def assert_whole_members_have_all_their_addresses(snapshot: Snapshot, zones: dict[str, ResolvedZone]) -> int:
    endpoints = {e.id: e for e in snapshot.endpoints}
    named = 0
    for zone in zones.values():
        assert zone.whole_members <= set(zone.endpoint_ids)
        for member in zone.members:
            if member.endpoint_id in zone.whole_members:
                assert member.addresses == all_addresses(snapshot, endpoints[member.endpoint_id]), member
                named += 1
    return named


def test_synthetic_whole_members_have_all_their_addresses():
    snapshot, text = generate("S", seed=3)
    zones = resolve_zones(parse_policy_text(text, "synthetic.yaml"), snapshot, "synthetic.yaml")
    assert assert_whole_members_have_all_their_addresses(snapshot, zones) == \
        sum(len(z.members) for z in zones.values())  # endpoint selectors only: every member whole


def test_members_an_address_selector_picks_in_part_are_not_whole():
    snapshot = Snapshot(
        source=SourceInfo(kind="topology"), vpcs=(VPC,), subnets=(SUBNET,),
        endpoints=(Endpoint(id="eni-1", subnet_id="subnet-1", private_ips=("10.0.0.1",), public_ips=("54.0.0.1",),
                            tags={"Zone": "app"}),
                   Endpoint(id="eni-2", subnet_id="subnet-1", private_ips=("10.0.0.2",), tags={"Zone": "app"})))
    zones = resolve(snapshot, part=[{"cidr": "10.0.0.0/24"}], tagged_part=[{"tags": {"Zone": "app"}, "cidr": "10.0.0.0/8"}],
                    union=[{"cidr": "10.0.0.0/24"}, {"id": "eni-2"}], whole=[{"tags": {"Zone": "app"}}])
    assert zones["part"].whole_members == zones["tagged_part"].whole_members == frozenset()
    assert zones["union"].whole_members == {"eni-2"}
    assert zones["whole"].whole_members == {"eni-1", "eni-2"}
    assert assert_whole_members_have_all_their_addresses(snapshot, zones) == 3


def test_whole_members_are_no_part_of_a_zones_equality():
    snapshot = Snapshot(source=SourceInfo(kind="topology"), vpcs=(VPC,), subnets=(SUBNET,),
                        endpoints=(Endpoint(id="eni-1", subnet_id="subnet-1", private_ips=("10.0.0.1",)),))
    zone = resolve(snapshot, z=[{"subnet": "subnet-1"}])["z"]
    plain = ResolvedZone(name="z", builtin=None, members=zone.members)
    assert zone.whole_members == {"eni-1"} and zone == plain and hash(zone) == hash(plain)
    assert "whole_members" not in repr(zone)
