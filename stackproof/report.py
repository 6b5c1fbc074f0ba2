"""A finished run: what the reporters render, and what the JSON report stores."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import __version__
from .catalogue import Policy
from .errors import InputError
from .results import Result
from .rules import STATUSES

SCHEMA = "stackproof/results@1"


@dataclass
class PolicyInfo:
    """What a report needs to know of a policy, also when rendered from saved JSON."""

    id: str
    title: str
    severity: str
    area: str
    rationale: str = ""
    remediation: dict[str, str] = field(default_factory=dict)
    frameworks: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, policy: Policy) -> "PolicyInfo":
        return cls(policy.id, policy.title, policy.severity, policy.area, policy.rationale,
                   dict(policy.remediation), {k: list(v) for k, v in policy.frameworks.items()})


@dataclass
class Report:
    results: list[Result]
    policies: dict[str, PolicyInfo]
    run: dict[str, Any]
    tool: dict[str, str] = field(default_factory=lambda: {"name": "stackproof", "version": __version__})
    # The exceptions register (one entry per waiver, see waivers.py) and the changes
    # since a baseline (see baseline.py); empty/None when the run had none.
    waivers: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, Any] | None = None

    def summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.results)
        return {status: counts.get(status, 0) for status in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool": dict(self.tool),
            "run": self.run,
            "summary": self.summary(),
            "results": [r.to_dict() for r in self.results],
            "policies": {pid: vars(info) for pid, info in sorted(self.policies.items())},
            **({"waivers": self.waivers} if self.waivers else {}),
            **({"changes": self.changes} if self.changes is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "Report":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(where, f"not a stackproof JSON report (expected schema {SCHEMA!r})")
        try:
            results = [Result.from_dict(r) for r in data.get("results") or []]
            policies = {pid: PolicyInfo(**info) for pid, info in (data.get("policies") or {}).items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(where, f"malformed report: {exc}") from None
        waivers, changes = data.get("waivers") or [], data.get("changes")
        if not isinstance(waivers, list) or not (changes is None or isinstance(changes, dict)):
            raise InputError(where, "malformed report: waivers must be a list and changes a mapping")
        return cls(results, policies, dict(data.get("run") or {}), dict(data.get("tool") or {}), waivers, changes)


def policy_infos(policies: Iterable[Policy]) -> dict[str, PolicyInfo]:
    return {p.id: PolicyInfo.of(p) for p in policies}


def dumps(report: Report) -> str:
    """The JSON report, one result per line: readable, diff-friendly, and written by the
    C encoder (an indented dump of 10,000 results takes several times longer)."""
    data = report.to_dict()
    results = data.pop("results")
    policies = data.pop("policies")
    head = json.dumps(data, indent=2, default=str)[:-2]  # without the closing brace
    lines = [head + ",", '  "results": [']
    lines.append(",\n".join("    " + json.dumps(r, default=str) for r in results))
    lines.append("  ],")
    lines.append('  "policies": ' + json.dumps(policies, default=str))
    lines.append("}")
    return "\n".join(lines) + "\n"
