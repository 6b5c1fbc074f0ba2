"""DescribeVpcs, DescribeSubnets, ... -> Vpc, Subnet, RouteTable, NetworkAcl, SecurityGroup, ...

An Elastic IP associated with a network interface is on that interface, which names its
instance: an address on an instance's second interface makes that interface public, not
the instance's primary placement (DescribeAddresses names the instance either way).

A managed prefix list is known by its id in the group rules and routes that name it. When
the lists could not be listed, each list a rule or route names is still there, with its
entries unknown for that reason, so that the answers that depend on it say why.
"""
from __future__ import annotations

from typing import Any, Iterator

from ....model import (
    EgressOnlyInternetGateway,
    ElasticIp,
    InternetGateway,
    NaclRule,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    PrefixList,
    Resource,
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
from .common import Where, as_int, base, failed, tags_of

KINDS = tuple(cls.KIND for cls in (
    Vpc, Subnet, RouteTable, InternetGateway, EgressOnlyInternetGateway, NatGateway, ElasticIp, NetworkInterface,
    NetworkAcl, SecurityGroup, VpcEndpoint, VpcPeeringConnection, TransitGateway, TransitGatewayAttachment,
    PrefixList))

# Route target fields of a DescribeRouteTables route -> (model target type, ARN resource type).
_TARGETS = (
    ("NatGatewayId", "nat_gateway", "natgateway"),
    ("EgressOnlyInternetGatewayId", "egress_only_internet_gateway", "egress-only-internet-gateway"),
    ("TransitGatewayId", "transit_gateway", "transit-gateway"),
    ("VpcPeeringConnectionId", "vpc_peering_connection", "vpc-peering-connection"),
    ("InstanceId", "instance", "instance"),
    ("NetworkInterfaceId", "network_interface", "network-interface"),
    ("CarrierGatewayId", "carrier_gateway", "carrier-gateway"),
    ("LocalGatewayId", "local_gateway", "local-gateway"),
    ("CoreNetworkArn", "core_network", ""),
)
_GATEWAYS = {"igw-": ("internet_gateway", "internet-gateway"), "vgw-": ("virtual_private_gateway", "vpn-gateway"),
             "vpce-": ("vpc_endpoint", "vpc-endpoint")}
_GONE = ("deleted", "deleting", "failed", "rejected")  # transit gateways and their attachments


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    tables = data.get("route_tables") or []
    acls = data.get("network_acls") or []
    subnet_table: dict[str, str] = {}
    main_table: dict[str, str] = {}
    for table in tables:
        arn = where.ec2("route-table", table["RouteTableId"])
        for association in table.get("Associations") or []:
            if association.get("Main"):
                main_table[table.get("VpcId")] = arn
            elif association.get("SubnetId"):
                subnet_table[association["SubnetId"]] = arn
    subnet_acl: dict[str, str] = {}
    default_acl: dict[str, str] = {}
    for acl in acls:
        arn = where.ec2("network-acl", acl["NetworkAclId"])
        if acl.get("IsDefault"):
            default_acl[acl.get("VpcId")] = arn
        for association in acl.get("Associations") or []:
            if association.get("SubnetId"):
                subnet_acl[association["SubnetId"]] = arn

    # A route to a gateway that is gone, or no longer attached to the table's VPC, is a
    # blackhole whether or not the answer says so.
    gateways = {(g["InternetGatewayId"], a.get("VpcId")) for g in data.get("internet_gateways") or []
                for a in g.get("Attachments") or [] if a.get("State") in ("available", "attached")}
    nat_gateways = {g["NatGatewayId"] for g in data.get("nat_gateways") or []
                    if g.get("State") in ("available", "pending")}
    for vpc in data.get("vpcs") or []:
        yield vpc_of(vpc, where, main_table.get(vpc["VpcId"]), default_acl.get(vpc["VpcId"]))
    for subnet in data.get("subnets") or []:
        yield subnet_of(subnet, where, subnet_table.get(subnet["SubnetId"]), subnet_acl.get(subnet["SubnetId"]))
    transit_keys = _transit_gateway_keys(data, where)
    for table in tables:
        yield route_table_of(table, where, gateways, nat_gateways, transit_keys)
    for gateway in data.get("internet_gateways") or []:
        attached = [a.get("VpcId") for a in gateway.get("Attachments") or [] if a.get("State") in ("available", "attached")]
        tags = tags_of(gateway.get("Tags"))
        yield InternetGateway(**base(where, where.ec2("internet-gateway", gateway["InternetGatewayId"]), tags,
                                     gateway["InternetGatewayId"]),
                              vpc=where.ec2("vpc", attached[0]) if attached else None)
    for gateway in data.get("egress_only_internet_gateways") or []:
        attached = [a.get("VpcId") for a in gateway.get("Attachments") or []]
        tags = tags_of(gateway.get("Tags"))
        yield EgressOnlyInternetGateway(
            **base(where, where.ec2("egress-only-internet-gateway", gateway["EgressOnlyInternetGatewayId"]), tags,
                   gateway["EgressOnlyInternetGatewayId"]),
            vpc=where.ec2("vpc", attached[0]) if attached else None)
    for gateway in data.get("nat_gateways") or []:
        if gateway.get("State") in ("deleted", "deleting", "failed"):
            continue
        addresses = gateway.get("NatGatewayAddresses") or []
        allocation = next((a.get("AllocationId") for a in addresses if a.get("AllocationId")), None)
        tags = tags_of(gateway.get("Tags"))
        yield NatGateway(**base(where, where.ec2("natgateway", gateway["NatGatewayId"]), tags, gateway["NatGatewayId"]),
                         subnet=where.ec2("subnet", gateway.get("SubnetId")),
                         connectivity_type=gateway.get("ConnectivityType") or "public",
                         elastic_ip=where.ec2("elastic-ip", allocation))
    for address in data.get("addresses") or []:
        yield elastic_ip_of(address, where)
    for interface in data.get("network_interfaces") or []:
        if _on_an_instance(interface):
            yield network_interface_of(interface, where)
    for acl in acls:
        yield network_acl_of(acl, where)
    for group in data.get("security_groups") or []:
        yield security_group_of(group, where)
    for endpoint in data.get("vpc_endpoints") or []:
        if endpoint.get("State", "").lower() in ("deleted", "deleting", "failed", "rejected"):
            continue
        tags = tags_of(endpoint.get("Tags"))
        yield VpcEndpoint(**base(where, where.ec2("vpc-endpoint", endpoint["VpcEndpointId"]), tags,
                                 endpoint["VpcEndpointId"]),
                          vpc=where.ec2("vpc", endpoint.get("VpcId")),
                          service_name=endpoint.get("ServiceName"),
                          endpoint_type=endpoint.get("VpcEndpointType") or "Gateway",
                          route_tables=where.ec2_all("route-table", endpoint.get("RouteTableIds")),
                          subnets=where.ec2_all("subnet", endpoint.get("SubnetIds")),
                          security_groups=where.ec2_all("security-group",
                                                        [g.get("GroupId") for g in endpoint.get("Groups") or []]))
    for peering in data.get("vpc_peering_connections") or []:
        if (peering.get("Status") or {}).get("Code") in ("deleted", "rejected", "failed", "expired"):
            continue
        tags = tags_of(peering.get("Tags"))
        yield VpcPeeringConnection(
            **base(where, where.ec2("vpc-peering-connection", peering["VpcPeeringConnectionId"]), tags,
                   peering["VpcPeeringConnectionId"]),
            vpc=_peer_vpc(peering.get("RequesterVpcInfo"), where),
            peer_vpc=_peer_vpc(peering.get("AccepterVpcInfo"), where))
    yield from transit_gateways_of(data, where, transit_keys)
    yield from prefix_lists_of(data, where)


def vpc_of(vpc: dict[str, Any], where: Where, main_table: str | None, default_acl: str | None) -> Vpc:
    cidrs = [a.get("CidrBlock") for a in vpc.get("CidrBlockAssociationSet") or []
             if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated" and a.get("CidrBlock")]
    if not cidrs and vpc.get("CidrBlock"):
        cidrs = [vpc["CidrBlock"]]
    ipv6 = [a.get("Ipv6CidrBlock") for a in vpc.get("Ipv6CidrBlockAssociationSet") or []
            if (a.get("Ipv6CidrBlockState") or {}).get("State", "associated") == "associated" and a.get("Ipv6CidrBlock")]
    tags = tags_of(vpc.get("Tags"))
    return Vpc(**base(where, where.ec2("vpc", vpc["VpcId"]), tags, vpc["VpcId"]),
               cidr_blocks=tuple(dict.fromkeys(cidrs)), ipv6_cidr_blocks=tuple(ipv6),
               main_route_table=main_table, default_network_acl=default_acl)


def subnet_of(subnet: dict[str, Any], where: Where, table: str | None, acl: str | None) -> Subnet:
    ipv6 = [a.get("Ipv6CidrBlock") for a in subnet.get("Ipv6CidrBlockAssociationSet") or [] if a.get("Ipv6CidrBlock")]
    tags = tags_of(subnet.get("Tags"))
    arn = subnet.get("SubnetArn") or where.ec2("subnet", subnet["SubnetId"])
    return Subnet(**base(where, arn, tags, subnet["SubnetId"]),
                  vpc=where.ec2("vpc", subnet.get("VpcId")),
                  cidr_block=subnet.get("CidrBlock"),
                  ipv6_cidr_block=ipv6[0] if ipv6 else None,
                  availability_zone=subnet.get("AvailabilityZone") or subnet.get("AvailabilityZoneId"),
                  map_public_ip_on_launch=bool(subnet.get("MapPublicIpOnLaunch")),
                  assign_ipv6_address_on_creation=bool(subnet.get("AssignIpv6AddressOnCreation")),
                  route_table=table, network_acl=acl)


def _gone(route: dict[str, Any], vpc: Any, gateways: set[tuple[str, Any]], nat_gateways: set[str]) -> bool:
    if route.get("State") == "blackhole":
        return True
    gateway = route.get("GatewayId")
    if isinstance(gateway, str) and gateway.startswith("igw-"):
        return (gateway, vpc) not in gateways
    nat = route.get("NatGatewayId")
    return isinstance(nat, str) and nat not in nat_gateways


def _route(route: dict[str, Any], where: Where, blackhole: bool = False,
           transit_keys: dict[str, str] | None = None) -> Route:
    destination = (route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
                   or route.get("DestinationPrefixListId"))
    target_type, target = "unknown", None
    gateway = route.get("GatewayId")
    if gateway == "local":
        target_type, target = "local", "local"
    elif isinstance(gateway, str) and gateway:
        for prefix, (kind, arn_type) in _GATEWAYS.items():
            if gateway.startswith(prefix):
                target_type, target = kind, where.ec2(arn_type, gateway)
                break
        else:
            target = gateway
    else:
        for field, kind, arn_type in _TARGETS:
            value = route.get(field)
            if isinstance(value, str) and value:
                target_type = kind
                target = where.ec2(arn_type, value) if arn_type else value
                if kind == "transit_gateway" and transit_keys:
                    target = transit_keys.get(value, target)  # a gateway another account shares
                break
    return Route(destination=destination or "", target_type=target_type, target=target,
                 blackhole=blackhole or route.get("State") == "blackhole")


def route_table_of(table: dict[str, Any], where: Where, gateways: set[tuple[str, Any]],
                   nat_gateways: set[str], transit_keys: dict[str, str] | None = None) -> RouteTable:
    tags = tags_of(table.get("Tags"))
    is_main = any(a.get("Main") for a in table.get("Associations") or [])
    vpc = table.get("VpcId")
    return RouteTable(**base(where, where.ec2("route-table", table["RouteTableId"]), tags, table["RouteTableId"]),
                      vpc=where.ec2("vpc", vpc),
                      routes=tuple(_route(r, where, _gone(r, vpc, gateways, nat_gateways), transit_keys)
                                   for r in table.get("Routes") or []),
                      is_main=is_main)


def network_acl_of(acl: dict[str, Any], where: Where) -> NetworkAcl:
    rules = []
    for entry in acl.get("Entries") or []:
        ports = entry.get("PortRange") or {}
        rules.append(NaclRule(
            rule_number=as_int(entry.get("RuleNumber")),  # type: ignore[arg-type]
            egress=bool(entry.get("Egress")),
            action=entry.get("RuleAction"),
            protocol=normalize_protocol(entry.get("Protocol")),  # type: ignore[arg-type]
            cidr_block=entry.get("CidrBlock"),
            ipv6_cidr_block=entry.get("Ipv6CidrBlock"),
            from_port=as_int(ports.get("From")),
            to_port=as_int(ports.get("To")),
        ))
    tags = tags_of(acl.get("Tags"))
    return NetworkAcl(**base(where, where.ec2("network-acl", acl["NetworkAclId"]), tags, acl["NetworkAclId"]),
                      vpc=where.ec2("vpc", acl.get("VpcId")),
                      subnets=where.ec2_all("subnet", [a.get("SubnetId") for a in acl.get("Associations") or []]),
                      rules=tuple(rules), is_default=bool(acl.get("IsDefault")))


def _sg_rules(permissions: list[dict[str, Any]], egress: bool, own_id: str, where: Where) -> list[SgRule]:
    rules = []
    for permission in permissions or []:
        protocol = normalize_protocol(permission.get("IpProtocol"))
        pairs = permission.get("UserIdGroupPairs") or []
        groups = tuple(where.ec2("security-group", p.get("GroupId"), account=p.get("UserId"))
                       for p in pairs if p.get("GroupId") and p.get("GroupId") != own_id)
        peers = [*(permission.get("IpRanges") or []), *(permission.get("Ipv6Ranges") or []),
                 *(permission.get("PrefixListIds") or []), *pairs]
        description = next((p.get("Description") for p in peers if p.get("Description")), None)
        all_ports = protocol == "-1"
        rules.append(SgRule(
            egress=egress,
            protocol=protocol,  # type: ignore[arg-type]
            from_port=None if all_ports else as_int(permission.get("FromPort")),
            to_port=None if all_ports else as_int(permission.get("ToPort")),
            cidr_blocks=tuple(r["CidrIp"] for r in permission.get("IpRanges") or [] if r.get("CidrIp")),
            ipv6_cidr_blocks=tuple(r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or [] if r.get("CidrIpv6")),
            prefix_lists=tuple(p["PrefixListId"] for p in permission.get("PrefixListIds") or []
                               if p.get("PrefixListId")),
            security_groups=tuple(g for g in groups if g),
            self_reference=any(p.get("GroupId") == own_id for p in pairs),
            description=description,
        ))
    return rules


def security_group_of(group: dict[str, Any], where: Where) -> SecurityGroup:
    own = group["GroupId"]
    tags = tags_of(group.get("Tags"))
    rules = (_sg_rules(group.get("IpPermissions"), False, own, where)
             + _sg_rules(group.get("IpPermissionsEgress"), True, own, where))
    return SecurityGroup(**base(where, where.ec2("security-group", own), tags, group.get("GroupName"), own),
                         vpc=where.ec2("vpc", group.get("VpcId")),
                         group_name=group.get("GroupName"), description=group.get("Description"),
                         rules=tuple(rules))


def _peer_vpc(info: Any, where: Where) -> str | None:
    if not isinstance(info, dict) or not info.get("VpcId"):
        return None
    region = info.get("Region") or where.region
    account = info.get("OwnerId") or where.account
    return where.arn("ec2", f"vpc/{info['VpcId']}", region=region, account=account)


def elastic_ip_of(address: dict[str, Any], where: Where) -> ElasticIp:
    ident = address.get("AllocationId") or address.get("PublicIp")
    interface = address.get("NetworkInterfaceId")
    tags = tags_of(address.get("Tags"))
    return ElasticIp(**base(where, where.ec2("elastic-ip", ident), tags, ident),
                     # on an interface, the interface says which instance (see the module's docstring)
                     instance=None if interface else where.ec2("instance", address.get("InstanceId")),
                     network_interface=where.ec2("network-interface", interface,
                                                 account=address.get("NetworkInterfaceOwnerId")),
                     public_ip=address.get("PublicIp"))


def _on_an_instance(interface: dict[str, Any]) -> bool:
    """Interfaces that place an instance; those of load balancers, NAT gateways, endpoints or
    functions (no InstanceId), and detached ones, reach nothing the model has."""
    attachment = interface.get("Attachment") or {}
    return bool(attachment.get("InstanceId")) and attachment.get("Status", "attached") in ("attached", "attaching")


def network_interface_of(interface: dict[str, Any], where: Where) -> NetworkInterface:
    ident = interface["NetworkInterfaceId"]
    attachment = interface.get("Attachment") or {}
    tags = tags_of(interface.get("TagSet"))
    return NetworkInterface(**base(where, where.ec2("network-interface", ident), tags, ident),
                            subnet=where.ec2("subnet", interface.get("SubnetId")),
                            security_groups=where.ec2_all("security-group",
                                                          [g.get("GroupId") for g in interface.get("Groups") or []]),
                            private_ip=interface.get("PrivateIpAddress"),
                            public_ip=(interface.get("Association") or {}).get("PublicIp"),
                            # the addresses it has: none is none, not "the subnet decides"
                            ipv6_address_count=len(interface.get("Ipv6Addresses") or []),
                            instance=where.ec2("instance", attachment.get("InstanceId")),
                            device_index=as_int(attachment.get("DeviceIndex")))


def _transit_gateway_keys(data: dict[str, Any], where: Where) -> dict[str, str]:
    """Transit gateway id -> key: its ARN, in the account that owns it (it may be shared)."""
    keys = {a["TransitGatewayId"]: where.ec2("transit-gateway", a["TransitGatewayId"],
                                              account=a.get("TransitGatewayOwnerId"))
            for a in data.get("transit_gateway_vpc_attachments") or [] if a.get("TransitGatewayId")}
    listed = data.get("transit_gateways")
    for gateway in listed if isinstance(listed, list) else []:
        keys[gateway["TransitGatewayId"]] = gateway.get("TransitGatewayArn") or where.ec2(
            "transit-gateway", gateway["TransitGatewayId"], account=gateway.get("OwnerId"))
    return keys  # type: ignore[return-value]


def _switch(options: Any, name: str, operation: str) -> bool | Unknown:
    """An enable / disable option; one the answer does not state is unknown, not AWS's default."""
    value = (options or {}).get(name)
    if value in ("enable", "disable"):
        return value == "enable"
    return Unknown(f"{operation} did not state {name}")


def transit_gateways_of(data: dict[str, Any], where: Where, keys: dict[str, str]) -> Iterator[Resource]:
    """Transit gateways and their VPC attachments. When DescribeTransitGateways failed, each
    gateway an attachment names is still there, with its group referencing unknown."""
    listed = data.get("transit_gateways")
    problem = failed(listed)
    attachments = [a for a in data.get("transit_gateway_vpc_attachments") or [] if a.get("State") not in _GONE]
    if problem is not None:
        for ident in dict.fromkeys(a.get("TransitGatewayId") for a in attachments if a.get("TransitGatewayId")):
            yield TransitGateway(**base(where, keys[ident], {}, ident), security_group_referencing=problem)
    for gateway in listed if isinstance(listed, list) else []:
        if gateway.get("State") in _GONE:
            continue
        ident = gateway["TransitGatewayId"]
        yield TransitGateway(**base(where, keys[ident], tags_of(gateway.get("Tags")), ident),
                             security_group_referencing=_switch(gateway.get("Options"),
                                                                "SecurityGroupReferencingSupport",
                                                                "DescribeTransitGateways"))
    for attachment in attachments:
        tags = tags_of(attachment.get("Tags"))
        yield TransitGatewayAttachment(
            **base(where, where.ec2("transit-gateway-attachment", attachment["TransitGatewayAttachmentId"]), tags,
                   attachment["TransitGatewayAttachmentId"]),
            transit_gateway=keys.get(attachment.get("TransitGatewayId")),  # type: ignore[arg-type]
            vpc=where.ec2("vpc", attachment.get("VpcId"), account=attachment.get("VpcOwnerId")),
            subnets=where.ec2_all("subnet", attachment.get("SubnetIds")),
            security_group_referencing=_switch(attachment.get("Options"), "SecurityGroupReferencingSupport",
                                               "DescribeTransitGatewayVpcAttachments"))


def prefix_list_of(found: dict[str, Any], where: Where) -> PrefixList:
    ident = found["PrefixListId"]
    entries = found.get("Entries")
    problem = Unknown("its entries were not read") if entries is None else failed(entries)
    return PrefixList(**base(where, found.get("PrefixListArn") or where.ec2("prefix-list", ident),
                             tags_of(found.get("Tags")), found.get("PrefixListName"), ident),
                      prefix_list_id=ident, address_family=found.get("AddressFamily"),
                      entries=problem if problem is not None else tuple(e["Cidr"] for e in entries if e.get("Cidr")))


def _named_prefix_lists(data: dict[str, Any]) -> dict[str, None]:
    """The prefix list ids the account's group rules and routes name, in order."""
    rules = [p for g in data.get("security_groups") or []
             for p in (*(g.get("IpPermissions") or []), *(g.get("IpPermissionsEgress") or []))]
    named = [*(item.get("PrefixListId") for rule in rules for item in rule.get("PrefixListIds") or []),
             *(route.get("DestinationPrefixListId") for table in data.get("route_tables") or []
               for route in table.get("Routes") or [])]
    return dict.fromkeys(ident for ident in named if ident)


def prefix_lists_of(data: dict[str, Any], where: Where) -> Iterator[PrefixList]:
    listed = data.get("managed_prefix_lists")
    problem = failed(listed)
    if problem is None:
        for found in listed or []:
            yield prefix_list_of(found, where)
        return
    for ident in _named_prefix_lists(data):
        yield PrefixList(**base(where, where.ec2("prefix-list", ident), {}, ident), prefix_list_id=ident,
                         entries=problem)
