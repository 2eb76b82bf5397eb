"""Security groups, their rules, prefix lists and network ACLs: describe-* items → model records."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from zonecheck.collect.aws.transform import (
    Findings, InvalidItem, to_network_acls, to_prefix_list_entries, to_prefix_lists, to_security_group_rules,
    to_security_groups,
)
from zonecheck.collect.aws.transform.prefix_lists import referenced_prefix_lists
from zonecheck.model import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, rule_id

from . import responses as r


def web_group():  # type: ignore[no-untyped-def]
    return {g.id: g for g in to_security_groups(r.DESCRIBE_SECURITY_GROUPS)}["sg-web"]


def rules_by_id(rules):  # type: ignore[no-untyped-def]
    return {rule.id: rule for rule in rules}


def test_one_rule_per_peer_with_a_content_derived_id() -> None:
    ingress = rules_by_id(web_group().ingress)
    https = [rule for rule in ingress.values() if rule.protocol == TCP and rule.from_port == 443]
    assert sorted(rule.peer_label() for rule in https) == ["0.0.0.0/0", "10.0.0.0/8", "::/0"]
    assert rule_id("sg-web", "ingress", TCP, 443, 443, "0.0.0.0/0") in ingress
    assert ingress["sg-web/ingress/tcp:443-443/0.0.0.0/0"].description == "public https"


def test_icmp_rule_keeps_type_as_from_port_and_code_as_to_port() -> None:
    rule = rules_by_id(web_group().ingress)["sg-web/ingress/icmp:8--1/10.0.0.0/16"]
    assert (rule.protocol, rule.from_port, rule.to_port) == (ICMP, 8, -1)
    assert rule.label() == "ingress icmp type 8 from 10.0.0.0/16"


def test_icmpv6_rule_by_number_and_ipv6_peer() -> None:
    rule = rules_by_id(web_group().ingress)["sg-web/ingress/icmpv6:-1--1/2600:1f18::/32"]
    assert rule.protocol == ICMPV6 and rule.cidr == ip_network("2600:1f18::/32")


def test_all_traffic_rule_has_no_ports() -> None:
    (egress_v4, egress_v6) = sorted(web_group().egress, key=lambda x: x.id)
    assert (egress_v4.protocol, egress_v4.from_port, egress_v4.to_port) == (ALL_PROTOCOLS, None, None)
    assert egress_v4.id == "sg-web/egress/all/0.0.0.0/0" and egress_v6.cidr == ip_network("::/0")


def test_self_reference_is_a_rule_referencing_its_own_group() -> None:
    rule = rules_by_id(web_group().ingress)["sg-web/ingress/all/sg-web"]
    assert rule.security_group_id == "sg-web" and rule.cidr is None


def test_prefix_list_peer() -> None:
    rule = rules_by_id(web_group().ingress)["sg-web/ingress/tcp:5432-5432/pl-0123456789abcdef0"]
    assert rule.prefix_list_id == "pl-0123456789abcdef0" and rule.description == "office"


def test_group_pair_of_another_account_references_the_plain_group_id() -> None:
    ingress = rules_by_id(web_group().ingress)
    assert ingress["sg-web/ingress/tcp:5432-5432/sg-partner"].description == "partner app"
    legacy = ingress["sg-web/ingress/tcp:5432-5432/sg-legacy"]  # given as 444455556666/sg-legacy
    assert legacy.security_group_id == "sg-legacy"


def test_other_protocols_carry_no_ports() -> None:
    rule = rules_by_id(web_group().ingress)["sg-web/ingress/50/203.0.113.7/32"]
    assert (rule.protocol, rule.from_port, rule.to_port) == (50, None, None)


def test_default_group_is_marked_and_has_only_what_it_lists() -> None:
    default = {g.id: g for g in to_security_groups(r.DESCRIBE_SECURITY_GROUPS)}["sg-default"]
    assert default.is_default and default.ingress == () and default.egress == ()


def test_security_group_rules_response_gives_the_same_rules_and_ids() -> None:
    rules = to_security_group_rules(r.DESCRIBE_SECURITY_GROUP_RULES)
    ids = {rule.id: rule for rule in rules["sg-db"]}
    assert set(ids) == {"sg-db/ingress/tcp:5432-5432/sg-web", "sg-db/egress/all/0.0.0.0/0",
                        "sg-db/ingress/udp:53-53/2600:1f18::/32", "sg-db/ingress/tcp:22-22/pl-0123456789abcdef0"}
    assert ids["sg-db/ingress/tcp:5432-5432/sg-web"].description == "from web"
    assert ids["sg-db/ingress/udp:53-53/2600:1f18::/32"].protocol == UDP


def test_rules_of_both_responses_merge_into_one_group_without_duplicates() -> None:
    group = {"GroupId": "sg-db", "VpcId": "vpc-0a1", "GroupName": "db", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": "sg-web"}]}]}
    (merged,) = to_security_groups([group], to_security_group_rules(r.DESCRIBE_SECURITY_GROUP_RULES))
    assert len(merged.ingress) == 3 and len(merged.egress) == 1
    assert rules_by_id(merged.ingress)["sg-db/ingress/tcp:5432-5432/sg-web"].description == "from web"


def test_a_group_pair_known_only_by_name_makes_the_group_incomplete() -> None:
    findings = Findings()
    (group,) = to_security_groups([{"GroupId": "sg-x", "VpcId": "vpc-x", "IpPermissions": [
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupName": "legacy"}]}]}], findings=findings)
    assert group.ingress == () and [i.scope for i in findings.incomplete] == ["sg-x"]


def test_an_unknown_protocol_names_the_group() -> None:
    with pytest.raises(InvalidItem, match="sg-x: IpProtocol must be a protocol name or number, found 'tcpp'"):
        to_security_groups([{"GroupId": "sg-x", "VpcId": "vpc-x", "IpPermissions": [{"IpProtocol": "tcpp"}]}])


# -- prefix lists --------------------------------------------------------------------------------------------


def test_aws_managed_prefix_list_carries_its_cidrs() -> None:
    (s3,) = to_prefix_lists(r.DESCRIBE_PREFIX_LISTS)
    assert s3.aws_managed and s3.entries == (ip_network("52.216.0.0/15"), ip_network("54.231.0.0/17"))


def test_managed_prefix_lists_take_their_entries_from_the_entries_response_or_stay_unknown() -> None:
    lists = {p.id: p for p in to_prefix_lists(r.DESCRIBE_MANAGED_PREFIX_LISTS + r.DESCRIBE_PREFIX_LISTS,
                                              to_prefix_list_entries(r.PREFIX_LIST_ENTRIES))}
    assert lists["pl-0123456789abcdef0"].entries == (ip_network("198.51.100.0/24"), ip_network("203.0.113.0/24"))
    assert lists["pl-0123456789abcdef0"].name == "office" and not lists["pl-0123456789abcdef0"].aws_managed
    assert lists["pl-0fedcba9876543210"].entries is None
    assert lists["pl-63a5400a"].aws_managed and lists["pl-63a5400a"].entries is not None


def test_prefix_lists_only_referenced_become_stand_ins_with_unknown_entries() -> None:
    (standin,) = referenced_prefix_lists(["pl-63a5400a"], ["pl-63a5400a", "pl-02cd2c6b"])
    assert (standin.id, standin.entries, standin.aws_managed) == ("pl-02cd2c6b", None, True)


# -- network ACLs --------------------------------------------------------------------------------------------


def acl():  # type: ignore[no-untyped-def]
    return to_network_acls(r.DESCRIBE_NETWORK_ACLS)[0]


def test_network_acl_with_its_subnets_and_tags() -> None:
    assert (acl().vpc_id, acl().subnet_ids, acl().is_default, acl().tags) == ("vpc-0a1", ("subnet-0a2",), False, {"Name": "db"})


def test_nacl_tcp_entry_has_its_port_range() -> None:
    entry = next(e for e in acl().entries if e.rule_number == 100 and not e.egress)
    assert (entry.protocol, entry.from_port, entry.to_port, entry.action) == (TCP, 5432, 5432, "allow")
    assert entry.label() == "#100 allow tcp 5432 from 10.0.0.0/16"


def test_nacl_icmp_entry_has_type_and_code() -> None:
    entry = next(e for e in acl().entries if e.rule_number == 110)
    assert (entry.protocol, entry.from_port, entry.to_port) == (ICMP, 8, -1)


def test_nacl_ipv6_entry() -> None:
    entry = next(e for e in acl().entries if e.rule_number == 120)
    assert (entry.protocol, entry.cidr, entry.from_port, entry.to_port) == (ICMPV6, ip_network("2600:1f18::/32"), 128, 0)


def test_the_default_deny_entry_is_kept() -> None:
    (deny,) = [e for e in acl().entries if e.rule_number == 32767 and not e.egress]
    assert (deny.action, deny.protocol, str(deny.cidr)) == ("deny", ALL_PROTOCOLS, "0.0.0.0/0")


def test_the_ipv6_default_deny_numbered_32768_is_left_to_the_implicit_deny() -> None:
    assert not any(str(e.cidr) == "::/0" for e in acl().entries)
    numbers = [(e.egress, e.rule_number) for e in acl().entries]
    assert len(numbers) == len(set(numbers))  # one entry per number and direction, as AWS has


def test_nacl_entries_are_ordered_by_direction_then_number() -> None:
    numbers = [(e.egress, e.rule_number) for e in acl().entries]
    assert numbers == sorted(numbers)


def test_nacl_entry_with_a_bad_action_names_the_acl() -> None:
    with pytest.raises(InvalidItem, match="acl-x: entry #5 RuleAction must be allow or deny"):
        to_network_acls([{"NetworkAclId": "acl-x", "VpcId": "vpc-x", "Entries": [
            {"RuleNumber": 5, "Protocol": "-1", "RuleAction": "permit", "Egress": False, "CidrBlock": "0.0.0.0/0"}]}])
