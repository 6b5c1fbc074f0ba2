"""Profiles and the gate: which results make a scan fail.

A result blocks when it is an ERROR (a check that could not run), a FAIL at or above the
severity floor, or, under the audit profile, an UNKNOWN at or above the floor. A
result whose waiver expired is judged the same way, as if it had never been waived
(see waivers.py). With ``--fail-on new`` only the blocking results new since the
baseline block, and those whose waiver expired.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .catalogue import SEVERITIES, severity_rank
from .results import Result
from .rules import ERROR, FAIL, UNKNOWN


@dataclass(frozen=True)
class Profile:
    name: str
    unknown_blocks: bool
    description: str


PROFILES = {
    "ci": Profile("ci", unknown_blocks=False,
                  description="pre-merge gate: FAIL and ERROR block; UNKNOWN (often 'known after apply') is reported"),
    "audit": Profile("audit", unknown_blocks=True,
                     description="scheduled audit: a control that could not be assessed blocks like a failure"),
}


@dataclass(frozen=True)
class GateVerdict:
    holds: bool
    blocking: tuple[Result, ...]
    severity_floor: str
    profile: str
    fail_on: str = "all"  # "new": only results new since the baseline block
    not_new: int = 0  # results that would block but were already failing in the baseline

    @property
    def expired_waivers(self) -> int:
        """Expired waivers that block: those with a blocking result they no longer waive."""
        return len({r.waiver.get("source") for r in self.blocking if waiver_expired(r)})

    def summary(self) -> str:
        scope = f"profile {self.profile}, severity floor {self.severity_floor}"
        if self.fail_on == "new":
            scope += f", fail on new; {self.not_new} already in the baseline"
        if self.holds:
            return f"gate holds ({scope})"
        lapsed = sum(1 for r in self.blocking if waiver_expired(r))
        because = f", {lapsed} of them because their waiver expired" if lapsed else ""
        return f"gate fails: {len(self.blocking)} blocking result(s){because} ({scope})"


def blocks(result: Result, profile: Profile, floor: str) -> bool:
    if result.status == ERROR:
        return True  # a rule that could not run is never a pass
    if severity_rank(result.severity) < severity_rank(floor):
        return False
    if result.status == FAIL:
        return True
    return result.status == UNKNOWN and profile.unknown_blocks


def waiver_expired(result: Result) -> bool:
    """A FAIL or UNKNOWN result whose waiver has expired (see waivers.py)."""
    return result.status in (FAIL, UNKNOWN) and bool(result.waiver) and bool(result.waiver.get("expired"))


def gate(results: Iterable[Result], profile: Profile, floor: str,
         new_only: "set[str] | None" = None) -> GateVerdict:
    """new_only: fingerprints new since the baseline; when given, only those block."""
    assert floor in SEVERITIES
    blocking = tuple(r for r in results if blocks(r, profile, floor))
    if new_only is None:
        return GateVerdict(not blocking, blocking, floor, profile.name)
    # An expired waiver blocks even when it is old news: its owner set the date.
    new = tuple(r for r in blocking if r.fingerprint in new_only or waiver_expired(r))
    return GateVerdict(not new, new, floor, profile.name, "new", len(blocking) - len(new))
