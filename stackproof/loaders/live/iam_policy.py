"""The minimal read-only IAM policy an audit needs, generated from the collectors' CALLS.

IAM action names are the API operation names under the service's IAM prefix, except
for the S3 operations listed in RENAMED, whose permissions AWS names differently.
"""
from __future__ import annotations

from typing import Any, Iterable

from . import accounts, services

# botocore service name -> IAM prefix where they differ (the provisioning policy maps through here too)
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "efs": "elasticfilesystem",
              "resourcegroupstaggingapi": "tag"}
RENAMED = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
}

# Calls the guard lets botocore make that need no permission: to follow an S3 redirect whose
# error does not name the bucket's region, botocore HEADs the bucket and reads the region
# from the x-amz-bucket-region header, which S3 sends even when it denies the HEAD. The
# permission HeadBucket needs, s3:ListBucket, would also let the role list every object key.
NO_PERMISSION = frozenset({"s3:HeadBucket"})


def iam_action(call: str) -> str:
    """"elbv2:DescribeTags" -> "elasticloadbalancing:DescribeTags"."""
    if call in RENAMED:
        return RENAMED[call]
    service, _, operation = call.partition(":")
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def read_actions(service_names: Iterable[str]) -> list[str]:
    """What the audited account's role must allow."""
    principal_only = {"sts:AssumeRole", "organizations:ListAccounts"}
    calls = services.declared_calls(list(service_names)) | (set(accounts.CALLS) - principal_only)
    return sorted({iam_action(c) for c in calls - NO_PERMISSION})


def policy(service_names: Iterable[str], role_arns: Iterable[str] = (), organization_role: str | None = None,
           partition: str = "aws") -> dict[str, Any]:
    """One policy document: the read statement for the audited accounts, and, when roles are
    assumed, the statements the auditing principal needs to assume them."""
    statements: list[dict[str, Any]] = [{
        "Sid": "StackproofAuditRead", "Effect": "Allow", "Action": read_actions(service_names), "Resource": "*"}]
    roles = sorted(set(role_arns))
    if organization_role:
        roles.append(f"arn:{partition}:iam::*:role/{organization_role}")
        statements.append({"Sid": "StackproofListOrganizationAccounts", "Effect": "Allow",
                           "Action": [iam_action("organizations:ListAccounts")], "Resource": "*"})
    if roles:
        statements.append({"Sid": "StackproofAssumeAuditRoles", "Effect": "Allow",
                           "Action": [iam_action("sts:AssumeRole")], "Resource": roles})
    return {"Version": "2012-10-17", "Statement": statements}


def all_actions(document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for statement in document.get("Statement") or []:
        action = statement.get("Action")
        found.update([action] if isinstance(action, str) else action or [])
    return found

