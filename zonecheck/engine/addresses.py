"""IPv4 and IPv6 addresses on one integer line.

IPv4 address `a` is the integer `a`; IPv6 address `b` is `2**32 + b`.  One IntervalSet then holds a mix of
both families, and a rule for 0.0.0.0/0 can never match an IPv6 packet by accident.
"""

from __future__ import annotations

from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_network,
)
from typing import Iterable, Union

from zonecheck.engine.intervals import IntervalSet

V6_OFFSET = 1 << 32
V4_ALL = IntervalSet.single(0, (1 << 32) - 1)
V6_ALL = IntervalSet.single(V6_OFFSET, V6_OFFSET + (1 << 128) - 1)
ALL_ADDRESSES = V4_ALL | V6_ALL

Network = Union[IPv4Network, IPv6Network]
Address = Union[IPv4Address, IPv6Address]


def net_span(net: Network) -> tuple[int, int]:
    # Arithmetic on the prefix length: ipaddress's broadcast_address builds an object per call.
    lo = int(net.network_address)
    size = 1 << (net.max_prefixlen - net.prefixlen)
    if net.max_prefixlen == 128:
        return V6_OFFSET + lo, V6_OFFSET + lo + size - 1
    return lo, lo + size - 1


def address_key(addr: Address) -> int:
    return (V6_OFFSET if addr.version == 6 else 0) + int(addr)


def of_networks(nets: Iterable[Network]) -> IntervalSet:
    return IntervalSet(net_span(n) for n in nets)


def of_addresses(addrs: Iterable[Address]) -> IntervalSet:
    if type(addrs) is tuple and len(addrs) <= 2:  # most often: one private IPv4 address, perhaps one IPv6
        if len(addrs) == 1:
            key = address_key(addrs[0])
            return IntervalSet._raw(((key, key),))
        if len(addrs) == 2:
            low, high = sorted((address_key(addrs[0]), address_key(addrs[1])))
            return IntervalSet._raw(((low, high),) if high <= low + 1 else ((low, low), (high, high)))
    return IntervalSet((key, key) for key in map(address_key, addrs))


def of_network(net: Network) -> IntervalSet:
    lo, hi = net_span(net)
    return IntervalSet.single(lo, hi)


# Address space that never appears on the internet (RFC 6890 special-purpose blocks) and so is never
# part of the built-in `internet` zone.
_NOT_INTERNET_V4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
]
PRIVATE_V4 = of_networks(ip_network(n) for n in _NOT_INTERNET_V4)
GLOBAL_UNICAST_V6 = of_network(ip_network("2000::/3"))


def internet_space(estate_networks: Iterable[Network]) -> IntervalSet:
    """Every address outside the estate's private space: public IPv4 and global IPv6, minus VPC CIDRs."""
    return ((V4_ALL - PRIVATE_V4) | GLOBAL_UNICAST_V6) - of_networks(estate_networks)


def family_of(key: int) -> int:
    return 6 if key >= V6_OFFSET else 4


def to_address(key: int) -> Address:
    return IPv6Address(key - V6_OFFSET) if key >= V6_OFFSET else IPv4Address(key)


def to_networks(addresses: IntervalSet) -> list[Network]:
    """The smallest list of CIDRs covering exactly the set (IPv4 first, each family in address order)."""
    v4: list[Network] = []
    v6: list[Network] = []
    for lo, hi in addresses:
        if lo < V6_OFFSET:
            v4.extend(IPv4Network((start, prefix)) for start, prefix in _blocks(lo, min(hi, V6_OFFSET - 1), 32))
        if hi >= V6_OFFSET:
            v6.extend(IPv6Network((start, prefix))
                      for start, prefix in _blocks(max(lo, V6_OFFSET) - V6_OFFSET, hi - V6_OFFSET, 128))
    return v4 + v6


def _blocks(lo: int, hi: int, bits: int) -> Iterable[tuple[int, int]]:
    """[lo, hi] as aligned power-of-two blocks (start, prefix length), largest first from lo: the fewest
    CIDRs, since the spans of a normalised set are never adjacent to each other."""
    while lo <= hi:
        size = lo & -lo if lo else 1 << bits
        while size > hi - lo + 1:
            size >>= 1
        yield lo, bits - (size.bit_length() - 1)
        lo += size


def describe(addresses: IntervalSet, limit: int = 6) -> str:
    """Human text for an address set: `10.0.1.10`, `10.0.0.0/16`, or a short list with a count."""
    nets = to_networks(addresses)
    texts = [str(n.network_address) if n.num_addresses == 1 else str(n) for n in nets]
    if len(texts) <= limit:
        return ", ".join(texts)
    return ", ".join(texts[:limit]) + f" … (+{len(texts) - limit} more)"
