"""ListBuckets and the per-bucket reads -> Bucket (encryption, versioning, public access, replication)."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import Bucket, PublicAccessBlock, ReplicationRule, Resource, Unknown
from .common import Where, base, either, failed, tags_of

KINDS = (Bucket.KIND,)
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    locations = data.get("locations") or {}
    for bucket in data.get("buckets") or []:
        yield bucket_of(bucket, locations, where)


def bucket_of(bucket: dict[str, Any], locations: dict[str, Any], where: Where) -> Bucket:
    name = bucket["Name"]
    region = bucket.get("Region")
    region_problem = failed(region)
    tags = bucket.get("GetBucketTagging")
    tags = {} if tags is None else tags_of(tags)
    fields = base(where, f"arn:{where.partition}:s3:::{name}", tags, name,
                  region=region if isinstance(region, str) else None)
    if region_problem is not None:
        fields["region"] = region_problem
    return Bucket(**fields,
                  bucket_name=name,
                  versioning=_versioning(bucket.get("GetBucketVersioning")),
                  **_encryption(bucket.get("GetBucketEncryption")),
                  public_access_block=_public_access_block(bucket.get("GetPublicAccessBlock")),
                  acl=_canned_acl(bucket.get("GetBucketAcl")),
                  policy=either(failed(bucket.get("GetBucketPolicy")), bucket.get("GetBucketPolicy")),
                  replication_rules=_replication(bucket.get("GetBucketReplication"), locations))


def _versioning(answer: Any) -> Any:
    return either(failed(answer), isinstance(answer, dict) and answer.get("Status") == "Enabled")


def _encryption(answer: Any) -> dict[str, Any]:
    problem = failed(answer)
    if problem is not None:
        return {"sse_algorithm": problem, "kms_key_id": problem}
    rules = (answer or {}).get("Rules") or []
    default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
    return {"sse_algorithm": default.get("SSEAlgorithm"), "kms_key_id": default.get("KMSMasterKeyID")}


def _public_access_block(answer: Any) -> Any:
    problem = failed(answer)
    if problem is not None or answer is None:
        return problem
    return PublicAccessBlock(block_public_acls=bool(answer.get("BlockPublicAcls")),
                             block_public_policy=bool(answer.get("BlockPublicPolicy")),
                             ignore_public_acls=bool(answer.get("IgnorePublicAcls")),
                             restrict_public_buckets=bool(answer.get("RestrictPublicBuckets")))


def _canned_acl(grants: Any) -> Any:
    """The canned ACL the grants amount to, as a template or plan would state it."""
    problem = failed(grants)
    if problem is not None:
        return problem
    granted = {((g.get("Grantee") or {}).get("URI"), g.get("Permission")) for g in grants or []}
    if (ALL_USERS, "WRITE") in granted or (ALL_USERS, "FULL_CONTROL") in granted:
        return "public-read-write"
    if (ALL_USERS, "READ") in granted:
        return "public-read"
    if (AUTHENTICATED_USERS, "READ") in granted or (AUTHENTICATED_USERS, "FULL_CONTROL") in granted:
        return "authenticated-read"
    if (LOG_DELIVERY, "WRITE") in granted:
        return "log-delivery-write"
    return "private"


def _replication(answer: Any, locations: dict[str, Any]) -> Any:
    problem = failed(answer)
    if problem is not None:
        return problem
    rules = []
    for rule in (answer or {}).get("Rules") or []:
        target = (rule.get("Destination") or {}).get("Bucket")
        name = target.split(":::", 1)[-1] if isinstance(target, str) else None
        region: Any = locations.get(name) if name else None
        region = either(failed(region), region)
        if region is None and name:
            region = Unknown(f"the region of destination bucket {name} was not read")
        rules.append(ReplicationRule(rule_id=rule.get("ID"), enabled=rule.get("Status") == "Enabled",
                                     destination_bucket=target, destination_region=region))
    return tuple(rules)
