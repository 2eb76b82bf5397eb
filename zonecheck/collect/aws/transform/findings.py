"""What transforms learn besides records: gaps, unsupported constructs, assumptions, remarks.

Transforms take an optional `Findings` to add to; without one, what they learn is dropped (handy in tests
that only look at the records).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.model import Incomplete, Unsupported


@dataclass
class Findings:
    incomplete: list[Incomplete] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def missing(self, family: str, scope: str, reason: str) -> None:
        self.incomplete.append(Incomplete(family=family, scope=scope, reason=reason))

    def unsupported_construct(self, resource: str, kind: str, reason: str) -> None:
        self.unsupported.append(Unsupported(resource=resource, kind=kind, reason=reason))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def extend(self, other: "Findings") -> None:
        self.incomplete += other.incomplete
        self.unsupported += other.unsupported
        self.assumptions += other.assumptions
        self.notes += other.notes


def ensure(findings: Optional[Findings]) -> Findings:
    return findings if findings is not None else Findings()


__all__ = ["Findings", "ensure"]
