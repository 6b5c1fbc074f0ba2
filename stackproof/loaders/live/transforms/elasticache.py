"""DescribeReplicationGroups, DescribeCacheClusters, ... -> ElastiCacheReplicationGroup, ElastiCacheSubnetGroup."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import (
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    Resource,
    Unknown,
)
from .common import Where, as_int, base, called_tags

KINDS = (ElastiCacheReplicationGroup.KIND, ElastiCacheSubnetGroup.KIND)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    clusters = {c["CacheClusterId"]: c for c in data.get("cache_clusters") or [] if c.get("CacheClusterId")}
    subnet_groups = {g["CacheSubnetGroupName"]: g.get("ARN") or _subnet_group_arn(where, g["CacheSubnetGroupName"])
                     for g in data.get("subnet_groups") or []}
    for group in data.get("replication_groups") or []:
        yield replication_group_of(group, clusters, subnet_groups, where)
    for group in data.get("subnet_groups") or []:
        name = group["CacheSubnetGroupName"]
        arn = subnet_groups[name]
        yield ElastiCacheSubnetGroup(**base(where, arn, called_tags(group.get("TagList")), name),
                                     subnets=where.ec2_all("subnet", [s.get("SubnetIdentifier")
                                                                      for s in group.get("Subnets") or []]))


def _subnet_group_arn(where: Where, name: str) -> str:
    return where.arn("elasticache", f"subnetgroup:{name}")


def replication_group_of(group: dict[str, Any], clusters: dict[str, Any], subnet_groups: dict[str, str],
                         where: Where) -> ElastiCacheReplicationGroup:
    ident = group["ReplicationGroupId"]
    arn = group.get("ARN") or where.arn("elasticache", f"replicationgroup:{ident}")
    named = list(group.get("MemberClusters") or [])
    members = [clusters[m] for m in named if m in clusters]
    first = members[0] if members else {}
    missing = [m for m in named if m not in clusters]
    # Subnet group, security groups and zones are the member clusters' properties.
    unread = Unknown(f"member cluster {missing[0]} is not in the DescribeCacheClusters answer") if missing else None
    node_groups = group.get("NodeGroups") or []
    cluster_mode = group.get("ClusterEnabled") is True
    port = None
    endpoint = group.get("ConfigurationEndpoint") or (node_groups[0].get("PrimaryEndpoint") if node_groups else None)
    if isinstance(endpoint, dict):
        port = as_int(endpoint.get("Port"))
    subnet_group = first.get("CacheSubnetGroupName")
    return ElastiCacheReplicationGroup(
        **base(where, arn, called_tags(group.get("TagList")), ident),
        engine=group.get("Engine") or first.get("Engine") or "redis",
        node_type=group.get("CacheNodeType") or first.get("CacheNodeType"),
        at_rest_encryption=bool(group.get("AtRestEncryptionEnabled")),
        transit_encryption=bool(group.get("TransitEncryptionEnabled")),
        kms_key_id=group.get("KmsKeyId"),
        automatic_failover=group.get("AutomaticFailover") in ("enabled", "enabling"),
        multi_az=group.get("MultiAZ") == "enabled",
        num_cache_clusters=None if cluster_mode else len(group.get("MemberClusters") or []),
        num_node_groups=len(node_groups) if cluster_mode else None,
        replicas_per_node_group=max(len(node_groups[0].get("NodeGroupMembers") or []) - 1, 0)
        if cluster_mode and node_groups else None,
        availability_zones=unread if unread is not None else tuple(
            m["PreferredAvailabilityZone"] for m in members if m.get("PreferredAvailabilityZone")),
        subnet_group=unread if unread is not None else (
            (subnet_groups.get(subnet_group) or _subnet_group_arn(where, subnet_group)) if subnet_group else None),
        security_groups=unread if unread is not None else where.ec2_all("security-group", dict.fromkeys(
            g.get("SecurityGroupId") for m in members for g in m.get("SecurityGroups") or [])),
        port=port,
    )
