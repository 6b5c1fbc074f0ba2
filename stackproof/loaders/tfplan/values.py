"""A resource's values with Terraform's unknown and sensitive markings folded in."""
from __future__ import annotations

from typing import Any

from ...model import Unknown

KNOWN_AFTER_APPLY = Unknown("known after apply")
SENSITIVE = Unknown("marked sensitive in the plan; stackproof does not read sensitive values")


def fold(value: Any, unknown: Any, sensitive: Any, secrets: set[str]) -> Any:
    """Replace the leaves marked unknown or sensitive by Unknown values.

    ``unknown`` and ``sensitive`` mirror ``value`` (``after_unknown``,
    ``after_sensitive``): ``true`` at a marked leaf or subtree. Sensitive strings are
    remembered in ``secrets`` so that no report can ever print them.
    """
    if unknown is True:
        return KNOWN_AFTER_APPLY
    if sensitive is True:
        _collect_secrets(value, secrets)
        return SENSITIVE
    if not unknown and not sensitive:
        return value  # nothing marked below: the common, fast case
    if isinstance(value, dict) or isinstance(unknown, dict) or isinstance(sensitive, dict):
        value = value if isinstance(value, dict) else {}
        unknown = unknown if isinstance(unknown, dict) else {}
        sensitive = sensitive if isinstance(sensitive, dict) else {}
        keys = set(value) | {k for k, v in unknown.items() if v}
        return {k: fold(value.get(k), unknown.get(k), sensitive.get(k), secrets) for k in keys}
    if isinstance(value, list) or isinstance(unknown, list) or isinstance(sensitive, list):
        value = value if isinstance(value, list) else []
        unknown = unknown if isinstance(unknown, list) else []
        sensitive = sensitive if isinstance(sensitive, list) else []
        size = max(len(value), len(unknown))
        return [
            fold(
                value[i] if i < len(value) else None,
                unknown[i] if i < len(unknown) else None,
                sensitive[i] if i < len(sensitive) else None,
                secrets,
            )
            for i in range(size)
        ]
    return value


def _collect_secrets(value: Any, secrets: set[str]) -> None:
    if isinstance(value, str):
        if len(value) >= 4:
            secrets.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_secrets(item, secrets)
    elif isinstance(value, list):
        for item in value:
            _collect_secrets(item, secrets)


def block(values: Any, name: str) -> Any:
    """The first element of a nested block (Terraform lists single blocks), or None.

    Returns an Unknown when the block itself is unknown.
    """
    if isinstance(values, Unknown):
        return values
    if not isinstance(values, dict):
        return None
    found = values.get(name)
    if isinstance(found, Unknown):
        return found
    if isinstance(found, list):
        return found[0] if found else None
    if isinstance(found, dict):
        return found
    return None


def blocks(values: Any, name: str) -> Any:
    """All elements of a nested block list ([] when absent), or an Unknown."""
    if isinstance(values, Unknown):
        return values
    if not isinstance(values, dict):
        return []
    found = values.get(name)
    if isinstance(found, Unknown):
        return found
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        return [found]
    return []
