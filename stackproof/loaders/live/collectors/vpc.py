"""VPC networking: everything the reachability engine walks, read as one picture.

All listings are made together: a network picture missing its route tables or ACLs
would let rules pass on what they cannot see, so one failed listing fails the unit.
"""
from __future__ import annotations

from typing import Any

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
    "network_acls": ("DescribeNetworkAcls", "NetworkAcls"),
    "security_groups": ("DescribeSecurityGroups", "SecurityGroups"),
    "vpc_endpoints": ("DescribeVpcEndpoints", "VpcEndpoints"),
    "vpc_peering_connections": ("DescribeVpcPeeringConnections", "VpcPeeringConnections"),
    "transit_gateway_vpc_attachments": ("DescribeTransitGatewayVpcAttachments", "TransitGatewayVpcAttachments"),
}
CALLS = tuple(f"ec2:{operation}" for operation, _ in LISTINGS.values())


def collect(api: Any) -> dict[str, Any]:
    names = list(LISTINGS)
    lists = api.each(names, lambda name: api.pages(*LISTINGS[name]))
    return dict(zip(names, lists))
