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
    report.run["gate"]["blocking"] = 44
    text = markdown.render(report)
    shown = [line for line in text.splitlines() if line.startswith("| FAIL") or line.startswith("| ERROR")]
    assert len(shown) == markdown.LIMIT
    failures = 3 + 1 + 40  # the sample's FAILs and ERROR, and the 40 added: all block (profile ci, floor low)
    assert f"### Blocking the gate ({failures})" in text
    assert f"_... and {failures - markdown.LIMIT} more (see the JSON/HTML report)._" in text
    assert len(text) < 4000  # fits a PR comment comfortably


def test_under_the_audit_profile_the_unknowns_that_block_are_listed():
    report = sample_report()
    report.run["profile"] = "audit"
    report.run["gate"]["blocking"] = 5  # the three FAILs, the ERROR and the UNKNOWN
    text = markdown.render(report)
    assert text.startswith("## ❌ stackproof: the gate fails (5 blocking)")
    assert "### Blocking the gate (5)" in text
    [row] = [line for line in text.splitlines() if line.startswith("| UNKNOWN")]
    assert "`aws_s3_bucket.scratch`" in row and "restrict\\_public\\_buckets not known until apply" in row


def test_failures_below_the_severity_floor_are_listed_apart():
    report = sample_report()
    report.run["severity_floor"] = "high"
    report.run["gate"]["blocking"] = 3  # the critical and high FAILs, and the ERROR (which always blocks)
    text = markdown.render(report)
    blocking = text[text.index("### Blocking the gate (3)"):text.index("### Other failures")]
    assert "`vpc_s3_gateway_endpoint`" not in blocking
    other = text[text.index("### Other failures (not blocking) (1)"):]
    assert "| FAIL | low | `vpc_s3_gateway_endpoint`" in other


def test_a_huge_run_stays_under_githubs_comment_limit():
    report = sample_report()
    report.results += [Result("s3_bucket_encrypted", "FAIL", "high", f"aws_s3_bucket.b{i}" + "x" * 500,
                              "aws.s3.bucket", "tfplan", "no default encryption " * 100) for i in range(5000)]
    expired = dict(report.waivers[1])
    report.waivers = [{**expired, "selector": f"aws_s3_bucket.b{i}" + "y" * 300} for i in range(1000)]
    text = markdown.render(report)
    assert len(text) < 60_000
    assert "_... and 990 more expired waivers (see the JSON/HTML report)._" in text
    assert "Waivers: 1000 expired." in text


def test_values_of_a_hand_edited_report_are_escaped():
    report = sample_report()
    report.run["started_at"] = "<img src=x onerror=alert(1)> | `now`"
    report.tool["version"] = "**9** <b>"
    report.waivers[0] = {**report.waivers[0], "status": "<i>active</i>"}
    report.results[0].message = "tls \x07\x1b[31m policy"
    text = markdown.render(report)
    assert "<img" not in text and "<b>" not in text and "<i>" not in text
    assert "\x1b" not in text and "tls \\\\x07\\\\x1b\\[31m policy" in text  # shown, not sent
    header = text.splitlines()[2]
    assert header.endswith("stackproof \\*\\*9\\*\\* &lt;b&gt;, &lt;img src=x onerror=alert(1)&gt; \\| \\`now\\`")


def test_a_clean_run_says_the_gate_holds():
    report = sample_report()
    report.results = [r for r in report.results if r.status == "PASS"]
    report.run["gate"] = {"holds": True, "blocking": 0, "fail_on": "all"}
    report.waivers, report.changes = [], None
    text = markdown.render(report)
    assert text.startswith("## ✅ stackproof: the gate holds")
    assert "### Failures" not in text


def test_what_an_audit_could_not_read_is_listed_and_cut_short():
    from stackproof.loaders.live import notassessed

    report = sample_report()
    report.run["not_assessed"] = [
        notassessed.entry(f"account 111122223333 eu-west-{i} kms", "access denied (AccessDeniedException): denied",
                          ("aws.kms.key",), "111122223333", f"eu-west-{i}", "kms") for i in range(1, 13)]
    report.run["not_assessed"].insert(5, notassessed.entry(
        "arn:aws:iam::444455556666:role/audit", "cannot assume the role: access denied (AccessDenied)",
        ("aws.kms.key", "aws.s3.bucket"), "444455556666"))
    lines = [line for line in markdown.render(report).splitlines() if line.startswith("- Not read")]
    assert len(lines) == markdown.NOTE_LIMIT
    # by account, then region: the whole account of 444455556666 comes after 111122223333's regions
    assert lines[0] == ("- Not read: `all of kms` (account 111122223333, eu-west-1): access denied "
                        "(AccessDeniedException): denied.")
    assert all("444455556666" not in line for line in lines)
    assert "_... and 3 more parts not read (see the JSON/HTML report)._" in markdown.render(report)
    report.run["not_assessed"] = report.run["not_assessed"][5:6]
    assert ("- Not read: the whole account (account 444455556666, every region; "
            "`arn:aws:iam::444455556666:role/audit`): cannot assume the role: access denied (AccessDenied).") in (
        markdown.render(report))
