"""CloudTrail trails whose home is this region (shadow copies of multi-region trails are skipped)."""
from __future__ import annotations

from typing import Any

SERVICE = "cloudtrail"
GLOBAL = False
CALLS = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:ListTags")


def collect(api: Any) -> dict[str, Any]:
    trails = api.call("DescribeTrails", includeShadowTrails=False).get("trailList") or []
    statuses = api.each(trails, lambda t: api.attempt("GetTrailStatus", Name=t["TrailARN"]))
    for trail, status in zip(trails, statuses):
        trail["Status"] = status
    arns = [t["TrailARN"] for t in trails]
    tags: dict[str, Any] = {}
    if arns:
        answer = api.attempt("ListTags", ResourceIdList=arns)
        for arn in arns:
            tags[arn] = answer
        if isinstance(answer, dict) and "error" not in answer:
            for item in answer.get("ResourceTagList") or []:
                tags[item.get("ResourceId")] = item.get("TagsList") or []
    return {"trails": trails, "tags": tags}
