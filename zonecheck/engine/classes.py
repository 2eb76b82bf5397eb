"""Endpoint classes: interfaces that no security group, NACL or route can tell apart.

Interfaces in the same subnet, with the same groups and the same kind of public addressing, meet exactly
the same rules; the engine follows one packet set per class instead of one per interface (and never one
per pair of interfaces).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from zonecheck.engine import addresses as addr
from zonecheck.engine.estate import Estate
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.policy.zones import ResolvedZone


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

    def label(self) -> str:
        if len(self.endpoint_ids) == 1:
            return self.endpoint_ids[0]
        return f"{self.endpoint_ids[0]} (+{len(self.endpoint_ids) - 1} alike)"


ON_PREMISES = EndpointClass(key="on-premises", subnet_id="", vpc_id="", group_ids=(), endpoint_ids=("on-premises",),
                            private=EMPTY, public=EMPTY, public_unknown=False)
"""Stands for the networks behind VPN connections and Direct Connect, as a source or a destination."""


def endpoint_classes(estate: Estate, zone: ResolvedZone, *, as_source: bool) -> list[EndpointClass]:
    """Group the zone's members into classes.

    As a destination, a member contributes exactly the addresses the zone selected.  As a source, it sends
    from its private addresses (a zone that selected only its public address still means that host), and
    is seen on the internet as its public addresses.
    """
    grouped: dict[tuple, dict[str, object]] = {}
    for member in zone.members:
        endpoint = estate.endpoints.get(member.endpoint_id)
        if endpoint is None or endpoint.id in estate.inactive:
            continue  # a stopped instance or detached interface carries no traffic
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
        # Kind and address certainty are not rule-relevant, but keeping them apart keeps witnesses legible
        # (an RDS instance "somewhere in 10.0.3.0/24" next to a host at 10.0.3.20).
        key = (endpoint.subnet_id, tuple(sorted(endpoint.security_group_ids)), bool(public), public_unknown,
               endpoint.kind, endpoint.address_unknown)
        slot = grouped.setdefault(key, {"ids": [], "private": [], "public": [], "vpc": vpc_id})
        slot["ids"].append(endpoint.id)  # type: ignore[union-attr]
        # Spans gathered and normalised once per class: a union per member is quadratic in big classes.
        slot["private"].extend(private.spans)  # type: ignore[union-attr]
        slot["public"].extend(public.spans)  # type: ignore[union-attr]
    for slot in grouped.values():
        slot["private"] = IntervalSet(slot["private"])  # type: ignore[arg-type]
        slot["public"] = IntervalSet(slot["public"])  # type: ignore[arg-type]
    classes = []
    for (subnet_id, groups, _, public_unknown, _kind, _unknown), slot in sorted(grouped.items(), key=lambda kv: str(kv[0])):
        ids = tuple(sorted(slot["ids"]))  # type: ignore[arg-type]
        subnet = estate.subnets.get(subnet_id)
        hint = f"{subnet.cidr} (address unknown)" if _unknown and subnet is not None and subnet.cidr else None
        classes.append(EndpointClass(
            key=f"{subnet_id}|{','.join(groups)}|{ids[0]}", subnet_id=subnet_id, vpc_id=str(slot["vpc"]),
            group_ids=groups, endpoint_ids=ids, private=slot["private"], public=slot["public"],  # type: ignore[arg-type]
            public_unknown=public_unknown, address_hint=hint,
        ))
    return classes


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
