"""Managed prefix lists: those the state defines, and stand-ins for those it only references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.model import IPNetwork, PrefixList

# AWS-managed lists (com.amazonaws.<region>.s3, .dynamodb, cloudfront.origin-facing…) have the short,
# 8-hex-digit ids of the original API; lists created with CreateManagedPrefixList get 17 hex digits.
_AWS_MANAGED_ID = re.compile(r"pl-[0-9a-f]{8}")


@dataclass
class PrefixLists:
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_prefix_lists(resources: ByType) -> PrefixLists:
    result = PrefixLists()
    catalog: Catalog[PrefixList] = Catalog()
    for res in of_types(resources, "aws_ec2_managed_prefix_list"):
        a = Attrs(res)
        pl_id = a.text("id")
        if pl_id is None:
            result.findings.unknown(res, "id", "not in the source; the prefix list is skipped")
            continue
        entries = [entry.parse_network("cidr", entry.text("cidr") or "") for entry in a.blocks("entry") if entry.has("cidr")]
        catalog.add(pl_id, a.make(PrefixList, id=pl_id, name=a.text("name"), entries=_sorted(entries)), res)
    lists = dict(catalog.items())
    for res in of_types(resources, "aws_ec2_managed_prefix_list_entry"):
        a = Attrs(res)
        pl_id, cidr = a.text("prefix_list_id"), a.network("cidr")
        plist = lists.get(pl_id or "")
        if plist is None or cidr is None:
            # Entries of a list that is not in the source: knowing some of them is not knowing the list.
            result.findings.notes.append(f"{res.address}: entry {cidr} of {pl_id}, which is not in the source")
            continue
        lists[plist.id] = plist.model_copy(update={"entries": _sorted([*(plist.entries or ()), cidr])})
    result.prefix_lists = lists
    return result


def referenced_prefix_lists(known: dict[str, PrefixList], referenced: Iterable[str]) -> list[PrefixList]:
    """Stand-ins, with unknown entries, for lists that rules or routes name but the source does not define."""
    return [PrefixList(id=pl_id, entries=None, aws_managed=looks_aws_managed(pl_id))
            for pl_id in sorted(set(referenced)) if pl_id not in known]


def looks_aws_managed(pl_id: str) -> bool:
    return _AWS_MANAGED_ID.fullmatch(pl_id) is not None


def _sorted(entries: Iterable[IPNetwork]) -> tuple[IPNetwork, ...]:
    unique = set(entries)
    return tuple(sorted(unique, key=lambda n: (n.version, n)))


__all__ = ["PrefixLists", "looks_aws_managed", "referenced_prefix_lists", "to_prefix_lists"]
