"""Get, for plans: `terraform show -json PLANFILE` → the resources as they will be after apply.

The planned estate is built in layers, each overriding the one before:

1. `prior_state` — only for resources the plan does not mention at all (a `-target`ed plan leaves them alone);
2. `planned_values.root_module` and its `child_modules`;
3. `resource_changes[].change`: `after` and `after_unknown`.  `["delete"]` removes the resource; create,
   update, replace (`["delete","create"]` / `["create","delete"]`) and no-op keep it with its `after`
   values; `["forget"]` (Terraform ≥ 1.7) keeps it as it was, since the object stays in AWS.

Values known only after apply and sensitive values (`after_sensitive`, `sensitive_values`) are left out of
the attributes — a sensitive value is never copied anywhere — and named in `TfResource.hidden`.

Identities known only after apply are given stable placeholders so that the estate stays connected: a new
resource's `id`/`arn` becomes `(known after apply) <address>` (a few other identity attributes, such as a new
VPC's default route table, `(known after apply) <address>.<attribute>`), and an unknown attribute whose
configuration expression only references identities (`security_group_id = aws_security_group.app.id`,
`subnet_ids = aws_subnet.private[*].id`, through module variables and outputs) gets the values — known or
placeholders — of what it references.  Anything else that is unknown stays unknown, for the transforms to
over-approximate and record as `UnknownValue`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.reader import (
    SENSITIVE,
    UNKNOWN,
    IndexKey,
    Side,
    TfResource,
    attributes_of,
    index_key_of,
    json_type,
    required_text,
    resource_address,
    show_module_entries,
)

PLACEHOLDER = "(known after apply) "
SUPPORTED_FORMATS = ("0.", "1.")

# Identity attributes besides id/arn that other resources reference and that are unknown until apply.
# An alias names the attribute whose placeholder is shared (AWS gives both the same value).
_SELF_IDENTITIES: dict[str, dict[str, str]] = {
    "aws_vpc": {"default_route_table_id": "default_route_table_id", "main_route_table_id": "default_route_table_id",
                "default_security_group_id": "default_security_group_id",
                "default_network_acl_id": "default_network_acl_id"},
    "aws_ec2_transit_gateway": {"association_default_route_table_id": "association_default_route_table_id",
                                "propagation_default_route_table_id": "association_default_route_table_id"},
    "aws_vpn_connection": {"transit_gateway_attachment_id": "transit_gateway_attachment_id"},
    "aws_dx_gateway_association": {"transit_gateway_attachment_id": "transit_gateway_attachment_id"},
    "aws_vpc_endpoint": {"prefix_list_id": "prefix_list_id"},
    "aws_db_subnet_group": {"name": "name"},
    "aws_nat_gateway": {"network_interface_id": "network_interface_id"},
}
_SELF_IDENTITIES["aws_default_vpc"] = _SELF_IDENTITIES["aws_vpc"]
_IDENTITY = {"id": "id", "arn": "id"}  # the same placeholder: for load balancers and target groups id == arn

_CHANGE_KEEPS = {"create", "update", "no-op", "read"}
_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?')
_RESOURCE_REF = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?'
                           r'(?:\.([A-Za-z_][A-Za-z0-9_]*))?$')
_MAX_DEPTH = 12
_NO_PICK = object()


@dataclass(frozen=True)
class PlanFile:
    resources: tuple[TfResource, ...]
    notes: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()


def read_plan(data: dict[str, Any], name: str, side: Side = "after") -> PlanFile:
    _check_plan(data, name)
    notes: list[str] = []
    gaps: list[str] = []
    prior = dict(_prior_drafts(data, name))
    if side == "before":
        return PlanFile(tuple(d.freeze(name, None) for d in prior.values()))
    drafts = dict(_planned_drafts(data, name))
    touched = set(drafts)
    for change in _changes(data, name):
        touched.add(change.address)
        if change.gone:
            drafts.pop(change.address, None)
        elif change.draft is not None:
            drafts[change.address] = change.draft
        elif change.address in prior:
            drafts[change.address] = prior[change.address]
    untouched = [address for address in prior if address not in touched]
    for address in untouched:
        drafts[address] = prior[address]
    if untouched:
        notes.append(f"{name}: {len(untouched)} resource(s) of the prior state are not in the plan (a targeted plan?); "
                     "they are taken as they are")
    if data.get("complete") is False:
        gaps.append(f"{name}: the plan is not complete (deferred changes or -target): resources it does not plan "
                    "may change too")
    config = _Config(data.get("configuration"))
    _fill_identities(drafts, config)
    assumptions = _only_vpc_of_module(drafts)
    return PlanFile(tuple(d.freeze(name, config.configured(d)) for d in drafts.values()), tuple(notes), tuple(gaps),
                    tuple(assumptions))


def _check_plan(data: dict[str, Any], name: str) -> None:
    version = data.get("format_version")
    if version is not None and (not isinstance(version, str) or not version.startswith(SUPPORTED_FORMATS)):
        raise CollectError(f"{name}: plan JSON format_version {version!r:.20} is not supported "
                           "(this zonecheck reads 0.x and 1.x, from Terraform 0.12 to 1.x)")
    if data.get("errored") is True:
        raise CollectError(f"{name}: the plan errored, so its planned values are incomplete; fix the errors and run "
                           "`terraform plan -out=FILE` then `terraform show -json FILE` again")
    for key in ("planned_values", "prior_state", "configuration"):
        if data.get(key) is not None and not isinstance(data.get(key), dict):
            raise CollectError(f"{name}: \"{key}\" must be an object, found a JSON {json_type(data.get(key))}")
    if data.get("resource_changes") is not None and not isinstance(data.get("resource_changes"), list):
        raise CollectError(f"{name}: \"resource_changes\" must be an array, found a JSON "
                           f"{json_type(data.get('resource_changes'))}")


# -- drafts: one resource instance being assembled -----------------------------------------------------------


@dataclass
class _Draft:
    address: str
    type: str
    name: str
    module: Optional[str]
    index_key: IndexKey
    values: dict[str, Any]
    hidden: dict[str, Any] = field(default_factory=dict)

    @property
    def module_path(self) -> tuple[tuple[str, IndexKey], ...]:
        return module_path(self.module)

    def freeze(self, file: str, configured: Optional[frozenset[str]]) -> TfResource:
        return TfResource(self.address, self.type, self.name, self.module, self.index_key, self.values, file,
                          hidden=self.hidden, configured=configured, source_kind="plan")


def _draft(address: str, module: Optional[str], resource: dict[str, Any], values: Any, unknown: Any, sensitive: Any,
           name: str) -> _Draft:
    attributes = copy.deepcopy(dict(attributes_of(values, address, name)))
    hidden = merge_hidden(as_hidden(unknown, UNKNOWN), as_hidden(sensitive, SENSITIVE))
    if hidden == SENSITIVE or hidden == UNKNOWN:  # the whole object
        hidden = {key: hidden for key in attributes} if attributes else {}
        attributes = {}
    if not isinstance(hidden, dict):
        hidden = {}
    redact(attributes, hidden)
    return _Draft(address, resource["type"], resource["name"], module, resource.get("index"), attributes, hidden)


def _prior_drafts(data: dict[str, Any], name: str) -> Iterator[tuple[str, _Draft]]:
    prior = data.get("prior_state") or {}
    values = prior.get("values") if isinstance(prior, dict) else None
    if not isinstance(values, dict):
        return
    root = values.get("root_module") or {}
    for address, module, resource in show_module_entries(root, None, "prior_state.values.root_module", name):
        if resource.get("deposed_key"):
            continue  # a deposed object the plan destroys
        yield address, _draft(address, module, resource, resource.get("values"), None,
                              resource.get("sensitive_values"), name)


def _planned_drafts(data: dict[str, Any], name: str) -> Iterator[tuple[str, _Draft]]:
    planned = data.get("planned_values") or {}
    root = planned.get("root_module") or {}
    for address, module, resource in show_module_entries(root, None, "planned_values.root_module", name):
        yield address, _draft(address, module, resource, resource.get("values"), None,
                              resource.get("sensitive_values"), name)


@dataclass(frozen=True)
class _Change:
    address: str
    gone: bool
    draft: Optional[_Draft]
    """None with `gone` False: keep the object as the prior state has it (`forget`)."""


def _changes(data: dict[str, Any], name: str) -> Iterator[_Change]:
    for position, change in enumerate(data.get("resource_changes") or []):
        where = f"resource_changes[{position}]"
        if not isinstance(change, dict):
            raise CollectError(f"{name}: {where} must be an object, found a JSON {json_type(change)}")
        if change.get("mode", "managed") != "managed" or change.get("deposed"):
            continue  # data sources; deposed objects (create_before_destroy) are being destroyed
        rtype, rname = required_text(change, "type", where, name), required_text(change, "name", where, name)
        module = change.get("module_address") or None
        if module is not None and not isinstance(module, str):
            raise CollectError(f"{name}: {where}.module_address must be a string, found {module!r:.60}")
        index_key = index_key_of(change.get("index"), f"{where}.index", name)
        address = resource_address(module, rtype, rname, index_key)
        body = change.get("change")
        if not isinstance(body, dict):
            raise CollectError(f"{name}: {address}: \"change\" must be an object, found a JSON {json_type(body)}")
        actions = body.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise CollectError(f"{name}: {address}: change.actions must be a list of strings, found {actions!r:.60}")
        if actions == ["delete"]:
            yield _Change(address, True, None)
        elif actions == ["forget"] or (actions and not (set(actions) & _CHANGE_KEEPS) and "delete" not in actions):
            yield _Change(address, False, None)
        else:
            resource = {"type": rtype, "name": rname, "index": index_key}
            yield _Change(address, False, _draft(address, module, resource, body.get("after"),
                                                 body.get("after_unknown"), body.get("after_sensitive"), name))


# -- hidden trees --------------------------------------------------------------------------------------------


def as_hidden(marks: Any, reason: str) -> Any:
    """`after_unknown` / `after_sensitive` (true leaves) → a tree whose leaves are `reason`; None if nothing."""
    if marks is True:
        return reason
    if isinstance(marks, dict):
        out = {k: h for k, v in marks.items() if (h := as_hidden(v, reason)) is not None}
        return out or None
    if isinstance(marks, list):
        items = [as_hidden(v, reason) for v in marks]
        return items if any(i is not None for i in items) else None
    return None


def merge_hidden(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, str) or isinstance(b, str):
        return SENSITIVE if SENSITIVE in (a, b) else (a if isinstance(a, str) else b)
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge_hidden(a.get(k), b.get(k)) for k in {*a, *b}}
    if isinstance(a, list) and isinstance(b, list):
        return [merge_hidden(a[i] if i < len(a) else None, b[i] if i < len(b) else None)
                for i in range(max(len(a), len(b)))]
    return a


def redact(values: Any, hidden: Any) -> None:
    """Blank every value the hidden tree names: sensitive values are never kept, unknown ones are not there."""
    if isinstance(values, dict) and isinstance(hidden, dict):
        for key, sub in hidden.items():
            if isinstance(sub, str):
                if key in values:
                    values[key] = None
            elif key in values:
                redact(values[key], sub)
    elif isinstance(values, list) and isinstance(hidden, list):
        for i, sub in enumerate(hidden):
            if i >= len(values):
                break
            if isinstance(sub, str):
                values[i] = None
            else:
                redact(values[i], sub)


def hidden_leaves(hidden: Any) -> Iterator[str]:
    if isinstance(hidden, str):
        yield hidden
    elif isinstance(hidden, dict):
        for sub in hidden.values():
            yield from hidden_leaves(sub)
    elif isinstance(hidden, list):
        for sub in hidden:
            yield from hidden_leaves(sub)


# -- module addresses ----------------------------------------------------------------------------------------


ModulePath = tuple[tuple[str, IndexKey], ...]


def module_path(module: Optional[str]) -> ModulePath:
    """`module.a[0].module.b["x"]` → (("a", 0), ("b", "x"))."""
    if not module:
        return ()
    steps: list[tuple[str, IndexKey]] = []
    position = 0
    while position < len(module):
        match = _MODULE_STEP.match(module, position)
        if match is None:
            return tuple(steps)  # not a module address we understand: resolve nothing through it
        steps.append((match.group(1), _key(match.group(2))))
        position = match.end() + 1  # skip the dot
    return tuple(steps)


def module_address(path: ModulePath) -> Optional[str]:
    if not path:
        return None
    return ".".join(f"module.{n}" + ("" if k is None else f"[{json.dumps(k)}]") for n, k in path)


def _key(text: Optional[str]) -> IndexKey:
    if text is None:
        return None
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return text
        return value if isinstance(value, str) else text
    return int(text)


# -- configuration: which attribute references which resource ------------------------------------------------


class _Config:
    def __init__(self, configuration: Any) -> None:
        root = configuration.get("root_module") if isinstance(configuration, dict) else None
        self.present = isinstance(root, dict)
        self.root: dict[str, Any] = root if isinstance(root, dict) else {}

    def module(self, path: ModulePath) -> Optional[dict[str, Any]]:
        module: Any = self.root
        for call_name, _ in path:
            calls = module.get("module_calls") if isinstance(module, dict) else None
            call = calls.get(call_name) if isinstance(calls, dict) else None
            module = call.get("module") if isinstance(call, dict) else None
            if not isinstance(module, dict):
                return None
        return module if isinstance(module, dict) else None

    def call(self, path: ModulePath) -> Optional[dict[str, Any]]:
        """The `module_calls` entry that instantiates the module at `path`."""
        if not path:
            return None
        parent = self.module(path[:-1])
        calls = parent.get("module_calls") if parent else None
        call = calls.get(path[-1][0]) if isinstance(calls, dict) else None
        return call if isinstance(call, dict) else None

    def expressions(self, draft: _Draft) -> Optional[dict[str, Any]]:
        module = self.module(draft.module_path)
        resources = _obj(module).get("resources")
        for resource in resources if isinstance(resources, list) else []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed" \
                    and resource.get("type") == draft.type and resource.get("name") == draft.name:
                expressions = resource.get("expressions")
                return expressions if isinstance(expressions, dict) else {}
        return None

    def configured(self, draft: _Draft) -> Optional[frozenset[str]]:
        expressions = self.expressions(draft) if self.present else None
        return None if expressions is None else frozenset(expressions)


def _obj(value: Any) -> dict[str, Any]:
    """The configuration only advises: a part of it that is not an object is read as empty, never trusted."""
    return value if isinstance(value, dict) else {}


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and ("references" in value or "constant_value" in value)


def _references(expression: Any) -> Optional[list[str]]:
    refs = expression.get("references") if isinstance(expression, dict) else None
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        return None
    # Terraform lists every prefix of a traversal (`aws_sg.a.id`, `aws_sg.a`): keep the longest.
    return [r for r in refs if not any(o != r and (o.startswith(r + ".") or o.startswith(r + "[")) for o in refs)]


# -- filling identities --------------------------------------------------------------------------------------


def placeholder(draft: _Draft, attribute: str) -> str:
    if attribute in _IDENTITY:
        return PLACEHOLDER + draft.address
    canonical = _SELF_IDENTITIES.get(draft.type, {}).get(attribute, attribute)
    return f"{PLACEHOLDER}{draft.address}.{canonical}"


def _self_identity(draft: _Draft, attribute: str) -> bool:
    return attribute in _IDENTITY or attribute in _SELF_IDENTITIES.get(draft.type, {})


def _fill_identities(drafts: dict[str, _Draft], config: _Config) -> None:
    for draft in drafts.values():
        for attribute, leaf in list(draft.hidden.items()):
            if leaf == UNKNOWN and _self_identity(draft, attribute):
                draft.values[attribute] = placeholder(draft, attribute)
                del draft.hidden[attribute]
    if not config.present:
        return
    resolver = _Resolver(drafts, config)
    for draft in drafts.values():
        if draft.hidden:
            expressions = config.expressions(draft)
            if expressions is not None:
                resolver.fill(draft, draft.values, draft.hidden, expressions, 0)


def _only_vpc_of_module(drafts: dict[str, _Draft]) -> list[str]:
    """A `vpc_id` still unknown (e.g. through a `local`, which plan JSON does not show) in a module instance that
    creates exactly one VPC is assumed to be that VPC — the shape of the common VPC modules."""
    vpcs: dict[Optional[str], list[_Draft]] = {}
    for draft in drafts.values():
        if draft.type in ("aws_vpc", "aws_default_vpc"):
            vpcs.setdefault(draft.module, []).append(draft)
    guessed: dict[tuple[Optional[str], str], list[str]] = {}
    for draft in drafts.values():
        only = vpcs.get(draft.module, [])
        vpc_id = only[0].values.get("id") if len(only) == 1 else None
        if draft.hidden.get("vpc_id") == UNKNOWN and isinstance(vpc_id, str) and draft.type not in ("aws_vpc", "aws_default_vpc"):
            draft.values["vpc_id"] = vpc_id
            del draft.hidden["vpc_id"]
            guessed.setdefault((draft.module, vpc_id), []).append(draft.address)
    out = []
    for (module, vpc_id), addresses in sorted(guessed.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        shown = ", ".join(addresses[:3]) + (f" and {len(addresses) - 3} more" if len(addresses) > 3 else "")
        out.append(f"{shown}: vpc_id is known only after apply and its expression is not in the plan; assumed to be "
                   f"{vpc_id}, the only VPC of {module or 'the root module'}")
    return out


@dataclass(frozen=True)
class _Context:
    path: ModulePath
    index: IndexKey


class _Resolver:
    def __init__(self, drafts: dict[str, _Draft], config: _Config) -> None:
        self.config = config
        self.drafts = drafts
        self.instances: dict[tuple[Optional[str], str, str], dict[IndexKey, _Draft]] = {}
        self.module_keys: dict[tuple[ModulePath, str], set[IndexKey]] = {}
        for draft in drafts.values():
            self.instances.setdefault((draft.module, draft.type, draft.name), {})[draft.index_key] = draft
            path = draft.module_path
            for depth in range(len(path)):
                self.module_keys.setdefault((path[:depth], path[depth][0]), set()).add(path[depth][1])
        self._busy: set[tuple[str, str]] = set()

    # -- filling one resource's hidden values ------------------------------------------------------------
    def fill(self, draft: _Draft, values: dict[str, Any], hidden: dict[str, Any], expressions: Any, depth: int) -> None:
        context = _Context(draft.module_path, draft.index_key)
        for key, leaf in list(hidden.items()):
            expression = expressions.get(key) if isinstance(expressions, dict) else None
            if isinstance(leaf, dict):
                sub = values.get(key)
                if isinstance(sub, dict) and isinstance(expression, dict) and not _is_expression(expression):
                    self.fill(draft, sub, leaf, expression, depth)
            elif isinstance(leaf, list) and any(isinstance(item, dict) for item in leaf):
                blocks = values.get(key)
                config_blocks = expression if isinstance(expression, list) else []
                for position, sub_hidden in enumerate(leaf):
                    if not isinstance(sub_hidden, dict) or not isinstance(blocks, list) or position >= len(blocks) \
                            or not isinstance(blocks[position], dict):
                        continue
                    matched = _matching_block(blocks[position], config_blocks)
                    if matched is not None:
                        self.fill(draft, blocks[position], sub_hidden, matched, depth)
                if all(not item for item in leaf):
                    del hidden[key]
                continue
            elif SENSITIVE not in hidden_leaves(leaf) and _is_expression(expression) and holds_identities(key):
                resolved = self.resolve(_references(expression), context, depth)
                if resolved is not None:
                    filled = _filled(values.get(key), resolved, key, leaf)
                    if filled is not None:
                        values[key] = filled
                        del hidden[key]
                        continue
            if isinstance(leaf, dict) and not leaf:
                del hidden[key]

    # -- references → identity values ---------------------------------------------------------------------
    def resolve(self, refs: Optional[list[str]], context: _Context, depth: int, pick: Any = _NO_PICK
                ) -> Optional[list[str]]:
        """The identity values the references name (known or placeholders); None if any cannot be resolved.

        `pick`: the key a caller took out of a map-valued module output (`module.vpc.subnet_ids["web"]`): the
        instance of that key of a `for_each` resource behind it."""
        if refs is None or depth > _MAX_DEPTH:
            return None
        selectors = {r for r in refs if r in ("count.index", "each.key", "each.value")}
        out: list[str] = []
        for ref in refs:
            if ref in selectors:
                continue
            found = self._one(ref, context, selectors, depth, pick)
            if found is None:
                return None
            out += [v for v in found if v not in out]
        return out or None

    def _one(self, ref: str, context: _Context, selectors: set[str], depth: int, pick: Any) -> Optional[list[str]]:
        if ref.startswith("var."):
            return self._variable(ref[4:], context, depth, pick)
        if ref.startswith("module."):
            return self._output(ref, context, selectors, depth, pick)
        if ref.startswith(("data.", "local.", "each.", "count.", "path.", "terraform.", "self.")):
            return None
        match = _RESOURCE_REF.match(ref)
        if match is None:
            return None
        rtype, rname, index_text, attribute = match.groups()
        attribute = attribute or "id"  # Terraform 0.12 wrote a bare resource for `.id`
        targets = self._instances(module_address(context.path), rtype, rname, index_text, context, selectors, pick)
        if not targets:
            return None
        values = []
        for target in targets:
            value = self.value(target, attribute, depth + 1)
            if value is None:
                return None
            values += value
        return values

    def _instances(self, module: Optional[str], rtype: str, rname: str, index_text: Optional[str], context: _Context,
                   selectors: set[str], pick: Any = _NO_PICK) -> list[_Draft]:
        found = self.instances.get((module, rtype, rname)) or {}
        if index_text is not None:
            one = found.get(_key(index_text))
            return [one] if one else []
        if set(found) == {None}:
            return [found[None]]
        if pick is not _NO_PICK:
            one = found.get(pick)
            return [one] if one else []
        if ("count.index" in selectors and isinstance(context.index, int)) or \
                (selectors & {"each.key", "each.value"} and isinstance(context.index, str)):
            one = found.get(context.index)
            return [one] if one else []
        return [found[k] for k in sorted(found, key=lambda k: (isinstance(k, str), k))]

    def value(self, draft: _Draft, attribute: str, depth: int) -> Optional[list[str]]:
        """An identity attribute of a resource: its value, else what its own expression references."""
        if not (_self_identity(draft, attribute) or attribute.endswith(("_id", "_ids", "_arn"))):
            return None  # a CIDR, an address…: not an identity, never substituted
        value = draft.values.get(attribute)
        if isinstance(value, str) and value:
            return [value]
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value) \
                and attribute not in draft.hidden:
            return list(value)
        if draft.hidden.get(attribute) != UNKNOWN:
            return None
        key = (draft.address, attribute)
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            expression = (self.config.expressions(draft) or {}).get(attribute)
            if not _is_expression(expression):
                return None
            return self.resolve(_references(expression), _Context(draft.module_path, draft.index_key), depth + 1)
        finally:
            self._busy.discard(key)

    def _variable(self, name: str, context: _Context, depth: int, pick: Any = _NO_PICK) -> Optional[list[str]]:
        """A module variable: what the module call passes.  A variable known at plan time (a root variable,
        a constant, a default) cannot be what is unknown: it only selects (`var.single_nat ? 0 : count.index`)."""
        if not context.path:
            return []
        call = self.config.call(context.path)
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        expression = _obj(_obj(call).get("expressions")).get(base)
        refs = _references(expression)
        if refs is None:
            return []  # not passed (its default) or a constant
        rest = name[len(base):]
        if rest:
            key = re.fullmatch(r'\[(\d+|"(?:[^"\\]|\\.)*")\]', rest)
            if key is None:
                return None  # an attribute of an object variable: not followed
            pick = _key(key.group(1))
        parent = _Context(context.path[:-1], context.path[-1][1])
        return self.resolve(refs, parent, depth + 1, pick)

    def _output(self, ref: str, context: _Context, selectors: set[str], depth: int, pick: Any = _NO_PICK
                ) -> Optional[list[str]]:
        match = re.match(r'module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?\.([A-Za-z0-9_-]+)'
                         r'(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?$', ref)
        if match is None:
            return None
        call_name, index_text, output, picked = match.groups()
        if picked is not None:
            pick = _key(picked)
        module = self.config.module((*context.path, (call_name, None)))
        expression = _obj(_obj(_obj(module).get("outputs")).get(output)).get("expression")
        if not _is_expression(expression):
            return None
        keys = self.module_keys.get((context.path, call_name), set())
        if index_text is not None:
            chosen = [_key(index_text)]
        elif keys <= {None}:
            chosen = [None]
        elif selectors & {"count.index", "each.key", "each.value"} and context.index in keys:
            chosen = [context.index]
        else:
            chosen = sorted(keys, key=lambda k: (isinstance(k, str), k))
        out: list[str] = []
        for key in chosen:
            found = self.resolve(_references(expression), _Context((*context.path, (call_name, key)), key), depth + 1, pick)
            if found is None:
                return None
            out += [v for v in found if v not in out]
        return out or None


_IDENTITY_HOLDERS = frozenset({"security_groups", "subnets", "instances", "instance", "network_interface", "elb",
                               "propagating_vgws", "load_balancers", "db_subnet_group_name"})


def holds_identities(key: str) -> bool:
    """Attributes that hold ids or ARNs: only they are filled from references (a CIDR never is: `cidrsubnet(
    aws_vpc.x.cidr_block, …)` and Terraform 0.12's truncated `aws_vpc.x` would otherwise read as an id)."""
    return key in ("id", "arn") or key.endswith(("_id", "_ids", "_arn", "_arns")) or key in _IDENTITY_HOLDERS


def _matching_block(block: dict[str, Any], config_blocks: list[Any]) -> Optional[dict[str, Any]]:
    """The configuration block an `after` block comes from: set-typed blocks (`ingress`) are reordered by
    Terraform, so blocks are matched by their constant values, not by position."""
    candidates = []
    for config_block in config_blocks:
        if not isinstance(config_block, dict):
            continue
        consistent = True
        for key, expression in config_block.items():
            if isinstance(expression, dict) and "constant_value" in expression and key in block:
                if str(expression["constant_value"]).lower() != str(block[key]).lower():
                    consistent = False
                    break
        if consistent:
            candidates.append(config_block)
    if len(candidates) == 1:
        return candidates[0]
    if candidates and all(c == candidates[0] for c in candidates):
        return candidates[0]
    # Several blocks could be the one: usable only for the keys whose expressions they all share.
    if candidates:
        shared = {k: v for k, v in candidates[0].items() if all(c.get(k) == v for c in candidates)}
        return shared or None
    return None


def _filled(current: Any, resolved: list[str], key: str, leaf: Any) -> Any:
    """The attribute's value once its references are resolved: a list when it is one, else a single value."""
    is_list = isinstance(current, list) or isinstance(leaf, list) or key.endswith("s")
    if is_list:
        known = [v for v in current if isinstance(v, str) and v] if isinstance(current, list) else []
        return known + [v for v in resolved if v not in known]
    return resolved[0] if len(resolved) == 1 else None


def hidden_at(hidden: Mapping[str, Any], attribute: str) -> Optional[str]:
    """The hidden leaf (UNKNOWN/SENSITIVE) under an attribute path such as `ingress[0].cidr_blocks` or
    `protocol/from_port/to_port` (any of them), or None when the value is simply absent."""
    for alternative in attribute.split("/"):
        node: Any = hidden
        for step in re.findall(r"[^.\[\]]+|\[\d+\]", alternative):
            if isinstance(node, str):
                break
            if step.startswith("["):
                position = int(step[1:-1])
                node = node[position] if isinstance(node, list) and position < len(node) else None
            else:
                node = node.get(step) if isinstance(node, dict) else None
            if node is None:
                break
        leaves = list(hidden_leaves(node)) if node is not None else []
        if leaves:
            return SENSITIVE if SENSITIVE in leaves else leaves[0]
    return None


__all__ = ["PLACEHOLDER", "PlanFile", "hidden_at", "hidden_leaves", "module_path", "placeholder", "read_plan"]
