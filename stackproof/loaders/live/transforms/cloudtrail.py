"""DescribeTrails, GetTrailStatus, ListTags -> CloudTrail."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import CloudTrail, Resource
from .common import Where, base, called_tags, either, failed

KINDS = (CloudTrail.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    tags = data.get("tags") or {}
    for trail in data.get("trails") or []:
        arn = trail["TrailARN"]
        status = trail.get("Status")
        bucket = trail.get("S3BucketName")
        yield CloudTrail(**base(where, arn, called_tags(tags.get(arn)), trail.get("Name"), region=trail.get("HomeRegion")),
                         is_multi_region_trail=bool(trail.get("IsMultiRegionTrail")),
                         kms_key_id=trail.get("KmsKeyId"),
                         log_file_validation=bool(trail.get("LogFileValidationEnabled")),
                         s3_bucket=f"arn:{where.partition}:s3:::{bucket}" if bucket else None,
                         is_logging=either(failed(status), bool((status or {}).get("IsLogging"))))
