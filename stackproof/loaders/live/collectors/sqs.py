"""SQS queues: the attributes the model needs (encryption) and tags.

Only those attributes are asked for: a queue's policy and redrive settings are not needed."""
from __future__ import annotations

from typing import Any

SERVICE = "sqs"
GLOBAL = False
CALLS = ("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags")
ATTRIBUTES = ["QueueArn", "KmsMasterKeyId", "SqsManagedSseEnabled"]


def collect(api: Any) -> dict[str, Any]:
    urls = api.pages("ListQueues", "QueueUrls")

    def read(url: str) -> dict[str, Any]:
        return {"QueueUrl": url,
                "Attributes": api.attempt("GetQueueAttributes", QueueUrl=url, AttributeNames=ATTRIBUTES),
                "Tags": api.attempt("ListQueueTags", QueueUrl=url)}

    return {"queues": api.each(urls, read)}
