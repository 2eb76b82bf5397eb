"""The zone policy: YAML schema and validation (`schema`), safe loading with one-line errors (`loader`), and
zone resolution against a snapshot (`zones`)."""

from zonecheck.policy.loader import MAX_POLICY_BYTES, PolicyError, load_policy, parse_policy_text, policy_from_data
from zonecheck.policy.schema import (
    BUILTIN_ZONES,
    NO_ACCESS,
    Access,
    Assertion,
    Expect,
    NoAccess,
    Only,
    Policy,
    Selector,
    Service,
    Zone,
    expect_kind,
    expect_label,
    parse_service,
)
from zonecheck.policy.zones import (
    INFRASTRUCTURE_KINDS,
    ResolvedZone,
    ZoneMember,
    normalise_networks,
    resolve_zones,
)

__all__ = [
    "Access",
    "Assertion",
    "BUILTIN_ZONES",
    "Expect",
    "INFRASTRUCTURE_KINDS",
    "MAX_POLICY_BYTES",
    "NO_ACCESS",
    "NoAccess",
    "Only",
    "Policy",
    "PolicyError",
    "ResolvedZone",
    "Selector",
    "Service",
    "Zone",
    "ZoneMember",
    "expect_kind",
    "expect_label",
    "load_policy",
    "normalise_networks",
    "parse_policy_text",
    "policy_from_data",
    "parse_service",
    "resolve_zones",
]
