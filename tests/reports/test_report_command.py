"""stackproof report RESULTS.json: reports rendered later from a saved run, the same as
at scan time; several runs merged; JUnit parsed back; bad input refused."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from stackproof.cli import main
from tests.reports.conftest import POLICIES, next_commit, scan, write_waivers

FORMATS = {"html": "results.html", "markdown": "results.md", "sarif": "results.sarif", "junit": "results.junit.xml"}
NOT_READ = {"where": "account 111122223333 global s3: GetBucketEncryption for 2 resource(s)",
            "account": "111122223333", "region": None, "service": "s3", "call": "GetBucketEncryption", "count": 2,
            "reason": "access denied (AccessDenied): Access Denied", "kinds": ["aws.s3.bucket"]}


@pytest.fixture
def saved_run(plan, next_plan, tmp_path):
    """A scan of the next plan with a waiver and a baseline, every format written."""
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "base")
    waivers = write_waivers(tmp_path / "waivers.yaml", """\
waivers:
  - policy: rds_instance_storage_encrypted
    resource: aws_db_instance.main
    reason: legacy database
    owner: dba@example.com
    expires: 2999-12-31
""")
    scan(next_plan, *POLICIES, "--waivers", waivers, "--baseline", tmp_path / "base" / "results.json",
         "--format", "json," + ",".join(FORMATS), "--output-dir", tmp_path / "scan")
    return tmp_path / "scan"


def test_reports_rendered_later_equal_those_written_at_scan_time(saved_run, tmp_path, capsys):
    assert main(["report", str(saved_run / "results.json"), "--format", ",".join(FORMATS),
                 "--output-dir", str(tmp_path / "later")]) == 0
    for name in FORMATS.values():
        assert (tmp_path / "later" / name).read_text() == (saved_run / name).read_text(), name
    assert capsys.readouterr().out.count("wrote ") == len(FORMATS)


def test_junit_parses_back_with_the_json_counts(saved_run):
    report = json.loads((saved_run / "results.json").read_text())
    root = ET.parse(saved_run / "results.junit.xml").getroot()
    summary = report["summary"]
    assert int(root.get("tests")) == len(report["results"])
    assert int(root.get("failures")) == summary["FAIL"]
    assert int(root.get("errors")) == summary["ERROR"]
    assert int(root.get("skipped")) == summary["UNKNOWN"] + summary["WAIVED"] + summary["NOT_APPLICABLE"]
    # a case is named by the resource, then its account and region: "aws_s3_bucket.a [eu-west-2]"
    failed = {(case.get("classname"), case.get("name").split(" [")[0]) for case in root.iter("testcase")
              if case.find("failure") is not None}
    assert failed == {(r["policy"], r["resource"]) for r in report["results"] if r["status"] == "FAIL"}
    waived = [case for case in root.iter("testcase") if case.get("name").startswith("aws_db_instance.main ")]
    assert waived[0].find("skipped").get("message").startswith("WAIVED")


def test_several_runs_merge_into_one_report(plan, next_plan, tmp_path):
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "a")
    scan(next_plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "b")
    a = json.loads((tmp_path / "a" / "results.json").read_text())
    b = json.loads((tmp_path / "b" / "results.json").read_text())
    assert main(["report", str(tmp_path / "a" / "results.json"), str(tmp_path / "b" / "results.json"),
                 "--format", "json", "--output-dir", str(tmp_path / "merged")]) == 0
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    assert len(merged["results"]) == len(a["results"]) + len(b["results"])
    assert [i["path"] for i in merged["run"]["inputs"]] == [str(plan), str(next_plan)]
    assert merged["summary"] == {s: a["summary"][s] + b["summary"][s] for s in a["summary"]}
    assert merged["run"]["gate"]["holds"] is False


@pytest.mark.parametrize("content,message", [
    ("{\n  \"schema\": \n", "results.json:3: not JSON"),
    ('{"schema": "sarif"}', "not a stackproof JSON report"),
    ('{"schema": "stackproof/results@1", "results": ["x"]}', "malformed report: $.results[0]: expected a mapping"),
])
def test_a_bad_results_file_is_refused(tmp_path, capsys, content, message):
    bad = tmp_path / "results.json"
    bad.write_text(content)
    assert main(["report", str(bad), "--format", "html", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _set(path: str, value):
    """A change to a saved report: the value at a path like "results.0.location.line"."""
    def change(data):
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for key in parents:
            data = data[key]
        if value is KeyError:
            del data[last]
        else:
            data[last] = value
    return change


@pytest.mark.parametrize("change,message", [
    (_set("run", ["a"]), "$.run: expected a mapping, found a list"),
    (_set("run.gate", "failed"), "$.run.gate: expected a mapping, found text"),
    (_set("run.inputs", "plan.json"), "$.run.inputs: expected a list, found text"),
    (_set("waivers.0.status", KeyError), "$.waivers[0].status: missing (expected text)"),
    (_set("changes.new", KeyError), "$.changes.new: missing (expected a list)"),
    (_set("results.0.location.line", "12"), "$.results[0].location.line: expected an integer, found text"),
    (_set("policies.s3_bucket_encrypted.frameworks", ["soc2"]),
     "$.policies.s3_bucket_encrypted.frameworks: expected a mapping, found a list"),
    (_set("results.0.waiver", "legacy"), "$.results[0].waiver: expected a mapping, found text"),
    (_set("results.0.status", "BOGUS"), "$.results[0].status: 'BOGUS' is not a status"),
    (_set("results.0.evidence", "a string"), "$.results[0].evidence: expected a mapping, found text"),
    (_set("changes.fixed", ["x"]), "$.changes.fixed[0]: expected a mapping, found text"),
    (_set("run.not_assessed", "kms"), "$.run.not_assessed: expected a list, found text"),
    (_set("run.not_assessed.0", ["kms"]), "$.run.not_assessed[0]: expected a mapping, found a list"),
    (_set("run.not_assessed.0.reason", KeyError), "$.run.not_assessed[0].reason: missing (expected text)"),
    (_set("run.not_assessed.0.count", "2"), "$.run.not_assessed[0].count: expected an integer, found text"),
    (_set("run.not_assessed.0.call", 7), "$.run.not_assessed[0].call: expected text, found an integer"),
    (_set("run.not_assessed.0.kinds", "aws.s3.bucket"),
     "$.run.not_assessed[0].kinds: expected a list, found text"),
])
def test_a_report_of_the_wrong_shape_is_refused_naming_the_json_path(saved_run, tmp_path, capsys, change, message):
    data = json.loads((saved_run / "results.json").read_text())
    data["results"][0]["waiver"] = data["results"][0].get("waiver") or {"source": "w.yaml:1"}
    data["run"]["not_assessed"] = [dict(NOT_READ)]  # as a live audit's report has it
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    for fmt in FORMATS:
        assert main(["report", str(bad), "--format", fmt, "--output-dir", str(tmp_path / "out")]) == 2, fmt
        err = capsys.readouterr().err
        assert err.startswith(f"stackproof: error: {bad}: malformed report: {message}"), err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_keys_of_a_later_version_are_ignored(saved_run, tmp_path):
    data = json.loads((saved_run / "results.json").read_text())
    data["policies"]["s3_bucket_encrypted"]["references"] = ["https://example.com"]
    data["results"][0]["confidence"] = "high"
    data["run"]["runner"] = {"name": "ci-7"}
    data["run"]["not_assessed"] = [{**NOT_READ, "retried": 3}]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(data))
    assert main(["report", str(later), "--format", ",".join(FORMATS), "--output-dir", str(tmp_path / "out")]) == 0


def test_the_same_run_merged_twice_is_refused(saved_run, tmp_path, capsys):
    path = str(saved_run / "results.json")
    assert main(["report", path, path, "--format", "json", "--output-dir", str(tmp_path / "out")]) == 2
    assert "given twice" in capsys.readouterr().err
    copy = tmp_path / "copy.json"
    copy.write_text((saved_run / "results.json").read_text())
    assert main(["report", path, str(copy), "--format", "json", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{copy}: holds a result that {path} also holds" in err and "counted twice" in err
    assert not (tmp_path / "out").exists()


def test_a_merge_carries_each_runs_changes_and_says_it_is_a_merge(plan, next_plan, tmp_path):
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "base-a")
    scan(next_plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "base-b")
    next_commit(plan)  # plan.json's next commit: assets encrypted, uploads added
    scan(plan, *POLICIES, "--baseline", tmp_path / "base-a" / "results.json", "--format", "json",
         "--output-dir", tmp_path / "a")
    scan(next_plan, *POLICIES, "--baseline", tmp_path / "base-b" / "results.json", "--format", "json",
         "--output-dir", tmp_path / "b")
    parts = [json.loads((tmp_path / name / "results.json").read_text()) for name in ("a", "b")]
    assert main(["report", str(tmp_path / "a" / "results.json"), str(tmp_path / "b" / "results.json"),
                 "--format", "json,html", "--output-dir", str(tmp_path / "merged")]) == 0
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    for key in ("new", "still_failing", "fixed"):
        assert len(merged["changes"][key]) == sum(len(part["changes"][key]) for part in parts), key
    assert len(merged["changes"]["new"]) == 1 and len(merged["changes"]["fixed"]) == 1  # both from plan.json
    assert [p["file"] for p in merged["run"]["merged_from"]] == [str(tmp_path / n / "results.json") for n in "ab"]
    html = (tmp_path / "merged" / "results.html").read_text()
    assert "No baseline was given" not in html
    assert "merges 2 runs" in html
def test_an_unknown_format_or_a_missing_file_is_refused(saved_run, tmp_path, capsys):
    assert main(["report", str(saved_run / "results.json"), "--format", "pdf"]) == 2
    assert "unknown report format(s) pdf" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
