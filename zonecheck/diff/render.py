"""A `CheckDiff` for people (text, a Markdown pull-request comment) and machines (JSON).

JSON shape (stable keys; README "Gating a pull request"):

    {"result": "fail|unknown|pass",           # the gate: exit 1 / 3 / 0
     "zonecheck_version": "…", "policy": "zones.yaml", "strict": false,
     "summary": {"newly_fails": 1, "new_unknown": 0, "fixed": 0, "changed": 0, "unchanged": 5},
     "before": {"given": "state.json", "result": "pass", "summary": {"pass": 6, "fail": 0, "unknown": 0},
                "source": {"kind": "terraform", "files": ["…"]}, "sha256": "…", "assumptions": [...]},
     "after":  {…},
     "notes": ["…"],
     "assertions": [
       {"name": "…", "from": "…", "to": "…", "expect": "no-access",
        "before": "pass", "after": "fail", "change": "newly-fails|new-unknown|fixed|changed|unchanged",
        "new_witnesses":  [<witness as in the check report (SPEC §5)>, + "part": {"from", "to", "services"} when
                           only part of it is new],
        "gone_witnesses": [<the before side's witness>, + "part" likewise],
        "changed_paths":  [{"from", "to", "protocol", "port_range", "part"?, "before_path": [hops],
                            "after_path": [hops], "before_dropped_at"?, "after_dropped_at"?,
                            "before_certain"?, "after_certain"?}],
        "new_reasons": ["…"], "notes": ["…"]}]}
"""

from __future__ import annotations

import difflib
import json
from html import escape
from pathlib import Path
from typing import Any, Callable, Optional

import jinja2

from zonecheck import __version__
from zonecheck.diff.compare import AssertionDiff, CheckDiff, FlowChange
from zonecheck.engine.flows import Hop
from zonecheck.engine.results import CheckResult, EndpointRef, Witness

FORMATS = ("text", "json", "markdown")
MAX_COMMENT_CHARS = 60_000
"""GitHub refuses comments over 65,536 characters; GitLab notes allow a million."""
Style = Callable[[str, str], str]

_TEMPLATES = Path(__file__).with_name("templates")
_MARKS = {"pass": "✅ PASS", "fail": "❌ FAIL", "unknown": "⚠️ UNKNOWN", "absent": "—"}
_CHANGE_TEXT = {"newly-fails": "newly fails", "new-unknown": "new unknown", "fixed": "fixed",
                "changed": "changed", "unchanged": ""}
_CHANGE_MARKS = {"newly-fails": "❌ newly fails", "new-unknown": "⚠️ new unknown", "fixed": "✅ fixed",
                 "changed": "🔄 changed", "unchanged": "unchanged"}


def _plain(text: str, _verdict: str) -> str:
    return text


# --------------------------------------------------------------------------------------------- shared words


def _party(ref: EndpointRef) -> str:
    text = ref.address if ref.id in ("internet",) else f"{ref.id} ({ref.address})"
    if ref.seen_as:
        text += f" seen as {ref.seen_as}"
    return text


def flow_title(witness: Witness) -> str:
    """`eni-a (10.0.1.50) -> eni-b (10.0.3.20)  tcp/5432`, as the check's text report writes a witness."""
    head = f"{_party(witness.source)} -> {_party(witness.target)}  {witness.service()}"
    return head if witness.certain else f"possible: {head}"


def _source_line(result: CheckResult, label: str = "") -> str:
    files = ", ".join(result.source.files)
    sha = f"sha256 {result.source.sha256[:12]}…" if result.source.sha256 else ""
    inner = ", ".join(x for x in (result.source.kind + " source", files if files != label else "", sha) if x)
    return f"{label} ({inner})" if label else inner


def _counts(result: CheckResult) -> dict[str, int]:
    return {v: sum(1 for a in result.assertions if a.result == v) for v in ("pass", "fail", "unknown")}


def _counts_text(result: CheckResult) -> str:
    return ", ".join(f"{n} {v}" for v, n in _counts(result).items() if n) or "no assertions"


def headline(diff: CheckDiff) -> str:
    if diff.result == "fail":
        n = diff.count("newly-fails")
        return f"{n} assertion{'s' if n != 1 else ''} newly fail{'s' if n == 1 else ''}"
    if diff.result == "unknown":
        n = diff.count("new-unknown")
        return f"nothing newly fails, but {n} assertion{'s' if n != 1 else ''} newly unknown"
    if not diff.changed:
        return "no change in zone reachability"
    fixed = diff.count("fixed")
    return "no new violations" + (f"; {fixed} assertion{'s' if fixed != 1 else ''} fixed" if fixed else "")


# --------------------------------------------------------------------------------------------- text


def _hop_line(hop: Hop, pad: str, mark: str = " ") -> str:
    return f"{pad}{mark} {hop.step:<11} {hop.at:<26} {hop.rule}"


def _part_line(change: FlowChange, pad: str, what: str) -> list[str]:
    if change.part is None:
        return []
    part = change.part
    return [f"{pad}  {what}: {', '.join(part.sources)} -> {', '.join(part.targets)}  {', '.join(part.services)}"]


def _path_diff(before: Witness, after: Witness, pad: str) -> list[str]:
    old = list(before.path) + ([before.dropped_at] if before.dropped_at else [])
    new = list(after.path) + ([after.dropped_at] if after.dropped_at else [])
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines.extend(_hop_line(h, pad, "-") for h in old[i1:i2])
        lines.extend(_hop_line(h, pad, "+") for h in new[j1:j2])
    if before.certain != after.certain:
        lines.append(f"{pad}  {'certain' if before.certain else 'possible'} before, "
                     f"{'certain' if after.certain else 'possible'} after")
    return lines


def _assertion_text(a: AssertionDiff, style: Style, max_flows: int) -> list[str]:
    verdicts = (f"{style(f'{a.before_verdict.upper():<7}', a.before_verdict)} -> "
                f"{style(f'{a.after_verdict.upper():<7}', a.after_verdict)}")
    change = _CHANGE_TEXT[a.change]
    lines = [f"{verdicts} {a.name}  ({a.from_zone} -> {a.to_zone}, expect {a.expect})"
             + (f"  [{change}]" if change else "")]
    pad = " " * 6
    for reason in a.new_reasons:
        lines.append(f"{pad}new unknown: {reason}")
    for note in a.notes:
        lines.append(f"{pad}note: {note}")
    for kind, changes in (("+", a.new), ("-", a.gone), ("~", a.changed_paths)):
        for change in changes[:max_flows]:
            w = change.witness
            suffix = "  path changed" if kind == "~" else ""
            lines.append(f"  {kind} {flow_title(w)}{suffix}")
            if kind == "+":
                lines.extend(_part_line(change, pad, "new"))
                if len(w.source.endpoints) > 1:
                    lines.append(f"{pad}  sources: {', '.join(w.source.endpoints)}")
                if len(w.target.endpoints) > 1:
                    lines.append(f"{pad}  targets: {', '.join(w.target.endpoints)}")
                lines.extend(_hop_line(h, pad) for h in w.path)
                if w.dropped_at is not None:
                    lines.append(f"{pad}  dropped at {w.dropped_at.step} {w.dropped_at.at}: {w.dropped_at.rule}")
                lines.extend(f"{pad}  unsure: {d}" for d in w.doubts)
            elif kind == "-":
                lines.extend(_part_line(change, pad, "gone"))
            else:
                lines.extend(_part_line(change, pad, "flow"))
                assert change.previous is not None
                lines.extend(_path_diff(change.previous, w, pad))
        if len(changes) > max_flows:
            lines.append(f"  {kind} … and {len(changes) - max_flows} more (use --format json for all)")
    return lines


def render_text(diff: CheckDiff, style: Style = _plain, max_flows: int = 20) -> str:
    lines = [f"zonecheck diff: {len(diff.assertions)} assertion(s)"
             + (f" of {diff.after.policy}" if diff.after.policy else "") + (" [strict]" if diff.after.strict else ""),
             f"  before: {_source_line(diff.before, diff.labels[0])}",
             f"  after:  {_source_line(diff.after, diff.labels[1])}", ""]
    for a in diff.assertions:
        block = _assertion_text(a, style, max_flows)
        lines.extend(block)
        if len(block) > 1 and a is not diff.assertions[-1]:
            lines.append("")
    lines.append("")
    for note in diff.notes:
        lines.append(f"note: {note}")
    new_assumptions = [x for x in diff.after.assumptions if x not in diff.before.assumptions]
    if new_assumptions:
        lines.append("New assumptions on the after side (AWS defaults for resources not in the source):")
        lines.extend(f"  - {x}" for x in new_assumptions)
    if diff.notes or new_assumptions:
        lines.append("")
    lines.append(f"Result: {style(diff.result.upper(), diff.result)} ({headline(diff)}) — "
                 f"before: {_counts_text(diff.before)}; after: {_counts_text(diff.after)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- json


def _change_dict(change: FlowChange) -> dict[str, Any]:
    out = change.witness.as_dict()
    if change.part is not None:
        out["part"] = change.part.as_dict()
    return out


def _path_change_dict(change: FlowChange) -> dict[str, Any]:
    after, before = change.witness, change.previous
    assert before is not None
    out: dict[str, Any] = {
        "from": after.source.as_dict(), "to": after.target.as_dict(), "protocol": after.protocol,
        "port_range": list(after.port_range) if after.port_range else None,
    }
    if after.detail:
        out["detail"] = after.detail
    if change.part is not None:
        out["part"] = change.part.as_dict()
    out["before_path"] = [h.as_dict() for h in before.path]
    out["after_path"] = [h.as_dict() for h in after.path]
    for label, w in (("before", before), ("after", after)):
        if w.dropped_at is not None:
            out[f"{label}_dropped_at"] = w.dropped_at.as_dict()
    if not (before.certain and after.certain):
        out["before_certain"], out["after_certain"] = before.certain, after.certain
    return out


def _side_dict(result: CheckResult, label: str) -> dict[str, Any]:
    return {
        "given": label,
        "result": result.result,
        "summary": _counts(result),
        "source": {"kind": result.source.kind, "files": list(result.source.files)},
        "sha256": result.source.sha256,
        "assumptions": list(result.assumptions),
    }


def _assertion_dict(a: AssertionDiff) -> dict[str, Any]:
    return {
        "name": a.name, "from": a.from_zone, "to": a.to_zone, "expect": a.expect,
        "before": a.before_verdict, "after": a.after_verdict, "change": a.change,
        "new_witnesses": [_change_dict(c) for c in a.new],
        "gone_witnesses": [_change_dict(c) for c in a.gone],
        "changed_paths": [_path_change_dict(c) for c in a.changed_paths],
        "new_reasons": list(a.new_reasons),
        "notes": list(a.notes),
    }


def diff_to_dict(diff: CheckDiff) -> dict[str, Any]:
    return {
        "result": diff.result,
        "zonecheck_version": __version__,
        "policy": diff.after.policy,
        "strict": diff.after.strict,
        "summary": {key.replace("-", "_"): diff.count(key)  # type: ignore[arg-type]
                    for key in ("newly-fails", "new-unknown", "fixed", "changed", "unchanged")},
        "before": _side_dict(diff.before, diff.labels[0]),
        "after": _side_dict(diff.after, diff.labels[1]),
        "notes": list(diff.notes),
        "assertions": [_assertion_dict(a) for a in diff.assertions],
    }


def render_json(diff: CheckDiff) -> str:
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------- markdown


def _cell(text: object) -> str:
    """Table-cell safe: no pipe or newline breaks the row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_party(ref: EndpointRef) -> str:
    if ref.id == "internet":
        return escape(f"internet ({ref.address})" if not ref.address.startswith("any internet") else ref.address)
    return f"<code>{escape(ref.id)}</code> ({escape(ref.address)})"


def _md_flow(witness: Witness) -> str:
    """HTML-safe inline text (it also goes inside <summary>, where Markdown is not rendered)."""
    text = f"{_md_party(witness.source)} → {_md_party(witness.target)} <code>{escape(witness.service())}</code>"
    return text if witness.certain else text + " (possible)"


def _hops(witness: Witness) -> list[Hop]:
    return list(witness.path) + ([witness.dropped_at] if witness.dropped_at else [])


def render_markdown(diff: CheckDiff, max_flows: int = 10) -> str:
    """A pull-request comment: one line when nothing changed, else a table and collapsible flows."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["cell"] = _cell
    env.globals.update(verdict_mark=lambda v: _MARKS.get(v, v), change_mark=lambda c: _CHANGE_MARKS.get(c, c),
                       flow=_md_flow, hops=_hops, counts=_counts_text,
                       source_line=lambda side: _source_line(*((diff.before, diff.labels[0]) if side == "before"
                                                                else (diff.after, diff.labels[1]))))
    changed = [a for a in diff.assertions if a.change != "unchanged"]
    unchanged = [a for a in diff.assertions if a.change == "unchanged"]
    template = env.get_template("diff.md.j2")
    for limit in dict.fromkeys((max_flows, 3, 1, 0)):
        text = template.render(diff=diff, changed=changed, unchanged=unchanged, headline=headline(diff),
                               max_flows=limit)
        # Collapse the blank lines that template control blocks leave behind.
        out: list[str] = []
        for line in text.strip().splitlines():
            if line.strip() or (out and out[-1].strip()):
                out.append(line.rstrip())
        document = "\n".join(out) + "\n"
        if len(document) <= MAX_COMMENT_CHARS:
            break  # else show fewer flows per assertion: a comment that is too long is not posted at all
    return document


def render_diff(diff: CheckDiff, fmt: str, style: Optional[Style] = None) -> str:
    if fmt == "json":
        return render_json(diff)
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff, style or _plain)


__all__ = ["FORMATS", "diff_to_dict", "flow_title", "headline", "render_diff", "render_json", "render_markdown",
           "render_text"]
