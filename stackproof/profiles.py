"""Profiles and the gate: which results make a scan fail."""
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

    def summary(self) -> str:
        if self.holds:
            return f"gate holds (profile {self.profile}, severity floor {self.severity_floor})"
        return (f"gate fails: {len(self.blocking)} blocking result(s) "
                f"(profile {self.profile}, severity floor {self.severity_floor})")


def blocks(result: Result, profile: Profile, floor: str) -> bool:
    if result.status == ERROR:
        return True  # a rule that could not run is never a pass
    if severity_rank(result.severity) < severity_rank(floor):
        return False
    if result.status == FAIL:
        return True
    return result.status == UNKNOWN and profile.unknown_blocks


def gate(results: Iterable[Result], profile: Profile, floor: str) -> GateVerdict:
    assert floor in SEVERITIES
    blocking = tuple(r for r in results if blocks(r, profile, floor))
    return GateVerdict(not blocking, blocking, floor, profile.name)
