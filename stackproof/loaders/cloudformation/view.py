"""What a per-type mapping function sees of one resource: its resolved properties."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Unknown
from .values import Ambiguous, Pending, as_bool, as_int, as_str, items, opt

# Properties that name a resource, by type: how another resource may refer to it by a
# literal name or ARN instead of a Ref, and the resource's own name when it has no Name tag.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::ElastiCache::SubnetGroup": "CacheSubnetGroupName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::AutoScaling::LaunchConfiguration": "LaunchConfigurationName",
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancing::LoadBalancer": "LoadBalancerName",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::Redshift::Cluster": "ClusterIdentifier",
    "AWS::Backup::BackupVault": "BackupVaultName",
}


@dataclass
class RawResource:
    """One resource of one scenario, with its properties resolved."""

    key: str
    logical_id: str
    type: str
    properties: dict[str, Any]
    file: str
    line: int | None
    region: Any  # str or Unknown
    action: str | None = None
    before: "RawResource | None" = None
    extra: dict[str, Any] = field(default_factory=dict)


class NameIndex:
    """(type, literal name or ARN) -> key, for references written as names, not Refs."""

    def __init__(self, raws: list[RawResource]) -> None:
        self._index: dict[tuple[str, str], str] = {}
        for raw in raws:
            self.add(raw.type, raw.properties.get(NAME_PROPERTIES.get(raw.type, "")), raw.key)
            physical = raw.extra.get("physical_id")
            self.add(raw.type, physical, raw.key)
            if raw.type == "AWS::S3::Bucket":
                name = raw.properties.get("BucketName")
                if isinstance(name, str):
                    self.add(raw.type, f"arn:aws:s3:::{name}", raw.key)

    def add(self, rtype: str, value: Any, key: str) -> None:
        if isinstance(value, str) and value:
            self._index.setdefault((rtype, value), key)

    def find(self, types: tuple[str, ...], value: str) -> str | None:
        for rtype in types:
            found = self._index.get((rtype, value))
            if found is not None:
                return found
        return None


@dataclass
class View:
    raw: RawResource
    index: NameIndex
    regions: dict[str, Any] = field(default_factory=dict)  # key -> region, every resource
    types: dict[str, str] = field(default_factory=dict)  # key -> CloudFormation type, every resource

    @property
    def key(self) -> str:
        return self.raw.key

    def get(self, path: str, default: Any = None) -> Any:
        value = value_at(self.raw.properties, path)
        return default if value is None else value

    def bool(self, path: str, default: Any = None) -> Any:
        return as_bool(self.get(path, default))

    def int(self, path: str) -> Any:
        return as_int(self.get(path))

    def str(self, path: str, default: Any = None) -> Any:
        return opt(as_str(self.get(path)), default)

    def ref(self, path: str, *types: str) -> Any:
        return ref_of(self.get(path), types, self.index)

    def refs(self, path: str, *types: str) -> Any:
        return refs_of(self.get(path), types, self.index)


def value_at(values: Any, path: str) -> Any:
    current = values
    for step in path.split("."):
        if isinstance(current, Unknown):
            return current
        if isinstance(current, list):
            if not step.isdigit() or int(step) >= len(current):
                return None
            current = current[int(step)]
        elif isinstance(current, dict):
            current = current.get(step)
        else:
            return None
    return current


def ref_of(value: Any, types: tuple[str, ...], index: NameIndex) -> Any:
    """The key of the resource a value names, the raw id when it names something outside
    the template, None when empty, or the Unknown."""
    if isinstance(value, Pending):
        matching = [t for t in value.targets if not types or t.type in types]
        if len(matching) == 1 or (matching and all(t.key == matching[0].key for t in matching)):
            return matching[0].key
        if matching:
            keys = tuple(dict.fromkeys(t.key for t in matching))
            return Ambiguous(f"may name any of {', '.join(keys)}", keys)
        named = ", ".join(f"{t.key} ({t.type})" for t in value.targets)
        return Unknown(f"refers to {named}, not a {' or '.join(types)}")
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        if not value:
            return None
        return index.find(types, value) or value
    if value is None:
        return None
    return Unknown(f"expected a reference, found a {type(value).__name__}")


def refs_of(value: Any, types: tuple[str, ...], index: NameIndex) -> Any:
    found = items(value)
    if isinstance(found, Unknown):
        return found
    keys = []
    for item in found:
        key = ref_of(item, types, index)
        if isinstance(key, Unknown):
            return key
        if key is not None:
            keys.append(key)
    return tuple(dict.fromkeys(keys))
