"""Connections to networks outside AWS: VPN gateways, VPN connections, customer and Direct Connect gateways.

Traffic from these enters the estate as the built-in zone `on-premises`.
"""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from zonecheck.model.base import IPNetwork, Record, ResourceId, Tags


class VpnGateway(Record):
    id: ResourceId
    vpc_ids: tuple[str, ...] = ()
    """Attached VPCs."""
    state: str = "available"
    amazon_side_asn: Optional[int] = None
    tags: Tags = Field(default_factory=dict)


class CustomerGateway(Record):
    id: ResourceId
    ip_address: Optional[str] = None
    bgp_asn: Optional[int] = None
    state: str = "available"
    tags: Tags = Field(default_factory=dict)


class VpnConnection(Record):
    id: ResourceId
    customer_gateway_id: Optional[str] = None
    vpn_gateway_id: Optional[str] = None
    transit_gateway_id: Optional[str] = None
    static_routes: tuple[IPNetwork, ...] = ()
    """On-premises prefixes configured as static routes (when the connection does not use BGP)."""
    static_routes_only: bool = False
    state: str = "available"
    tags: Tags = Field(default_factory=dict)


class DirectConnectGateway(Record):
    id: ResourceId
    name: Optional[str] = None
    vpn_gateway_ids: tuple[str, ...] = ()
    transit_gateway_ids: tuple[str, ...] = ()
    allowed_prefixes: tuple[IPNetwork, ...] = ()
    tags: Tags = Field(default_factory=dict)


class RoutePropagation(Record):
    """A VPN gateway propagating its (on-premises) routes into a VPC route table."""

    route_table_id: ResourceId
    gateway_id: ResourceId


__all__ = ["CustomerGateway", "DirectConnectGateway", "RoutePropagation", "VpnConnection", "VpnGateway"]
