"""A finished run: what the reporters render, and what the JSON report stores."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import __version__
from .catalogue import SEVERITIES, Policy
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PolicyInfo":
        """From saved JSON; keys a later version may add are ignored."""
        return cls(data["id"], data["title"], data["severity"], data["area"], data.get("rationale") or "",
                   dict(data.get("remediation") or {}), dict(data.get("frameworks") or {}))


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

    def not_assessed(self) -> list[dict[str, Any]]:
        """What a live audit could not read (run.not_assessed, see loaders/live/notassessed.py),
        by account, region (global first), service and call (a whole account or service first)."""
        entries = [entry for entry in self.run.get("not_assessed") or [] if isinstance(entry, dict)]
        return sorted(entries, key=lambda e: tuple(str(e.get(key) or "") for key in ("account", "region", "service",
                                                                                        "call")))

    def blocking(self) -> set[str] | None:
        """Fingerprints of the results that block the gate, or None when the report cannot
        tell (a hand-made one with no profile). The gate is decided again from the run's
        profile, floor and baseline, by the function the scan used, unless the report
        records the answer (a merge of runs with different profiles does)."""
        gate = self.run.get("gate") or {}
        if isinstance(gate.get("blocking_results"), list):
            return set(gate["blocking_results"])
        from .profiles import PROFILES, gate as decide

        profile, floor = PROFILES.get(self.run.get("profile") or ""), self.run.get("severity_floor")
        if profile is None or floor not in SEVERITIES:
            return None
        new_only = None
        if gate.get("fail_on") == "new" and self.changes is not None:
            new_only = set(self.changes.get("new") or [])
        return {r.fingerprint for r in decide(self.results, profile, floor, new_only).blocking}

    def to_dict(self) -> dict[str, Any]:
        run = self.run
        blocking = self.blocking()
        if blocking is not None and isinstance(run.get("gate"), dict):
            order = dict.fromkeys(r.fingerprint for r in self.results if r.fingerprint in blocking)
            run = {**run, "gate": {**run["gate"], "blocking_results": list(order)}}
        return {
            "schema": SCHEMA,
            "tool": dict(self.tool),
            "run": run,
            "summary": self.summary(),
            "results": [r.to_dict() for r in self.results],
            "policies": {pid: vars(info) for pid, info in sorted(self.policies.items())},
            **({"waivers": self.waivers} if self.waivers else {}),
            **({"changes": self.changes} if self.changes is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> "Report":
        """A saved JSON report, its shape checked first: a wrong one is an InputError that
        names the file and the JSON path ("$.results[3].location.line: ...")."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(where, f"not a stackproof JSON report (expected schema {SCHEMA!r})")
        _check(data, REPORT, "$", where)
        results = [Result.from_dict(r) for r in data.get("results") or []]
        policies = {pid: PolicyInfo.from_dict(info) for pid, info in (data.get("policies") or {}).items()}
        return cls(results, policies, dict(data.get("run") or {}), dict(data.get("tool") or {}),
                   list(data.get("waivers") or []), data.get("changes"))


def unread(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of run.not_assessed in words: what was not read ("s3 GetBucketEncryption",
    "all of kms", "the whole account"), the account, the region (a global service's is
    "global", a whole account's "every region") and how many resources ("all" but for a
    per-resource call)."""
    service, call, count = entry.get("service"), entry.get("call"), entry.get("count")
    what = f"{service} {call}" if call else f"all of {service}" if service else "the whole account"
    return {"what": what, "account": entry.get("account") or "unknown account",
            "region": entry.get("region") or ("global" if service else "every region"),
            "resources": count if call and count is not None else "all"}


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


# --- the shape of a saved report ----------------------------------------------------------
# Checked where the reporters rely on it. Keys a shape does not name are left alone, so a
# report of a later version still renders. A shape is a type (str, int, bool, dict), [shape]
# for a list of it, {key: shape} for a mapping with those keys (a key ending in "!" is
# required), Each(shape) for a mapping of any keys to it, or OneOf for text from a list.

@dataclass(frozen=True)
class Each:
    shape: Any


@dataclass(frozen=True)
class OneOf:
    values: tuple[str, ...]
    what: str


LOCATION = {"file": str, "account": str, "region": str, "line": int}
RESULT = {"policy!": str, "status!": OneOf(STATUSES, "a status"), "severity!": OneOf(SEVERITIES, "a severity"),
          "resource!": str, "kind!": str, "source!": str, "message!": str, "name": str, "scenario": str,
          "environment": str, "location": LOCATION, "evidence": dict, "waiver": dict}
NOT_ASSESSED = {"where!": str, "reason!": str, "account": str, "region": str, "service": str, "call": str,
                "count": int, "kinds": [str]}  # see loaders/live/notassessed.py
RUN = {"started_at": str, "profile": str, "severity_floor": str, "environment": str, "waivers_file": str,
       "gate": {"holds": bool, "blocking": int, "blocking_results": [str]},
       "inputs": [{"kind": str, "path": str, "sha256": str}], "accounts": [str], "regions": [str],
       "not_assessed": [NOT_ASSESSED]}
POLICY = {"id!": str, "title!": str, "severity!": str, "area!": str, "rationale": str,
          "remediation": Each(str), "frameworks": Each([str])}
WAIVER = {"policy!": str, "selector": str, "reason": str, "owner": str, "expires": str, "source": str,
          "status!": str}
CHANGES = {"baseline": dict, "new!": [str], "still_failing!": [str], "now_waived": [str], "fixed!": [RESULT],
           "not_compared": {"findings": int, "why": [str]}}
REPORT = {"tool": dict, "run": RUN, "results": [RESULT], "policies": Each(POLICY), "waivers": [WAIVER],
          "changes": CHANGES}

_NAMES = {dict: "a mapping", list: "a list", str: "text", int: "an integer", bool: "true or false"}


def _kind(shape: Any) -> type:
    if isinstance(shape, type):
        return shape
    return list if isinstance(shape, list) else str if isinstance(shape, OneOf) else dict


def _check(value: Any, shape: Any, path: str, where: str) -> None:
    """Raise an InputError naming the file and the JSON path of the first value out of shape."""
    kind = _kind(shape)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        found = "null" if value is None else _NAMES.get(type(value), type(value).__name__)
        raise _malformed(where, path, f"expected {_NAMES[kind]}, found {found}")
    if isinstance(shape, OneOf) and value not in shape.values:
        raise _malformed(where, path, f"{value!r} is not {shape.what} ({', '.join(shape.values)})")
    if isinstance(shape, list):
        for i, item in enumerate(value):
            _check(item, shape[0], f"{path}[{i}]", where)
    elif isinstance(shape, Each):
        for key, item in value.items():
            _check(item, shape.shape, f"{path}.{key}", where)
    elif isinstance(shape, dict):
        for key, inner in shape.items():
            name = key.rstrip("!")
            item = value.get(name)
            if item is not None:
                if type(item) is not inner:  # a text, number or mapping as expected needs no call
                    _check(item, inner, f"{path}.{name}", where)
            elif key.endswith("!"):
                raise _malformed(where, f"{path}.{name}", f"missing (expected {_NAMES[_kind(inner)]})")


def _malformed(where: str, path: str, message: str) -> InputError:
    return InputError(where, f"malformed report: {path}: {message}")
