"""What a collector sees: its service's client in one region of one account, and helpers.

Collectors name operations as the IAM policy and the service documentation do
(``DescribeVpcs``); every operation must be declared in the collector's CALLS, which
is what ``--print-iam-policy`` is generated from.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, TypeVar

from . import errors
from .redact import clean

T = TypeVar("T")
R = TypeVar("R")


class UndeclaredCall(AssertionError):
    """A collector called an operation it does not declare in CALLS (a bug)."""


class Api:
    def __init__(self, client_of: Callable[[str, str], Any], service: str, region: str,
                 declared: Iterable[str], regions: list[str], per_service: int) -> None:
        self._client_of = client_of
        self.service = service
        self.region = region
        self.regions = regions  # every region of the audit
        self.declared = frozenset(declared)
        self.per_service = per_service

    def client(self, service: str | None = None, region: str | None = None) -> Any:
        return self._client_of(service or self.service, region or self.region)

    def _method(self, operation: str, service: str | None, region: str | None) -> Any:
        from botocore import xform_name

        service = service or self.service
        if f"{service}:{operation}" not in self.declared:
            raise UndeclaredCall(f"{service}:{operation} is not declared in the collector's CALLS")
        return self.client(service, region), xform_name(operation)

    def pages(self, operation: str, key: str, service: str | None = None, region: str | None = None,
              **params: Any) -> list[Any]:
        """Every item of a listing, through the operation's paginator where it has one."""
        client, method = self._method(operation, service, region)
        if not client.can_paginate(method):
            return clean(getattr(client, method)(**params).get(key) or [])
        items: list[Any] = []
        for page in client.get_paginator(method).paginate(**params):
            items.extend(page.get(key) or [])
        return clean(items)

    def call(self, operation: str, service: str | None = None, region: str | None = None, **params: Any) -> Any:
        client, method = self._method(operation, service, region)
        return clean(getattr(client, method)(**params))

    def attempt(self, operation: str, absent: Iterable[str] = (), service: str | None = None,
                region: str | None = None, **params: Any) -> Any:
        """A per-resource call: None when the service says the thing is not configured
        (an error code in ``absent``), an error record when the call fails."""
        try:
            return self.call(operation, service, region, **params)
        except Exception as exc:  # noqa: BLE001 - only call failures are recorded; others re-raised
            if not errors.is_call_failure(exc):
                raise
            if errors.error_code(exc) in set(absent):
                return None
            return errors.record(operation, exc)

    def each(self, items: Iterable[T], fn: Callable[[T], R]) -> list[R]:
        """fn over items, at most ``per_service`` at a time, results in order."""
        items = list(items)
        if len(items) <= 1 or self.per_service <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.per_service, len(items))) as pool:
            return list(pool.map(fn, items))
