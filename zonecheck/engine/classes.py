"""Endpoint classes: interfaces that no security group, NACL or route can tell apart.

Interfaces in the same subnet, with the same groups and the same kind of public addressing, meet exactly
the same rules; the engine follows one packet set per class instead of one per interface (and never one
per pair of interfaces).

A zone may have 100,000 members, and its classes are asked for as a source and as a destination: its members
are grouped once (`_zone_groups`: alike in both directions, their addresses united once), and only the
classes themselves are built per direction. A zone usually selects all of a member's addresses (an endpoint
selector, `ResolvedZone.whole_members`): such a member's addresses are then its own, not intersected with
what the zone selected; members an address selector names in part take the general way (`_partial_group`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Iterable, Optional

from zonecheck.engine import addresses as addr
from zonecheck.engine.estate import Estate
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.model import Endpoint
from zonecheck.policy.zones import ResolvedZone, ZoneMember


@dataclass(frozen=True)
class EndpointClass:
    key: str
    subnet_id: str
    vpc_id: str
    group_ids: tuple[str, ...]
    endpoint_ids: tuple[str, ...]
    private: IntervalSet
    """Selected private IPv4 and IPv6 addresses (as a source: the addresses it sends from)."""
    public: IntervalSet
    """Selected public IPv4 addresses (as a destination); as a source, the public IPs it is seen as."""
    public_unknown: bool
    """Has a public IPv4 address whose value is not known."""
    address_hint: Optional[str] = None
    """How to show the address of members whose address is unknown (e.g. `10.0.3.0/24 (address unknown)`)."""

    @property
    def addresses(self) -> IntervalSet:
        return self.private | self.public

    @property
    def internet_addresses(self) -> IntervalSet:
        """The addresses the internet reaches it at: its public IPv4 and its IPv6 (SPEC §6.5)."""
        return self.public | (self.private & addr.V6_ALL)

    def label(self) -> str:
        if len(self.endpoint_ids) == 1:
            return self.endpoint_ids[0]
        return f"{self.endpoint_ids[0]} (+{len(self.endpoint_ids) - 1} alike)"


ON_PREMISES = EndpointClass(key="on-premises", subnet_id="", vpc_id="", group_ids=(), endpoint_ids=("on-premises",),
                            private=EMPTY, public=EMPTY, public_unknown=False)
"""Stands for the networks behind VPN connections and Direct Connect, as a source or a destination."""


ClassKey = tuple[str, tuple[str, ...], bool, bool, str, bool]
"""(subnet, sorted groups, has public addresses, public address unknown, kind, address unknown)."""


def _class_key(subnet_id: str, groups: tuple[str, ...], has_public: bool, public_unknown: bool, kind: str,
               address_unknown: bool) -> ClassKey:
    # Kind and address certainty are not rule-relevant, but keeping them apart keeps witnesses legible
    # (an RDS instance "somewhere in 10.0.3.0/24" next to a host at 10.0.3.20).
    return (subnet_id, groups, has_public, public_unknown, kind, address_unknown)


def _has_ipv4(addresses: IntervalSet) -> bool:
    """`bool(addresses & addr.V4_ALL)`: spans are sorted and IPv4 lies below IPv6 on the line."""
    spans = addresses.spans
    return bool(spans) and spans[0][0] < addr.V6_OFFSET


# --------------------------------------------------------------------------------------------- per zone


@dataclass(slots=True)
class _Group:
    """Members of a zone that fall into the same class: their ids and addresses, united when first asked."""

    vpc_id: str
    source: Optional[ClassKey]
    """Their class key as a source (None: nothing to send from or be seen as), and its text (classes are
    ordered by it); likewise `target`, as a destination (None: nothing to be reached on)."""
    target: Optional[ClassKey]
    source_text: str = ""
    target_text: str = ""
    ids: list[str] = field(default_factory=list)
    privates: list[IntervalSet] = field(default_factory=list)
    """Their non-empty private address sets (likewise `publics`: most members have no public address)."""
    publics: list[IntervalSet] = field(default_factory=list)
    _united: Optional[tuple[tuple[str, ...], IntervalSet, IntervalSet]] = None

    def add(self, endpoint_id: str, private: IntervalSet, public: IntervalSet) -> None:
        self.ids.append(endpoint_id)
        if private:
            self.privates.append(private)
        if public:
            self.publics.append(public)

    def united(self) -> tuple[tuple[str, ...], IntervalSet, IntervalSet]:
        """(sorted ids, private, public) of all members."""
        if self._united is None:
            self._united = (tuple(sorted(self.ids)), _union(self.privates), _union(self.publics))
        return self._united


def _union(sets: list[IntervalSet]) -> IntervalSet:
    """All spans normalised at once (a union per member is quadratic in big classes); a lone set as it is."""
    if not sets:
        return EMPTY
    if len(sets) == 1:
        return sets[0]
    return IntervalSet([span for one in sets for span in one.spans])


_Alike = tuple[str, tuple[str, ...], str, bool, bool, bool, bool, bool]
"""What decides the class keys of a member the zone selects all addresses of, as its interface gives them:
(subnet, groups as listed, kind, address unknown, public address unknown, has public addresses, has private
addresses, has a private IPv4 address). Cheap to make for 100,000 members; a group's keys are made once."""


def _whole_group(estate: Estate, alike: _Alike) -> _Group:
    """The (empty) group of the members alike: all their addresses selected, `selected & own` is `own` (compare
    `_partial_group`), as a source and as a destination; only whether a public address of unknown value counts
    for a destination differs."""
    subnet_id, listed_groups, kind, address_unknown, unknown, has_public, has_private, has_ipv4 = alike
    groups = tuple(sorted(listed_groups))
    source = target = None
    if has_private or has_public or unknown:
        source = target = _class_key(subnet_id, groups, has_public, unknown, kind, address_unknown)
    if unknown and not has_ipv4:
        target = _class_key(subnet_id, groups, has_public, False, kind, address_unknown) \
            if has_private or has_public else None
    source_text = str(source)
    return _Group(estate.vpc_of_subnet(subnet_id) or "?", source, target, source_text,
                  source_text if target == source else str(target))


@dataclass(slots=True)
class _ZoneGroups:
    """A zone's members grouped once for both directions (see `Estate.derived`)."""

    whole: list[_Group]
    """Members the zone selects all addresses of: the same groups serve both directions."""
    partial: list[tuple[ZoneMember, Endpoint]]
    """Members the zone selects only some addresses of (an address selector): classified per direction."""


def _zone_groups(estate: Estate, zone: ResolvedZone) -> _ZoneGroups:
    """The zone's members grouped for both directions, once per estate (a policy resolved again has new zones:
    they are grouped again)."""
    return estate.derived(("endpoint-classes: zone",), [zone], lambda: _group_zone(estate, zone))


def _group_zone(estate: Estate, zone: ResolvedZone) -> _ZoneGroups:
    endpoints, inactive, whole_members = estate.endpoints, estate.inactive, zone.whole_members
    by_alike: dict[_Alike, _Group] = {}
    partial: list[tuple[ZoneMember, Endpoint]] = []
    for member in zone.members:
        endpoint_id = member.endpoint_id
        endpoint = endpoints.get(endpoint_id)
        if endpoint is None or endpoint_id in inactive:
            continue  # a stopped instance or detached interface carries no traffic
        if endpoint_id not in whole_members:
            partial.append((member, endpoint))
            continue
        private = estate.private_addresses(endpoint)
        public = estate.public_addresses(endpoint)
        alike = (endpoint.subnet_id, endpoint.security_group_ids, endpoint.kind, endpoint.address_unknown,
                 endpoint.public_address_unknown, bool(public), bool(private), _has_ipv4(private))
        group = by_alike.get(alike)
        if group is None:
            group = by_alike[alike] = _whole_group(estate, alike)
        group.add(endpoint_id, private, public)
    return _ZoneGroups(list(by_alike.values()), partial)


def _partial_group(estate: Estate, member: ZoneMember, endpoint: Endpoint, *, as_source: bool) -> Optional[_Group]:
    """The class of a member the zone selects only some addresses of, in one direction; None if nothing."""
    own_private = estate.private_addresses(endpoint)
    own_public = estate.public_addresses(endpoint)
    selected = addr.of_networks(member.addresses)
    if as_source:
        private = selected & own_private
        if not private and selected & own_public:
            # A zone that selected only its public address still means that host: it sends from its private ones.
            private = own_private & addr.V4_ALL
        public = own_public
        public_unknown = endpoint.public_address_unknown
    else:
        private = selected & own_private
        public = selected & own_public
        public_unknown = endpoint.public_address_unknown and bool(selected & own_private & addr.V4_ALL)
    if not private and not public and not public_unknown:
        return None
    key = _class_key(endpoint.subnet_id, tuple(sorted(endpoint.security_group_ids)), bool(public), public_unknown,
                     endpoint.kind, endpoint.address_unknown)
    text = str(key)
    group = _Group(estate.vpc_of_subnet(endpoint.subnet_id) or "?", key, key, text, text)
    group.add(member.endpoint_id, private, public)
    return group


# --------------------------------------------------------------------------------------------- per direction


def endpoint_classes(estate: Estate, zone: ResolvedZone, *, as_source: bool) -> list[EndpointClass]:
    """Group the zone's members into classes.

    As a destination, a member contributes exactly the addresses the zone selected.  As a source, it sends
    from its private addresses (a zone that selected only its public address still means that host), and
    is seen on the internet as its public addresses.
    """
    grouped = _zone_groups(estate, zone)
    partial = (_partial_group(estate, member, endpoint, as_source=as_source) for member, endpoint in grouped.partial)
    # Class key -> its groups (usually one; groups whose members list their security groups in another order,
    # or differ only in what does not count in this direction, share a key) and the key's text.
    by_key: dict[ClassKey, list[_Group]] = {}
    texts: dict[ClassKey, str] = {}
    for group in chain(grouped.whole, partial):
        if group is None:
            continue
        key, text = (group.source, group.source_text) if as_source else (group.target, group.target_text)
        if key is None:
            continue
        found = by_key.get(key)
        if found is None:
            by_key[key] = [group]
            texts[key] = text
        else:
            found.append(group)
    # Ordered by the text of the key, as ever: reports list classes in this order.
    return [_endpoint_class(estate, key, by_key[key]) for key in sorted(by_key, key=texts.__getitem__)]


def _endpoint_class(estate: Estate, key: ClassKey, groups: list[_Group]) -> EndpointClass:
    subnet_id, group_ids, _, public_unknown, _kind, address_unknown = key
    if len(groups) == 1:
        ids, private, public = groups[0].united()
    else:
        merged = _Group(groups[0].vpc_id, key, key, ids=[i for g in groups for i in g.ids],
                        privates=[p for g in groups for p in g.privates], publics=[p for g in groups for p in g.publics])
        ids, private, public = merged.united()
    subnet = estate.subnets.get(subnet_id)
    hint = f"{subnet.cidr} (address unknown)" if address_unknown and subnet is not None and subnet.cidr else None
    return EndpointClass(
        key=f"{subnet_id}|{','.join(group_ids)}|{ids[0]}", subnet_id=subnet_id, vpc_id=groups[0].vpc_id,
        group_ids=group_ids, endpoint_ids=ids, private=private, public=public, public_unknown=public_unknown,
        address_hint=hint,
    )


def union_of(classes: Iterable[EndpointClass]) -> IntervalSet:
    out = EMPTY
    for c in classes:
        out = out | c.addresses
    return out


def relay_classes(estate: Estate, endpoints: Iterable) -> list[EndpointClass]:  # type: ignore[type-arg]
    """Classes for the interfaces of a forwarding service (a load balancer), with all their addresses."""
    grouped: dict[tuple, list] = {}
    for endpoint in endpoints:
        if endpoint.id in estate.inactive:
            continue
        key = (endpoint.subnet_id, tuple(sorted(endpoint.security_group_ids)), endpoint.public_address_unknown)
        grouped.setdefault(key, []).append(endpoint)
    out = []
    for (subnet_id, groups, public_unknown), members in sorted(grouped.items(), key=lambda kv: str(kv[0])):
        private, public = EMPTY, EMPTY
        for endpoint in members:
            private = private | estate.private_addresses(endpoint)
            public = public | estate.public_addresses(endpoint)
        ids = tuple(sorted(e.id for e in members))
        out.append(EndpointClass(key=f"relay|{subnet_id}|{','.join(groups)}|{ids[0]}", subnet_id=subnet_id,
                                 vpc_id=estate.vpc_of_subnet(subnet_id) or "?", group_ids=groups, endpoint_ids=ids,
                                 private=private, public=public, public_unknown=public_unknown))
    return out
