"""A small, explicit builder for estates as code.

Tests and reference estates describe a network in a few lines; the builder fills in what AWS would
(main route table, default NACL, default security group) exactly as a real VPC has them, so scenarios
stay close to real accounts.  Everything produced is the ordinary snapshot model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Iterable, Optional, Sequence

from zonecheck.model import (
    Endpoint,
    EgressOnlyInternetGateway,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    NetworkAclEntry,
    PrefixList,
    RdsInstance,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Snapshot,
    SourceInfo,
    Subnet,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    Vpc,
    VpcPeering,
    canonical,
    protocol_number,
    route_target_of,
    rule_id,
)
from zonecheck.model.security import PORTED_PROTOCOLS, TYPED_PROTOCOLS

# A rule as tests write it: (protocol, from_port, to_port, peer); peer is a CIDR, "sg-…", "pl-…" or "self".
RuleSpec = tuple[str, Optional[int], Optional[int], str]
# A NACL entry: (rule_number, action, protocol, from_port, to_port, cidr).
AclSpec = tuple[int, str, str, Optional[int], Optional[int], str]
# A route: (destination CIDR or "pl-…", target id: "local", "igw-…", "nat-…", "pcx-…", "tgw-…", "eni-…", "i-…", "blackhole", …).
RouteSpec = tuple[str, str]

ALLOW_ALL_V4: tuple[AclSpec, ...] = ((100, "allow", "-1", None, None, "0.0.0.0/0"),)
ALLOW_ALL_V6: tuple[AclSpec, ...] = ((101, "allow", "-1", None, None, "::/0"),)

def route_target_kind(target_id: str) -> str:
    """The kind of a route target as tests write it: an AWS id or "local" (`route_target_of`), or "blackhole"."""
    kind = "blackhole" if target_id == "blackhole" else route_target_of(target_id)
    if kind is None:
        raise ValueError(f"cannot tell the kind of route target {target_id!r}")
    return kind


def make_route(destination: str, target_id: str) -> Route:
    kind = route_target_kind(target_id)
    dest_fields = (
        {"destination_prefix_list_id": destination} if destination.startswith("pl-") else {"destination": ip_network(destination)}
    )
    return Route(
        **dest_fields,
        target=kind,  # type: ignore[arg-type]
        target_id=None if kind in ("local", "blackhole") else target_id,
        state="blackhole" if kind == "blackhole" else "active",
    )


def make_sg_rule(group_id: str, direction: str, spec: RuleSpec) -> SecurityGroupRule:
    protocol_text, lo, hi, peer = spec
    protocol = protocol_number(protocol_text)
    if protocol in PORTED_PROTOCOLS:
        lo, hi = (0 if lo is None else lo), (65535 if hi is None else hi)
    elif protocol in TYPED_PROTOCOLS:
        lo, hi = (-1 if lo is None else lo), (-1 if hi is None else hi)
    else:
        lo = hi = None
    peer_fields: dict[str, object]
    if peer == "self":
        peer_fields = {"security_group_id": group_id}
        peer_name = group_id
    elif peer.startswith("sg-"):
        peer_fields, peer_name = {"security_group_id": peer}, peer
    elif peer.startswith("pl-"):
        peer_fields, peer_name = {"prefix_list_id": peer}, peer
    else:
        net = ip_network(peer)
        peer_fields, peer_name = {"cidr": net}, str(net)
    return SecurityGroupRule(
        id=rule_id(group_id, direction, protocol, lo, hi, peer_name),
        direction=direction,  # type: ignore[arg-type]
        protocol=protocol,
        from_port=lo,
        to_port=hi,
        **peer_fields,  # type: ignore[arg-type]
    )


def make_acl_entry(spec: AclSpec, egress: bool) -> NetworkAclEntry:
    number, action, protocol_text, lo, hi, cidr = spec
    protocol = protocol_number(protocol_text)
    if protocol in PORTED_PROTOCOLS:
        lo, hi = (0 if lo is None else lo), (65535 if hi is None else hi)
    elif protocol not in TYPED_PROTOCOLS:
        lo = hi = None
    return NetworkAclEntry(
        rule_number=number, egress=egress, action=action, protocol=protocol,  # type: ignore[arg-type]
        from_port=lo, to_port=hi, cidr=ip_network(cidr),
    )


@dataclass
class _VpcParts:
    vpc: Vpc
    main_table: str
    default_acl: str
    default_sg: str


@dataclass
class EstateBuilder:
    """Collects records; `build()` returns a canonical Snapshot.

    Each VPC comes with AWS's defaults: a main route table (only `local`), a default NACL that allows
    everything, and a default security group (members may reach each other; all egress allowed).
    Pass `defaults=False` to `vpc()` to add them yourself.
    """

    account: str = "111111111111"
    region: str = "us-east-1"
    _vpcs: dict[str, _VpcParts] = field(default_factory=dict)
    _subnets: dict[str, Subnet] = field(default_factory=dict)
    _tables: dict[str, RouteTable] = field(default_factory=dict)
    _acls: dict[str, NetworkAcl] = field(default_factory=dict)
    _groups: dict[str, SecurityGroup] = field(default_factory=dict)
    _igws: list[InternetGateway] = field(default_factory=list)
    _eigws: list[EgressOnlyInternetGateway] = field(default_factory=list)
    _nats: list[NatGateway] = field(default_factory=list)
    _peerings: list[VpcPeering] = field(default_factory=list)
    _prefix_lists: list[PrefixList] = field(default_factory=list)
    _endpoints: list[Endpoint] = field(default_factory=list)
    _instances: list[Instance] = field(default_factory=list)
    _rds: list[RdsInstance] = field(default_factory=list)
    _assumptions: list[str] = field(default_factory=list)
    _extra: dict[str, list] = field(default_factory=dict)
    _tgw_tables: dict[str, TransitGatewayRouteTable] = field(default_factory=dict)

    # -- network -----------------------------------------------------------------------------------
    def vpc(self, vpc_id: str, cidr: str | Sequence[str], *, ipv6: str | None = None, tags: dict[str, str] | None = None,
            defaults: bool = True, account: str | None = None, region: str | None = None) -> str:
        cidrs = (cidr,) if isinstance(cidr, str) else tuple(cidr)
        vpc = Vpc(id=vpc_id, account=account or self.account, region=region or self.region,
                  cidrs=tuple(ip_network(c) for c in cidrs),  # type: ignore[misc]
                  ipv6_cidrs=(ip_network(ipv6),) if ipv6 else (), tags=tags or {})  # type: ignore[arg-type]
        parts = _VpcParts(vpc, f"rtb-{vpc_id}-main", f"acl-{vpc_id}-default", f"sg-{vpc_id}-default")
        self._vpcs[vpc_id] = parts
        if defaults:
            self._tables[parts.main_table] = RouteTable(id=parts.main_table, vpc_id=vpc_id, is_main=True)
            entries = ALLOW_ALL_V4 + (ALLOW_ALL_V6 if ipv6 else ())
            self.nacl(parts.default_acl, vpc_id, ingress=entries, egress=entries, default=True)
            self.security_group(parts.default_sg, vpc_id, ingress=[("-1", None, None, "self")],
                                egress=[("-1", None, None, "0.0.0.0/0")] + ([("-1", None, None, "::/0")] if ipv6 else []),
                                name="default", default=True)
        return vpc_id

    def default_security_group(self, vpc_id: str) -> str:
        return self._vpcs[vpc_id].default_sg

    def main_route_table(self, vpc_id: str) -> str:
        return self._vpcs[vpc_id].main_table

    def subnet(self, subnet_id: str, vpc_id: str, cidr: str | None, *, ipv6: str | None = None, az: str = "us-east-1a",
               tags: dict[str, str] | None = None) -> str:
        self._subnets[subnet_id] = Subnet(
            id=subnet_id, vpc_id=vpc_id, cidr=ip_network(cidr) if cidr else None,  # type: ignore[arg-type]
            ipv6_cidr=ip_network(ipv6) if ipv6 else None, availability_zone=az, tags=tags or {},  # type: ignore[arg-type]
        )
        default_acl = self._vpcs[vpc_id].default_acl if vpc_id in self._vpcs else None
        if default_acl in self._acls and not any(subnet_id in a.subnet_ids for a in self._acls.values()):
            acl = self._acls[default_acl]
            self._acls[default_acl] = acl.model_copy(update={"subnet_ids": acl.subnet_ids + (subnet_id,)})
        return subnet_id

    def route_table(self, table_id: str, vpc_id: str, *, subnets: Iterable[str] = (), routes: Iterable[RouteSpec] = (),
                    main: bool = False) -> str:
        if main:
            old = self._vpcs[vpc_id].main_table
            self._tables.pop(old, None)
            self._vpcs[vpc_id].main_table = table_id
        self._tables[table_id] = RouteTable(id=table_id, vpc_id=vpc_id, is_main=main, subnet_ids=tuple(subnets),
                                            routes=tuple(make_route(d, t) for d, t in routes))
        return table_id

    def add_routes(self, table_id: str, routes: Iterable[RouteSpec]) -> None:
        table = self._tables[table_id]
        self._tables[table_id] = table.model_copy(update={"routes": table.routes + tuple(make_route(d, t) for d, t in routes)})

    def igw(self, igw_id: str, vpc_id: str | None) -> str:
        self._igws.append(InternetGateway(id=igw_id, vpc_ids=(vpc_id,) if vpc_id else ()))
        return igw_id

    def eigw(self, eigw_id: str, vpc_id: str) -> str:
        self._eigws.append(EgressOnlyInternetGateway(id=eigw_id, vpc_id=vpc_id))
        return eigw_id

    def nat(self, nat_id: str, subnet_id: str, private_ip: str, public_ip: str | None = None) -> str:
        connectivity = "public" if public_ip else "private"
        self._nats.append(NatGateway(id=nat_id, subnet_id=subnet_id, connectivity=connectivity,
                                     private_ip=IPv4Address(private_ip), public_ip=IPv4Address(public_ip) if public_ip else None))
        self._endpoints.append(Endpoint(id=f"eni-{nat_id}", kind="nat-gateway", owner_id=nat_id, subnet_id=subnet_id,
                                        private_ips=(IPv4Address(private_ip),),
                                        public_ips=(IPv4Address(public_ip),) if public_ip else ()))
        return nat_id

    def peering(self, pcx_id: str, requester_vpc: str, accepter_vpc: str, *, status: str = "active") -> str:
        req, acc = self._vpcs.get(requester_vpc), self._vpcs.get(accepter_vpc)
        self._peerings.append(VpcPeering(
            id=pcx_id, requester_vpc_id=requester_vpc, accepter_vpc_id=accepter_vpc, status=status,
            requester_account=req.vpc.account if req else None, accepter_account=acc.vpc.account if acc else None,
            requester_region=req.vpc.region if req else None, accepter_region=acc.vpc.region if acc else None,
        ))
        return pcx_id

    # -- security ----------------------------------------------------------------------------------
    def security_group(self, group_id: str, vpc_id: str, *, ingress: Iterable[RuleSpec] = (),
                       egress: Iterable[RuleSpec] | None = None, name: str | None = None, default: bool = False,
                       tags: dict[str, str] | None = None) -> str:
        """A group; `egress=None` gives AWS's default for a new group (all traffic to 0.0.0.0/0)."""
        if egress is None:
            egress = [("-1", None, None, "0.0.0.0/0")]
        self._groups[group_id] = SecurityGroup(
            id=group_id, vpc_id=vpc_id, name=name or group_id, is_default=default, tags=tags or {},
            ingress=tuple(make_sg_rule(group_id, "ingress", r) for r in ingress),
            egress=tuple(make_sg_rule(group_id, "egress", r) for r in egress),
        )
        return group_id

    def nacl(self, acl_id: str, vpc_id: str, *, subnets: Iterable[str] = (), ingress: Iterable[AclSpec] = (),
             egress: Iterable[AclSpec] = (), default: bool = False) -> str:
        """A NACL; associating a subnet moves it away from the NACL it had."""
        subnets = tuple(subnets)
        for other_id, other in list(self._acls.items()):
            if set(subnets) & set(other.subnet_ids):
                self._acls[other_id] = other.model_copy(
                    update={"subnet_ids": tuple(s for s in other.subnet_ids if s not in subnets)})
        self._acls[acl_id] = NetworkAcl(
            id=acl_id, vpc_id=vpc_id, is_default=default, subnet_ids=subnets,
            entries=tuple(make_acl_entry(e, False) for e in ingress) + tuple(make_acl_entry(e, True) for e in egress),
        )
        return acl_id

    def prefix_list(self, pl_id: str, cidrs: Iterable[str] | None, *, aws_managed: bool = False) -> str:
        self._prefix_lists.append(PrefixList(id=pl_id, name=pl_id, aws_managed=aws_managed,
                                             entries=None if cidrs is None else tuple(ip_network(c) for c in cidrs)))  # type: ignore[misc]
        return pl_id

    # -- endpoints ---------------------------------------------------------------------------------
    def instance(self, instance_id: str, subnet_id: str, private_ip: str, *, groups: Iterable[str] | None = None,
                 public_ip: str | None = None, ipv6: Iterable[str] = (), tags: dict[str, str] | None = None,
                 source_dest_check: bool = True, state: str = "running") -> str:
        """An instance with one ENI (`eni-<instance id>`); groups default to the VPC's default group."""
        vpc_id = self._subnets[subnet_id].vpc_id
        group_ids = tuple(groups) if groups is not None else (self._vpcs[vpc_id].default_sg,)
        self._instances.append(Instance(id=instance_id, state=state, subnet_id=subnet_id, tags=tags or {}))
        self._endpoints.append(Endpoint(
            id=f"eni-{instance_id}", kind="instance", owner_id=instance_id, subnet_id=subnet_id,
            security_group_ids=group_ids, private_ips=(IPv4Address(private_ip),),
            public_ips=(IPv4Address(public_ip),) if public_ip else (),
            ipv6_addresses=tuple(IPv6Address(a) for a in ipv6), source_dest_check=source_dest_check,
            owner_tags=tags or {},
        ))
        return f"eni-{instance_id}"

    def rds(self, db_id: str, subnet_ids: Sequence[str], *, groups: Iterable[str], private_ip: str | None = None,
            publicly_accessible: bool = False, public_ip: str | None = None, tags: dict[str, str] | None = None,
            port: int = 5432) -> None:
        """An RDS instance; without `private_ip` its address is any address of its subnet group's subnets."""
        group_ids = tuple(groups)
        self._rds.append(RdsInstance(id=db_id, identifier=db_id, subnet_group=f"{db_id}-subnets", subnet_ids=tuple(subnet_ids),
                                     security_group_ids=group_ids, publicly_accessible=publicly_accessible,
                                     port=port, tags=tags or {}))
        placements = subnet_ids[:1] if private_ip else subnet_ids
        for subnet_id in placements:
            self._endpoints.append(Endpoint(
                id=f"{db_id}@{subnet_id}", kind="rds", owner_id=db_id, subnet_id=subnet_id, security_group_ids=group_ids,
                private_ips=(IPv4Address(private_ip),) if private_ip else (), address_unknown=private_ip is None,
                public_ips=(IPv4Address(public_ip),) if public_ip else (),
                public_address_unknown=publicly_accessible and public_ip is None,
                owner_tags=tags or {},
            ))

    # -- transit gateways ----------------------------------------------------------------------------
    def transit_gateway(self, tgw_id: str, *, default_tables: bool = False) -> str:
        """A TGW; `default_tables=True` gives AWS's default: one table for association and propagation."""
        table = f"tgw-rtb-{tgw_id}-default" if default_tables else None
        self.add("transit_gateways", TransitGateway(
            id=tgw_id, account=self.account, region=self.region, default_route_table_association=default_tables,
            default_route_table_propagation=default_tables, association_default_route_table_id=table,
            propagation_default_route_table_id=table))
        if table:
            self._tgw_tables[table] = TransitGatewayRouteTable(id=table, transit_gateway_id=tgw_id,
                                                               is_default_association=True, is_default_propagation=True)
        return tgw_id

    def tgw_attachment(self, att_id: str, tgw_id: str, vpc_id: str, subnets: Iterable[str]) -> str:
        """A VPC attachment; with default tables it is associated with and propagates to the default table."""
        self.add("transit_gateway_attachments", TransitGatewayAttachment(
            id=att_id, transit_gateway_id=tgw_id, kind="vpc", resource_id=vpc_id, subnet_ids=tuple(subnets)))
        default = f"tgw-rtb-{tgw_id}-default"
        if default in self._tgw_tables:
            table = self._tgw_tables[default]
            self._tgw_tables[default] = table.model_copy(update={"associations": table.associations + (att_id,),
                                                                 "propagations": table.propagations + (att_id,)})
        return att_id

    def tgw_route_table(self, table_id: str, tgw_id: str, *, associations: Iterable[str] = (),
                        propagations: Iterable[str] = (), routes: Iterable[tuple[str, str | None]] = ()) -> str:
        """A TGW route table; routes are (CIDR, attachment id or None for a blackhole), all static."""
        self._tgw_tables[table_id] = TransitGatewayRouteTable(
            id=table_id, transit_gateway_id=tgw_id, associations=tuple(associations), propagations=tuple(propagations),
            routes=tuple(TransitGatewayRoute(destination=ip_network(d), attachment_ids=(a,) if a else (),
                                             state="active" if a else "blackhole") for d, a in routes))
        return table_id

    def endpoint(self, endpoint: Endpoint) -> None:
        self._endpoints.append(endpoint)

    def assume(self, text: str) -> None:
        self._assumptions.append(text)

    def add(self, collection: str, record: object) -> None:
        """Add any other record (incomplete markers, unsupported constructs, …) to a snapshot collection."""
        self._extra.setdefault(collection, []).append(record)

    # -- result ------------------------------------------------------------------------------------
    def build(self) -> Snapshot:
        snapshot = Snapshot(
            source=SourceInfo(kind="topology"),
            vpcs=tuple(p.vpc for p in self._vpcs.values()),
            subnets=tuple(self._subnets.values()),
            route_tables=tuple(self._tables.values()),
            internet_gateways=tuple(self._igws),
            egress_only_internet_gateways=tuple(self._eigws),
            nat_gateways=tuple(self._nats),
            vpc_peerings=tuple(self._peerings),
            security_groups=tuple(self._groups.values()),
            prefix_lists=tuple(self._prefix_lists),
            network_acls=tuple(self._acls.values()),
            endpoints=tuple(self._endpoints),
            instances=tuple(self._instances),
            rds_instances=tuple(self._rds),
            assumptions=tuple(self._assumptions),
        )
        if self._tgw_tables:
            self._extra.setdefault("transit_gateway_route_tables", [])
            extra_tables = [t for t in self._extra["transit_gateway_route_tables"] if t.id not in self._tgw_tables]
            self._extra["transit_gateway_route_tables"] = extra_tables + list(self._tgw_tables.values())
        if self._extra:
            snapshot = snapshot.model_copy(update={k: getattr(snapshot, k) + tuple(v) for k, v in self._extra.items()})
        return canonical(snapshot)


def ip(text: str) -> IPv4Address | IPv6Address:
    return ip_address(text)
