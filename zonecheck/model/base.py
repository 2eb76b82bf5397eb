"""Shared building blocks of the snapshot model.

Every snapshot record is frozen and forbids unknown fields: a snapshot is evidence, and a typo in a
hand-edited snapshot must be an error, not a silently ignored field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from socket import AF_INET6, inet_aton, inet_pton
from typing import Annotated, Any, Callable, Union

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
"""Four decimal octets, 0-255 without leading zeros: exactly the IPv4 addresses `ipaddress` reads."""
_HEXTET = "[0-9a-fA-F]{1,4}"
_HEXTETS = re.compile(rf"(?:{_HEXTET}(?::{_HEXTET})*)?(?:::(?:{_HEXTET}(?::{_HEXTET})*)?)?")
"""Hextets separated by `:`, at most one `::`: IPv6 without an embedded IPv4 address or a `%scope` (counts apart)."""


def _ipv4_address(text: str) -> IPv4Address:
    if _DOTTED_QUAD.fullmatch(text):
        return IPv4Address(inet_aton(text))
    return IPv4Address(text)


def _ipv6_address(text: str) -> IPv6Address:
    if _HEXTETS.fullmatch(text):
        head, compressed, tail = text.partition("::")
        count = (head.count(":") + 1 if head else 0) + (tail.count(":") + 1 if tail else 0)
        if (count <= 7) if compressed else (count == 8):
            try:
                return IPv6Address(inet_pton(AF_INET6, text))
            except OSError:
                pass
    return IPv6Address(text)


# A snapshot repeats few networks many times (0.0.0.0/0, VPC CIDRs in routes and rules); the objects are immutable.
_ipv4_network = lru_cache(maxsize=16384)(IPv4Network)
_ipv6_network = lru_cache(maxsize=16384)(IPv6Network)


class _FastFromJson:
    """Read an `ipaddress` type from a JSON string with `parse` instead of pydantic's call of its constructor.

    Only the strict JSON branch changes, which is how `from_json_text` reads a snapshot file (a large estate holds
    ~10⁵ addresses, and the constructors are pure Python). Each `parse` returns what the constructor returns for
    the same string and, when it does not recognise the string, calls the constructor: the values accepted and the
    error messages are pydantic's own. Python input (collectors, tests) keeps pydantic's validation unchanged.
    """

    def __init__(self, parse: Callable[[str], Any]) -> None:
        self.parse = parse

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        schema = handler(source)
        strict = schema.get("strict_schema") if schema.get("type") == "lax-or-strict" else None
        if strict is None or strict.get("type") != "json-or-python":
            return schema  # a pydantic that builds these types differently: keep its validation as it is
        from_json = core_schema.no_info_after_validator_function(self.parse, core_schema.str_schema())
        return {**schema, "strict_schema": {**strict, "json_schema": from_json}}  # type: ignore[typeddict-item]


IPv4Addr = Annotated[IPv4Address, _FastFromJson(_ipv4_address)]
IPv6Addr = Annotated[IPv6Address, _FastFromJson(_ipv6_address)]
IPv4Net = Annotated[IPv4Network, _FastFromJson(_ipv4_network)]
IPv6Net = Annotated[IPv6Network, _FastFromJson(_ipv6_network)]
"""Field types of the model: the `ipaddress` classes, read fast from a snapshot file."""

IPNetwork = Union[IPv4Net, IPv6Net]
IPAddress = Union[IPv4Addr, IPv6Addr]
Tags = dict[str, str]


class Record(BaseModel):
    """Base of every snapshot record: immutable, strict about its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


ResourceId = Annotated[str, Field(min_length=1)]
