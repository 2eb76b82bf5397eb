"""Differential checks: zonecheck (through its public API) against the naive simulator.

Properties, for every assertion of a policy (SPEC §4):

(a) `no-access` / `only` FAIL: every CERTAIN witness, turned into concrete packets (first/last address of
    each source and target network, first/last port of its range, protocol numbers from its detail), is
    delivered by the oracle — and for `only` lies outside the allowed services.  A witness whose internet
    side is "any internet address" (no networks) is checked as "at least one internet address works".
(a2) `no-access` / `only` FAIL, witnesses not truncated: every packet of the edge packet set (below) that the
    oracle delivers (outside the allowed services) is covered by some witness (SPEC 4: the witnesses of a
    `no-access` show every deliverable flow).  This is what catches an engine that misses flows while the
    verdict is already FAIL.
(b) `no-access` / `only` PASS: the oracle delivers none of an edge packet set (every source endpoint ×
    every destination endpoint or internet address × tcp, udp, icmp, icmpv6, proto 47 × ports 0, 1, 65535
    and every rule boundary ±1 × every address of the endpoints).
(c) `access` PASS: the oracle delivers every required packet (sampled).
(d) `access` FAIL: at least one required packet is not delivered by the oracle, and each certain witness
    (a required flow the engine says is dropped) is not delivered.
(e) no certain witness is a host reaching itself (such traffic never leaves the host; the oracle calls it
    unknown).

Packets the oracle calls unknown are skipped.  A broken property raises `Disagreement`, which carries
everything needed to write a permanent regression case.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from tests.oracle.simulator import (
    ICMP,
    ICMPV6,
    INTERNET,
    TCP,
    UDP,
    Outcome,
    Packet,
    deliver,
    is_internet_address,
)
from zonecheck.model import Endpoint, Snapshot, to_json

Address = Union[IPv4Address, IPv6Address]
OTHER_PROTOCOL = 47
NAMED = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6}
INTERNET_SAMPLES = ("1.1.1.1", "8.8.8.8", "54.0.0.1", "200.1.2.3", "2001:4860:4860::8888", "2600::1", "2a00:1450::1")
REGRESSIONS = Path(__file__).parent / "regressions"


# --------------------------------------------------------------------------------------------- services


@dataclass(frozen=True)
class Service:
    """A policy service: protocol (-1 any), tcp/udp port range, icmp type (None: all)."""

    protocol: int
    lo: Optional[int] = None
    hi: Optional[int] = None

    @classmethod
    def parse(cls, text: str) -> "Service":
        head, _, tail = text.partition("/")
        if head == "any":
            return cls(-1)
        if head == "proto":
            return cls(int(tail))
        protocol = NAMED[head]
        if protocol in (TCP, UDP):
            if not tail:
                return cls(protocol, 0, 65535)
            lo, _, hi = tail.partition("-")
            return cls(protocol, int(lo), int(hi or lo))
        return cls(protocol, int(tail) if tail else None)

    def covers(self, protocol: int, port: Optional[int]) -> bool:
        if self.protocol == -1:
            return True
        if self.protocol != protocol:
            return False
        if protocol in (TCP, UDP):
            return port is not None and self.lo <= port <= self.hi  # type: ignore[operator]
        if protocol in (ICMP, ICMPV6):
            return self.lo is None or self.lo == port
        return True

    def samples(self, version: int) -> list[tuple[int, Optional[int]]]:
        """(protocol, port) pairs that stand for the service in required-packet checks."""
        if self.protocol == -1:
            icmp = ICMP if version == 4 else ICMPV6
            return [(TCP, 0), (TCP, 65535), (UDP, 0), (UDP, 65535), (icmp, 0), (icmp, 255), (OTHER_PROTOCOL, None)]
        if self.protocol in (TCP, UDP):
            return sorted({(self.protocol, self.lo), (self.protocol, self.hi),
                           (self.protocol, (self.lo + self.hi) // 2)})  # type: ignore[operator]
        if self.protocol in (ICMP, ICMPV6):
            if (self.protocol == ICMP) != (version == 4):
                return []
            return [(self.protocol, self.lo)] if self.lo is not None else [(self.protocol, t) for t in (0, 8, 255)]
        return [(self.protocol, None)]


# --------------------------------------------------------------------------------------------- estate facts


@lru_cache(maxsize=4096)
def _network(text: str):  # type: ignore[no-untyped-def]
    return ip_network(text)


def _first_last(net) -> list[Address]:  # type: ignore[no-untyped-def]
    return [net.network_address, net.broadcast_address] if net.num_addresses > 1 else [net.network_address]


class Facts:
    """What the packet sets are built from: endpoints per zone, their addresses, rule boundaries."""

    def __init__(self, snapshot: Snapshot, zones: dict[str, list[str]]) -> None:
        self.snapshot = snapshot
        self.zones = zones
        self.endpoints = {e.id: e for e in snapshot.endpoints}
        self.subnets = {s.id: s for s in snapshot.subnets}

    def members(self, zone: str) -> list[Endpoint]:
        return [self.endpoints[i] for i in self.zones.get(zone, [])]

    def sender_addresses(self, e: Endpoint) -> list[Address]:
        out: list[Address] = list(e.private_ips) + list(e.ipv6_addresses)
        if e.address_unknown:
            subnet = self.subnets[e.subnet_id]
            for net in (subnet.cidr, subnet.ipv6_cidr):
                if net is not None:
                    out += _first_last(net)
        return out

    def receiver_addresses(self, e: Endpoint) -> list[Address]:
        return self.sender_addresses(e) + list(e.public_ips)

    def rule_networks(self) -> Iterator:
        s = self.snapshot
        for g in s.security_groups:
            for r in g.ingress + g.egress:
                if r.cidr is not None:
                    yield r.cidr
        for acl in s.network_acls:
            for entry in acl.entries:
                yield entry.cidr
        for t in s.route_tables:
            for route in t.routes:
                if route.destination is not None:
                    yield route.destination
        for p in s.prefix_lists:
            yield from p.entries or ()

    def internet_addresses(self) -> list[Address]:
        """Sample internet addresses: fixed ones, the estate's public addresses, and the edges of every CIDR
        a rule or route names (first, last, one before, one after)."""
        cands: list[Address] = [ip_address(a) for a in INTERNET_SAMPLES]
        for e in self.snapshot.endpoints:
            cands += list(e.public_ips)
        for net in self.rule_networks():
            for addr in _first_last(net):
                cands.append(addr)
                for delta in (-1, 1):
                    try:
                        cands.append(addr + delta)
                    except ValueError:
                        pass
        out = []
        for addr in dict.fromkeys(cands):
            if is_internet_address(self.snapshot, addr):
                out.append(addr)
        return sorted(out, key=lambda a: (a.version, int(a)))

    def protocol_ports(self, services: Iterable[Service]) -> dict[int, list[Optional[int]]]:
        """Per protocol, the ports (ICMP types) to try: 0, 1, 65535 and every boundary ±1."""
        ports: dict[int, set[int]] = {TCP: {0, 1, 65535}, UDP: {0, 1, 65535}, ICMP: {0, 8, 255}, ICMPV6: {0, 128, 255}}
        others: set[int] = {OTHER_PROTOCOL}
        bounds: list[tuple[int, Optional[int], Optional[int]]] = []
        s = self.snapshot
        for g in s.security_groups:
            for r in g.ingress + g.egress:
                bounds.append((r.protocol, r.from_port, r.to_port))
        for acl in s.network_acls:
            for entry in acl.entries:
                bounds.append((entry.protocol, entry.from_port, entry.to_port))
        for svc in services:
            bounds.append((svc.protocol, svc.lo, svc.hi if svc.protocol in (TCP, UDP) else None))
        for protocol, lo, hi in bounds:
            if protocol in (TCP, UDP):
                for p in (lo, hi):
                    if p is not None:
                        ports[protocol].update(x for x in (p - 1, p, p + 1) if 0 <= x <= 65535)
            elif protocol in (ICMP, ICMPV6):
                if lo is not None and lo >= 0:
                    ports[protocol].update(x for x in (lo - 1, lo, lo + 1) if 0 <= x <= 255)
            elif protocol >= 0:
                others.add(protocol)
        out: dict[int, list[Optional[int]]] = {p: sorted(v) for p, v in ports.items()}
        for p in sorted(others):
            out[p] = [None]
        return out


# --------------------------------------------------------------------------------------------- disagreement


class Disagreement(AssertionError):
    def __init__(self, prop: str, assertion: str, message: str, packet: Optional[Packet], expected: Optional[bool],
                 outcome: Optional[str] = None) -> None:
        self.prop, self.assertion, self.packet, self.expected, self.outcome = prop, assertion, packet, expected, outcome
        text = f"[{prop}] assertion {assertion}: {message}"
        if packet is not None:
            text += f"\n  packet: {packet.describe()}\n  oracle: {outcome}"
        super().__init__(text)


def save_case(name: str, snapshot: Snapshot, zones: dict[str, list[str]], assertions, packet: Optional[Packet],  # type: ignore[no-untyped-def]
              expected_delivered: Optional[bool], description: str, *, xfail: Optional[str] = None,
              check: str = "differential") -> Path:
    """Write a permanent regression case, replayed by test_regressions.py.

    `check` is "differential" (every property of this module, known issues NOT tolerated) or
    "no-self-witness" (no certain witness may have one ENI as both source and target).
    """
    from tests.oracle.strategies import policy_yaml

    REGRESSIONS.mkdir(exist_ok=True)
    path = REGRESSIONS / f"{name}.json"
    data = {
        "description": description,
        "check": check,
        "xfail": xfail,
        "policy": policy_yaml(sorted(zones), list(assertions)),
        "assertions": [{"source": a.source, "target": a.target, "kind": a.kind, "services": list(a.services)}
                       for a in assertions],
        "zones": zones,
        "packet": packet.to_dict() if packet else None,
        "expected_delivered": expected_delivered,
        "snapshot": json.loads(to_json(snapshot)),
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return path


# --------------------------------------------------------------------------------------------- known engine issues

KNOWN_ISSUES: dict[str, str] = {}
"""label -> description of an engine issue that random runs tolerate (and count) while it is being fixed.

To add one: write its strict-xfail regression case, add an entry here, and recognise its disagreements as
narrowly as possible (in `known_issue()` for single packets, in the Checker for whole verdicts).  Regression
replays never tolerate known issues, so the xfail case XPASSes (and fails) on the day the engine is fixed:
then remove both.
"""


def known_issue(snapshot: Snapshot, packet: Packet, outcome: Outcome) -> Optional[str]:
    """The KNOWN_ISSUES label that explains why the engine delivers a packet the oracle drops, if any.

    None today: every engine issue found so far is fixed (see regressions/)."""
    return None


# --------------------------------------------------------------------------------------------- the checker


def run_engine(snapshot: Snapshot, policy: str):  # type: ignore[no-untyped-def]
    from zonecheck.cli.run import run_check
    from zonecheck.policy import parse_policy_text

    return run_check(parse_policy_text(policy, "p.yaml"), snapshot, "p.yaml")


@dataclass
class Stats:
    packets: int = 0
    delivered: int = 0
    unknown: int = 0
    witnesses: int = 0
    verdicts: dict[tuple[str, str], int] = field(default_factory=dict)
    known: dict[str, int] = field(default_factory=dict)


def _protocol_ranges(detail: str) -> Optional[list[tuple[int, int]]]:
    m = re.search(r"IP protocols? ([0-9,\- ]+)", detail)
    if not m:
        return None
    out = []
    for part in m.group(1).replace(" ", "").split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return out


class Checker:
    """Runs the engine on one estate and policy and checks every property against the oracle.

    `tolerate_known=True` (random tests) skips disagreements explained by KNOWN_ISSUES and counts them;
    regression replays use False so that an xfail'ed case really fails until the engine is fixed.
    """

    def __init__(self, snapshot: Snapshot, zones: dict[str, list[str]], policy: str, stats: Optional[Stats] = None,
                 *, tolerate_known: bool = True) -> None:
        self.tolerate_known = tolerate_known
        self.snapshot = snapshot
        self.facts = Facts(snapshot, zones)
        self.policy = policy
        self.stats = stats or Stats()
        self._cache: dict[Packet, Outcome] = {}
        self._internet: Optional[list[Address]] = None

    @property
    def internet(self) -> list[Address]:
        if self._internet is None:
            self._internet = self.facts.internet_addresses()
        return self._internet

    def deliver(self, packet: Packet) -> Outcome:
        outcome = self._cache.get(packet)
        if outcome is None:
            outcome = deliver(self.snapshot, packet)
            self._cache[packet] = outcome
            self.stats.packets += 1
            if outcome.delivered:
                self.stats.delivered += 1
            elif outcome.delivered is None:
                self.stats.unknown += 1
        return outcome

    def known(self, packet: Packet, outcome: Outcome) -> bool:
        """True (and counted) when a known engine issue explains the oracle dropping this packet."""
        if not self.tolerate_known:
            return False
        label = known_issue(self.snapshot, packet, outcome)
        if label is not None:
            self.count_known(label)
        return label is not None

    def count_known(self, label: str) -> None:
        self.stats.known[label] = self.stats.known.get(label, 0) + 1

    @staticmethod
    def self_only(w) -> bool:  # type: ignore[no-untyped-def]
        """A witness whose every source/target pair is one ENI talking to itself."""
        return w.source.id != INTERNET and set(w.source.endpoints or (w.source.id,)) == \
            set(w.target.endpoints or (w.target.id,)) and len(set(w.source.endpoints or (w.source.id,))) == 1

    # -- packet sets ------------------------------------------------------------------------
    def sides(self, zone: str, sending: bool) -> list[tuple[str, Address]]:
        """(endpoint id or internet, address) of a zone, as a source or as a destination."""
        if zone == INTERNET:
            return [(INTERNET, a) for a in self.internet]
        out = []
        for e in self.facts.members(zone):
            addrs = self.facts.sender_addresses(e) if sending else self.facts.receiver_addresses(e)
            out += [(e.id, a) for a in addrs]
        return out

    def packets(self, srcs: list[tuple[str, Address]], dsts: list[tuple[str, Address]],
                protocols: dict[int, list[Optional[int]]]) -> Iterator[Packet]:
        first_internet = {a for _, a in srcs[:1]} | {a for _, a in srcs[-1:]}
        for source, src in srcs:
            for target, dst in dsts:
                if src.version != dst.version or src == dst or (source == target and source != INTERNET):
                    continue
                if source == INTERNET and not dst.is_global and src not in first_internet:
                    continue  # internet -> a private address: two source samples are plenty
                for protocol, ports in protocols.items():
                    if (protocol == ICMP and src.version == 6) or (protocol == ICMPV6 and src.version == 4):
                        continue
                    for port in ports:
                        yield Packet(source, src, dst, protocol, port, target)

    # -- witnesses → packets ------------------------------------------------------------------
    def witness_protocols(self, w, version: int) -> list[tuple[int, Optional[int]]]:  # type: ignore[no-untyped-def]
        detail = w.detail or ""
        if w.protocol in ("tcp", "udp"):
            lo, hi = w.port_range
            return [(NAMED[w.protocol], lo), (NAMED[w.protocol], hi)]
        if w.protocol in ("icmp", "icmpv6"):
            types = [int(x) for x in re.findall(r"\d+", detail)] if detail else []
            if "-" in detail and len(types) >= 2:
                types = [types[0], types[-1]]
            return [(NAMED[w.protocol], t) for t in (types or [0, 255])]
        if w.protocol.isdigit():
            return [(int(w.protocol), None)]
        assert w.protocol == "any", f"unexpected witness protocol {w.protocol!r}"
        ranges = _protocol_ranges(detail) if detail else [(0, 255)]
        assert ranges is not None, f"cannot read witness detail {detail!r}"
        out: list[tuple[int, Optional[int]]] = []
        for lo, hi in ranges:
            for p in sorted({lo, hi} | ({TCP, UDP, ICMP, ICMPV6, OTHER_PROTOCOL} & set(range(lo, hi + 1)))):
                if p in (TCP, UDP):
                    out += [(p, 0), (p, 65535)]
                elif p == ICMP and version == 4 or p == ICMPV6 and version == 6:
                    out += [(p, 0), (p, 255)]
                elif p in (ICMP, ICMPV6):
                    continue
                else:
                    out.append((p, None))
        return out

    def witness_side(self, ref, sending: bool) -> tuple[bool, list[tuple[str, Address]]]:  # type: ignore[no-untyped-def]
        """(exact, [(who, address)]): exact=False when the side is "any internet address"."""
        if ref.id == INTERNET:
            if not ref.networks:
                return False, [(INTERNET, a) for a in self.internet]
            addrs = []
            for text in ref.networks:
                net = _network(text)
                inside = [a for a in self.internet if a.version == net.version and a in net]
                # the network's own edges when they are internet addresses, else the outermost samples inside
                for a in _first_last(net) + inside[:1] + inside[-1:]:
                    if is_internet_address(self.snapshot, a) and (INTERNET, a) not in addrs:
                        addrs.append((INTERNET, a))
            return True, addrs
        out = []
        for eid in ref.endpoints or (ref.id,):
            e = self.facts.endpoints[eid]
            for text in ref.networks:
                for a in _first_last(_network(text)):
                    owned = self.facts_owns(e, a, sending)
                    if owned:
                        out.append((eid, a))
        return True, out

    def facts_owns(self, e: Endpoint, a: Address, sending: bool) -> bool:
        if a in e.private_ips or a in e.ipv6_addresses or (not sending and a in e.public_ips):
            return True
        if e.address_unknown:
            subnet = self.facts.subnets[e.subnet_id]
            return any(n is not None and n.version == a.version and a in n for n in (subnet.cidr, subnet.ipv6_cidr))
        return False

    def witness_packets(self, w) -> tuple[bool, list[Packet]]:  # type: ignore[no-untyped-def]
        exact_s, srcs = self.witness_side(w.source, True)
        exact_t, dsts = self.witness_side(w.target, False)
        packets = []
        for source, src in srcs:
            for target, dst in dsts:
                if src.version != dst.version or src == dst or (source == target and source != INTERNET):
                    continue
                for protocol, port in self.witness_protocols(w, src.version):
                    packets.append(Packet(source, src, dst, protocol, port, target))
        return exact_s and exact_t, packets

    # -- witness coverage ---------------------------------------------------------------------
    @staticmethod
    def _in_networks(addr: Address, networks) -> bool:  # type: ignore[no-untyped-def]
        return any(n.version == addr.version and addr in n for n in (_network(t) for t in networks))

    def covers(self, w, packet: Packet) -> bool:  # type: ignore[no-untyped-def]
        """Does the witness box contain the packet?"""
        for ref, who, addr in ((w.source, packet.source, packet.src), (w.target, packet.target, packet.dst)):
            if ref.id == INTERNET:
                if who != INTERNET:
                    return False
                if ref.networks and not self._in_networks(addr, ref.networks):
                    return False
                if not ref.networks and f"IPv{addr.version}" not in ref.address:
                    return False
            else:
                if who not in (ref.endpoints or (ref.id,)):
                    return False
                if ref.networks and not self._in_networks(addr, ref.networks):
                    return False
        detail = w.detail or ""
        if w.protocol in NAMED:
            if packet.protocol != NAMED[w.protocol]:
                return False
            if w.protocol in ("tcp", "udp"):
                lo, hi = w.port_range
                return lo <= packet.port <= hi  # type: ignore[operator]
            types = [int(x) for x in re.findall(r"\d+", detail)]
            if not types:
                return True
            if "-" in detail:
                return types[0] <= packet.port <= types[-1]  # type: ignore[operator]
            return packet.port in types
        if w.protocol.isdigit():
            return packet.protocol == int(w.protocol)
        ranges = _protocol_ranges(detail) if detail else [(0, 255)]
        return ranges is not None and any(lo <= packet.protocol <= hi for lo, hi in ranges)

    def check_witnesses_complete(self, name: str, spec, got, allowed: list[Service]) -> None:  # type: ignore[no-untyped-def]
        if got.truncated:
            return
        protocols = self.facts.protocol_ports(allowed)
        for packet in self.packets(self.sides(spec.source, True), self.sides(spec.target, False), protocols):
            if any(s.covers(packet.protocol, packet.port) for s in allowed):
                continue
            outcome = self.deliver(packet)
            if not outcome.delivered:
                continue
            if not any(self.covers(w, packet) for w in got.witnesses):
                raise Disagreement("a2-flow-without-witness", name, f"engine says {spec.kind} FAIL, but no witness "
                                   "covers this packet the oracle delivers", packet, True, str(outcome))

    # -- properties ---------------------------------------------------------------------------
    def check(self, assertions) -> None:  # type: ignore[no-untyped-def]
        result = run_engine(self.snapshot, self.policy)
        for spec, got in zip(assertions, result.assertions):
            self.stats.verdicts[(spec.kind, got.result)] = self.stats.verdicts.get((spec.kind, got.result), 0) + 1
            self.check_assertion(spec, got)

    def check_assertion(self, spec, got) -> None:  # type: ignore[no-untyped-def]
        services = [Service.parse(s) for s in spec.services]
        name = got.name
        if got.result == "unknown":
            return
        if spec.kind in ("no-access", "only"):
            allowed = services if spec.kind == "only" else []
            if got.result == "fail":
                for w in got.witnesses:
                    if not w.certain:
                        continue
                    self.stats.witnesses += 1
                    if self.self_only(w):
                        raise Disagreement("e-self-witness", name, f"certain witness {w.as_dict()} is a host "
                                           "reaching itself: no network is crossed", None, None)
                    self.check_deliverable_witness(name, spec.kind, w, allowed)
                self.check_witnesses_complete(name, spec, got, allowed)
            elif got.result == "pass":
                protocols = self.facts.protocol_ports(services)
                for packet in self.packets(self.sides(spec.source, True), self.sides(spec.target, False), protocols):
                    if any(s.covers(packet.protocol, packet.port) for s in allowed):
                        continue
                    outcome = self.deliver(packet)
                    if outcome.delivered:
                        raise Disagreement("b-pass-delivers", name, f"engine says {spec.kind} PASS, oracle delivers",
                                           packet, True, str(outcome))
        else:
            required = list(self.required_packets(spec, services))
            if got.result == "pass":
                for packet in required:
                    outcome = self.deliver(packet)
                    if outcome.delivered is False and not self.known(packet, outcome):
                        raise Disagreement("c-access-pass-drops", name, "engine says access PASS, oracle drops",
                                           packet, False, str(outcome))
            elif got.result == "fail":
                for w in got.witnesses:
                    if not w.certain:
                        continue
                    self.stats.witnesses += 1
                    exact, packets = self.witness_packets(w)
                    if not exact:
                        continue
                    for packet in packets:
                        outcome = self.deliver(packet)
                        if outcome.delivered:
                            raise Disagreement("d-access-witness-delivered", name,
                                               "engine says this required flow is dropped, oracle delivers it",
                                               packet, True, str(outcome))
                outcomes = [self.deliver(p) for p in required]
                if required and all(o.delivered is True for o in outcomes):
                    raise Disagreement("d-access-fail-all-delivered", name,
                                       f"engine says access FAIL, oracle delivers all {len(required)} required "
                                       f"packets (e.g. the first one)", required[0], True, str(outcomes[0]))

    def check_deliverable_witness(self, name: str, kind: str, w, allowed: list[Service]) -> None:  # type: ignore[no-untyped-def]
        exact, packets = self.witness_packets(w)
        if kind == "only":
            for packet in packets:
                if any(s.covers(packet.protocol, packet.port) for s in allowed):
                    raise Disagreement("a-only-witness-allowed", name, f"witness {w.as_dict()} lies inside the "
                                       "allowed services", packet, None)
        if exact:
            for packet in packets:
                outcome = self.deliver(packet)
                if outcome.delivered is False and not self.known(packet, outcome):
                    raise Disagreement("a-witness-dropped", name, f"certain witness {w.as_dict()}: oracle drops",
                                       packet, False, str(outcome))
        else:
            outcomes = [self.deliver(p) for p in packets]
            if packets and not any(o.delivered is not False or self.known(p, o) for p, o in zip(packets, outcomes)):
                raise Disagreement("a-witness-dropped", name, f"certain witness {w.as_dict()} to/from 'any internet "
                                   f"address': the oracle delivers none of {len(packets)} sample packets",
                                   packets[0], False, str(outcomes[0]))

    def required_packets(self, spec, services: list[Service]) -> Iterator[Packet]:  # type: ignore[no-untyped-def]
        """Required flows of an `access` assertion: every sending address of every source member to every
        address of every destination member it can address directly (same IP version; from inside the
        estate the private IPv4 and IPv6 addresses, from the internet the public IPv4 and IPv6 addresses),
        for every service.  SPEC 4 leaves "required flow" open; this is the engine's reading (a host's
        public address is not required from inside the estate)."""
        srcs = self.sides(spec.source, True)
        if spec.target == INTERNET:
            dsts = self.sides(INTERNET, False)
        elif spec.source == INTERNET:
            dsts = [(e.id, a) for e in self.facts.members(spec.target)
                    for a in list(e.public_ips) + [x for x in self.facts.sender_addresses(e) if x.version == 6]]
        else:
            dsts = self.sides(spec.target, True)
        for source, src in srcs:
            for target, dst in dsts:
                if src.version != dst.version or src == dst or (source == target and source != INTERNET):
                    continue
                for svc in services:
                    for protocol, port in svc.samples(src.version):
                        yield Packet(source, src, dst, protocol, port, target)
