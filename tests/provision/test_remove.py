"""Removing against a moto server: destroy removes everything tagged with the stack,
dependants first, whatever the spec it is given; apply removes what the spec no longer
describes; data (buckets, final snapshots) and the keys that encrypt it are kept, and
what is kept says where it came from."""
from __future__ import annotations

from dataclasses import replace

import pytest

from stackproof.errors import InputError
from stackproof.provision.blueprint import ID_TAG, RETAINED_TAG, STACK_TAG, build
from stackproof.provision.handlers import HANDLERS
from stackproof.provision.handlers.base import Live, Op
from stackproof.provision.removal import RANK, Removal, ordered
from stackproof.provision.spec import DatabaseSpec, NetworkSpec, StackSpec, StorageSpec
from tests.provision.account import (
    DR_REGION,
    NO_CACHE_FINAL_SNAPSHOT,
    NO_CACHE_SUBNET_GROUP_CHANGE,
    NO_CACHE_SUBNET_GROUP_DELETION,
    REGION,
    STACK,
    applier,
    fresh_account,
    kept_from,
    lingering,
    spec,
    tagged,
)

BUCKETS = {f"{STACK}-{purpose}-{region}" for purpose in ("assets", "trail") for region in (REGION, DR_REGION)}


def destroy(moto, stack, lines, **options):
    """destroy, which against moto ends with the cache subnet group it cannot delete."""
    incomplete = r"destroy incomplete: 1 resource\(s\) could not be deleted \(ref-cache-data\)"
    with pytest.raises(InputError, match=incomplete):
        applier(moto, stack, lines=lines, **options).destroy()
    return [line for line in lines if line[:1] in "-="]


def logical_ids(lines, verb):
    return [line.split("[")[1].split("]")[0] for line in lines if line.startswith(verb)]


def taggable_ids(stack):
    return {n.logical_id for n in build(stack) if ID_TAG in n.tags}


def test_destroy_removes_exactly_what_the_stack_created_dependants_first(moto):
    stack = spec(fresh_account(moto))
    clients = moto.clients()
    ec2, s3 = clients("ec2", REGION), clients("s3", REGION)
    # Beside the stack: an untagged VPC and bucket, and a VPC of another stack with the same Name.
    bystander_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    s3.create_bucket(Bucket="bystander-data", CreateBucketConfiguration={"LocationConstraint": REGION})
    other_vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": STACK_TAG, "Value": "other"}, {"Key": "Name", "Value": f"{STACK}-vpc"},
        {"Key": ID_TAG, "Value": "Vpc"}]}])["Vpc"]["VpcId"]
    applier(moto, stack).apply()
    assert len(tagged(moto, STACK)) > len(build(stack)) / 2

    lines = []
    removed = destroy(moto, stack, lines)  # NO_CACHE_SUBNET_GROUP_DELETION
    assert lines[-1].startswith("destroy: deleted ")
    position = {logical_id: i for i, logical_id in enumerate(logical_ids(removed, ""))}
    assert set(position) == {n.logical_id for n in build(stack)}
    for node in build(stack):  # dependants first
        for dependency in node.dependencies():
            assert position[node.logical_id] < position[dependency], (node.logical_id, dependency)
    assert lingering(tagged(moto, STACK)) == [], NO_CACHE_SUBNET_GROUP_DELETION
    left = {t.what for t in tagged(moto, STACK)}
    assert left <= {"ec2 instance", "ec2 natgateway", "ec2 vpc-endpoint", "elasticache replication group",
                    "elasticache subnet group"}
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert {bystander_vpc, other_vpc} <= vpcs
    assert "bystander-data" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert tagged(moto, "other") == [t for t in tagged(moto, "other") if t.id == other_vpc]


def test_destroy_removes_what_the_spec_it_is_given_no_longer_describes(moto):
    """Applied over three AZs with a DR read replica, destroyed with a spec of two AZs and
    backup replication: the DR network, the replica and AZ C go too, the replica before
    the DR key that encrypts it."""
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    smaller = replace(stack, network=NetworkSpec(az_count=2), database=DatabaseSpec(dr="backup-replication"))
    lines = []
    removed = destroy(moto, smaller, lines, delete_buckets=True)
    dropped = taggable_ids(stack) - taggable_ids(smaller)
    assert dropped >= {"DatabaseReplica", "DrVpc", "PublicSubnetC", "NatGatewayC", "AppRouteTableC"}
    not_in_spec = {line.split("[")[1].split("]")[0] for line in removed if line.endswith(": not in the spec")}
    assert not_in_spec == dropped | {"AppRouteTableC:0.0.0.0/0"}  # and the route the table holds
    order = logical_ids(removed, "")
    assert order.index("DatabaseReplica") < order.index("DrKey")
    assert lingering(tagged(moto, STACK)) == []
    assert kept_from(moto, STACK) == {}  # buckets deleted, no final snapshot: nothing kept, every key scheduled


def test_destroy_keeps_the_data_and_the_keys_that_encrypt_it(moto):
    stack = spec(fresh_account(moto))
    sent = []

    def capture(client):
        client.meta.events.register("provide-client-params.elasticache.DeleteReplicationGroup",
                                    lambda params, **_: sent.append(dict(params)))

    applier(moto, stack).apply()
    lines = []
    with pytest.raises(InputError):  # NO_CACHE_SUBNET_GROUP_DELETION
        applier(moto, stack, [capture], lines, skip_final_snapshot=False).destroy()
    assert kept_from(moto, STACK) == {"bucket": BUCKETS, "key": {f"{STACK}-data", f"{STACK}-logs", f"{STACK}-dr"},
                                      "db snapshot": {f"{STACK}-db"}}  # none of the replica: its data is the primary's
    assert sent[0]["FinalSnapshotIdentifier"].startswith(f"{STACK}-cache-final-"), NO_CACHE_FINAL_SNAPSHOT
    keys = {line.split("[")[1].split("]")[0]: line.split(": it encrypts what is kept: ")[1]
            for line in lines if line.startswith("= keep AWS::KMS::Key")}
    assert keys["DataKey"].startswith(f"bucket {STACK}-assets-{REGION}, final snapshot {STACK}-cache-final-")
    assert f"final snapshot {STACK}-db-final-" in keys["DataKey"]
    assert keys["LogsKey"] == f"bucket {STACK}-trail-{REGION}"
    assert keys["DrKey"] == f"bucket {STACK}-assets-{DR_REGION}, bucket {STACK}-trail-{DR_REGION}"

    # Later, told to delete the buckets: the key of the snapshot kept the first time stays.
    lines = []
    destroy(moto, stack, lines, delete_buckets=True)
    assert not BUCKETS & {b["Name"] for b in moto.clients()("s3", REGION).list_buckets()["Buckets"]}
    assert kept_from(moto, STACK) == {"key": {f"{STACK}-data"}, "db snapshot": {f"{STACK}-db"}}
    assert [line for line in lines if line.startswith("= keep AWS::KMS::Key")] == [
        f"= keep AWS::KMS::Key {STACK}-data [DataKey] in {REGION}: it encrypts what is kept: final snapshot "
        f"{next(iter(kept_snapshots(moto)))}"]


def kept_snapshots(moto):
    return {s["DBSnapshotIdentifier"] for s in moto.clients()("rds", REGION).describe_db_snapshots(
        SnapshotType="manual")["DBSnapshots"]}


def test_apply_removes_what_the_spec_no_longer_describes(moto):
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    smaller = replace(stack, database=DatabaseSpec(dr="none"))
    lines = []
    summary = applier(moto, smaller, lines=lines).apply()
    removed = {a.node.logical_id for a in summary.actions if a.verb == "delete"}
    assert removed == taggable_ids(stack) - taggable_ids(smaller)
    assert "DrVpc" in removed and "DatabaseReplica" in removed
    assert summary.text() == f"apply: created 0, updated 0, deleted {len(removed)}, unchanged {len(build(smaller))}"
    dr_left = {t.what for t in lingering(tagged(moto, STACK)) if t.region == DR_REGION}
    assert dr_left == {"kms key"}  # and the replica buckets, which are global
    assert applier(moto, smaller).apply().changes == []


def test_plan_names_the_resources_of_an_az_the_spec_no_longer_has(moto):
    """(NO_CACHE_SUBNET_GROUP_CHANGE: moto cannot apply it; destroy removes it above.)"""
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    two = replace(stack, network=NetworkSpec(az_count=2))
    lines = []
    summary = applier(moto, two, lines=lines).plan()
    az_c = taggable_ids(stack) - taggable_ids(two)
    # the DR replica's subnet group spans as many AZs as the stack
    assert az_c == {"PublicSubnetC", "AppSubnetC", "DataSubnetC", "NatEipC", "NatGatewayC", "AppRouteTableC",
                    "DrDataSubnetC"}
    assert {a.node.logical_id for a in summary.actions if a.verb == "delete"} == az_c | {"AppRouteTableC:0.0.0.0/0"}
    moved = {a.node.logical_id for a in summary.actions if a.verb == "update"}
    assert {"LoadBalancer", "AppAutoScalingGroup", "S3Endpoint", "DatabaseSubnetGroup", "CacheSubnetGroup"} <= moved
    assert summary.text().startswith("plan: 0 to create, ")
    assert NO_CACHE_SUBNET_GROUP_CHANGE


def test_a_bucket_the_spec_drops_is_kept_and_taken_back(moto):
    stack = replace(spec(fresh_account(moto)), storage=StorageSpec(buckets=("assets", "exports")))
    applier(moto, stack).apply()
    exports = {f"{STACK}-exports-{REGION}", f"{STACK}-exports-{DR_REGION}"}
    lines = []
    applier(moto, replace(stack, storage=StorageSpec()), lines=lines).apply()
    assert sorted(line for line in lines if "Exports" in line) == [
        f"= keep AWS::S3::Bucket {STACK}-exports-{DR_REGION} [ExportsBucketReplica] in {DR_REGION}: not in the spec; "
        "buckets are kept (--delete-buckets deletes them)",
        f"= keep AWS::S3::Bucket {STACK}-exports-{REGION} [ExportsBucket] in {REGION}: not in the spec; "
        "buckets are kept (--delete-buckets deletes them)"]
    assert kept_from(moto, STACK)["bucket"] == exports
    assert applier(moto, replace(stack, storage=StorageSpec())).apply().changes == []

    lines = []
    applier(moto, stack, lines=lines).apply()  # the spec names the bucket again: taken back, not made anew
    assert f"~ update AWS::S3::Bucket {STACK}-exports-{REGION} [ExportsBucket] in {REGION}: Tags" in lines
    assert not [line for line in lines if line.startswith("+ create AWS::S3::Bucket")]
    assert "bucket" not in kept_from(moto, STACK)
    s3 = moto.clients()("s3", REGION)
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=f"{STACK}-exports-{REGION}")["TagSet"]}
    assert tags[STACK_TAG] == STACK and RETAINED_TAG not in tags


@pytest.mark.parametrize("stack", [
    StackSpec(database=DatabaseSpec(dr="read-replica")),
    StackSpec(network=NetworkSpec(az_count=2, nat_per_az=False, data_internet_route=True)),
    StackSpec(storage=StorageSpec(replica_region="eu-west-2", buckets=("a", "b"))),
], ids=["read-replica", "shared-nat", "same-region-replicas"])
def test_the_removal_order_deletes_dependants_first(stack):
    """The order by type (which places what the spec no longer names) agrees with every
    dependency of the blueprint."""
    assert set(HANDLERS) - {"AWS::IAM::ServiceLinkedRole"} == set(RANK)
    blueprint = build(stack)
    removals = [Removal(Op(node, {}, None, stack.name), Live(node.logical_id)) for node in blueprint]
    position = {r.op.node.logical_id: i for i, r in enumerate(ordered(removals, blueprint))}
    for node in blueprint:
        for dependency in node.dependencies():
            assert position[node.logical_id] < position[dependency], (node.logical_id, dependency)
