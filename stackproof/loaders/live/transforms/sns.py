"""GetTopicAttributes, ListTagsForResource -> SnsTopic."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import Resource, SnsTopic
from .common import Where, base, either, failed, tags_from

KINDS = (SnsTopic.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for topic in data.get("topics") or []:
        arn = topic["TopicArn"]
        answer = topic.get("Attributes")
        problem = failed(answer)
        tags_answer = topic.get("Tags")
        tags = tags_from(tags_answer, "Tags")
        fields = base(where, arn, tags, arn.rsplit(":", 1)[-1])
        attributes = ((answer or {}).get("Attributes") or {}) if problem is None else {}
        yield SnsTopic(**fields, kms_master_key_id=either(problem, attributes.get("KmsMasterKeyId") or None))
