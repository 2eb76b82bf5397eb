"""The CI examples in examples/ci/ are valid YAML and every `zonecheck …` they run is a command line the real
CLI accepts: its subcommand exists, each flag belongs to it, each choice is allowed, nothing required is missing.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Iterator

import click
import pytest
import yaml

from zonecheck.cli.main import cli

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "\n"}
REDIRECTIONS = {">", ">>", "<", "2>", "2>>", "&>"}
SHELL_WORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec"}


def load(name: str) -> dict:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


def github_scripts(doc: dict) -> Iterator[str]:
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                yield step["run"]


def gitlab_scripts(doc: dict) -> Iterator[str]:
    for name, job in doc.items():
        if not isinstance(job, dict) or name in ("variables", "default", "workflow", "include"):
            continue
        for key in ("before_script", "script", "after_script"):
            lines = job.get(key, [])
            yield from ([lines] if isinstance(lines, str) else lines)


def simple_commands(script: str) -> Iterator[list[str]]:
    """Shell words of every simple command in a script (continuations joined, redirections dropped)."""
    script = script.replace("\\\n", " ")
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace = " \t\r"  # keep newlines: they end commands
    lexer.whitespace_split = True
    words: list[str] = []
    tokens = list(lexer)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in SEPARATORS or all(c == "\n" for c in token):
            if words:
                yield words
            words = []
        elif token in REDIRECTIONS or token.rstrip("0123456789") in REDIRECTIONS:
            i += 1  # skip the target too
        else:
            words.extend(token.split("\n"))
        i += 1
    if words:
        yield words


def zonecheck_lines(scripts: Iterator[str]) -> list[list[str]]:
    found = []
    for script in scripts:
        for words in simple_commands(script):
            while words and (words[0] in SHELL_WORDS or ("=" in words[0] and not words[0].startswith("-"))):
                words = words[1:]
            if words and words[0] == "zonecheck":
                found.append(words[1:])
    return found


EXAMPLES = {"github-actions.yml": github_scripts, "gitlab-ci.yml": gitlab_scripts}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_example_is_valid_yaml(name):
    assert isinstance(load(name), dict)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_zonecheck_command_line_is_accepted_by_the_cli(name):
    lines = zonecheck_lines(EXAMPLES[name](load(name)))
    assert {line[0] for line in lines} >= {"check", "diff"}, lines
    for args in lines:
        command = cli.commands.get(args[0])
        assert command is not None, f"{name}: no subcommand {args[0]!r}"
        known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        for word in args[1:]:
            if word.startswith("-"):
                assert word.split("=")[0] in known, f"{name}: `zonecheck {args[0]}` has no option {word}"
        try:
            # Parses exactly as the real command would (choices, values, required options), without running it.
            command.make_context(f"zonecheck {args[0]}", list(args[1:]))
        except click.UsageError as err:  # pragma: no cover - the message is the point
            pytest.fail(f"{name}: `zonecheck {shlex.join(args)}` is refused: {err.format_message()}")


def test_github_uploads_sarif_comments_the_diff_and_gates():
    text = (CI / "github-actions.yml").read_text()
    steps = [s for job in load("github-actions.yml")["jobs"].values() for s in job["steps"]]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    assert any("--format markdown" in s.get("run", "") for s in steps)
    for words in ("terraform init", "terraform plan -input=false -lock=false -out tfplan",
                  "terraform show -json tfplan > plan.json", "pip install zonecheck-aws", "ZONECHECK_FAIL_ON_UNKNOWN"):
        assert words in text


def test_gitlab_keeps_sarif_as_an_artifact_and_warns_on_unknown():
    doc = load("gitlab-ci.yml")
    job = doc["zonecheck"]
    assert "zonecheck.sarif" in job["artifacts"]["paths"]
    assert job["allow_failure"] == {"exit_codes": [3]}
    assert "ZONECHECK_FAIL_ON_UNKNOWN" in doc["variables"]
    plan = "\n".join(doc["terraform-plan"]["script"])
    assert "terraform plan -input=false -lock=false -out tfplan" in plan and "terraform show -json tfplan > plan.json" in plan


def test_the_parser_finds_commands_inside_shell_constructs():
    script = 'code=0\nif true; then X=1 zonecheck diff --policy p.yaml \\\n  --before a --after b > out.md || code=$?; fi'
    assert zonecheck_lines(iter([script])) == [["diff", "--policy", "p.yaml", "--before", "a", "--after", "b"]]
