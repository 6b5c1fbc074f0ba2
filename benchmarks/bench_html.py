"""HTML report benchmark: render N results (default 1,000, 10,000 and 50,000) into one file.

    python benchmarks/bench_html.py [SIZES...]

The report is made up (tests/reports/synthetic.py): the real catalogue's policies,
results shaped like a big estate's, a third with evidence as the engine writes it
(witness paths, blocked hops, zones, sizes), waivers and a baseline. Printed per size:
render time (best of 3, in-process, Jinja2 imported and the template compiled once, as
in a run), file size, and the other formats' render times for comparison; then, when
Playwright and a Chromium are installed, the time headless Chromium takes to load the
10,000-result file (navigation start to the load event, best of 3). Last, the
workflow around the reports at 10,000 results: 200 waivers applied, and a comparison
with a baseline of 10,000 results.
Target (issue 8): 10,000 results render into one file under 5 MB.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackproof.reporters import renderer  # noqa: E402
from tests.reports.synthetic import synthetic_report  # noqa: E402

LIMIT = 5 * 1024 * 1024


def best_of(render, report, runs: int = 3) -> tuple[float, str]:
    best, text = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        text = render(report)
        best = min(best, time.perf_counter() - start)
    return best, text


def main(sizes: list[int]) -> int:
    renderer("html")(synthetic_report(10))  # import Jinja2 and compile the template once
    print(f"{'results':>8} {'html s':>7} {'html MB':>8} {'sarif s':>8} {'md s':>6} {'junit s':>8}  under 5 MB")
    ok = True
    for size in sizes:
        report = synthetic_report(size)
        html_time, text = best_of(renderer("html"), report)
        megabytes = len(text.encode("utf-8")) / 1e6
        others = [best_of(renderer(fmt), report, 1)[0] for fmt in ("sarif", "markdown", "junit")]
        fits = len(text.encode("utf-8")) < LIMIT
        ok &= fits or size > 10_000
        print(f"{size:>8} {html_time:>7.2f} {megabytes:>8.2f} {others[0]:>8.2f} {others[1]:>6.3f} {others[2]:>8.2f}"
              f"  {'yes' if fits else 'no'}")
    browser_load(synthetic_report(10_000))
    workflow(10_000)
    return 0 if ok else 1


def workflow(size: int) -> None:
    from datetime import date

    from stackproof.baseline import compare
    from stackproof.waivers import Waiver, apply_waivers

    report = synthetic_report(size)
    for result in report.results:  # the waivers below decide what is waived
        if result.status == "WAIVED":
            result.status, result.waiver = "FAIL", None
    ids = sorted(report.policies)
    waivers = [Waiver(ids[i % len(ids)], "reason", "owner", date(2999, 1, 1), "waivers.yaml", 1 + 7 * i,
                      resource=f"module.service_{i % 97}.*") for i in range(200)]
    start = time.perf_counter()
    register = apply_waivers(report.results, waivers, lambda result: None, ids, date(2026, 1, 1))
    waiving = time.perf_counter() - start
    baseline = synthetic_report(size, seed=8)
    start = time.perf_counter()
    changes = compare(report.results, baseline, "previous.json", "0" * 64)
    comparing = time.perf_counter() - start
    print(f"200 waivers over {size:,} results: {waiving:.3f} s ({sum(w['waived'] for w in register)} waived); "
          f"baseline comparison: {comparing:.3f} s ({len(changes['new'])} new, {len(changes['fixed'])} fixed, "
          f"{len(changes['still_failing'])} still failing)")


def browser_load(report) -> None:
    import shutil
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if not chromium:
        print("chromium load: skipped (no Playwright or no Chromium)")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        path.write_text(renderer("html")(report), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run"])
            times = []
            for _ in range(3):
                page = browser.new_page()
                page.goto(path.as_uri(), wait_until="load")
                times.append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                page.close()
            browser.close()
    print(f"chromium load of the {len(report.results):,}-result file: {min(times):.2f} s")


if __name__ == "__main__":
    raise SystemExit(main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000]))
