"""The data tier: RDS PostgreSQL (primary and DR replica) and ElastiCache Redis."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..aws import WAIT, error_code
from .base import CannotUpdate, Handler, Live, Op, tag_dict


def _rds_tags(op: Op, arn: str) -> dict[str, str]:
    return tag_dict(op.client("rds").list_tags_for_resource(ResourceName=arn)["TagList"])


class DbSubnetGroup(Handler):
    type = "AWS::RDS::DBSubnetGroup"
    unordered = frozenset({"SubnetIds"})

    def find(self, op: Op) -> Live | None:
        name = op.props["DBSubnetGroupName"]
        try:
            group = op.client("rds").describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"][0]
        except Exception as exc:
            if error_code(exc) == "DBSubnetGroupNotFoundFault":
                return None
            raise
        tags = _rds_tags(op, group["DBSubnetGroupArn"])
        op.check_owner(tags, f"DB subnet group {name}")
        return Live(name, {}, {"SubnetIds": [s["SubnetIdentifier"] for s in group["Subnets"]],
                               "DBSubnetGroupDescription": group["DBSubnetGroupDescription"], "Tags": tags})

    def create(self, op: Op) -> Live:
        p = op.props
        op.client("rds").create_db_subnet_group(DBSubnetGroupName=p["DBSubnetGroupName"],
                                                DBSubnetGroupDescription=p["DBSubnetGroupDescription"],
                                                SubnetIds=p["SubnetIds"], Tags=op.tag_list())
        return Live(p["DBSubnetGroupName"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        p = op.props
        rds = op.client("rds")
        group = rds.modify_db_subnet_group(DBSubnetGroupName=p["DBSubnetGroupName"],
                                           DBSubnetGroupDescription=p["DBSubnetGroupDescription"],
                                           SubnetIds=p["SubnetIds"])["DBSubnetGroup"]
        if "Tags" in changed:
            rds.add_tags_to_resource(ResourceName=group["DBSubnetGroupArn"], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("rds").delete_db_subnet_group(DBSubnetGroupName=live.id)


# Properties modify_db_instance can change, by their CloudFormation names.
MODIFIABLE = {"DBInstanceClass": "DBInstanceClass", "AllocatedStorage": "AllocatedStorage",
              "MaxAllocatedStorage": "MaxAllocatedStorage", "MultiAZ": "MultiAZ",
              "BackupRetentionPeriod": "BackupRetentionPeriod", "DeletionProtection": "DeletionProtection",
              "PubliclyAccessible": "PubliclyAccessible", "VPCSecurityGroups": "VpcSecurityGroupIds",
              "CopyTagsToSnapshot": "CopyTagsToSnapshot"}


class DbInstance(Handler):
    """A PostgreSQL instance, or (with SourceDBInstanceIdentifier) a read replica of one.

    The master password is managed by RDS in Secrets Manager (ManageMasterUserPassword):
    stackproof never generates, sees or prints it. Automated-backup replication to the
    DR region is started after the instance is available, from the DR region.
    """

    type = "AWS::RDS::DBInstance"
    unordered = frozenset({"VPCSecurityGroups"})
    immutable = frozenset({"StorageEncrypted", "Engine", "DBSubnetGroupName"})

    def find(self, op: Op) -> Live | None:
        identifier = op.props["DBInstanceIdentifier"]
        try:
            db = op.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        except Exception as exc:
            if error_code(exc) == "DBInstanceNotFound":
                return None
            raise
        tags = tag_dict(db.get("TagList"))
        op.check_owner(tags, f"database {identifier}")
        current: dict[str, Any] = {
            "DBInstanceClass": db["DBInstanceClass"], "AllocatedStorage": db["AllocatedStorage"],
            "MaxAllocatedStorage": db.get("MaxAllocatedStorage"), "StorageEncrypted": db.get("StorageEncrypted"),
            "MultiAZ": db.get("MultiAZ"), "PubliclyAccessible": db.get("PubliclyAccessible"),
            "BackupRetentionPeriod": db.get("BackupRetentionPeriod"),
            "DeletionProtection": db.get("DeletionProtection"), "Engine": db.get("Engine"),
            "DBSubnetGroupName": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            "VPCSecurityGroups": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
            "CopyTagsToSnapshot": db.get("CopyTagsToSnapshot"), "Tags": tags,
            "AutomaticBackupReplicationRegion": _replication_region(db),
        }
        if "SourceDBInstanceIdentifier" in op.props:
            current.pop("BackupRetentionPeriod")  # a replica takes it from its source
        return Live(identifier, _db_attrs(db), current)

    def create(self, op: Op) -> Live:
        p, rds = op.props, op.client("rds")
        if "SourceDBInstanceIdentifier" in p:
            db = rds.create_db_instance_read_replica(
                DBInstanceIdentifier=p["DBInstanceIdentifier"],
                SourceDBInstanceIdentifier=p["SourceDBInstanceIdentifier"],
                SourceRegion=p["SourceRegion"], DBInstanceClass=p["DBInstanceClass"], MultiAZ=p["MultiAZ"],
                AllocatedStorage=int(p["AllocatedStorage"]),
                PubliclyAccessible=p["PubliclyAccessible"], DBSubnetGroupName=p["DBSubnetGroupName"],
                VpcSecurityGroupIds=p["VPCSecurityGroups"], DeletionProtection=p["DeletionProtection"],
                MaxAllocatedStorage=p["MaxAllocatedStorage"], CopyTagsToSnapshot=p["CopyTagsToSnapshot"],
                Tags=op.tag_list(), **({"KmsKeyId": p["KmsKeyId"]} if "KmsKeyId" in p else {}))["DBInstance"]
        else:
            settings = {k: p[k] for k in ("DBInstanceIdentifier", "Engine", "EngineVersion", "DBInstanceClass",
                                          "StorageType", "StorageEncrypted", "MultiAZ", "PubliclyAccessible",
                                          "DBSubnetGroupName", "Port", "MasterUsername", "ManageMasterUserPassword",
                                          "BackupRetentionPeriod", "DeletionProtection", "CopyTagsToSnapshot",
                                          "MaxAllocatedStorage") if k in p}
            db = rds.create_db_instance(**settings, AllocatedStorage=int(p["AllocatedStorage"]),
                                        VpcSecurityGroupIds=p["VPCSecurityGroups"], Tags=op.tag_list(),
                                        **({"KmsKeyId": p["KmsKeyId"]} if "KmsKeyId" in p else {}))["DBInstance"]
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=p["DBInstanceIdentifier"], WaiterConfig=WAIT)
        if p.get("AutomaticBackupReplicationRegion"):
            self._start_backup_replication(op, db["DBInstanceArn"])
        return Live(p["DBInstanceIdentifier"], _db_attrs(db))

    def _start_backup_replication(self, op: Op, arn: str) -> None:
        p = op.props
        key = p.get("AutomaticBackupReplicationKmsKeyId")
        extra = {"KmsKeyId": key} if key else {}
        op.client("rds", p["AutomaticBackupReplicationRegion"]).start_db_instance_automated_backups_replication(
            SourceDBInstanceArn=arn, BackupRetentionPeriod=p["AutomaticBackupReplicationRetentionPeriod"],
            SourceRegion=op.region, **extra)

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        p, rds = op.props, op.client("rds")
        settings = {MODIFIABLE[k]: p[k] for k in changed if k in MODIFIABLE}
        if "AllocatedStorage" in settings:
            settings["AllocatedStorage"] = int(settings["AllocatedStorage"])
        if settings:
            rds.modify_db_instance(DBInstanceIdentifier=live.id, ApplyImmediately=True, **settings)
            rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=live.id, WaiterConfig=WAIT)
        if "AutomaticBackupReplicationRegion" in changed:
            old = live.current.get("AutomaticBackupReplicationRegion")
            if old:
                op.client("rds", old).stop_db_instance_automated_backups_replication(
                    SourceDBInstanceArn=live.attrs["DBInstanceArn"])
            if p.get("AutomaticBackupReplicationRegion"):
                self._start_backup_replication(op, live.attrs["DBInstanceArn"])
        if "Tags" in changed:
            rds.add_tags_to_resource(ResourceName=live.attrs["DBInstanceArn"], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        rds = op.client("rds")
        if live.current.get("DeletionProtection"):
            rds.modify_db_instance(DBInstanceIdentifier=live.id, DeletionProtection=False, ApplyImmediately=True)
        region = live.current.get("AutomaticBackupReplicationRegion")
        if region:
            op.client("rds", region).stop_db_instance_automated_backups_replication(
                SourceDBInstanceArn=live.attrs["DBInstanceArn"])
        is_replica = "SourceDBInstanceIdentifier" in op.props
        if op.options.skip_final_snapshot or is_replica:  # a replica's data is the primary's
            rds.delete_db_instance(DBInstanceIdentifier=live.id, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
        else:
            snapshot = f"{live.id}-final-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
            rds.delete_db_instance(DBInstanceIdentifier=live.id, FinalDBSnapshotIdentifier=snapshot,
                                   DeleteAutomatedBackups=True)
            op.notes.append(f"kept final snapshot {snapshot} of {live.id} in {op.region} "
                            "(delete it when it is no longer needed)")
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=live.id, WaiterConfig=WAIT)


def _replication_region(db: dict[str, Any]) -> str | None:
    for replication in db.get("DBInstanceAutomatedBackupsReplications") or []:
        arn = replication.get("DBInstanceAutomatedBackupsArn", "")
        parts = arn.split(":")
        if len(parts) > 3:
            return parts[3]
    return None


def _db_attrs(db: dict[str, Any]) -> dict[str, Any]:
    endpoint = db.get("Endpoint") or {}
    return {"DBInstanceArn": db["DBInstanceArn"], "Endpoint.Address": endpoint.get("Address"),
            "Endpoint.Port": endpoint.get("Port")}


def _cache_tags(op: Op, arn: str) -> dict[str, str]:
    return tag_dict(op.client("elasticache").list_tags_for_resource(ResourceName=arn)["TagList"])


class CacheSubnetGroup(Handler):
    type = "AWS::ElastiCache::SubnetGroup"
    unordered = frozenset({"SubnetIds"})

    def find(self, op: Op) -> Live | None:
        name = op.props["CacheSubnetGroupName"]
        try:
            group = op.client("elasticache").describe_cache_subnet_groups(
                CacheSubnetGroupName=name)["CacheSubnetGroups"][0]
        except Exception as exc:
            if error_code(exc) == "CacheSubnetGroupNotFoundFault":
                return None
            raise
        tags = _cache_tags(op, group["ARN"])
        op.check_owner(tags, f"cache subnet group {name}")
        return Live(name, {"ARN": group["ARN"]}, {
            "SubnetIds": [s["SubnetIdentifier"] for s in group["Subnets"]],
            "Description": group["CacheSubnetGroupDescription"], "Tags": tags})

    def create(self, op: Op) -> Live:
        p = op.props
        group = op.client("elasticache").create_cache_subnet_group(
            CacheSubnetGroupName=p["CacheSubnetGroupName"], CacheSubnetGroupDescription=p["Description"],
            SubnetIds=p["SubnetIds"], Tags=op.tag_list())["CacheSubnetGroup"]
        return Live(p["CacheSubnetGroupName"], {"ARN": group["ARN"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        p, cache = op.props, op.client("elasticache")
        cache.modify_cache_subnet_group(CacheSubnetGroupName=live.id, CacheSubnetGroupDescription=p["Description"],
                                        SubnetIds=p["SubnetIds"])
        if "Tags" in changed:
            cache.add_tags_to_resource(ResourceName=live.attrs["ARN"], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("elasticache").delete_cache_subnet_group(CacheSubnetGroupName=live.id)


class ReplicationGroup(Handler):
    type = "AWS::ElastiCache::ReplicationGroup"
    immutable = frozenset({"AtRestEncryptionEnabled", "Engine", "NumNodeGroups", "CacheSubnetGroupName"})

    def find(self, op: Op) -> Live | None:
        group_id = op.props["ReplicationGroupId"]
        cache = op.client("elasticache")
        try:
            group = cache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
        except Exception as exc:
            if error_code(exc) == "ReplicationGroupNotFoundFault":
                return None
            raise
        if group.get("Status") == "deleting":
            return None  # on its way out
        tags = _cache_tags(op, group["ARN"])
        op.check_owner(tags, f"replication group {group_id}")
        node_groups = group.get("NodeGroups", [])
        members = len(node_groups[0].get("NodeGroupMembers", [])) if node_groups else 0
        return Live(group_id, {"ARN": group["ARN"]}, {
            "CacheNodeType": group.get("CacheNodeType"),
            "AutomaticFailoverEnabled": group.get("AutomaticFailover") in ("enabled", "enabling"),
            "MultiAZEnabled": group.get("MultiAZ") == "enabled",
            "AtRestEncryptionEnabled": group.get("AtRestEncryptionEnabled", False),
            "TransitEncryptionEnabled": group.get("TransitEncryptionEnabled", False),
            "NumNodeGroups": len(node_groups), "ReplicasPerNodeGroup": max(members - 1, 0),
            "Tags": tags})

    def create(self, op: Op) -> Live:
        p, cache = op.props, op.client("elasticache")
        settings = {k: p[k] for k in ("ReplicationGroupId", "ReplicationGroupDescription", "Engine", "EngineVersion",
                                      "CacheNodeType", "NumNodeGroups", "ReplicasPerNodeGroup",
                                      "AutomaticFailoverEnabled", "MultiAZEnabled", "AtRestEncryptionEnabled",
                                      "TransitEncryptionEnabled", "CacheSubnetGroupName", "SecurityGroupIds",
                                      "Port", "SnapshotRetentionLimit", "KmsKeyId") if k in p}
        group = cache.create_replication_group(**settings, Tags=op.tag_list())["ReplicationGroup"]
        cache.get_waiter("replication_group_available").wait(ReplicationGroupId=p["ReplicationGroupId"],
                                                             WaiterConfig=WAIT)
        return Live(p["ReplicationGroupId"], {"ARN": group["ARN"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        p, cache = op.props, op.client("elasticache")
        if "ReplicasPerNodeGroup" in changed:
            grow = p["ReplicasPerNodeGroup"] > live.current["ReplicasPerNodeGroup"]
            resize = cache.increase_replica_count if grow else cache.decrease_replica_count
            resize(ReplicationGroupId=live.id, NewReplicaCount=p["ReplicasPerNodeGroup"], ApplyImmediately=True)
        settings = {k: p[k] for k in ("CacheNodeType", "AutomaticFailoverEnabled", "MultiAZEnabled",
                                      "TransitEncryptionEnabled") if k in changed}
        if settings:
            cache.modify_replication_group(ReplicationGroupId=live.id, ApplyImmediately=True, **settings)
        if settings or "ReplicasPerNodeGroup" in changed:
            cache.get_waiter("replication_group_available").wait(ReplicationGroupId=live.id, WaiterConfig=WAIT)
        if "Tags" in changed:
            cache.add_tags_to_resource(ResourceName=live.attrs["ARN"], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        # Deletion goes on in the background; the subnet and security groups it uses are
        # deleted afterwards, and the applier retries those while AWS reports them in use.
        op.client("elasticache").delete_replication_group(ReplicationGroupId=live.id, RetainPrimaryCluster=False)
