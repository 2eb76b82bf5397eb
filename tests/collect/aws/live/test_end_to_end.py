"""`zonecheck check|explain|collect --aws` end to end: a real moto server on 127.0.0.1, a multi-VPC estate
built with boto3 against it, the CLI run as a subprocess with AWS_ENDPOINT_URL and fake credentials.

Also: the raw responses (`collect --raw-dir`) read back with `--aws-dump` give the same snapshot, the call
log holds no credential or pre-shared key, and the same estate written as Terraform state gives the same
verdicts (differential).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from click.testing import CliRunner

from tests.collect.aws.live.conftest import ACCESS_KEY, CREDENTIALS, SECRET_KEY, SESSION_TOKEN
from tests.collect.aws.live.estate import EXPECTED, OFFICE, POLICY, PRE_SHARED_KEY, REGION, Estate, build
from tests.collect.aws.live.moto_server import serve
from tests.collect.aws.live.terraform_state import write_state
from zonecheck.cli.main import cli
from zonecheck.collect.aws import load_aws_dump
from zonecheck.model import from_json_text, to_json

MOTO_PRE_SHARED_KEY = "Iw2IAN9XUsQeYUrkMGP3kP59ugFDkfHg"  # what moto puts in every CustomerGatewayConfiguration
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, PRE_SHARED_KEY, MOTO_PRE_SHARED_KEY, "pre_shared_key", "PreSharedKey")
CALL_FIELDS = {"time", "level", "event", "service", "operation", "account", "region", "request_id", "status",
               "duration_ms", "items", "retries"}


@pytest.fixture(scope="module")
def endpoint(aws_env: None) -> Iterator[str]:
    """`python -m moto.server` (with the calls moto lacks, see moto_extras) on a free port, for the module."""
    with serve() as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL", url)  # botocore's own setting: every client goes to moto
        yield url


@pytest.fixture(scope="module")
def estate(endpoint: str) -> Estate:
    return build(boto3.Session(region_name=REGION))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("e2e")
    (folder / "zones.yaml").write_text(POLICY)
    return folder


def zonecheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDENTIALS, AWS_ENDPOINT_URL=os.environ["AWS_ENDPOINT_URL"], AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.environ["AWS_CONFIG_FILE"], AWS_SHARED_CREDENTIALS_FILE=os.environ["AWS_CONFIG_FILE"])
    return subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def checked(estate: Estate, workdir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    run = zonecheck("check", "--policy", "zones.yaml", "--aws", "--region", REGION, "--format", "json",
                    "--log-file", "calls.jsonl", "-o", "report.json", cwd=workdir)
    return run, json.loads((workdir / "report.json").read_text()) if run.returncode in (0, 1, 3) else {}


def assertion(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in report["assertions"] if a["name"] == name)


def steps(witness: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(hop["step"], hop["at"], hop["rule"]) for hop in witness["path"]]


# -- check --------------------------------------------------------------------------------------------------------


def test_check_gives_the_expected_verdicts_and_exit_code(checked: tuple[Any, dict[str, Any]]) -> None:
    run, report = checked
    assert run.returncode == 1, run.stderr
    assert {a["name"]: a["result"] for a in report["assertions"]} == EXPECTED
    assert report["source"]["kind"] == "aws" and report["source"]["files"] == [f"123456789012/{REGION}"]
    assert run.stderr == ""  # no progress display when stderr is not a terminal, no warning: nothing was denied


def test_the_database_is_reached_over_the_peering_through_a_group_reference(checked: tuple[Any, dict[str, Any]],
                                                                          estate: Estate) -> None:
    witnesses = assertion(checked[1], "app-cannot-reach-db")["witnesses"]
    assert {(w["protocol"], tuple(w["port_range"])) for w in witnesses} == {("tcp", (5432, 5432))}
    assert {w["to"]["id"] for w in witnesses} == {f"{estate['db']}@{estate['subnet-db1']}",
                                                   f"{estate['db']}@{estate['subnet-db2']}"}
    path = steps(witnesses[0])
    assert path[0] == ("sg-egress", estate["sg-app"], "egress all to 0.0.0.0/0")
    assert ("route", estate["rtb-private"], f"10.20.0.0/16 -> {estate['pcx']}") in path
    assert ("peering", estate["pcx"], f"{estate['vpc-app']} -> {estate['vpc-data']}") in path
    assert path[-1] == ("sg-ingress", estate["sg-db"], f"ingress tcp 5432 from {estate['sg-app']}")


def test_the_web_server_is_open_to_the_office_prefix_list_on_ssh(checked: tuple[Any, dict[str, Any]],
                                                                  estate: Estate) -> None:
    (witness,) = assertion(checked[1], "internet-reaches-web-on-https-only")["witnesses"]
    assert (witness["protocol"], witness["port_range"], witness["from"]["address"]) == ("tcp", [22, 22], OFFICE)
    assert witness["to"] == {"id": estate["eni-web"], "address": estate.addresses["web-public"]}
    path = steps(witness)
    assert path[0][:2] == ("igw", estate["igw"])
    assert path[-1] == ("sg-ingress", estate["sg-web"], f"ingress tcp 22 from {estate['pl-office']}")


def test_the_network_acl_deny_keeps_ssh_from_the_app_subnet(checked: tuple[Any, dict[str, Any]]) -> None:
    ssh = assertion(checked[1], "app-cannot-ssh-to-ops")
    assert (ssh["result"], ssh["witnesses"]) == ("pass", [])


def test_explain_shows_the_path_over_the_transit_gateway(estate: Estate, workdir: Path) -> None:
    run = zonecheck("explain", "--policy", "zones.yaml", "--aws", "--region", REGION, "--assertion", "app-reaches-tools",
                    "--format", "json", cwd=workdir)
    assert run.returncode == 0, run.stderr
    (path,) = json.loads(run.stdout)["assertions"][0]["witnesses"]
    hops = steps(path)
    assert ("route", estate["rtb-private"], f"10.30.0.0/16 -> {estate['tgw']}") in hops
    assert ("tgw-route", estate["tgw-rtb"], f"10.30.0.0/16 -> {estate['tgw-attach-shared']} (static)") in hops
    assert hops[-1] == ("sg-ingress", estate["sg-tools"], "ingress tcp 8080 from 10.10.0.0/16")


# -- the call log --------------------------------------------------------------------------------------------------


def test_the_log_has_one_json_line_per_aws_call_with_its_request_id(checked: tuple[Any, dict[str, Any]],
                                                                    workdir: Path) -> None:
    lines = [json.loads(line) for line in (workdir / "calls.jsonl").read_text().splitlines()]
    calls = [line for line in lines if line["event"] == "aws-call"]
    assert len(calls) > 30
    for call in calls:
        assert CALL_FIELDS <= set(call), call
        assert call["time"].endswith("Z") and call["status"] == 200 and call["request_id"]
        assert call["region"] == REGION and call["duration_ms"] >= 0
    assert {c["account"] for c in calls if c["service"] != "sts"} == {"123456789012"}
    vpcs = next(c for c in calls if c["operation"] == "DescribeVpcs")
    assert (vpcs["service"], vpcs["items"]) == ("ec2", 4)  # moto's default VPC and the estate's three
    assert {"collection-start", "scope-done", "collection-done"} <= {line["event"] for line in lines}


def test_no_credential_token_or_pre_shared_key_is_ever_written(checked: tuple[Any, dict[str, Any]],
                                                              workdir: Path) -> None:
    for name in ("calls.jsonl", "report.json"):
        text = (workdir / name).read_text()
        assert [s for s in SECRETS if s in text] == [], name
    assert [s for s in SECRETS if s in checked[0].stdout + checked[0].stderr] == []


# -- collect --raw-dir, then --aws-dump --------------------------------------------------------------------------


def test_raw_responses_read_back_as_a_dump_give_the_same_snapshot_and_verdicts(
        checked: tuple[Any, dict[str, Any]], workdir: Path) -> None:
    run = zonecheck("collect", "--aws", "--region", REGION, "-o", "live.json", "--raw-dir", "raw", "-v", cwd=workdir)
    assert run.returncode == 0, run.stderr
    assert "aws-call" in run.stderr and "DescribeVpcs" in run.stderr  # -v
    raw = workdir / "raw"
    assert (raw / "123456789012" / REGION / "Vpcs.json").is_file()
    assert (raw / "123456789012" / REGION / "TransitGatewayRoutes.json").is_file()
    for path in raw.rglob("*.json"):
        assert [s for s in SECRETS if s in path.read_text()] == [], path
    live = from_json_text((workdir / "live.json").read_text())
    dump = load_aws_dump(raw)
    assert dump.source.kind == "aws-dump"
    assert to_json(dump.model_copy(update={"source": live.source})) == to_json(live)
    again = CliRunner().invoke(cli, ["check", "--policy", str(workdir / "zones.yaml"), "--aws-dump", str(raw),
                                     "--format", "json"])
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert [(a["name"], a["result"], a["witnesses"]) for a in report["assertions"]] == [
        (a["name"], a["result"], a["witnesses"]) for a in checked[1]["assertions"]]


# -- the same estate as Terraform state -------------------------------------------------------------------------


def test_the_estate_as_terraform_state_gives_the_same_verdicts(checked: tuple[Any, dict[str, Any]], estate: Estate,
                                                               workdir: Path) -> None:
    state = write_state(estate, workdir / "estate.tfstate")
    result = CliRunner().invoke(cli, ["check", "--policy", str(workdir / "zones.yaml"), "--terraform", str(state),
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    terraform = json.loads(result.stdout)
    assert {a["name"]: a["result"] for a in terraform["assertions"]} == EXPECTED

    def flows(report: dict[str, Any]) -> dict[str, set[tuple[Any, ...]]]:
        return {a["name"]: {(w["protocol"], tuple(w["port_range"] or ()), w["from"]["address"],
                             tuple(h["step"] for h in w["path"])) for w in a["witnesses"]}
                for a in report["assertions"]}

    assert flows(terraform) == flows(checked[1])
