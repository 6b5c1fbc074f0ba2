"""DescribeClusters -> RedshiftCluster."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import RedshiftCluster, Resource
from .common import Where, as_int, base, tags_of

KINDS = (RedshiftCluster.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for cluster in data.get("clusters") or []:
        ident = cluster["ClusterIdentifier"]
        arn = where.arn("redshift", f"cluster:{ident}")
        group = cluster.get("ClusterSubnetGroupName")
        yield RedshiftCluster(**base(where, arn, tags_of(cluster.get("Tags")), ident),
                              encrypted=bool(cluster.get("Encrypted")),
                              kms_key_id=cluster.get("KmsKeyId"),
                              publicly_accessible=bool(cluster.get("PubliclyAccessible")),
                              subnet_group=where.arn("redshift", f"subnetgroup:{group}") if group else None,
                              security_groups=where.ec2_all("security-group", [
                                  g.get("VpcSecurityGroupId") for g in cluster.get("VpcSecurityGroups") or []]),
                              port=as_int((cluster.get("Endpoint") or {}).get("Port")))
