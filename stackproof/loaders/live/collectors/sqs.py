"""SQS queues: attributes (encryption) and tags."""
from __future__ import annotations

from typing import Any

SERVICE = "sqs"
GLOBAL = False
CALLS = ("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags")


def collect(api: Any) -> dict[str, Any]:
    urls = api.pages("ListQueues", "QueueUrls")

    def read(url: str) -> dict[str, Any]:
        return {"QueueUrl": url,
                "Attributes": api.attempt("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]),
                "Tags": api.attempt("ListQueueTags", QueueUrl=url)}

    return {"queues": api.each(urls, read)}
