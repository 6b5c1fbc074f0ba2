"""Encryption at rest and in transit."""
from __future__ import annotations

from stackproof.model import (
    BlockDevice,
    Bucket,
    CloudTrail,
    DbCluster,
    DbInstance,
    DynamoDbTable,
    EbsVolume,
    EfsFileSystem,
    ElastiCacheReplicationGroup,
    Instance,
    KmsKey,
    LaunchConfiguration,
    LaunchTemplate,
    Listener,
    Resource,
    SnsTopic,
    SqsQueue,
)
from stackproof.rules import (
    Context,
    Verdict,
    failed,
    is_unknown,
    not_applicable,
    passed,
    unknown,
    unknown_field,
)


def _key(ctx: Context, kms_key_id: object, default: str = "the AWS managed key") -> str:
    if is_unknown(kms_key_id):
        return f"a KMS key whose id is unknown ({kms_key_id.reason})"
    return f"KMS key {ctx.inventory.address(kms_key_id)}" if kms_key_id else default


def rds_instance_storage_encrypted(db: DbInstance, ctx: Context) -> Verdict:
    """Database storage is encrypted at rest."""
    if isinstance(db.cluster, str):
        return not_applicable(f"an Aurora member of {ctx.inventory.address(db.cluster)}; its storage is the cluster's")
    if is_unknown(db.storage_encrypted):
        return unknown_field("storage_encrypted", db.storage_encrypted)
    if not db.storage_encrypted:
        return failed("storage is not encrypted (storage_encrypted is false)")
    return passed(f"storage encrypted with {_key(ctx, db.kms_key_id)}")


def rds_cluster_storage_encrypted(cluster: DbCluster, ctx: Context) -> Verdict:
    """Cluster storage is encrypted at rest."""
    if cluster.engine_mode == "serverless":
        return passed("Aurora Serverless v1 storage is always encrypted")
    if is_unknown(cluster.storage_encrypted):
        return unknown_field("storage_encrypted", cluster.storage_encrypted)
    if not cluster.storage_encrypted:
        return failed("cluster storage is not encrypted (storage_encrypted is false)")
    return passed(f"cluster storage encrypted with {_key(ctx, cluster.kms_key_id)}")


def s3_bucket_encrypted(bucket: Bucket, ctx: Context) -> Verdict:
    """Default encryption of the bucket, with a KMS key where the policy requires one."""
    algorithm = bucket.sse_algorithm
    if is_unknown(algorithm):
        return unknown_field("default encryption", algorithm)
    require_kms = bool(ctx.params.get("require_kms", True))
    if algorithm in ("aws:kms", "aws:kms:dsse"):
        return passed(f"default encryption {algorithm} with {_key(ctx, bucket.kms_key_id)}")
    if algorithm == "AES256":
        described = "SSE-S3 (AES256)"
    elif algorithm:
        return failed(f"default encryption names {algorithm!r}, an algorithm S3 does not have")
    else:
        described = "no default encryption configured; S3 applies SSE-S3 (AES256) to new objects"
    if require_kms:
        return failed(f"{described}, not a KMS key")
    return passed(described)


def _device_label(device: BlockDevice) -> str:
    return device.device_name if isinstance(device.device_name, str) and device.device_name else "a volume"


# A volume that does not ask for encryption fails: whether the account encrypts new volumes
# by default (or the AMI's snapshot is encrypted) cannot be seen in a plan or a template.
NOT_REQUESTED = ("encryption is not requested; only an encrypted AMI or snapshot, or the account's EBS "
                 "encryption by default, would encrypt it, and this input shows neither")


def _device_problem(device: BlockDevice) -> str | None:
    name = _device_label(device)
    if device.ephemeral:
        return None
    if is_unknown(device.encrypted):
        return None
    if device.encrypted is False:
        return f"{name}: encrypted = false"
    if device.encrypted is None:
        return f"{name}: {NOT_REQUESTED}"
    return None


def ebs_volume_encrypted(resource: Resource, ctx: Context) -> Verdict:
    """EBS volumes, and the block devices of instances and launch templates, are encrypted."""
    if isinstance(resource, EbsVolume):
        if is_unknown(resource.encrypted):
            return unknown_field("encrypted", resource.encrypted)
        if resource.encrypted is True:
            return passed(f"encrypted with {_key(ctx, resource.kms_key_id, 'the default EBS key')}")
        if resource.encrypted is False:
            return failed("volume is not encrypted (encrypted = false)")
        return failed(f"volume {NOT_REQUESTED}")
    assert isinstance(resource, (Instance, LaunchTemplate, LaunchConfiguration))
    devices = resource.block_devices
    if is_unknown(devices):
        return unknown_field("block devices", devices)
    ebs = [d for d in devices if not d.ephemeral]
    if not ebs:
        if isinstance(resource, Instance) and resource.launch_template:
            return not_applicable("volumes come from the launch template, checked there")
        return failed(f"no EBS block device is declared, so the volumes come from the AMI and volume "
                      f"{NOT_REQUESTED}")
    problems = [p for p in (_device_problem(d) for d in ebs) if p]
    if problems:
        return failed("; ".join(problems))
    undecided = [d for d in ebs if is_unknown(d.encrypted)]
    if undecided:
        return unknown(f"{_device_label(undecided[0])}: encrypted is unknown ({undecided[0].encrypted.reason})")
    return passed(f"all {len(ebs)} EBS block device(s) are encrypted")


def elasticache_replication_group_encrypted(group: ElastiCacheReplicationGroup, ctx: Context) -> Verdict:
    """Encryption at rest and in transit."""
    for name, value in (("at_rest_encryption", group.at_rest_encryption), ("transit_encryption", group.transit_encryption)):
        if is_unknown(value):
            return unknown_field(name, value)
    missing = [label for label, value in (("at rest", group.at_rest_encryption), ("in transit", group.transit_encryption))
               if not value]
    if missing:
        return failed(f"not encrypted {' or '.join(missing)}")
    return passed(f"encrypted at rest (with {_key(ctx, group.kms_key_id)}) and in transit")


def efs_file_system_encrypted(fs: EfsFileSystem, ctx: Context) -> Verdict:
    """EFS file systems are encrypted at rest."""
    if is_unknown(fs.encrypted):
        return unknown_field("encrypted", fs.encrypted)
    if not fs.encrypted:
        return failed("file system is not encrypted (encrypted = false)")
    return passed(f"encrypted with {_key(ctx, fs.kms_key_id)}")


def sqs_queue_encrypted(queue: SqsQueue, ctx: Context) -> Verdict:
    """SQS queues encrypt messages at rest (SSE-KMS, or SSE-SQS unless KMS is required)."""
    if queue.kms_master_key_id is not None:
        return passed(f"SSE-KMS with {_key(ctx, queue.kms_master_key_id)}")
    managed = queue.sqs_managed_sse_enabled
    if is_unknown(managed):
        return unknown_field("sqs_managed_sse_enabled", managed)
    if ctx.params.get("require_kms", False):
        return failed("no KMS key (kms_master_key_id is not set)")
    if managed is False:
        return failed("server-side encryption is turned off (sqs_managed_sse_enabled = false)")
    if managed is True:
        return passed("SSE-SQS (SQS-owned keys)")
    return passed("SSE-SQS, which SQS turns on by default for new queues")


def sns_topic_encrypted(topic: SnsTopic, ctx: Context) -> Verdict:
    """SNS topics encrypt messages at rest with a KMS key."""
    if topic.kms_master_key_id is None:
        return failed("no KMS key (kms_master_key_id is not set); SNS does not encrypt topics by default")
    return passed(f"SSE with {_key(ctx, topic.kms_master_key_id)}")


def dynamodb_table_encrypted(table: DynamoDbTable, ctx: Context) -> Verdict:
    """DynamoDB encrypts every table; the parameter decides whether a customer managed key is required."""
    enabled, arn = table.sse_enabled, table.kms_key_arn
    required = bool(ctx.params.get("require_customer_managed_key", False))
    if is_unknown(enabled):
        return unknown_field("server_side_encryption", enabled)
    if enabled and isinstance(arn, str):
        return passed(f"encrypted with customer managed {_key(ctx, arn)}")
    if enabled and is_unknown(arn):
        if required:
            return unknown(f"whether the table's KMS key is customer managed is unknown: {arn.reason}")
        return passed(f"encrypted with {_key(ctx, arn)}; a customer managed key is not required")
    described = "the AWS managed key aws/dynamodb" if enabled else "an AWS owned key"
    if required:
        return failed(f"encrypted with {described}, not a customer managed key")
    return passed(f"encrypted with {described}")


def kms_key_rotation_enabled(key: KmsKey, ctx: Context) -> Verdict:
    """Customer managed symmetric keys rotate automatically."""
    if is_unknown(key.key_spec) or is_unknown(key.key_usage):
        return unknown("the key spec is not known")
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.key_usage != "ENCRYPT_DECRYPT":
        return not_applicable(f"{key.key_spec} keys for {key.key_usage} cannot rotate automatically")
    if is_unknown(key.enable_key_rotation):
        return unknown_field("enable_key_rotation", key.enable_key_rotation)
    if not key.enable_key_rotation:
        return failed("automatic key rotation is off")
    return passed("automatic key rotation is on")


def lb_listener_tls(listener: Listener, ctx: Context) -> Verdict:
    """Listeners use TLS with an allowed policy; plain HTTP only redirects to HTTPS."""
    protocol = listener.protocol
    if is_unknown(protocol):
        return unknown_field("protocol", protocol)
    protocol = (protocol or "").upper()
    if protocol in ("HTTPS", "TLS", "SSL"):
        policy = listener.ssl_policy
        if is_unknown(policy):
            return unknown_field("ssl_policy", policy)
        if policy is None:
            return unknown(f"{protocol} listener on port {listener.port} names no SSL policy, so the default of the "
                           "load balancer applies, which this input does not show")
        allowed = list(ctx.params.get("allowed_ssl_policies") or [])
        if policy not in allowed:
            return failed(f"{protocol} listener on port {listener.port} uses SSL policy {policy}, which is not allowed",
                          allowed=allowed)
        return passed(f"{protocol} on port {listener.port} with SSL policy {policy}")
    if protocol == "HTTP":
        actions = listener.default_actions
        if is_unknown(actions):
            return unknown_field("default actions", actions)
        redirects = [a for a in actions if a.action_type == "redirect"]
        if actions and len(redirects) == len(actions) and all(
                isinstance(a.redirect_protocol, str) and a.redirect_protocol.upper() == "HTTPS" for a in redirects):
            return passed(f"HTTP on port {listener.port} only redirects to HTTPS")
        if any(is_unknown(a.redirect_protocol) for a in redirects):
            return unknown("the redirect protocol is not known")
        return failed(f"plain HTTP on port {listener.port} serves traffic instead of redirecting to HTTPS")
    if protocol == "GENEVE":
        return not_applicable("a Gateway Load Balancer listener (GENEVE) carries no application traffic of its own")
    passthrough = [int(p) for p in ctx.params.get("passthrough_ports") or []]
    if listener.port in passthrough:
        return passed(f"{protocol} on port {listener.port} is an allowed passthrough port")
    return failed(f"{protocol or 'an unknown protocol'} listener on port {listener.port} does not terminate TLS")


def cloudtrail_trail_encrypted(trail: CloudTrail, ctx: Context) -> Verdict:
    """Trail logs are encrypted with a KMS key (SSE-KMS)."""
    if trail.kms_key_id is None:
        return failed("log files are encrypted only with SSE-S3; no KMS key (kms_key_id) is set")
    return passed(f"log files encrypted with {_key(ctx, trail.kms_key_id)}")
