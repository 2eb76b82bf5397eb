"""Reading a policy file: safe YAML in, a validated `Policy` out, or one line saying what is wrong and where.

The YAML is read with PyYAML's safe constructors only (no custom tags, no object construction), with three
extra guards a policy file needs: duplicate keys are errors (YAML would silently keep the last one), alias
expansion is bounded ("billion laughs"), and files are limited to 1 MB.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from zonecheck.policy.schema import (
    EXPECT_SPELLINGS,
    Access,
    Assertion,
    Only,
    Policy,
    Selector,
    Service,
    Zone,
    _quote,
    describe_value,
)

MAX_POLICY_BYTES = 1024 * 1024
"""Policies are small; a cap keeps a hostile file from tying up the parser (pure-Python YAML is slow)."""
"""Policy files larger than this are refused before parsing."""
MAX_ALIAS_EXPANSION = 100_000
"""How many nodes YAML aliases may add to a document once expanded; far above any real policy."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PolicyError(Exception):
    """The policy cannot be used. The message is one line: `<file>: <where>: <what is wrong>`."""

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


def _one_line(message: str) -> str:
    """Control characters (line breaks from names or YAML text) would break the one-line contract."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)


# --------------------------------------------------------------------------------------------- YAML


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


try:  # libyaml's parser (fast, iterative), with PyYAML's Python composer: its recursion is bounded and caught,
    # where libyaml's own composer overflows the C stack on deeply nested input.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader as _PyReader
    from yaml.scanner import Scanner as _PyScanner

    class _Parser(_PyReader, _PyScanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _PyReader.__init__(self, stream)
            _PyScanner.__init__(self)
            _PyParser.__init__(self)


class _PolicyYamlLoader(Composer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (safe constructors, standard resolver) that refuses duplicate mapping keys and
    remembers which node each mapping came from (so that tag values can be taken as written, `_exact_tags`)."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.mapping_nodes: dict[int, tuple[dict, MappingNode]] = {}

    def construct_mapping(self, node: Node, deep: bool = False) -> dict:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable key: SafeConstructor reports it
                    continue
                if first is not None:
                    raise _DuplicateKey(
                        None,
                        None,
                        f"duplicate key {_quote(key)} (first at line {first.start_mark.line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts
            raise yaml.constructor.ConstructorError(None, None, "number too long", node.start_mark) from None

    def construct_yaml_map(self, node: MappingNode):  # type: ignore[override]
        data: dict = {}
        self.mapping_nodes[id(data)] = (data, node)
        yield data
        data.update(self.construct_mapping(node))


_PolicyYamlLoader.add_constructor("tag:yaml.org,2002:map", _PolicyYamlLoader.construct_yaml_map)
_PolicyYamlLoader.add_constructor("tag:yaml.org,2002:int", _PolicyYamlLoader.construct_yaml_int)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_aliases(root: Node, origin: str) -> None:
    """Refuse recursive aliases and documents whose aliases expand to a huge structure."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            in_progress.discard(key)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise PolicyError(f"{origin}: line {node.start_mark.line + 1}: recursive YAML alias")
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    added = sizes[id(root)] - len(sizes)
    if added > MAX_ALIAS_EXPANSION:
        raise PolicyError(
            f"{origin}: YAML aliases expand this document by more than {MAX_ALIAS_EXPANSION:,} nodes "
            f"(a 'billion laughs' document?); write the policy without such alias nesting"
        )


def _exact_tags(data: Any, loader: _PolicyYamlLoader) -> None:
    """Replace each selector's `tags` mapping by the scalar texts as written.

    YAML would read `Tier: 01` as the number 1 and `Public: yes` as true; AWS tag values are text, so the
    policy matches on exactly what the user wrote. An empty value (`Zone:`) stays null and is an error.
    """
    if not isinstance(data, dict) or not isinstance(data.get("zones"), dict):
        return
    for zone in data["zones"].values():
        if not isinstance(zone, dict) or not isinstance(zone.get("match"), list):
            continue
        for selector in zone["match"]:
            if not isinstance(selector, dict) or not isinstance(selector.get("tags"), dict):
                continue
            tags = selector["tags"]
            entry = loader.mapping_nodes.get(id(tags))
            if entry is None or entry[0] is not tags:
                continue
            pairs = entry[1].value  # merge keys were flattened into the pairs by the constructor
            if all(isinstance(k, ScalarNode) and isinstance(v, ScalarNode) for k, v in pairs):
                selector["tags"] = {
                    k.value: (None if v.tag == "tag:yaml.org,2002:null" else v.value) for k, v in pairs
                }


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def _load_yaml(text: str, origin: str) -> Any:
    loader: Optional[_PolicyYamlLoader] = None
    try:
        loader = _PolicyYamlLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, origin)
        data = loader.construct_document(node)
        _exact_tags(data, loader)
        return data
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = err.problem or "cannot be parsed"
        if isinstance(err, _DuplicateKey):
            raise PolicyError(f"{origin}: {where}{problem}") from None
        if err.context and err.context.endswith("; first occurrence") and err.context_mark is not None:
            # PyYAML words a repeated anchor as "found duplicate anchor 'x'; first occurrence" + "second occurrence"
            detail = f"{err.context.removesuffix('; first occurrence')}, first at line {err.context_mark.line + 1}"
        else:
            detail = f"{err.context}: {problem}" if err.context else problem
        raise PolicyError(f"{origin}: {where}invalid YAML ({detail})") from None
    except yaml.reader.ReaderError as err:
        code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "\0")
        raise PolicyError(
            f"{origin}: line {_line_of(text, err.position)}: invalid YAML (character U+{code:04X} is not allowed)"
        ) from None
    except yaml.YAMLError as err:
        raise PolicyError(f"{origin}: invalid YAML ({err})") from None
    except RecursionError:
        raise PolicyError(f"{origin}: invalid YAML (nested too deeply)") from None
    finally:
        if loader is not None and hasattr(loader, "dispose"):
            loader.dispose()


# --------------------------------------------------------------------------------------------- errors

_TYPE_TEXT = {
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
}


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _assertion_ref(data: Any, index: int) -> str:
    try:
        name = data["assertions"][index]["name"]
    except (KeyError, IndexError, TypeError):
        name = None
    if isinstance(name, str) and name and not _CONTROL.search(name) and len(name) <= 200:
        return f"assertion '{name}'"
    return f"assertion #{index + 1}"


def _locate(loc: tuple, data: Any) -> tuple[list[str], Optional[type[BaseModel]], tuple]:
    """Split an error location into readable parts, the model at the deepest named level, and the rest."""
    parts: list[str] = []
    model: Optional[type[BaseModel]] = Policy
    if loc[:1] == ("zones",) and len(loc) >= 2 and not (len(loc) >= 3 and loc[2] == "[key]"):
        parts.append(f"zone '{loc[1]}'")
        model, loc = Zone, loc[2:]
        if len(loc) >= 2 and loc[0] == "match" and isinstance(loc[1], int):
            parts.append(f"match entry {loc[1] + 1}")
            model, loc = Selector, loc[2:]
    elif loc[:1] == ("assertions",) and len(loc) >= 2 and isinstance(loc[1], int):
        parts.append(_assertion_ref(data, loc[1]))
        model, loc = Assertion, loc[2:]
        if loc[:1] == ("expect",) and len(loc) >= 2 and loc[1] in ("only", "access", "no-access"):
            tag = loc[1]
            if tag == "no-access":
                return parts, None, ("expect",)
            parts.append("expect")
            model, loc = (Only if tag == "only" else Access), loc[2:]
            if len(loc) >= 2 and loc[0] == tag and isinstance(loc[1], int):
                parts.append(f"{tag} entry {loc[1] + 1}")
                model, loc = Service, loc[2:]
    return parts, model, tuple(loc)


def _field_text(rest: tuple) -> str:
    out = ""
    for part in rest:
        if isinstance(part, int):
            out += f" entry {part + 1}"
        else:
            out += ("." if out else "") + str(part)
    return out


def _error_text(error: dict, data: Any) -> str:
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    msg = str(error.get("msg", "invalid"))

    if loc[:1] == ("zones",) and len(loc) == 3 and loc[2] == "[key]":
        reason = {
            "string_type": "zone names are text",
            "string_too_short": "a zone name cannot be empty",
            "string_pattern_mismatch": "a zone name cannot contain control characters",
        }.get(kind, msg)
        return f"zones: invalid zone name {_quote(loc[1])} ({reason})"

    parts, model, rest = _locate(loc, data)

    if kind == "extra_forbidden" and rest:
        parent_parts, parent_model, parent_rest = _locate(loc[:-1], data)
        key = loc[-1]
        key_text = f"'{key}'" if isinstance(key, str) else _quote(key)
        if parent_model in (Only, Access) and not parent_rest:
            return ": ".join(parent_parts + [f"unknown key {key_text} (expected one of: {EXPECT_SPELLINGS})"])
        if parent_model is not None and not parent_rest:
            expected = ", ".join(_keys_of(parent_model))
            return ": ".join(parent_parts + [f"unknown key {key_text} (expected one of: {expected})"])
        return ": ".join(parent_parts + [f"{_field_text(parent_rest)}: unknown key {key_text}"])
    if kind == "missing" and rest:
        parent_parts, _model, parent_rest = _locate(loc[:-1], data)
        where = [_field_text(parent_rest)] if parent_rest else []
        return ": ".join(parent_parts + where + [f"missing key '{loc[-1]}'"])

    if kind == "value_error":
        text = msg.removeprefix("Value error, ")
    elif kind in ("invalid_expect", "literal_error") and (rest == ("expect",) or loc[-2:] == ("expect", "no-access")):
        return ": ".join(parts + [f"expect: expected one of: {EXPECT_SPELLINGS}; found {describe_value(value)}"])
    elif kind in ("model_type", "model_attributes_type", "dict_type") and model is not None and not rest:
        text = f"expected a mapping with keys {', '.join(_keys_of(model))}; found {describe_value(value)}"
    elif kind in _TYPE_TEXT:
        text = f"{_TYPE_TEXT[kind]}, found {describe_value(value)}"
    elif kind == "too_short":
        text = "needs at least one entry"
    elif kind == "string_too_short":
        text = "must not be empty"
    elif kind == "string_pattern_mismatch":
        text = "must not contain control characters (line breaks, tabs)"
    else:
        text = msg
    if rest:
        text = f"{_field_text(rest)}: {text}"
    return ": ".join(parts + [text])


def _relevant(errors: list) -> list:
    """The errors worth reporting, causes first.

    A list whose entry failed is also reported as "too short" (pydantic counts valid entries), and a misspelt
    key also makes the right one missing: keep the cause only, and put misspellings first.
    """
    kept = [
        e for e in errors
        if not (e["type"] == "too_short" and isinstance(e.get("input"), (list, tuple, dict)) and e["input"])
    ]
    misspelt = {tuple(e["loc"][:-1]) for e in kept if e["type"] == "extra_forbidden"}
    kept = [e for e in kept if not (e["type"] == "missing" and tuple(e["loc"][:-1]) in misspelt)]
    return sorted(kept or errors, key=lambda e: e["type"] != "extra_forbidden")


def _translate(err: ValidationError, data: Any, origin: str) -> PolicyError:
    errors = _relevant(err.errors(include_url=False))
    if not errors:
        return PolicyError(f"{origin}: invalid policy")
    text = _error_text(errors[0], data)
    more = len(errors) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return PolicyError(f"{origin}: {text}{suffix}")


# --------------------------------------------------------------------------------------------- entry points


def policy_from_data(data: Any, origin: str) -> Policy:
    """Validate already-loaded YAML data (a mapping) as a policy."""
    if data is None:
        raise PolicyError(f"{origin}: the policy is empty (expected keys version, zones, assertions)")
    if not isinstance(data, dict):
        raise PolicyError(
            f"{origin}: a policy is a YAML mapping with keys version, zones, assertions; found {describe_value(data)}"
        )
    if "version" in data and not (type(data["version"]) is int and data["version"] == 1):
        # Another version may mean another format: say so before anything else.
        raise PolicyError(
            f"{origin}: unsupported policy version {_quote(data['version'])} (this zonecheck reads version 1)"
        )
    try:
        return Policy.model_validate(data, context={"from_file": True})
    except ValidationError as err:
        raise _translate(err, data, origin) from None


def parse_policy_text(text: str, origin: str) -> Policy:
    """Parse and validate policy YAML. Raises PolicyError (one line, starting with `origin`) for any problem."""
    try:
        if not isinstance(text, str):
            raise PolicyError(f"{origin}: a policy is text, got {type(text).__name__}")
        if len(text) > MAX_POLICY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
            raise PolicyError(f"{origin}: the file is larger than 1 MB; this is not a policy file")
        data = _load_yaml(text.removeprefix("\ufeff"), origin)
        return policy_from_data(data, origin)
    except PolicyError:
        raise
    except RecursionError:
        raise PolicyError(f"{origin}: the policy is nested too deeply") from None
    except MemoryError:
        raise PolicyError(f"{origin}: the policy is too large to read") from None
    except Exception as err:  # never a traceback for any input (SPEC §2)
        raise PolicyError(f"{origin}: cannot read the policy ({type(err).__name__}: {err})") from None


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file. Raises PolicyError naming the file for any problem."""
    path = Path(path)
    origin = str(path)
    try:
        if path.is_dir():
            raise PolicyError(f"{origin}: cannot read (it is a directory)")
        with path.open("rb") as handle:
            raw = handle.read(MAX_POLICY_BYTES + 1)
    except PolicyError:
        raise
    except OSError as err:
        raise PolicyError(f"{origin}: cannot read ({err.strerror or err})") from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"{origin}: the file is larger than 1 MB; this is not a policy file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise PolicyError(f"{origin}: line {line}: not UTF-8 text") from None
    return parse_policy_text(text, origin)
