"""VPC networking: everything the reachability engine walks, read as one picture.

All listings are made together: a network picture missing its route tables, ACLs or
network interfaces would let rules pass on what they cannot see, so one failed listing
fails the unit. Transit gateways are read apart: without them the engine can only say
"possibly" of a group reference across one, so a failed DescribeTransitGateways leaves
each gateway's group referencing unknown (with the reason) instead of the whole picture.
Managed prefix lists are read apart too, each with its entries: a failed listing or a
failed GetManagedPrefixListEntries leaves the entries of the lists it would have given
unknown, and only the rules and routes that name them "possibly". AWS-managed lists
(com.amazonaws.<region>.s3, the CloudFront origin-facing ranges, ...) are read like the
account's own: a group rule or a gateway endpoint's route names them, and the engine
reads any list's entries as the addresses it stands for.
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
# A failure of these is recorded, see above.
APART = {"transit_gateways": ("DescribeTransitGateways", "TransitGateways"),
         "managed_prefix_lists": ("DescribeManagedPrefixLists", "PrefixLists")}
ENTRIES = "GetManagedPrefixListEntries"
CALLS = (*(f"ec2:{operation}" for operation, _ in (*LISTINGS.values(), *APART.values())), f"ec2:{ENTRIES}")
GONE_LISTS = ("delete-in-progress", "delete-complete")


def collect(api: Any) -> dict[str, Any]:
    def read(name: str) -> Any:
        if name in LISTINGS:
            return api.pages(*LISTINGS[name])
        operation, key = APART[name]
        answer = api.attempt_pages(operation, key)
        return answer if errors.is_record(answer) else answer[key]

    names = [*LISTINGS, *APART]
    data = dict(zip(names, api.each(names, read)))
    if not errors.is_record(data["managed_prefix_lists"]):
        data["managed_prefix_lists"] = with_entries(api, data["managed_prefix_lists"])
    return data


def with_entries(api: Any, lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lists still there, each with its entries: a list of {Cidr, Description}, or the
    error record of its GetManagedPrefixListEntries."""
    lists = [found for found in lists if found.get("State") not in GONE_LISTS]

    def entries(found: dict[str, Any]) -> Any:
        answer = api.attempt_pages(ENTRIES, "Entries", PrefixListId=found["PrefixListId"])
        return answer if errors.is_record(answer) else answer["Entries"]

    for found, answer in zip(lists, api.each(lists, entries)):
        found["Entries"] = answer
    return lists
