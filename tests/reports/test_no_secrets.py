"""No value a plan marks sensitive reaches any report format."""
from __future__ import annotations

import json

from tests.reports.conftest import build_plan, scan

SECRET = "Zq9-not-for-reports-7731"


def test_sensitive_plan_values_reach_no_report(tmp_path):
    plan = build_plan("before")
    for change in plan["resource_changes"]:
        if change["address"] == "aws_db_instance.main":
            change["change"]["after"]["password"] = SECRET
            change["change"]["after_sensitive"] = {"password": True}
        if change["address"] == "aws_s3_bucket.logs":  # a Name tag marked sensitive
            change["change"]["after"]["tags"]["Name"] = SECRET
            change["change"]["after"]["tags_all"]["Name"] = SECRET
            change["change"]["after_sensitive"] = {"tags": {"Name": True}, "tags_all": {"Name": True}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    assert SECRET in path.read_text()  # the input does hold it
    out = tmp_path / "out"
    assert scan(path, "--format", "json,junit,sarif,markdown,html", "--output-dir", out) == 1
    written = sorted(p.name for p in out.iterdir())
    assert written == ["results.html", "results.json", "results.junit.xml", "results.md", "results.sarif"]
    for report in out.iterdir():
        assert SECRET not in report.read_text(encoding="utf-8"), report.name
