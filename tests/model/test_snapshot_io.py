"""Reading and writing snapshot files fast without reading or writing anything else.

`from_json_text` reads a valid file in one pass of pydantic and only falls back to its step-by-step checks
(`json.loads`, surrogates, object, schema_version, schema) for a file that fails; `to_json` writes with orjson
what `json.dumps(..., sort_keys=True, indent=1, ensure_ascii=False)` writes; the model reads IP addresses with
parsers that must agree with `ipaddress`. Each test pins one of those equivalences.
"""

from __future__ import annotations

import gc
import json
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from zonecheck.model import Incomplete, Snapshot, SnapshotError, canonical, from_json_text, load, to_json
from zonecheck.model.base import _ipv4_address, _ipv4_network, _ipv6_address, _ipv6_network
from zonecheck.model.snapshot import _declared_incomplete

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "npm2015"
BEFORE = EXAMPLES / "before.snapshot.json"
TEXT = BEFORE.read_text(encoding="utf-8")


def _with(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ValueError as err:
        return (type(err), str(err))


def _reference_dumps(snapshot: Snapshot) -> str:
    """What `to_json` wrote before orjson, and must still write byte for byte."""
    data = canonical(snapshot).model_dump(mode="json")
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# -- IP addresses: the fast parsers are `ipaddress`, value for value and error for error ----------------------------

IP_TEXT = st.one_of(
    st.text(alphabet="0123456789.:/abcdefABCDEF%", max_size=45),
    st.builds(lambda parts: ".".join(parts), st.lists(st.sampled_from(["0", "00", "01", "1", "9", "10", "99", "100",
                                                                      "199", "249", "255", "256", "300", "0x1",
                                                                      "", " 1", "\u0661"]), min_size=1, max_size=5)),
    st.builds(lambda parts: ":".join(parts), st.lists(st.sampled_from(["", "0", "1", "ffff", "FFFF", "fffff", "0db8",
                                                                      "1.2.3.4", "g", "1%eth0"]),
                                                      min_size=1, max_size=10)),
    st.builds(str, st.ip_addresses()),
)


@settings(max_examples=3000, deadline=None, database=None)
@given(IP_TEXT)
def test_the_fast_address_parsers_read_exactly_what_ipaddress_reads(text: str) -> None:
    assert _outcome(lambda: _ipv4_address(text)) == _outcome(lambda: IPv4Address(text))
    assert _outcome(lambda: _ipv6_address(text)) == _outcome(lambda: IPv6Address(text))
    assert _outcome(lambda: _ipv4_network(text)) == _outcome(lambda: IPv4Network(text))
    assert _outcome(lambda: _ipv6_network(text)) == _outcome(lambda: IPv6Network(text))


@pytest.mark.parametrize("text", ["::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
                                  "1:2:3:4:5:6:7:8::", "1::2::3", ":1::", "1:::2", "2600:1F18::AbC", "::ffff:1.2.3.4",
                                  "fe80::1%eth0", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3", "1.2.3.4.5"])
def test_the_fast_address_parsers_on_the_corner_cases_of_the_grammar(text: str) -> None:
    assert _outcome(lambda: _ipv4_address(text)) == _outcome(lambda: IPv4Address(text))
    assert _outcome(lambda: _ipv6_address(text)) == _outcome(lambda: IPv6Address(text))


def test_snapshot_files_are_read_with_the_fast_parsers() -> None:
    """A pydantic that builds IP schemas differently keeps its own parsing (`_FastFromJson`): correct, but slow."""
    from zonecheck.model import Endpoint, Subnet

    assert "_ipv4_address" in repr(Endpoint.__pydantic_core_schema__)
    assert "_ipv6_address" in repr(Endpoint.__pydantic_core_schema__)
    assert "lru_cache" in repr(Subnet.__pydantic_core_schema__)


def test_a_snapshot_file_and_python_input_give_the_same_addresses() -> None:
    from_file = from_json_text(TEXT, "before.json")
    from_python = Snapshot.model_validate(json.loads(TEXT))
    assert from_file == from_python
    endpoint = next(e for e in from_file.endpoints if e.private_ips)
    assert type(endpoint.private_ips[0]) is IPv4Address


def test_a_bad_address_in_a_file_is_refused_with_the_ipaddress_message() -> None:
    text = _with('"cidr": "10.0.2.0/24",\n   "id": "subnet-0app"', '"cidr": "10.0.2.1/24",\n   "id": "subnet-0app"')
    with pytest.raises(SnapshotError, match=r"^bad\.json: invalid snapshot at subnets\.0\.cidr: Value error, "
                                            r"10\.0\.2\.1/24 has host bits set$"):
        from_json_text(text, "bad.json")


# -- from_json_text: one pass for a valid file, the same answer as the step-by-step checks for any other -----------


def test_a_valid_file_gives_the_snapshot_that_pydantic_reads() -> None:
    loaded = from_json_text(BEFORE.read_bytes(), "before.json")
    reference = Snapshot.model_validate_json(TEXT, strict=True)
    assert type(loaded) is Snapshot
    assert loaded == reference and loaded.model_fields_set == reference.model_fields_set


@pytest.mark.parametrize("version, shown", [("true", "True"), ("1.0", "1.0"), ('"1"', "'1'"), ("2", "2"),
                                            ("1, \"schema_version\": 2", "2"),
                                            ("1, \"schema\\u005fversion\": 2", "2")])
def test_a_schema_version_other_than_the_integer_1_is_refused(version: str, shown: str) -> None:
    """`Literal[1]` alone takes `true` and `1.0`; of a repeated key, the last counts, as for `json.loads`."""
    with pytest.raises(SnapshotError) as caught:
        from_json_text(_with('"schema_version": 1', f'"schema_version": {version}'), "v.json")
    assert str(caught.value) == f"v.json: unsupported snapshot schema_version {shown} (this zonecheck reads 1)"


def test_a_missing_schema_version_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"^v\.json: unsupported snapshot schema_version None "):
        from_json_text(_with(' "schema_version": 1,\n', ""), "v.json")


def test_a_repeated_schema_version_whose_last_value_is_1_is_read() -> None:
    assert from_json_text(_with('"schema_version": 1', '"schema_version": 2, "schema_version": 1'), "v.json")


@pytest.mark.parametrize("notes", ['["a\\ud800b"]', '["\\udc00"]', '["\\ud83dx"]'])
def test_an_unpaired_surrogate_escape_is_refused(notes: str) -> None:
    with pytest.raises(SnapshotError, match=r"^s\.json: a string holds an unpaired UTF-16 surrogate escape"):
        from_json_text(_with('"notes": []', f'"notes": {notes}'), "s.json")


def test_a_paired_surrogate_escape_and_an_escaped_backslash_u_are_read() -> None:
    snapshot = from_json_text(_with('"notes": []', '"notes": ["\\ud83d\\ude00", "\\\\ud800"]'), "s.json")
    assert set(snapshot.notes) == {"\U0001F600", "\\ud800"}


def test_a_text_holding_a_raw_surrogate_is_refused_as_before() -> None:
    with pytest.raises(SnapshotError, match=r"^s\.json: a string holds an unpaired UTF-16 surrogate escape"):
        from_json_text(_with('"notes": []', '"notes": ["\ud800"]'), "s.json")


@pytest.mark.parametrize("damage", [b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82"],
                         ids=["invalid-byte", "encoded-surrogate", "overlong", "beyond-U+10FFFF", "truncated"])
def test_malformed_utf8_in_a_string_is_refused_naming_the_byte(damage: bytes) -> None:
    """pydantic reads bytes: it must refuse every malformed sequence that Python's decoder refuses."""
    raw = _with('"notes": []', '"notes": ["ab"]').encode("utf-8")
    at = raw.index(b'"ab"') + 2
    with pytest.raises(SnapshotError) as caught:
        from_json_text(raw[:at] + damage + raw[at:], "u.json")
    assert str(caught.value) == f"u.json: not UTF-8 text (byte {at})"


def test_a_byte_order_mark_is_skipped() -> None:
    assert from_json_text(b"\xef\xbb\xbf" + BEFORE.read_bytes(), "bom.json") == from_json_text(TEXT, "before.json")


@pytest.mark.parametrize("text", [
    '{"a": 1} x', '{"a": 01}', '{"a": 1.}', '{"a": .5}', '{"a": +1}', '{"a": 0x1}', '{"a": "\\x41"}',
    '{"a": "\t"}', '{"a": 1,}', '[1,]', "{'a': 1}", '\ufeff{}', '\x0c{}', '{"a": "\\ud800"}', '{"a": "\\udc00x"}',
    '{"a": ' + "9" * 4301 + "}", '{"a": NaN}', '{"a": Infinity}', '//\n{}', "",
])
def test_pydantic_reads_no_json_that_json_loads_refuses(text: str) -> None:
    """What the one-pass read relies on (`_parse`): a text pydantic reads passes `json.loads` and the surrogate check."""
    try:
        TypeAdapter(Any).validate_json(text)
    except ValueError:
        return
    json.loads(text)


def test_pydantic_keeps_the_last_of_a_repeated_key_as_json_loads_does() -> None:
    text = '{"a": 1, "b": {"c": 2, "c": 3}, "a": 4, "\\u0061": 5}'
    assert TypeAdapter(Any).validate_json(text) == json.loads(text)


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        from_json_text(TEXT, "before.json")
        assert gc.isenabled() is enabled
        with pytest.raises(SnapshotError):
            from_json_text("[]", "list.json")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# -- incomplete: the index answers as the definition -------------------------------------------------------------

SCOPES = st.sampled_from(["*", "", "-", "subnet", "subnet-", "subnet-1", "subnet-2", "subnetx-1", "sub-net-1",
                          "vpc-1", "vpc-", "us-east-1", "a-b-c"])


@settings(max_examples=2000, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(["vpc", "subnet"]), SCOPES), max_size=4),
       st.sampled_from(["vpc", "subnet"]), SCOPES.filter(bool))
def test_declared_incomplete_answers_as_its_definition(entries: list, family: str, resource_id: str) -> None:
    incomplete = tuple(Incomplete(family=f, scope=s, reason="r") for f, s in entries)
    prefix = resource_id.split("-", 1)[0] + "-"
    expected = any(i.family == family and (i.scope == resource_id or not i.scope.startswith(prefix))
                   for i in incomplete)
    assert _declared_incomplete(incomplete)(family, resource_id) is expected


# -- to_json: orjson writes what json.dumps wrote --------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.snapshot.json")), ids=lambda p: p.name)
def test_to_json_writes_the_examples_as_they_are(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert to_json(from_json_text(text, path.name)) == text == _reference_dumps(load(path))


@pytest.mark.parametrize("tag", ["two  spaces", "  leading", "trailing  ", "tab\tand\nnewline\r\x00\x1f\x7f",
                                 "\u2028\u2029\ufeff é 😀 \uffff", 'quote " backslash \\ slash /', "   \n   "])
def test_to_json_writes_any_string_as_json_dumps_does(tag: str) -> None:
    snapshot = from_json_text(TEXT, "before.json")
    vpc = snapshot.vpcs[0].model_copy(update={"tags": {tag: tag, "k": tag}})
    changed = snapshot.model_copy(update={"vpcs": (vpc, *snapshot.vpcs[1:]), "notes": (tag,)})
    assert to_json(changed) == _reference_dumps(changed)


def test_to_json_writes_integers_beyond_64_bits_as_json_dumps_does() -> None:
    snapshot = from_json_text(_with('"customer_gateways": []',
                                    '"customer_gateways": [{"id": "cgw-1", "bgp_asn": 123456789012345678901234567890}]'),
                              "big.json")
    assert to_json(snapshot) == _reference_dumps(snapshot)


def test_an_integer_too_long_to_convert_is_one_clear_error(tmp_path):
    """Python refuses to convert integers of more than 4,300 digits: that is bad input, not an internal error."""
    import pytest

    from zonecheck.model import SnapshotError, load

    path = tmp_path / "snap.json"
    path.write_text('{"schema_version": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(SnapshotError, match="not valid JSON"):
        load(path)
