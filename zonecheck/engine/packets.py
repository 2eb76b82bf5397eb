"""Packet sets: boxes of (source addresses × destination addresses × protocols × ports).

A box is a product of four integer sets; a packet set is a list of disjoint boxes.  The port dimension
holds destination ports for tcp/udp and the ICMP type for icmp/icmpv6; for other protocols it is always
full, so a box with restricted ports always has exactly one protocol (rules never restrict ports of
several protocols at once).  This algebra is all the engine needs to follow a packet set through SGs,
NACLs and routes without ever looking at one packet at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from zonecheck.engine.addresses import ALL_ADDRESSES
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.model.security import ALL_PROTOCOLS, PORTED_PROTOCOLS, TYPED_PROTOCOLS, PortSpec

ALL_PROTOCOL_NUMBERS = IntervalSet.single(0, 255)
ALL_PORTS = IntervalSet.single(0, 65535)
ICMP_TYPES = IntervalSet.single(0, 255)


@dataclass(frozen=True, slots=True)
class Box:
    src: IntervalSet
    dst: IntervalSet
    protocols: IntervalSet
    ports: IntervalSet

    def is_empty(self) -> bool:
        return not (self.src and self.dst and self.protocols and self.ports)

    def intersect(self, other: "Box") -> Optional["Box"]:
        # Protocols and ports are single spans almost always: test them first, they fail fastest.
        protocols = self.protocols & other.protocols
        if not protocols:
            return None
        ports = self.ports & other.ports
        if not ports:
            return None
        src = self.src & other.src
        if not src:
            return None
        dst = self.dst & other.dst
        if not dst:
            return None
        return Box(src, dst, protocols, ports)

    def subtract(self, other: "Box") -> list["Box"]:
        """Disjoint boxes covering self minus other (at most four)."""
        inter = self.intersect(other)
        if inter is None:
            return [self]
        out: list[Box] = []
        rest = self.src - other.src
        if rest:
            out.append(Box(rest, self.dst, self.protocols, self.ports))
        rest = self.dst - other.dst
        if rest:
            out.append(Box(inter.src, rest, self.protocols, self.ports))
        rest = self.protocols - other.protocols
        if rest:
            out.append(Box(inter.src, inter.dst, rest, self.ports))
        rest = self.ports - other.ports
        if rest:
            out.append(Box(inter.src, inter.dst, inter.protocols, rest))
        return out

    def with_src(self, src: IntervalSet) -> "Box":
        return Box(src, self.dst, self.protocols, self.ports)

    def with_dst(self, dst: IntervalSet) -> "Box":
        return Box(self.src, dst, self.protocols, self.ports)

    def restrict_src(self, src: IntervalSet) -> Optional["Box"]:
        inter = self.src & src
        return Box(inter, self.dst, self.protocols, self.ports) if inter else None

    def restrict_dst(self, dst: IntervalSet) -> Optional["Box"]:
        inter = self.dst & dst
        return Box(self.src, inter, self.protocols, self.ports) if inter else None


def any_traffic(src: IntervalSet = ALL_ADDRESSES, dst: IntervalSet = ALL_ADDRESSES) -> Box:
    return Box(src, dst, ALL_PROTOCOL_NUMBERS, ALL_PORTS)


def service_sets(spec: PortSpec) -> tuple[IntervalSet, IntervalSet]:
    """(protocols, ports) that a rule or service admits, following EC2's reading of from/to ports."""
    protocol = spec.protocol
    if protocol == ALL_PROTOCOLS:
        return ALL_PROTOCOL_NUMBERS, ALL_PORTS
    protocols = IntervalSet.single(protocol, protocol)
    if protocol in PORTED_PROTOCOLS:
        lo = 0 if spec.from_port is None else spec.from_port
        hi = 65535 if spec.to_port is None else spec.to_port
        return protocols, IntervalSet.single(lo, hi)
    if protocol in TYPED_PROTOCOLS:
        # ICMP type lives in the port dimension; -1 (or None) means every type.  ICMP codes are not
        # modelled: a rule for one code of a type is read as the whole type, which over-approximates
        # what is allowed (never hides a path).
        if spec.from_port is None or spec.from_port == -1:
            return protocols, ALL_PORTS
        return protocols, IntervalSet.single(spec.from_port, spec.from_port)
    return protocols, ALL_PORTS


def rule_box(spec: PortSpec, *, src: IntervalSet = ALL_ADDRESSES, dst: IntervalSet = ALL_ADDRESSES) -> Box:
    protocols, ports = service_sets(spec)
    return Box(src, dst, protocols, ports)


def subtract_all(boxes: list[Box], cut: Iterable[Box]) -> list[Box]:
    """Disjoint boxes covering `boxes` minus every box of `cut`: each cut box is subtracted from every piece
    in turn, stopping early once nothing is left."""
    for other in cut:
        if not boxes:
            break
        rest: list[Box] = []
        for box in boxes:
            rest.extend(box.subtract(other))
        boxes = rest
    return boxes


__all__ = ["ALL_PORTS", "ALL_PROTOCOL_NUMBERS", "Box", "EMPTY", "ICMP_TYPES", "any_traffic", "rule_box",
           "service_sets", "subtract_all"]
