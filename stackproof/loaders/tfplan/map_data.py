"""Terraform data-store, key, logging and backup types -> model fields."""
from __future__ import annotations

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
from .coerce import as_bool, as_int, first, nonzero, opt
from .map_network import SG, SUBNET
from .view import Attachment, View

BUCKET = ("aws_s3_bucket",)
DB = ("aws_db_instance",)
CLUSTER = ("aws_rds_cluster",)


def _computed_unset(v: View, name: str) -> Any:
    """A computed attribute that the configuration does not set holds no value of its own."""
    value = v.get(name)
    if isinstance(value, Unknown) and v.configured(name) is False:
        return None
    return value


def db_instance(v: View) -> dict[str, Any]:
    return {
        "identifier": v.get("identifier"),
        "engine": v.get("engine"),
        "instance_class": v.get("instance_class"),
        "allocated_storage": as_int(v.get("allocated_storage")),
        "max_allocated_storage": as_int(v.get("max_allocated_storage")),
        "storage_type": v.get("storage_type"),
        "iops": nonzero(as_int(v.get("iops"))),
        "storage_encrypted": _storage_encrypted(v),
        "kms_key_id": opt(_computed_unset(v, "kms_key_id")),
        "multi_az": as_bool(v.setting("multi_az", False)),
        "publicly_accessible": as_bool(v.setting("publicly_accessible", False)),
        "availability_zone": opt(_computed_unset(v, "availability_zone")),  # unset: RDS picks one
        "db_subnet_group": v.computed_ref("db_subnet_group_name", "aws_db_subnet_group"),
        "security_groups": v.refs("vpc_security_group_ids", *SG),
        "port": as_int(v.get("port")),
        "backup_retention_period": as_int(_computed_unset(v, "backup_retention_period")),
        "deletion_protection": as_bool(v.setting("deletion_protection", False)),
        "replicate_source_db": v.ref("replicate_source_db", *DB),
    }


def _storage_encrypted(v: View) -> Any:
    if v.configured("storage_encrypted") is False and v.configured("replicate_source_db"):
        return Unknown("a read replica that does not set storage_encrypted inherits its source's encryption")
    return as_bool(v.setting("storage_encrypted", False))


def cluster_instance(v: View) -> dict[str, Any]:
    return {
        "identifier": v.get("identifier"),
        "engine": v.get("engine"),
        "instance_class": v.get("instance_class"),
        "storage_encrypted": Unknown("an Aurora instance's storage is its cluster's"),
        "publicly_accessible": as_bool(v.setting("publicly_accessible", False)),
        # unset: RDS places it, spreading a cluster's instances over AZs
        "availability_zone": opt(_computed_unset(v, "availability_zone")),
        "db_subnet_group": v.computed_ref("db_subnet_group_name", "aws_db_subnet_group"),
        "cluster": v.ref("cluster_identifier", *CLUSTER),
    }


def db_cluster(v: View) -> dict[str, Any]:
    zones = opt(_computed_unset(v, "availability_zones"), ())
    return {
        "identifier": v.get("cluster_identifier"),
        "engine": v.get("engine"),
        "engine_mode": v.get("engine_mode"),
        "storage_encrypted": as_bool(v.setting("storage_encrypted", False)),
        "kms_key_id": opt(_computed_unset(v, "kms_key_id")),
        "availability_zones": zones if isinstance(zones, Unknown) else tuple(zones),
        "db_subnet_group": v.computed_ref("db_subnet_group_name", "aws_db_subnet_group"),
        "security_groups": v.refs("vpc_security_group_ids", *SG),
        "port": as_int(v.get("port")),
        "allocated_storage": as_int(v.get("allocated_storage")),
        "backup_retention_period": as_int(_computed_unset(v, "backup_retention_period")),
        "deletion_protection": as_bool(v.setting("deletion_protection", False)),
        "global_cluster": v.ref("global_cluster_identifier", "aws_rds_global_cluster"),
        "replication_source": v.ref("replication_source_identifier", *CLUSTER),
    }


def db_subnet_group(v: View) -> dict[str, Any]:
    return {"subnets": v.refs("subnet_ids", *SUBNET)}


def db_backup_replication(v: View) -> dict[str, Any]:
    return {
        "source_db": v.ref("source_db_instance_arn", *DB),
        "retention_period": as_int(v.get("retention_period")),
        "kms_key_id": opt(v.get("kms_key_id")),
    }


def elasticache_replication_group(v: View) -> dict[str, Any]:
    mode = v.block("cluster_mode")
    shards = first(v.get("num_node_groups"), mode.get("num_node_groups") if isinstance(mode, dict) else None)
    replicas = _computed_unset(v, "replicas_per_node_group")
    if replicas is None and isinstance(mode, dict):
        replicas = mode.get("replicas_per_node_group")
    nodes = _computed_unset(v, "num_cache_clusters")
    if nodes is None:
        nodes = _computed_unset(v, "number_cache_clusters")
    zones = opt(first(v.get("preferred_cache_cluster_azs"), v.get("availability_zones")), ())
    return {
        "engine": opt(v.get("engine"), "redis"),
        "node_type": v.get("node_type"),
        "at_rest_encryption": as_bool(v.setting("at_rest_encryption_enabled", False)),
        "transit_encryption": as_bool(v.setting("transit_encryption_enabled", False)),
        "kms_key_id": opt(v.get("kms_key_id")),
        "automatic_failover": as_bool(v.setting("automatic_failover_enabled", False)),
        "multi_az": as_bool(v.setting("multi_az_enabled", False)),
        "num_cache_clusters": as_int(nodes),
        "num_node_groups": as_int(_computed_unset(v, "num_node_groups") if shards is None else shards),
        "replicas_per_node_group": as_int(replicas),
        "availability_zones": zones if isinstance(zones, Unknown) else tuple(zones),
        "subnet_group": v.computed_ref("subnet_group_name", "aws_elasticache_subnet_group"),
        "security_groups": v.refs("security_group_ids", *SG),
        "port": as_int(v.get("port")),
    }


def elasticache_subnet_group(v: View) -> dict[str, Any]:
    return {"subnets": v.refs("subnet_ids", *SUBNET)}


# -- S3: the bucket and the split resources of AWS provider v4+ ---------------------


def bucket(v: View) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "bucket_name": v.get("bucket"),
        "acl": opt(_computed_unset(v, "acl")),
        "policy": opt(_computed_unset(v, "policy")),
    }
    # Provider v3 configured these inline; in v4+ they are computed and set by separate
    # resources, which the loader merges in afterwards.
    versioning = _inline(v, "versioning")
    if versioning is not None:
        fields["versioning"] = versioning if isinstance(versioning, Unknown) else as_bool(versioning.get("enabled", False))
    encryption = _inline(v, "server_side_encryption_configuration")
    if encryption is not None:
        fields.update(_encryption(encryption))
    replication = _inline(v, "replication_configuration")
    if replication is not None:
        rules = replication if isinstance(replication, Unknown) else replication.get("rules")
        fields["replication_rules"] = _replication_rules(v, rules, ("replication_configuration", "rules"))
    return fields


def _inline(v: View, name: str) -> Any:
    value = v.values.get(name)
    if isinstance(value, Unknown):
        return None if v.configured(name) is False else value
    if isinstance(value, list):
        return value[0] if value else None
    return None


def _encryption(config: Any) -> dict[str, Any]:
    if isinstance(config, Unknown):
        return {"sse_algorithm": config, "kms_key_id": config}
    rules = opt(config.get("rule"), [])
    rule = rules[0] if isinstance(rules, list) and rules else rules
    if isinstance(rule, Unknown):
        return {"sse_algorithm": rule, "kms_key_id": rule}
    default = (rule or {}).get("apply_server_side_encryption_by_default") if isinstance(rule, dict) else None
    default = default[0] if isinstance(default, list) and default else default
    if isinstance(default, Unknown):
        return {"sse_algorithm": default, "kms_key_id": default}
    if not isinstance(default, dict):
        return {"sse_algorithm": None, "kms_key_id": None}
    return {"sse_algorithm": opt(default.get("sse_algorithm")),
            "kms_key_id": opt(default.get("kms_master_key_id"))}


def _replication_rules(v: View, rules: Any, path: tuple[str, ...]) -> Any:
    """Replication rules from a list of rule blocks; ``path`` locates them in the configuration."""
    if isinstance(rules, Unknown):
        return rules
    found = []
    for rule in rules or []:
        destination = rule.get("destination")
        destination = destination[0] if isinstance(destination, list) and destination else destination
        target: Any = None
        if isinstance(destination, dict):
            target = v.ref_in(destination, (*path, "destination"), "bucket", *BUCKET)
        status = rule.get("status")
        found.append(ReplicationRule(
            rule_id=opt(rule.get("id")),
            enabled=status if isinstance(status, Unknown) else str(status or "").lower() == "enabled",
            destination_bucket=target,
        ))
    return tuple(found)


def attach_bucket_encryption(v: View) -> list[Attachment]:
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set=_encryption(v.values))]


def attach_bucket_versioning(v: View) -> list[Attachment]:
    config = v.block("versioning_configuration")
    if isinstance(config, Unknown):
        enabled: Any = config
    else:
        status = (config or {}).get("status")
        enabled = status if isinstance(status, Unknown) else status == "Enabled"
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set={"versioning": enabled})]


def attach_bucket_public_access_block(v: View) -> list[Attachment]:
    block = PublicAccessBlock(**{
        name: as_bool(v.get(name, False))
        for name in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    })
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set={"public_access_block": block})]


def attach_bucket_policy(v: View) -> list[Attachment]:
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set={"policy": v.get("policy")})]


def attach_bucket_acl(v: View) -> list[Attachment]:
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set={"acl": v.get("acl")})]


def attach_bucket_replication(v: View) -> list[Attachment]:
    rules = _replication_rules(v, v.values.get("rule"), ("rule",))
    return [Attachment(BUCKET, v.ref("bucket", *BUCKET), set={"replication_rules": rules})]


def dynamodb_table(v: View) -> dict[str, Any]:
    # Both blocks are computed when not configured: no block, DynamoDB's defaults.
    sse = _computed_unset(v, "server_side_encryption")
    sse = v.block("server_side_encryption") if sse is not None else None
    replicas = v.blocks("replica")
    recovery = v.block("point_in_time_recovery") if _computed_unset(v, "point_in_time_recovery") is not None else None
    return {
        "table_name": v.get("name"),
        "sse_enabled": sse if isinstance(sse, Unknown) else as_bool((sse or {}).get("enabled")),
        # a key of this plan (aws_kms_key) is customer managed; an unknown one may be either
        "kms_key_arn": sse if isinstance(sse, Unknown) else
        opt(v.ref_in(sse, "server_side_encryption", "kms_key_arn", "aws_kms_key")) if isinstance(sse, dict) else None,
        "replica_regions": replicas if isinstance(replicas, Unknown)
        else tuple(r.get("region_name") for r in replicas if isinstance(r, dict)),
        "point_in_time_recovery": as_bool((recovery or {}).get("enabled", False))
        if not isinstance(recovery, Unknown) else recovery,
    }


def attach_dynamodb_replica(v: View) -> list[Attachment]:
    return [Attachment(("aws_dynamodb_table",), v.ref("global_table_arn", "aws_dynamodb_table"),
                       append={"replica_regions": (v.region,)})]


def efs_file_system(v: View) -> dict[str, Any]:
    return {
        "encrypted": as_bool(v.setting("encrypted", False)),
        "kms_key_id": opt(v.get("kms_key_id")),
        "availability_zone_name": opt(v.get("availability_zone_name")),
    }


def attach_efs_replication(v: View) -> list[Attachment]:
    destination = v.block("destination")
    region = destination if isinstance(destination, Unknown) else (destination or {}).get("region")
    return [Attachment(("aws_efs_file_system",), v.ref("source_file_system_id", "aws_efs_file_system"),
                       append={"replication_destinations": (region,)})]


def efs_mount_target(v: View) -> dict[str, Any]:
    return {
        "file_system": v.ref("file_system_id", "aws_efs_file_system"),
        "subnet": v.ref("subnet_id", *SUBNET),
        "security_groups": v.refs("security_groups", *SG),
    }


def redshift_cluster(v: View) -> dict[str, Any]:
    return {
        "encrypted": as_bool(v.setting("encrypted", False)),
        "kms_key_id": opt(v.get("kms_key_id")),
        "publicly_accessible": as_bool(v.setting("publicly_accessible", True)),
        "subnet_group": v.ref("cluster_subnet_group_name", "aws_redshift_subnet_group"),
        "security_groups": v.refs("vpc_security_group_ids", *SG),
        "port": as_int(v.get("port")),
    }


def sqs_queue(v: View) -> dict[str, Any]:
    return {
        "kms_master_key_id": opt(v.get("kms_master_key_id")),
        "sqs_managed_sse_enabled": as_bool(_computed_unset(v, "sqs_managed_sse_enabled")),
    }


def sns_topic(v: View) -> dict[str, Any]:
    return {"kms_master_key_id": opt(v.get("kms_master_key_id"))}


def kms_key(v: View) -> dict[str, Any]:
    return {
        "enable_key_rotation": as_bool(v.setting("enable_key_rotation", False)),
        "key_spec": first(v.get("customer_master_key_spec"), v.get("key_spec"), "SYMMETRIC_DEFAULT"),
        "key_usage": opt(v.get("key_usage"), "ENCRYPT_DECRYPT"),
        "enabled": as_bool(v.setting("is_enabled", True)),
        "multi_region": as_bool(v.setting("multi_region", False)),
    }


def cloudtrail(v: View) -> dict[str, Any]:
    return {
        "is_multi_region_trail": as_bool(v.setting("is_multi_region_trail", False)),
        "kms_key_id": opt(v.get("kms_key_id")),
        "log_file_validation": as_bool(v.setting("enable_log_file_validation", False)),
        "s3_bucket": v.ref("s3_bucket_name", *BUCKET),
        "is_logging": as_bool(v.setting("enable_logging", True)),
    }


def backup_plan(v: View) -> dict[str, Any]:
    rules = v.blocks("rule")
    if isinstance(rules, Unknown):
        return {"rules": rules}
    found = []
    for rule in rules:
        actions = opt(rule.get("copy_action"), [])
        copies: Any = actions if isinstance(actions, Unknown) else tuple(
            _copy_action(v, action) for action in actions if isinstance(action, dict))
        found.append(BackupRule(rule_name=rule.get("rule_name"), target_vault=rule.get("target_vault_name"),
                                copy_actions=copies))
    return {"rules": tuple(found)}


def _copy_action(v: View, action: dict[str, Any]) -> BackupCopyAction:
    vault = v.ref_in(action, ("rule", "copy_action"), "destination_vault_arn", "aws_backup_vault")
    region: Any = region_of_arn(vault)
    if region is None and isinstance(vault, str):
        region = v.regions.get(vault)  # a vault in the plan: its provider's region
    if region is None:
        region = vault if isinstance(vault, Unknown) else Unknown("the destination vault's region is not stated")
    return BackupCopyAction(destination_vault=vault, destination_region=region)


MAIN = {
    "aws_db_instance": (DbInstance, db_instance),
    "aws_rds_cluster_instance": (DbInstance, cluster_instance),
    "aws_rds_cluster": (DbCluster, db_cluster),
    "aws_db_subnet_group": (DbSubnetGroup, db_subnet_group),
    "aws_db_instance_automated_backups_replication": (DbBackupReplication, db_backup_replication),
    "aws_elasticache_replication_group": (ElastiCacheReplicationGroup, elasticache_replication_group),
    "aws_elasticache_subnet_group": (ElastiCacheSubnetGroup, elasticache_subnet_group),
    "aws_s3_bucket": (Bucket, bucket),
    "aws_dynamodb_table": (DynamoDbTable, dynamodb_table),
    "aws_efs_file_system": (EfsFileSystem, efs_file_system),
    "aws_efs_mount_target": (EfsMountTarget, efs_mount_target),
    "aws_redshift_cluster": (RedshiftCluster, redshift_cluster),
    "aws_sqs_queue": (SqsQueue, sqs_queue),
    "aws_sns_topic": (SnsTopic, sns_topic),
    "aws_kms_key": (KmsKey, kms_key),
    "aws_cloudtrail": (CloudTrail, cloudtrail),
    "aws_backup_plan": (BackupPlan, backup_plan),
}

ATTACH = {
    "aws_s3_bucket_server_side_encryption_configuration": attach_bucket_encryption,
    "aws_s3_bucket_versioning": attach_bucket_versioning,
    "aws_s3_bucket_public_access_block": attach_bucket_public_access_block,
    "aws_s3_bucket_policy": attach_bucket_policy,
    "aws_s3_bucket_acl": attach_bucket_acl,
    "aws_s3_bucket_replication_configuration": attach_bucket_replication,
    "aws_dynamodb_table_replica": attach_dynamodb_replica,
    "aws_efs_replication_configuration": attach_efs_replication,
}
