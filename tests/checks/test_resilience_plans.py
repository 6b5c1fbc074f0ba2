"""Availability, recovery and capacity policies on small Terraform plans, through the real
plan loader: the fields these rules read are mapped from what a plan carries."""
from __future__ import annotations

import pytest

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.loaders import load_inputs
from stackproof.model import AutoScalingGroup, DbCluster, DbInstance, EbsVolume
from tests.conftest import CORPUS, scan_paths

AZS = ("eu-west-2a", "eu-west-2b", "eu-west-2c")


def verdicts(tmp_path, builder: PlanBuilder, catalogue, policy: str) -> dict[str, tuple[str, str]]:
    plan = tmp_path / "plan.json"
    plan.write_text(builder.dumps())
    return {r.resource: (r.status, r.message) for r in scan_paths([plan], catalogue, policies=[policy])}


def loaded(tmp_path, builder: PlanBuilder, address: str):
    plan = tmp_path / "plan.json"
    plan.write_text(builder.dumps())
    return load_inputs([plan]).get(address)


def after_unknown(builder: PlanBuilder, address: str) -> dict:
    return next(c["change"]["after_unknown"] for c in builder.build()["resource_changes"] if c["address"] == address)


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
    marked = after_unknown(b, "aws_ebs_volume.data")
    assert (marked["type"], marked["iops"], marked["throughput"], marked["kms_key_id"]) == (True, True, True, True)
    volume = load_inputs([plan]).get("aws_ebs_volume.data")
    assert isinstance(volume, EbsVolume)
    assert (volume.volume_type, volume.iops, volume.throughput, volume.kms_key_id) == (None, None, None, None)
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
    # availability_zone is optional and computed: a plan shows it as known after apply
    b = PlanBuilder()
    b.add("aws_rds_cluster.main", {"cluster_identifier": "orders", "engine": "aurora-mysql",
                                   "engine_mode": "provisioned", "storage_encrypted": True})
    b.add_count("aws_rds_cluster_instance.main", 2, lambda i: {
        "identifier": f"orders-{i}", "cluster_identifier": ref("aws_rds_cluster.main"), "engine": "aurora-mysql",
        "instance_class": "db.r6g.large"})
    assert after_unknown(b, "aws_rds_cluster_instance.main[0]")["availability_zone"] is True
    status, message = verdicts(tmp_path, b, catalogue, "rds_cluster_multi_az")["aws_rds_cluster.main"]
    assert status == "PASS" and "RDS places a cluster's first three instances in different AZs" in message
    members = verdicts(tmp_path, b, catalogue, "rds_instance_multi_az")
    assert {s for s, _ in members.values()} == {"NOT_APPLICABLE"}


# -- the Environment tag of an auto scaling group: `tag` blocks, not a tags map ------------

@pytest.mark.parametrize("tags", [
    {"tag": [{"key": "Environment", "value": "staging", "propagate_at_launch": True},
             {"key": "Name", "value": "app", "propagate_at_launch": True}]},
    # providers before v5 also took a `tags` list of the same maps
    {"tags": [{"key": "Environment", "value": "staging", "propagate_at_launch": "true"}]},
])
def test_an_auto_scaling_groups_tag_blocks_choose_its_environment(tmp_path, catalogue, tags):
    b = PlanBuilder()
    b.add("aws_autoscaling_group.app", {"min_size": 2, "max_size": 20, **tags})
    plan = tmp_path / "plan.json"
    plan.write_text(b.dumps())
    (result,) = scan_paths([plan], catalogue, policies=["autoscaling_group_capacity_consistent"])
    assert (result.status, result.environment) == ("FAIL", "staging")
    assert "max_size 20 exceeds the staging bound of 10 instances" in result.message


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_terraform_compliance_asg_tags_are_read_from_a_real_plan():
    plan = CORPUS / "terraform-compliance/tests/functional/test_issue-243/plan.out.json"
    group = load_inputs([plan]).get("aws_autoscaling_group.success")
    assert isinstance(group, AutoScalingGroup)
    assert group.tags == {"environment": "live", "service": "some_service"}


# -- optional attributes the provider computes are "not set", not unknown ----------------

def test_a_database_without_az_subnet_group_or_key_is_placed_by_rds(tmp_path):
    b = PlanBuilder()
    b.add("aws_db_instance.main", {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": 20,
                                   "storage_encrypted": True})
    marked = after_unknown(b, "aws_db_instance.main")
    assert all(marked[name] for name in ("availability_zone", "db_subnet_group_name", "kms_key_id", "multi_az"))
    db = loaded(tmp_path, b, "aws_db_instance.main")
    assert isinstance(db, DbInstance)
    assert (db.availability_zone, db.db_subnet_group, db.kms_key_id, db.multi_az) == (None, None, None, False)


def test_a_table_without_an_encryption_block_uses_an_aws_owned_key(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_dynamodb_table.plain", {"name": "plain", "hash_key": "id", "tags": {"Environment": "prod"}})
    b.add("aws_kms_key.table", {"description": "table key"})
    b.add("aws_dynamodb_table.keyed", {"name": "keyed", "hash_key": "id", "tags": {"Environment": "prod"},
                                       "server_side_encryption": [{"enabled": True,
                                                                   "kms_key_arn": ref("aws_kms_key.table", "arn")}]})
    assert after_unknown(b, "aws_dynamodb_table.plain")["server_side_encryption"] is True
    found = verdicts(tmp_path, b, catalogue, "dynamodb_table_encrypted")
    # prod requires a customer managed key; a key this plan creates is one
    assert found["aws_dynamodb_table.plain"] == ("FAIL", "encrypted with an AWS owned key, not a customer managed key")
    assert found["aws_dynamodb_table.keyed"] == ("PASS", "encrypted with customer managed KMS key aws_kms_key.table")


def test_a_launch_template_device_without_a_size_takes_the_amis(tmp_path, catalogue):
    b = PlanBuilder()
    b.add("aws_launch_template.app", {"name": "app", "block_device_mappings": [
        {"device_name": "/dev/xvda", "ebs": [{"volume_type": "gp3", "iops": 16000, "encrypted": "true"}]}]})
    marked = after_unknown(b, "aws_launch_template.app")
    assert marked["block_device_mappings"][0]["ebs"][0]["volume_size"] is True
    status, message = verdicts(tmp_path, b, catalogue, "ebs_volume_iops_consistent")["aws_launch_template.app"]
    assert status == "UNKNOWN"
    assert message == ("/dev/xvda: volume_size is not set (it comes from the AMI or snapshot), and iops 16000 "
                       "needs at least 32 GiB of gp3")


# -- copies in another region, from the same plan or another input ----------------------

def test_a_dr_plan_naming_the_database_by_arn_covers_it(tmp_path, catalogue):
    arn = "arn:aws:rds:eu-west-2:111122223333:db:orders"
    primary = PlanBuilder({"aws": "eu-west-2"})
    primary.add("aws_db_instance.main", {"identifier": "orders", "engine": "postgres", "instance_class": "db.m6g.large",
                                         "allocated_storage": 100, "storage_encrypted": True})
    dr = PlanBuilder({"aws": "eu-west-1"})
    dr.add("aws_db_instance.dr", {"identifier": "orders-dr", "instance_class": "db.m6g.large",
                                  "replicate_source_db": arn, "storage_encrypted": True})
    dr.add("aws_db_instance_automated_backups_replication.dr", {"source_db_instance_arn": arn, "retention_period": 14})
    paths = [tmp_path / "primary.json", tmp_path / "dr.json"]
    for path, builder in zip(paths, (primary, dr)):
        path.write_text(builder.dumps())
    found = {r.resource: (r.status, r.message)
             for r in scan_paths(paths, catalogue, policies=["rds_instance_cross_region_backup"])}
    assert found["aws_db_instance.main"] == (
        "PASS", "read replica orders-dr (aws_db_instance.dr) in eu-west-1; automated backups replicated to eu-west-1")
    assert found["aws_db_instance.dr"][0] == "NOT_APPLICABLE"


def test_an_aurora_replica_cluster_in_another_region_covers_its_source(tmp_path, catalogue):
    b = PlanBuilder({"aws": "eu-west-2", "aws.dr": "eu-west-1"})
    b.add("aws_rds_cluster.primary", {"cluster_identifier": "p", "engine": "aurora-mysql"})
    b.add("aws_rds_cluster.replica", {"cluster_identifier": "r", "engine": "aurora-mysql",
                                      "replication_source_identifier": ref("aws_rds_cluster.primary", "arn")},
          provider="aws.dr")
    replica = loaded(tmp_path, b, "aws_rds_cluster.replica")
    assert isinstance(replica, DbCluster) and replica.replication_source == "aws_rds_cluster.primary"
    found = verdicts(tmp_path, b, catalogue, "rds_instance_cross_region_backup")
    assert found["aws_rds_cluster.primary"] == ("PASS", "replica cluster r (aws_rds_cluster.replica) in eu-west-1")
    assert found["aws_rds_cluster.replica"][0] == "NOT_APPLICABLE"


def test_a_launch_template_block_leaving_out_the_type_another_block_sets_is_not_unknown(tmp_path, catalogue):
    # infracost's example: the first mapping sets only a size, the second an io1 type and IOPS
    b = PlanBuilder()
    b.add("aws_launch_template.app", {"name": "app", "block_device_mappings": [
        {"device_name": "xvdf", "ebs": [{"volume_size": 10}]},
        {"device_name": "xvfa", "ebs": [{"volume_size": 20, "volume_type": "io1", "iops": 200}]}]})
    assert after_unknown(b, "aws_launch_template.app")["block_device_mappings"][0]["ebs"][0]["volume_type"] is True
    template = loaded(tmp_path, b, "aws_launch_template.app")
    assert [(d.volume_type, d.iops) for d in template.block_devices] == [(None, None), ("io1", 200)]
    status, _ = verdicts(tmp_path, b, catalogue, "ebs_volume_iops_consistent")["aws_launch_template.app"]
    assert status == "PASS"
