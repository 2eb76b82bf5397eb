"""RDS instances, placed through their DB subnet group.

A state says which subnets an instance may live in, not which one it is in (nor its address), so each
subnet of the group gets an endpoint whose address is unknown: the engine then uses the whole subnet
(SPEC §6.6).  A publicly accessible instance has a public address the state does not give either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import Endpoint, RdsInstance


@dataclass
class RdsFamily:
    instances: dict[str, RdsInstance] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_rds(resources: ByType, net: VpcFamily) -> RdsFamily:
    result = RdsFamily()
    subnet_groups = _subnet_groups(resources, result.findings)
    catalog: Catalog[RdsInstance] = Catalog()
    for res in of_types(resources, "aws_db_instance"):
        instance = to_rds_instance(res, subnet_groups, net, result.findings)
        if instance is None:
            continue
        catalog.add(instance.id, instance, res)
        for subnet_id in instance.subnet_ids:
            endpoint = rds_endpoint(instance, subnet_id)
            result.endpoints[endpoint.id] = endpoint
    result.instances = dict(catalog.items())
    return result


def _subnet_groups(resources: ByType, findings: Findings) -> dict[str, tuple[str, ...]]:
    """DB subnet group name → its subnets."""
    catalog: Catalog[tuple[str, ...]] = Catalog("DB subnet group ")
    for res in of_types(resources, "aws_db_subnet_group"):
        a = Attrs(res)
        name = a.text("name") or a.text("id")
        if name is None:
            findings.unknown(res, "name", "not in the source; the DB subnet group is skipped")
            continue
        catalog.add(name, tuple(sorted(a.texts("subnet_ids"))), res)
    return dict(catalog.items())


def to_rds_instance(res: TfResource, subnet_groups: dict[str, tuple[str, ...]], net: VpcFamily,
                    findings: Findings) -> Optional[RdsInstance]:
    a = Attrs(res)
    identifier = a.text("identifier") or a.text("id")
    rds_id = a.text("resource_id") or identifier
    if rds_id is None:
        findings.unknown(res, "identifier", "not in the source; the DB instance is skipped")
        return None
    group_name = a.text("db_subnet_group_name")
    subnet_ids = subnet_groups.get(group_name or "", ())
    if not subnet_ids:
        if group_name is None:
            findings.unknown(res, "db_subnet_group_name")
        findings.missing("db-subnet-group", group_name or rds_id,
                         f"{res.address}: the subnets of DB subnet group {group_name or '(none given)'} are not in the source")
    groups = a.texts("vpc_security_group_ids") or _vpc_default_group(subnet_ids, net)
    if not groups:
        findings.unknown(res, "vpc_security_group_ids")
        findings.missing("security-group", rds_id, f"the security groups of {rds_id} are not in the source")
    return a.make(
        RdsInstance, id=rds_id, identifier=identifier, engine=a.text("engine"), subnet_group=group_name,
        subnet_ids=subnet_ids, security_group_ids=tuple(groups), publicly_accessible=a.flag("publicly_accessible", False),
        port=a.integer("port"), tags=a.tags(),
    )


def _vpc_default_group(subnet_ids: tuple[str, ...], net: VpcFamily) -> tuple[str, ...]:
    """With no vpc_security_group_ids AWS puts the instance in its VPC's default group."""
    for subnet_id in subnet_ids:
        subnet = net.subnets.get(subnet_id)
        defaults = net.defaults.get(subnet.vpc_id) if subnet else None
        if defaults and defaults.default_security_group_id:
            return (defaults.default_security_group_id,)
    return ()


def rds_endpoint(instance: RdsInstance, subnet_id: str) -> Endpoint:
    return Endpoint(
        id=f"{instance.id}@{subnet_id}", kind="rds", owner_id=instance.id, subnet_id=subnet_id,
        security_group_ids=instance.security_group_ids, address_unknown=True,
        public_address_unknown=instance.publicly_accessible, owner_tags=instance.tags,
    )


__all__ = ["RdsFamily", "rds_endpoint", "to_rds", "to_rds_instance"]
