"""EC2 compute: instances, launch templates (their latest version) and volumes."""
from __future__ import annotations

from typing import Any

SERVICE = "ec2"
GLOBAL = False
CALLS = (
    "ec2:DescribeInstances",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeVolumes",
)


def collect(api: Any) -> dict[str, Any]:
    reservations = api.pages("DescribeInstances", "Reservations")
    instances = [i for r in reservations for i in r.get("Instances") or []
                 if (i.get("State") or {}).get("Name") not in ("terminated", "shutting-down")]
    templates = api.pages("DescribeLaunchTemplates", "LaunchTemplates")

    def latest(template: dict[str, Any]) -> Any:
        found = api.attempt("DescribeLaunchTemplateVersions", LaunchTemplateId=template["LaunchTemplateId"],
                            Versions=["$Latest"])
        if isinstance(found, dict) and "LaunchTemplateVersions" in found:
            versions = found["LaunchTemplateVersions"]
            return versions[0] if versions else None
        return found

    for template, version in zip(templates, api.each(templates, latest)):
        template["LatestVersion"] = version
    return {"instances": instances, "launch_templates": templates,
            "volumes": api.pages("DescribeVolumes", "Volumes")}
