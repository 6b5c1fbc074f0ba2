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
    report = merge([(path, read_report(path)) for path in args.paths])
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


def merge(named: list):
    """One report from several (path, report) pairs: results, waivers, changes since a
    baseline and what each live audit could not read concatenated, inputs and policies
    united; the gate holds only if it held in every run, and the results that block are
    those that blocked in their own run.

    A result of the same policy and resource in two reports would be counted twice, so
    such a merge is refused (the same file given twice, or two runs of one input).
    """
    if len(named) == 1:
        return named[0][1]
    from ..report import Report

    _refuse_overlap(named)
    reports = [report for _, report in named]
    runs = [r.run for r in reports]
    gates = [run.get("gate") or {} for run in runs]
    holds = None if any(g.get("holds") is None for g in gates) else all(g["holds"] for g in gates)
    blocking = [report.blocking() for report in reports]
    gate = {"holds": holds, "blocking": sum(g.get("blocking") or 0 for g in gates),
            "fail_on": _same(g.get("fail_on") or "all" for g in gates),
            "expired_waivers": sum(g.get("expired_waivers") or 0 for g in gates)}
    if all(b is not None for b in blocking):
        gate["blocking_results"] = list(dict.fromkeys(r.fingerprint for b, report in zip(blocking, reports)
                                                      for r in report.results if r.fingerprint in b))
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
        "gate": gate,
        "merged_from": [_part(path, report) for path, report in named],
    }
    if any("not_assessed" in run for run in runs):  # what each live audit could not read
        run["not_assessed"] = [entry for report in reports for entry in report.not_assessed()]
    policies = {}
    for report in reports:
        policies.update(report.policies)
    return Report([r for report in reports for r in report.results], policies, run, reports[0].tool,
                  [w for report in reports for w in report.waivers], _merged_changes(reports))


def _refuse_overlap(named: list) -> None:
    from pathlib import Path

    from ..errors import InputError

    seen_files: dict = {}
    owner: dict[str, str] = {}
    for path, report in named:
        key = Path(path).resolve()
        if key in seen_files:
            raise InputError(path, f"given twice (also as {seen_files[key]}): its results would be counted twice")
        seen_files[key] = path
        for result in report.results:
            first = owner.setdefault(result.fingerprint, path)
            if first != path:
                raise InputError(path, f"holds a result that {first} also holds ({result.policy} on "
                                       f"{result.resource}): merged, it would be counted twice; merge runs of "
                                       "different inputs or accounts")


def _part(path: str, report) -> dict:
    """What the merged report says of one of its runs."""
    gate = report.run.get("gate") or {}
    return {"file": path, "started_at": report.run.get("started_at"), "profile": report.run.get("profile"),
            "severity_floor": report.run.get("severity_floor"), "results": len(report.results),
            "gate_holds": gate.get("holds"), "baseline": (report.changes or {}).get("baseline")}


def _merged_changes(reports: list) -> dict | None:
    """The changes of each run since its own baseline, side by side; None if no run had one."""
    compared = [r.changes for r in reports if r.changes is not None]
    if not compared:
        return None
    baselines = [c.get("baseline") or {} for c in compared]
    findings = sum(int((c.get("not_compared") or {}).get("findings") or 0) for c in compared)
    by_policy: dict[str, int] = {}
    for changes in compared:
        for pid, n in ((changes.get("not_compared") or {}).get("by_policy") or {}).items():
            by_policy[pid] = by_policy.get(pid, 0) + n
    why = list(dict.fromkeys(w for c in compared for w in (c.get("not_compared") or {}).get("why") or []))
    if len(compared) < len(reports):
        why.append(f"{len(reports) - len(compared)} of the {len(reports)} merged runs had no baseline")
    return {
        "baseline": {"path": ", ".join(dict.fromkeys(str(b.get("path")) for b in baselines)),
                     "sha256": ", ".join(dict.fromkeys(str(b.get("sha256")) for b in baselines)),
                     "started_at": min((b.get("started_at") or "" for b in baselines), default="") or None,
                     "results": sum(b.get("results") or 0 for b in baselines)},
        **{key: [fp for c in compared for fp in c.get(key) or []] for key in ("new", "still_failing", "now_waived")},
        "fixed": [entry for c in compared for entry in c.get("fixed") or []],
        "not_compared": {"findings": findings, "by_policy": by_policy, "why": why},
    }


def _same(values) -> str | None:
    distinct = {v for v in values}
    if len(distinct) == 1:
        return distinct.pop()
    return "mixed: " + ", ".join(sorted(str(v) for v in distinct))
