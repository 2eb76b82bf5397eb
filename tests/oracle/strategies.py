"""Hypothesis strategies: random small estates (built with `topology.builder.EstateBuilder`) and random zone
policies over them.

Estates are small on purpose (at most 8 tagged endpoints) so that the oracle can afford to walk thousands of
concrete packets per example, but every construct SPEC §6 names appears: several VPCs with secondary and
IPv6 CIDRs, dual-stack subnets, main and explicit route tables with overlapping prefixes, internet and
egress-only gateways, public and private NAT gateways, active and inactive peerings (routes to all or part of
the peer), blackholes, security groups with CIDR / group / self / prefix-list peers, NACLs whose rules
overlap and deny/allow in turn, instances with and without public IPv4 and IPv6 addresses, RDS instances
whose address is known only as "somewhere in the subnet group". Every tagged endpoint carries `Zone` from
`ZONES`, and policies speak about those zones and the built-in `internet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from hypothesis import strategies as st

from topology.builder import EstateBuilder
from zonecheck.model import Snapshot

ZONES = ("a", "b", "c")
MAX_ENDPOINTS = 8
PORTS = (0, 1, 22, 80, 443, 1024, 5432, 65534, 65535)
ICMP_TYPES = (None, 0, 3, 8, 255)
RULE_NUMBERS = (1, 50, 99, 100, 101, 200, 32766)
_PORT = st.sampled_from(PORTS)
_ICMP_TYPE = st.sampled_from(ICMP_TYPES)
_SG_PROTOCOL = st.sampled_from(("tcp", "tcp", "udp", "icmp", "icmpv6", "-1", "47"))
_ACL_PROTOCOL = st.sampled_from(("-1", "-1", "tcp", "udp", "icmp", "icmpv6", "47"))
_ACL_ACTION = st.sampled_from(("allow", "allow", "deny", "deny"))
_RULE_NUMBERS = st.lists(st.sampled_from(RULE_NUMBERS), min_size=1, max_size=4, unique=True)

SERVICES = (
    "tcp/443", "tcp/22", "tcp/0-1023", "tcp/1024-65535", "tcp/0", "tcp/65535", "tcp", "udp/53", "udp",
    "icmp", "icmp/8", "icmpv6", "icmpv6/128", "any", "proto/47",
)


@dataclass
class _VpcPlan:
    index: int
    id: str
    cidrs: list[str]
    ipv6: Optional[str]
    region: str
    subnets: list[tuple[str, str, Optional[str]]] = field(default_factory=list)  # (id, cidr, ipv6 cidr)
    igw: Optional[str] = None
    eigw: Optional[str] = None
    nat: Optional[str] = None
    nat_subnet: Optional[str] = None
    groups: list[str] = field(default_factory=list)


@dataclass
class GeneratedEstate:
    snapshot: Snapshot
    zones: dict[str, list[str]]
    """Zone name -> endpoint ids tagged with it (the only endpoints policies select)."""

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        from zonecheck.model import to_json
        return f"GeneratedEstate(zones={self.zones!r}, snapshot=\n{to_json(self.snapshot)})"


def _ports(draw: st.DrawFn, proto: str) -> tuple[Optional[int], Optional[int]]:
    if proto in ("tcp", "udp"):
        a, b = draw(_PORT), draw(_PORT)
        return min(a, b), max(a, b)
    if proto in ("icmp", "icmpv6"):
        return draw(_ICMP_TYPE), None
    return None, None


def _v6_subnet(vpc_index: int, k: int) -> str:
    return f"2600:1f18:{vpc_index + 1:x}:{k:x}::/64"


@st.composite
def estates(draw: st.DrawFn) -> GeneratedEstate:
    b = EstateBuilder()
    n_vpcs = draw(st.integers(1, 4))
    octets = draw(st.lists(st.integers(0, 30), min_size=n_vpcs, max_size=n_vpcs, unique=True))
    plans: list[_VpcPlan] = []

    # -- VPCs, subnets, gateways -------------------------------------------------------------------
    for i, octet in enumerate(octets):
        secondary = draw(st.sampled_from((False, False, False, True)))
        cidrs = [f"10.{octet}.0.0/16"] + ([f"10.{octet + 100}.0.0/16"] if secondary else [])
        ipv6 = f"2600:1f18:{i + 1:x}::/56" if draw(st.booleans()) else None
        region = draw(st.sampled_from(("us-east-1", "us-east-1", "us-east-1", "eu-west-1")))
        plan = _VpcPlan(i, f"vpc-{i}", cidrs, ipv6, region)
        b.vpc(plan.id, cidrs, ipv6=ipv6, region=region)
        n_subnets = draw(st.integers(1, 6))
        for k in range(n_subnets):
            base = cidrs[1] if secondary and draw(st.booleans()) else cidrs[0]
            first_two = base.split(".")[:2]
            cidr = f"{first_two[0]}.{first_two[1]}.{k}.0/24"
            v6 = _v6_subnet(i, k) if ipv6 and draw(st.booleans()) else None
            sid = f"subnet-{i}{k}"
            b.subnet(sid, plan.id, cidr, ipv6=v6)
            plan.subnets.append((sid, cidr, v6))
        if draw(st.integers(0, 9)) < 7:
            plan.igw = b.igw(f"igw-{i}", plan.id)
        if ipv6 and draw(st.booleans()):
            plan.eigw = b.eigw(f"eigw-{i}", plan.id)
        if draw(st.integers(0, 9)) < (6 if plan.igw else 2):
            sid, cidr, _ = draw(st.sampled_from(plan.subnets))
            private_ip = cidr.replace(".0/24", ".5")
            public_ip = f"3.{i + 1}.0.5" if plan.igw and draw(st.integers(0, 6)) > 0 else None
            plan.nat = b.nat(f"nat-{i}", sid, private_ip, public_ip)
            plan.nat_subnet = sid
        plans.append(plan)

    # -- peerings ----------------------------------------------------------------------------------
    peerings: list[tuple[str, int, int, str]] = []
    for i in range(n_vpcs):
        for j in range(i + 1, n_vpcs):
            status = draw(st.sampled_from((None, None, "active", "active", "active", "pending-acceptance")))
            if status is not None:
                pcx = f"pcx-{i}{j}"
                b.peering(pcx, plans[i].id, plans[j].id, status=status)
                peerings.append((pcx, i, j, status))

    # -- endpoints (planned first: rules may name their addresses) ----------------------------------
    endpoints: list[dict] = []
    for plan in plans:
        for sid, cidr, v6 in plan.subnets:
            for n in range(draw(st.integers(0, 2))):
                if len(endpoints) >= MAX_ENDPOINTS:
                    break
                k = int(cidr.split(".")[2])
                host = 10 + n
                endpoints.append({
                    "id": f"i-{plan.index}{k}{n}", "plan": plan, "subnet": sid,
                    "private": cidr.replace(".0/24", f".{host}"),
                    "public": f"54.{plan.index + 1}.{k}.{host}" if draw(st.booleans()) else None,
                    "ipv6": [f"{v6.split('::')[0]}::{host:x}"] if v6 and draw(st.booleans()) else [],
                    "zone": draw(st.sampled_from(ZONES)),
                })
    rds_list: list[dict] = []
    for r in range(draw(st.integers(0, 2))):
        plan = draw(st.sampled_from(plans))
        chosen = draw(st.lists(st.sampled_from(plan.subnets), min_size=1, max_size=2, unique=True))
        known = draw(st.integers(0, 3)) == 0
        rds_list.append({
            "id": f"db-{r}", "plan": plan, "subnets": [s[0] for s in chosen],
            "private": chosen[0][1].replace(".0/24", f".{40 + r}") if known else None,
            "public": f"52.{plan.index + 1}.0.{40 + r}" if draw(st.integers(0, 3)) == 0 else None,
            "zone": draw(st.sampled_from(ZONES)),
        })
    if not endpoints and not rds_list:
        plan = plans[0]
        sid, cidr, _ = plan.subnets[0]
        endpoints.append({"id": f"i-{plan.index}00", "plan": plan, "subnet": sid,
                          "private": cidr.replace(".0/24", ".10"), "public": None, "ipv6": [], "zone": "a"})

    # -- prefix lists --------------------------------------------------------------------------------
    prefix_lists: list[str] = []
    if draw(st.booleans()):
        entries = draw(st.sampled_from((
            ["0.0.0.0/0"], ["10.0.0.0/8"], ["54.0.0.0/8", "3.0.0.0/8"], [plans[0].cidrs[0]], ["::/0"],
            None,
        )))
        prefix_lists.append(b.prefix_list("pl-0", entries))

    # -- address pools for rules -----------------------------------------------------------------------
    v4_pool = ["0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0", "10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1", "54.0.0.0/8", "1.1.1.0/24", "3.0.0.0/8",
               "172.16.0.0/12"]
    v6_pool = ["::/0", "2600::/16", "2000::/3", "2001:4860::/32"]
    for plan in plans:
        v4_pool += plan.cidrs + [s[1] for s in plan.subnets]
        v4_pool.append(plan.cidrs[0].replace(".0.0/16", ".0.0/17"))
        if plan.ipv6:
            v6_pool += [plan.ipv6] + [s[2] for s in plan.subnets if s[2]]
    for e in endpoints:
        v4_pool.append(e["private"] + "/32")
        if e["public"]:
            v4_pool.append(e["public"] + "/32")
        v6_pool += [a + "/128" for a in e["ipv6"]]
    for plan in plans:
        if plan.nat and plan.igw:
            v4_pool.append(f"3.{plan.index + 1}.0.5/32")

    # -- security groups ---------------------------------------------------------------------------------
    group_plans: list[tuple[str, _VpcPlan]] = []
    for plan in plans:
        plan.groups = [b.default_security_group(plan.id)]
        for g in range(draw(st.integers(1, 3))):
            gid = f"sg-{plan.index}{g}"
            plan.groups.append(gid)
            group_plans.append((gid, plan))

    def peered(i: int) -> list[int]:
        return [j if k == i else k for _, k, j, _ in peerings if i in (k, j)]

    def rules(plan: _VpcPlan, count_max: int) -> list[tuple]:
        ref_pool = list(plan.groups) + ["self"]
        for j in peered(plan.index):
            ref_pool += plans[j].groups[1:]
        peer = st.one_of(
            st.sampled_from(v4_pool), st.sampled_from(v4_pool),
            st.sampled_from(v6_pool), st.sampled_from(ref_pool),
            st.sampled_from(prefix_lists) if prefix_lists else st.sampled_from(v4_pool),
        )
        out = []
        for _ in range(draw(st.integers(0, count_max))):
            proto = draw(_SG_PROTOCOL)
            lo, hi = _ports(draw, proto)
            out.append((proto, lo, hi, draw(peer)))
        return list(dict.fromkeys(out))

    for gid, plan in group_plans:
        ingress = rules(plan, 4)
        egress = None if draw(st.booleans()) else rules(plan, 3)
        b.security_group(gid, plan.id, ingress=ingress, egress=egress)

    # -- NACLs --------------------------------------------------------------------------------------------
    # NACL entries favour broad, overlapping networks so that rule order decides (first match wins)
    acl_v4 = ["0.0.0.0/0"] * 4 + ["10.0.0.0/8"] * 2 + ["0.0.0.0/1", "54.0.0.0/8"] + \
        [c for plan in plans for c in plan.cidrs] + [s[1] for plan in plans for s in plan.subnets] + v4_pool
    acl_v6 = ["::/0"] * 3 + [plan.ipv6 for plan in plans if plan.ipv6] + v6_pool

    def acl_entries(plan: _VpcPlan) -> list[tuple]:
        cidrs = st.sampled_from(acl_v4 + (acl_v6 if plan.ipv6 else []))
        out = []
        for number in draw(_RULE_NUMBERS):
            action = draw(_ACL_ACTION)
            proto = draw(_ACL_PROTOCOL)
            lo, hi = _ports(draw, proto)
            out.append((number, action, proto, lo, hi, draw(cidrs)))
        if draw(st.integers(0, 3)) > 0:  # usually: specific rules first, then a broad allow
            used = {e[0] for e in out}
            if 32000 not in used:
                out.append((32000, "allow", "-1", None, None, "0.0.0.0/0"))
            if plan.ipv6 and 32001 not in used:
                out.append((32001, "allow", "-1", None, None, "::/0"))
        return out

    for plan in plans:
        for a in range(draw(st.integers(0, 2))):
            members = draw(st.lists(st.sampled_from([s[0] for s in plan.subnets]), max_size=3, unique=True))
            b.nacl(f"acl-{plan.index}{a}", plan.id, subnets=members,
                   ingress=acl_entries(plan), egress=acl_entries(plan))

    # -- route tables ---------------------------------------------------------------------------------------
    def route_choices(plan: _VpcPlan) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("54.1.0.0/16", "blackhole"), ("0.0.0.0/0", "blackhole")]
        if plan.igw:
            out += [("0.0.0.0/0", plan.igw)] * 3 + [("54.0.0.0/8", plan.igw), ("1.1.1.0/24", plan.igw),
                                                    ("0.0.0.0/1", plan.igw), ("3.0.0.0/8", plan.igw)]
            if plan.ipv6:
                out += [("::/0", plan.igw)] * 2 + [("2600::/16", plan.igw)]
        if plan.eigw:
            out += [("::/0", plan.eigw), ("2600::/16", plan.eigw)]
        if plan.nat:
            out += [("0.0.0.0/0", plan.nat)] * 2 + [("54.0.0.0/8", plan.nat), ("3.0.0.0/8", plan.nat)]
        for pcx, i, j, _status in peerings:
            if plan.index not in (i, j):
                continue
            other = plans[j if plan.index == i else i]
            out += [(other.cidrs[0], pcx)] * 2 + [(other.cidrs[-1], pcx), ("10.0.0.0/8", pcx),
                                                   (other.cidrs[0].replace(".0.0/16", ".0.0/17"), pcx),
                                                   (other.subnets[0][1], pcx), (other.cidrs[0], "blackhole")]
            if other.ipv6 and plan.ipv6:
                out += [(other.ipv6, pcx)]
        if draw(st.integers(0, 19)) == 0:
            out += [("0.0.0.0/0", "tgw-0"), ("10.0.0.0/8", "eni-appliance")]
        return out

    def table_routes(plan: _VpcPlan, role: str, nat_table: bool = False) -> list[tuple[str, str]]:
        base: list[tuple[str, str]] = []
        if role == "public" and plan.igw:
            base = [("0.0.0.0/0", plan.igw)] + ([("::/0", plan.igw)] if plan.ipv6 else [])
        elif role == "private" and plan.nat:
            base = [("0.0.0.0/0", plan.nat)] + ([("::/0", plan.eigw)] if plan.eigw else [])
        used = {d for d, _ in base}
        extras = [r for r in route_choices(plan) if r[0] not in used and not (nat_table and r[1] == plan.nat)]
        if extras:
            base += draw(st.lists(st.sampled_from(extras), max_size=3, unique_by=lambda r: r[0]))
        return base

    roles = st.sampled_from(("local", "public", "public", "private", "private", "random"))
    for plan in plans:
        free = [s[0] for s in plan.subnets]
        if plan.nat_subnet and draw(st.integers(0, 9)) > 0:
            b.route_table(f"rtb-{plan.index}n", plan.id, subnets=[plan.nat_subnet],
                          routes=table_routes(plan, "public", nat_table=True))
            free.remove(plan.nat_subnet)
        if draw(st.booleans()):
            b.route_table(f"rtb-{plan.index}m", plan.id, main=True, routes=table_routes(plan, draw(roles)))
        for t in range(draw(st.integers(0, 2))):
            members = draw(st.lists(st.sampled_from(free), max_size=3, unique=True)) if free else []
            free = [s for s in free if s not in members]
            b.route_table(f"rtb-{plan.index}{t}", plan.id, subnets=members, routes=table_routes(plan, draw(roles)))

    # -- endpoints ----------------------------------------------------------------------------------------
    zones: dict[str, list[str]] = {}
    for e in endpoints:
        groups = draw(st.lists(st.sampled_from(e["plan"].groups), min_size=1, max_size=2, unique=True))
        eni = b.instance(e["id"], e["subnet"], e["private"], groups=groups, public_ip=e["public"], ipv6=e["ipv6"],
                         tags={"Zone": e["zone"]})
        zones.setdefault(e["zone"], []).append(eni)
    for r in rds_list:
        groups = draw(st.lists(st.sampled_from(r["plan"].groups), min_size=1, max_size=2, unique=True))
        b.rds(r["id"], r["subnets"], groups=groups, private_ip=r["private"], public_ip=r["public"],
              publicly_accessible=r["public"] is not None, tags={"Zone": r["zone"]})
        placements = r["subnets"][:1] if r["private"] else r["subnets"]
        zones.setdefault(r["zone"], []).extend(f"{r['id']}@{s}" for s in placements)
    return GeneratedEstate(b.build(), zones)


# --------------------------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class PolicyAssertion:
    source: str
    target: str
    kind: str  # "no-access" | "only" | "access"
    services: tuple[str, ...] = ()

    def expect_yaml(self) -> str:
        if self.kind == "no-access":
            return "no-access"
        return "{" + self.kind + ": [" + ", ".join(self.services) + "]}"


def policy_yaml(zones: list[str], assertions: list[PolicyAssertion]) -> str:
    lines = ["version: 1", "zones:"]
    for name in zones:
        lines += [f"  {name}:", f"    match: [{{tags: {{Zone: {name}}}}}]"]
    lines.append("assertions:")
    for i, a in enumerate(assertions):
        lines += [f"  - name: a{i}", f"    from: {a.source}", f"    to: {a.target}", f"    expect: {a.expect_yaml()}"]
    return "\n".join(lines) + "\n"


@st.composite
def policies(draw: st.DrawFn, zone_names: list[str]) -> list[PolicyAssertion]:
    sides = sorted(zone_names) + ["internet"]
    out = []
    for _ in range(draw(st.integers(1, 3))):
        source = draw(st.sampled_from(sides))
        target = draw(st.sampled_from([s for s in sides if not (s == "internet" and source == "internet")]))
        kind = draw(st.sampled_from(("no-access", "no-access", "only", "access")))
        services: tuple[str, ...] = ()
        if kind != "no-access":
            services = tuple(draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True)))
        out.append(PolicyAssertion(source, target, kind, services))
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[GeneratedEstate, list[PolicyAssertion]]:
    estate = draw(estates())
    return estate, draw(policies(sorted(estate.zones)))


