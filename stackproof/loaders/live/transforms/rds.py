"""DescribeDBInstances, DescribeDBClusters, ... -> DbInstance, DbCluster, DbSubnetGroup, DbBackupReplication."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import (
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    Resource,
    Unknown,
)
from .common import Where, as_int, base, called_tags, failed, region_of_arn, tags_of

KINDS = (DbInstance.KIND, DbCluster.KIND, DbSubnetGroup.KIND, DbBackupReplication.KIND)


def _arn(where: Where, kind: str, identifier: Any) -> str | None:
    if not isinstance(identifier, str) or not identifier:
        return None
    return identifier if identifier.startswith("arn:") else where.arn("rds", f"{kind}:{identifier}")


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    groups = {g["DBSubnetGroupName"]: g.get("DBSubnetGroupArn") or _arn(where, "subgrp", g["DBSubnetGroupName"])
              for g in data.get("subnet_groups") or []}
    clusters = {c["DBClusterIdentifier"]: c.get("DBClusterArn") or _arn(where, "cluster", c["DBClusterIdentifier"])
                for c in data.get("clusters") or []}
    for db in data.get("instances") or []:
        yield from instance_of(db, where, groups, clusters)
    global_of = _global_clusters(data.get("global_clusters"))
    for cluster in data.get("clusters") or []:
        yield cluster_of(cluster, where, global_of, groups)
    for group in data.get("subnet_groups") or []:
        name = group["DBSubnetGroupName"]
        arn = groups[name]
        yield DbSubnetGroup(**base(where, arn, called_tags(group.get("TagList")), name),
                            subnets=where.ec2_all("subnet", [s.get("SubnetIdentifier") for s in group.get("Subnets") or []]))


def _group(where: Where, groups: dict[str, Any], name: Any) -> str | None:
    return (groups.get(name) or _arn(where, "subgrp", name)) if isinstance(name, str) and name else None


def instance_of(db: dict[str, Any], where: Where, groups: dict[str, Any],
                clusters: dict[str, Any]) -> Iterator[Resource]:
    arn = db["DBInstanceArn"]
    tags = tags_of(db.get("TagList"))
    group = (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")
    endpoint = db.get("Endpoint") or {}
    cluster = db.get("DBClusterIdentifier")
    yield DbInstance(
        **base(where, arn, tags, db.get("DBInstanceIdentifier")),
        identifier=db.get("DBInstanceIdentifier"),
        engine=db.get("Engine"),
        instance_class=db.get("DBInstanceClass"),
        # An Aurora member's storage is its cluster's; the instance reports a placeholder size.
        allocated_storage=None if cluster else as_int(db.get("AllocatedStorage")),
        max_allocated_storage=as_int(db.get("MaxAllocatedStorage")),
        storage_type=db.get("StorageType"),
        iops=as_int(db.get("Iops")),
        storage_encrypted=bool(db.get("StorageEncrypted")),
        kms_key_id=db.get("KmsKeyId") if db.get("StorageEncrypted") else None,
        multi_az=bool(db.get("MultiAZ")),
        publicly_accessible=bool(db.get("PubliclyAccessible")),
        availability_zone=db.get("AvailabilityZone"),
        db_subnet_group=_group(where, groups, group),
        security_groups=where.ec2_all("security-group",
                                      [g.get("VpcSecurityGroupId") for g in db.get("VpcSecurityGroups") or []]),
        port=as_int(endpoint.get("Port")) or as_int(db.get("DbInstancePort")) or None,
        backup_retention_period=as_int(db.get("BackupRetentionPeriod")),
        deletion_protection=bool(db.get("DeletionProtection")),
        cluster=(clusters.get(cluster) or _arn(where, "cluster", cluster)) if cluster else None,
        replicate_source_db=_arn(where, "db", db.get("ReadReplicaSourceDBInstanceIdentifier")),
    )
    # Automated backups replicated to another region: the source instance lists them.
    for replication in db.get("DBInstanceAutomatedBackupsReplications") or []:
        backup_arn = replication.get("DBInstanceAutomatedBackupsArn")
        if not isinstance(backup_arn, str):
            continue
        region = region_of_arn(backup_arn)
        fields = base(where, backup_arn, {}, f"{db.get('DBInstanceIdentifier')} backups in {region}", region=region)
        yield DbBackupReplication(**fields, source_db=arn,
                                  retention_period=Unknown("read from the source instance, which does not state it"),
                                  kms_key_id=None)


def _global_clusters(answer: Any) -> dict[str, Any] | Unknown:
    problem = failed(answer)
    if problem is not None:
        return Unknown(f"global cluster membership could not be read: {problem.reason}")
    members: dict[str, Any] = {}
    for cluster in (answer or {}).get("GlobalClusters") or []:
        for member in cluster.get("GlobalClusterMembers") or []:
            if member.get("DBClusterArn"):
                members[member["DBClusterArn"]] = cluster.get("GlobalClusterArn") or cluster.get("GlobalClusterIdentifier")
    return members


def cluster_of(cluster: dict[str, Any], where: Where, global_of: dict[str, Any] | Unknown,
               groups: dict[str, Any]) -> DbCluster:
    arn = cluster.get("DBClusterArn") or _arn(where, "cluster", cluster["DBClusterIdentifier"])
    engine = cluster.get("Engine")
    aurora = isinstance(engine, str) and engine.startswith("aurora")
    return DbCluster(
        **base(where, arn, tags_of(cluster.get("TagList")), cluster.get("DBClusterIdentifier")),
        identifier=cluster.get("DBClusterIdentifier"),
        engine=engine,
        engine_mode=cluster.get("EngineMode"),
        storage_encrypted=bool(cluster.get("StorageEncrypted")),
        kms_key_id=cluster.get("KmsKeyId") if cluster.get("StorageEncrypted") else None,
        availability_zones=tuple(cluster.get("AvailabilityZones") or ()),
        db_subnet_group=_group(where, groups, cluster.get("DBSubnetGroup")),
        security_groups=where.ec2_all("security-group",
                                      [g.get("VpcSecurityGroupId") for g in cluster.get("VpcSecurityGroups") or []]),
        port=as_int(cluster.get("Port")),
        # Aurora reports a placeholder; its storage grows on its own.
        allocated_storage=None if aurora else as_int(cluster.get("AllocatedStorage")),
        backup_retention_period=as_int(cluster.get("BackupRetentionPeriod")),
        deletion_protection=bool(cluster.get("DeletionProtection")),
        global_cluster=global_of if isinstance(global_of, Unknown) else global_of.get(arn),
        replication_source=cluster.get("ReplicationSourceIdentifier"),
        publicly_accessible=bool(cluster.get("PubliclyAccessible")),
    )
