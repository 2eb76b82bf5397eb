"""What the engine concludes: verdicts and witnesses, independent of any output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from zonecheck.engine.flows import Hop
from zonecheck.model import SourceInfo

Verdict = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class EndpointRef:
    id: str
    """An interface id (or the class's first one), `internet`, or a zone-level label."""
    address: str
    endpoints: tuple[str, ...] = ()
    seen_as: Optional[str] = None
    """How the destination saw the source when an address was rewritten on the way (public IP, NAT)."""
    networks: tuple[str, ...] = ()
    """Exactly the addresses of this side of the witness, as CIDRs (empty for "any internet address")."""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "address": self.address}
        if self.networks and (len(self.networks) > 1 or
                              self.networks[0] not in (self.address, self.address + "/32", self.address + "/128")):
            out["networks"] = list(self.networks)
        if len(self.endpoints) > 1:
            out["endpoints"] = list(self.endpoints)
        if self.seen_as:
            out["seen_as"] = self.seen_as
        return out


@dataclass(frozen=True)
class Witness:
    source: EndpointRef
    target: EndpointRef
    protocol: str
    """tcp, udp, icmp, icmpv6 or any."""
    port_range: Optional[tuple[int, int]]
    path: tuple[Hop, ...]
    certain: bool = True
    doubts: tuple[str, ...] = ()
    detail: Optional[str] = None
    """Extra precision: ICMP types, the protocol numbers behind `any`."""
    dropped_at: Optional[Hop] = None
    """For `access` assertions: the hop that drops the required flow."""
    reply: Optional[str] = None
    """Set when the reply would be dropped (stateless NACLs, no route back): SPEC §4 asks to say so."""

    def service(self) -> str:
        if self.port_range is None:
            return self.protocol + (f" ({self.detail})" if self.detail else "")
        lo, hi = self.port_range
        return f"{self.protocol}/{lo}" if lo == hi else f"{self.protocol}/{lo}-{hi}"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "from": self.source.as_dict(),
            "to": self.target.as_dict(),
            "protocol": self.protocol,
            "port_range": list(self.port_range) if self.port_range else None,
            "path": [h.as_dict() for h in self.path],
        }
        if self.detail:
            out["detail"] = self.detail
        if not self.certain:
            out["certain"] = False
            out["doubts"] = list(self.doubts)
        if self.dropped_at is not None:
            out["dropped_at"] = self.dropped_at.as_dict()
        if self.reply:
            out["reply"] = self.reply
        return out


@dataclass(frozen=True)
class AssertionResult:
    name: str
    from_zone: str
    to_zone: str
    expect: str
    """Label of the expectation: `no-access`, `only tcp/5432`, `access tcp/5432`."""
    expect_kind: str
    result: Verdict
    controls: tuple[str, ...] = ()
    witnesses: tuple[Witness, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why the verdict is `unknown`, or notes a reader needs (e.g. assumptions it rests on)."""
    description: Optional[str] = None
    truncated: int = 0
    notes: tuple[str, ...] = ()
    """For `explain`: where the packets that were not delivered stopped."""
    """How many further witnesses were left out of the report."""


@dataclass(frozen=True)
class CheckResult:
    result: Verdict
    assertions: tuple[AssertionResult, ...]
    source: SourceInfo
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    strict: bool = False
    policy: Optional[str] = None
    """The policy file the assertions come from (reports point at it)."""


def overall(verdicts: list[Verdict]) -> Verdict:
    if "fail" in verdicts:
        return "fail"
    if "unknown" in verdicts:
        return "unknown"
    return "pass"
