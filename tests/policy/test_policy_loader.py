"""Reading policy files: safe YAML, hostile documents, and one-line errors that start with the file name."""

import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonecheck.policy import MAX_POLICY_BYTES, Policy, PolicyError, load_policy, parse_policy_text

GOOD = """\
version: 1
zones:
  app:
    match:
      - tags: {Zone: app}
  private-db:
    match:
      - {security_group: sg-0123}
assertions:
  - name: app-only-postgres
    from: app
    to: private-db
    expect: {only: [tcp/5432]}
"""


def fails(text: str, origin: str = "zones.yaml") -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text, origin)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{origin}: ")
    return message


def test_good_policy_loads():
    policy = parse_policy_text(GOOD, "zones.yaml")
    assert isinstance(policy, Policy)
    assert list(policy.zones) == ["app", "private-db"]


def test_load_policy_reads_a_file(tmp_path):
    path = tmp_path / "zones.yaml"
    path.write_text(GOOD)
    assert load_policy(path).assertions[0].name == "app-only-postgres"
    assert load_policy(str(path)).assertions[0].name == "app-only-postgres"


def test_load_policy_accepts_a_utf8_byte_order_mark(tmp_path):
    path = tmp_path / "zones.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_policy(path).version == 1


# --- unknown keys at every level ----------------------------------------------------------------------


def test_unknown_key_in_zone_is_an_error_naming_zone_and_key():
    message = fails(GOOD.replace("  private-db:\n    match:", "  private-db:\n    mach:"))
    assert message == ("zones.yaml: zone 'private-db': unknown key 'mach' "
                       "(expected one of: match, allow_empty, description)")


def test_unknown_top_level_key_is_an_error_listing_the_top_level_keys():
    message = fails(GOOD + "rules: []\n")
    assert message == "zones.yaml: unknown key 'rules' (expected one of: version, zones, assertions)"


def test_unknown_key_in_match_entry_is_an_error_naming_zone_entry_and_key():
    message = fails(GOOD.replace("{security_group: sg-0123}", "{sg: sg-0123}"))
    assert message == ("zones.yaml: zone 'private-db': match entry 1: unknown key 'sg' "
                       "(expected one of: tags, vpc, subnet, security_group, id, cidr, address)")


def test_unknown_key_in_assertion_is_an_error_naming_the_assertion_by_name():
    message = fails(GOOD.replace("    to: private-db\n", "    to: private-db\n    severity: high\n"))
    assert message == ("zones.yaml: assertion 'app-only-postgres': unknown key 'severity' "
                       "(expected one of: name, description, from, to, expect, controls)")


def test_unknown_key_in_expect_is_an_error_listing_the_expect_forms():
    message = fails(GOOD.replace("{only: [tcp/5432]}", "{only: [tcp/5432], except: [udp]}"))
    assert message == ("zones.yaml: assertion 'app-only-postgres': expect: unknown key 'except' "
                       "(expected one of: no-access, {only: [tcp/5432, ...]} or {access: [tcp/5432, ...]})")


def test_python_attribute_name_from_underscore_is_not_a_policy_key():
    message = fails(GOOD.replace("    from: app\n", "    from_: app\n"))
    assert message == "zones.yaml: assertion 'app-only-postgres': unknown key 'from_' (did you mean 'from'?)"


def test_missing_key_is_an_error_naming_zone_and_key():
    message = fails(GOOD.replace("    match:\n      - {security_group: sg-0123}\n", "    description: db\n"))
    assert message == "zones.yaml: zone 'private-db': missing key 'match'"


def test_zone_that_is_not_a_mapping_is_an_error_listing_its_keys():
    message = fails(GOOD.replace("  private-db:\n    match:\n      - {security_group: sg-0123}\n",
                                 "  private-db: sg-0123\n"))
    assert message == ("zones.yaml: zone 'private-db': expected a mapping with keys match, allow_empty, "
                       "description; found text 'sg-0123'")


def test_several_problems_are_reported_as_the_first_and_a_count():
    message = fails(GOOD.replace("mach", "x").replace("{security_group: sg-0123}", "{sg: 1}")
                    .replace("tcp/5432", "tcp/99999"))
    assert message.endswith("(and 1 more problem)")


def test_one_misspelt_key_is_reported_alone_not_also_as_a_missing_key():
    message = fails(GOOD.replace("  private-db:\n    match:", "  private-db:\n    mach:"))
    assert "more problem" not in message


# --- YAML-level problems ------------------------------------------------------------------------------


def test_duplicate_yaml_keys_are_an_error_naming_both_lines():
    message = fails(GOOD.replace("    to: private-db\n", "    to: private-db\n    to: app\n"))
    assert message == "zones.yaml: line 13: duplicate key 'to' (first at line 12)"


def test_duplicate_zone_names_are_an_error():
    message = fails(GOOD.replace("  private-db:", "  app:"))
    assert message == "zones.yaml: line 6: duplicate key 'app' (first at line 3)"


def test_duplicate_keys_in_a_flow_mapping_are_an_error():
    message = fails(GOOD.replace("{security_group: sg-0123}", "{id: a, id: b}"))
    assert "duplicate key 'id'" in message


def test_merge_keys_may_be_overridden_without_a_duplicate_key_error():
    text = """\
version: 1
zones:
  app:
    match:
      - &base {vpc: vpc-1, subnet: subnet-1}
      - {<<: *base, subnet: subnet-2}
assertions:
  - {name: a, from: app, to: internet, expect: no-access}
"""
    match = parse_policy_text(text, "zones.yaml").zones["app"].match
    assert [(m.vpc, m.subnet) for m in match] == [("vpc-1", "subnet-1"), ("vpc-1", "subnet-2")]


def test_small_anchors_and_aliases_are_allowed():
    text = """\
version: 1
zones:
  app: {match: &same [{tags: &tags {Zone: app, Env: prod}}]}
  web: {match: *same}
  other: {match: [{tags: *tags, vpc: vpc-1}]}
assertions:
  - {name: a, from: app, to: web, expect: &none no-access}
  - {name: b, from: web, to: other, expect: *none}
"""
    policy = parse_policy_text(text, "zones.yaml")
    assert policy.zones["web"].match == policy.zones["app"].match
    assert policy.zones["other"].match[0].tags == {"Zone": "app", "Env": "prod"}


def test_invalid_yaml_is_an_error_naming_the_line():
    message = fails(GOOD.replace("      - tags: {Zone: app}", "      - tags: {Zone: app"))
    assert message.startswith("zones.yaml: line ")
    assert "invalid YAML (" in message


def test_bad_indentation_is_an_error_naming_the_line():
    message = fails("version: 1\nzones:\n  app:\n    match: []\n   oops: 1\n")
    assert message.startswith("zones.yaml: line 5: invalid YAML (")


def test_tab_indentation_is_an_error_naming_the_line():
    assert fails("version: 1\nzones:\n\tapp: {}\n").startswith("zones.yaml: line 3: invalid YAML (")


def test_several_yaml_documents_are_an_error():
    assert "invalid YAML" in fails(GOOD + "---\n" + GOOD)


def test_control_characters_are_an_error_naming_the_line():
    assert fails("version: 1\nzones: \x00\n") == "zones.yaml: line 2: invalid YAML (character U+0000 is not allowed)"


BILLION_LAUGHS = """\
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
zones: {app: {match: [{tags: {Zone: *i}}]}}
assertions: [{name: a, from: app, to: internet, expect: no-access}]
"""


def test_billion_laughs_document_is_rejected_quickly():
    started = time.monotonic()
    message = fails(BILLION_LAUGHS)
    assert time.monotonic() - started < 5
    assert "aliases expand" in message and "billion laughs" in message


def test_recursive_alias_is_rejected():
    assert fails("version: 1\nzones: &z {app: {match: [*z]}}\n") == "zones.yaml: line 2: recursive YAML alias"


@pytest.mark.parametrize("text", ["x: " + "[" * 50_000 + "]" * 50_000, "- " * 50_000 + "x",
                                  "x: " + "{a: " * 20_000 + "b" + "}" * 20_000])
def test_deeply_nested_document_is_rejected_without_crashing(text):
    # Our composer's guard or, with PyYAML >= 6.0.4, libyaml's own depth limit: either way one clear line.
    message = fails(text)
    assert message.startswith("zones.yaml:") and "invalid YAML" in message
    assert "nested too deeply" in message or "nesting depth" in message


def test_python_tags_are_rejected_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"!!python/object/apply:os.system ['touch {marker}']\n"
    message = fails(text)
    assert "invalid YAML (could not determine a constructor for the tag" in message
    assert not marker.exists()


def test_custom_tags_are_rejected():
    assert "could not determine a constructor for the tag '!Ref'" in fails("version: !Ref v\n")


@pytest.mark.parametrize(
    "text, found",
    [("- version: 1\n", "a list"), ("just text\n", "text 'just text'"), ("42\n", "the number 42")],
)
def test_a_document_that_is_not_a_mapping_is_an_error(text, found):
    assert fails(text) == f"zones.yaml: a policy is a YAML mapping with keys version, zones, assertions; found {found}"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_document_is_an_error(text):
    assert fails(text) == "zones.yaml: the policy is empty (expected keys version, zones, assertions)"


# --- files --------------------------------------------------------------------------------------------


def test_file_larger_than_10_mb_is_rejected_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"version: 1\n# ")
        handle.truncate(MAX_POLICY_BYTES + 1)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: the file is larger than 1 MB; this is not a policy file"


def test_text_larger_than_1_mb_is_rejected():
    assert "larger than 1 MB" in fails("#" * (MAX_POLICY_BYTES + 1))


def test_missing_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: cannot read (No such file or directory)"


def test_directory_is_an_error_naming_it(tmp_path):
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot read (it is a directory)"


def test_file_that_is_not_utf8_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "zones.yaml"
    path.write_bytes(b"version: 1\nzones: {caf\xe9: {}}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: line 2: not UTF-8 text"


def test_errors_from_a_file_start_with_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zones.yaml").write_text(GOOD.replace("match:\n      - {sec", "mach:\n      - {sec"))
    with pytest.raises(PolicyError) as caught:
        load_policy("zones.yaml")
    assert str(caught.value).startswith("zones.yaml: zone 'private-db': unknown key 'mach'")


# --- every message is one line starting with the file name --------------------------------------------

BAD_DOCUMENTS = [
    GOOD.replace("version: 1", "version: 2"),
    GOOD.replace("tcp/5432", "tcp/abc"),
    GOOD.replace("tcp/5432", "tcp/90-80"),
    GOOD.replace("{security_group: sg-0123}", "{cidr: 10.0.0.1/8}"),
    GOOD.replace("{security_group: sg-0123}", "{}"),
    GOOD.replace("{security_group: sg-0123}", "{tags: [Zone, db]}"),
    GOOD.replace("to: private-db", "to: privat-db"),
    GOOD.replace("to: private-db", "to: [private-db]"),
    GOOD.replace("to: private-db", "to: \"a\\nb\""),
    GOOD.replace("name: app-only-postgres", "name: \"multi\\nline\""),
    GOOD.replace("from: app", "from: internet").replace("to: private-db", "to: on-premises"),
    GOOD.replace("  app:", "  internet:"),
    GOOD.replace("expect: {only: [tcp/5432]}", "expect: {only: tcp/5432}"),
    GOOD.replace("expect: {only: [tcp/5432]}", "expect: [no-access]"),
    GOOD.replace("expect: {only: [tcp/5432]}", "expect: {only: [{protocol: 6}]}"),
    GOOD.replace("expect: {only: [tcp/5432]}", ""),
    GOOD + "  - name: app-only-postgres\n    from: app\n    to: private-db\n    expect: no-access\n",
    GOOD.replace("assertions:", "assertions: {}\nx:"),
    GOOD.replace("zones:", "zones: []\ny:"),
    "version: 1\nzones: {}\nassertions: [{name: a, from: internet, to: app, expect: no-access}]\n",
    "version: 1\nzones: {a: {match: [{id: x}]}}\nassertions: [1, 2]\n",
    "version: 1\nzones: {a: {match: [{id: x}]}}\nassertions: [{name: a, from: a, to: a, expect: !!binary aGk=}]\n",
    "version: 1\nzones: {a: {match: [{id: x}]}}\nassertions: [{name: a, from: a, to: a, expect: !!set {x}}]\n",
    "version: 1\nzones: {? [a, b] : {match: [{id: x}]}}\n",
    "version: 1\nzones: {null: {match: [{id: x}]}}\nassertions: [{name: a, from: a, to: a, expect: no-access}]\n",
    "version: " + "9" * 5000 + "\n",
    "version: 1\nzones: {a: {match: [{cidr: " + "9" * 5000 + "}]}}\n",
    "{[1]: 2}\n",
    "version: 1\nzones: {a: {match: [{address: 2024-01-01}]}}\nassertions: []\n",
    "version: 1\nzones: {a: {match: [{tags: {? [x] : y}}]}}\n",
    "version: 1\nzones: {a: {match: [{tags: {Zone: {x: y}}}]}}\n",
]


@pytest.mark.parametrize("text", BAD_DOCUMENTS)
def test_every_error_is_one_line_starting_with_the_file_name(text):
    fails(text, origin="policies/zones.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_gives_a_policy_or_a_one_line_policy_error(text):
    try:
        parse_policy_text(text, "fuzz.yaml")
    except PolicyError as err:
        assert "\n" not in str(err) and str(err).startswith("fuzz.yaml: ")


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False),
    st.sampled_from(["app", "db", "internet", "on-premises", "no-access", "tcp/5432", "tcp/99999", "icmp",
                     "10.0.0.0/8", "10.0.0.1/8", "::1", "i-1", "1", ""]),
    st.text(max_size=8),
)
_KEYS = st.sampled_from(["version", "zones", "assertions", "match", "tags", "cidr", "address", "id", "vpc",
                         "allow_empty", "name", "from", "to", "expect", "only", "access", "controls", "app", "db",
                         "Zone"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({"version": st.sampled_from([1, 1, 2, "1"])},
                             optional={"zones": _VALUES, "assertions": _VALUES, "extra": _VALUES}))
def test_arbitrary_policy_shaped_documents_give_a_policy_or_a_one_line_policy_error(document):
    text = yaml.safe_dump(document)
    try:
        parse_policy_text(text, "fuzz.yaml")
    except PolicyError as err:
        assert "\n" not in str(err) and str(err).startswith("fuzz.yaml: ")
