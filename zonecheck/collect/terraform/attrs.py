"""Typed, forgiving reads of resource attributes.

Providers 3.x–5.x write absent values as `null`, `""` or `[]` depending on the attribute and the version;
all of them read as "not set" here.  A value that is present but of the wrong kind (a port "abc", a CIDR
10.0.0.0/33) is an error that names the file, the resource and the attribute, so the user can find it.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any, Mapping, NoReturn, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.reader import HIDDEN_REASONS, SENSITIVE, UNKNOWN, TfResource
from zonecheck.model import IPNetwork, protocol_number

M = TypeVar("M", bound=BaseModel)


class Attrs:
    """The attributes of one resource, or of one nested block of it (`path` says which)."""

    def __init__(self, resource: TfResource, data: Optional[Mapping[str, Any]] = None, path: str = "",
                 hidden: Any = None) -> None:
        self.resource = resource
        self.data: Mapping[str, Any] = resource.attributes if data is None else data
        self.path = path
        top = resource.hidden if data is None else hidden
        self.hidden: Mapping[str, Any] = top if isinstance(top, Mapping) else {}
        """Plans: which of `data`'s values the file does not give, and why (see `TfResource.hidden`)."""

    # -- values a plan does not give ------------------------------------------------------------------------
    def why_hidden(self, key: str) -> Optional[str]:
        """Why the value (or part of it, e.g. one CIDR of a list) is not in the file; None when it is."""
        leaves = list(_leaves(self.hidden.get(key)))
        if not leaves:
            return None
        return HIDDEN_REASONS[SENSITIVE if SENSITIVE in leaves else leaves[0]]

    def unknown(self, key: str) -> bool:
        """Part or all of the value is known only after apply, or sensitive (and so not read)."""
        return self.why_hidden(key) is not None

    def set_by_configuration(self, key: str) -> Optional[bool]:
        """Plans: does the configuration set this top-level attribute? None when not known (or nested)."""
        if self.path or self.resource.configured is None:
            return None
        return key in self.resource.configured

    def computed_default(self, key: str) -> bool:
        """Unknown only because the provider computes it and the configuration leaves it unset: AWS's default
        (no inline rules, no propagating gateways, the subnet's public-IP setting…) applies."""
        return self.set_by_configuration(key) is False and set(_leaves(self.hidden.get(key))) == {UNKNOWN}

    # -- errors --------------------------------------------------------------------------------------------
    def where(self, key: str = "") -> str:
        return f"{self.path}.{key}" if self.path and key else (self.path or key)

    def fail(self, key: str, problem: str) -> NoReturn:
        res, where = self.resource, self.where(key)
        subject = f"attribute {where} " if where else ""
        raise CollectError(f"{res.file}: {res.address}: {subject}{problem}")

    def _bad(self, key: str, expected: str, value: Any) -> NoReturn:
        self.fail(key, f"must be {expected}, found {_show(value)}")

    # -- scalars -------------------------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return _present(self.data.get(key))

    def text(self, key: str) -> Optional[str]:
        value = self.data.get(key)
        if not _present(value):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # e.g. an account id written as a number by a hand-made state
        if not isinstance(value, str):
            self._bad(key, "a string", value)
        return value

    def integer(self, key: str) -> Optional[int]:
        value = self.data.get(key)
        if not _present(value):
            return None
        if isinstance(value, bool):
            self._bad(key, "a number", value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())  # numbers written as strings by older providers
            except ValueError:
                pass
        self._bad(key, "a number", value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if not _present(value):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self._bad(key, "true or false", value)

    def protocol(self, key: str) -> Optional[int]:
        """An IP protocol as AWS and Terraform spell it ("tcp", "6", "-1", "all") → IANA number, -1 = all."""
        value = self.data.get(key)
        if not _present(value):
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self._bad(key, "a protocol name or number", value)
        try:
            return protocol_number(value)
        except ValueError:
            self._bad(key, "a protocol name or number", value)

    # -- addresses -----------------------------------------------------------------------------------------
    def network(self, key: str) -> Optional[IPNetwork]:
        value = self.text(key)
        return None if value is None else self.parse_network(key, value)

    def ipv4_network(self, key: str) -> Optional[IPv4Network]:
        net = self.network(key)
        if net is not None and not isinstance(net, IPv4Network):
            self._bad(key, "an IPv4 CIDR block", str(net))
        return net

    def ipv6_network(self, key: str) -> Optional[IPv6Network]:
        net = self.network(key)
        if net is not None and not isinstance(net, IPv6Network):
            self._bad(key, "an IPv6 CIDR block", str(net))
        return net

    def networks(self, key: str) -> tuple[IPNetwork, ...]:
        return tuple(self.parse_network(key, text) for text in self.texts(key))

    def parse_network(self, key: str, text: str) -> IPNetwork:
        try:
            # strict=False: AWS itself stores 10.0.0.5/16 as 10.0.0.0/16; an impossible prefix still fails.
            return ip_network(text.strip(), strict=False)
        except ValueError:
            self._bad(key, "a CIDR block", text)

    def ipv4(self, key: str) -> Optional[IPv4Address]:
        value = self.text(key)
        return None if value is None else self.parse_ipv4(key, value)

    def ipv4s(self, key: str) -> tuple[IPv4Address, ...]:
        return tuple(self.parse_ipv4(key, text) for text in self.texts(key))

    def parse_ipv4(self, key: str, text: str) -> IPv4Address:
        try:
            address = ip_address(text.strip())
        except ValueError:
            self._bad(key, "an IPv4 address", text)
        if not isinstance(address, IPv4Address):
            self._bad(key, "an IPv4 address", text)
        return address

    def ipv6s(self, key: str) -> tuple[IPv6Address, ...]:
        result = []
        for text in self.texts(key):
            try:
                address = ip_address(text.strip())
            except ValueError:
                self._bad(key, "an IPv6 address", text)
            if not isinstance(address, IPv6Address):
                self._bad(key, "an IPv6 address", text)
            result.append(address)
        return tuple(result)

    # -- collections ---------------------------------------------------------------------------------------
    def texts(self, key: str) -> tuple[str, ...]:
        """A list or set of strings; null and empty strings inside are dropped."""
        value = self.data.get(key)
        if not _present(value):
            return ()
        if isinstance(value, str):
            return (value,)  # a single value where newer providers write a list (e.g. subnet_id vs subnet_ids)
        if not isinstance(value, list):
            self._bad(key, "a list of strings", value)
        result = []
        for item in value:
            if not _present(item):
                continue
            if not isinstance(item, str):
                self._bad(key, "a list of strings", value)
            result.append(item)
        return tuple(result)

    def blocks(self, key: str) -> list["Attrs"]:
        """Nested blocks (`ingress`, `route`, `attachment`…), each readable like the resource itself."""
        value = self.data.get(key)
        if not _present(value):
            return []
        if isinstance(value, dict):
            value = [value]  # a single nested object (some show-json outputs of single blocks)
        if not isinstance(value, list):
            self._bad(key, "a list of blocks", value)
        hidden = self.hidden.get(key)
        result = []
        for position, item in enumerate(value):
            if not isinstance(item, dict):
                self._bad(f"{key}[{position}]", "an object", item)
            sub = hidden[position] if isinstance(hidden, list) and position < len(hidden) else \
                (hidden if isinstance(hidden, dict) and len(value) == 1 else None)
            result.append(Attrs(self.resource, item, self.where(f"{key}[{position}]"), sub))
        return result

    def tags(self) -> dict[str, str]:
        """`tags_all` (with the provider's default_tags) when the state has it, else `tags`."""
        for key in ("tags_all", "tags"):
            value = self.data.get(key)
            if isinstance(value, dict) and value:
                return {str(k): "" if v is None else str(v) for k, v in value.items()}
            if _present(value) and not isinstance(value, dict):
                self._bad(key, "a map of strings", value)
        return {}

    # -- records -------------------------------------------------------------------------------------------
    def make(self, model: type[M], what: str = "", **fields: Any) -> M:
        """Build a model record; a validation failure becomes a CollectError naming this resource."""
        try:
            return model(**fields)
        except ValidationError as err:
            first = err.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            self.fail(what or loc or model.__name__, f"is invalid: {message}")


def _leaves(hidden: Any) -> Any:
    if isinstance(hidden, str):
        yield hidden
    elif isinstance(hidden, Mapping):
        for sub in hidden.values():
            yield from _leaves(sub)
    elif isinstance(hidden, list):
        for sub in hidden:
            yield from _leaves(sub)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["Attrs"]
