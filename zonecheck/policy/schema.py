"""The policy file: zones (named sets of endpoints or addresses) and assertions about flows between them.

Everything here is what a user writes, so every model forbids unknown keys and is frozen. Validation that
needs the whole policy (zone names used by assertions, unique assertion names) lives on `Policy`; the
loader turns any validation failure into one line naming the file, the zone or assertion, and the key.
"""

from __future__ import annotations

import ipaddress
import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictStr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from zonecheck.model.security import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP

BUILTIN_ZONES: tuple[str, ...] = ("internet", "on-premises")
"""Zones every policy may use without defining them (SPEC §3)."""

PORTED = frozenset({TCP, UDP})
TYPED = frozenset({ICMP, ICMPV6})
_NAMED_PROTOCOLS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6}
_PROTOCOL_NAMES = {number: name for name, number in _NAMED_PROTOCOLS.items()}
SERVICE_SPELLINGS = "tcp/5432, tcp/8000-8080, tcp, udp/53, udp, icmp, icmp/8, icmpv6, icmpv6/128, any, proto/47"

Name = Annotated[StrictStr, Field(min_length=1, pattern=r"^[^\x00-\x1f\x7f]+$")]
"""A zone or assertion name: non-empty, printable (it appears in one-line messages and reports)."""
Text = Annotated[StrictStr, Field(min_length=1)]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------- services


class Service(_PolicyModel):
    """A protocol and, for tcp/udp, a destination port range; for icmp/icmpv6, an optional ICMP type.

    `protocol` is an IP protocol number (tcp 6, udp 17, icmp 1, icmpv6 58) or -1 for any protocol.
    tcp/udp always carry a port range (all ports is 0-65535); icmp/icmpv6 carry the type in `from_port`
    (None: every type) and no `to_port`; other protocols carry no ports.
    """

    protocol: int
    from_port: Optional[int] = None
    to_port: Optional[int] = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"invalid service {_quote(value)} (expected one of: {SERVICE_SPELLINGS})")
        if isinstance(value, (str, int)):
            parsed = parse_service(str(value))
            return {"protocol": parsed.protocol, "from_port": parsed.from_port, "to_port": parsed.to_port}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Service":
        p, lo, hi = self.protocol, self.from_port, self.to_port
        if not (p == ALL_PROTOCOLS or 0 <= p <= 255):
            raise ValueError(f"protocol number {p} is out of range 0-255 (or -1 for any)")
        if p in PORTED:
            if lo is None or hi is None:
                raise ValueError(f"{_PROTOCOL_NAMES[p]} needs from_port and to_port")
            if not (0 <= lo <= 65535 and 0 <= hi <= 65535):
                raise ValueError(f"port range {lo}-{hi} is out of range 0-65535")
            if lo > hi:
                raise ValueError(f"port range {lo}-{hi} is reversed")
        elif p in TYPED:
            if lo is not None and not (0 <= lo <= 255):
                raise ValueError(f"ICMP type {lo} is out of range 0-255")
            if hi is not None:
                raise ValueError("an ICMP service names a type only (to_port must be unset)")
        elif lo is not None or hi is not None:
            raise ValueError(f"protocol {p} has no ports")
        return self

    @property
    def all_ports(self) -> bool:
        """True when the service covers every port (tcp/udp) or every ICMP type."""
        if self.protocol in PORTED:
            return (self.from_port, self.to_port) == (0, 65535)
        return self.from_port is None

    def label(self) -> str:
        """Canonical text: `parse_service(s.label()) == s`."""
        p = self.protocol
        if p == ALL_PROTOCOLS:
            return "any"
        if p in PORTED:
            name = _PROTOCOL_NAMES[p]
            if self.all_ports:
                return name
            if self.from_port == self.to_port:
                return f"{name}/{self.from_port}"
            return f"{name}/{self.from_port}-{self.to_port}"
        if p in TYPED:
            name = _PROTOCOL_NAMES[p]
            return name if self.from_port is None else f"{name}/{self.from_port}"
        return f"proto/{p}"

    def __str__(self) -> str:
        return self.label()


_DIGITS = re.compile(r"^[0-9]+$")


def _quote(text: Any) -> str:
    """`repr` of a value, shortened so that error messages stay one readable line."""
    try:
        shown = repr(text)
    except ValueError:  # an integer too long to print
        return "<a very long number>"
    return shown if len(shown) <= 50 else shown[:46] + "...'"


def _number(text: str) -> Optional[int]:
    """The value of a plain decimal number, capped so that absurdly long ones stay cheap; None if not one."""
    text = text.strip()
    if not _DIGITS.match(text):
        return None
    return int(text) if len(text) <= 8 else 10**8


def _port(text: str, original: str) -> int:
    number = _number(text)
    if number is None:
        raise ValueError(f"invalid service {_quote(original)}: port {_quote(text.strip())} is not a number")
    if number > 65535:
        shown = text.strip() if len(text.strip()) <= 12 else text.strip()[:12] + "..."
        raise ValueError(f"invalid service {_quote(original)}: port {shown} is out of range 0-65535")
    return number


def parse_service(text: str) -> Service:
    """Parse `tcp/5432`, `tcp/8000-8080`, `tcp`, `udp/53`, `icmp`, `icmp/8`, `icmpv6/128`, `any`, `proto/47`, `47`.

    Raises ValueError with a message naming the text and what is wrong.
    """
    original = text
    if not isinstance(text, str):
        raise ValueError(f"invalid service {_quote(text)} (expected one of: {SERVICE_SPELLINGS})")
    spec = text.strip().lower()
    if spec in ("any", "all", "-1"):
        return Service(protocol=ALL_PROTOCOLS)
    head, slash, tail = spec.partition("/")
    if head == "proto" or _DIGITS.match(head):
        number = _number(tail) if head == "proto" else (None if slash else _number(head))
        if number is None:
            raise ValueError(
                f"invalid service {_quote(original)}: expected an IP protocol number as `proto/47` or `47`"
            )
        if number > 255:
            raise ValueError(f"invalid service {_quote(original)}: protocol number is out of range 0-255")
        if number in PORTED:
            return Service(protocol=number, from_port=0, to_port=65535)
        return Service(protocol=number)
    if head not in _NAMED_PROTOCOLS:
        raise ValueError(f"invalid service {_quote(original)} (expected one of: {SERVICE_SPELLINGS})")
    protocol = _NAMED_PROTOCOLS[head]
    if not slash:
        if protocol in PORTED:
            return Service(protocol=protocol, from_port=0, to_port=65535)
        return Service(protocol=protocol)
    if protocol in PORTED:
        lo_text, dash, hi_text = tail.partition("-")
        lo = _port(lo_text.strip(), original)
        hi = _port(hi_text.strip(), original) if dash else lo
        if lo > hi:
            raise ValueError(f"invalid service {_quote(original)}: port range {lo}-{hi} is reversed (write {hi}-{lo})")
        return Service(protocol=protocol, from_port=lo, to_port=hi)
    # icmp / icmpv6: one type
    icmp_type = _number(tail)
    if icmp_type is None:
        raise ValueError(f"invalid service {_quote(original)}: expected an ICMP type number, as in {head}/8")
    if icmp_type > 255:
        raise ValueError(f"invalid service {_quote(original)}: ICMP type is out of range 0-255")
    return Service(protocol=protocol, from_port=icmp_type)


# --------------------------------------------------------------------------------------------- expect


class NoAccess(str):
    """The `no-access` expectation. It is the string "no-access" (so `expect == "no-access"` holds) and
    has the same `kind` / `label()` interface as `Only` and `Access`."""

    kind: ClassVar[Literal["no-access"]] = "no-access"

    def label(self) -> str:
        return "no-access"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            lambda _value: NO_ACCESS,
            core_schema.literal_schema(["no-access"]),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


NO_ACCESS = NoAccess("no-access")


class Only(_PolicyModel):
    """Flows from the source zone to the destination zone are allowed only for these services."""

    kind: ClassVar[Literal["only"]] = "only"
    only: tuple[Service, ...] = Field(min_length=1)

    def label(self) -> str:
        return "only " + ", ".join(s.label() for s in self.only)

    @property
    def services(self) -> tuple[Service, ...]:
        return self.only


class Access(_PolicyModel):
    """Every one of these services must be delivered from every member of the source zone to every member of
    the destination zone."""

    kind: ClassVar[Literal["access"]] = "access"
    access: tuple[Service, ...] = Field(min_length=1)

    def label(self) -> str:
        return "access " + ", ".join(s.label() for s in self.access)

    @property
    def services(self) -> tuple[Service, ...]:
        return self.access


def _expect_tag(value: Any) -> Optional[str]:
    if isinstance(value, (Only, Access)):
        return value.kind
    if isinstance(value, str):
        return "no-access"
    if isinstance(value, dict):
        if "only" in value:
            return "only"
        if "access" in value:
            return "access"
    return None


EXPECT_SPELLINGS = "no-access, {only: [tcp/5432, ...]} or {access: [tcp/5432, ...]}"

Expect = Annotated[
    Union[Annotated[NoAccess, Tag("no-access")], Annotated[Only, Tag("only")], Annotated[Access, Tag("access")]],
    Discriminator(
        _expect_tag,
        custom_error_type="invalid_expect",
        custom_error_message=f"expected one of: {EXPECT_SPELLINGS}",
    ),
]


def expect_kind(expect: Union[NoAccess, Only, Access, str]) -> str:
    """"no-access", "only" or "access"."""
    return "no-access" if isinstance(expect, str) else expect.kind


def expect_label(expect: Union[NoAccess, Only, Access, str]) -> str:
    """Text for reports: `no-access`, `only tcp/5432, udp/53`, `access tcp/443`."""
    return "no-access" if isinstance(expect, str) else expect.label()


# --------------------------------------------------------------------------------------------- zones

_NETWORK_HELP = "an IPv4 or IPv6 network such as 10.2.0.0/16"


class Selector(_PolicyModel):
    """One `match` entry: every key given must hold (an empty entry is an error)."""

    tags: Optional[dict[StrictStr, StrictStr]] = None
    vpc: Optional[Text] = None
    subnet: Optional[Text] = None
    security_group: Optional[Text] = None
    id: Optional[Text] = None
    cidr: Optional[Union[IPv4Network, IPv6Network]] = None
    address: Optional[Union[IPv4Address, IPv6Address]] = None

    ENDPOINT_KEYS: ClassVar[tuple[str, ...]] = ("tags", "vpc", "subnet", "security_group", "id")
    ADDRESS_KEYS: ClassVar[tuple[str, ...]] = ("cidr", "address")

    @model_validator(mode="before")
    @classmethod
    def _no_empty_values(cls, value: Any, info: ValidationInfo) -> Any:
        # In a file, `{vpc: }` is a forgotten value, not "any VPC": ignoring it would widen the zone.
        if isinstance(value, dict) and info.context and info.context.get("from_file"):
            for key, item in value.items():
                if item is None and key in cls.model_fields:
                    raise ValueError(f"{key}: missing value")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if not value:
            raise ValueError("tags needs at least one Key: value pair")
        out = {}
        for key, tag_value in value.items():
            out[_tag_text(key, "key")] = _tag_text(tag_value, f"value of {_quote(key)}")
        return out

    @field_validator("cidr", mode="before")
    @classmethod
    def _cidr(cls, value: Any) -> Any:
        if value is None or isinstance(value, (IPv4Network, IPv6Network)):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected {_NETWORK_HELP}, found {describe_value(value)}")
        text = value.strip()
        try:
            return ipaddress.ip_network(text, strict=True)
        except ValueError:
            pass
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(f"invalid network {_quote(value)} (expected {_NETWORK_HELP})") from None
        raise ValueError(f"invalid network {_quote(value)}: host bits are set (did you mean {loose}?)")

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: Any) -> Any:
        if value is None or isinstance(value, (IPv4Address, IPv6Address)):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected an IPv4 or IPv6 address such as 10.1.2.3, found {describe_value(value)}")
        text = value.strip()
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            pass
        hint = " (for a network, use cidr)" if "/" in text else ""
        raise ValueError(f"invalid address {_quote(value)}{hint}")

    @model_validator(mode="after")
    def _not_empty(self) -> "Selector":
        if all(getattr(self, key) is None for key in self.ENDPOINT_KEYS + self.ADDRESS_KEYS):
            raise ValueError(
                "a match entry needs at least one of: " + ", ".join(self.ENDPOINT_KEYS + self.ADDRESS_KEYS)
            )
        return self


def _tag_text(value: Any, what: str) -> str:
    """Tag keys and values are text; YAML numbers and booleans are taken as the text they stand for."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"tag {what} must be text, found {describe_value(value)}")


class Zone(_PolicyModel):
    match: tuple[Selector, ...] = Field(min_length=1)
    allow_empty: StrictBool = False
    description: Optional[StrictStr] = None


# --------------------------------------------------------------------------------------------- assertions


class Assertion(_PolicyModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True)

    name: Name
    description: Optional[StrictStr] = None
    from_: Name = Field(alias="from")
    to: Name
    expect: Expect
    controls: tuple[Text, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _alias_only_in_files(cls, value: Any, info: ValidationInfo) -> Any:
        # `from_` is the Python name; in a policy file only `from` is valid.
        if isinstance(value, dict) and info.context and info.context.get("from_file") and "from_" in value:
            raise ValueError("unknown key 'from_' (did you mean 'from'?)")
        return value

    @property
    def expect_kind(self) -> str:
        return expect_kind(self.expect)

    def expect_label(self) -> str:
        return expect_label(self.expect)


# --------------------------------------------------------------------------------------------- policy


class Policy(_PolicyModel):
    version: Literal[1]
    zones: dict[Name, Zone]
    assertions: tuple[Assertion, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _exact_version(cls, value: Any) -> Any:
        if type(value) is not int or value != 1:  # not True, 1.0 or "1" either
            raise ValueError(f"unsupported policy version {_quote(value)} (this zonecheck reads version 1)")
        return value

    @model_validator(mode="after")
    def _references(self) -> "Policy":
        for name in self.zones:
            if name in BUILTIN_ZONES:
                raise ValueError(
                    f"zone '{name}': the name is reserved for a built-in zone (built-in: {', '.join(BUILTIN_ZONES)})"
                )
        seen: dict[str, int] = {}
        for index, assertion in enumerate(self.assertions, start=1):
            if assertion.name in seen:
                raise ValueError(
                    f"assertion '{assertion.name}': duplicate assertion name "
                    f"(assertions #{seen[assertion.name]} and #{index})"
                )
            seen[assertion.name] = index
        defined = ", ".join(sorted(self.zones)) or "none"
        for assertion in self.assertions:
            for key, zone in (("from", assertion.from_), ("to", assertion.to)):
                if zone not in self.zones and zone not in BUILTIN_ZONES:
                    raise ValueError(
                        f"assertion '{assertion.name}': unknown zone '{zone}' in '{key}' "
                        f"(zones: {defined}; built-in: {', '.join(BUILTIN_ZONES)})"
                    )
            if assertion.from_ in BUILTIN_ZONES and assertion.to in BUILTIN_ZONES:
                raise ValueError(
                    f"assertion '{assertion.name}': 'from' and 'to' are both built-in zones "
                    f"('{assertion.from_}' and '{assertion.to}'); at least one side must be a zone of the estate"
                )
        return self

    def assertion(self, name: str) -> Assertion:
        for assertion in self.assertions:
            if assertion.name == name:
                return assertion
        raise KeyError(name)

    def used_builtins(self) -> tuple[str, ...]:
        """The built-in zones the assertions use, in BUILTIN_ZONES order."""
        used = {a.from_ for a in self.assertions} | {a.to for a in self.assertions}
        return tuple(b for b in BUILTIN_ZONES if b in used)


def describe_value(value: Any) -> str:
    """A short description of a YAML value for error messages: `a list`, `the number 3`, `text 'x'`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {_quote(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return f"a {type(value).__name__}"
