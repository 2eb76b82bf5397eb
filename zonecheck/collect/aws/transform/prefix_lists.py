"""Prefix lists: DescribePrefixLists (`PrefixLists`, AWS-managed service lists with their `Cidrs`),
DescribeManagedPrefixLists (`ManagedPrefixLists`, no entries) and GetManagedPrefixListEntries (`Entries`).

A list whose entries are not in the source keeps `entries=None`: the engine then cannot prove anything
that depends on it, instead of reading it as empty.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional, Sequence

from zonecheck.collect.aws.transform._raw import Item, dicts, get, network, sorted_networks, text
from zonecheck.model import IPNetwork, PrefixList

# AWS-managed lists (com.amazonaws.<region>.s3…) have 8-hex-digit ids; customer-managed ones 17.
_AWS_MANAGED_ID = re.compile(r"pl-[0-9a-f]{8}")


def to_prefix_lists(raw: Iterable[Item], entries: Optional[Mapping[str, Sequence[IPNetwork]]] = None) -> list[PrefixList]:
    """Items of either DescribePrefixLists or DescribeManagedPrefixLists; `entries` from
    `to_prefix_list_entries` fills lists whose items carry no `Cidrs`."""
    entries = entries or {}
    merged: dict[str, PrefixList] = {}
    for item in raw:
        pl_id = text(item, "PrefixListId")
        if pl_id is None:
            continue
        cidrs = get(item, "Cidrs")
        found: Optional[tuple[IPNetwork, ...]] = None
        if isinstance(cidrs, list):
            found = sorted_networks(network(item, c, "Cidrs[]") for c in cidrs)
        elif pl_id in entries:
            found = sorted_networks(entries[pl_id])
        owner, name = text(item, "OwnerId"), text(item, "PrefixListName")
        aws_managed = owner == "AWS" or (name or "").startswith("com.amazonaws.") or looks_aws_managed(pl_id)
        known = merged.get(pl_id)
        if known is not None:  # the same list from both APIs: keep whatever each knows
            found = found if found is not None else known.entries
            name = name or known.name
            aws_managed = aws_managed or known.aws_managed
        merged[pl_id] = PrefixList(id=pl_id, name=name, entries=found, aws_managed=aws_managed)
    return list(merged.values())


def to_prefix_list_entries(raw: Iterable[Item]) -> dict[str, list[IPNetwork]]:
    """`[{"PrefixListId": "pl-…", "Entries": [{"Cidr": …}]}]` (one GetManagedPrefixListEntries result per list)."""
    out: dict[str, list[IPNetwork]] = {}
    for item in raw:
        pl_id = text(item, "PrefixListId")
        if pl_id is None:
            continue
        out.setdefault(pl_id, []).extend(network(item, text(e, "Cidr"), "Entries[].Cidr") for e in dicts(item, item, "Entries"))
    return out


def referenced_prefix_lists(known: Iterable[str], referenced: Iterable[str]) -> list[PrefixList]:
    """Stand-ins, with unknown entries, for lists that rules or routes name but the source does not give."""
    have = set(known)
    return [PrefixList(id=pl_id, entries=None, aws_managed=looks_aws_managed(pl_id))
            for pl_id in sorted(set(referenced)) if pl_id not in have]


def looks_aws_managed(pl_id: str) -> bool:
    return _AWS_MANAGED_ID.fullmatch(pl_id) is not None


__all__ = ["looks_aws_managed", "referenced_prefix_lists", "to_prefix_list_entries", "to_prefix_lists"]
