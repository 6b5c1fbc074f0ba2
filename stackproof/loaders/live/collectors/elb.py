"""Classic load balancers."""
from __future__ import annotations

from typing import Any

SERVICE = "elb"
GLOBAL = False
CALLS = ("elb:DescribeLoadBalancers", "elb:DescribeTags")
TAG_BATCH = 20


def collect(api: Any) -> dict[str, Any]:
    balancers = api.pages("DescribeLoadBalancers", "LoadBalancerDescriptions")
    names = [lb["LoadBalancerName"] for lb in balancers]
    batches = [names[i:i + TAG_BATCH] for i in range(0, len(names), TAG_BATCH)]
    tags: dict[str, Any] = {}
    for batch, answer in zip(batches, api.each(batches, lambda b: api.attempt("DescribeTags", LoadBalancerNames=b))):
        for name in batch:
            tags[name] = answer
        if isinstance(answer, dict) and "error" not in answer:
            for description in answer.get("TagDescriptions") or []:
                tags[description["LoadBalancerName"]] = description.get("Tags") or []
    return {"load_balancers": balancers, "tags": tags}
