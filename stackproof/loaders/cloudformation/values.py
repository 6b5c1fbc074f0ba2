"""What a resolved template value can be, and small Unknown-preserving conversions.

After intrinsic functions are resolved, a property holds plain data (str, int, bool,
list, dict), an ``Unknown`` with the reason, or a ``Pending``: an Unknown that still
knows which resources it names (``!Ref Vpc``, ``!GetAtt Key.Arn``, ``!Sub
"arn:aws:s3:::${Bucket}"``), so that mappers can turn it into the key of that resource.
"""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from ...model import Unknown


class Target(NamedTuple):
    key: str  # inventory key of the resource ("Vpc", "Network/Vpc")
    type: str  # its CloudFormation type
    attribute: str  # "Ref", or the GetAtt attribute


class Pending(Unknown):
    """A value CloudFormation knows only once it creates the resources it names.

    ``display`` shows it with a placeholder per resource value: "${Bucket.Arn}/*".
    """

    def __init__(self, reason: str, targets: tuple[Target, ...], display: str | None = None) -> None:
        super().__init__(reason)
        self.targets = targets
        self.display = display if display is not None else "".join(_placeholder(t) for t in targets)


def _placeholder(target: Target) -> str:
    return "${" + (target.key if target.attribute == "Ref" else f"{target.key}.{target.attribute}") + "}"


class Ambiguous(Unknown):
    """A reference that may name any of several resources of the template (an undecided
    Fn::If between two of them): whatever it configures is unknown on each of them."""

    def __init__(self, reason: str, candidates: tuple[str, ...]) -> None:
        super().__init__(reason)
        self.candidates = candidates


class AzList(Unknown):
    """The result of Fn::GetAZs: a region's zones, whose names are known only at deploy time."""

    def __init__(self, region: object) -> None:
        where = region if isinstance(region, str) else "the stack's region"
        super().__init__(f"the availability zones of {where}, known only at deploy time")
        self.region = region


class Zone(str):
    """``Fn::Select [i, Fn::GetAZs region]``: a zone whose name is known only at deploy time.

    Distinct per region and index, so two indexes of one region are known to be different
    zones; whether it is the same zone as one written by name is not known (build.py).
    """

    region: str | None
    index: int

    def __new__(cls, region: object, index: int) -> "Zone":
        where = region if isinstance(region, str) else "the stack's region"
        zone = super().__new__(cls, f"the {_ordinal(index + 1)} zone of {where} (Fn::GetAZs)")
        zone.region = region if isinstance(region, str) else None
        zone.index = index
        return zone


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class _NoValue:
    """AWS::NoValue: the property is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def pending(targets: Iterable[Target], what: str = "", display: str | None = None) -> Pending:
    found = tuple(dict.fromkeys(targets))
    names = ", ".join(t.key if t.attribute == "Ref" else f"{t.key}.{t.attribute}" for t in found)
    return Pending(f"{what or 'a value'} from {names}, known only once the stack is created", found, display)


def combine_unknowns(parts: Iterable[Any], what: str) -> Unknown | None:
    """The Unknown a composite (Sub, Join) becomes when some parts are unknown: Pending
    with every resource it names when each unknown part is Pending, else the first reason."""
    targets: list[Target] = []
    shown: list[str] = []
    first: Unknown | None = None
    for part in parts:
        if isinstance(part, Pending):
            targets.extend(part.targets)
            shown.append(part.display)
            first = part if first is None else first
        elif isinstance(part, Unknown):
            return part
        elif isinstance(part, (str, int, float)) and not isinstance(part, bool):
            shown.append(str(part))
    if first is None:
        return None
    return pending(targets, what, "".join(shown))


def is_function(value: Any) -> bool:
    """A one-key mapping whose key is Ref, Condition or Fn::*."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::"))


# -- conversions mappers use ---------------------------------------------------------


def as_bool(value: Any) -> Any:
    """CloudFormation booleans: true/false, also as strings in any case."""
    if isinstance(value, (bool, Unknown)) or value is None:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "true":
            return True
        if text == "false":
            return False
        return Unknown(f"{value!r} is not a boolean")
    if isinstance(value, (int, float)):
        return bool(value)
    return Unknown(f"{value!r} is not a boolean")


def as_int(value: Any) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return Unknown(f"{value!r} is not a number")
    return Unknown(f"{value!r} is not a number")


def as_str(value: Any) -> Any:
    """A string (numbers as written); None, Unknown pass through."""
    if isinstance(value, Unknown) or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return Unknown(f"expected a string, found a {type(value).__name__}")


def opt(value: Any, default: Any = None) -> Any:
    """The value, or ``default`` when it is empty (None, "", [], {})."""
    if value is None or (isinstance(value, (str, list, dict, tuple)) and not value):
        return default
    return value


def upper(value: Any) -> Any:
    value = as_str(value)
    return value.upper() if isinstance(value, str) and value else opt(value)


def items(value: Any) -> Any:
    """A list property as a list ([] when absent), or its Unknown."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def mappings(value: Any) -> Any:
    """The dict elements of a list property ([] when absent), or its Unknown."""
    found = items(value)
    if isinstance(found, Unknown):
        return found
    for item in found:
        if isinstance(item, Unknown):
            return item
    return [item for item in found if isinstance(item, dict)]
