"""Whatever a resource holds, the collector builds a snapshot or says what is wrong in one line.

The transforms are called directly, without the last-resort net of `load_terraform`, so that a
KeyError or TypeError in a transform shows up here as the bug it is.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.build import build_snapshot, source_info
from zonecheck.collect.terraform.reader import read_state_file

from .conftest import DATA

FILES = [read_state_file(DATA / name) for name in ("network.tfstate", "app.tfstate", "managed_defaults.tfstate",
                                                   "transit.tfstate", "services.tfstate", "plan_unknown_cidr.json",
                                                   "plan_new_stack.json")]
RESOURCES = [(f, i) for f in FILES for i in range(len(f.resources))]

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-70000, 70000), st.sampled_from(["", "abc", "-1", "tcp", "10.0.0.0/8", "::/0",
                                                                          "sg-x", "eni-x", "local", "300.0.0.0/8"]),
    st.lists(st.sampled_from(["", "10.1.0.0/16", "sg-y", "x"]), max_size=2), st.just({}), st.just([{}]),
    st.just([{"cidr_block": "10.0.0.0/8"}]), st.just({"a": 1}),
)


def mutated(attributes: Any, path: list[str], value: Any) -> Any:
    """`attributes` with the value at `path` (keys or list positions, as text) replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(attributes, dict) and head in attributes:
        return {**attributes, head: mutated(attributes[head], rest, value)}
    if isinstance(attributes, list) and head.isdigit() and int(head) < len(attributes):
        copy = list(attributes)
        copy[int(head)] = mutated(copy[int(head)], rest, value)
        return copy
    return value


def paths(value: Any, prefix: list[str]) -> list[list[str]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, [*prefix, key])
    elif isinstance(value, list):
        for position, child in enumerate(value):
            found += paths(child, [*prefix, str(position)])
    return found


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_attribute_value_gives_a_snapshot_or_a_one_line_collect_error(data: st.DataObject) -> None:
    state, position = data.draw(st.sampled_from(RESOURCES))
    resources = list(state.resources)
    target = resources[position]
    path = data.draw(st.sampled_from(paths(dict(target.attributes), [])))
    value = data.draw(junk)
    resources[position] = dataclasses.replace(target, attributes=mutated(dict(target.attributes), path, value))
    try:
        build_snapshot(resources, source_info([state]))
    except CollectError as err:
        message = str(err)
        assert message.startswith(f"{state.name}: ") and "\n" not in message


PLANS = {name: json.loads((DATA / name).read_text()) for name in ("plan_new_stack.json", "plan_unknown_cidr.json")}


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_value_anywhere_in_a_plan_gives_a_snapshot_or_a_one_line_collect_error(data: st.DataObject,
                                                                                  tmp_path: Path) -> None:
    """Not only attributes: `after_unknown`, `configuration`, module trees and actions may hold anything."""
    from zonecheck.collect.terraform import load_terraform

    name = data.draw(st.sampled_from(sorted(PLANS)))
    document = PLANS[name]
    section = data.draw(st.sampled_from(["resource_changes", "configuration", "planned_values", "prior_state"]))
    candidates = [path for path in paths(document.get(section), [section]) if len(path) <= 9]
    path = data.draw(st.sampled_from(candidates)) if candidates else [section]
    broken = tmp_path / name
    broken.write_text(json.dumps(mutated(document, path, data.draw(junk))))
    try:
        load_terraform([broken])
    except CollectError as err:
        message = str(err)
        assert message.startswith(f"{broken}: ") and "\n" not in message
