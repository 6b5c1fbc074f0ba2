"""Classic load balancers."""
from __future__ import annotations

from typing import Any

SERVICE = "elb"
GLOBAL = False
CALLS = ("elb:DescribeLoadBalancers", "elb:DescribeTags")
TAG_BATCH = 20  # DescribeTags takes at most 20 names


def collect(api: Any) -> dict[str, Any]:
    balancers = api.pages("DescribeLoadBalancers", "LoadBalancerDescriptions")
    tags = api.batched_tags("DescribeTags", [lb["LoadBalancerName"] for lb in balancers], "LoadBalancerNames",
                            "TagDescriptions", "LoadBalancerName", "Tags", TAG_BATCH)
    return {"load_balancers": balancers, "tags": tags}
