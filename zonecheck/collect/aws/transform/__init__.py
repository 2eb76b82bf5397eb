"""Pure transforms: items of AWS describe-* responses (boto3 / AWS CLI shapes) → snapshot records.

One module per resource family.  Nothing here reads files or calls AWS: the dump reader
(`zonecheck.collect.aws.dump`) and the live collector feed them the items of (paginated) responses.
Transforms tolerate missing optional keys; an item that makes no sense raises `InvalidItem`, naming it.
What they learn besides records (gaps, unsupported constructs, remarks) goes into an optional `Findings`.
"""

from zonecheck.collect.aws.transform._raw import InvalidItem
from zonecheck.collect.aws.transform.endpoints import (
    instance_interfaces, interface_kind, reservation_instances, to_instances, to_network_interfaces, with_elastic_ips,
    with_owner_tags,
)
from zonecheck.collect.aws.transform.findings import Findings
from zonecheck.collect.aws.transform.gateways import (
    nat_gateway_endpoints, to_egress_only_internet_gateways, to_internet_gateways, to_nat_gateways, to_vpc_peerings,
)
from zonecheck.collect.aws.transform.hybrid import (
    static_vpn_ids, to_customer_gateways, to_direct_connect_gateways, to_vpn_connections, to_vpn_gateways,
)
from zonecheck.collect.aws.transform.nacls import to_network_acls
from zonecheck.collect.aws.transform.prefix_lists import referenced_prefix_lists, to_prefix_list_entries, to_prefix_lists
from zonecheck.collect.aws.transform.rds import to_rds_endpoints, to_rds_instances
from zonecheck.collect.aws.transform.routing import to_route_propagations, to_route_tables
from zonecheck.collect.aws.transform.security_groups import to_security_group_rules, to_security_groups
from zonecheck.collect.aws.transform.services import (
    resolve_load_balancer_owners, to_classic_load_balancers, to_listeners, to_load_balancers, to_target_groups,
    to_target_health, to_vpc_endpoints, vpc_endpoint_endpoints,
)
from zonecheck.collect.aws.transform.transit import (
    to_transit_gateway_attachments, to_transit_gateway_route_tables, to_transit_gateways,
)
from zonecheck.collect.aws.transform.unsupported import (
    unsupported_client_vpn_endpoints, unsupported_lambda_functions, unsupported_network_firewalls,
)
from zonecheck.collect.aws.transform.vpc import subnet_region, to_subnets, to_vpcs

__all__ = [
    "Findings", "InvalidItem", "instance_interfaces", "interface_kind", "nat_gateway_endpoints", "referenced_prefix_lists",
    "reservation_instances", "resolve_load_balancer_owners", "static_vpn_ids", "subnet_region",
    "to_classic_load_balancers", "to_customer_gateways", "to_direct_connect_gateways",
    "to_egress_only_internet_gateways", "to_instances", "to_internet_gateways", "to_listeners", "to_load_balancers",
    "to_nat_gateways", "to_network_acls", "to_network_interfaces", "to_prefix_list_entries", "to_prefix_lists",
    "to_rds_endpoints", "to_rds_instances", "to_route_propagations", "to_route_tables", "to_security_group_rules",
    "to_security_groups", "to_subnets", "to_target_groups", "to_target_health", "to_transit_gateway_attachments",
    "to_transit_gateway_route_tables", "to_transit_gateways", "to_vpc_endpoints", "to_vpc_peerings", "to_vpcs",
    "to_vpn_connections", "to_vpn_gateways", "unsupported_client_vpn_endpoints", "unsupported_lambda_functions",
    "unsupported_network_firewalls", "vpc_endpoint_endpoints", "with_elastic_ips", "with_owner_tags",
]
