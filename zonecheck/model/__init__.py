"""The snapshot model: one estate, whatever the source, as frozen pydantic records."""

from zonecheck.model.base import IPAddress, IPNetwork, Record, Tags
from zonecheck.model.endpoints import Endpoint, EndpointKind, Instance, RdsInstance
from zonecheck.model.network import (
    EgressOnlyInternetGateway,
    InternetGateway,
    NatGateway,
    Route,
    RouteTable,
    RouteTarget,
    Subnet,
    Vpc,
    VpcPeering,
    route_target_from,
    route_target_of,
)
from zonecheck.model.security import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    NetworkAcl,
    NetworkAclEntry,
    PortSpec,
    PrefixList,
    SecurityGroup,
    SecurityGroupRule,
    protocol_label,
    protocol_number,
    rule_id,
)
from zonecheck.model.hybrid import CustomerGateway, DirectConnectGateway, RoutePropagation, VpnConnection, VpnGateway
from zonecheck.model.services import LoadBalancer, LoadBalancerListener, TargetGroup, TargetGroupTarget, VpcEndpoint
from zonecheck.model.transit import (
    AttachmentKind,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
)
from zonecheck.model.snapshot import (
    SCHEMA_VERSION,
    Incomplete,
    Snapshot,
    SnapshotError,
    SourceInfo,
    UnknownValue,
    Unsupported,
    canonical,
    from_json_text,
    load,
    to_json,
)

import types as _types

__all__ = [n for n, v in dict(globals()).items() if not n.startswith("_") and not isinstance(v, _types.ModuleType)]
