"""Shared building blocks of the snapshot model.

Every snapshot record is frozen and forbids unknown fields: a snapshot is evidence, and a typo in a
hand-edited snapshot must be an error, not a silently ignored field.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Field

IPNetwork = Union[IPv4Network, IPv6Network]
IPAddress = Union[IPv4Address, IPv6Address]
Tags = dict[str, str]


class Record(BaseModel):
    """Base of every snapshot record: immutable, strict about its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


ResourceId = Annotated[str, Field(min_length=1)]
