"""Load balancers: a listener takes packets on its port and sends new ones to its targets on theirs.

The engine treats a load balancer whose targets include a destination as a *relay*: packets delivered to
its interfaces (through its security groups, if any) on a listener port continue from the load balancer to
each registered target on the target port, through the load balancer's egress rules, routes, NACLs and
the target's security groups.  An application load balancer speaks from its own addresses; a network load
balancer may preserve the client's address, so both are kept as possible sources.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import ip_address
from typing import Optional

from zonecheck.engine.classes import EndpointClass, relay_classes
from zonecheck.engine.estate import Estate
from zonecheck.engine.addresses import ALL_ADDRESSES, V4_ALL, V6_ALL, of_addresses
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.packets import ALL_PORTS, Box
from zonecheck.engine.span_index import SpanIndex
from zonecheck.model import LoadBalancer, LoadBalancerListener, TargetGroup
from zonecheck.model.security import TCP, UDP

_LISTENER_PROTOCOLS = {"HTTP": (TCP,), "HTTPS": (TCP,), "TCP": (TCP,), "TLS": (TCP,), "SSL": (TCP,),
                       "UDP": (UDP,), "TCP_UDP": (TCP, UDP)}


@dataclass(frozen=True)
class Forward:
    """One listener -> target-group mapping of a relay, for the target classes of one IP version."""

    listener: LoadBalancerListener
    protocols: tuple[int, ...]
    group: TargetGroup
    target: EndpointClass
    """The first target class it was found for (merged forwards serve several)."""
    addresses: IntervalSet
    """The target classes' addresses this load balancer sends to."""
    port: int
    doubt: Optional[str] = None


@dataclass(frozen=True)
class Relay:
    balancer: LoadBalancer
    interfaces: tuple[EndpointClass, ...]
    forwards: tuple[Forward, ...]
    preserves_client: bool


def listener_protocols(listener: LoadBalancerListener) -> tuple[int, ...]:
    return _LISTENER_PROTOCOLS.get(listener.protocol.upper(), (TCP,))


def find_relays(estate: Estate, targets: list[EndpointClass]) -> list[Relay]:
    """Load balancers that forward to some of `targets`."""
    if not estate.snapshot.load_balancers or not targets:
        return []
    groups = {g.id: g for g in estate.snapshot.target_groups}
    # Which target classes hold a registered target, by interface id and by owner (instance) id: registered
    # targets are looked up, never compared with every class (nor is every class filed: a zone may hold
    # 100,000 interfaces and the balancers a few hundred targets).
    registered = {t.target_id for g in estate.snapshot.target_groups for t in g.targets}
    classes_of: dict[str, list[EndpointClass]] = {}
    for target in targets:
        for endpoint_id in target.endpoint_ids:
            if endpoint_id in registered:
                classes_of.setdefault(endpoint_id, []).append(target)
            endpoint = estate.endpoints.get(endpoint_id)
            owner = endpoint.owner_id if endpoint is not None else None
            if owner is not None and owner != endpoint_id and owner in registered:
                classes_of.setdefault(owner, []).append(target)
    by_address = _AddressIndex(targets)
    relays: list[Relay] = []
    for balancer in estate.snapshot.load_balancers:
        forwards: list[Forward] = []
        for listener in balancer.listeners:
            for group_id in listener.target_group_ids:
                group = groups.get(group_id)
                if group is None:
                    continue
                forwards.extend(_forwards(estate, listener, group, targets, balancer, classes_of, by_address))
        if not forwards:
            continue
        forwards = _merged(forwards)
        interfaces = [e for e in estate.interfaces_of_owner.get(balancer.id, ()) if e.kind == "load-balancer"]
        relays.append(Relay(balancer, tuple(relay_classes(estate, interfaces)), tuple(forwards),
                            preserves_client=balancer.kind == "network"))
    return relays


def _merged(forwards: list[Forward]) -> list[Forward]:
    """One forward per (listener, target group, port, IP version) with all its targets' addresses: the
    packets leaving the balancer are the same whichever target class they are for (and a box never mixes
    IPv4 with IPv6)."""
    merged: dict[tuple, Forward] = {}
    for forward in forwards:
        for family in (V4_ALL, V6_ALL):
            addresses = forward.addresses & family
            if not addresses:
                continue
            key = (id(forward.listener), forward.protocols, forward.group.id, forward.port, forward.doubt, family.first())
            seen = merged.get(key)
            merged[key] = replace(forward, addresses=addresses) if seen is None else \
                replace(seen, addresses=seen.addresses | addresses)
    return list(merged.values())


class _AddressIndex:
    """Target classes by address, built the first time an `ip` target group asks."""

    def __init__(self, targets: list[EndpointClass]) -> None:
        self._targets = targets
        self._index: Optional[SpanIndex[EndpointClass]] = None

    def holding(self, addresses: IntervalSet) -> list[EndpointClass]:
        if self._index is None:
            self._index = SpanIndex([(t.private, t) for t in self._targets])
        return self._index.meeting(addresses)


def _forwards(estate: Estate, listener: LoadBalancerListener, group: TargetGroup, targets: list[EndpointClass],
              balancer: LoadBalancer, classes_of: dict[str, list[EndpointClass]],
              by_address: _AddressIndex) -> list[Forward]:
    out: list[Forward] = []
    protocols = listener_protocols(listener)
    default_port = group.port or listener.port or 0
    if not group.targets_known:
        # Registered targets unknown (an autoscaling group registers them): any target in the balancer's VPC
        # might be one.
        for target in targets:
            if balancer.vpc_id is None or target.vpc_id == balancer.vpc_id:
                out.append(Forward(listener, protocols, group, target, target.private, default_port,
                                   doubt=f"targets of {group.name or group.id} are not in the source"))
        return out
    for registered in group.targets:
        port = registered.port or default_port
        if group.target_type == "ip":
            address = _ip_target(registered.target_id)
            found = [(target, target.private & address) for target in by_address.holding(address)]
        else:
            found = [(target, _instance_addresses(estate, registered.target_id, target))
                     for target in {t.key: t for t in classes_of.get(registered.target_id, ())}.values()]
        out.extend(Forward(listener, protocols, group, target, addresses, port) for target, addresses in found
                   if addresses)
    return out


def _ip_target(target_id: str) -> IntervalSet:
    """The address an `ip` target group registers (nothing, if it is not an address)."""
    try:
        return of_addresses([ip_address(target_id)])
    except ValueError:
        return EMPTY


def _instance_addresses(estate: Estate, target_id: str, target: EndpointClass) -> IntervalSet:
    """The addresses of `target`'s interfaces that an instance (or interface) target registers."""
    hit = EMPTY
    for endpoint_id in target.endpoint_ids:
        endpoint = estate.endpoints.get(endpoint_id)
        if endpoint is not None and target_id in (endpoint.owner_id, endpoint.id):
            hit = hit | (estate.private_addresses(endpoint) & target.private)
    return hit


def listener_boxes(estate: Estate, targets: list[EndpointClass]) -> dict[str, tuple[str, list[Box]]]:
    """For target classes made of load-balancer interfaces: (the balancer, the (protocol, port) boxes its
    listeners accept)."""
    balancers = {b.id: b for b in estate.snapshot.load_balancers}
    out: dict[str, tuple[str, list[Box]]] = {}
    for target in targets:
        owners = {estate.endpoints[e].owner_id for e in target.endpoint_ids
                  if e in estate.endpoints and estate.endpoints[e].kind == "load-balancer"}
        if not owners or len(owners) != 1 or len(owners) != len(
                {estate.endpoints[e].owner_id for e in target.endpoint_ids if e in estate.endpoints}):
            continue
        balancer = balancers.get(next(iter(owners)) or "")
        if balancer is None:
            continue  # listeners unknown: the interface is treated like any other
        boxes = []
        for listener in balancer.listeners:
            ports = IntervalSet.single(listener.port, listener.port) if listener.port else ALL_PORTS
            for protocol in listener_protocols(listener):
                boxes.append(Box(ALL_ADDRESSES, ALL_ADDRESSES, IntervalSet.single(protocol, protocol), ports))
        out[target.key] = (balancer.id, boxes)
    return out
