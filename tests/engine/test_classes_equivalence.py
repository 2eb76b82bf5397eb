"""Endpoint classes come out exactly as the straightforward grouping makes them: the same classes, in the same
order, with the same keys, members and address sets, however the zone selected its members (an endpoint
selector: all of a member's addresses; `cidr` or `address`: a part of them) and however often the classes of
a zone are asked for.

`reference_endpoint_classes` is `endpoint_classes` as it was before it was made fast (per member: its
selected networks intersected with its own addresses), kept next to the tests only.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_network

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topology.builder import EstateBuilder
from topology.synthetic import generate
from zonecheck.engine import addresses as addr
from zonecheck.engine.classes import EndpointClass, endpoint_classes
from zonecheck.engine.estate import Estate
from zonecheck.engine.intervals import IntervalSet
from zonecheck.model import Endpoint, Instance, Snapshot, SourceInfo, Subnet, Vpc
from zonecheck.policy import Policy, ResolvedZone, parse_policy_text, resolve_zones

# --------------------------------------------------------------------------------------------- the reference


def reference_endpoint_classes(estate: Estate, zone: ResolvedZone, *, as_source: bool) -> list[EndpointClass]:
    grouped: dict[tuple, dict[str, object]] = {}
    for member in zone.members:
        endpoint = estate.endpoints.get(member.endpoint_id)
        if endpoint is None or endpoint.id in estate.inactive:
            continue
        vpc_id = estate.vpc_of_subnet(endpoint.subnet_id) or "?"
        selected = addr.of_networks(member.addresses)
        own_private = estate.private_addresses(endpoint)
        own_public = estate.public_addresses(endpoint)
        if as_source:
            private = selected & own_private
            if not private and selected & own_public:
                private = own_private & addr.V4_ALL
            public = own_public
            public_unknown = endpoint.public_address_unknown
        else:
            private = selected & own_private
            public = selected & own_public
            public_unknown = endpoint.public_address_unknown and bool(selected & own_private & addr.V4_ALL)
        if not private and not public and not public_unknown:
            continue
        key = (endpoint.subnet_id, tuple(sorted(endpoint.security_group_ids)), bool(public), public_unknown,
               endpoint.kind, endpoint.address_unknown)
        slot = grouped.setdefault(key, {"ids": [], "private": [], "public": [], "vpc": vpc_id})
        slot["ids"].append(endpoint.id)  # type: ignore[union-attr]
        slot["private"].extend(private.spans)  # type: ignore[union-attr]
        slot["public"].extend(public.spans)  # type: ignore[union-attr]
    classes = []
    for (subnet_id, groups, _, public_unknown, _kind, unknown), slot in sorted(grouped.items(), key=lambda kv: str(kv[0])):
        ids = tuple(sorted(slot["ids"]))  # type: ignore[arg-type]
        subnet = estate.subnets.get(subnet_id)
        hint = f"{subnet.cidr} (address unknown)" if unknown and subnet is not None and subnet.cidr else None
        classes.append(EndpointClass(
            key=f"{subnet_id}|{','.join(groups)}|{ids[0]}", subnet_id=subnet_id, vpc_id=str(slot["vpc"]),
            group_ids=groups, endpoint_ids=ids, private=IntervalSet(slot["private"]),  # type: ignore[arg-type]
            public=IntervalSet(slot["public"]), public_unknown=public_unknown, address_hint=hint,  # type: ignore[arg-type]
        ))
    return classes


def assert_same_classes(snapshot: Snapshot, zones: dict[str, ResolvedZone]) -> int:
    """Every zone in both directions, on one estate (as the engine asks: caches shared) and on a fresh one for
    the reference. Returns how many classes were compared."""
    estate, fresh = Estate(snapshot), Estate(snapshot)
    compared = 0
    for name, zone in zones.items():
        if zone.builtin:
            continue
        for as_source in (True, False):
            got = endpoint_classes(estate, zone, as_source=as_source)
            expected = reference_endpoint_classes(fresh, zone, as_source=as_source)
            assert [c.key for c in got] == [c.key for c in expected], (name, as_source)
            assert got == expected, (name, as_source)
            compared += len(got)
    return compared


def resolved(snapshot: Snapshot, zones: dict[str, list[dict]]) -> dict[str, ResolvedZone]:
    first = next(iter(zones))
    policy = Policy.model_validate({
        "version": 1, "zones": {name: {"match": match, "allow_empty": True} for name, match in zones.items()},
        "assertions": [{"name": "a", "from": first, "to": "internet", "expect": "no-access"}]})
    return resolve_zones(policy, snapshot, "zones.yaml")


# --------------------------------------------------------------------------------------------- the S estate


@pytest.fixture(scope="module")
def synthetic():
    snapshot, policy_text = generate("S", seed=3)
    return snapshot, parse_policy_text(policy_text, "synthetic.yaml")


def test_synthetic_policy_classes_are_the_reference_classes(synthetic):
    snapshot, policy = synthetic
    zones = resolve_zones(policy, snapshot, "synthetic.yaml")
    assert assert_same_classes(snapshot, zones) > 100


def test_synthetic_address_selectors_classes_are_the_reference_classes(synthetic):
    snapshot, _ = synthetic
    unknown = next(e for e in snapshot.endpoints if e.address_unknown)
    subnet = next(s for s in snapshot.subnets if s.id == unknown.subnet_id)
    public = next(e for e in snapshot.endpoints if e.public_ips)
    dual = next(e for e in snapshot.endpoints if e.ipv6_addresses)
    quarter = next(subnet.cidr.subnets(new_prefix=subnet.cidr.prefixlen + 2))
    zones = resolved(snapshot, {
        "private-space": [{"cidr": "10.0.0.0/8"}],
        "all-v6": [{"cidr": "::/0"}],
        "unknown-subnet": [{"cidr": str(subnet.cidr)}],
        "unknown-quarter": [{"cidr": str(quarter)}],
        "public-address": [{"address": str(public.public_ips[0])}],
        "v6-address": [{"address": str(dual.ipv6_addresses[0])}],
        "address-in-unknown-subnet": [{"address": str(subnet.cidr.network_address + 7)}],
        "tag-and-cidr": [{"tags": {"Zone": "app"}, "cidr": "10.64.0.0/10"}],
        # An endpoint picked whole by one entry and in part by another; endpoints picked in part twice.
        "union": [{"tags": {"Zone": "app"}}, {"cidr": "10.0.0.0/8"}, {"address": str(public.public_ips[0])},
                  {"cidr": "::/0"}],
        "overlapping": [{"cidr": str(subnet.cidr)}, {"subnet": subnet.id}, {"cidr": str(quarter)}],
    })
    assert assert_same_classes(snapshot, zones) > 50


# --------------------------------------------------------------------------------------------- by hand


def _mixed_estate() -> Snapshot:
    """Unknown addresses, public addresses (known and not, with and without private ones), IPv6, stopped
    instances and detached interfaces, a subnet whose every address another interface holds."""
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16", ipv6="2600:1f18::/56", tags={"Env": "prod"})
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24", ipv6="2600:1f18:0:1::/64")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    b.subnet("subnet-full", "vpc-1", "10.0.3.0/30")
    b.security_group("sg-web", "vpc-1")
    b.security_group("sg-db", "vpc-1")
    b.instance("i-web-1", "subnet-a", "10.0.1.10", groups=["sg-web"], public_ip="54.0.0.10",
               ipv6=["2600:1f18:0:1::10"], tags={"Zone": "web"})
    b.instance("i-web-2", "subnet-a", "10.0.1.11", groups=["sg-web"], tags={"Zone": "web"})
    b.instance("i-web-3", "subnet-a", "10.0.1.12", groups=["sg-web", "sg-db"], ipv6=["2600:1f18:0:1::12"],
               tags={"Zone": "web"})
    b.instance("i-stopped", "subnet-a", "10.0.1.13", groups=["sg-web"], tags={"Zone": "web"}, state="stopped")
    b.rds("db-orders", ["subnet-b", "subnet-a"], groups=["sg-db"], tags={"Zone": "db"})
    b.rds("db-public", ["subnet-b"], groups=["sg-db"], publicly_accessible=True, tags={"Zone": "db"})
    b.rds("db-known", ["subnet-b"], groups=["sg-db"], private_ip="10.0.2.50", public_ip="3.3.3.3", tags={"Zone": "db"})
    for n in range(4):  # every address of subnet-full is another interface's
        b.instance(f"i-full-{n}", "subnet-full", f"10.0.3.{n}", groups=["sg-db"], tags={"Zone": "full"})
    b.rds("db-crowded", ["subnet-full"], groups=["sg-db"], publicly_accessible=True, tags={"Zone": "full"})
    # A public address of unknown value on an interface without an IPv4 address.
    b.endpoint(Endpoint(id="eni-v6only", kind="network-interface", subnet_id="subnet-a", security_group_ids=("sg-web",),
                        ipv6_addresses=(IPv6Address("2600:1f18:0:1::99"),), public_address_unknown=True,
                        tags={"Zone": "web"}))
    # Public addresses only (no private one), one of them with a public address of unknown value as well.
    b.endpoint(Endpoint(id="eni-public-only", subnet_id="subnet-b", public_ips=(IPv4Address("54.0.0.99"),),
                        tags={"Zone": "web"}))
    b.endpoint(Endpoint(id="eni-public-and-unknown", subnet_id="subnet-b", public_ips=(IPv4Address("54.0.0.98"),),
                        public_address_unknown=True, tags={"Zone": "web"}))
    b.endpoint(Endpoint(id="eni-detached", subnet_id="subnet-a", private_ips=(IPv4Address("10.0.1.77"),),
                        state="available", tags={"Zone": "web"}))
    b.endpoint(Endpoint(id="eni-lost", subnet_id="subnet-gone", private_ips=(IPv4Address("10.0.9.9"),),
                        tags={"Zone": "web"}))
    return b.build()


MIXED_ZONES = {
    "web": [{"tags": {"Zone": "web"}}],
    "db": [{"tags": {"Zone": "db"}}],
    "full": [{"tags": {"Zone": "full"}}],
    "everything": [{"vpc": "vpc-1"}],
    "web-v6": [{"tags": {"Zone": "web"}, "cidr": "::/0"}],
    "web-v4": [{"tags": {"Zone": "web"}, "cidr": "10.0.0.0/8"}],
    "public-only": [{"address": "54.0.0.10"}, {"address": "3.3.3.3"}, {"cidr": "54.0.0.96/30"}],
    "one-db-address": [{"address": "10.0.2.77"}],
    "db-half": [{"tags": {"Zone": "db"}, "cidr": "10.0.2.0/25"}],
    "whole-and-part": [{"tags": {"Zone": "web"}}, {"cidr": "10.0.1.0/28"}, {"address": "54.0.0.10"}],
    "full-subnet": [{"cidr": "10.0.3.0/30"}],
    "unknown-address": [{"subnet": "subnet-gone"}, {"id": "eni-lost"}],
}


def test_hand_built_estate_classes_are_the_reference_classes():
    snapshot = _mixed_estate()
    zones = resolved(snapshot, MIXED_ZONES)
    assert zones["whole-and-part"].whole_members and zones["web-v6"].members and not zones["web-v6"].whole_members
    assert assert_same_classes(snapshot, zones) > 20


def test_a_zone_built_without_whole_members_gets_the_same_classes():
    """`whole_members` only says which members may skip the intersection: a zone without it (built by hand, or
    by other code) is classified the long way, to the same classes."""
    snapshot = _mixed_estate()
    zones = resolved(snapshot, MIXED_ZONES)
    estate = Estate(snapshot)
    for name, zone in zones.items():
        plain = ResolvedZone(name=zone.name, builtin=zone.builtin, members=zone.members, address_space=zone.address_space)
        assert plain == zone and not plain.whole_members
        for as_source in (True, False):
            assert endpoint_classes(estate, plain, as_source=as_source) == \
                endpoint_classes(Estate(snapshot), zone, as_source=as_source), (name, as_source)


def test_classes_asked_again_or_for_a_zone_resolved_again_are_the_same():
    snapshot = _mixed_estate()
    estate = Estate(snapshot)
    first = resolved(snapshot, MIXED_ZONES)
    before = {(name, s): endpoint_classes(estate, z, as_source=s) for name, z in first.items() for s in (True, False)}
    again = resolved(snapshot, MIXED_ZONES)
    # A zone of the same name selecting something else (another policy on the same estate).
    other = resolved(snapshot, {"web": [{"tags": {"Zone": "db"}}]})["web"]
    assert endpoint_classes(estate, other, as_source=True) == \
        reference_endpoint_classes(Estate(snapshot), other, as_source=True)
    for (name, as_source), classes in before.items():
        assert endpoint_classes(estate, again[name], as_source=as_source) == classes
        assert endpoint_classes(estate, first[name], as_source=as_source) == classes


def test_one_interface_stands_for_its_class_with_its_own_addresses():
    snapshot = _mixed_estate()
    zones = resolved(snapshot, MIXED_ZONES)
    classes = endpoint_classes(Estate(snapshot), zones["db"], as_source=False)
    known = next(c for c in classes if c.endpoint_ids == ("db-known@subnet-b",))
    assert (known.private, known.public) == (addr.of_addresses([IPv4Address("10.0.2.50")]),
                                            addr.of_addresses([IPv4Address("3.3.3.3")]))
    orders = next(c for c in classes if c.endpoint_ids == ("db-orders@subnet-b",))
    # Its subnet, minus what other interfaces hold there.
    assert orders.private == addr.of_networks([ip_network("10.0.2.0/24")]) - addr.of_addresses([IPv4Address("10.0.2.50")])
    assert orders.address_hint == "10.0.2.0/24 (address unknown)"


# --------------------------------------------------------------------------------------------- small estates

V4 = ["10.0.0.1", "10.0.0.2", "10.0.0.200", "10.0.1.5"]
PUBLIC = ["54.0.0.1", "54.0.0.2"]
V6 = ["2600::1", "2600::2", "2600:0:0:1::5"]
GROUPS = ["sg-1", "sg-2"]
CIDRS = ["10.0.0.0/24", "10.0.0.0/31", "10.0.0.128/25", "0.0.0.0/0", "54.0.0.0/8", "2600::/64", "::/0", "10.0.1.5/32"]


@st.composite
def estates(draw) -> Snapshot:
    subnets = (Subnet(id="subnet-0", vpc_id="vpc-0", cidr=ip_network(draw(st.sampled_from(["10.0.0.0/24", "10.0.0.0/30"]))),
                      ipv6_cidr=draw(st.sampled_from([None, ip_network("2600::/64")]))),
               Subnet(id="subnet-1", vpc_id="vpc-0", cidr=ip_network("10.0.1.0/24")))
    endpoints = []
    for n in range(draw(st.integers(1, 7))):
        unknown = draw(st.booleans())
        endpoints.append(Endpoint(
            id=f"eni-{n}", kind=draw(st.sampled_from(["instance", "rds", "lambda"])),
            owner_id=draw(st.sampled_from([None, "i-1", "i-2"])),
            subnet_id=draw(st.sampled_from(["subnet-0", "subnet-0", "subnet-1", "subnet-gone"])),
            security_group_ids=tuple(draw(st.lists(st.sampled_from(GROUPS), max_size=2))),
            private_ips=() if unknown else tuple(draw(st.lists(st.sampled_from(V4), max_size=2, unique=True))),
            public_ips=tuple(draw(st.lists(st.sampled_from(PUBLIC), max_size=1))),
            ipv6_addresses=() if unknown else tuple(draw(st.lists(st.sampled_from(V6), max_size=2, unique=True))),
            address_unknown=unknown, public_address_unknown=draw(st.booleans()),
            state=draw(st.sampled_from(["in-use", "in-use", "available"])),
            tags={"Zone": draw(st.sampled_from(["a", "b"]))}))
    instances = tuple(Instance(id=i, state=draw(st.sampled_from(["running", "stopped"]))) for i in ("i-1", "i-2"))
    return Snapshot(source=SourceInfo(kind="topology"),
                    vpcs=(Vpc(id="vpc-0", cidrs=(ip_network("10.0.0.0/16"),)),), subnets=subnets,
                    endpoints=tuple(endpoints), instances=instances)


selectors = st.fixed_dictionaries({}, optional={
    "tags": st.just({"Zone": "a"}),
    "subnet": st.sampled_from(["subnet-0", "subnet-gone"]),
    "security_group": st.sampled_from(GROUPS),
    "cidr": st.sampled_from(CIDRS),
    "address": st.sampled_from(V4 + PUBLIC + V6 + ["10.0.0.77"]),
}).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates(), st.lists(st.lists(selectors, min_size=1, max_size=3), min_size=1, max_size=3))
def test_small_estates_classes_are_the_reference_classes(snapshot, matches):
    zones = resolved(snapshot, {f"z{n}": match for n, match in enumerate(matches)})
    assert_same_classes(snapshot, zones)
