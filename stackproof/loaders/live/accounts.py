"""Which accounts an audit reads: the caller's own, roles to assume, an organization's accounts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from . import errors
from .clients import ClientFactory, Credentials

SESSION_NAME = "stackproof-audit"
# The calls this module makes (the IAM policy is generated from these and the collectors').
CALLS = ("sts:GetCallerIdentity", "sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeRegions")


@dataclass(frozen=True)
class Target:
    account: str
    label: str  # the account id, or the role assumed in it
    credentials: Credentials | None = None  # None: the caller's own credentials


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    partition: str


def identify(factory: ClientFactory, region: str) -> Identity:
    try:
        answer = factory.client("sts", region).get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - call failures become one clear line
        if not errors.is_call_failure(exc):
            raise
        raise InputError(None, f"cannot identify the AWS credentials ({errors.describe(exc)}); "
                               "configure a profile (--aws-profile), environment variables or an instance role, "
                               "and a region of their partition (--regions or AWS_DEFAULT_REGION)") from None
    arn = str(answer.get("Arn") or "")
    partition = arn.split(":")[1] if arn.count(":") >= 2 else "aws"
    return Identity(str(answer["Account"]), arn, partition)


def assume(factory: ClientFactory, region: str, role_arn: str, external_id: str | None) -> Target:
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
    if external_id:
        params["ExternalId"] = external_id
    answer = factory.client("sts", region).assume_role(**params)
    creds = answer["Credentials"]
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else str(answer.get("AssumedRoleUser", {}).get("Arn"))
    return Target(account, role_arn, Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]))


def organization_role_arns(factory: ClientFactory, region: str, me: Identity, role_name: str) -> list[str]:
    """The role to assume in every active account of the caller's organization (not the caller's own).
    ``region`` is any region of the caller's partition: botocore sends Organizations calls to
    that partition's global endpoint (us-east-1, us-gov-west-1, cn-northwest-1)."""
    try:
        paginator = factory.client("organizations", region).get_paginator("list_accounts")
        accounts = [a for page in paginator.paginate() for a in page.get("Accounts") or []]
    except Exception as exc:  # noqa: BLE001
        if not errors.is_call_failure(exc):
            raise
        raise InputError(None, f"--organization-role: cannot list the organization's accounts "
                               f"({errors.describe(exc)})") from None
    return [f"arn:{me.partition}:iam::{a['Id']}:role/{role_name}" for a in accounts
            if a.get("Status", "ACTIVE") == "ACTIVE" and a.get("Id") != me.account]


def enabled_regions(factory: ClientFactory, target: Target, region: str) -> list[str]:
    """The regions enabled in the target's account (a call failure propagates)."""
    answer = factory.client("ec2", region, target.credentials).describe_regions()
    return sorted(r["RegionName"] for r in answer.get("Regions") or []
                  if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in")
