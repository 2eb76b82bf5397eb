"""A multi-VPC estate built with boto3 (against moto, in-process or a moto server), and the policy it is
checked against.

    app VPC 10.10.0.0/16 ── peering ── data VPC 10.20.0.0/16       shared VPC 10.30.0.0/16
      public 10.10.1.0/24  web (EIP; 443 from anywhere, 22 from the office prefix list)
      private 10.10.2.0/24 app ──────── tgw ────────────────────── tools (8080 from 10.10.0.0/16)
                                         └─ VPN (static 192.168.0.0/16, a pre-shared key)
                           data: db1/db2 → RDS "orders" (5432 from the app group, across the peering)
                                 ops 10.20.3.0/24 → ops (22 from 10.10.0.0/16, but its NACL denies the app subnet)

Verdicts: app → db fails (tcp 5432 over the peering, admitted by a security group reference); app → ops
passes (the NACL deny); internet → web fails outside 443 (tcp 22 from the office prefix list); app → tools
gets tcp 8080 over the transit gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

REGION = "us-east-1"
OFFICE = "81.2.69.0/24"
WEB_PUBLIC_IP = "54.214.10.20"
PRE_SHARED_KEY = "zonecheckTunnelKey0123456789abc"

POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: app}}]}
  public-web: {match: [{tags: {Zone: public-web}}]}
  private-db: {match: [{tags: {Zone: private-db}}]}
  ops: {match: [{tags: {Zone: ops}}]}
  shared-tools: {match: [{tags: {Zone: shared-tools}}]}
assertions:
  - {name: app-cannot-reach-db, from: app, to: private-db, expect: no-access}
  - {name: app-cannot-ssh-to-ops, from: app, to: ops, expect: no-access}
  - {name: internet-reaches-web-on-https-only, from: internet, to: public-web, expect: {only: [tcp/443]}}
  - {name: app-reaches-tools, from: app, to: shared-tools, expect: {access: [tcp/8080]}}
"""

EXPECTED = {"app-cannot-reach-db": "fail", "app-cannot-ssh-to-ops": "pass",
            "internet-reaches-web-on-https-only": "fail", "app-reaches-tools": "pass"}


@dataclass
class Estate:
    ids: dict[str, str] = field(default_factory=dict)
    """Logical name → the id AWS (moto) gave it."""
    addresses: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


def tags(resource: str, **values: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in values.items()]}]


def allow_default_group_members(ec2: Any, vpc_id: str) -> str:
    """Real AWS gives every default group a rule admitting its own members; moto does not: add it here."""
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    if not any(p.get("UserIdGroupPairs") for p in group.get("IpPermissions", [])):
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group["GroupId"]}]}])
    return group["GroupId"]


def build(session: boto3.Session) -> Estate:
    ec2 = session.client("ec2", region_name=REGION)
    rds = session.client("rds", region_name=REGION)
    e = Estate()

    def vpc(name: str, cidr: str) -> str:
        vpc_id = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=tags("vpc", Name=name))["Vpc"]["VpcId"]
        e.ids[f"vpc-{name}"] = vpc_id
        e.ids[f"sg-default-{name}"] = allow_default_group_members(ec2, vpc_id)
        e.ids[f"rtb-main-{name}"] = ec2.describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]
        e.ids[f"acl-default-{name}"] = ec2.describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]
        return vpc_id

    def subnet(name: str, vpc_name: str, cidr: str, zone: str = "us-east-1a") -> str:
        subnet_id = ec2.create_subnet(VpcId=e[f"vpc-{vpc_name}"], CidrBlock=cidr, AvailabilityZone=zone,
                                      TagSpecifications=tags("subnet", Name=name))["Subnet"]["SubnetId"]
        e.ids[f"subnet-{name}"] = subnet_id
        return subnet_id

    def table(name: str, vpc_name: str, *subnets: str) -> str:
        table_id = ec2.create_route_table(VpcId=e[f"vpc-{vpc_name}"],
                                          TagSpecifications=tags("route-table", Name=name))["RouteTable"]["RouteTableId"]
        for s in subnets:
            ec2.associate_route_table(RouteTableId=table_id, SubnetId=e[f"subnet-{s}"])
        e.ids[f"rtb-{name}"] = table_id
        return table_id

    def group(name: str, vpc_name: str, ingress: list[dict[str, Any]]) -> str:
        group_id = ec2.create_security_group(GroupName=name, Description=name, VpcId=e[f"vpc-{vpc_name}"])["GroupId"]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
        e.ids[f"sg-{name}"] = group_id
        return group_id

    def instance(name: str, subnet_name: str, group_name: str, zone_tag: str) -> str:
        found = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                  SubnetId=e[f"subnet-{subnet_name}"], SecurityGroupIds=[e[f"sg-{group_name}"]],
                                  TagSpecifications=tags("instance", Name=name, Zone=zone_tag))["Instances"][0]
        e.ids[f"i-{name}"] = found["InstanceId"]
        e.ids[f"eni-{name}"] = found["NetworkInterfaces"][0]["NetworkInterfaceId"]
        e.addresses[name] = found["PrivateIpAddress"]
        return found["InstanceId"]

    # -- VPCs, subnets, gateways, routes ---------------------------------------------------------------------
    vpc("app", "10.10.0.0/16")
    vpc("data", "10.20.0.0/16")
    vpc("shared", "10.30.0.0/16")
    subnet("public", "app", "10.10.1.0/24")
    subnet("private", "app", "10.10.2.0/24")
    subnet("db1", "data", "10.20.1.0/24", "us-east-1a")
    subnet("db2", "data", "10.20.2.0/24", "us-east-1b")
    subnet("ops", "data", "10.20.3.0/24")
    subnet("tools", "shared", "10.30.1.0/24")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=e["vpc-app"])
    e.ids["igw"] = igw
    pcx = ec2.create_vpc_peering_connection(VpcId=e["vpc-app"], PeerVpcId=e["vpc-data"])["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    e.ids["pcx"] = pcx
    table("public", "app", "public")
    ec2.create_route(RouteTableId=e["rtb-public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    table("private", "app", "private")
    ec2.create_route(RouteTableId=e["rtb-private"], DestinationCidrBlock="10.20.0.0/16", VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=e["rtb-main-data"], DestinationCidrBlock="10.10.0.0/16", VpcPeeringConnectionId=pcx)

    # -- transit gateway between app (private subnet) and shared, and a VPN on it ----------------------------
    tgw = ec2.create_transit_gateway(Description="core", Options={
        "DefaultRouteTableAssociation": "enable", "DefaultRouteTablePropagation": "enable"})["TransitGateway"]
    e.ids["tgw"] = tgw["TransitGatewayId"]
    e.ids["tgw-rtb"] = tgw["Options"]["AssociationDefaultRouteTableId"]
    for name, vpc_name, subnet_name in (("app", "app", "private"), ("shared", "shared", "tools")):
        e.ids[f"tgw-attach-{name}"] = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=e["tgw"], VpcId=e[f"vpc-{vpc_name}"], SubnetIds=[e[f"subnet-{subnet_name}"]])[
            "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=e["tgw-rtb"],
                                                          TransitGatewayAttachmentId=e[f"tgw-attach-{name}"])
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=e["tgw-rtb"], DestinationCidrBlock="10.10.0.0/16",
                                     TransitGatewayAttachmentId=e["tgw-attach-app"])
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=e["tgw-rtb"], DestinationCidrBlock="10.30.0.0/16",
                                     TransitGatewayAttachmentId=e["tgw-attach-shared"])
    ec2.create_route(RouteTableId=e["rtb-private"], DestinationCidrBlock="10.30.0.0/16", TransitGatewayId=e["tgw"])
    ec2.create_route(RouteTableId=e["rtb-main-shared"], DestinationCidrBlock="10.10.0.0/16", TransitGatewayId=e["tgw"])
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65010)["CustomerGateway"]
    e.ids["cgw"] = cgw["CustomerGatewayId"]
    e.ids["vpn"] = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=e["cgw"], TransitGatewayId=e["tgw"],
        Options={"StaticRoutesOnly": True, "TunnelOptions": [{"PreSharedKey": PRE_SHARED_KEY}]})["VpnConnection"][
        "VpnConnectionId"]

    # -- network ACL of the ops subnet: deny ssh from the app subnet ------------------------------------------
    acl = ec2.create_network_acl(VpcId=e["vpc-data"], TagSpecifications=tags("network-acl", Name="ops"))["NetworkAcl"][
        "NetworkAclId"]
    e.ids["acl-ops"] = acl
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                     Egress=egress, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Protocol="6", RuleAction="deny", Egress=False,
                                 CidrBlock="10.10.2.0/24", PortRange={"From": 22, "To": 22})
    association = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [e["subnet-ops"]]}])[
        "NetworkAcls"][0]["Associations"]
    ec2.replace_network_acl_association(
        AssociationId=next(a["NetworkAclAssociationId"] for a in association if a["SubnetId"] == e["subnet-ops"]),
        NetworkAclId=acl)

    # -- prefix list, security groups, instances, Elastic IP ---------------------------------------------------
    e.ids["pl-office"] = ec2.create_managed_prefix_list(
        PrefixListName="office", AddressFamily="IPv4", MaxEntries=5,
        Entries=[{"Cidr": OFFICE, "Description": "office"}])["PrefixList"]["PrefixListId"]
    group("app", "app", [])
    group("web", "app", [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": e["pl-office"]}]}])
    group("db", "data", [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": e["sg-app"]}]}])
    group("ops", "data", [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.10.0.0/16"}]}])
    group("tools", "shared", [
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.10.0.0/16"}]}])
    instance("web", "public", "web", "public-web")
    instance("app", "private", "app", "app")
    instance("ops", "ops", "ops", "ops")
    instance("tools", "tools", "tools", "shared-tools")
    eip = ec2.allocate_address(Domain="vpc", Address=WEB_PUBLIC_IP)  # moto's own picks are in 127.0.0.0/8
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=e["i-web"])
    e.ids["eip"] = eip["AllocationId"]
    e.addresses["web-public"] = eip["PublicIp"]

    # -- RDS in the data VPC -----------------------------------------------------------------------------------
    rds.create_db_subnet_group(DBSubnetGroupName="orders", DBSubnetGroupDescription="orders",
                               SubnetIds=[e["subnet-db1"], e["subnet-db2"]])
    db = rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres",
                                MasterUsername="orders", MasterUserPassword="not-a-secret-0", AllocatedStorage=20,
                                DBSubnetGroupName="orders", VpcSecurityGroupIds=[e["sg-db"]], PubliclyAccessible=False,
                                Tags=[{"Key": "Zone", "Value": "private-db"}])["DBInstance"]
    e.ids["db"] = db.get("DbiResourceId") or db["DBInstanceIdentifier"]
    return e


__all__ = ["EXPECTED", "Estate", "OFFICE", "WEB_PUBLIC_IP", "POLICY", "PRE_SHARED_KEY", "REGION", "allow_default_group_members",
           "build", "tags"]
