"""S3 buckets: listed once per account, kept when they live in an audited region.

Each bucket's settings are read from its own region. A replication rule's destination
is located with GetBucketLocation, so cross-region replication can be judged even
when the destination bucket is outside the audit.
"""
from __future__ import annotations

from typing import Any

SERVICE = "s3"
GLOBAL = True
CALLS = (
    "s3:ListBuckets",
    "s3:GetBucketLocation",
    "s3:GetBucketEncryption",
    "s3:GetBucketVersioning",
    "s3:GetPublicAccessBlock",
    "s3:GetBucketReplication",
    "s3:GetBucketTagging",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    # Not called by the collector: botocore HEADs a bucket to follow a redirect whose error
    # does not name the bucket's region. It needs no permission (iam_policy.NO_PERMISSION).
    "s3:HeadBucket",
)
# Per-bucket reads: operation -> (response key, error codes that mean "not configured")
SETTINGS = {
    "GetBucketEncryption": ("ServerSideEncryptionConfiguration", ("ServerSideEncryptionConfigurationNotFoundError",)),
    "GetBucketVersioning": (None, ()),
    "GetPublicAccessBlock": ("PublicAccessBlockConfiguration", ("NoSuchPublicAccessBlockConfiguration",)),
    "GetBucketReplication": ("ReplicationConfiguration", ("ReplicationConfigurationNotFoundError",)),
    "GetBucketTagging": ("TagSet", ("NoSuchTagSet",)),
    "GetBucketPolicy": ("Policy", ("NoSuchBucketPolicy",)),
    "GetBucketAcl": ("Grants", ()),
}


def region_of_location(answer: Any) -> Any:
    """GetBucketLocation's answer -> region (None means us-east-1, "EU" the old name of eu-west-1)."""
    if not isinstance(answer, dict) or "error" in answer:
        return answer
    location = answer.get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)


def collect(api: Any) -> dict[str, Any]:
    listed = api.pages("ListBuckets", "Buckets")
    located = api.each(listed, lambda b: b.get("BucketRegion") or region_of_location(
        api.attempt("GetBucketLocation", Bucket=b["Name"])))
    locations = {b["Name"]: region for b, region in zip(listed, located)}
    # A bucket whose region could not be read is kept: it may be in scope.
    buckets = [{"Name": b["Name"], "Region": locations[b["Name"]]} for b in listed
               if not isinstance(locations[b["Name"]], str) or locations[b["Name"]] in api.regions]

    jobs = [(bucket, operation) for bucket in buckets for operation in SETTINGS]

    def read(job: tuple[dict[str, Any], str]) -> Any:
        bucket, operation = job
        region = bucket["Region"] if isinstance(bucket["Region"], str) else None
        key, absent = SETTINGS[operation]
        answer = api.attempt(operation, absent=absent, region=region, Bucket=bucket["Name"])
        if isinstance(answer, dict) and "error" not in answer and key is not None:
            return answer.get(key)
        return answer

    for (bucket, operation), answer in zip(jobs, api.each(jobs, read)):
        bucket[operation] = answer

    destinations = sorted({_bucket_name(rule) for b in buckets for rule in _rules(b)} - set(locations) - {None})
    for name, answer in zip(destinations, api.each(destinations, lambda n: region_of_location(
            api.attempt("GetBucketLocation", Bucket=n)))):
        locations[name] = answer
    return {"buckets": buckets, "locations": locations}


def _rules(bucket: dict[str, Any]) -> list[dict[str, Any]]:
    config = bucket.get("GetBucketReplication")
    if isinstance(config, dict) and "error" not in config:
        return list(config.get("Rules") or [])
    return []


def _bucket_name(rule: dict[str, Any]) -> str | None:
    target = (rule.get("Destination") or {}).get("Bucket")
    if isinstance(target, str) and target:
        return target.split(":::", 1)[-1]
    return None
