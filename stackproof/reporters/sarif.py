"""SARIF 2.1.0, for code-scanning views (GitHub, GitLab, Azure DevOps).

One rule per policy, with the policy's rationale and remediation as help. FAIL and
ERROR results are "fail" results; UNKNOWN ones are "review" (a person must look);
WAIVED ones are "fail" results with an accepted external suppression that carries the
waiver. PASS and NOT_APPLICABLE results are left out: code-scanning tools show every
result as a finding.

Locations:

- plans and templates: a physical location, the file and the line of the resource. A
  file under the current folder (the repository root in CI) is a relative URI with
  ``uriBaseId: %SRCROOT%``, which ``originalUriBaseIds`` defines as the current folder,
  so code scanning finds it in the repository; any other file is a ``file://`` URI.
  Render SARIF from the folder the scan ran in (``stackproof report`` too): the paths of
  the JSON report are relative to it.
- live results: a logical location only, the ARN, with the account and region as
  properties. There is no file to point at, and we do not invent one: GitHub code
  scanning requires a physical location and drops such results, so SARIF of a live
  audit is for SARIF viewers (VS Code's SARIF viewer, Azure DevOps, a SARIF-to-HTML
  tool), not for code-scanning uploads. The HTML report is the audit's report.
"""
from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..report import PolicyInfo, Report
from ..results import Result
from ..rules import ERROR, FAIL, UNKNOWN, WAIVED

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks alerts by this number (critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
REPORTED = (FAIL, ERROR, UNKNOWN, WAIVED)


def render(report: Report) -> str:
    policy_ids = sorted({r.policy for r in report.results} | set(report.policies))
    index = {pid: i for i, pid in enumerate(policy_ids)}
    root = Path.cwd()
    results = [_result(r, index[r.policy], root) for r in report.results if r.status in REPORTED]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "stackproof",
            "version": str(report.tool.get("version", "")),
            "rules": [_rule(pid, report.policies.get(pid)) for pid in policy_ids],
        }},
        "invocations": [_invocation(report)],
        "results": results,
    }
    if any(_base_id(r) == SRCROOT for r in results):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/",
                                               "description": {"text": "the folder the scan ran in"}}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, default=str) + "\n"


def _rule(policy_id: str, info: PolicyInfo | None) -> dict[str, Any]:
    if info is None:  # a result whose policy the saved report does not describe
        return {"id": policy_id, "shortDescription": {"text": policy_id}}
    help_text, help_markdown = _help(info)
    tags = ["security", info.area] + [f"{fw}/{control}" for fw, controls in info.frameworks.items()
                                      for control in controls]
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("_")),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.rationale or info.title},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS.get(info.severity, "warning")},
        "properties": {"security-severity": SECURITY_SEVERITY.get(info.severity, "5.5"),
                       "severity": info.severity, "tags": tags, "frameworks": info.frameworks},
    }


def _help(info: PolicyInfo) -> tuple[str, str]:
    text = [info.title, "", info.rationale]
    markdown = [f"**{info.title}**", "", info.rationale]
    for source, snippet in info.remediation.items():
        text += ["", f"Remediation ({source}):", snippet.rstrip()]
        markdown += ["", f"Remediation ({source}):", "", "```", snippet.rstrip(), "```"]
    return "\n".join(text).strip(), "\n".join(markdown).strip()


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    started = report.run.get("started_at")
    if started:
        invocation["startTimeUtc"] = started
    gate = report.run.get("gate") or {}
    invocation["properties"] = {"profile": report.run.get("profile"),
                                "gate": {key: gate.get(key) for key in ("holds", "blocking", "fail_on")}}
    return invocation


def _result(result: Result, rule_index: int, root: Path) -> dict[str, Any]:
    sarif: dict[str, Any] = {
        "ruleId": result.policy,
        "ruleIndex": rule_index,
        "message": {"text": f"{result.resource}: {result.message}"},
        "locations": [_location(result, root)],
        "partialFingerprints": {"stackproof/v1": result.fingerprint},
        "properties": {"status": result.status, "severity": result.severity, "source": result.source},
    }
    if result.status == UNKNOWN:
        sarif.update(kind="review", level="none")  # SARIF: a level other than none needs kind fail
        sarif["message"]["text"] = f"{result.resource}: could not be assessed: {result.message}"
    else:
        sarif.update(kind="fail", level="error" if result.status == ERROR else LEVELS.get(result.severity, "warning"))
    if result.status == WAIVED and result.waiver:
        waiver = result.waiver
        justification = f"{waiver.get('reason')} (owner {waiver.get('owner')}, expires {waiver.get('expires')}"
        justification += f", ticket {waiver['ticket']})" if waiver.get("ticket") else ")"
        sarif["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification,
                                  "properties": {"waiver": waiver.get("source")}}]
    elif result.waiver and result.waiver.get("expired"):
        sarif["properties"]["waiverExpired"] = result.waiver.get("expires")
    for name in ("account", "region", "scenario", "name"):
        value = getattr(result, name)
        if value:
            sarif["properties"][name] = value
    return sarif


def _location(result: Result, root: Path) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if result.file:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(result.file, root)}
        if result.line:
            physical["region"] = {"startLine": int(result.line)}
        location["physicalLocation"] = physical
    location["logicalLocations"] = [{"fullyQualifiedName": result.resource, "kind": "resource"}]
    return location


def artifact_location(path: str, root: Path) -> dict[str, str]:
    """A file under `root` relative to %SRCROOT%; any other as an absolute file:// URI."""
    posix = path.replace("\\", "/")
    absolute = Path(os.path.normpath(root / posix))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": _escape(PurePosixPath(relative).as_posix()), "uriBaseId": SRCROOT}


def _escape(path: str) -> str:
    """A relative path as a URI reference (spaces and the like escaped)."""
    return quote(path, safe="/@-._~!$&'()*+,;=")


def _base_id(result: dict[str, Any]) -> str | None:
    physical = result["locations"][0].get("physicalLocation")
    return physical["artifactLocation"].get("uriBaseId") if physical else None
