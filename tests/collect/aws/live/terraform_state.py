"""The estate of `estate.build`, written as a raw Terraform v4 state with the ids moto gave it — what
`terraform apply` of the same estate would have recorded (for the differential test)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.collect.aws.live.estate import OFFICE, REGION, Estate

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'
ACCOUNT = "123456789012"
EVERYWHERE = "0.0.0.0/0"


def _resource(rtype: str, name: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"mode": "managed", "type": rtype, "name": name, "provider": AWS,
            "instances": [{"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}]}


def _rule(protocol: str, low: int, high: int, **peers: Any) -> dict[str, Any]:
    rule = {"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
            "description": "", "protocol": protocol, "from_port": low, "to_port": high}
    rule.update(peers)
    return rule


def _route(cidr: str, **target: str) -> dict[str, Any]:
    route = {"cidr_block": cidr, "ipv6_cidr_block": "", "destination_prefix_list_id": "", "gateway_id": "",
             "nat_gateway_id": "", "transit_gateway_id": "", "vpc_peering_connection_id": "", "network_interface_id": "",
             "vpc_endpoint_id": "", "egress_only_gateway_id": "", "carrier_gateway_id": "", "core_network_arn": "",
             "local_gateway_id": ""}
    route.update(target)
    return route


def write_state(e: Estate, path: Path) -> Path:
    r: list[dict[str, Any]] = []
    cidrs = {"app": "10.10.0.0/16", "data": "10.20.0.0/16", "shared": "10.30.0.0/16"}
    for name, cidr in cidrs.items():
        r.append(_resource("aws_vpc", name, {
            "id": e[f"vpc-{name}"], "cidr_block": cidr, "ipv6_cidr_block": "", "owner_id": ACCOUNT,
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{e[f'vpc-{name}']}",
            "main_route_table_id": e[f"rtb-main-{name}"], "default_route_table_id": e[f"rtb-main-{name}"],
            "default_security_group_id": e[f"sg-default-{name}"], "default_network_acl_id": e[f"acl-default-{name}"],
            "tags": {"Name": name}, "tags_all": {"Name": name}}))
    subnets = {"public": ("app", "10.10.1.0/24", "a"), "private": ("app", "10.10.2.0/24", "a"),
               "db1": ("data", "10.20.1.0/24", "a"), "db2": ("data", "10.20.2.0/24", "b"),
               "ops": ("data", "10.20.3.0/24", "a"), "tools": ("shared", "10.30.1.0/24", "a")}
    for name, (vpc, cidr, zone) in subnets.items():
        r.append(_resource("aws_subnet", name, {
            "id": e[f"subnet-{name}"], "vpc_id": e[f"vpc-{vpc}"], "cidr_block": cidr, "ipv6_cidr_block": "",
            "availability_zone": f"{REGION}{zone}", "map_public_ip_on_launch": False, "owner_id": ACCOUNT,
            "tags": {"Name": name}, "tags_all": {"Name": name}}))
    r.append(_resource("aws_internet_gateway", "app", {"id": e["igw"], "vpc_id": e["vpc-app"], "owner_id": ACCOUNT,
                                                        "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_vpc_peering_connection", "app_data", {
        "id": e["pcx"], "vpc_id": e["vpc-app"], "peer_vpc_id": e["vpc-data"], "peer_owner_id": ACCOUNT,
        "peer_region": REGION, "accept_status": "active", "auto_accept": True, "tags": {}, "tags_all": {}}))
    tables = {"public": ("app", [_route(EVERYWHERE, gateway_id=e["igw"])]),
              "private": ("app", [_route("10.20.0.0/16", vpc_peering_connection_id=e["pcx"]),
                                  _route("10.30.0.0/16", transit_gateway_id=e["tgw"])])}
    for name, (vpc, routes) in tables.items():
        r.append(_resource("aws_route_table", name, {"id": e[f"rtb-{name}"], "vpc_id": e[f"vpc-{vpc}"], "route": routes,
                                                     "propagating_vgws": [], "owner_id": ACCOUNT,
                                                     "tags": {"Name": name}, "tags_all": {"Name": name}}))
        r.append(_resource("aws_route_table_association", name, {
            "id": f"rtbassoc-{name}", "route_table_id": e[f"rtb-{name}"], "subnet_id": e[f"subnet-{name}"],
            "gateway_id": ""}))
    for name, routes in (("app", []), ("data", [_route("10.10.0.0/16", vpc_peering_connection_id=e["pcx"])]),
                         ("shared", [_route("10.10.0.0/16", transit_gateway_id=e["tgw"])])):
        r.append(_resource("aws_default_route_table", name, {
            "id": e[f"rtb-main-{name}"], "default_route_table_id": e[f"rtb-main-{name}"], "vpc_id": e[f"vpc-{name}"],
            "route": routes, "propagating_vgws": [], "owner_id": ACCOUNT, "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_ec2_transit_gateway", "core", {
        "id": e["tgw"], "owner_id": ACCOUNT, "amazon_side_asn": 64512, "default_route_table_association": "enable",
        "default_route_table_propagation": "enable", "association_default_route_table_id": e["tgw-rtb"],
        "propagation_default_route_table_id": e["tgw-rtb"], "vpn_ecmp_support": "enable", "dns_support": "enable",
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:transit-gateway/{e['tgw']}", "tags": {}, "tags_all": {}}))
    for name, vpc, subnet in (("app", "app", "private"), ("shared", "shared", "tools")):
        r.append(_resource("aws_ec2_transit_gateway_vpc_attachment", name, {
            "id": e[f"tgw-attach-{name}"], "transit_gateway_id": e["tgw"], "vpc_id": e[f"vpc-{vpc}"],
            "subnet_ids": [e[f"subnet-{subnet}"]], "appliance_mode_support": "disable", "dns_support": "enable",
            "ipv6_support": "disable", "transit_gateway_default_route_table_association": True,
            "transit_gateway_default_route_table_propagation": True, "vpc_owner_id": ACCOUNT, "tags": {}, "tags_all": {}}))
    for name, cidr in (("app", "10.10.0.0/16"), ("shared", "10.30.0.0/16")):
        r.append(_resource("aws_ec2_transit_gateway_route", name, {
            "id": f"{e['tgw-rtb']}_{cidr}", "destination_cidr_block": cidr, "blackhole": False,
            "transit_gateway_attachment_id": e[f"tgw-attach-{name}"], "transit_gateway_route_table_id": e["tgw-rtb"]}))
    r.append(_resource("aws_customer_gateway", "office", {"id": e["cgw"], "bgp_asn": "65010", "ip_address": "198.51.100.7",
                                                          "type": "ipsec.1", "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_vpn_connection", "office", {
        "id": e["vpn"], "customer_gateway_id": e["cgw"], "transit_gateway_id": e["tgw"], "vpn_gateway_id": "",
        "static_routes_only": True, "type": "ipsec.1", "routes": [], "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_network_acl", "ops", {
        "id": e["acl-ops"], "vpc_id": e["vpc-data"], "subnet_ids": [e["subnet-ops"]], "owner_id": ACCOUNT,
        "ingress": [{"rule_no": 90, "action": "deny", "protocol": "6", "from_port": 22, "to_port": 22,
                     "cidr_block": "10.10.2.0/24", "ipv6_cidr_block": "", "icmp_code": 0, "icmp_type": 0},
                    {"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0,
                     "cidr_block": EVERYWHERE, "ipv6_cidr_block": "", "icmp_code": 0, "icmp_type": 0}],
        "egress": [{"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0,
                    "cidr_block": EVERYWHERE, "ipv6_cidr_block": "", "icmp_code": 0, "icmp_type": 0}],
        "tags": {"Name": "ops"}, "tags_all": {"Name": "ops"}}))
    r.append(_resource("aws_ec2_managed_prefix_list", "office", {
        "id": e["pl-office"], "name": "office", "address_family": "IPv4", "max_entries": 5, "owner_id": ACCOUNT,
        "entry": [{"cidr": OFFICE, "description": "office"}], "tags": {}, "tags_all": {}}))
    everything_out = [_rule("-1", 0, 0, cidr_blocks=[EVERYWHERE])]
    groups = {"app": ("app", []),
              "web": ("app", [_rule("tcp", 443, 443, cidr_blocks=[EVERYWHERE]),
                              _rule("tcp", 22, 22, prefix_list_ids=[e["pl-office"]])]),
              "db": ("data", [_rule("tcp", 5432, 5432, security_groups=[e["sg-app"]])]),
              "ops": ("data", [_rule("tcp", 22, 22, cidr_blocks=["10.10.0.0/16"])]),
              "tools": ("shared", [_rule("tcp", 8080, 8080, cidr_blocks=["10.10.0.0/16"])])}
    for name, (vpc, ingress) in groups.items():
        r.append(_resource("aws_security_group", name, {
            "id": e[f"sg-{name}"], "name": name, "description": name, "vpc_id": e[f"vpc-{vpc}"], "owner_id": ACCOUNT,
            "ingress": ingress, "egress": everything_out, "revoke_rules_on_delete": False, "tags": {}, "tags_all": {}}))
    instances = {"web": ("public", "public-web"), "app": ("private", "app"), "ops": ("ops", "ops"),
                 "tools": ("tools", "shared-tools")}
    for name, (subnet, zone) in instances.items():
        r.append(_resource("aws_instance", name, {
            "id": e[f"i-{name}"], "subnet_id": e[f"subnet-{subnet}"], "private_ip": e.addresses[name], "public_ip": "",
            "secondary_private_ips": [], "ipv6_addresses": [], "vpc_security_group_ids": [e[f"sg-{name}"]],
            "primary_network_interface_id": e[f"eni-{name}"], "source_dest_check": True, "instance_state": "running",
            "associate_public_ip_address": False, "tags": {"Name": name, "Zone": zone},
            "tags_all": {"Name": name, "Zone": zone}}))
    r.append(_resource("aws_eip", "web", {
        "id": e["eip"], "allocation_id": e["eip"], "domain": "vpc", "instance": e["i-web"],
        "network_interface": e["eni-web"], "private_ip": e.addresses["web"], "public_ip": e.addresses["web-public"],
        "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_db_subnet_group", "orders", {
        "id": "orders", "name": "orders", "subnet_ids": [e["subnet-db1"], e["subnet-db2"]], "tags": {}, "tags_all": {}}))
    r.append(_resource("aws_db_instance", "orders", {
        "id": e["db"], "resource_id": e["db"], "identifier": "orders", "engine": "postgres", "port": 5432,
        "db_subnet_group_name": "orders", "vpc_security_group_ids": [e["sg-db"]], "publicly_accessible": False,
        "tags": {"Zone": "private-db"}, "tags_all": {"Zone": "private-db"}}))
    path.write_text(json.dumps({"version": 4, "terraform_version": "1.9.8", "serial": 1,
                                "lineage": "0f0e0d0c-0b0a-4908-8706-050403020100", "outputs": {}, "resources": r,
                                "check_results": None}, indent=1))
    return path


__all__ = ["write_state"]
