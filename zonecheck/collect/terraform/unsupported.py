"""Network resources the engine does not model yet.

Each becomes an `Unsupported` record so that a path that could meet it is `unknown`, never `pass`
(SPEC §4).  Resources that carry no traffic (S3 buckets, IAM roles, flow logs…) are ignored silently.
"""

from __future__ import annotations

from typing import Callable, Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Findings
from zonecheck.collect.terraform.reader import TfResource

# Types another family maps, or that carry no traffic of their own although their prefix below would say so
# (certificates of a listener, the policy of an endpoint, the physical Direct Connect link…).
MODELLED = frozenset({
    "aws_ec2_transit_gateway", "aws_ec2_transit_gateway_vpc_attachment", "aws_ec2_transit_gateway_vpc_attachment_accepter",
    "aws_ec2_transit_gateway_route_table", "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation", "aws_ec2_transit_gateway_route",
    "aws_ec2_transit_gateway_peering_attachment", "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws_ec2_transit_gateway_prefix_list_reference", "aws_ec2_transit_gateway_connect",
    "aws_ec2_transit_gateway_connect_peer", "aws_ec2_transit_gateway_default_route_table_association",
    "aws_ec2_transit_gateway_default_route_table_propagation",
    "aws_vpn_gateway", "aws_vpn_gateway_attachment", "aws_vpn_gateway_route_propagation", "aws_vpn_connection",
    "aws_vpn_connection_route", "aws_customer_gateway",
    "aws_dx_gateway", "aws_dx_gateway_association", "aws_dx_gateway_association_proposal",
    "aws_dx_private_virtual_interface", "aws_dx_hosted_private_virtual_interface",
    "aws_dx_hosted_private_virtual_interface_accepter", "aws_dx_transit_virtual_interface",
    "aws_dx_hosted_transit_virtual_interface", "aws_dx_hosted_transit_virtual_interface_accepter",
    "aws_dx_public_virtual_interface", "aws_dx_hosted_public_virtual_interface",
    "aws_dx_hosted_public_virtual_interface_accepter", "aws_dx_connection", "aws_dx_connection_association",
    "aws_dx_connection_confirmation", "aws_dx_hosted_connection", "aws_dx_lag", "aws_dx_bgp_peer",
    "aws_dx_macsec_key_association",
    "aws_vpc_endpoint", "aws_vpc_endpoint_route_table_association", "aws_vpc_endpoint_subnet_association",
    "aws_vpc_endpoint_security_group_association", "aws_vpc_endpoint_policy", "aws_vpc_endpoint_private_dns",
    "aws_vpc_endpoint_connection_notification", "aws_vpc_endpoint_service_allowed_principal",
    "aws_vpc_endpoint_service_private_dns_verification",
    "aws_lb", "aws_alb", "aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule", "aws_alb_listener_rule",
    "aws_lb_target_group", "aws_alb_target_group", "aws_lb_target_group_attachment", "aws_alb_target_group_attachment",
    "aws_lb_listener_certificate", "aws_alb_listener_certificate", "aws_lb_cookie_stickiness_policy",
    "aws_lb_ssl_negotiation_policy", "aws_lb_trust_store", "aws_lb_trust_store_revocation",
    "aws_elb", "aws_elb_attachment", "aws_load_balancer_policy", "aws_load_balancer_listener_policy",
    "aws_load_balancer_backend_server_policy", "aws_app_cookie_stickiness_policy", "aws_proxy_protocol_policy",
})

# Type prefix → why it matters; the first matching prefix wins (more specific ones come first).
_ALWAYS: dict[str, str] = {
    "aws_ec2_transit_gateway_multicast": "transit gateway multicast is not modelled yet",
    "aws_ec2_transit_gateway_policy_table": "transit gateway policy tables (Cloud WAN peering) are not modelled yet",
    "aws_ec2_transit_gateway_route_table_announcement": "transit gateway route table announcements are not modelled yet",
    "aws_ec2_transit_gateway": "this transit gateway resource is not modelled yet",
    "aws_vpn_": "this VPN resource is not modelled yet",
    "aws_dx_": "this Direct Connect resource is not modelled yet",
    "aws_networkfirewall_": "AWS Network Firewall is not modelled yet",
    "aws_vpc_endpoint_service": "endpoint services (PrivateLink, provider side) are not modelled yet",
    "aws_vpc_endpoint_connection_accepter": "endpoint services (PrivateLink, provider side) are not modelled yet",
    "aws_lb": "this load balancer resource is not modelled yet",
    "aws_alb": "this load balancer resource is not modelled yet",
    "aws_elb": "this classic load balancer resource is not modelled yet",
    "aws_eks_": "EKS clusters and node groups are not modelled yet",
    "aws_elasticache_": "ElastiCache is not modelled yet",
    "aws_rds_cluster": "Aurora clusters are not modelled yet",
    "aws_db_proxy": "RDS proxies are not modelled yet",
    "aws_globalaccelerator_": "Global Accelerator is not modelled yet",
    "aws_ec2_client_vpn_": "Client VPN is not modelled yet",
    "aws_launch_template": "instances launched from templates are not in the state",
    "aws_launch_configuration": "instances launched from launch configurations are not in the state",
    "aws_autoscaling_group": "instances of auto scaling groups are not in the state",
    "aws_spot_instance_request": "spot instances are not modelled yet",
    "aws_spot_fleet_request": "spot fleets are not modelled yet",
    "aws_ec2_fleet": "EC2 fleets are not modelled yet",
    "aws_ec2_local_gateway": "local gateways are not modelled yet",
    "aws_ec2_instance_connect_endpoint": "EC2 Instance Connect endpoints are not modelled yet",
    "aws_networkmanager_": "Cloud WAN is not modelled yet",
    "aws_efs_mount_target": "EFS mount targets are not modelled yet",
    "aws_mq_broker": "Amazon MQ brokers are not modelled yet",
    "aws_msk_cluster": "MSK clusters are not modelled yet",
    "aws_redshift_cluster": "Redshift clusters are not modelled yet",
    "aws_docdb_cluster": "DocumentDB clusters are not modelled yet",
    "aws_neptune_cluster": "Neptune clusters are not modelled yet",
    "aws_memorydb_cluster": "MemoryDB clusters are not modelled yet",
    "aws_dms_replication_instance": "DMS replication instances are not modelled yet",
    "aws_route53_resolver_endpoint": "Route 53 Resolver endpoints are not modelled yet",
    "aws_vpclattice_": "VPC Lattice is not modelled yet",
    "aws_api_gateway_vpc_link": "API Gateway VPC links are not modelled yet",
    "aws_apigatewayv2_vpc_link": "API Gateway VPC links are not modelled yet",
    "aws_fsx_": "FSx file systems are not modelled yet",
    "aws_directory_service_directory": "Directory Service is not modelled yet",
}


def _has_blocks(*path: str) -> Callable[[Attrs], bool]:
    """Unsupported only when the resource is placed in a VPC, e.g. a Lambda function with vpc_config subnets."""
    def check(a: Attrs) -> bool:
        blocks = a.blocks(path[0])
        if len(path) == 1:
            return bool(blocks)
        return any(block.texts(path[1]) for block in blocks)
    return check


_WHEN_IN_VPC: dict[str, tuple[Callable[[Attrs], bool], str]] = {
    "aws_lambda_function": (_has_blocks("vpc_config", "subnet_ids"), "Lambda functions in a VPC are not modelled yet"),
    "aws_ecs_service": (_has_blocks("network_configuration"), "ECS tasks with awsvpc networking are not modelled yet"),
    "aws_codebuild_project": (_has_blocks("vpc_config", "subnets"), "CodeBuild projects in a VPC are not modelled yet"),
    "aws_elasticsearch_domain": (_has_blocks("vpc_options", "subnet_ids"), "search domains in a VPC are not modelled yet"),
    "aws_opensearch_domain": (_has_blocks("vpc_options", "subnet_ids"), "search domains in a VPC are not modelled yet"),
    "aws_sagemaker_notebook_instance": (lambda a: a.has("subnet_id"), "notebook instances in a VPC are not modelled yet"),
    "aws_batch_compute_environment": (_has_blocks("compute_resources", "subnets"),
                                      "Batch compute environments are not modelled yet"),
    "aws_emr_cluster": (_has_blocks("ec2_attributes", "subnet_id"), "EMR clusters are not modelled yet"),
    "aws_transfer_server": (_has_blocks("endpoint_details", "subnet_ids"), "Transfer servers in a VPC are not modelled yet"),
}


def unsupported_reason(res: TfResource) -> Optional[str]:
    if res.type in MODELLED:
        return None
    for prefix, reason in _ALWAYS.items():
        if res.type.startswith(prefix):
            return reason
    conditional = _WHEN_IN_VPC.get(res.type)
    if conditional is not None and conditional[0](Attrs(res)):
        return conditional[1]
    return None


def to_unsupported(resources: ByType) -> Findings:
    findings = Findings()
    for rtype in sorted(resources):
        for res in resources[rtype]:
            reason = unsupported_reason(res)
            if reason is not None:
                resource_id = Attrs(res).text("id") if isinstance(res.attributes.get("id"), str) else None
                findings.unsupported_resource(res, f"{resource_id}: {reason}" if resource_id else reason)
    return findings


__all__ = ["MODELLED", "to_unsupported", "unsupported_reason"]
