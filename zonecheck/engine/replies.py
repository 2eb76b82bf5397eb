"""Would the reply come back?  SPEC §4: `no-access` is about the forward direction, but a witness says
when the reply would be dropped, because an auditor reads "the SYN arrives, the SYN-ACK does not" very
differently from an open path.

Security groups are stateful (replies always pass); network ACLs are stateless, so the reply meets the
destination subnet's outbound ACL and the source subnet's inbound ACL, on the source's ephemeral ports;
and the destination subnet needs a route back to the source.
"""

from __future__ import annotations

from typing import Optional

from zonecheck.engine.classes import EndpointClass
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Flow
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.nacls import nacl_filter
from zonecheck.engine.packets import Box
from zonecheck.engine.routing import lpm_split
from zonecheck.model import TCP, UDP

EPHEMERAL = IntervalSet.single(1024, 65535)
"""Ports a client picks for its side of a connection (Linux uses 32768-60999, Windows 49152-65535; AWS's
NACL guidance is 1024-65535)."""


def reply_note(estate: Estate, flow: Flow, source: Optional[EndpointClass], target: Optional[EndpointClass]) -> Optional[str]:
    """A sentence when the reply to `flow` would be (partly) dropped, else None."""
    if target is None or source is None or target.key == "on-premises" or source.key == "on-premises":
        return None
    crossing = any(h.step.startswith("nacl") for h in flow.hops)
    box = flow.box
    ports = EPHEMERAL if (box.protocols & IntervalSet([(TCP, TCP), (UDP, UDP)])) else box.ports
    reply = Flow(Box(box.dst, box.src, box.protocols, ports), origin=box.dst)
    problems: list[str] = []
    table = estate.route_table_of(target.subnet_id)
    if table is not None and not flow.rewritten:
        for part, entry, _ in lpm_split(estate, table, box.src):
            if entry is None or entry.route.state == "blackhole" or entry.route.target == "blackhole":
                problems.append(f"{table.id} has no route back to {_first(part)}")
                break
    if crossing:
        for subnet_id, way in ((target.subnet_id, "out"), (source.subnet_id if not flow.rewritten else None, "in")):
            if subnet_id is None:
                continue
            admitted, dropped = nacl_filter(estate, reply, subnet_id, way)  # type: ignore[arg-type]
            if dropped:
                drop = dropped[0]
                scope = "the reply" if not admitted else "part of the reply"
                problems.append(f"{scope} is dropped at nacl-{way} {drop.at} ({drop.reason})")
                if not admitted:
                    break
                reply = admitted[0]
    if not problems:
        return None
    return "the request is delivered, but " + "; ".join(problems)


def _first(part: IntervalSet) -> str:
    from zonecheck.engine.addresses import describe

    return describe(part, limit=2)
