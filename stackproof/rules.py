"""What a rule function sees and returns: the whole API of a check module.

A rule is a pure function ``rule(resource, ctx) -> Verdict``. Check modules import
from here and from ``stackproof.model``, nothing else of the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from .model import Inventory, Resource, Unknown, first_unknown, is_unknown

if TYPE_CHECKING:  # the network package is imported only when a rule asks for it
    from .network import Network

PASS = "PASS"
FAIL = "FAIL"
UNKNOWN = "UNKNOWN"
NOT_APPLICABLE = "NOT_APPLICABLE"
WAIVED = "WAIVED"
ERROR = "ERROR"
STATUSES = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE, WAIVED, ERROR)


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


def passed(message: str, **evidence: Any) -> Verdict:
    return Verdict(PASS, message, evidence)


def failed(message: str, **evidence: Any) -> Verdict:
    return Verdict(FAIL, message, evidence)


def unknown(reason: "str | Unknown", **evidence: Any) -> Verdict:
    """An UNKNOWN verdict; given an Unknown value, its reason is the message."""
    message = reason.reason if isinstance(reason, Unknown) else reason
    return Verdict(UNKNOWN, message, evidence)


def not_applicable(message: str, **evidence: Any) -> Verdict:
    return Verdict(NOT_APPLICABLE, message, evidence)


def unknown_field(name: str, value: Unknown) -> Verdict:
    """UNKNOWN because one field's value is unknown: "storage_encrypted: known after apply"."""
    return Verdict(UNKNOWN, f"{name} is unknown: {value.reason}", {})


@dataclass(frozen=True)
class Context:
    """What a rule may consult besides its resource."""

    inventory: Inventory
    params: Mapping[str, Any]
    environment: str | None = None

    @property
    def network(self) -> "Network":
        from .network import network_of

        return network_of(self.inventory)

    def get(self, key: Any) -> Resource | None:
        return self.inventory.get(key)


__all__ = [
    "Context", "Verdict", "passed", "failed", "unknown", "not_applicable", "unknown_field",
    "is_unknown", "first_unknown", "Unknown",
    "PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE", "WAIVED", "ERROR", "STATUSES",
]
