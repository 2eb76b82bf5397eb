"""Plain-text report: one line per assertion, then each witness as a flow and its hops."""

from __future__ import annotations

import re
from typing import Callable

from zonecheck.engine.results import AssertionResult, CheckResult, Witness

Style = Callable[[str, str], str]


def _plain(text: str, _verdict: str) -> str:
    return text


def _witness_lines(witness: Witness, indent: str) -> list[str]:
    src = f"{witness.source.id} ({witness.source.address})" if witness.source.id != "internet" else witness.source.address
    if witness.source.seen_as:
        src += f" seen as {witness.source.seen_as}"
    dst = f"{witness.target.id} ({witness.target.address})" if witness.target.id != "internet" else witness.target.address
    head = f"{indent}{'' if witness.certain else 'possible: '}{src} -> {dst}  {witness.service()}"
    lines = [head]
    if len(witness.source.endpoints) > 1:
        lines.append(f"{' ' * len(indent)}  sources: {', '.join(witness.source.endpoints)}")
    if len(witness.target.endpoints) > 1:
        lines.append(f"{' ' * len(indent)}  targets: {', '.join(witness.target.endpoints)}")
    pad = " " * len(indent)
    for hop in witness.path:
        lines.append(f"{pad}  {hop.step:<11} {hop.at:<26} {hop.rule}")
    if witness.dropped_at is not None:
        hop = witness.dropped_at
        lines.append(f"{pad}  dropped at {hop.step} {hop.at}: {hop.rule}")
    if witness.reply:
        lines.append(f"{pad}  note: {witness.reply}")
    for doubt in witness.doubts:
        lines.append(f"{pad}  unsure: {doubt}")
    return lines


GLOBAL_REASON_PREFIXES = ("incomplete source:", "unknown value:", "not modelled:")
"""Reasons that concern the whole source, not one assertion: the text report lists them once."""


def is_global_reason(reason: str) -> bool:
    return reason.startswith(GLOBAL_REASON_PREFIXES)


def render_assertion(result: AssertionResult, style: Style = _plain, max_witnesses: int = 20,
                     fold_global: bool = False) -> list[str]:
    verdict = result.result.upper()
    arrow = f"{result.from_zone} -> {result.to_zone}"
    lines = [f"{style(f'{verdict:<8}', result.result)} {result.name}  ({arrow}, expect {result.expect})"]
    if result.controls:
        lines.append(f"         controls: {', '.join(result.controls)}")
    folded = [r for r in result.reasons if fold_global and is_global_reason(r)]
    for reason in result.reasons:
        if reason not in folded:
            lines.append(f"         why: {reason}")
    if folded:
        lines.append(f"         why: {len(folded)} part(s) of the source are incomplete or not modelled (listed below)")
    for note in result.notes:
        lines.append(f"         {note}")
    shown = result.witnesses[:max_witnesses]
    if shown:
        title = {"access": "required flows not delivered", "only": "flows outside the allowed set"}.get(
            result.expect_kind, "flows that reach the destination")
        if result.result == "pass":
            title = "paths"
        lines.append(f"         {title}:")
    for witness in shown:
        lines.extend(_witness_lines(witness, "         - "))
    hidden = len(result.witnesses) - len(shown) + result.truncated
    if hidden > 0:
        lines.append(f"         … and {hidden} more (use --format json for all)")
    return lines


_CONTROL = re.compile(r"(\x1b\[[0-9;]*m)|([\x00-\x08\x0b-\x1f\x7f-\x9f])")


def _printable(text: str) -> str:
    """Input-derived text (ids, tags) never reaches the terminal as control sequences; only colour codes
    (SGR, which our own styling emits) pass."""
    return _CONTROL.sub(lambda m: m.group(1) or f"\\x{ord(m.group(2)):02x}", text)


def render_text(result: CheckResult, style: Style = _plain, max_witnesses: int = 20) -> str:
    source = result.source
    if not source.files:
        files = source.kind
    elif len(source.files) <= 3:
        files = ", ".join(source.files)
    else:
        files = f"{source.files[0]} and {len(source.files) - 1} more files"
    lines = [f"zonecheck: {len(result.assertions)} assertion(s) on {source.kind} source {files}"
             + (" [strict]" if result.strict else ""), ""]
    for assertion in result.assertions:
        lines.extend(render_assertion(assertion, style, max_witnesses, fold_global=True))
        lines.append("")
    global_reasons = list(dict.fromkeys(r for a in result.assertions for r in a.reasons if is_global_reason(r)))
    if global_reasons:
        lines.append("Incomplete or not modelled (no verdict that depends on these can be `pass`):")
        lines.extend(f"  - {r}" for r in global_reasons)
        lines.append("")
    if result.assumptions:
        lines.append("Assumptions (AWS defaults for resources not in the source):")
        lines.extend(f"  - {a}" for a in result.assumptions)
        lines.append("")
    counts = {v: sum(1 for a in result.assertions if a.result == v) for v in ("fail", "unknown", "pass")}
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    lines.append(f"Result: {style(result.result.upper(), result.result)} ({summary})")
    return "\n".join(_printable(line) for line in lines) + "\n"
