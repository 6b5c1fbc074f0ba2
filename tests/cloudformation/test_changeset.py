"""Change sets (describe-change-set --include-property-values): after values are the
resources, before values are Resource.before, exactly as a plan's, so capacity policies
see the delta."""
from __future__ import annotations

import json

from stackproof.cli import main
from stackproof.loaders import LoadOptions, load_inputs
from stackproof.model import is_unknown
from tests.conftest import scan_paths

STACK = "arn:aws:cloudformation:eu-west-2:111122223333:stack/app/5b9c6a10-0000-0000-0000-000000000000"


def change(logical_id, rtype, action, after=None, before=None, physical=None, replacement="False"):
    resource = {"Action": action, "LogicalResourceId": logical_id, "ResourceType": rtype,
                "Replacement": replacement, "Scope": ["Properties"], "Details": []}
    if physical:
        resource["PhysicalResourceId"] = physical
    if after is not None:
        resource["AfterContext"] = json.dumps({"Properties": after})
    if before is not None:
        resource["BeforeContext"] = json.dumps({"Properties": before})
    return {"Type": "Resource", "ResourceChange": resource}


def write(tmp_path, changes, name="changeset.json"):
    path = tmp_path / name
    path.write_text(json.dumps({
        "Changes": changes, "ChangeSetName": "grow", "StackId": STACK, "StackName": "app",
        "ChangeSetId": "arn:aws:cloudformation:eu-west-2:111122223333:changeSet/grow/1", "Status": "CREATE_COMPLETE",
        "ExecutionStatus": "AVAILABLE", "IncludeNestedStacks": False}, indent=1))
    return path


DB = {"DBInstanceIdentifier": "app-db", "Engine": "postgres", "StorageEncrypted": "true", "MultiAZ": "true",
      "PubliclyAccessible": "false", "MasterUserPassword": "s3cr3t-p4ssw0rd", "Tags": [{"Key": "Name", "Value": "db"}]}


def test_before_and_after_feed_the_capacity_policies(tmp_path, catalogue):
    path = write(tmp_path, [change("Database", "AWS::RDS::DBInstance", "Modify", physical="app-db",
                                   after={**DB, "AllocatedStorage": "1000"}, before={**DB, "AllocatedStorage": "100"})])
    inventory = load_inputs([path], LoadOptions())
    db = inventory.get("Database")
    assert (db.allocated_storage, db.before.allocated_storage) == (1000, 100)
    assert (db.prov.action, db.prov.source, db.region, db.prov.account) == ("update", "changeset", "eu-west-2",
                                                                            "111122223333")
    assert inventory.inputs[0].kind == "changeset"
    result, = scan_paths([path], catalogue, policies=["storage_change_within_ratio"])
    assert result.status == "FAIL" and "100 -> 1000" in result.message


def test_additions_removals_and_replacements(tmp_path, catalogue):
    path = write(tmp_path, [
        change("NewQueue", "AWS::SQS::Queue", "Add", after={"SqsManagedSseEnabled": "false"}),
        change("OldTopic", "AWS::SNS::Topic", "Remove", before={}),
        change("Data", "AWS::EC2::Volume", "Modify", replacement="True", physical="vol-1",
               after={"Size": "50", "Encrypted": "true", "AvailabilityZone": "eu-west-2a"},
               before={"Size": "100", "Encrypted": "true", "AvailabilityZone": "eu-west-2a"}),
    ])
    inventory = load_inputs([path], LoadOptions())
    assert inventory.get("OldTopic") is None  # removed: not in the end state
    assert inventory.get("NewQueue").prov.action == "create" and inventory.get("NewQueue").before is None
    assert inventory.get("Data").prov.action == "replace"
    results = {(r.policy, r.resource): r.status
               for r in scan_paths([path], catalogue, policies=["sqs_queue_encrypted", "storage_change_within_ratio"])}
    assert results == {("sqs_queue_encrypted", "NewQueue"): "FAIL", ("storage_change_within_ratio", "Data"): "FAIL"}


def test_values_known_after_apply_are_unknown_and_physical_ids_link(tmp_path):
    path = write(tmp_path, [
        change("Vpc", "AWS::EC2::VPC", "Modify", physical="vpc-0abc", after={"CidrBlock": "10.0.0.0/16"},
               before={"CidrBlock": "10.0.0.0/16"}),
        change("Subnet", "AWS::EC2::Subnet", "Add",
               after={"VpcId": "vpc-0abc", "CidrBlock": "{{changeSet:KNOWN_AFTER_APPLY}}"}),
    ])
    subnet = load_inputs([path], LoadOptions()).get("Subnet")
    assert subnet.vpc == "Vpc"
    assert is_unknown(subnet.cidr_block) and "change set is executed" in subnet.cidr_block.reason


def test_without_property_values_nothing_is_guessed(tmp_path, catalogue):
    path = write(tmp_path, [change("Database", "AWS::RDS::DBInstance", "Add")])
    result, = scan_paths([path], catalogue, policies=["rds_instance_storage_encrypted"])
    assert result.status == "UNKNOWN" and "--include-property-values" in result.message


def test_secrets_in_contexts_never_reach_a_report(tmp_path):
    path = write(tmp_path, [change("Database", "AWS::RDS::DBInstance", "Add", after={**DB, "AllocatedStorage": "20"})])
    out = tmp_path / "out"
    assert main(["scan", str(path), "--format", "json,sarif,markdown", "--output-dir", str(out)]) in (0, 1)
    for report in out.iterdir():
        assert "s3cr3t-p4ssw0rd" not in report.read_text()


def test_a_change_set_without_changes_is_refused(tmp_path, capsys):
    path = tmp_path / "changeset.json"
    path.write_text(json.dumps({"ChangeSetId": "arn:x", "StackName": "app"}))
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert "Changes" in capsys.readouterr().err


def test_a_modification_without_its_before_values_is_unknown_not_new(tmp_path, catalogue):
    # A Modify had earlier values; a change set that does not show them (no BeforeContext)
    # leaves the size change unknown, rather than "no earlier state".
    path = write(tmp_path, [change("Database", "AWS::RDS::DBInstance", "Modify", physical="app-db",
                                   after={**DB, "AllocatedStorage": "1000"})])
    db = load_inputs([path], LoadOptions()).get("Database")
    assert is_unknown(db.before.allocated_storage) and "BeforeContext" in db.before.allocated_storage.reason
    result, = scan_paths([path], catalogue, policies=["storage_change_within_ratio"])
    assert result.status == "UNKNOWN" and "BeforeContext" in result.message
