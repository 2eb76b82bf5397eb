"""Network ACL evaluation: stateless, numbered rules, first match wins, implicit deny at the end."""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal, Optional

from zonecheck.engine.addresses import ALL_ADDRESSES, of_network
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, DropSink, Flow, Hop
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import Box, rule_box
from zonecheck.model import NetworkAcl

Way = Literal["out", "in"]

_Split = tuple[tuple[tuple[Hop, Box], ...], tuple[tuple[Box, str], ...], Optional[str]]
"""(admitted pieces with the entry that allowed each, dropped pieces with why, the ACL id if assumed)."""


class _Compiled:
    """An ACL's entries for one direction, in evaluation order, as packet boxes; and the boundaries their
    peer networks cut the address line at."""

    __slots__ = ("entries", "bounds")

    def __init__(self, acl: NetworkAcl, way: Way) -> None:
        egress = way == "out"
        step = f"nacl-{way}"
        self.entries: list[tuple[Hop, Box, bool, str]] = []
        cuts: set[int] = set()
        for entry in sorted((e for e in acl.entries if e.egress == egress), key=lambda e: e.rule_number):
            peer = of_network(entry.cidr)
            lo, hi = peer.spans[0]
            cuts.update((lo, hi + 1))
            ebox = rule_box(entry, dst=peer) if egress else rule_box(entry, src=peer)
            self.entries.append((Hop(acl.id, step, entry.label()), ebox, entry.action == "allow",
                                 f"denied by {entry.label()}"))
        self.bounds = sorted(cuts)

    def atom(self, peers: IntervalSet) -> Optional[int]:
        """The index of the stretch between two boundaries that holds all of `peers`, if one does: every
        entry then holds all of them or none, so the split does not depend on which addresses they are."""
        first, last = peers.spans[0][0], peers.spans[-1][1]
        position = bisect_right(self.bounds, first)
        return position if bisect_right(self.bounds, last) == position else None


def _compiled(estate: Estate, acl: NetworkAcl, way: Way) -> _Compiled:
    key = ("compiled", acl.id, way)
    cached = estate.nacl_cache.get(key)
    if cached is None:
        cached = estate.nacl_cache[key] = _Compiled(acl, way)
    return cached


def _split(estate: Estate, acl: NetworkAcl, way: Way, box: Box) -> _Split:
    """How the ACL splits one box.

    The same packets meet the same ACL on many paths, from many sources: the split is cached by what the
    entries look at — protocol, port and the peer side (destination going out, source coming in), the
    peer side by its stretch between entry boundaries when it lies in one (the common case: a subnet's
    hosts against /16 and /8 entries) — and the other side is carried through unchanged.
    """
    compiled = _compiled(estate, acl, way)
    outbound = way == "out"
    peers = box.dst if outbound else box.src
    atom = compiled.atom(peers)
    key = (acl.id, way, peers if atom is None else atom, box.protocols, box.ports)
    cached = estate.nacl_cache.get(key)
    if cached is None:
        cached = estate.nacl_cache[key] = _split_entries(compiled, Box(ALL_ADDRESSES, peers, box.protocols, box.ports)
                                                          if outbound else
                                                          Box(peers, ALL_ADDRESSES, box.protocols, box.ports),
                                                          acl.id if acl.assumed else None, atom is not None)
    admitted, dropped, assumed = cached

    def own(piece: Box) -> Box:
        # Put the flow's own addresses back: the entries never cut the other side, nor (within one stretch)
        # this one.
        if outbound:
            return Box(box.src, box.dst if atom is not None else piece.dst, piece.protocols, piece.ports)
        return Box(box.src if atom is not None else piece.src, box.dst, piece.protocols, piece.ports)

    return tuple((hop, own(p)) for hop, p in admitted), tuple((own(p), why) for p, why in dropped), assumed


def _split_entries(compiled: _Compiled, box: Box, assumed: Optional[str], whole: bool) -> _Split:
    admitted: list[tuple[Hop, Box]] = []
    dropped: list[tuple[Box, str]] = []
    remaining: list[Box] = [box]
    for hop, ebox, allow, denial in compiled.entries:
        if not remaining:
            break
        next_remaining: list[Box] = []
        for piece in remaining:
            inter = piece.intersect(ebox)
            if inter is None:
                next_remaining.append(piece)
                continue
            if allow:
                admitted.append((hop, inter))
            else:
                dropped.append((inter, denial))
            if inter != piece:
                next_remaining.extend(piece.subtract(ebox))
        remaining = next_remaining
    dropped.extend((piece, "no rule matches: implicit deny (*)") for piece in remaining)
    return tuple(admitted), tuple(dropped), assumed


def nacl_filter(estate: Estate, flow: Flow, subnet_id: str, way: Way,
                sink: Optional[DropSink] = None) -> tuple[list[Flow], list[Drop]]:
    """Apply the ACL of `subnet_id` to packets leaving it (`out`) or entering it (`in`).

    `sink`: where the dropped parts go (then the returned drop list is empty)."""
    step = f"nacl-{way}"
    acl: Optional[NetworkAcl] = estate.network_acl_of(subnet_id)
    if acl is None:
        doubt = f"network ACL of {subnet_id} is not in the source"
        return [flow.through(Hop(subnet_id, step, "network ACL unknown"), doubt=doubt)], []
    admitted_pieces, dropped_pieces, assumed = _split(estate, acl, way, flow.box)
    admitted = [flow.through(hop, piece, assumed=assumed) for hop, piece in admitted_pieces]
    if sink is not None:
        for piece, reason in dropped_pieces:
            sink.add(flow, piece, acl.id, step, reason, assumed)
        return admitted, []
    return admitted, [Drop.of(flow, piece, acl.id, step, reason, assumed) for piece, reason in dropped_pieces]
