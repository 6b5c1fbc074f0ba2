"""Counting the API calls an audit makes: for the IAM policy test and the benchmark."""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class CallLog:
    """(service, operation) -> number of calls; ``requests`` counts HTTP attempts (retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.requests = 0

    def install(self, client: Any) -> None:
        client.meta.events.register("before-call", self._on_call, unique_id=f"stackproof-calllog-{id(self)}")
        client.meta.events.register("before-send", self._on_send, unique_id=f"stackproof-calllog-send-{id(self)}")

    def _on_call(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            with self._lock:
                self.calls[(model.service_model.service_name, model.name)] += 1

    def _on_send(self, **_: Any) -> None:
        with self._lock:
            self.requests += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def operations(self) -> set[tuple[str, str]]:
        return set(self.calls)
