"""Things that send and receive packets: network interfaces and the services that own them."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Literal, Optional

from pydantic import Field

from zonecheck.model.base import IPv4Addr, IPv6Addr, Record, ResourceId, Tags

EndpointKind = Literal[
    "instance",
    "rds",
    "nat-gateway",
    "load-balancer",
    "lambda",
    "vpc-endpoint",
    "transit-gateway-attachment",
    "network-interface",
    "other",
]


class Endpoint(Record):
    """One network interface (ENI), or the stand-in for one whose details the source does not give.

    `address_unknown` endpoints (an RDS instance known only through its subnet group) may hold any address
    of their subnet: the engine uses the whole subnet CIDR for them (SPEC §6.6).
    """

    id: ResourceId
    """The ENI id when known (eni-…), else `<owner_id>@<subnet_id>`."""
    kind: EndpointKind = "network-interface"
    owner_id: Optional[str] = None
    """The instance, DB instance, NAT gateway… that owns the interface."""
    subnet_id: ResourceId
    security_group_ids: tuple[str, ...] = ()
    private_ips: tuple[IPv4Addr, ...] = ()
    public_ips: tuple[IPv4Addr, ...] = ()
    ipv6_addresses: tuple[IPv6Addr, ...] = ()
    address_unknown: bool = False
    public_address_unknown: bool = False
    """Has a public IPv4 address whose value the source does not give (e.g. a publicly accessible RDS)."""
    source_dest_check: bool = True
    state: str = "in-use"
    tags: Tags = Field(default_factory=dict)
    """The interface's own tags."""
    owner_tags: Tags = Field(default_factory=dict)
    """Tags of the owning resource (instance, DB instance…): policies match either."""


class RdsInstance(Record):
    id: ResourceId
    """The DB instance identifier as AWS shows it (`db-…` resource id when known, else the identifier)."""
    identifier: Optional[str] = None
    engine: Optional[str] = None
    subnet_group: Optional[str] = None
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    publicly_accessible: bool = False
    port: Optional[int] = None
    tags: Tags = Field(default_factory=dict)


class Instance(Record):
    id: ResourceId
    state: str = "running"
    subnet_id: Optional[str] = None
    tags: Tags = Field(default_factory=dict)


__all__ = ["Endpoint", "EndpointKind", "Instance", "IPv4Network", "RdsInstance"]
