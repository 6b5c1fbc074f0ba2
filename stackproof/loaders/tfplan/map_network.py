"""Terraform VPC resource types -> model fields, and split resources -> attachments."""
from __future__ import annotations

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
from .coerce import as_bool, as_int, first, opt, str_tuple
from .view import Attachment, View, address_type

SG = ("aws_security_group", "aws_default_security_group")
RTB = ("aws_route_table", "aws_default_route_table")
NACL = ("aws_network_acl", "aws_default_network_acl")
VPC = ("aws_vpc", "aws_default_vpc")
SUBNET = ("aws_subnet", "aws_default_subnet")
ENI = ("aws_network_interface",)
INSTANCE = ("aws_instance",)

# Route target attributes, in the order AWS gives them precedence (only one is set).
_TARGETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("gateway_id", "", ("aws_internet_gateway", "aws_vpn_gateway", "aws_vpc_endpoint")),
    ("nat_gateway_id", "nat_gateway", ("aws_nat_gateway",)),
    ("egress_only_gateway_id", "egress_only_internet_gateway", ("aws_egress_only_internet_gateway",)),
    ("transit_gateway_id", "transit_gateway", ("aws_ec2_transit_gateway",)),
    ("vpc_peering_connection_id", "vpc_peering_connection", ("aws_vpc_peering_connection",)),
    ("network_interface_id", "network_interface", ("aws_network_interface",)),
    ("instance_id", "instance", ("aws_instance",)),
    ("vpc_endpoint_id", "vpc_endpoint", ("aws_vpc_endpoint",)),
    ("carrier_gateway_id", "carrier_gateway", ("aws_ec2_carrier_gateway",)),
    ("local_gateway_id", "local_gateway", ("aws_ec2_local_gateway",)),
    ("core_network_arn", "core_network", ()),
)
_GATEWAY_TYPES = {
    "aws_internet_gateway": "internet_gateway",
    "aws_vpn_gateway": "virtual_private_gateway",
    "aws_vpc_endpoint": "vpc_endpoint",
}
_GATEWAY_PREFIXES = {"igw-": "internet_gateway", "vgw-": "virtual_private_gateway", "vpce-": "vpc_endpoint"}


def vpc(v: View) -> dict[str, Any]:
    cidr = v.get("cidr_block")
    ipv6 = v.get("ipv6_cidr_block")
    return {
        "cidr_blocks": (cidr,) if cidr else (),
        "ipv6_cidr_blocks": ipv6 if isinstance(ipv6, Unknown) else ((ipv6,) if ipv6 else ()),
    }


def default_vpc(v: View) -> dict[str, Any]:
    return {**vpc(v), "is_default": True}


def subnet(v: View) -> dict[str, Any]:
    return {
        "vpc": v.ref("vpc_id", *VPC),
        "cidr_block": v.get("cidr_block"),
        "ipv6_cidr_block": opt(v.get("ipv6_cidr_block")),
        "availability_zone": first(v.get("availability_zone"), v.get("availability_zone_id")),
        "map_public_ip_on_launch": as_bool(v.setting("map_public_ip_on_launch", False)),
        "assign_ipv6_address_on_creation": as_bool(v.get("assign_ipv6_address_on_creation", False)),
    }


def _route(v: View, item: Any, path: str | None, destinations: tuple[str, str, str]) -> Route:
    """A route from an inline route block (path "route") or an aws_route (path None)."""
    destination: Any = None
    for name in destinations:
        value = item.get(name) if isinstance(item, dict) else None
        if opt(value) is not None:
            destination = value
            break
    target_type, target = "unknown", None
    for attribute, kind, types in _TARGETS:
        value = item.get(attribute) if isinstance(item, dict) else None
        if isinstance(value, Unknown) and path is None and v.configured(attribute) is False:
            continue  # computed, not configured: the route does not use this attribute
        if opt(value) is None:
            continue
        if path is None:
            target = v.ref(attribute, *types) if types else value
        else:
            target = v.ref_in(item, path, attribute, *types) if types else value
        kind = kind or _gateway_kind(target, value)
        target_type = kind
        break
    if destination is None:
        destination = Unknown("the route's destination is not known until apply")
    # An aws_route in state (a refresh, a no-op) records "blackhole" when its target is gone.
    blackhole = isinstance(item, dict) and item.get("state") == "blackhole"
    return Route(destination=destination, target_type=target_type, target=target, blackhole=blackhole,
                 source=v.address if path is None else None)


def _gateway_kind(target: Any, value: Any) -> str:
    if value == "local":
        return "local"
    rtype = address_type(target)
    if rtype in _GATEWAY_TYPES:
        return _GATEWAY_TYPES[rtype]
    text = target if isinstance(target, str) else value if isinstance(value, str) else ""
    for prefix, kind in _GATEWAY_PREFIXES.items():
        if text.startswith(prefix):
            return kind
    return "unknown"


_INLINE_DESTINATIONS = ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id")
_ROUTE_DESTINATIONS = ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id")


def route_table(v: View) -> dict[str, Any]:
    routes = v.collection("route")
    return {
        "vpc": v.ref("vpc_id", *VPC),
        "routes": routes if isinstance(routes, Unknown)
        else tuple(_route(v, item, "route", _INLINE_DESTINATIONS) for item in routes),
    }


def default_route_table(v: View) -> dict[str, Any]:
    fields = route_table(v)
    fields["vpc"] = v.ref("default_route_table_id", *VPC)
    fields["is_main"] = True
    return fields


def attach_default_route_table(v: View) -> list[Attachment]:
    return [Attachment(VPC, v.ref("default_route_table_id", *VPC), set={"main_route_table": v.address})]


def attach_route(v: View) -> list[Attachment]:
    route = _route(v, v.values, None, _ROUTE_DESTINATIONS)
    table = v.ref("route_table_id", *RTB)
    if address_type(table) not in RTB:
        # aws_vpc.main.main_route_table_id: the main table AWS created, which no resource describes
        vpc_of_main = v.ref("route_table_id", *VPC)
        if address_type(vpc_of_main) in VPC:
            return [Attachment(VPC, vpc_of_main, append={"main_routes": (route,)})]
    attachments = [Attachment(RTB, table, append={"routes": (route,)})]
    if isinstance(table, Unknown):  # it may be any table, a VPC's main one included
        attachments.append(Attachment(VPC, table, append={"main_routes": (route,)}))
    return attachments


def attach_route_table_association(v: View) -> list[Attachment]:
    if opt(v.get("subnet_id")) is None:
        return []  # a gateway association (edge route table) changes no subnet
    return [Attachment(SUBNET, v.ref("subnet_id", *SUBNET), set={"route_table": v.ref("route_table_id", *RTB)})]


def attach_main_route_table_association(v: View) -> list[Attachment]:
    table = v.ref("route_table_id", *RTB)
    return [
        Attachment(VPC, v.ref("vpc_id", *VPC), set={"main_route_table": table}),
        Attachment(RTB, table, set={"is_main": True}),
    ]


def internet_gateway(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("vpc_id", *VPC)}


def attach_internet_gateway_attachment(v: View) -> list[Attachment]:
    return [Attachment(("aws_internet_gateway",), v.ref("internet_gateway_id", "aws_internet_gateway"),
                       set={"vpc": v.ref("vpc_id", *VPC)})]


def egress_only_internet_gateway(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("vpc_id", *VPC)}


def nat_gateway(v: View) -> dict[str, Any]:
    return {
        "subnet": v.ref("subnet_id", *SUBNET),
        "connectivity_type": opt(v.get("connectivity_type"), "public"),
        "elastic_ip": v.ref("allocation_id", "aws_eip"),
    }


def _attached_to(v: View, instance_field: str, interface_field: str) -> dict[str, Any]:
    """What an Elastic IP is on: an instance, or a network interface (an instance's
    primary_network_interface_id names the instance itself)."""
    instance = v.computed_ref(instance_field, *INSTANCE)
    interface = v.computed_ref(interface_field, *ENI, *INSTANCE)
    if address_type(interface) in INSTANCE:  # the primary interface names its instance exactly
        known = instance is not None and not isinstance(instance, Unknown)
        instance, interface = (instance if known else interface), None
    return {"instance": instance, "network_interface": interface}


def elastic_ip(v: View) -> dict[str, Any]:
    return {**_attached_to(v, "instance", "network_interface"), "public_ip": v.get("public_ip")}


def eip_association(v: View) -> dict[str, Any]:
    """An association is itself the Elastic IP on its instance or interface: the address
    may be allocated outside the plan, and it is the association that makes it public."""
    return {**_attached_to(v, "instance_id", "network_interface_id"), "public_ip": v.get("public_ip")}


def ipv6_count(v: View) -> Any:
    """The IPv6 addresses an instance or interface asks for: ipv6_address_count, else as
    many as ipv6_addresses lists (None: neither is set, the subnet's setting decides)."""
    count = as_int(v.setting("ipv6_address_count", None))
    addresses = v.setting("ipv6_addresses", None)
    if (count is None or count == 0) and isinstance(addresses, list) and addresses:
        return len(addresses)
    return count


def network_interface(v: View) -> dict[str, Any]:
    attachments = v.collection("attachment")
    instance: Any = None
    index: Any = None
    if isinstance(attachments, Unknown):
        instance = index = attachments
    for item in attachments if isinstance(attachments, list) else []:
        instance = v.ref_in(item, "attachment", "instance", *INSTANCE)
        index = as_int(item.get("device_index"))
    return {
        "subnet": v.ref("subnet_id", *SUBNET),
        "security_groups": v.computed_refs("security_groups", *SG),
        "private_ip": opt(v.get("private_ip")),
        "ipv6_address_count": ipv6_count(v),
        "instance": instance,
        "device_index": index,
    }


def attach_network_interface_attachment(v: View) -> list[Attachment]:
    return [Attachment(ENI, v.ref("network_interface_id", *ENI),
                       set={"instance": v.ref("instance_id", *INSTANCE), "device_index": as_int(v.get("device_index"))})]


def attach_network_interface_sg_attachment(v: View) -> list[Attachment]:
    return [Attachment(ENI, v.ref("network_interface_id", *ENI), append={"security_groups": (v.ref("security_group_id", *SG),)})]


def _nacl_rule(item: Any, egress: bool, number_field: str, action_field: str, source: str | None) -> NaclRule:
    return NaclRule(
        rule_number=as_int(item.get(number_field)),
        egress=egress,
        action=item.get(action_field),
        protocol=normalize_protocol(item.get("protocol")),
        cidr_block=opt(item.get("cidr_block")),
        ipv6_cidr_block=opt(item.get("ipv6_cidr_block")),
        from_port=as_int(item.get("from_port")),
        to_port=as_int(item.get("to_port")),
        source=source,
    )


def network_acl(v: View) -> dict[str, Any]:
    rules: list[NaclRule] | Unknown = []
    for direction, egress in (("ingress", False), ("egress", True)):
        items = v.collection(direction)
        if isinstance(items, Unknown):
            rules = items
            break
        assert isinstance(rules, list)
        rules.extend(_nacl_rule(item, egress, "rule_no", "action", None) for item in items)
    return {
        "vpc": v.ref("vpc_id", *VPC),
        "subnets": v.refs("subnet_ids", *SUBNET),
        "rules": rules if isinstance(rules, Unknown) else tuple(rules),
    }


def default_network_acl(v: View) -> dict[str, Any]:
    fields = network_acl(v)
    fields["vpc"] = v.ref("default_network_acl_id", *VPC)
    fields["is_default"] = True
    return fields


def attach_default_network_acl(v: View) -> list[Attachment]:
    return [Attachment(VPC, v.ref("default_network_acl_id", *VPC), set={"default_network_acl": v.address})]


def attach_network_acl_rule(v: View) -> list[Attachment]:
    rule = _nacl_rule(v.values, as_bool(v.setting("egress", False)), "rule_number", "rule_action", v.address)
    return [Attachment(NACL, v.ref("network_acl_id", *NACL), append={"rules": (rule,)})]


def attach_network_acl_association(v: View) -> list[Attachment]:
    return [Attachment(SUBNET, v.ref("subnet_id", *SUBNET), set={"network_acl": v.ref("network_acl_id", *NACL)})]


def _sg_rule_from_block(v: View, item: Any, direction: str) -> SgRule:
    groups = item.get("security_groups")
    if isinstance(groups, Unknown) or (isinstance(groups, list) and any(isinstance(g, Unknown) for g in groups)):
        groups = v.ref_in(item, direction, "security_groups", *SG)
        groups = (groups,) if isinstance(groups, str) else groups
    else:
        groups = tuple(v.linker.index.find(SG, g, v.linker.module) or g for g in groups or () if isinstance(g, str))
    return SgRule(
        egress=direction == "egress",
        protocol=normalize_protocol(item.get("protocol")),
        from_port=as_int(item.get("from_port")),
        to_port=as_int(item.get("to_port")),
        cidr_blocks=str_tuple(item.get("cidr_blocks")),
        ipv6_cidr_blocks=str_tuple(item.get("ipv6_cidr_blocks")),
        prefix_lists=str_tuple(item.get("prefix_list_ids")),
        security_groups=groups if groups is not None else (),
        self_reference=item.get("self") is True,
        description=opt(item.get("description")),
    )


def security_group(v: View) -> dict[str, Any]:
    rules: list[SgRule] | Unknown = []
    for direction in ("ingress", "egress"):
        items = v.collection(direction)
        if isinstance(items, Unknown):
            rules = items
            break
        assert isinstance(rules, list)
        rules.extend(_sg_rule_from_block(v, item, direction) for item in items)
    return {
        "vpc": v.ref("vpc_id", *VPC),
        "group_name": v.get("name"),
        "description": v.get("description"),
        "rules": rules if isinstance(rules, Unknown) else tuple(rules),
    }


def attach_security_group_rule(v: View) -> list[Attachment]:
    source_group = v.ref("source_security_group_id", *SG)
    rule = SgRule(
        egress=v.get("type") == "egress",
        protocol=normalize_protocol(v.get("protocol")),
        from_port=as_int(v.get("from_port")),
        to_port=as_int(v.get("to_port")),
        cidr_blocks=str_tuple(v.get("cidr_blocks")),
        ipv6_cidr_blocks=str_tuple(v.get("ipv6_cidr_blocks")),
        prefix_lists=str_tuple(v.get("prefix_list_ids")),
        security_groups=(source_group,) if source_group is not None else (),
        self_reference=v.get("self") is True,
        description=v.get("description"),
        source=v.address,
    )
    return [Attachment(SG, v.ref("security_group_id", *SG), append={"rules": (rule,)})]


def _attach_vpc_sg_rule(v: View, egress: bool) -> list[Attachment]:
    peer_group = v.ref("referenced_security_group_id", *SG)
    protocol = normalize_protocol(v.get("ip_protocol"))
    rule = SgRule(
        egress=egress,
        protocol=protocol,
        from_port=None if protocol == "-1" else as_int(v.get("from_port")),
        to_port=None if protocol == "-1" else as_int(v.get("to_port")),
        cidr_blocks=str_tuple(v.get("cidr_ipv4")),
        ipv6_cidr_blocks=str_tuple(v.get("cidr_ipv6")),
        prefix_lists=str_tuple(v.get("prefix_list_id")),
        security_groups=(peer_group,) if peer_group is not None else (),
        description=v.get("description"),
        source=v.address,
    )
    return [Attachment(SG, v.ref("security_group_id", *SG), append={"rules": (rule,)})]


def attach_vpc_security_group_ingress_rule(v: View) -> list[Attachment]:
    return _attach_vpc_sg_rule(v, egress=False)


def attach_vpc_security_group_egress_rule(v: View) -> list[Attachment]:
    return _attach_vpc_sg_rule(v, egress=True)


def vpc_endpoint(v: View) -> dict[str, Any]:
    return {
        "vpc": v.ref("vpc_id", *VPC),
        "service_name": v.get("service_name"),
        "endpoint_type": opt(v.get("vpc_endpoint_type"), "Gateway"),
        "route_tables": v.refs("route_table_ids", *RTB),
        "subnets": v.refs("subnet_ids", *SUBNET),
        "security_groups": v.refs("security_group_ids", *SG),
    }


def attach_vpc_endpoint_route_table_association(v: View) -> list[Attachment]:
    return [Attachment(("aws_vpc_endpoint",), v.ref("vpc_endpoint_id", "aws_vpc_endpoint"),
                       append={"route_tables": (v.ref("route_table_id", *RTB),)})]


def attach_vpc_ipv4_cidr_block_association(v: View) -> list[Attachment]:
    return [Attachment(VPC, v.ref("vpc_id", *VPC), append={"cidr_blocks": (v.get("cidr_block"),)})]


def vpc_peering_connection(v: View) -> dict[str, Any]:
    return {"vpc": v.ref("vpc_id", *VPC), "peer_vpc": v.ref("peer_vpc_id", *VPC)}


def managed_prefix_list(v: View) -> dict[str, Any]:
    entries = v.collection("entry")
    return {
        "prefix_list_id": opt(v.get("id")),
        "address_family": v.get("address_family"),
        "entries": entries if isinstance(entries, Unknown)
        else tuple(e.get("cidr") for e in entries if isinstance(e, dict)),
    }


def attach_managed_prefix_list_entry(v: View) -> list[Attachment]:
    return [Attachment(("aws_ec2_managed_prefix_list",), v.ref("prefix_list_id", "aws_ec2_managed_prefix_list"),
                       append={"entries": (v.get("cidr"),)})]


def _enabled(value: Any) -> Any:
    """ "enable" / "disable" switches (transit gateway options)."""
    return value if isinstance(value, Unknown) else value == "enable"


def transit_gateway(v: View) -> dict[str, Any]:
    return {"security_group_referencing": _enabled(v.setting("security_group_referencing_support", "disable"))}


def transit_gateway_attachment(v: View) -> dict[str, Any]:
    return {
        "transit_gateway": v.ref("transit_gateway_id", "aws_ec2_transit_gateway"),
        "vpc": v.ref("vpc_id", *VPC),
        "subnets": v.refs("subnet_ids", *SUBNET),
        "security_group_referencing": _enabled(v.setting("security_group_referencing_support", "enable")),
    }


MAIN = {
    "aws_vpc": (Vpc, vpc),
    "aws_default_vpc": (Vpc, default_vpc),
    "aws_subnet": (Subnet, subnet),
    "aws_default_subnet": (Subnet, subnet),
    "aws_route_table": (RouteTable, route_table),
    "aws_default_route_table": (RouteTable, default_route_table),
    "aws_internet_gateway": (InternetGateway, internet_gateway),
    "aws_egress_only_internet_gateway": (EgressOnlyInternetGateway, egress_only_internet_gateway),
    "aws_nat_gateway": (NatGateway, nat_gateway),
    "aws_eip": (ElasticIp, elastic_ip),
    "aws_eip_association": (ElasticIp, eip_association),
    "aws_network_interface": (NetworkInterface, network_interface),
    "aws_network_acl": (NetworkAcl, network_acl),
    "aws_default_network_acl": (NetworkAcl, default_network_acl),
    "aws_security_group": (SecurityGroup, security_group),
    "aws_default_security_group": (SecurityGroup, security_group),
    "aws_vpc_endpoint": (VpcEndpoint, vpc_endpoint),
    "aws_vpc_peering_connection": (VpcPeeringConnection, vpc_peering_connection),
    "aws_ec2_transit_gateway": (TransitGateway, transit_gateway),
    "aws_ec2_transit_gateway_vpc_attachment": (TransitGatewayAttachment, transit_gateway_attachment),
    "aws_ec2_managed_prefix_list": (PrefixList, managed_prefix_list),
}

ATTACH = {
    "aws_default_route_table": attach_default_route_table,
    "aws_default_network_acl": attach_default_network_acl,
    "aws_route": attach_route,
    "aws_route_table_association": attach_route_table_association,
    "aws_main_route_table_association": attach_main_route_table_association,
    "aws_internet_gateway_attachment": attach_internet_gateway_attachment,
    "aws_network_interface_attachment": attach_network_interface_attachment,
    "aws_network_interface_sg_attachment": attach_network_interface_sg_attachment,
    "aws_network_acl_rule": attach_network_acl_rule,
    "aws_network_acl_association": attach_network_acl_association,
    "aws_security_group_rule": attach_security_group_rule,
    "aws_vpc_security_group_ingress_rule": attach_vpc_security_group_ingress_rule,
    "aws_vpc_security_group_egress_rule": attach_vpc_security_group_egress_rule,
    "aws_vpc_endpoint_route_table_association": attach_vpc_endpoint_route_table_association,
    "aws_vpc_ipv4_cidr_block_association": attach_vpc_ipv4_cidr_block_association,
    "aws_ec2_managed_prefix_list_entry": attach_managed_prefix_list_entry,
}
