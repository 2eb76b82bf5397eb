"""Terraform in, verdicts out: whole designs checked through the public API, verdict and witness each time.

    run_check(parse_policy_text(yaml, "p.yaml"), load_terraform([...]), "p.yaml")
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zonecheck.cli.main import cli
from zonecheck.cli.run import run_check
from zonecheck.collect.terraform import PLACEHOLDER, load_terraform, load_terraform_plan_before
from zonecheck.engine.results import AssertionResult, Witness
from zonecheck.policy import parse_policy_text

from .conftest import DATA

ZONES = """\
version: 1
zones:
  public-replica: {match: [{tags: {Zone: public-replica}}], allow_empty: true}
  private-db: {match: [{tags: {Zone: private-db}}]}
  app: {match: [{tags: {Zone: app}}], allow_empty: true}
  vault: {match: [{tags: {Zone: vault}}], allow_empty: true}
  etl: {match: [{tags: {Zone: etl}}], allow_empty: true}
  web: {match: [{tags: {Zone: web}}], allow_empty: true}
assertions:
"""


def check(files: list[str], *assertions: str, explain: bool = False) -> dict[str, AssertionResult]:
    policy = parse_policy_text(ZONES + "".join(f"  - {a}\n" for a in assertions), "p.yaml")
    result = run_check(policy, load_terraform([DATA / f for f in files]), "p.yaml", explain=explain)
    return {a.name: a for a in result.assertions}


def steps(witness: Witness) -> list[tuple[str, str, str]]:
    return [(hop.at, hop.step, hop.rule) for hop in witness.path]


REPLICA_TO_DB = "{name: replica-db, from: public-replica, to: private-db, expect: no-access}"


# -- transit gateways ----------------------------------------------------------------------------------------


def test_a_flat_default_transit_gateway_lets_the_replica_reach_the_database() -> None:
    verdict = check(["transit_flat.tfstate"], REPLICA_TO_DB)["replica-db"]
    assert verdict.result == "fail"
    (witness,) = verdict.witnesses
    assert (witness.protocol, witness.port_range, witness.certain) == ("tcp", (5432, 5432), True)
    hops = steps(witness)
    assert ("tgw-rtb-0f1a2b3c4d5e6f701", "tgw-route", "10.43.0.0/16 -> tgw-attach-0f1a0000000000003 (propagated)") in hops
    assert hops[-1] == ("sg-0f1a000000000c0a1", "sg-ingress", "ingress tcp 5432 from 10.0.0.0/8")
    assert [h[1] for h in hops].index("tgw-route") < [h[1] for h in hops].index("sg-ingress")


def test_a_segmented_transit_gateway_keeps_the_replica_away_from_the_database() -> None:
    verdict = check(["transit.tfstate"], REPLICA_TO_DB, explain=True)["replica-db"]
    assert (verdict.result, verdict.reasons) == ("pass", ())
    # the replica's table knows the app's VPC only, and blackholes the rest
    assert any("tgw-rtb-0a0b0c0d0e0f1a001" in note and "blackhole" in note for note in verdict.notes)


def test_a_blackhole_24_inside_a_propagated_16_blocks_only_the_24() -> None:
    verdicts = check(["transit.tfstate"], "{name: app-vault, from: app, to: vault, expect: no-access}",
                     "{name: app-db, from: app, to: private-db, expect: no-access}", explain=False)
    assert verdicts["app-vault"].result == "pass"  # 10.53.9.0/24
    db = verdicts["app-db"]  # 10.53.1.0/24, in the same propagated 10.53.0.0/16
    assert db.result == "fail"
    (witness,) = db.witnesses
    assert ("tgw-rtb-0a0b0c0d0e0f1a002", "tgw-route", "10.53.0.0/16 -> tgw-attach-0a0b0c0d0e0f1b003 (propagated)") in steps(witness)
    explained = check(["transit.tfstate"], "{name: app-vault, from: app, to: vault, expect: no-access}", explain=True)
    assert any("blocked at tgw-route tgw-rtb-0a0b0c0d0e0f1a002: blackhole route 10.53.9.0/24 -> blackhole" in note
               for note in explained["app-vault"].notes)


def test_on_premises_over_bgp_is_not_known_exactly() -> None:
    verdict = check(["transit.tfstate"], "{name: dc-app, from: on-premises, to: app, expect: no-access}")["dc-app"]
    assert verdict.result == "unknown"
    assert all(not w.certain and "on-premises prefixes are learned over BGP and not in the source" in w.doubts
               for w in verdict.witnesses)
    assert {w.path[0].step for w in verdict.witnesses} == {"tgw-attachment"}  # through the VPN and Direct Connect


# -- load balancers and VPN -----------------------------------------------------------------------------------


def test_an_internet_facing_alb_forwarding_to_the_database_exposes_it() -> None:
    verdict = check(["services.tfstate"], "{name: internet-db, from: internet, to: private-db, expect: no-access}")["internet-db"]
    assert verdict.result == "fail"
    (witness,) = verdict.witnesses
    assert (witness.protocol, witness.port_range, witness.certain) == ("tcp", (8443, 8443), True)
    alb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web-public/3c9d1e2f4a5b6c7d"
    hops = steps(witness)
    assert (alb, "load-balancer", "HTTPS 443 -> db-admin port 8443") in hops
    assert hops[0][1] == "igw" and ("sg-0c1d2e3f4a5b6f001", "sg-ingress", "ingress tcp 443 from 0.0.0.0/0") in hops
    assert hops[-1] == ("sg-0c1d2e3f4a5b6f003", "sg-ingress", "ingress tcp 8443 from sg-0c1d2e3f4a5b6f001")


def test_on_premises_reaches_the_vpc_over_a_static_vpn() -> None:
    verdict = check(["services.tfstate"], "{name: office-app, from: on-premises, to: app, expect: no-access}")["office-app"]
    assert verdict.result == "fail"
    direct = [w for w in verdict.witnesses if w.port_range == (22, 22)]
    assert sorted(w.target.address for w in direct) == ["10.60.10.21", "10.60.11.21"]  # both app servers
    for witness in direct:
        assert witness.certain and witness.source.address == "192.168.0.0/16"  # the static route's prefix
        assert steps(witness) == [
            ("vgw-0c1d2e3f4a5b6e001", "vpn-gateway", "from on-premises into vpc-0c1d2e3f4a5b60001"),
            ("acl-0c1d2e3f4a5b6f0d1", "nacl-in", "#100 allow all from 0.0.0.0/0"),
            ("sg-0c1d2e3f4a5b6f002", "sg-ingress", "ingress tcp 22 from 192.168.0.0/16")]


# -- plans -----------------------------------------------------------------------------------------------------


def test_the_open_db_plan_fails_with_exactly_the_new_rule() -> None:
    assert check(["plan_open_db.prior.tfstate"], REPLICA_TO_DB)["replica-db"].result == "pass"
    policy = parse_policy_text(ZONES + f"  - {REPLICA_TO_DB}\n", "p.yaml")
    before = run_check(policy, load_terraform_plan_before(DATA / "plan_open_db.json"), "p.yaml")
    assert before.assertions[0].result == "pass"  # the same, read from the plan's prior state

    verdict = check(["plan_open_db.json"], REPLICA_TO_DB)["replica-db"]
    assert verdict.result == "fail"
    (witness,) = verdict.witnesses
    assert (witness.protocol, witness.port_range, witness.certain) == ("tcp", (5432, 5432), True)
    assert [h for h in steps(witness) if h[1] == "sg-ingress"] == [
        ("sg-0d1e2f3a4b5c6f003", "sg-ingress", "ingress tcp 5432 from 10.50.1.0/24")]


def test_a_cidr_known_only_after_apply_gives_unknown_and_names_the_attribute() -> None:
    verdict = check(["plan_unknown_cidr.json"], REPLICA_TO_DB)["replica-db"]
    assert verdict.result == "unknown"
    (witness,) = verdict.witnesses
    assert not witness.certain
    assert steps(witness)[-1] == ("sg-0d1e2f3a4b5c6f003", "sg-ingress", "ingress tcp 5432 from 0.0.0.0/0")
    assert any("sg-0d1e2f3a4b5c6f003.aws_security_group_rule.db_from_etl.cidr_blocks is unknown (known only after apply"
               in doubt for doubt in witness.doubts)


def test_a_new_stack_is_checked_before_it_exists() -> None:
    verdicts = check(["plan_new_stack.json"], "{name: web-db, from: web, to: private-db, expect: no-access}",
                     "{name: app-db, from: app, to: private-db, expect: no-access}",
                     "{name: web-app, from: web, to: app, expect: {only: [tcp/8080]}}")
    assert verdicts["web-db"].result == "pass" and verdicts["web-app"].result == "pass"
    app_db = verdicts["app-db"]
    assert app_db.result == "fail"
    (witness,) = app_db.witnesses
    assert witness.certain and steps(witness)[-1] == (
        PLACEHOLDER + "aws_security_group.db", "sg-ingress", f"ingress tcp 5432 from {PLACEHOLDER}aws_security_group.app")


@pytest.mark.parametrize("plan, code", [("plan_open_db.json", 1), ("plan_unknown_cidr.json", 3), ("plan_new_stack.json", 0)])
def test_exit_codes_of_a_check_on_a_plan(tmp_path: Path, plan: str, code: int) -> None:
    policy = tmp_path / "zones.yaml"
    policy.write_text(ZONES + f"  - {REPLICA_TO_DB}\n" if plan != "plan_new_stack.json" else
                      ZONES + "  - {name: web-db, from: web, to: private-db, expect: no-access}\n")
    result = CliRunner().invoke(cli, ["check", "--policy", str(policy), "--terraform", str(DATA / plan), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == code, result.output
    report = json.loads(result.output)
    assert report["source"]["kind"] == "terraform"
