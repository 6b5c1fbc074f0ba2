"""Baselines: new, fixed and still-failing results by fingerprint, and the --fail-on new gate.

Between the two plans of conftest, assets gains SSE-KMS (fixed), a new unencrypted
bucket uploads appears (new), and everything else that failed still fails. The next
commit's plan is written at the same path as the first, as CI writes plan.json again.
"""
from __future__ import annotations

import json

import pytest

from tests.reports.conftest import DB_WAIVER, build_plan, next_commit, scan, scan_json, write_waivers


def by_fingerprint(report: dict) -> dict[str, tuple[str, str]]:
    return {r["fingerprint"]: (r["policy"], r["resource"]) for r in report["results"]}


@pytest.fixture
def baseline(plan, tmp_path):
    code, report = scan_json(plan, tmp_path / "baseline")
    assert code == 1
    return tmp_path / "baseline" / "results.json"


def test_changes_since_the_baseline(plan, baseline, tmp_path):
    _, report = scan_json(next_commit(plan), tmp_path / "out", "--baseline", baseline)
    changes = report["changes"]
    names = by_fingerprint(report)
    assert [names[f] for f in changes["new"]] == [("s3_bucket_encrypted", "aws_s3_bucket.uploads")]
    assert sorted(names[f] for f in changes["still_failing"]) == [
        ("rds_instance_storage_encrypted", "aws_db_instance.main"),
        ("s3_bucket_encrypted", "aws_s3_bucket.scratch"),
        ("s3_bucket_public_access_blocked", "aws_s3_bucket.assets"),
        ("s3_bucket_public_access_blocked", "aws_s3_bucket.scratch"),  # UNKNOWN in both runs
    ]
    assert [(f["policy"], f["resource"], f["status"], f["now"]) for f in changes["fixed"]] == [
        ("s3_bucket_encrypted", "aws_s3_bucket.assets", "FAIL", "PASS")]
    assert changes["baseline"]["path"] == str(baseline) and len(changes["baseline"]["sha256"]) == 64


def test_a_resource_that_is_gone_counts_as_fixed(plan, tmp_path):
    scan_json(next_commit(plan), tmp_path / "base")
    plan.write_text(json.dumps(build_plan("before")))  # uploads is removed again
    _, report = scan_json(plan, tmp_path / "out", "--baseline", tmp_path / "base" / "results.json")
    fixed = {(f["resource"], f["now"]) for f in report["changes"]["fixed"]}
    assert fixed == {("aws_s3_bucket.uploads", "GONE")}
    names = by_fingerprint(report)
    assert [names[f] for f in report["changes"]["new"]] == [("s3_bucket_encrypted", "aws_s3_bucket.assets")]


def test_fail_on_new_gates_only_on_new_results(plan, baseline, tmp_path, capsys):
    # the same plan as the baseline: four failures, none new
    assert scan_json(plan, tmp_path / "a", "--baseline", baseline)[0] == 1
    code, report = scan_json(plan, tmp_path / "b", "--baseline", baseline, "--fail-on", "new")
    assert code == 0 and report["run"]["gate"]["fail_on"] == "new"
    # the next plan brings one new failure, and only it blocks
    code, report = scan_json(next_commit(plan), tmp_path / "c", "--baseline", baseline, "--fail-on", "new",
                             "--format", "console,json")
    assert code == 1 and report["run"]["gate"]["blocking"] == 1
    assert "gate fails: 1 blocking result(s)" in capsys.readouterr().out


def test_fail_on_new_needs_a_baseline(plan, tmp_path, capsys):
    assert scan(plan, "--fail-on", "new", "--format", "json", "--output-dir", tmp_path / "o") == 2
    assert "--fail-on new needs --baseline" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("content,message", [
    ('{"schema": "something/else"}', "not a stackproof JSON report"),
    ('{\n  "schema": "stackproof/results@1",\n  "results": [\n', "baseline.json:4: the baseline is not JSON"),
    ('{"schema": "stackproof/results@1", "results": [{"policy": "x"}]}', "malformed report"),
])
def test_a_bad_baseline_is_refused(plan, tmp_path, capsys, content, message):
    bad = tmp_path / "baseline.json"
    bad.write_text(content)
    assert scan(plan, "--baseline", bad, "--format", "json", "--output-dir", tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert message in err and str(bad) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_findings_of_policies_not_run_are_not_compared_not_fixed(plan, baseline, tmp_path):
    # the baseline ran three policies; this run only s3_bucket_encrypted
    code = scan(next_commit(plan), "--policy", "s3_bucket_encrypted", "--baseline", baseline, "--format", "json",
                "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    changes = report["changes"]
    assert [(f["policy"], f["resource"]) for f in changes["fixed"]] == [("s3_bucket_encrypted", "aws_s3_bucket.assets")]
    names = by_fingerprint(report)
    assert [names[f] for f in changes["new"]] == [("s3_bucket_encrypted", "aws_s3_bucket.uploads")]
    assert [names[f] for f in changes["still_failing"]] == [("s3_bucket_encrypted", "aws_s3_bucket.scratch")]
    # assets and scratch for the public access block, main for RDS encryption: not run this time
    assert changes["not_compared"]["findings"] == 3
    assert changes["not_compared"]["by_policy"] == {"rds_instance_storage_encrypted": 1,
                                                    "s3_bucket_public_access_blocked": 2}
    assert changes["not_compared"]["why"] == [
        "policies this run did not run: rds_instance_storage_encrypted, s3_bucket_public_access_blocked"]
    assert code == 1


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Plain:
    Type: AWS::S3::Bucket
"""


def test_findings_of_an_input_not_read_are_not_compared(plan, tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    code = scan(plan, template, "--policy", "s3_bucket_encrypted", "--format", "json",
                "--output-dir", tmp_path / "base")
    assert code == 1
    code, report = scan_json(plan, tmp_path / "out", "--policy", "s3_bucket_encrypted",
                             "--baseline", tmp_path / "base" / "results.json")
    changes = report["changes"]
    assert changes["fixed"] == []  # the template's Plain bucket was not scanned, not fixed
    assert changes["not_compared"]["findings"] == 1
    assert changes["not_compared"]["why"][0] == f"inputs this run did not read: {template}"


def test_a_failure_now_waived_is_counted_as_now_waived(plan, baseline, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", DB_WAIVER)
    _, report = scan_json(plan, tmp_path / "out", "--baseline", baseline, "--waivers", waivers)
    changes = report["changes"]
    names = by_fingerprint(report)
    assert [names[f] for f in changes["now_waived"]] == [("rds_instance_storage_encrypted", "aws_db_instance.main")]
    assert changes["new"] == [] and changes["fixed"] == []
    assert len(changes["still_failing"]) == 4  # assets and scratch, two findings each
    # the baseline's five findings: four still failing, one now waived
    base = json.loads(baseline.read_text())
    assert sum(r["status"] in ("FAIL", "ERROR", "UNKNOWN") for r in base["results"]) == \
        len(changes["still_failing"]) + len(changes["now_waived"])
