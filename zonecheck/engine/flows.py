"""A flow is a packet set on its way through the estate, with the hops that admitted it so far."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import Box


@dataclass(frozen=True, slots=True)
class Hop:
    at: str
    """The resource that decided (sg-…, rtb-…, acl-…, igw-…, nat-…, pcx-…)."""
    step: str
    """sg-egress, route, nacl-out, peering, nat, igw, internet, nacl-in, sg-ingress, unsupported…"""
    rule: str
    """The rule, entry or route that let the packets through, in the words a user can find it by."""

    def as_dict(self) -> dict[str, str]:
        return {"at": self.at, "step": self.step, "rule": self.rule}


@dataclass(frozen=True, slots=True)
class Flow:
    box: Box
    origin: IntervalSet
    """Source addresses as the source endpoint sent them (before any public IP or NAT rewrite)."""
    hops: tuple[Hop, ...] = ()
    doubts: tuple[str, ...] = ()
    """Why this flow might not exist as shown (unknown value, unsupported construct…): empty = certain."""
    assumed: frozenset[str] = field(default_factory=frozenset)
    """Resources on the way whose content was assumed (AWS defaults), for --strict."""
    rewritten: bool = False
    """The source address was rewritten on the way (public IP, NAT)."""
    partial_origin: bool = False
    """After a rewrite, later steps kept only part of the new source: which original sources remain is not tracked."""

    def through(self, hop: Hop, box: Optional[Box] = None, *, doubt: Optional[str] = None,
                assumed: Optional[str] = None) -> "Flow":
        new_box = self.box if box is None else box
        origin = self.origin
        partial = self.partial_origin
        if box is not None and box.src != self.box.src:
            if self.rewritten:
                partial = True
            else:
                origin = origin & box.src
        return replace(
            self,
            box=new_box,
            origin=origin,
            hops=self.hops + (hop,),
            doubts=self.doubts + ((doubt,) if doubt and doubt not in self.doubts else ()),
            assumed=self.assumed | {assumed} if assumed else self.assumed,
            partial_origin=partial,
        )

    def through_box(self, box: Box) -> "Flow":
        """The same flow narrowed to `box` (no decision was taken, so no hop is recorded)."""
        if box is self.box:
            return self
        origin = self.origin
        partial = self.partial_origin
        if box.src != self.box.src:
            if self.rewritten:
                partial = True
            else:
                origin = origin & box.src
        return replace(self, box=box, origin=origin, partial_origin=partial)

    def rewrite_source(self, src: IntervalSet, hop: Hop) -> "Flow":
        return replace(self, box=self.box.with_src(src), hops=self.hops + (hop,), rewritten=True)

    def with_doubt(self, doubt: str) -> "Flow":
        if doubt in self.doubts:
            return self
        return replace(self, doubts=self.doubts + (doubt,))

    @property
    def certain(self) -> bool:
        return not self.doubts


@dataclass(frozen=True, slots=True)
class Drop:
    """Packets stopped at a hop, kept so `access` assertions can say where a required flow dies."""

    box: Box
    origin: IntervalSet
    hops: tuple[Hop, ...]
    at: str
    step: str
    reason: str
    assumed: frozenset[str] = frozenset()

    @staticmethod
    def of(flow: Flow, box: Box, at: str, step: str, reason: str, assumed: Optional[str] = None) -> "Drop":
        origin = flow.origin if flow.rewritten else flow.origin & box.src
        return Drop(box, origin, flow.hops, at, step, reason, flow.assumed | {assumed} if assumed else flow.assumed)
