"""Disaster recovery: persistent data copied to another region, backups kept, deletion guarded.

Which resources count as persistent data that must be replicated is a parameter of the
DR policies: ``persistent_kinds`` (resource kinds, the same list in each of them) and
``opt_out_tag``, a tag whose value gives the reason one resource needs no copy of its
own (a DR replica, scratch data). A value such as "true" or "yes" is not a reason.
"""
from __future__ import annotations

from stackproof import queries
from stackproof.model import (
    BackupPlan,
    Bucket,
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DynamoDbTable,
    ReplicationRule,
    Resource,
    Unknown,
)
from stackproof.rules import (
    FAIL,
    PASS,
    Context,
    Verdict,
    failed,
    is_unknown,
    not_applicable,
    passed,
    unknown,
    unknown_field,
)

DEFAULT_OPT_OUT_TAG = "stackproof:no-replication"
# Opt-out tag values that switch something on or off rather than say why.
NOT_A_REASON = frozenset({"", "true", "false", "yes", "no", "y", "n", "1", "0", "on", "off", "none", "n/a",
                          "na", "-", "x", "skip", "exempt", "opt-out", "optout"})


def _is_aurora(engine: object) -> bool:
    return isinstance(engine, str) and engine.startswith("aurora")


def _opt_out(resource: Resource, ctx: Context) -> tuple[str, str | Unknown | None]:
    """The opt-out tag and the resource's value of it: stripped, None when it has none, an
    Unknown when it cannot be read."""
    tag = ctx.params.get("opt_out_tag", DEFAULT_OPT_OUT_TAG)
    value = resource.tag(tag) if tag else None
    return tag, (value.strip() if isinstance(value, str) else value)


def _exempt(resource: Resource, ctx: Context) -> Verdict | None:
    """NOT_APPLICABLE when the parameters say this resource needs no copy in another region."""
    kinds = ctx.params.get("persistent_kinds")
    if kinds is not None and resource.KIND not in kinds:
        where = f" in environment {ctx.environment}" if ctx.environment else ""
        return not_applicable(f"{resource.KIND} is not listed in persistent_kinds{where}: not data that must "
                              "be copied to another region")
    tag, value = _opt_out(resource, ctx)
    if isinstance(value, str) and value.lower() not in NOT_A_REASON:
        return not_applicable(f"opted out by tag {tag}: {value}")
    return None


def _own_region(resource: Resource) -> str | Verdict:
    region = resource.region
    if is_unknown(region):
        return unknown(f"the resource's own region is unknown: {region.reason}")
    if not region:
        return unknown("the input does not state the resource's region")
    return region


def _not_copied(message: str, resource: Resource, ctx: Context) -> Verdict:
    """FAIL for data with no copy elsewhere, unless an opt-out tag that cannot be read might
    excuse it; an opt-out tag without a reason is named, as it does not count."""
    tag, value = _opt_out(resource, ctx)
    if isinstance(value, Unknown):
        return unknown(f"{message}, unless its {tag} tag opts it out, and that tag is unknown: {value.reason}")
    if isinstance(value, str) and value.lower() in NOT_A_REASON:
        shown = f"={value!r} gives no reason" if value else " is present but empty"
        message += f" (tag {tag}{shown}, so it does not opt out: its value must say why)"
    return failed(message)


# -- S3 --------------------------------------------------------------------------------


def _destination_region(rule_bucket: object, stated: object, ctx: Context) -> tuple[str, str] | Verdict:
    """(region, where it comes from) of a replication destination, or why it is unknown."""
    if is_unknown(rule_bucket):
        return unknown(f"the destination bucket is unknown: {rule_bucket.reason}")
    target = queries.bucket_named(ctx.inventory, rule_bucket)
    if target is not None:
        region = target.region
        if isinstance(region, str) and region:
            return region, f"bucket {queries.label(ctx.inventory, target.key)}"
        if is_unknown(region):
            return unknown(f"the region of destination bucket {ctx.inventory.address(target.key)} is unknown: "
                           f"{region.reason}")
    if isinstance(stated, str) and stated:
        return stated, f"bucket {rule_bucket}"
    if is_unknown(stated):
        return unknown(f"the region of destination bucket {rule_bucket} is unknown: {stated.reason}")
    return unknown(f"destination bucket {rule_bucket} is not in the scanned inputs and the replication "
                   "configuration does not state its region; scan it together with its bucket")


def s3_bucket_cross_region_replication(bucket: Bucket, ctx: Context) -> Verdict:
    """Versioning on and an enabled replication rule to a bucket in another region."""
    exempt = _exempt(bucket, ctx)
    if exempt:
        return exempt
    rules, versioning = bucket.replication_rules, bucket.versioning
    if not is_unknown(rules) and not rules:
        return _not_copied("no replication rule: the bucket's only copy is in its own region", bucket, ctx)
    if not is_unknown(versioning) and not versioning:
        return _not_copied("versioning is off, and replication requires it", bucket, ctx)
    if is_unknown(rules):
        return unknown_field("replication rules", rules)
    found = _replicated_elsewhere(bucket, rules, ctx)
    if found.status == PASS and is_unknown(versioning):
        return unknown(f"{found.message}, but versioning, which replication requires, is unknown: "
                       f"{versioning.reason}")
    return found if found.status != FAIL else _not_copied(found.message, bucket, ctx)


def _replicated_elsewhere(bucket: Bucket, rules: tuple[ReplicationRule, ...], ctx: Context) -> Verdict:
    """Whether an enabled rule replicates to a bucket in another region."""
    home = _own_region(bucket)
    if isinstance(home, Verdict):
        return home
    problems: list[str] = []
    undecided: Verdict | None = None
    for rule in rules:
        label = f"rule {rule.rule_id}" if isinstance(rule.rule_id, str) else "a rule"
        if is_unknown(rule.enabled):
            undecided = undecided or unknown(f"whether {label} is enabled is unknown: {rule.enabled.reason}")
            continue
        if not rule.enabled:
            problems.append(f"{label} is disabled")
            continue
        found = _destination_region(rule.destination_bucket, rule.destination_region, ctx)
        if isinstance(found, Verdict):
            undecided = undecided or found
            continue
        region, what = found
        if region == home:
            problems.append(f"{label} replicates to {what} in {region}, the bucket's own region")
        else:
            return passed(f"{label} replicates to {what} in {region}", destination_region=region)
    if undecided is not None:
        return undecided
    return failed("; ".join(problems))


# -- RDS -------------------------------------------------------------------------------


def _copies_elsewhere(db: DbInstance | DbCluster, home: str,
                      ctx: Context) -> tuple[list[str], list[str], Verdict | None]:
    """(copies in other regions, copies in the home region, the first undecided one)."""
    elsewhere: list[str] = []
    same: list[str] = []
    undecided: Verdict | None = None
    for copy in queries.copies_of(ctx.inventory, db):
        what = "automated backups replicated to" if isinstance(copy, DbBackupReplication) else \
            f"{'replica cluster' if isinstance(copy, DbCluster) else 'read replica'} " \
            f"{queries.label(ctx.inventory, copy.key)} in"
        region = copy.region
        if is_unknown(region):
            undecided = undecided or unknown(f"the region of {copy.prov.address} is unknown: {region.reason}")
        elif isinstance(region, str) and region != home:
            elsewhere.append(f"{what} {region}")
        else:
            same.append(f"{what} {region or 'the same region'}")
    return elsewhere, same, undecided


def _global_cluster(cluster: DbCluster, home: str, ctx: Context) -> Verdict | None:
    """The verdict a global database gives its member; None when it is not a member."""
    glob = cluster.global_cluster
    if is_unknown(glob):
        return unknown_field("global_cluster", glob)
    if glob is None:
        return None
    members = queries.clusters_by_global_cluster(ctx.inventory).get(glob, [])
    regions = {m.region for m in members if m.key != cluster.key}
    others = sorted(r for r in regions if isinstance(r, str) and r != home)
    if others:
        return passed(f"global database {glob} has a cluster in {', '.join(others)}")
    if any(is_unknown(r) for r in regions):
        return unknown(f"the region of another member of global database {glob} is unknown")
    return unknown(f"member of global database {glob}, but no cluster of it in another region is in the "
                   "scanned inputs; scan the secondary region's plan with this one")


def _replica_of(db: DbInstance | DbCluster, ctx: Context) -> Verdict | None:
    """NOT_APPLICABLE for a copy of another database: its source's result covers the data."""
    if isinstance(db, DbInstance):
        if isinstance(db.cluster, str) or _is_aurora(db.engine):
            return not_applicable("an Aurora member; the cluster's result covers its data")
        if isinstance(db.replicate_source_db, str):
            return not_applicable(f"a read replica of {queries.label(ctx.inventory, db.replicate_source_db)}; "
                                  "the source's result covers the data")
    elif isinstance(db.replication_source, str):
        return not_applicable(f"a replica of cluster {queries.label(ctx.inventory, db.replication_source)}; "
                              "the source's result covers the data")
    return None


def rds_instance_cross_region_backup(db: DbInstance | DbCluster, ctx: Context) -> Verdict:
    """Automated backups replicated to, or a read replica in, another region; Aurora: a global
    database or a replica cluster in another region."""
    skipped = _replica_of(db, ctx) or _exempt(db, ctx)
    if skipped:
        return skipped
    home = _own_region(db)
    if isinstance(home, Verdict):
        return home
    elsewhere, same, undecided = _copies_elsewhere(db, home, ctx)
    if elsewhere:
        return passed("; ".join(elsewhere))
    aurora = isinstance(db, DbCluster) and not (isinstance(db.engine, str) and not _is_aurora(db.engine))
    member = _global_cluster(db, home, ctx) if aurora else None
    if member is not None and (member.status == PASS or undecided is None):
        return member
    if undecided is not None:
        return undecided
    detail = f" ({'; '.join(same)}, not another region)" if same else ""
    missing = "not a member of an Aurora global database and no replica cluster in another region" if aurora \
        else "no automated-backups replication or read replica in another region"
    return _not_copied(f"{missing}{detail}", db, ctx)


def _aurora_member(db: DbInstance | DbCluster) -> bool:
    return isinstance(db, DbInstance) and (isinstance(db.cluster, str) or _is_aurora(db.engine))


def rds_instance_backup_retention(db: DbInstance | DbCluster, ctx: Context) -> Verdict:
    """Automated backups are kept for at least min_days days."""
    if _aurora_member(db):
        return not_applicable("an Aurora member; the cluster's backup retention applies")
    if isinstance(db, DbInstance) and isinstance(db.replicate_source_db, str):
        return not_applicable("a read replica; the source's backups cover the data")
    days, need = db.backup_retention_period, int(ctx.params.get("min_days", 7))
    if is_unknown(days):
        return unknown_field("backup_retention_period", days)
    if days is None:
        return failed(f"backup_retention_period is not set: RDS keeps automated backups for 1 day by default, "
                      f"fewer than the {need} required")
    if days == 0:
        return failed("automated backups are disabled (backup_retention_period is 0)")
    if days < need:
        return failed(f"automated backups kept {days} day(s), fewer than the {need} required")
    return passed(f"automated backups kept {days} days (at least {need})")


def rds_instance_deletion_protection(db: DbInstance | DbCluster, ctx: Context) -> Verdict:
    """The database cannot be deleted until deletion protection is turned off."""
    if _aurora_member(db):
        return not_applicable("an Aurora member; deletion protection is set on the cluster")
    if is_unknown(db.deletion_protection):
        return unknown_field("deletion_protection", db.deletion_protection)
    if not db.deletion_protection:
        return failed("deletion protection is off: one API call or stack deletion deletes the database")
    return passed("deletion protection is on")


# -- DynamoDB and AWS Backup -----------------------------------------------------------


def dynamodb_table_cross_region_replica(table: DynamoDbTable, ctx: Context) -> Verdict:
    """A global table with a replica in another region."""
    exempt = _exempt(table, ctx)
    if exempt:
        return exempt
    replicas = table.replica_regions
    if is_unknown(replicas):
        return unknown_field("replicas", replicas)
    home = _own_region(table)
    if isinstance(home, Verdict):
        return home
    others = sorted({r for r in replicas if isinstance(r, str) and r != home})
    if others:
        return passed(f"replicas in {', '.join(others)}", replica_regions=others)
    pending = next((r for r in replicas if isinstance(r, Unknown)), None)
    if pending is not None:
        return unknown(f"the region of a replica is unknown: {pending.reason}")
    return _not_copied(f"no replica in another region: the table exists only in {home}", table, ctx)


def backup_plan_cross_region_copy(plan: BackupPlan, ctx: Context) -> Verdict:
    """A rule of the plan copies each recovery point to a vault in another region."""
    rules = plan.rules
    if is_unknown(rules):
        return unknown_field("rules", rules)
    if not rules:
        return failed("the plan has no rules")
    home = _own_region(plan)
    if isinstance(home, Verdict):
        return home
    same: list[str] = []
    undecided: Verdict | None = None
    for rule in rules:
        name = rule.rule_name if isinstance(rule.rule_name, str) else "a rule"
        if is_unknown(rule.copy_actions):
            undecided = undecided or unknown(f"the copy actions of rule {name} are unknown: "
                                             f"{rule.copy_actions.reason}")
            continue
        for action in rule.copy_actions:
            region = action.destination_region
            vault = queries.label(ctx.inventory, action.destination_vault)
            if is_unknown(region):
                undecided = undecided or unknown(f"rule {name} copies to vault {vault}, whose region is unknown: "
                                                 f"{region.reason}")
            elif isinstance(region, str) and region != home:
                return passed(f"rule {name} copies recovery points to vault {vault} in {region}",
                              destination_region=region)
            else:
                same.append(f"rule {name} copies to vault {vault} in {region or home}, the plan's own region")
    if undecided is not None:
        return undecided
    if same:
        return failed("; ".join(same))
    return failed("no rule copies recovery points to a vault in another region")
