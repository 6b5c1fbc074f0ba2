"""The provisioning tests run against the same moto server fixture as the live audit:
started by the tests on 127.0.0.1, reached by boto3 over HTTP with dummy credentials."""
import pytest

from tests.live.server import moto, moto_server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    """moto answers at once: a wait or an in-use retry that does not end fails the test in
    seconds, not after the half hour real AWS is given (aws.WAIT)."""
    from stackproof.provision import aws

    monkeypatch.setitem(aws.WAIT, "Delay", 0.2)
    monkeypatch.setitem(aws.WAIT, "MaxAttempts", 10)
