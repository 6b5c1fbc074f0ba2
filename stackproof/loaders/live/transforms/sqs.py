"""GetQueueAttributes, ListQueueTags -> SqsQueue."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import Resource, SqsQueue, Unknown
from .common import Where, as_bool, base, failed, tags_from

KINDS = (SqsQueue.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for queue in data.get("queues") or []:
        url = queue["QueueUrl"]
        name = url.rstrip("/").rsplit("/", 1)[-1]
        answer = queue.get("Attributes")
        problem = failed(answer)
        attributes = (answer or {}).get("Attributes") or {} if problem is None else {}
        arn = attributes.get("QueueArn") or where.arn("sqs", name)
        tags_answer = queue.get("Tags")
        tags = tags_from(tags_answer, "Tags")
        fields = base(where, arn, tags, name)
        if problem is not None:
            yield SqsQueue(**fields, kms_master_key_id=problem, sqs_managed_sse_enabled=problem)
            continue
        managed = as_bool(attributes.get("SqsManagedSseEnabled"))
        yield SqsQueue(**fields, kms_master_key_id=attributes.get("KmsMasterKeyId") or None,
                       sqs_managed_sse_enabled=Unknown("GetQueueAttributes did not state SqsManagedSseEnabled")
                       if managed is None else managed)
