"""What an audit is asked to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


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
