"""Reports: the same CheckResult rendered for people (text, markdown, html) and machines (json, sarif, junit).

Each renderer's module is imported when it is first called (`zonecheck check --format json` should not pay for
jinja2 or an XML library): the functions here are thin doors to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zonecheck.engine.results import CheckResult

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")

__all__ = ["FORMATS", "render_html", "render_json", "render_junit", "render_markdown", "render_sarif",
           "render_text", "result_to_dict"]


def render_text(result: CheckResult, *args: Any, **kwargs: Any) -> str:
    from zonecheck.report.text import render_text as render

    return render(result, *args, **kwargs)


def render_json(result: CheckResult) -> str:
    from zonecheck.report.json_report import render_json as render

    return render(result)


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    from zonecheck.report.json_report import result_to_dict as to_dict

    return to_dict(result)


def render_sarif(result: CheckResult) -> str:
    from zonecheck.report.sarif import render_sarif as render

    return render(result)


def render_junit(result: CheckResult) -> str:
    from zonecheck.report.junit import render_junit as render

    return render(result)


def render_markdown(result: CheckResult, *args: Any, **kwargs: Any) -> str:
    from zonecheck.report.documents import render_markdown as render

    return render(result, *args, **kwargs)


def render_html(result: CheckResult, *args: Any, **kwargs: Any) -> str:
    from zonecheck.report.documents import render_html as render

    return render(result, *args, **kwargs)
