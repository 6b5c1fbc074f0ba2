"""A short Markdown summary for a pull-request comment or a CI job summary.

The verdict, the counts, what blocks the gate (at most LIMIT rows: new since the
baseline first, then errors, then by severity), the other failures, and one line each
for the baseline, the waivers, what a live audit could not read and what could not be
assessed. The full detail is in the
HTML and JSON reports. Every list is cut short with "... and N more", and the whole
text is kept under MAX_CHARS (GitHub refuses a comment over 65,536 characters).
"""
from __future__ import annotations

import re

from ..report import Report, unread
from ..results import Result
from ..rules import ERROR, FAIL, STATUSES, UNKNOWN
from .text import visible

LIMIT = 15  # rows of a table
NOTE_LIMIT = 10  # expired waivers listed
CELL = 300  # characters of a table cell
MAX_CHARS = 60_000
MORE = "see the JSON/HTML report"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_SPECIAL = re.compile(r"([\\`*_\[\]|#~!])")


def render(report: Report) -> str:
    lines = _header(report)
    summary = report.summary()
    lines += ["", "| " + " | ".join(STATUSES) + " |", "|" + "---:|" * len(STATUSES),
              "| " + " | ".join(str(summary[s]) for s in STATUSES) + " |"]
    new = set(report.changes.get("new") or []) if report.changes else set()
    blocking = report.blocking()
    failures = [r for r in report.results if r.status in (FAIL, ERROR)]
    if blocking is None:
        lines += _table("Failures", failures, new)
    else:
        blockers = [r for r in report.results if r.fingerprint in blocking and r.status in (FAIL, ERROR, UNKNOWN)]
        lines += _table("Blocking the gate", blockers, new)
        lines += _table("Other failures (not blocking)", [r for r in failures if r.fingerprint not in blocking], new)
    lines += [""] + [f"- {line}" for line in _notes(report)]
    return _capped("\n".join(lines).rstrip() + "\n")


def _table(title: str, results: list[Result], new: set[str]) -> list[str]:
    if not results:
        return []
    ordered = sorted(results, key=lambda r: _order(r, new))
    lines = ["", f"### {title} ({len(results)})", "", "| status | severity | policy | resource | where | finding |",
             "|---|---|---|---|---|---|"]
    for result in ordered[:LIMIT]:
        status = result.status + (" (new)" if result.fingerprint in new else "")
        lines.append(f"| {status} | {_text(result.severity)} | {_code(result.policy)} | {_resource(result)} "
                     f"| {_code(_where(result)) if _where(result) else ''} | {_text(_finding(result))} |")
    if len(results) > LIMIT:
        lines += ["", f"_... and {len(results) - LIMIT} more ({MORE})._"]
    return lines


def _header(report: Report) -> list[str]:
    gate = report.run.get("gate") or {}
    holds = gate.get("holds")
    if holds is None:
        title = "## stackproof: no gate verdict recorded"
    elif holds:
        title = "## ✅ stackproof: the gate holds"
    else:
        title = f"## ❌ stackproof: the gate fails ({_text(gate.get('blocking', '?'))} blocking)"
    facts = [f"profile {_code(report.run.get('profile', '?'))}",
             f"severity floor {_code(report.run.get('severity_floor', '?'))}"]
    if gate.get("fail_on") == "new":
        facts.append("failing on new results only")
    merged = report.run.get("merged_from")
    if isinstance(merged, list):
        facts.append(f"a merge of {len(merged)} runs")
    inputs = report.run.get("inputs") or []
    if inputs:
        facts.append(f"{len(inputs)} input(s): " + ", ".join(_code(str(i.get("path"))) for i in inputs[:3])
                     + (", ..." if len(inputs) > 3 else ""))
    facts.append(f"{len(report.results)} results")
    facts.append(f"stackproof {_text(report.tool.get('version', '?'))}, {_text(report.run.get('started_at', '?'))}")
    return [title, "", " · ".join(facts)]


def _notes(report: Report) -> list[str]:
    notes = []
    if report.changes is not None:
        from ..baseline import describe

        notes.append(f"Since the baseline: {_text(describe(report.changes))}.")
    if report.waivers:
        by_status: dict[str, list[dict]] = {}
        for waiver in report.waivers:
            by_status.setdefault(str(waiver.get("status")), []).append(waiver)
        counts = ", ".join(f"{len(ws)} {_text(status)}" for status, ws in sorted(by_status.items()))
        notes.append(f"Waivers: {counts}.")
        expired = by_status.get("expired", [])
        for waiver in expired[:NOTE_LIMIT]:
            lapsed = waiver.get("no_longer_waived")
            effect = (f"{lapsed} result(s) no longer waived" if lapsed else "it waives nothing that fails: remove it"
                      ) if isinstance(lapsed, int) else ""
            notes.append(f"Expired waiver: {_code(waiver.get('policy'))} {_text(waiver.get('selector'))} "
                         f"(owner {_text(waiver.get('owner'))}, expired {_text(waiver.get('expires'))})"
                         + (f": {effect}." if effect else "."))
        if len(expired) > NOTE_LIMIT:
            notes.append(f"_... and {len(expired) - NOTE_LIMIT} more expired waivers ({MORE})._")
    notes += _unread(report.not_assessed())
    unknown = [r for r in report.results if r.status == UNKNOWN]
    if unknown:
        policies = len({r.policy for r in unknown})
        notes.append(f"Could not be assessed: {len(unknown)} result(s) across {policies} polic"
                     f"{'y' if policies == 1 else 'ies'} (see the unknowns register in the HTML report).")
    return notes


def _unread(entries: list[dict]) -> list[str]:
    """What a live audit could not read, per account, region, service and call."""
    notes = []
    for entry in entries[:NOTE_LIMIT]:
        part = unread(entry)
        count = "" if part["resources"] == "all" else f" for {part['resources']} resource(s)"
        if entry.get("service"):
            what, role = _code(part["what"]), ""
        else:  # a whole account, named with the role or listing that failed
            what, role = _text(part["what"]), f"; {_code(entry.get('where'))}"
        notes.append(f"Not read: {what}{count} (account {_text(part['account'])}, {_text(part['region'])}{role}): "
                     f"{_text(entry.get('reason'))}.")
    if len(entries) > NOTE_LIMIT:
        notes.append(f"_... and {len(entries) - NOTE_LIMIT} more parts not read ({MORE})._")
    return notes


def _capped(text: str) -> str:
    """The text, cut at a line under MAX_CHARS if it is longer (the lists are capped
    already; long cell texts in a custom pack could still add up)."""
    if len(text) <= MAX_CHARS:
        return text
    lines, size = [], 0
    for line in text.splitlines():
        if size + len(line) + 1 > MAX_CHARS - 200:
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + f"\n\n_... the rest is cut to fit a comment ({MORE})._\n"


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


def _short(value: object) -> str:
    """One line of visible text, at most CELL characters."""
    text = " ".join(visible(value).split())
    return text if len(text) <= CELL else text[:CELL - 1] + "…"


def _text(value: object) -> str:
    """Plain text: one line, no Markdown or HTML meaning."""
    text = _short(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _code(value: object) -> str:
    """An inline code span; a pipe stays escaped so a table cell is not split."""
    text = _short(value).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"
