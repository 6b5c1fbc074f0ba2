"""The call guard: every client of an audit refuses any operation the audit does not declare.

The allowed operations are exactly those the collectors declare in CALLS (what
``--print-iam-policy`` is generated from) and those accounts.CALLS names to identify
the caller, assume roles and list accounts and regions. A name that merely looks like
a read is not enough: GetObject, GetSecretValue, GetPasswordData or redshift's
GetClusterCredentials (which can create a database user) are refused like any write.

Installed on each client before it makes its first call, the hook runs when the client
is asked for an operation, before its parameters are even validated, so a refused
operation is never serialised or sent. moto (and a misconfigured role) would accept
anything; the guard does not rely on either. A provisioning run installs the same hook
with its own check (the calls its handlers declare).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

# Raises to refuse an operation (botocore service name, operation name).
Check = Callable[[str, str], None]


class ReadOnlyViolation(RuntimeError):
    """An operation the audit does not declare was attempted through an audit client."""


@lru_cache(maxsize=1)
def allowed_calls() -> frozenset[str]:
    """"service:Operation" (botocore service names) of every call an audit may make."""
    from . import accounts, services  # not at import time: accounts imports the client factory, which imports us

    return frozenset(services.declared_calls()) | frozenset(accounts.CALLS)


def is_allowed(service: str, operation: str) -> bool:
    return f"{service}:{operation}" in allowed_calls()


def install(client: Any, check: Check | None = None) -> None:
    """Ask ``check`` (by default the audit's, refuse_undeclared) before every operation of
    this botocore client."""
    refuse = check or refuse_undeclared

    def guard(model: Any = None, **_: Any) -> None:
        if model is not None:
            refuse(model.service_model.service_name, model.name)

    events = client.meta.events
    # before-parameter-build fires first (before validation and serialisation);
    # before-call is a second line in case a future botocore reorders the first.
    events.register_first("before-parameter-build", guard, unique_id="stackproof-guard-params")
    events.register_first("before-call", guard, unique_id="stackproof-guard-call")


def refuse_undeclared(service: str, operation: str) -> None:
    if not is_allowed(service, operation):
        raise ReadOnlyViolation(f"refused {service}:{operation}: an audit makes only the read calls its "
                                f"collectors declare (see stackproof audit --print-iam-policy)")
