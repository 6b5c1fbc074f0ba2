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
              **params: Any) -> Any:
        """Every item of a listing, all pages (a list, or one map for the few listings that answer a map)."""
        client, method = self._method(operation, service, region)
        return clean(_every_page(client, method, key, params))

    def call(self, operation: str, service: str | None = None, region: str | None = None, **params: Any) -> Any:
        client, method = self._method(operation, service, region)
        return clean(getattr(client, method)(**params))

    def attempt(self, operation: str, absent: Iterable[str] = (), service: str | None = None,
                region: str | None = None, **params: Any) -> Any:
        """A per-resource call: None when the service says the thing is not configured
        (an error code in ``absent``), an error record when the call fails."""
        return self._attempt(lambda: self.call(operation, service, region, **params), operation, absent)

    def attempt_pages(self, operation: str, key: str, absent: Iterable[str] = (), service: str | None = None,
                      region: str | None = None, **params: Any) -> Any:
        """A per-resource listing (a resource's tags, say), every page: ``{key: items}``, or as attempt()."""
        return self._attempt(lambda: {key: self.pages(operation, key, service, region, **params)}, operation, absent)

    def batched_tags(self, operation: str, ids: list[str], param: str, answer_key: str, id_key: str,
                     tags_key: str, batch: int = 20) -> dict[str, Any]:
        """Tags of many resources, ``batch`` ids a call (DescribeTags, ListTags): id -> tag list,
        or the error record of its batch, or a record saying the answer left it out."""
        batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
        answers = self.each(batches, lambda chunk: self.attempt_pages(operation, answer_key, **{param: chunk}))
        found: dict[str, Any] = {}
        for chunk, answer in zip(batches, answers):
            if errors.is_record(answer):
                found.update(dict.fromkeys(chunk, answer))
                continue
            listed = {item.get(id_key): item.get(tags_key) or [] for item in answer.get(answer_key) or []}
            found.update({ident: listed.get(ident, errors.left_out(operation)) for ident in chunk})
        return found

    @staticmethod
    def _attempt(read: Callable[[], Any], operation: str, absent: Iterable[str]) -> Any:
        try:
            return read()
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


def _every_page(client: Any, method: str, key: str, params: dict[str, Any]) -> Any:
    """The ``key`` member of every page: through botocore's paginator, else by following
    NextToken where the operation takes one (a per-resource listing AWS pages, such as
    backup's ListTags)."""
    if client.can_paginate(method):
        pages = client.get_paginator(method).paginate(**params)
    else:
        pages = _token_pages(client, method, params)
    items: list[Any] = []
    mapping: dict[str, Any] | None = None
    for page in pages:
        value = page.get(key)
        if isinstance(value, dict):
            mapping = {**(mapping or {}), **value}
        else:
            items.extend(value or [])
    return mapping if mapping is not None else items


def _token_pages(client: Any, method: str, params: dict[str, Any]) -> Any:
    operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
    follows = "NextToken" in (operation.input_shape.members if operation.input_shape else {})
    seen: set[str] = set()
    while True:
        page = getattr(client, method)(**params)
        yield page
        token = page.get("NextToken") if follows else None
        if not token:
            return
        if token in seen:
            raise ValueError(f"{operation.name} answered the same NextToken twice")
        seen.add(token)
        params = {**params, "NextToken": token}
