"""What went wrong with a call, in one line an auditor can act on.

A failure of a listing call makes that service in that region an inventory Gap; a
failure of a per-resource call makes the fields it would have filled Unknown.
"""
from __future__ import annotations

from typing import Any

from .guard import ReadOnlyViolation

DENIED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403",
})
THROTTLED = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "LimitExceededException",
    "PriorRequestNotComplete", "EC2ThrottledException",
})
REGION_NOT_ENABLED = frozenset({
    "OptInRequired", "AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException",
    "SignatureDoesNotMatch", "InvalidSignatureException",
})


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        return str(code) if code else None
    return None


def describe(exc: BaseException) -> str:
    """One line: what kind of failure, and the service's own words."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )
    from botocore.exceptions import (
        ConnectionError as BotoConnectionError,
    )
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ReadOnlyViolation):
        return str(exc)
    if isinstance(exc, ClientError):
        code = error_code(exc) or "error"
        message = _one_line((exc.response.get("Error") or {}).get("Message") or "")
        attempts = (exc.response.get("ResponseMetadata") or {}).get("RetryAttempts")
        if code in DENIED:
            return f"access denied ({code}){': ' + message if message else ''}"
        if code in THROTTLED:
            tries = f" after {attempts + 1} attempts" if isinstance(attempts, int) else ""
            return f"throttled ({code}), still throttled{tries}"
        if code in REGION_NOT_ENABLED:
            return f"the region is not enabled for this account, or these credentials are not valid there ({code})"
        if code.isdigit() and int(code) >= 500:
            return f"the service failed (HTTP {code})"
        return f"{code}{': ' + message if message else ''}"
    if isinstance(exc, ResponseParserError):
        return "malformed response: the service's answer could not be parsed"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials"
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError, ReadTimeoutError)):
        return f"cannot reach the service endpoint ({_one_line(str(exc))})"
    if isinstance(exc, BotoCoreError):
        return _one_line(str(exc))
    return f"{type(exc).__name__}: {_one_line(str(exc))}"


def is_call_failure(exc: BaseException) -> bool:
    """A failure of the call itself (as opposed to a bug in stackproof). A refusal of the
    read-only guard is one: a collector's own calls are declared (Api checks them first),
    so what the guard refuses during a call is a call botocore makes on its own to
    complete it; the call fails, the audit goes on."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    return isinstance(exc, (ClientError, BotoCoreError, ResponseParserError, ReadOnlyViolation))


def record(operation: str, exc: BaseException) -> dict[str, Any]:
    """What a collector stores in place of a response it could not get."""
    return {"error": {"operation": operation, "code": error_code(exc), "reason": describe(exc)}}


def is_record(value: Any) -> bool:
    """Whether a collected value is the error record of a call that failed."""
    return isinstance(value, dict) and isinstance(value.get("error"), dict)


def left_out(operation: str) -> dict[str, Any]:
    """The record for a resource a batch call's answer did not mention."""
    return {"error": {"operation": operation, "code": None, "reason": "the answer left this resource out"}}


def _one_line(text: str) -> str:
    """The message on one line (botocore's parameter errors put the detail on the next ones)."""
    return " ".join(text.split())[:300]
