"""Constructs the engine does not model yet, each an `Unsupported` record so a path that meets it is
`unknown`, never `pass` (SPEC §4)."""

from __future__ import annotations

from typing import Iterable

from zonecheck.collect.aws.transform._raw import Item, get, text, texts
from zonecheck.model import Unsupported


def unsupported_lambda_functions(raw: Iterable[Item], interfaces_known: bool) -> list[Unsupported]:
    """Lambda `Functions` (ListFunctions) in a VPC: their ENIs are ordinary endpoints when the dump has
    DescribeNetworkInterfaces; without it their addresses and groups are unknown."""
    if interfaces_known:
        return []
    out = []
    for item in raw:
        name = text(item, "FunctionArn") or text(item, "FunctionName")
        subnets = texts(item, get(item, "VpcConfig") or {}, "SubnetIds")
        if name and subnets:
            out.append(Unsupported(resource=name, kind="lambda-function",
                                   reason=f"{name} runs in {', '.join(sorted(subnets))}; without "
                                          "describe-network-interfaces its interfaces are unknown"))
    return out


def unsupported_network_firewalls(raw: Iterable[Item]) -> list[Unsupported]:
    """AWS Network Firewall (`Firewalls` of ListFirewalls, or a DescribeFirewall `Firewall`)."""
    out = []
    for item in raw:
        name = text(item, "FirewallArn") or text(item, "FirewallName")
        if name:
            out.append(Unsupported(resource=name, kind="network-firewall",
                                   reason=f"{name}: AWS Network Firewall filters traffic routed through its endpoints; "
                                          "its rules are not modelled yet"))
    return out


def unsupported_client_vpn_endpoints(raw: Iterable[Item]) -> list[Unsupported]:
    out = []
    for item in raw:
        endpoint_id = text(item, "ClientVpnEndpointId")
        if endpoint_id:
            out.append(Unsupported(resource=endpoint_id, kind="client-vpn-endpoint",
                                   reason=f"{endpoint_id}: Client VPN is not modelled yet"))
    return out


__all__ = ["unsupported_client_vpn_endpoints", "unsupported_lambda_functions", "unsupported_network_firewalls"]
