"""SARIF 2.1.0: valid against the published schema, rules with the policy's help, file and
line for plans (relative to %SRCROOT% under the current folder, file:// URIs elsewhere),
ARNs as logical locations for live results, waivers as suppressions.

Live results have no physical location, on purpose: there is no file, and an invented
one would send a reader to nothing. GitHub code scanning drops results without one, so
SARIF of a live audit is for SARIF viewers, not code-scanning uploads (see sarif.py)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from stackproof.report import PolicyInfo, Report
from stackproof.reporters import sarif
from stackproof.results import Result
from tests.reports.conftest import DB_WAIVER, POLICIES, scan, write_waivers

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def validate(log: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


@pytest.fixture
def plan_sarif(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", DB_WAIVER)
    scan(plan, *POLICIES, "--waivers", waivers, "--format", "json,sarif", "--output-dir", tmp_path / "out")
    return (json.loads((tmp_path / "out" / "results.sarif").read_text()),
            json.loads((tmp_path / "out" / "results.json").read_text()))


def test_sarif_of_a_plan_scan_is_valid(plan_sarif):
    log, _ = plan_sarif
    validate(log)
    assert log["version"] == "2.1.0"


def test_rules_carry_the_policy_help(plan_sarif, catalogue):
    log, _ = plan_sarif
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {"s3_bucket_encrypted", "s3_bucket_public_access_blocked", "rds_instance_storage_encrypted"}
    policy = catalogue.policy("s3_bucket_encrypted")
    rule = rules["s3_bucket_encrypted"]
    assert rule["shortDescription"]["text"] == policy.title
    assert policy.rationale in rule["help"]["text"]
    assert policy.remediation["terraform"].strip() in rule["help"]["text"]
    assert rule["properties"]["security-severity"] == "8.0"  # high
    assert any(tag.startswith("iso-27001-2022/") for tag in rule["properties"]["tags"])


def test_plan_results_point_at_the_file_and_line_of_the_resource(plan_sarif, plan):
    log, _ = plan_sarif
    lines = plan.read_text().splitlines()
    results = log["runs"][0]["results"]
    failing = [r for r in results if r["kind"] == "fail" and "suppressions" not in r]
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in failing} == {
        "aws_s3_bucket.assets", "aws_s3_bucket.scratch"}
    for result in failing:
        physical = result["locations"][0]["physicalLocation"]
        # the plan is in a temporary folder, not under the current one: an absolute file URI
        assert physical["artifactLocation"] == {"uri": plan.as_uri()}
        address = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        assert f'"address": "{address}"' in lines[physical["region"]["startLine"] - 1]


def test_statuses_map_to_sarif_kinds(plan_sarif):
    log, report = plan_sarif
    results = log["runs"][0]["results"]
    # PASS results are not findings; everything else is reported once
    reported = [r for r in report["results"] if r["status"] != "PASS"]
    assert len(results) == len(reported)
    by_resource = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r for r in results}
    unknown = by_resource[("s3_bucket_public_access_blocked", "aws_s3_bucket.scratch")]
    assert (unknown["kind"], unknown["level"]) == ("review", "none")
    waived = by_resource[("rds_instance_storage_encrypted", "aws_db_instance.main")]
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "legacy database, migration planned" in waived["suppressions"][0]["justification"]
    failed = by_resource[("s3_bucket_encrypted", "aws_s3_bucket.assets")]
    assert (failed["kind"], failed["level"]) == ("fail", "error")
    fingerprints = {r["fingerprint"] for r in report["results"]}
    assert all(r["partialFingerprints"]["stackproof/v1"] in fingerprints for r in results)


def live_report() -> Report:
    arn = "arn:aws:s3:::acme-audit-logs"
    results = [
        Result("s3_bucket_encrypted", "FAIL", "high", arn, "aws.s3.bucket", "live", "SSE-S3 (AES256), not a KMS key",
               account="111122223333", region="eu-west-2"),
        Result("rds_instance_not_public", "UNKNOWN", "critical", "eu-west-1 rds", "aws.rds.db_instance", "live",
               "not assessed: AccessDenied on rds:DescribeDBInstances", account="111122223333", region="eu-west-1"),
        Result("s3_bucket_encrypted", "PASS", "high", "arn:aws:s3:::acme-logs", "aws.s3.bucket", "live",
               "default encryption aws:kms", account="111122223333", region="eu-west-2"),
    ]
    policies = {"s3_bucket_encrypted": PolicyInfo("s3_bucket_encrypted", "S3 buckets encrypt", "high", "encryption",
                                                  "why", {"terraform": "x"}, {"soc2": ["CC6.1"]})}
    return Report(results, policies, {"started_at": "2026-01-02T03:04:05+00:00", "profile": "audit"})


def test_live_results_have_the_arn_as_logical_location_and_no_file():
    log = json.loads(sarif.render(live_report()))
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 2  # the PASS is left out
    bucket = results[0]
    assert "physicalLocation" not in bucket["locations"][0]
    assert bucket["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "arn:aws:s3:::acme-audit-logs", "kind": "resource"}]
    assert bucket["properties"]["account"] == "111122223333" and bucket["properties"]["region"] == "eu-west-2"
    # a result whose policy the saved report does not describe still gets a rule
    assert log["runs"][0]["tool"]["driver"]["rules"][results[1]["ruleIndex"]]["id"] == "rds_instance_not_public"


def test_live_sarif_has_no_file_base():
    log = json.loads(sarif.render(live_report()))
    assert "originalUriBaseIds" not in log["runs"][0]


def test_a_path_with_spaces_is_a_valid_uri():
    report = live_report()
    report.results[0].file, report.results[0].line = "infra/my stack/template.yaml", 12
    log = json.loads(sarif.render(report))
    validate(log)
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "infra/my%20stack/template.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 12}}


def test_a_plan_under_the_current_folder_is_relative_to_srcroot(plan, tmp_path, monkeypatch):
    """As in CI: `stackproof scan plan.json` in the repository root; code scanning then
    finds plan.json in the repository."""
    monkeypatch.chdir(plan.parent)
    scan("plan.json", *POLICIES, "--format", "sarif", "--output-dir", "out")
    log = json.loads((plan.parent / "out" / "results.sarif").read_text())
    validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == plan.parent.resolve().as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations and all(loc == {"uri": "plan.json", "uriBaseId": "%SRCROOT%"} for loc in locations)


def test_an_absolute_path_under_the_current_folder_is_made_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = live_report()
    report.results[0].file, report.results[0].line = str(tmp_path / "stacks" / "app.yaml"), 3
    physical = json.loads(sarif.render(report))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "stacks/app.yaml", "uriBaseId": "%SRCROOT%"}


def test_the_schema_check_catches_a_broken_log():
    """The vendored schema really constrains results: a result without a message fails."""
    log = json.loads(sarif.render(live_report()))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        validate(log)


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Secure:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  Plain:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: Name
          Value: plain
"""


def test_template_results_point_at_the_line_of_the_logical_id(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    assert scan(template, "--policy", "s3_bucket_encrypted", "--format", "sarif", "--output-dir", tmp_path / "o") == 1
    log = json.loads((tmp_path / "o" / "results.sarif").read_text())
    validate(log)
    [result] = log["runs"][0]["results"]  # Plain has no default encryption; Secure passes
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": template.as_uri()}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "Plain"
    line = location["physicalLocation"]["region"]["startLine"]
    assert TEMPLATE.splitlines()[line - 1].strip() == "Plain:"
