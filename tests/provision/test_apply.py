"""plan and apply against a moto server: read-only plans, idempotent applies that resume,
the account's service-linked role before the key that names it, and what the applied
stack is made of. Removing (destroy, and apply for what the spec no longer has) is in
test_remove.py."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace

import pytest

from stackproof.errors import InputError
from stackproof.provision.aws import UndeclaredCall
from stackproof.provision.blueprint import ID_TAG, STACK_TAG, build
from stackproof.provision.handlers import declared
from stackproof.provision.spec import DatabaseSpec
from tests.conftest import ROOT
from tests.provision.account import (
    DR_REGION,
    KEY_POLICY_PRINCIPALS_UNCHECKED,
    REGION,
    STACK,
    Calls,
    applier,
    cli_env,
    fresh_account,
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
    # every resource, and the service-linked role a fresh account lacks
    assert summary.count("create") == len(blueprint) + 1
    assert {line.split("[")[1].split("]")[0] for line in lines} == {n.logical_id for n in blueprint} | {
        "AWSServiceRoleForAutoScaling"}
    assert all(line.startswith("+ create ") for line in lines)
    assert tagged(moto, STACK) == [], "a plan creates nothing"


def test_plan_of_an_applied_stack_that_drifted_makes_no_write(moto):
    """The plan that has most to say (a drifted setting, a resource the spec no longer has)
    makes only the reads the handlers declare, and a write asked of its clients is refused
    before it is sent."""
    stack = spec(fresh_account(moto))
    applier(moto, stack).apply()
    moto.clients()("s3", REGION).delete_public_access_block(Bucket=f"{STACK}-assets-{REGION}")
    calls, lines = Calls(), []
    smaller = replace(stack, database=DatabaseSpec(dr="none"))
    planner = applier(moto, smaller, [calls.install], lines)
    summary = planner.plan()
    assert [a.node.logical_id for a in summary.actions if a.verb in ("update", "create")] == ["AssetsBucket"]
    dropped = {n.logical_id for n in build(stack) if ID_TAG in n.tags} - {n.logical_id for n in build(smaller)}
    assert dropped == {"DatabaseReplica", "DrVpc", "DrDataSubnetA", "DrDataSubnetB", "DrDataSubnetC",
                       "DrDataRouteTable", "DrS3Endpoint", "DrDatabaseSubnetGroup", "DrDatabaseSecurityGroup"}
    assert {a.node.logical_id for a in summary.actions if a.verb == "delete"} == dropped
    assert all(line.endswith(": not in the spec") for line in lines if line.startswith("- delete"))
    assert calls.writes() == []
    assert set(calls.made) <= {tuple(call.split(":")) for call in declared("reads")}
    with pytest.raises(UndeclaredCall, match="refused ec2:CreateVpc"):
        planner.aws.client("ec2", REGION).create_vpc(CidrBlock="10.99.0.0/16")
    assert "10.99.0.0/16" not in {v["CidrBlock"] for v in moto.clients()("ec2", REGION).describe_vpcs()["Vpcs"]}
    assert ("ec2", "CreateVpc") not in calls.made, "refused before it was sent"


def test_apply_creates_the_stack_and_a_second_apply_changes_nothing(moto):
    stack = spec(fresh_account(moto))
    total = len(build(stack))
    first = applier(moto, stack).apply()
    assert first.count("create") == total + 1  # and the service-linked role
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


@pytest.mark.parametrize("stop_after", [2, 57])
def test_an_interrupted_apply_resumes_where_it_stopped(moto, stop_after):
    """Stopped after the service-linked role and the data key (before its alias: the key
    is found again by its tags), or half-way."""
    stack = spec(fresh_account(moto))
    total = len(build(stack))
    with pytest.raises(Interrupted):
        applier(moto, stack, on_action=interrupt_after(stop_after)).apply()

    lines = []
    resumed = applier(moto, stack, lines=lines).apply()
    made = stop_after - 1  # the service-linked role came first
    assert resumed.count("unchanged") == made
    assert resumed.count("create") == total - made
    assert resumed.count("update") == 0
    assert len(lines) == total - made  # one line per action
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
    clients = moto.clients()
    rds = clients("rds", DR_REGION)
    replica = rds.describe_db_instances(DBInstanceIdentifier=f"{STACK}-db-dr")["DBInstances"][0]
    source = replica["ReadReplicaSourceDBInstanceIdentifier"].split(":")
    assert (source[3], source[-2:]) == (REGION, ["db", f"{STACK}-db"])

    # Properties no policy of the catalogue reads, as the account reports them.
    ec2 = clients("ec2", REGION)
    template = ec2.describe_launch_templates(LaunchTemplateNames=[f"{STACK}-app"])["LaunchTemplates"][0]
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                     Versions=["$Latest"])["LaunchTemplateVersions"]
    data = versions[0]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"  # IMDSv2 only
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    trail = clients("cloudtrail", REGION).describe_trails(trailNameList=[STACK])["trailList"][0]
    assert trail["LogFileValidationEnabled"] is True
    s3 = clients("s3", REGION)
    buckets = [t.id for t in tagged(moto, STACK) if t.what == "s3 bucket"]
    assert {b: s3.get_bucket_versioning(Bucket=b).get("Status") for b in buckets} == dict.fromkeys(buckets, "Enabled")


def test_the_data_key_is_created_after_the_service_linked_role_its_policy_names(moto):
    """A fresh account has no AWSServiceRoleForAutoScaling until its first auto scaling
    group, and KMS refuses a key policy naming a principal that does not exist: apply
    creates the role first. (KEY_POLICY_PRINCIPALS_UNCHECKED: moto would take the key anyway.)"""
    stack = spec(fresh_account(moto))
    calls, lines = Calls(), []
    applier(moto, stack, [calls.install], lines).apply()
    assert calls.index("iam", "CreateServiceLinkedRole") < calls.index("kms", "CreateKey")
    assert lines[0] == ("+ create AWS::IAM::ServiceLinkedRole AWSServiceRoleForAutoScaling "
                        "[AWSServiceRoleForAutoScaling] in eu-west-2")
    iam = moto.clients()("iam", REGION)
    role = iam.get_role(RoleName="AWSServiceRoleForAutoScaling")["Role"]
    kms = moto.clients()("kms", REGION)
    key = kms.describe_key(KeyId=f"alias/{STACK}-data")["KeyMetadata"]["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    named = {s["Principal"]["AWS"] for s in policy["Statement"] if s["Sid"].startswith("AutoScaling")}
    assert named == {role["Arn"]}, KEY_POLICY_PRINCIPALS_UNCHECKED


def test_an_account_that_has_the_service_linked_role_is_left_alone(moto):
    stack = spec(fresh_account(moto))
    moto.clients()("iam", REGION).create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    calls = Calls()
    summary = applier(moto, stack, [calls.install]).apply()
    assert ("iam", "CreateServiceLinkedRole") not in calls.made
    assert "AWSServiceRoleForAutoScaling" not in {a.node.logical_id for a in summary.actions}


def test_the_stack_keys_are_found_by_tag_without_looking_at_every_key(moto):
    """An apply stopped after the data key, before its alias: the next run finds the key
    by the stack's tags through the tagging API, never by describing every key of the
    account, so a key of a shared account whose policy shuts the caller out stops nothing."""
    stack = spec(fresh_account(moto))
    kms = moto.clients()("kms", REGION)
    others = [kms.create_key(Description=f"another team's key {i}")["KeyMetadata"]["KeyId"] for i in range(3)]
    kms.tag_resource(KeyId=others[0], Tags=[{"TagKey": "team", "TagValue": "payments"}])
    with pytest.raises(Interrupted):
        applier(moto, stack, on_action=interrupt_after(2)).apply()  # the role, the data key
    calls, lines = Calls(), []
    summary = applier(moto, stack, [calls.install, deny_describe_key(others)], lines).plan()
    assert "+ create AWS::KMS::Alias DataKeyAlias [DataKeyAlias] in eu-west-2" in lines
    assert not any("[DataKey]" in line for line in lines), "the key was found"
    assert summary.count("unchanged") == 1
    assert ("kms", "ListKeys") not in calls.made
    assert ("resourcegroupstaggingapi", "GetResources") in calls.made


def deny_describe_key(key_ids):
    """A client hook: DescribeKey of these keys answers AccessDenied, as KMS does for a key
    whose policy does not admit the caller."""
    from botocore.awsrequest import AWSResponse

    def install(client):
        def deny(params, model, **_):
            if any(key in str(params.get("KeyId", "")) for key in key_ids):
                error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed by the key policy"}}
                return AWSResponse("https://kms", 400, {}, None), error
            return None

        client.meta.events.register("before-call.kms.DescribeKey", deny)

    return install


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
