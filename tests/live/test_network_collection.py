"""What the reachability engine needs, read from the account: network interfaces and the
Elastic IPs on them, the IPv6 addresses instances really have, transit gateways and
their security group referencing, and whether a network load balancer's targets see the
client's address. Each case is built in moto and judged by the network policies, with
the verdict the setting decides (where it used to be a guess or "possibly")."""
from __future__ import annotations

import pytest

from fixtures.livebuilder import (
    ingress,
    remove_default_vpc,
    ssh_behind_network_balancer,
    subnet,
    tag_list,
    tag_spec,
)
from stackproof.loaders.live import inventory_of
from stackproof.rules import FAIL, PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, result_of

REGION = "eu-west-2"
ADMIN = "network_admin_ports_not_internet_reachable"


def public_vpc(ec2, cidr="10.0.0.0/16", ipv6=False):
    """A VPC with an internet gateway and a route table to it; returns (vpc, gateway, public table)."""
    remove_default_vpc(ec2)
    vpc = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6,
                         TagSpecifications=tag_spec("vpc", {"Name": "vpc"}))["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    return vpc, gateway, table


def public_subnet(ec2, vpc, table, cidr, name, **options):
    found = subnet(ec2, vpc, cidr, f"{REGION}a", {"Name": name}, **options)
    ec2.associate_route_table(RouteTableId=table, SubnetId=found)
    return found


# -- Elastic IPs on network interfaces -------------------------------------------------


def test_an_elastic_ip_on_a_second_interface_is_not_the_primary_ones(moto, catalogue):
    """The primary interface is in a public subnet without a public address; the Elastic IP
    is on a second interface in a private subnet: nothing reaches SSH from the internet,
    whether DescribeAddresses names the instance (AWS) or not (moto)."""
    ec2 = moto.clients()("ec2")
    vpc, _, table = public_vpc(ec2)
    public = public_subnet(ec2, vpc, table, "10.0.1.0/24", "public-a")
    private = subnet(ec2, vpc, "10.0.10.0/24", f"{REGION}a", {"Name": "private-a"})
    group = ec2.create_security_group(GroupName="admin", Description="admin", VpcId=vpc)["GroupId"]
    ingress(ec2, group, 22, cidr="0.0.0.0/0")
    instance = ec2.run_instances(
        ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": public, "Groups": [group],
                            "AssociatePublicIpAddress": False}],
        TagSpecifications=tag_spec("instance", {"Name": "admin"}))["Instances"][0]["InstanceId"]
    second = ec2.create_network_interface(SubnetId=private, Groups=[group])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=second, InstanceId=instance, DeviceIndex=1)
    ec2.associate_address(AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"], NetworkInterfaceId=second)

    snapshot, inventory = audit(moto, [REGION], services=["vpc", "ec2"])
    (address,) = next(u for u in snapshot.units if u.service == "vpc").data["addresses"]
    assert not address.get("InstanceId")  # moto leaves the instance out; AWS names it:
    address["InstanceId"] = instance
    for audited in (inventory, inventory_of(snapshot)):
        ssh = result_of(audited, catalogue, ADMIN, "admin")
        assert ssh.status == PASS, ssh.message
        public_ip = result_of(audited, catalogue, "instance_no_public_ip", "admin")
        assert public_ip.status == FAIL and f"on interface {second}" in public_ip.message


# -- IPv6 --------------------------------------------------------------------------------


def test_an_instance_has_the_ipv6_addresses_the_account_shows_not_its_subnets_setting(moto, catalogue):
    """SSH is open to ::/0 only. One instance has an IPv6 address: reachable. The other was
    launched before its subnet began assigning IPv6 addresses and has none: not reachable."""
    ec2 = moto.clients()("ec2")
    vpc, gateway, table = public_vpc(ec2, ipv6=True)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0", GatewayId=gateway)
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    dual = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a",
                             Ipv6CidrBlock=block.replace("/56", "/64"))["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=dual, MapPublicIpOnLaunch={"Value": False})
    ec2.associate_route_table(RouteTableId=table, SubnetId=dual)
    # AWS's default ACL of a VPC with IPv6 allows ::/0 both ways (rule 101); moto's has only IPv4 rules
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=101, Protocol="-1",
                                     RuleAction="allow", Egress=egress, Ipv6CidrBlock="::/0")
    group = ec2.create_security_group(GroupName="admin", Description="admin", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])

    def launch(name, **options):
        ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=dual,
                          SecurityGroupIds=[group], TagSpecifications=tag_spec("instance", {"Name": name}), **options)

    launch("v4-only")
    ec2.modify_subnet_attribute(SubnetId=dual, AssignIpv6AddressOnCreation={"Value": True})
    launch("dual-stack", Ipv6AddressCount=1)
    _, inventory = audit(moto, [REGION], services=["vpc", "ec2"])
    assert result_of(inventory, catalogue, ADMIN, "dual-stack").status == FAIL
    assert result_of(inventory, catalogue, ADMIN, "v4-only").status == PASS


# -- transit gateways ----------------------------------------------------------------------


def tiers_across_a_transit_gateway(clients, attachment_referencing: str) -> None:
    """A web instance in one VPC, a database in another whose group admits the web group on
    5432; the VPCs route to each other through a transit gateway that carries references."""
    ec2 = clients("ec2")
    remove_default_vpc(ec2)
    gateway = ec2.create_transit_gateway(Options={"SecurityGroupReferencingSupport": "enable"})
    gateway = gateway["TransitGateway"]["TransitGatewayId"]
    web_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    data_vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    web_subnet = subnet(ec2, web_vpc, "10.1.1.0/24", f"{REGION}a", {"Name": "web-a", "Tier": "web"})
    data_subnets = [subnet(ec2, data_vpc, f"10.2.{i}.0/24", f"{REGION}{az}", {"Name": f"data-{az}", "Tier": "data"})
                    for i, az in enumerate("ab")]
    for vpc, subnets, other, referencing in ((web_vpc, [web_subnet], "10.2.0.0/16", "enable"),
                                             (data_vpc, data_subnets, "10.1.0.0/16", attachment_referencing)):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=gateway, VpcId=vpc, SubnetIds=subnets[:1],
                                                  Options={"SecurityGroupReferencingSupport": referencing})
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=other, TransitGatewayId=gateway)
        for found in subnets:
            ec2.associate_route_table(RouteTableId=table, SubnetId=found)
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=web_vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=data_vpc)["GroupId"]
    ingress(ec2, db, 5432, group=web)
    ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=web_subnet,
                      SecurityGroupIds=[web], TagSpecifications=tag_spec("instance", {"Name": "web", "Tier": "web"}))
    rds = clients("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=data_subnets)
    rds.create_db_instance(DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="app", MasterUserPassword="not-a-real-secret-1",
                           DBSubnetGroupName="data", VpcSecurityGroupIds=[db],
                           Tags=tag_list({"Name": "db", "Tier": "data"}))


@pytest.mark.parametrize("referencing,status", [("enable", FAIL), ("disable", PASS)])
def test_a_group_reference_across_a_transit_gateway_is_decided(moto, catalogue, referencing, status):
    """web -> data on 5432 is not an allowed tier flow: it happens when both the gateway and
    the database VPC's attachment carry group references, and not when the attachment does not."""
    tiers_across_a_transit_gateway(moto.clients(), referencing)
    _, inventory = audit(moto, [REGION], services=["vpc", "ec2", "rds"])
    found = result_of(inventory, catalogue, "network_tier_isolation", "db")
    assert found.status == status, found.message


def test_transit_gateways_that_cannot_be_listed_leave_the_reference_unknown(moto, catalogue):
    tiers_across_a_transit_gateway(moto.clients(), "enable")
    denied = Faults().error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.",
                            service="ec2", operation="DescribeTransitGateways")
    snapshot, inventory = audit(moto, [REGION], hooks=[denied.hook], services=["vpc", "ec2", "rds"])
    assert inventory.gaps == []  # the rest of the network picture was read
    found = result_of(inventory, catalogue, "network_tier_isolation", "db")
    assert found.status == UNKNOWN and "DescribeTransitGateways failed: access denied" in found.message
    (entry,) = inventory.run_info["not_assessed"]
    assert (entry["service"], entry["call"]) == ("vpc", "DescribeTransitGateways")


# -- network load balancers ------------------------------------------------------------------


@pytest.mark.parametrize("preserved,status", [(True, PASS), (False, FAIL), (None, UNKNOWN)])
def test_network_balancer_targets_see_the_client_as_the_target_group_says(moto, catalogue, preserved, status):
    """SSH through an internet-facing NLB to a private instance whose group admits only the
    VPC's range: blocked when the instance sees the client's address, open when it sees the
    balancer's. moto states preserve_client_ip.enabled only once it is set; unstated, the
    audit does not assume AWS's default."""
    clients = moto.clients()
    ec2 = clients("ec2")
    vpc, _, table = public_vpc(ec2)
    public = [public_subnet(ec2, vpc, table, "10.0.1.0/24", "public-a"),
              public_subnet(ec2, vpc, table, "10.0.2.0/24", "public-b")]
    private = subnet(ec2, vpc, "10.0.10.0/24", f"{REGION}a", {"Name": "app-a"})
    ssh_behind_network_balancer(clients, vpc, public, private, ssh_from="10.0.0.0/16", preserved=preserved)
    _, inventory = audit(moto, [REGION], services=["vpc", "ec2", "elbv2"])
    found = result_of(inventory, catalogue, ADMIN, "app")
    assert found.status == status, found.message
    if preserved is None:
        assert "preserve_client_ip.enabled" in found.message
