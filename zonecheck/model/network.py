"""VPCs, subnets, gateways, peerings and route tables."""

from __future__ import annotations

from ipaddress import IPv6Network
from typing import Iterable, Literal, Optional

from pydantic import Field, model_validator

from zonecheck.model.base import IPNetwork, IPv4Addr, IPv4Net, IPv6Net, Record, ResourceId, Tags


class Vpc(Record):
    id: ResourceId
    account: Optional[str] = None
    region: Optional[str] = None
    cidrs: tuple[IPv4Net, ...] = ()
    """Primary and secondary IPv4 CIDR blocks: the `local` route covers all of them."""
    ipv6_cidrs: tuple[IPv6Net, ...] = ()
    tags: Tags = Field(default_factory=dict)


class Subnet(Record):
    id: ResourceId
    vpc_id: ResourceId
    cidr: Optional[IPv4Net] = None
    ipv6_cidr: Optional[IPv6Net] = None
    availability_zone: Optional[str] = None
    map_public_ip_on_launch: bool = False
    tags: Tags = Field(default_factory=dict)


RouteTarget = Literal[
    "local",
    "internet-gateway",
    "egress-only-internet-gateway",
    "nat-gateway",
    "vpc-peering",
    "transit-gateway",
    "network-interface",
    "instance",
    "vpn-gateway",
    "vpc-endpoint",
    "carrier-gateway",
    "local-gateway",
    "core-network",
    "blackhole",
    "unknown",
]

# AWS names a route target by an id whose prefix tells its kind; a route's gateway field (`GatewayId`,
# Terraform's `gateway_id`) accepts any of them, even a NAT gateway's.  No prefix is a prefix of another.
_ROUTE_TARGET_BY_PREFIX: tuple[tuple[str, RouteTarget], ...] = (
    ("igw-", "internet-gateway"),
    ("eigw-", "egress-only-internet-gateway"),
    ("nat-", "nat-gateway"),
    ("pcx-", "vpc-peering"),
    ("tgw-", "transit-gateway"),
    ("eni-", "network-interface"),
    ("i-", "instance"),
    ("vgw-", "vpn-gateway"),
    ("vpce-", "vpc-endpoint"),
    ("cagw-", "carrier-gateway"),
    ("lgw-", "local-gateway"),
)


def route_target_of(target_id: str) -> Optional[RouteTarget]:
    """The kind of route target `target_id` names: `local` for "local", else by the id's prefix
    ("igw-…" is an internet gateway); None when zonecheck does not know the prefix."""
    if target_id == "local":
        return "local"
    for prefix, kind in _ROUTE_TARGET_BY_PREFIX:
        if target_id.startswith(prefix):
            return kind
    return None


def route_target_from(fields: Iterable[tuple[Optional[str], Optional[RouteTarget]]]) -> tuple[RouteTarget, Optional[str]]:
    """A route's (target kind, target id) from its target fields as (value, kind) pairs, in the order tried.

    The first field with a value wins; a kind of None marks a gateway field, whose kind follows from the value
    (`route_target_of`).  `local` has no id; an id of an unknown kind, or no target at all, is `unknown`.
    """
    for value, kind in fields:
        if value is None:
            continue
        if kind is None:
            kind = route_target_of(value) or "unknown"
        return kind, None if kind == "local" else value
    return "unknown", None


class Route(Record):
    """One route. Exactly one of `destination` and `destination_prefix_list_id` is set."""

    destination: Optional[IPNetwork] = None
    destination_prefix_list_id: Optional[str] = None
    target: RouteTarget
    target_id: Optional[str] = None
    """The gateway/peering/ENI id; None for `local` and for an unknown target."""
    state: Literal["active", "blackhole"] = "active"

    @model_validator(mode="after")
    def _one_destination(self) -> "Route":
        if (self.destination is None) == (self.destination_prefix_list_id is None):
            raise ValueError("a route needs exactly one of destination and destination_prefix_list_id")
        return self

    def label(self) -> str:
        dest = str(self.destination) if self.destination is not None else self.destination_prefix_list_id
        target = self.target_id or self.target
        return f"{dest} -> {target}" + (" (blackhole)" if self.state == "blackhole" else "")


class RouteTable(Record):
    id: ResourceId
    vpc_id: ResourceId
    routes: tuple[Route, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    """Explicit subnet associations."""
    is_main: bool = False
    assumed: bool = False
    """True when the table is not in the source and AWS's documented default (only `local`) was assumed."""
    tags: Tags = Field(default_factory=dict)


class InternetGateway(Record):
    id: ResourceId
    vpc_ids: tuple[str, ...] = ()
    """The VPCs it is attached to (at most one in AWS; a tuple so a detached gateway is representable)."""
    tags: Tags = Field(default_factory=dict)


class EgressOnlyInternetGateway(Record):
    id: ResourceId
    vpc_id: ResourceId
    tags: Tags = Field(default_factory=dict)


class NatGateway(Record):
    id: ResourceId
    subnet_id: ResourceId
    connectivity: Literal["public", "private"] = "public"
    private_ip: Optional[IPv4Addr] = None
    public_ip: Optional[IPv4Addr] = None
    state: str = "available"
    tags: Tags = Field(default_factory=dict)


class VpcPeering(Record):
    id: ResourceId
    requester_vpc_id: ResourceId
    accepter_vpc_id: ResourceId
    requester_account: Optional[str] = None
    accepter_account: Optional[str] = None
    requester_region: Optional[str] = None
    accepter_region: Optional[str] = None
    status: str = "active"
    tags: Tags = Field(default_factory=dict)


__all__ = [
    "EgressOnlyInternetGateway",
    "InternetGateway",
    "IPNetwork",
    "IPv6Network",
    "NatGateway",
    "Route",
    "RouteTable",
    "RouteTarget",
    "Subnet",
    "Vpc",
    "VpcPeering",
    "route_target_from",
    "route_target_of",
]
