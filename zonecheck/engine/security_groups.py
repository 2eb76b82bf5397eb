"""Security group evaluation: stateful, allow-only, the union of every rule of every group.

`sg_filter` splits a flow into the parts each rule admits (the first rule, in a stable order, is the one a
witness cites) and the part no rule admits.  Rules whose peer is not known exactly (a prefix list with
unknown entries, a group missing from the source) come last and admit with a doubt: they may let packets
through, so a verdict resting on them is `unknown`, never `pass`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Optional, Sequence

from zonecheck.engine.addresses import ALL_ADDRESSES, of_network
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, DropSink, Flow, Hop
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.packets import Box, rule_box
from zonecheck.model import SecurityGroup, SecurityGroupRule

Direction = Literal["ingress", "egress"]


@dataclass(frozen=True)
class ReferenceScope:
    """Where group references are valid on this path (SPEC §6.4): same VPC, or a peered VPC in one region.

    `None` means the path is not known (an unsupported hop): references are then taken as valid, the
    over-approximation that cannot hide a path.
    """

    valid_vpcs: Optional[frozenset[str]]

    def allows(self, group_vpc: str) -> bool:
        return self.valid_vpcs is None or group_vpc in self.valid_vpcs


NO_REFERENCES = ReferenceScope(frozenset())
ANY_REFERENCES = ReferenceScope(None)


def egress_scope(estate: Estate, vpc_id: str) -> ReferenceScope:
    """Where an egress rule's group reference may be valid for packets leaving `vpc_id`: its own VPC or one
    in the same region (a same-region peering; SPEC §6.4).  Which path the packets take is not known when
    egress is applied, so a same-region VPC is allowed whatever the path (an over-approximation); a VPC in
    another region never is (found by the differential test, session 2: a cross-region peering)."""
    key = ("egress-scope", vpc_id)
    cached = estate.sg_cache.get(key)
    if cached is None:
        cached = ReferenceScope(frozenset(v for v in estate.vpcs if v == vpc_id or estate.same_region(v, vpc_id)))
        estate.sg_cache[key] = cached
    return cached


def _peer_set(estate: Estate, rule: SecurityGroupRule) -> tuple[IntervalSet, Optional[str]]:
    """The peers of a rule that is not a reference to a group the source has: (addresses, doubt)."""
    if rule.cidr is not None:
        return of_network(rule.cidr), None
    if rule.prefix_list_id is not None:
        found = estate.prefix_list_addresses(rule.prefix_list_id)
        if found is None:
            return ALL_ADDRESSES, f"entries of prefix list {rule.prefix_list_id} are unknown"
        return found, None
    return ALL_ADDRESSES, f"security group {rule.security_group_id} referenced by {rule.id} is not in the source"


SenderGroups = Mapping[str, IntervalSet]
"""Group id -> the addresses, among a flow's senders, of the interfaces in that group."""


def sender_groups_of(group_ids: Sequence[str]) -> SenderGroups:
    """One sender (or several alike): every one of its addresses is in each of its groups."""
    return {gid: ALL_ADDRESSES for gid in group_ids}


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    group: SecurityGroup
    rule: SecurityGroupRule
    box: Box
    """The rule's packets; for a group reference the peer dimension is left whole (resolved per flow)."""
    ref: Optional[str]
    """The referenced group, when the source has it (a reference to a missing group is a doubtful rule)."""
    ref_vpc: Optional[str]
    doubt: Optional[str]
    hop: Hop


@dataclass(frozen=True)
class CompiledGroups:
    """The rules of one set of groups in one direction, in citation order (exact rules first), with what a
    flow needs to be rejected without looking at each rule."""

    rules: tuple[_CompiledRule, ...]
    peers: IntervalSet
    """Union of the peers of every rule that is not a group reference (ALL with a doubtful rule)."""
    refs: frozenset[str]
    assumed: Optional[str]
    services: tuple[tuple[IntervalSet, IntervalSet], ...] = ()
    """The (protocols, ports) of every rule, without repeats: a flow meeting none of them is dropped whole."""
    _served: dict[tuple[IntervalSet, IntervalSet], bool] = field(default_factory=dict, compare=False, repr=False)
    """serves(), by (protocols, ports): walks meet the same few again and again."""

    def serves(self, box: Box) -> bool:
        """Whether some rule admits some of the box's protocols and ports (addresses aside)."""
        key = (box.protocols, box.ports)
        found = self._served.get(key)
        if found is None:
            protocols, ports = key
            found = self._served[key] = any(not protocols.isdisjoint(p) and not ports.isdisjoint(q)
                                            for p, q in self.services)
        return found


def compile_groups(estate: Estate, group_ids: tuple[str, ...], direction: Direction) -> CompiledGroups:
    """The rules of these groups (all in the source) for one direction, compiled once per estate."""
    key = (group_ids, direction)
    cached = estate.sg_cache.get(key)
    if cached is not None:
        return cached
    step = "sg-egress" if direction == "egress" else "sg-ingress"
    exact: list[_CompiledRule] = []
    doubtful: list[_CompiledRule] = []
    peers_all = EMPTY
    refs: set[str] = set()
    for gid in group_ids:
        group = estate.security_groups[gid]
        for rule in (group.egress if direction == "egress" else group.ingress):
            hop = Hop(group.id, step, rule.label())
            ref = None
            ref_vpc = None
            if rule.cidr is None and rule.prefix_list_id is None:
                referenced = estate.security_groups.get(rule.security_group_id or "")
                if referenced is not None:
                    ref, ref_vpc = referenced.id, referenced.vpc_id
            if ref is not None:
                refs.add(ref)
                exact.append(_CompiledRule(group, rule, rule_box(rule), ref, ref_vpc, None, hop))
                continue
            peers, doubt = _peer_set(estate, rule)
            if not peers:
                continue
            peers_all = peers_all | peers
            box = rule_box(rule, src=peers) if direction == "ingress" else rule_box(rule, dst=peers)
            (exact if doubt is None else doubtful).append(_CompiledRule(group, rule, box, None, None, doubt, hop))
    assumed = next((g for g in group_ids if estate.security_groups[g].assumed), None)
    rules = tuple(exact + doubtful)
    services = tuple(dict.fromkeys((r.box.protocols, r.box.ports) for r in rules))
    compiled = CompiledGroups(rules, peers_all, frozenset(refs), assumed, services)
    estate.sg_cache[key] = compiled
    return compiled


def _reference_box(estate: Estate, item: _CompiledRule, direction: Direction, scope: ReferenceScope,
                   sender_groups: Optional[SenderGroups]) -> Optional[Box]:
    """The packets a group-reference rule admits on this path, or None."""
    if not scope.allows(item.ref_vpc or ""):
        return None
    if sender_groups is not None:
        # The sender is known: a reference matches it exactly when it is a member (SPEC §6.4).
        senders = sender_groups.get(item.ref or "")
        if senders is None:
            return None
        return item.box if senders is ALL_ADDRESSES else item.box.with_src(senders)
    members = estate.members(item.ref or "")
    if not members:
        return None
    box = item.box
    return box.with_src(members) if direction == "ingress" else box.with_dst(members)


def sg_filter(estate: Estate, flow: Flow, group_ids: Sequence[str], direction: Direction,
              scope: ReferenceScope, sender_groups: Optional[SenderGroups] = None,
              sink: Optional[DropSink] = None) -> tuple[list[Flow], list[Drop]]:
    """Split `flow` by the rules of `group_ids`.

    `sender_groups`: for ingress, the groups of the interfaces that sent the packets, when the flow still
    carries their own addresses (no NAT, public IP or appliance on the way), each with the sending addresses
    that are members (ALL_ADDRESSES: every sender of the flow is); references then match by membership.
    Otherwise references match by the members' private addresses.
    `sink`: where the dropped parts go (then the returned drop list is empty).
    """
    step = "sg-egress" if direction == "egress" else "sg-ingress"
    at = ",".join(group_ids) if group_ids else "(no security group)"
    if not group_ids:
        # Interfaces without groups (NAT gateways, network load balancers) filter nothing themselves.
        return [flow.through(Hop(at, step, "the interface has no security group"))], []
    missing = [gid for gid in group_ids if gid not in estate.security_groups]
    if missing:
        # The interface is in a group we cannot read: anything may be allowed.
        doubt = f"security group(s) {', '.join(missing)} of the interface are not in the source"
        return [flow.through(Hop(at, step, "rules unknown"), doubt=doubt)], []

    compiled = compile_groups(estate, tuple(group_ids), direction)
    box = flow.box
    peer_side = box.src if direction == "ingress" else box.dst
    if not compiled.serves(box) or peer_side.isdisjoint(compiled.peers) and not any(
            _reference_box(estate, item, direction, scope, sender_groups) is not None
            for item in compiled.rules if item.ref is not None):
        # Nothing can match: the common case when a zone's flows meet groups that ignore it.
        return [], _dropped(flow, [box], at, step, direction, compiled.assumed, sink)

    admitted: list[Flow] = []
    remaining = [box]
    for item in compiled.rules:
        if not remaining:
            break
        rbox = item.box if item.ref is None else _reference_box(estate, item, direction, scope, sender_groups)
        if rbox is None:
            continue
        next_remaining: list[Box] = []
        for piece in remaining:
            inter = piece.intersect(rbox)
            if inter is None:
                next_remaining.append(piece)
                continue
            admitted.append(flow.through(item.hop, inter, doubt=item.doubt,
                                         assumed=item.group.id if item.group.assumed else None))
            if inter != piece:
                next_remaining.extend(piece.subtract(rbox))
        remaining = next_remaining
    return admitted, _dropped(flow, remaining, at, step, direction, compiled.assumed, sink)


def _dropped(flow: Flow, remaining: list[Box], at: str, step: str, direction: Direction, assumed: Optional[str],
             sink: Optional[DropSink]) -> list[Drop]:
    if not remaining:
        return []
    reason = f"no {direction} rule of {at} allows it"
    if sink is not None:
        for piece in remaining:
            sink.add(flow, piece, at, step, reason, assumed)
        return []
    return [Drop.of(flow, piece, at, step, reason, assumed) for piece in remaining]
