"""stackproof report RESULTS.json...: render reports from saved JSON runs.

A scheduled audit saves its JSON report; this publishes it later as HTML, Markdown,
SARIF or JUnit. Several JSON reports are merged into one (for example one per account),
results in the order given.
"""
from __future__ import annotations

import argparse

REPORT_FORMATS = ("html", "markdown", "sarif", "junit", "json")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="render HTML, Markdown, SARIF or JUnit from saved JSON reports")
    parser.add_argument("paths", nargs="+", metavar="RESULTS.json", help="JSON reports written by scan or audit")
    parser.add_argument("--format", default="html",
                        help=f"comma-separated: {', '.join(REPORT_FORMATS)} (default: %(default)s)")
    parser.add_argument("--output-dir", default="reports", help="folder for report files (default: %(default)s)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..reporters import FILE_FORMATS, renderer
    from ..run import write_files

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    wrong = [f for f in formats if f not in REPORT_FORMATS]
    if wrong or not formats:
        raise InputError(None, f"unknown report format(s) {', '.join(wrong) or '(none)'} "
                               f"(known: {', '.join(REPORT_FORMATS)})")
    report = merge([read_report(path) for path in args.paths])
    files = {FILE_FORMATS[f][1]: renderer(f)(report) for f in formats}
    for path in write_files(args.output_dir, files):
        print(f"wrote {path}")
    return 0


def read_report(path: str):
    import json
    from pathlib import Path

    from ..errors import InputError
    from ..report import Report

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not JSON: {exc.msg}", exc.lineno) from None
    return Report.from_dict(data, path)


def merge(reports: list):
    """One report from several: results and waivers concatenated, inputs and policies
    united; the gate holds only if it held in every run. Changes since a baseline are
    kept only when there is a single report (they belong to one comparison)."""
    if len(reports) == 1:
        return reports[0]
    from ..report import Report

    first = reports[0]
    runs = [r.run for r in reports]
    gates = [run.get("gate") or {} for run in runs]
    holds = None if any(g.get("holds") is None for g in gates) else all(g["holds"] for g in gates)
    run = {
        "started_at": min((run.get("started_at") or "" for run in runs), default=""),
        "profile": _same(run.get("profile") for run in runs),
        "severity_floor": _same(run.get("severity_floor") for run in runs),
        "environment": _same(run.get("environment") for run in runs),
        "inputs": [i for run in runs for i in run.get("inputs") or []],
        "accounts": sorted({a for run in runs for a in run.get("accounts") or []}),
        "regions": sorted({r for run in runs for r in run.get("regions") or []}),
        "policies_evaluated": len({pid for r in reports for pid in r.policies}),
        "resources": sum(run.get("resources") or 0 for run in runs),
        "gate": {"holds": holds, "blocking": sum(g.get("blocking") or 0 for g in gates),
                 "expired_waivers": sum(g.get("expired_waivers") or 0 for g in gates)},
        "merged_from": len(reports),
    }
    policies = {}
    for report in reports:
        policies.update(report.policies)
    return Report([r for report in reports for r in report.results], policies, run, first.tool,
                  [w for report in reports for w in report.waivers], None)


def _same(values) -> str | None:
    distinct = {v for v in values}
    if len(distinct) == 1:
        return distinct.pop()
    return "mixed: " + ", ".join(sorted(str(v) for v in distinct))
