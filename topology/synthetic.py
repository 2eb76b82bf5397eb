"""Synthetic estates for benchmarks (issue 8): sizes S, M and L, deterministic from a seed.

    from topology.synthetic import generate
    snapshot, policy_yaml = generate("M", seed=0)

    python -m topology.synthetic --size S [--seed N] [--vpcs N] -o snap.json [--policy-out zones.yaml]

Not uniform noise: the estate is shaped like a company that grew on AWS.

* **Blocks of ten VPCs.**  VPC `k` belongs to block `k // 10`; every block is one business unit with its
  own accounts (prod, non-prod, sandbox).  Block 0 is the platform: shared services (DNS, directory,
  artifact repository, CI, monitoring, a bastion, interface endpoints), a central egress VPC (NAT gateways
  behind the transit gateway), and one of each workload VPC.  Later blocks are workload VPCs only:
  prod-web (internet-facing ALB, edge hosts with public IPs, frontends, APIs, databases), payments (its own
  NAT, restricted egress, its own databases), prod-data (RDS and EC2 database clusters used by the block's
  apps), analytics (Spark/ETL, peered with prod-data to read a reporting replica), staging, dev, prod-app
  (microservices, an S3 gateway endpoint) and a sandbox (own IGW, not attached to the hub).
* **Hub and spoke.**  One transit gateway with *segmented* route tables — `prod`, `non-prod`, `shared` and
  `on-prem` — with default association/propagation disabled: prod and non-prod attachments propagate only
  into their own table and `shared`; shared-services VPCs propagate everywhere; a static `0.0.0.0/0` sends
  everything else to the egress VPC, and each segment blackholes the others' supernets (which also keeps
  centralised egress from becoming a back door).  A static-routed VPN (on-premises 172.16.0.0/12) is
  associated with `on-prem`, which only sees shared services.  Some VPC peerings inside a block
  (prod-data <-> analytics always; staging <-> dev, prod-app <-> prod-app sometimes).
* **Addresses.**  VPC `k` is a /19 at `supernet + k * 8192` (prod 10.0.0.0/10, non-prod 10.64.0.0/10,
  shared 10.128.0.0/10, sandbox 10.192.0.0/10); public subnets /24, application subnets /22, data subnets
  /24 (/22 in data VPCs), transit gateway subnets /28, one per Availability Zone (two AZs in block 0, three
  later; big VPCs get two application subnets per AZ).  Prod-web VPCs and about a third of the prod-app,
  staging and sandbox VPCs are dual-stack (a /56; public and application subnets get a /64, application
  tiers leave through an egress-only IGW).  Interfaces with public IPs: edge hosts, ALBs, NAT gateways,
  bastions, sandbox boxes.  RDS instances live in DB subnet groups (some with a known address, some known
  only by their subnets).
* **Security groups like a microservice estate.**  One group per service; each service calls a few others
  chosen by preferential attachment (a few popular services — auth, config — are called by many: fan-in;
  frontends call many: fan-out) and the callee admits the callers' groups on its port; some CIDR rules
  (health checks from the VPC, DNS and directory from 10.0.0.0/8), managed prefix lists (monitoring,
  bastion, corporate offices, payment acquirers, S3), restricted egress in payments, a baseline group on
  every host (node exporter from monitoring, SSH from the bastion).  Databases admit their callers'
  groups, or (across the transit gateway, where group references do not work) the callers' subnets.
* **NACLs** with 10-30 entries (deny the other segments, allow the callers' subnets on database ports,
  ephemeral ports, a few explicit denies and narrow allows) on the data subnets of data and payments VPCs
  and of half the prod-app VPCs, and on the public subnets of half the later prod-web and staging VPCs;
  every other subnet keeps the default allow-all NACL.
* **Failing by construction** (all in block 0, so every size has them): the edge web hosts carry a legacy
  group open on tcp/22 to 0.0.0.0/0; a Redis cluster admits all TCP from its whole VPC (so apps — and the
  public web tier — reach it on every port); the `orders` database admits tcp/5432 from the analytics
  VPC's CIDR instead of the ETL group (the data NACL was opened for the reporting replica, so the packets
  get through the peering).  The policy (`policy_text()`, 24 assertions) mixes `no-access`, `only`, and
  `access`, the built-in `internet` and `on-premises` zones, tag-selected zones spanning every block and
  zones scoped to block-0 VPCs.

Sizes (`SIZES`): S = 1 block (10 VPCs, ~1,000 ENIs, ~200 SGs), M = 6 blocks (60 VPCs, ~10,000 ENIs,
~2,000 SGs), L = 30 blocks (300 VPCs, ~100,000 ENIs, ~10,000 SGs, ~3,000 subnets).  Workload VPCs grow with
the block index (the first business units are the small ones), which is what lets the sizes nest:

**Sub-estates (the prefix property).**  Everything a VPC holds (its subnets, route tables, NACLs, security
groups, interfaces, instances, databases, gateways, peerings, load balancers, endpoints, its transit
gateway attachment) is a function of `(seed, k)` and of its own block only, and ids embed `k`
(`vpc-0003…` is VPC 3).  So with the same seed, S's ten VPCs are exactly M's first ten and M's sixty are
L's first sixty, record for record.  `generate(size, seed, vpcs=N)` builds the first `N` VPCs (a multiple
of ten: blocks are never split, peerings stay inside a block) — `generate("L", s, vpcs=10)` is byte-for-byte
`generate("S", s)`.  Only the estate-wide records grow with `N`: the transit gateway route tables gain the
added VPCs' associations, propagations and propagated routes (their static routes never change).
`vpc_records(snapshot, vpc_ids)` returns the VPC-scoped records for comparing two estates, and
`policy_text(vpc_ids=...)` scopes every zone of the policy to some VPCs, so an assertion about block 0 can
be checked on S and on M and must give the same result ("adding unrelated VPCs changes nothing").
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Iterable, Literal, Optional, Sequence

import yaml

from topology.builder import make_acl_entry, make_route, make_sg_rule
from zonecheck.model import (
    CustomerGateway,
    EgressOnlyInternetGateway,
    Endpoint,
    Instance,
    InternetGateway,
    LoadBalancer,
    LoadBalancerListener,
    NatGateway,
    NetworkAcl,
    PrefixList,
    RdsInstance,
    Route,
    RouteTable,
    SecurityGroup,
    Snapshot,
    SourceInfo,
    Subnet,
    TargetGroup,
    TargetGroupTarget,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    Vpc,
    VpcEndpoint,
    VpcPeering,
    VpnConnection,
    canonical,
    to_json,
)

Size = Literal["S", "M", "L"]
SIZES: dict[str, int] = {"S": 10, "M": 60, "L": 300}
"""Number of VPCs of each size."""
BLOCK = 10
"""VPCs per business unit; sub-estates are whole blocks."""
REGION = "us-east-1"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
SHARED_ACCOUNT = "100000000000"
GLOBAL = 0xFFF
"""The `k` field of ids of estate-wide records (transit gateway, prefix lists, VPN)."""

SUPERNETS = {
    "prod": IPv4Network("10.0.0.0/10"),
    "non-prod": IPv4Network("10.64.0.0/10"),
    "shared": IPv4Network("10.128.0.0/10"),
    "sandbox": IPv4Network("10.192.0.0/10"),
}
ON_PREMISES = IPv4Network("172.16.0.0/12")
ALL_PRIVATE = "10.0.0.0/8"
VPC_PREFIX = 19
VPC_SIZE = 1 << (32 - VPC_PREFIX)
PUBLIC_POOL = int(IPv4Address("3.208.0.0"))
"""Elastic IPs of VPC `k`: a /23 at PUBLIC_POOL + k * 512."""

# Subnet slots inside a VPC's /19: (offset from the VPC base, prefix length).
SLOTS: dict[str, tuple[tuple[int, int], ...]] = {
    "public": ((0x000, 24), (0x100, 24), (0x200, 24)),
    "tgw": ((0x300, 28), (0x310, 28), (0x320, 28)),
    "big": ((0x400, 22), (0x800, 22), (0xC00, 22), (0x1400, 22), (0x1800, 22), (0x1C00, 22)),
    "small": ((0x1000, 24), (0x1100, 24), (0x1200, 24), (0x1300, 24)),
}

DB_ENGINES = (("postgres", 5432), ("mysql", 3306), ("aurora-postgresql", 5432))
EC2_DATASTORES = (("redis", 6379), ("cassandra", 9042), ("mongodb", 27017), ("elasticsearch", 9200))
DB_PORTS = (5432, 3306, 6379, 9042, 27017, 9200)
SERVICE_PORTS = (8080, 8080, 8443, 9000, 50051, 3000, 8000)
WORDS = (
    "auth", "catalog", "cart", "checkout", "search", "inventory", "pricing", "orders", "shipping", "profile",
    "session", "notify", "billing", "ledger", "fraud", "risk", "reco", "media", "review", "coupon", "tax",
    "currency", "address", "gateway", "config", "flags", "audit", "report", "export", "ingest", "loyalty",
    "wishlist", "returns", "invoice", "payout", "kyc", "ranking", "feed", "chat", "geo", "quote", "booking",
)
SUFFIXES = ("api", "svc", "worker", "grpc", "service")
CORP_OFFICES = ("62.30.112.0/24", "85.115.54.0/24", "212.58.244.0/24", "81.2.69.0/24")
ACQUIRERS = ("91.198.174.0/24", "149.5.0.0/20", "193.0.6.0/24")
S3_PREFIX_LIST = "pl-63a5400a"
S3_RANGES = ("3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "52.216.0.0/15", "54.231.0.0/16")


def rid(prefix: str, k: int, n: int) -> str:
    """An AWS-looking id that embeds the VPC index `k` (17 hex digits, like `vpc-0003000000000001`)."""
    return f"{prefix}-0{k:03x}{n:013x}"


def vpc_id(k: int) -> str:
    return rid("vpc", k, 1)


PL_CORP = rid("pl", GLOBAL, 1)
PL_MONITORING = rid("pl", GLOBAL, 2)
PL_BASTION = rid("pl", GLOBAL, 3)
PL_ACQUIRERS = rid("pl", GLOBAL, 4)
TGW = rid("tgw", GLOBAL, 1)
TGW_TABLES = {"prod": rid("tgw-rtb", GLOBAL, 1), "non-prod": rid("tgw-rtb", GLOBAL, 2),
              "shared": rid("tgw-rtb", GLOBAL, 3), "on-prem": rid("tgw-rtb", GLOBAL, 4)}
VPN_ATTACHMENT = rid("tgw-attach", GLOBAL, 1)
VPN = rid("vpn", GLOBAL, 1)
CGW = rid("cgw", GLOBAL, 1)
EGRESS_VPC = 1
"""Index of the central egress VPC (block 0)."""


# --------------------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Role:
    name: str
    environment: str
    """The VPC's `Environment` tag."""
    segment: Optional[str]
    """Transit gateway segment (route table); None: not attached to the hub."""
    supernet: str
    tiers: tuple[tuple[str, str, str], ...]
    """(tier, slot kind, `Zone` tag of its subnets)."""
    eni_weight: float
    sg_weight: float
    own_nat: bool = False


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("shared-services", "shared", "shared", "shared",
         (("public", "public", "management"), ("app", "big", "shared-services")), 1.0, 1.1),
    Role("egress", "shared", "shared", "shared", (("public", "public", "egress"),), 0.0, 0.1, own_nat=True),
    Role("prod-web", "prod", "prod", "prod",
         (("public", "public", "public-web"), ("app", "big", "app"), ("data", "small", "private-db")), 1.3, 1.0,
         own_nat=True),
    Role("payments", "prod", "prod", "prod",
         (("public", "public", "payments-edge"), ("app", "big", "payments"), ("data", "small", "payments-db")),
         0.9, 1.0, own_nat=True),
    Role("prod-data", "prod", "prod", "prod", (("data", "big", "private-db"),), 0.7, 1.2),
    Role("analytics", "prod", "prod", "prod", (("app", "big", "analytics"),), 1.0, 0.6),
    Role("staging", "staging", "non-prod", "non-prod",
         (("public", "public", "public-web"), ("app", "big", "app"), ("data", "small", "private-db")), 0.8, 1.0),
    Role("dev", "dev", "non-prod", "non-prod", (("app", "big", "app"), ("data", "small", "private-db")), 0.7, 1.0),
    Role("prod-app", "prod", "prod", "prod", (("app", "big", "app"), ("data", "small", "private-db")), 1.6, 1.3),
    Role("sandbox", "sandbox", None, "sandbox", (("public", "public", "sandbox"), ("app", "big", "sandbox")),
         0.4, 0.5, own_nat=True),
)}

BLOCK0_ROLES = ("shared-services", "egress", "prod-web", "payments", "prod-data", "analytics", "staging", "dev",
                "prod-app", "sandbox")


def block_roles(block: int) -> tuple[str, ...]:
    if block == 0:
        return BLOCK0_ROLES
    third = "payments" if block % 3 == 0 else "prod-app"
    return ("prod-app", "sandbox", "prod-web", third, "prod-data", "analytics", "staging", "dev", "prod-app", "prod-app")


def band(block: int) -> tuple[int, int, int]:
    """(ENIs per VPC, security groups per VPC, Availability Zones) of a block: later business units are bigger."""
    if block == 0:
        return 100, 20, 2
    if block <= 5:
        return 180, 36, 3
    return 375, 33, 3


def peer_pairs(seed: int, block: int) -> tuple[tuple[int, int], ...]:
    """Peerings inside a block, as (lower, higher) positions."""
    if block == 0:
        return ((4, 5), (6, 7))
    rng = random.Random(f"zonecheck-synthetic/{seed}/peerings/{block}")
    pairs = [(4, 5)]
    if rng.random() < 0.5:
        pairs.append((6, 7))
    if rng.random() < 0.4:
        pairs.append((8, 9))
    return tuple(pairs)


@dataclass(frozen=True)
class SubnetPlan:
    id: str
    tier: str
    zone: str
    az: str
    cidr: IPv4Network
    ipv6: Optional[IPv6Network]


@dataclass(frozen=True)
class VpcPlan:
    k: int
    role: Role
    id: str
    cidr: IPv4Network
    ipv6: Optional[IPv6Network]
    account: str
    azs: tuple[str, ...]
    subnets: tuple[SubnetPlan, ...]
    eni_target: int
    sg_target: int

    @property
    def block(self) -> int:
        return self.k // BLOCK

    @property
    def pos(self) -> int:
        return self.k % BLOCK

    def tier(self, name: str) -> list[SubnetPlan]:
        return [s for s in self.subnets if s.tier == name]

    @property
    def attachment_id(self) -> Optional[str]:
        return rid("tgw-attach", self.k, 1) if self.role.segment else None


def plan(seed: int, k: int) -> VpcPlan:
    """Everything about VPC `k` that other VPCs of its block may need, without building it."""
    block, pos = divmod(k, BLOCK)
    names = block_roles(block)
    role = ROLES[names[pos]]
    rng = random.Random(f"zonecheck-synthetic/{seed}/plan/{k}")
    eni_avg, sg_avg, n_az = band(block)
    eni_sum = sum(ROLES[n].eni_weight for n in names)
    sg_sum = sum(ROLES[n].sg_weight for n in names)
    eni_target = round(eni_avg * BLOCK * role.eni_weight / eni_sum * rng.uniform(0.85, 1.15))
    sg_target = max(4, round(sg_avg * BLOCK * role.sg_weight / sg_sum * rng.uniform(0.85, 1.15)))
    base = int(SUPERNETS[role.supernet].network_address) + k * VPC_SIZE
    cidr = IPv4Network((base, VPC_PREFIX))
    dual_stack = role.name == "prod-web" or (role.name in ("prod-app", "staging", "sandbox") and rng.random() < 0.3)
    ipv6 = IPv6Network(f"2600:1f18:{0x4000 + k:x}:{(seed % 256):02x}00::/56") if dual_stack else None
    account = {"shared": SHARED_ACCOUNT, "prod": f"2{block:011d}", "staging": f"3{block:011d}",
               "dev": f"3{block:011d}", "sandbox": f"4{block:011d}"}[role.environment]
    azs = AZS[:n_az]
    subnets: list[SubnetPlan] = []
    tiers = list(role.tiers) + ([("tgw", "tgw", "transit")] if role.segment else [])
    for tier, slot, zone in tiers:
        count = n_az * (2 if slot == "big" and eni_target > 350 else 1)
        for i in range(count):
            offset, prefix = SLOTS[slot][i]
            net = IPv4Network((base + offset, prefix))
            v6 = None
            if ipv6 is not None and tier in ("public", "app"):
                v6 = IPv6Network((int(ipv6.network_address) + ((len(subnets) + 1) << 64), 64))
            subnets.append(SubnetPlan(rid("subnet", k, len(subnets) + 1), tier, zone, azs[i % n_az], net, v6))
    return VpcPlan(k, role, vpc_id(k), cidr, ipv6, account, azs, tuple(subnets), eni_target, sg_target)


# --------------------------------------------------------------------------------------------- records


@dataclass
class Records:
    """Every record of the estate, in the order generated (the snapshot sorts them)."""

    vpcs: list = field(default_factory=list)
    subnets: list = field(default_factory=list)
    route_tables: list = field(default_factory=list)
    internet_gateways: list = field(default_factory=list)
    egress_only_internet_gateways: list = field(default_factory=list)
    nat_gateways: list = field(default_factory=list)
    vpc_peerings: list = field(default_factory=list)
    security_groups: list = field(default_factory=list)
    prefix_lists: list = field(default_factory=list)
    network_acls: list = field(default_factory=list)
    endpoints: list = field(default_factory=list)
    instances: list = field(default_factory=list)
    rds_instances: list = field(default_factory=list)
    transit_gateway_attachments: list = field(default_factory=list)
    load_balancers: list = field(default_factory=list)
    target_groups: list = field(default_factory=list)
    vpc_endpoints: list = field(default_factory=list)
    bastion_ips: list = field(default_factory=list)


@dataclass
class Service:
    name: str
    sg: str
    port: int
    instance_ids: list[str] = field(default_factory=list)
    calls: list["Service"] = field(default_factory=list)
    placement: tuple[SubnetPlan, ...] = ()
    """Where its hosts run (empty for RDS, whose interfaces AWS places)."""
    groups: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    def add_host(self, gen: "_VpcGen", subnet: SubnetPlan, *, public: bool = False) -> str:
        tags = gen.tags(f"{self.name}-{len(self.instance_ids) + 1}", Service=self.name, **self.tags)
        instance_id = gen.instance(subnet, self.groups, tags, public=public)
        self.instance_ids.append(instance_id)
        return instance_id


@dataclass
class _Group:
    name: str
    ingress: list[tuple]
    egress: Optional[list[tuple]]
    """None: AWS's default egress (everything out)."""
    default: bool = False


class _VpcGen:
    """Builds one VPC's records from its plan (and its block's plans) with its own random stream.

    Records go to a fresh `Records` of this VPC; security groups are assembled at the end, once every
    caller -> callee edge (ingress on the callee, egress on a caller with restricted egress) is known.
    """

    def __init__(self, seed: int, p: VpcPlan, block: Sequence[VpcPlan]) -> None:
        self.seed, self.p, self.block = seed, p, block
        self.k = p.k
        self.out = Records()
        self.rng = random.Random(f"zonecheck-synthetic/{seed}/vpc/{p.k}")
        self.counters: dict[str, int] = {}
        self.next_ip: dict[str, int] = {}
        self.public_used = 0
        self.v6_used: dict[str, int] = {}
        self.enis = 0
        self.names: set[str] = set()
        self.ipv6 = p.ipv6 is not None
        self.groups: dict[str, _Group] = {}
        self.default_sg = rid("sg", self.k, 1)
        self.baseline_sg = rid("sg", self.k, 2)
        self.nat_of_az: dict[str, str] = {}
        self.peerings: list[tuple[str, VpcPlan]] = []
        self.s3_tables: list[str] = []
        self.db_ports: set[int] = set()
        self.nacl_callers: list[str] = []
        """Networks the data-tier NACL admits on database ports."""
        self.scalable: list[Service] = []
        """Services that take the hosts left in the VPC's budget (not the ALB's registered frontends)."""

    # -- small helpers ---------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 15) + 1
        self.counters[prefix] = n
        return rid(prefix, self.k, n)

    def private_ip(self, s: SubnetPlan) -> IPv4Address:
        n = self.next_ip.get(s.id, 10)
        if n >= s.cidr.num_addresses - 1:
            raise ValueError(f"synthetic estate: subnet {s.id} ({s.cidr}) is full")
        self.next_ip[s.id] = n + 1
        return s.cidr.network_address + n

    def public_ip(self) -> IPv4Address:
        self.public_used += 1
        if self.public_used >= 510:
            raise ValueError(f"synthetic estate: VPC {self.p.id} ran out of elastic IPs")
        return IPv4Address(PUBLIC_POOL + self.k * 512 + self.public_used)

    def ipv6_address(self, s: SubnetPlan) -> tuple[IPv6Address, ...]:
        if s.ipv6 is None:
            return ()
        n = self.v6_used.get(s.id, 0x100) + 1
        self.v6_used[s.id] = n
        return (s.ipv6.network_address + n,)

    def name(self, base: str) -> str:
        out, i = base, 2
        while out in self.names:
            out, i = f"{base}-{i}", i + 1
        self.names.add(out)
        return out

    def tags(self, name: str, **more: str) -> dict[str, str]:
        return {"Name": name, "Team": f"team-{self.p.block}-{self.p.pos}", **more}

    def budget(self, share: float) -> int:
        return max(1, round(self.p.eni_target * share))

    def sg_budget(self, share: float) -> int:
        return max(1, round((self.p.sg_target - 2) * share))

    def spread(self, subnets: Sequence[SubnetPlan], n: int) -> list[SubnetPlan]:
        """`n` placements round-robin over the subnets (so over the AZs), from a random first one."""
        start = self.rng.randrange(len(subnets))
        return [subnets[(start + i) % len(subnets)] for i in range(n)]

    # -- security groups -------------------------------------------------------------------------------
    def sg(self, name: str, ingress: Iterable[tuple] = (), egress: Optional[Iterable[tuple]] = None, *,
           group_id: Optional[str] = None, default: bool = False) -> str:
        """A group; rules are (proto, lo, hi, peer) specs; `egress=None` is AWS's default (everything out)."""
        gid = group_id or self.new_id("sg")
        self.groups[gid] = _Group(name, list(ingress), None if egress is None else list(egress), default)
        return gid

    def connect(self, caller: Service, callee: Service) -> None:
        """`caller` calls `callee`: the callee admits the caller's group (and a restricted caller lets it out)."""
        if callee in caller.calls or callee is caller:
            return
        caller.calls.append(callee)
        self.groups[callee.sg].ingress.append(("tcp", callee.port, callee.port, caller.sg))
        egress = self.groups[caller.sg].egress
        if egress is not None:
            egress.append(("tcp", callee.port, callee.port, callee.sg))

    def finish_groups(self) -> None:
        for gid, g in self.groups.items():
            if g.egress is None:
                egress = [("-1", None, None, "0.0.0.0/0")] + ([("-1", None, None, "::/0")] if self.ipv6 else [])
            else:
                egress = g.egress
            ingress_rules = {r.id: r for r in (make_sg_rule(gid, "ingress", spec) for spec in g.ingress)}
            egress_rules = {r.id: r for r in (make_sg_rule(gid, "egress", spec) for spec in egress)}
            self.out.security_groups.append(SecurityGroup(
                id=gid, vpc_id=self.p.id, name=g.name, is_default=g.default,
                ingress=tuple(ingress_rules.values()), egress=tuple(egress_rules.values()),
                tags={} if g.default else self.tags(g.name)))

    # -- interfaces ------------------------------------------------------------------------------------
    def eni(self, s: SubnetPlan, kind: str, groups: Sequence[str], *, owner_id: Optional[str] = None,
            public: bool = False, ipv6: bool = False, owner_tags: Optional[dict[str, str]] = None,
            private_ip: Optional[IPv4Address] = None, public_ip: Optional[IPv4Address] = None,
            source_dest_check: bool = True) -> str:
        eni_id = self.new_id("eni")
        self.enis += 1
        self.out.endpoints.append(Endpoint(
            id=eni_id, kind=kind, owner_id=owner_id, subnet_id=s.id, security_group_ids=tuple(groups),  # type: ignore[arg-type]
            private_ips=(private_ip or self.private_ip(s),),
            public_ips=(public_ip or self.public_ip(),) if public or public_ip else (),
            ipv6_addresses=self.ipv6_address(s) if ipv6 else (), source_dest_check=source_dest_check,
            owner_tags=owner_tags or {}))
        return eni_id

    def instance(self, s: SubnetPlan, groups: Sequence[str], tags: dict[str, str], *, public: bool = False) -> str:
        instance_id = self.new_id("i")
        self.out.instances.append(Instance(id=instance_id, subnet_id=s.id, tags=tags))
        self.eni(s, "instance", groups, owner_id=instance_id, public=public, ipv6=s.ipv6 is not None, owner_tags=tags)
        return instance_id

    def rds(self, name: str, subnets: Sequence[SubnetPlan], groups: Sequence[str], *, engine: str, port: int,
            tags: dict[str, str]) -> str:
        db_id = "db-" + self.new_id("db")[3:].upper()
        tags = {**self.tags(name), **tags}
        self.out.rds_instances.append(RdsInstance(
            id=db_id, identifier=name, engine=engine, subnet_group=f"{name}-subnets",
            subnet_ids=tuple(s.id for s in subnets), security_group_ids=tuple(groups), port=port, tags=tags))
        if self.rng.random() < 0.6:
            # The source knows its interface (as a live collection does).
            self.eni(subnets[0], "rds", groups, owner_id=db_id, owner_tags=tags)
        else:
            # Known only through its subnet group: any address of those subnets (SPEC §6.6).
            for s in subnets:
                self.enis += 1
                self.out.endpoints.append(Endpoint(
                    id=f"{db_id}@{s.id}", kind="rds", owner_id=db_id, subnet_id=s.id, security_group_ids=tuple(groups),
                    address_unknown=True, owner_tags=tags))
        return db_id

    # -- the VPC ---------------------------------------------------------------------------------------
    def build(self) -> Records:
        p, role = self.p, self.p.role
        unit = f"bu-{p.block}"
        self.out.vpcs.append(Vpc(
            id=p.id, account=p.account, region=REGION, cidrs=(p.cidr,), ipv6_cidrs=(p.ipv6,) if p.ipv6 else (),
            tags={"Name": f"{unit}-{role.name}", "Environment": role.environment, "BusinessUnit": unit}))
        for s in p.subnets:
            self.out.subnets.append(Subnet(
                id=s.id, vpc_id=p.id, cidr=s.cidr, ipv6_cidr=s.ipv6, availability_zone=s.az,
                map_public_ip_on_launch=s.tier == "public",
                tags={"Name": f"{unit}-{role.name}-{s.tier}-{s.az[-1]}", "Zone": s.zone, "Tier": s.tier}))
        self.sg("default", [("-1", None, None, "self")], None, group_id=self.default_sg, default=True)
        self.sg("baseline-pci" if role.name == "payments" else "baseline",
                [("tcp", 9100, 9100, PL_MONITORING), ("tcp", 22, 22, PL_BASTION)], [], group_id=self.baseline_sg)
        self.gateways()
        getattr(self, "role_" + role.name.replace("-", "_"))()
        self.top_up()
        self.routing()
        self.nacls()
        self.attachment()
        self.finish_groups()
        return self.out

    def top_up(self) -> None:
        """Scale services out until the VPC has its share of interfaces (bigger services grow more)."""
        missing = self.p.eni_target - self.enis
        if missing <= 0 or not self.scalable:
            return
        weights = [len(s.instance_ids) for s in self.scalable]
        for s in self.rng.choices(self.scalable, weights=weights, k=missing):
            s.add_host(self, s.placement[len(s.instance_ids) % len(s.placement)])

    # -- gateways and routing ------------------------------------------------------------------------
    def gateways(self) -> None:
        p = self.p
        self.igw = rid("igw", self.k, 1) if p.tier("public") else None
        if self.igw:
            self.out.internet_gateways.append(InternetGateway(id=self.igw, vpc_ids=(p.id,), tags=self.tags("igw")))
        self.eigw = rid("eigw", self.k, 1) if p.ipv6 is not None else None
        if self.eigw:
            self.out.egress_only_internet_gateways.append(EgressOnlyInternetGateway(id=self.eigw, vpc_id=p.id))
        if p.role.own_nat:
            publics = p.tier("public")
            # One NAT per AZ in the egress VPC (the whole estate leaves through it); one elsewhere.
            for s in publics if p.k == EGRESS_VPC else publics[:1]:
                nat_id = rid("nat", self.k, len(self.nat_of_az) + 1)
                private, public = self.private_ip(s), self.public_ip()
                self.out.nat_gateways.append(NatGateway(id=nat_id, subnet_id=s.id, private_ip=private, public_ip=public,
                                                        tags=self.tags(f"nat-{s.az}")))
                self.eni(s, "nat-gateway", (), owner_id=nat_id, private_ip=private, public_ip=public,
                         source_dest_check=False)
                self.nat_of_az[s.az] = nat_id
        for lo, hi in peer_pairs(self.seed, p.block):
            if p.pos in (lo, hi):
                low, high = self.block[lo], self.block[hi]
                pcx = rid("pcx", high.k, lo + 1)
                self.peerings.append((pcx, low if p.pos == hi else high))
                if p.pos == hi:
                    self.out.vpc_peerings.append(VpcPeering(
                        id=pcx, requester_vpc_id=high.id, accepter_vpc_id=low.id, requester_account=high.account,
                        accepter_account=low.account, requester_region=REGION, accepter_region=REGION,
                        tags={"Name": f"{high.role.name}-to-{low.role.name}"}))

    def routing(self) -> None:
        p, role = self.p, self.p.role
        local = (Route(destination=p.cidr, target="local"),) + (
            (Route(destination=p.ipv6, target="local"),) if p.ipv6 else ())
        self.out.route_tables.append(RouteTable(id=rid("rtb", self.k, 1), vpc_id=p.id, routes=local, is_main=True))
        attached = role.segment is not None
        peer_routes = [(str(other.cidr), pcx) for pcx, other in self.peerings]
        counter = [1]

        def table(name: str, subnets: Sequence[SubnetPlan], specs: Sequence[tuple[str, str]]) -> str:
            counter[0] += 1
            table_id = rid("rtb", self.k, counter[0])
            self.out.route_tables.append(RouteTable(
                id=table_id, vpc_id=p.id, subnet_ids=tuple(s.id for s in subnets),
                routes=local + tuple(make_route(d, t) for d, t in specs), tags=self.tags(name)))
            return table_id

        if p.tier("public"):
            specs = [("0.0.0.0/0", self.igw)] + ([("::/0", self.igw)] if p.ipv6 else [])
            if attached:
                specs.append((ALL_PRIVATE, TGW))
            table("public", p.tier("public"), specs + peer_routes)
        for tier in ("app", "data"):
            subnets = p.tier(tier)
            for az in p.azs if subnets else ():
                specs = []
                if tier == "app":
                    if self.nat_of_az:
                        specs.append(("0.0.0.0/0", self.nat_of_az.get(az) or next(iter(self.nat_of_az.values()))))
                    elif attached:
                        specs.append(("0.0.0.0/0", TGW))  # centralised egress
                    if self.eigw:
                        specs.append(("::/0", self.eigw))
                    if role.name in ("prod-app", "analytics"):
                        specs.append((S3_PREFIX_LIST, self.s3_endpoint))
                    if role.name == "shared-services":
                        specs.append((str(ON_PREMISES), TGW))
                if attached:
                    specs.append((ALL_PRIVATE, TGW))
                # Apps reach every peer; a data tier only the peer that reads it (the reporting replica feed).
                if tier == "app" or role.name == "prod-data":
                    specs += peer_routes
                table_id = table(f"{tier}-{az}", [s for s in subnets if s.az == az], specs)
                if tier == "app" and role.name in ("prod-app", "analytics"):
                    self.s3_tables.append(table_id)
        if p.k == EGRESS_VPC:
            for s in p.tier("tgw"):
                table(f"tgw-{s.az}", [s], [("0.0.0.0/0", self.nat_of_az[s.az])])
        if self.s3_tables:
            self.out.vpc_endpoints.append(VpcEndpoint(
                id=self.s3_endpoint, vpc_id=p.id, kind="gateway", service_name=f"com.amazonaws.{REGION}.s3",
                route_table_ids=tuple(self.s3_tables), prefix_list_id=S3_PREFIX_LIST, tags=self.tags("s3")))

    @property
    def s3_endpoint(self) -> str:
        return rid("vpce", self.k, 1)

    def attachment(self) -> None:
        p = self.p
        if p.attachment_id is None:
            return
        subnets = p.tier("tgw")
        self.out.transit_gateway_attachments.append(TransitGatewayAttachment(
            id=p.attachment_id, transit_gateway_id=TGW, kind="vpc", resource_id=p.id,
            subnet_ids=tuple(s.id for s in subnets), tags={"Name": f"{p.role.name}-{p.k}", "Segment": p.role.segment or ""}))
        for s in subnets:
            self.eni(s, "transit-gateway-attachment", (), owner_id=p.attachment_id, source_dest_check=False)

    # -- NACLs ---------------------------------------------------------------------------------------
    def nacls(self) -> None:
        p, role = self.p, self.p.role
        custom: set[str] = set()
        if role.name in ("prod-data", "payments") or (role.name == "prod-app" and self.rng.random() < 0.5):
            self.data_nacl(rid("acl", self.k, 2), p.tier("data"))
            custom.add("data")
        if role.name in ("prod-web", "staging") and p.block > 0 and self.rng.random() < 0.5:
            self.public_nacl(rid("acl", self.k, 3), p.tier("public"))
            custom.add("public")
        rest = [s.id for s in p.subnets if s.tier not in custom]
        allow = [(100, "allow", "-1", None, None, "0.0.0.0/0")] + ([(101, "allow", "-1", None, None, "::/0")] if p.ipv6 else [])
        self.out.network_acls.append(NetworkAcl(
            id=rid("acl", self.k, 1), vpc_id=p.id, is_default=True, subnet_ids=tuple(rest),
            entries=tuple(make_acl_entry(e, False) for e in allow) + tuple(make_acl_entry(e, True) for e in allow)))

    def _acl(self, acl_id: str, name: str, subnets: Sequence[SubnetPlan], ingress: list, egress: list) -> None:
        self.out.network_acls.append(NetworkAcl(
            id=acl_id, vpc_id=self.p.id, subnet_ids=tuple(s.id for s in subnets), tags=self.tags(name),
            entries=tuple(make_acl_entry(e, False) for e in ingress) + tuple(make_acl_entry(e, True) for e in egress)))

    def _noise(self, entries: list, start: int, count: int) -> None:
        """Explicit denies and narrow allows of the kind that accumulate in real NACLs."""
        number = start
        for _ in range(count):
            number += self.rng.choice((5, 10, 10, 20))
            kind = self.rng.random()
            if kind < 0.4:
                port = self.rng.choice((23, 135, 139, 445, 1433, 3389, 5900, 11211))
                entries.append((number, "deny", "tcp", port, port, self.rng.choice(("0.0.0.0/0", ALL_PRIVATE))))
            elif kind < 0.6:
                entries.append((number, "deny", "udp", 0, 65535, str(SUPERNETS["sandbox"])))
            elif kind < 0.8:
                lo = self.rng.choice((8000, 9000, 10000, 30000))
                entries.append((number, "allow", "tcp", lo, lo + self.rng.choice((10, 99, 999)), str(self.p.cidr)))
            else:
                entries.append((number, "allow", "icmp", -1, -1, ALL_PRIVATE))

    def data_nacl(self, acl_id: str, subnets: Sequence[SubnetPlan]) -> None:
        """Deny the other segments, admit the callers' networks on database ports: 12-30 entries."""
        p = self.p
        other = "prod" if p.role.segment == "non-prod" else "non-prod"
        ingress: list = [(50, "deny", "-1", None, None, str(SUPERNETS[other])),
                         (60, "deny", "-1", None, None, str(SUPERNETS["sandbox"]))]
        nets = self.nacl_callers or [str(s.cidr) for s in p.tier("app")] or [str(p.cidr)]
        if len(nets) > 4:
            nets = [str(SUPERNETS[p.role.supernet])]
        ports = sorted(self.db_ports) or [5432]
        ranges = [(port, port) for port in ports] if len(ports) <= 3 else [(ports[0], ports[-1])]
        number = 100
        for net in nets:
            for lo, hi in ranges:
                ingress.append((number, "allow", "tcp", lo, hi, net))
                number += 1
        for i, (_, peer) in enumerate(self.peerings):
            ingress.append((190 + i, "allow", "tcp", 5432, 5432, str(peer.cidr)))  # the reporting replica feed
        ingress += [(200, "allow", "tcp", 9100, 9100, str(SUPERNETS["shared"])),
                    (210, "allow", "tcp", 22, 22, str(SUPERNETS["shared"])),
                    (300, "allow", "tcp", 1024, 65535, ALL_PRIVATE)]
        egress: list = [(100, "allow", "tcp", 1024, 65535, ALL_PRIVATE),
                        (110, "allow", "udp", 53, 53, str(SUPERNETS["shared"])),
                        (120, "allow", "tcp", 53, 53, str(SUPERNETS["shared"])),
                        (130, "allow", "tcp", 443, 443, "0.0.0.0/0")]
        target = self.rng.randint(max(12, len(ingress) + len(egress) + 2), 30)
        extra = max(0, target - len(ingress) - len(egress) - 1)
        self._noise(ingress, 400, extra - extra // 3)
        self._noise(egress, 200, extra // 3)
        egress.append((32000, "deny", "-1", None, None, "0.0.0.0/0"))
        self._acl(acl_id, "data", subnets, ingress, egress)

    def public_nacl(self, acl_id: str, subnets: Sequence[SubnetPlan]) -> None:
        p = self.p
        ingress: list = [(90, "deny", "tcp", 22, 22, "0.0.0.0/0"), (95, "deny", "tcp", 3389, 3389, "0.0.0.0/0"),
                         (100, "allow", "tcp", 80, 80, "0.0.0.0/0"), (110, "allow", "tcp", 443, 443, "0.0.0.0/0"),
                         (120, "allow", "tcp", 1024, 65535, "0.0.0.0/0"), (130, "allow", "-1", None, None, str(p.cidr)),
                         (140, "allow", "udp", 1024, 65535, "0.0.0.0/0")]
        if p.ipv6:
            ingress += [(150, "allow", "tcp", 80, 80, "::/0"), (160, "allow", "tcp", 443, 443, "::/0"),
                        (170, "allow", "tcp", 1024, 65535, "::/0")]
        self._noise(ingress, 200, self.rng.randint(1, 6))
        egress: list = [(100, "allow", "-1", None, None, "0.0.0.0/0")] + (
            [(101, "allow", "-1", None, None, "::/0")] if p.ipv6 else [])
        self._acl(acl_id, "public", subnets, ingress, egress)

    # -- workloads -----------------------------------------------------------------------------------
    def services(self, count: int, enis: int, tier: str, *, zone_tags: Optional[dict[str, str]] = None,
                 fixed: Sequence[tuple[str, int]] = (), restricted_egress: float = 0.25,
                 callers_from: Sequence[str] = (), port: Optional[int] = None) -> list[Service]:
        """`count` microservices sharing about `enis` instances in `tier`, calling each other.

        Callees are chosen by preferential attachment, so a few services are called by many (fan-in) while
        some callers call many (fan-out).  `fixed` names the first services and their ports; `port` gives
        every other one the same port (else a random one).
        """
        subnets = self.p.tier(tier)
        count = max(count, len(fixed), 1)
        weights = [1.0 / (i + 1) ** 0.6 * self.rng.uniform(0.7, 1.3) for i in range(count)]
        total = sum(weights)
        services: list[Service] = []
        for i in range(count):
            if i < len(fixed):
                base, listen = fixed[i]
            else:
                base = f"{self.rng.choice(WORDS)}-{self.rng.choice(SUFFIXES)}"
                listen = port or self.rng.choice(SERVICE_PORTS)
            name = self.name(base)
            ingress = [("tcp", listen, listen, peer) for peer in callers_from]
            roll = self.rng.random()
            if roll < 0.15:
                ingress.append(("tcp", listen, listen, str(self.p.cidr)))  # health checks from an internal NLB
            elif roll < 0.22:
                ingress.append(("tcp", 8443, 8443, PL_CORP))  # an admin console for the offices
            egress = None
            if self.rng.random() < restricted_egress:
                egress = [("tcp", 443, 443, "0.0.0.0/0"), ("udp", 53, 53, str(SUPERNETS["shared"]))]
            gid = self.sg(name, ingress, egress)
            services.append(Service(name, gid, listen, placement=tuple(subnets), groups=(gid, self.baseline_sg),
                                    tags=dict(zone_tags or {})))
        indegree = [1.0] * count
        for i, caller in enumerate(services):
            fan_out = min(count - 1, self.rng.choice((0, 1, 1, 2, 2, 3, 4, 6)))
            options = [j for j in range(count) if j != i]
            for _ in range(fan_out):
                j = self.rng.choices(options, weights=[indegree[o] for o in options])[0]
                options.remove(j)
                indegree[j] += 1.5
                self.connect(caller, services[j])
        for s, w in zip(services, weights, strict=True):
            for subnet in self.spread(subnets, max(1, round(enis * w / total))):
                s.add_host(self, subnet)
        if not zone_tags:
            self.scalable += services
        return services

    def datastores(self, count: int, enis: int, callers: Sequence[Service], *, caller_cidrs: Sequence[str] = (),
                   fixed: Sequence[tuple[str, str, Sequence[Service], Sequence[tuple]]] = ()) -> list[Service]:
        """RDS instances and EC2 clusters in the data tier; each admits a few callers' groups (or CIDRs).

        `fixed`: (name, engine, users, extra ingress rules) of the first ones.
        """
        data = self.p.tier("data")
        ports = dict(DB_ENGINES + EC2_DATASTORES)
        stores: list[Service] = []
        count = max(count, len(fixed))
        budget = enis
        for i in range(count):
            if i < len(fixed):
                base, engine, users, extra = fixed[i]
                users = list(users)
            else:
                engine = self.rng.choice(DB_ENGINES if self.rng.random() < 0.65 else EC2_DATASTORES)[0]
                base, extra = f"{self.rng.choice(WORDS)}-{engine.split('-')[0]}", ()
                users = self.rng.sample(list(callers), min(len(callers), self.rng.randint(1, 3)))
            port = ports[engine]
            name = self.name(base)
            ingress = list(extra)
            if caller_cidrs and i >= len(fixed):
                ingress += [("tcp", port, port, c) for c in self.rng.sample(list(caller_cidrs), min(len(caller_cidrs), 3))]
            gid = self.sg(f"{name}-db", ingress, [])
            store = Service(name, gid, port, placement=tuple(data), groups=(gid, self.baseline_sg))
            stores.append(store)
            self.db_ports.add(port)
            for u in users:
                self.connect(u, store)
            tags = {"Service": name}
            if engine in dict(DB_ENGINES):
                placed = self.spread(data, min(2, len(data)))
                self.rds(name, placed, [store.sg], engine=engine, port=port, tags=tags)
                budget -= 1
            else:
                nodes = max(2, min(6, budget // max(1, count - i)))
                for subnet in self.spread(data, nodes):
                    store.add_host(self, subnet)
                self.scalable.append(store)
                budget -= nodes
        return stores

    def alb(self, name: str, targets: Sequence[Service], port: int) -> None:
        p = self.p
        listen = [("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0")]
        if self.ipv6:
            listen += [("tcp", 443, 443, "::/0"), ("tcp", 80, 80, "::/0")]
        alb_sg = self.sg(f"{name}-alb", listen, [("tcp", port, port, t.sg) for t in targets])
        for t in targets:
            self.groups[t.sg].ingress.append(("tcp", port, port, alb_sg))
        arn = f"arn:aws:elasticloadbalancing:{REGION}:{p.account}:loadbalancer/app/{name}/{self.new_id('lb')[3:]}"
        tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{p.account}:targetgroup/{name}/{self.new_id('tg')[3:]}"
        publics = p.tier("public")
        tags = self.tags(name, Service=name)
        for s in publics:
            self.eni(s, "load-balancer", [alb_sg], owner_id=arn, public=True, ipv6=s.ipv6 is not None, owner_tags=tags)
        self.out.load_balancers.append(LoadBalancer(
            id=arn, name=name, kind="application", scheme="internet-facing", vpc_id=p.id,
            subnet_ids=tuple(s.id for s in publics), security_group_ids=(alb_sg,), tags=tags,
            listeners=(LoadBalancerListener(id=f"{arn}/443", protocol="HTTPS", port=443, target_group_ids=(tg_arn,)),
                       LoadBalancerListener(id=f"{arn}/80", protocol="HTTP", port=80, target_group_ids=(tg_arn,)))))
        self.out.target_groups.append(TargetGroup(
            id=tg_arn, name=name, protocol="HTTP", port=port, target_type="instance", vpc_id=p.id,
            targets=tuple(TargetGroupTarget(target_id=i, port=port) for t in targets for i in t.instance_ids)))

    def lambdas(self) -> None:
        gid = self.sg(self.name("lambda"))
        for s in self.spread(self.p.tier("app"), 2):
            fn = self.name("fn")
            self.eni(s, "lambda", [gid], owner_id=f"arn:aws:lambda:{REGION}:{self.p.account}:function:{fn}",
                     owner_tags=self.tags(fn, Service=fn, Zone="serverless"))

    # -- roles -------------------------------------------------------------------------------------------
    def role_shared_services(self) -> None:
        p = self.p
        bastion_sg = self.sg("bastion", [("tcp", 22, 22, PL_CORP)])
        for s in p.tier("public"):
            self.instance(s, [bastion_sg, self.baseline_sg], self.tags(f"bastion-{s.az[-1]}", Role="bastion",
                                                                       Service="bastion"), public=True)
            self.out.bastion_ips.append(self.out.endpoints[-1].private_ips[0])
        app = p.tier("app")
        endpoint_sg = self.sg("interface-endpoints", [("tcp", 443, 443, ALL_PRIVATE)], [])
        for service in ("ssm", "ec2messages", "ssmmessages", "logs", "sts", "kms"):
            vpce = self.new_id("vpce")
            tags = self.tags(f"vpce-{service}", Service=f"vpce-{service}")
            enis = [self.eni(s, "vpc-endpoint", [endpoint_sg], owner_id=vpce, owner_tags=tags) for s in app]
            self.out.vpc_endpoints.append(VpcEndpoint(
                id=vpce, vpc_id=p.id, kind="interface", service_name=f"com.amazonaws.{REGION}.{service}",
                subnet_ids=tuple(s.id for s in app), security_group_ids=(endpoint_sg,),
                network_interface_ids=tuple(enis), private_dns_enabled=True, tags=tags))
        platform = (
            ("dns-resolver", [("udp", 53, 53, ALL_PRIVATE), ("tcp", 53, 53, ALL_PRIVATE), ("udp", 53, 53, str(ON_PREMISES))]),
            ("active-directory", [("tcp", 389, 389, ALL_PRIVATE), ("tcp", 636, 636, ALL_PRIVATE),
                                  ("tcp", 88, 88, ALL_PRIVATE), ("udp", 88, 88, ALL_PRIVATE)]),
            ("artifact-repo", [("tcp", 443, 443, ALL_PRIVATE)]),
            ("prometheus", [("tcp", 9090, 9090, str(ON_PREMISES))]),
            ("grafana", [("tcp", 443, 443, str(ON_PREMISES))]),
            ("ci-runner", []),
        )
        per_service = max(2, self.budget(0.6) // (2 * len(platform)))
        for name, ingress in platform:
            gid = self.sg(name, ingress)
            for s in self.spread(app, per_service):
                self.instance(s, [gid, self.baseline_sg], self.tags(f"{name}-{s.az[-1]}", Service=name))
        self.services(self.sg_budget(1.0) - len(platform) - 2, max(1, p.eni_target - self.enis), "app",
                      callers_from=(str(SUPERNETS["shared"]),))

    def role_egress(self) -> None:
        """NAT gateways (one per AZ) and the attachment: nothing else lives here."""

    def web_stack(self, *, legacy: bool) -> tuple[list[Service], list[Service]]:
        """Edge hosts in the public tier, frontends behind an internet-facing ALB, APIs behind them."""
        public = self.p.tier("public")
        n_sg = self.sg_budget(0.65)
        listen = [("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0")]
        if self.ipv6:
            listen += [("tcp", 443, 443, "::/0"), ("tcp", 80, 80, "::/0")]
        groups = [self.sg("edge-nginx", listen), self.baseline_sg]
        if legacy:
            # Failing by construction: "temporary" SSH for a vendor, never removed.
            groups.append(self.sg("legacy-admin", [("tcp", 22, 22, "0.0.0.0/0")]))
        for s in self.spread(public, max(2, self.budget(0.05))):
            self.instance(s, groups, self.tags(f"edge-nginx-{s.az[-1]}", Service="edge-nginx"), public=True)
        n_front = max(1, n_sg // 5)
        frontends = self.services(n_front, self.budget(0.15), "app", zone_tags={"Zone": "web-frontend"},
                                  fixed=(("storefront", 8080),) if legacy else ())
        apis = self.services(n_sg - n_front, self.budget(0.5), "app", fixed=(("catalog-api", 8080),) if legacy else ())
        if legacy:
            self.connect(frontends[0], apis[0])
        for f in frontends:  # fan-out: a frontend calls many APIs
            for api in self.rng.sample(apis, min(len(apis), self.rng.randint(2, 5))):
                self.connect(f, api)
        self.alb("storefront-alb" if legacy else self.name("web"), frontends, 8080)
        return frontends, apis

    def role_prod_web(self) -> None:
        legacy = self.p.block == 0
        frontends, apis = self.web_stack(legacy=legacy)
        # Failing by construction (block 0): a cache that admits every TCP port from the whole VPC.
        fixed = [("session-cache", "redis", apis[:1], [("tcp", 0, 65535, str(self.p.cidr))])] if legacy else []
        self.datastores(self.sg_budget(0.2), self.budget(0.25), apis, fixed=fixed)
        self.lambdas()

    def role_staging(self) -> None:
        frontends, apis = self.web_stack(legacy=False)
        self.datastores(self.sg_budget(0.2), self.budget(0.25), apis)

    def role_payments(self) -> None:
        svcs = self.services(self.sg_budget(0.75), self.budget(0.8), "app", restricted_egress=1.0,
                             fixed=(("payments-api", 8443), ("tokenizer", 8443)))
        self.connect(svcs[0], svcs[1])
        acquirers = self.sg("acquirer-egress", [], [("tcp", 443, 443, PL_ACQUIRERS)])
        owners = set(svcs[0].instance_ids + svcs[1].instance_ids)
        for i, e in enumerate(self.out.endpoints):
            if e.owner_id in owners:
                self.out.endpoints[i] = e.model_copy(update={"security_group_ids": e.security_group_ids + (acquirers,)})
        self.datastores(self.sg_budget(0.25), self.budget(0.2), svcs[1:],
                        fixed=[("checkout-db", "postgres", svcs[:1], ())])

    def role_prod_data(self) -> None:
        p = self.p
        # The block's apps reach these databases across the transit gateway, where group references do not
        # work: the databases admit the app subnets, the NACL the apps' VPCs.
        apps = [q for q in self.block if q.role.name in ("prod-app", "prod-web")]
        app_subnets = [str(s.cidr) for q in apps for s in q.tier("app")]
        self.nacl_callers = [str(q.cidr) for q in apps]
        analytics = next((q for q in self.block if q.role.name == "analytics"), None)
        fixed: list = []
        if analytics is not None:
            fixed.append(("reporting-replica", "postgres", (), [("tcp", 5432, 5432, rid("sg", analytics.k, 4))]))
            if p.block == 0:
                # Failing by construction: meant for the ETL group, written with the analytics VPC's CIDR.
                fixed.append(("orders", "postgres", (), [("tcp", 5432, 5432, str(analytics.cidr))]))
        proxies = self.services(max(1, self.sg_budget(0.1)), self.budget(0.1), "data", fixed=(("db-proxy", 6432),),
                                callers_from=app_subnets[:2], port=6432)
        self.db_ports.add(6432)
        self.datastores(self.sg_budget(0.9), self.budget(0.9), proxies, caller_cidrs=app_subnets, fixed=fixed)
        if analytics is not None:
            # The replica is its own zone: analytics may read it, and only it.
            replica = next(r for r in self.out.rds_instances if r.identifier == "reporting-replica")
            retag = {"Zone": "reporting-db"}
            self.out.rds_instances = [r.model_copy(update={"tags": {**r.tags, **retag}}) if r.id == replica.id else r
                                      for r in self.out.rds_instances]
            self.out.endpoints = [e.model_copy(update={"owner_tags": {**e.owner_tags, **retag}})
                                  if e.owner_id == replica.id else e for e in self.out.endpoints]

    def role_analytics(self) -> None:
        p = self.p
        app = p.tier("app")
        etl = self.sg("etl", group_id=rid("sg", self.k, 4))
        for s in self.spread(app, max(2, self.budget(0.08))):
            self.instance(s, [etl, self.baseline_sg], self.tags(f"etl-{s.az[-1]}", Service="etl-airflow", Role="etl"))
        clusters = max(1, self.sg_budget(0.5))
        per_cluster = max(2, self.budget(0.6) // clusters)
        for _ in range(clusters):
            name = self.name(f"spark-{self.rng.choice(WORDS)}")
            gid = self.sg(name, [("-1", None, None, "self"), ("tcp", 8443, 8443, PL_CORP)])
            for s in self.spread(app, per_cluster):
                self.instance(s, [gid, self.baseline_sg], self.tags(f"{name}-node", Service=name))
        self.services(self.sg_budget(1.0) - clusters - 1, max(1, p.eni_target - self.enis), "app")

    def role_dev(self) -> None:
        svcs = self.services(self.sg_budget(0.8), self.budget(0.8), "app")
        self.datastores(self.sg_budget(0.2), self.budget(0.2), svcs)

    def role_prod_app(self) -> None:
        svcs = self.services(self.sg_budget(0.8), self.budget(0.78), "app")
        self.datastores(self.sg_budget(0.2), self.budget(0.2), svcs)
        self.lambdas()

    def role_sandbox(self) -> None:
        open_sg = self.sg("sandbox-open", [("tcp", 22, 22, "0.0.0.0/0"), ("tcp", 8080, 8080, "0.0.0.0/0")])
        for s in self.spread(self.p.tier("public"), self.budget(0.3)):
            self.instance(s, [open_sg], self.tags("sandbox-box", Service="sandbox"), public=True)
        self.services(self.sg_budget(1.0) - 1, self.budget(0.7), "app")


# --------------------------------------------------------------------------------------------- the estate


def _global_records(plans: Sequence[VpcPlan], out: Records) -> dict[str, Any]:
    """The transit gateway and its tables, prefix lists and the VPN: shared by every VPC."""
    shared_vpc = next(p for p in plans if p.k == 0)
    prefix_lists = [
        PrefixList(id=PL_CORP, name="corp-offices", entries=tuple(ip_network(c) for c in CORP_OFFICES)),
        PrefixList(id=PL_MONITORING, name="monitoring",
                   entries=tuple(s.cidr for s in shared_vpc.tier("app"))),
        PrefixList(id=PL_BASTION, name="bastions", entries=tuple(IPv4Network(ip) for ip in out.bastion_ips)),
        PrefixList(id=PL_ACQUIRERS, name="payment-acquirers", entries=tuple(ip_network(c) for c in ACQUIRERS)),
        PrefixList(id=S3_PREFIX_LIST, name=f"com.amazonaws.{REGION}.s3", aws_managed=True,
                   entries=tuple(ip_network(c) for c in S3_RANGES)),
    ]
    egress = plans[EGRESS_VPC].attachment_id
    by_segment: dict[str, list[VpcPlan]] = {"prod": [], "non-prod": [], "shared": []}
    for p in plans:
        if p.role.segment:
            by_segment[p.role.segment].append(p)

    def propagated(vpcs: Iterable[VpcPlan]) -> list[TransitGatewayRoute]:
        routes = []
        for p in vpcs:
            for net in (p.cidr, *((p.ipv6,) if p.ipv6 else ())):
                routes.append(TransitGatewayRoute(destination=net, attachment_ids=(p.attachment_id,), kind="propagated"))
        return routes

    def blackhole(*names: str) -> list[TransitGatewayRoute]:
        return [TransitGatewayRoute(destination=SUPERNETS[n], state="blackhole") for n in names]

    def default_route() -> TransitGatewayRoute:
        return TransitGatewayRoute(destination=IPv4Network("0.0.0.0/0"), attachment_ids=(egress,))

    onprem = TransitGatewayRoute(destination=ON_PREMISES, attachment_ids=(VPN_ATTACHMENT,))
    shared = by_segment["shared"]
    tables = []
    for name, own, extra_static in (
        ("prod", by_segment["prod"], [default_route(), onprem] + blackhole("non-prod", "sandbox")),
        ("non-prod", by_segment["non-prod"], [default_route()] + blackhole("prod", "sandbox")),
        ("shared", shared, [default_route(), onprem]),
    ):
        propagating = own + shared if name != "shared" else plans
        propagating = [p for p in propagating if p.attachment_id]
        tables.append(TransitGatewayRouteTable(
            id=TGW_TABLES[name], transit_gateway_id=TGW, tags={"Name": name},
            associations=tuple(p.attachment_id for p in own),  # type: ignore[misc]
            propagations=tuple(p.attachment_id for p in propagating),  # type: ignore[misc]
            routes=tuple(extra_static) + tuple(propagated(propagating))))
    tables.append(TransitGatewayRouteTable(
        id=TGW_TABLES["on-prem"], transit_gateway_id=TGW, tags={"Name": "on-prem"}, associations=(VPN_ATTACHMENT,),
        propagations=tuple(p.attachment_id for p in shared),  # type: ignore[misc]
        routes=tuple(propagated(shared))))
    return {
        "prefix_lists": prefix_lists,
        "transit_gateways": [TransitGateway(
            id=TGW, account=SHARED_ACCOUNT, region=REGION, default_route_table_association=False,
            default_route_table_propagation=False, tags={"Name": "hub"})],
        "transit_gateway_attachments": [TransitGatewayAttachment(
            id=VPN_ATTACHMENT, transit_gateway_id=TGW, kind="vpn", resource_id=VPN, tags={"Name": "corp-dc"})],
        "transit_gateway_route_tables": tables,
        "customer_gateways": [CustomerGateway(id=CGW, ip_address="62.30.112.10", bgp_asn=65010, tags={"Name": "corp-dc"})],
        "vpn_connections": [VpnConnection(id=VPN, customer_gateway_id=CGW, transit_gateway_id=TGW,
                                          static_routes=(ON_PREMISES,), static_routes_only=True, tags={"Name": "corp-dc"})],
    }


def build_estate(seed: int = 0, vpcs: int = SIZES["S"]) -> Snapshot:
    """The first `vpcs` VPCs (a multiple of ten) of the estate of `seed`."""
    if vpcs < BLOCK or vpcs % BLOCK:
        raise ValueError(f"vpcs must be a positive multiple of {BLOCK} (whole business units), not {vpcs}")
    out = Records()
    plans = [plan(seed, k) for k in range(vpcs)]
    for p in plans:
        part = _VpcGen(seed, p, plans[p.block * BLOCK:(p.block + 1) * BLOCK]).build()
        for name in Records.__dataclass_fields__:
            getattr(out, name).extend(getattr(part, name))
    extra = _global_records(plans, out)
    fields = {name: tuple(getattr(out, name)) for name in Records.__dataclass_fields__ if name != "bastion_ips"}
    fields["prefix_lists"] = fields["prefix_lists"] + tuple(extra.pop("prefix_lists"))
    fields["transit_gateway_attachments"] = fields["transit_gateway_attachments"] + tuple(
        extra.pop("transit_gateway_attachments"))
    return canonical(Snapshot(
        source=SourceInfo(kind="topology"), **fields, **{k: tuple(v) for k, v in extra.items()},
        notes=(f"synthetic estate: seed {seed}, {vpcs} VPCs (topology.synthetic)",)))


def generate(size: Size = "S", seed: int = 0, *, vpcs: Optional[int] = None) -> tuple[Snapshot, str]:
    """(estate, policy YAML) for a size; `vpcs` overrides the size's VPC count (the first N VPCs)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    return build_estate(seed, SIZES[size] if vpcs is None else vpcs), policy_text()


# --------------------------------------------------------------------------------------------- policy


def _zones() -> dict[str, dict[str, Any]]:
    v = {name: vpc_id(k) for k, name in enumerate(BLOCK0_ROLES)}
    return {
        "public-web": {"description": "hosts and load balancers facing the internet (prod)",
                       "match": [{"tags": {"Zone": "public-web", "Environment": "prod"}}]},
        "web-frontend": {"description": "frontends behind the internet-facing load balancers (prod)",
                         "match": [{"tags": {"Zone": "web-frontend", "Environment": "prod"}}]},
        "app": {"match": [{"tags": {"Zone": "app", "Environment": "prod"}}]},
        "payments": {"description": "PCI cardholder data environment: services",
                     "match": [{"tags": {"Zone": "payments"}}]},
        "payments-db": {"description": "PCI cardholder data environment: databases",
                        "match": [{"tags": {"Zone": "payments-db"}}]},
        "private-db": {"match": [{"tags": {"Zone": "private-db", "Environment": "prod"}}]},
        "analytics": {"match": [{"tags": {"Zone": "analytics"}}]},
        "shared-services": {"match": [{"tags": {"Zone": "shared-services"}}]},
        "bastion": {"match": [{"tags": {"Role": "bastion"}}]},
        "monitoring": {"match": [{"tags": {"Service": "prometheus"}}]},
        "non-prod": {"match": [{"tags": {"Environment": "staging"}}, {"tags": {"Environment": "dev"}}]},
        "sandbox": {"match": [{"tags": {"Environment": "sandbox"}}]},
        # Zones scoped to block 0 (the same members in every size).
        "storefront-alb": {"match": [{"vpc": v["prod-web"], "tags": {"Service": "storefront-alb"}}]},
        "storefront": {"match": [{"vpc": v["prod-web"], "tags": {"Service": "storefront"}}]},
        "catalog-api": {"match": [{"vpc": v["prod-web"], "tags": {"Service": "catalog-api"}}]},
        "payments-api": {"match": [{"vpc": v["payments"], "tags": {"Service": "payments-api"}}]},
        "checkout-db": {"match": [{"vpc": v["payments"], "tags": {"Service": "checkout-db"}}]},
        "etl": {"match": [{"vpc": v["analytics"], "tags": {"Role": "etl"}}]},
        "reporting-replica": {"match": [{"vpc": v["prod-data"], "tags": {"Zone": "reporting-db"}}]},
        "core-app": {"match": [{"vpc": v["prod-app"], "tags": {"Zone": "app"}}]},
    }


DB_SERVICES = ["tcp/5432", "tcp/6432", "tcp/3306", "tcp/6379", "tcp/9042", "tcp/27017", "tcp/9200"]
PLATFORM_SERVICES = ["udp/53", "tcp/53", "tcp/88", "udp/88", "tcp/389", "tcp/636", "tcp/443"]

ASSERTIONS: list[dict[str, Any]] = [
    {"name": "internet-reaches-public-web-only-on-http-https", "from": "internet", "to": "public-web",
     "expect": {"only": ["tcp/80", "tcp/443"]}, "controls": ["PCI-DSS-1.3.1"],
     "description": "fails by construction: legacy-admin group open on tcp/22 (block 0 edge hosts)"},
    {"name": "internet-reaches-frontends-only-through-the-alb", "from": "internet", "to": "web-frontend",
     "expect": {"only": ["tcp/8080"]}},
    {"name": "internet-cannot-reach-app", "from": "internet", "to": "app", "expect": "no-access"},
    {"name": "internet-cannot-reach-private-db", "from": "internet", "to": "private-db", "expect": "no-access",
     "controls": ["PCI-DSS-1.3.1", "NIST-SC-7"]},
    {"name": "internet-cannot-reach-payments-db", "from": "internet", "to": "payments-db", "expect": "no-access",
     "controls": ["PCI-DSS-1.3.1"]},
    {"name": "internet-reaches-bastion-only-on-ssh", "from": "internet", "to": "bastion", "expect": {"only": ["tcp/22"]}},
    {"name": "internet-reaches-storefront-alb", "from": "internet", "to": "storefront-alb", "expect": {"access": ["tcp/443"]}},
    {"name": "analytics-cannot-reach-private-db", "from": "analytics", "to": "private-db", "expect": "no-access",
     "description": "fails by construction: the orders database admits tcp/5432 from the analytics VPC CIDR"},
    {"name": "analytics-cannot-reach-payments-db", "from": "analytics", "to": "payments-db", "expect": "no-access",
     "controls": ["PCI-DSS-1.3.1"]},
    {"name": "etl-reaches-reporting-replica", "from": "etl", "to": "reporting-replica", "expect": {"access": ["tcp/5432"]}},
    {"name": "app-reaches-private-db-only-on-db-ports", "from": "app", "to": "private-db",
     "expect": {"only": DB_SERVICES},
     "description": "fails by construction: session-cache admits every TCP port from its VPC"},
    {"name": "public-web-cannot-reach-private-db", "from": "public-web", "to": "private-db", "expect": "no-access",
     "description": "fails by construction: session-cache admits every TCP port from its VPC"},
    {"name": "storefront-reaches-catalog-api", "from": "storefront", "to": "catalog-api", "expect": {"access": ["tcp/8080"]}},
    {"name": "payments-api-reaches-checkout-db", "from": "payments-api", "to": "checkout-db",
     "expect": {"access": ["tcp/5432"]}},
    {"name": "app-cannot-reach-payments-db", "from": "app", "to": "payments-db", "expect": "no-access",
     "controls": ["PCI-DSS-1.3.1"]},
    {"name": "non-prod-cannot-reach-app", "from": "non-prod", "to": "app", "expect": "no-access"},
    {"name": "non-prod-cannot-reach-private-db", "from": "non-prod", "to": "private-db", "expect": "no-access"},
    {"name": "non-prod-cannot-reach-payments", "from": "non-prod", "to": "payments", "expect": "no-access",
     "controls": ["PCI-DSS-1.3.1"]},
    {"name": "non-prod-reaches-shared-services-only-on-platform-ports", "from": "non-prod", "to": "shared-services",
     "expect": {"only": PLATFORM_SERVICES}},
    {"name": "private-db-has-no-internet-egress", "from": "private-db", "to": "internet", "expect": "no-access",
     "controls": ["NIST-SC-7"]},
    {"name": "payments-egress-only-https", "from": "payments", "to": "internet", "expect": {"only": ["tcp/443"]},
     "controls": ["PCI-DSS-1.3.4"]},
    {"name": "sandbox-cannot-reach-private-db", "from": "sandbox", "to": "private-db", "expect": "no-access"},
    {"name": "monitoring-scrapes-core-app", "from": "monitoring", "to": "core-app", "expect": {"access": ["tcp/9100"]}},
    {"name": "on-premises-cannot-reach-private-db", "from": "on-premises", "to": "private-db", "expect": "no-access"},
]
FAILING_BY_CONSTRUCTION = (
    "internet-reaches-public-web-only-on-http-https",
    "analytics-cannot-reach-private-db",
    "app-reaches-private-db-only-on-db-ports",
    "public-web-cannot-reach-private-db",
)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # the policy loader refuses anchors and aliases
        return True


def policy_text(vpc_ids: Optional[Iterable[str]] = None) -> str:
    """The policy; with `vpc_ids`, every zone is restricted to those VPCs (and may then be empty)."""
    zones = _zones()
    if vpc_ids is not None:
        keep = sorted(set(vpc_ids))
        for zone in zones.values():
            entries = []
            for entry in zone["match"]:
                if "vpc" in entry:
                    entries += [entry] if entry["vpc"] in keep else []
                else:
                    entries += [{"vpc": v, **entry} for v in keep]
            zone["match"] = entries or [{"vpc": "vpc-none", "tags": {"Zone": "none"}}]
            zone["allow_empty"] = True
    data = {"version": 1, "zones": zones, "assertions": ASSERTIONS}
    header = ("# Zone policy of the synthetic estates (topology/synthetic.py): S, M and L share it.\n"
              "# Assertions whose description says 'fails by construction' must fail.\n")
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=120)


# --------------------------------------------------------------------------------------------- sub-estates


ESTATE_WIDE = ("transit_gateways", "transit_gateway_route_tables", "customer_gateways", "vpn_connections")
ID_COLLECTIONS = tuple(
    name for name, info in Snapshot.model_fields.items()
    if name not in ESTATE_WIDE and "id" in getattr((getattr(info.annotation, "__args__", None) or (None,))[0], "model_fields", {}))
"""Snapshot collections of records with an id that belong to one VPC."""


def vpc_records(snapshot: Snapshot, vpc_ids: Iterable[str]) -> dict[str, tuple]:
    """The records that belong to the given VPCs, per collection (ids embed the VPC index)."""
    keys = {v[len("vpc-"):len("vpc-") + 4] for v in vpc_ids}

    def mine(record_id: str) -> bool:
        return record_id.rsplit("-", 1)[-1][:4].lower() in keys  # `tgw-attach-0003…` belongs to VPC 3

    out: dict[str, tuple] = {}
    for name in ID_COLLECTIONS:
        value = getattr(snapshot, name)
        if name == "load_balancers" or name == "target_groups":
            out[name] = tuple(r for r in value if mine(r.id.rsplit("/", 1)[1]))
        elif name == "endpoints":
            out[name] = tuple(r for r in value if mine(r.subnet_id))
        else:
            out[name] = tuple(r for r in value if mine(r.id))
    return out


# --------------------------------------------------------------------------------------------- CLI


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m topology.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vpcs", type=int, default=None, help="only the first N VPCs (a multiple of 10)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="snapshot JSON to write")
    parser.add_argument("--policy-out", type=Path, default=None, help="policy YAML to write")
    args = parser.parse_args(argv)
    try:
        snapshot, policy = generate(args.size, args.seed, vpcs=args.vpcs)
    except ValueError as err:
        parser.error(str(err))
    args.output.write_text(to_json(snapshot), encoding="utf-8")
    if args.policy_out is not None:
        args.policy_out.write_text(policy, encoding="utf-8")
    print(f"{args.output}: {len(snapshot.vpcs)} VPCs, {len(snapshot.subnets)} subnets, "
          f"{len(snapshot.security_groups)} security groups, {len(snapshot.endpoints)} endpoints", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
