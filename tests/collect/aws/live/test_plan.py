"""What the live collector reads is what the dump reader reads: same family names, same top-level keys."""

from __future__ import annotations

from zonecheck.collect.aws.families import BY_KEY
from zonecheck.collect.aws.live.plan import PLAN, plan_for

NOT_READ_LIVE = {
    # DescribeSecurityGroups already gives every rule, with the peers the transforms need.
    "security_group_rules",
    # Lambda ENIs are in DescribeNetworkInterfaces; the transform only needs the functions without it.
    "lambda_functions",
    # A route to a Network Firewall endpoint is not a VPC endpoint of the account: already unsupported.
    "network_firewalls",
}


def test_each_raw_file_is_read_back_as_the_family_it_was_collected_as() -> None:
    for family in PLAN:
        known = BY_KEY[family.key.lower()]
        assert (known.name, known.wrap) == (family.name, None), family.key


def test_every_family_the_dump_reader_knows_is_read_live_but_the_redundant_ones() -> None:
    assert {f.name for f in BY_KEY.values()} - {f.name for f in PLAN} == NOT_READ_LIVE


def test_a_family_is_read_after_those_it_needs() -> None:
    order = [f.name for f in PLAN]
    for family in PLAN:
        assert all(order.index(parent) < order.index(family.name) for parent in family.needs), family.name


def test_global_families_are_read_in_one_region_per_account() -> None:
    assert {f.name for f in PLAN} - {f.name for f in plan_for(False)} == {"dx_gateways", "dx_associations"}
