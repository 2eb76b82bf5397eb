"""`zonecheck diff`: the same policy checked on two estates (say, the state and the plan), compared.

`compare` (pure) turns two `CheckResult`s into a `CheckDiff`: per assertion the verdict before and after, the
flows that appear and disappear, and the flows whose path changed; `render` writes it as text, JSON or a
Markdown pull-request comment.  Exit codes (the gate): 1 when the after side newly fails, 3 when it only adds
unknowns, 0 otherwise.
"""

from zonecheck.diff.compare import AssertionDiff, CheckDiff, FlowChange, FlowPart, compare
from zonecheck.diff.render import FORMATS, diff_to_dict, render_diff, render_json, render_markdown, render_text

EXIT_CODES = {"fail": 1, "unknown": 3, "pass": 0}

__all__ = ["AssertionDiff", "CheckDiff", "EXIT_CODES", "FORMATS", "FlowChange", "FlowPart", "compare",
           "diff_to_dict", "render_diff", "render_json", "render_markdown", "render_text"]
