"""What an audit is asked to do, and the checks of it made before any call."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ...errors import InputError

ROLE_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]+")
ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")  # IAM's own constraint on sts:ExternalId


@dataclass
class LiveOptions:
    regions: list[str] = field(default_factory=list)  # empty or ["all"]: every region enabled for the account
    role_arns: list[str] = field(default_factory=list)  # roles to assume, one account each
    external_id: str | None = None
    organization_role: str | None = None  # assume this role name in every account of the organization
    services: list[str] = field(default_factory=list)  # empty: every collector
    aws_profile: str | None = None
    endpoint_url: str | None = None  # a local emulator (moto, LocalStack) instead of AWS
    max_workers: int = 16  # collectors running at once (each is one service in one region of one account)
    per_service: int = 4  # calls in flight at once within one service in one region
    max_attempts: int = 8  # adaptive retries: attempts per call, the first included
    client_hooks: list[Callable[[Any], None]] = field(default_factory=list)  # called with every new client
    progress: bool = False


def check(options: LiveOptions) -> None:
    """The options' own consistency (region names are checked against botocore's list later,
    still before any call). A mistake is one InputError line naming the option."""
    for arn in options.role_arns:
        if not ROLE_ARN.fullmatch(arn):
            raise InputError(None, f"--role-arn: {arn!r} is not an IAM role ARN "
                                   "(arn:aws:iam::123456789012:role/NAME)")
    role = options.organization_role
    if role is not None and not ROLE_NAME.fullmatch(role):
        raise InputError(None, f"--organization-role: {role!r} is not an IAM role name "
                               "(1 to 64 letters, digits and _+=,.@-)")
    if options.external_id is not None:
        if not (options.role_arns or role):
            raise InputError(None, "--external-id applies to the roles an audit assumes: "
                                   "give it with --role-arn or --organization-role")
        if not EXTERNAL_ID.fullmatch(options.external_id):
            raise InputError(None, "--external-id: 2 to 1224 letters, digits and _+=,.@:/- are allowed")
    named = [r.strip() for r in options.regions]
    if options.regions and not any(named):
        raise InputError(None, "--regions: no region named (give region names, or 'all')")
    if "all" in named and len({r for r in named if r}) > 1:
        raise InputError(None, "--regions: 'all' cannot be combined with region names")
