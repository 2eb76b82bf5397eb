"""VPCs, subnets, gateways, peerings and route tables."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Network
from typing import Literal, Optional

from pydantic import Field, model_validator

from zonecheck.model.base import IPNetwork, Record, ResourceId, Tags


class Vpc(Record):
    id: ResourceId
    account: Optional[str] = None
    region: Optional[str] = None
    cidrs: tuple[IPv4Network, ...] = ()
    """Primary and secondary IPv4 CIDR blocks: the `local` route covers all of them."""
    ipv6_cidrs: tuple[IPv6Network, ...] = ()
    tags: Tags = Field(default_factory=dict)


class Subnet(Record):
    id: ResourceId
    vpc_id: ResourceId
    cidr: Optional[IPv4Network] = None
    ipv6_cidr: Optional[IPv6Network] = None
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
    private_ip: Optional[IPv4Address] = None
    public_ip: Optional[IPv4Address] = None
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
]
