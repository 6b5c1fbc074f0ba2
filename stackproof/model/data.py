"""Data stores, keys, logging and backup."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Maybe, Resource


@dataclass(frozen=True, kw_only=True)
class DbInstance(Resource):
    KIND = "aws.rds.db_instance"
    identifier: Maybe[str | None] = None
    engine: Maybe[str | None] = None
    instance_class: Maybe[str | None] = None
    allocated_storage: Maybe[int | None] = None  # GiB
    max_allocated_storage: Maybe[int | None] = None  # GiB; None or 0: storage autoscaling off
    storage_type: Maybe[str | None] = None
    iops: Maybe[int | None] = None
    storage_encrypted: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    multi_az: Maybe[bool] = False
    publicly_accessible: Maybe[bool] = False
    availability_zone: Maybe[str | None] = None
    db_subnet_group: Maybe[str | None] = None  # key
    security_groups: Maybe[tuple[str, ...]] = ()
    port: Maybe[int | None] = None
    backup_retention_period: Maybe[int | None] = None  # days
    deletion_protection: Maybe[bool] = False
    cluster: Maybe[str | None] = None  # key of the Aurora cluster this instance belongs to
    replicate_source_db: Maybe[str | None] = None  # key or ARN of the primary, for a read replica


@dataclass(frozen=True, kw_only=True)
class DbCluster(Resource):
    KIND = "aws.rds.db_cluster"
    identifier: Maybe[str | None] = None
    engine: Maybe[str | None] = None
    engine_mode: Maybe[str | None] = None
    storage_encrypted: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    availability_zones: Maybe[tuple[str, ...]] = ()
    db_subnet_group: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    port: Maybe[int | None] = None
    allocated_storage: Maybe[int | None] = None  # Multi-AZ DB clusters (non-Aurora)
    backup_retention_period: Maybe[int | None] = None
    deletion_protection: Maybe[bool] = False
    global_cluster: Maybe[str | None] = None
    replication_source: Maybe[str | None] = None  # ARN of the source cluster
    publicly_accessible: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class DbSubnetGroup(Resource):
    KIND = "aws.rds.db_subnet_group"
    subnets: Maybe[tuple[str, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class DbBackupReplication(Resource):
    """RDS automated backups replicated into another region (the resource's own region)."""

    KIND = "aws.rds.db_instance_automated_backups_replication"
    source_db: Maybe[str | None] = None  # key or ARN of the source instance
    retention_period: Maybe[int | None] = None
    kms_key_id: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class ElastiCacheReplicationGroup(Resource):
    KIND = "aws.elasticache.replication_group"
    engine: Maybe[str | None] = None
    node_type: Maybe[str | None] = None
    at_rest_encryption: Maybe[bool] = False
    transit_encryption: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    automatic_failover: Maybe[bool] = False
    multi_az: Maybe[bool] = False
    num_cache_clusters: Maybe[int | None] = None  # total nodes when cluster mode is off
    num_node_groups: Maybe[int | None] = None  # shards when cluster mode is on
    replicas_per_node_group: Maybe[int | None] = None
    availability_zones: Maybe[tuple[str, ...]] = ()  # preferred cache cluster AZs
    subnet_group: Maybe[str | None] = None  # key
    security_groups: Maybe[tuple[str, ...]] = ()
    port: Maybe[int | None] = None


@dataclass(frozen=True, kw_only=True)
class ElastiCacheSubnetGroup(Resource):
    KIND = "aws.elasticache.subnet_group"
    subnets: Maybe[tuple[str, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class PublicAccessBlock:
    block_public_acls: Maybe[bool] = False
    block_public_policy: Maybe[bool] = False
    ignore_public_acls: Maybe[bool] = False
    restrict_public_buckets: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class ReplicationRule:
    rule_id: Maybe[str | None] = None
    enabled: Maybe[bool] = True
    destination_bucket: Maybe[str | None] = None  # bucket ARN or name as written
    # Region of the destination where the input states it (for a Terraform plan: the
    # region of the provider the replication configuration uses); None when not stated.
    destination_region: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class Bucket(Resource):
    KIND = "aws.s3.bucket"
    bucket_name: Maybe[str | None] = None
    versioning: Maybe[bool] = False
    # Default encryption: "AES256", "aws:kms", "aws:kms:dsse", or None when none is
    # configured. Since January 2023 S3 applies SSE-S3 to every new object even then.
    sse_algorithm: Maybe[str | None] = None
    kms_key_id: Maybe[str | None] = None
    # None: no public access block on the bucket itself.
    public_access_block: Maybe[PublicAccessBlock | None] = None
    acl: Maybe[str | None] = None  # canned ACL
    policy: Maybe[str | None] = None  # bucket policy JSON
    replication_rules: Maybe[tuple[ReplicationRule, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class DynamoDbTable(Resource):
    KIND = "aws.dynamodb.table"
    table_name: Maybe[str | None] = None
    # Server-side encryption: False/None means the AWS owned key (always encrypted).
    sse_enabled: Maybe[bool | None] = None
    kms_key_arn: Maybe[str | None] = None  # None with sse_enabled: the AWS managed key
    replica_regions: Maybe[tuple[str, ...]] = ()
    point_in_time_recovery: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class EfsFileSystem(Resource):
    KIND = "aws.efs.file_system"
    encrypted: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    availability_zone_name: Maybe[str | None] = None  # One Zone file systems
    replication_destinations: Maybe[tuple[str, ...]] = ()  # regions


@dataclass(frozen=True, kw_only=True)
class EfsMountTarget(Resource):
    KIND = "aws.efs.mount_target"
    file_system: Maybe[str | None] = None
    subnet: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class RedshiftCluster(Resource):
    KIND = "aws.redshift.cluster"
    encrypted: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    publicly_accessible: Maybe[bool] = False
    subnet_group: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    port: Maybe[int | None] = None


@dataclass(frozen=True, kw_only=True)
class SqsQueue(Resource):
    KIND = "aws.sqs.queue"
    kms_master_key_id: Maybe[str | None] = None
    sqs_managed_sse_enabled: Maybe[bool | None] = None


@dataclass(frozen=True, kw_only=True)
class SnsTopic(Resource):
    KIND = "aws.sns.topic"
    kms_master_key_id: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class KmsKey(Resource):
    KIND = "aws.kms.key"
    enable_key_rotation: Maybe[bool] = False
    key_spec: Maybe[str] = "SYMMETRIC_DEFAULT"
    key_usage: Maybe[str] = "ENCRYPT_DECRYPT"
    enabled: Maybe[bool] = True
    multi_region: Maybe[bool] = False


@dataclass(frozen=True, kw_only=True)
class CloudTrail(Resource):
    KIND = "aws.cloudtrail.trail"
    is_multi_region_trail: Maybe[bool] = False
    kms_key_id: Maybe[str | None] = None
    log_file_validation: Maybe[bool] = False
    s3_bucket: Maybe[str | None] = None
    is_logging: Maybe[bool] = True


def region_of_arn(arn: object) -> str | None:
    """The region field of an ARN (arn:aws:SERVICE:REGION:ACCOUNT:...), None when empty."""
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return None


@dataclass(frozen=True, kw_only=True)
class BackupCopyAction:
    destination_vault: Maybe[str | None] = None  # vault ARN, or the key of a vault in the inputs
    # Region of the destination vault: from its ARN, or from the vault's own
    # definition when it is in the inputs.
    destination_region: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class BackupRule:
    rule_name: Maybe[str | None] = None
    target_vault: Maybe[str | None] = None
    copy_actions: Maybe[tuple[BackupCopyAction, ...]] = ()


@dataclass(frozen=True, kw_only=True)
class BackupPlan(Resource):
    KIND = "aws.backup.plan"
    rules: Maybe[tuple[BackupRule, ...]] = ()
