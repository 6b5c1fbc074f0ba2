"""CloudFormation VPC resource types -> model fields, and separate resources -> attachments."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import (
    EgressOnlyInternetGateway,
    ElasticIp,
    InternetGateway,
    NaclRule,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    PrefixList,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    TransitGateway,
    TransitGatewayAttachment,
    Unknown,
    Vpc,
    VpcEndpoint,
    VpcPeeringConnection,
    normalize_protocol,
)
from .values import as_int, as_str, mappings, opt
from .view import View

VPC = ("AWS::EC2::VPC",)
SUBNET = ("AWS::EC2::Subnet",)
RTB = ("AWS::EC2::RouteTable",)
NACL = ("AWS::EC2::NetworkAcl",)
SG = ("AWS::EC2::SecurityGroup",)
IGW = ("AWS::EC2::InternetGateway",)
EIP = ("AWS::EC2::EIP",)
INSTANCE = ("AWS::EC2::Instance",)
ENI = ("AWS::EC2::NetworkInterface",)
PLIST = ("AWS::EC2::PrefixList",)


@dataclass
class Attachment:
    """A separate resource's contribution to its parent (a route, a rule, an association).

    ``parent`` is the parent's key, an Unknown, or a raw id outside the template;
    ``set`` replaces fields, ``append`` extends tuples.
    """

    parent_types: tuple[str, ...]
    parent: Any
    set: dict[str, Any] = field(default_factory=dict)
    append: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def vpc(v: View) -> dict[str, Any]:
    cidr = v.str("CidrBlock")
    return {"cidr_blocks": cidr if isinstance(cidr, Unknown) else ((cidr,) if cidr else ())}


def attach_vpc_cidr_block(v: View) -> list[Attachment]:
    parent = v.ref("VpcId", *VPC)
    if v.get("CidrBlock") is not None:
        return [Attachment(VPC, parent, append={"cidr_blocks": (v.str("CidrBlock"),)})]
    ipv6 = v.str("Ipv6CidrBlock")
    if ipv6 is None and v.bool("AmazonProvidedIpv6CidrBlock") is True:
        ipv6 = Unknown("an Amazon-provided IPv6 block, known only once it is allocated")
    if isinstance(ipv6, Unknown):
        return [Attachment(VPC, parent, set={"ipv6_cidr_blocks": ipv6})]
    return [Attachment(VPC, parent, append={"ipv6_cidr_blocks": (ipv6,)})] if ipv6 else []


def subnet(v: View) -> dict[str, Any]:
    return {
        "vpc": v.ref("VpcId", *VPC),
        "cidr_block": v.str("CidrBlock"),
        "ipv6_cidr_block": v.str("Ipv6CidrBlock"),
        "availability_zone": v.str("AvailabilityZone", v.str("AvailabilityZoneId")),
        "map_public_ip_on_launch": v.bool("MapPublicIpOnLaunch", False),
        "assign_ipv6_address_on_creation": v.bool("AssignIpv6AddressOnCreation", False),
    }


def attach_subnet_route_table(v: View) -> list[Attachment]:
    return [Attachment(SUBNET, v.ref("SubnetId", *SUBNET), set={"route_table": v.ref("RouteTableId", *RTB)})]


def attach_subnet_network_acl(v: View) -> list[Attachment]:
    return [Attachment(SUBNET, v.ref("SubnetId", *SUBNET), set={"network_acl": v.ref("NetworkAclId", *NACL)})]


def route_table(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("VpcId", *VPC), "routes": ()}


# Route targets: property, target kind ("" = decided by the referenced type), types.
_TARGETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("GatewayId", "", ("AWS::EC2::InternetGateway", "AWS::EC2::VPNGateway")),
    ("NatGatewayId", "nat_gateway", ("AWS::EC2::NatGateway",)),
    ("EgressOnlyInternetGatewayId", "egress_only_internet_gateway", ("AWS::EC2::EgressOnlyInternetGateway",)),
    ("TransitGatewayId", "transit_gateway", ("AWS::EC2::TransitGateway",)),
    ("VpcPeeringConnectionId", "vpc_peering_connection", ("AWS::EC2::VPCPeeringConnection",)),
    ("NetworkInterfaceId", "network_interface", ("AWS::EC2::NetworkInterface",)),
    ("InstanceId", "instance", INSTANCE),
    ("VpcEndpointId", "vpc_endpoint", ("AWS::EC2::VPCEndpoint",)),
    ("CarrierGatewayId", "carrier_gateway", ("AWS::EC2::CarrierGateway",)),
    ("LocalGatewayId", "local_gateway", ()),
    ("CoreNetworkArn", "core_network", ()),
)
_GATEWAY_PREFIXES = {"igw-": "internet_gateway", "vgw-": "virtual_private_gateway", "vpce-": "vpc_endpoint"}


def attach_route(v: View) -> list[Attachment]:
    destination: Any = None
    for name in ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"):
        value = v.ref(name, *PLIST) if name == "DestinationPrefixListId" else v.str(name)
        if value is not None:
            destination = value
            break
    target_type, target = "unknown", None
    for name, kind, types in _TARGETS:
        if v.get(name) is None:
            continue
        target = v.ref(name, *types) if types else v.str(name)
        target_type = kind or _gateway_kind(v, target)
        break
    if destination is None:
        destination = Unknown("the route has no destination")
    route = Route(destination=destination, target_type=target_type, target=target, source=v.key)
    return [Attachment(RTB, v.ref("RouteTableId", *RTB), append={"routes": (route,)})]


def _gateway_kind(v: View, target: Any) -> str:
    if target == "local":
        return "local"
    if isinstance(target, str):
        declared = v.types.get(target)
        if declared == "AWS::EC2::InternetGateway":
            return "internet_gateway"
        if declared == "AWS::EC2::VPNGateway":
            return "virtual_private_gateway"
        for prefix, kind in _GATEWAY_PREFIXES.items():
            if target.startswith(prefix):
                return kind
    return "unknown"


def internet_gateway(v: View) -> dict[str, Any]:
    return {"vpc": None}


def attach_gateway_attachment(v: View) -> list[Attachment]:
    if v.get("InternetGatewayId") is None:
        return []  # a VPN gateway attachment changes nothing the model holds
    return [Attachment(IGW, v.ref("InternetGatewayId", *IGW), set={"vpc": v.ref("VpcId", *VPC)})]


def egress_only_internet_gateway(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("VpcId", *VPC)}


def nat_gateway(v: View) -> dict[str, Any]:
    return {
        "subnet": v.ref("SubnetId", *SUBNET),
        "connectivity_type": v.str("ConnectivityType", "public"),
        "elastic_ip": v.ref("AllocationId", *EIP),
    }


def elastic_ip(v: View) -> dict[str, Any]:
    return {"instance": v.ref("InstanceId", *INSTANCE), "network_interface": None,
            "public_ip": Unknown("allocated when the stack is created")}


def eip_association(v: View) -> dict[str, Any]:
    """An association is itself the Elastic IP on its instance or interface: the address
    may be allocated outside the template, and it is the association that makes it public."""
    return {"instance": v.ref("InstanceId", *INSTANCE), "network_interface": v.ref("NetworkInterfaceId", *ENI),
            "public_ip": Unknown("allocated when the stack is created")}


def ipv6_count(properties: Any) -> Any:
    """IPv6 addresses asked for: Ipv6AddressCount, or a list of Ipv6Addresses; None when neither."""
    count = as_int(properties.get("Ipv6AddressCount"))
    addresses = properties.get("Ipv6Addresses")
    if count is None and isinstance(addresses, list) and addresses:
        return len(addresses)
    return count


def network_interface(v: View) -> dict[str, Any]:
    return {
        "subnet": v.ref("SubnetId", *SUBNET),
        "security_groups": v.refs("GroupSet", *SG),
        "private_ip": v.str("PrivateIpAddress"),
        "ipv6_address_count": ipv6_count(v.raw.properties),
    }


def attach_network_interface_attachment(v: View) -> list[Attachment]:
    return [Attachment(ENI, v.ref("NetworkInterfaceId", *ENI),
                       set={"instance": v.ref("InstanceId", *INSTANCE), "device_index": v.int("DeviceIndex")})]


def network_acl(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("VpcId", *VPC), "subnets": (), "rules": ()}


_PROTOCOL_NUMBERS = {"-1": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def attach_network_acl_entry(v: View) -> list[Attachment]:
    protocol = as_str(v.get("Protocol"))
    ports = v.get("PortRange") if isinstance(v.get("PortRange"), dict) else {}
    action = v.str("RuleAction")
    rule = NaclRule(
        rule_number=v.int("RuleNumber"),
        egress=v.bool("Egress", False) is True,
        action=action.lower() if isinstance(action, str) else action,
        protocol=normalize_protocol(protocol),  # type: ignore[arg-type]
        cidr_block=v.str("CidrBlock"),
        ipv6_cidr_block=v.str("Ipv6CidrBlock"),
        from_port=as_int(ports.get("From")) if ports else None,
        to_port=as_int(ports.get("To")) if ports else None,
        source=v.key,
    )
    return [Attachment(NACL, v.ref("NetworkAclId", *NACL), append={"rules": (rule,)})]


def _sg_rule(v: View, item: dict[str, Any], egress: bool, source: str | None) -> SgRule:
    from .view import ref_of

    protocol = normalize_protocol(as_str(item.get("IpProtocol")))
    peer_property = "DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"
    prefix_property = "DestinationPrefixListId" if egress else "SourcePrefixListId"
    peer = ref_of(item.get(peer_property), SG, v.index)
    if peer is None and not egress and item.get("SourceSecurityGroupName") is not None:
        peer = ref_of(item.get("SourceSecurityGroupName"), SG, v.index)
    cidr = opt(as_str(item.get("CidrIp")))
    ipv6 = opt(as_str(item.get("CidrIpv6")))
    prefix = ref_of(item.get(prefix_property), PLIST, v.index)
    everything = protocol == "-1"
    return SgRule(
        egress=egress,
        protocol=protocol,  # type: ignore[arg-type]
        from_port=None if everything else as_int(item.get("FromPort")),
        to_port=None if everything else as_int(item.get("ToPort")),
        cidr_blocks=(cidr,) if cidr is not None else (),
        ipv6_cidr_blocks=(ipv6,) if ipv6 is not None else (),
        prefix_lists=(prefix,) if prefix is not None else (),
        security_groups=(peer,) if peer is not None else (),
        description=opt(as_str(item.get("Description"))),
        source=source,
    )


# AWS gives a VPC security group this egress rule unless the template declares egress
# rules inline; separate SecurityGroupEgress resources do not remove it.
DEFAULT_EGRESS = SgRule(egress=True, protocol="-1", cidr_blocks=("0.0.0.0/0",),
                        description="the default egress rule AWS adds when no egress rule is declared inline")


def security_group(v: View) -> dict[str, Any]:
    rules: list[SgRule] = []
    for name, egress in (("SecurityGroupIngress", False), ("SecurityGroupEgress", True)):
        found = mappings(v.get(name))
        if isinstance(found, Unknown):
            return _group(v, found)
        rules.extend(_sg_rule(v, item, egress, None) for item in found if item)
    if not any(rule.egress for rule in rules):
        rules.append(DEFAULT_EGRESS)
    return _group(v, tuple(rules))


def _group(v: View, rules: Any) -> dict[str, Any]:
    return {
        "vpc": v.ref("VpcId", *VPC),
        "group_name": v.str("GroupName"),
        "description": v.str("GroupDescription"),
        "rules": rules,
    }


def attach_security_group_rule(v: View) -> list[Attachment]:
    egress = v.raw.type == "AWS::EC2::SecurityGroupEgress"
    rule = _sg_rule(v, v.raw.properties, egress, v.key)
    parent = v.ref("GroupId", *SG)
    if parent is None:
        parent = v.ref("GroupName", *SG)
    return [Attachment(SG, parent, append={"rules": (rule,)})]


def vpc_endpoint(v: View) -> dict[str, Any]:
    return {
        "vpc": v.ref("VpcId", *VPC),
        "service_name": v.str("ServiceName"),
        "endpoint_type": v.str("VpcEndpointType", "Gateway"),
        "route_tables": v.refs("RouteTableIds", *RTB),
        "subnets": v.refs("SubnetIds", *SUBNET),
        "security_groups": v.refs("SecurityGroupIds", *SG),
    }


def prefix_list(v: View) -> dict[str, Any]:
    entries = mappings(v.get("Entries"))
    return {
        "address_family": v.str("AddressFamily"),
        "entries": entries if isinstance(entries, Unknown) else tuple(opt(as_str(e.get("Cidr"))) for e in entries),
    }


def vpc_peering_connection(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("VpcId", *VPC), "peer_vpc": v.ref("PeerVpcId", *VPC)}


def _enabled(value: Any) -> Any:
    """ "enable" / "disable" switches (transit gateway options)."""
    return value if isinstance(value, Unknown) else value == "enable"


def transit_gateway(v: View) -> dict[str, Any]:
    return {"security_group_referencing": _enabled(v.str("SecurityGroupReferencingSupport", "disable"))}


def transit_gateway_attachment(v: View) -> dict[str, Any]:
    return {
        "transit_gateway": v.ref("TransitGatewayId", "AWS::EC2::TransitGateway"),
        "vpc": v.ref("VpcId", *VPC),
        "subnets": v.refs("SubnetIds", *SUBNET),
        "security_group_referencing": _enabled(v.str("Options.SecurityGroupReferencingSupport", "enable")),
    }


MAIN = {
    "AWS::EC2::VPC": (Vpc, vpc),
    "AWS::EC2::Subnet": (Subnet, subnet),
    "AWS::EC2::RouteTable": (RouteTable, route_table),
    "AWS::EC2::InternetGateway": (InternetGateway, internet_gateway),
    "AWS::EC2::EgressOnlyInternetGateway": (EgressOnlyInternetGateway, egress_only_internet_gateway),
    "AWS::EC2::NatGateway": (NatGateway, nat_gateway),
    "AWS::EC2::EIP": (ElasticIp, elastic_ip),
    "AWS::EC2::EIPAssociation": (ElasticIp, eip_association),
    "AWS::EC2::NetworkInterface": (NetworkInterface, network_interface),
    "AWS::EC2::NetworkAcl": (NetworkAcl, network_acl),
    "AWS::EC2::SecurityGroup": (SecurityGroup, security_group),
    "AWS::EC2::VPCEndpoint": (VpcEndpoint, vpc_endpoint),
    "AWS::EC2::VPCPeeringConnection": (VpcPeeringConnection, vpc_peering_connection),
    "AWS::EC2::PrefixList": (PrefixList, prefix_list),
    "AWS::EC2::TransitGateway": (TransitGateway, transit_gateway),
    "AWS::EC2::TransitGatewayAttachment": (TransitGatewayAttachment, transit_gateway_attachment),
    "AWS::EC2::TransitGatewayVpcAttachment": (TransitGatewayAttachment, transit_gateway_attachment),
}

ATTACH = {
    "AWS::EC2::VPCCidrBlock": attach_vpc_cidr_block,
    "AWS::EC2::SubnetRouteTableAssociation": attach_subnet_route_table,
    "AWS::EC2::SubnetNetworkAclAssociation": attach_subnet_network_acl,
    "AWS::EC2::Route": attach_route,
    "AWS::EC2::VPCGatewayAttachment": attach_gateway_attachment,
    "AWS::EC2::NetworkInterfaceAttachment": attach_network_interface_attachment,
    "AWS::EC2::NetworkAclEntry": attach_network_acl_entry,
    "AWS::EC2::SecurityGroupIngress": attach_security_group_rule,
    "AWS::EC2::SecurityGroupEgress": attach_security_group_rule,
}
