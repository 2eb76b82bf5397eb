"""Hostile versions of real input files: JSON-path mutations, truncations and hand-picked poison values.

Everything here is pure (documents in, documents or bytes out) so the same mutations drive the snapshot, the
Terraform and the policy fuzzers, through the Python APIs and through the command line.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterator

from hypothesis import strategies as st

JsonPath = tuple[Any, ...]
"""Keys (str) and list positions (int) from the document root."""

MISSING = "zz-missing-0"
"""Suffix of ids that name nothing in the estate (references to missing resources)."""

HUGE_NUMBERS: list[Any] = [1e308, -1e308, 2**70, -(2**70), -1, 0, 65535, 65536, 70000, -70000, 2**31, 2**63,
                           float("inf"), float("-inf"), float("nan"), 1.5, 22.0]
"""Huge, negative, out-of-range (ports > 65535) and non-finite numbers (Python's json writes NaN/Infinity)."""

BAD_CIDRS = ["10.0.0.0/33", "::/129", "300.1.1.1/24", "10.0.0.1/16", "10.0.0.0/-1", "10.0.0.0/", "/16",
             "fe80::1%eth0/64", "10.0.0.0/8/8", "0x0a000000/8", "10.0.0.0 /8", "１０.0.0.0/8", "::ffff:10.0.0.1/200"]
"""CIDRs AWS would refuse: prefix too long, octet > 255, host bits set, scoped IPv6, non-ASCII digits…"""

BAD_TEXT = ["", " ", "\x00", "a\nb", "a\rb", "\x1b[2J\x1b[31mRED", "\u2028", "\ud800", "../../../../etc/passwd",
            "/etc/passwd", "file:///etc/passwd", "@/etc/passwd", "${file(\"/etc/passwd\")}", "$(touch MARKER)",
            "x" * 10_000, "-1", "all", "tcp", "0.0.0.0/0", "::/0", "null", "true", "{}", "[]"]
"""Empty, control characters, a lone surrogate, path-like and shell-like strings, a very long value."""

POISON: list[Any] = [*HUGE_NUMBERS, *BAD_CIDRS, *BAD_TEXT, None, True, False, [], {}, [None], [{}], {"": None}]


# -- walking and editing documents ----------------------------------------------------------------------------


def paths(doc: Any, prefix: JsonPath = (), limit: int = 200_000) -> list[JsonPath]:
    """Every path below the root (not the root itself), depth first, iteratively."""
    found: list[JsonPath] = []
    stack: list[tuple[Any, JsonPath]] = [(doc, prefix)]
    while stack and len(found) < limit:
        value, here = stack.pop()
        if here != prefix:
            found.append(here)
        if isinstance(value, dict):
            stack.extend((child, (*here, key)) for key, child in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((child, (*here, i)) for i, child in reversed(list(enumerate(value))))
    return found


def get(doc: Any, path: JsonPath) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def replaced(doc: Any, path: JsonPath, value: Any) -> Any:
    """A deep copy of `doc` with the value at `path` replaced."""
    if not path:
        return value
    out = copy.deepcopy(doc)
    get(out, path[:-1])[path[-1]] = value
    return out


def deleted(doc: Any, path: JsonPath) -> Any:
    out = copy.deepcopy(doc)
    parent = get(out, path[:-1])
    del parent[path[-1]]
    return out


def type_swaps(value: Any) -> list[Any]:
    """The same value as every other JSON type (string <-> number <-> list <-> object <-> null <-> bool)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)[:200]
    candidates = [text, 0, 1, -1, 2**70, 1e308, [value], {"value": value}, None, True, False, [], {}]
    if isinstance(value, str):
        digits = "".join(c for c in value if c.isdigit())[:18]
        candidates.append(int(digits) if digits else 7)
    same_type = type(value)
    return [c for c in candidates if type(c) is not same_type or c == {} or c == []]


def id_like(value: Any) -> bool:
    """`vpc-0abc`, `subnet-…`, `sg-…`: strings that reference another resource."""
    return isinstance(value, str) and "-" in value and value.split("-", 1)[0].isalpha() and " " not in value


def deep_nesting(depth: int) -> str:
    """JSON text `depth` levels deep, alternating arrays and objects (never built as a Python object)."""
    return ('[{"a":' * (depth // 2)) + "0" + ("}]" * (depth // 2))


def with_raw_value(doc: Any, path: JsonPath, raw_json: str) -> str:
    """The document as JSON text with the value at `path` replaced by `raw_json`, spliced in as text."""
    marker = "\u0001ZC-SPLICE\u0001"
    return json.dumps(replaced(doc, path, marker)).replace(json.dumps(marker), raw_json, 1)


def truncate_and_close(text: str, cut: int) -> str:
    """`text[:cut]`, cut back to the last complete element and closed so that it parses again.

    What a crashed writer plus a naive repair give: valid JSON holding only a prefix of the document, a
    state that "still parses" but has lost whatever came after the cut.
    """
    head = text[:cut]
    in_string = escaped = False
    safe = 0  # after an opening bracket or a closing one, or just before a comma: outside any string
    for i, ch in enumerate(head):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{]}":
            safe = i + 1
        elif ch == ",":
            safe = i
    body = head[:safe]
    return body + _closers(body)


def _closers(text: str) -> str:
    stack: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}" and stack:
            stack.pop()
    return "".join(reversed(stack))


# -- hypothesis strategies ---------------------------------------------------------------------------------------


@st.composite
def mutated_document(draw: st.DrawFn, doc: Any, path_list: list[JsonPath] | None = None) -> tuple[str, Any]:
    """(what was done, the mutated document) for one structural or value mutation of `doc`."""
    all_paths = path_list if path_list is not None else paths(doc)
    path = draw(st.sampled_from(all_paths))
    value = get(doc, path)
    kind = draw(st.sampled_from(["type", "poison", "delete", "duplicate", "missing-ref", "empty-container"]))
    if kind == "type":
        new = draw(st.sampled_from(type_swaps(value)))
        return f"type swap at {list(path)}: {new!r:.60}", replaced(doc, path, new)
    if kind == "poison":
        new = draw(st.sampled_from(POISON))
        return f"poison at {list(path)}: {new!r:.60}", replaced(doc, path, new)
    if kind == "delete":
        return f"delete {list(path)}", deleted(doc, path)
    if kind == "duplicate":
        # Duplicate the nearest list element on the path (duplicate ids, duplicate rules…).
        for cut in range(len(path), 0, -1):
            parent = get(doc, path[: cut - 1])
            if isinstance(parent, list):
                out = copy.deepcopy(doc)
                get(out, path[: cut - 1]).insert(path[cut - 1], copy.deepcopy(parent[path[cut - 1]]))
                return f"duplicate {list(path[:cut])}", out
        return f"poison (no list) at {list(path)}", replaced(doc, path, None)
    if kind == "missing-ref":
        refs = [p for p in all_paths if id_like(get(doc, p))]
        if refs:
            ref = draw(st.sampled_from(refs))
            prefix = get(doc, ref).split("-", 1)[0]
            return f"dangling reference at {list(ref)}", replaced(doc, ref, f"{prefix}-{MISSING}")
        return "no references", doc
    # empty-container
    containers = [p for p in all_paths if isinstance(get(doc, p), (list, dict)) and get(doc, p)]
    if containers:
        where = draw(st.sampled_from(containers))
        empty: Any = [] if isinstance(get(doc, where), list) else {}
        return f"emptied {list(where)}", replaced(doc, where, empty)
    return "nothing to empty", doc


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes) -> tuple[str, bytes]:
    """Byte-level damage to a file: truncation, a NUL, invalid UTF-8, a flipped byte, an inserted bracket."""
    kind = draw(st.sampled_from(["truncate", "nul", "not-utf8", "flip", "insert", "bom", "repeat-tail"]))
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if kind == "truncate":
        return f"truncated at byte {at}", raw[:at]
    if kind == "nul":
        return f"NUL at byte {at}", raw[:at] + b"\x00" + raw[at:]
    if kind == "not-utf8":
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
        return f"invalid UTF-8 {junk!r} at byte {at}", raw[:at] + junk + raw[at:]
    if kind == "flip":
        byte = draw(st.integers(0, 255))
        return f"byte {at} set to {byte}", raw[:at] + bytes([byte]) + raw[at + 1:]
    if kind == "insert":
        junk = draw(st.sampled_from([b"[", b"{", b"]", b"}", b",", b'"', b":", b"\\", b"-", b"1e999", b"NaN"]))
        return f"{junk!r} inserted at byte {at}", raw[:at] + junk + raw[at:]
    if kind == "bom":
        bom = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
        return f"BOM {bom!r} prepended", bom + raw
    return "tail repeated", raw + raw[at:]


def iter_leaves(doc: Any) -> Iterator[tuple[JsonPath, Any]]:
    for path in paths(doc):
        value = get(doc, path)
        if not isinstance(value, (dict, list)):
            yield path, value
