"""Availability: no single Availability Zone whose loss stops a tier."""
from __future__ import annotations

from stackproof import queries
from stackproof.model import (
    AutoScalingGroup,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    LoadBalancer,
    NatGateway,
    Subnet,
    Unknown,
)
from stackproof.rules import (
    Context,
    Verdict,
    failed,
    is_unknown,
    not_applicable,
    passed,
    unknown,
    unknown_field,
)


def _is_aurora(engine: object) -> bool:
    return isinstance(engine, str) and engine.startswith("aurora")


def _min_azs(ctx: Context) -> int:
    return int(ctx.params.get("min_azs", 2))


# -- RDS -------------------------------------------------------------------------------


def rds_instance_multi_az(db: DbInstance, ctx: Context) -> Verdict:
    """A standalone RDS instance runs a synchronous standby in a second AZ."""
    if isinstance(db.cluster, str) or _is_aurora(db.engine):
        which = queries.label(ctx.inventory, db.cluster) if isinstance(db.cluster, str) else "its Aurora cluster"
        return not_applicable(f"a member of {which}; availability is the cluster's (rds_cluster_multi_az)")
    if is_unknown(db.multi_az):
        return unknown_field("multi_az", db.multi_az)
    if db.multi_az:
        return passed("Multi-AZ: a synchronous standby in a second AZ takes over on failure")
    return failed("single-AZ (multi_az is false): an outage of its AZ stops the database")


def rds_cluster_multi_az(cluster: DbCluster, ctx: Context) -> Verdict:
    """An Aurora cluster has instances in at least min_azs AZs, so a reader can take over."""
    if isinstance(cluster.engine, str) and not _is_aurora(cluster.engine):
        return passed(f"a Multi-AZ DB cluster ({cluster.engine}): a writer and two readers in three AZs")
    if cluster.engine_mode == "serverless":
        return failed("Aurora Serverless v1 runs one compute instance in one AZ; after an AZ failure it is "
                      "recreated elsewhere, a restart rather than a failover")
    members = queries.instances_by_cluster(ctx.inventory).get(cluster.key, [])
    if not members:
        return unknown("no instance of this cluster is in the inputs, so where it runs is not known")
    if len(members) == 1:
        return failed(f"one instance ({members[0].prov.address}): no reader in another AZ to fail over to")
    need = _min_azs(ctx)
    zones = {m.availability_zone for m in members if isinstance(m.availability_zone, str)}
    unplaced = [m for m in members if m.availability_zone is None]
    undecided = [m for m in members if is_unknown(m.availability_zone)]
    if len(zones) >= need:
        return passed(f"{len(members)} instances in {len(zones)} AZs ({', '.join(sorted(zones))})")
    if unplaced and len(zones) + len(unplaced) >= need:
        # CreateDBCluster: RDS places the first three instances in different AZs.
        return passed(f"{len(members)} instances; {len(unplaced)} name no AZ, and RDS places a cluster's first "
                      "three instances in different AZs")
    if undecided:
        return unknown(f"the AZ of {undecided[0].prov.address} is unknown: {undecided[0].availability_zone.reason}")
    return failed(f"{len(members)} instances, all in {', '.join(sorted(zones))}: fewer than {need} AZs")


# -- groups of subnets: auto scaling groups, load balancers, subnet groups -------------


def _zones_of(subnets: object, zones: object, ctx: Context) -> set[str] | Verdict:
    """The distinct AZs a resource's subnets (or its explicit AZ list) cover, or a verdict
    saying why they cannot be told."""
    if is_unknown(subnets):
        if isinstance(zones, tuple) and zones:
            return set(zones)
        return unknown_field("subnets", subnets)
    if subnets:
        found: set[str] = set()
        for key in subnets:
            subnet = ctx.get(key)
            if not isinstance(subnet, Subnet):
                return unknown(f"subnet {key} is not in the inputs, so its AZ is not known")
            zone = subnet.availability_zone
            if is_unknown(zone):
                return unknown(f"the AZ of subnet {queries.label(ctx.inventory, key)} is unknown: {zone.reason}")
            if zone is None:
                return unknown(f"subnet {queries.label(ctx.inventory, key)} names no AZ; AWS picks one")
            found.add(zone)
        return found
    if is_unknown(zones):
        return unknown_field("availability_zones", zones)
    return set(zones or ())


def _spread(subnets: object, zones: object, ctx: Context, what: str) -> Verdict:
    found = _zones_of(subnets, zones, ctx)
    if isinstance(found, Verdict):
        return found
    need = _min_azs(ctx)
    if not found:
        return failed(f"{what} names no subnet or AZ")
    listed = ", ".join(sorted(found))
    if len(found) < need:
        return failed(f"{what} covers {len(found)} AZ ({listed}); at least {need} required", azs=sorted(found))
    return passed(f"{what} covers {len(found)} AZs ({listed})", azs=sorted(found))


def autoscaling_group_multi_az(group: AutoScalingGroup, ctx: Context) -> Verdict:
    """The group can launch instances in at least min_azs AZs."""
    return _spread(group.subnets, group.availability_zones, ctx, "the group")


def lb_multi_az(lb: LoadBalancer, ctx: Context) -> Verdict:
    """The load balancer has nodes in at least min_azs AZs."""
    return _spread(lb.subnets, lb.availability_zones, ctx, "the load balancer")


def db_subnet_group_multi_az(group: DbSubnetGroup | ElastiCacheSubnetGroup, ctx: Context) -> Verdict:
    """A database or cache subnet group spans at least min_azs AZs, so a standby has somewhere to go."""
    return _spread(group.subnets, (), ctx, "the subnet group")


# -- ElastiCache -----------------------------------------------------------------------


def _cache_nodes(group: ElastiCacheReplicationGroup) -> tuple[int, int] | Unknown | None:
    """(shards, nodes per shard), or an Unknown, or None when the input does not say."""
    shards, replicas, nodes = group.num_node_groups, group.replicas_per_node_group, group.num_cache_clusters
    count = shards if isinstance(shards, int) and shards > 0 else 1
    if isinstance(replicas, int):  # cluster mode: shards of one primary and its replicas
        return shards if is_unknown(shards) else (count, 1 + replicas)
    if isinstance(nodes, int):  # total nodes
        return count, nodes // count
    for value in (nodes, replicas, shards):
        if is_unknown(value):
            return value
    return None


def elasticache_replication_group_multi_az(group: ElastiCacheReplicationGroup, ctx: Context) -> Verdict:
    """Automatic failover and Multi-AZ are on, with a replica to fail over to."""
    for name, value in (("automatic_failover", group.automatic_failover), ("multi_az", group.multi_az)):
        if is_unknown(value):
            return unknown_field(name, value)
    off = [name for name, value in (("automatic failover", group.automatic_failover),
                                    ("Multi-AZ", group.multi_az)) if not value]
    layout = _cache_nodes(group)
    if off:
        return failed(f"{' and '.join(off)} off: losing the primary's AZ stops writes until it is rebuilt")
    if is_unknown(layout):
        return unknown(f"the number of nodes is unknown: {layout.reason}")
    if layout is None:
        return unknown("the input states neither num_cache_clusters nor shards and replicas")
    shards, per_shard = layout
    if per_shard < 2:
        return failed(f"{per_shard} node per shard: no replica to fail over to")
    where = f"{shards} shards of {per_shard} nodes" if shards > 1 else f"{per_shard} nodes"
    return passed(f"automatic failover and Multi-AZ on, {where}")


# -- NAT gateways ----------------------------------------------------------------------


def _nat_zone(nat_key: object, ctx: Context) -> str | Verdict:
    nat = ctx.get(nat_key)
    if not isinstance(nat, NatGateway):
        return unknown(f"NAT gateway {nat_key} is not in the inputs, so its AZ is not known")
    subnet = ctx.get(nat.subnet)
    if not isinstance(subnet, Subnet):
        where = nat.subnet.reason if is_unknown(nat.subnet) else f"{nat.subnet} is not in the inputs"
        return unknown(f"the subnet of NAT gateway {queries.label(ctx.inventory, nat_key)} is unknown: {where}")
    zone = subnet.availability_zone
    if not isinstance(zone, str):
        reason = zone.reason if is_unknown(zone) else "not set"
        return unknown(f"the AZ of NAT gateway {queries.label(ctx.inventory, nat_key)} is unknown: {reason}")
    return zone


def nat_gateway_per_az(subnet: Subnet, ctx: Context) -> Verdict:
    """A private subnet reaches the internet through a NAT gateway in its own AZ."""
    table = queries.subnet_routes(ctx.inventory, subnet)
    if is_unknown(table):
        return unknown(f"the subnet's route table is unknown: {table.reason}")
    if is_unknown(table.routes):
        return unknown(f"the routes of {table.table or table.label} are unknown: {table.routes.reason}")
    nat_routes = [r for r in table.routes if r.target_type == "nat_gateway" and not r.blackhole]
    if not nat_routes and table.table is None:
        return not_applicable("uses the VPC's default main route table, which routes nothing through a NAT gateway")
    if not nat_routes:
        return not_applicable(f"{table.label} routes nothing through a NAT gateway")
    zone = subnet.availability_zone
    if not isinstance(zone, str):
        return unknown(f"the subnet's AZ is unknown: {zone.reason}") if is_unknown(zone) else unknown(
            "the subnet names no AZ; AWS picks one")
    elsewhere, undecided = [], None
    for route in nat_routes:
        nat_zone = _nat_zone(route.target, ctx)
        if isinstance(nat_zone, Verdict):
            undecided = undecided or nat_zone
        elif nat_zone != zone:
            elsewhere.append((route, nat_zone))
    if elsewhere:
        route, nat_zone = elsewhere[0]
        return failed(f"in {zone}, but routes {route.destination} to NAT gateway "
                      f"{queries.label(ctx.inventory, route.target)} in {nat_zone}: an outage of {nat_zone} "
                      "cuts this subnet off the internet", nat_gateway=str(route.target), nat_az=nat_zone, az=zone)
    if undecided is not None:
        return undecided
    names = ", ".join(queries.label(ctx.inventory, r.target) for r in nat_routes)
    return passed(f"in {zone}, routed through NAT gateway {names} in the same AZ")
