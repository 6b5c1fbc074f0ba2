"""Exposure rules, reached through the catalogue. Cases that need neighbours (subnet
holds a database, instance sits in a subnet) build a small inventory."""
from __future__ import annotations

import pytest

from stackproof.model import (
    Bucket, CloudTrail, DbInstance, DbSubnetGroup, EfsMountTarget, ElasticIp, Instance, LaunchTemplate,
    PublicAccessBlock, RouteTable, Subnet, Unknown, Vpc, VpcEndpoint,
)
from tests.factories import context, make, route

LATER = Unknown("known after apply")


def run(catalogue, policy, resource, *others, **params):
    merged = {**catalogue.policy(policy).params, **params}
    return catalogue.check(policy)(resource, context(resource, *others, params=merged))


def data_subnet(route_table="rtb-data", **fields):
    """A subnet holding a database through its subnet group."""
    subnet = make(Subnet, "subnet-data", route_table=route_table, **fields)
    group = make(DbSubnetGroup, "dbsubnets", subnets=("subnet-data",))
    db = make(DbInstance, "db", db_subnet_group="dbsubnets")
    return subnet, group, db


# -- simple field rules ------------------------------------------------------------

SIMPLE = [
    ("rds_instance_not_public", make(DbInstance), "PASS"),
    ("rds_instance_not_public", make(DbInstance, publicly_accessible=True), "FAIL"),
    ("rds_instance_not_public", make(DbInstance, publicly_accessible=LATER), "UNKNOWN"),
    ("s3_bucket_public_access_blocked", make(Bucket), "PASS"),
    ("s3_bucket_public_access_blocked", make(Bucket, public_access_block=None), "FAIL"),
    ("s3_bucket_public_access_blocked", make(Bucket, public_access_block=PublicAccessBlock(
        block_public_acls=True, block_public_policy=False, ignore_public_acls=True, restrict_public_buckets=True)),
     "FAIL"),
    ("s3_bucket_public_access_blocked", make(Bucket, public_access_block=PublicAccessBlock(
        block_public_acls=True, block_public_policy=LATER, ignore_public_acls=True, restrict_public_buckets=True)),
     "UNKNOWN"),
    ("s3_bucket_public_access_blocked", make(Bucket, public_access_block=LATER), "UNKNOWN"),
    ("cloudtrail_multi_region_enabled", make(CloudTrail), "PASS"),
    ("cloudtrail_multi_region_enabled", make(CloudTrail, is_multi_region_trail=False), "FAIL"),
    ("cloudtrail_multi_region_enabled", make(CloudTrail, is_logging=False), "FAIL"),
    ("cloudtrail_multi_region_enabled", make(CloudTrail, is_multi_region_trail=LATER), "UNKNOWN"),
]


@pytest.mark.parametrize("policy,resource,status", SIMPLE, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(SIMPLE)])
def test_simple_rules(catalogue, policy, resource, status):
    assert run(catalogue, policy, resource).status == status


# -- subnet_data_tier_private ---------------------------------------------------------

def test_data_subnet_with_local_routes_only_passes(catalogue):
    subnet, group, db = data_subnet()
    table = make(RouteTable, "rtb-data", routes=(route("10.0.0.0/16", "local"),))
    verdict = run(catalogue, "subnet_data_tier_private", subnet, group, db, table)
    assert verdict.status == "PASS" and "db" in verdict.message


def test_data_subnet_routing_to_internet_gateway_fails(catalogue):
    subnet, group, db = data_subnet()
    table = make(RouteTable, "rtb-data", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),))
    verdict = run(catalogue, "subnet_data_tier_private", subnet, group, db, table)
    assert verdict.status == "FAIL" and "igw" in verdict.message and "0.0.0.0/0" in verdict.message


def test_data_subnet_through_nat_passes(catalogue):
    subnet, group, db = data_subnet()
    table = make(RouteTable, "rtb-data", routes=(route("0.0.0.0/0", "nat_gateway", "nat"),))
    assert run(catalogue, "subnet_data_tier_private", subnet, group, db, table).status == "PASS"


def test_data_subnet_without_association_uses_a_public_main_table(catalogue):
    subnet, group, db = data_subnet(route_table=None)
    main = make(RouteTable, "rtb-main", is_main=True, routes=(route("0.0.0.0/0", "internet_gateway", "igw"),))
    verdict = run(catalogue, "subnet_data_tier_private", subnet, group, db, main, make(Vpc, "vpc"))
    assert verdict.status == "FAIL" and "main route table" in verdict.message


def test_data_subnet_without_any_table_has_the_aws_default_main_table(catalogue):
    subnet, group, db = data_subnet(route_table=None)
    assert run(catalogue, "subnet_data_tier_private", subnet, group, db, make(Vpc, "vpc")).status == "PASS"


def test_data_subnet_with_unknown_routes_is_unknown(catalogue):
    subnet, group, db = data_subnet()
    table = make(RouteTable, "rtb-data", routes=LATER)
    assert run(catalogue, "subnet_data_tier_private", subnet, group, db, table).status == "UNKNOWN"


def test_data_subnet_with_unknown_association_is_unknown(catalogue):
    subnet, group, db = data_subnet(route_table=LATER)
    assert run(catalogue, "subnet_data_tier_private", subnet, group, db).status == "UNKNOWN"


def test_file_system_mount_target_makes_a_data_subnet(catalogue):
    subnet = make(Subnet, "subnet-data", route_table="rtb")
    target = make(EfsMountTarget, "mt", subnet="subnet-data")
    table = make(RouteTable, "rtb", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),))
    assert run(catalogue, "subnet_data_tier_private", subnet, target, table).status == "FAIL"


def test_subnet_may_hold_a_database_whose_subnet_group_is_unknown(catalogue):
    db = make(DbInstance, "db", db_subnet_group=LATER)
    verdict = run(catalogue, "subnet_data_tier_private", make(Subnet), db)
    assert verdict.status == "UNKNOWN" and "db" in verdict.message


def test_subnet_without_data_stores_is_not_applicable(catalogue):
    assert run(catalogue, "subnet_data_tier_private", make(Subnet)).status == "NOT_APPLICABLE"


# -- instance_no_public_ip ---------------------------------------------------------------

def test_instance_asking_for_public_ip_fails(catalogue):
    assert run(catalogue, "instance_no_public_ip", make(Instance, associate_public_ip_address=True)).status == "FAIL"


def test_instance_in_auto_assigning_subnet_fails(catalogue):
    instance = make(Instance, associate_public_ip_address=None, subnet="s")
    subnet = make(Subnet, "s", map_public_ip_on_launch=True)
    verdict = run(catalogue, "instance_no_public_ip", instance, subnet)
    assert verdict.status == "FAIL" and "assigns public IPs" in verdict.message


def test_instance_in_private_subnet_passes(catalogue):
    instance = make(Instance, associate_public_ip_address=None, subnet="s")
    assert run(catalogue, "instance_no_public_ip", instance, make(Subnet, "s")).status == "PASS"


def test_instance_with_elastic_ip_fails(catalogue):
    instance = make(Instance, "i")
    verdict = run(catalogue, "instance_no_public_ip", instance, make(ElasticIp, "eip", instance="i"))
    assert verdict.status == "FAIL" and "Elastic IP eip" in verdict.message


def test_instance_whose_subnet_is_unknown_is_unknown(catalogue):
    instance = make(Instance, associate_public_ip_address=None, subnet=LATER)
    assert run(catalogue, "instance_no_public_ip", instance).status == "UNKNOWN"


def test_launch_template_unknown_public_ip_is_unknown(catalogue):
    assert run(catalogue, "instance_no_public_ip", make(LaunchTemplate, associate_public_ip_address=LATER)).status \
        == "UNKNOWN"


def test_public_subnet_fails_unless_allowed_by_tag(catalogue):
    subnet = make(Subnet, map_public_ip_on_launch=True)
    assert run(catalogue, "instance_no_public_ip", subnet).status == "FAIL"
    tagged = make(Subnet, map_public_ip_on_launch=True, tags={"stackproof:allow-public-ip": "bastion subnet"})
    verdict = run(catalogue, "instance_no_public_ip", tagged)
    assert verdict.status == "PASS" and "bastion subnet" in verdict.message


def test_public_subnet_whose_allow_tag_is_unknown_is_unknown(catalogue):
    tagged = make(Subnet, map_public_ip_on_launch=True, tags={"stackproof:allow-public-ip": LATER})
    verdict = run(catalogue, "instance_no_public_ip", tagged)
    assert verdict.status == "UNKNOWN" and "allow-public-ip tag allows it is unknown" in verdict.message
    assert run(catalogue, "instance_no_public_ip", make(Subnet, map_public_ip_on_launch=True, tags=LATER)
               ).status == "UNKNOWN"
    private = make(Subnet, map_public_ip_on_launch=False, tags={"stackproof:allow-public-ip": LATER})
    assert run(catalogue, "instance_no_public_ip", private).status == "PASS"  # nothing to allow


def test_allowed_resources_parameter(catalogue):
    instance = make(Instance, "aws_instance.bastion", associate_public_ip_address=True)
    assert run(catalogue, "instance_no_public_ip", instance,
               allowed_resources=["aws_instance.bastion"]).status == "PASS"


# -- vpc_s3_gateway_endpoint -------------------------------------------------------------

def test_vpc_with_s3_gateway_endpoint_passes(catalogue):
    assert run(catalogue, "vpc_s3_gateway_endpoint", make(Vpc, "vpc"), make(VpcEndpoint)).status == "PASS"


def test_vpc_without_endpoint_fails(catalogue):
    assert run(catalogue, "vpc_s3_gateway_endpoint", make(Vpc, "vpc")).status == "FAIL"


def test_interface_endpoint_or_other_service_does_not_count(catalogue):
    other = make(VpcEndpoint, service_name="com.amazonaws.eu-west-2.dynamodb")
    interface = make(VpcEndpoint, "e2", endpoint_type="Interface")
    assert run(catalogue, "vpc_s3_gateway_endpoint", make(Vpc, "vpc"), other, interface).status == "FAIL"


def test_endpoint_without_route_tables_fails(catalogue):
    endpoint = make(VpcEndpoint, route_tables=())
    assert run(catalogue, "vpc_s3_gateway_endpoint", make(Vpc, "vpc"), endpoint).status == "FAIL"


def test_endpoint_whose_vpc_is_unknown_is_unknown(catalogue):
    endpoint = make(VpcEndpoint, vpc=LATER)
    assert run(catalogue, "vpc_s3_gateway_endpoint", make(Vpc, "vpc"), endpoint).status == "UNKNOWN"
