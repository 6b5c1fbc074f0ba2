"""The HTML report without a browser: one self-contained file, everything escaped, small
enough at 10,000 results, long lists folded, evidence and control titles shown, the
results that block marked, and Jinja2 imported only when HTML is asked for.
(tests/reports/test_html_browser.py opens it in Chromium.)"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser

import yaml

from stackproof.report import Report
from stackproof.reporters import html
from stackproof.results import Result
from tests.conftest import ROOT
from tests.reports.conftest import POLICIES, scan, write_waivers
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
    assert f"<code>{arn}</code><td>111122223333 / eu-west-1<td" in text


class Cells(HTMLParser):
    """The text of each cell of each table row, and the rows' nesting in <details>."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.folded: list[bool] = []  # is the row inside a closed <details> (not the policy's own)?
        self.details: list[bool] = []  # open?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self.details.append("open" in attrs or "policy" in (attrs.get("class") or ""))
        elif tag == "tr":
            self.rows.append([])
            self.folded.append(not all(self.details))
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "details":
            self.details.pop()

    def handle_data(self, data):
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def cells(text: str, start: str, end: str) -> Cells:
    """The cells from the first `start` to the first `end` after it."""
    parser = Cells()
    begin = text.index(start)
    parser.feed(text[begin:text.index(end, begin)])
    return parser


def test_every_control_the_catalogue_maps_has_a_title():
    used: dict[str, set[str]] = {}
    for path in (ROOT / "policies").rglob("*.yaml"):
        for framework, ids in (yaml.safe_load(path.read_text()).get("frameworks") or {}).items():
            used.setdefault(framework, set()).update(map(str, ids))
    titles = html.control_titles()
    for framework, ids in used.items():
        missing = ids - set(titles.get(framework, {}))
        assert not missing, (framework, sorted(missing))
    # the titles are the standards' own, checked against their text (see controls.yaml)
    assert titles["iso-27001-2022"]["A.8.24"] == "Use of cryptography"
    assert titles["cis-aws-3.0"]["3.5"] == "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"
    assert titles["nist-800-53-r5"]["SC-28(1)"] == "Protection of Information at Rest | Cryptographic Protection"


def test_controls_are_shown_with_their_titles():
    text = html.render(sample_report())
    section = text[text.index('id="fw-iso-27001-2022"'):text.index('id="policies"')]
    assert '<span class="mono">A.8.24</span><br><small class="ctl">Use of cryptography</small>' in section
    policy = text[text.index('id="p-s3_bucket_encrypted"'):]
    assert "ISO 27001:2022 A.8.24 (Use of cryptography); SOC 2 CC6.1 (" in policy


def test_region_and_account_are_shown_for_plan_results_too():
    report = sample_report()
    report.results[0].account = "111122223333"
    text = html.render(report)
    assert "<td>plan.json:8<br>111122223333 / eu-west-2<td" in text
    assert "<td>plan.json:29<br>eu-west-2<td" in text


def test_the_results_that_block_the_gate_are_marked():
    report = sample_report()
    report.run["severity_floor"] = "high"  # the low FAIL of vpc_s3_gateway_endpoint no longer blocks
    parsed = cells(html.render(report), '<section id="policies">', '<section id="exceptions">')
    marked = {row[1] for row in parsed.rows if row and "blocks" in row[0]}
    # ERROR always blocks; the critical and high FAILs block; UNKNOWN does not under ci
    assert marked == {"aws_lb_listener.web", "aws_db_instance.main",
                      "aws_s3_bucket.assets" + HOSTILE}
    text = html.render(report)
    assert "What blocks the gate: any ERROR; a FAIL of severity high or above." in text


def test_the_files_read_are_listed_with_their_sha256(plan, tmp_path):
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "base")
    waivers = write_waivers(tmp_path / "waivers.yaml", """\
- policy: rds_instance_storage_encrypted
  resource: aws_db_instance.main
  reason: legacy database
  owner: dba@example.com
  expires: 2999-12-31
""")
    scan(plan, *POLICIES, "--waivers", waivers, "--baseline", tmp_path / "base" / "results.json",
         "--format", "html", "--output-dir", tmp_path / "out")
    import hashlib

    parsed = cells((tmp_path / "out" / "results.html").read_text(), '<table id="files">', "</table>")
    rows = {row[0]: (row[1].strip(), row[2].strip()) for row in parsed.rows[1:]}
    for kind, path in (("tfplan", plan), ("waivers", waivers), ("baseline", tmp_path / "base" / "results.json")):
        assert rows[kind] == (str(path), hashlib.sha256(path.read_bytes()).hexdigest()), kind


def test_long_lists_of_any_status_are_folded_with_their_counts():
    statuses = ["FAIL"] * 30 + ["UNKNOWN"] * 10 + ["ERROR"] * 3 + ["WAIVED"] * 5 + ["PASS"] * 40
    results = [Result("s3_bucket_encrypted", status, "high", f"aws_s3_bucket.b{i}", "aws.s3.bucket", "tfplan",
                      "finding", file="plan.json", line=i + 1) for i, status in enumerate(statuses)]
    report = Report(results, {}, {"profile": "ci", "severity_floor": "low", "gate": {"holds": False}})
    text = html.render(report)
    parsed = cells(text, '<section id="policies">', '<section id="exceptions">')
    rows = [(row[0].split()[0], folded) for row, folded in zip(parsed.rows, parsed.folded)
            if row and row[0] != "status"]
    shown = [status for status, folded in rows if not folded]
    assert len(shown) == html.SHOWN == 20
    assert shown == ["ERROR"] * 3 + ["FAIL"] * 17  # what blocks first, worst first
    folded = [status for status, folded in rows if folded]
    assert sorted(folded) == sorted(["FAIL"] * 13 + ["UNKNOWN"] * 10 + ["WAIVED"] * 5 + ["PASS"] * 40)
    summary = re.search(r"<summary>28 more needing attention: (.*?)</summary>", text).group(1)
    assert re.sub("<[^>]+>", " ", summary).split() == ["FAIL", "13", "UNKNOWN", "10", "WAIVED", "5"]
    assert "<summary>40 passing or not applicable</summary>" in text


def test_witness_paths_of_the_network_engine_are_shown_hop_by_hop(tmp_path):
    plan = ROOT / "fixtures" / "scenarios" / "network-paths" / "plan.json"
    scan(plan, "--policy", "network_admin_ports_not_internet_reachable", "--format", "json,html",
         "--output-dir", tmp_path)
    report = json.loads((tmp_path / "results.json").read_text())
    paths = [p["path"] for r in report["results"] for p in r["evidence"].get("paths", [])]
    assert paths and all(isinstance(p, str) for p in paths)  # the engine writes one string per path
    text = (tmp_path / "results.html").read_text()
    shown = [[re.sub("<[^>]+>", "", hop) for hop in hops.split("<li>")[1:]]
             for hops in re.findall(r'<ol class="path[^"]*">(.*?)</ol>', text)]
    # every hop, in order
    assert sorted(" -> ".join(items).replace("&gt;", ">") for items in shown) == sorted(paths)
    for items in shown:
        # a route is one hop, its own arrow inside: "np-rtb-public (0.0.0.0/0 -> np-igw)"
        assert any(re.fullmatch(r"\S+ \(0\.0\.0\.0/0 -&gt; \S+\)", item) for item in items), items


def test_hops_split_only_arrows_outside_parentheses():
    assert html.hops("internet -> igw-1 -> rtb-pub (0.0.0.0/0 -> igw-1) -> sg-web tcp/443 -> alb") == (
        ["internet", "igw-1", "rtb-pub (0.0.0.0/0 -> igw-1)", "sg-web tcp/443", "alb"], None)
    assert html.hops("internet -x- rtb-legacy route 0.0.0.0/0 -> igw-0 is a blackhole") == (
        ["internet"], "rtb-legacy route 0.0.0.0/0 -> igw-0 is a blackhole")


def test_with_fail_on_new_only_new_results_and_lapsed_waivers_are_marked():
    report = sample_report()
    report.run["gate"] = {"holds": False, "blocking": 2, "fail_on": "new"}
    parsed = cells(html.render(report), '<section id="policies">', '<section id="exceptions">')
    marked = {row[1] for row in parsed.rows if row and "blocks" in row[0]}
    # rds_instance_not_public on main is new since the baseline; the VPC's waiver expired
    assert marked == {"aws_db_instance.main", "aws_vpc.main"}
    assert [row[0].split()[0] for row in parsed.rows if row and row[1] == "aws_db_instance.main"
            and "blocks" in row[0]] == ["FAIL"]  # not its WAIVED result of another policy


def test_what_a_live_audit_could_not_read_is_in_the_unknowns_register():
    from stackproof.loaders.live import notassessed

    # an organization audit whose role could not be assumed in 60 member accounts
    report = sample_report()
    report.run["not_assessed"] = [
        notassessed.entry(f"arn:aws:iam::{100000000000 + i}:role/audit", "cannot assume the role: access denied",
                          ("aws.s3.bucket", "aws.rds.db_instance", "aws.kms.key", "aws.sqs.queue"),
                          str(100000000000 + i)) for i in range(60)]
    text = html.render(report)
    register = cells(text, '<section id="unknowns">', '<section id="changes">')
    gaps = [(row, folded) for row, folded in zip(register.rows, register.folded) if row and row[0].startswith("1000")]
    assert len(gaps) == 60 and sum(1 for _, folded in gaps if not folded) == html.LISTED
    assert [cell.strip() for cell in gaps[0][0]] == [
        "100000000000", "every region", "the whole accountarn:aws:iam::100000000000:role/audit", "all",
        "cannot assume the role: access denied",
        "4 kindsaws.s3.bucket, aws.rds.db_instance, aws.kms.key, aws.sqs.queue"]


def test_a_long_message_shows_its_beginning_and_folds_the_rest():
    from tests.reports.samples import live_report

    report = live_report()
    [unsure] = [r for r in report.results if r.policy == "network_tier_isolation"]
    text = html.render(report)
    row = text[text.index('<td class="f">', text.index('id="p-network_tier_isolation"')):]
    row = row[:row.index("<dl>")]
    head, rest = row[len('<td class="f">'):].split('<details class="rest"><summary>… more</summary>')
    head, rest = unescape(head), unescape(rest.removesuffix("</details>"))
    assert len(head) <= html.LONG and head + rest == unsure.message  # all of it, once


def test_of_several_witness_paths_the_first_is_shown_and_the_others_folded():
    from tests.reports.samples import live_report

    text = html.render(live_report())
    cell = text[text.index("<dt>paths<dd>"):text.index("<dt>more_paths")]
    shown, folded = cell.split('<details class="more"><summary>2 more listed path(s)</summary>')
    assert shown.count('<div class="w">') == 1 and "all traffic from asg-app-0 <i>— possibly: its subnet" in shown
    assert folded.count('<div class="w">') == 2 and "asg-app-1" in folded and "asg-app-2" in folded
    assert '<ol class="path long">' in shown  # a long path is drawn one hop a line


def test_a_scenario_the_message_names_is_not_repeated_beside_the_file(tmp_path):
    template = ROOT / "fixtures" / "scenarios" / "conditions" / "template.yaml"
    scan(template, "--region", "eu-west-2", "--policy", "rds_instance_multi_az", "--format", "json,html",
         "--output-dir", tmp_path)
    [result] = json.loads((tmp_path / "results.json").read_text())["results"]
    assert result["status"] == "FAIL" and result["message"].startswith(result["scenario"] + ": ")
    [row] = [row for row in cells((tmp_path / "results.html").read_text(), '<section id="policies">',
                                  '<section id="exceptions">').rows if row and row[0].startswith("FAIL")]
    assert result["scenario"] not in row[2] and row[3].startswith(result["scenario"])


def test_a_policy_with_no_resources_is_not_shown_as_a_verdict():
    report = sample_report()  # its policies include vpc_s3_gateway_endpoint: with no result of it left,
    report.results = [r for r in report.results if r.policy != "vpc_s3_gateway_endpoint"]
    text = html.render(report)
    summary = text[text.index('id="p-vpc_s3_gateway_endpoint"'):]
    summary = summary[:summary.index("</summary>")]
    assert '<span class="st none">no resources</span>' in summary and "NOT_APPLICABLE" not in summary
