"""Fixtures for the Terraform collector: data files, the shared real-world states, tiny hand-made states."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import Snapshot

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "terraform"
AWS = 'provider["registry.terraform.io/hashicorp/aws"]'


def shared_real_data() -> Optional[Path]:
    """Real states collected from public repositories, kept beside the repo (never copied into it)."""
    root = Path(os.environ.get("ZONECHECK_SHARED", REPO.parent / "shared"))
    folder = root / "real-data" / "terraform"
    return folder if (folder / "MANIFEST.tsv").is_file() else None


def real_files(*kinds: str) -> list[Path]:
    folder = shared_real_data()
    if folder is None:
        return []
    with open(folder / "MANIFEST.tsv", newline="") as f:
        return [folder / row["local_file"] for row in csv.DictReader(f, delimiter="\t") if row["kind"] in kinds]


@pytest.fixture
def real_data() -> Path:
    folder = shared_real_data()
    if folder is None:
        pytest.skip("shared/real-data/terraform is not beside the repository")
    return folder


def driftctl(real_data: Path, resource_type: str) -> Path:
    """One of driftctl's per-resource test states, e.g. driftctl(real_data, "aws_route")."""
    return real_data / "driftctl" / f"pkg__iac__terraform__state__test__{resource_type}__terraform.tfstate.json"


def load(*names: str) -> Snapshot:
    return load_terraform([DATA / name for name in names])


@pytest.fixture(scope="session")
def estate() -> Snapshot:
    """The network and app stacks plus the partner account's accepter, merged."""
    return load("network.tfstate", "app.tfstate", "peer.tfstate")


StateWriter = Callable[..., Path]


@pytest.fixture
def write_state(tmp_path: Path) -> StateWriter:
    """Write a small raw v4 state: write_state(("aws_vpc", "main", {...}), ...) -> path.

    A resource is (type, name, attributes) or (type, name, attributes, {"module": ..., "index_key": ...}).
    """
    counter = iter(range(1000))

    def write(*resources: tuple[Any, ...], name: Optional[str] = None) -> Path:
        body = []
        for resource in resources:
            rtype, rname, attributes, *extra = resource
            options = extra[0] if extra else {}
            instance = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}
            if "index_key" in options:
                instance = {"index_key": options["index_key"], **instance}
            entry = {"mode": options.get("mode", "managed"), "type": rtype, "name": rname, "provider": AWS,
                     "instances": [instance]}
            if "module" in options:
                entry = {"module": options["module"], **entry}
            body.append(entry)
        path = tmp_path / (name or f"state{next(counter)}.tfstate")
        path.write_text(json.dumps({"version": 4, "terraform_version": "1.9.8", "serial": 1,
                                    "lineage": "00000000-0000-0000-0000-000000000000", "outputs": {},
                                    "resources": body, "check_results": None}))
        return path

    return write


def vpc_attrs(vpc_id: str = "vpc-1", cidr: str = "10.0.0.0/16", **extra: Any) -> dict[str, Any]:
    attrs = {"id": vpc_id, "arn": f"arn:aws:ec2:eu-west-1:111111111111:vpc/{vpc_id}", "cidr_block": cidr,
             "ipv6_cidr_block": "", "main_route_table_id": "rtb-main", "default_route_table_id": "rtb-main",
             "default_security_group_id": "sg-default", "default_network_acl_id": "acl-default",
             "owner_id": "111111111111", "tags": {}, "tags_all": {}}
    attrs.update(extra)
    return attrs


def subnet_attrs(subnet_id: str = "subnet-1", vpc_id: str = "vpc-1", cidr: str = "10.0.1.0/24", **extra: Any) -> dict[str, Any]:
    attrs = {"id": subnet_id, "vpc_id": vpc_id, "cidr_block": cidr, "ipv6_cidr_block": "",
             "availability_zone": "eu-west-1a", "map_public_ip_on_launch": False, "tags": None, "tags_all": {}}
    attrs.update(extra)
    return attrs


def group_attrs(group_id: str = "sg-1", vpc_id: str = "vpc-1", ingress: Any = (), egress: Any = ()) -> dict[str, Any]:
    return {"id": group_id, "vpc_id": vpc_id, "name": group_id, "ingress": list(ingress), "egress": list(egress),
            "tags": {}, "tags_all": {}}


def inline_rule(protocol: str, from_port: Any, to_port: Any, **peers: Any) -> dict[str, Any]:
    rule = {"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
            "description": "", "protocol": protocol, "from_port": from_port, "to_port": to_port}
    rule.update(peers)
    return rule


PlanWriter = Callable[..., Path]


@pytest.fixture
def write_plan(tmp_path: Path) -> PlanWriter:
    """Write a small `terraform show -json` plan: write_plan(change(...), ...) -> path.

    Each change is a dict made by `change()`; `configuration` maps a module-relative resource address to its
    expressions (root module only).
    """
    counter = iter(range(1000))

    def write(*changes: dict[str, Any], configuration: Optional[dict[str, dict[str, Any]]] = None,
              prior: Optional[list[dict[str, Any]]] = None, **top: Any) -> Path:
        planned = [{"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
                    "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                    "values": c["change"]["after"], "sensitive_values": {}}
                   for c in changes if c["change"]["after"] is not None and not c.get("module_address")]
        body: dict[str, Any] = {"format_version": "1.2", "terraform_version": "1.9.8",
                                "planned_values": {"root_module": {"resources": planned}},
                                "resource_changes": list(changes)}
        if prior is not None:
            body["prior_state"] = {"format_version": "1.0", "terraform_version": "1.9.8",
                                   "values": {"root_module": {"resources": prior}}}
        if configuration is not None:
            body["configuration"] = {"root_module": {"resources": [
                {"address": address, "mode": "managed", "type": address.split(".")[0], "name": address.split(".")[1],
                 "provider_config_key": "aws", "expressions": expressions, "schema_version": 0}
                for address, expressions in configuration.items()]}}
        body.update(applyable=True, complete=True, errored=False, timestamp="2025-01-01T00:00:00Z")
        body.update(top)
        path = tmp_path / f"plan{next(counter)}.json"
        path.write_text(json.dumps(body))
        return path

    return write


def change(rtype: str, name: str, after: Optional[dict[str, Any]], unknown: Optional[dict[str, Any]] = None,
           actions: tuple[str, ...] = ("create",), sensitive: Optional[dict[str, Any]] = None,
           before: Optional[dict[str, Any]] = None, index: Any = None) -> dict[str, Any]:
    address = f"{rtype}.{name}" + ("" if index is None else f"[{json.dumps(index)}]")
    out: dict[str, Any] = {"address": address, "mode": "managed", "type": rtype, "name": name}
    if index is not None:
        out["index"] = index
    out.update({"provider_name": "registry.terraform.io/hashicorp/aws", "change": {
        "actions": list(actions), "before": before, "after": after, "after_unknown": unknown or {},
        "before_sensitive": False if before is None else {}, "after_sensitive": sensitive or ({} if after else False)}})
    return out


def refs(*references: str) -> dict[str, Any]:
    return {"references": list(references)}
