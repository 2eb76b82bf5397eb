"""Reading boto3 / AWS CLI response items: tolerant of missing optional keys, strict about wrong types.

Every transform takes the items of a describe-* response exactly as boto3 returns them (or as the AWS CLI
prints them).  Optional keys may be absent or empty; a value of the wrong kind (a CIDR that is not one, a
port that is not a number) is an `InvalidItem`, which names the item so that the caller can name its
file (the dump reader) or its API call (the live collector).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any, Iterable, Mapping, Optional, TypeVar

from pydantic import BaseModel, ValidationError

Item = Mapping[str, Any]
M = TypeVar("M", bound=BaseModel)
A = TypeVar("A", IPv4Address, IPv6Address)

_ID_KEYS = (  # an item's own id before the ids it merely refers to
    "AllocationId", "SecurityGroupRuleId", "ListenerArn", "TargetGroupArn", "LoadBalancerArn", "LoadBalancerName",
    "VpnConnectionId", "TransitGatewayAttachmentId", "TransitGatewayRouteTableId", "VpcEndpointId",
    "NetworkInterfaceId", "NatGatewayId", "InstanceId", "GroupId", "NetworkAclId", "RouteTableId", "InternetGatewayId",
    "EgressOnlyInternetGatewayId", "VpcPeeringConnectionId", "VpnGatewayId", "CustomerGatewayId", "TransitGatewayId",
    "directConnectGatewayId", "DBInstanceIdentifier", "PrefixListId", "FunctionName", "FirewallName", "SubnetId",
    "VpcId", "PublicIp",
)

REGION_RE = re.compile(r"(?:[a-z]{2}(?:-gov|-iso[a-z]?)?)-[a-z]+-\d{1,2}")
ACCOUNT_RE = re.compile(r"\d{12}")


class InvalidItem(ValueError):
    """An item of a response that makes no sense; `item` is the top-level item, for the caller to place."""

    def __init__(self, item: Item, message: str) -> None:
        super().__init__(message)
        self.item = item


def ident(item: Item) -> str:
    """How to name an item in a message: its id when it has one."""
    for key in _ID_KEYS:
        value = item.get(key) if isinstance(item, Mapping) else None
        if isinstance(value, str) and value:
            return value
    return "an item"


def get(item: Any, *path: str) -> Any:
    """The value at `path`, or None when any step is absent.  Keys also match with the first letter's case
    flipped (Direct Connect and Lambda spell keys in camelCase, EC2 in PascalCase)."""
    value = item
    for key in path:
        if not isinstance(value, Mapping):
            return None
        found = value.get(key)
        if found is None and key:
            found = value.get(key[0].swapcase() + key[1:])
        value = found
    return value


def text(item: Any, *path: str) -> Optional[str]:
    """A non-empty string (AWS writes "" for "none"); numbers are accepted and turned into text."""
    value = get(item, *path)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return None


def flag(top: Item, item: Any, key: str, default: bool) -> bool:
    value = get(item, key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "enable", "disable", "enabled", "disabled"):
        return value.strip().lower() in ("true", "enable", "enabled")
    raise InvalidItem(top, f"{ident(top)}: {key} must be true or false, found {value!r}")


def integer(top: Item, item: Any, *path: str) -> Optional[int]:
    value = get(item, *path)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must be a number, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must be a number, found {value!r}")


def dicts(top: Item, item: Any, *path: str) -> list[Mapping[str, Any]]:
    """A list of objects; absent means empty."""
    value = get(item, *path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must be a list, found {type(value).__name__}")
    for element in value:
        if not isinstance(element, Mapping):
            raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must hold objects, found {element!r}")
    return value


def texts(top: Item, item: Any, *path: str) -> list[str]:
    """A list of strings; absent means empty."""
    value = get(item, *path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must be a list, found {type(value).__name__}")
    out = []
    for element in value:
        if not isinstance(element, str):
            raise InvalidItem(top, f"{ident(top)}: {'.'.join(path)} must hold strings, found {element!r}")
        if element.strip():
            out.append(element.strip())
    return out


def tags(item: Any, *keys: str) -> dict[str, str]:
    """`[{"Key": k, "Value": v}]` (EC2, RDS) or `{k: v}` (Lambda) → a dict; first key present wins."""
    for key in keys or ("Tags",):
        value = get(item, key)
        if isinstance(value, list):
            out: dict[str, str] = {}
            for tag in value:
                if isinstance(tag, Mapping) and isinstance(get(tag, "Key"), str):
                    tag_value = get(tag, "Value")
                    out[get(tag, "Key")] = "" if tag_value is None else str(tag_value)
            return out
        if isinstance(value, Mapping):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
    return {}


def network(top: Item, value: Any, what: str) -> IPv4Network | IPv6Network:
    if isinstance(value, str):
        try:
            return ip_network(value.strip(), strict=False)
        except ValueError:
            pass
    raise InvalidItem(top, f"{ident(top)}: {what} must be a CIDR block, found {value!r}")


def ipv4(top: Item, value: Any, what: str) -> Optional[IPv4Address]:
    return _address(top, value, what, IPv4Address, "an IPv4 address")


def ipv6(top: Item, value: Any, what: str) -> Optional[IPv6Address]:
    return _address(top, value, what, IPv6Address, "an IPv6 address")


def _address(top: Item, value: Any, what: str, version: type[A], expected: str) -> Optional[A]:
    if value is None or value == "":
        return None
    try:
        address = ip_address(value.strip()) if isinstance(value, str) else None
    except ValueError:
        address = None
    if not isinstance(address, version):
        raise InvalidItem(top, f"{ident(top)}: {what} must be {expected}, found {value!r}")
    return address


def make(model: type[M], top: Item, **fields: Any) -> M:
    """Build a model record; a validation failure is the item's fault, named as such."""
    try:
        return model(**fields)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidItem(top, f"{ident(top)}: {where + ' ' if where else ''}is invalid: {message}") from None


def unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def sorted_networks(nets: Iterable[IPv4Network | IPv6Network]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(sorted(set(nets), key=lambda n: (n.version, n)))  # type: ignore[operator]


def region_of_zone(zone: Optional[str]) -> Optional[str]:
    """`us-east-2a` → `us-east-2`; local and wavelength zones (`us-west-2-lax-1a`) → their parent region."""
    if not zone:
        return None
    match = REGION_RE.match(zone)
    return match.group(0) if match else None


def region_of_arn(arn: Optional[str]) -> Optional[str]:
    parts = arn.split(":") if arn else []
    if len(parts) > 4 and parts[0] == "arn" and REGION_RE.fullmatch(parts[3]):
        return parts[3]
    return None


def account_of_arn(arn: Optional[str]) -> Optional[str]:
    parts = arn.split(":") if arn else []
    if len(parts) > 4 and parts[0] == "arn" and ACCOUNT_RE.fullmatch(parts[4]):
        return parts[4]
    return None


def is_state(value: Optional[str], *states: str) -> bool:
    return value is not None and value.lower() in states


__all__ = [
    "ACCOUNT_RE", "InvalidItem", "Item", "REGION_RE", "account_of_arn", "dicts", "flag", "get", "ident", "integer",
    "ipv4", "ipv6", "is_state", "make", "network", "region_of_arn", "region_of_zone", "sorted_networks", "tags",
    "text", "texts", "unique",
]
