"""Template-level transforms: SAM and the language extensions (Fn::ForEach, Fn::Length,
FindInMap defaults) are expanded with cfn-lint's own transforms (samtranslator for SAM);
what cannot be expanded becomes a Gap: those resources are not assessed, never guessed.

A loop over values nothing gives (a parameter with no default and none passed with
--parameters) is not expanded: cfn-lint would invent values for it. Parameter values
given to the stack are what the transform sees as the parameters' defaults.

Expanded resources keep a line: their own where the template declares them, the loop's
for those a Fn::ForEach makes, the SAM resource's for those SAM generates from it.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from ...model import KINDS, Gap, Unknown
from .decode import key_line, line_of
from .template import LANGUAGE_EXTENSIONS, PSEUDO_PARAMETERS, SAM, references

# The model kinds a SAM resource type turns into, for a Gap when SAM cannot be expanded.
SAM_KINDS = {"AWS::Serverless::SimpleTable": ("aws.dynamodb.table",)}
FOR_EACH = "Fn::ForEach::"
_LOOP_VARIABLE = re.compile(r"\$\{[^}]*\}|&\{[^}]*\}")


def expand(data: dict[str, Any], path: str, region: str | None, mapped: dict[str, Any],
           given: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Gap], dict[str, int]]:
    """The template with the transforms stackproof can run applied, a Gap for each part
    it could not expand, and the line of each expanded resource. ``mapped`` maps
    CloudFormation types to model classes; ``given`` holds the stack's parameter values."""
    names = data.get("Transform")
    names = names if isinstance(names, list) else [names]
    names = [n.get("Name") if isinstance(n, dict) else n for n in names if n is not None]
    macros = [str(n) for n in names if n not in (SAM, LANGUAGE_EXTENSIONS)]
    if macros:
        reason = (f"the template uses the macro {', '.join(macros)}, which only CloudFormation can run; "
                  "it may change any resource")
        gap = Gap(tuple(sorted(KINDS)), reason, path, file=path, line=key_line(data, "Transform"))
        return {**data, "Resources": {}}, [gap], {}
    data, gaps = _without_undecidable_loops(data, path, mapped, given or {}, region)
    lines = _declared_lines(data)
    try:
        expanded = _cfn_lint_transform(_with_given_defaults(data, given or {}), path, region)
    except Exception as exc:  # noqa: BLE001 - samtranslator and cfn-lint raise many kinds
        kept, more = _unexpanded(data, path, mapped, f"{type(exc).__name__}: {exc}")
        return kept, gaps + more, {}
    if isinstance(expanded, str):
        kept, more = _unexpanded(data, path, mapped, expanded)
        return kept, gaps + more, {}
    return expanded, gaps, _expanded_lines(expanded, lines)


def _cfn_lint_transform(data: dict[str, Any], path: str, region: str | None) -> Any:
    from cfnlint.template import Template as CfnLintTemplate
    from cfnlint.template.transforms import Transform

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)
    template = CfnLintTemplate(path, data, regions=[region or "us-east-1"])
    matches = Transform().transform(template)
    if matches:
        return "; ".join(str(m.message) for m in matches[:3])
    return template.template


def _with_given_defaults(data: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The template with each given parameter value as the parameter's default."""
    parameters = data.get("Parameters")
    if not given or not isinstance(parameters, dict):
        return data
    updated = dict(parameters)
    for name, value in given.items():
        if name in updated and isinstance(updated[name], dict) and isinstance(value, str):
            updated[name] = {**updated[name], "Default": value}
    return {**data, "Parameters": updated}


# -- loops over values nothing gives -----------------------------------------------------


def _without_undecidable_loops(data: dict[str, Any], path: str, mapped: dict[str, Any], given: dict[str, Any],
                               region: str | None) -> tuple[dict[str, Any], list[Gap]]:
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return data, []
    kept: dict[Any, Any] = {}
    gaps: list[Gap] = []
    for logical_id, body in resources.items():
        why = _undecidable(body, data, given, region) if str(logical_id).startswith(FOR_EACH) else None
        if why is None:
            kept[logical_id] = body
        else:
            gaps.append(Gap(_loop_kinds(body, mapped), f"Fn::ForEach loops over {why}", str(logical_id), file=path,
                            line=line_of(logical_id)))
    return ({**data, "Resources": kept}, gaps) if gaps else (data, [])


def _undecidable(loop: Any, data: dict[str, Any], given: dict[str, Any], region: str | None) -> str | None:
    """Why the values a loop iterates over cannot be known before deploy, or None."""
    if not isinstance(loop, list) or len(loop) != 3:
        return None  # malformed: cfn-lint's transform reports it
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
    for ref in references(loop[1]):
        target = ref.target
        if ref.kind == "getatt" or (ref.kind == "ref" and target not in parameters and target not in PSEUDO_PARAMETERS):
            return f"the values of resource {target}, known only once the stack is created"
        if ref.kind != "ref":
            continue
        if target in PSEUDO_PARAMETERS:
            if target != "AWS::Region" or not region:
                return f"{target}, which is not known before deploy (pass --region for AWS::Region)"
            continue
        spec = parameters.get(target)
        has_default = isinstance(spec, dict) and spec.get("Default") is not None
        value = given.get(target)
        if (value is None and not has_default) or isinstance(value, Unknown):
            return f"parameter {target}, which has no default and no value was given (--parameters)"
    if _uses(loop[1], "Fn::ImportValue"):
        return "a value imported from another stack (Fn::ImportValue), known only at deploy time"
    return None


def _uses(value: Any, function: str) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if function in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


# -- lines of expanded resources ---------------------------------------------------------


def _declared_lines(data: dict[str, Any]) -> list[tuple[re.Pattern[str] | str, int]]:
    """(logical id, or the pattern of the ids a loop makes, with the line) per resource
    of the template as written; plain ids first."""
    resources = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    plain: list[tuple[re.Pattern[str] | str, int]] = []
    loops: list[tuple[re.Pattern[str] | str, int]] = []
    for logical_id, body in resources.items():
        line = line_of(logical_id)
        if line is None:
            continue
        if str(logical_id).startswith(FOR_EACH):
            loops.extend((pattern, line) for pattern in _loop_patterns(body))
        else:
            plain.append((str(logical_id), line))
    return plain + loops


def _loop_patterns(loop: Any) -> list[re.Pattern[str]]:
    """The logical ids a Fn::ForEach makes, as patterns ("Queue${Name}" -> Queue.+)."""
    found = []
    outputs = loop[2] if isinstance(loop, list) and len(loop) == 3 and isinstance(loop[2], dict) else {}
    for key, body in outputs.items():
        if str(key).startswith(FOR_EACH):
            found.extend(_loop_patterns(body))
        else:
            parts = _LOOP_VARIABLE.split(str(key))
            found.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
    return found


def _expanded_lines(expanded: dict[str, Any], declared: list[tuple[re.Pattern[str] | str, int]]) -> dict[str, int]:
    """The line of each expanded resource: its own, its loop's, or that of the SAM
    resource whose logical id begins its own (FnRole from Fn)."""
    resources = expanded.get("Resources") if isinstance(expanded.get("Resources"), dict) else {}
    plain = {name: line for name, line in declared if isinstance(name, str)}
    by_length = sorted(plain, key=len, reverse=True)
    lines: dict[str, int] = {}
    for logical_id in map(str, resources):
        line = plain.get(logical_id)
        if line is None:
            line = next((n for p, n in declared if not isinstance(p, str) and p.match(logical_id)), None)
        if line is None:
            line = next((plain[name] for name in by_length if logical_id.startswith(name)), None)
        if line is not None:
            lines[logical_id] = line
    return lines


# -- what cannot be expanded ---------------------------------------------------------------


def _unexpanded(data: dict[str, Any], path: str, mapped: dict[str, Any], why: str) -> tuple[dict[str, Any], list[Gap]]:
    """Keep the resources that need no transform; report the rest as not assessed."""
    resources = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    kept: dict[str, Any] = {}
    gaps: list[Gap] = []
    for logical_id, body in resources.items():
        if isinstance(logical_id, str) and logical_id.startswith(FOR_EACH):
            kinds = _loop_kinds(body, mapped)
            gaps.append(Gap(kinds, f"Fn::ForEach could not be expanded ({why})", str(logical_id), file=path,
                            line=line_of(logical_id)))
            continue
        rtype = body.get("Type") if isinstance(body, dict) else None
        if isinstance(rtype, str) and rtype.startswith("AWS::Serverless::"):
            gaps.append(Gap(SAM_KINDS.get(rtype, ()), f"the SAM resource could not be expanded ({why})",
                            str(logical_id), file=path, line=line_of(logical_id)))
            continue
        kept[logical_id] = body
    result = {k: v for k, v in data.items() if k != "Transform"}
    result["Resources"] = kept
    return result, gaps


def _loop_kinds(body: Any, mapped: dict[str, Any]) -> tuple[str, ...]:
    kinds: set[str] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            rtype = node.get("Type")
            if isinstance(rtype, str) and rtype in mapped:
                kinds.add(mapped[rtype].KIND)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(sorted(kinds)) or tuple(sorted(KINDS))
