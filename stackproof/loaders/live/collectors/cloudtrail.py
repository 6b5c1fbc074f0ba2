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
    tags = api.batched_tags("ListTags", [t["TrailARN"] for t in trails], "ResourceIdList", "ResourceTagList",
                            "ResourceId", "TagsList")
    return {"trails": trails, "tags": tags}
