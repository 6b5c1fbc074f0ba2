"""Availability rules, reached through the catalogue: PASS, FAIL and UNKNOWN for each.

Each case is (policy, resource, its neighbours in the inventory, parameter overrides,
status, words the message must contain). Factories build compliant resources; a case
changes the one thing it tests.
"""
from __future__ import annotations

import pytest

from stackproof.model import (
    AutoScalingGroup,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    LoadBalancer,
    NatGateway,
    RouteTable,
    Subnet,
    Unknown,
    Vpc,
)
from tests.factories import context, make, route

LATER = Unknown("known after apply")
AZ = {"a": "eu-west-2a", "b": "eu-west-2b", "c": "eu-west-2c"}


def subnet(key: str, zone: str | Unknown | None, **fields) -> Subnet:
    return make(Subnet, key, availability_zone=AZ.get(zone, zone) if isinstance(zone, str) else zone, **fields)


def spread(*zones: str) -> list[Subnet]:
    """One subnet per letter, keyed s-<index>-<letter>."""
    return [subnet(f"s-{i}-{z}", z) for i, z in enumerate(zones)]


def keys(subnets: list[Subnet]) -> tuple[str, ...]:
    return tuple(s.key for s in subnets)


def aurora(key: str = "cluster", **fields) -> DbCluster:
    return make(DbCluster, key, **{"engine": "aurora-postgresql", "engine_mode": "provisioned", **fields})


def member(key: str, zone: str | Unknown | None, cluster: str = "cluster") -> DbInstance:
    placed = AZ.get(zone, zone) if isinstance(zone, str) else zone
    return make(DbInstance, key, engine="aurora-postgresql", cluster=cluster, multi_az=False, allocated_storage=None,
                max_allocated_storage=None, availability_zone=placed)


# -- a VPC with public subnets holding one NAT gateway per AZ, and app subnets -------------

PUBLIC = [subnet(f"public-{z}", z, vpc="vpc", route_table="rtb-public") for z in "abc"]
NATS = [make(NatGateway, f"nat-{z}", subnet=f"public-{z}") for z in "abc"]
VPC = make(Vpc, "vpc")
RTB_PUBLIC = make(RouteTable, "rtb-public", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),))


def nat_table(key: str, nat: str) -> RouteTable:
    return make(RouteTable, key, routes=(route("0.0.0.0/0", "nat_gateway", nat),))


def app(zone: str, nat: str, **fields) -> list:
    """An app subnet in `zone` whose own route table sends 0.0.0.0/0 to `nat`."""
    return [subnet(f"app-{zone}", zone, vpc="vpc", route_table=f"rtb-app-{zone}", **fields),
            nat_table(f"rtb-app-{zone}", nat)]


NETWORK = [VPC, *PUBLIC, *NATS, RTB_PUBLIC]
# One NAT gateway in eu-west-2a serving the app subnets of all three AZs.
ONE_NAT = [*NETWORK, *app("a", "nat-a")[1:], *app("b", "nat-a")[1:], *app("c", "nat-a")[1:]]


CASES = [
    # rds_instance_multi_az
    ("rds_instance_multi_az", make(DbInstance), [], {}, "PASS", "standby"),
    ("rds_instance_multi_az", make(DbInstance, multi_az=False), [], {}, "FAIL", "single-AZ"),
    ("rds_instance_multi_az", make(DbInstance, multi_az=LATER), [], {}, "UNKNOWN", "after apply"),
    ("rds_instance_multi_az", member("writer", "a"), [aurora()], {}, "NOT_APPLICABLE", "rds_cluster_multi_az"),
    # an Aurora-engine instance without a cluster in the inputs (checkov's "UNKNOWN" file)
    ("rds_instance_multi_az", make(DbInstance, engine="aurora-mysql", multi_az=False), [], {},
     "NOT_APPLICABLE", "Aurora"),

    # rds_cluster_multi_az
    ("rds_cluster_multi_az", aurora(), [member("w", "a"), member("r", "b")], {}, "PASS", "2 AZs"),
    ("rds_cluster_multi_az", aurora(), [member("w", "a")], {}, "FAIL", "one instance"),
    ("rds_cluster_multi_az", aurora(), [member("w", "a"), member("r", "a")], {}, "FAIL", "all in eu-west-2a"),
    ("rds_cluster_multi_az", aurora(), [member("w", "a"), member("r", "b")], {"min_azs": 3}, "FAIL", "fewer than 3"),
    ("rds_cluster_multi_az", aurora(), [member("w", None), member("r", None)], {}, "PASS", "different AZs"),
    ("rds_cluster_multi_az", aurora(), [member("w", "a"), member("r", LATER)], {}, "UNKNOWN", "after apply"),
    ("rds_cluster_multi_az", aurora(), [], {}, "UNKNOWN", "no instance of this cluster"),
    ("rds_cluster_multi_az", aurora(), [member("w", "a"), member("r", "b", cluster="other")], {}, "FAIL",
     "one instance"),
    ("rds_cluster_multi_az", make(DbCluster, "cluster", engine="postgres"), [], {}, "PASS", "Multi-AZ DB cluster"),
    ("rds_cluster_multi_az", aurora(engine_mode="serverless"), [member("w", "a"), member("r", "b")], {},
     "FAIL", "Serverless v1"),

    # autoscaling_group_multi_az
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=keys(spread("a", "b", "c"))), spread("a", "b", "c"),
     {}, "PASS", "3 AZs"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=keys(spread("a", "a"))), spread("a", "a"), {},
     "FAIL", "1 AZ (eu-west-2a)"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=keys(spread("a", "b"))), spread("a", "b"),
     {"min_azs": 3}, "FAIL", "at least 3"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=LATER), [], {}, "UNKNOWN", "after apply"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=("subnet-0abc", "s-0-a")), spread("a"), {},
     "UNKNOWN", "subnet-0abc is not in the inputs"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=("s-x",)), [subnet("s-x", LATER)], {},
     "UNKNOWN", "after apply"),
    ("autoscaling_group_multi_az", make(AutoScalingGroup, subnets=(), availability_zones=("eu-west-2a", "eu-west-2b")),
     [], {}, "PASS", "2 AZs"),

    # lb_multi_az
    ("lb_multi_az", make(LoadBalancer, subnets=keys(spread("a", "b"))), spread("a", "b"), {}, "PASS", "2 AZs"),
    ("lb_multi_az", make(LoadBalancer, lb_type="network", subnets=keys(spread("a"))), spread("a"), {}, "FAIL",
     "1 AZ"),
    ("lb_multi_az", make(LoadBalancer, subnets=LATER), [], {}, "UNKNOWN", "after apply"),
    ("lb_multi_az", make(LoadBalancer, lb_type="classic", availability_zones=("eu-west-2a",)), [], {}, "FAIL",
     "1 AZ"),

    # db_subnet_group_multi_az (database and cache subnet groups)
    ("db_subnet_group_multi_az", make(DbSubnetGroup, subnets=keys(spread("a", "b"))), spread("a", "b"), {},
     "PASS", "2 AZs"),
    ("db_subnet_group_multi_az", make(ElastiCacheSubnetGroup, subnets=keys(spread("c", "c"))), spread("c", "c"), {},
     "FAIL", "1 AZ (eu-west-2c)"),
    ("db_subnet_group_multi_az", make(DbSubnetGroup, subnets=LATER), [], {}, "UNKNOWN", "after apply"),

    # elasticache_replication_group_multi_az
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup), [], {}, "PASS", "3 nodes"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, automatic_failover=False,
                                                    multi_az=False), [], {}, "FAIL", "automatic failover and Multi-AZ off"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, multi_az=False), [], {}, "FAIL",
     "Multi-AZ off"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, num_cache_clusters=1), [], {},
     "FAIL", "no replica"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, num_cache_clusters=None,
                                                    num_node_groups=3, replicas_per_node_group=1), [], {},
     "PASS", "3 shards of 2 nodes"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, num_cache_clusters=None,
                                                    num_node_groups=3, replicas_per_node_group=0), [], {},
     "FAIL", "no replica"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, automatic_failover=LATER), [], {},
     "UNKNOWN", "automatic_failover"),
    ("elasticache_replication_group_multi_az", make(ElastiCacheReplicationGroup, num_cache_clusters=LATER), [], {},
     "UNKNOWN", "number of nodes"),

    # nat_gateway_per_az
    ("nat_gateway_per_az", app("b", "nat-b")[0], [*NETWORK, app("b", "nat-b")[1]], {}, "PASS", "same AZ"),
    # one NAT gateway in eu-west-2a serving three AZs: the subnets of the other two fail
    ("nat_gateway_per_az", app("a", "nat-a")[0], ONE_NAT, {}, "PASS", "same AZ"),
    ("nat_gateway_per_az", app("b", "nat-a")[0], ONE_NAT, {}, "FAIL", "an outage of eu-west-2a"),
    ("nat_gateway_per_az", app("c", "nat-a")[0], ONE_NAT, {}, "FAIL", "NAT gateway nat-a in eu-west-2a"),
    ("nat_gateway_per_az", PUBLIC[0], NETWORK, {}, "NOT_APPLICABLE", "nothing through a NAT gateway"),
    ("nat_gateway_per_az", subnet("lonely", "a", vpc="vpc"), NETWORK, {}, "NOT_APPLICABLE", "default main route"),
    # no association: the VPC's main table decides, and it routes to the NAT in eu-west-2a
    ("nat_gateway_per_az", subnet("app-main", "b", vpc="vpc"),
     [*NETWORK[1:], make(Vpc, "vpc", main_route_table="rtb-main"), nat_table("rtb-main", "nat-a")], {},
     "FAIL", "in eu-west-2b"),
    ("nat_gateway_per_az", app("b", "nat-0123456789abcdef0")[0], [*NETWORK, app("b", "nat-0123456789abcdef0")[1]],
     {}, "UNKNOWN", "nat-0123456789abcdef0 is not in the inputs"),
    ("nat_gateway_per_az", subnet("app-b", LATER, vpc="vpc", route_table="rtb-app-b"),
     [*NETWORK, app("b", "nat-b")[1]], {}, "UNKNOWN", "after apply"),
    ("nat_gateway_per_az", app("b", "nat-b")[0], [*NETWORK, make(RouteTable, "rtb-app-b", routes=LATER)], {},
     "UNKNOWN", "routes of rtb-app-b"),
]


@pytest.mark.parametrize("policy,resource,others,params,status,words", CASES,
                         ids=[f"{c[0]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_rule(catalogue, policy, resource, others, params, status, words):
    rule = catalogue.check(policy)
    merged = {**catalogue.policy(policy).params, **params}
    neighbours = [o for o in others if o.key != resource.key]
    verdict = rule(resource, context(resource, *neighbours, params=merged))
    assert verdict.status == status, verdict.message
    assert words in verdict.message


def test_every_availability_policy_has_pass_fail_and_unknown_cases(catalogue):
    covered = {(case[0], case[4]) for case in CASES}
    for policy in catalogue:
        if policy.area == "availability":
            for status in ("PASS", "FAIL", "UNKNOWN"):
                assert (policy.id, status) in covered, f"{policy.id} has no {status} case"
