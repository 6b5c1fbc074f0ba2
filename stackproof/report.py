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
        _Shape(where).report(data)
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

_NAMES = {dict: "a mapping", list: "a list", str: "text", int: "an integer", bool: "true or false"}
RESULT_TEXTS = ("policy", "status", "severity", "resource", "kind", "source", "message")
WAIVER_TEXTS = ("policy", "selector", "reason", "owner", "expires", "source", "status")


class _Shape:
    """Checks a saved report's structure where the reporters rely on it. Keys it does not
    know are left alone, so a report of a later version still renders."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, message: str) -> InputError:
        return InputError(self.where, f"malformed report: {path}: {message}")

    def get(self, data: dict, key: str, kind: type, path: str, required: bool = False) -> Any:
        """data[key], checked to be of `kind`; None when it is absent or null and not required."""
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(f"{path}.{key}", f"missing (expected {_NAMES[kind]})")
            return None
        return self.check(value, kind, f"{path}.{key}")

    def check(self, value: Any, kind: type, path: str) -> Any:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        found = "null" if value is None else _NAMES.get(type(value), type(value).__name__)
        raise self.fail(path, f"expected {_NAMES[kind]}, found {found}")

    def items(self, data: dict, key: str, kind: type, path: str, required: bool = False) -> list[tuple[str, Any]]:
        """The elements of the list data[key], each checked to be of `kind`, with its path."""
        values = self.get(data, key, list, path, required) or []
        return [(f"{path}.{key}[{i}]", self.check(v, kind, f"{path}.{key}[{i}]")) for i, v in enumerate(values)]

    def report(self, data: dict) -> None:
        self.get(data, "tool", dict, "$")
        self.run(self.get(data, "run", dict, "$") or {})
        for path, result in self.items(data, "results", dict, "$"):
            self.result(result, path)
        for pid, info in (self.get(data, "policies", dict, "$") or {}).items():
            self.policy(self.check(info, dict, f"$.policies.{pid}"), f"$.policies.{pid}")
        for path, waiver in self.items(data, "waivers", dict, "$"):
            for key in WAIVER_TEXTS:
                self.get(waiver, key, str, path, required=key in ("policy", "status"))
        self.changes(self.get(data, "changes", dict, "$"))

    def run(self, run: dict) -> None:
        for key in ("started_at", "profile", "severity_floor", "environment", "waivers_file"):
            self.get(run, key, str, "$.run")
        gate = self.get(run, "gate", dict, "$.run") or {}
        self.get(gate, "holds", bool, "$.run.gate")
        self.get(gate, "blocking", int, "$.run.gate")
        self.items(gate, "blocking_results", str, "$.run.gate")
        for path, entry in self.items(run, "inputs", dict, "$.run"):
            for key in ("kind", "path", "sha256"):
                self.get(entry, key, str, path)
        for key in ("accounts", "regions"):
            self.items(run, key, str, "$.run")
        for path, entry in self.items(run, "not_assessed", dict, "$.run"):
            self.not_assessed(entry, path)

    def not_assessed(self, entry: dict, path: str) -> None:
        """An entry of what a live audit could not read (see loaders/live/notassessed.py)."""
        for key in ("where", "reason"):
            self.get(entry, key, str, path, required=True)
        for key in ("account", "region", "service", "call"):
            self.get(entry, key, str, path)
        self.get(entry, "count", int, path)
        self.items(entry, "kinds", str, path)

    def result(self, result: dict, path: str, extra: tuple[str, ...] = ()) -> None:
        for key in RESULT_TEXTS + extra:
            self.get(result, key, str, path, required=True)
        if result["status"] not in STATUSES:
            raise self.fail(f"{path}.status", f"{result['status']!r} is not a status ({', '.join(STATUSES)})")
        if result["severity"] not in SEVERITIES:
            raise self.fail(f"{path}.severity",
                            f"{result['severity']!r} is not a severity ({', '.join(SEVERITIES)})")
        for key in ("name", "scenario", "environment"):
            self.get(result, key, str, path)
        location = self.get(result, "location", dict, path) or {}
        for key in ("file", "account", "region"):
            self.get(location, key, str, f"{path}.location")
        self.get(location, "line", int, f"{path}.location")
        self.get(result, "evidence", dict, path)
        self.get(result, "waiver", dict, path)

    def policy(self, info: dict, path: str) -> None:
        for key in ("id", "title", "severity", "area"):
            self.get(info, key, str, path, required=True)
        self.get(info, "rationale", str, path)
        for name, text in (self.get(info, "remediation", dict, path) or {}).items():
            self.check(text, str, f"{path}.remediation.{name}")
        for name in self.get(info, "frameworks", dict, path) or {}:
            self.items(info["frameworks"], name, str, f"{path}.frameworks", True)

    def changes(self, changes: dict | None) -> None:
        if changes is None:
            return
        self.get(changes, "baseline", dict, "$.changes")
        for key in ("new", "still_failing"):
            self.items(changes, key, str, "$.changes", required=True)
        self.items(changes, "now_waived", str, "$.changes")
        for path, entry in self.items(changes, "fixed", dict, "$.changes", required=True):
            self.result(entry, path)
        not_compared = self.get(changes, "not_compared", dict, "$.changes") or {}
        self.get(not_compared, "findings", int, "$.changes.not_compared")
        self.items(not_compared, "why", str, "$.changes.not_compared")
