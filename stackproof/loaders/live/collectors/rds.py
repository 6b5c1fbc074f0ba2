"""RDS instances, clusters, subnet groups and global clusters."""
from __future__ import annotations

from typing import Any

from .. import errors

SERVICE = "rds"
GLOBAL = False
CALLS = (
    "rds:DescribeDBInstances",
    "rds:DescribeDBClusters",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeGlobalClusters",
    "rds:ListTagsForResource",
)


def collect(api: Any) -> dict[str, Any]:
    groups = api.pages("DescribeDBSubnetGroups", "DBSubnetGroups")
    tags = api.each(groups, lambda g: api.attempt("ListTagsForResource", ResourceName=g["DBSubnetGroupArn"])
                    if g.get("DBSubnetGroupArn") else None)
    for group, found in zip(groups, tags):
        group["TagList"] = found if found is None or errors.is_record(found) else found.get("TagList") or []
    return {
        "instances": api.pages("DescribeDBInstances", "DBInstances"),
        "clusters": api.pages("DescribeDBClusters", "DBClusters"),
        "subnet_groups": groups,
        "global_clusters": api.attempt_pages("DescribeGlobalClusters", "GlobalClusters"),
    }
