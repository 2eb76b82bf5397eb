"""Network interfaces, instances, Elastic IPs and RDS instances → endpoints."""

from __future__ import annotations

from ipaddress import ip_address

from zonecheck.collect.aws.transform import (
    Findings, instance_interfaces, interface_kind, to_instances, to_network_interfaces, to_rds_endpoints,
    to_rds_instances, with_elastic_ips, with_owner_tags,
)

from . import responses as r


def endpoints(findings: Findings | None = None):  # type: ignore[no-untyped-def]
    instances = {i.id: i for i in to_instances(r.DESCRIBE_INSTANCES)}
    return {e.id: e for e in to_network_interfaces(r.DESCRIBE_NETWORK_INTERFACES, instances, findings)}


def test_instances_keep_every_state_and_their_tags() -> None:
    instances = {i.id: i for i in to_instances(r.DESCRIBE_INSTANCES)}
    assert {i: x.state for i, x in instances.items()} == {"i-web": "running", "i-stopped": "stopped", "i-gone": "terminated"}
    assert instances["i-web"].tags == {"Zone": "public-web", "Name": "web-1"}
    assert instances["i-web"].subnet_id == "subnet-0a1"


def test_instance_interface_with_all_its_addresses_groups_and_owner_tags() -> None:
    web = endpoints()["eni-web"]
    assert (web.kind, web.owner_id, web.subnet_id) == ("instance", "i-web", "subnet-0a1")
    assert web.private_ips == (ip_address("10.0.1.10"), ip_address("10.0.1.11"))
    assert web.public_ips == (ip_address("3.3.3.3"),)
    assert web.ipv6_addresses == (ip_address("2600:1f18:abc:de01::10"),)
    assert web.security_group_ids == ("sg-web",)
    assert web.tags == {"Role": "frontend"} and web.owner_tags == {"Zone": "public-web", "Name": "web-1"}
    assert web.state == "in-use"


def test_interfaces_of_a_stopped_instance_carry_its_state() -> None:
    stopped = endpoints()["eni-stopped"]
    assert (stopped.kind, stopped.owner_id, stopped.state) == ("instance", "i-stopped", "stopped")
    assert stopped.owner_tags == {"Zone": "batch"}


def test_every_service_interface_gets_its_kind_and_owner() -> None:
    kinds = {eni_id: (e.kind, e.owner_id) for eni_id, e in endpoints().items()}
    assert kinds["eni-nat"] == ("nat-gateway", "nat-01")
    assert kinds["eni-alb"] == ("load-balancer", "app/web-alb/50dc6c495c0c9188")
    assert kinds["eni-lambda"] == ("lambda", "resize-images")
    assert kinds["eni-rds"] == ("rds", None)
    assert kinds["eni-vpce"] == ("vpc-endpoint", "vpce-0ssm")
    assert kinds["eni-tgw"] == ("transit-gateway-attachment", "tgw-attach-0a1")
    assert kinds["eni-spare"] == ("network-interface", None)


def test_interfaces_of_endpoints_balancers_and_nat_gateways_carry_their_owners_tags() -> None:
    """Regression: a zone tagging a VPC endpoint selected its interface from Terraform, not from AWS."""
    found = endpoints()
    owners = {"vpce-0ssm": {"Zone": "ssm"}, "app/web-alb/50dc6c495c0c9188": {"Zone": "front"}, "nat-01": {"Zone": "egress"},
              "i-web": {"Zone": "other"}}
    tagged = {e.id: e.owner_tags for e in with_owner_tags(found.values(), owners)}
    assert (tagged["eni-vpce"], tagged["eni-alb"], tagged["eni-nat"]) == ({"Zone": "ssm"}, {"Zone": "front"}, {"Zone": "egress"})
    assert tagged["eni-web"] == {"Zone": "public-web", "Name": "web-1"}  # an instance's interface keeps its instance's
    assert tagged["eni-tgw"] == {} and tagged["eni-spare"] == {}


def test_nat_and_transit_gateway_interfaces_do_not_check_source_and_destination() -> None:
    found = endpoints()
    assert not found["eni-nat"].source_dest_check and not found["eni-tgw"].source_dest_check
    assert found["eni-nat"].public_ips == (ip_address("4.4.4.4"),)


def test_an_unattached_interface_keeps_its_available_status() -> None:
    assert endpoints()["eni-spare"].state == "available"


def test_delegated_ip_prefixes_are_unsupported() -> None:
    findings = Findings()
    endpoints(findings)
    assert [(u.resource, u.kind) for u in findings.unsupported] == [("eni-spare", "ip-prefix-delegation")]


def test_classic_network_load_balancer_interface_kinds() -> None:
    assert interface_kind({"InterfaceType": "network_load_balancer", "Description": "ELB net/test-lb/725b"}) == \
        ("load-balancer", "net/test-lb/725b")
    assert interface_kind({"InterfaceType": "interface", "Description": "ELB legacy", "RequesterId": "amazon-elb"}) == \
        ("load-balancer", "legacy")
    assert interface_kind({"InterfaceType": "gateway_load_balancer_endpoint",
                           "Description": "VPC Endpoint Interface vpce-0abc"}) == ("vpc-endpoint", "vpce-0abc")


def test_without_an_interfaces_response_endpoints_come_from_the_instances_own_interfaces() -> None:
    instances = {e.id: e for e in instance_interfaces(r.DESCRIBE_INSTANCES)}
    assert set(instances) == {"eni-web", "eni-stopped"}
    assert instances["eni-web"].owner_tags["Zone"] == "public-web"
    assert instances["eni-web"].public_ips == (ip_address("3.3.3.3"),)
    assert instances["eni-stopped"].state == "stopped"


def test_instance_interfaces_already_described_are_not_repeated() -> None:
    assert [e.id for e in instance_interfaces(r.DESCRIBE_INSTANCES, known_eni_ids={"eni-web"})] == ["eni-stopped"]


def test_an_instance_listing_no_interface_gets_one_from_its_own_fields() -> None:
    (endpoint,) = instance_interfaces([{"Instances": [{
        "InstanceId": "i-old", "State": {"Name": "running"}, "SubnetId": "subnet-1", "PrivateIpAddress": "10.1.1.1",
        "PublicIpAddress": "8.8.4.4", "SecurityGroups": [{"GroupId": "sg-1"}]}]}])
    assert (endpoint.id, endpoint.kind, endpoint.security_group_ids) == ("i-old@subnet-1", "instance", ("sg-1",))
    assert endpoint.public_ips == (ip_address("8.8.4.4"),)


def test_an_elastic_ip_adds_a_public_address_to_its_interface() -> None:
    placed = {e.id: e for e in with_elastic_ips(endpoints().values(), r.DESCRIBE_ADDRESSES)}
    assert placed["eni-web"].public_ips == (ip_address("3.3.3.3"), ip_address("5.5.5.5"))


def test_an_elastic_ip_of_an_instance_lands_on_the_interface_holding_its_private_address() -> None:
    address = [{"PublicIp": "7.7.7.7", "InstanceId": "i-web", "PrivateIpAddress": "10.0.1.11"}]
    placed = {e.id: e for e in with_elastic_ips(endpoints().values(), address)}
    assert ip_address("7.7.7.7") in placed["eni-web"].public_ips


def test_an_elastic_ip_of_an_unknown_interface_is_noted() -> None:
    findings = Findings()
    with_elastic_ips([], [{"PublicIp": "7.7.7.7", "NetworkInterfaceId": "eni-nowhere"}], findings)
    assert findings.notes == ["Elastic IP 7.7.7.7 is associated with eni-nowhere, which is not in the source"]


# -- RDS -----------------------------------------------------------------------------------------------------


def test_rds_instance_from_its_subnet_group_and_active_security_groups() -> None:
    rds = {x.id: x for x in to_rds_instances(r.DESCRIBE_DB_INSTANCES)}
    orders = rds["db-ORDERS"]
    assert (orders.identifier, orders.engine, orders.subnet_group, orders.port) == ("orders", "postgres", "db", 5432)
    assert orders.subnet_ids == ("subnet-0a2", "subnet-0a3") and orders.security_group_ids == ("sg-db",)
    assert orders.tags == {"Zone": "private-db"} and not orders.publicly_accessible
    assert rds["reports"].publicly_accessible  # no DbiResourceId: the identifier is the id


def test_rds_endpoints_one_per_subnet_with_unknown_address() -> None:
    found = {e.id: e for e in to_rds_endpoints(r.DESCRIBE_DB_INSTANCES)}
    assert set(found) == {"db-ORDERS@subnet-0a2", "db-ORDERS@subnet-0a3", "reports@subnet-0a1"}
    orders = found["db-ORDERS@subnet-0a2"]
    assert (orders.kind, orders.owner_id, orders.address_unknown, orders.public_address_unknown) == ("rds", "db-ORDERS", True, False)
    assert orders.owner_tags == {"Zone": "private-db"} and orders.state == "in-use"
    reports = found["reports@subnet-0a1"]
    assert reports.public_address_unknown and reports.state == "stopped"
