"""Application, network and gateway load balancers, their listeners and target groups."""
from __future__ import annotations

from typing import Any

from .. import errors
from ..transforms.elbv2 import is_network

SERVICE = "elbv2"
GLOBAL = False
CALLS = (
    "elbv2:DescribeLoadBalancers",
    "elbv2:DescribeListeners",
    "elbv2:DescribeTargetGroups",
    "elbv2:DescribeTargetHealth",
    "elbv2:DescribeTargetGroupAttributes",
    "elbv2:DescribeTags",
)
TAG_BATCH = 20  # DescribeTags takes at most 20 ARNs


def collect(api: Any) -> dict[str, Any]:
    balancers = api.pages("DescribeLoadBalancers", "LoadBalancers")
    groups = api.pages("DescribeTargetGroups", "TargetGroups")
    listeners = api.each(balancers, lambda lb: api.pages("DescribeListeners", "Listeners",
                                                         LoadBalancerArn=lb["LoadBalancerArn"]))
    for balancer, found in zip(balancers, listeners):
        balancer["Listeners"] = found
    health = api.each(groups, lambda tg: api.attempt("DescribeTargetHealth", TargetGroupArn=tg["TargetGroupArn"]))
    for group, found in zip(groups, health):
        group["TargetHealth"] = found
    network = [tg for tg in groups if is_network(tg)]  # only they have preserve_client_ip
    attributes = api.each(network, lambda tg: api.attempt("DescribeTargetGroupAttributes",
                                                          TargetGroupArn=tg["TargetGroupArn"]))
    for group, found in zip(network, attributes):
        group["Attributes"] = found if errors.is_record(found) else found.get("Attributes") or []
    arns = [lb["LoadBalancerArn"] for lb in balancers] + [tg["TargetGroupArn"] for tg in groups]
    tags = api.batched_tags("DescribeTags", arns, "ResourceArns", "TagDescriptions", "ResourceArn", "Tags", TAG_BATCH)
    return {"load_balancers": balancers, "target_groups": groups, "tags": tags}
