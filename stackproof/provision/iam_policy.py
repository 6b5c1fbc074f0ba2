"""The IAM policy plan, apply and destroy need, generated from the calls the handlers
declare (the same declarations the run's clients are held to, so it cannot fall behind).

IAM action names are the operation names under the service's prefix, except where S3
names a permission differently (some operations need two), and beyond the calls
themselves AWS checks a few permissions on the caller: the handlers' ``implied``.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..loaders.live.iam_policy import iam_action
from .blueprint import SERVICE_LINKED_ROLES
from .handlers import HANDLERS, declared
from .spec import StackSpec

S3_PERMISSIONS = {
    "s3:HeadBucket": ("s3:ListBucket",),
    "s3:ListObjectVersions": ("s3:ListBucketVersions",),
    "s3:DeleteObjects": ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    "s3:PutBucketEncryption": ("s3:PutEncryptionConfiguration",),
    "s3:PutPublicAccessBlock": ("s3:PutBucketPublicAccessBlock",),
    "s3:DeletePublicAccessBlock": ("s3:PutBucketPublicAccessBlock",),
    "s3:PutBucketReplication": ("s3:PutReplicationConfiguration",),
    "s3:DeleteBucketReplication": ("s3:PutReplicationConfiguration",),
}
# Services whose service-linked role the stack needs: created by apply (SERVICE_LINKED_ROLES)
# or by the service itself, with the caller's rights, the first time it is used in the account.
SERVICES_WITH_ROLES = (*SERVICE_LINKED_ROLES, "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com",
                       "elasticache.amazonaws.com")
OWN_STATEMENT = {"iam:PassRole", "iam:CreateServiceLinkedRole"}


def permissions(calls: Iterable[str]) -> set[str]:
    """IAM actions for "service:Operation" calls."""
    found: set[str] = set()
    for call in calls:
        if call in S3_PERMISSIONS:
            found.update(S3_PERMISSIONS[call])
        else:
            found.add(iam_action(call))
    return found


def policy(spec: StackSpec) -> dict[str, Any]:
    """The policy document: reads (all plan needs), writes (apply and destroy), passing
    the replication role to S3, and the service-linked roles."""
    reads = permissions(declared("reads"))
    implied = {action for handler in HANDLERS.values() for action in handler.implied}
    writes = (permissions(declared("writes")) | implied) - OWN_STATEMENT
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "StackproofProvisionRead", "Effect": "Allow", "Action": sorted(reads), "Resource": "*"},
        {"Sid": "StackproofProvisionWrite", "Effect": "Allow", "Action": sorted(writes), "Resource": "*"},
        {"Sid": "StackproofProvisionPassReplicationRole", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": f"arn:aws:iam::*:role/{spec.name}-s3-replication",
         "Condition": {"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}}},
        {"Sid": "StackproofProvisionServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": "*", "Condition": {"StringEquals": {"iam:AWSServiceName": sorted(SERVICES_WITH_ROLES)}}},
    ]}
