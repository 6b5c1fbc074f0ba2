"""The pieces every resource shares: Unknown values, provenance, the base class."""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, ClassVar, TypeVar, Union


class Unknown:
    """A value that cannot be known, with the reason why.

    A plan's "known after apply", a template value that depends on an unresolved
    parameter, an API the audit role could not read. It has no truth value on
    purpose: a rule that writes ``if not db.storage_encrypted`` on an Unknown
    raises, and the engine turns that into an ERROR result instead of a silent
    pass or fail. Rules test ``is_unknown(value)`` first.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        raise TypeError(f"an unknown value has no truth value ({self.reason})")

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __str__(self) -> str:
        return f"unknown ({self.reason})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("Unknown", self.reason))


T = TypeVar("T")
Maybe = Union[T, Unknown]
"""A field type that may hold an Unknown instead of a value."""


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(*values: Any) -> Unknown | None:
    """The first Unknown among values (searching one level into tuples), or None."""
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, Unknown):
                    return item
    return None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a resource came from, so a report can point at it."""

    source: str  # "tfplan", "cloudformation", "live"
    address: str  # Terraform address, logical id, or ARN
    file: str | None = None
    line: int | None = None
    account: str | None = None
    region: str | None = None
    action: str | None = None  # create, update, replace, delete, no-op, read (plans and change sets)
    # CloudFormation condition scenarios: the one this resource is in, named by the conditions
    # it depends on ("when IsProduction is false"); those conditions, its own Condition and
    # Fn::If conditions first (ids of Inventory.conditions, which holds their values); and
    # when its own condition cannot be decided: "if it exists (its condition X cannot be decided)".
    scenario: str | None = None
    conditions: tuple[str, ...] = ()
    maybe: str | None = None


@dataclass(frozen=True, kw_only=True)
class Resource:
    """Base of every model class.

    ``key`` identifies the resource inside its inventory; references between
    resources (a subnet's ``vpc``, an instance's ``security_groups``) hold keys.
    A reference to something outside the inputs holds the raw id or ARN, which
    then matches no resource in the inventory.
    """

    KIND: ClassVar[str] = "aws.resource"

    key: str
    prov: Provenance
    name: Maybe[str | None] = None
    region: Maybe[str | None] = None
    tags: Maybe[dict[str, str]] = field(default_factory=dict, compare=False)
    # The same resource as it was before the change (plans and change sets); None when
    # it is being created or the input has no before state.
    before: "Resource | None" = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        return self.KIND

    def tag(self, name: str) -> Maybe[str | None]:
        if isinstance(self.tags, Unknown):
            return self.tags
        value = self.tags.get(name)
        return value


# Fields of every resource that are not references to other resources.
_NOT_REFERENCES = frozenset({"key", "prov", "name", "region", "tags", "before"})


def rekey(resource: Resource, mapping: dict[str, str]) -> Resource:
    """The resource under its new key, with every reference to a renamed key renamed.

    References hold keys (see ``Resource``), so a string field, or a string inside a
    tuple or a nested value (a route's target, a rule's security groups), that equals
    one of the renamed keys is a reference to it.
    """
    changes = {f.name: _renamed(getattr(resource, f.name), mapping)
               for f in fields(resource) if f.name not in _NOT_REFERENCES}
    before = rekey(resource.before, mapping) if resource.before is not None else None
    return replace(resource, key=mapping.get(resource.key, resource.key), before=before, **changes)


def _renamed(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, tuple):
        return tuple(_renamed(item, mapping) for item in value)
    if is_dataclass(value) and not isinstance(value, (type, Resource)):
        return replace(value, **{f.name: _renamed(getattr(value, f.name), mapping) for f in fields(value)})
    return value
