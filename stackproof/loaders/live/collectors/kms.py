"""KMS customer managed keys: metadata, rotation, tags.

AWS managed keys are skipped: KeyManager says so, and so does an alias under alias/aws/,
a prefix only AWS may use.
"""
from __future__ import annotations

from typing import Any

SERVICE = "kms"
GLOBAL = False
CALLS = ("kms:ListKeys", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListResourceTags")


def collect(api: Any) -> dict[str, Any]:
    aws_aliased = {a.get("TargetKeyId") for a in api.pages("ListAliases", "Aliases")
                   if str(a.get("AliasName", "")).startswith("alias/aws/")}
    keys = [k for k in api.pages("ListKeys", "Keys") if k.get("KeyId") not in aws_aliased]

    def read(key: dict[str, Any]) -> dict[str, Any]:
        described = api.attempt("DescribeKey", KeyId=key["KeyArn"])
        found: dict[str, Any] = {"KeyArn": key["KeyArn"], "KeyId": key["KeyId"], "Describe": described}
        metadata = described.get("KeyMetadata") if isinstance(described, dict) and "error" not in described else None
        if metadata is not None and metadata.get("KeyManager") == "AWS":
            return {"KeyArn": key["KeyArn"], "AwsManaged": True}
        if metadata is None or metadata.get("KeyState") != "PendingDeletion":
            if metadata is None or (metadata.get("KeySpec") == "SYMMETRIC_DEFAULT" and metadata.get("Origin") != "EXTERNAL"):
                found["Rotation"] = api.attempt("GetKeyRotationStatus", KeyId=key["KeyArn"])
        found["Tags"] = api.attempt_pages("ListResourceTags", "Tags", KeyId=key["KeyArn"])
        return found

    return {"keys": [k for k in api.each(keys, read) if not k.get("AwsManaged")]}
