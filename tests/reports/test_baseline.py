"""Baselines: new, fixed and still-failing results by fingerprint, and the --fail-on new gate.

Between the two plans of conftest, assets gains SSE-KMS (fixed), a new unencrypted
bucket uploads appears (new), and everything else that failed still fails.
"""
from __future__ import annotations

import pytest

from tests.reports.conftest import scan, scan_json


def by_fingerprint(report: dict) -> dict[str, tuple[str, str]]:
    return {r["fingerprint"]: (r["policy"], r["resource"]) for r in report["results"]}


@pytest.fixture
def baseline(plan, tmp_path):
    code, report = scan_json(plan, tmp_path / "baseline")
    assert code == 1
    return tmp_path / "baseline" / "results.json"


def test_changes_since_the_baseline(next_plan, baseline, tmp_path):
    _, report = scan_json(next_plan, tmp_path / "out", "--baseline", baseline)
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


def test_a_resource_that_is_gone_counts_as_fixed(plan, next_plan, tmp_path):
    scan_json(next_plan, tmp_path / "base")
    _, report = scan_json(plan, tmp_path / "out", "--baseline", tmp_path / "base" / "results.json")
    fixed = {(f["resource"], f["now"]) for f in report["changes"]["fixed"]}
    assert fixed == {("aws_s3_bucket.uploads", "GONE")}
    names = by_fingerprint(report)
    assert [names[f] for f in report["changes"]["new"]] == [("s3_bucket_encrypted", "aws_s3_bucket.assets")]


def test_fail_on_new_gates_only_on_new_results(next_plan, plan, baseline, tmp_path, capsys):
    # the same plan as the baseline: four failures, none new
    assert scan_json(plan, tmp_path / "a", "--baseline", baseline)[0] == 1
    code, report = scan_json(plan, tmp_path / "b", "--baseline", baseline, "--fail-on", "new")
    assert code == 0 and report["run"]["gate"]["fail_on"] == "new"
    # the next plan brings one new failure, and only it blocks
    code, report = scan_json(next_plan, tmp_path / "c", "--baseline", baseline, "--fail-on", "new",
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
