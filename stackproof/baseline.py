"""Baselines: what changed since a previous run, compared by result fingerprint.

A result "needs attention" when it is FAIL, ERROR or UNKNOWN. Against a baseline:

- new: needs attention now, and did not in the baseline (absent, PASS or NOT_APPLICABLE);
- still failing: needs attention now and did in the baseline (a baseline WAIVED result
  counts as one that needed attention: its waiver was lifted, the finding is not new);
- fixed: needed attention in the baseline, and now passes, is not applicable, or its
  resource is gone.

With ``--fail-on new`` the gate blocks only on new results, so a team can adopt the gate
on an estate that already has findings.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .report import Report
from .results import Result
from .rules import ERROR, FAIL, NOT_APPLICABLE, PASS, UNKNOWN, WAIVED

OPEN = (FAIL, ERROR, UNKNOWN)
OPEN_BEFORE = (FAIL, ERROR, UNKNOWN, WAIVED)
CLOSED = (PASS, NOT_APPLICABLE)


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


def compare(results: list[Result], baseline: Report, path: str, sha256: str) -> dict[str, Any]:
    """The changes since the baseline, as the JSON report stores them.

    ``new`` and ``still_failing`` hold fingerprints of current results; ``fixed`` holds
    the baseline's results in full, since they are no longer in the current run.
    """
    before = _by_fingerprint(baseline.results, OPEN_BEFORE)
    now = _by_fingerprint(results, OPEN)
    new, still = [], []
    for result in results:
        if result.status not in OPEN:
            continue
        previous = before.get(result.fingerprint)
        (still if previous is not None and previous.status in OPEN_BEFORE else new).append(result.fingerprint)
    fixed = []
    for fingerprint, previous in before.items():
        current = now.get(fingerprint)
        if previous.status in OPEN_BEFORE and (current is None or current.status in CLOSED):
            entry = previous.to_dict()
            entry["now"] = current.status if current is not None else "GONE"
            fixed.append(entry)
    return {
        "baseline": {"path": path, "sha256": sha256, "started_at": baseline.run.get("started_at"),
                     "results": len(baseline.results)},
        "new": list(dict.fromkeys(new)),
        "still_failing": list(dict.fromkeys(still)),
        "fixed": fixed,
    }


def _by_fingerprint(results: list[Result], open_statuses: tuple[str, ...]) -> dict[str, Result]:
    """One result per fingerprint; where several share one (CloudFormation condition
    scenarios of one resource), an open one stands for them all."""
    found: dict[str, Result] = {}
    for result in results:
        held = found.get(result.fingerprint)
        if held is None or (held.status not in open_statuses and result.status in open_statuses):
            found[result.fingerprint] = result
    return found
