"""Encryption rules, reached through the catalogue: PASS, FAIL and UNKNOWN for each."""
from __future__ import annotations

import pytest

from stackproof.model import BlockDevice, DbCluster, DbInstance, Bucket, CloudTrail, DynamoDbTable, EbsVolume
from stackproof.model import EfsFileSystem, ElastiCacheReplicationGroup, Instance, KmsKey, LaunchConfiguration
from stackproof.model import LaunchTemplate, Listener, ListenerAction, SnsTopic, SqsQueue, Unknown
from tests.factories import context, make

LATER = Unknown("known after apply")
DENIED = Unknown("whether key arn:aws:kms:eu-west-2:111122223333:key/1 is customer managed could not be read: "
                 "kms:DescribeKey was denied")
HTTPS_REDIRECT = (ListenerAction(action_type="redirect", redirect_protocol="HTTPS", redirect_port="443"),)
TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ALLOWED = {"allowed_ssl_policies": [TLS13], "passthrough_ports": []}

# (policy, resource, params, status, words the message must contain)
CASES = [
    ("rds_instance_storage_encrypted", make(DbInstance), {}, "PASS", "encrypted"),
    ("rds_instance_storage_encrypted", make(DbInstance, storage_encrypted=False), {}, "FAIL", "not encrypted"),
    ("rds_instance_storage_encrypted", make(DbInstance, storage_encrypted=LATER), {}, "UNKNOWN", "after apply"),
    ("rds_instance_storage_encrypted", make(DbInstance, storage_encrypted=False, cluster="aurora"), {},
     "NOT_APPLICABLE", "Aurora"),
    ("rds_cluster_storage_encrypted", make(DbCluster), {}, "PASS", "encrypted"),
    ("rds_cluster_storage_encrypted", make(DbCluster, storage_encrypted=False), {}, "FAIL", "not encrypted"),
    ("rds_cluster_storage_encrypted", make(DbCluster, storage_encrypted=LATER), {}, "UNKNOWN", "after apply"),
    ("rds_cluster_storage_encrypted", make(DbCluster, storage_encrypted=False, engine_mode="serverless"), {},
     "PASS", "Serverless"),
    ("s3_bucket_encrypted", make(Bucket), {"require_kms": True}, "PASS", "aws:kms"),
    ("s3_bucket_encrypted", make(Bucket, sse_algorithm="AES256"), {"require_kms": True}, "FAIL", "SSE-S3"),
    ("s3_bucket_encrypted", make(Bucket, sse_algorithm=None), {"require_kms": True}, "FAIL", "no default encryption"),
    ("s3_bucket_encrypted", make(Bucket, sse_algorithm="AES256"), {"require_kms": False}, "PASS", "SSE-S3"),
    ("s3_bucket_encrypted", make(Bucket, sse_algorithm="sse"), {"require_kms": False}, "FAIL",
     "'sse', an algorithm S3 does not have"),
    ("s3_bucket_encrypted", make(Bucket, sse_algorithm=LATER), {"require_kms": True}, "UNKNOWN", "after apply"),
    ("ebs_volume_encrypted", make(EbsVolume), {}, "PASS", "encrypted"),
    ("ebs_volume_encrypted", make(EbsVolume, encrypted=False), {}, "FAIL", "not encrypted"),
    ("ebs_volume_encrypted", make(EbsVolume, encrypted=None), {}, "FAIL", "not requested"),
    ("ebs_volume_encrypted", make(EbsVolume, encrypted=LATER), {}, "UNKNOWN", "after apply"),
    ("ebs_volume_encrypted", make(Instance), {}, "PASS", "encrypted"),
    ("ebs_volume_encrypted", make(Instance, block_devices=(BlockDevice(device_name="root", encrypted=None),)), {},
     "FAIL", "root: encryption is not requested; only an encrypted AMI or snapshot, or the account's EBS encryption "
             "by default, would encrypt it, and this input shows neither"),
    ("ebs_volume_encrypted", make(Instance, block_devices=(BlockDevice(device_name="/dev/sdb", encrypted=LATER),)),
     {}, "UNKNOWN", "/dev/sdb"),
    ("ebs_volume_encrypted", make(Instance, block_devices=(), launch_template="lt"), {}, "NOT_APPLICABLE",
     "launch template"),
    ("ebs_volume_encrypted", make(LaunchTemplate, block_devices=(
        BlockDevice(device_name="/dev/xvda", encrypted=True), BlockDevice(device_name="/dev/sdb", encrypted=False))),
     {}, "FAIL", "/dev/sdb"),
    # no device asks for encryption: the same stance as an instance's unconfigured root volume
    ("ebs_volume_encrypted", make(LaunchTemplate, block_devices=()), {}, "FAIL",
     "no EBS block device is declared, so the volumes come from the AMI and volume encryption is not requested"),
    ("ebs_volume_encrypted", make(LaunchConfiguration, block_devices=()), {}, "FAIL", "EBS encryption by default"),
    ("ebs_volume_encrypted", make(LaunchConfiguration, block_devices=(BlockDevice(device_name="eph0", ephemeral=True),
                                                                      BlockDevice(device_name="/dev/xvda",
                                                                                  encrypted=True))), {}, "PASS", "1 EBS"),
    ("elasticache_replication_group_encrypted", make(ElastiCacheReplicationGroup), {}, "PASS", "in transit"),
    ("elasticache_replication_group_encrypted", make(ElastiCacheReplicationGroup, transit_encryption=False), {},
     "FAIL", "in transit"),
    ("elasticache_replication_group_encrypted", make(ElastiCacheReplicationGroup, at_rest_encryption=False,
                                                     transit_encryption=False), {}, "FAIL", "at rest or in transit"),
    ("elasticache_replication_group_encrypted", make(ElastiCacheReplicationGroup, at_rest_encryption=LATER), {},
     "UNKNOWN", "at_rest"),
    ("efs_file_system_encrypted", make(EfsFileSystem), {}, "PASS", "encrypted"),
    ("efs_file_system_encrypted", make(EfsFileSystem, encrypted=False), {}, "FAIL", "not encrypted"),
    ("efs_file_system_encrypted", make(EfsFileSystem, encrypted=LATER), {}, "UNKNOWN", "after apply"),
    ("sqs_queue_encrypted", make(SqsQueue), {}, "PASS", "SSE-KMS"),
    ("sqs_queue_encrypted", make(SqsQueue, kms_master_key_id=None, sqs_managed_sse_enabled=False), {}, "FAIL",
     "turned off"),
    ("sqs_queue_encrypted", make(SqsQueue, kms_master_key_id=None, sqs_managed_sse_enabled=True),
     {"require_kms": True}, "FAIL", "no KMS key"),
    ("sqs_queue_encrypted", make(SqsQueue, kms_master_key_id=None, sqs_managed_sse_enabled=None), {}, "PASS", "SSE-SQS"),
    ("sqs_queue_encrypted", make(SqsQueue, kms_master_key_id=None, sqs_managed_sse_enabled=LATER), {}, "UNKNOWN",
     "sqs_managed_sse_enabled"),
    ("sns_topic_encrypted", make(SnsTopic), {}, "PASS", "KMS"),
    ("sns_topic_encrypted", make(SnsTopic, kms_master_key_id=None), {}, "FAIL", "no KMS key"),
    ("sns_topic_encrypted", make(SnsTopic, kms_master_key_id=LATER), {}, "PASS", "known after apply"),
    ("dynamodb_table_encrypted", make(DynamoDbTable), {"require_customer_managed_key": True}, "PASS", "customer managed"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, sse_enabled=None, kms_key_arn=None),
     {"require_customer_managed_key": True}, "FAIL", "AWS owned"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, sse_enabled=None, kms_key_arn=None),
     {"require_customer_managed_key": False}, "PASS", "AWS owned"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, sse_enabled=True, kms_key_arn=None),
     {"require_customer_managed_key": True}, "FAIL", "aws/dynamodb"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, sse_enabled=LATER), {}, "UNKNOWN", "after apply"),
    # a KMS key whose owner cannot be read (a live audit denied kms:DescribeKey)
    ("dynamodb_table_encrypted", make(DynamoDbTable, kms_key_arn=DENIED), {"require_customer_managed_key": True},
     "UNKNOWN", "whether the table's KMS key is customer managed is unknown: whether key"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, kms_key_arn=DENIED), {"require_customer_managed_key": False},
     "PASS", "a customer managed key is not required"),
    ("dynamodb_table_encrypted", make(DynamoDbTable, kms_key_arn=LATER), {"require_customer_managed_key": True},
     "UNKNOWN", "customer managed is unknown: known after apply"),
    ("kms_key_rotation_enabled", make(KmsKey), {}, "PASS", "on"),
    ("kms_key_rotation_enabled", make(KmsKey, enable_key_rotation=False), {}, "FAIL", "off"),
    ("kms_key_rotation_enabled", make(KmsKey, enable_key_rotation=LATER), {}, "UNKNOWN", "enable_key_rotation"),
    ("kms_key_rotation_enabled", make(KmsKey, enable_key_rotation=False, key_spec="RSA_2048", key_usage="SIGN_VERIFY"),
     {}, "NOT_APPLICABLE", "RSA_2048"),
    ("lb_listener_tls", make(Listener), ALLOWED, "PASS", TLS13),
    ("lb_listener_tls", make(Listener, ssl_policy="ELBSecurityPolicy-2016-08"), ALLOWED, "FAIL", "not allowed"),
    ("lb_listener_tls", make(Listener, ssl_policy=LATER), ALLOWED, "UNKNOWN", "ssl_policy"),
    ("lb_listener_tls", make(Listener, port=80, protocol="HTTP", default_actions=HTTPS_REDIRECT), ALLOWED, "PASS",
     "redirects"),
    ("lb_listener_tls", make(Listener, port=80, protocol="HTTP"), ALLOWED, "FAIL", "plain HTTP"),
    ("lb_listener_tls", make(Listener, port=80, protocol="HTTP", default_actions=(
        ListenerAction(action_type="redirect", redirect_protocol="HTTP"),)), ALLOWED, "FAIL", "plain HTTP"),
    ("lb_listener_tls", make(Listener, port=5432, protocol="TCP"), ALLOWED, "FAIL", "does not terminate TLS"),
    ("lb_listener_tls", make(Listener, port=5432, protocol="TCP"), {**ALLOWED, "passthrough_ports": [5432]},
     "PASS", "passthrough"),
    ("cloudtrail_trail_encrypted", make(CloudTrail), {}, "PASS", "KMS"),
    ("cloudtrail_trail_encrypted", make(CloudTrail, kms_key_id=None), {}, "FAIL", "SSE-S3"),
]


@pytest.mark.parametrize("policy,resource,params,status,words", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_rule(catalogue, policy, resource, params, status, words):
    rule = catalogue.check(policy)
    merged = {**catalogue.policy(policy).params, **params}
    verdict = rule(resource, context(resource, params=merged))
    assert verdict.status == status, verdict.message
    assert words in verdict.message


def test_every_encryption_policy_has_pass_fail_and_unknown_cases(catalogue):
    covered = {(policy, status) for policy, _, _, status, _ in CASES}
    for policy in catalogue:
        if policy.area == "encryption":
            for status in ("PASS", "FAIL", "UNKNOWN"):
                if policy.id == "cloudtrail_trail_encrypted" and status == "UNKNOWN":
                    continue  # the trail's key is set or not; an unknown ARN is still a key
                if policy.id == "sns_topic_encrypted" and status == "UNKNOWN":
                    continue  # likewise: kms_master_key_id is optional, never computed
                assert (policy.id, status) in covered, f"{policy.id} has no {status} case"
