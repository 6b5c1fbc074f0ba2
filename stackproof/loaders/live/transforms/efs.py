"""DescribeFileSystems, DescribeMountTargets, ... -> EfsFileSystem, EfsMountTarget."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import EfsFileSystem, EfsMountTarget, Resource
from .common import Where, base, either, failed, tags_of

KINDS = (EfsFileSystem.KIND, EfsMountTarget.KIND)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for system in data.get("file_systems") or []:
        ident = system["FileSystemId"]
        arn = system.get("FileSystemArn") or where.arn("elasticfilesystem", f"file-system/{ident}")
        tags = tags_of(system.get("Tags"))
        yield EfsFileSystem(**base(where, arn, tags, system.get("Name"), system.get("CreationToken"), ident),
                            encrypted=bool(system.get("Encrypted")),
                            kms_key_id=system.get("KmsKeyId"),
                            availability_zone_name=system.get("AvailabilityZoneName"),
                            replication_destinations=_destinations(system.get("Replication")))
        for target in system.get("MountTargets") or []:
            target_id = target["MountTargetId"]
            groups = target.get("SecurityGroups")
            yield EfsMountTarget(**base(where, where.arn("elasticfilesystem", f"file-system/{ident}/mount-target/{target_id}"),
                                        {}, target_id),
                                 file_system=arn,
                                 subnet=where.ec2("subnet", target.get("SubnetId")),
                                 security_groups=either(failed(groups), where.ec2_all("security-group", groups)
                                                        if isinstance(groups, list) else ()))


def _destinations(answer: Any) -> Any:
    problem = failed(answer)
    if problem is not None:
        return problem
    return tuple(d["Region"] for r in (answer or {}).get("Replications") or []
                 for d in r.get("Destinations") or [] if d.get("Region"))
