"""Transit gateways: attachments, route tables, associations, propagations and routes."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, model_validator

from zonecheck.model.base import IPNetwork, Record, ResourceId, Tags

AttachmentKind = Literal["vpc", "peering", "vpn", "direct-connect-gateway", "connect", "network-function", "unknown"]


class TransitGateway(Record):
    id: ResourceId
    account: Optional[str] = None
    region: Optional[str] = None
    default_route_table_association: bool = True
    default_route_table_propagation: bool = True
    association_default_route_table_id: Optional[str] = None
    propagation_default_route_table_id: Optional[str] = None
    state: str = "available"
    tags: Tags = Field(default_factory=dict)


class TransitGatewayAttachment(Record):
    id: ResourceId
    transit_gateway_id: ResourceId
    kind: AttachmentKind
    resource_id: Optional[str] = None
    """The VPC, VPN connection, Direct Connect gateway, or peer transit gateway behind the attachment."""
    subnet_ids: tuple[str, ...] = ()
    """VPC attachments: the subnets (one per AZ) whose ENIs carry traffic into and out of the TGW."""
    state: str = "available"
    appliance_mode: bool = False
    peer_region: Optional[str] = None
    peer_account: Optional[str] = None
    tags: Tags = Field(default_factory=dict)


class TransitGatewayRoute(Record):
    """A route of a TGW route table: exactly one of destination and prefix list; no attachment = blackhole."""

    destination: Optional[IPNetwork] = None
    destination_prefix_list_id: Optional[str] = None
    attachment_ids: tuple[str, ...] = ()
    """Several attachments for an ECMP route (VPN); empty for a blackhole."""
    kind: Literal["static", "propagated"] = "static"
    state: Literal["active", "blackhole"] = "active"

    @model_validator(mode="after")
    def _one_destination(self) -> "TransitGatewayRoute":
        if (self.destination is None) == (self.destination_prefix_list_id is None):
            raise ValueError("a transit gateway route needs exactly one of destination and destination_prefix_list_id")
        return self

    def label(self) -> str:
        dest = str(self.destination) if self.destination is not None else self.destination_prefix_list_id
        if self.state == "blackhole" or not self.attachment_ids:
            return f"{dest} -> blackhole"
        return f"{dest} -> {','.join(self.attachment_ids)} ({self.kind})"


class TransitGatewayRouteTable(Record):
    id: ResourceId
    transit_gateway_id: ResourceId
    routes: tuple[TransitGatewayRoute, ...] = ()
    """Static routes and, when the source lists them (AWS), propagated ones; the engine also derives
    propagated routes of VPC attachments from `propagations`."""
    associations: tuple[str, ...] = ()
    """Attachments whose traffic is routed by this table."""
    propagations: tuple[str, ...] = ()
    """Attachments whose routes propagate into this table."""
    is_default_association: bool = False
    is_default_propagation: bool = False
    routes_complete: bool = True
    """False when propagated routes of some attachment (VPN/BGP) are not in the source."""
    tags: Tags = Field(default_factory=dict)


__all__ = ["AttachmentKind", "TransitGateway", "TransitGatewayAttachment", "TransitGatewayRoute",
           "TransitGatewayRouteTable"]
