"""Security group evaluation: stateful, allow-only, the union of every rule of every group.

`sg_filter` splits a flow into the parts each rule admits (the first rule, in a stable order, is the one a
witness cites) and the part no rule admits.  Rules whose peer is not known exactly (a prefix list with
unknown entries, a group missing from the source) come last and admit with a doubt: they may let packets
through, so a verdict resting on them is `unknown`, never `pass`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional, Sequence

from zonecheck.engine.addresses import ALL_ADDRESSES
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, Flow, Hop
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


def _peer_set(estate: Estate, rule: SecurityGroupRule, scope: ReferenceScope,
              sender_groups: Optional[frozenset[str]] = None) -> tuple[IntervalSet, Optional[str]]:
    if rule.cidr is not None:
        from zonecheck.engine.addresses import of_network

        return of_network(rule.cidr), None
    if rule.prefix_list_id is not None:
        found = estate.prefix_list_addresses(rule.prefix_list_id)
        if found is None:
            return ALL_ADDRESSES, f"entries of prefix list {rule.prefix_list_id} are unknown"
        return found, None
    group_id = rule.security_group_id or ""
    group = estate.security_groups.get(group_id)
    if group is None:
        return ALL_ADDRESSES, f"security group {group_id} referenced by {rule.id} is not in the source"
    if not scope.allows(group.vpc_id):
        return EMPTY, None
    if sender_groups is not None:
        # The sender is known: a reference matches it exactly when it is a member (SPEC §6.4).
        return (ALL_ADDRESSES if group_id in sender_groups else EMPTY), None
    return estate.members(group_id), None


RuleBoxes = tuple[list[tuple[SecurityGroup, SecurityGroupRule, Box]],
                  list[tuple[SecurityGroup, SecurityGroupRule, Box, str]]]


def _rule_boxes(estate: Estate, group_ids: tuple[str, ...], direction: Direction, scope: ReferenceScope,
                sender_groups: Optional[frozenset[str]] = None) -> RuleBoxes:
    """The packet boxes the rules of these groups admit, exact ones first; cached per estate."""
    key = (group_ids, direction, scope.valid_vpcs, sender_groups)
    cached = estate.sg_cache.get(key)
    if cached is not None:
        return cached
    exact: list[tuple[SecurityGroup, SecurityGroupRule, Box]] = []
    doubtful: list[tuple[SecurityGroup, SecurityGroupRule, Box, str]] = []
    for gid in group_ids:
        group = estate.security_groups[gid]
        for rule in (group.egress if direction == "egress" else group.ingress):
            peers, doubt = _peer_set(estate, rule, scope, sender_groups)
            if not peers:
                continue
            box = rule_box(rule, src=peers) if direction == "ingress" else rule_box(rule, dst=peers)
            if doubt is None:
                exact.append((group, rule, box))
            else:
                doubtful.append((group, rule, box, doubt))
    estate.sg_cache[key] = (exact, doubtful)
    return exact, doubtful


def sg_filter(estate: Estate, flow: Flow, group_ids: Sequence[str], direction: Direction,
              scope: ReferenceScope, sender_groups: Optional[frozenset[str]] = None) -> tuple[list[Flow], list[Drop]]:
    """Split `flow` by the rules of `group_ids`.

    `sender_groups`: for ingress, the groups of the interface that sent the packets, when the flow still
    carries its own addresses (no NAT, public IP or appliance on the way); references then match by
    membership.  Otherwise references match by the members' private addresses.
    """
    step = "sg-egress" if direction == "egress" else "sg-ingress"
    groups: list[SecurityGroup] = []
    missing: list[str] = []
    for gid in group_ids:
        group = estate.security_groups.get(gid)
        if group is None:
            missing.append(gid)
        else:
            groups.append(group)
    at = ",".join(group_ids) if group_ids else "(no security group)"
    if not group_ids:
        # Interfaces without groups (NAT gateways, network load balancers) filter nothing themselves.
        return [flow.through(Hop(at, step, "the interface has no security group"))], []
    if missing:
        # The interface is in a group we cannot read: anything may be allowed.
        doubt = f"security group(s) {', '.join(missing)} of the interface are not in the source"
        return [flow.through(Hop(at, step, "rules unknown"), doubt=doubt)], []

    exact, doubtful = _rule_boxes(estate, tuple(group_ids), direction, scope, sender_groups)

    admitted: list[Flow] = []
    remaining = [flow.box]
    for group, rule, rbox in exact:
        if not remaining:
            break
        next_remaining: list[Box] = []
        for piece in remaining:
            inter = piece.intersect(rbox)
            if inter is None:
                next_remaining.append(piece)
                continue
            admitted.append(flow.through(Hop(group.id, step, rule.label()), inter,
                                         assumed=group.id if group.assumed else None))
            next_remaining.extend(piece.subtract(rbox))
        remaining = next_remaining
    for group, rule, rbox, doubt in doubtful:
        if not remaining:
            break
        next_remaining = []
        for piece in remaining:
            inter = piece.intersect(rbox)
            if inter is None:
                next_remaining.append(piece)
                continue
            admitted.append(flow.through(Hop(group.id, step, rule.label()), inter, doubt=doubt,
                                         assumed=group.id if group.assumed else None))
            next_remaining.extend(piece.subtract(rbox))
        remaining = next_remaining
    assumed = next((g.id for g in groups if g.assumed), None)
    reason = f"no {direction} rule of {at} allows it"
    dropped = [Drop.of(flow, piece, at, step, reason, assumed) for piece in remaining]
    return admitted, dropped
