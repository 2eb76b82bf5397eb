"""Zone resolution: which endpoints, and which of their addresses, each zone of a policy selects (SPEC §3).

Endpoint selectors (`tags`, `vpc`, `subnet`, `security_group`, `id`) select an endpoint with every address it
has: private and public IPv4 and IPv6. Address selectors (`cidr`, `address`) select only the endpoint
addresses inside that network. Keys in one `match` entry must all hold; an endpoint matched by several entries
gets the union of what they select.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Iterable, Literal, Optional, Union

from zonecheck.model import Endpoint, Snapshot
from zonecheck.policy.loader import PolicyError
from zonecheck.policy.schema import Policy, Selector

Network = Union[IPv4Network, IPv6Network]

INFRASTRUCTURE_KINDS = frozenset({"nat-gateway", "transit-gateway-attachment"})
"""Endpoint kinds that carry traffic for others: a zone includes them only through an `id` selector."""


@dataclass(frozen=True)
class ZoneMember:
    endpoint_id: str
    addresses: tuple[Network, ...]
    """The addresses of the endpoint this zone selects: /32 and /128 for known addresses, the subnet CIDR for
    an endpoint whose address is unknown (or the part of it an address selector names). Sorted (IPv4 first),
    without duplicates or networks contained in another one. Empty when an endpoint selector matched an
    endpoint none of whose addresses the source knows."""


@dataclass(frozen=True)
class ResolvedZone:
    name: str
    builtin: Optional[Literal["internet", "on-premises"]]
    members: tuple[ZoneMember, ...]
    """Sorted by endpoint id; empty for built-in zones (the engine defines their address space)."""

    @property
    def endpoint_ids(self) -> tuple[str, ...]:
        return tuple(m.endpoint_id for m in self.members)

    def member(self, endpoint_id: str) -> Optional[ZoneMember]:
        for member in self.members:
            if member.endpoint_id == endpoint_id:
                return member
        return None


# --------------------------------------------------------------------------------------------- addresses


def _sort_key(net: Network) -> tuple[int, int, int]:
    return (net.version, int(net.network_address), net.prefixlen)


def normalise_networks(nets: Iterable[Network]) -> tuple[Network, ...]:
    """Sorted, deduplicated, and without networks contained in another one (never merged into supernets)."""
    out: list[Network] = []
    for net in sorted(set(nets), key=_sort_key):
        if out and out[-1].version == net.version and net.subnet_of(out[-1]):  # type: ignore[arg-type]
            continue
        out.append(net)
    return tuple(out)


def _intersect(nets: tuple[Network, ...], within: Network) -> tuple[Network, ...]:
    """The parts of `nets` inside `within`. Two CIDR blocks are nested or disjoint, so each part is one of them."""
    out = []
    for net in nets:
        if net.version != within.version:
            continue
        if net.subnet_of(within):  # type: ignore[arg-type]
            out.append(net)
        elif within.subnet_of(net):  # type: ignore[arg-type]
            out.append(within)
    return normalise_networks(out)


# --------------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class _Facts:
    """What selectors look at, computed once per endpoint."""

    endpoint: Endpoint
    vpc_id: Optional[str]
    ids: frozenset[str]
    tags: dict[str, str]
    addresses: tuple[Network, ...]

    @property
    def infrastructure(self) -> bool:
        return self.endpoint.kind in INFRASTRUCTURE_KINDS


class _Estate:
    def __init__(self, snapshot: Snapshot) -> None:
        self.vpcs = {v.id: v for v in snapshot.vpcs}
        self.subnets = {s.id: s for s in snapshot.subnets}
        self.rds = {r.id: r for r in snapshot.rds_instances}
        self.instances = {i.id: i for i in snapshot.instances}
        self.facts = [self._facts(e) for e in snapshot.endpoints]
        self.by_id: dict[str, list[_Facts]] = defaultdict(list)
        self.by_subnet: dict[str, list[_Facts]] = defaultdict(list)
        self.by_vpc: dict[str, list[_Facts]] = defaultdict(list)
        self.by_group: dict[str, list[_Facts]] = defaultdict(list)
        for facts in self.facts:
            for ident in facts.ids:
                self.by_id[ident].append(facts)
            self.by_subnet[facts.endpoint.subnet_id].append(facts)
            if facts.vpc_id is not None:
                self.by_vpc[facts.vpc_id].append(facts)
            for group in set(facts.endpoint.security_group_ids):
                self.by_group[group].append(facts)

    def _facts(self, endpoint: Endpoint) -> _Facts:
        subnet = self.subnets.get(endpoint.subnet_id)
        vpc = self.vpcs.get(subnet.vpc_id) if subnet is not None else None

        ids = {endpoint.id}
        owner_tags: dict[str, str] = {}
        if endpoint.owner_id:
            ids.add(endpoint.owner_id)
            rds = self.rds.get(endpoint.owner_id)
            if rds is not None:
                owner_tags.update(rds.tags)
                if rds.identifier:
                    ids.add(rds.identifier)
            instance = self.instances.get(endpoint.owner_id)
            if instance is not None:
                owner_tags.update(instance.tags)
        owner_tags.update(endpoint.owner_tags)

        # Precedence: VPC < subnet < ENI < owning resource — the more specific resource wins a key.
        tags: dict[str, str] = {}
        tags.update(vpc.tags if vpc is not None else {})
        tags.update(subnet.tags if subnet is not None else {})
        tags.update(endpoint.tags)
        tags.update(owner_tags)

        nets: list[Network] = [ip_network(ip) for ip in endpoint.private_ips]
        if endpoint.address_unknown and subnet is not None:
            # Any address of its subnet (SPEC §6.6). A public address whose value is unknown
            # (`public_address_unknown`) is not invented here: the engine handles it.
            if subnet.cidr is not None:
                nets.append(subnet.cidr)
            if subnet.ipv6_cidr is not None:
                nets.append(subnet.ipv6_cidr)
        nets += [ip_network(ip) for ip in endpoint.public_ips]
        nets += [ip_network(ip) for ip in endpoint.ipv6_addresses]
        return _Facts(
            endpoint=endpoint,
            vpc_id=subnet.vpc_id if subnet is not None else None,
            ids=frozenset(ids),
            tags=tags,
            addresses=normalise_networks(nets),
        )

    def candidates(self, selector: Selector) -> list[_Facts]:
        """A superset of the endpoints the selector can match, from the narrowest index available."""
        if selector.id is not None:
            return self.by_id.get(selector.id, [])
        if selector.subnet is not None:
            return self.by_subnet.get(selector.subnet, [])
        if selector.security_group is not None:
            return self.by_group.get(selector.security_group, [])
        if selector.vpc is not None:
            return self.by_vpc.get(selector.vpc, [])
        return self.facts


def selected_addresses(selector: Selector, facts: _Facts) -> Optional[tuple[Network, ...]]:
    """The addresses of the endpoint this selector selects, or None when it does not select the endpoint."""
    endpoint = facts.endpoint
    if facts.infrastructure and selector.id is None:
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
    nets = facts.addresses
    if selector.cidr is not None:
        nets = _intersect(nets, selector.cidr)
    if selector.address is not None:
        nets = _intersect(nets, ip_network(selector.address))
    if (selector.cidr is not None or selector.address is not None) and not nets:
        return None
    return nets


# --------------------------------------------------------------------------------------------- resolution


def resolve_zones(policy: Policy, snapshot: Snapshot, origin: str) -> dict[str, ResolvedZone]:
    """Every zone of the policy (in policy order), then the built-in zones the assertions use.

    Raises PolicyError when a zone without `allow_empty: true` matches nothing.
    """
    estate = _Estate(snapshot)
    resolved: dict[str, ResolvedZone] = {}
    for name, zone in policy.zones.items():
        selected: dict[str, set[Network]] = {}
        for selector in zone.match:
            for facts in estate.candidates(selector):
                nets = selected_addresses(selector, facts)
                if nets is not None:
                    selected.setdefault(facts.endpoint.id, set()).update(nets)
        if not selected and not zone.allow_empty:
            raise PolicyError(
                f"{origin}: zone '{name}' matches nothing in the estate (set allow_empty: true if that is intended)"
            )
        members = tuple(
            ZoneMember(endpoint_id=endpoint_id, addresses=normalise_networks(nets))
            for endpoint_id, nets in sorted(selected.items())
        )
        resolved[name] = ResolvedZone(name=name, builtin=None, members=members)
    for builtin in policy.used_builtins():
        resolved[builtin] = ResolvedZone(name=builtin, builtin=builtin, members=())  # type: ignore[arg-type]
    return resolved
