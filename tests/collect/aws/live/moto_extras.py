"""Calls the collector makes that moto does not implement yet, answered the way AWS answers an account
that has none of them: DescribeClientVpnEndpoints and the two Direct Connect gateway calls.  And one moto
bug: a static transit gateway route keeps its attachment as an object where AWS answers a list, so
SearchTransitGatewayRoutes lost it (every static route looked like a blackhole).  And moto answers
DescribeSecurityGroups in one page whatever MaxResults says; AWS pages it (`MaxResults`/`NextToken`), so
the pagination tests do too.

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
    if not hasattr(EC2Response, "describe_client_vpn_endpoints"):
        EC2Response.describe_client_vpn_endpoints = describe_client_vpn_endpoints  # type: ignore[attr-defined]
    if not hasattr(DirectConnectResponse, "describe_direct_connect_gateways"):
        DirectConnectResponse.describe_direct_connect_gateways = describe_direct_connect_gateways  # type: ignore[attr-defined]
    if not hasattr(DirectConnectResponse, "describe_direct_connect_gateway_associations"):
        DirectConnectResponse.describe_direct_connect_gateway_associations = (  # type: ignore[attr-defined]
            describe_direct_connect_gateway_associations)
    _INSTALLED = True
