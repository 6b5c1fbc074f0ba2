"""Values in a blueprint that are known only once something exists.

The renderer writes them as CloudFormation intrinsic functions; the applier resolves
them against what it found or created. Both read the same blueprint, so the template
and the applied stack cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class Ref:
    """The physical id of another resource (CloudFormation ``Ref``)."""

    logical_id: str


@dataclass(frozen=True)
class GetAtt:
    """An attribute of another resource (CloudFormation ``Fn::GetAtt``), such as its Arn."""

    logical_id: str
    attribute: str


@dataclass(frozen=True)
class Zone:
    """The index-th Availability Zone of the resource's region (``!Select [i, !GetAZs '']``)."""

    index: int


@dataclass(frozen=True)
class Sub:
    """A string with ``${AWS::AccountId}``, ``${AWS::Region}``, ``${AWS::Partition}`` and
    ``${LogicalId}`` / ``${LogicalId.Attribute}`` placeholders (CloudFormation ``Fn::Sub``)."""

    text: str

    def names(self) -> list[str]:
        return PLACEHOLDER.findall(self.text)


@dataclass(frozen=True)
class Param:
    """A value the deployer supplies (a template Parameter): the certificate ARN."""

    name: str


@dataclass(frozen=True)
class SsmParameter:
    """A public SSM parameter's value, read at deploy time (the latest AMI id)."""

    name: str


PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9:.]+)\}")
PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::Partition")


class Pending:
    """A value that will be known only after apply creates what it refers to (plan output)."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"(known after apply: {self.what})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pending) and other.what == self.what

    def __hash__(self) -> int:
        return hash(("Pending", self.what))


def references(value: Any) -> Iterator[str]:
    """Logical ids a value refers to."""
    if isinstance(value, (Ref, GetAtt)):
        yield value.logical_id
    elif isinstance(value, Sub):
        for name in value.names():
            if name not in PSEUDO:
                yield name.split(".")[0]
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from references(item)


def transform(value: Any, convert: Callable[[Any], Any]) -> Any:
    """A copy of value with every marker replaced by convert(marker)."""
    if isinstance(value, (Ref, GetAtt, Zone, Sub, SsmParameter, Param)):
        return convert(value)
    if isinstance(value, dict):
        return {k: transform(v, convert) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [transform(v, convert) for v in value]
    return value


def has_pending(value: Any) -> bool:
    if isinstance(value, Pending):
        return True
    if isinstance(value, dict):
        return any(has_pending(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_pending(v) for v in value)
    return False
