"""Indexed zone resolution gives exactly what a brute-force reading of SPEC §3 gives: every selector tried on
every endpoint, tags merged per endpoint, networks built with `ip_network` (the resolver as it was before it
was made fast).

The oracle below is deliberately naive and kept next to the tests only; `zonecheck.policy.zones` is the code
that ships.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topology.synthetic import generate
from zonecheck.model import Endpoint, Instance, RdsInstance, Snapshot, SourceInfo, Subnet, Vpc
from zonecheck.policy import (
    INFRASTRUCTURE_KINDS,
    Policy,
    ResolvedZone,
    Selector,
    ZoneMember,
    normalise_networks,
    parse_policy_text,
    resolve_zones,
)

Network = Union[IPv4Network, IPv6Network]

# --------------------------------------------------------------------------------------------- the oracle


def by_id(snapshot: Snapshot) -> tuple[dict, dict, dict, dict]:
    return ({s.id: s for s in snapshot.subnets}, {v.id: v for v in snapshot.vpcs},
            {r.id: r for r in snapshot.rds_instances}, {i.id: i for i in snapshot.instances})


class OracleFacts:
    """What the old resolver computed for every endpoint, the same way: dictionaries, `ip_network`, sorting."""

    def __init__(self, records: tuple[dict, dict, dict, dict], endpoint: Endpoint) -> None:
        subnets, vpcs, rds, instances = records
        subnet = subnets.get(endpoint.subnet_id)
        vpc = vpcs.get(subnet.vpc_id) if subnet is not None else None
        self.endpoint = endpoint
        self.vpc_id = subnet.vpc_id if subnet is not None else None
        self.ids = {endpoint.id}
        owner_tags: dict[str, str] = {}
        if endpoint.owner_id:
            self.ids.add(endpoint.owner_id)
            db = rds.get(endpoint.owner_id)
            if db is not None:
                owner_tags.update(db.tags)
                if db.identifier:
                    self.ids.add(db.identifier)
            instance = instances.get(endpoint.owner_id)
            if instance is not None:
                owner_tags.update(instance.tags)
        owner_tags.update(endpoint.owner_tags)
        # VPC < subnet < ENI < owning resource.
        self.tags: dict[str, str] = {}
        self.tags.update(vpc.tags if vpc is not None else {})
        self.tags.update(subnet.tags if subnet is not None else {})
        self.tags.update(endpoint.tags)
        self.tags.update(owner_tags)
        nets: list[Network] = [ip_network(ip) for ip in (*endpoint.private_ips, *endpoint.public_ips,
                                                           *endpoint.ipv6_addresses)]
        if endpoint.address_unknown and subnet is not None:
            nets += [net for net in (subnet.cidr, subnet.ipv6_cidr) if net is not None]
        self.addresses = normalise_networks(nets)


def oracle_parts(nets: tuple[Network, ...], within: Network) -> list[Network]:
    """The parts of nets inside `within`, by brute force on the two ends of each block."""
    out = []
    for net in nets:
        if net.version != within.version:
            continue
        if within.network_address <= net.network_address and net.broadcast_address <= within.broadcast_address:
            out.append(net)
        elif net.network_address <= within.network_address and within.broadcast_address <= net.broadcast_address:
            out.append(within)
    return out


def oracle_select(selector: Selector, facts: OracleFacts) -> Optional[list[Network]]:
    endpoint = facts.endpoint
    if endpoint.kind in INFRASTRUCTURE_KINDS and selector.id is None:
        return None
    if selector.id is not None and selector.id not in facts.ids:
        return None
    if selector.vpc is not None and facts.vpc_id != selector.vpc:
        return None
    if selector.subnet is not None and endpoint.subnet_id != selector.subnet:
        return None
    if selector.security_group is not None and selector.security_group not in endpoint.security_group_ids:
        return None
    if selector.tags and any(facts.tags.get(key) != value for key, value in selector.tags.items()):
        return None
    nets = list(facts.addresses)
    for within in (selector.cidr, None if selector.address is None else ip_network(selector.address)):
        if within is not None:
            nets = oracle_parts(normalise_networks(nets), within)
            if not nets:
                return None
    return nets


def oracle_resolve(policy: Policy, snapshot: Snapshot) -> dict[str, ResolvedZone]:
    """Like resolve_zones, but every zone is allowed to be empty: every selector on every endpoint."""
    records = by_id(snapshot)
    estate = [OracleFacts(records, endpoint) for endpoint in snapshot.endpoints]
    resolved = {}
    for name, zone in policy.zones.items():
        selected: dict[str, set[Network]] = {}
        for selector in zone.match:
            for facts in estate:
                nets = oracle_select(selector, facts)
                if nets is not None:
                    selected.setdefault(facts.endpoint.id, set()).update(nets)
        members = tuple(ZoneMember(endpoint_id, normalise_networks(nets))
                        for endpoint_id, nets in sorted(selected.items()))
        resolved[name] = ResolvedZone(name=name, builtin=None, members=members)
    for builtin in policy.used_builtins():
        resolved[builtin] = ResolvedZone(name=builtin, builtin=builtin, members=())  # type: ignore[arg-type]
    return resolved


def relaxed(policy: Policy) -> Policy:
    return policy.model_copy(update={"zones": {
        name: zone.model_copy(update={"allow_empty": True}) for name, zone in policy.zones.items()}})


def assert_same_resolution(policy: Policy, snapshot: Snapshot) -> None:
    expected = oracle_resolve(policy, snapshot)
    got = resolve_zones(relaxed(policy), snapshot, "zones.yaml")
    assert list(got) == list(expected)
    for name in expected:
        assert (got[name].name, got[name].builtin, got[name].members) == \
               (expected[name].name, expected[name].builtin, expected[name].members), name
        # Same network types and spelling too, not only equal values.
        assert [[(type(a), str(a)) for a in m.addresses] for m in got[name].members] == \
               [[(type(a), str(a)) for a in m.addresses] for m in expected[name].members]


# --------------------------------------------------------------------------------------------- the S estate


@pytest.fixture(scope="module")
def small():
    return generate("S", seed=0)


def test_synthetic_policy_resolves_as_the_oracle_says(small):
    snapshot, text = small
    policy = parse_policy_text(text, "synthetic.yaml")
    assert_same_resolution(policy, snapshot)
    assert sum(len(z.members) for z in resolve_zones(policy, snapshot, "synthetic.yaml").values()) > 500


def every_kind_of_selector(snapshot: Snapshot) -> dict[str, dict]:
    """Selectors of every kind, drawn from the estate (and a few that match nothing)."""
    unknown = next(e for e in snapshot.endpoints if e.address_unknown)
    subnet = next(s for s in snapshot.subnets if s.id == unknown.subnet_id)
    host = next(e for e in snapshot.endpoints if e.kind == "instance" and e.private_ips)
    public = next(e for e in snapshot.endpoints if e.public_ips)
    dual = next(e for e in snapshot.endpoints if e.ipv6_addresses)
    infra = next(e for e in snapshot.endpoints if e.kind in INFRASTRUCTURE_KINDS)
    db = next(d for d in snapshot.rds_instances if d.identifier)
    v6_subnet = next(s for s in snapshot.subnets if s.ipv6_cidr is not None)
    vpc = subnet.vpc_id
    group = host.security_group_ids[0]
    quarter = next(subnet.cidr.subnets(new_prefix=subnet.cidr.prefixlen + 2))
    return {
        "tag": {"tags": {"Zone": "app"}},
        "two-tags": {"tags": {"Zone": "app", "Environment": "prod"}},
        "vpc-tag": {"tags": {"Environment": "shared"}},
        "subnet-tag": {"tags": {"Tier": "public"}},
        "no-tag": {"tags": {"Zone": "nowhere"}},
        "vpc": {"vpc": vpc},
        "vpc-and-tag": {"vpc": vpc, "tags": {"Tier": "data"}},
        "subnet": {"subnet": subnet.id},
        "group": {"security_group": group},
        "group-elsewhere": {"security_group": group, "vpc": "vpc-nope"},
        "eni-id": {"id": host.id},
        "instance-id": {"id": host.owner_id},
        "db-id": {"id": unknown.owner_id},
        "db-identifier": {"id": db.identifier},
        "infrastructure-id": {"id": infra.id},
        "infrastructure-owner-and-cidr": {"id": infra.owner_id, "cidr": "0.0.0.0/0"},
        "private-space": {"cidr": "10.0.0.0/8"},
        "all-v4": {"cidr": "0.0.0.0/0"},
        "all-v6": {"cidr": "::/0"},
        "subnet-cidr": {"cidr": str(subnet.cidr)},
        "subnet-quarter": {"cidr": str(quarter)},
        "v6-subnet-cidr": {"cidr": str(v6_subnet.ipv6_cidr)},
        "host-address": {"address": str(host.private_ips[0])},
        "public-address": {"address": str(public.public_ips[0])},
        "v6-address": {"address": str(dual.ipv6_addresses[0])},
        "address-in-unknown-subnet": {"address": str(subnet.cidr.network_address + 7)},
        "cidr-and-address": {"cidr": str(subnet.cidr), "address": str(subnet.cidr.network_address + 9)},
        "vpc-and-cidr": {"vpc": vpc, "cidr": "10.0.0.0/10"},
        "tag-and-cidr": {"tags": {"Zone": "app"}, "cidr": "10.64.0.0/10"},
        "outside": {"cidr": "192.168.0.0/16"},
    }


def test_every_kind_of_selector_on_the_synthetic_estate_resolves_as_the_oracle_says(small):
    snapshot, _ = small
    selectors = every_kind_of_selector(snapshot)
    zones = {name: {"match": [selector]} for name, selector in selectors.items()}
    # Several entries in one zone: the union, with endpoints picked by more than one entry.
    zones["union"] = {"match": [selectors[name] for name in
                                ("tag", "private-space", "public-address", "db-identifier", "all-v6")]}
    zones["overlapping"] = {"match": [selectors[name] for name in
                                      ("subnet-cidr", "subnet", "cidr-and-address", "subnet-quarter")]}
    policy = Policy.model_validate({"version": 1, "zones": zones, "assertions": [
        {"name": "a", "from": "union", "to": "internet", "expect": "no-access"},
        {"name": "b", "from": "on-premises", "to": "union", "expect": "no-access"}]})
    assert_same_resolution(policy, snapshot)
    resolved = resolve_zones(relaxed(policy), snapshot, "zones.yaml")
    assert all(resolved[name].members for name in selectors if name not in ("no-tag", "group-elsewhere", "outside"))


# --------------------------------------------------------------------------------------------- small estates

KEYS = ["Zone", "Env"]
VALUES = ["a", "b"]
tag_maps = st.one_of(  # often empty, so that each layer of the precedence gets to decide a key
    st.just({}), st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), min_size=1, max_size=2))
V4 = ["10.0.0.1", "10.0.0.200", "10.0.1.5", "10.0.1.6", "10.9.0.1"]
PUBLIC = ["54.0.0.1", "3.3.3.3"]
V6 = ["2600::1", "2600:0:0:1::5", "2600::ffff"]
SUBNET_CIDRS = [None, "10.0.0.0/24", "10.0.1.0/24", "10.0.0.0/25"]
SUBNET_V6 = [None, "2600::/64", "2600:0:0:1::/64"]
OWNERS = [None, "i-1", "i-2", "db-1", "db-2", "nat-1"]
KINDS = ["network-interface", "instance", "rds", "nat-gateway", "transit-gateway-attachment", "lambda"]
GROUPS = ["sg-1", "sg-2", "sg-3"]


@st.composite
def estates(draw) -> Snapshot:
    vpcs = tuple(Vpc(id=f"vpc-{n}", cidrs=(ip_network("10.0.0.0/16"),), tags=draw(tag_maps))
                 for n in range(draw(st.integers(0, 2))))
    subnets = tuple(
        Subnet(id=f"subnet-{n}", vpc_id=draw(st.sampled_from(["vpc-0", "vpc-1", "vpc-gone"])),
               cidr=draw(st.sampled_from(SUBNET_CIDRS)), ipv6_cidr=draw(st.sampled_from(SUBNET_V6)),
               tags=draw(tag_maps))
        for n in range(draw(st.integers(0, 3))))
    subnet_ids = [s.id for s in subnets] + ["subnet-gone"]
    endpoints = []
    for n in range(draw(st.integers(1, 6))):
        owner = draw(st.sampled_from(OWNERS))
        endpoints.append(Endpoint(
            id=draw(st.sampled_from([f"eni-{n}", f"{owner}@x{n}"])) if owner else f"eni-{n}",
            kind=draw(st.sampled_from(KINDS)), owner_id=owner, subnet_id=draw(st.sampled_from(subnet_ids)),
            security_group_ids=tuple(draw(st.lists(st.sampled_from(GROUPS), max_size=2))),
            private_ips=tuple(draw(st.lists(st.sampled_from(V4), max_size=3))),
            public_ips=tuple(draw(st.lists(st.sampled_from(PUBLIC), max_size=1))),
            ipv6_addresses=tuple(draw(st.lists(st.sampled_from(V6), max_size=2))),
            address_unknown=draw(st.booleans()), tags=draw(tag_maps), owner_tags=draw(tag_maps)))
    instances = tuple(Instance(id=i, tags=draw(tag_maps)) for i in ["i-1", "i-2"] if draw(st.booleans()))
    rds = tuple(RdsInstance(id=d, identifier=draw(st.sampled_from([None, "orders", "eni-0"])), tags=draw(tag_maps))
                for d in ["db-1", "db-2"] if draw(st.booleans()))
    return Snapshot(source=SourceInfo(kind="topology"), vpcs=vpcs, subnets=subnets, endpoints=tuple(endpoints),
                    instances=instances, rds_instances=rds)


selectors = st.fixed_dictionaries({}, optional={
    "tags": st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), min_size=1, max_size=2),
    "vpc": st.sampled_from(["vpc-0", "vpc-1", "vpc-gone"]),
    "subnet": st.sampled_from(["subnet-0", "subnet-1", "subnet-gone"]),
    "security_group": st.sampled_from(GROUPS),
    "id": st.sampled_from(["eni-0", "eni-1", "i-1", "db-1", "orders", "nat-1", "db-1@x0"]),
    "cidr": st.sampled_from(["10.0.0.0/24", "10.0.0.0/30", "10.0.0.128/25", "10.0.0.0/8", "0.0.0.0/0",
                             "54.0.0.0/8", "2600::/64", "2600::/16", "::/0", "10.0.1.6/32"]),
    "address": st.sampled_from(V4 + PUBLIC + V6 + ["10.0.0.77", "2600::77"]),
}).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates(), st.lists(st.lists(selectors, min_size=1, max_size=3), min_size=1, max_size=3))
def test_small_estates_resolve_as_the_oracle_says(snapshot, zones):
    policy = Policy.model_validate({
        "version": 1,
        "zones": {f"z{n}": {"match": match} for n, match in enumerate(zones)},
        "assertions": [{"name": "a", "from": "z0", "to": "internet", "expect": "no-access"}],
    })
    assert_same_resolution(policy, snapshot)
