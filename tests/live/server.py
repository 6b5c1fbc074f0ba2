"""A moto server on 127.0.0.1 for the live-audit tests, and helpers to audit it.

The server is started by the tests themselves (moto's ThreadedMotoServer, a free port)
and reached by boto3 over HTTP with dummy credentials. Every audit client is checked
to point at it: nothing may reach a real AWS endpoint.
"""
from __future__ import annotations

import logging
import os
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pytest

from stackproof.loaders.live.calllog import CallLog

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
# Every API call any test audit makes, for the IAM policy test.
ALL_CALLS = CallLog()


@dataclass
class Moto:
    url: str

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30).read()

    def clients(self, credentials: dict[str, str] | None = None) -> Callable[..., Any]:
        """``clients(service, region)``: unguarded boto3 clients for building fixtures."""
        import boto3

        session = boto3.Session(**(credentials or {}))
        made: dict[tuple[str, str], Any] = {}

        def client(service: str, region: str = "eu-west-2") -> Any:
            if (service, region) not in made:
                made[(service, region)] = session.client(service, region_name=region, endpoint_url=self.url)
            return made[(service, region)]

        return client

    def assume(self, role_arn: str) -> dict[str, str]:
        """Credentials of a role in another account (moto keys its accounts by them)."""
        answer = self.clients()("sts").assume_role(RoleArn=role_arn, RoleSessionName="fixture")["Credentials"]
        return {"aws_access_key_id": answer["AccessKeyId"], "aws_secret_access_key": answer["SecretAccessKey"],
                "aws_session_token": answer["SessionToken"]}


def local_only(url: str) -> Callable[[Any], None]:
    def check(client: Any) -> None:
        assert client.meta.endpoint_url.rstrip("/") == url, f"a client points at {client.meta.endpoint_url}"
    return check


def live_options(moto: Moto, regions: Iterable[str], hooks: Iterable[Callable[[Any], None]] = (), **options: Any):
    from stackproof.loaders.live import LiveOptions

    options.setdefault("max_attempts", 2)
    return LiveOptions(regions=list(regions), endpoint_url=moto.url,
                       client_hooks=[local_only(moto.url), ALL_CALLS.install, *hooks], **options)


def audit(moto: Moto, regions: Iterable[str], hooks: Iterable[Callable[[Any], None]] = (), **options: Any):
    """Collect from the moto server; returns (snapshot, inventory)."""
    from stackproof.loaders.live import collect, inventory_of

    snapshot = collect(live_options(moto, regions, hooks, **options))
    return snapshot, inventory_of(snapshot)


def evaluate(inventory: Any, catalogue: Any) -> list[Any]:
    from stackproof.run import RunOptions, run

    report, _ = run(inventory, catalogue, RunOptions())
    return report.results


def result_of(inventory: Any, catalogue: Any, policy: str, name: str) -> Any:
    """The one result of the policy on the resource of that name."""
    (found,) = [r for r in evaluate(inventory, catalogue) if r.policy == policy and r.name == name]
    return found


@pytest.fixture(scope="session")
def moto_server():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        from moto.server import ThreadedMotoServer

        # moto logs every request, and a traceback for each call it does not implement
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield Moto(f"http://127.0.0.1:{port}")
        finally:
            server.stop()


@pytest.fixture
def moto(moto_server: Moto) -> Moto:
    """The server, emptied first."""
    moto_server.reset()
    return moto_server
