"""Template-level transforms: SAM and the language extensions (Fn::ForEach, Fn::Length,
FindInMap defaults) are expanded with cfn-lint's own transforms (samtranslator for SAM);
what cannot be expanded becomes a Gap: those resources are not assessed, never guessed."""
from __future__ import annotations

import logging
from typing import Any

from ...model import KINDS, Gap
from .template import LANGUAGE_EXTENSIONS, SAM

# The model kinds a SAM resource type turns into, for a Gap when SAM cannot be expanded.
SAM_KINDS = {"AWS::Serverless::SimpleTable": ("aws.dynamodb.table",)}


def expand(data: dict[str, Any], path: str, region: str | None,
           mapped: dict[str, Any]) -> tuple[dict[str, Any], list[Gap]]:
    """The template with the transforms stackproof can run applied, and a Gap for each
    part it could not expand. ``mapped`` maps CloudFormation types to model classes."""
    names = data.get("Transform")
    names = names if isinstance(names, list) else [names]
    names = [n.get("Name") if isinstance(n, dict) else n for n in names if n is not None]
    macros = [str(n) for n in names if n not in (SAM, LANGUAGE_EXTENSIONS)]
    if macros:
        reason = (f"the template uses the macro {', '.join(macros)}, which only CloudFormation can run; "
                  "it may change any resource")
        return {**data, "Resources": {}}, [Gap(tuple(sorted(KINDS)), reason, path)]
    try:
        expanded = _cfn_lint_transform(data, path, region)
    except Exception as exc:  # noqa: BLE001 - samtranslator and cfn-lint raise many kinds
        return _unexpanded(data, path, mapped, f"{type(exc).__name__}: {exc}")
    if isinstance(expanded, str):
        return _unexpanded(data, path, mapped, expanded)
    return expanded, []


def _cfn_lint_transform(data: dict[str, Any], path: str, region: str | None) -> Any:
    from cfnlint.template import Template as CfnLintTemplate
    from cfnlint.template.transforms import Transform

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)
    template = CfnLintTemplate(path, data, regions=[region or "us-east-1"])
    matches = Transform().transform(template)
    if matches:
        return "; ".join(str(m.message) for m in matches[:3])
    return template.template


def _unexpanded(data: dict[str, Any], path: str, mapped: dict[str, Any], why: str) -> tuple[dict[str, Any], list[Gap]]:
    """Keep the resources that need no transform; report the rest as not assessed."""
    resources = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    kept: dict[str, Any] = {}
    gaps: list[Gap] = []
    for logical_id, body in resources.items():
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::"):
            kinds = _loop_kinds(body, mapped)
            gaps.append(Gap(kinds, f"Fn::ForEach could not be expanded ({why})", str(logical_id)))
            continue
        rtype = body.get("Type") if isinstance(body, dict) else None
        if isinstance(rtype, str) and rtype.startswith("AWS::Serverless::"):
            gaps.append(Gap(SAM_KINDS.get(rtype, ()), f"the SAM resource could not be expanded ({why})",
                            str(logical_id)))
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
