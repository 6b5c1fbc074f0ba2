"""The HTML report in a real headless Chromium (Debian's chromium, driven by Playwright).

The page loads with no request leaving the file, the counts it shows equal the JSON
report's, a resource name with markup and quotes is shown as text and never runs, long
lists of every status are folded, witness paths of the network engine are drawn hop by
hop, and it prints with every folded list open. Screenshots and a PDF go to
test-artifacts/.

Skipped, saying why, when Playwright or a Chromium is missing: .ci/run installs Debian's
chromium with apt-get, which a CI machine without apt (or without network) cannot do.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

from stackproof.reporters import html
from stackproof.results import Result
from tests.conftest import ROOT
from tests.reports.conftest import HOSTILE_NAME, POLICIES, next_commit, scan, write_waivers
from tests.reports.samples import sample_report
from tests.reports.synthetic import synthetic_report

ARTIFACTS = ROOT / "test-artifacts"
# As /work/.library/env/machines/python.md advises: no background traffic, no first-run UI.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
STATUSES = ("PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE", "WAIVED", "ERROR")


def find_chromium() -> str | None:
    if os.environ.get("STACKPROOF_CHROMIUM"):
        return os.environ["STACKPROOF_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


SKIPPED = "HTML browser tests skipped: "


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason=SKIPPED + "the playwright package (test extra) is not installed: "
                                                "pip install -e '.[test]'")
    executable = find_chromium()
    if executable is None:
        pytest.skip(SKIPPED + "no Chromium on PATH (chromium, chromium-browser, google-chrome); .ci/run installs "
                    "Debian's with apt-get when it can, or set STACKPROOF_CHROMIUM to a Chromium binary")
    with sync_api.sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")), executable_path=executable, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1300, "height": 900})
        except sync_api.Error as exc:
            pytest.skip(SKIPPED + f"{executable} does not start: {str(exc).splitlines()[0]}")
        yield context
        context.close()


class Page:
    """A report opened in the browser, with every request and error it caused."""

    def __init__(self, context, path):
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The report itself loads; anything else is stopped before it reaches a network.
        self.page.route("**/*", lambda route: route.continue_() if route.request.url == self.url else route.abort())
        self.page.goto(self.url, wait_until="load")

    def text(self, selector: str) -> str:
        """The text a reader sees there."""
        locator = self.page.locator(selector)
        self.scroll_to(locator)
        return locator.inner_text().strip()

    def scroll_to(self, locator) -> None:
        locator.scroll_into_view_if_needed()
        self.page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def close(self):
        self.page.close()


@pytest.fixture
def scanned(plan, tmp_path):
    """The HTML and JSON of a real scan: a waiver, a baseline, a bucket named with markup."""
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "base")
    waivers = write_waivers(tmp_path / "waivers.yaml", """\
waivers:
  - policy: rds_instance_storage_encrypted
    resource: aws_db_instance.main
    reason: legacy database, migration planned
    owner: dba@example.com
    ticket: DB-7
    expires: 2999-12-31
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.gone
    reason: removed last quarter
    owner: web@example.com
    expires: 2999-12-31
""")
    scan(next_commit(plan), *POLICIES, "--waivers", waivers, "--baseline", tmp_path / "base" / "results.json",
         "--format", "json,html", "--output-dir", tmp_path / "out")
    return tmp_path / "out" / "results.html", json.loads((tmp_path / "out" / "results.json").read_text())


def test_the_page_loads_with_no_request_leaving_the_file(browser, scanned):
    path, _ = scanned
    page = Page(browser, path)
    assert page.requests == [page.url]
    assert page.errors == []
    page.close()


def test_the_counts_shown_equal_the_json(browser, scanned):
    path, report = scanned
    page = Page(browser, path)
    for status in STATUSES:
        assert int(page.text(f"#totals td[data-status={status}]")) == report["summary"][status], status
        by_severity = page.page.locator(f"#by-severity td[data-status={status}]").all_inner_texts()
        by_area = page.page.locator(f"#by-area td[data-status={status}]").all_inner_texts()
        assert sum(map(int, by_severity)) == sum(map(int, by_area)) == report["summary"][status], status
    assert int(page.text("#totals td[data-status=total]")) == len(report["results"])
    assert int(page.text("#change-counts [data-change=new]")) == len(report["changes"]["new"])
    assert int(page.text("#change-counts [data-change=fixed]")) == len(report["changes"]["fixed"])
    assert int(page.text("#change-counts [data-change=still]")) == len(report["changes"]["still_failing"])
    register = page.page.locator("#exceptions tbody tr")
    assert register.count() == len(report["waivers"])
    assert [register.nth(i).locator("td").first.inner_text().split("\n")[0] for i in range(register.count())] == [
        w["status"] for w in report["waivers"]]
    assert "Gate fails" in page.text("#verdict")
    page.close()


def test_every_framework_control_of_the_run_is_shown(browser, scanned):
    path, report = scanned
    page = Page(browser, path)
    for policy in report["policies"].values():
        for framework, controls in policy["frameworks"].items():
            section = page.text(f'[id="fw-{framework}"]')
            for control in controls:
                row = page.page.locator(f'[id="fw-{framework}"] tr', has_text=policy["id"]).filter(has_text=control)
                assert row.count() >= 1, (framework, control, policy["id"])
            assert policy["id"] in section
    page.close()


def test_markup_in_a_resource_name_is_shown_as_text_and_never_runs(browser, scanned):
    path, _ = scanned
    page = Page(browser, path)
    # the assets bucket still fails this policy, so its row is open
    assert HOSTILE_NAME in page.text("#p-s3_bucket_public_access_blocked")
    assert page.page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.page.evaluate("typeof window.__pwned") == "undefined"
    assert page.page.evaluate("[...document.querySelectorAll('b')].filter(b => b.textContent === 'bold').length") == 0
    page.close()


def test_witness_paths_of_a_real_scan_are_drawn_hop_by_hop(browser, tmp_path):
    plan = ROOT / "fixtures" / "scenarios" / "network-paths" / "plan.json"
    scan(plan, "--policy", "network_admin_ports_not_internet_reachable", "--format", "json,html",
         "--output-dir", tmp_path)
    report = json.loads((tmp_path / "results.json").read_text())
    paths = {p["path"] for r in report["results"] for p in r["evidence"].get("paths", [])}
    page = Page(browser, tmp_path / "results.html")
    lists = page.page.locator("#p-network_admin_ports_not_internet_reachable ol.path")
    page.scroll_to(lists.first)
    drawn = set()
    for i in range(lists.count()):
        items = lists.nth(i).locator("li")
        hops = [hop.strip() for hop in items.all_text_contents()]  # a passing result's list is folded
        drawn.add(" -> ".join(hops))
        arrows = items.evaluate_all("lis => lis.map(li => getComputedStyle(li, '::before').content)")
        assert arrows[0] == "none" and all("→" in arrow for arrow in arrows[1:])  # drawn between hops
    assert drawn == paths  # the engine's own strings, hop by hop, nothing lost or split inside a route
    page.close()


def test_an_expired_waiver_is_shown_on_its_result(browser, tmp_path):
    path = tmp_path / "sample.html"
    path.write_text(html.render(sample_report()), encoding="utf-8")
    page = Page(browser, path)
    assert "waiver expired 2026-01-31" in page.text("#p-vpc_s3_gateway_endpoint")
    page.close()


def test_long_lists_of_every_status_are_folded_and_the_big_report_opens(browser, tmp_path):
    report = synthetic_report(10_000)
    # errors sort first and are few: a check that crashed on 30 resources folds some too
    crashed = next(r for r in report.results if r.status == "ERROR")
    report.results += [Result(crashed.policy, "ERROR", crashed.severity, f"{crashed.resource}-{i}", crashed.kind,
                              crashed.source, crashed.message) for i in range(30)]
    path = tmp_path / "big.html"
    path.write_text(html.render(report), encoding="utf-8")
    page = Page(browser, path)
    assert page.requests == [page.url] and page.errors == []
    summary = report.summary()
    for status in STATUSES:
        assert int(page.text(f"#totals td[data-status={status}]")) == summary[status]
    rows = page.page.locator("table.results tbody tr")
    visible = rows.evaluate_all("rows => rows.filter(r => r.checkVisibility()).length")
    policies = len(report.policies)
    assert visible <= html.SHOWN * policies < len(report.results) / 5  # a few hundred of 10,000 rows
    # the first folded row of each status is hidden until its list is opened
    folded = {status: page.page.locator(f"details.more table.results td.st.{status}").first for status in STATUSES}
    for status, row in folded.items():
        assert row.count() == 1 and not row.is_visible(), status
    for status, row in folded.items():
        summary_of_list = row.locator("xpath=ancestor::details[1]/summary")
        if not row.is_visible():  # another status's list may be this one
            page.scroll_to(summary_of_list)
            summary_of_list.click()
        assert row.is_visible(), status
    page.close()


def test_a_screenshot_and_a_printout(browser, scanned):
    path, _ = scanned
    ARTIFACTS.mkdir(exist_ok=True)
    page = Page(browser, path)
    page.page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    assert (ARTIFACTS / "html-report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # every open policy block is painted, however far below the fold (none is skipped
    # by content-visibility, which left blank blocks in full-page screenshots)
    painted = page.page.locator("details.policy[open] > table.results").evaluate_all(
        "tables => tables.map(t => t.checkVisibility({contentVisibilityAuto: true}))")
    assert painted and all(painted)
    page.page.emulate_media(media="print")
    assert not page.page.locator("nav").is_visible()  # the table of contents is left off paper
    # paper cannot be clicked: folded lists (passing results, remediation) are printed open
    closed = page.page.locator("details:not([open]) > :not(summary)")
    assert closed.count() > 0
    assert all(closed.nth(i).is_visible() for i in range(closed.count()))
    passing = page.page.locator("table.results td.st.PASS").first
    assert passing.is_visible()
    page.page.pdf(path=str(ARTIFACTS / "html-report.pdf"), format="A4")
    assert (ARTIFACTS / "html-report.pdf").read_bytes()[:5] == b"%PDF-"
    page.page.emulate_media(media="screen")
    assert not passing.is_visible()  # on screen it is folded again
    page.close()


def test_a_live_audits_report_folds_long_texts_and_lists_what_it_could_not_read(browser, tmp_path):
    from tests.reports.samples import live_report

    report = live_report()
    path = tmp_path / "live.html"
    path.write_text(html.render(report), encoding="utf-8")
    page = Page(browser, path)
    assert page.requests == [page.url] and page.errors == []
    rows = page.page.locator("#not-assessed tbody tr")
    assert rows.count() == len(report.run["not_assessed"])
    assert page.text("#not-assessed").count("111122223333") == 2 and "the whole account" in page.text("#not-assessed")
    # the engine's long message: its beginning on the page, the rest (ending "-> db-dr-replica",
    # which the hop-by-hop evidence draws with arrows of its own) one click away
    finding = page.page.locator("#p-network_tier_isolation td.f").first
    page.scroll_to(finding)
    assert finding.inner_text().startswith("tier app possibly reaches tier data")
    assert "… more" in finding.inner_text() and "-> db-dr-replica" not in finding.inner_text()
    page.page.emulate_media(media="print")  # on paper the whole text, without the link
    assert "-> db-dr-replica" in finding.inner_text() and "… more" not in finding.inner_text()
    page.page.emulate_media(media="screen")
    finding.locator("details.rest > summary").first.click()
    assert "-> db-dr-replica" in finding.inner_text() and "… more" not in finding.inner_text().split("paths")[0]
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "html-live-report.png"), full_page=True)
    page.close()
