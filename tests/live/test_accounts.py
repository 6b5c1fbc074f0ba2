"""Several accounts in one audit: roles to assume, or every account of an organization.
moto keys its accounts by the credentials an AssumeRole returns, as AWS does."""
from __future__ import annotations

import pytest

from stackproof.errors import InputError
from stackproof.rules import FAIL, PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, evaluate

PROD, STAGING = "222233334444", "333344445555"


def queue_in(moto, account: str, name: str, encrypted: bool) -> None:
    clients = moto.clients(moto.assume(f"arn:aws:iam::{account}:role/setup"))
    attributes = {"SqsManagedSseEnabled": "true" if encrypted else "false"}
    clients("sqs", "eu-west-2").create_queue(QueueName=name, Attributes=attributes, tags={"Name": name})


def test_roles_in_two_accounts_give_one_report_with_both(moto, catalogue):
    queue_in(moto, PROD, "orders", encrypted=True)
    queue_in(moto, STAGING, "scratch", encrypted=False)
    roles = [f"arn:aws:iam::{PROD}:role/audit", f"arn:aws:iam::{STAGING}:role/audit"]
    snapshot, inventory = audit(moto, ["eu-west-2"], role_arns=roles, services=["sqs"])
    assert snapshot.accounts == [PROD, STAGING]  # the caller's own account is not audited when roles are given
    found = {(r.account, r.name): r for r in evaluate(inventory, catalogue) if r.policy == "sqs_queue_encrypted"}
    assert set(found) == {(PROD, "orders"), (STAGING, "scratch")}
    assert found[(PROD, "orders")].status == PASS
    assert found[(PROD, "orders")].resource == f"arn:aws:sqs:eu-west-2:{PROD}:orders"
    assert found[(PROD, "orders")].region == "eu-west-2"
    assert found[(STAGING, "scratch")].status == FAIL


def test_every_account_of_an_organization(moto, catalogue):
    org = moto.clients()("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
               for name in ("prod", "staging")]
    queue_in(moto, members[0], "payments", encrypted=True)
    snapshot, inventory = audit(moto, ["eu-west-2"], organization_role="OrganizationAccountAccessRole",
                                services=["sqs"])
    me = moto.clients()("sts").get_caller_identity()["Account"]
    assert sorted(snapshot.accounts) == sorted([me, *members])
    payments = [r for r in evaluate(inventory, catalogue) if r.name == "payments"]
    assert payments and all(r.account == members[0] for r in payments)


def _regions_answer(*regions: str) -> bytes:
    """A DescribeRegions answer as EC2 words it (the endpoint names are text; nothing connects to them)."""
    items = "".join(f"<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.example.invalid</regionEndpoint>"
                    f"<optInStatus>opt-in-not-required</optInStatus></item>" for r in regions)
    return (f'<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
            f"<regionInfo>{items}</regionInfo></DescribeRegionsResponse>").encode()


def per_account_regions(moto, answers):
    """A client hook answering DescribeRegions per account: account -> raw answer (or an error)."""
    def hook(client):
        if client.meta.service_model.service_name != "ec2":
            return
        frozen = client._request_signer._credentials.get_frozen_credentials()
        account = moto.clients({"aws_access_key_id": frozen.access_key, "aws_secret_access_key": frozen.secret_key,
                                "aws_session_token": frozen.token})("sts").get_caller_identity()["Account"]
        if account in answers:
            answers[account].hook(client)
    return hook


def test_regions_all_are_each_accounts_own_and_a_denied_account_is_a_gap(moto, catalogue):
    queue_in(moto, PROD, "orders", encrypted=True)
    clients = moto.clients(moto.assume(f"arn:aws:iam::{PROD}:role/setup"))
    clients("sqs", "eu-west-1").create_queue(QueueName="not-enabled-in-prod")
    queue_in(moto, STAGING, "scratch", encrypted=False)
    answers = {
        PROD: Faults().body(200, _regions_answer("eu-west-2"), service="ec2", operation="DescribeRegions"),
        STAGING: Faults().error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.",
                                service="ec2", operation="DescribeRegions"),
    }
    roles = [f"arn:aws:iam::{PROD}:role/audit", f"arn:aws:iam::{STAGING}:role/audit"]
    snapshot, inventory = audit(moto, ["all"], hooks=[per_account_regions(moto, answers)], role_arns=roles,
                                services=["sqs"])
    assert {(u.account, u.region) for u in snapshot.units} == {(PROD, "eu-west-2")}
    assert snapshot.regions == ["eu-west-2"]
    (gap,) = snapshot.account_gaps
    assert gap["account"] == STAGING
    assert gap["reason"] == ("cannot list the enabled regions: access denied (UnauthorizedOperation): "
                             "You are not authorized to perform this operation.")
    found = {(r.account, r.name or r.resource, r.status) for r in evaluate(inventory, catalogue)
             if r.policy == "sqs_queue_encrypted"}
    assert found == {(PROD, "orders", PASS), (STAGING, f"account {STAGING} (--regions all)", UNKNOWN)}


def test_sts_and_organizations_are_asked_in_the_audited_partition(moto):
    org = moto.clients()("organizations", "us-gov-west-1")
    org.create_organization(FeatureSet="ALL")
    asked = []
    snapshot, _ = audit(moto, ["us-gov-west-1"], organization_role="OrganizationAccountAccessRole",
                        services=["sqs"], hooks=[lambda c: asked.append((c.meta.service_model.service_name,
                                                                         c.meta.region_name))])
    assert snapshot.partition == "aws-us-gov"
    assert {region for _, region in asked} == {"us-gov-west-1"}, asked
    assert {service for service, _ in asked} >= {"sts", "organizations"}


def test_regions_of_two_partitions_are_refused(moto):
    with pytest.raises(InputError, match="--regions: the regions are in different partitions"):
        audit(moto, ["eu-west-2", "us-gov-west-1"], services=["sqs"])


def test_an_account_that_lists_no_region_is_a_gap(moto, catalogue):
    queue_in(moto, PROD, "orders", encrypted=True)
    answers = {PROD: Faults().body(200, _regions_answer(), service="ec2", operation="DescribeRegions")}
    snapshot, _ = audit(moto, ["all"], hooks=[per_account_regions(moto, answers)],
                        role_arns=[f"arn:aws:iam::{PROD}:role/audit"], services=["sqs", "s3"])
    assert snapshot.units == []
    (gap,) = snapshot.account_gaps
    assert gap["account"] == PROD and gap["reason"] == "cannot list the enabled regions: DescribeRegions listed none"
