"""Markdown: a short summary for a pull-request comment, snapshot-tested.

The snapshot (snapshots/pr-comment.md) was written by hand from samples.py: failures
new since the baseline first, then ERROR, then by severity; markup in names escaped; a
pipe in a message escaped so the table keeps its columns.
"""
from __future__ import annotations

from pathlib import Path

from stackproof.reporters import markdown
from stackproof.results import Result
from tests.reports.samples import sample_report

SNAPSHOT = Path(__file__).parent / "snapshots" / "pr-comment.md"


def test_markdown_matches_the_snapshot():
    assert markdown.render(sample_report()) == SNAPSHOT.read_text(encoding="utf-8")


def test_every_table_row_keeps_its_columns():
    text = markdown.render(sample_report())
    rows = [line for line in text.splitlines() if line.startswith(("| FAIL", "| ERROR"))]
    assert len(rows) == 4
    for row in rows:
        cells = row.replace("\\|", "").strip("|").split("|")
        assert len(cells) == 6, row


def test_a_long_list_of_failures_is_cut_short():
    report = sample_report()
    report.results += [Result("s3_bucket_encrypted", "FAIL", "high", f"aws_s3_bucket.b{i}", "aws.s3.bucket",
                              "tfplan", "no default encryption configured") for i in range(40)]
    text = markdown.render(report)
    shown = [line for line in text.splitlines() if line.startswith("| FAIL") or line.startswith("| ERROR")]
    assert len(shown) == markdown.LIMIT
    failures = 3 + 1 + 40  # the sample's FAILs and ERROR, and the 40 added
    assert f"_... and {failures - markdown.LIMIT} more in the full report._" in text
    assert len(text) < 4000  # fits a PR comment comfortably


def test_a_clean_run_says_the_gate_holds():
    report = sample_report()
    report.results = [r for r in report.results if r.status == "PASS"]
    report.run["gate"] = {"holds": True, "blocking": 0, "fail_on": "all"}
    report.waivers, report.changes = [], None
    text = markdown.render(report)
    assert text.startswith("## ✅ stackproof: the gate holds")
    assert "### Failures" not in text
