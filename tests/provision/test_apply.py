"""plan, apply and destroy against a moto server: read-only plans, idempotent applies that
resume, destroys that remove exactly the stack."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from stackproof.errors import InputError
from stackproof.provision.blueprint import ID_TAG, STACK_TAG, build
from tests.conftest import ROOT
from tests.provision.account import (
    DR_REGION,
    REGION,
    STACK,
    Calls,
    applier,
    cli_env,
    fresh_account,
    lingering,
    spec,
    tagged,
)


class Interrupted(Exception):
    """Stands for a process killed half-way (Ctrl-C, a lost connection)."""


def interrupt_after(count: int):
    done = []

    def hook(action):
        done.append(action)
        if len(done) == count:
            raise Interrupted(f"stopped after {count} actions")

    return hook


def ids_by_logical_id(moto, stack=STACK):
    """logical id -> the EC2 resources carrying it (each must have exactly one)."""
    found = {}
    for region in (REGION, DR_REGION):
        tags = moto.clients()("ec2", region).describe_tags(Filters=[{"Name": "key", "Values": [ID_TAG]}])["Tags"]
        owners = {t["ResourceId"] for t in moto.clients()("ec2", region).describe_tags(
            Filters=[{"Name": "key", "Values": [STACK_TAG]}, {"Name": "value", "Values": [stack]}])["Tags"]}
        for tag in tags:
            if tag["ResourceId"] in owners and tag["ResourceType"] not in ("instance", "volume"):
                found.setdefault(tag["Value"], set()).add(tag["ResourceId"])
    return found


def test_plan_makes_only_read_calls_and_lists_every_resource(moto):
    certificate = fresh_account(moto)
    stack = spec(certificate)
    calls, lines = Calls(), []
    summary = applier(moto, stack, [calls.install], lines).plan()
    assert calls.made, "the plan looked at the account"
    assert calls.writes() == []
    blueprint = build(stack)
    assert summary.count("create") == len(blueprint)
    assert {line.split("[")[1].split("]")[0] for line in lines} == {n.logical_id for n in blueprint}
    assert all(line.startswith("+ create ") for line in lines)
    assert tagged(moto, STACK) == [], "a plan creates nothing"


def test_apply_creates_the_stack_and_a_second_apply_changes_nothing(moto):
    stack = spec(fresh_account(moto))
    total = len(build(stack))
    first = applier(moto, stack).apply()
    assert first.count("create") == total
    assert all(len(ids) == 1 for ids in ids_by_logical_id(moto).values())

    calls = Calls()
    again = applier(moto, stack, [calls.install]).apply()
    assert calls.writes() == []
    assert (again.count("create"), again.count("update"), again.count("unchanged")) == (0, 0, total)
    assert again.text() == f"apply: no changes; all {total} resources are up to date"
    plan = applier(moto, stack).plan()
    assert plan.changes == []


def test_a_second_apply_from_a_fresh_process_finds_the_stack_by_its_tags(moto):
    certificate = fresh_account(moto)
    stack = spec(certificate)
    applier(moto, stack).apply()
    command = [sys.executable, "-m", "stackproof.cli", "provision", "apply", "--name", STACK, "--region", REGION,
               "--dr-region", DR_REGION, "--db-dr", "read-replica", "--certificate-arn", certificate,
               "--endpoint-url", moto.url, "--max-attempts", "2"]
    done = subprocess.run(command, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"apply: no changes; all {len(build(stack))} resources are up to date"


@pytest.mark.parametrize("stop_after", [1, 57])
def test_an_interrupted_apply_resumes_where_it_stopped(moto, stop_after):
    stack = spec(fresh_account(moto))
    total = len(build(stack))
    with pytest.raises(Interrupted):
        applier(moto, stack, on_action=interrupt_after(stop_after)).apply()

    lines = []
    resumed = applier(moto, stack, lines=lines).apply()
    assert resumed.count("unchanged") == stop_after
    assert resumed.count("create") == total - stop_after
    assert resumed.count("update") == 0
    assert len(lines) == total - stop_after  # one line per action
    duplicates = {k: v for k, v in ids_by_logical_id(moto).items() if len(v) != 1}
    assert duplicates == {}
    assert applier(moto, stack).apply().changes == []


def test_apply_prints_each_action(moto):
    stack = spec(fresh_account(moto))
    lines = []
    applier(moto, stack, lines=lines).apply()
    assert "+ create AWS::EC2::VPC ref-vpc [Vpc] in eu-west-2" in lines
    assert "+ create AWS::RDS::DBInstance ref-db-dr [DatabaseReplica] in eu-west-1" in lines
    assert lines.index("+ create AWS::EC2::VPC ref-vpc [Vpc] in eu-west-2") < \
        lines.index("+ create AWS::EC2::Subnet ref-app-a [AppSubnetA] in eu-west-2")


def test_apply_puts_a_drifted_setting_back(moto):
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    s3 = moto.clients()("s3", REGION)
    s3.delete_public_access_block(Bucket=f"{STACK}-assets-{REGION}")
    kms = moto.clients()("kms", REGION)
    kms.disable_key_rotation(KeyId=kms.describe_key(KeyId=f"alias/{STACK}-data")["KeyMetadata"]["KeyId"])
    lines = []
    summary = applier(moto, stack, lines=lines).apply()
    assert sorted(lines) == [
        "~ update AWS::KMS::Key ref-data [DataKey] in eu-west-2: EnableKeyRotation",
        "~ update AWS::S3::Bucket ref-assets-eu-west-2 [AssetsBucket] in eu-west-2: PublicAccessBlockConfiguration",
    ]
    assert summary.count("update") == 2
    assert s3.get_public_access_block(Bucket=f"{STACK}-assets-{REGION}")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert applier(moto, stack).apply().changes == []


def test_the_database_password_is_managed_by_rds_and_never_handled(moto):
    stack = spec(fresh_account(moto))
    sent = []

    def capture(client):
        client.meta.events.register("provide-client-params.rds.CreateDBInstance",
                                    lambda params, **_: sent.append(dict(params)))

    lines = []
    applier(moto, stack, [capture], lines).apply()
    assert len(sent) == 1
    assert sent[0]["ManageMasterUserPassword"] is True
    assert not [k for k in sent[0] if "Password" in k and k != "ManageMasterUserPassword"]
    db = moto.clients()("rds", REGION).describe_db_instances(DBInstanceIdentifier=f"{STACK}-db")["DBInstances"][0]
    assert db["MasterUserSecret"]["SecretArn"]  # the secret RDS keeps
    assert not any("password" in line.lower() for line in lines)


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
    with pytest.raises(InputError, match="destroy incomplete: 1 resource"):
        applier(moto, stack, lines=lines).destroy()  # moto cannot delete the cache subnet group
    assert lines[-1].startswith("destroy: deleted ")
    order = [line.split("[")[1].split("]")[0] for line in lines if line.startswith("- delete")]
    position = {logical_id: i for i, logical_id in enumerate(order)}
    for node in build(stack):  # dependants first
        for dependency in node.dependencies():
            assert position[node.logical_id] < position[dependency], (node.logical_id, dependency)
    assert lingering(tagged(moto, STACK)) == []
    left = {t.what for t in tagged(moto, STACK)}
    assert left <= {"ec2 instance", "ec2 natgateway", "ec2 vpc-endpoint", "kms key", "elasticache replication group",
                    "elasticache subnet group"}
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert {bystander_vpc, other_vpc} <= vpcs
    assert "bystander-data" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert tagged(moto, "other") == [t for t in tagged(moto, "other") if t.id == other_vpc]


def test_destroy_keeps_a_final_snapshot_unless_told_not_to(moto):
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    lines = []
    with pytest.raises(InputError):
        applier(moto, stack, lines=lines, skip_final_snapshot=False).destroy()
    snapshots = moto.clients()("rds", REGION).describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert [s["DBInstanceIdentifier"] for s in snapshots] == [f"{STACK}-db"]
    assert any(f"kept final snapshot {snapshots[0]['DBSnapshotIdentifier']}" in line for line in lines)


def test_a_name_taken_by_another_stack_stops_apply_with_one_line(moto):
    stack = spec(fresh_account(moto))
    s3 = moto.clients()("s3", REGION)
    bucket = f"{STACK}-trail-{REGION}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": STACK_TAG, "Value": "other"}]})
    with pytest.raises(InputError) as caught:
        applier(moto, stack).apply()
    message = str(caught.value)
    assert "\n" not in message
    assert f"bucket {bucket} already exists and belongs to stack 'other'" in message
    assert "TrailBucket" in message and "change(s) were made" not in message  # refused while looking
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": STACK_TAG, "Value": "other"}]


def test_what_the_stack_is_made_of(moto):
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    found = Counter(t.what for t in tagged(moto, STACK))
    azs = stack.network.az_count
    assert found["ec2 subnet"] == 3 * azs + max(azs, 2)  # three tiers, and the DR replica's subnets
    assert found["ec2 natgateway"] == azs
    assert found["kms key"] == 3
    assert found["s3 bucket"] == 4  # assets and trail, each with its DR replica
    assert found["rds instance"] == 2  # the primary and its DR replica
    rds = moto.clients()("rds", DR_REGION)
    replica = rds.describe_db_instances(DBInstanceIdentifier=f"{STACK}-db-dr")["DBInstances"][0]
    source = replica["ReadReplicaSourceDBInstanceIdentifier"].split(":")
    assert (source[3], source[-2:]) == (REGION, ["db", f"{STACK}-db"])


def test_backup_replication_where_the_endpoint_lacks_it_stops_with_one_line(moto):
    """The reference default (database.dr = backup-replication) against moto, which does not
    implement StartDBInstanceAutomatedBackupsReplication (NO_BACKUP_REPLICATION): apply stops
    at the database with one line; what was made before stays, and the next apply goes on."""
    from dataclasses import replace

    from stackproof.provision.spec import DatabaseSpec

    stack = replace(spec(fresh_account(moto)), database=DatabaseSpec(dr="backup-replication"))
    with pytest.raises(InputError) as caught:
        applier(moto, stack).apply()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("AWS::RDS::DBInstance ref-db (Database) in eu-west-2: create failed: ")
    assert "run the command again to continue" in message
    resumed = applier(moto, stack)
    with pytest.raises(InputError, match="ref-db .* update failed"):
        resumed.apply()  # the database exists now; starting its replication still fails
    assert {t.what for t in tagged(moto, STACK)} >= {"ec2 vpc", "rds instance", "kms key"}
