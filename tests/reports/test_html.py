"""The HTML report without a browser: one self-contained file, everything escaped, small
enough at 10,000 results, and Jinja2 imported only when HTML is asked for.
(tests/reports/test_html_browser.py opens it in Chromium.)"""
from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

from stackproof.reporters import html
from tests.conftest import ROOT
from tests.reports.samples import HOSTILE, sample_report
from tests.reports.synthetic import synthetic_report


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(text: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


def test_the_file_loads_nothing_from_outside():
    text = html.render(sample_report())
    tags = parse(text)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "svg", "video", "audio"}
    for tag, attrs in tags:
        assert "src" not in attrs, tag
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs["href"]  # in-page links only
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    style = text[text.index("<style>"):text.index("</style>")]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    csp = next(attrs["content"] for tag, attrs in tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp


def test_values_from_the_inputs_are_escaped():
    text = html.render(sample_report())
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_every_result_appears_once_under_its_policy():
    report = sample_report()
    text = html.render(report)
    policies = text[text.index('<section id="policies">'):text.index('<section id="exceptions">')]
    for result in report.results:
        assert policies.count(f"<code>{result.resource}</code>") == sum(
            1 for r in report.results if r.resource == result.resource)


def test_ten_thousand_results_fit_in_five_megabytes():
    report = synthetic_report(10_000)
    size = len(html.render(report).encode("utf-8"))
    assert size < 5 * 1024 * 1024, f"{size / 1e6:.2f} MB"


def test_a_json_only_scan_does_not_import_jinja2(tmp_path):
    plan = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
    code = ("import sys; from stackproof.cli import main; "
            f"main(['scan', {str(plan)!r}, '--format', 'json', '--output-dir', {str(tmp_path)!r}]); "
            "print('jinja2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_live_audit_shows_accounts_regions_and_arns():
    from stackproof.report import Report
    from stackproof.results import Result

    arn = "arn:aws:rds:eu-west-1:111122223333:db:orders"
    report = Report(
        [Result("rds_instance_storage_encrypted", "FAIL", "high", arn, "aws.rds.db_instance", "live",
                "storage is not encrypted", account="111122223333", region="eu-west-1"),
         Result("rds_instance_storage_encrypted", "UNKNOWN", "high", "eu-west-2 rds", "aws.rds.db_instance", "live",
                "not assessed: AccessDenied", account="444455556666", region="eu-west-2")],
        {}, {"started_at": "2026-03-01T09:30:00+00:00", "profile": "audit", "inputs": [],
             "gate": {"holds": False, "blocking": 2}})
    text = html.render(report)
    header = text[:text.index("<nav>")]
    assert "<th>accounts</th><td class=\"mono\">111122223333, 444455556666</td>" in header
    assert "<th>regions</th><td class=\"mono\">eu-west-1, eu-west-2</td>" in header
    assert f"<code>{arn}</code></td><td>111122223333 / eu-west-1</td>" in text
