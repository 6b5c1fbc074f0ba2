"""The Terraform plan loader on hand-written plans (fixtures/plans/)."""
from __future__ import annotations

import json

import pytest

from stackproof.errors import InputError
from stackproof.loaders import load_inputs
from stackproof.model import Bucket, DbInstance, Instance, SecurityGroup, Subnet, Unknown, Vpc
from tests.conftest import ROOT

PLANS = ROOT / "fixtures" / "plans"


@pytest.fixture(scope="module")
def inventory():
    return load_inputs([PLANS / "modules_and_changes.json"])


def test_addresses_keep_count_and_for_each_keys(inventory):
    keys = {r.key for r in inventory}
    assert {"aws_instance.web[0]", "aws_instance.web[1]",
            'module.storage.aws_s3_bucket.this["data"]', 'module.storage.aws_s3_bucket.this["logs"]'} <= keys


def test_data_sources_and_deleted_resources_are_not_in_the_end_state(inventory):
    keys = {r.key for r in inventory}
    assert "data.aws_caller_identity.current" not in keys
    assert "aws_ebs_volume.old" not in keys


def test_update_carries_action_and_before_values(inventory):
    db = inventory.get("aws_db_instance.main")
    assert isinstance(db, DbInstance)
    assert db.prov.action == "update"
    assert db.allocated_storage == 200
    assert db.before is not None and db.before.allocated_storage == 100


def test_after_unknown_becomes_unknown_never_a_default(inventory):
    db = inventory.get("aws_db_instance.main")
    assert isinstance(db.availability_zone, Unknown)
    assert "after apply" in db.availability_zone.reason


def test_region_from_provider_variable_and_alias(inventory):
    assert inventory.get("aws_db_instance.main").region == "eu-west-2"  # var.region
    assert inventory.get('module.storage.aws_s3_bucket.this["logs"]').region == "eu-west-1"  # aws.dr passed in


def test_split_versioning_merged_into_the_bucket_of_the_same_key(inventory):
    data = inventory.get('module.storage.aws_s3_bucket.this["data"]')
    logs = inventory.get('module.storage.aws_s3_bucket.this["logs"]')
    assert isinstance(data, Bucket) and data.versioning is True
    assert isinstance(logs, Bucket) and logs.versioning is False


def test_computed_bucket_blocks_not_configured_are_not_unknown(inventory):
    bucket = inventory.get('module.storage.aws_s3_bucket.this["data"]')
    assert bucket.sse_algorithm is None  # configured nowhere: no default encryption declared


def test_security_group_rule_resources_are_merged_into_their_group(inventory):
    group = inventory.get("aws_security_group.db")
    assert isinstance(group, SecurityGroup)
    rules = {(r.from_port, r.cidr_blocks, r.source) for r in group.ingress}
    assert (5432, ("10.0.1.0/24",), "aws_security_group_rule.from_app") in rules
    assert (22, ("192.0.2.0/24",), "aws_vpc_security_group_ingress_rule.admin") in rules
    assert group.egress == ()
    assert group.vpc == "aws_vpc.main"


def test_references_followed_through_module_variables_and_outputs(inventory):
    subnet = inventory.get("module.net.aws_subnet.a")
    assert isinstance(subnet, Subnet) and subnet.vpc == "aws_vpc.main"
    web = inventory.get("aws_instance.web[0]")
    assert isinstance(web, Instance) and web.subnet == "module.net.aws_subnet.a"


def test_sensitive_values_are_not_read_and_never_reported(tmp_path):
    from stackproof.cli import main

    code = main(["scan", str(PLANS / "modules_and_changes.json"), "--format", "json,junit",
                 "--output-dir", str(tmp_path)])
    assert code in (0, 1)
    for report in tmp_path.iterdir():
        assert "hunter2-secret-value" not in report.read_text()


def test_state_file_is_read_as_an_end_state(tmp_path):
    state = {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": [
        {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
         "provider_name": "registry.terraform.io/hashicorp/aws", "values": {"id": "vpc-1", "cidr_block": "10.1.0.0/16"},
         "sensitive_values": {}}]}}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    inventory = load_inputs([path])
    vpc = inventory.get("aws_vpc.main")
    assert isinstance(vpc, Vpc) and vpc.cidr_blocks == ("10.1.0.0/16",)
    assert inventory.inputs[0].kind == "tfstate"


def test_unlinkable_split_resource_makes_its_fields_unknown(tmp_path):
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "name": "a",
         "change": {"actions": ["create"], "before": None, "after": {"bucket": "a"},
                    "after_unknown": {"id": True, "versioning": True}}},
        {"address": "aws_s3_bucket_versioning.v", "mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v",
         "change": {"actions": ["create"], "before": None,
                    "after": {"versioning_configuration": [{"status": "Enabled"}]},
                    "after_unknown": {"id": True, "bucket": True}}}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    bucket = load_inputs([path]).get("aws_s3_bucket.a")
    assert isinstance(bucket.versioning, Unknown)


def test_an_instance_whose_ipv6_count_is_known_after_apply_is_read(tmp_path):
    # An update: the count becomes an expression known after apply while the plan still
    # shows the instance's present address; the count is unknown, not a reason to leave
    # the whole instance unread.
    before = {"instance_type": "t3.small", "ipv6_address_count": 1, "ipv6_addresses": ["2001:db8::10"]}
    after = {"instance_type": "t3.small", "ipv6_addresses": ["2001:db8::10"]}
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
         "change": {"actions": ["update"], "before": before, "after": after,
                    "after_unknown": {"ipv6_address_count": True}}}],
        "configuration": {"root_module": {"resources": [
            {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
             "expressions": {"instance_type": {"constant_value": "t3.small"},
                             "ipv6_address_count": {"references": ["aws_subnet.app.ipv6_cidr_block"]}}}]}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    inventory = load_inputs([path])
    assert not inventory.gaps
    instance = inventory.get("aws_instance.web")
    assert isinstance(instance, Instance) and isinstance(instance.ipv6_address_count, Unknown)
    assert instance.before.ipv6_address_count == 1


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"{not json", "not valid JSON"),
    (b'{"format_version": "1.2", "planned_values": {', "truncated"),
    (b"[1, 2]", "neither a Terraform plan or state"),
    (b'{"hello": "world"}', "neither a Terraform plan or state"),
    (b'{"format_version": "2.0", "planned_values": {}}', "format_version '2.0' is not supported"),
    (b'{"planned_values": {}}', "no format_version"),
    (b'{"AWSTemplateFormatVersion": "2010-09-09"}', None),
    (b'{"format_version": "1.0", "values": 5}', "values is a number, not an object"),
    (b'{"format_version": "1.2", "planned_values": {"root_module": {"resources": "x"}}}',
     "planned_values.root_module.resources is a string, not a list"),
    (b'{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"resources": [1]}]}}}',
     "planned_values.root_module.child_modules[0].resources[0] is a number, not an object"),
    (b'{"format_version": "1.2", "planned_values": {}, "prior_state": {"values": []}}',
     "prior_state.values is a list, not an object"),
    (b'{"format_version": "1.2", "resource_changes": {}}', "resource_changes is an object, not a list"),
    (b"null", "the top level is null, not an object"),
    (b'"plan"', "the top level is a string, not an object"),
    (b"{", ":1: not valid JSON: the file ends before the JSON does (truncated?): Expecting property name "
           "enclosed in double quotes at column 2"),
    (b'{"format_version": "1.2", "planned_values": {"x": "abc', "(truncated?): Unterminated string starting "
                                                                "at column 51"),
])
def test_bad_plans_are_refused_with_file_and_reason(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_inputs([path])
    assert str(path) in str(caught.value)
    if words:
        assert words in str(caught.value)


def test_a_numeric_format_version_that_reads_as_1_x_is_accepted(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"format_version": 1.0, "values": {"root_module": {"resources": []}}}')
    assert len(load_inputs([path])) == 0


def test_utf16_with_byte_order_mark_is_read(tmp_path):
    text = (PLANS / "modules_and_changes.json").read_text()
    path = tmp_path / "utf16.json"
    path.write_bytes(text.encode("utf-16"))  # Python writes a BOM
    assert len(load_inputs([path])) == len(load_inputs([PLANS / "modules_and_changes.json"]))


def test_invalid_json_reports_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "format_version": "1.2",\n "planned_values": nope\n}')
    with pytest.raises(InputError) as caught:
        load_inputs([path])
    assert caught.value.line == 3


def test_a_value_marked_sensitive_anywhere_is_scrubbed_everywhere(tmp_path, catalogue):
    from tests.conftest import scan_paths

    def bucket(address, sensitive):
        return {"address": address, "mode": "managed", "type": "aws_s3_bucket", "name": address.split(".")[1],
                "change": {"actions": ["create"], "before": None,
                           "after": {"bucket": f"{address.split('.')[1]}-bucket", "tags": {"Name": "payroll-2026-q3"}},
                           "after_unknown": {"id": True},
                           "after_sensitive": {"tags": {"Name": True}} if sensitive else {}}}

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [
        bucket("aws_s3_bucket.hidden", True), bucket("aws_s3_bucket.plain", False)]}))
    results = scan_paths([plan], catalogue)
    assert results
    text = json.dumps([r.to_dict() for r in results])
    assert "payroll-2026-q3" not in text
