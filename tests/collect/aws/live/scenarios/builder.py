"""Scenario estates built with boto3 calls (moto in-process, or a moto server), collected by the live
collector and decided through the public API, so that a test states: these AWS calls, this policy, this
verdict and these hops.

    b = Builder(session, "us-east-1")
    b.vpc("app", "10.0.0.0/16"); b.subnet("app", "app", "10.0.1.0/24")
    b.group("db", "app", allow("tcp", 5432, cidr="10.0.0.0/16"))
    b.instance("db", "app", "db", zone="private-db")
    result = decide(collect_region("us-east-1").snapshot, POLICY)

Every id AWS (moto) gives back is kept under a logical name (`b["sg-db"]`, `b["eni-db"]`), the way
`estate.Estate` does, so that witnesses are asserted against real ids.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from ipaddress import ip_network
from typing import Any, Iterator, Optional, Union

import boto3
from botocore.exceptions import ClientError

from tests.collect.aws.live.conftest import collect
from tests.collect.aws.live.estate import REGION, Estate, allow_default_group_members, tags
from zonecheck.cli.run import run_check
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult, CheckResult, Witness
from zonecheck.model import Snapshot
from zonecheck.policy import parse_policy_text

AMI = "ami-12c6146b"
Ports = Union[int, tuple[int, int], None]

_SESSION: Optional[boto3.Session] = None


def shared_session() -> boto3.Session:
    """One session for every scenario module: botocore parses its service models once per session (a second
    or so for EC2 alone).  Created on first use, under the parent conftest's `aws_env` (fake credentials,
    no config file of the machine's)."""
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.Session(region_name=REGION)
    return _SESSION


def allow(protocol: str, ports: Ports = None, *, cidr: Optional[str] = None, group: Optional[str] = None,
          prefix_list: Optional[str] = None) -> dict[str, Any]:
    """One IpPermission with one peer.  `ports`: a port, a (from, to) range, or for ICMP (type, code)."""
    low, high = (ports, ports) if isinstance(ports, int) else ports if ports is not None else (None, None)
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if low is not None:
        permission.update(FromPort=low, ToPort=high)
    if cidr is not None:
        key, field = ("Ipv6Ranges", "CidrIpv6") if ":" in cidr else ("IpRanges", "CidrIp")
        permission[key] = [{field: cidr}]
    if group is not None:
        permission["UserIdGroupPairs"] = [{"GroupId": group}]
    if prefix_list is not None:
        permission["PrefixListIds"] = [{"PrefixListId": prefix_list}]
    return permission


class Builder(Estate):
    """An `Estate` (logical name → id) with the calls that build one, in one account and region."""

    def __init__(self, session: boto3.Session, region: str, *, endpoint_url: Optional[str] = None) -> None:
        super().__init__()
        self.region = region
        self.ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint_url)
        self.elbv2 = session.client("elbv2", region_name=region, endpoint_url=endpoint_url)
        self._v6_blocks: dict[str, list[Any]] = {}

    # -- VPCs, subnets, routes ------------------------------------------------------------------------------

    def vpc(self, name: str, cidr: str, *, ipv6: bool = False) -> str:
        """A VPC with its main route table, default NACL and default group (with the members rule AWS gives
        every default group and moto does not)."""
        found = self.ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6,
                                    TagSpecifications=tags("vpc", Name=name))["Vpc"]
        vpc_id = found["VpcId"]
        self.ids[f"vpc-{name}"] = vpc_id
        if ipv6:
            block = ip_network(found["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])  # moto may write "…:0c00::"
            self._v6_blocks[name] = list(block.subnets(new_prefix=64))
            self.addresses[f"vpc-{name}-v6"] = str(block)
        self.ids[f"sg-default-{name}"] = allow_default_group_members(self.ec2, vpc_id)
        by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        self.ids[f"rtb-main-{name}"] = self.ec2.describe_route_tables(
            Filters=by_vpc + [{"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
        self.ids[f"acl-default-{name}"] = self.ec2.describe_network_acls(
            Filters=by_vpc + [{"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]
        return vpc_id

    def subnet(self, name: str, vpc: str, cidr: str, *, zone: str = "a", ipv6: Optional[int] = None) -> str:
        """`zone`: the Availability Zone letter; `ipv6`: which /64 of the VPC's /56 it gets."""
        extra: dict[str, Any] = {}
        if ipv6 is not None:
            extra["Ipv6CidrBlock"] = str(self._v6_blocks[vpc][ipv6])
            self.addresses[f"subnet-{name}-v6"] = extra["Ipv6CidrBlock"]
        subnet_id = self.ec2.create_subnet(VpcId=self[f"vpc-{vpc}"], CidrBlock=cidr, AvailabilityZone=self.region + zone,
                                           TagSpecifications=tags("subnet", Name=name), **extra)["Subnet"]["SubnetId"]
        self.ids[f"subnet-{name}"] = subnet_id
        return subnet_id

    def table(self, name: str, vpc: str, *subnets: str) -> str:
        table_id = self.ec2.create_route_table(VpcId=self[f"vpc-{vpc}"],
                                               TagSpecifications=tags("route-table", Name=name))["RouteTable"]["RouteTableId"]
        for subnet in subnets:
            self.ec2.associate_route_table(RouteTableId=table_id, SubnetId=self[f"subnet-{subnet}"])
        self.ids[f"rtb-{name}"] = table_id
        return table_id

    def route(self, table: str, destination: str, **target: str) -> None:
        """`destination`: an IPv4 or IPv6 CIDR or a prefix list id; `target`: CreateRoute's own keyword."""
        if destination.startswith("pl-"):
            where = {"DestinationPrefixListId": destination}
        elif ":" in destination:
            where = {"DestinationIpv6CidrBlock": destination}
        else:
            where = {"DestinationCidrBlock": destination}
        self.ec2.create_route(RouteTableId=self[f"rtb-{table}"], **where, **target)

    def igw(self, name: str, vpc: str) -> str:
        igw_id = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=self[f"vpc-{vpc}"])
        self.ids[f"igw-{name}"] = igw_id
        return igw_id

    def peering(self, name: str, requester: str, accepter: str) -> str:
        pcx = self.ec2.create_vpc_peering_connection(VpcId=self[f"vpc-{requester}"], PeerVpcId=self[f"vpc-{accepter}"])[
            "VpcPeeringConnection"]["VpcPeeringConnectionId"]
        self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        self.ids[f"pcx-{name}"] = pcx
        return pcx

    def acl(self, name: str, vpc: str, *subnets: str, entries: list[dict[str, Any]]) -> str:
        """A network ACL for `subnets`; `entries`: CreateNetworkAclEntry keywords (see `entry`)."""
        acl_id = self.ec2.create_network_acl(VpcId=self[f"vpc-{vpc}"],
                                             TagSpecifications=tags("network-acl", Name=name))["NetworkAcl"]["NetworkAclId"]
        self.ids[f"acl-{name}"] = acl_id
        self.entries(acl_id, entries)
        for subnet in subnets:
            subnet_id = self[f"subnet-{subnet}"]
            current = self.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
            association = next(a["NetworkAclAssociationId"] for acl in current["NetworkAcls"]
                               for a in acl["Associations"] if a["SubnetId"] == subnet_id)
            self.ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl_id)
        return acl_id

    def entries(self, acl_id: str, entries: list[dict[str, Any]]) -> None:
        for item in entries:
            self.ec2.create_network_acl_entry(NetworkAclId=acl_id, **item)

    # -- transit gateways -------------------------------------------------------------------------------------

    def transit_gateway(self, name: str, *, default_tables: bool) -> str:
        """`default_tables`: DefaultRouteTableAssociation and DefaultRouteTablePropagation both on (its
        default table is `tgw-rtb-<name>-default`) or both off."""
        value = "enable" if default_tables else "disable"
        found = self.ec2.create_transit_gateway(Description=name, Options={
            "DefaultRouteTableAssociation": value, "DefaultRouteTablePropagation": value})["TransitGateway"]
        self.ids[f"tgw-{name}"] = found["TransitGatewayId"]
        self.ids[f"tgw-rtb-{name}-default"] = found["Options"]["AssociationDefaultRouteTableId"]
        return found["TransitGatewayId"]

    def attach(self, name: str, tgw: str, vpc: str, *subnets: str) -> str:
        """A VPC attachment (`tgw-attach-<name>`) through `subnets`."""
        attachment = self.ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=self[f"tgw-{tgw}"], VpcId=self[f"vpc-{vpc}"],
            SubnetIds=[self[f"subnet-{s}"] for s in subnets])["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        self.ids[f"tgw-attach-{name}"] = attachment
        return attachment

    def tgw_table(self, name: str, tgw: str, *, associate: tuple[str, ...] = (), propagate: tuple[str, ...] = ()) -> str:
        """A route table (`tgw-rtb-<name>`) with the attachments (by name) it is associated with and the
        ones propagating into it."""
        table = self.ec2.create_transit_gateway_route_table(TransitGatewayId=self[f"tgw-{tgw}"])[
            "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        self.ids[f"tgw-rtb-{name}"] = table
        for attachment in associate:
            self.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                           TransitGatewayAttachmentId=self[f"tgw-attach-{attachment}"])
        self.propagate(table, *propagate)
        return table

    def propagate(self, table_id: str, *attachments: str) -> None:
        for attachment in attachments:
            self.ec2.enable_transit_gateway_route_table_propagation(
                TransitGatewayRouteTableId=table_id, TransitGatewayAttachmentId=self[f"tgw-attach-{attachment}"])

    # -- groups and hosts --------------------------------------------------------------------------------------

    def group(self, name: str, vpc: str, *ingress: dict[str, Any], egress: Optional[list[dict[str, Any]]] = None) -> str:
        """A group admitting `ingress`; its egress is AWS's default (all) unless `egress` replaces it."""
        group_id = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=self[f"vpc-{vpc}"])["GroupId"]
        if ingress:
            self.ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(ingress))
        if egress is not None:
            current = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissionsEgress"]
            if current:
                self.ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=current)
            if egress:
                self.ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=egress)
        self.ids[f"sg-{name}"] = group_id
        return group_id

    def instance(self, name: str, subnet: str, *groups: str, zone: Optional[str] = None, ipv6: bool = False) -> str:
        """A running instance (tagged `Zone: zone`) with the groups named; its ENI is `eni-<name>`."""
        extra: dict[str, Any] = {"Ipv6AddressCount": 1} if ipv6 else {}
        found = self.ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=self[f"subnet-{subnet}"],
            SecurityGroupIds=[self[f"sg-{g}"] for g in groups],
            TagSpecifications=tags("instance", Name=name, **({"Zone": zone} if zone else {})), **extra)["Instances"][0]
        interface = found["NetworkInterfaces"][0]
        self.ids[f"i-{name}"] = found["InstanceId"]
        self.ids[f"eni-{name}"] = interface["NetworkInterfaceId"]
        self.addresses[name] = found["PrivateIpAddress"]
        if ipv6:
            self.addresses[f"{name}-v6"] = interface["Ipv6Addresses"][0]["Ipv6Address"]
        return found["InstanceId"]

    def public_ip(self, name: str, address: str, *, interface: Optional[str] = None) -> str:
        """An Elastic IP (`address`: moto's own picks are in 127.0.0.0/8, not internet addresses) on
        instance `name`, or on the network interface `interface`."""
        eip = self.ec2.allocate_address(Domain="vpc", Address=address)
        if interface is not None:
            self.ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=interface)
        else:
            self.ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=self[f"i-{name}"])
        self.addresses[f"{name}-public"] = eip["PublicIp"]
        return eip["PublicIp"]


# -- collect and decide -----------------------------------------------------------------------------------------


def collect_regions(*regions: str, **options: Any) -> LiveCollection:
    """The live collector over `regions` of moto (in-process), with the scenarios' shared session unless
    `session` is given."""
    options.setdefault("session", shared_session())
    return collect(regions=regions, **options)


@contextmanager
def refusing(session: boto3.Session, errors: dict[str, str]) -> Iterator[boto3.Session]:
    """While inside, clients made from `session` fail the named operations with the given error codes, as
    AWS does for an action the caller's IAM policy does not grant."""
    def refuse(model: Any = None, **_: Any) -> None:
        if model is not None and model.name in errors:
            raise ClientError({"Error": {"Code": errors[model.name],
                                         "Message": f"You are not authorized to perform: {model.name}"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, model.name)

    session.events.register("before-call.*.*", refuse)
    try:
        yield session
    finally:
        session.events.unregister("before-call.*.*", refuse)


def decide(snapshot: Snapshot, policy: str, *, strict: bool = False) -> dict[str, AssertionResult]:
    """Every assertion of `policy` (YAML text), by name."""
    result: CheckResult = run_check(parse_policy_text(textwrap.dedent(policy), "zones.yaml"), snapshot, "zones.yaml",
                                    strict=strict)
    return {a.name: a for a in result.assertions}


def hops(witness: Witness) -> list[tuple[str, str, str]]:
    """(step, at, rule) of every hop."""
    return [(h.step, h.at, h.rule) for h in witness.path]


def steps(witness: Witness) -> list[str]:
    return [h.step for h in witness.path]


__all__ = ["AMI", "Builder", "allow", "shared_session", "collect_regions", "decide", "hops", "refusing", "steps"]
