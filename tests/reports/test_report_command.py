"""stackproof report RESULTS.json: reports rendered later from a saved run, the same as
at scan time; several runs merged; JUnit parsed back; bad input refused."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from stackproof.cli import main
from tests.reports.conftest import POLICIES, scan, write_waivers

FORMATS = {"html": "results.html", "markdown": "results.md", "sarif": "results.sarif", "junit": "results.junit.xml"}


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
    ('{"schema": "stackproof/results@1", "results": ["x"]}', "malformed report"),
])
def test_a_bad_results_file_is_refused(tmp_path, capsys, content, message):
    bad = tmp_path / "results.json"
    bad.write_text(content)
    assert main(["report", str(bad), "--format", "html", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_unknown_format_or_a_missing_file_is_refused(saved_run, tmp_path, capsys):
    assert main(["report", str(saved_run / "results.json"), "--format", "pdf"]) == 2
    assert "unknown report format(s) pdf" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
