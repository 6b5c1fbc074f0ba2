"""What an audit could not assess, for the report's run section and the console summary.

Three kinds of entry, each with account, region, service, call, count and reason:

- an account not read at all (a role that could not be assumed, regions that could not
  be listed): service, call and count are null;
- a service not read in a region (its listing failed): call and count are null;
- a per-resource call that failed (GetBucketEncryption denied for three buckets): the
  call, and how many resources it failed for with that reason. Those resources are in
  the report, with the fields that call fills UNKNOWN.

No boto3 here: a snapshot scanned offline lists the same entries as its audit.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterator


def entry(where: str, reason: str, kinds: tuple[str, ...], account: str | None, region: str | None = None,
          service: str | None = None, call: str | None = None, count: int | None = None) -> dict[str, Any]:
    return {"where": where, "account": account, "region": region, "service": service, "call": call,
            "count": count, "reason": reason, "kinds": list(kinds)}


def call_failures(data: Any, account: str, region: str | None, service: str,
                  kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """One entry per failed per-resource call and reason in a unit's collected data."""
    counts = Counter((error.get("operation") or "a call", error.get("reason") or "failed") for error in _errors(data))
    return [entry(f"account {account} {region or 'global'} {service}: {operation} for {count} resource(s)",
                  reason, kinds, account, region, service, operation, count)
            for (operation, reason), count in sorted(counts.items())]


def _errors(value: Any) -> Iterator[dict[str, Any]]:
    """The error records (see errors.record) anywhere in collected data."""
    if isinstance(value, dict):
        if isinstance(value.get("error"), dict):
            yield value["error"]
            return
        for item in value.values():
            yield from _errors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _errors(item)
