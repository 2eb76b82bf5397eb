"""Addresses on the engine's integer line: IPv4 as itself, IPv6 above 2**32, consecutive addresses merged."""

from ipaddress import IPv4Address, IPv6Address

from hypothesis import given
from hypothesis import strategies as st

from zonecheck.engine import addresses as addr
from zonecheck.engine.intervals import IntervalSet

v4 = st.integers(0, 2**32 - 1).map(IPv4Address)
v6 = st.integers(0, 2**128 - 1).map(IPv6Address)
near_v4 = st.integers(0, 20).map(lambda i: IPv4Address(0x0A000000 + i))  # runs of consecutive addresses


@given(st.lists(st.one_of(v4, v6, near_v4), max_size=12))
def test_of_addresses_is_the_set_of_every_address_key(addresses):
    keys = [addr.address_key(a) for a in addresses]
    assert addr.of_addresses(addresses) == IntervalSet((k, k) for k in keys)
    assert addr.of_addresses(iter(addresses)) == addr.of_addresses(addresses)  # any iterable
    assert addr.of_addresses(tuple(addresses)) == addr.of_addresses(addresses)  # a tuple of one: the short way


def test_ipv6_never_meets_ipv4():
    both = addr.of_addresses([IPv4Address("10.0.0.1"), IPv6Address("::a00:1")])
    assert both.spans == ((0x0A000001, 0x0A000001), (addr.V6_OFFSET + 0x0A000001, addr.V6_OFFSET + 0x0A000001))


def _reference_networks(addresses):
    """The first implementation: ipaddress's summarize and collapse."""
    from ipaddress import collapse_addresses, summarize_address_range

    out = []
    for lo, hi in addresses:
        if hi < addr.V6_OFFSET:
            out.extend(summarize_address_range(IPv4Address(lo), IPv4Address(hi)))
        elif lo >= addr.V6_OFFSET:
            out.extend(summarize_address_range(IPv6Address(lo - addr.V6_OFFSET), IPv6Address(hi - addr.V6_OFFSET)))
        else:
            out.extend(summarize_address_range(IPv4Address(lo), IPv4Address(addr.V6_OFFSET - 1)))
            out.extend(summarize_address_range(IPv6Address(0), IPv6Address(hi - addr.V6_OFFSET)))
    return list(collapse_addresses([n for n in out if n.version == 4])) + list(
        collapse_addresses([n for n in out if n.version == 6]))


edges = st.sampled_from([0, 1, 2**31, 2**32 - 2, 2**32 - 1, 2**32, 2**32 + 1, 2**32 + 2**127, 2**32 + 2**128 - 1])
points = st.one_of(st.integers(0, 2**32 + 2**128 - 1), st.integers(0x0A000000 - 300, 0x0A000000 + 300), edges)


@given(st.lists(st.tuples(points, points).map(lambda t: (min(t), max(t))), max_size=6))
def test_to_networks_gives_the_fewest_cidrs_covering_exactly_the_set(spans):
    addresses = IntervalSet(spans)
    assert addr.to_networks(addresses) == _reference_networks(addresses)
