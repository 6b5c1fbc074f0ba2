"""What the network engine needs from the plan loader: blackhole routes, prefix lists."""
from __future__ import annotations

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.loaders import load_inputs
from stackproof.model import PrefixList, RouteTable
from stackproof.network import network_of


def _load(tmp_path, builder):
    path = tmp_path / "plan.json"
    path.write_text(builder.dumps())
    return load_inputs([str(path)])


def test_a_route_in_state_blackhole_is_a_blackhole(tmp_path):
    b = PlanBuilder()
    b.add("aws_route_table.t", {"id": "rtb-01", "vpc_id": "vpc-01", "route": []}, action="no-op")
    for name, state in (("gone", "blackhole"), ("live", "active")):
        b.add(f"aws_route.{name}", {"id": f"r-{name}", "route_table_id": "rtb-01", "gateway_id": "igw-01",
                                    "destination_cidr_block": "0.0.0.0/0" if name == "gone" else "10.9.0.0/16",
                                    "state": state}, action="no-op")
    table = _load(tmp_path, b).of_kind(RouteTable)[0]
    assert {r.destination: r.blackhole for r in table.routes} == {"0.0.0.0/0": True, "10.9.0.0/16": False}


def test_managed_prefix_list_entries_are_mapped_and_match_group_rules(tmp_path):
    b = PlanBuilder()
    b.add("aws_ec2_managed_prefix_list.office", {"id": "pl-0office", "name": "office", "address_family": "IPv4",
                                                 "max_entries": 5,
                                                 "entry": [{"cidr": "198.51.100.0/24", "description": "hq"}]},
          action="no-op")
    b.add("aws_ec2_managed_prefix_list_entry.vpn", {"prefix_list_id": ref("aws_ec2_managed_prefix_list.office"),
                                                    "cidr": "203.0.113.0/28"})
    inventory = _load(tmp_path, b)
    plist = inventory.of_kind(PrefixList)[0]
    assert plist.prefix_list_id == "pl-0office" and plist.entries == ("198.51.100.0/24", "203.0.113.0/28")
    assert network_of(inventory).indexes.prefix_lists["pl-0office"] == plist.entries


def _nlb_plan(b: PlanBuilder, preserve: str | None) -> None:
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    b.add("aws_internet_gateway.gw", {"vpc_id": ref("aws_vpc.main")})
    b.add("aws_route_table.public", {"vpc_id": ref("aws_vpc.main"),
                                     "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": ref("aws_internet_gateway.gw")}]})
    b.add("aws_subnet.public", {"vpc_id": ref("aws_vpc.main"), "cidr_block": "10.0.1.0/24"})
    b.add("aws_route_table_association.public", {"subnet_id": ref("aws_subnet.public"),
                                                 "route_table_id": ref("aws_route_table.public")})
    b.add("aws_lb.nlb", {"name": "nlb", "load_balancer_type": "network", "internal": False,
                         "subnets": [ref("aws_subnet.public")], "ip_address_type": "dualstack"})
    b.add("aws_lb_target_group.tg", {"name": "tg", "port": 8443, "protocol": "TCP", "vpc_id": ref("aws_vpc.main"),
                                     "target_type": "instance",
                                     **({"preserve_client_ip": preserve} if preserve is not None else {})})
    b.add("aws_lb_listener.tcp", {"load_balancer_arn": ref("aws_lb.nlb", "arn"), "port": 443, "protocol": "TCP",
                                  "default_action": [{"type": "forward",
                                                      "target_group_arn": ref("aws_lb_target_group.tg", "arn")}]})


def test_target_group_client_ip_preservation_and_balancer_address_type_are_read(tmp_path):
    from stackproof.model import LoadBalancer, TargetGroup

    b = PlanBuilder()
    _nlb_plan(b, None)
    inventory = _load(tmp_path, b)
    assert inventory.of_kind(TargetGroup)[0].preserve_client_ip is None  # unset: AWS's default applies
    assert inventory.of_kind(LoadBalancer)[0].ip_address_type == "dualstack"
    b = PlanBuilder()
    _nlb_plan(b, "false")
    assert _load(tmp_path, b).of_kind(TargetGroup)[0].preserve_client_ip is False


def test_transit_gateway_security_group_referencing_is_read(tmp_path):
    from stackproof.model import TransitGateway, TransitGatewayAttachment

    b = PlanBuilder()
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    b.add("aws_ec2_transit_gateway.hub", {"security_group_referencing_support": "enable"})
    b.add("aws_ec2_transit_gateway.plain", {})
    b.add("aws_ec2_transit_gateway_vpc_attachment.main", {"transit_gateway_id": ref("aws_ec2_transit_gateway.hub"),
                                                          "vpc_id": ref("aws_vpc.main"), "subnet_ids": []})
    inventory = _load(tmp_path, b)
    gateways = {g.key: g.security_group_referencing for g in inventory.of_kind(TransitGateway)}
    assert gateways == {"aws_ec2_transit_gateway.hub": True, "aws_ec2_transit_gateway.plain": False}
    attachment = inventory.of_kind(TransitGatewayAttachment)[0]
    assert attachment.transit_gateway == "aws_ec2_transit_gateway.hub" and attachment.security_group_referencing is True


def test_template_target_group_attributes_and_transit_gateway_options_are_read(tmp_path):
    from stackproof.model import LoadBalancer, TargetGroup, TransitGateway, TransitGatewayAttachment

    path = tmp_path / "template.yaml"
    path.write_text("""
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [!Ref Subnet], IpAddressType: dualstack}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8443
      Protocol: TCP
      VpcId: !Ref Vpc
      TargetType: ip
      TargetGroupAttributes: [{Key: preserve_client_ip.enabled, Value: "true"}]
  Hub:
    Type: AWS::EC2::TransitGateway
    Properties: {SecurityGroupReferencingSupport: enable}
  Attach:
    Type: AWS::EC2::TransitGatewayVpcAttachment
    Properties: {TransitGatewayId: !Ref Hub, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet],
                 Options: {SecurityGroupReferencingSupport: disable}}
""")
    inventory = load_inputs([str(path)])
    assert inventory.of_kind(TargetGroup)[0].preserve_client_ip is True
    assert inventory.of_kind(LoadBalancer)[0].ip_address_type == "dualstack"
    assert inventory.of_kind(TransitGateway)[0].security_group_referencing is True
    assert inventory.of_kind(TransitGatewayAttachment)[0].security_group_referencing is False
