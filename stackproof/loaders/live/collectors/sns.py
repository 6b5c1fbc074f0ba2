"""SNS topics: the attributes the model needs (encryption) and tags.

GetTopicAttributes answers every attribute; only those in ATTRIBUTES are kept (a topic's
policy and delivery settings are not needed)."""
from __future__ import annotations

from typing import Any

SERVICE = "sns"
GLOBAL = False
CALLS = ("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource")
ATTRIBUTES = ("TopicArn", "KmsMasterKeyId")


def collect(api: Any) -> dict[str, Any]:
    arns = [t["TopicArn"] for t in api.pages("ListTopics", "Topics")]

    def read(arn: str) -> dict[str, Any]:
        return {"TopicArn": arn,
                "Attributes": _kept(api.attempt("GetTopicAttributes", TopicArn=arn)),
                "Tags": api.attempt("ListTagsForResource", ResourceArn=arn)}

    return {"topics": api.each(arns, read)}


def _kept(answer: Any) -> Any:
    if isinstance(answer, dict) and isinstance(answer.get("Attributes"), dict):
        return {"Attributes": {k: v for k, v in answer["Attributes"].items() if k in ATTRIBUTES}}
    return answer
