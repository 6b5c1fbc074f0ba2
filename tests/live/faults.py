"""Fault injection for audits against moto: a botocore `before-send` handler on the audit's
clients answers chosen calls with the HTTP response a failing AWS would send. The
collectors, botocore's parsers and its adaptive retries all run for real; only the
server's answer is replaced.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from botocore.awsrequest import AWSResponse


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any):
        yield self.body


def error_body(protocol: str, code: str, message: str) -> tuple[bytes, dict[str, str]]:
    """An error response in the wire format of the service's protocol."""
    if protocol == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                "<RequestID>fault</RequestID></Response>")
        return body.encode(), {"Content-Type": "text/xml"}
    if protocol == "query":
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                "</Error><RequestId>fault</RequestId></ErrorResponse>")
        return body.encode(), {"Content-Type": "text/xml"}
    if protocol == "rest-xml":
        return f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode(), {"Content-Type": "application/xml"}
    body = f'{{"__type": "{code}", "message": "{message}"}}'
    return body.encode(), {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}


class Faults:
    """Rules: (service, operation or None for all, region or None for all) -> a response,
    for every matching call or only the first ``times`` of them."""

    def __init__(self) -> None:
        self.rules: list[tuple[Callable[[str, str, str, Any], bool], Callable[[Any, Any], AWSResponse]]] = []
        self.hits: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def error(self, status: int, code: str, message: str = "injected", service: str | None = None,
              operation: str | None = None, region: str | None = None, times: int | None = None,
              url_contains: str | None = None, headers: dict[str, str] | None = None) -> "Faults":
        """An error answer; ``url_contains`` narrows it to one resource (an S3 bucket's path),
        ``headers`` adds to it (S3's x-amz-bucket-region)."""
        def respond(client: Any, request: Any) -> AWSResponse:
            body, content = error_body(client.meta.service_model.protocol, code, message)
            return AWSResponse(request.url, status, {**content, **(headers or {})}, _Raw(body))

        self.rules.append((_matcher(service, operation, region, times, url_contains), respond))
        return self

    def body(self, status: int, body: bytes, service: str | None = None, operation: str | None = None,
             region: str | None = None, content_type: str = "text/xml", times: int | None = None,
             body_contains: str | None = None) -> "Faults":
        """Any raw answer, e.g. one that is not a valid response at all, or a first page;
        ``body_contains`` narrows it to one resource (its id in an EC2 request's parameters)."""
        def respond(client: Any, request: Any) -> AWSResponse:
            return AWSResponse(request.url, status, {"Content-Type": content_type}, _Raw(body))

        self.rules.append((_matcher(service, operation, region, times, body_contains=body_contains), respond))
        return self

    def hook(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        region = client.meta.region_name

        def before_send(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
            operation = event_name.rsplit(".", 1)[-1]
            for matches, respond in self.rules:
                if matches(service, operation, region, request):
                    with self._lock:
                        self.hits.append((service, operation, region))
                    return respond(client, request)
            return None

        client.meta.events.register("before-send", before_send)

    def count(self, operation: str) -> int:
        return sum(1 for _, op, _ in self.hits if op == operation)


def _matcher(service: str | None, operation: str | None, region: str | None, times: int | None = None,
             url_contains: str | None = None, body_contains: str | None = None) -> Callable[[str, str, str, Any], bool]:
    left = [times]
    lock = threading.Lock()

    def matches(s: str, o: str, r: str, request: Any) -> bool:
        if not ((service is None or s == service) and (operation is None or o == operation) and (
                region is None or r == region) and (url_contains is None or url_contains in request.url)
                and (body_contains is None or body_contains in _text(request.body))):
            return False
        with lock:
            if left[0] is None:
                return True
            if left[0] <= 0:
                return False
            left[0] -= 1
            return True
    return matches


def _text(body: Any) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else ""
