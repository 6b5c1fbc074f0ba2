"""Capacity rules, reached through the catalogue: PASS, FAIL and UNKNOWN for each.

Each case is (policy, resource, its neighbours, environment, parameter overrides, status,
words the message must contain). The environment selects the policy's own profile
(``environments:`` in its YAML) the way the engine does; None is the default profile.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from stackproof.model import (
    AutoScalingGroup,
    BlockDevice,
    DbInstance,
    EbsVolume,
    ElastiCacheReplicationGroup,
    Instance,
    LaunchTemplate,
    Provenance,
    Unknown,
)
from tests.factories import changed, context, make

LATER = Unknown("known after apply")


def updated(resource, **before):
    """`resource` as a plan's update: its before state differs by `before`."""
    prov = Provenance(source="tfplan", address=resource.key, region="eu-west-2", action="update")
    return changed(resource, prov=prov, before=changed(resource, **before))


def volume(key: str = "vol", **fields) -> EbsVolume:
    return make(EbsVolume, key, **fields)


def device(**fields) -> tuple[BlockDevice, ...]:
    return (BlockDevice(**{"device_name": "/dev/xvda", "encrypted": True, "volume_size": 30,
                           "volume_type": "gp3", **fields}),)


def sized(cls, key: str, size: object, name: str | None = None):
    field = "allocated_storage" if cls is DbInstance else "size"
    return make(cls, key, name=name, **{field: size})


def in_file(resource, file: str, key: str | None = None):
    """`resource` read from `file`, under `key` (a later input's colliding key is re-keyed)."""
    return replace(resource, key=key or resource.key, prov=replace(resource.prov, file=file))


DBS = [sized(DbInstance, f"aws_db_instance.db_{i}", 100, f"db-{i}") for i in (1, 2)]
VOLUMES = [sized(EbsVolume, f"aws_ebs_volume.data[{i}]", 50, None) for i in range(3)]
PAIR = [sized(EbsVolume, f"aws_ebs_volume.pair[{i}]", size, None) for i, size in enumerate((10, 1000))]
SHARDS = [sized(DbInstance, f'module.shard["{k}"].aws_db_instance.main', 200, f"orders-{k}") for k in "ab"]

CASES = [
    # storage_size_within_bounds: default, prod and staging profiles
    ("storage_size_within_bounds", make(DbInstance), [], None, {}, "PASS", "100 GB within the default bound"),
    ("storage_size_within_bounds", make(DbInstance, allocated_storage=1500), [], None, {}, "FAIL",
     "1500 GB exceeds the default bound (no environment) of 1000 GB"),
    ("storage_size_within_bounds", make(DbInstance, allocated_storage=1500), [], "prod", {}, "PASS",
     "within the prod bound of 4000 GB"),
    ("storage_size_within_bounds", make(DbInstance, allocated_storage=500), [], "staging", {}, "FAIL",
     "500 GB exceeds the staging bound of 100 GB"),
    ("storage_size_within_bounds", volume(size=200), [], "staging", {}, "FAIL", "size 200 GB exceeds the staging"),
    ("storage_size_within_bounds", volume(size=20), [], "dev", {}, "PASS", "within the dev bound of 50 GB"),
    ("storage_size_within_bounds", make(ElastiCacheReplicationGroup), [], "staging", {}, "FAIL",
     "cache.m6g.large is not allowed by the staging bound"),
    ("storage_size_within_bounds", make(ElastiCacheReplicationGroup, node_type="cache.t4g.small"), [], "staging", {},
     "PASS", "allowed by the staging bound"),
    ("storage_size_within_bounds", make(ElastiCacheReplicationGroup), [], "prod", {}, "PASS", "any node type"),
    ("storage_size_within_bounds", make(DbInstance), [], None, {"max_rds_storage_gb": None}, "PASS",
     "no bound is set"),
    ("storage_size_within_bounds", make(DbInstance, allocated_storage=LATER), [], None, {}, "UNKNOWN",
     "allocated_storage"),
    ("storage_size_within_bounds", make(DbInstance, allocated_storage=None, replicate_source_db="db"), [], None, {},
     "UNKNOWN", "not set"),
    ("storage_size_within_bounds", make(ElastiCacheReplicationGroup, node_type=LATER), [], "staging", {}, "UNKNOWN",
     "node_type"),
    ("storage_size_within_bounds", make(DbInstance, cluster="aurora", allocated_storage=None), [], None, {},
     "NOT_APPLICABLE", "Aurora member"),
    # block devices of instances and launch templates, where they state a size
    ("storage_size_within_bounds", make(LaunchTemplate, block_devices=device()), [], "staging", {}, "PASS",
     "/dev/xvda 30 GB within the staging bound of 100 GB"),
    ("storage_size_within_bounds", make(Instance, block_devices=device(volume_size=500)), [], "staging", {}, "FAIL",
     "/dev/xvda 500 GB exceed(s) the staging bound of 100 GB"),
    ("storage_size_within_bounds", make(LaunchTemplate, block_devices=device(volume_size=LATER)), [], None, {},
     "UNKNOWN", "/dev/xvda: volume_size is unknown"),
    ("storage_size_within_bounds", make(Instance, block_devices=(BlockDevice(device_name="root"),)), [], None, {},
     "NOT_APPLICABLE", "the AMI or snapshot decides"),
    ("storage_size_within_bounds", make(Instance, block_devices=(), launch_template="lt"), [], None, {},
     "NOT_APPLICABLE", "launch template"),

    # storage_change_within_ratio: before -> after of a plan's update
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=1000), allocated_storage=100), [],
     None, {}, "FAIL", "allocated_storage 100 -> 1000 GB (x10)"),
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=90), allocated_storage=100), [],
     None, {}, "FAIL", "allocated_storage 100 -> 90 GB (x0.9): RDS cannot shrink storage"),
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=200), allocated_storage=100), [],
     None, {}, "PASS", "100 -> 200 GB (x2)"),
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=2500), allocated_storage=1000), [],
     None, {}, "FAIL", "(+1500 GB), more than the +1000 GB allowed"),
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=400), allocated_storage=100), [],
     None, {"max_growth": 5}, "PASS", "(x4), within x5"),
    ("storage_change_within_ratio", updated(make(DbInstance), backup_retention_period=7), [], None, {}, "PASS",
     "unchanged at 100 GB"),
    ("storage_change_within_ratio", updated(volume(size=500), size=50), [], None, {}, "FAIL",
     "size 50 -> 500 GB (x10)"),
    ("storage_change_within_ratio", updated(volume(size=40), size=50), [], None, {}, "FAIL",
     "EBS volumes cannot shrink"),
    ("storage_change_within_ratio", updated(make(DbInstance, allocated_storage=LATER), allocated_storage=100), [],
     None, {}, "UNKNOWN", "planned allocated_storage is unknown"),
    ("storage_change_within_ratio", changed(make(DbInstance), prov=replace(make(DbInstance).prov, action="create")),
     [], None, {}, "NOT_APPLICABLE", "created by this change"),
    ("storage_change_within_ratio", make(DbInstance, source="live"), [], None, {}, "NOT_APPLICABLE",
     "no earlier state"),
    # from 0 GB no ratio means anything: only max_growth_gb applies
    ("storage_change_within_ratio", updated(volume(size=100), size=0), [], None, {}, "PASS",
     "size 0 -> 100 GB: growth from nothing (+100 GB), within +1000 GB"),
    ("storage_change_within_ratio", updated(volume(size=2000), size=0), [], None, {}, "FAIL",
     "growth from nothing (+2000 GB), more than the +1000 GB allowed"),
    ("storage_change_within_ratio", updated(volume(size=2000), size=0), [], None, {"max_growth_gb": None}, "PASS",
     "no ratio applies and no max_growth_gb is set"),

    # autoscaling_group_capacity_consistent
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup), [], None, {}, "PASS", "min 2 <= desired 3 <= max 6"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, min_size=3, desired_capacity=12, max_size=9), [],
     None, {}, "FAIL", "desired_capacity 12 > max_size 9"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, min_size=5, desired_capacity=None, max_size=3),
     [], None, {}, "FAIL", "min_size 5 > max_size 3"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, min_size=4, desired_capacity=2, max_size=6), [],
     None, {}, "FAIL", "desired_capacity 2 < min_size 4"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, max_size=20), [], "staging", {}, "FAIL",
     "max_size 20 exceeds the staging bound of 10 instances"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, max_size=20), [], "prod", {}, "PASS",
     "within the prod bound of 200"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, desired_capacity=None), [], None, {}, "PASS",
     "min 2 <= max 6"),
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, desired_capacity=LATER), [], None, {}, "UNKNOWN",
     "desired_capacity"),
    # known values already contradict each other: FAIL even with one unknown
    ("autoscaling_group_capacity_consistent", make(AutoScalingGroup, min_size=8, desired_capacity=LATER, max_size=4),
     [], None, {}, "FAIL", "min_size 8 > max_size 4"),

    # rds_instance_storage_autoscaling_consistent
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance), [], None, {}, "PASS", "from 100 GB up to 200 GB"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=80), [], None, {}, "FAIL",
     "max_allocated_storage 80 GB is below allocated_storage 100 GB"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=105), [], None, {}, "FAIL",
     "less than 10% above"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=105), [], None,
     {"min_headroom_percent": 0}, "PASS", "up to 105 GB"),
    # exactly 10% above is what RDS accepts (100 * 1.1 is not 110.00000000000001 here)
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=110), [], None, {},
     "PASS", "from 100 GB up to 110 GB"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, allocated_storage=101, max_allocated_storage=111),
     [], None, {}, "FAIL", "RDS refuses a threshold below 112 GB"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=None), [], None, {},
     "NOT_APPLICABLE", "autoscaling is off"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=0), [], None, {},
     "NOT_APPLICABLE", "autoscaling is off"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, max_allocated_storage=LATER), [], None, {},
     "UNKNOWN", "max_allocated_storage"),
    ("rds_instance_storage_autoscaling_consistent", make(DbInstance, allocated_storage=LATER), [], None, {},
     "UNKNOWN", "allocated_storage"),

    # ebs_volume_iops_consistent
    ("ebs_volume_iops_consistent", volume(size=100, iops=6000, throughput=250), [], None, {}, "PASS",
     "gp3 100 GiB (6000 IOPS, 250 MiB/s)"),
    ("ebs_volume_iops_consistent", volume(size=30, iops=20000), [], None, {}, "FAIL",
     "iops 20000 exceeds 500 IOPS/GiB x 30 GiB = 15000"),
    # gp3 gives 3000 IOPS and 125 MiB/s at any size; the ratio limits only what is above
    ("ebs_volume_iops_consistent", volume(size=1, iops=3000, throughput=125), [], None, {}, "PASS",
     "gp3 1 GiB (3000 IOPS, 125 MiB/s)"),
    ("ebs_volume_iops_consistent", volume(size=5, iops=4000), [], None, {}, "FAIL",
     "iops 4000 exceeds the 3000 baseline a 5 GiB gp3 volume gets"),
    ("ebs_volume_iops_consistent", volume(volume_type="io2", size=100, iops=100001), [], None, {}, "FAIL",
     "1000 IOPS/GiB x 100 GiB = 100000"),
    # size not stated (a snapshot's): decided only where the IOPS fit the smallest size
    ("ebs_volume_iops_consistent", volume(size=None, snapshot_id="snap-1", iops=3000), [], None, {}, "PASS",
     "gp3 (size from its snapshot) (3000 IOPS)"),
    ("ebs_volume_iops_consistent", volume(size=None, snapshot_id="snap-1", iops=20000), [], None, {}, "UNKNOWN",
     "size is not set (it is the snapshot's), and iops 20000 needs at least 40 GiB of gp3"),
    ("ebs_volume_iops_consistent", volume(volume_type="io1", size=None, iops=64000), [], None, {}, "UNKNOWN",
     "needs at least 1280 GiB of io1"),
    ("ebs_volume_iops_consistent", volume(size=LATER, iops=6000), [], None, {}, "UNKNOWN",
     "size is unknown: known after apply, and iops 6000 needs at least 12 GiB"),
    # a known violation is not hidden by an unknown value
    ("ebs_volume_iops_consistent", volume(volume_type="st1", size=LATER, iops=500), [], None, {}, "FAIL",
     "st1 does not take provisioned IOPS"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=device(volume_size=None, iops=16000)), [],
     None, {}, "UNKNOWN", "/dev/xvda: volume_size is not set (it comes from the AMI or snapshot)"),
    ("ebs_volume_iops_consistent", volume(size=100, iops=3000, throughput=1000), [], None, {}, "FAIL",
     "exceeds 0.25 MiB/s per IOPS x 3000 IOPS = 750 MiB/s"),
    ("ebs_volume_iops_consistent", volume(size=100, throughput=900), [], None, {}, "FAIL",
     "x 3000 IOPS"),  # no iops: gp3's baseline 3000 applies
    ("ebs_volume_iops_consistent", volume(volume_type="gp2", iops=3000), [], None, {}, "FAIL",
     "gp2 does not take provisioned IOPS"),
    # an existing gp2 volume reads back its baseline (3 IOPS per GiB, at least 100): not a setting
    ("ebs_volume_iops_consistent", volume(volume_type="gp2", size=128, iops=384), [], None, {}, "PASS", "gp2 128 GiB"),
    ("ebs_volume_iops_consistent", make(Instance, block_devices=device(volume_type="gp2", volume_size=8, iops=100)), [],
     None, {}, "PASS", "1 EBS block device(s)"),
    ("ebs_volume_iops_consistent", volume(volume_type="gp2", size=1000, iops=800), [], None, {}, "FAIL",
     "gp2 does not take provisioned IOPS (iops 800)"),
    ("ebs_volume_iops_consistent", volume(volume_type="io1"), [], None, {}, "FAIL", "io1 requires provisioned IOPS"),
    ("ebs_volume_iops_consistent", volume(volume_type="io1", size=100, iops=6000), [], None, {}, "FAIL",
     "50 IOPS/GiB x 100 GiB = 5000"),
    ("ebs_volume_iops_consistent", volume(volume_type="io2", size=100, iops=50000), [], None, {}, "PASS", "io2"),
    ("ebs_volume_iops_consistent", volume(volume_type="io1", size=100, iops=4000, throughput=500), [], None, {},
     "FAIL", "io1 does not take a throughput setting"),
    ("ebs_volume_iops_consistent", volume(volume_type="st1", size=50), [], None, {}, "FAIL",
     "st1 size 50 GiB outside 125-16384"),
    ("ebs_volume_iops_consistent", volume(volume_type=None), [], None, {}, "PASS", "gp2 100 GiB"),
    ("ebs_volume_iops_consistent", volume(iops=LATER), [], None, {}, "UNKNOWN", "iops"),
    ("ebs_volume_iops_consistent", volume(volume_type="gp9"), [], None, {}, "UNKNOWN", "gp9 is not in the policy"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=device(iops=20000)), [], None, {}, "FAIL",
     "/dev/xvda: iops 20000 exceeds"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=device(iops=3000, throughput=125)), [], None, {},
     "PASS", "1 EBS block device"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=device(volume_type=None, volume_size=None)), [],
     None, {}, "PASS", "within their type's limits"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=device(volume_type=None, iops=4000)), [],
     None, {}, "UNKNOWN", "the AMI's mapping decides"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=(BlockDevice(device_name="eph0",
                                                                                   ephemeral=True),)),
     [], None, {}, "NOT_APPLICABLE", "no EBS block device"),
    ("ebs_volume_iops_consistent", make(LaunchTemplate, block_devices=LATER), [], None, {}, "UNKNOWN", "block devices"),

    # capacity_sibling_outlier: db-1, db-2 and an extra zero on db-3
    ("capacity_sibling_outlier", sized(DbInstance, "aws_db_instance.db_3", 1000, "db-3"), DBS, None, {}, "FAIL",
     "1000 GB is 10.0x the median 100 GB of its 2 siblings"),
    ("capacity_sibling_outlier", DBS[0], [*DBS, sized(DbInstance, "aws_db_instance.db_3", 1000, "db-3")], None, {},
     "PASS", "100 GB; the median 550 GB of its 2 siblings"),
    # the instances of a counted resource, without names
    ("capacity_sibling_outlier", sized(EbsVolume, "aws_ebs_volume.data[3]", 500, None), VOLUMES, None, {}, "FAIL",
     "10.0x the median 50 GB of its 3 siblings"),
    ("capacity_sibling_outlier", sized(EbsVolume, "aws_ebs_volume.data[3]", 240, None), VOLUMES, None, {}, "PASS",
     "the median 50 GB of its 3 siblings"),
    # the same resource in two instances of a module, plus a third
    ("capacity_sibling_outlier", sized(DbInstance, 'module.shard["c"].aws_db_instance.main', 2000, "orders-c"),
     SHARDS, None, {}, "FAIL", "10.0x"),
    ("capacity_sibling_outlier", make(DbInstance, "db"), [], None, {}, "NOT_APPLICABLE", "no sibling"),
    # siblings come from one file: the same address in a dev plan and a prod plan, or db-1 and
    # db-2 in two plans, are separate systems sized apart on purpose
    ("capacity_sibling_outlier", in_file(sized(DbInstance, "aws_db_instance.main", 500), "prod.json",
                                         "prod.json#aws_db_instance.main"),
     [in_file(sized(DbInstance, "aws_db_instance.main", 20), "dev.json")], None, {}, "NOT_APPLICABLE", "no sibling"),
    ("capacity_sibling_outlier", in_file(sized(DbInstance, "aws_db_instance.db_2", 1000, "db-2"), "b.json"),
     [in_file(DBS[0], "a.json")], None, {}, "NOT_APPLICABLE", "no sibling"),
    ("capacity_sibling_outlier", in_file(sized(DbInstance, "aws_db_instance.db_3", 1000, "db-3"), "a.json"),
     [in_file(DBS[0], "a.json"), in_file(DBS[1], "a.json"), in_file(DBS[1], "b.json", "b.json#db_2")], None, {},
     "FAIL", "1000 GB is 10.0x the median 100 GB of its 2 siblings"),
    # a pair: the larger is flagged when it is `factor` times the other
    ("capacity_sibling_outlier", DBS[0], DBS, None, {}, "PASS", "100 GB; its only sibling's 100 GB"),
    ("capacity_sibling_outlier", PAIR[1], PAIR, None, {}, "FAIL", "1000 GB is 100.0x its only sibling's 10 GB"),
    ("capacity_sibling_outlier", PAIR[0], PAIR, None, {}, "PASS", "10 GB; its only sibling's 1000 GB"),
    ("capacity_sibling_outlier", sized(DbInstance, "aws_db_instance.db_3", LATER, "db-3"), DBS, None, {}, "UNKNOWN",
     "allocated_storage"),
    # a sibling of unknown size may be anything: UNKNOWN only where it could change the verdict
    ("capacity_sibling_outlier", sized(DbInstance, "aws_db_instance.db_3", 1000, "db-3"),
     [DBS[0], sized(DbInstance, "aws_db_instance.db_2", LATER, "db-2")], None, {}, "UNKNOWN",
     "1 sibling(s) have no known size, so the median of its 2 siblings may be anything at least 50 GB"),
    ("capacity_sibling_outlier", DBS[0], [DBS[1], sized(DbInstance, "aws_db_instance.db_3", LATER, "db-3")], None,
     {}, "PASS", "under x5 of any median its siblings' sizes allow (at least 50 GB)"),
    ("capacity_sibling_outlier", DBS[0], [sized(DbInstance, "aws_db_instance.db_2", None, "db-2")], None, {},
     "UNKNOWN", "its 1 sibling(s) have no known size to compare with"),
]


@pytest.mark.parametrize("policy,resource,others,env,params,status,words", CASES,
                         ids=[f"{c[0]}-{c[5]}-{i}" for i, c in enumerate(CASES)])
def test_rule(catalogue, policy, resource, others, env, params, status, words):
    rule = catalogue.check(policy)
    merged = {**catalogue.policy(policy).params_for(env), **params}
    neighbours = [o for o in others if o.key != resource.key]
    verdict = rule(resource, context(resource, *neighbours, params=merged, environment=env))
    assert verdict.status == status, verdict.message
    assert words in verdict.message


def test_every_capacity_policy_has_pass_fail_and_unknown_cases(catalogue):
    covered = {(case[0], case[5]) for case in CASES}
    for policy in catalogue:
        if policy.area == "capacity":
            for status in ("PASS", "FAIL", "UNKNOWN"):
                assert (policy.id, status) in covered, f"{policy.id} has no {status} case"


def test_change_message_carries_both_numbers_as_evidence(catalogue):
    db = updated(make(DbInstance, allocated_storage=1000), allocated_storage=100)
    verdict = catalogue.check("storage_change_within_ratio")(db, context(db, params={"max_growth": 3}))
    assert verdict.evidence == {"before_gb": 100, "after_gb": 1000}
