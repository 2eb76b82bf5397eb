"""Markdown (pull-request comments) and HTML (auditor evidence) reports, from jinja2 templates beside this file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import jinja2

from zonecheck import __version__
from zonecheck.engine.results import CheckResult

_TEMPLATES = Path(__file__).with_name("templates")
_MARKS = {"pass": "✅ PASS", "fail": "❌ FAIL", "unknown": "⚠️ UNKNOWN"}


def markdown_text(value: object) -> object:
    """Markdown output (pull-request comments) must not let input-derived text inject HTML or break tables."""
    if not isinstance(value, str):
        return value
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("`", "'"))


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=autoescape,
                             trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined,
                             finalize=None if autoescape else markdown_text)
    env.globals["verdict_mark"] = lambda verdict: _MARKS.get(verdict, verdict)
    return env


def render_markdown(result: CheckResult, max_witnesses: int = 20) -> str:
    template = _environment(autoescape=False).get_template("report.md.j2")
    return template.render(result=result, max_witnesses=max_witnesses).strip() + "\n"


def render_html(result: CheckResult, max_witnesses: int = 50) -> str:
    template = _environment(autoescape=True).get_template("report.html.j2")
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return template.render(result=result, max_witnesses=max_witnesses, generated_at=generated, version=__version__)
