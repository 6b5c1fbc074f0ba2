"""Availability, recovery and capacity policies on small Terraform plans, through the real
plan loader: the fields these rules read are mapped from what a plan carries."""
from __future__ import annotations

import pytest

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.loaders import load_inputs
from stackproof.model import DbInstance, EbsVolume
from tests.conftest import scan_paths

AZS = ("eu-west-2a", "eu-west-2b", "eu-west-2c")


def verdicts(tmp_path, builder: PlanBuilder, catalogue, policy: str) -> dict[str, tuple[str, str]]:
    plan = tmp_path / "plan.json"
    plan.write_text(builder.dumps())
    return {r.resource: (r.status, r.message) for r in scan_paths([plan], catalogue, policies=[policy])}


def subnets(b: PlanBuilder) -> None:
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    b.add_count("aws_subnet.app", 3, lambda i: {"vpc_id": ref("aws_vpc.main"), "cidr_block": f"10.0.{i}.0/24",
                                                "availability_zone": AZS[i]})


def test_a_reference_to_one_counted_subnet_is_that_subnet_only(tmp_path, catalogue):
    # Terraform records [aws_subnet.app[0].id] as references X[0].id, X[0] and X.
    b = PlanBuilder()
    subnets(b)
    b.add("aws_autoscaling_group.app", {"min_size": 2, "max_size": 4,
                                        "vpc_zone_identifier": [ref("aws_subnet.app[0]")]})
    found = verdicts(tmp_path, b, catalogue, "autoscaling_group_multi_az")
    assert found["aws_autoscaling_group.app"] == ("FAIL", "the group covers 1 AZ (eu-west-2a); at least 2 required")


def test_counted_subnets_of_a_group_cover_their_azs(tmp_path, catalogue):
    b = PlanBuilder()
    subnets(b)
    b.add("aws_autoscaling_group.app", {"min_size": 2, "max_size": 4,
                                        "vpc_zone_identifier": [ref(f"aws_subnet.app[{i}]") for i in range(3)]})
    status, message = verdicts(tmp_path, b, catalogue, "autoscaling_group_multi_az")["aws_autoscaling_group.app"]
    assert status == "PASS" and "3 AZs" in message


def test_unset_backup_retention_is_the_rds_default_not_unknown(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_db_instance.main", {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": 20})
    plan = tmp_path / "plan.json"
    plan.write_text(b.dumps())
    db = load_inputs([plan]).get("aws_db_instance.main")
    assert isinstance(db, DbInstance) and db.backup_retention_period is None
    status, message = verdicts(tmp_path, b, catalogue, "rds_instance_backup_retention")["aws_db_instance.main"]
    assert status == "FAIL" and "1 day by default" in message


def test_unset_volume_type_and_iops_are_not_unknown(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_ebs_volume.data", {"availability_zone": "eu-west-2a", "size": 100, "encrypted": True})
    plan = tmp_path / "plan.json"
    plan.write_text(b.dumps())
    # the provider computes type, iops and throughput, so the plan shows them as unknown
    assert "type" not in b.build()["resource_changes"][0]["change"]["after"]
    volume = load_inputs([plan]).get("aws_ebs_volume.data")
    assert isinstance(volume, EbsVolume)
    assert (volume.volume_type, volume.iops, volume.throughput) == (None, None, None)
    status, message = verdicts(tmp_path, b, catalogue, "ebs_volume_iops_consistent")["aws_ebs_volume.data"]
    assert (status, message) == ("PASS", "gp2 100 GiB is within the type's limits")


@pytest.mark.parametrize("before,after,status,words", [
    (100, 1000, "FAIL", "allocated_storage 100 -> 1000 GB (x10), more than the x3 allowed"),
    (100, 90, "FAIL", "allocated_storage 100 -> 90 GB (x0.9): RDS cannot shrink storage"),
    (100, 250, "PASS", "allocated_storage 100 -> 250 GB (x2.5), within x3"),
])
def test_storage_change_compares_the_plans_before_and_after(tmp_path, catalogue, before, after, status, words):
    b = PlanBuilder()
    values = {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": after}
    b.add("aws_db_instance.main", values, action="update", before={**values, "allocated_storage": before})
    found, message = verdicts(tmp_path, b, catalogue, "storage_change_within_ratio")["aws_db_instance.main"]
    assert found == status and words in message


def test_replication_to_a_bucket_outside_the_plan_is_unknown(tmp_path, catalogue):
    # The replication configuration's provider is the source bucket's region, and a bucket
    # ARN carries none, so the destination's region cannot be told from this plan.
    b = PlanBuilder({"aws": "eu-west-2"})
    b.add("aws_s3_bucket.data", {"bucket": "data-111122223333"})
    b.add("aws_s3_bucket_versioning.data", {"bucket": ref("aws_s3_bucket.data"),
                                            "versioning_configuration": [{"status": "Enabled"}]})
    b.add("aws_s3_bucket_replication_configuration.data", {
        "bucket": ref("aws_s3_bucket.data"), "role": "arn:aws:iam::111122223333:role/replication",
        "rule": [{"id": "dr", "status": "Enabled",
                  "destination": [{"bucket": "arn:aws:s3:::data-replica-111122223333"}]}]})
    status, message = verdicts(tmp_path, b, catalogue, "s3_bucket_cross_region_replication")["aws_s3_bucket.data"]
    assert status == "UNKNOWN"
    assert "arn:aws:s3:::data-replica-111122223333 is not in the scanned inputs" in message


def test_aurora_instances_without_an_az_are_spread_by_rds(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_rds_cluster.main", {"cluster_identifier": "orders", "engine": "aurora-mysql",
                                   "engine_mode": "provisioned", "storage_encrypted": True})
    b.add_count("aws_rds_cluster_instance.main", 2, lambda i: {
        "identifier": f"orders-{i}", "cluster_identifier": ref("aws_rds_cluster.main"), "engine": "aurora-mysql",
        "instance_class": "db.r6g.large"})
    status, message = verdicts(tmp_path, b, catalogue, "rds_cluster_multi_az")["aws_rds_cluster.main"]
    assert status == "PASS" and "RDS places a cluster's first three instances in different AZs" in message
    members = verdicts(tmp_path, b, catalogue, "rds_instance_multi_az")
    assert {s for s, _ in members.values()} == {"NOT_APPLICABLE"}
