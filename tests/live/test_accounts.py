"""Several accounts in one audit: roles to assume, or every account of an organization.
moto keys its accounts by the credentials an AssumeRole returns, as AWS does."""
from __future__ import annotations

from stackproof.rules import FAIL, PASS
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
