"""VPC networking: everything the reachability engine walks, read as one picture.

All listings are made together: a network picture missing its route tables, ACLs or
network interfaces would let rules pass on what they cannot see, so one failed listing
fails the unit. Transit gateways are read apart: without them the engine can only say
"possibly" of a group reference across one, so a failed DescribeTransitGateways leaves
each gateway's group referencing unknown (with the reason) instead of the whole picture.
"""
from __future__ import annotations

from typing import Any

from .. import errors

SERVICE = "ec2"
GLOBAL = False
LISTINGS = {
    "vpcs": ("DescribeVpcs", "Vpcs"),
    "subnets": ("DescribeSubnets", "Subnets"),
    "route_tables": ("DescribeRouteTables", "RouteTables"),
    "internet_gateways": ("DescribeInternetGateways", "InternetGateways"),
    "egress_only_internet_gateways": ("DescribeEgressOnlyInternetGateways", "EgressOnlyInternetGateways"),
    "nat_gateways": ("DescribeNatGateways", "NatGateways"),
    "addresses": ("DescribeAddresses", "Addresses"),
    "network_interfaces": ("DescribeNetworkInterfaces", "NetworkInterfaces"),
    "network_acls": ("DescribeNetworkAcls", "NetworkAcls"),
    "security_groups": ("DescribeSecurityGroups", "SecurityGroups"),
    "vpc_endpoints": ("DescribeVpcEndpoints", "VpcEndpoints"),
    "vpc_peering_connections": ("DescribeVpcPeeringConnections", "VpcPeeringConnections"),
    "transit_gateway_vpc_attachments": ("DescribeTransitGatewayVpcAttachments", "TransitGatewayVpcAttachments"),
}
APART = {"transit_gateways": ("DescribeTransitGateways", "TransitGateways")}  # a failure is recorded, see above
CALLS = tuple(f"ec2:{operation}" for operation, _ in (*LISTINGS.values(), *APART.values()))


def collect(api: Any) -> dict[str, Any]:
    def read(name: str) -> Any:
        if name in LISTINGS:
            return api.pages(*LISTINGS[name])
        operation, key = APART[name]
        answer = api.attempt_pages(operation, key)
        return answer if errors.is_record(answer) else answer[key]

    names = [*LISTINGS, *APART]
    return dict(zip(names, api.each(names, read)))
