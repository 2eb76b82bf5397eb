"""VPC endpoints and load balancers, end to end: the estate is built with boto3 against a real moto server
on 127.0.0.1 and checked with `zonecheck check --aws` run as a subprocess (AWS_ENDPOINT_URL, fake
credentials), the JSON report asserted.

    shop 10.90.0.0/16, internet gateway
      public-a 10.90.1/24, public-b 10.90.2/24 (0.0.0.0/0 -> igw): ALB "front", internet-facing, group "lb" (tcp 80 from anywhere)
          listener HTTP 80 -> target group "orders" (port 5432) -> the private-db instance
      app  10.90.10/24: S3 gateway endpoint in its route table; an NLB "inside", internal, TCP 5432 -> private-db2
      db   10.90.20/24: private-db (tcp 5432 from group "lb"), private-db2 (tcp 5432 from 10.90.0.0/16)
      endpoints 10.90.30/24: interface endpoint for SSM, tagged Zone=ssm, group "ssm" (tcp 443 from the app subnet)

Where moto differs from AWS (corrected in `moto_extras`, which the moto server loads): elbv2
CreateLoadBalancer makes no network interface, where AWS makes one per subnet ("ELB app/<name>/<id>",
the balancer's groups, a public IPv4 when internet-facing); the interface endpoint's network interface
gets an address outside its subnet, none of the endpoint's groups and the `available` status of an
unattached interface, which carries no traffic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.collect.aws.live.conftest import CREDENTIALS
from tests.collect.aws.live.moto_server import REPO, serve
from tests.collect.aws.live.scenarios.builder import Builder, allow, shared_session

REGION = "us-west-1"
S3 = f"com.amazonaws.{REGION}.s3"

POLICY = """\
version: 1
zones:
  private-db: {match: [{tags: {Zone: private-db}}]}
  private-db2: {match: [{tags: {Zone: private-db2}}]}
  app: {match: [{tags: {Zone: shop-app}}]}
  ssm: {match: [{tags: {Zone: ssm}}]}
assertions:
  - {name: internet-cannot-reach-private-db, from: internet, to: private-db, expect: no-access}
  - {name: internet-cannot-reach-private-db2, from: internet, to: private-db2, expect: no-access}
  - {name: app-uses-ssm-on-https-only, from: app, to: ssm, expect: {only: [tcp/443]}}
  - {name: app-cannot-reach-ssm, from: app, to: ssm, expect: no-access}
  - {name: private-db-cannot-reach-ssm, from: private-db, to: ssm, expect: no-access}
  - {name: app-cannot-reach-internet, from: app, to: internet, expect: no-access}
"""

EXPECTED = {"internet-cannot-reach-private-db": "fail", "internet-cannot-reach-private-db2": "pass",
            "app-uses-ssm-on-https-only": "pass", "app-cannot-reach-ssm": "fail",
            "private-db-cannot-reach-ssm": "pass", "app-cannot-reach-internet": "fail"}


def load_balancer(b: Builder, name: str, kind: str, scheme: str, subnets: tuple[str, ...], groups: tuple[str, ...]) -> str:
    found = b.elbv2.create_load_balancer(Name=name, Type=kind, Scheme=scheme, Subnets=[b[f"subnet-{s}"] for s in subnets],
                                         **({"SecurityGroups": [b[f"sg-{g}"] for g in groups]} if groups else {}))[
        "LoadBalancers"][0]
    arn = found["LoadBalancerArn"]
    b.ids[f"lb-{name}"] = arn
    interfaces = b.ec2.describe_network_interfaces(Filters=[
        {"Name": "description", "Values": [f"ELB {arn.split('loadbalancer/', 1)[1]}"]}])["NetworkInterfaces"]
    for interface in interfaces:
        b.ids[f"eni-{name}-{interface['SubnetId']}"] = interface["NetworkInterfaceId"]
        if interface.get("Association"):
            b.addresses[f"{name}-{interface['SubnetId']}"] = interface["Association"]["PublicIp"]
    return arn


def forward(b: Builder, lb: str, name: str, protocol: str, listener_port: int, target_port: int, *targets: str) -> None:
    group = b.elbv2.create_target_group(Name=name, Protocol=protocol, Port=target_port, VpcId=b["vpc-shop"],
                                       TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    b.ids[f"tg-{name}"] = group
    b.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": b[f"i-{t}"], "Port": target_port} for t in targets])
    b.elbv2.create_listener(LoadBalancerArn=b[f"lb-{lb}"], Protocol=protocol, Port=listener_port,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": group}])


def build(b: Builder) -> None:
    b.vpc("shop", "10.90.0.0/16")
    b.igw("shop", "shop")
    for name, cidr, zone in (("public-a", "10.90.1.0/24", "a"), ("public-b", "10.90.2.0/24", "b"),
                             ("app", "10.90.10.0/24", "a"), ("db", "10.90.20.0/24", "a"),
                             ("endpoints", "10.90.30.0/24", "a")):
        b.subnet(name, "shop", cidr, zone=zone)
    b.table("public", "shop", "public-a", "public-b")
    b.route("public", "0.0.0.0/0", GatewayId=b["igw-shop"])
    b.table("app", "shop", "app")
    b.ids["vpce-s3"] = b.ec2.create_vpc_endpoint(VpcId=b["vpc-shop"], ServiceName=S3, VpcEndpointType="Gateway",
                                                 RouteTableIds=[b["rtb-app"]])["VpcEndpoint"]["VpcEndpointId"]
    b.group("lb", "shop", allow("tcp", 80, cidr="0.0.0.0/0"))
    b.group("db", "shop", allow("tcp", 5432, group=b["sg-lb"]))
    b.group("db2", "shop", allow("tcp", 5432, cidr="10.90.0.0/16"))
    b.group("app", "shop")
    b.group("ssm", "shop", allow("tcp", 443, cidr="10.90.10.0/24"))
    b.instance("app", "app", "app", zone="shop-app")
    b.instance("db", "db", "db", zone="private-db")
    b.instance("db2", "db", "db2", zone="private-db2")
    endpoint = b.ec2.create_vpc_endpoint(
        VpcId=b["vpc-shop"], ServiceName=f"com.amazonaws.{REGION}.ssm", VpcEndpointType="Interface",
        SubnetIds=[b["subnet-endpoints"]], SecurityGroupIds=[b["sg-ssm"]],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Zone", "Value": "ssm"}]}])["VpcEndpoint"]
    b.ids["vpce-ssm"], b.ids["eni-ssm"] = endpoint["VpcEndpointId"], endpoint["NetworkInterfaceIds"][0]
    load_balancer(b, "front", "application", "internet-facing", ("public-a", "public-b"), ("lb",))
    forward(b, "front", "orders", "HTTP", 80, 5432, "db")
    load_balancer(b, "inside", "network", "internal", ("app",), ())
    forward(b, "inside", "ledger", "TCP", 5432, 5432, "db2")


@pytest.fixture(scope="module")
def endpoint_url(aws_env: None) -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def estate(endpoint_url: str) -> Builder:
    b = Builder(shared_session(), REGION, endpoint_url=endpoint_url)
    build(b)
    return b


def zonecheck(*args: str, endpoint_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDENTIALS, AWS_ENDPOINT_URL=endpoint_url, AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.environ["AWS_CONFIG_FILE"], AWS_SHARED_CREDENTIALS_FILE=os.environ["AWS_CONFIG_FILE"],
               PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def checked(estate: Builder, endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("endpoints")
    (folder / "zones.yaml").write_text(POLICY)
    run = zonecheck("check", "--policy", "zones.yaml", "--aws", "--region", REGION, "--format", "json", "-o", "report.json",
                    endpoint_url=endpoint_url, cwd=folder)
    assert run.returncode in (0, 1, 3), run.stderr
    return run.returncode, json.loads((folder / "report.json").read_text())


def assertion(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in report["assertions"] if a["name"] == name)


def hops(witness: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(hop["step"], hop["at"], hop["rule"]) for hop in witness["path"]]


def test_check_over_the_moto_server_exits_1_with_the_expected_verdicts(checked: tuple[int, dict[str, Any]]) -> None:
    code, report = checked
    assert code == 1
    assert {a["name"]: a["result"] for a in report["assertions"]} == EXPECTED
    assert report["source"]["kind"] == "aws" and report["source"]["files"] == [f"123456789012/{REGION}"]


def test_an_internet_facing_balancer_forwarding_to_the_db_makes_internet_to_db_fail(
        checked: tuple[int, dict[str, Any]], estate: Builder) -> None:
    witnesses = assertion(checked[1], "internet-cannot-reach-private-db")["witnesses"]
    nodes = {estate.addresses[f"front-{estate[f'subnet-{s}']}"] for s in ("public-a", "public-b")}
    assert len(witnesses) == 2  # one per node of the balancer, each with its own public address
    assert {hops(w)[0] for w in witnesses} == {("igw", estate["igw-shop"], f"from the internet to {ip}") for ip in nodes}
    for witness in witnesses:
        assert (witness["protocol"], witness["port_range"]) == ("tcp", [5432, 5432])
        assert witness["from"]["id"] == "internet" and witness["to"]["id"] == estate["eni-db"]
        path = hops(witness)
        assert ("sg-ingress", estate["sg-lb"], "ingress tcp 80 from 0.0.0.0/0") in path
        assert ("load-balancer", estate["lb-front"], "HTTP 80 -> orders port 5432") in path
        assert path.index(("sg-ingress", estate["sg-lb"], "ingress tcp 80 from 0.0.0.0/0")) < \
            path.index(("load-balancer", estate["lb-front"], "HTTP 80 -> orders port 5432"))
        assert path[-1] == ("sg-ingress", estate["sg-db"], f"ingress tcp 5432 from {estate['sg-lb']}")


def test_an_internal_balancer_gives_the_internet_nothing(checked: tuple[int, dict[str, Any]]) -> None:
    inside = assertion(checked[1], "internet-cannot-reach-private-db2")
    assert (inside["result"], inside["witnesses"]) == ("pass", [])


def test_an_interface_endpoint_is_reached_through_its_own_groups(checked: tuple[int, dict[str, Any]],
                                                                 estate: Builder) -> None:
    (witness,) = assertion(checked[1], "app-cannot-reach-ssm")["witnesses"]
    assert (witness["protocol"], witness["port_range"]) == ("tcp", [443, 443])
    assert (witness["from"]["id"], witness["to"]["id"]) == (estate["eni-app"], estate["eni-ssm"])
    assert hops(witness)[-1] == ("sg-ingress", estate["sg-ssm"], "ingress tcp 443 from 10.90.10.0/24")
    for name in ("app-uses-ssm-on-https-only", "private-db-cannot-reach-ssm"):
        assert (assertion(checked[1], name)["result"], assertion(checked[1], name)["witnesses"]) == ("pass", [])


def test_a_gateway_endpoint_leads_only_to_the_services_addresses(checked: tuple[int, dict[str, Any]],
                                                                 estate: Builder) -> None:
    (witness,) = assertion(checked[1], "app-cannot-reach-internet")["witnesses"]
    s3 = next(p["PrefixListId"] for p in estate.ec2.describe_managed_prefix_lists()["PrefixLists"]
              if p["PrefixListName"] == S3)
    entries = {e["Cidr"] for e in estate.ec2.get_managed_prefix_list_entries(PrefixListId=s3)["Entries"]}
    assert witness["to"]["id"] == "internet" and set(witness["to"]["networks"]) == entries
    path = hops(witness)
    assert path[1] == ("route", estate["rtb-app"], f"{s3} -> {estate['vpce-s3']}")
    assert path[-1] == ("vpc-endpoint", estate["vpce-s3"], f"to {S3} (gateway endpoint)")
