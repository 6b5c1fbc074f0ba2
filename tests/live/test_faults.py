"""Partial access: a denied service, a region not enabled, throttling that never clears,
a malformed answer, a role that cannot be assumed. The audit finishes; what it could
not read becomes UNKNOWN with the reason (never a pass), and the rest is assessed."""
from __future__ import annotations

import json

import pytest

from fixtures.livebuilder import remove_default_vpc, subnet, tag_list, tag_spec
from stackproof.cli import main
from stackproof.rules import PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, evaluate

REGIONS = ("eu-west-2", "eu-west-1")


def small_estate(clients) -> None:
    """In each region: a VPC with a data subnet, an encrypted database in it, a queue;
    in eu-west-2 two KMS-encrypted buckets."""
    for region in REGIONS:
        ec2 = clients("ec2", region)
        remove_default_vpc(ec2)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", {"Name": f"vpc-{region}"}))
        vpc = vpc["Vpc"]["VpcId"]
        subnets = [subnet(ec2, vpc, f"10.0.{i}.0/24", f"{region}{az}", {"Name": f"data-{region}-{az}"})
                   for i, az in enumerate("ab")]
        group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
        rds = clients("rds", region)
        rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=subnets)
        rds.create_db_instance(DBInstanceIdentifier=f"db-{region}", Engine="postgres", DBInstanceClass="db.t3.micro",
                               AllocatedStorage=20, MasterUsername="app", MasterUserPassword="not-a-real-secret-1",
                               StorageEncrypted=True, DBSubnetGroupName="data", BackupRetentionPeriod=7,
                               VpcSecurityGroupIds=[group],
                               Tags=tag_list({"Name": f"db-{region}"}))
        clients("sqs", region).create_queue(QueueName=f"jobs-{region}", tags={"Name": f"jobs-{region}"})
    s3, key = clients("s3", "eu-west-2"), clients("kms", "eu-west-2").create_key()["KeyMetadata"]["Arn"]
    for name in ("kept", "locked"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})


@pytest.fixture
def estate(moto):
    small_estate(moto.clients())
    return moto


def results_of(inventory, catalogue, policy):
    return [r for r in evaluate(inventory, catalogue) if r.policy == policy]


def unit(snapshot, service, region):
    return next(u for u in snapshot.units if u.service == service and u.region == region)


def test_access_denied_on_one_service_in_one_region(estate, catalogue):
    faults = Faults().error(403, "AccessDenied", "User is not authorized to perform rds:DescribeDBInstances",
                            service="rds", operation="DescribeDBInstances", region="eu-west-1")
    snapshot, inventory = audit(estate, REGIONS, hooks=[faults.hook])
    denied = unit(snapshot, "rds", "eu-west-1")
    assert denied.data is None and denied.gap.startswith("access denied (AccessDenied)")
    assert unit(snapshot, "rds", "eu-west-2").data is not None
    assert unit(snapshot, "sqs", "eu-west-1").data is not None  # the audit went on
    encrypted = {(r.region, r.status, r.resource) for r in results_of(inventory, catalogue,
                                                                      "rds_instance_storage_encrypted")}
    assert (("eu-west-2", PASS, "arn:aws:rds:eu-west-2:123456789012:db:db-eu-west-2") in encrypted)
    gap_results = [r for r in results_of(inventory, catalogue, "rds_instance_storage_encrypted")
                   if r.region == "eu-west-1"]
    assert [(r.status, r.account) for r in gap_results] == [(UNKNOWN, "123456789012")]
    assert "not assessed: access denied" in gap_results[0].message


def test_unauthorized_operation_on_one_network_call_makes_the_network_unknown(estate, catalogue):
    faults = Faults().error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.",
                            service="ec2", operation="DescribeRouteTables", region="eu-west-2")
    snapshot, inventory = audit(estate, REGIONS, hooks=[faults.hook])
    assert "UnauthorizedOperation" in unit(snapshot, "vpc", "eu-west-2").gap
    private = {(r.region, r.status) for r in results_of(inventory, catalogue, "subnet_data_tier_private")}
    # without route tables nothing in eu-west-2's network is judged; eu-west-1 still is
    assert ("eu-west-2", UNKNOWN) in private and ("eu-west-2", PASS) not in private
    assert ("eu-west-1", PASS) in private


def test_a_region_not_enabled(estate, catalogue):
    faults = Faults().error(401, "AuthFailure", "AWS was not able to validate the provided access credentials",
                            service="ec2", region="eu-west-1")
    faults.error(403, "InvalidClientTokenId", "The security token included in the request is invalid.",
                 region="eu-west-1")
    snapshot, inventory = audit(estate, REGIONS, hooks=[faults.hook])
    regional = [u for u in snapshot.units if u.region == "eu-west-1"]
    assert regional and all(u.data is None and "region is not enabled" in u.gap for u in regional)
    assert all(u.data is not None for u in snapshot.units if u.region == "eu-west-2")
    assert {r.status for r in evaluate(inventory, catalogue) if r.region == "eu-west-1"} == {UNKNOWN}


def test_throttling_that_never_clears(estate, catalogue):
    faults = Faults().error(400, "Throttling", "Rate exceeded", service="rds", operation="DescribeDBInstances",
                            region="eu-west-2")
    snapshot, inventory = audit(estate, ["eu-west-2"], hooks=[faults.hook], services=["rds", "sqs"], max_attempts=3)
    gap = unit(snapshot, "rds", "eu-west-2").gap
    assert gap == "throttled (Throttling), still throttled after 3 attempts"
    assert faults.count("DescribeDBInstances") == 3  # adaptive retries really retried
    assert unit(snapshot, "sqs", "eu-west-2").data is not None


def test_throttling_that_clears_is_retried_and_leaves_no_gap(estate, catalogue):
    class Once(Faults):
        def hook(self, client):
            state = {"left": 1}
            original = self.rules[:]

            def before_send(request, event_name="", **_):
                if event_name.endswith("ListQueues") and state["left"]:
                    state["left"] -= 1
                    return original[0][1](client, request)
                return None

            client.meta.events.register("before-send", before_send)

    faults = Once().error(400, "RequestThrottled", "slow down")
    snapshot, inventory = audit(estate, ["eu-west-2"], hooks=[faults.hook], services=["sqs"], max_attempts=3)
    assert unit(snapshot, "sqs", "eu-west-2").data["queues"], "the retry got the answer"
    assert inventory.gaps == []


def test_a_malformed_response(estate, catalogue):
    faults = Faults().body(200, b"<DescribeDBInstancesResponse><DBInstances><<<", service="rds",
                           operation="DescribeDBInstances", region="eu-west-2")
    # parseable, but a launch template without its id
    faults.body(200, b"<DescribeLaunchTemplatesResponse><launchTemplates><item><launchTemplateName>x"
                     b"</launchTemplateName></item></launchTemplates></DescribeLaunchTemplatesResponse>",
                service="ec2", operation="DescribeLaunchTemplates", region="eu-west-2")
    snapshot, inventory = audit(estate, ["eu-west-2"], hooks=[faults.hook], services=["rds", "ec2", "sqs"])
    assert unit(snapshot, "rds", "eu-west-2").gap.startswith("malformed response")
    assert unit(snapshot, "ec2", "eu-west-2").gap.startswith("malformed response")
    assert unit(snapshot, "sqs", "eu-west-2").data is not None
    assert {r.status for r in results_of(inventory, catalogue, "rds_instance_storage_encrypted")} == {UNKNOWN}


def test_a_denied_per_resource_call_makes_only_that_field_unknown(estate, catalogue):
    faults = Faults().error(403, "AccessDenied", "Access Denied", service="s3", operation="GetBucketEncryption")

    def only_locked(client):  # deny the call for one bucket only
        def before_send(request, event_name="", **_):
            if event_name.endswith("GetBucketEncryption") and "/locked" in request.url:
                return faults.rules[0][1](client, request)
            return None
        client.meta.events.register("before-send", before_send)

    snapshot, inventory = audit(estate, ["eu-west-2"], hooks=[only_locked], services=["s3"])
    assert inventory.gaps == []
    found = {r.resource: r for r in results_of(inventory, catalogue, "s3_bucket_encrypted")}
    assert found["arn:aws:s3:::kept"].status == PASS
    locked = found["arn:aws:s3:::locked"]
    assert locked.status == UNKNOWN and "GetBucketEncryption failed: access denied" in locked.message
    (entry,) = inventory.run_info["not_assessed"]  # listed, although no whole service is missing
    assert (entry["service"], entry["call"], entry["count"]) == ("s3", "GetBucketEncryption", 1)
    assert entry["reason"] == "access denied (AccessDenied): Access Denied"


def test_a_role_that_cannot_be_assumed(estate, catalogue):
    faults = Faults().error(403, "AccessDenied", "not authorized to perform sts:AssumeRole", service="sts",
                            operation="AssumeRole")
    role = "arn:aws:iam::444455556666:role/audit"
    snapshot, inventory = audit(estate, ["eu-west-2"], hooks=[faults.hook], role_arns=[role], services=["sqs"])
    assert snapshot.accounts == []
    assert snapshot.account_gaps[0]["account"] == "444455556666"
    results = results_of(inventory, catalogue, "sqs_queue_encrypted")
    assert [(r.status, r.account, r.resource) for r in results] == [(UNKNOWN, "444455556666", role)]


def test_the_cli_summary_lists_what_could_not_be_assessed(estate, tmp_path, capsys, monkeypatch):
    faults = Faults().error(403, "AccessDeniedException", "denied", service="kms", region="eu-west-2")
    monkeypatch.setattr("stackproof.loaders.live.runner.ClientFactory.__init__", _with_hooks(faults.hook))
    code = main(["audit", "--endpoint-url", estate.url, "--regions", "eu-west-2", "--services", "kms,sqs",
                 "--format", "console,json", "--output-dir", str(tmp_path), "--max-attempts", "2"])
    out = capsys.readouterr().out
    assert code == 1  # the audit profile: a control that could not be assessed blocks
    assert "Not assessed (1)" in out and "account 123456789012 eu-west-2 kms: access denied" in out
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["run"]["not_assessed"][0]["reason"].startswith("access denied (AccessDeniedException)")


def _with_hooks(hook):
    """The CLI makes its own clients: add the fault hook to every one it makes."""
    from stackproof.loaders.live.clients import ClientFactory

    original = ClientFactory.__init__

    def init(self, options):
        options.client_hooks = [*options.client_hooks, hook]
        original(self, options)
    return init


def test_a_reason_keeps_the_detail_botocore_puts_on_later_lines():
    from botocore.exceptions import ParamValidationError

    from stackproof.loaders.live.errors import describe

    error = ParamValidationError(report="Invalid length for parameter RoleArn, value: 10, valid min length: 20")
    assert describe(error) == ("Parameter validation failed: Invalid length for parameter RoleArn, value: 10, "
                               "valid min length: 20")
