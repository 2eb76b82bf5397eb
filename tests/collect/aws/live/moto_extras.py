"""Calls the collector makes that moto does not implement yet, answered the way AWS answers an account
that has none of them: DescribeClientVpnEndpoints and the two Direct Connect gateway calls.  And one moto
bug: a static transit gateway route keeps its attachment as an object where AWS answers a list, so
SearchTransitGatewayRoutes lost it (every static route looked like a blackhole).  And moto answers
DescribeSecurityGroups in one page whatever MaxResults says; AWS pages it (`MaxResults`/`NextToken`), so
the pagination tests do too.

Where moto answers differently from AWS, in ways the scenario tests (`scenarios/`) would otherwise inherit:

* transit gateway associations: moto reports, for every attachment, the table it was given at creation,
  whatever AssociateTransitGatewayRouteTable / DisassociateTransitGatewayRouteTable did since, and it
  associates a new VPC attachment with the default table even when the gateway has
  `DefaultRouteTableAssociation: disable`.  AWS reports the table the attachment is associated with now.
  Here DescribeTransitGatewayAttachments answers from moto's own per-table association records, a new
  VPC attachment is associated only when the option is on, and a VPN attachment (which moto never
  records) is associated with the default table when it is on, as AWS does;
* transit gateway peering: moto keeps one record for both sides, so the accepter's account and region
  see the requester's side (its gateway as `TransitGatewayId`, its association).  AWS shows each side its
  own gateway, peer and association; so does this;
* subnets: moto nests the IPv6 block's state one level too deep (`{"State": "{'State': 'associated'}"}`);
  AWS answers `{"State": "associated"}`;
* interface VPC endpoints: moto gives each endpoint network interface a random 10.x.y.z address (not in
  its subnet), no security group of the endpoint, no description and the status of an unattached
  interface (`available`, which carries no traffic).  AWS gives it an address in the subnet, the
  endpoint's groups, `InterfaceType: vpc_endpoint`, "VPC Endpoint Interface vpce-…" and `in-use`;
* elbv2 load balancers: moto makes no network interface.  AWS makes one per subnet, `in-use`, described
  "ELB app/<name>/<id>" (`net/…` for a network load balancer; moto names every ARN `app/…`), requested
  by `amazon-elb`, with the balancer's groups and, when internet-facing, a public IPv4 of Amazon's;
* Lambda functions in a VPC: moto makes no network interface (and names the VPC `vpc-123abc`).  AWS
  makes them in the function's subnets, `InterfaceType: lambda`, described "AWS Lambda VPC
  ENI-<function>-<uuid>", with the function's groups; so does this (one per subnet).

`DX_GATEWAYS` / `DX_ASSOCIATIONS` (by account) let a test give an account Direct Connect gateways.
`install()` patches moto's response classes (in-process `mock_aws`, or the moto server launched by
`python -m tests.collect.aws.live.moto_server`).  Nothing in zonecheck knows about this.
"""

from __future__ import annotations

import json
from typing import Any

DX_GATEWAYS: dict[str, list[dict[str, Any]]] = {}
DX_ASSOCIATIONS: dict[str, list[dict[str, Any]]] = {}

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.core.responses import ActionResult
    from moto.directconnect.responses import DirectConnectResponse
    from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRouteTableBackend
    from moto.ec2.responses import EC2Response

    def describe_client_vpn_endpoints(self: Any) -> Any:
        return ActionResult({"ClientVpnEndpoints": []})

    def describe_direct_connect_gateways(self: Any) -> str:
        return json.dumps({"directConnectGateways": DX_GATEWAYS.get(self.current_account, [])})

    def describe_direct_connect_gateway_associations(self: Any) -> str:
        wanted = json.loads(self.body or "{}").get("directConnectGatewayId")
        found = [a for a in DX_ASSOCIATIONS.get(self.current_account, [])
                 if wanted is None or a.get("directConnectGatewayId") == wanted]
        return json.dumps({"directConnectGatewayAssociations": found})

    create_route = TransitGatewayRouteTableBackend.create_transit_gateway_route

    def create_transit_gateway_route(self: Any, *args: Any, **kwargs: Any) -> Any:
        route = create_route(self, *args, **kwargs)
        if isinstance(route.get("transitGatewayAttachments"), dict):
            route["transitGatewayAttachments"] = [route["transitGatewayAttachments"]]
        return route

    TransitGatewayRouteTableBackend.create_transit_gateway_route = create_transit_gateway_route  # type: ignore[method-assign]
    groups = EC2Response.describe_security_groups

    def describe_security_groups(self: Any) -> Any:
        answer = groups(self)
        size = self._get_int_param("MaxResults")
        if not size:
            return answer
        found = answer.result["SecurityGroups"]
        start = int(self._get_param("NextToken") or 0)
        page: dict[str, Any] = {"SecurityGroups": found[start:start + size]}
        if start + size < len(found):
            page["NextToken"] = str(start + size)
        return ActionResult(page)

    EC2Response.describe_security_groups = describe_security_groups  # type: ignore[method-assign]
    _install_transit_gateway_views()
    _install_subnet_ipv6_state()
    _install_interface_endpoint_interfaces()
    _install_load_balancer_interfaces()
    _install_lambda_interfaces()
    if not hasattr(EC2Response, "describe_client_vpn_endpoints"):
        EC2Response.describe_client_vpn_endpoints = describe_client_vpn_endpoints  # type: ignore[attr-defined]
    if not hasattr(DirectConnectResponse, "describe_direct_connect_gateways"):
        DirectConnectResponse.describe_direct_connect_gateways = describe_direct_connect_gateways  # type: ignore[attr-defined]
    if not hasattr(DirectConnectResponse, "describe_direct_connect_gateway_associations"):
        DirectConnectResponse.describe_direct_connect_gateway_associations = (  # type: ignore[attr-defined]
            describe_direct_connect_gateway_associations)
    _INSTALLED = True


# -- transit gateway associations and peering sides ------------------------------------------------------------


class _AttachmentView:
    """A transit gateway attachment as the asking account and region see it (see the module docstring)."""

    def __init__(self, attachment: Any, backend: Any) -> None:
        self._attachment = attachment
        accepter = (attachment.resource_type == "peering" and attachment.transit_gateway_id not in backend.transit_gateways
                    and attachment.resource_id in backend.transit_gateways)
        self.transit_gateway_id = attachment.resource_id if accepter else attachment.transit_gateway_id
        self.resource_id = attachment.transit_gateway_id if accepter else attachment.resource_id
        if accepter:
            self.transit_gateway_owner_id = attachment.accepter_tgw_info["OwnerId"]
            self.resource_owner_id = attachment.requester_tgw_info["OwnerId"]
        table = next((t for t in backend.transit_gateways_route_tables.values()
                      if t.transit_gateway_id == self.transit_gateway_id and t.state != "deleted"
                      and attachment.id in t.route_table_associations), None)
        self.association = ({"State": "associated", "TransitGatewayRouteTableId": table.id}
                            if table is not None and attachment.state == "available" else None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._attachment, name)


def _install_transit_gateway_views() -> None:
    from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachmentBackend
    from moto.ec2.responses import EC2Response

    describe = EC2Response.describe_transit_gateway_attachments

    def describe_transit_gateway_attachments(self: Any) -> Any:
        answer: Any = describe(self)
        answer.result["TransitGatewayAttachments"] = [
            _AttachmentView(a, self.ec2_backend) for a in answer.result["TransitGatewayAttachments"]]
        return answer

    def default_table(backend: Any, transit_gateway_id: str) -> Any:
        gateway = backend.transit_gateways[transit_gateway_id]
        enabled = str(gateway.options.get("DefaultRouteTableAssociation", "enable")).lower() == "enable"
        return gateway.default_route_table if enabled else None

    create_vpc_attachment = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment

    def create_transit_gateway_vpc_attachment(self: Any, transit_gateway_id: str, *args: Any, **kwargs: Any) -> Any:
        attachment = create_vpc_attachment(self, transit_gateway_id, *args, **kwargs)
        if default_table(self, transit_gateway_id) is None:
            for table in self.transit_gateways_route_tables.values():
                table.route_table_associations.pop(attachment.id, None)
        return attachment

    create_vpn_attachment = TransitGatewayAttachmentBackend.create_transit_gateway_vpn_attachment

    def create_transit_gateway_vpn_attachment(self: Any, vpn_id: str, transit_gateway_id: str, *args: Any,
                                              **kwargs: Any) -> Any:
        attachment = create_vpn_attachment(self, vpn_id, transit_gateway_id, *args, **kwargs)
        table = default_table(self, transit_gateway_id)
        if table is not None:
            self.set_route_table_association(attachment.id, table.id)
        return attachment

    EC2Response.describe_transit_gateway_attachments = describe_transit_gateway_attachments  # type: ignore[method-assign]
    TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment = (  # type: ignore[method-assign]
        create_transit_gateway_vpc_attachment)
    TransitGatewayAttachmentBackend.create_transit_gateway_vpn_attachment = (  # type: ignore[method-assign]
        create_transit_gateway_vpn_attachment)


# -- subnets' IPv6 blocks ----------------------------------------------------------------------------------


def _install_subnet_ipv6_state() -> None:
    from moto.ec2.models.subnets import Subnet

    def ipv6_cidr_block_association_set(self: Any) -> list[dict[str, Any]]:
        return [{"ipv6CidrBlock": a["ipv6CidrBlock"], "associationId": a["associationId"],
                 "ipv6CidrBlockState": dict(a["ipv6CidrBlockState"])}
                for a in self.ipv6_cidr_block_associations.values()
                if a["ipv6CidrBlockState"]["State"] == "associated"]

    Subnet.ipv6_cidr_block_association_set = property(ipv6_cidr_block_association_set)  # type: ignore[assignment]


# -- network interfaces AWS makes for the services it runs in a VPC ------------------------------------------


def _free_address(subnet: Any) -> str:
    """The next address of `subnet` that moto's own allocator (the one instances get theirs from) has not
    given out, reserved so that no instance gets it later."""
    return str(subnet.get_available_subnet_ip(None))


def _managed_interface(backend: Any, subnet: Any, groups: list[Any], description: str, interface_type: str,
                       requester: str) -> Any:
    """A requester-managed interface in use, as AWS makes them for the services it runs in a VPC."""
    address = _free_address(subnet)
    eni = backend.create_network_interface(subnet, address, description=description)
    eni._group_set = groups
    eni.interface_type = interface_type
    eni.requester_managed = True
    eni.requester_id = requester
    eni.status = "in-use"
    return eni


def _install_interface_endpoint_interfaces() -> None:
    from moto.ec2.models.vpcs import VPCBackend

    create = VPCBackend.create_vpc_endpoint

    def create_vpc_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        endpoint = create(self, *args, **kwargs)
        if (endpoint.vpc_endpoint_type or "").lower() != "interface":
            return endpoint
        groups = [self.get_security_group_from_id(g) for g in endpoint.security_group_ids]
        if not groups:
            groups = [self.get_security_group_from_name("default", vpc_id=endpoint.vpc_id)]
        made = []
        for eni_id in endpoint.network_interface_ids:
            subnet = self.enis.pop(eni_id).subnet
            made.append(_managed_interface(self, subnet, groups, f"VPC Endpoint Interface {endpoint.id}", "vpc_endpoint",
                                           "727180483921").id)
        endpoint.network_interface_ids = made
        return endpoint

    VPCBackend.create_vpc_endpoint = create_vpc_endpoint  # type: ignore[method-assign]


def _install_load_balancer_interfaces() -> None:
    import random

    from moto.elbv2.models import ELBv2Backend

    create = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
        balancer = create(self, *args, **kwargs)
        ec2 = self.ec2_backend
        network = (balancer.type or "").lower() == "network"
        path = balancer.arn.split("loadbalancer/", 1)[1]
        groups = [ec2.get_security_group_from_id(g) for g in balancer.security_groups or []]
        for subnet in balancer.subnets:
            eni = _managed_interface(ec2, subnet, groups, f"ELB {path}",
                                     "network_load_balancer" if network else "interface", "amazon-elb")
            if balancer.scheme == "internet-facing":
                eni.public_ip = f"3.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        return balancer

    ELBv2Backend.create_load_balancer = create_load_balancer  # type: ignore[method-assign]


def _install_lambda_interfaces() -> None:
    import uuid

    from moto.awslambda.models import LambdaBackend
    from moto.ec2.models import ec2_backends

    create = LambdaBackend.create_function

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        function = create(self, spec)
        config = spec.get("VpcConfig") or {}
        if config.get("SubnetIds"):
            ec2 = ec2_backends[self.account_id][self.region_name]
            groups = [ec2.get_security_group_from_id(g) for g in config.get("SecurityGroupIds") or []]
            name = spec["FunctionName"]
            for subnet_id in config["SubnetIds"]:
                _managed_interface(ec2, ec2.get_subnet(subnet_id), groups, f"AWS Lambda VPC ENI-{name}-{uuid.uuid4()}",
                                   "lambda", f"AROAZONECHECKLAMBDA:{name}")
        return function

    LambdaBackend.create_function = create_function  # type: ignore[method-assign]
