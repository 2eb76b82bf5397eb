"""`zonecheck demo`: the npm 2015 story, checked before and after the fix."""

from __future__ import annotations

from typing import Callable

import click

from zonecheck.cli.run import run_check
from zonecheck.policy import parse_policy_text
from zonecheck.report import render_json, render_text

INTRO = """\
npm, July 2015: an old ansible script re-enabled replication on the public registry replica, and because
the replica could still reach the private database, private package metadata leaked. The fix: put the
replica in "a separate network zone that is physically unable to access private data".
zonecheck proves that from the network configuration alone. Policy: {policy}
"""


def run_demo(fmt: str, style: Callable[[str, str], str]) -> int:
    """Exit 0 when the demonstration holds (before fails, after passes), 1 otherwise."""
    from topology import npm2015

    policy_origin = "topology/npm2015_zones.yaml"
    policy = parse_policy_text(npm2015.policy_text(), policy_origin)
    results = {}
    for label, snapshot in (("before", npm2015.before()), ("after", npm2015.after())):
        results[label] = run_check(policy, snapshot, policy_origin)
    if fmt == "json":
        import json

        docs = {label: json.loads(render_json(result)) for label, result in results.items()}
        click.echo(json.dumps(docs, indent=2))
    else:
        click.echo(INTRO.format(policy=policy_origin))
        for label, title in (("before", "BEFORE the fix: one flat LAN"),
                             ("after", "AFTER the fix: the replica in its own zone")):
            click.echo(f"=== {title} ===")
            click.echo(render_text(results[label], style))
        b, a = results["before"].result, results["after"].result
        click.echo(f"Before: {style(b.upper(), b)}   After: {style(a.upper(), a)}")
    return 0 if (results["before"].result, results["after"].result) == ("fail", "pass") else 1
