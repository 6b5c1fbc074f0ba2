"""A short Markdown summary for a pull-request comment or a CI job summary.

The verdict, the counts, the failures that matter most (at most LIMIT rows: new since
the baseline first, then errors, then by severity), and one
line each for the baseline, the waivers and what could not be assessed. The full
detail is in the HTML and JSON reports.
"""
from __future__ import annotations

import re

from ..report import Report
from ..results import Result
from ..rules import ERROR, FAIL, STATUSES, UNKNOWN

LIMIT = 15
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_SPECIAL = re.compile(r"([\\`*_\[\]|#~!])")


def render(report: Report) -> str:
    lines = _header(report)
    summary = report.summary()
    lines += ["", "| " + " | ".join(STATUSES) + " |", "|" + "---:|" * len(STATUSES),
              "| " + " | ".join(str(summary[s]) for s in STATUSES) + " |"]
    new = set(report.changes["new"]) if report.changes else set()
    failures = sorted((r for r in report.results if r.status in (FAIL, ERROR)), key=lambda r: _order(r, new))
    if failures:
        lines += ["", "### Failures", "", "| status | severity | policy | resource | where | finding |",
                  "|---|---|---|---|---|---|"]
        for result in failures[:LIMIT]:
            status = result.status + (" (new)" if result.fingerprint in new else "")
            lines.append(f"| {status} | {result.severity} | {_code(result.policy)} | {_resource(result)} "
                         f"| {_code(_where(result)) if _where(result) else ''} | {_text(_finding(result))} |")
        if len(failures) > LIMIT:
            lines += ["", f"_... and {len(failures) - LIMIT} more in the full report._"]
    lines += [""] + [f"- {line}" for line in _notes(report)]
    return "\n".join(lines).rstrip() + "\n"


def _header(report: Report) -> list[str]:
    gate = report.run.get("gate") or {}
    holds = gate.get("holds")
    if holds is None:
        title = "## stackproof: no gate verdict recorded"
    elif holds:
        title = "## ✅ stackproof: the gate holds"
    else:
        title = f"## ❌ stackproof: the gate fails ({gate.get('blocking', '?')} blocking)"
    facts = [f"profile `{report.run.get('profile', '?')}`", f"severity floor `{report.run.get('severity_floor', '?')}`"]
    if gate.get("fail_on") == "new":
        facts.append("failing on new results only")
    inputs = report.run.get("inputs") or []
    if inputs:
        facts.append(f"{len(inputs)} input(s): " + ", ".join(_code(str(i.get("path"))) for i in inputs[:3])
                     + (", ..." if len(inputs) > 3 else ""))
    facts.append(f"{len(report.results)} results")
    facts.append(f"stackproof {report.tool.get('version', '?')}, {report.run.get('started_at', '?')}")
    return [title, "", " · ".join(facts)]


def _notes(report: Report) -> list[str]:
    notes = []
    if report.changes is not None:
        changes = report.changes
        notes.append(f"Since the baseline: {len(changes['new'])} new, {len(changes['fixed'])} fixed, "
                     f"{len(changes['still_failing'])} still failing.")
    if report.waivers:
        by_status: dict[str, list[dict]] = {}
        for waiver in report.waivers:
            by_status.setdefault(waiver["status"], []).append(waiver)
        counts = ", ".join(f"{len(ws)} {status}" for status, ws in sorted(by_status.items()))
        notes.append(f"Waivers: {counts}.")
        for waiver in by_status.get("expired", []):
            notes.append(f"Expired waiver: {_code(waiver['policy'])} {_text(waiver['selector'])} "
                         f"(owner {_text(waiver['owner'])}, expired {waiver['expires']}).")
    unknown = [r for r in report.results if r.status == UNKNOWN]
    if unknown:
        policies = len({r.policy for r in unknown})
        notes.append(f"Could not be assessed: {len(unknown)} result(s) across {policies} polic"
                     f"{'y' if policies == 1 else 'ies'} (see the unknowns register in the HTML report).")
    return notes


def _order(result: Result, new: set[str]) -> tuple:
    """New since the baseline first (what this change brings), then errors, then by severity."""
    return (result.fingerprint not in new, result.status != ERROR, SEVERITY_ORDER.get(result.severity, 9),
            result.policy, result.resource)


def _where(result: Result) -> str:
    if result.file:
        return f"{result.file}:{result.line}" if result.line else result.file
    return " ".join(part for part in (result.account, result.region) if part)


def _finding(result: Result) -> str:
    if result.waiver and result.waiver.get("expired"):
        return f"{result.message} (waiver expired {result.waiver.get('expires')})"
    return result.message


def _resource(result: Result) -> str:
    text = _code(result.resource)
    return f"{text} ({_text(result.name)})" if result.name and result.name != result.resource else text


def _text(value: str) -> str:
    """Plain text in a table cell: one line, no Markdown or HTML meaning."""
    value = " ".join(str(value).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value)


def _code(value: str) -> str:
    """An inline code span; a pipe stays escaped so a table cell is not split."""
    value = " ".join(str(value).split()).replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    pad = " " if "`" in value else ""
    return f"{fence}{pad}{value}{pad}{fence}"
