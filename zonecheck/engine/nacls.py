"""Network ACL evaluation: stateless, numbered rules, first match wins, implicit deny at the end."""

from __future__ import annotations

from typing import Literal, Optional

from zonecheck.engine.addresses import of_network
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, Flow, Hop
from zonecheck.engine.packets import Box, rule_box
from zonecheck.model import NetworkAcl

Way = Literal["out", "in"]


def nacl_filter(estate: Estate, flow: Flow, subnet_id: str, way: Way) -> tuple[list[Flow], list[Drop]]:
    """Apply the ACL of `subnet_id` to packets leaving it (`out`) or entering it (`in`)."""
    step = f"nacl-{way}"
    acl: Optional[NetworkAcl] = estate.network_acl_of(subnet_id)
    if acl is None:
        doubt = f"network ACL of {subnet_id} is not in the source"
        return [flow.through(Hop(subnet_id, step, "network ACL unknown"), doubt=doubt)], []
    egress = way == "out"
    entries = sorted((e for e in acl.entries if e.egress == egress), key=lambda e: e.rule_number)
    assumed = acl.id if acl.assumed else None
    admitted: list[Flow] = []
    dropped: list[Drop] = []
    remaining: list[Box] = [flow.box]
    for entry in entries:
        if not remaining:
            break
        peer = of_network(entry.cidr)
        ebox = rule_box(entry, dst=peer) if egress else rule_box(entry, src=peer)
        next_remaining: list[Box] = []
        for piece in remaining:
            inter = piece.intersect(ebox)
            if inter is None:
                next_remaining.append(piece)
                continue
            if entry.action == "allow":
                admitted.append(flow.through(Hop(acl.id, step, entry.label()), inter, assumed=assumed))
            else:
                dropped.append(Drop.of(flow, inter, acl.id, step, f"denied by {entry.label()}", assumed))
            next_remaining.extend(piece.subtract(ebox))
        remaining = next_remaining
    for piece in remaining:
        dropped.append(Drop.of(flow, piece, acl.id, step, "no rule matches: implicit deny (*)", assumed))
    return admitted, dropped
