"""Auto Scaling groups and launch configurations."""
from __future__ import annotations

from typing import Any

SERVICE = "autoscaling"
GLOBAL = False
CALLS = ("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeLaunchConfigurations")


def collect(api: Any) -> dict[str, Any]:
    return {
        "groups": api.pages("DescribeAutoScalingGroups", "AutoScalingGroups"),
        "launch_configurations": api.pages("DescribeLaunchConfigurations", "LaunchConfigurations"),
    }
