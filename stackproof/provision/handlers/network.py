"""VPC networking: VPCs, subnets, gateways, routes, network ACLs, endpoints, security groups.

Taggable resources are found by the stack and logical-id tags; the parts EC2 cannot
tag (routes, associations, ACL entries, the gateway attachment) through their parent.
Each type is listed once per run and region (the stack's tag as filter), and every find
and the sweep pick from that listing (aws.listing), until the run writes.
"""
from __future__ import annotations

from typing import Any, Callable

from ..aws import WAIT
from ..blueprint import ID_TAG, STACK_TAG
from .base import CannotUpdate, Found, Handler, Live, Op, Scope, found, tag_dict
from .base import stack_listing as _listed


def _mine(op: Op, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one item that carries this node's tags. The tag filters already ask for that;
    this checks again, because not every endpoint honours every filter (moto 5.2 ignores
    them for NAT gateways)."""
    for item in items:
        tags = tag_dict(item.get("Tags"))
        if tags.get(STACK_TAG) == op.stack and tags.get(ID_TAG) == op.node.logical_id:
            return item
    return None


def _retag(op: Op, resource_id: str) -> None:
    op.client("ec2").create_tags(Resources=[resource_id], Tags=op.tag_list())


def _by_id(ctx: Op | Scope, call: str, key: str, id_key: str, resource_id: str) -> dict[str, Any] | None:
    """A resource of the stack's listing by its id, else asked for by id (it may carry no tag)."""
    for item in _listed(ctx, call, key):
        if item[id_key] == resource_id:
            return item
    items = getattr(ctx.client("ec2"), call)(**{f"{id_key}s": [resource_id]})[key]
    return items[0] if items else None


def _swept(handler: Handler, scope: Scope, call: str, key: str, live_of: Callable[[dict[str, Any]], Live],
           *extra: dict[str, Any], parameter: str = "Filters") -> list[tuple[Found, dict[str, Any]]]:
    """(found, item) of every item of an EC2 listing tagged with the stack."""
    swept = []
    for item in _listed(scope, call, key, *extra, parameter=parameter):
        tags = tag_dict(item.get("Tags"))
        if scope.mine(tags):  # checked again: moto 5.2 ignores some filters
            swept.append((found(handler.type, scope.region, tags, live_of(item)), item))
    return swept


class Vpc(Handler):
    type = "AWS::EC2::VPC"
    immutable = frozenset({"CidrBlock"})
    reads = ("ec2:DescribeVpcs", "ec2:DescribeVpcAttribute")
    writes = ("ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags", "ec2:DeleteVpc")

    def tagged(self, scope: Scope) -> list[Found]:
        return [f for f, _ in _swept(self, scope, "describe_vpcs", "Vpcs", _vpc_live)]

    def find(self, op: Op) -> Live | None:
        vpc = _mine(op, _listed(op, "describe_vpcs", "Vpcs"))
        if vpc is None:
            return None
        ec2, vpc_id = op.client("ec2"), vpc["VpcId"]
        support = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")
        hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        return Live(vpc_id, _vpc_live(vpc).attrs, {
            "CidrBlock": vpc["CidrBlock"], "Tags": tag_dict(vpc.get("Tags")),
            "EnableDnsSupport": support["EnableDnsSupport"]["Value"],
            "EnableDnsHostnames": hostnames["EnableDnsHostnames"]["Value"]})

    def create(self, op: Op) -> Live:
        ec2 = op.client("ec2")
        vpc = ec2.create_vpc(CidrBlock=op.props["CidrBlock"], TagSpecifications=op.ec2_tag_spec("vpc"))["Vpc"]
        vpc_id = vpc["VpcId"]
        ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id], WaiterConfig=WAIT)
        self._attributes(op, vpc_id)
        return Live(vpc_id, {"VpcId": vpc_id, "CidrBlock": op.props["CidrBlock"]})

    def _attributes(self, op: Op, vpc_id: str) -> None:
        ec2 = op.client("ec2")  # one attribute per call, as the API requires
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": op.props["EnableDnsSupport"]})
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": op.props["EnableDnsHostnames"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        if "CidrBlock" in changed:
            raise CannotUpdate(["CidrBlock"])
        self._attributes(op, live.id)
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").delete_vpc(VpcId=live.id)


def _vpc_live(vpc: dict[str, Any]) -> Live:
    return Live(vpc["VpcId"], {"VpcId": vpc["VpcId"], "CidrBlock": vpc["CidrBlock"]})


class Subnet(Handler):
    type = "AWS::EC2::Subnet"
    immutable = frozenset({"CidrBlock", "AvailabilityZone", "VpcId"})
    reads = ("ec2:DescribeSubnets",)
    writes = ("ec2:CreateSubnet", "ec2:ModifySubnetAttribute", "ec2:CreateTags", "ec2:DeleteSubnet")

    def tagged(self, scope: Scope) -> list[Found]:
        return [f for f, _ in _swept(self, scope, "describe_subnets", "Subnets",
                                     lambda s: Live(s["SubnetId"], _subnet_attrs(s)))]

    def find(self, op: Op) -> Live | None:
        subnet = _mine(op, _listed(op, "describe_subnets", "Subnets"))
        if subnet is None:
            return None
        return Live(subnet["SubnetId"], _subnet_attrs(subnet), {
            "VpcId": subnet["VpcId"], "CidrBlock": subnet["CidrBlock"], "AvailabilityZone": subnet["AvailabilityZone"],
            "MapPublicIpOnLaunch": subnet["MapPublicIpOnLaunch"], "Tags": tag_dict(subnet.get("Tags"))})

    def create(self, op: Op) -> Live:
        p = op.props
        subnet = op.client("ec2").create_subnet(VpcId=p["VpcId"], CidrBlock=p["CidrBlock"],
                                                AvailabilityZone=p["AvailabilityZone"],
                                                TagSpecifications=op.ec2_tag_spec("subnet"))["Subnet"]
        live = Live(subnet["SubnetId"], _subnet_attrs(subnet))
        if p["MapPublicIpOnLaunch"] != subnet.get("MapPublicIpOnLaunch", False):
            self.update(op, live, ["MapPublicIpOnLaunch"])
        return live

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        op.client("ec2").modify_subnet_attribute(SubnetId=live.id,
                                                 MapPublicIpOnLaunch={"Value": op.props["MapPublicIpOnLaunch"]})
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").delete_subnet(SubnetId=live.id)


def _subnet_attrs(subnet: dict[str, Any]) -> dict[str, Any]:
    return {"SubnetId": subnet["SubnetId"], "AvailabilityZone": subnet["AvailabilityZone"]}


class InternetGateway(Handler):
    type = "AWS::EC2::InternetGateway"
    reads = ("ec2:DescribeInternetGateways",)
    writes = ("ec2:CreateInternetGateway", "ec2:CreateTags", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway")

    def tagged(self, scope: Scope) -> list[Found]:
        return [f for f, _ in _swept(self, scope, "describe_internet_gateways", "InternetGateways",
                                     lambda igw: Live(igw["InternetGatewayId"]))]

    def find(self, op: Op) -> Live | None:
        igw = _mine(op, _listed(op, "describe_internet_gateways", "InternetGateways"))
        if igw is None:
            return None
        return Live(igw["InternetGatewayId"], {}, {"Tags": tag_dict(igw.get("Tags"))})

    def create(self, op: Op) -> Live:
        igw = op.client("ec2").create_internet_gateway(TagSpecifications=op.ec2_tag_spec("internet-gateway"))
        return Live(igw["InternetGateway"]["InternetGatewayId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        # Still attached when its attachment was not found (a VPC the spec no longer names).
        for igw in ec2.describe_internet_gateways(InternetGatewayIds=[live.id])["InternetGateways"]:
            for attachment in igw.get("Attachments", []):
                ec2.detach_internet_gateway(InternetGatewayId=live.id, VpcId=attachment["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=live.id)


class GatewayAttachment(Handler):
    type = "AWS::EC2::VPCGatewayAttachment"
    reads = ("ec2:DescribeInternetGateways",)
    writes = ("ec2:AttachInternetGateway", "ec2:DetachInternetGateway")

    def find(self, op: Op) -> Live | None:
        igw, vpc = op.props["InternetGatewayId"], op.props["VpcId"]
        gateway = _by_id(op, "describe_internet_gateways", "InternetGateways", "InternetGatewayId", igw) or {}
        attached = [a for a in gateway.get("Attachments", []) if a["VpcId"] == vpc]
        return Live(f"{igw}|{vpc}") if attached else None

    def create(self, op: Op) -> Live:
        igw, vpc = op.props["InternetGatewayId"], op.props["VpcId"]
        op.client("ec2").attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        return Live(f"{igw}|{vpc}")

    def delete(self, op: Op, live: Live) -> None:
        igw, vpc = live.id.split("|")
        op.client("ec2").detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


class ElasticIp(Handler):
    type = "AWS::EC2::EIP"
    reads = ("ec2:DescribeAddresses",)
    writes = ("ec2:AllocateAddress", "ec2:CreateTags", "ec2:ReleaseAddress")

    def find(self, op: Op) -> Live | None:
        address = _mine(op, _listed(op, "describe_addresses", "Addresses"))
        if address is None:
            return None
        live = _address_live(address)
        live.current = {"Tags": tag_dict(address.get("Tags"))}
        return live

    def tagged(self, scope: Scope) -> list[Found]:
        return [f for f, _ in _swept(self, scope, "describe_addresses", "Addresses", _address_live)]

    def create(self, op: Op) -> Live:
        return _address_live(op.client("ec2").allocate_address(Domain="vpc",
                                                               TagSpecifications=op.ec2_tag_spec("elastic-ip")))

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        _retag(op, live.attrs["AllocationId"])
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").release_address(AllocationId=live.attrs["AllocationId"])


def _address_live(address: dict[str, Any]) -> Live:
    return Live(address["PublicIp"], {"AllocationId": address["AllocationId"], "PublicIp": address["PublicIp"]})


NAT_LIVE = {"Name": "state", "Values": ["pending", "available"]}


class NatGateway(Handler):
    type = "AWS::EC2::NatGateway"
    immutable = frozenset({"SubnetId", "AllocationId", "ConnectivityType"})
    reads = ("ec2:DescribeNatGateways",)
    writes = ("ec2:CreateNatGateway", "ec2:CreateTags", "ec2:DeleteNatGateway")

    def tagged(self, scope: Scope) -> list[Found]:
        swept = _swept(self, scope, "describe_nat_gateways", "NatGateways", lambda nat: Live(nat["NatGatewayId"]),
                       NAT_LIVE, parameter="Filter")
        return [f for f, nat in swept if nat.get("State") in NAT_LIVE["Values"]]  # moto ignores the filter

    def find(self, op: Op) -> Live | None:
        nats = _listed(op, "describe_nat_gateways", "NatGateways", NAT_LIVE, parameter="Filter")
        nat = _mine(op, [n for n in nats if n.get("State") in NAT_LIVE["Values"]])  # moto ignores the filter
        if nat is None:
            return None
        allocation = next((a.get("AllocationId") for a in nat.get("NatGatewayAddresses", [])), None)
        return Live(nat["NatGatewayId"], {}, {
            "SubnetId": nat["SubnetId"], "AllocationId": allocation,
            "ConnectivityType": nat.get("ConnectivityType", "public"), "Tags": tag_dict(nat.get("Tags"))})

    def create(self, op: Op) -> Live:
        p, ec2 = op.props, op.client("ec2")
        nat = ec2.create_nat_gateway(SubnetId=p["SubnetId"], AllocationId=p["AllocationId"],
                                     ConnectivityType=p["ConnectivityType"],
                                     TagSpecifications=op.ec2_tag_spec("natgateway"))["NatGateway"]
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]], WaiterConfig=WAIT)
        return Live(nat["NatGatewayId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        ec2.delete_nat_gateway(NatGatewayId=live.id)
        ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[live.id], WaiterConfig=WAIT)


class RouteTable(Handler):
    """Route tables; a sweep also yields the routes they hold (routes cannot be tagged)."""

    type = "AWS::EC2::RouteTable"
    immutable = frozenset({"VpcId"})
    reads = ("ec2:DescribeRouteTables",)
    writes = ("ec2:CreateRouteTable", "ec2:CreateTags", "ec2:DisassociateRouteTable", "ec2:DeleteRouteTable")

    def tagged(self, scope: Scope) -> list[Found]:
        swept = []
        for table, item in _swept(self, scope, "describe_route_tables", "RouteTables",
                                  lambda t: Live(t["RouteTableId"])):
            swept.append(table)
            for route in item.get("Routes", []):
                destination = route.get("DestinationCidrBlock")
                # the local route, and those gateway endpoints add (to a prefix list), are not the stack's
                if destination and route.get("GatewayId") != "local" and route.get("Origin") != "CreateRouteTable":
                    swept.append(Found(Route.type, scope.region, f"{table.logical_id}:{destination}",
                                       Live(f"{table.live.id}|{destination}"), f"{table.title} route to {destination}"))
        return swept

    def find(self, op: Op) -> Live | None:
        table = _mine(op, _listed(op, "describe_route_tables", "RouteTables"))
        if table is None:
            return None
        return Live(table["RouteTableId"], {}, {"VpcId": table["VpcId"], "Tags": tag_dict(table.get("Tags"))})

    def create(self, op: Op) -> Live:
        table = op.client("ec2").create_route_table(VpcId=op.props["VpcId"],
                                                    TagSpecifications=op.ec2_tag_spec("route-table"))
        return Live(table["RouteTable"]["RouteTableId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        if "VpcId" in changed:
            raise CannotUpdate(["VpcId"])
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        # Associations of subnets the spec no longer has (AWS drops them with the subnet; moto 5.2 does not).
        for table in ec2.describe_route_tables(RouteTableIds=[live.id])["RouteTables"]:
            for association in table.get("Associations", []):
                if not association.get("Main"):
                    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=live.id)


ROUTE_TARGETS = ("GatewayId", "NatGatewayId")


class Route(Handler):
    type = "AWS::EC2::Route"
    reads = ("ec2:DescribeRouteTables",)
    writes = ("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute")

    def find(self, op: Op) -> Live | None:
        table_id, destination = op.props["RouteTableId"], op.props["DestinationCidrBlock"]
        table = _by_id(op, "describe_route_tables", "RouteTables", "RouteTableId", table_id) or {}
        for route in table.get("Routes", []):
            if route.get("DestinationCidrBlock") == destination:
                current = {k: route.get(k) for k in ROUTE_TARGETS if k in op.props}
                return Live(f"{table_id}|{destination}", {}, current)
        return None

    def _target(self, op: Op) -> dict[str, Any]:
        return {k: op.props[k] for k in ROUTE_TARGETS if k in op.props}

    def create(self, op: Op) -> Live:
        p = op.props
        op.client("ec2").create_route(RouteTableId=p["RouteTableId"], DestinationCidrBlock=p["DestinationCidrBlock"],
                                      **self._target(op))
        return Live(f"{p['RouteTableId']}|{p['DestinationCidrBlock']}")

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        p = op.props
        op.client("ec2").replace_route(RouteTableId=p["RouteTableId"], DestinationCidrBlock=p["DestinationCidrBlock"],
                                       **self._target(op))
        return live

    def delete(self, op: Op, live: Live) -> None:
        table_id, destination = live.id.split("|")
        op.client("ec2").delete_route(RouteTableId=table_id, DestinationCidrBlock=destination)


class RouteTableAssociation(Handler):
    type = "AWS::EC2::SubnetRouteTableAssociation"
    reads = ("ec2:DescribeRouteTables",)
    writes = ("ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable")

    def find(self, op: Op) -> Live | None:
        subnet = op.props["SubnetId"]
        ours = _listed(op, "describe_route_tables", "RouteTables")
        if not any(a.get("SubnetId") == subnet for t in ours for a in t.get("Associations", [])):
            # with another table than the stack's, if any: ask for it by the subnet
            ours = op.client("ec2").describe_route_tables(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
        for table in ours:
            for assoc in table.get("Associations", []):
                if assoc.get("SubnetId") == subnet:
                    return Live(assoc["RouteTableAssociationId"], {}, {"RouteTableId": table["RouteTableId"]})
        return None

    def create(self, op: Op) -> Live:
        assoc = op.client("ec2").associate_route_table(SubnetId=op.props["SubnetId"],
                                                       RouteTableId=op.props["RouteTableId"])
        return Live(assoc["AssociationId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        new = op.client("ec2").replace_route_table_association(AssociationId=live.id,
                                                               RouteTableId=op.props["RouteTableId"])
        return Live(new["NewAssociationId"])

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").disassociate_route_table(AssociationId=live.id)


ENDPOINT_STATES = ("pendingAcceptance", "pending", "available")  # not deleting, deleted, rejected or failed
ENDPOINT_LIVE = {"Name": "vpc-endpoint-state", "Values": list(ENDPOINT_STATES)}


class VpcEndpoint(Handler):
    type = "AWS::EC2::VPCEndpoint"
    unordered = frozenset({"RouteTableIds"})
    immutable = frozenset({"VpcId", "ServiceName", "VpcEndpointType"})
    reads = ("ec2:DescribeVpcEndpoints",)
    writes = ("ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:CreateTags", "ec2:DeleteVpcEndpoints")

    def tagged(self, scope: Scope) -> list[Found]:
        swept = _swept(self, scope, "describe_vpc_endpoints", "VpcEndpoints", lambda e: Live(e["VpcEndpointId"]),
                       ENDPOINT_LIVE)
        live = {state.lower() for state in ENDPOINT_STATES}  # checked again, in any letter case, like the tags
        return [f for f, endpoint in swept if endpoint.get("State", "").lower() in live]

    def find(self, op: Op) -> Live | None:
        endpoint = _mine(op, _listed(op, "describe_vpc_endpoints", "VpcEndpoints", ENDPOINT_LIVE))
        if endpoint is None:
            return None
        return Live(endpoint["VpcEndpointId"], {}, {
            "VpcId": endpoint["VpcId"], "ServiceName": endpoint["ServiceName"],
            "VpcEndpointType": endpoint["VpcEndpointType"], "RouteTableIds": endpoint.get("RouteTableIds", []),
            "Tags": tag_dict(endpoint.get("Tags"))})

    def create(self, op: Op) -> Live:
        p = op.props
        endpoint = op.client("ec2").create_vpc_endpoint(
            VpcId=p["VpcId"], ServiceName=p["ServiceName"], VpcEndpointType=p["VpcEndpointType"],
            RouteTableIds=p["RouteTableIds"], TagSpecifications=op.ec2_tag_spec("vpc-endpoint"))["VpcEndpoint"]
        return Live(endpoint["VpcEndpointId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        want, have = set(op.props["RouteTableIds"]), set(live.current.get("RouteTableIds", []))
        if want != have:
            op.client("ec2").modify_vpc_endpoint(VpcEndpointId=live.id, AddRouteTableIds=sorted(want - have),
                                                 RemoveRouteTableIds=sorted(have - want))
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[live.id])


class NetworkAcl(Handler):
    """Network ACLs; a sweep also yields their rules (which cannot be tagged)."""

    type = "AWS::EC2::NetworkAcl"
    immutable = frozenset({"VpcId"})
    reads = ("ec2:DescribeNetworkAcls",)
    writes = ("ec2:CreateNetworkAcl", "ec2:CreateTags", "ec2:ReplaceNetworkAclAssociation", "ec2:DeleteNetworkAcl")

    def tagged(self, scope: Scope) -> list[Found]:
        swept = []
        for acl, item in _swept(self, scope, "describe_network_acls", "NetworkAcls", lambda a: Live(a["NetworkAclId"])):
            swept.append(acl)
            for entry in item.get("Entries", []):
                number, egress = entry["RuleNumber"], entry["Egress"]
                if number == DEFAULT_RULE:
                    continue
                way = "out" if egress else "in"
                swept.append(Found(NetworkAclEntry.type, scope.region, f"{acl.logical_id}:{way}{number}",
                                   Live(_entry_id(acl.live.id, number, egress)), f"{acl.title} rule {way} {number}"))
        return swept

    def find(self, op: Op) -> Live | None:
        acl = _mine(op, _listed(op, "describe_network_acls", "NetworkAcls"))
        if acl is None:
            return None
        return Live(acl["NetworkAclId"], {}, {"VpcId": acl["VpcId"], "Tags": tag_dict(acl.get("Tags"))})

    def create(self, op: Op) -> Live:
        acl = op.client("ec2").create_network_acl(VpcId=op.props["VpcId"],
                                                  TagSpecifications=op.ec2_tag_spec("network-acl"))
        return Live(acl["NetworkAcl"]["NetworkAclId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        if "VpcId" in changed:
            raise CannotUpdate(["VpcId"])
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        # Associations of subnets the spec no longer has go back to the VPC's default ACL
        # (AWS drops them with the subnet; moto 5.2 does not).
        for acl in ec2.describe_network_acls(NetworkAclIds=[live.id])["NetworkAcls"]:
            if acl.get("Associations"):
                default = _default_acl(ec2, acl["VpcId"])
                for association in acl["Associations"]:
                    ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"],
                                                        NetworkAclId=default)
        ec2.delete_network_acl(NetworkAclId=live.id)


def _default_acl(ec2: Any, vpc_id: str) -> str:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    return ec2.describe_network_acls(Filters=filters)["NetworkAcls"][0]["NetworkAclId"]


DEFAULT_RULE = 32767  # every ACL's last rule, which denies what no other rule allows


def _entry_id(acl: str, number: int, egress: bool) -> str:
    return f"{acl}|{number}|{egress}"


class NetworkAclEntry(Handler):
    type = "AWS::EC2::NetworkAclEntry"
    reads = ("ec2:DescribeNetworkAcls",)
    writes = ("ec2:CreateNetworkAclEntry", "ec2:ReplaceNetworkAclEntry", "ec2:DeleteNetworkAclEntry")

    def find(self, op: Op) -> Live | None:
        p = op.props
        acl = _by_id(op, "describe_network_acls", "NetworkAcls", "NetworkAclId", p["NetworkAclId"]) or {}
        for entry in acl.get("Entries", []):
            if entry["RuleNumber"] == p["RuleNumber"] and entry["Egress"] == p["Egress"]:
                current = {"Protocol": int(entry["Protocol"]), "RuleAction": entry["RuleAction"],
                           "CidrBlock": entry.get("CidrBlock")}
                if "PortRange" in entry:
                    current["PortRange"] = {"From": entry["PortRange"]["From"], "To": entry["PortRange"]["To"]}
                return Live(_entry_id(p["NetworkAclId"], p["RuleNumber"], p["Egress"]), {}, current)
        return None

    def _entry(self, op: Op) -> dict[str, Any]:
        p = op.props
        entry = {"NetworkAclId": p["NetworkAclId"], "RuleNumber": p["RuleNumber"], "Egress": p["Egress"],
                 "RuleAction": p["RuleAction"], "CidrBlock": p["CidrBlock"], "Protocol": str(p["Protocol"])}
        if "PortRange" in p:
            entry["PortRange"] = p["PortRange"]
        return entry

    def create(self, op: Op) -> Live:
        op.client("ec2").create_network_acl_entry(**self._entry(op))
        p = op.props
        return Live(_entry_id(p["NetworkAclId"], p["RuleNumber"], p["Egress"]))

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        op.client("ec2").replace_network_acl_entry(**self._entry(op))
        return live

    def delete(self, op: Op, live: Live) -> None:
        acl, number, egress = live.id.split("|")
        op.client("ec2").delete_network_acl_entry(NetworkAclId=acl, RuleNumber=int(number), Egress=egress == "True")


class NetworkAclAssociation(Handler):
    """A subnet always belongs to one network ACL; "creating" the association moves the
    subnet from the VPC's default ACL to the stack's, "deleting" it moves it back."""

    type = "AWS::EC2::SubnetNetworkAclAssociation"
    reads = ("ec2:DescribeNetworkAcls", "ec2:DescribeSubnets")
    writes = ("ec2:ReplaceNetworkAclAssociation",)

    def _current(self, op: Op) -> tuple[dict[str, Any], str] | None:
        subnet = op.props["SubnetId"]
        acls = _listed(op, "describe_network_acls", "NetworkAcls")
        if not any(a["SubnetId"] == subnet for acl in acls for a in acl.get("Associations", [])):
            # with the VPC's default ACL (or another's): ask for it by the subnet
            acls = op.client("ec2").describe_network_acls(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
        for acl in acls:
            for assoc in acl.get("Associations", []):
                if assoc["SubnetId"] == subnet:
                    return acl, assoc["NetworkAclAssociationId"]
        return None

    def find(self, op: Op) -> Live | None:
        found = self._current(op)
        if found is None or found[0].get("IsDefault"):
            return None  # still on the VPC's default ACL
        acl, assoc = found
        return Live(assoc, {}, {"NetworkAclId": acl["NetworkAclId"]})

    def create(self, op: Op) -> Live:
        found = self._current(op)
        if found is None:
            raise RuntimeError(f"subnet {op.props['SubnetId']} has no network ACL association")
        new = op.client("ec2").replace_network_acl_association(AssociationId=found[1],
                                                               NetworkAclId=op.props["NetworkAclId"])
        return Live(new["NewAssociationId"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        return self.create(op)

    def delete(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        subnet = ec2.describe_subnets(SubnetIds=[op.props["SubnetId"]])["Subnets"][0]
        ec2.replace_network_acl_association(AssociationId=live.id, NetworkAclId=_default_acl(ec2, subnet["VpcId"]))


def _rules(permissions: list[dict[str, Any]], group_key: str) -> list[dict[str, Any]]:
    """EC2 IpPermissions -> one CloudFormation-shaped rule per peer."""
    rules = []
    for perm in permissions:
        base: dict[str, Any] = {"IpProtocol": perm["IpProtocol"]}
        if perm["IpProtocol"] != "-1":
            base.update(FromPort=perm.get("FromPort"), ToPort=perm.get("ToPort"))
        for peer in perm.get("IpRanges", []):
            rules.append({**base, "CidrIp": peer["CidrIp"], **_description(peer)})
        for peer in perm.get("UserIdGroupPairs", []):
            rules.append({**base, group_key: peer["GroupId"], **_description(peer)})
    return rules


def _description(peer: dict[str, Any]) -> dict[str, str]:
    return {"Description": peer["Description"]} if peer.get("Description") else {}


def _permission(rule: dict[str, Any]) -> dict[str, Any]:
    """One CloudFormation-shaped rule -> an EC2 IpPermission."""
    perm: dict[str, Any] = {"IpProtocol": str(rule["IpProtocol"])}
    if "FromPort" in rule:
        perm.update(FromPort=rule["FromPort"], ToPort=rule["ToPort"])
    peer = {"Description": rule["Description"]} if rule.get("Description") else {}
    if "CidrIp" in rule:
        perm["IpRanges"] = [{"CidrIp": rule["CidrIp"], **peer}]
    else:
        group = rule.get("SourceSecurityGroupId") or rule.get("DestinationSecurityGroupId")
        perm["UserIdGroupPairs"] = [{"GroupId": group, **peer}]
    return perm


class SecurityGroup(Handler):
    type = "AWS::EC2::SecurityGroup"
    unordered = frozenset({"SecurityGroupIngress", "SecurityGroupEgress"})
    immutable = frozenset({"GroupName", "GroupDescription", "VpcId"})
    reads = ("ec2:DescribeSecurityGroups",)
    writes = ("ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
              "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
              "ec2:DeleteSecurityGroup")

    def tagged(self, scope: Scope) -> list[Found]:
        return [f for f, _ in _swept(self, scope, "describe_security_groups", "SecurityGroups",
                                     lambda g: Live(g["GroupId"], {"GroupId": g["GroupId"]}))]

    def find(self, op: Op) -> Live | None:
        group = _mine(op, _listed(op, "describe_security_groups", "SecurityGroups"))
        if group is None:
            return None
        return Live(group["GroupId"], {"GroupId": group["GroupId"]}, {
            "GroupName": group["GroupName"], "GroupDescription": group["Description"], "VpcId": group.get("VpcId"),
            "SecurityGroupIngress": _rules(group.get("IpPermissions", []), "SourceSecurityGroupId"),
            "SecurityGroupEgress": _rules(group.get("IpPermissionsEgress", []), "DestinationSecurityGroupId"),
            "Tags": tag_dict(group.get("Tags"))})

    def create(self, op: Op) -> Live:
        p, ec2 = op.props, op.client("ec2")
        group_id = ec2.create_security_group(GroupName=p["GroupName"], Description=p["GroupDescription"],
                                             VpcId=p["VpcId"],
                                             TagSpecifications=op.ec2_tag_spec("security-group"))["GroupId"]
        # A new group allows all egress; replace that with the blueprint's rules.
        default_egress = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
        live = Live(group_id, {"GroupId": group_id},
                    {"SecurityGroupIngress": [], "SecurityGroupEgress": default_egress})
        self._sync_rules(op, live)
        return live

    def _sync_rules(self, op: Op, live: Live) -> None:
        ec2 = op.client("ec2")
        for key, authorize, revoke in (
                ("SecurityGroupIngress", ec2.authorize_security_group_ingress, ec2.revoke_security_group_ingress),
                ("SecurityGroupEgress", ec2.authorize_security_group_egress, ec2.revoke_security_group_egress)):
            want = {_rule_key(r): r for r in op.props.get(key, [])}
            have = {_rule_key(r): r for r in live.current.get(key, [])}
            gone = [_permission(have[k]) for k in have if k not in want]
            new = [_permission(want[k]) for k in want if k not in have]
            if gone:
                revoke(GroupId=live.id, IpPermissions=gone)
            if new:
                authorize(GroupId=live.id, IpPermissions=new)

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        self._sync_rules(op, live)
        _retag(op, live.id)
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").delete_security_group(GroupId=live.id)


def _rule_key(rule: dict[str, Any]) -> tuple:
    """A rule's identity (its description is not part of it, as in EC2)."""
    return tuple(sorted((k, str(v)) for k, v in rule.items() if k != "Description"))

