"""JUnit XML: one testsuite per policy, one testcase per resource.

Every value from the inputs goes through xml_safe: XML 1.0 forbids most control
characters, and a file holding one would not parse."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..report import Report
from ..results import Result
from ..rules import ERROR, FAIL, PASS
from .text import xml_safe

_SKIPPED = "skipped"


def render(report: Report) -> str:
    by_policy: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_policy[result.policy].append(result)
    root = ET.Element("testsuites", name="stackproof", tests=str(len(report.results)))
    totals = {"failures": 0, "errors": 0, "skipped": 0}
    for policy_id in sorted(by_policy):
        results = by_policy[policy_id]
        info = report.policies.get(policy_id)
        suite = ET.SubElement(root, "testsuite", name=xml_safe(policy_id), tests=str(len(results)))
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        for result in results:
            case = ET.SubElement(suite, "testcase", name=xml_safe(_case_name(result)), classname=xml_safe(policy_id))
            if result.file:
                case.set("file", xml_safe(result.file))
            if result.line:
                case.set("line", str(result.line))
            text = xml_safe(_details(result, info.title if info else policy_id))
            message = xml_safe(result.message)
            if result.status == FAIL:
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=message, type=result.severity).text = text
            elif result.status == ERROR:
                counts["errors"] += 1
                ET.SubElement(case, "error", message=message, type="ERROR").text = text
            elif result.status != PASS:
                counts["skipped"] += 1
                ET.SubElement(case, _SKIPPED, message=f"{result.status}: {message}")
        for name, count in counts.items():
            suite.set(name, str(count))
            totals[name] += count
    for name, count in totals.items():
        root.set(name, str(count))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case_name(result: Result) -> str:
    where = " ".join(part for part in (result.account, result.region) if part)
    name = f"{result.resource} [{where}]" if where else result.resource
    return f"{name} ({result.scenario})" if result.scenario else name


def _details(result: Result, title: str) -> str:
    lines = [title, f"{result.status} {result.severity}: {result.message}", f"resource: {result.resource}"]
    if result.file:
        lines.append(f"location: {result.file}{':' + str(result.line) if result.line else ''}")
    return "\n".join(lines)
