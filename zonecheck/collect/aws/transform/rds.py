"""RDS instances (DescribeDBInstances `DBInstances`), placed through their DB subnet group.

The RDS interfaces are usually not in a dump (and carry no link to their instance when they are), so each
subnet of the group gets an endpoint whose address is unknown: the engine uses the whole subnet
(SPEC §6.6), as the Terraform collector does.  A publicly accessible instance has a public address the
dump does not give.
"""

from __future__ import annotations

from typing import Iterable, Optional

from zonecheck.collect.aws.transform._raw import Item, dicts, flag, integer, is_state, make, tags, text
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import Endpoint, RdsInstance

# Statuses in which the instance answers no packet.
_SILENT = ("stopped", "stopping", "deleting", "failed", "inaccessible-encryption-credentials", "incompatible-network",
           "restore-error", "storage-full")


def to_rds_instances(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[RdsInstance]:
    findings = ensure(findings)
    out = []
    for item in raw:
        identifier = text(item, "DBInstanceIdentifier")
        rds_id = text(item, "DbiResourceId") or identifier
        if rds_id is None:
            findings.note("a DB instance without identifier was skipped")
            continue
        subnets = tuple(sorted({text(s, "SubnetIdentifier") for s in dicts(item, item, "DBSubnetGroup", "Subnets")  # type: ignore[type-var]
                                if text(s, "SubnetIdentifier") and not is_state(text(s, "SubnetStatus"), "inactive")}))
        if not subnets:
            findings.note(f"{rds_id}: DB instance outside a VPC subnet group (EC2-Classic?) was skipped")
            continue
        groups = tuple(text(g, "VpcSecurityGroupId") for g in dicts(item, item, "VpcSecurityGroups")
                       if text(g, "VpcSecurityGroupId") and not is_state(text(g, "Status"), "removing", "inactive"))
        port = integer(item, item, "Endpoint", "Port") or integer(item, item, "DbInstancePort") or None
        out.append(make(
            RdsInstance, item, id=rds_id, identifier=identifier, engine=text(item, "Engine"),
            subnet_group=text(item, "DBSubnetGroup", "DBSubnetGroupName"), subnet_ids=subnets,
            security_group_ids=tuple(dict.fromkeys(groups)),  # type: ignore[arg-type]
            publicly_accessible=flag(item, item, "PubliclyAccessible", False), port=port, tags=tags(item, "TagList", "Tags"),
        ))
    return out


def to_rds_endpoints(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[Endpoint]:
    """One address-unknown endpoint per subnet of each instance's DB subnet group."""
    out = []
    items = list(raw)
    statuses = {text(i, "DbiResourceId") or text(i, "DBInstanceIdentifier"): (text(i, "DBInstanceStatus") or "").lower()
                for i in items}
    for instance in to_rds_instances(items, findings):
        status = statuses.get(instance.id, "")
        for subnet_id in instance.subnet_ids:
            out.append(Endpoint(
                id=f"{instance.id}@{subnet_id}", kind="rds", owner_id=instance.id, subnet_id=subnet_id,
                security_group_ids=instance.security_group_ids, address_unknown=True,
                public_address_unknown=instance.publicly_accessible, state=status if status in _SILENT else "in-use",
                owner_tags=instance.tags,
            ))
    return out


__all__ = ["to_rds_endpoints", "to_rds_instances"]
