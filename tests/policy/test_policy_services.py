"""Service spellings (`tcp/5432`, `icmp/8`, `any`, `proto/47`…) and the `expect` forms built from them."""

import pytest
from pydantic import ValidationError

from zonecheck.model import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP
from zonecheck.policy import NO_ACCESS, Access, NoAccess, Only, Service, expect_kind, expect_label, parse_service

VALID = [
    # text, protocol, from_port, to_port, canonical label
    ("tcp/5432", TCP, 5432, 5432, "tcp/5432"),
    ("tcp/8000-8080", TCP, 8000, 8080, "tcp/8000-8080"),
    ("tcp/80-80", TCP, 80, 80, "tcp/80"),
    ("tcp/0", TCP, 0, 0, "tcp/0"),
    ("tcp/65535", TCP, 65535, 65535, "tcp/65535"),
    ("tcp/0-65535", TCP, 0, 65535, "tcp"),
    ("tcp", TCP, 0, 65535, "tcp"),
    ("udp/53", UDP, 53, 53, "udp/53"),
    ("udp", UDP, 0, 65535, "udp"),
    ("icmp", ICMP, None, None, "icmp"),
    ("icmp/8", ICMP, 8, None, "icmp/8"),
    ("icmp/0", ICMP, 0, None, "icmp/0"),
    ("icmpv6", ICMPV6, None, None, "icmpv6"),
    ("icmpv6/128", ICMPV6, 128, None, "icmpv6/128"),
    ("any", ALL_PROTOCOLS, None, None, "any"),
    ("all", ALL_PROTOCOLS, None, None, "any"),
    ("proto/47", 47, None, None, "proto/47"),
    ("47", 47, None, None, "proto/47"),
    ("proto/6", TCP, 0, 65535, "tcp"),
    ("17", UDP, 0, 65535, "udp"),
    ("proto/1", ICMP, None, None, "icmp"),
    ("proto/0", 0, None, None, "proto/0"),
    ("proto/255", 255, None, None, "proto/255"),
    ("TCP/443", TCP, 443, 443, "tcp/443"),
    (" udp/123 ", UDP, 123, 123, "udp/123"),
]


@pytest.mark.parametrize("text, protocol, from_port, to_port, label", VALID)
def test_every_service_spelling_parses_to_protocol_number_and_ports(text, protocol, from_port, to_port, label):
    service = parse_service(text)
    assert (service.protocol, service.from_port, service.to_port) == (protocol, from_port, to_port)


@pytest.mark.parametrize("text, protocol, from_port, to_port, label", VALID)
def test_label_is_the_canonical_spelling_and_parses_back_to_the_same_service(text, protocol, from_port, to_port, label):
    service = parse_service(text)
    assert service.label() == label
    assert str(service) == label
    assert parse_service(label) == service


INVALID = [
    ("tcp/70000", "70000"),
    ("tcp/90-80", "reversed"),
    ("tcp/abc", "'abc'"),
    ("foo", "'foo'"),
    ("tcp/", "not a number"),
    ("tcp/80-", "not a number"),
    ("tcp/-80", "not a number"),
    ("tcp/99999999999999999999999", "out of range"),
    ("udp/65536", "65536"),
    ("icmp/256", "out of range"),
    ("icmp/echo", "ICMP type"),
    ("icmp/3-4", "ICMP type"),
    ("proto/256", "out of range"),
    ("proto/abc", "protocol number"),
    ("proto", "protocol number"),
    ("300", "out of range"),
    ("47/80", "protocol number"),
    ("any/80", "'any/80'"),
    ("", "expected one of"),
    ("tcp:80", "'tcp:80'"),
]


@pytest.mark.parametrize("text, fragment", INVALID)
def test_invalid_service_is_rejected_with_a_message_naming_it(text, fragment):
    with pytest.raises(ValueError) as caught:
        parse_service(text)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert repr(text)[:20] in message or text == ""


def test_unknown_protocol_name_lists_the_accepted_spellings():
    with pytest.raises(ValueError, match=r"expected one of: tcp/5432, .*proto/47"):
        parse_service("sctp/80")


def test_service_model_accepts_text_and_protocol_numbers_as_input():
    assert Service.model_validate("tcp/22") == Service(protocol=TCP, from_port=22, to_port=22)
    assert Service.model_validate(47) == Service(protocol=47)


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"protocol": TCP}, "needs from_port and to_port"),
        ({"protocol": TCP, "from_port": 90, "to_port": 80}, "reversed"),
        ({"protocol": UDP, "from_port": 0, "to_port": 70000}, "out of range"),
        ({"protocol": ICMP, "from_port": 300}, "out of range"),
        ({"protocol": ICMP, "from_port": 3, "to_port": 1}, "type only"),
        ({"protocol": 47, "from_port": 1, "to_port": 1}, "no ports"),
        ({"protocol": 256}, "out of range"),
        ({"protocol": -2}, "out of range"),
    ],
)
def test_service_fields_must_be_consistent_with_the_protocol(fields, fragment):
    with pytest.raises(ValidationError, match=fragment):
        Service(**fields)


def test_service_is_frozen_and_hashable():
    service = parse_service("tcp/443")
    with pytest.raises(ValidationError):
        service.from_port = 80  # type: ignore[misc]
    assert len({service, parse_service("tcp/443"), parse_service("tcp/443-443")}) == 1


def test_boolean_is_not_a_service():
    with pytest.raises(ValidationError, match="invalid service"):
        Service.model_validate(True)


def test_no_access_is_the_string_no_access_with_kind_and_label():
    assert NO_ACCESS == "no-access"
    assert isinstance(NO_ACCESS, NoAccess)
    assert NO_ACCESS.kind == "no-access"
    assert NO_ACCESS.label() == "no-access"


def test_only_takes_service_texts_and_labels_them_in_order():
    only = Only.model_validate({"only": ["tcp/5432", "udp/53", "icmp"]})
    assert only.kind == "only"
    assert only.services == (parse_service("tcp/5432"), parse_service("udp/53"), parse_service("icmp"))
    assert only.label() == "only tcp/5432, udp/53, icmp"


def test_access_takes_service_texts_and_labels_them():
    access = Access.model_validate({"access": ["tcp/443"]})
    assert access.kind == "access"
    assert access.label() == "access tcp/443"


@pytest.mark.parametrize("model, key", [(Only, "only"), (Access, "access")])
def test_only_and_access_need_at_least_one_service(model, key):
    with pytest.raises(ValidationError):
        model.model_validate({key: []})


def test_expect_helpers_accept_every_form_including_a_plain_string():
    assert expect_kind("no-access") == "no-access"
    assert expect_label("no-access") == "no-access"
    only = Only.model_validate({"only": ["tcp"]})
    assert (expect_kind(only), expect_label(only)) == ("only", "only tcp")
