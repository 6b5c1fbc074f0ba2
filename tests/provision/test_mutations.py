"""Mutation tests: break one compliance property of the spec, provision the mutated stack
in moto and render it; the policy that watches the property fails, in the live audit and
in the template scan, and every other policy keeps its verdict.

The base is the reference stack with two AZs (the smaller choice of the command line, so
that one AZ fewer is one AZ too few) and 500 GB of database storage (so that ten times
as much passes the production bound of 4000 GB).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackproof.cli import main
from stackproof.provision.blueprint import build
from stackproof.provision.render import render
from stackproof.provision.spec import DatabaseSpec, NetworkSpec, StackSpec
from stackproof.run import write_files
from tests.provision.account import REGION, STACK, applier, fresh_account, represent_cache_members, spec

Key = tuple[str, str, str]  # (policy, resource kind, resource name)


def base(certificate: str) -> StackSpec:
    return spec(certificate, network=NetworkSpec(az_count=2),
                database=DatabaseSpec(dr="read-replica", storage_gb=500))


def fail(policy: str, kind: str, *names: str) -> frozenset[Key]:
    return frozenset((policy, f"aws.{kind}", f"{STACK}-{name}") for name in names)


@dataclass(frozen=True)
class Mutation:
    name: str
    change: Callable[[StackSpec], StackSpec]
    fails: frozenset[Key]  # FAIL in the audit and in the template scan
    live_fails: frozenset[Key] = field(default_factory=frozenset)  # FAIL in the audit only


def _db(**changes) -> Callable[[StackSpec], StackSpec]:
    return lambda s: replace(s, database=replace(s.database, **changes))


def _part(part: str, **changes) -> Callable[[StackSpec], StackSpec]:
    return lambda s: replace(s, **{part: replace(getattr(s, part), **changes)})


BUCKETS = ("assets-eu-west-2", "assets-eu-west-1", "trail-eu-west-2", "trail-eu-west-1")
ENCRYPTION_OFF = {
    # A read replica inherits its source's encryption: the audit sees it unencrypted too;
    # the template cannot state it (see test_closed_loop.TEMPLATE_CANNOT_STATE).
    "database": Mutation("database unencrypted", _db(encrypted=False),
                         fail("rds_instance_storage_encrypted", "rds.db_instance", "db"),
                         fail("rds_instance_storage_encrypted", "rds.db_instance", "db-dr")),
    "cache": Mutation("cache unencrypted at rest", _part("cache", at_rest_encryption=False),
                      fail("elasticache_replication_group_encrypted", "elasticache.replication_group", "cache")),
    "buckets": Mutation("buckets on SSE-S3, not KMS", _part("storage", kms_encryption=False),
                        fail("s3_bucket_encrypted", "s3.bucket", *BUCKETS)),
    "queue": Mutation("queue unencrypted", lambda s: replace(s, queue_encrypted=False),
                      fail("sqs_queue_encrypted", "sqs.queue", "jobs")),
    "volumes": Mutation("app volumes unencrypted", _part("app", volume_encrypted=False),
                        fail("ebs_volume_encrypted", "ec2.launch_template", "app")),
    "trail": Mutation("trail logs unencrypted", lambda s: replace(s, trail_encrypted=False),
                      fail("cloudtrail_trail_encrypted", "cloudtrail.trail", "trail")),
}
REPLICATION = {
    ("buckets", "removed"): Mutation("bucket replication removed", _part("storage", replicate=False),
                                     fail("s3_bucket_cross_region_replication", "s3.bucket",
                                          "assets-eu-west-2", "trail-eu-west-2")),
    ("buckets", "same region"): Mutation("buckets replicated within their region",
                                         _part("storage", replica_region=REGION),
                                         fail("s3_bucket_cross_region_replication", "s3.bucket",
                                              "assets-eu-west-2", "trail-eu-west-2")),
    ("database", "removed"): Mutation("database copy removed", _db(dr="none"),
                                      fail("rds_instance_cross_region_backup", "rds.db_instance", "db")),
    ("database", "same region"): Mutation("database replica in its own region", _db(dr_region=REGION),
                                          fail("rds_instance_cross_region_backup", "rds.db_instance", "db")),
}
ONE_AZ_FEWER = Mutation("one AZ fewer", _part("network", az_count=1),
                        fail("autoscaling_group_multi_az", "autoscaling.group", "app")
                        | fail("lb_multi_az", "elb.load_balancer", "alb")
                        | fail("db_subnet_group_multi_az", "rds.db_subnet_group", "data")
                        | fail("db_subnet_group_multi_az", "elasticache.subnet_group", "cache-data"))
SHARED_NAT = Mutation("one NAT gateway for both AZs", _part("network", nat_per_az=False),
                      fail("nat_gateway_per_az", "ec2.subnet", "app-b"))
DATA_ROUTE = Mutation("data subnets routed to the internet gateway", _part("network", data_internet_route=True),
                      fail("subnet_data_tier_private", "ec2.subnet", "data-a", "data-b"))
STORAGE_X10 = Mutation("database storage multiplied by ten", _db(storage_gb=5000),
                       fail("storage_size_within_bounds", "rds.db_instance", "db", "db-dr"))


def desired_above_max(excess: int) -> Mutation:
    # AWS refuses this at CreateAutoScalingGroup; moto accepts it, and the template states it.
    return Mutation(f"desired capacity {excess} above max",
                    lambda s: _part("app", desired_capacity=s.app_sizes[1] + excess)(s),
                    fail("autoscaling_group_capacity_consistent", "autoscaling.group", "app"))


# Opening the database's group to 0.0.0.0/0 (and its network ACL, so that it is really
# open at that layer) opens no path: the data subnets have no route to the internet, the
# database no public address, and the only other tier's resource, the load balancer, may
# send only to the app tier on its port. The catalogue judges paths, so no verdict
# changes; see test_opening_the_database_group_alone_opens_no_path.
DB_OPEN = Mutation("database group opened to 0.0.0.0/0", _db(open_to=("0.0.0.0/0",)), frozenset())

mutations = st.one_of(
    st.sampled_from(sorted(ENCRYPTION_OFF)).map(ENCRYPTION_OFF.__getitem__),
    st.sampled_from(sorted(REPLICATION)).map(REPLICATION.__getitem__),
    st.sampled_from([ONE_AZ_FEWER, SHARED_NAT, DATA_ROUTE, STORAGE_X10]),
    st.integers(min_value=1, max_value=5).map(desired_above_max),
)
EVERY_MUTATION = [*ENCRYPTION_OFF.values(), *REPLICATION.values(), ONE_AZ_FEWER, SHARED_NAT, DATA_ROUTE,
                  STORAGE_X10, desired_above_max(1)]


# -- running a stack through both sources ----------------------------------------------


def verdicts(results: list[dict]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    for r in results:
        if r["kind"] == "aws.ec2.volume":
            continue  # named by id only, so not comparable between two accounts
        key = (r["policy"], r["kind"], r.get("name") or r["resource"])
        # instances of one group share their name; their verdicts must agree
        assert found.get(key, r["status"]) == r["status"] or r["kind"] == "aws.ec2.instance", key
        found[key] = r["status"]
    return found


def scan_template(stack: StackSpec, folder) -> dict[Key, str]:
    write_files(folder / "cfn", {t.filename: t.text() for t in render(build(stack))})
    main(["scan", str(folder / "cfn" / f"{stack.name}.yaml"), "--region", stack.region, "--format", "json",
          "--output-dir", str(folder / "scan")])
    return verdicts(json.loads((folder / "scan" / "results.json").read_text())["results"])


def audit_account(moto, stack: StackSpec, folder) -> dict[Key, str]:
    main(["audit", "--endpoint-url", moto.url, "--regions", f"{stack.region},{stack.dr_region}", "--format",
          "json", "--output-dir", str(folder / "audit"), "--max-attempts", "2"])
    return verdicts(json.loads((folder / "audit" / "results.json").read_text())["results"])


def provision(moto, change: Callable[[StackSpec], StackSpec], folder) -> tuple[dict, dict]:
    """(live verdicts, template verdicts) of the base stack with change applied."""
    stack = change(base(fresh_account(moto)))
    applier(moto, stack).apply()
    represent_cache_members(moto, stack)
    return audit_account(moto, stack, folder), scan_template(stack, folder)


@pytest.fixture(scope="module")
def baseline(moto_server, tmp_path_factory):
    return provision(moto_server, lambda s: s, tmp_path_factory.mktemp("baseline"))


def changed(before: dict[Key, str], after: dict[Key, str]) -> dict[Key, tuple[str, str]]:
    return {k: (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]}


def expect(mutation: Mutation, live: bool) -> dict[Key, tuple[str, str]]:
    keys = mutation.fails | (mutation.live_fails if live else frozenset())
    return {key: ("PASS", "FAIL") for key in keys}


# -- the tests ---------------------------------------------------------------------------


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations)
def test_a_broken_property_fails_its_policy_and_nothing_else(moto_server, baseline, tmp_path_factory, mutation):
    live, template = provision(moto_server, mutation.change, tmp_path_factory.mktemp("mutation"))
    base_live, base_template = baseline
    assert changed(base_live, live) == expect(mutation, live=True), mutation.name
    assert changed(base_template, template) == expect(mutation, live=False), mutation.name


@pytest.mark.parametrize("mutation", EVERY_MUTATION, ids=lambda m: m.name)
def test_every_mutation_fails_its_policy_in_the_template(baseline, tmp_path, mutation):
    """Every mutation, whatever hypothesis draws above: the template side, without moto."""
    stack = mutation.change(base("arn:aws:acm:eu-west-2:111122223333:certificate/x"))
    assert changed(baseline[1], scan_template(stack, tmp_path)) == expect(mutation, live=False)


def test_opening_the_database_group_alone_opens_no_path(moto_server, baseline, tmp_path):
    live, template = provision(moto_server, DB_OPEN.change, tmp_path)
    assert changed(baseline[0], live) == {} and changed(baseline[1], template) == {}
    db_group = moto_server.clients()("ec2", REGION).describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{STACK}-db"]}])["SecurityGroups"][0]
    opened = [r["CidrIp"] for p in db_group["IpPermissions"] for r in p.get("IpRanges", [])]
    assert opened == ["0.0.0.0/0"], "the mutation did open the group"
    assert live[("network_data_store_not_internet_reachable", "aws.rds.db_instance", f"{STACK}-db")] == "PASS"
    assert live[("network_tier_isolation", "aws.rds.db_instance", f"{STACK}-db")] == "PASS"
