"""Factories: a compliant resource by default; a test overrides the one thing it tests.

    db = make(DbInstance, storage_encrypted=False)
    ctx = context(db, params={...})

Every factory fills the fields the built-in rules read with compliant values, so a
case that overrides one field tests exactly that field.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from stackproof.model import (
    AutoScalingGroup,
    BlockDevice,
    Bucket,
    CloudTrail,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    DynamoDbTable,
    EbsVolume,
    EfsFileSystem,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    Instance,
    InternetGateway,
    Inventory,
    KmsKey,
    LaunchConfiguration,
    LaunchTemplate,
    Listener,
    ListenerAction,
    LoadBalancer,
    NatGateway,
    Provenance,
    PublicAccessBlock,
    ReplicationRule,
    Resource,
    Route,
    RouteTable,
    SnsTopic,
    SqsQueue,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from stackproof.rules import Context

KMS_ARN = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FULL_BLOCK = PublicAccessBlock(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)

DEFAULTS: dict[type, dict[str, Any]] = {
    DbInstance: dict(engine="postgres", instance_class="db.m6g.large", allocated_storage=100,
                     max_allocated_storage=200, storage_encrypted=True, kms_key_id=KMS_ARN, multi_az=True,
                     publicly_accessible=False, backup_retention_period=14, deletion_protection=True),
    DbCluster: dict(engine="aurora-postgresql", storage_encrypted=True, kms_key_id=KMS_ARN,
                    backup_retention_period=14, deletion_protection=True),
    Bucket: dict(bucket_name="data", versioning=True, sse_algorithm="aws:kms", kms_key_id=KMS_ARN,
                 public_access_block=FULL_BLOCK),
    EbsVolume: dict(availability_zone="eu-west-2a", size=100, volume_type="gp3", encrypted=True, kms_key_id=KMS_ARN),
    Instance: dict(instance_type="t3.medium", associate_public_ip_address=False,
                   block_devices=(BlockDevice(device_name="/dev/xvda", encrypted=True, volume_size=30),),
                   metadata_http_tokens="required"),
    LaunchTemplate: dict(instance_type="t3.medium", associate_public_ip_address=False,
                         block_devices=(BlockDevice(device_name="/dev/xvda", encrypted=True, volume_size=30),),
                         metadata_http_tokens="required"),
    LaunchConfiguration: dict(instance_type="t3.medium", associate_public_ip_address=False,
                              block_devices=(BlockDevice(device_name="/dev/xvda", encrypted=True),)),
    ElastiCacheReplicationGroup: dict(engine="redis", node_type="cache.m6g.large", at_rest_encryption=True,
                                      transit_encryption=True, automatic_failover=True, multi_az=True,
                                      num_cache_clusters=3),
    EfsFileSystem: dict(encrypted=True, kms_key_id=KMS_ARN),
    SqsQueue: dict(kms_master_key_id=KMS_ARN),
    SnsTopic: dict(kms_master_key_id=KMS_ARN),
    DynamoDbTable: dict(table_name="orders", sse_enabled=True, kms_key_arn=KMS_ARN, replica_regions=("eu-west-1",)),
    KmsKey: dict(enable_key_rotation=True),
    Listener: dict(port=443, protocol="HTTPS", ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                   certificate="arn:aws:acm:eu-west-2:111122223333:certificate/abc",
                   default_actions=(ListenerAction(action_type="forward", target_groups=("tg",)),)),
    CloudTrail: dict(is_multi_region_trail=True, kms_key_id=KMS_ARN, log_file_validation=True),
    Subnet: dict(vpc="vpc", cidr_block="10.0.1.0/24", availability_zone="eu-west-2a", map_public_ip_on_launch=False),
    Vpc: dict(cidr_blocks=("10.0.0.0/16",)),
    RouteTable: dict(vpc="vpc", routes=()),
    InternetGateway: dict(vpc="vpc"),
    NatGateway: dict(subnet="public-a"),
    VpcEndpoint: dict(vpc="vpc", service_name="com.amazonaws.eu-west-2.s3", endpoint_type="Gateway",
                      route_tables=("rtb",)),
    DbSubnetGroup: dict(subnets=()),
    ElastiCacheSubnetGroup: dict(subnets=()),
    AutoScalingGroup: dict(min_size=2, max_size=6, desired_capacity=3),
    LoadBalancer: dict(lb_type="application", scheme="internet-facing"),
}


def make(cls: type[Resource], key: str | None = None, source: str = "tfplan", **fields: Any) -> Any:
    """A compliant `cls` with `fields` overridden; `key` defaults to the class name."""
    key = key or cls.__name__.lower()
    values = {**DEFAULTS.get(cls, {}), **fields}
    values.setdefault("name", key)
    values.setdefault("region", "eu-west-2")
    return cls(key=key, prov=Provenance(source=source, address=key, region="eu-west-2"), **values)


def changed(resource: Resource, **fields: Any) -> Any:
    return replace(resource, **fields)


def context(*resources: Resource, params: dict[str, Any] | None = None, environment: str | None = None) -> Context:
    """A rule context over an inventory holding `resources`."""
    return Context(Inventory(list(resources)), params or {}, environment)


def route(destination: str, target_type: str, target: str | None = None) -> Route:
    return Route(destination=destination, target_type=target_type, target=target)


def replication(destination: str, enabled: bool = True, region: Any = None) -> ReplicationRule:
    return ReplicationRule(rule_id="dr", enabled=enabled, destination_bucket=destination, destination_region=region)
