"""`aws cloudformation describe-change-set --include-property-values` -> Inventory.

Each resource change carries the resource's properties after the change (AfterContext)
and, for a modification, before it (BeforeContext), as CloudFormation resolved them:
references to existing resources are physical ids, values CloudFormation learns only
while executing are ``{{changeSet:KNOWN_AFTER_APPLY}}``. They map onto the model
exactly as a template's properties do; the before values become ``Resource.before``,
as a plan's do, so capacity policies see the delta. A change set lists only what
changes: resources it does not touch are not in it.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from ...errors import InputError
from ...model import Gap, InputFile, Inventory, Unknown, region_of_arn
from .build import MAIN, RESOLVED_TYPES, inventory_of
from .parameters import SECRET_MIN_LENGTH, unknown_region
from .stack import SECRET_PROPERTIES
from .template import NESTED_STACK
from .view import RawResource

KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"
NO_BEFORE = Unknown("the change set does not show the values before the change (no BeforeContext)")
_ACTIONS = {"Add": "create", "Modify": "update", "Import": "no-op", "Dynamic": "update", "SyncWithActual": "no-op"}


def load(where: str, raw: bytes, data: Any, options: Any) -> Inventory:
    changes = data.get("Changes")
    if not isinstance(changes, list):
        raise InputError(where, "a change set without a Changes list (expected the output of "
                                "`aws cloudformation describe-change-set --include-property-values`)")
    stack_id = data.get("StackId") if isinstance(data.get("StackId"), str) else None
    region = getattr(options, "region", None) or region_of_arn(stack_id) or unknown_region()
    account = stack_id.split(":")[4] if stack_id and stack_id.count(":") >= 5 else None
    raws: list[RawResource] = []
    gaps: list[Gap] = []
    secrets: set[str] = set()
    for number, change in enumerate(changes, 1):
        resource = change.get("ResourceChange") if isinstance(change, dict) else None
        if not isinstance(resource, dict) or change.get("Type", "Resource") != "Resource":
            continue
        logical_id = resource.get("LogicalResourceId")
        rtype = resource.get("ResourceType")
        if not isinstance(logical_id, str) or not isinstance(rtype, str):
            raise InputError(where, f"change {number} has no LogicalResourceId or ResourceType")
        action = _action(resource)
        if action == "delete":
            continue  # not in the end state
        if rtype == NESTED_STACK and resource.get("ChangeSetId"):
            gaps.append(Gap(tuple(sorted({cls.KIND for cls, _ in MAIN.values()})),
                            f"nested stack {logical_id} has its own change set ({resource['ChangeSetId']}); "
                            "describe it and scan it too", logical_id))
            continue
        if rtype not in RESOLVED_TYPES:
            continue
        after = _context(resource.get("AfterContext"), where, logical_id)
        if after is None:
            kinds = (MAIN[rtype][0].KIND,) if rtype in MAIN else ()
            gaps.append(Gap(kinds, "the change set was described without --include-property-values, so the "
                                   "resource's properties are not known", logical_id))
            continue
        before = _context(resource.get("BeforeContext"), where, logical_id)
        extra = {"physical_id": resource.get("PhysicalResourceId"), "account": account}
        item = RawResource(logical_id, logical_id, rtype, _values(after, secrets), where, None, region,
                           action=action, extra=extra)
        if action in ("update", "replace"):
            # A modified resource had earlier values; without a BeforeContext they are unknown, not absent.
            values = _values(before, secrets) if before is not None else {name: NO_BEFORE for name in after}
            item.before = RawResource(logical_id, logical_id, rtype, values, where, None, region,
                                      action=action, extra=extra)
        raws.append(item)
    inputs = [InputFile("changeset", where, hashlib.sha256(raw).hexdigest())]
    return inventory_of(raws, gaps, None, "changeset", inputs, secrets)


def _action(resource: dict[str, Any]) -> str | None:
    action = resource.get("Action")
    if action == "Remove":
        return "delete"
    if action == "Modify" and resource.get("Replacement") in ("True", "Conditional"):
        return "replace"  # Conditional: CloudFormation may replace it; assume the larger change
    return _ACTIONS.get(action) if isinstance(action, str) else None


def _context(text: Any, where: str, logical_id: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        context = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise InputError(where, f"the context of {logical_id} is not valid JSON: {exc.msg}") from None
    if not isinstance(context, dict):
        return None
    properties = context.get("Properties")
    return properties if isinstance(properties, dict) else {}


def _values(value: Any, secrets: set[str], name: str = "") -> Any:
    """Resolved context values: KNOWN_AFTER_APPLY becomes an Unknown; secrets are remembered."""
    if isinstance(value, dict):
        return {str(k): _values(v, secrets, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_values(v, secrets, name) for v in value]
    if isinstance(value, str):
        if KNOWN_AFTER_APPLY in value:
            return Unknown("known only when the change set is executed")
        if name in SECRET_PROPERTIES and len(value) >= SECRET_MIN_LENGTH:
            secrets.add(value)
    return value
