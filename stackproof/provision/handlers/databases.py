"""The data tier: RDS PostgreSQL (primary and DR replica) and ElastiCache Redis."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from ..aws import WAIT, error_code, paginate
from ..blueprint import STACK_TAG
from .base import CannotUpdate, Found, Handler, Live, Op, Scope, found, of_stack, retained_tags, tag_dict


def _rds_tags(op: Op | Scope, arn: str) -> dict[str, str]:
    return tag_dict(op.client("rds").list_tags_for_resource(ResourceName=arn)["TagList"])


def _named_and_tagged(handler: Handler, scope: Scope, items: list[dict[str, Any]], name_key: str, arn_key: str,
                      tags_of: Callable[[str], dict[str, str]],
                      live_of: Callable[[dict[str, Any]], Live]) -> list[Found]:
    """The stack's items of a listing that carries no tags: those named '<stack>-...' are
    asked for theirs (the stack names everything it creates after itself)."""
    swept = []
    for item in items:
        if item[name_key].startswith(f"{scope.stack}-"):
            tags = tags_of(item[arn_key])
            if scope.mine(tags):
                swept.append(found(handler.type, scope.region, tags, live_of(item)))
    return swept


class DbSubnetGroup(Handler):
    type = "AWS::RDS::DBSubnetGroup"
    unordered = frozenset({"SubnetIds"})
    reads = ("rds:DescribeDBSubnetGroups", "rds:ListTagsForResource")
    writes = ("rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:AddTagsToResource", "rds:DeleteDBSubnetGroup")

    def tagged(self, scope: Scope) -> list[Found]:
        groups = paginate(scope.client("rds"), "describe_db_subnet_groups", "DBSubnetGroups")
        return _named_and_tagged(self, scope, groups, "DBSubnetGroupName", "DBSubnetGroupArn",
                                 lambda arn: _rds_tags(scope, arn), lambda g: Live(g["DBSubnetGroupName"]))

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
    reads = ("rds:DescribeDBInstances", "rds:DescribeDBSnapshots", "rds:DescribeDBInstanceAutomatedBackups")
    writes = ("rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica",
              "rds:StartDBInstanceAutomatedBackupsReplication", "rds:StopDBInstanceAutomatedBackupsReplication",
              "rds:ModifyDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:DeleteDBInstance")
    implied = {"kms:CreateGrant": "RDS encrypts the storage with the stack's key on the caller's behalf",
               "kms:DescribeKey": "RDS checks the key it is given",
               "secretsmanager:CreateSecret": "RDS keeps the master password in Secrets Manager "
                                              "(ManageMasterUserPassword)",
               "secretsmanager:TagResource": "RDS tags the secret it creates",
               "iam:CreateServiceLinkedRole": "RDS creates its service-linked role on first use"}

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
        live = _db_live(db)
        live.current.update({
            "DBInstanceClass": db["DBInstanceClass"], "AllocatedStorage": db["AllocatedStorage"],
            "MaxAllocatedStorage": db.get("MaxAllocatedStorage"), "StorageEncrypted": db.get("StorageEncrypted"),
            "MultiAZ": db.get("MultiAZ"), "PubliclyAccessible": db.get("PubliclyAccessible"),
            "BackupRetentionPeriod": db.get("BackupRetentionPeriod"), "Engine": db.get("Engine"),
            "DBSubnetGroupName": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            "VPCSecurityGroups": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
            "CopyTagsToSnapshot": db.get("CopyTagsToSnapshot"), "Tags": tags,
        })
        if "SourceDBInstanceIdentifier" in op.props:
            live.current.pop("BackupRetentionPeriod")  # a replica takes it from its source
        return live

    def kept_before(self, scope: Scope) -> list[tuple[str, str]]:
        snapshots = paginate(scope.client("rds"), "describe_db_snapshots", "DBSnapshots", SnapshotType="manual")
        return [(snap["KmsKeyId"], f"final snapshot {snap['DBSnapshotIdentifier']}") for snap in snapshots
                if snap.get("KmsKeyId") and of_stack(tag_dict(snap.get("TagList")), scope.stack)]

    def tagged(self, scope: Scope) -> list[Found]:
        databases = paginate(scope.client("rds"), "describe_db_instances", "DBInstances")
        return [found(self.type, scope.region, tags, _db_live(db))
                for db in databases if scope.mine(tags := tag_dict(db.get("TagList")))]

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
        """Delete with a final snapshot (a replica has none: its data is the primary's, and
        RDS takes no final snapshot of a replica). Replicated automated backups stay in the
        DR region for their retention period."""
        rds = op.client("rds")
        if live.current.get("DeletionProtection"):
            rds.modify_db_instance(DBInstanceIdentifier=live.id, DeletionProtection=False, ApplyImmediately=True)
        region = live.current.get("AutomaticBackupReplicationRegion")
        if region:
            self._keep_replicated_backups(op, live, region)
        snapshot = None
        if not (op.options.skip_final_snapshot or live.attrs.get("ReplicaOf")):
            snapshot = f"{live.id}-final-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
        final = {"FinalDBSnapshotIdentifier": snapshot} if snapshot else {"SkipFinalSnapshot": True}
        rds.delete_db_instance(DBInstanceIdentifier=live.id, DeleteAutomatedBackups=True, **final)
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=live.id, WaiterConfig=WAIT)
        if snapshot:
            self._mark_kept(op, snapshot)
            if live.attrs.get("KmsKeyId"):
                op.kept_keys[live.attrs["KmsKeyId"]] = f"final snapshot {snapshot}"
            op.notes.append(f"kept final snapshot {snapshot} of {live.id} in {op.region} "
                            "(delete it when it is no longer needed)")

    def _keep_replicated_backups(self, op: Op, live: Live, region: str) -> None:
        """Stop replicating; the replicated backups stay for their retention period, and so
        does the key that encrypts them."""
        rds_dr, arn = op.client("rds", region), live.attrs["DBInstanceArn"]
        backups = rds_dr.describe_db_instance_automated_backups(
            DBInstanceAutomatedBackupsArn=live.attrs["AutomatedBackupsArn"])["DBInstanceAutomatedBackups"]
        rds_dr.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=arn)
        op.kept_keys.update({b["KmsKeyId"]: f"automated backups of {live.id} in {region}"
                             for b in backups if b.get("KmsKeyId")})
        op.notes.append(f"the automated backups of {live.id} replicated to {region} stay there for their "
                        "retention period")

    def _mark_kept(self, op: Op, snapshot: str) -> None:
        rds = op.client("rds")
        arn = rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"][0]["DBSnapshotArn"]
        tags = _rds_tags(op, arn)  # copied from the instance (CopyTagsToSnapshot)
        if STACK_TAG in tags:
            rds.remove_tags_from_resource(ResourceName=arn, TagKeys=[STACK_TAG])
            rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in
                                                             retained_tags(tags, op.stack).items()])


def _replication(db: dict[str, Any]) -> tuple[str | None, str | None]:
    """(region, ARN) of the instance's automated backups replicated to another region."""
    for replication in db.get("DBInstanceAutomatedBackupsReplications") or []:
        arn = replication.get("DBInstanceAutomatedBackupsArn", "")
        parts = arn.split(":")
        if len(parts) > 3:
            return parts[3], arn
    return None, None


def _db_attrs(db: dict[str, Any]) -> dict[str, Any]:
    endpoint = db.get("Endpoint") or {}
    return {"DBInstanceArn": db["DBInstanceArn"], "Endpoint.Address": endpoint.get("Address"),
            "Endpoint.Port": endpoint.get("Port"), "KmsKeyId": db.get("KmsKeyId"),
            "ReplicaOf": db.get("ReadReplicaSourceDBInstanceIdentifier")}


def _db_live(db: dict[str, Any]) -> Live:
    """What deleting the instance needs (find adds what apply compares)."""
    region, arn = _replication(db)
    return Live(db["DBInstanceIdentifier"], {**_db_attrs(db), "AutomatedBackupsArn": arn},
                {"DeletionProtection": db.get("DeletionProtection"), "AutomaticBackupReplicationRegion": region})


def _cache_tags(op: Op | Scope, arn: str) -> dict[str, str]:
    return tag_dict(op.client("elasticache").list_tags_for_resource(ResourceName=arn)["TagList"])


class CacheSubnetGroup(Handler):
    type = "AWS::ElastiCache::SubnetGroup"
    unordered = frozenset({"SubnetIds"})
    reads = ("elasticache:DescribeCacheSubnetGroups", "elasticache:ListTagsForResource")
    writes = ("elasticache:CreateCacheSubnetGroup", "elasticache:ModifyCacheSubnetGroup",
              "elasticache:AddTagsToResource", "elasticache:DeleteCacheSubnetGroup")

    def tagged(self, scope: Scope) -> list[Found]:
        groups = paginate(scope.client("elasticache"), "describe_cache_subnet_groups", "CacheSubnetGroups")
        return _named_and_tagged(self, scope, groups, "CacheSubnetGroupName", "ARN",
                                 lambda arn: _cache_tags(scope, arn),
                                 lambda g: Live(g["CacheSubnetGroupName"], {"ARN": g["ARN"]}))

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
    reads = ("elasticache:DescribeReplicationGroups", "elasticache:ListTagsForResource",
             "elasticache:DescribeSnapshots")
    writes = ("elasticache:CreateReplicationGroup", "elasticache:IncreaseReplicaCount",
              "elasticache:DecreaseReplicaCount", "elasticache:ModifyReplicationGroup",
              "elasticache:AddTagsToResource", "elasticache:DeleteReplicationGroup")
    implied = {"kms:CreateGrant": "ElastiCache encrypts the cache with the stack's key on the caller's behalf",
               "kms:DescribeKey": "ElastiCache checks the key it is given",
               "iam:CreateServiceLinkedRole": "ElastiCache creates its service-linked role on first use"}

    def kept_before(self, scope: Scope) -> list[tuple[str, str]]:
        """Final snapshots carry no tags of the group: they are known by their names."""
        snapshots = paginate(scope.client("elasticache"), "describe_snapshots", "Snapshots", SnapshotSource="manual")
        return [(snap["KmsKeyId"], f"final snapshot {name}") for snap in snapshots
                if snap.get("KmsKeyId") and (name := snap.get("SnapshotName", "")).startswith(f"{scope.stack}-")
                and "-final-" in name]

    def tagged(self, scope: Scope) -> list[Found]:
        groups = [g for g in paginate(scope.client("elasticache"), "describe_replication_groups", "ReplicationGroups")
                  if g.get("Status") != "deleting"]
        return _named_and_tagged(self, scope, groups, "ReplicationGroupId", "ARN", lambda arn: _cache_tags(scope, arn),
                                 _group_live)

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
        return Live(group_id, _group_live(group).attrs, {
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
        """Delete with a final snapshot unless told not to. Deletion goes on in the
        background; the subnet and security groups it uses are deleted afterwards, and
        the applier retries those while AWS reports them in use."""
        final = {}
        if not op.options.skip_final_snapshot:
            final["FinalSnapshotIdentifier"] = f"{live.id}-final-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
        op.client("elasticache").delete_replication_group(ReplicationGroupId=live.id, RetainPrimaryCluster=False,
                                                          **final)
        if final:
            if live.attrs.get("KmsKeyId"):
                op.kept_keys[live.attrs["KmsKeyId"]] = f"final snapshot {final['FinalSnapshotIdentifier']}"
            op.notes.append(f"kept final snapshot {final['FinalSnapshotIdentifier']} of {live.id} in {op.region} "
                            "(delete it when it is no longer needed)")


def _group_live(group: dict[str, Any]) -> Live:
    return Live(group["ReplicationGroupId"], {"ARN": group["ARN"], "KmsKeyId": group.get("KmsKeyId")})
