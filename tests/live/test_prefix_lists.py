"""Managed prefix lists, read from the account: a security group rule that names one admits
the addresses the list holds, as it does in a plan or a template. Customer-managed lists
and AWS-managed ones (the public ranges of S3 and other services) alike; a list whose
entries cannot be read leaves what depends on it UNKNOWN, with the reason."""
from __future__ import annotations

import pytest

from fixtures.livebuilder import remove_default_vpc, subnet, tag_spec
from stackproof.loaders.live import inventory_of
from stackproof.model import PrefixList
from stackproof.rules import FAIL, PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, result_of

REGION = "eu-west-2"
ADMIN = "network_admin_ports_not_internet_reachable"


def admin_result(inventory, catalogue):
    return result_of(inventory, catalogue, ADMIN, "bastion")


def bastion_admitting_ssh_from(ec2, prefix_list: str) -> None:
    """An instance with a public address in a subnet routed to an internet gateway (the
    default network ACL admits everything), whose only group admits SSH from the list."""
    remove_default_vpc(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    public = subnet(ec2, vpc, "10.0.1.0/24", f"{REGION}a", {"Name": "public-a"}, public_ips=True)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    group = ec2.create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": prefix_list}]}])
    ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=public,
                      SecurityGroupIds=[group], TagSpecifications=tag_spec("instance", {"Name": "bastion"}))


def own_list(ec2, *cidrs: str) -> str:
    return ec2.create_managed_prefix_list(
        PrefixListName="admins", AddressFamily="IPv4", MaxEntries=5, Entries=[{"Cidr": c} for c in cidrs],
        TagSpecifications=tag_spec("prefix-list", {"Name": "admins"}))["PrefixList"]["PrefixListId"]


@pytest.mark.parametrize("cidr,status", [("0.0.0.0/0", FAIL), ("10.0.0.0/8", PASS)])
def test_ssh_from_a_customer_managed_list_is_judged_by_its_entries(moto, catalogue, cidr, status):
    ec2 = moto.clients()("ec2")
    listed = own_list(ec2, cidr)
    bastion_admitting_ssh_from(ec2, listed)
    snapshot, inventory = audit(moto, [REGION], services=["vpc", "ec2"])
    (found,) = [p for p in inventory.of_kind(PrefixList) if p.prefix_list_id == listed]
    assert (found.name, found.entries, found.address_family) == ("admins", (cidr,), "IPv4")
    for audited in (inventory, inventory_of(snapshot)):  # the snapshot, scanned offline, says the same
        ssh = admin_result(audited, catalogue)
        assert ssh.status == status, ssh.message
    if status == FAIL:
        assert f"prefix list {listed}" in str(ssh.evidence)


def test_ssh_from_an_aws_managed_list_is_reachable_from_its_public_ranges(moto, catalogue):
    """S3's ranges are addresses on the internet: SSH admitted from them is reachable from there."""
    ec2 = moto.clients()("ec2")
    (s3,) = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{REGION}.s3"]}])["PrefixLists"]
    assert s3["OwnerId"] == "AWS"
    bastion_admitting_ssh_from(ec2, s3["PrefixListId"])
    _, inventory = audit(moto, [REGION], services=["vpc", "ec2"])
    (found,) = [p for p in inventory.of_kind(PrefixList) if p.prefix_list_id == s3["PrefixListId"]]
    cidrs = [e["Cidr"] for e in ec2.get_managed_prefix_list_entries(PrefixListId=s3["PrefixListId"])["Entries"]]
    assert cidrs and sorted(found.entries) == sorted(cidrs)
    ssh = admin_result(inventory, catalogue)
    assert ssh.status == FAIL, ssh.message


def test_entries_past_the_first_page(moto, catalogue):
    """The first page of the list's entries holds only 10.0.0.0/8 and says there is another:
    0.0.0.0/0, on page two, makes SSH reachable."""
    ec2 = moto.clients()("ec2")
    listed = own_list(ec2, "0.0.0.0/0")
    bastion_admitting_ssh_from(ec2, listed)
    page = ("<GetManagedPrefixListEntriesResponse><entrySet><item><cidr>10.0.0.0/8</cidr></item></entrySet>"
            "<nextToken>page-2</nextToken></GetManagedPrefixListEntriesResponse>")
    faults = Faults().body(200, page.encode(), service="ec2", operation="GetManagedPrefixListEntries", times=1,
                           body_contains=listed)
    _, inventory = audit(moto, [REGION], hooks=[faults.hook], services=["vpc", "ec2"])
    assert faults.count("GetManagedPrefixListEntries") == 1
    (found,) = [p for p in inventory.of_kind(PrefixList) if p.prefix_list_id == listed]
    assert found.entries == ("10.0.0.0/8", "0.0.0.0/0")
    assert admin_result(inventory, catalogue).status == FAIL


DENIED = ("UnauthorizedOperation", "You are not authorized to perform this operation.")


@pytest.mark.parametrize("operation", ["GetManagedPrefixListEntries", "DescribeManagedPrefixLists"])
def test_a_list_that_cannot_be_read_leaves_ssh_unknown(moto, catalogue, operation):
    ec2 = moto.clients()("ec2")
    listed = own_list(ec2, "10.0.0.0/8")
    bastion_admitting_ssh_from(ec2, listed)
    denied = Faults().error(403, *DENIED, service="ec2", operation=operation)
    _, inventory = audit(moto, [REGION], hooks=[denied.hook], services=["vpc", "ec2"])
    assert inventory.gaps == []  # the rest of the network picture was read
    (found,) = [p for p in inventory.of_kind(PrefixList) if p.prefix_list_id == listed]
    assert f"{operation} failed: access denied (UnauthorizedOperation)" in found.entries.reason
    ssh = admin_result(inventory, catalogue)
    assert ssh.status == UNKNOWN and f"{operation} failed: access denied" in ssh.message, ssh.message
    assert {(e["service"], e["call"]) for e in inventory.run_info["not_assessed"]} == {("vpc", operation)}
