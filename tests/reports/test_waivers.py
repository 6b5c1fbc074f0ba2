"""Waivers: valid ones waive, expired ones fail the gate, malformed ones are refused with
file and line, and ones that match nothing are reported as stale."""
from __future__ import annotations

import pytest

from tests.reports.conftest import scan, scan_json, statuses, write_waivers

FUTURE, PAST = "2999-12-31", "2001-01-01"


def waivers_for_every_failure(expires: str) -> str:
    """One waiver per failing result of the plan (see conftest), selected three ways."""
    return f"""\
waivers:
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.assets
    reason: public website assets, nothing confidential
    owner: web-team@example.com
    ticket: SEC-101
    expires: {expires}
  - policy: "s3_*"
    tags: {{Team: data}}
    reason: scratch space, emptied nightly
    owner: data-team@example.com
    expires: {expires}
  - policy: s3_bucket_public_access_blocked
    resource: "aws_s3_bucket.ass*"
    reason: served through CloudFront only
    owner: web-team@example.com
    expires: {expires}
  - policy: rds_instance_storage_encrypted
    resource: aws_db_instance.main
    reason: legacy database, migration planned
    owner: dba@example.com
    ticket: DB-7
    expires: {expires}
"""


def test_valid_waivers_waive_every_failure_and_the_gate_holds(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(FUTURE))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers)
    assert code == 0
    found = statuses(report)
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.assets")] == "WAIVED"
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.scratch")] == "WAIVED"  # by its Team=data tag
    assert found[("s3_bucket_public_access_blocked", "aws_s3_bucket.scratch")] == "WAIVED"  # an UNKNOWN, by tag
    assert found[("s3_bucket_public_access_blocked", "aws_s3_bucket.assets")] == "WAIVED"  # by glob
    assert found[("rds_instance_storage_encrypted", "aws_db_instance.main")] == "WAIVED"
    # passing results are never turned into waived ones
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.logs")] == "PASS"
    waived = next(r for r in report["results"] if r["resource"] == "aws_db_instance.main")
    assert waived["waiver"]["owner"] == "dba@example.com" and waived["waiver"]["ticket"] == "DB-7"
    assert waived["waiver"]["waived_status"] == "FAIL" and waived["waiver"]["expired"] is False
    assert waived["waiver"]["source"].endswith("waivers.yaml:18")
    assert [w["status"] for w in report["waivers"]] == ["active"] * 4
    assert [w["waived"] for w in report["waivers"]] == [1, 2, 1, 1]


def test_an_expired_waiver_no_longer_waives_and_fails_the_gate(plan, tmp_path, capsys):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(PAST))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--format", "console,json")
    assert code == 1
    db = next(r for r in report["results"] if r["resource"] == "aws_db_instance.main")
    assert db["status"] == "FAIL"
    assert db["waiver"]["expired"] is True and db["waiver"]["expires"] == PAST
    assert {w["status"] for w in report["waivers"]} == {"expired"}
    assert report["run"]["gate"]["expired_waivers"] == 4
    out = capsys.readouterr().out
    assert f"waiver expired {PAST}" in out and "expired waiver" in out


def test_an_expired_waiver_fails_the_gate_even_below_the_severity_floor(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(PAST))
    code, _ = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--severity-floor", "critical")
    assert code == 1
    # the same floor without waivers holds: every failure here is high, not critical
    code, _ = scan_json(plan, tmp_path / "plain", "--severity-floor", "critical")
    assert code == 0


def test_a_waiver_valid_through_today_still_waives(plan, tmp_path):
    from stackproof.waivers import today_utc

    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(today_utc().isoformat()))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers)
    assert code == 0 and report["summary"]["WAIVED"] == 5


def test_a_waiver_that_matches_nothing_is_stale(plan, tmp_path, capsys):
    text = waivers_for_every_failure(FUTURE) + f"""\
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.gone
    reason: bucket removed last quarter
    owner: web-team@example.com
    expires: {FUTURE}
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.logs
    reason: was unencrypted once
    owner: platform@example.com
    expires: {FUTURE}
"""
    waivers = write_waivers(tmp_path / "waivers.yaml", text)
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--format", "console,json")
    assert code == 0  # a stale waiver is reported, it does not fail the gate
    gone, logs = report["waivers"][4], report["waivers"][5]
    assert (gone["status"], gone["matched"], gone["note"]) == ("stale", 0, "matched no result")
    assert (logs["status"], logs["matched"], logs["waived"]) == ("stale", 1, 0)  # matched a passing bucket
    assert "stale waiver" in capsys.readouterr().out


def test_a_waiver_for_a_policy_not_run_is_not_called_stale(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(FUTURE))
    code = scan(plan, "--policy", "s3_bucket_encrypted", "--waivers", waivers, "--format", "json",
                "--output-dir", tmp_path / "out")
    import json

    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert code == 0
    assert report["waivers"][3]["status"] == "not evaluated"  # the rds waiver


def test_an_error_result_is_never_waived():
    from datetime import date

    from stackproof.results import Result
    from stackproof.waivers import Waiver, apply_waivers

    crashed = Result("s3_bucket_encrypted", "ERROR", "high", "aws_s3_bucket.a", "aws.s3.bucket", "tfplan",
                     "the check raised KeyError: 'x'")
    waiver = Waiver("s3_bucket_encrypted", "r", "o", date(2999, 1, 1), "w.yaml", 2, resource="*")
    register = apply_waivers([crashed], [waiver], lambda r: None, ["s3_bucket_encrypted"], date(2025, 1, 1))
    assert crashed.status == "ERROR" and register[0]["status"] == "stale"


@pytest.mark.parametrize("entry,line,message", [
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    owner: a@example.com\n    expires: 2999-01-01\n",
     2, "is missing reason"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: because\n    expires: 2999-01-01\n",
     2, "is missing owner"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: because\n    owner: a@example.com\n",
     2, "is missing expires"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: '  '\n    owner: a\n    expires: 2999-01-01\n",
     4, "is missing reason"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: r\n    owner: a\n    expires: next year\n",
     6, "is not a date"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n"
     "    expiry: 2999-01-01\n", 7, "unknown waiver field 'expiry'"),
    ("  - policy: s3_bucket_encrypteed\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n",
     2, "no policy in the catalogue matches"),
    ("  - policy: s3_bucket_encrypted\n    reason: r\n    owner: a\n    expires: 2999-01-01\n",
     2, "needs a resource selector"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: a: b\n", 4, "invalid YAML"),
])
def test_a_malformed_waiver_is_refused_with_file_and_line(plan, tmp_path, capsys, entry, line, message):
    waivers = write_waivers(tmp_path / "waivers.yaml", "waivers:\n" + entry)
    out = tmp_path / "out"
    assert scan(plan, "--waivers", waivers, "--format", "json,html", "--output-dir", out) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"stackproof: error: {waivers}:{line}: ") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()  # nothing half-written


def test_a_missing_waivers_file_is_an_input_error(plan, tmp_path, capsys):
    assert scan(plan, "--waivers", tmp_path / "nope.yaml", "--format", "json", "--output-dir", tmp_path / "o") == 2
    assert "cannot read the waivers file" in capsys.readouterr().err
