"""The HTML report an auditor reads: one self-contained file, control-centric.

Jinja2 with autoescape renders templates/report.html.j2; this module only arranges the
report into what the template shows (a view), so the template holds no logic beyond
loops. Every result is rendered once, under its policy; the framework sections list
control -> policies with their counts and link to those results, so a policy mapped to
several controls does not multiply the file's size.

Long lists stay readable at 10,000 results: a policy shows its first SHOWN results that
need attention (those that block the gate first) and folds the rest, and its passing
and not applicable results, into <details> sections with their counts. They open
without JavaScript, and the print stylesheet opens them on paper. Long texts too: a
message shows its first LONG characters, a result its first witness path (a long one
drawn one hop a line), and the rest is a click away.

Speed at 10,000 results: the template is compiled once per process, and what a result
row shows (where, whether it blocks, its evidence as nodes) is worked out here, as a
call from the template costs more than the row itself.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..catalogue import FRAMEWORKS
from ..profiles import waiver_expired
from ..report import PolicyInfo, Report, unread
from ..results import Result
from ..rules import ERROR, FAIL, NOT_APPLICABLE, PASS, STATUSES, UNKNOWN, WAIVED
from .text import visible

TEMPLATES = Path(__file__).parent / "templates"
CONTROLS = Path(__file__).parent / "controls.yaml"
# Worst first: the status a group of results shows is the worst among them.
STATUS_ORDER = (ERROR, FAIL, UNKNOWN, WAIVED, PASS, NOT_APPLICABLE)
SEVERITIES = ("critical", "high", "medium", "low", "info")
OPEN_STATUSES = (ERROR, FAIL, UNKNOWN, WAIVED)  # need attention; PASS and N/A are folded
SHOWN = 20  # results of a policy shown unfolded
LISTED = 50  # rows of a register list shown unfolded
LONG = 300  # characters of a message shown before the rest is folded
LONG_PATH = 160  # characters of a witness path past which it is drawn one hop a line


@dataclass(slots=True)
class Text:
    """A text that may be long: its first LONG characters (head) and the rest, folded."""

    head: str
    rest: str = ""


@dataclass(slots=True)
class Evidence:
    """A piece of evidence as the template draws it. kind is one of
    text: a scalar, or a list of them (text);
    fields: a mapping, as (key, Evidence) pairs (children);
    items: a list holding mappings or lists (children); of witness paths, the first
    (children) and the others, folded (more);
    path: a witness path (hops, blocked);
    witness: a reachability path: its traffic and origin (text), whether it is only possible
    and why (possibly), and its hops."""

    kind: str
    text: Any = None
    children: list[Any] = field(default_factory=list)
    more: list[Any] = field(default_factory=list)
    hops: list[str] = field(default_factory=list)
    blocked: str | None = None
    possibly: Text | None = None
    long: bool = False  # a path drawn one hop a line


@dataclass(slots=True)
class Row:
    """A result as its row in a table of results shows it."""

    status: str
    blocks: bool
    resource: str
    name: str | None  # shown under the address when it says something else
    where: str
    place: str  # account and region, under the file and line ("" when they are the where)
    scenario: str | None  # None when the message names it already
    message: Text
    waiver: Mapping[str, Any] | None
    evidence: Evidence | None


@dataclass
class PolicyBlock:
    info: PolicyInfo
    counts: Counter
    worst: str
    shown: list[Row] = field(default_factory=list)  # the first results that need attention
    more: list[Row] = field(default_factory=list)  # the others that need attention, folded
    closed: list[Row] = field(default_factory=list)  # PASS and NOT_APPLICABLE, folded
    blocking: int = 0

    @property
    def more_counts(self) -> Counter:
        return Counter(r.status for r in self.more)


@dataclass
class Control:
    id: str
    title: str
    worst: str
    policies: list[PolicyBlock]


def render(report: Report) -> str:
    template, css = _template()
    return template.render(view=build_view(report), css=css)


# How a policy's "Controls:" line names each framework (the framework sections use the full name).
FRAMEWORK_SHORT = {"iso-27001-2022": "ISO 27001:2022", "soc2": "SOC 2", "cis-aws-3.0": "CIS AWS 3.0.0",
                   "nist-800-53-r5": "NIST 800-53 r5"}


@lru_cache(maxsize=1)
def _template() -> tuple[Any, Any]:
    """The compiled template and the stylesheet, once per process."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, undefined=StrictUndefined, finalize=_shown)
    env.globals.update(STATUSES=STATUSES, where=where, control_title=control_title,
                       framework_short=lambda framework: FRAMEWORK_SHORT.get(framework, framework))
    css = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))  # our own file, inlined as is
    return env.get_template("report.html.j2"), css


def _shown(value: Any) -> Any:
    """Every value the template prints: control characters made visible (markup, which the
    template built from already shown values, is left as it is)."""
    kind = type(value)
    if kind is str:
        return visible(value)
    if kind is bool:
        return "yes" if value else "no"
    return value


def build_view(report: Report) -> dict[str, Any]:
    blocking = report.blocking()
    # the results that block, by identity: a fingerprint is a hash, computed on each call
    blocking_results = {id(r) for r in report.results
                        if r.status in (ERROR, FAIL, UNKNOWN) and blocking and r.fingerprint in blocking}
    blocks = _policy_blocks(report, blocking_results)
    return {
        "title": _title(report),
        "tool": report.tool,
        "run": report.run,
        "gate": _gate(report, blocking, blocking_results),
        "scope": _scope(report),
        "files": _files(report),
        "merged_from": report.run.get("merged_from") if isinstance(report.run.get("merged_from"), list) else [],
        "summary": report.summary(),
        "total": len(report.results),
        "by_severity": _counts_by(report.results, lambda r: r.severity, SEVERITIES),
        "by_area": _counts_by(report.results, lambda r: _area(report, r), None),
        "frameworks": _frameworks(blocks),
        "unmapped": [b for b in blocks if not b.info.frameworks],
        "policies": blocks,
        "unknowns": _unknowns(report.results),
        "not_assessed": [{**entry, **unread(entry)} for entry in report.not_assessed()],
        "waivers": _waivers(report, blocking_results),
        "waiver_counts": Counter(w.get("status") for w in report.waivers),
        "changes": _changes(report),
        "listed": LISTED,
    }


def where(result: Result) -> str:
    """File and line for plans and templates; account and region for live results."""
    if result.file:
        return f"{result.file}:{result.line}" if result.line else result.file
    return place(result)


def place(result: Result) -> str:
    """The account and region a result is in ("" when it names neither)."""
    return " / ".join(part for part in (result.account, result.region) if part)


def hops(path: str) -> tuple[list[str], str | None]:
    """A witness path as the network engine writes it, "a -> b (x -> y) -> c -x- why",
    as its hops and the reason it is blocked, if it is. An arrow inside parentheses
    (a route) belongs to its hop."""
    reached, _, blocked = path.partition(" -x- ")
    parts, depth, start = [], 0, 0
    for match in _ARROW_OR_PAREN.finditer(reached):
        token = match.group()
        if token in "([":
            depth += 1
        elif token in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(reached[start:match.start()])
            start = match.end()
    parts.append(reached[start:])
    return [p for p in parts if p], blocked or None


_ARROW_OR_PAREN = re.compile(r" -> |[()\[\]]")


def row(result: Result, blocks: bool) -> Row:
    scenario = result.scenario if result.scenario and not result.message.startswith(result.scenario) else None
    return Row(result.status, blocks, result.resource, result.name if result.name != result.resource else None,
               where(result), place(result) if result.file else "", scenario, folded(result.message), result.waiver,
               evidence(result.evidence) if result.evidence else None)


def folded(text: str) -> Text:
    """A text cut after LONG characters, at a space, when it is much longer."""
    if len(text) <= LONG + LONG // 2:
        return Text(text)
    cut = text.rfind(" ", 0, LONG)
    cut = cut if cut > LONG // 2 else LONG
    return Text(text[:cut], text[cut:])


def evidence(value: Any, depth: int = 0) -> Evidence:
    """Evidence as the engine writes it (JSON data), as nodes the template draws: a
    mapping as fields, a list of plain values as one text, a witness path hop by hop."""
    if depth > 4 or value is None or isinstance(value, (str, int, float)):  # before the slow Mapping check
        return Evidence("text", "—" if value is None else value)
    if isinstance(value, (list, tuple)):
        if any(not isinstance(item, (str, int, float)) for item in value):
            items = [evidence(item, depth + 1) for item in value]
            shown = 1 if all(item.kind == "witness" for item in items) else len(items)
            return Evidence("items", children=items[:shown], more=items[shown:])
        return Evidence("text", ", ".join(map(str, value)))
    if isinstance(value, Mapping):
        if isinstance(value.get("path"), str) and "traffic" in value:
            return _witness(value)
        return Evidence("fields", children=[
            (key, _path("path", item) if key == "path" and isinstance(item, str) else evidence(item, depth + 1))
            for key, item in value.items()])
    return Evidence("text", value)


def _witness(value: Mapping[str, Any]) -> Evidence:
    """"tcp/22 from internet (IPv4) via ...", marked when only possible, then the hops."""
    node = _path("witness", value["path"])
    via = f" via {value['via']}" if value.get("via") else ""
    node.text = f"{value.get('traffic')} from {value.get('from')}{via}"
    if value.get("certain") is False:
        unknowns = value.get("unknowns")
        node.possibly = folded("possibly" + (f": {'; '.join(map(str, unknowns))}" if unknowns else ""))
    return node


def _path(kind: str, text: str) -> Evidence:
    parts, blocked = hops(text)
    return Evidence(kind, hops=parts, blocked=blocked, long=len(text) > LONG_PATH)


def worst(statuses: Iterable[str]) -> str:
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), NOT_APPLICABLE)


def control_title(framework: str, control: str) -> str:
    """The control's short title from controls.yaml, "" when it names none."""
    return control_titles().get(framework, {}).get(control, "")


@lru_cache(maxsize=1)
def control_titles() -> dict[str, dict[str, str]]:
    import yaml

    data = yaml.safe_load(CONTROLS.read_text(encoding="utf-8")) or {}
    return {framework: {str(k): str(v) for k, v in (titles or {}).items()} for framework, titles in data.items()}


def _title(report: Report) -> str:
    inputs = report.run.get("inputs") or []
    if len(inputs) == 1:
        return f"stackproof report: {inputs[0].get('path')}"
    return "stackproof report"


def _gate(report: Report, blocking: set[str] | None, blocking_results: set[int]) -> dict[str, Any]:
    """The verdict and, in words, what blocks it."""
    gate = dict(report.run.get("gate") or {})
    floor, profile = report.run.get("severity_floor"), report.run.get("profile")
    rule = ["any ERROR", f"a FAIL of severity {floor} or above"] if floor else []
    if rule and profile == "audit":
        rule.append(f"an UNKNOWN of severity {floor} or above (profile audit)")
    if rule and gate.get("fail_on") == "new":
        rule.append("only when new since the baseline or no longer waived (--fail-on new)")
    gate["rule"] = "; ".join(rule)
    if blocking is not None:
        gate["lapsed"] = sum(1 for r in report.results if id(r) in blocking_results and waiver_expired(r))
    return gate


def _scope(report: Report) -> dict[str, Any]:
    accounts = sorted({r.account for r in report.results if r.account} | set(report.run.get("accounts") or []))
    regions = sorted({r.region for r in report.results if r.region} | set(report.run.get("regions") or []))
    return {"inputs": report.run.get("inputs") or [], "accounts": accounts, "regions": regions}


def _files(report: Report) -> list[dict[str, Any]]:
    """Every file the run read, with its sha256: the inputs, the waivers and the baseline."""
    files = [{"kind": i.get("kind"), "path": i.get("path"), "sha256": i.get("sha256")}
             for i in report.run.get("inputs") or []]
    if report.run.get("waivers_file"):
        files.append({"kind": "waivers", "path": report.run["waivers_file"],
                      "sha256": report.run.get("waivers_sha256")})
    if report.changes is not None:
        baseline = report.changes.get("baseline") or {}
        files.append({"kind": "baseline", "path": baseline.get("path"), "sha256": baseline.get("sha256")})
    return files


def _area(report: Report, result: Result) -> str:
    info = report.policies.get(result.policy)
    return info.area if info else "unknown area"


def _counts_by(results: list[Result], key: Any, order: Iterable[str] | None) -> list[tuple[str, Counter]]:
    groups: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        groups[key(result)][result.status] += 1
    names = [n for n in order if n in groups] if order is not None else sorted(groups)
    return [(name, groups[name]) for name in names]


def _policy_blocks(report: Report, blocking: set[int]) -> list[PolicyBlock]:
    by_policy: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_policy[result.policy].append(result)
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    blocks = []
    for policy_id in sorted(set(by_policy) | set(report.policies)):
        results = by_policy.get(policy_id, [])
        info = report.policies.get(policy_id) or PolicyInfo(
            policy_id, policy_id, results[0].severity if results else "info", "unknown area")
        attention = sorted((row(r, id(r) in blocking) for r in results if r.status in OPEN_STATUSES),
                           key=lambda r: (not r.blocks, rank.get(r.status, 9)))
        closed = sorted((r for r in results if r.status not in OPEN_STATUSES), key=lambda r: rank.get(r.status, 9))
        blocks.append(PolicyBlock(
            info=info, counts=Counter(r.status for r in results), worst=worst(r.status for r in results),
            shown=attention[:SHOWN], more=attention[SHOWN:], closed=[row(r, False) for r in closed],
            blocking=sum(1 for r in attention if r.blocks)))
    severity = {s: i for i, s in enumerate(SEVERITIES)}
    blocks.sort(key=lambda b: (rank[b.worst], severity.get(b.info.severity, 9), b.info.id))
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
        rows = [Control(cid, control_title(framework, cid), worst(s for b in pbs for s in b.counts), pbs)
                for cid, pbs in sorted(controls[framework].items(), key=lambda item: _natural(item[0]))]
        views.append({"id": framework, "name": FRAMEWORKS.get(framework, framework), "controls": rows,
                      "statuses": Counter(c.worst for c in rows)})
    return views


def _natural(text: str) -> list[Any]:
    """Control ids in reading order: A.8.9 before A.8.24, CC6.1 before CC6.10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def _unknowns(results: list[Result]) -> list[tuple[Text, list[Result]]]:
    """What could not be assessed, grouped by the reason given."""
    by_reason: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        if result.status == UNKNOWN:
            by_reason[result.message].append(result)
    return [(folded(reason), found) for reason, found in sorted(by_reason.items(), key=lambda i: (-len(i[1]), i[0]))]


def _waivers(report: Report, blocking: set[int]) -> list[dict[str, Any]]:
    """The exceptions register, each waiver with how many of its results block the gate
    (only an expired one's can: an active waiver's results are WAIVED)."""
    blocked_by: Counter = Counter(r.waiver.get("source") for r in report.results if r.waiver and id(r) in blocking)
    return [{**w, "blocking": blocked_by.get(w.get("source"), 0)} for w in report.waivers]


def _changes(report: Report) -> dict[str, Any] | None:
    if report.changes is None:
        return None
    from ..baseline import change_counts

    changes = report.changes
    keys = {"new": set(changes.get("new") or []), "still": set(changes.get("still_failing") or []),
            "now_waived": set(changes.get("now_waived") or [])}
    lists: dict[str, list[Result]] = {key: [] for key in keys}
    for result in report.results:
        fingerprint = result.fingerprint  # a hash, computed on each call
        for key, fingerprints in keys.items():
            if fingerprint in fingerprints and (result.status == WAIVED) == (key == "now_waived"):
                lists[key].append(result)
    fixed = [(Result.from_dict(entry), entry.get("now", "")) for entry in changes.get("fixed") or []]
    not_compared = changes.get("not_compared") or {}
    return {
        "baseline": changes.get("baseline") or {},
        **lists,
        "fixed": fixed,
        "counts": change_counts(changes),
        "not_compared": {"by_policy": sorted((not_compared.get("by_policy") or {}).items()),
                         "why": not_compared.get("why") or []},
    }
