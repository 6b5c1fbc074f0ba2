"""Baselines: what changed since a previous run, compared by result fingerprint.

Only what both runs evaluated is compared: a baseline result is compared when this run
ran its policy and read its input (the plan or template file, or the account and
region of a live result). The baseline's other findings are "not compared", never
"fixed": a run of one policy says nothing about the others.

A result "needs attention" when it is FAIL, ERROR or UNKNOWN; a finding is one that
needs attention or is WAIVED. Against a baseline:

- new: needs attention now, and did not in the baseline (absent, PASS or
  NOT_APPLICABLE there, or its policy or input was not in the baseline);
- still failing: needs attention now and did in the baseline (a baseline WAIVED result
  counts as one that needed attention: its waiver was lifted, the finding is not new);
- now waived: WAIVED now and not in the baseline (it needed attention, or is new and
  came with its waiver);
- fixed: a finding in the baseline that now passes, is not applicable, or whose
  resource is gone;
- not compared: the baseline's findings outside this run's scope, counted by policy,
  with the reason.

So the baseline's findings are fixed + still failing + now waived + waived in both +
not compared, and this run's open results are new + still failing.

With ``--fail-on new`` the gate blocks only on new results, so a team can adopt the gate
on an estate that already has findings.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import InputError
from .report import Report
from .results import Result
from .rules import ERROR, FAIL, NOT_APPLICABLE, PASS, UNKNOWN, WAIVED

OPEN = (FAIL, ERROR, UNKNOWN)
FINDINGS = (FAIL, ERROR, UNKNOWN, WAIVED)
CLOSED = (PASS, NOT_APPLICABLE)


@dataclass
class Scope:
    """What a run evaluated: its policies, its input files, its accounts and regions."""

    policies: set[str]
    inputs: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, policies: Iterable[str], inputs: Iterable[str] = (), accounts: Iterable[str] | None = None,
           regions: Iterable[str] | None = None) -> "Scope":
        return cls(set(policies), {_file_key(path) for path in inputs}, set(accounts or ()), set(regions or ()))

    def why_not(self, result: Result) -> str | None:
        """Why the run did not evaluate this result's policy and resource, or None if it did."""
        if result.policy not in self.policies:
            return "policy"
        if result.file:
            return None if _file_key(result.file) in self.inputs else "input"
        if result.account and result.account not in self.accounts:
            return "account"
        if result.region and result.region not in self.regions:
            return "region"
        return None


def _file_key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def load_baseline(path: str | Path) -> tuple[Report, str]:
    """The baseline report and its sha256; anything but a stackproof JSON report is refused."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(where, f"cannot read the baseline: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(where, f"the baseline is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(where, f"the baseline is not JSON: {exc.msg}", exc.lineno) from None
    return Report.from_dict(data, where), hashlib.sha256(raw).hexdigest()


def compare(results: list[Result], baseline: Report, path: str, sha256: str,
            scope: Scope | None = None) -> dict[str, Any]:
    """The changes since the baseline, as the JSON report stores them.

    ``scope`` is what this run evaluated (by default, what its results show).
    ``new``, ``still_failing`` and ``now_waived`` hold fingerprints of current results;
    ``fixed`` holds the baseline's results in full, since they are not in this run.
    """
    scope = scope or _scope_of_results(results)
    before = _by_fingerprint(baseline.results)
    now = _by_fingerprint(results)
    new, still, waived = [], [], []
    for result in results:
        previous = before.get(result.fingerprint)
        if result.status in OPEN:
            (still if previous is not None and previous.status in FINDINGS else new).append(result.fingerprint)
        elif result.status == WAIVED and (previous is None or previous.status != WAIVED):
            waived.append(result.fingerprint)
    fixed, outside = [], Counter()
    reasons: dict[str, set[str]] = {}
    for fingerprint, previous in before.items():
        if previous.status not in FINDINGS:
            continue
        why = scope.why_not(previous)
        if why is not None:
            outside[previous.policy] += 1
            reasons.setdefault(why, set()).add(_what(previous, why))
            continue
        current = now.get(fingerprint)
        if current is None or current.status in CLOSED:
            entry = previous.to_dict()
            entry["now"] = current.status if current is not None else "GONE"
            fixed.append(entry)
    return {
        "baseline": {"path": path, "sha256": sha256, "started_at": baseline.run.get("started_at"),
                     "results": len(baseline.results)},
        "new": list(dict.fromkeys(new)),
        "still_failing": list(dict.fromkeys(still)),
        "now_waived": list(dict.fromkeys(waived)),
        "fixed": fixed,
        "not_compared": _not_compared(outside, reasons, scope, baseline),
    }


def _not_compared(outside: Counter, reasons: dict[str, set[str]], scope: Scope, baseline: Report) -> dict[str, Any]:
    words = {"policy": "policies this run did not run", "input": "inputs this run did not read",
             "account": "accounts this run did not audit", "region": "regions this run did not audit"}
    why = [f"{words[key]}: {', '.join(sorted(reasons[key]))}" for key in words if key in reasons]
    only_now = sorted(scope.policies - set(baseline.policies)) if baseline.policies else []
    if only_now:
        why.append(f"policies the baseline did not run (their findings count as new): {', '.join(only_now)}")
    return {"findings": sum(outside.values()), "by_policy": dict(sorted(outside.items())), "why": why}


def _what(result: Result, why: str) -> str:
    return {"policy": result.policy, "input": result.file, "account": result.account,
            "region": result.region}[why] or ""


def _scope_of_results(results: list[Result]) -> Scope:
    return Scope.of({r.policy for r in results}, {r.file for r in results if r.file},
                    {r.account for r in results if r.account}, {r.region for r in results if r.region})


def _by_fingerprint(results: list[Result]) -> dict[str, Result]:
    """One result per fingerprint; where several share one (CloudFormation condition
    scenarios of one resource), a finding stands for them all, an open one first."""
    rank = {FAIL: 0, ERROR: 0, UNKNOWN: 0, WAIVED: 1}
    found: dict[str, Result] = {}
    for result in results:
        held = found.get(result.fingerprint)
        if held is None or rank.get(result.status, 2) < rank.get(held.status, 2):
            found[result.fingerprint] = result
    return found


def change_counts(changes: dict[str, Any]) -> dict[str, int]:
    """How many results fall in each category (see the module docstring)."""
    counts = {key: len(changes.get(key) or []) for key in ("new", "fixed", "still_failing", "now_waived")}
    counts["not_compared"] = int((changes.get("not_compared") or {}).get("findings") or 0)
    return counts


def describe(changes: dict[str, Any]) -> str:
    """The changes in one line: "1 new, 1 fixed, 2 still failing, 0 now waived, 3 not compared (...)"."""
    counts = change_counts(changes)
    text = (f"{counts['new']} new, {counts['fixed']} fixed, {counts['still_failing']} still failing, "
            f"{counts['now_waived']} now waived")
    if counts["not_compared"]:
        why = "; ".join((changes.get("not_compared") or {}).get("why") or [])
        text += f", {counts['not_compared']} not compared" + (f" ({why})" if why else "")
    return text
