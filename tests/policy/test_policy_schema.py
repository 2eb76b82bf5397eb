"""What a valid policy is: selectors, zones, assertions and the rules that tie them together."""

from ipaddress import ip_address, ip_network

import pytest
import yaml

from zonecheck.policy import (
    NO_ACCESS,
    Access,
    Assertion,
    Only,
    Policy,
    PolicyError,
    Selector,
    parse_policy_text,
    parse_service,
)


def policy_text(zones: dict, assertions: list) -> str:
    return yaml.safe_dump({"version": 1, "zones": zones, "assertions": assertions}, sort_keys=False)


def load(zones: dict, assertions: list | None = None) -> Policy:
    if assertions is None:
        assertions = [{"name": "a", "from": next(iter(zones)), "to": "internet", "expect": "no-access"}]
    return parse_policy_text(policy_text(zones, assertions), "zones.yaml")


def error(zones: dict, assertions: list | None = None) -> str:
    with pytest.raises(PolicyError) as caught:
        load(zones, assertions)
    return str(caught.value)


ZONE = {"match": [{"id": "i-1"}]}

SPEC_EXAMPLE = """\
version: 1
zones:
  public-replica:
    description: the replica that serves the public registry
    match:
      - tags: {Zone: public-replica}
      - {vpc: vpc-0abc, subnet: subnet-0def}
  private-db:
    match: [{tags: {Zone: private-db}}, {security_group: sg-0123}]
  office:
    allow_empty: true
    match:
      - {cidr: 10.2.0.0/16}
      - {cidr: "2001:db8::/32"}
      - {id: i-0abc}
      - {address: 10.1.2.3}
      - {address: "2001:db8::1"}
assertions:
  - name: replica-cannot-reach-private-db
    from: public-replica
    to: private-db
    expect: no-access
    controls: [PCI-DSS-1.3.1, NIST-SC-7]
  - name: replica-only-postgres
    description: the replica may only speak postgres and DNS
    from: public-replica
    to: private-db
    expect: {only: [tcp/5432, udp/53, icmp]}
  - name: internet-reaches-replica
    from: internet
    to: public-replica
    expect: {access: [tcp/443]}
"""


def test_the_spec_example_policy_loads_with_every_field():
    policy = parse_policy_text(SPEC_EXAMPLE, "zones.yaml")
    assert list(policy.zones) == ["public-replica", "private-db", "office"]
    replica = policy.zones["public-replica"]
    assert replica.description == "the replica that serves the public registry"
    assert replica.allow_empty is False
    assert replica.match[0].tags == {"Zone": "public-replica"}
    assert (replica.match[1].vpc, replica.match[1].subnet) == ("vpc-0abc", "subnet-0def")
    assert policy.zones["private-db"].match[1].security_group == "sg-0123"
    office = policy.zones["office"]
    assert office.allow_empty is True
    assert [m.cidr for m in office.match[:2]] == [ip_network("10.2.0.0/16"), ip_network("2001:db8::/32")]
    assert office.match[2].id == "i-0abc"
    assert [m.address for m in office.match[3:]] == [ip_address("10.1.2.3"), ip_address("2001:db8::1")]

    first, second, third = policy.assertions
    assert (first.name, first.from_, first.to) == ("replica-cannot-reach-private-db", "public-replica", "private-db")
    assert first.expect == NO_ACCESS and first.expect_kind == "no-access"
    assert first.controls == ("PCI-DSS-1.3.1", "NIST-SC-7")
    assert second.description == "the replica may only speak postgres and DNS"
    assert isinstance(second.expect, Only)
    assert second.expect_label() == "only tcp/5432, udp/53, icmp"
    assert isinstance(third.expect, Access) and third.expect.access == (parse_service("tcp/443"),)
    assert third.controls == ()


def test_policy_survives_a_round_trip_through_json():
    policy = parse_policy_text(SPEC_EXAMPLE, "zones.yaml")
    assert Policy.model_validate(policy.model_dump(mode="json", by_alias=True)) == policy
    assert Policy.model_validate(policy.model_dump(mode="json", by_alias=True, exclude_none=True)) == policy


def test_selector_key_without_a_value_in_a_file_is_an_error_not_a_wildcard():
    text = SPEC_EXAMPLE.replace("{vpc: vpc-0abc, subnet: subnet-0def}", "{vpc: vpc-0abc, subnet: }")
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text, "zones.yaml")
    assert str(caught.value) == "zones.yaml: zone 'public-replica': match entry 2: subnet: missing value"


def test_policy_is_frozen():
    policy = parse_policy_text(SPEC_EXAMPLE, "zones.yaml")
    with pytest.raises(Exception):
        policy.version = 2  # type: ignore[misc]
    with pytest.raises(Exception):
        policy.assertions[0].to = "office"  # type: ignore[misc]


def test_policy_can_be_built_in_python_with_from_underscore():
    assertion = Assertion(name="a", from_="app", to="db", expect="no-access")
    policy = Policy(version=1, zones={"app": {"match": [{"id": "i-1"}]}, "db": {"match": [{"id": "i-2"}]}},
                    assertions=[assertion])
    assert policy.assertions[0].from_ == "app"
    assert policy.assertion("a") is policy.assertions[0]


def test_used_builtins_lists_the_builtin_zones_the_assertions_name():
    policy = load({"app": ZONE}, [
        {"name": "in", "from": "on-premises", "to": "app", "expect": "no-access"},
        {"name": "out", "from": "app", "to": "internet", "expect": "no-access"},
    ])
    assert policy.used_builtins() == ("internet", "on-premises")
    assert load({"app": ZONE, "db": ZONE}, [{"name": "x", "from": "app", "to": "db", "expect": "no-access"}]
                ).used_builtins() == ()


def test_an_assertion_may_be_about_flows_inside_one_zone():
    policy = load({"app": ZONE}, [{"name": "a", "from": "app", "to": "app", "expect": "no-access"}])
    assert policy.assertions[0].to == "app"


# --- selectors -----------------------------------------------------------------------------------


def test_tag_values_given_as_numbers_or_booleans_become_text():
    selector = Selector.model_validate({"tags": {"Tier": 1, "Public": True, "Ratio": 0.5}})
    assert selector.tags == {"Tier": "1", "Public": "true", "Ratio": "0.5"}


def test_tags_are_taken_exactly_as_written_in_the_file():
    text = policy_text({"z": {"match": [{"tags": {"Tier": "x"}}]}}, [
        {"name": "a", "from": "z", "to": "internet", "expect": "no-access"}])
    text = text.replace("Tier: x", "{Tier: 01, Public: yes, Flag: True, Version: 1.10, Day: 2024-01-05}")
    policy = parse_policy_text(text, "zones.yaml")
    assert policy.zones["z"].match[0].tags == {
        "Tier": "01", "Public": "yes", "Flag": "True", "Version": "1.10", "Day": "2024-01-05"}


def test_a_tag_without_a_value_is_an_error_naming_the_tag():
    text = policy_text({"z": {"match": [{"tags": {"Zone": "x"}}]}}, [
        {"name": "a", "from": "z", "to": "internet", "expect": "no-access"}]).replace("Zone: x", "Zone:")
    expected = r"zone 'z': match entry 1: tags: tag value of 'Zone' must be text, found nothing"
    with pytest.raises(PolicyError, match=expected):
        parse_policy_text(text, "zones.yaml")


def test_an_empty_tag_value_can_be_written_as_quotes():
    text = policy_text({"z": {"match": [{"tags": {"Zone": ""}}]}}, [
        {"name": "a", "from": "z", "to": "internet", "expect": "no-access"}])
    assert parse_policy_text(text, "zones.yaml").zones["z"].match[0].tags == {"Zone": ""}


def test_empty_tags_mapping_is_an_error():
    assert "tags needs at least one Key: value pair" in error({"z": {"match": [{"tags": {}}]}})


def test_cidr_with_host_bits_set_is_an_error_naming_it_and_the_network_meant():
    message = error({"z": {"match": [{"cidr": "10.0.0.1/16"}]}})
    assert message == ("zones.yaml: zone 'z': match entry 1: cidr: invalid network '10.0.0.1/16': "
                       "host bits are set (did you mean 10.0.0.0/16?)")


def test_ipv6_cidr_with_host_bits_set_is_an_error():
    assert "did you mean 2001:db8::/32?" in error({"z": {"match": [{"cidr": "2001:db8::1/32"}]}})


@pytest.mark.parametrize("value", ["10.0.0.0/33", "banana", "10.0.0", 10])
def test_cidr_that_is_not_a_network_is_an_error(value):
    message = error({"z": {"match": [{"cidr": value}]}})
    assert message.startswith("zones.yaml: zone 'z': match entry 1: cidr: ")


def test_single_address_as_cidr_is_a_host_network():
    assert load({"z": {"match": [{"cidr": "10.0.0.7"}]}}).zones["z"].match[0].cidr == ip_network("10.0.0.7/32")


def test_address_with_a_prefix_is_an_error_pointing_to_cidr():
    message = error({"z": {"match": [{"address": "10.0.0.0/24"}]}})
    assert message == ("zones.yaml: zone 'z': match entry 1: address: invalid address '10.0.0.0/24' "
                       "(for a network, use cidr)")


def test_address_that_is_not_an_address_is_an_error():
    assert "invalid address 'db.example.com'" in error({"z": {"match": [{"address": "db.example.com"}]}})


def test_empty_match_entry_is_an_error_listing_the_selector_keys():
    message = error({"z": {"match": [{}]}})
    assert message == ("zones.yaml: zone 'z': match entry 1: a match entry needs at least one of: "
                       "tags, vpc, subnet, security_group, id, cidr, address")


def test_empty_match_list_is_an_error():
    assert error({"z": {"match": []}}) == "zones.yaml: zone 'z': match: needs at least one entry"


def test_match_given_as_a_mapping_instead_of_a_list_is_an_error():
    assert error({"z": {"match": {"id": "i-1"}}}) == "zones.yaml: zone 'z': match: expected a list, found a mapping"


def test_allow_empty_must_be_a_boolean():
    message = error({"z": {"match": [{"id": "i-1"}], "allow_empty": "sometimes"}})
    assert message == "zones.yaml: zone 'z': allow_empty: expected true or false, found text 'sometimes'"


def test_selector_ids_must_be_text():
    assert "zone 'z': match entry 1: vpc: expected text, found a list" in error({"z": {"match": [{"vpc": ["a"]}]}})


def test_selector_ids_must_not_be_empty():
    assert "zone 'z': match entry 1: id: must not be empty" in error({"z": {"match": [{"id": ""}]}})


# --- zones and assertions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["internet", "on-premises"])
def test_zone_may_not_take_the_name_of_a_builtin_zone(name):
    message = error({name: ZONE, "app": ZONE}, [{"name": "a", "from": "app", "to": "internet", "expect": "no-access"}])
    assert message == (f"zones.yaml: zone '{name}': the name is reserved for a built-in zone "
                       "(built-in: internet, on-premises)")


def test_unknown_zone_in_to_is_an_error_listing_zones_and_builtins():
    zones = {"public-replica": ZONE, "private-db": ZONE, "app": ZONE}
    message = error(zones, [{"name": "replica-cannot-reach-private-db", "from": "public-replica",
                             "to": "privat-db", "expect": "no-access"}])
    assert message == ("zones.yaml: assertion 'replica-cannot-reach-private-db': unknown zone 'privat-db' in 'to' "
                       "(zones: app, private-db, public-replica; built-in: internet, on-premises)")


def test_unknown_zone_in_from_is_an_error_naming_from():
    message = error({"app": ZONE}, [{"name": "a", "from": "ap", "to": "internet", "expect": "no-access"}])
    assert "assertion 'a': unknown zone 'ap' in 'from'" in message


def test_builtin_zone_names_are_case_sensitive():
    message = error({"app": ZONE}, [{"name": "a", "from": "app", "to": "Internet", "expect": "no-access"}])
    assert "unknown zone 'Internet' in 'to'" in message


def test_from_and_to_cannot_both_be_builtin_zones():
    message = error({"app": ZONE}, [{"name": "a", "from": "internet", "to": "on-premises", "expect": "no-access"}])
    assert message == ("zones.yaml: assertion 'a': 'from' and 'to' are both built-in zones ('internet' and "
                       "'on-premises'); at least one side must be a zone of the estate")


def test_duplicate_assertion_names_are_an_error_naming_both_positions():
    message = error({"app": ZONE}, [
        {"name": "a", "from": "app", "to": "internet", "expect": "no-access"},
        {"name": "b", "from": "app", "to": "internet", "expect": "no-access"},
        {"name": "a", "from": "internet", "to": "app", "expect": "no-access"},
    ])
    assert message == "zones.yaml: assertion 'a': duplicate assertion name (assertions #1 and #3)"


def test_a_policy_needs_at_least_one_assertion():
    assert error({"app": ZONE}, []) == "zones.yaml: assertions: needs at least one entry"


def test_assertion_without_name_is_named_by_its_position():
    message = error({"app": ZONE}, [
        {"name": "ok", "from": "app", "to": "internet", "expect": "no-access"},
        {"from": "app", "to": "internet", "expect": "no-access"},
    ])
    assert message == "zones.yaml: assertion #2: missing key 'name'"


def test_invalid_service_in_expect_names_the_assertion_and_entry():
    message = error({"app": ZONE}, [{"name": "db", "from": "app", "to": "internet",
                                     "expect": {"only": ["tcp/5432", "tcp/70000"]}}])
    assert message == ("zones.yaml: assertion 'db': expect: only entry 2: "
                       "invalid service 'tcp/70000': port 70000 is out of range 0-65535")


def test_misspelt_expect_is_an_error_listing_the_forms():
    message = error({"app": ZONE}, [{"name": "db", "from": "app", "to": "internet", "expect": "no_access"}])
    assert message == ("zones.yaml: assertion 'db': expect: expected one of: no-access, {only: [tcp/5432, ...]} "
                       "or {access: [tcp/5432, ...]}; found text 'no_access'")


def test_expect_with_empty_only_list_is_an_error():
    message = error({"app": ZONE}, [{"name": "db", "from": "app", "to": "internet", "expect": {"only": []}}])
    assert message == "zones.yaml: assertion 'db': expect: only: needs at least one entry"


def test_controls_must_be_text():
    message = error({"app": ZONE}, [{"name": "db", "from": "app", "to": "internet", "expect": "no-access",
                                     "controls": "PCI-DSS-1.3.1"}])
    assert message == "zones.yaml: assertion 'db': controls: expected a list, found text 'PCI-DSS-1.3.1'"


def test_zone_names_must_be_text():
    text = policy_text({"app": ZONE}, [{"name": "a", "from": "app", "to": "internet", "expect": "no-access"}])
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text.replace("app:", "42:", 1), "zones.yaml")
    assert str(caught.value) == "zones.yaml: zones: invalid zone name 42 (zone names are text)"


def test_zone_name_with_a_line_break_is_an_error_on_one_line():
    with pytest.raises(PolicyError) as caught:
        load({"a\nb": ZONE}, [{"name": "x", "from": "a\nb", "to": "internet", "expect": "no-access"}])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("zones.yaml: zones: invalid zone name 'a\\nb'")


@pytest.mark.parametrize("version", ["2", "'1'", "1.0", "true", "0"])
def test_only_version_1_is_accepted(version):
    text = policy_text({"app": ZONE}, [{"name": "a", "from": "app", "to": "internet", "expect": "no-access"}])
    expected = r"^zones\.yaml: unsupported policy version .* \(this zonecheck reads version 1\)$"
    with pytest.raises(PolicyError, match=expected):
        parse_policy_text(text.replace("version: 1", f"version: {version}"), "zones.yaml")


def test_version_2_is_reported_before_any_other_problem():
    with pytest.raises(PolicyError) as caught:
        parse_policy_text("version: 2\nzonez: {}\nrules: []\n", "zones.yaml")
    assert str(caught.value) == "zones.yaml: unsupported policy version 2 (this zonecheck reads version 1)"


def test_missing_version_is_an_error():
    with pytest.raises(PolicyError) as caught:
        parse_policy_text("zones: {app: {match: [{id: i-1}]}}\n"
                          "assertions: [{name: a, from: app, to: internet, expect: no-access}]\n", "zones.yaml")
    assert str(caught.value) == "zones.yaml: missing key 'version'"
