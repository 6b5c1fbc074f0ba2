"""The audit is read-only by construction: every client it makes refuses, before it is
sent, any operation the collectors do not declare (writes, and reads of data or
secrets such as GetObject or GetSecretValue), whatever the role would allow (moto
allows everything)."""
from __future__ import annotations

import pytest

from stackproof.loaders.live import guard, services
from stackproof.loaders.live.accounts import CALLS as ACCOUNT_CALLS
from stackproof.loaders.live.clients import ClientFactory
from stackproof.loaders.live.guard import ReadOnlyViolation, is_allowed
from tests.live.server import live_options

AUDITED_SERVICES = sorted({call.split(":")[0] for name in services.SERVICES
                           for call in services.collector(name).CALLS} | {"sts", "organizations"})


@pytest.mark.parametrize("service,operation,allowed", [
    ("ec2", "DescribeVpcs", True),
    ("s3", "GetBucketEncryption", True),
    ("rds", "ListTagsForResource", True),
    ("kms", "DescribeKey", True),  # declared by the dynamodb collector as well as the kms one
    ("sts", "GetCallerIdentity", True),
    ("sts", "AssumeRole", True),
    ("organizations", "ListAccounts", True),
    ("ec2", "DescribeRegions", True),
    # writes
    ("ec2", "CreateVpc", False),
    ("ec2", "AuthorizeSecurityGroupIngress", False),
    ("s3", "PutBucketPolicy", False),
    ("s3", "DeleteBucket", False),
    ("rds", "ModifyDBInstance", False),
    ("kms", "ScheduleKeyDeletion", False),
    ("iam", "CreateAccessKey", False),
    # named like reads, but they read data or secrets, or change something
    ("s3", "GetObject", False),
    ("s3", "HeadObject", False),
    ("secretsmanager", "GetSecretValue", False),
    ("ssm", "GetParameters", False),
    ("ec2", "GetPasswordData", False),
    ("ecr", "GetAuthorizationToken", False),
    ("redshift", "GetClusterCredentials", False),  # AutoCreate makes a database user
    ("cognito-identity", "GetId", False),  # creates an identity
    ("dynamodb", "GetItem", False),
    ("sts", "GetSessionToken", False),  # an STS call the audit does not need
    ("ec2", "DescribeImages", False),  # a read, but not one the collectors make
])
def test_only_the_declared_calls_are_allowed(service, operation, allowed):
    assert is_allowed(service, operation) is allowed


def test_every_declared_call_is_allowed_and_nothing_else():
    declared = {c for name in services.SERVICES for c in services.collector(name).CALLS} | set(ACCOUNT_CALLS)
    assert guard.allowed_calls() == declared


def _first_write(client) -> str:
    model = client.meta.service_model
    return next(op for op in model.operation_names
                if not op.startswith(("Describe", "List", "Get", "Head")) and not is_allowed(model.service_name, op))


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


@pytest.mark.parametrize("service,method,params", [
    ("s3", "get_object", {"Bucket": "evidence", "Key": "customers.csv"}),
    ("secretsmanager", "get_secret_value", {"SecretId": "prod/db"}),
    ("ssm", "get_parameters", {"Names": ["/prod/db/password"], "WithDecryption": True}),
    ("ec2", "get_password_data", {"InstanceId": "i-1234567890abcdef0"}),
    ("redshift", "get_cluster_credentials", {"DbUser": "auditor", "ClusterIdentifier": "dw", "AutoCreate": True}),
    ("cognito-identity", "get_id", {"IdentityPoolId": "eu-west-2:00000000-0000-0000-0000-000000000000"}),
    ("ecr", "get_authorization_token", {}),
])
def test_a_read_the_collectors_do_not_declare_is_refused_before_sending(service, method, params, moto):
    sent = []
    factory = ClientFactory(live_options(moto, ["eu-west-2"],
                                         hooks=[lambda c: c.meta.events.register("before-send", lambda **kw: sent.append(kw))]))
    client = factory.client(service, "eu-west-2")
    operation = client.meta.method_to_api_mapping[method]
    with pytest.raises(ReadOnlyViolation, match=f"refused {service}:{operation}: an audit makes only the read calls"):
        getattr(client, method)(**params)
    assert sent == []


def test_the_guard_is_on_the_clients_of_assumed_roles(moto):
    from stackproof.loaders.live.accounts import assume

    factory = ClientFactory(live_options(moto, ["eu-west-2"]))
    target = assume(factory, "eu-west-2", "arn:aws:iam::222233334444:role/audit", None)
    client = factory.client("s3", "eu-west-2", target.credentials)
    assert client.list_buckets()["Buckets"] == []
    with pytest.raises(ReadOnlyViolation):
        client.create_bucket(Bucket="must-not-exist")
    with pytest.raises(ReadOnlyViolation):
        client.get_object(Bucket="any", Key="any")
