"""A flow is a packet set on its way through the estate, with the hops that admitted it so far."""

from __future__ import annotations

from dataclasses import dataclass, field
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
        # Direct construction: this runs for every hop of every walk (dataclasses.replace costs 3x more).
        return Flow(new_box, origin, self.hops + (hop,),
                    self.doubts + ((doubt,) if doubt and doubt not in self.doubts else ()),
                    self.assumed | {assumed} if assumed else self.assumed, self.rewritten, partial)

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
        return Flow(box, origin, self.hops, self.doubts, self.assumed, self.rewritten, partial)

    def rewrite_source(self, src: IntervalSet, hop: Hop) -> "Flow":
        return Flow(self.box.with_src(src), self.origin, self.hops + (hop,), self.doubts, self.assumed, True,
                    self.partial_origin)

    def with_doubt(self, doubt: str) -> "Flow":
        if doubt in self.doubts:
            return self
        return Flow(self.box, self.origin, self.hops, self.doubts + (doubt,), self.assumed, self.rewritten,
                    self.partial_origin)

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


class DropSink:
    """Where a walk puts the packets it stops.

    `access` assertions and `explain` need every drop (to say where a required flow dies); the others need
    only to know which resources the packets touched (so that an incomplete or unknown part there keeps a
    `pass` from standing: see check._global_doubts), which costs a set insertion instead of a Drop.
    """

    __slots__ = ("keep", "items", "touched", "assumed")

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.items: list[Drop] = []
        self.touched: set[str] = set()
        self.assumed: set[str] = set()
        """Assumed defaults a drop rested on (for --strict), when the drops are not kept."""

    def add(self, flow: Flow, box: Box, at: str, step: str, reason: str, assumed: Optional[str] = None) -> None:
        if self.keep:
            self.items.append(Drop.of(flow, box, at, step, reason, assumed))
            return
        self.touch(flow, at)
        if assumed:
            self.assumed.add(assumed)

    def touch(self, flow: Flow, at: str = "") -> None:
        """Packets of `flow` got as far as `at` (whatever happens to them next), resting on what it assumed."""
        touched = self.touched
        if at:
            touched.add(at)
        for hop in flow.hops:
            touched.add(hop.at)
        if flow.assumed:
            self.assumed.update(flow.assumed)
