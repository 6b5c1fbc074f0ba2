"""SNS topics: attributes (encryption) and tags."""
from __future__ import annotations

from typing import Any

SERVICE = "sns"
GLOBAL = False
CALLS = ("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource")


def collect(api: Any) -> dict[str, Any]:
    arns = [t["TopicArn"] for t in api.pages("ListTopics", "Topics")]

    def read(arn: str) -> dict[str, Any]:
        return {"TopicArn": arn,
                "Attributes": api.attempt("GetTopicAttributes", TopicArn=arn),
                "Tags": api.attempt("ListTagsForResource", ResourceArn=arn)}

    return {"topics": api.each(arns, read)}
