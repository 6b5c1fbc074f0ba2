"""The console summary: failures first, grouped by policy, counts per status.

Values from the inputs are rich Text, never markup, and go through visible(): a control
character (an escape sequence in a resource's setting) is printed as "\x1b", not obeyed
by the terminal."""
from __future__ import annotations

from collections import defaultdict
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..profiles import GateVerdict
from ..report import Report
from ..results import Result
from ..rules import ERROR, FAIL, NOT_APPLICABLE, PASS, UNKNOWN, WAIVED
from .text import visible

STYLES = {FAIL: "bold red", ERROR: "bold magenta", UNKNOWN: "yellow", PASS: "green",
          NOT_APPLICABLE: "dim", WAIVED: "cyan"}
ORDER = (FAIL, ERROR, UNKNOWN)  # shown resource by resource; PASS etc. only counted
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def _console(file: IO[str] | None) -> Console:
    """A terminal wraps lines at its width; a CI log or a pipe gets one line per result,
    whole, so that it can be searched and the log viewer wraps it."""
    console = Console(file=file, highlight=False)
    console.soft_wrap = not console.is_terminal
    return console


def print_report(report: Report, verdict: GateVerdict, file: IO[str] | None = None,
                 show_unknown: bool = True, limit: int = 20) -> None:
    console = _console(file)
    grouped: dict[str, dict[str, list[Result]]] = {s: defaultdict(list) for s in ORDER}
    for result in report.results:
        if result.status in grouped:
            grouped[result.status][result.policy].append(result)
    for status in ORDER:
        if status == UNKNOWN and not show_unknown:
            continue
        policies = grouped[status]
        for policy_id in sorted(policies, key=lambda p: (SEVERITY_ORDER.get(policies[p][0].severity, 9), p)):
            results = policies[policy_id]
            info = report.policies.get(policy_id)
            header = Text()
            header.append(f"{status} ", style=STYLES[status])
            header.append(f"{policy_id} ", style="bold")
            header.append(f"[{results[0].severity}] ", style=STYLES[status] if status == FAIL else "")
            header.append(visible(info.title) if info else "")
            console.print(header)
            for result in results[:limit]:
                line = Text("  ")
                line.append(visible(result.resource), style="bold")
                where = _where(result)
                if where:
                    line.append(f" ({visible(where)})", style="dim")
                line.append(f": {visible(result.message)}")
                if result.waiver and result.waiver.get("expired"):
                    line.append(f" (waiver expired {visible(result.waiver.get('expires'))})", style="bold red")
                console.print(line)
            if len(results) > limit:
                console.print(Text(f"  ... and {len(results) - limit} more (see the JSON report)", style="dim"))
    console.print(_counts_table(report))
    for note in _workflow_notes(report, limit):
        console.print(note)
    style = "bold green" if verdict.holds else "bold red"
    console.print(Text(verdict.summary(), style=style))


def _where(result: Result) -> str:
    parts = []
    if result.file:
        parts.append(f"{result.file}:{result.line}" if result.line else result.file)
    for extra in (result.account, result.region):  # a scenario heads the message (engine._name_scenario)
        if extra:
            parts.append(extra)
    return ", ".join(parts)


def _workflow_notes(report: Report, limit: int) -> list[Text]:
    """One line each for the waivers and the baseline, when the run had them, and the
    expired and stale waivers (at most `limit`)."""
    notes = []
    if report.waivers:
        counts: dict[str, int] = defaultdict(int)
        for waiver in report.waivers:
            counts[waiver["status"]] += 1
        waived = sum(w["waived"] for w in report.waivers)
        line = Text(f"waivers: {waived} result(s) waived; ")
        line.append(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
        notes.append(line)
        due = [w for w in report.waivers if w["status"] in ("expired", "stale")]
        for waiver in due[:limit]:
            style = "bold red" if waiver["status"] == "expired" else "yellow"
            notes.append(Text(visible(f"  {waiver['status']} waiver {waiver['source']}: {waiver['policy']} "
                                      f"{waiver['selector']} (owner {waiver['owner']}): {waiver['note']}"),
                              style=style))
        if len(due) > limit:
            notes.append(Text(f"  ... and {len(due) - limit} more expired or stale (see the JSON report)", style="dim"))
    if report.changes is not None:
        from ..baseline import describe

        notes.append(Text(f"since the baseline: {visible(describe(report.changes))}"))
    return notes


def _counts_table(report: Report) -> Table:
    table = Table(title=None, show_edge=False, box=None, pad_edge=False)
    summary = report.summary()
    for status in summary:
        table.add_column(status, justify="right", style=STYLES.get(status, ""))
    table.add_row(*[str(count) for count in summary.values()])
    return table
