"""A subnet without its own route table uses its VPC's main table: what the inputs say of
it decides subnet_data_tier_private, nat_gateway_per_az and the network engine alike."""
from __future__ import annotations

import pytest

from fixtures.planbuilder import PlanBuilder, ref
from tests.conftest import scan_paths

DB = {"identifier": "db", "engine": "postgres", "instance_class": "db.t3.micro", "allocated_storage": 20,
      "storage_encrypted": True, "publicly_accessible": False, "db_subnet_group_name": ref("aws_db_subnet_group.g", "name")}


def _data_subnets(b: PlanBuilder, vpc_id) -> None:
    for name, zone, cidr in (("data", "eu-west-2a", "10.0.1.0/24"), ("data2", "eu-west-2b", "10.0.2.0/24")):
        b.add(f"aws_subnet.{name}", {"vpc_id": vpc_id, "cidr_block": cidr, "availability_zone": zone,
                                     "map_public_ip_on_launch": False})
    b.add("aws_db_subnet_group.g", {"name": "g", "subnet_ids": [ref("aws_subnet.data"), ref("aws_subnet.data2")]})
    b.add("aws_db_instance.db", DB)


def _verdicts(tmp_path, catalogue, b: PlanBuilder, policy: str) -> dict[str, tuple[str, str]]:
    path = tmp_path / "plan.json"
    path.write_text(b.dumps())
    return {r.resource: (r.status, r.message) for r in scan_paths([path], catalogue, policies=[policy])}


def _new_vpc(b: PlanBuilder, main_route=None) -> None:
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    b.add("aws_internet_gateway.gw", {"vpc_id": ref("aws_vpc.main")})
    if main_route:
        b.add("aws_route.default", {"route_table_id": ref("aws_vpc.main", "main_route_table_id"),
                                    "destination_cidr_block": "0.0.0.0/0", **main_route})
    _data_subnets(b, ref("aws_vpc.main"))


def test_route_added_to_the_main_table_by_its_id_sends_the_data_subnet_to_the_internet(tmp_path, catalogue):
    b = PlanBuilder()
    _new_vpc(b, {"gateway_id": ref("aws_internet_gateway.gw")})
    found = _verdicts(tmp_path, catalogue, b, "subnet_data_tier_private")
    status, message = found["aws_subnet.data"]
    assert status == "FAIL" and "main route table AWS created for VPC aws_vpc.main" in message
    assert "internet gateway aws_internet_gateway.gw" in message


def test_main_table_of_a_new_vpc_has_only_the_local_route(tmp_path, catalogue):
    b = PlanBuilder()
    _new_vpc(b)
    status, message = _verdicts(tmp_path, catalogue, b, "subnet_data_tier_private")["aws_subnet.data"]
    assert status == "PASS" and "only the local route" in message


def test_main_table_route_through_nat_is_what_nat_gateway_per_az_sees(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_subnet.public", {"vpc_id": ref("aws_vpc.main"), "cidr_block": "10.0.9.0/24",
                                "availability_zone": "eu-west-2a"})
    b.add("aws_eip.nat", {"domain": "vpc"})
    b.add("aws_nat_gateway.a", {"subnet_id": ref("aws_subnet.public"), "allocation_id": ref("aws_eip.nat")})
    _new_vpc(b, {"nat_gateway_id": ref("aws_nat_gateway.a")})
    found = _verdicts(tmp_path, catalogue, b, "nat_gateway_per_az")
    assert found["aws_subnet.data"][0] == "PASS" and found["aws_subnet.data2"][0] == "FAIL"


@pytest.mark.parametrize("policy", ["subnet_data_tier_private", "nat_gateway_per_az"])
def test_subnet_of_a_vpc_outside_the_inputs_has_an_unknown_main_table(tmp_path, catalogue, policy):
    b = PlanBuilder()
    _data_subnets(b, "vpc-0existing")
    status, message = _verdicts(tmp_path, catalogue, b, policy)["aws_subnet.data"]
    assert status == "UNKNOWN" and "main route table of VPC vpc-0existing, which is not in the inputs" in message


def test_subnet_of_the_default_vpc_has_an_unknown_main_table(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_default_vpc.default", {"id": "vpc-0def", "cidr_block": "172.31.0.0/16",
                                      "main_route_table_id": "rtb-0main", "default_route_table_id": "rtb-0main"},
          action="no-op")
    _data_subnets(b, ref("aws_default_vpc.default"))
    status, message = _verdicts(tmp_path, catalogue, b, "subnet_data_tier_private")["aws_subnet.data"]
    assert status == "UNKNOWN" and "default VPC" in message


def test_default_route_table_managed_in_the_plan_decides_for_the_default_vpc(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_default_vpc.default", {"id": "vpc-0def", "cidr_block": "172.31.0.0/16",
                                      "main_route_table_id": "rtb-0main", "default_route_table_id": "rtb-0main"},
          action="no-op")
    b.add("aws_default_route_table.main", {"default_route_table_id": "rtb-0main", "route": []})
    _data_subnets(b, ref("aws_default_vpc.default"))
    assert _verdicts(tmp_path, catalogue, b, "subnet_data_tier_private")["aws_subnet.data"][0] == "PASS"


def test_route_on_an_existing_main_table_named_by_id(tmp_path, catalogue):
    """A state or refresh shows the VPC's main_route_table_id: an aws_route naming it is a main-table route."""
    b = PlanBuilder()
    b.add("aws_vpc.main", {"id": "vpc-01", "cidr_block": "10.0.0.0/16", "main_route_table_id": "rtb-0main"},
          action="no-op")
    b.add("aws_route.default", {"id": "r-1", "route_table_id": "rtb-0main", "destination_cidr_block": "0.0.0.0/0",
                                "gateway_id": "igw-0123"}, action="no-op")
    _data_subnets(b, "vpc-01")
    assert _verdicts(tmp_path, catalogue, b, "subnet_data_tier_private")["aws_subnet.data"][0] == "FAIL"
