"""The only place audit clients are made: adaptive retries, the read-only guard, hooks."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from . import guard
from .options import LiveOptions


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials of an assumed role (never written anywhere)."""

    access_key: str
    secret_key: str
    token: str

    def __repr__(self) -> str:
        return "Credentials(...)"


class ClientFactory:
    def __init__(self, options: LiveOptions) -> None:
        import botocore.session
        from botocore.config import Config
        from botocore.exceptions import ProfileNotFound

        try:
            self.session = botocore.session.Session(profile=options.aws_profile)
            self.session.get_scoped_config()
        except ProfileNotFound as exc:
            raise InputError(None, f"--aws-profile: {exc}") from None
        self.endpoint_url = options.endpoint_url
        self.hooks = list(options.client_hooks)
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": max(1, options.max_attempts)},
            max_pool_connections=max(10, options.per_service + 2),
            connect_timeout=10,
            read_timeout=30,
            user_agent_extra="stackproof-audit",
        )
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str, credentials: Credentials | None = None) -> Any:
        key = (service, region, credentials.access_key if credentials else None)
        with self._lock:  # botocore sessions are not safe to create clients from in parallel
            client = self._clients.get(key)
            if client is None:
                extra = {}
                if credentials is not None:
                    extra = {"aws_access_key_id": credentials.access_key,
                             "aws_secret_access_key": credentials.secret_key,
                             "aws_session_token": credentials.token}
                client = self.session.create_client(service, region_name=region, endpoint_url=self.endpoint_url,
                                                    config=self.config, **extra)
                guard.install(client)  # first, so that no hook of ours or a caller's runs for a write
                for hook in self.hooks:
                    hook(client)
                self._clients[key] = client
            return client

    def known_regions(self) -> dict[str, str]:
        """Every region botocore knows -> its partition."""
        return {region: partition for partition in ("aws", "aws-us-gov", "aws-cn")
                for region in self.session.get_available_regions("ec2", partition_name=partition)}

    def configured_region(self) -> str | None:
        """The region of the profile or environment (AWS_DEFAULT_REGION), if any."""
        return self.session.get_config_variable("region")
