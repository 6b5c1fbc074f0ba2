"""Disaster-recovery rules, reached through the catalogue: PASS, FAIL and UNKNOWN for each.

Each case is (policy, resource, its neighbours in the inventory, parameter overrides,
status, words the message must contain). The resource under test is in eu-west-2.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from stackproof.model import (
    BackupCopyAction,
    BackupPlan,
    BackupRule,
    Bucket,
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DynamoDbTable,
    Unknown,
)
from tests.factories import changed, context, make, replication

LATER = Unknown("known after apply")
OPT_OUT = {"Name": "replica", "stackproof:no-replication": "DR replica of data"}


def bucket(key: str = "data", region: str | Unknown = "eu-west-2", **fields) -> Bucket:
    return make(Bucket, key, bucket_name=key, region=region, **fields)


def replicating(destination: str, region: object = None, **fields) -> Bucket:
    return bucket(replication_rules=(replication(destination, region=region),), **fields)


def db(**fields) -> DbInstance:
    return make(DbInstance, "db", identifier="orders", **fields)


ARN = "arn:aws:rds:eu-west-2:111122223333:db:orders"


def in_account(account: str) -> DbInstance:
    """The instance db as an audit of `account` reads it."""
    found = db()
    return changed(found, prov=replace(found.prov, account=account))


def backups_to(region: str | Unknown, source: str = "db") -> DbBackupReplication:
    return make(DbBackupReplication, f"backups-{source}", source_db=source, region=region, retention_period=14)


def aurora(key: str = "cluster", region: str = "eu-west-2", **fields) -> DbCluster:
    return make(DbCluster, key, region=region, engine="aurora-postgresql", **fields)


def plan(*copies: BackupCopyAction, **fields) -> BackupPlan:
    return make(BackupPlan, "plan", rules=(BackupRule(rule_name="daily", copy_actions=copies),), **fields)


def copy_to(region: str | Unknown, vault: str = "arn:aws:backup:eu-west-1:111122223333:backup-vault:dr"):
    return BackupCopyAction(destination_vault=vault, destination_region=region)


CASES = [
    # s3_bucket_cross_region_replication
    ("s3_bucket_cross_region_replication", replicating("replica"), [bucket("replica", "eu-west-1")], {},
     "PASS", "in eu-west-1"),
    # replication to the same region protects against deletion, not a regional failure
    ("s3_bucket_cross_region_replication", replicating("replica"), [bucket("replica", "eu-west-2")], {},
     "FAIL", "eu-west-2, the bucket's own region"),
    # the destination is named by ARN and found in the inputs by its bucket name
    ("s3_bucket_cross_region_replication", replicating("arn:aws:s3:::replica"), [bucket("replica", "us-east-1")], {},
     "PASS", "in us-east-1"),
    # the destination is outside the scanned inputs, and nothing states its region
    ("s3_bucket_cross_region_replication", replicating("arn:aws:s3:::elsewhere"), [], {},
     "UNKNOWN", "not in the scanned inputs"),
    # ... unless the input states it (a live account reads it with GetBucketLocation)
    ("s3_bucket_cross_region_replication", replicating("arn:aws:s3:::elsewhere", region="eu-central-1"), [], {},
     "PASS", "in eu-central-1"),
    ("s3_bucket_cross_region_replication", replicating("arn:aws:s3:::elsewhere", region="eu-west-2"), [], {},
     "FAIL", "the bucket's own region"),
    ("s3_bucket_cross_region_replication", replicating("arn:aws:s3:::elsewhere", region=LATER), [], {},
     "UNKNOWN", "after apply"),
    ("s3_bucket_cross_region_replication", replicating("replica"), [bucket("replica", LATER)], {},
     "UNKNOWN", "region of destination bucket replica is unknown"),
    ("s3_bucket_cross_region_replication", replicating(LATER), [], {}, "UNKNOWN", "destination bucket is unknown"),
    ("s3_bucket_cross_region_replication", bucket(), [], {}, "FAIL", "no replication rule"),
    ("s3_bucket_cross_region_replication", replicating("replica", versioning=False), [bucket("replica", "eu-west-1")],
     {}, "FAIL", "versioning is off"),
    ("s3_bucket_cross_region_replication", replicating("replica", versioning=LATER), [bucket("replica", "eu-west-1")],
     {}, "UNKNOWN", "replicates to bucket replica in eu-west-1, but versioning, which replication requires, is "
                    "unknown"),
    # an unknown versioning does not hide what is known to fail
    ("s3_bucket_cross_region_replication", bucket(versioning=LATER), [], {}, "FAIL", "no replication rule"),
    ("s3_bucket_cross_region_replication", replicating("replica", versioning=LATER), [bucket("replica", "eu-west-2")],
     {}, "FAIL", "the bucket's own region"),
    ("s3_bucket_cross_region_replication", bucket(versioning=False, replication_rules=LATER), [], {}, "FAIL",
     "versioning is off"),
    ("s3_bucket_cross_region_replication", bucket(replication_rules=(replication("replica", enabled=False),)),
     [bucket("replica", "eu-west-1")], {}, "FAIL", "disabled"),
    ("s3_bucket_cross_region_replication", bucket(replication_rules=LATER), [], {}, "UNKNOWN", "replication rules"),
    ("s3_bucket_cross_region_replication", replicating("replica", region=LATER), [bucket("replica", "eu-west-1")],
     {}, "PASS", "in eu-west-1"),  # the bucket in the inputs wins over what the input states
    ("s3_bucket_cross_region_replication", bucket(region=LATER, replication_rules=(replication("replica"),)),
     [bucket("replica", "eu-west-1")], {}, "UNKNOWN", "own region is unknown"),
    ("s3_bucket_cross_region_replication", bucket(tags=OPT_OUT), [], {}, "NOT_APPLICABLE", "DR replica of data"),
    # the opt-out tag needs a reason
    ("s3_bucket_cross_region_replication", bucket(tags={"stackproof:no-replication": " "}), [], {}, "FAIL",
     "tag stackproof:no-replication is present but empty, so it does not opt out"),
    # a value that says nothing is not a reason
    ("s3_bucket_cross_region_replication", bucket(tags={"stackproof:no-replication": "true"}), [], {}, "FAIL",
     "tag stackproof:no-replication='true' gives no reason, so it does not opt out"),
    ("s3_bucket_cross_region_replication", bucket(tags={"stackproof:no-replication": "Yes"}), [], {}, "FAIL",
     "gives no reason"),
    ("s3_bucket_cross_region_replication", bucket(), [], {"persistent_kinds": ["aws.rds.db_instance"]},
     "NOT_APPLICABLE", "aws.s3.bucket is not listed in persistent_kinds"),
    ("s3_bucket_cross_region_replication", bucket(tags={"keep": "local"}), [], {"opt_out_tag": "keep"},
     "NOT_APPLICABLE", "opted out by tag keep: local"),
    # an opt-out tag that cannot be read may excuse a missing copy, but not make one up
    ("s3_bucket_cross_region_replication", bucket(tags={"stackproof:no-replication": LATER}), [], {}, "UNKNOWN",
     "unless its stackproof:no-replication tag opts it out, and that tag is unknown"),
    ("s3_bucket_cross_region_replication", bucket(tags=LATER), [], {}, "UNKNOWN", "that tag is unknown"),
    ("s3_bucket_cross_region_replication", replicating("replica", tags={"stackproof:no-replication": LATER}),
     [bucket("replica", "eu-west-1")], {}, "PASS", "eu-west-1"),

    # rds_instance_cross_region_backup
    ("rds_instance_cross_region_backup", db(), [backups_to("eu-west-1")], {}, "PASS",
     "automated backups replicated to eu-west-1"),
    ("rds_instance_cross_region_backup", db(), [backups_to("eu-west-1", source="orders")], {}, "PASS",
     "eu-west-1"),  # the replication names the instance by its identifier
    ("rds_instance_cross_region_backup", db(), [make(DbInstance, "replica", replicate_source_db="db",
                                                     region="us-east-1")], {}, "PASS", "read replica replica"),
    ("rds_instance_cross_region_backup", db(), [], {}, "FAIL", "no automated-backups replication or read replica"),
    ("rds_instance_cross_region_backup", db(), [make(DbInstance, "replica", replicate_source_db="db")], {}, "FAIL",
     "not another region"),
    ("rds_instance_cross_region_backup", db(), [backups_to(LATER)], {}, "UNKNOWN", "after apply"),
    # copies scanned from the DR region's input name the source by ARN: region and identifier
    ("rds_instance_cross_region_backup", db(), [backups_to("eu-west-1", source=ARN)], {}, "PASS",
     "automated backups replicated to eu-west-1"),
    ("rds_instance_cross_region_backup", db(), [make(DbInstance, "dr", replicate_source_db=ARN, region="eu-west-1")],
     {}, "PASS", "read replica dr in eu-west-1"),
    ("rds_instance_cross_region_backup", db(), [backups_to("eu-west-1", source=ARN.replace("eu-west-2", "us-east-1"))],
     {}, "FAIL", "no automated-backups replication"),  # the same identifier in another region
    ("rds_instance_cross_region_backup", in_account("444455556666"), [backups_to("eu-west-1", source=ARN)], {},
     "FAIL", "no automated-backups replication"),  # the same identifier in another account
    ("rds_instance_cross_region_backup", in_account("111122223333"), [backups_to("eu-west-1", source=ARN)], {},
     "PASS", "eu-west-1"),
    ("rds_instance_cross_region_backup", make(DbInstance, "replica", replicate_source_db="db"), [db()], {},
     "NOT_APPLICABLE", "read replica of"),
    ("rds_instance_cross_region_backup", make(DbInstance, "writer", cluster="cluster"), [aurora()], {},
     "NOT_APPLICABLE", "Aurora member"),
    ("rds_instance_cross_region_backup", db(tags={"stackproof:no-replication": "rebuilt from the event log"}), [], {},
     "NOT_APPLICABLE", "rebuilt from the event log"),
    # Aurora: a global database with a cluster in another region
    ("rds_instance_cross_region_backup", aurora(global_cluster="global"),
     [aurora("secondary", region="eu-west-1", global_cluster="global")], {}, "PASS", "cluster in eu-west-1"),
    ("rds_instance_cross_region_backup", aurora(), [], {}, "FAIL", "not a member of an Aurora global database"),
    # Aurora: a replica cluster in another region (replication_source_identifier)
    ("rds_instance_cross_region_backup", aurora(), [aurora("replica", region="eu-west-1", replication_source="cluster")],
     {}, "PASS", "replica cluster replica in eu-west-1"),
    ("rds_instance_cross_region_backup", aurora(), [aurora("replica", replication_source="cluster")], {}, "FAIL",
     "no replica cluster in another region (replica cluster replica in eu-west-2, not another region)"),
    ("rds_instance_cross_region_backup", aurora("replica", region="eu-west-1", replication_source="cluster"),
     [aurora()], {}, "NOT_APPLICABLE", "a replica of cluster cluster"),
    ("rds_instance_cross_region_backup", aurora(global_cluster="global"), [], {}, "UNKNOWN",
     "no cluster of it in another region is in the scanned inputs"),
    ("rds_instance_cross_region_backup", aurora(global_cluster=LATER), [], {}, "UNKNOWN", "global_cluster"),
    ("rds_instance_cross_region_backup", aurora(replication_source="arn:aws:rds:us-east-1:1:cluster:primary"), [], {},
     "NOT_APPLICABLE", "a replica of cluster"),

    # dynamodb_table_cross_region_replica
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable), [], {}, "PASS", "replicas in eu-west-1"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=()), [], {}, "FAIL",
     "exists only in eu-west-2"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=("eu-west-2",)), [], {}, "FAIL",
     "no replica in another region"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=LATER), [], {}, "UNKNOWN", "replicas"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=(LATER,)), [], {}, "UNKNOWN",
     "region of a replica"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=(), tags=OPT_OUT), [], {},
     "NOT_APPLICABLE", "opted out"),
    ("dynamodb_table_cross_region_replica", make(DynamoDbTable, replica_regions=(),
                                                 tags={"stackproof:no-replication": "1"}), [], {},
     "FAIL", "tag stackproof:no-replication='1' gives no reason"),

    # backup_plan_cross_region_copy
    ("backup_plan_cross_region_copy", plan(copy_to("eu-west-1")), [], {}, "PASS", "in eu-west-1"),
    ("backup_plan_cross_region_copy", plan(copy_to("eu-west-2", vault="vault-main")), [], {}, "FAIL",
     "the plan's own region"),
    ("backup_plan_cross_region_copy", plan(), [], {}, "FAIL", "no rule copies"),
    ("backup_plan_cross_region_copy", make(BackupPlan, "plan", rules=()), [], {}, "FAIL", "no rules"),
    ("backup_plan_cross_region_copy", plan(copy_to(LATER)), [], {}, "UNKNOWN", "after apply"),
    ("backup_plan_cross_region_copy", make(BackupPlan, "plan", rules=LATER), [], {}, "UNKNOWN", "rules"),

    # rds_instance_backup_retention
    ("rds_instance_backup_retention", db(), [], {}, "PASS", "14 days"),
    ("rds_instance_backup_retention", db(backup_retention_period=3), [], {}, "FAIL", "3 day(s), fewer than the 7"),
    ("rds_instance_backup_retention", db(backup_retention_period=7), [], {"min_days": 14}, "FAIL", "fewer than the 14"),
    ("rds_instance_backup_retention", db(backup_retention_period=0), [], {}, "FAIL", "disabled"),
    ("rds_instance_backup_retention", db(backup_retention_period=None), [], {}, "FAIL", "1 day by default"),
    ("rds_instance_backup_retention", db(backup_retention_period=LATER), [], {}, "UNKNOWN", "after apply"),
    ("rds_instance_backup_retention", aurora(backup_retention_period=1), [], {}, "FAIL", "1 day(s)"),
    ("rds_instance_backup_retention", make(DbInstance, "writer", cluster="cluster", backup_retention_period=None),
     [aurora()], {}, "NOT_APPLICABLE", "cluster's backup retention"),
    ("rds_instance_backup_retention", make(DbInstance, "replica", replicate_source_db="db",
                                           backup_retention_period=0), [db()], {}, "NOT_APPLICABLE", "read replica"),

    # rds_instance_deletion_protection
    ("rds_instance_deletion_protection", db(), [], {}, "PASS", "on"),
    ("rds_instance_deletion_protection", db(deletion_protection=False), [], {}, "FAIL", "off"),
    ("rds_instance_deletion_protection", db(deletion_protection=LATER), [], {}, "UNKNOWN", "deletion_protection"),
    ("rds_instance_deletion_protection", aurora(deletion_protection=False), [], {}, "FAIL", "off"),
    ("rds_instance_deletion_protection", make(DbInstance, "writer", cluster="cluster", deletion_protection=False),
     [aurora()], {}, "NOT_APPLICABLE", "set on the cluster"),
]


@pytest.mark.parametrize("policy,resource,others,params,status,words", CASES,
                         ids=[f"{c[0]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_rule(catalogue, policy, resource, others, params, status, words):
    rule = catalogue.check(policy)
    merged = {**catalogue.policy(policy).params, **params}
    verdict = rule(resource, context(resource, *others, params=merged))
    assert verdict.status == status, verdict.message
    assert words in verdict.message


def test_every_recovery_policy_has_pass_fail_and_unknown_cases(catalogue):
    covered = {(case[0], case[4]) for case in CASES}
    for policy in catalogue:
        if policy.area == "recovery":
            for status in ("PASS", "FAIL", "UNKNOWN"):
                assert (policy.id, status) in covered, f"{policy.id} has no {status} case"


def test_dev_environment_needs_no_cross_region_copy(catalogue):
    """The policies' dev profile lists no kind as data that must be replicated."""
    policy = catalogue.policy("s3_bucket_cross_region_replication")
    rule, lonely = catalogue.check(policy.id), bucket()
    prod = rule(lonely, context(lonely, params=policy.params_for("prod"), environment="prod"))
    dev = rule(lonely, context(lonely, params=policy.params_for("dev"), environment="dev"))
    assert prod.status == "FAIL"
    assert dev.status == "NOT_APPLICABLE" and "environment dev" in dev.message


def test_dr_policies_agree_on_what_is_persistent_data(catalogue):
    """persistent_kinds is one list, written in each DR policy: they must not drift apart."""
    policies = [p for p in catalogue if "persistent_kinds" in p.params]
    assert {p.id for p in policies} == {"s3_bucket_cross_region_replication", "rds_instance_cross_region_backup",
                                        "dynamodb_table_cross_region_replica"}
    environments = {None} | {env for p in policies for env in p.environments}
    for env in environments:
        lists = {p.id: sorted(p.params_for(env)["persistent_kinds"]) for p in policies}
        assert len({tuple(v) for v in lists.values()}) == 1, (env, lists)
