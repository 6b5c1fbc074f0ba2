"""VPC networking: the nouns the reachability engine walks."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Maybe, Resource

# Route target kinds, as the network engine understands them.
ROUTE_TARGETS = (
    "local",  # within the VPC
    "internet_gateway",
    "egress_only_internet_gateway",
    "nat_gateway",
    "transit_gateway",
    "vpc_peering_connection",
    "vpc_endpoint",
    "network_interface",
    "instance",
    "virtual_private_gateway",
    "carrier_gateway",
    "local_gateway",
    "core_network",
    "unknown",  # the target could not be determined
)


_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1", "-1": "-1"}


def normalize_protocol(value: object) -> object:
    """One spelling for IP protocols whatever the source: "-1" (all), "tcp", "udp",
    "icmp", "icmpv6", or the protocol number as a string. Unknowns pass through."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        value = str(int(value))
    if isinstance(value, str):
        text = value.strip().lower()
        return _PROTOCOL_NAMES.get(text, text)
    return value


@dataclass(frozen=True, kw_only=True)
class Vpc(Resource):
    KIND = "aws.ec2.vpc"
    cidr_blocks: Maybe[tuple[str, ...]] = ()  # IPv4 primary and secondary blocks
    ipv6_cidr_blocks: Maybe[tuple[str, ...]] = ()
    # Key of the VPC's main route table, when the inputs name one (Terraform's
    # aws_main_route_table_association / aws_default_route_table, a live describe).
    main_route_table: Maybe[str | None] = None
    # Key of the VPC's default network ACL when the inputs describe it; None means
    # the AWS default (allow all, both directions).
    default_network_acl: Maybe[str | None] = None
    # A default VPC (Terraform's aws_default_vpc, a live IsDefault): AWS created its main
    # route table with a route to an internet gateway.
    is_default: Maybe[bool] = False
    # Routes the inputs add to the main route table AWS creates, when they do not describe
    # that table itself (an aws_route on aws_vpc.main.main_route_table_id).
    main_routes: Maybe[tuple["Route", ...]] = ()


@dataclass(frozen=True, kw_only=True)
class Subnet(Resource):
    KIND = "aws.ec2.subnet"
    vpc: Maybe[str | None] = None
    cidr_block: Maybe[str | None] = None
    ipv6_cidr_block: Maybe[str | None] = None
    # An AZ name ("eu-west-2a"), an AZ id, or for templates a symbolic name that is
    # distinct per index ("{region}#0") when the real name is not known.
    availability_zone: Maybe[str | None] = None
    map_public_ip_on_launch: Maybe[bool] = False
    assign_ipv6_address_on_creation: Maybe[bool] = False
    # Explicit route table association (key); None means the VPC's main table.
    route_table: Maybe[str | None] = None
    # Explicit network ACL association (key); None means the VPC's default ACL.
    network_acl: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class Route:
    """One route of a route table."""

    destination: Maybe[str]  # IPv4 or IPv6 CIDR, or a prefix list id ("pl-...")
    target_type: str  # one of ROUTE_TARGETS
    target: Maybe[str | None] = None  # key of the target resource
    blackhole: bool = False  # the target is gone (live state "blackhole")
    source: str | None = None  # address of a separate aws_route resource, if any


@dataclass(frozen=True, kw_only=True)
class RouteTable(Resource):
    KIND = "aws.ec2.route_table"
    vpc: Maybe[str | None] = None
    routes: Maybe[tuple[Route, ...]] = ()
    is_main: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class InternetGateway(Resource):
    KIND = "aws.ec2.internet_gateway"
    vpc: Maybe[str | None] = None  # attached VPC


@dataclass(frozen=True, kw_only=True)
class EgressOnlyInternetGateway(Resource):
    KIND = "aws.ec2.egress_only_internet_gateway"
    vpc: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class NatGateway(Resource):
    KIND = "aws.ec2.nat_gateway"
    subnet: Maybe[str | None] = None
    connectivity_type: Maybe[str] = "public"  # public | private
    elastic_ip: Maybe[str | None] = None  # key of the allocation


@dataclass(frozen=True, kw_only=True)
class ElasticIp(Resource):
    KIND = "aws.ec2.elastic_ip"
    instance: Maybe[str | None] = None
    network_interface: Maybe[str | None] = None
    public_ip: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class NetworkInterface(Resource):
    """An elastic network interface created on its own and attached to an instance.

    An instance's interfaces place it: the one at device index 0 is its primary
    (subnet, security groups, private address); each other one is another way in.
    """

    KIND = "aws.ec2.network_interface"
    subnet: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    private_ip: Maybe[str | None] = None
    public_ip: Maybe[str | None] = None  # a public address AWS shows (live)
    ipv6_address_count: Maybe[int | None] = None  # None: the subnet's assign-on-creation decides
    instance: Maybe[str | None] = None  # key of the instance it is attached to
    device_index: Maybe[int | None] = None


@dataclass(frozen=True, kw_only=True)
class NaclRule:
    rule_number: Maybe[int]
    egress: bool
    action: Maybe[str]  # allow | deny
    protocol: Maybe[str]  # "-1" (all), "6" / "tcp", "17" / "udp", "1" / "icmp", ...
    cidr_block: Maybe[str | None] = None
    ipv6_cidr_block: Maybe[str | None] = None
    from_port: Maybe[int | None] = None
    to_port: Maybe[int | None] = None
    source: str | None = None  # address of a separate aws_network_acl_rule, if any


@dataclass(frozen=True, kw_only=True)
class NetworkAcl(Resource):
    KIND = "aws.ec2.network_acl"
    vpc: Maybe[str | None] = None
    subnets: Maybe[tuple[str, ...]] = ()
    rules: Maybe[tuple[NaclRule, ...]] = ()
    is_default: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class SgRule:
    """One ingress or egress permission; its peers are listed together, as in AWS."""

    egress: bool
    protocol: Maybe[str]  # "-1", "tcp", "udp", "icmp", "icmpv6" or a number
    from_port: Maybe[int | None] = None
    to_port: Maybe[int | None] = None
    cidr_blocks: Maybe[tuple[str, ...]] = ()
    ipv6_cidr_blocks: Maybe[tuple[str, ...]] = ()
    prefix_lists: Maybe[tuple[str, ...]] = ()
    security_groups: Maybe[tuple[str, ...]] = ()  # keys of referenced groups
    self_reference: bool = False
    description: Maybe[str | None] = None
    source: str | None = None  # address of a separate rule resource, if any


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Resource):
    KIND = "aws.ec2.security_group"
    vpc: Maybe[str | None] = None
    group_name: Maybe[str | None] = None
    description: Maybe[str | None] = None
    rules: Maybe[tuple[SgRule, ...]] = ()

    @property
    def ingress(self) -> tuple[SgRule, ...]:
        return tuple(r for r in self.rules if not r.egress)  # type: ignore[union-attr]

    @property
    def egress(self) -> tuple[SgRule, ...]:
        return tuple(r for r in self.rules if r.egress)  # type: ignore[union-attr]


@dataclass(frozen=True, kw_only=True)
class VpcEndpoint(Resource):
    KIND = "aws.ec2.vpc_endpoint"
    vpc: Maybe[str | None] = None
    service_name: Maybe[str | None] = None  # e.g. com.amazonaws.eu-west-2.s3
    endpoint_type: Maybe[str] = "Gateway"  # Gateway | Interface | GatewayLoadBalancer
    route_tables: Maybe[tuple[str, ...]] = ()
    subnets: Maybe[tuple[str, ...]] = ()
    security_groups: Maybe[tuple[str, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class VpcPeeringConnection(Resource):
    KIND = "aws.ec2.vpc_peering_connection"
    vpc: Maybe[str | None] = None
    peer_vpc: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class TransitGateway(Resource):
    KIND = "aws.ec2.transit_gateway"
    # Security group referencing across the gateway's VPC attachments (off by default).
    security_group_referencing: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class TransitGatewayAttachment(Resource):
    KIND = "aws.ec2.transit_gateway_vpc_attachment"
    transit_gateway: Maybe[str | None] = None
    vpc: Maybe[str | None] = None
    subnets: Maybe[tuple[str, ...]] = ()
    # The attachment's own switch; it takes effect only when the gateway enables referencing.
    security_group_referencing: Maybe[bool] = True


@dataclass(frozen=True, kw_only=True)
class PrefixList(Resource):
    """A managed prefix list: named CIDRs that security group rules and routes refer to."""

    KIND = "aws.ec2.managed_prefix_list"
    prefix_list_id: Maybe[str | None] = None  # the AWS id ("pl-..."), when known
    address_family: Maybe[str | None] = None  # IPv4 | IPv6
    entries: Maybe[tuple[str, ...]] = ()  # CIDRs
