"""CloudFormation data-store, key, logging and backup types -> model fields."""
from __future__ import annotations

import json
from typing import Any

from ...model import (
    BackupCopyAction,
    BackupPlan,
    BackupRule,
    Bucket,
    CloudTrail,
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    DynamoDbTable,
    EfsFileSystem,
    EfsMountTarget,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    KmsKey,
    PublicAccessBlock,
    RedshiftCluster,
    ReplicationRule,
    SnsTopic,
    SqsQueue,
    Unknown,
    region_of_arn,
)
from .map_network import SG, SUBNET, Attachment
from .values import Pending, as_bool, as_str, mappings, opt
from .view import View, ref_of

BUCKET = ("AWS::S3::Bucket",)
DB = ("AWS::RDS::DBInstance",)
CLUSTER = ("AWS::RDS::DBCluster",)
KMS = ("AWS::KMS::Key",)
VAULT = ("AWS::Backup::BackupVault",)
# A field whose value is decided after mapping, from other resources (see build.py).
PUBLIC_BY_NETWORK = "_publicly_accessible_by_network"


def db_instance(v: View) -> dict[str, Any]:
    cluster = v.ref("DBClusterIdentifier", *CLUSTER)
    source = v.ref("SourceDBInstanceIdentifier", *DB)
    fields: dict[str, Any] = {
        "identifier": v.str("DBInstanceIdentifier"),
        "engine": v.str("Engine"),
        "instance_class": v.str("DBInstanceClass"),
        "allocated_storage": v.int("AllocatedStorage"),
        "max_allocated_storage": v.int("MaxAllocatedStorage"),
        "storage_type": v.str("StorageType"),
        "iops": v.int("Iops"),
        "storage_encrypted": _inherited_encryption(v, cluster, source),
        "kms_key_id": v.ref("KmsKeyId", *KMS),
        "multi_az": v.bool("MultiAZ", False),
        "availability_zone": v.str("AvailabilityZone"),
        "db_subnet_group": v.ref("DBSubnetGroupName", "AWS::RDS::DBSubnetGroup"),
        "security_groups": v.refs("VPCSecurityGroups", *SG),
        "port": v.int("Port"),
        "backup_retention_period": v.int("BackupRetentionPeriod"),
        "deletion_protection": v.bool("DeletionProtection", False),
        "cluster": cluster,
        "replicate_source_db": source,
    }
    public = v.get("PubliclyAccessible")
    if public is None and cluster is None:
        # Not set: AWS makes the instance public when its VPC has an internet gateway.
        fields[PUBLIC_BY_NETWORK] = True
        fields["publicly_accessible"] = Unknown("PubliclyAccessible is not set, so AWS decides by whether the "
                                                "instance's VPC has an internet gateway, which this template "
                                                "does not show")
    else:
        fields["publicly_accessible"] = as_bool(public if public is not None else False)
    region = v.str("AutomaticBackupReplicationRegion")
    if region is not None:
        fields["_children"] = [(DbBackupReplication, "automated_backups_replication", {
            "source_db": v.key,
            "retention_period": v.int("AutomaticBackupReplicationRetentionPeriod"),
            "kms_key_id": v.ref("AutomaticBackupReplicationKmsKeyId", *KMS),
            "_region": region,
        })]
    return fields


def _inherited_encryption(v: View, cluster: Any, source: Any) -> Any:
    engine = v.str("Engine")
    if cluster is not None or (isinstance(engine, str) and engine.lower().startswith("aurora")):
        return Unknown("an Aurora instance's storage is its cluster's")
    if v.get("StorageEncrypted") is None:
        if source is not None:
            return Unknown("a read replica that does not set StorageEncrypted inherits its source's encryption")
        if v.get("DBSnapshotIdentifier") is not None:
            return Unknown("an instance restored from a snapshot inherits the snapshot's encryption")
    return v.bool("StorageEncrypted", False)


def db_cluster(v: View) -> dict[str, Any]:
    zones = v.get("AvailabilityZones")
    encrypted = v.bool("StorageEncrypted", False)
    restored = v.get("SnapshotIdentifier") is not None or v.get("SourceDBClusterIdentifier") is not None
    if v.get("StorageEncrypted") is None and restored:
        encrypted = Unknown("a cluster restored from a snapshot or another cluster inherits its encryption")
    return {
        "identifier": v.str("DBClusterIdentifier"),
        "engine": v.str("Engine"),
        "engine_mode": v.str("EngineMode"),
        "storage_encrypted": encrypted,
        "kms_key_id": v.ref("KmsKeyId", *KMS),
        "availability_zones": zones if isinstance(zones, Unknown)
        else tuple(z for z in (zones or []) if isinstance(z, str)),
        "db_subnet_group": v.ref("DBSubnetGroupName", "AWS::RDS::DBSubnetGroup"),
        "security_groups": v.refs("VpcSecurityGroupIds", *SG),
        "port": v.int("Port"),
        "allocated_storage": v.int("AllocatedStorage"),
        "backup_retention_period": v.int("BackupRetentionPeriod"),
        "deletion_protection": v.bool("DeletionProtection", False),
        "global_cluster": v.ref("GlobalClusterIdentifier", "AWS::RDS::GlobalCluster"),
        "replication_source": v.str("ReplicationSourceIdentifier"),
        "publicly_accessible": v.bool("PubliclyAccessible", False),
    }


def db_subnet_group(v: View) -> dict[str, Any]:
    return {"subnets": v.refs("SubnetIds", *SUBNET)}


def elasticache_replication_group(v: View) -> dict[str, Any]:
    shards = v.int("NumNodeGroups")
    groups = v.get("NodeGroupConfiguration")
    if shards is None and isinstance(groups, list):
        shards = len(groups)
    return {
        "engine": v.str("Engine", "redis"),
        "node_type": v.str("CacheNodeType"),
        "at_rest_encryption": v.bool("AtRestEncryptionEnabled", False),
        "transit_encryption": v.bool("TransitEncryptionEnabled", False),
        "kms_key_id": v.ref("KmsKeyId", *KMS),
        "automatic_failover": v.bool("AutomaticFailoverEnabled", False),
        "multi_az": v.bool("MultiAZEnabled", False),
        "num_cache_clusters": v.int("NumCacheClusters"),
        "num_node_groups": shards,
        "replicas_per_node_group": v.int("ReplicasPerNodeGroup"),
        "availability_zones": _strings(v.get("PreferredCacheClusterAZs")),
        "subnet_group": v.ref("CacheSubnetGroupName", "AWS::ElastiCache::SubnetGroup"),
        "security_groups": v.refs("SecurityGroupIds", *SG),
        "port": v.int("Port"),
    }


def _strings(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    return tuple(z for z in (value or []) if isinstance(z, str))


def elasticache_subnet_group(v: View) -> dict[str, Any]:
    return {"subnets": v.refs("SubnetIds", *SUBNET)}


# -- S3 ----------------------------------------------------------------------------------


def bucket(v: View) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "bucket_name": v.str("BucketName"),
        "acl": v.str("AccessControl"),
        "versioning": _versioning(v.get("VersioningConfiguration")),
        **_encryption(v),
        "public_access_block": _public_access_block(v.get("PublicAccessBlockConfiguration")),
        "replication_rules": _replication_rules(v),
    }
    return fields


def _versioning(config: Any) -> Any:
    if isinstance(config, Unknown):
        return config
    status = config.get("Status") if isinstance(config, dict) else None
    return status if isinstance(status, Unknown) else status == "Enabled"


def _encryption(v: View) -> dict[str, Any]:
    rules = mappings(v.get("BucketEncryption.ServerSideEncryptionConfiguration"))
    if isinstance(rules, Unknown):
        return {"sse_algorithm": rules, "kms_key_id": rules}
    default = rules[0].get("ServerSideEncryptionByDefault") if rules else None
    if isinstance(default, Unknown):
        return {"sse_algorithm": default, "kms_key_id": default}
    if not isinstance(default, dict):
        return {"sse_algorithm": None, "kms_key_id": None}
    return {"sse_algorithm": opt(as_str(default.get("SSEAlgorithm"))),
            "kms_key_id": opt(ref_of(default.get("KMSMasterKeyID"), KMS, v.index))}


def _public_access_block(config: Any) -> Any:
    if config is None or isinstance(config, Unknown):
        return config
    if not isinstance(config, dict):
        return None
    return PublicAccessBlock(
        block_public_acls=as_bool(config.get("BlockPublicAcls", False)),
        block_public_policy=as_bool(config.get("BlockPublicPolicy", False)),
        ignore_public_acls=as_bool(config.get("IgnorePublicAcls", False)),
        restrict_public_buckets=as_bool(config.get("RestrictPublicBuckets", False)),
    )


def _replication_rules(v: View) -> Any:
    rules = mappings(v.get("ReplicationConfiguration.Rules"))
    if isinstance(rules, Unknown):
        return rules
    found = []
    for rule in rules:
        destination = rule.get("Destination")
        target = ref_of(destination.get("Bucket"), BUCKET, v.index) if isinstance(destination, dict) else None
        status = rule.get("Status")
        found.append(ReplicationRule(
            rule_id=opt(as_str(rule.get("Id"))),
            enabled=status if isinstance(status, Unknown) else str(status or "").lower() == "enabled",
            destination_bucket=target,
            # Decided in build.py: the destination bucket's region when it is in the inputs.
            destination_region=Unknown("the destination bucket is not in the template, so its region is not known"),
        ))
    return tuple(found)


def attach_bucket_policy(v: View) -> list[Attachment]:
    return [Attachment(BUCKET, v.ref("Bucket", *BUCKET), set={"policy": policy_text(v.get("PolicyDocument"))})]


def policy_text(document: Any) -> Any:
    """A policy document as JSON; values CloudFormation fills in at deploy time (the
    bucket's own ARN, an account id) appear as ``${...}`` placeholders."""
    if document is None or isinstance(document, str):
        return document
    if isinstance(document, Unknown) and not isinstance(document, Pending):
        return document

    def placeholder(value: Any) -> Any:
        if isinstance(value, Pending):
            return value.display
        if isinstance(value, Unknown):
            return "${unknown}"
        return str(value)

    return json.dumps(document, default=placeholder, sort_keys=True)


# -- DynamoDB ------------------------------------------------------------------------------


def dynamodb_table(v: View) -> dict[str, Any]:
    sse = v.get("SSESpecification")
    if isinstance(sse, Unknown):
        return {"table_name": v.str("TableName"), "sse_enabled": sse, "kms_key_arn": sse}
    sse = sse if isinstance(sse, dict) else {}
    return {
        "table_name": v.str("TableName"),
        "sse_enabled": as_bool(sse.get("SSEEnabled")),
        "kms_key_arn": opt(ref_of(sse.get("KMSMasterKeyId"), KMS, v.index)),
        "replica_regions": (),
        "point_in_time_recovery": v.bool("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", False),
    }


def local_replica(v: View) -> Any:
    """The replica of a global table in the stack's own region, or an Unknown."""
    replicas = mappings(v.get("Replicas"))
    if isinstance(replicas, Unknown):
        return replicas
    region = v.raw.region
    if isinstance(region, str):
        for replica in replicas:
            if replica.get("Region") == region:
                return replica
        return Unknown(f"no replica is in the stack's region {region}")
    if len(replicas) == 1:
        return replicas[0]
    return Unknown("which replica is in the stack's region is not known; pass --region")


def global_table(v: View) -> dict[str, Any]:
    local = local_replica(v)
    regions = mappings(v.get("Replicas"))
    sse = v.get("SSESpecification")
    enabled = sse if isinstance(sse, Unknown) else as_bool((sse or {}).get("SSEEnabled"))
    if isinstance(local, Unknown):
        key, recovery = local, local
    else:
        key = opt(ref_of(_at(local, "SSESpecification", "KMSMasterKeyId"), KMS, v.index))
        recovery = as_bool(_at(local, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"))
        recovery = False if recovery is None else recovery
    if isinstance(regions, Unknown) or not isinstance(v.raw.region, str):
        replica_regions: Any = regions if isinstance(regions, Unknown) else Unknown(
            "which replicas are in other regions is not known; pass --region")
    else:
        replica_regions = tuple(r.get("Region") for r in regions
                                if isinstance(r.get("Region"), str) and r.get("Region") != v.raw.region)
    return {
        "table_name": v.str("TableName"),
        "sse_enabled": enabled,
        "kms_key_arn": key,
        "replica_regions": replica_regions,
        "point_in_time_recovery": recovery,
    }


def _at(mapping: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(step)
    return mapping


# -- EFS, Redshift, queues, keys, trails, backup ----------------------------------------------


def efs_file_system(v: View) -> dict[str, Any]:
    destinations = mappings(v.get("ReplicationConfiguration.Destinations"))
    return {
        "encrypted": v.bool("Encrypted", False),
        "kms_key_id": v.ref("KmsKeyId", *KMS),
        "availability_zone_name": v.str("AvailabilityZoneName"),
        "replication_destinations": destinations if isinstance(destinations, Unknown)
        else tuple(_region_of(d) for d in destinations),
    }


def _region_of(destination: dict[str, Any]) -> Any:
    region = as_str(destination.get("Region"))
    return Unknown("the replica's region is not stated") if region is None else region


def efs_mount_target(v: View) -> dict[str, Any]:
    return {
        "file_system": v.ref("FileSystemId", "AWS::EFS::FileSystem"),
        "subnet": v.ref("SubnetId", *SUBNET),
        "security_groups": v.refs("SecurityGroups", *SG),
    }


def redshift_cluster(v: View) -> dict[str, Any]:
    return {
        "encrypted": v.bool("Encrypted", False),
        "kms_key_id": v.ref("KmsKeyId", *KMS),
        "publicly_accessible": v.bool("PubliclyAccessible", True),
        "subnet_group": v.ref("ClusterSubnetGroupName", "AWS::Redshift::ClusterSubnetGroup"),
        "security_groups": v.refs("VpcSecurityGroupIds", *SG),
        "port": v.int("Port"),
    }


def sqs_queue(v: View) -> dict[str, Any]:
    return {"kms_master_key_id": v.ref("KmsMasterKeyId", *KMS),
            "sqs_managed_sse_enabled": v.bool("SqsManagedSseEnabled")}


def sns_topic(v: View) -> dict[str, Any]:
    return {"kms_master_key_id": v.ref("KmsMasterKeyId", *KMS)}


def kms_key(v: View) -> dict[str, Any]:
    return {
        "enable_key_rotation": v.bool("EnableKeyRotation", False),
        "key_spec": v.str("KeySpec", "SYMMETRIC_DEFAULT"),
        "key_usage": v.str("KeyUsage", "ENCRYPT_DECRYPT"),
        "enabled": v.bool("Enabled", True),
        "multi_region": v.bool("MultiRegion", False),
    }


def cloudtrail(v: View) -> dict[str, Any]:
    return {
        "is_multi_region_trail": v.bool("IsMultiRegionTrail", False),
        "kms_key_id": v.ref("KMSKeyId", *KMS),
        "log_file_validation": v.bool("EnableLogFileValidation", False),
        "s3_bucket": v.ref("S3BucketName", *BUCKET),
        "is_logging": v.bool("IsLogging", True),
    }


def backup_plan(v: View) -> dict[str, Any]:
    rules = mappings(v.get("BackupPlan.BackupPlanRule"))
    if isinstance(rules, Unknown):
        return {"rules": rules}
    found = []
    for rule in rules:
        actions = mappings(rule.get("CopyActions"))
        copies: Any = actions if isinstance(actions, Unknown) else tuple(
            _copy_action(v, action) for action in actions)
        found.append(BackupRule(rule_name=opt(as_str(rule.get("RuleName"))),
                                target_vault=ref_of(rule.get("TargetBackupVault"), VAULT, v.index),
                                copy_actions=copies))
    return {"rules": tuple(found)}


def _copy_action(v: View, action: dict[str, Any]) -> BackupCopyAction:
    vault = ref_of(action.get("DestinationBackupVaultArn"), VAULT, v.index)
    region: Any = region_of_arn(vault)
    if region is None and isinstance(vault, str):
        region = v.regions.get(vault)  # a vault in the template: its stack's region
    if region is None:
        region = vault if isinstance(vault, Unknown) else Unknown("the destination vault's region is not stated")
    return BackupCopyAction(destination_vault=vault, destination_region=region)


MAIN = {
    "AWS::RDS::DBInstance": (DbInstance, db_instance),
    "AWS::RDS::DBCluster": (DbCluster, db_cluster),
    "AWS::RDS::DBSubnetGroup": (DbSubnetGroup, db_subnet_group),
    "AWS::ElastiCache::ReplicationGroup": (ElastiCacheReplicationGroup, elasticache_replication_group),
    "AWS::ElastiCache::SubnetGroup": (ElastiCacheSubnetGroup, elasticache_subnet_group),
    "AWS::S3::Bucket": (Bucket, bucket),
    "AWS::DynamoDB::Table": (DynamoDbTable, dynamodb_table),
    "AWS::DynamoDB::GlobalTable": (DynamoDbTable, global_table),
    "AWS::EFS::FileSystem": (EfsFileSystem, efs_file_system),
    "AWS::EFS::MountTarget": (EfsMountTarget, efs_mount_target),
    "AWS::Redshift::Cluster": (RedshiftCluster, redshift_cluster),
    "AWS::SQS::Queue": (SqsQueue, sqs_queue),
    "AWS::SNS::Topic": (SnsTopic, sns_topic),
    "AWS::KMS::Key": (KmsKey, kms_key),
    "AWS::CloudTrail::Trail": (CloudTrail, cloudtrail),
    "AWS::Backup::BackupPlan": (BackupPlan, backup_plan),
}

ATTACH = {
    "AWS::S3::BucketPolicy": attach_bucket_policy,
}
