"""get: VPN connections, VPN gateways, customer gateways and Direct Connect gateways.

DescribeVpnConnections answers with the tunnels' pre-shared keys (in `CustomerGatewayConfiguration` and
`Options.TunnelOptions[].PreSharedKey`).  They are dropped here, the moment the response arrives, so that
no log, raw dump or snapshot can ever hold them; nothing in zonecheck reads them.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from zonecheck.collect.aws.live.pages import Item, all_items, per_parent

SECRET_KEYS = frozenset({"CustomerGatewayConfiguration", "PreSharedKey"})


def get_vpn_connections(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return [without_secrets(item) for item in all_items(ec2, "describe_vpn_connections", "VpnConnections", page_size)]


def get_vpn_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_vpn_gateways", "VpnGateways", page_size)


def get_customer_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_customer_gateways", "CustomerGateways", page_size)


def get_direct_connect_gateways(directconnect: Any, page_size: Optional[int] = None) -> list[Item]:
    """The account's Direct Connect gateways (global: the same answer in every region)."""
    return all_items(directconnect, "describe_direct_connect_gateways", "directConnectGateways", page_size)


def get_direct_connect_gateway_associations(directconnect: Any, gateway_ids: Iterable[str],
                                            page_size: Optional[int] = None) -> list[Item]:
    """The virtual private gateways and transit gateways each Direct Connect gateway is associated with."""
    found = per_parent(gateway_ids, lambda gateway_id: all_items(
        directconnect, "describe_direct_connect_gateway_associations", "directConnectGatewayAssociations", page_size,
        directConnectGatewayId=gateway_id))
    return [association for associations in found for association in associations]


def without_secrets(value: Any) -> Any:
    """`value` with every pre-shared key and customer gateway configuration removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


__all__ = ["SECRET_KEYS", "get_customer_gateways", "get_direct_connect_gateway_associations",
           "get_direct_connect_gateways", "get_vpn_connections", "get_vpn_gateways", "without_secrets"]
