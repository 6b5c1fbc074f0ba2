"""ElastiCache replication groups (with their member clusters) and subnet groups."""
from __future__ import annotations

from typing import Any

from .. import errors

SERVICE = "elasticache"
GLOBAL = False
CALLS = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeCacheSubnetGroups",
    "elasticache:ListTagsForResource",
)


def collect(api: Any) -> dict[str, Any]:
    groups = api.pages("DescribeReplicationGroups", "ReplicationGroups")
    subnet_groups = api.pages("DescribeCacheSubnetGroups", "CacheSubnetGroups")
    # Subnet group and security groups are properties of the member clusters.
    clusters = api.pages("DescribeCacheClusters", "CacheClusters", ShowCacheNodeInfo=False)
    tagged = [g for g in groups + subnet_groups if g.get("ARN")]
    answers = api.each(tagged, lambda g: api.attempt("ListTagsForResource", ResourceName=g["ARN"]))
    for item, answer in zip(tagged, answers):
        item["TagList"] = answer if errors.is_record(answer) else answer.get("TagList") or []
    return {"replication_groups": groups, "cache_clusters": clusters, "subnet_groups": subnet_groups}
