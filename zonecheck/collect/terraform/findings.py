"""What the transforms learn besides records: gaps, assumptions, unsupported constructs.

Also `Catalog`, the one place where "the same id defined twice" is decided: identical definitions
merge silently (two stacks that both read the default VPC), different ones are an error naming both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Iterator, Mapping, Optional, Sequence, TypeVar

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.reader import HIDDEN_REASONS, TfResource
from zonecheck.model import Incomplete, UnknownValue, Unsupported

T = TypeVar("T")

ByType = Mapping[str, Sequence[TfResource]]
"""The resource stream grouped by resource type: what every transform takes."""


def of_types(resources: ByType, *types: str) -> list[TfResource]:
    return [res for rtype in types for res in resources.get(rtype, ())]


@dataclass
class Findings:
    incomplete: list[Incomplete] = field(default_factory=list)
    unknowns: list[UnknownValue] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def missing(self, family: str, scope: str, reason: str) -> None:
        self.incomplete.append(Incomplete(family=family, scope=scope, reason=reason))

    def unknown(self, res: TfResource, attribute: str, reason: str = "not in the source", *,
                resource: Optional[str] = None) -> None:
        """An attribute whose value the source does not give.

        `resource` is the id the engine cites in its hops (a security group, network ACL or route table id),
        so that every path through it is possible, not certain; it defaults to the Terraform address.  In a
        plan, "not in the source" becomes why the value is missing (known only after apply, sensitive).
        """
        from zonecheck.collect.terraform.plan import hidden_at

        leaf = hidden_at(res.hidden, attribute) if res.hidden else None
        if leaf is not None and reason.startswith("not in the source"):
            reason = HIDDEN_REASONS[leaf] + reason.removeprefix("not in the source")
        if resource is None or resource == res.address:
            self.unknowns.append(UnknownValue(resource=res.address, attribute=attribute, reason=f"{reason} ({res.file})"))
            return
        own = resource == res.attributes.get("id")
        self.unknowns.append(UnknownValue(resource=resource, attribute=attribute if own else f"{res.address}.{attribute}",
                                          reason=f"{reason} ({res.address} in {res.file})"))

    def unsupported_resource(self, res: TfResource, reason: str) -> None:
        self.unsupported.append(Unsupported(resource=res.address, kind=res.type, reason=f"{reason} ({res.file})"))

    def extend(self, other: "Findings") -> None:
        self.incomplete += other.incomplete
        self.unknowns += other.unknowns
        self.unsupported += other.unsupported
        self.assumptions += other.assumptions
        self.notes += other.notes


class Catalog(Generic[T]):
    """Records by id, remembering which resource defined each one."""

    def __init__(self, what: str = "") -> None:
        self._items: dict[str, tuple[T, TfResource]] = {}
        self._what = what
        """How to name a key in an error, e.g. "the route table association of "."""

    def add(self, key: str, record: T, res: TfResource) -> None:
        seen = self._items.get(key)
        if seen is None:
            self._items[key] = (record, res)
        elif seen[0] != record:
            raise CollectError(_conflict(self._what + key, seen[1], res))

    def get(self, key: Optional[str]) -> Optional[T]:
        item = self._items.get(key) if key else None
        return item[0] if item else None

    def origin(self, key: str) -> Optional[TfResource]:
        item = self._items.get(key)
        return item[1] if item else None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def records(self) -> list[T]:
        return [record for record, _ in self._items.values()]

    def items(self) -> list[tuple[str, T]]:
        return [(key, record) for key, (record, _) in self._items.items()]


def _conflict(key: str, first: TfResource, second: TfResource) -> str:
    if first.file == second.file:
        return (f"{first.file}: {first.address} and {second.address} both define {key} with different content; "
                "refresh the state (`terraform apply -refresh-only`) and pass it again")
    if first.source_kind != second.source_kind:
        plan, state = (first, second) if first.source_kind == "plan" else (second, first)
        return (f"{plan.file} (a plan) and {state.file} (a state) both define {key} with different content "
                f"({plan.address} / {state.address}); a plan already holds the state it changes: pass the plan "
                "without its own state")
    return (f"{first.file} and {second.file} both define {key} with different content "
            f"({first.address} / {second.address}); pass states of distinct stacks, refreshed at the same time")


__all__ = ["ByType", "Catalog", "Findings", "of_types"]
