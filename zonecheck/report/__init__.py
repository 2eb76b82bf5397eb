"""Reports: the same CheckResult rendered for people (text) and machines (json)."""

from zonecheck.report.json_report import render_json, result_to_dict
from zonecheck.report.text import render_text

FORMATS = ("text", "json")

__all__ = ["FORMATS", "render_json", "render_text", "result_to_dict"]
