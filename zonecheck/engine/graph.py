"""The estate as a networkx graph of subnets, VPCs and gateways: which places could ever exchange packets.

The graph ignores security groups and NACLs and treats every route as usable in any way, so it
over-approximates: if no graph path leads from a source subnet to a destination subnet (or to the internet),
no packet can make the trip and the walker need not follow it.  It prunes work; it never decides a verdict.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable

import networkx as nx

from zonecheck.engine.estate import Estate

INTERNET = ("internet", "internet")
UNMODELLED = ("unmodelled", "*")
"""Stands for every target the engine does not follow (transit gateway, VPN, appliance…): reaches everything."""

# Node kinds: ("send", subnet) – packets leaving a subnet, which use that subnet's routes;
# ("arrive", subnet) – packets delivered into a subnet (the end of a trip); ("vpc", id) – inside a VPC after
# a local or peering hop; ("gateway", id) – an internet gateway.  A packet uses routes once, at the subnet
# that sends it; only a NAT gateway sends again (from its own subnet), which is an edge send -> send.


def estate_graph(estate: Estate) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_node(INTERNET)
    graph.add_node(UNMODELLED)
    for subnet in estate.subnets.values():
        send, vpc = ("send", subnet.id), ("vpc", subnet.vpc_id)
        graph.add_edge(vpc, ("arrive", subnet.id))
        graph.add_edge(UNMODELLED, ("arrive", subnet.id))
        graph.add_edge(send, vpc)  # the implicit local route
        table = estate.route_table_of(subnet.id)
        if table is None:
            graph.add_edge(send, UNMODELLED)
            continue
        for route in table.routes:
            target = route.target_id or route.target
            if route.target in ("local", "blackhole") or route.state == "blackhole":
                continue
            if route.target in ("internet-gateway", "egress-only-internet-gateway"):
                graph.add_edge(send, ("gateway", target))
            elif route.target == "nat-gateway":
                nat = estate.nat_gateways.get(target)
                graph.add_edge(send, ("send", nat.subnet_id) if nat else UNMODELLED)
            elif route.target == "vpc-peering":
                peering = estate.peerings.get(target)
                if peering is None:
                    graph.add_edge(send, UNMODELLED)
                else:
                    for vpc_id in (peering.requester_vpc_id, peering.accepter_vpc_id):
                        if vpc_id != subnet.vpc_id:
                            graph.add_edge(send, ("vpc", vpc_id))
            else:
                graph.add_edge(send, UNMODELLED)
    for vpc_id, gateways in estate.igws_of_vpc.items():
        for gateway in gateways:
            graph.add_edge(("gateway", gateway), INTERNET)
            graph.add_edge(INTERNET, ("gateway-in", gateway))
            graph.add_edge(("gateway-in", gateway), ("vpc", vpc_id))
    for gateways in estate.eigws_of_vpc.values():
        for gateway in gateways:
            graph.add_edge(("gateway", gateway), INTERNET)
    graph.add_edge(UNMODELLED, INTERNET)
    return graph


class Reach:
    """Cached reachability questions over the estate graph."""

    def __init__(self, estate: Estate) -> None:
        self.graph = estate_graph(estate)
        self._cache: dict[str, frozenset] = {}
        self._senders_cache: dict[tuple, frozenset[str]] = {}

    def reachable_from(self, subnet_id: str) -> frozenset:
        if subnet_id not in self._cache:
            node = ("send", subnet_id)
            self._cache[subnet_id] = frozenset(nx.descendants(self.graph, node)) if node in self.graph else frozenset(
                {UNMODELLED, INTERNET})
        return self._cache[subnet_id]

    def senders_reaching(self, target_subnets: Iterable[str], internet: bool) -> frozenset[str]:
        """The subnets whose packets may get to one of `target_subnets` (or to the internet): one walk
        backwards from the targets, instead of one forward walk per source subnet (each of which, in a
        hub-and-spoke estate, visits the whole graph)."""
        key = (frozenset(target_subnets), internet)
        cached = self._senders_cache.get(key)
        if cached is not None:
            return cached
        start = [("arrive", t) for t in key[0] if ("arrive", t) in self.graph]
        if internet and INTERNET in self.graph:
            start.append(INTERNET)
        seen = set(start)
        queue = deque(start)
        pred = self.graph.pred
        while queue:
            for parent in pred[queue.popleft()]:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        found = frozenset(node[1] for node in seen if isinstance(node, tuple) and node[0] == "send")
        self._senders_cache[key] = found
        return found

    def may_reach_any(self, source_subnet: str, target_subnets: Iterable[str], internet: bool) -> bool:
        """may_reach, answered from senders_reaching (cached per set of targets)."""
        if ("send", source_subnet) not in self.graph:
            return internet  # what reachable_from assumes of a subnet it does not know: the internet
        return source_subnet in self.senders_reaching(target_subnets, internet)

    def may_reach(self, source_subnet: str, target_subnets: set[str], internet: bool) -> bool:
        found = self.reachable_from(source_subnet)
        if internet and INTERNET in found:
            return True
        return any(("arrive", t) in found for t in target_subnets)
