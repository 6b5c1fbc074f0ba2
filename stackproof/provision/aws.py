"""boto3 clients for one provisioning run: one session, one endpoint, adaptive retries,
and only the operations the run declares.

boto3 is imported here, when a run starts, never when the command line is built.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

ClientHook = Callable[[Any], None]
# What a run reads besides the handlers: who the caller is, the region's zones, the AMI.
ACCOUNT_READS = ("sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones", "ssm:GetParameter")


class UndeclaredCall(RuntimeError):
    """An operation the run does not allow (a write during plan, or one no handler declares)."""


class Aws:
    """Clients per (service, region), created on first use.

    ``endpoint_url`` sends every client to one endpoint (a moto server, LocalStack);
    ``on_client`` hooks see each new client before its first call (tests record the
    operations a plan makes with them). ``allowed`` ("service:Operation") is what the
    clients may call: the applier sets it to the declared reads for plan, and to the
    declared reads and writes for apply and destroy; anything else is refused before it
    is sent (moto, like a role with too many rights, would accept it).
    """

    def __init__(self, session: Any = None, endpoint_url: str | None = None,
                 on_client: Iterable[ClientHook] = (), home_region: str | None = None,
                 max_attempts: int = 10) -> None:
        import boto3
        from botocore.config import Config

        self.session = session or boto3.Session()
        self.endpoint_url = endpoint_url
        self.home_region = home_region
        self.on_client = list(on_client)
        self.config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts},
                             user_agent_extra="stackproof-provision")
        self._clients: dict[tuple[str, str], Any] = {}
        self._account: str | None = None
        self._zones: dict[str, list[str]] = {}
        self._parameters: dict[tuple[str, str], str] = {}
        self._listings: dict[tuple[str, str, str, str], list[Any]] = {}
        self.allowed: frozenset[str] = frozenset()

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            from ..loaders.live import guard

            client = self.session.client(service, region_name=region, endpoint_url=self.endpoint_url,
                                         config=self.config)
            guard.install(client, self._refuse_undeclared)  # the audit's guard, held to this run's calls
            for hook in self.on_client:
                hook(client)
            self._clients[key] = client
        return self._clients[key]

    def _refuse_undeclared(self, service: str, operation: str) -> None:
        call = f"{service}:{operation}"
        if call not in self.allowed:
            raise UndeclaredCall(f"refused {call}: not among the calls this run may make "
                                 "(plan makes only declared reads; see stackproof provision --print-iam-policy)")

    def listing(self, service: str, region: str, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item of a listing, asked once and then shared (every find of a type, the
        sweep for the stack's tag) until the run writes something (forget)."""
        import json

        cache_key = (service, region, operation, json.dumps(params, sort_keys=True))
        if cache_key not in self._listings:
            client = self.client(service, region)
            if client.can_paginate(operation):
                self._listings[cache_key] = paginate(client, operation, key, **params)
            else:
                self._listings[cache_key] = getattr(client, operation)(**params).get(key, [])
        return self._listings[cache_key]

    def forget(self) -> None:
        """Listings are stale once the run writes."""
        self._listings.clear()

    def account_id(self) -> str:
        if self._account is None:
            self._account = self.client("sts", self.home_region or "us-east-1").get_caller_identity()["Account"]
        return self._account

    def zones(self, region: str) -> list[str]:
        """The region's available Availability Zones, by name."""
        if region not in self._zones:
            found = self.client("ec2", region).describe_availability_zones(
                Filters=[{"Name": "state", "Values": ["available"]},
                         {"Name": "zone-type", "Values": ["availability-zone"]}])
            self._zones[region] = sorted(z["ZoneName"] for z in found["AvailabilityZones"])
        return self._zones[region]

    def ssm_parameter(self, region: str, name: str) -> str:
        key = (region, name)
        if key not in self._parameters:
            self._parameters[key] = self.client("ssm", region).get_parameter(Name=name)["Parameter"]["Value"]
        return self._parameters[key]


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a listing, through the operation's paginator."""
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


WAIT = {"Delay": 15, "MaxAttempts": 120}  # up to 30 minutes: RDS and ElastiCache take their time
