"""EFS file systems, their mount targets and replication configurations."""
from __future__ import annotations

from typing import Any

SERVICE = "efs"
GLOBAL = False
CALLS = (
    "efs:DescribeFileSystems",
    "efs:DescribeMountTargets",
    "efs:DescribeMountTargetSecurityGroups",
    "efs:DescribeReplicationConfigurations",
)


def collect(api: Any) -> dict[str, Any]:
    systems = api.pages("DescribeFileSystems", "FileSystems")

    def read(system: dict[str, Any]) -> None:
        ident = system["FileSystemId"]
        targets = api.pages("DescribeMountTargets", "MountTargets", FileSystemId=ident)
        for target in targets:
            groups = api.attempt("DescribeMountTargetSecurityGroups", MountTargetId=target["MountTargetId"])
            target["SecurityGroups"] = groups.get("SecurityGroups") if isinstance(groups, dict) and "error" not in groups else groups
        system["MountTargets"] = targets
        system["Replication"] = api.attempt("DescribeReplicationConfigurations",
                                            absent=("ReplicationNotFound", "FileSystemNotFound"), FileSystemId=ident)

    api.each(systems, read)
    return {"file_systems": systems}
