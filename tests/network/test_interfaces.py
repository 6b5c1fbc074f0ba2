"""Network interfaces and Elastic IPs: an instance is placed by its primary interface, and
an Elastic IP on an interface makes the instance public (plans, templates, the model)."""
from __future__ import annotations

import json
import textwrap

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.loaders import load_inputs
from stackproof.model import ElasticIp, Instance, NetworkInterface, Unknown
from stackproof.network import network_of

from .netbuild import Net, egress_all, ingress, reach


def _public_subnet(b: PlanBuilder, map_public: bool = False) -> None:
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16", "tags": {"Name": "vpc"}})
    b.add("aws_internet_gateway.main", {"vpc_id": ref("aws_vpc.main"), "tags": {"Name": "igw"}})
    b.add("aws_route_table.public", {"vpc_id": ref("aws_vpc.main"), "tags": {"Name": "rtb-public"},
                                     "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": ref("aws_internet_gateway.main")}]})
    b.add("aws_subnet.public", {"vpc_id": ref("aws_vpc.main"), "cidr_block": "10.0.1.0/24",
                                "map_public_ip_on_launch": map_public, "tags": {"Name": "public"}})
    b.add("aws_route_table_association.public", {"subnet_id": ref("aws_subnet.public"),
                                                 "route_table_id": ref("aws_route_table.public")})
    rule = {"cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
            "self": False, "description": ""}
    b.add("aws_security_group.ssh", {"vpc_id": ref("aws_vpc.main"), "name": "ssh", "tags": {"Name": "sg-ssh"},
                                     "ingress": [{**rule, "from_port": 22, "to_port": 22, "protocol": "tcp"}],
                                     "egress": [{**rule, "from_port": 0, "to_port": 0, "protocol": "-1"}]})


def _interface_instance(b: PlanBuilder) -> None:
    b.add("aws_network_interface.web", {"subnet_id": ref("aws_subnet.public"),
                                        "security_groups": [ref("aws_security_group.ssh")], "tags": {"Name": "eni-web"}})
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "tags": {"Name": "web"},
                               "network_interface": [{"network_interface_id": ref("aws_network_interface.web"),
                                                      "device_index": 0}]})


def _plan(tmp_path, b: PlanBuilder):
    path = tmp_path / "plan.json"
    path.write_text(b.dumps())
    return network_of(load_inputs([str(path)]))


def test_plan_instance_is_placed_by_its_primary_interface_and_its_elastic_ip(tmp_path):
    b = PlanBuilder()
    _public_subnet(b)
    _interface_instance(b)
    b.add("aws_eip.web", {"domain": "vpc", "network_interface": ref("aws_network_interface.web"),
                          "tags": {"Name": "eip-web"}})
    answer = reach(_plan(tmp_path, b), "internet", "aws_instance.web", "tcp", 22)
    assert answer.reachable
    path = answer.paths[0].path()
    assert "Elastic IP eip-web (aws_eip.web) on interface eni-web" in path and "sg-ssh ingress tcp/22" in path


def test_plan_interface_without_elastic_ip_gets_no_public_address_even_in_an_auto_assigning_subnet(tmp_path):
    b = PlanBuilder()
    _public_subnet(b, map_public=True)  # only a new primary interface would get the subnet's public IP
    _interface_instance(b)
    answer = reach(_plan(tmp_path, b), "internet", "aws_instance.web", "tcp", 22)
    assert not answer.reachable and not answer.possibly
    assert "no public IPv4 address" in " ".join(b.reason for b in answer.blocked)


def test_plan_eip_association_on_the_instances_primary_interface(tmp_path):
    b = PlanBuilder()
    _public_subnet(b)
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "tags": {"Name": "web"},
                               "subnet_id": ref("aws_subnet.public"),
                               "vpc_security_group_ids": [ref("aws_security_group.ssh")],
                               "associate_public_ip_address": False})
    net = _plan(tmp_path, b)
    assert not reach(net, "internet", "aws_instance.web", "tcp", 22).possibly
    b.add("aws_eip.web", {"domain": "vpc", "tags": {"Name": "eip-web"}})
    b.add("aws_eip_association.web", {"allocation_id": ref("aws_eip.web"),
                                      "network_interface_id": ref("aws_instance.web", "primary_network_interface_id")})
    answer = reach(_plan(tmp_path, b), "internet", "aws_instance.web", "tcp", 22)
    assert answer.reachable and "Elastic IP aws_eip_association.web" in answer.paths[0].path()


def test_plan_eip_association_of_an_address_allocated_outside_the_plan(tmp_path):
    b = PlanBuilder()
    _public_subnet(b)
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.public"),
                               "vpc_security_group_ids": [ref("aws_security_group.ssh")],
                               "associate_public_ip_address": False})
    b.add("aws_eip_association.web", {"allocation_id": "eipalloc-0123456789abcdef0",
                                      "instance_id": ref("aws_instance.web")})
    assert reach(_plan(tmp_path, b), "internet", "aws_instance.web", "tcp", 22).reachable


def test_plan_eip_on_an_instances_primary_interface_is_that_instances_even_when_instance_is_unknown(tmp_path):
    """instance from a variable (unknown), network_interface = the instance's primary interface:
    the address is that instance's (this once raised, and the Elastic IP became a gap)."""
    def change(address, after, unknown, expressions):
        kind, name = address.split(".")
        return ({"address": address, "mode": "managed", "type": kind, "name": name,
                 "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}},
                {"address": address, "mode": "managed", "type": kind, "name": name, "expressions": expressions})

    web = change("aws_instance.web", {"instance_type": "t3.small"},
                 {"id": True, "primary_network_interface_id": True}, {"instance_type": {"constant_value": "t3.small"}})
    eip = change("aws_eip.ip", {"domain": "vpc"},
                 {"id": True, "instance": True, "network_interface": True, "public_ip": True},
                 {"instance": {"references": ["var.instance_id"]},
                  "network_interface": {"references": ["aws_instance.web.primary_network_interface_id",
                                                       "aws_instance.web"]}})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": [web[0], eip[0]],
                                "configuration": {"root_module": {"resources": [web[1], eip[1]]}}}))
    found = load_inputs([str(path)]).get("aws_eip.ip")
    assert found.instance == "aws_instance.web" and found.network_interface is None


def test_plan_eip_whose_instance_cannot_be_told_makes_instances_possibly_reachable(tmp_path):
    b = PlanBuilder()
    _public_subnet(b)
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.public"),
                               "vpc_security_group_ids": [ref("aws_security_group.ssh")],
                               "associate_public_ip_address": False})
    b.add("aws_ssm_parameter.target", {"name": "/web/instance", "type": "String", "value": "i-0123"})
    b.add("aws_eip.web", {"domain": "vpc", "instance": ref("aws_ssm_parameter.target", "value")})
    answer = reach(_plan(tmp_path, b), "internet", "aws_instance.web", "tcp", 22)
    assert answer.possibly and not answer.reachable
    assert "the instance of Elastic IP" in " ".join(answer.paths[0].unknowns)


def test_plan_eips_of_nat_gateways_leave_instances_alone(tmp_path):
    """A real plan marks an unset aws_eip.instance as computed: that is no association."""
    b = PlanBuilder()
    _public_subnet(b)
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.public"),
                               "vpc_security_group_ids": [ref("aws_security_group.ssh")],
                               "associate_public_ip_address": False})
    b.add("aws_eip.nat", {"domain": "vpc"})
    b.add("aws_nat_gateway.main", {"subnet_id": ref("aws_subnet.public"), "allocation_id": ref("aws_eip.nat")})
    net = _plan(tmp_path, b)
    eip = net.inventory.get("aws_eip.nat")
    assert isinstance(eip, ElasticIp) and eip.instance is None and eip.network_interface is None
    assert not reach(net, "internet", "aws_instance.web", "tcp", 22).possibly


TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Rtb:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rtb, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Rtb}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Eni:
    Type: AWS::EC2::NetworkInterface
    Properties: {SubnetId: !Ref Subnet, GroupSet: [!Ref Sg], Ipv6AddressCount: 0}
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: t3.micro
      NetworkInterfaces: [{NetworkInterfaceId: !Ref Eni, DeviceIndex: "0"}]
"""

ASSOCIATION = """
  Eip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  EipAssoc:
    Type: AWS::EC2::EIPAssociation
    Properties: {AllocationId: !GetAtt Eip.AllocationId, NetworkInterfaceId: !Ref Eni}
"""


def _template(tmp_path, text: str):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return network_of(load_inputs([str(path)]))


def test_template_instance_on_an_existing_interface_with_an_elastic_ip_is_reachable(tmp_path):
    net = _template(tmp_path, TEMPLATE + ASSOCIATION)
    interface = net.inventory.get("Eni")
    assert isinstance(interface, NetworkInterface) and interface.instance == "Web" and interface.device_index == 0
    answer = reach(net, "internet", "Web", "tcp", 22)
    assert answer.reachable and "Elastic IP EipAssoc on interface Eni" in answer.paths[0].path()


def test_template_instance_on_an_existing_interface_without_elastic_ip_is_not(tmp_path):
    answer = reach(_template(tmp_path, TEMPLATE), "internet", "Web", "tcp", 22)
    assert not answer.reachable and not answer.possibly
    assert "no public IPv4 address" in " ".join(b.reason for b in answer.blocked)


# -- the model: secondary interfaces, unknown attachments ----------------------------------------


def _with_secondary(eip: bool) -> Net:
    n = Net().set("web", subnet="private", associate_public_ip_address=False)
    n.add(NetworkInterface, "eni-second", subnet="public", security_groups=("sg-web",), instance="web",
          device_index=1)
    if eip:
        n.add(ElasticIp, "eip-second", network_interface="eni-second")
    return n


def test_elastic_ip_on_a_secondary_interface_exposes_the_instance_through_that_interface():
    answer = reach(_with_secondary(eip=True).network(), "internet", "web", "tcp", 443)
    assert answer.reachable and "Elastic IP eip-second on interface eni-second" in answer.paths[0].path()


def test_secondary_interface_without_elastic_ip_exposes_nothing():
    answer = reach(_with_secondary(eip=False).network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and not answer.possibly


def test_elastic_ip_naming_its_instance_and_interface_is_only_on_that_interface():
    """Terraform state and EC2 name both the instance and the interface of an address on a
    secondary interface: the address is that interface's, not the primary's."""
    n = Net().set("web", subnet="public", associate_public_ip_address=False)
    n.add(NetworkInterface, "eni-second", subnet="private", security_groups=("sg-web",), instance="web",
          device_index=1)
    n.add(ElasticIp, "eip-second", instance="web", network_interface="eni-second")
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and not answer.possibly


def test_interface_whose_instance_is_unknown_with_an_elastic_ip_is_possibly_anyones():
    n = Net().set("web", associate_public_ip_address=False)
    n.add(NetworkInterface, "eni-x", subnet="public", instance=Unknown("attachment known after apply"))
    n.add(ElasticIp, "eip-x", network_interface="eni-x")
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert answer.possibly and not answer.reachable
    assert "whose instance is unknown" in answer.paths[0].unknowns[0]


# -- IPv6 asked for by the instance itself -------------------------------------------------------


def test_instance_asking_for_an_ipv6_address_is_reachable_over_ipv6():
    n = Net().set("web", associate_public_ip_address=False, ipv6_address_count=1)
    n.set("sg-web", rules=(ingress(443, v6=("::/0",)), egress_all()))
    assert reach(n.network(), "2a00:1450::1/128", "web", "tcp", 443).reachable  # the subnet does not assign one
    n.set("web", ipv6_address_count=0)
    assert not reach(n.network(), "2a00:1450::1/128", "web", "tcp", 443).possibly


def test_plan_instance_ipv6_address_count_is_read(tmp_path):
    b = PlanBuilder()
    _public_subnet(b)
    b.add("aws_instance.web", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.public"),
                               "ipv6_address_count": 1})
    b.add("aws_instance.plain", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.public")})
    inventory = _plan(tmp_path, b).inventory
    assert inventory.get("aws_instance.web").ipv6_address_count == 1
    assert inventory.get("aws_instance.plain").ipv6_address_count is None  # computed, not set: the subnet decides
    assert isinstance(inventory.get("aws_instance.web"), Instance)
