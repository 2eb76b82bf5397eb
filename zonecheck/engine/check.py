"""Decide every assertion of a policy against an estate (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Mapping, Optional, Sequence, Union

from zonecheck.engine import addresses as addr
from zonecheck.engine.classes import ON_PREMISES, EndpointClass, endpoint_classes
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, Hop
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.packets import Box, rule_box, subtract_all
from zonecheck.engine.replies import reply_note
from zonecheck.engine.senders import MergedSource, merge_sources, split_flow
from zonecheck.engine.results import AssertionResult, CheckResult, Verdict, Witness, overall
from zonecheck.engine.walk import Delivery, WalkResult, Walker
from zonecheck.engine.witnesses import build_witnesses
from zonecheck.model import PortSpec, Snapshot
from zonecheck.model.security import ICMP, ICMPV6
from zonecheck.policy.zones import ResolvedZone

MAX_WITNESSES = 200
"""Per assertion; the JSON report says how many more there were."""
MAX_DROPS_EXPLAINED = 3
"""For a required flow that is not delivered: how many of the places that drop it are shown."""


def _key(cls: Optional[EndpointClass]) -> str:
    return cls.key if cls is not None else "internet"


@dataclass(frozen=True)
class Expectation:
    kind: str  # "no-access" | "only" | "access"
    services: tuple[PortSpec, ...] = ()
    label: str = "no-access"


def _service_box(service: PortSpec) -> Box:
    return rule_box(service)


def _walk(estate: Estate, sources: Sequence[EndpointClass], targets: Sequence[EndpointClass], *,
          from_internet: bool, to_internet: bool, from_on_premises: bool = False,
          to_on_premises: bool = False, keep_drops: bool = True, ignore: Sequence[Box] = (),
          undescribed: IntervalSet = EMPTY) -> WalkResult:
    walker = Walker(estate, list(targets), to_internet=to_internet, to_on_premises=to_on_premises,
                    keep_drops=keep_drops, ignore=ignore, undescribed=undescribed)
    total = WalkResult()
    total.drops_by_source = {}
    reach = estate.reach
    target_subnets = {t.subnet_id for t in targets}
    # Targets with a public or IPv6 address can be reached through the internet (hairpin).
    via_internet = to_internet or any(t.public or t.public_unknown or (t.private & addr.V6_ALL) for t in targets)
    if from_internet:
        runs = [walker.from_internet()]
    elif from_on_premises:
        runs = [walker.from_on_premises()]
    else:
        # The graph knows nothing of VPN tunnels: towards on-premises, walk every source.
        runs = []
        # Classes alike on every step are walked once (senders.py); not when every drop must be explained
        # per source class (access, explain).
        walks = list(sources) if keep_drops else _merged(estate, sources, by_subnet=not walker.relays)
        # Nor does it know VPCs outside the source, where an address-named zone may lie.
        walks = [s for s in walks if to_on_premises or undescribed or reach.may_reach_any(
            _walked(s).subnet_id, target_subnets, via_internet)]
        # What lies past a transit gateway, or past a subnet's outbound ACL, is followed once for every
        # source (batches.py).
        walker.batch_sources([_walked(s) for s in walks])
        walked_runs = [(source, walker.from_class(_walked(source), source.sender, egress=not source.egress_after)
                        if isinstance(source, MergedSource) else walker.from_class(source)) for source in walks]
        past_hub, rest = walker.flush_batches()
        runs.append(rest)
        for source, run in walked_runs:
            run.deliveries.extend(past_hub.get(_walked(source).key, ()))
            if isinstance(source, MergedSource):
                run.deliveries = [Delivery(flow, part, d.target) for d in run.deliveries
                                  for part, flow in split_flow(estate, source, d.flow)]
            runs.append(run)
    for run in runs:
        total.deliveries.extend(run.deliveries)
        total.drops.extend(run.drops)
        total.touched |= run.touched
        total.assumed |= run.assumed
        for key, drops in run.drops_by_source.items():
            total.drops_by_source.setdefault(key, []).extend(drops)
    return total


def _merged(estate: Estate, sources: Sequence[EndpointClass], *, by_subnet: bool) -> list[Union[EndpointClass, MergedSource]]:
    """merge_sources, once per estate for a zone's classes."""
    return list(estate.derived(("merged", by_subnet), sources,
                               lambda: merge_sources(estate, sources, by_subnet=by_subnet)))


def _walked(source: Union[EndpointClass, MergedSource]) -> EndpointClass:
    return source.walked if isinstance(source, MergedSource) else source


def _classes(estate: Estate, zone: ResolvedZone, *, as_source: bool) -> list[EndpointClass]:
    """A zone's classes, computed once per estate."""
    return list(estate.derived(("classes", as_source), [zone],
                               lambda: endpoint_classes(estate, zone, as_source=as_source)))


class _Members(Mapping[str, IntervalSet]):
    """Interface id -> its addresses, for the interfaces of the assertion's classes: what a witness names of
    a class (which of its interfaces hold the addresses shown).  Computed when asked, for the few interfaces
    witnesses show: a zone may have 100,000."""

    def __init__(self, estate: Estate, classes: Sequence[EndpointClass]) -> None:
        self._estate = estate
        self._classes = classes
        self._ids: Optional[set[str]] = None
        self._cache: dict[str, IntervalSet] = {}

    def _known(self) -> set[str]:
        if self._ids is None:
            endpoints = self._estate.endpoints
            self._ids = {e for cls in self._classes for e in cls.endpoint_ids if e in endpoints}
        return self._ids

    def __getitem__(self, endpoint_id: str) -> IntervalSet:
        found = self._cache.get(endpoint_id)
        if found is None:
            if endpoint_id not in self._known():
                raise KeyError(endpoint_id)
            endpoint = self._estate.endpoints[endpoint_id]
            found = self._cache[endpoint_id] = \
                self._estate.private_addresses(endpoint) | self._estate.public_addresses(endpoint)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._known()))

    def __len__(self) -> int:
        return len(self._known())


def _global_doubts(estate: Estate, walk: WalkResult, classes: Sequence[EndpointClass]) -> list[str]:
    """Parts of the estate the source could not give or the engine does not model, that could change this
    assertion's answer: a `pass` cannot stand on them.

    An incomplete family or an unknown value matters when it lies where the assertion's packets went (a
    resource on a path or where packets stopped, a VPC or account/region they touched); a resource the
    engine does not model at all (an `Unsupported` record) could open a path anywhere, so it always matters.
    """
    snapshot = estate.snapshot
    unsupported = [f"not modelled: {u.kind} {u.resource} ({u.reason})" for u in snapshot.unsupported]
    if not snapshot.incomplete and not snapshot.unknowns:
        return unsupported  # nothing whose place matters: no need to gather where the packets went
    touched: set[str] = set()
    for cls in classes:
        touched.update((cls.subnet_id, cls.vpc_id, *cls.group_ids, *cls.endpoint_ids))
    for delivery in walk.deliveries:
        touched.update(part for hop in delivery.flow.hops for part in hop.at.split(","))
    for drop in walk.drops:
        touched.update(part for part in drop.at.split(","))
        touched.update(part for hop in drop.hops for part in hop.at.split(","))
    touched.update(part for at in walk.touched for part in at.split(","))
    vpcs = {t for t in touched if t in estate.vpcs}
    vpcs |= {estate.vpc_of_subnet(t) for t in touched if t in estate.subnets} - {None}  # type: ignore[arg-type]
    vpcs |= {estate.route_tables[t].vpc_id for t in touched if t in estate.route_tables}
    scopes = {"*"} | {f"{v.account}/{v.region}" for v in (estate.vpcs[i] for i in vpcs if i in estate.vpcs)}
    scopes |= {str(v.account) for v in (estate.vpcs[i] for i in vpcs if i in estate.vpcs)}
    known_ids = estate.known_ids

    def matters(scope: str) -> bool:
        return scope in touched or scope in scopes or scope in vpcs or scope not in known_ids and "/" not in scope

    doubts = [f"incomplete source: {i.family} ({i.scope}): {i.reason}" for i in snapshot.incomplete if matters(i.scope)]
    doubts += [f"unknown value: {u.resource}.{u.attribute} ({u.reason})" for u in snapshot.unknowns
               if matters(u.resource)]
    return doubts + unsupported


def evaluate(
    estate: Estate,
    *,
    name: str,
    source: ResolvedZone,
    target: ResolvedZone,
    expectation: Expectation,
    controls: Sequence[str] = (),
    description: Optional[str] = None,
    strict: bool = False,
    explain: bool = False,
) -> AssertionResult:
    from_internet = source.builtin == "internet"
    to_internet = target.builtin == "internet"
    from_on_premises = source.builtin == "on-premises"
    to_on_premises = target.builtin == "on-premises"
    sources = [] if source.builtin else _classes(estate, source, as_source=True)
    targets = [] if target.builtin else _classes(estate, target, as_source=False)
    reasons: list[str] = []
    # Where packets stop matters in detail only to say why a required flow dies (access) or for explain.
    walk = _walk(estate, sources, targets, from_internet=from_internet, to_internet=to_internet,
                 from_on_premises=from_on_premises, to_on_premises=to_on_premises,
                 keep_drops=explain or expectation.kind == "access",
                 # Allowed services can never be violations: not following them saves most of the work.
                 ignore=[] if explain or expectation.kind != "only" else
                 [_service_box(s) for s in expectation.services],
                 undescribed=addr.of_networks(target.address_space) if not target.builtin else EMPTY)
    members = _Members(estate, [*sources, *targets])
    doubts = _global_doubts(estate, walk, [*sources, *targets])
    for cls in (*sources, *targets):
        if cls.subnet_id not in estate.subnets or cls.vpc_id not in estate.vpcs:
            doubts.append(f"incomplete source: {cls.endpoint_ids[0]} sits in subnet {cls.subnet_id} "
                          f"(VPC {cls.vpc_id}) that the source does not describe")

    assumed_touched = set()
    for delivery in walk.deliveries:
        assumed_touched |= delivery.flow.assumed
    for drop in walk.drops:
        assumed_touched |= drop.assumed
    assumed_touched |= walk.assumed

    unknown_parts = _unknown_parts(estate.snapshot)

    onprem = estate.on_premises if from_on_premises else None
    if onprem is not None and onprem.doubt:
        # Where on-premises prefixes are unknown, a delivery is certain only if it admits all of them.
        walk.deliveries = [d if _admits_all(d.flow.origin, onprem.addresses)
                           else replace(d, flow=d.flow.with_doubt(onprem.doubt)) for d in walk.deliveries]

    def certain(delivery: Delivery) -> bool:
        if not delivery.flow.certain or _touches(delivery.flow.hops, unknown_parts):
            return False
        return not (strict and delivery.flow.assumed)

    witnesses: list[Witness]
    total = 0
    notes: list[str] = []
    if expectation.kind == "access":
        verdict, witnesses, extra = _judge_access(estate, expectation, sources, targets, walk, members,
                                                  from_internet=from_internet, to_internet=to_internet,
                                                  from_on_premises=from_on_premises,
                                                  to_on_premises=to_on_premises, certain=certain)
        reasons.extend(extra)
    else:
        violations = _violations(walk.deliveries, expectation)
        witnesses, total = build_witnesses(_pieces(violations, strict, unknown_parts, estate), members, MAX_WITNESSES)
        if any(certain(d) for d, _ in violations):
            verdict = "fail"
        elif violations:
            verdict = "unknown"
            reasons.append("a path may exist, through parts of the estate that are not known exactly")
        else:
            verdict = "pass"
    if verdict == "unknown":
        reasons.extend(doubts)  # name what is missing (e.g. the denied permission), not only the path doubt
    if verdict == "pass":
        if doubts:
            verdict = "unknown"
            reasons.extend(doubts)
        if reasons:
            verdict = "unknown"
        if strict and assumed_touched:
            verdict = "unknown"
            reasons.append("--strict: the verdict rests on assumed AWS defaults of " + ", ".join(sorted(assumed_touched)))
    if explain:
        # Every delivered flow, whatever the expectation, and where the rest stopped.
        witnesses, total = build_witnesses(
            _pieces([(d, d.flow.box) for d in walk.deliveries], strict, unknown_parts, estate), members, MAX_WITNESSES)
        notes = _drop_summary(walk.drops)
    truncated = max(0, total - len(witnesses))
    return AssertionResult(
        name=name, from_zone=source.name, to_zone=target.name, expect=expectation.label,
        expect_kind=expectation.kind, result=verdict, controls=tuple(controls),
        witnesses=tuple(witnesses), reasons=tuple(dict.fromkeys(reasons)),
        description=description, truncated=truncated, notes=tuple(notes),
    )


def _admits_all(origin: IntervalSet, candidates: IntervalSet) -> bool:
    family = addr.V6_ALL if origin and origin.first() >= addr.V6_OFFSET else addr.V4_ALL
    return (candidates & family).issubset(origin)


def _unknown_parts(snapshot: Snapshot) -> dict[str, str]:
    """Resources with a value the source does not know, or marked incomplete: resource id -> why."""
    parts = {u.resource: f"{u.resource}.{u.attribute} is unknown ({u.reason})" for u in snapshot.unknowns}
    parts.update({i.scope: f"{i.family} {i.scope} is incomplete ({i.reason})" for i in snapshot.incomplete})
    return parts


def _touches(hops: Sequence[Hop], unknown_parts: dict[str, str]) -> Optional[str]:
    """Why a path is not certain because it crosses a resource whose content is not fully known."""
    if not unknown_parts:
        return None
    for hop in hops:
        for part in hop.at.split(","):
            if part in unknown_parts:
                return unknown_parts[part]
    return None


def _pieces(violations: list[tuple[Delivery, Box]], strict: bool, unknown_parts: dict[str, str],
            estate: Optional[Estate] = None) -> list[tuple]:
    out = []
    for delivery, box in violations:
        flow = delivery.flow
        doubts = flow.doubts
        touched = _touches(flow.hops, unknown_parts)
        if touched:
            doubts = doubts + (touched,)
        if strict and flow.assumed:
            doubts = doubts + ("rests on assumed defaults: " + ", ".join(sorted(flow.assumed)),)
        note = reply_note(estate, replace(flow, box=box), delivery.source, delivery.target) if estate else None
        out.append((delivery.source, delivery.target, box, flow.origin, flow.hops, doubts, flow.rewritten, None, note))
    return out


def _drop_summary(drops: list[Drop], limit: int = 30) -> list[str]:
    """Where packets stopped, most frequent first: `blocked at sg-ingress sg-db: no ingress rule … (4)`."""
    counts: dict[tuple[str, str, str], int] = {}
    for drop in drops:
        key = (drop.step, drop.at, drop.reason)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [f"blocked at {step} {at}: {reason} ({n} packet set{'s' if n > 1 else ''})"
            for (step, at, reason), n in ordered[:limit]]


def _violations(deliveries: list[Delivery], expectation: Expectation) -> list[tuple[Delivery, Box]]:
    if expectation.kind == "no-access":
        return [(d, d.flow.box) for d in deliveries]
    allowed = [_service_box(s) for s in expectation.services]
    out: list[tuple[Delivery, Box]] = []
    for delivery in deliveries:
        for piece in subtract_all([delivery.flow.box], allowed):
            out.append((delivery, piece))
    return out


def _judge_access(estate: Estate, expectation: Expectation, sources: list[EndpointClass],
                  targets: list[EndpointClass], walk: WalkResult, members: Mapping[str, IntervalSet], *,
                  from_internet: bool, to_internet: bool, from_on_premises: bool, to_on_premises: bool,
                  certain) -> tuple[Verdict, list[Witness], list[str]]:
    """Every source address must reach every destination address on every listed service."""
    reasons: list[str] = []
    required: list[tuple[Optional[EndpointClass], Optional[EndpointClass], Box]] = []
    src_sets: list[tuple[Optional[EndpointClass], IntervalSet]]
    if from_internet:
        src_sets = [(None, estate.internet)]
    elif from_on_premises:
        src_sets = [(ON_PREMISES, estate.on_premises.addresses)]
    else:
        src_sets = [(s, s.private) for s in sources]
    dst_sets: list[tuple[Optional[EndpointClass], IntervalSet]]
    if to_internet:
        dst_sets = [(None, estate.internet)]
    elif to_on_premises:
        dst_sets = [(ON_PREMISES, estate.on_premises.addresses)]
    else:
        dst_sets = [(t, t.internet_addresses if from_internet else t.private) for t in targets]
    for service in expectation.services:
        sbox = _service_box(service)
        for s_cls, s_addr in src_sets:
            for family in (addr.V4_ALL, addr.V6_ALL):
                s_part = s_addr & family
                if not s_part or service.protocol == (ICMP if family is addr.V6_ALL else ICMPV6):
                    continue  # ICMP is IPv4's and ICMPv6 IPv6's: never required over the other version
                for t_cls, t_addr in dst_sets:
                    t_part = t_addr & family
                    if not t_part:
                        continue
                    # An interface reaching its own address is no requirement (packets never leave the host).
                    boxes = [Box(s_part, t_part, sbox.protocols, sbox.ports)]
                    shared = set(s_cls.endpoint_ids) & set(t_cls.endpoint_ids) if s_cls and t_cls else set()
                    for endpoint_id in sorted(shared):
                        endpoint = estate.endpoints.get(endpoint_id)
                        own = members.get(endpoint_id, EMPTY)
                        if endpoint is None:
                            continue
                        if endpoint.address_unknown:
                            # A range: the same host only if no other member may hold one of its addresses
                            # (the rule Walker._without_self_flows applies).
                            others = (set(s_cls.endpoint_ids) | set(t_cls.endpoint_ids)) - {endpoint_id}
                            if endpoint.public_address_unknown or any(
                                    not own.isdisjoint(members.get(o, EMPTY)) for o in others):
                                continue
                        boxes = subtract_all(boxes, [Box(own, own, sbox.protocols, sbox.ports)])
                    required.extend((s_cls, t_cls, box) for box in boxes)
    if not required:
        reasons.append("no source and destination addresses of the same IP version to require access between")
        return "unknown", [], reasons

    # Deliveries only ever cover the requirement of their own (source class, target class) pair: index them
    # so that each requirement is compared with its own deliveries, not with all of them.
    sure: dict[tuple[str, str], list[Box]] = {}
    maybe: dict[tuple[str, str], list[Box]] = {}
    for d in walk.deliveries:
        b = d.flow.box
        dst = (d.target.addresses | b.dst) if (d.target and d.target.public_unknown) else b.dst
        box = Box(d.flow.origin, dst, b.protocols, b.ports)
        bucket = maybe if (d.flow.partial_origin or not certain(d)) else sure
        bucket.setdefault((_key(d.source), _key(d.target)), []).append(box)
    missing: list[tuple[Optional[EndpointClass], Optional[EndpointClass], Box]] = []
    for s_cls, t_cls, box in required:
        for piece in subtract_all([box], sure.get((_key(s_cls), _key(t_cls)), [])):
            missing.append((s_cls, t_cls, piece))
    if not missing:
        return "pass", [], reasons
    definite = [(s, t, p) for s, t, b in missing for p in subtract_all([b], maybe.get((_key(s), _key(t)), []))]
    pieces = []
    for s_cls, t_cls, box in (definite or missing)[:MAX_WITNESSES]:
        explained = 0
        for drop in walk.drops_by_source.get(_key(s_cls), walk.drops):
            if drop.origin.isdisjoint(box.src) or drop.box.dst.isdisjoint(box.dst):
                continue
            inter = Box(drop.origin, drop.box.dst, drop.box.protocols, drop.box.ports).intersect(box)
            if inter is None:
                continue
            explained += 1
            pieces.append((s_cls, t_cls, inter, inter.src, drop.hops, (), False, Hop(drop.at, drop.step, drop.reason),
                           None))
            if explained >= MAX_DROPS_EXPLAINED:
                break
        if not explained:
            pieces.append((s_cls, t_cls, box, box.src, (), (), False,
                           Hop("-", "no-path", "no route or gateway leads there"), None))
    witnesses, _ = build_witnesses(pieces, members, MAX_WITNESSES)
    if definite:
        return "fail", witnesses, reasons
    reasons.append("the required flows may be delivered only through parts of the estate that are not known exactly")
    return "unknown", witnesses, reasons


ON_PREMISES_ASSUMPTION = ("on-premises networks behind VPN connections and Direct Connect are assumed not to carry "
                          "internet traffic into the tunnels, not to route packets back into the estate, and not to "
                          "advertise (over BGP) routes for the estate's own VPC CIDRs")


def check_result(results: list[AssertionResult], snapshot: Snapshot, strict: bool,
                 policy: Optional[str] = None) -> CheckResult:
    verdicts: list[Verdict] = [r.result for r in results]
    assumptions = snapshot.assumptions
    if snapshot.vpn_connections or snapshot.vpn_gateways or snapshot.direct_connect_gateways or any(
            a.kind in ("vpn", "direct-connect-gateway", "connect") for a in snapshot.transit_gateway_attachments):
        assumptions = assumptions + (ON_PREMISES_ASSUMPTION,)
    return CheckResult(result=overall(verdicts), assertions=tuple(results), source=snapshot.source,
                       assumptions=assumptions, notes=snapshot.notes, strict=strict, policy=policy)
