"""Reports: the same CheckResult rendered for people (text, markdown, html) and machines (json, sarif, junit)."""

from zonecheck.report.documents import render_html, render_markdown
from zonecheck.report.json_report import render_json, result_to_dict
from zonecheck.report.junit import render_junit
from zonecheck.report.sarif import render_sarif
from zonecheck.report.text import render_text

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")

__all__ = ["FORMATS", "render_html", "render_json", "render_junit", "render_markdown", "render_sarif",
           "render_text", "result_to_dict"]
