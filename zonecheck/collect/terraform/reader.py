"""Get: read Terraform JSON files and yield plain resource instances.

Three shapes come out as the same `TfResource` stream:

* the raw state, version 4 (`terraform.tfstate`, `terraform state pull`):
  `{"version": 4, "resources": [{"mode", "type", "name", "module"?, "instances": [{"index_key"?, "attributes"}]}]}`
* `terraform show -json` of a state:
  `{"format_version", "values": {"root_module": {"resources": [...], "child_modules": [...]}}}`
* `terraform show -json` of a plan (`planned_values`, `resource_changes`, `prior_state`, `configuration`):
  the resources as they will be after apply, read by `plan.py`; values known only after apply or marked
  sensitive are left out and named in `TfResource.hidden`.

Older raw states and anything else are refused with a `CollectError` that says what to run instead.
Only managed resources are yielded: data sources describe things the configuration reads, not what it manages,
and would duplicate records with stale copies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal, Mapping, Optional, Union

from zonecheck.collect.errors import CollectError

IndexKey = Union[int, str, None]


@dataclass(frozen=True)
class TfResource:
    """One instance of one managed resource, as the state records it."""

    address: str
    """Full address, e.g. `module.net.aws_subnet.private["a"]`."""
    type: str
    name: str
    module: Optional[str]
    index_key: IndexKey
    attributes: Mapping[str, Any]
    file: str
    """The file it was read from, as the user named it: every error message starts with it."""
    hidden: Mapping[str, Any] = field(default_factory=dict)
    """Plans: the attributes whose value the file does not give, as a tree shaped like `attributes` whose
    leaves say why: `UNKNOWN` (known only after apply) or `SENSITIVE` (marked sensitive: never read)."""
    configured: Optional[frozenset[str]] = None
    """Plans: the top-level attributes the configuration sets (None: the plan has no configuration for it)."""
    source_kind: Literal["state", "plan"] = "state"


UNKNOWN = "unknown"
SENSITIVE = "sensitive"
HIDDEN_REASONS = {UNKNOWN: "known only after apply", SENSITIVE: "sensitive in the plan; its value is not read"}


@dataclass(frozen=True)
class StateFile:
    name: str
    sha256: str
    resources: tuple[TfResource, ...]
    kind: Literal["state", "plan"] = "state"
    notes: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    """Why the file may not hold the whole estate (e.g. an incomplete plan): recorded as `Incomplete`."""
    assumptions: tuple[str, ...] = ()


Side = Literal["after", "before"]


def read_state_file(path: str | Path, side: Side = "after") -> StateFile:
    """Read one file, detect its format and return its managed resource instances.

    A plan gives the resources as they will be after apply, or with `side="before"` as its `prior_state`
    holds them; a state is the same on both sides.
    """
    name = str(path)
    raw = _read_bytes(Path(path), name)
    data = _parse_json(raw, name)
    sha256 = hashlib.sha256(raw).hexdigest()
    if isinstance(data, dict) and is_plan(data):
        from zonecheck.collect.terraform.plan import read_plan

        plan = read_plan(data, name, side)
        return StateFile(name=name, sha256=sha256, resources=plan.resources, kind="plan", notes=plan.notes,
                         gaps=plan.gaps, assumptions=plan.assumptions)
    resources = tuple(_resources_of(data, name))
    return StateFile(name=name, sha256=sha256, resources=resources)


def is_plan(data: Mapping[str, Any]) -> bool:
    """`terraform show -json` of a saved plan (as opposed to a state)."""
    return "planned_values" in data or "resource_changes" in data


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CollectError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CollectError(f"{name}: is a directory; pass the state file itself (e.g. {name}/terraform.tfstate)") from None
    except OSError as err:
        raise CollectError(f"{name}: cannot read ({err.strerror or err})") from None


def _parse_json(raw: bytes, name: str) -> Any:
    if not raw.strip():
        raise CollectError(
            f"{name}: file is empty; expected a Terraform state (`terraform state pull` or `terraform show -json`)")
    try:
        # Terraform writes UTF-8 (RFC 8259); json.loads would silently guess UTF-16/32 from bytes.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CollectError(f"{name}: not valid JSON (not UTF-8 text); Terraform writes UTF-8: pass the file it wrote, "
                           "not a re-encoded copy") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise CollectError(f"{name}: JSON nested too deeply to be a Terraform state or plan") from None
    except json.JSONDecodeError as err:
        raise CollectError(
            f"{name}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno}); is the file complete?"
        ) from None
    except UnicodeDecodeError:
        raise CollectError(f"{name}: not valid JSON (not UTF-8 text)") from None


def _resources_of(data: Any, name: str) -> Iterator[TfResource]:
    if not isinstance(data, dict):
        raise CollectError(
            f"{name}: expected a Terraform state (a JSON object), found a JSON {json_type(data)}"
        )
    if "version" in data and ("lineage" in data or "terraform_version" in data or "resources" in data or "modules" in data):
        return _raw_state_resources(data, name)
    if "format_version" in data:
        return _show_state_resources(data, name)
    if "schema_version" in data and "source" in data:
        raise CollectError(f"{name}: this is a zonecheck snapshot, not a Terraform state; pass it with --snapshot")
    raise CollectError(
        f"{name}: not a Terraform state (no \"version\" or \"format_version\" key); "
        "pass the output of `terraform state pull` or `terraform show -json`"
    )


def json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# -- raw state v4 --------------------------------------------------------------------------------------------


def _raw_state_resources(data: dict[str, Any], name: str) -> Iterator[TfResource]:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CollectError(f"{name}: state \"version\" must be a number, found {version!r:.40}")
    if version <= 3:
        raise CollectError(
            f"{name}: Terraform state version {version} (Terraform 0.11 or older) is not supported; "
            "upgrade the state with Terraform >= 0.12 (`terraform init` then `terraform apply -refresh-only`) and pass it again"
        )
    if version != 4:
        raise CollectError(f"{name}: Terraform state version {version} is not supported (this zonecheck reads version 4)")
    resources = data.get("resources") or []
    if not isinstance(resources, list):
        raise CollectError(f"{name}: \"resources\" must be an array, found a JSON {json_type(resources)}")
    for position, resource in enumerate(resources):
        yield from _raw_resource_instances(resource, f"resources[{position}]", name)


def _raw_resource_instances(resource: Any, where: str, name: str) -> Iterator[TfResource]:
    if not isinstance(resource, dict):
        raise CollectError(f"{name}: {where} must be an object, found a JSON {json_type(resource)}")
    if resource.get("mode", "managed") != "managed":
        return
    rtype, rname = required_text(resource, "type", where, name), required_text(resource, "name", where, name)
    module = resource.get("module") or None
    if module is not None and not isinstance(module, str):
        raise CollectError(f"{name}: {where}.module must be a string, found {module!r:.60}")
    instances = resource.get("instances") or []
    if not isinstance(instances, list):
        raise CollectError(f"{name}: {where}.instances must be an array, found a JSON {json_type(instances)}")
    for position, instance in enumerate(instances):
        here = f"{where}.instances[{position}]"
        if not isinstance(instance, dict):
            raise CollectError(f"{name}: {here} must be an object, found a JSON {json_type(instance)}")
        index_key = index_key_of(instance.get("index_key"), f"{here}.index_key", name)
        address = resource_address(module, rtype, rname, index_key, instance.get("deposed"))
        attributes = instance.get("attributes")
        if attributes is None and "attributes_flat" in instance:
            # Upgraded from a 0.11 state and never refreshed: values are flattened strings we cannot type.
            raise CollectError(
                f"{name}: {address} still holds attributes in the Terraform 0.11 flat form; "
                "run `terraform apply -refresh-only` with Terraform >= 0.12 and pass the state again"
            )
        yield TfResource(address, rtype, rname, module, index_key, attributes_of(attributes, address, name), name)


# -- terraform show -json of a state ---------------------------------------------------------------------


def _show_state_resources(data: dict[str, Any], name: str) -> Iterator[TfResource]:
    values = data.get("values")
    if values is None:
        return iter(())  # `terraform show -json` of an empty state has no "values" at all.
    if not isinstance(values, dict):
        raise CollectError(f"{name}: \"values\" must be an object, found a JSON {json_type(values)}")
    root = values.get("root_module") or {}
    return _show_module_resources(root, None, "values.root_module", name)


def show_module_entries(module: Any, module_address: Optional[str], where: str, name: str
                        ) -> Iterator[tuple[str, Optional[str], dict[str, Any]]]:
    """(address, module address, resource object) of every managed resource of a `terraform show -json`
    module tree (`values.root_module`, `planned_values.root_module`, `prior_state.values.root_module`)."""
    if not isinstance(module, dict):
        raise CollectError(f"{name}: {where} must be an object, found a JSON {json_type(module)}")
    resources = module.get("resources") or []
    if not isinstance(resources, list):
        raise CollectError(f"{name}: {where}.resources must be an array")
    for position, resource in enumerate(resources):
        here = f"{where}.resources[{position}]"
        if not isinstance(resource, dict):
            raise CollectError(f"{name}: {here} must be an object, found a JSON {json_type(resource)}")
        if resource.get("mode", "managed") != "managed":
            continue
        rtype, rname = required_text(resource, "type", here, name), required_text(resource, "name", here, name)
        index_key = index_key_of(resource.get("index"), f"{here}.index", name)
        address = resource_address(module_address, rtype, rname, index_key, resource.get("deposed_key"))
        yield address, module_address, resource
    children = module.get("child_modules") or []
    if not isinstance(children, list):
        raise CollectError(f"{name}: {where}.child_modules must be an array")
    for position, child in enumerate(children):
        here = f"{where}.child_modules[{position}]"
        child_address = child.get("address") if isinstance(child, dict) else None
        if not isinstance(child_address, str) or not child_address:
            raise CollectError(f"{name}: {here} has no module \"address\"")
        yield from show_module_entries(child, child_address, here, name)


def _show_module_resources(module: Any, module_address: Optional[str], where: str, name: str) -> Iterator[TfResource]:
    for address, module_of, resource in show_module_entries(module, module_address, where, name):
        # The address is rebuilt: Terraform 0.12 wrote child-module addresses without their module prefix.
        yield TfResource(address, resource["type"], resource["name"], module_of, resource.get("index"),
                         attributes_of(resource.get("values"), address, name), name)


# -- shared helpers ------------------------------------------------------------------------------------------


def resource_address(module: Optional[str], rtype: str, rname: str, index_key: IndexKey, deposed: Any = None) -> str:
    """Terraform's own spelling: `module.a.module.b.aws_x.name[0]` or `…name["key"]`."""
    address = f"{module}.{rtype}.{rname}" if module else f"{rtype}.{rname}"
    if isinstance(index_key, int):
        address += f"[{index_key}]"
    elif isinstance(index_key, str):
        address += f"[{json.dumps(index_key)}]"
    if deposed:
        # A deposed object (create_before_destroy) still exists in AWS until Terraform destroys it.
        address += f" (deposed {deposed})"
    return address


def required_text(obj: dict[str, Any], key: str, where: str, name: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise CollectError(f"{name}: {where} has no \"{key}\" string; is this a Terraform state?")
    return value


def index_key_of(value: Any, where: str, name: str) -> IndexKey:
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise CollectError(f"{name}: {where} must be a number or a string, found {value!r:.40}")


def attributes_of(value: Any, address: str, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CollectError(f"{name}: {address}: attributes must be an object, found a JSON {json_type(value)}")
    return value


__all__ = ["HIDDEN_REASONS", "SENSITIVE", "UNKNOWN", "Side", "StateFile", "TfResource", "is_plan", "read_state_file",
           "resource_address", "show_module_entries"]
