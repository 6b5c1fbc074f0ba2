"""The read-only guard: every client of an audit refuses any operation that is not a read.

Installed on each client before it makes its first call, the hook runs when the
client is asked for an operation, before its parameters are even validated, so a
write is refused before anything is serialised or sent. moto (and a misconfigured
role) would accept writes; the guard does not rely on either.
"""
from __future__ import annotations

from typing import Any

READ_PREFIXES = ("Describe", "List", "Get", "Head")
# STS calls an audit needs to identify itself and to assume the audit roles.
STS_ALLOWED = frozenset({"GetCallerIdentity", "AssumeRole"})


class ReadOnlyViolation(RuntimeError):
    """A write operation was attempted through an audit client."""


def is_read_operation(service: str, operation: str) -> bool:
    if service == "sts":
        return operation in STS_ALLOWED
    return operation.startswith(READ_PREFIXES)


def install(client: Any) -> None:
    """Refuse non-read operations on this botocore client."""
    events = client.meta.events
    # before-parameter-build fires first (before validation and serialisation);
    # before-call is a second line in case a future botocore reorders the first.
    events.register_first("before-parameter-build", _refuse_writes, unique_id="stackproof-read-only-params")
    events.register_first("before-call", _refuse_writes, unique_id="stackproof-read-only-call")


def _refuse_writes(model: Any = None, **_: Any) -> None:
    if model is None:
        return
    service = model.service_model.service_name
    if not is_read_operation(service, model.name):
        raise ReadOnlyViolation(f"refused {service}:{model.name}: stackproof audits are read-only")
