"""Small conversions of plan values, Unknown-preserving."""
from __future__ import annotations

from typing import Any

from ...model import Unknown


def as_bool(value: Any) -> Any:
    """Booleans, also when a provider types them as strings ("true", "")."""
    if isinstance(value, (bool, Unknown)) or value is None:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        return None  # "" means not set
    return bool(value)


def as_int(value: Any) -> Any:
    if isinstance(value, Unknown) or value is None or isinstance(value, bool):
        return value if not isinstance(value, bool) else int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def str_tuple(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        if any(isinstance(item, Unknown) for item in value):
            return next(item for item in value if isinstance(item, Unknown))
        return tuple(str(item) for item in value if item not in (None, ""))
    return ()


def opt(value: Any, default: Any = None) -> Any:
    """The value, or ``default`` when it is empty (None, "", [], {}); Unknowns are kept."""
    if value is None or (isinstance(value, (str, list, dict, tuple)) and not value):
        return default
    return value


def first(*values: Any) -> Any:
    """The first value that is not empty; an Unknown counts as a value."""
    for value in values:
        if opt(value) is not None:
            return value
    return None


def nonzero(value: Any) -> Any:
    """A number where 0 means "not set" (provisioned IOPS, throughput)."""
    return None if value == 0 and not isinstance(value, bool) else value
