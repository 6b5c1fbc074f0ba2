"""The HTML report an auditor reads: one self-contained file, control-centric.

Jinja2 with autoescape renders templates/report.html.j2; this module only arranges the
report into what the template shows (a view), so the template holds no logic beyond
loops. Every result is rendered once, under its policy; the framework sections list
control -> policies with their counts and link to those results, so a policy mapped to
several controls does not multiply the file's size.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..catalogue import FRAMEWORKS
from ..report import PolicyInfo, Report
from ..results import Result
from ..rules import ERROR, FAIL, NOT_APPLICABLE, PASS, STATUSES, UNKNOWN, WAIVED

TEMPLATES = Path(__file__).parent / "templates"
# Worst first: the status a group of results shows is the worst among them.
STATUS_ORDER = (ERROR, FAIL, UNKNOWN, WAIVED, PASS, NOT_APPLICABLE)
SEVERITIES = ("critical", "high", "medium", "low", "info")
OPEN_STATUSES = (ERROR, FAIL, UNKNOWN, WAIVED)  # shown at once; PASS and N/A collapsed


@dataclass
class PolicyBlock:
    info: PolicyInfo
    counts: Counter
    worst: str
    open: list[Result] = field(default_factory=list)
    closed: list[Result] = field(default_factory=list)


@dataclass
class Control:
    id: str
    worst: str
    policies: list[PolicyBlock]


def render(report: Report) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, undefined=StrictUndefined)
    env.globals.update(STATUSES=STATUSES, where=where)
    css = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))  # our own file, inlined as is
    return env.get_template("report.html.j2").render(view=build_view(report), css=css)


def build_view(report: Report) -> dict[str, Any]:
    blocks = _policy_blocks(report)
    return {
        "title": _title(report),
        "tool": report.tool,
        "run": report.run,
        "gate": report.run.get("gate") or {},
        "scope": _scope(report),
        "summary": report.summary(),
        "total": len(report.results),
        "by_severity": _counts_by(report.results, lambda r: r.severity, SEVERITIES),
        "by_area": _counts_by(report.results, lambda r: _area(report, r), None),
        "frameworks": _frameworks(blocks),
        "unmapped": [b for b in blocks if not b.info.frameworks],
        "policies": blocks,
        "unknowns": _unknowns(report.results),
        "waivers": report.waivers,
        "waiver_counts": Counter(w["status"] for w in report.waivers),
        "changes": _changes(report),
    }


def where(result: Result) -> str:
    """File and line for plans and templates; account and region for live results."""
    if result.file:
        return f"{result.file}:{result.line}" if result.line else result.file
    return " / ".join(part for part in (result.account, result.region) if part)


def worst(statuses: Iterable[str]) -> str:
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), NOT_APPLICABLE)


def _title(report: Report) -> str:
    inputs = report.run.get("inputs") or []
    if len(inputs) == 1:
        return f"stackproof report: {inputs[0].get('path')}"
    return "stackproof report"


def _scope(report: Report) -> dict[str, Any]:
    accounts = sorted({r.account for r in report.results if r.account} | set(report.run.get("accounts") or []))
    regions = sorted({r.region for r in report.results if r.region} | set(report.run.get("regions") or []))
    return {"inputs": report.run.get("inputs") or [], "accounts": accounts, "regions": regions}


def _area(report: Report, result: Result) -> str:
    info = report.policies.get(result.policy)
    return info.area if info else "unknown area"


def _counts_by(results: list[Result], key: Any, order: Iterable[str] | None) -> list[tuple[str, Counter]]:
    groups: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        groups[key(result)][result.status] += 1
    names = [n for n in order if n in groups] if order is not None else sorted(groups)
    return [(name, groups[name]) for name in names]


def _policy_blocks(report: Report) -> list[PolicyBlock]:
    by_policy: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_policy[result.policy].append(result)
    blocks = []
    for policy_id in sorted(set(by_policy) | set(report.policies)):
        results = by_policy.get(policy_id, [])
        info = report.policies.get(policy_id) or PolicyInfo(
            policy_id, policy_id, results[0].severity if results else "info", "unknown area")
        rank = {s: i for i, s in enumerate(STATUS_ORDER)}
        ordered = sorted(results, key=lambda r: rank.get(r.status, 9))
        blocks.append(PolicyBlock(
            info=info, counts=Counter(r.status for r in results), worst=worst(r.status for r in results),
            open=[r for r in ordered if r.status in OPEN_STATUSES],
            closed=[r for r in ordered if r.status not in OPEN_STATUSES]))
    severity = {s: i for i, s in enumerate(SEVERITIES)}
    status = {s: i for i, s in enumerate(STATUS_ORDER)}
    blocks.sort(key=lambda b: (status[b.worst], severity.get(b.info.severity, 9), b.info.id))
    return blocks


def _frameworks(blocks: list[PolicyBlock]) -> list[dict[str, Any]]:
    controls: dict[str, dict[str, list[PolicyBlock]]] = defaultdict(lambda: defaultdict(list))
    for block in blocks:
        for framework, ids in block.info.frameworks.items():
            for control in ids:
                controls[framework][control].append(block)
    known = [f for f in FRAMEWORKS if f in controls] + sorted(set(controls) - set(FRAMEWORKS))
    views = []
    for framework in known:
        rows = [Control(cid, worst(s for b in pbs for s in b.counts), pbs)
                for cid, pbs in sorted(controls[framework].items(), key=lambda item: _natural(item[0]))]
        views.append({"id": framework, "name": FRAMEWORKS.get(framework, framework), "controls": rows,
                      "statuses": Counter(c.worst for c in rows)})
    return views


def _natural(text: str) -> list[Any]:
    """Control ids in reading order: A.8.9 before A.8.24, CC6.1 before CC6.10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def _unknowns(results: list[Result]) -> list[tuple[str, list[Result]]]:
    """What could not be assessed, grouped by the reason given."""
    by_reason: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        if result.status == UNKNOWN:
            by_reason[result.message].append(result)
    return sorted(by_reason.items(), key=lambda item: (-len(item[1]), item[0]))


def _changes(report: Report) -> dict[str, Any] | None:
    if report.changes is None:
        return None
    new, still = set(report.changes.get("new") or []), set(report.changes.get("still_failing") or [])
    open_results = [r for r in report.results if r.status in (FAIL, ERROR, UNKNOWN)]
    fixed = []
    for entry in report.changes.get("fixed") or []:
        try:
            fixed.append((Result.from_dict(entry), entry.get("now", "")))
        except (KeyError, TypeError, AttributeError):
            continue  # a hand-edited entry: the count above still shows it
    return {
        "baseline": report.changes.get("baseline") or {},
        "new": [r for r in open_results if r.fingerprint in new],
        "still": [r for r in open_results if r.fingerprint in still],
        "fixed": fixed,
        "counts": {"new": len(new), "still": len(still), "fixed": len(report.changes.get("fixed") or [])},
    }
