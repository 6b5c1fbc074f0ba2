"""Secrets never leave the collector: these fields are dropped from every response.

The audit reads configuration, not data, but some configuration carries secrets
(user data scripts, auth tokens). They are removed before a response is kept, so
neither the inventory nor a snapshot ever holds them.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

SECRET_KEYS = frozenset({
    "UserData",  # instance, launch template and launch configuration scripts
    "MasterUserPassword", "Password", "AuthToken", "SecretString", "SecretBinary",
    "PrivateKey", "KeyMaterial", "Credentials", "SessionToken", "SecretAccessKey",
    "Variables",  # environment variables (Lambda, container definitions)
})
REDACTED = "(redacted)"


def clean(value: Any) -> Any:
    """A JSON-ready copy without secret fields: datetimes become ISO strings."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_KEYS else clean(v)) for k, v in value.items()
                if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return REDACTED
    return value
