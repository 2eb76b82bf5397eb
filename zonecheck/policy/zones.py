"""Zone resolution: which endpoints, and which of their addresses, each zone of a policy selects (SPEC §3).

Endpoint selectors (`tags`, `vpc`, `subnet`, `security_group`, `id`) select an endpoint with every address it
has: private and public IPv4 and IPv6. Address selectors (`cidr`, `address`) select only the endpoint
addresses inside that network. Keys in one `match` entry must all hold; an endpoint matched by several entries
gets the union of what they select.

Resolution is near-linear in the size of the estate: each endpoint's facts are computed once (with the index of
every tag key the policy names, in the same pass), a selector starts from the shortest list an index has for
one of its keys (an id, a subnet, a security group, a VPC, one `Key: value` tag, or the addresses inside a
network), and an endpoint's networks are built the first time a selector looks at them. A resolved zone also
says which members it selected with all their addresses (`whole_members`), so that the engine need not
intersect those with the interfaces' own.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from itertools import chain
from operator import itemgetter
from types import MappingProxyType
from typing import Iterable, Iterator, Literal, Mapping, Optional, Sequence, Union

from zonecheck.model import Endpoint, RdsInstance, Snapshot, Subnet
from zonecheck.policy.loader import PolicyError
from zonecheck.policy.schema import Policy, Selector
from zonecheck.runtime import cyclic_gc_paused

Network = Union[IPv4Network, IPv6Network]
Address = Union[IPv4Address, IPv6Address]

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
    address_space: tuple[Network, ...] = ()
    """The networks its address-only entries (`cidr`, `address` without an endpoint key) name, whether or not
    the source describes an interface there: the engine asks whether packets may head there through parts
    of the network the source does not describe (a peer VPC of an account not collected)."""
    whole_members: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The members whose `addresses` are all the addresses of the endpoint (an entry without `cidr` or `address`
    selected it), as resolution found them in the snapshot: the engine then takes the interface's own
    addresses as they are instead of intersecting them with these. Leaving a member out is always correct,
    only slower; not part of equality, as it says how `members` were found, not what they are."""

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


def _ipv4_host(address: Address) -> Network:
    return IPv4Network(int(address))


def _ipv6_host(address: Address) -> Network:
    return IPv6Network(int(address))


def _host_network(address: Address) -> Network:
    """`ip_network(address)`, built from the address's integer: ipaddress would print and re-parse it."""
    return _ipv4_host(address) if address.version == 4 else _ipv6_host(address)


def _host_networks(addresses: Sequence[Address]) -> tuple[Network, ...]:
    """The /32 and /128 networks of the addresses, as `normalise_networks` gives them (distinct hosts never nest)."""
    if len(addresses) == 1:
        return (_host_network(addresses[0]),)
    distinct = {(a.version, int(a)): a for a in addresses}
    return tuple(_host_network(distinct[key]) for key in sorted(distinct))


def _endpoint_networks(endpoint: Endpoint, subnet: Optional[Subnet]) -> tuple[Network, ...]:
    """Every address of the endpoint, normalised."""
    private, ipv6 = endpoint.private_ips, endpoint.ipv6_addresses
    if len(private) == 1 and len(ipv6) <= 1 and not endpoint.public_ips and not endpoint.address_unknown:
        # Most interfaces: one private IPv4 address, perhaps one IPv6 address (the model types the fields:
        # already in `normalise_networks` order).
        host = _ipv4_host(private[0])
        return (host, _ipv6_host(ipv6[0])) if ipv6 else (host,)
    hosts = _host_networks((*private, *endpoint.public_ips, *ipv6))
    if not endpoint.address_unknown or subnet is None:
        return hosts
    # Any address of its subnet (SPEC §6.6). A public address whose value is unknown
    # (`public_address_unknown`) is not invented here: the engine handles it.
    cidrs = [net for net in (subnet.cidr, subnet.ipv6_cidr) if net is not None]
    return normalise_networks([*hosts, *cidrs]) if cidrs else hosts


_V6_OFFSET = 1 << 32
"""IPv4 and IPv6 on one integer line, as in `zonecheck.engine.addresses`: IPv6 address `b` is `2**32 + b`."""


def _span(net: Network) -> tuple[int, int]:
    base = _V6_OFFSET if net.version == 6 else 0
    return base + int(net.network_address), base + int(net.broadcast_address)


# --------------------------------------------------------------------------------------------- facts


@dataclass(eq=False, slots=True)
class _Facts:
    """What selectors look at, computed once per endpoint; its networks only when a selector first needs them."""

    endpoint: Endpoint
    subnet: Optional[Subnet]
    vpc_id: Optional[str]
    ids: tuple[str, ...]
    """The ENI id, the owner's id and a DB instance's identifier: what an `id` selector may name."""
    own_tags: Mapping[str, str]
    """Its tags and its owner's (see `_own_tags`): they win over `inherited_tags`."""
    inherited_tags: Mapping[str, str]
    """Its VPC's tags overridden by its subnet's: one mapping shared by the subnet's endpoints."""
    infrastructure: bool
    _addresses: Optional[tuple[Network, ...]] = None

    @property
    def addresses(self) -> tuple[Network, ...]:
        if self._addresses is None:
            self._addresses = _endpoint_networks(self.endpoint, self.subnet)
        return self._addresses

    def tag(self, key: str) -> Optional[str]:
        """The value of tag `key` after precedence: VPC < subnet < ENI < owning resource."""
        return self.own_tags.get(key, self.inherited_tags.get(key))


_NO_TAGS: Mapping[str, str] = MappingProxyType({})


def _own_tags(endpoint: Endpoint, db: Optional[RdsInstance], instance_tags: Mapping[str, str]) -> Mapping[str, str]:
    """The endpoint's tags and its owner's, the more specific winning: ENI < DB instance < instance < the owner's
    tags as the source gives them (`owner_tags`)."""
    owner_tags, eni_tags = endpoint.owner_tags, endpoint.tags
    db_tags = db.tags if db is not None else _NO_TAGS
    # Usually `owner_tags` repeat the instance's or DB instance's tags: then nothing is merged, and the
    # endpoints share the model's mappings (a merged dict per endpoint is ~30 MB on 100,000 interfaces).
    if not eni_tags and (not db_tags or db_tags == owner_tags) and (not instance_tags or instance_tags == owner_tags):
        return owner_tags
    merged: dict[str, str] = {}
    for layer in (eni_tags, db_tags, instance_tags, owner_tags):
        merged.update(layer)
    return merged


def _ids(endpoint_id: str, owner: Optional[str], db: Optional[RdsInstance]) -> tuple[str, ...]:
    """What an `id` selector may name: the ENI id, the owner's id and a DB instance's identifier, once each."""
    if not owner:
        return (endpoint_id,)
    ids = (endpoint_id,) if owner == endpoint_id else (endpoint_id, owner)
    if db is not None and db.identifier and db.identifier not in ids:
        ids = (*ids, db.identifier)
    return ids


def _index(pairs: Iterable[tuple[str, _Facts]]) -> dict[str, list[_Facts]]:
    out: dict[str, list[_Facts]] = defaultdict(list)
    for key, facts in pairs:
        out[key].append(facts)
    return dict(out)


def _tag_index(all_facts: Sequence[_Facts], key: str) -> dict[str, list[_Facts]]:
    """The endpoints by their value of tag `key` (`_Facts.tag`, inlined: it runs for every endpoint)."""
    out: dict[str, list[_Facts]] = defaultdict(list)
    for facts in all_facts:
        value = facts.own_tags.get(key, facts.inherited_tags.get(key))
        if value is not None:
            out[value].append(facts)
    return dict(out)


class _AddressIndex:
    """Every endpoint's addresses on one integer line, to find the endpoints with an address in a network."""

    def __init__(self, facts: Sequence[_Facts]) -> None:
        hosts: list[tuple[int, int]] = []
        blocks: dict[tuple[int, int], list[int]] = defaultdict(list)
        for position, item in enumerate(facts):
            endpoint = item.endpoint
            for address in (*endpoint.private_ips, *endpoint.public_ips, *endpoint.ipv6_addresses):
                hosts.append(((_V6_OFFSET if address.version == 6 else 0) + int(address), position))
            if endpoint.address_unknown and item.subnet is not None:
                for net in (item.subnet.cidr, item.subnet.ipv6_cidr):
                    if net is not None:
                        blocks[_span(net)].append(position)
        hosts.sort()
        self._facts = facts
        self._keys = [key for key, _ in hosts]
        self._positions = [position for _, position in hosts]
        self._blocks = dict(blocks)

    def overlapping(self, net: Network) -> list[_Facts]:
        """The endpoints with an address inside `net` or an unknown address in a subnet overlapping it."""
        lo, hi = _span(net)
        positions = set(self._positions[bisect_left(self._keys, lo):bisect_right(self._keys, hi)])
        for (first, last), owners in self._blocks.items():
            if first <= hi and lo <= last:
                positions.update(owners)
        return [self._facts[position] for position in sorted(positions)]


class _Estate:
    def __init__(self, snapshot: Snapshot, tag_keys: Iterable[str] = ()) -> None:
        """`tag_keys`: the tag keys selectors name, indexed in the same pass (`tagged`), while each endpoint's
        records are at hand: a pass per key over 100,000 endpoints costs more than the lookups."""
        subnets = {s.id: s for s in snapshot.subnets}
        vpc_tags = {v.id: v.tags for v in snapshot.vpcs}
        # What every endpoint of a subnet inherits: its VPC's tags, overridden by the subnet's own.
        inherited = {s.id: {**vpc_tags.get(s.vpc_id, {}), **s.tags} for s in subnets.values()}
        rds = {r.id: r for r in snapshot.rds_instances}
        instance_tags = {i.id: i.tags for i in snapshot.instances}
        by_tag: dict[str, defaultdict[str, list[_Facts]]] = {key: defaultdict(list) for key in tag_keys}
        self.facts: list[_Facts] = []
        for endpoint in snapshot.endpoints:
            subnet = subnets.get(endpoint.subnet_id)
            owner = endpoint.owner_id
            db = rds.get(owner) if owner else None
            own_tags = _own_tags(endpoint, db, instance_tags.get(owner, _NO_TAGS) if owner else _NO_TAGS)
            facts = _Facts(endpoint, subnet, subnet.vpc_id if subnet is not None else None, _ids(endpoint.id, owner, db),
                           own_tags, inherited.get(endpoint.subnet_id, _NO_TAGS), endpoint.kind in INFRASTRUCTURE_KINDS)
            self.facts.append(facts)
            for key, index in by_tag.items():
                value = own_tags.get(key, facts.inherited_tags.get(key))
                if value is not None:
                    index[value].append(facts)
        self._by_tag: dict[str, dict[str, list[_Facts]]] = {key: dict(index) for key, index in by_tag.items()}

    # Each index is built the first time a selector needs it.

    @cached_property
    def by_id(self) -> dict[str, list[_Facts]]:
        return _index((ident, facts) for facts in self.facts for ident in facts.ids)

    @cached_property
    def by_subnet(self) -> dict[str, list[_Facts]]:
        return _index((facts.endpoint.subnet_id, facts) for facts in self.facts)

    @cached_property
    def by_vpc(self) -> dict[str, list[_Facts]]:
        return _index((facts.vpc_id, facts) for facts in self.facts if facts.vpc_id is not None)

    @cached_property
    def by_group(self) -> dict[str, list[_Facts]]:
        return _index((group, facts) for facts in self.facts for group in set(facts.endpoint.security_group_ids))

    @cached_property
    def by_address(self) -> _AddressIndex:
        return _AddressIndex(self.facts)

    def tagged(self, key: str, value: str) -> Sequence[_Facts]:
        """The endpoints whose tag `key` (after precedence) is `value`."""
        index = self._by_tag.get(key)
        if index is None:
            index = self._by_tag[key] = _tag_index(self.facts, key)
        return index.get(value, ())

    def candidates(self, selector: Selector) -> Sequence[_Facts]:
        """A superset of the endpoints the selector can match: the shortest list an index has for one of its keys.
        Each endpoint is in it once at most."""
        if selector.id is not None:
            return self.by_id.get(selector.id, ())
        lists: list[Sequence[_Facts]] = []
        if selector.subnet is not None:
            lists.append(self.by_subnet.get(selector.subnet, ()))
        if selector.security_group is not None:
            lists.append(self.by_group.get(selector.security_group, ()))
        if selector.vpc is not None:
            lists.append(self.by_vpc.get(selector.vpc, ()))
        for key, value in (selector.tags or {}).items():
            lists.append(self.tagged(key, value))
        if lists:
            return min(lists, key=len)
        if selector.cidr is not None:
            return self.by_address.overlapping(selector.cidr)
        if selector.address is not None:
            return self.by_address.overlapping(_host_network(selector.address))
        return self.facts


def _selections(selector: Selector, candidates: Iterable[_Facts]) -> Iterator[tuple[_Facts, tuple[Network, ...]]]:
    """The candidates the selector selects, each with the addresses of it the selector selects: without an
    address key, the very tuple `facts.addresses` (see `_members`)."""
    ident, vpc, subnet, group = selector.id, selector.vpc, selector.subnet, selector.security_group
    tags = tuple(selector.tags.items()) if selector.tags else ()
    within = [] if selector.cidr is None else [selector.cidr]
    if selector.address is not None:
        within.append(_host_network(selector.address))
    for facts in candidates:
        if ident is None:
            if facts.infrastructure:
                continue
        elif ident not in facts.ids:
            continue
        if vpc is not None and facts.vpc_id != vpc:
            continue
        endpoint = facts.endpoint
        if subnet is not None and endpoint.subnet_id != subnet:
            continue
        if group is not None and group not in endpoint.security_group_ids:
            continue
        if tags and not _has_tags(facts, tags):
            continue
        nets = facts.addresses
        if within:
            for net in within:
                nets = _intersect(nets, net)
            if not nets:
                continue
        yield facts, nets


def _has_tags(facts: _Facts, wanted: tuple[tuple[str, str], ...]) -> bool:
    for key, value in wanted:
        if facts.tag(key) != value:
            return False
    return True


# --------------------------------------------------------------------------------------------- resolution


def resolve_zones(policy: Policy, snapshot: Snapshot, origin: str) -> dict[str, ResolvedZone]:
    """Every zone of the policy (in policy order), then the built-in zones the assertions use.

    Raises PolicyError when a zone without `allow_empty: true` matches nothing.
    """
    with cyclic_gc_paused():
        return _resolve(policy, snapshot, origin)


def _address_space(selectors: Sequence[Selector]) -> tuple[Network, ...]:
    nets: list[Network] = []
    for selector in selectors:
        if any(getattr(selector, key) is not None for key in Selector.ENDPOINT_KEYS):
            continue
        if selector.address is not None:
            host = ip_network(selector.address)
            cidr = selector.cidr
            if cidr is None or (host.version == cidr.version and host.subnet_of(cidr)):  # type: ignore[arg-type]
                nets.append(host)
        elif selector.cidr is not None:
            nets.append(selector.cidr)
    return normalise_networks(nets)


def _members(estate: _Estate, selectors: Sequence[Selector]) -> tuple[tuple[ZoneMember, ...], frozenset[str]]:
    """The endpoints the entries select, sorted by id, each with the union of what the entries select of it;
    and the ids of those selected with all their addresses (ResolvedZone.whole_members)."""
    if len(selectors) == 1:
        return _members_of_one(estate, selectors[0])
    # Per endpoint, the distinct normalised address tuples its entries select (usually exactly one).
    chosen: dict[str, list[tuple[Network, ...]]] = {}
    # An entry selecting all addresses of an endpoint hands on the very tuple `_Facts.addresses`: the union
    # of the parts is then that tuple again.
    whole: set[str] = set()
    for selector in selectors:
        for facts, nets in _selections(selector, estate.candidates(selector)):
            endpoint_id = facts.endpoint.id
            parts = chosen.get(endpoint_id)
            if parts is None:
                chosen[endpoint_id] = [nets]
            elif nets not in parts:
                parts.append(nets)
            if nets is facts.addresses:
                whole.add(endpoint_id)
    members = []
    for endpoint_id in sorted(chosen):
        parts = chosen[endpoint_id]
        addresses = parts[0] if len(parts) == 1 else normalise_networks(chain.from_iterable(parts))
        members.append(ZoneMember(endpoint_id, addresses))  # positional: faster, and there may be 100,000
    return tuple(members), frozenset(whole)


def _members_of_one(estate: _Estate, selector: Selector) -> tuple[tuple[ZoneMember, ...], frozenset[str]]:
    """`_members` of a zone with one entry (most zones): it selects an endpoint once at most, as candidate lists
    hold an endpoint once, so there is nothing to unite."""
    selected = sorted(((facts.endpoint.id, nets) for facts, nets in _selections(selector, estate.candidates(selector))),
                      key=itemgetter(0))
    members = tuple([ZoneMember(endpoint_id, nets) for endpoint_id, nets in selected])
    if selector.cidr is not None or selector.address is not None:
        return members, frozenset()  # (whole-ness is an optimisation: leaving members out is safe)
    return members, frozenset(endpoint_id for endpoint_id, _ in selected)


def _resolve(policy: Policy, snapshot: Snapshot, origin: str) -> dict[str, ResolvedZone]:
    estate = _Estate(snapshot, {key for zone in policy.zones.values() for selector in zone.match
                                for key in selector.tags or ()})
    resolved: dict[str, ResolvedZone] = {}
    for name, zone in policy.zones.items():
        members, whole = _members(estate, zone.match)
        if not members and not zone.allow_empty:
            raise PolicyError(
                f"{origin}: zone '{name}' matches nothing in the estate (set allow_empty: true if that is intended)"
            )
        resolved[name] = ResolvedZone(name=name, builtin=None, members=members,
                                      address_space=_address_space(zone.match), whole_members=whole)
    for builtin in policy.used_builtins():
        resolved[builtin] = ResolvedZone(name=builtin, builtin=builtin, members=())  # type: ignore[arg-type]
    return resolved
