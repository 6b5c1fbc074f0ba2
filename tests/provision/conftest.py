"""The provisioning tests run against the same moto server fixture as the live audit:
started by the tests on 127.0.0.1, reached by boto3 over HTTP with dummy credentials."""
from tests.live.server import moto, moto_server  # noqa: F401  (fixtures)
