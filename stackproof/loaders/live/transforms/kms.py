"""DescribeKey, GetKeyRotationStatus, ListResourceTags -> KmsKey (customer managed keys only)."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import KmsKey, Resource
from .common import Where, base, either, failed, tags_from

KINDS = (KmsKey.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for key in data.get("keys") or []:
        arn = key["KeyArn"]
        tags_answer = key.get("Tags")
        tags = tags_from(tags_answer, "Tags")
        fields = base(where, arn, tags, key.get("KeyId"))
        described = key.get("Describe")
        problem = failed(described)
        if problem is not None:
            yield KmsKey(**fields, enable_key_rotation=problem, key_spec=problem, key_usage=problem,
                         enabled=problem, multi_region=problem)
            continue
        metadata = (described or {}).get("KeyMetadata") or {}
        rotation = key.get("Rotation")
        yield KmsKey(**fields,
                     enable_key_rotation=either(failed(rotation), bool((rotation or {}).get("KeyRotationEnabled"))),
                     key_spec=metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT",
                     key_usage=metadata.get("KeyUsage") or "ENCRYPT_DECRYPT",
                     enabled=metadata.get("KeyState", "Enabled") == "Enabled" and metadata.get("Enabled", True) is not False,
                     multi_region=bool(metadata.get("MultiRegion")))
