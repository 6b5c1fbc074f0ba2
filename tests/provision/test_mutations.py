"""Mutation tests: break a compliance property of the spec, provision the mutated stack in
moto and render it; the policy that watches the property fails, in the live audit and in
the template scan, and every other policy keeps its verdict.

Every mutation runs live once per test run (parametrized); hypothesis draws pairs of
mutations that touch different parts of the spec, whose failures must add up.

The base is the reference stack tuned so that each mutation crosses a bound:
- two AZs, the smaller choice of the command line: one AZ fewer leaves one, which the
  multi-AZ policies fail (from three, one fewer would still be two, which passes);
- 500 GB of database storage: storage_size_within_bounds allows 4000 GB in prod, so ten
  times the base (5000 GB) crosses it, where ten times the reference's 100 GB would not.
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
ABSENT = "(no such resource)"


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
    touches: frozenset[str] = frozenset()  # parts of the spec it changes: a pair must not share one

    def __str__(self) -> str:
        return self.name


def _db(**changes) -> Callable[[StackSpec], StackSpec]:
    return lambda s: replace(s, database=replace(s.database, **changes))


def _part(part: str, **changes) -> Callable[[StackSpec], StackSpec]:
    return lambda s: replace(s, **{part: replace(getattr(s, part), **changes)})


def _and(*changes: Callable[[StackSpec], StackSpec]) -> Callable[[StackSpec], StackSpec]:
    def change(s: StackSpec) -> StackSpec:
        for one in changes:
            s = one(s)
        return s
    return change


DATABASE, STORAGE, NETWORK = frozenset({"database"}), frozenset({"storage"}), frozenset({"network"})
BUCKETS = ("assets-eu-west-2", "assets-eu-west-1", "trail-eu-west-2", "trail-eu-west-1")
ENCRYPTION_OFF = [
    # A read replica inherits its source's encryption: the audit sees it unencrypted too;
    # the template cannot state it (see test_closed_loop.TEMPLATE_CANNOT_STATE).
    Mutation("database unencrypted", _db(encrypted=False),
             fail("rds_instance_storage_encrypted", "rds.db_instance", "db"),
             fail("rds_instance_storage_encrypted", "rds.db_instance", "db-dr"), DATABASE),
    Mutation("cache unencrypted at rest", _part("cache", at_rest_encryption=False),
             fail("elasticache_replication_group_encrypted", "elasticache.replication_group", "cache"),
             touches=frozenset({"cache"})),
    Mutation("buckets on SSE-S3, not KMS", _part("storage", kms_encryption=False),
             fail("s3_bucket_encrypted", "s3.bucket", *BUCKETS), touches=STORAGE),
    Mutation("queue unencrypted", lambda s: replace(s, queue_encrypted=False),
             fail("sqs_queue_encrypted", "sqs.queue", "jobs"), touches=frozenset({"queue"})),
    Mutation("app volumes unencrypted", _part("app", volume_encrypted=False),
             fail("ebs_volume_encrypted", "ec2.launch_template", "app"), touches=frozenset({"app.volumes"})),
    Mutation("trail logs unencrypted", lambda s: replace(s, trail_encrypted=False),
             fail("cloudtrail_trail_encrypted", "cloudtrail.trail", "trail"), touches=frozenset({"trail"})),
]
REPLICATION = [
    Mutation("bucket replication removed", _part("storage", replicate=False),
             fail("s3_bucket_cross_region_replication", "s3.bucket", "assets-eu-west-2", "trail-eu-west-2"),
             touches=STORAGE),
    Mutation("buckets replicated within their region", _part("storage", replica_region=REGION),
             fail("s3_bucket_cross_region_replication", "s3.bucket", "assets-eu-west-2", "trail-eu-west-2"),
             touches=STORAGE),
    Mutation("database copy removed", _db(dr="none"),
             fail("rds_instance_cross_region_backup", "rds.db_instance", "db"), touches=DATABASE),
    Mutation("database replica in its own region", _db(dr_region=REGION),
             fail("rds_instance_cross_region_backup", "rds.db_instance", "db"), touches=DATABASE),
]
AVAILABILITY_AND_CAPACITY = [
    Mutation("one AZ fewer", _part("network", az_count=1),
             fail("autoscaling_group_multi_az", "autoscaling.group", "app")
             | fail("lb_multi_az", "elb.load_balancer", "alb")
             | fail("db_subnet_group_multi_az", "rds.db_subnet_group", "data")
             | fail("db_subnet_group_multi_az", "elasticache.subnet_group", "cache-data"), touches=NETWORK),
    Mutation("one NAT gateway for both AZs", _part("network", nat_per_az=False),
             fail("nat_gateway_per_az", "ec2.subnet", "app-b"), touches=NETWORK),
    Mutation("data subnets routed to the internet gateway", _part("network", data_internet_route=True),
             fail("subnet_data_tier_private", "ec2.subnet", "data-a", "data-b"), touches=NETWORK),
    Mutation("database storage multiplied by ten", _db(storage_gb=5000),
             fail("storage_size_within_bounds", "rds.db_instance", "db", "db-dr"), touches=DATABASE),
]


def desired_above_max(excess: int) -> Mutation:
    # AWS refuses this at CreateAutoScalingGroup; moto accepts it, and the template states it.
    return Mutation(f"desired capacity {excess} above max",
                    lambda s: _part("app", desired_capacity=s.app_sizes[1] + excess)(s),
                    fail("autoscaling_group_capacity_consistent", "autoscaling.group", "app"),
                    touches=frozenset({"app.capacity"}))


# The database's port opened to 0.0.0.0/0, layer by layer. With its group opened (and its
# ACL admitting the port from anywhere: database.open_to does both), two barriers are left
# between the web tier and the database, each enough on its own: the balancer's group
# sends only to the app tier on its port, and the data ACL lets replies out only to the
# app and data tiers. From the internet there is no way at all: the data subnets have no
# route to the internet gateway and the database has no public address. So opening the
# group changes no verdict, nor does opening the ACL with it, nor the balancer's egress
# with it; only all three together let the web tier reach the data tier, and
# network_tier_isolation fails the database (web -> data on tcp/5432). The database
# stays unreachable from the internet throughout. The live audit gives the same FAIL: it
# reads the entries of the S3 prefix list that the data subnets' route to the gateway
# endpoint names, so that route is known not to carry web -> data.
OPEN_GROUP = _db(open_to=("0.0.0.0/0",))
OPEN_ACL = _part("network", data_acl_open=True)
OPEN_BALANCER = _part("network", balancer_egress_open=True)
DB_ACCESS = frozenset({"database.access"}) | NETWORK
DB_OPEN = [
    Mutation("database group opened to 0.0.0.0/0", OPEN_GROUP, frozenset(), touches=DB_ACCESS),
    Mutation("database group and data ACL opened", _and(OPEN_GROUP, OPEN_ACL), frozenset(), touches=DB_ACCESS),
    Mutation("database group and balancer egress opened", _and(OPEN_GROUP, OPEN_BALANCER), frozenset(),
             touches=DB_ACCESS),
    Mutation("database group, data ACL and balancer egress opened", _and(OPEN_GROUP, OPEN_ACL, OPEN_BALANCER),
             fail("network_tier_isolation", "rds.db_instance", "db"), touches=DB_ACCESS),
]
EVERY_MUTATION = [*ENCRYPTION_OFF, *REPLICATION, *AVAILABILITY_AND_CAPACITY, desired_above_max(1), *DB_OPEN]

one_mutation = st.one_of(st.sampled_from(EVERY_MUTATION), st.integers(min_value=2, max_value=5).map(desired_above_max))
two_apart = st.tuples(one_mutation, one_mutation).filter(lambda pair: not pair[0].touches & pair[1].touches)


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
    """Every verdict that differs, over the resources of both runs. A resource the mutation
    added must be compliant (a FAIL, UNKNOWN or ERROR on it is a change like any other);
    one it removed has no verdict left to keep."""
    differ = {}
    for key in before.keys() | after.keys():
        pair = (before.get(key, ABSENT), after.get(key, ABSENT))
        added_and_compliant = pair[0] == ABSENT and pair[1] in ("PASS", "NOT_APPLICABLE")
        if pair[0] != pair[1] and pair[1] != ABSENT and not added_and_compliant:
            differ[key] = pair
    return differ


def expect(mutations: list[Mutation], live: bool) -> dict[Key, tuple[str, str]]:
    keys = frozenset().union(*(m.fails | (m.live_fails if live else frozenset()) for m in mutations))
    return {key: ("PASS", "FAIL") for key in keys}


# -- the tests ---------------------------------------------------------------------------


def test_changed_sees_a_failure_on_a_resource_only_the_mutated_stack_has():
    before = {("p", "aws.s3.bucket", "a"): "PASS", ("p", "aws.s3.bucket", "gone"): "UNKNOWN"}
    after = {("p", "aws.s3.bucket", "a"): "PASS", ("p", "aws.s3.bucket", "new"): "FAIL",
             ("q", "aws.s3.bucket", "new"): "NOT_APPLICABLE", ("r", "aws.s3.bucket", "new"): "UNKNOWN"}
    assert changed(before, after) == {("p", "aws.s3.bucket", "new"): (ABSENT, "FAIL"),
                                      ("r", "aws.s3.bucket", "new"): (ABSENT, "UNKNOWN")}


@pytest.mark.parametrize("mutation", EVERY_MUTATION, ids=str)
def test_a_broken_property_fails_its_policy_and_nothing_else(moto_server, baseline, tmp_path, mutation):
    live, template = provision(moto_server, mutation.change, tmp_path)
    assert changed(baseline[0], live) == expect([mutation], live=True)
    assert changed(baseline[1], template) == expect([mutation], live=False)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=two_apart)
def test_two_broken_properties_fail_their_policies_and_nothing_else(moto_server, baseline, tmp_path_factory, pair):
    live, template = provision(moto_server, _and(*(m.change for m in pair)), tmp_path_factory.mktemp("pair"))
    names = " + ".join(map(str, pair))
    assert changed(baseline[0], live) == expect(list(pair), live=True), names
    assert changed(baseline[1], template) == expect(list(pair), live=False), names


def test_opening_the_database_group_alone_opens_no_path(moto_server, baseline, tmp_path):
    live, template = provision(moto_server, OPEN_GROUP, tmp_path)
    assert changed(baseline[0], live) == {} and changed(baseline[1], template) == {}
    db_group = moto_server.clients()("ec2", REGION).describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{STACK}-db"]}])["SecurityGroups"][0]
    opened = [r["CidrIp"] for p in db_group["IpPermissions"] for r in p.get("IpRanges", [])]
    assert opened == ["0.0.0.0/0"], "the mutation did open the group"
    assert live[("network_data_store_not_internet_reachable", "aws.rds.db_instance", f"{STACK}-db")] == "PASS"
    assert live[("network_tier_isolation", "aws.rds.db_instance", f"{STACK}-db")] == "PASS"


@pytest.mark.parametrize("opened, blocked_by", [
    (_and(OPEN_GROUP, OPEN_ACL), "no egress rule of its security groups allows tcp/5432"),
    (_and(OPEN_GROUP, OPEN_ACL, OPEN_BALANCER), None),
], ids=["group and ACL: the balancer's egress holds", "and the balancer's egress: a path"])
def test_what_stands_between_the_web_tier_and_the_database(tmp_path, capsys, opened, blocked_by):
    """The reasoning of DB_OPEN, asked of the reachability engine on the template."""
    stack = opened(base("arn:aws:acm:eu-west-2:111122223333:certificate/x"))
    write_files(tmp_path, {t.filename: t.text() for t in render(build(stack))})
    code = main(["reach", str(tmp_path / f"{STACK}.yaml"), "--region", REGION, "--from", "tier:web",
                 "--to", "Database", "--port", "5432", "--format", "json"])
    answer = json.loads(capsys.readouterr().out)
    if blocked_by:
        assert (code, answer["status"]) == (1, "not reachable")
        assert all(b["reason"].startswith(blocked_by) for b in answer["blocked"])
    else:
        assert (code, answer["status"]) == (0, "reachable")
        assert all(p["from"] == f"{STACK}-alb" for p in answer["paths"])
