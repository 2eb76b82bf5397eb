"""The `--aws` options of check, collect and explain: what goes with what, and the errors a user can act on
(exit 2, one line).  No AWS is reached here."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from zonecheck.cli.main import cli
from zonecheck.cli.sources import aws_regions
from zonecheck.cli.sources import UsageProblem
from zonecheck.collect.aws.live.progress import Progress

POLICY = "version: 1\nzones: {a: {match: [{cidr: 10.0.0.0/8}]}}\nassertions: [{name: x, from: a, to: internet, expect: no-access}]\n"


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "zones.yaml"
    path.write_text(POLICY)
    return path


@pytest.fixture
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


@pytest.mark.parametrize("args, message", [
    (["--snapshot", "s.json", "--profile", "p"], "--profile goes with --aws only"),
    (["--snapshot", "s.json", "--region", "eu-west-1", "--log-file", "l"], "--region, --log-file go with --aws only"),
    (["--aws", "--snapshot", "s.json"], "give one kind of source, not --snapshot and --aws"),
    (["--aws", "--region", "all", "--region", "eu-west-1"], "--region all reads every enabled region"),
    (["--aws", "--region", "Ireland"], "--region: 'Ireland' is not a region name"),
    (["--aws", "--external-id", "x"], "--external-id goes with --assume-role"),
    (["--aws", "--assume-role-only"], "--assume-role-only needs at least one --assume-role ARN"),
])
def test_options_that_do_not_go_together_are_usage_errors(policy: Path, args: list[str], message: str) -> None:
    code, stderr = run("check", "--policy", str(policy), *args)
    assert code == 2 and message in stderr and stderr.count("\n") == 1, stderr


def test_raw_dir_goes_with_aws_only(tmp_path: Path) -> None:
    code, stderr = run("collect", "--snapshot", "s.json", "-o", str(tmp_path / "o.json"), "--raw-dir", str(tmp_path / "r"))
    assert code == 2 and "--raw-dir goes with --aws only" in stderr


def test_a_raw_dir_that_holds_files_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "old.json").write_text("{}")
    code, stderr = run("collect", "--aws", "--region", "eu-west-1", "-o", str(tmp_path / "o.json"),
                       "--raw-dir", str(tmp_path / "raw"))
    assert code == 2 and "--raw-dir needs a new or empty directory" in stderr


def test_missing_credentials_are_one_line_and_exit_2(policy: Path, no_credentials: None) -> None:
    code, stderr = run("check", "--policy", str(policy), "--aws", "--region", "eu-west-1")
    assert code == 2
    assert stderr.startswith("zonecheck: error: no AWS credentials found") and stderr.count("\n") == 1


def test_an_unknown_profile_is_one_line_and_exit_2(policy: Path, no_credentials: None) -> None:
    code, stderr = run("check", "--policy", str(policy), "--aws", "--profile", "nope", "--region", "eu-west-1")
    assert (code, stderr) == (2, "zonecheck: error: AWS profile 'nope' is not in the AWS config or credentials files\n")


def test_no_region_anywhere_is_one_line_and_exit_2(policy: Path, no_credentials: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    code, stderr = run("check", "--policy", str(policy), "--aws")
    assert code == 2 and "no AWS region: give --region REGION" in stderr


def test_regions_may_be_repeated_or_comma_separated() -> None:
    assert aws_regions(("eu-west-1,us-east-1", "eu-west-1", " ap-south-1 ")) == ("eu-west-1", "us-east-1", "ap-south-1")
    assert aws_regions(("all",)) == ("all",)
    with pytest.raises(UsageProblem):
        aws_regions(("all", "eu-west-1"))


def test_the_progress_display_only_draws_when_asked() -> None:
    with Progress(False, total=2) as quiet:
        quiet.step("nothing")
    assert quiet._bar is None
    with Progress(True, total=2) as shown:
        shown.step("111122223333/eu-west-1 Vpcs")
        assert shown._bar is not None
    assert shown._bar is None
