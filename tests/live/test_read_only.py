"""The audit is read-only by construction: every client it makes refuses writes before
they are sent, whatever the role would allow (moto allows everything)."""
from __future__ import annotations

import pytest

from stackproof.loaders.live import guard, services
from stackproof.loaders.live.accounts import CALLS as ACCOUNT_CALLS
from stackproof.loaders.live.clients import ClientFactory
from stackproof.loaders.live.guard import ReadOnlyViolation, is_read_operation
from tests.live.server import live_options

AUDITED_SERVICES = sorted({call.split(":")[0] for name in services.SERVICES
                           for call in services.collector(name).CALLS} | {"sts", "organizations"})


@pytest.mark.parametrize("service,operation,allowed", [
    ("ec2", "DescribeVpcs", True),
    ("s3", "GetBucketEncryption", True),
    ("s3", "HeadBucket", True),
    ("rds", "ListTagsForResource", True),
    ("sts", "GetCallerIdentity", True),
    ("sts", "AssumeRole", True),
    ("ec2", "CreateVpc", False),
    ("ec2", "AuthorizeSecurityGroupIngress", False),
    ("s3", "PutBucketPolicy", False),
    ("s3", "DeleteBucket", False),
    ("rds", "ModifyDBInstance", False),
    ("kms", "ScheduleKeyDeletion", False),
    ("sts", "GetSessionToken", False),  # an STS call the audit does not need
    ("iam", "CreateAccessKey", False),
])
def test_which_operations_are_reads(service, operation, allowed):
    assert is_read_operation(service, operation) is allowed


def test_collectors_declare_only_reads():
    declared = {c for name in services.SERVICES for c in services.collector(name).CALLS} | set(ACCOUNT_CALLS)
    assert [c for c in sorted(declared) if not is_read_operation(*c.split(":"))] == []


def _first_write(client) -> str:
    model = client.meta.service_model
    return next(op for op in model.operation_names if not is_read_operation(model.service_name, op))


@pytest.mark.parametrize("service", AUDITED_SERVICES)
def test_every_audit_client_refuses_a_write_before_sending(service, moto_server):
    sent = []
    factory = ClientFactory(live_options(moto_server, ["eu-west-2"],
                                         hooks=[lambda c: c.meta.events.register("before-send", lambda **kw: sent.append(kw))]))
    client = factory.client(service, "eu-west-2")
    operation = _first_write(client)
    with pytest.raises(ReadOnlyViolation, match=f"refused {client.meta.service_model.service_name}:{operation}"):
        # no parameters: the guard answers before botocore even validates them
        client._make_api_call(operation, {})
    assert sent == []


def test_a_refused_write_never_reaches_the_server(moto):
    sent = []
    factory = ClientFactory(live_options(moto, ["eu-west-2"],
                                         hooks=[lambda c: c.meta.events.register("before-send", lambda **kw: sent.append(kw))]))
    before = moto.clients()("ec2").describe_vpcs()["Vpcs"]
    with pytest.raises(ReadOnlyViolation):
        factory.client("ec2", "eu-west-2").create_vpc(CidrBlock="10.99.0.0/16")
    with pytest.raises(ReadOnlyViolation):
        factory.client("s3", "eu-west-2").create_bucket(Bucket="must-not-exist")
    assert sent == []
    assert moto.clients()("ec2").describe_vpcs()["Vpcs"] == before
    assert "must-not-exist" not in [b["Name"] for b in moto.clients()("s3").list_buckets()["Buckets"]]
    # reads go through the same clients
    assert factory.client("ec2", "eu-west-2").describe_vpcs()["Vpcs"] == before
    assert len(sent) == 1


def test_the_guard_is_installed_before_any_other_hook(moto_server):
    order = []
    factory = ClientFactory(live_options(moto_server, ["eu-west-2"], hooks=[
        lambda c: c.meta.events.register("before-parameter-build", lambda **_: order.append("hook"))]))
    with pytest.raises(ReadOnlyViolation):
        factory.client("ec2", "eu-west-2").delete_vpc(VpcId="vpc-1")
    assert order == []  # the guard refused first; a caller's hook never saw the write
    assert guard.READ_PREFIXES == ("Describe", "List", "Get", "Head")
