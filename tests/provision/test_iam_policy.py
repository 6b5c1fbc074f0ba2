"""The calls the handlers declare, which plan's and apply's clients are held to, and the
IAM policy printed from them."""
from __future__ import annotations

import json

import botocore.session
import pytest

from stackproof.cli import main
from stackproof.provision.handlers import HANDLERS, declared
from stackproof.provision.iam_policy import permissions

READ_VERBS = ("Describe", "List", "Get", "Head")


def test_every_declared_call_is_an_operation_of_its_service():
    session = botocore.session.get_session()
    for call in declared("reads") | declared("writes"):
        service, _, operation = call.partition(":")
        assert operation in session.get_service_model(service).operation_names, call


def test_plan_may_only_read():
    assert [c for c in declared("reads") if not c.split(":")[1].startswith(READ_VERBS)] == []
    assert declared("reads") & declared("writes") == frozenset()


def test_the_printed_policy(capsys):
    assert main(["provision", "--print-iam-policy", "--name", "shop"]) == 0
    statements = {s["Sid"]: s for s in json.loads(capsys.readouterr().out)["Statement"]}
    read, write = statements["StackproofProvisionRead"]["Action"], statements["StackproofProvisionWrite"]["Action"]
    assert set(read) == permissions(declared("reads"))
    assert all(action.split(":")[1].startswith(READ_VERBS) for action in read), "plan needs reads only"
    # calls named as IAM names them, including those S3 names otherwise
    assert {"kms:CreateKey", "ec2:CreateVpc", "elasticloadbalancing:CreateLoadBalancer",
            "s3:PutEncryptionConfiguration", "s3:PutReplicationConfiguration", "s3:DeleteObjectVersion",
            "rds:CreateDBInstanceReadReplica"} <= set(write)
    assert {"tag:GetResources", "s3:ListBucket", "s3:GetEncryptionConfiguration"} <= set(read)
    # what AWS checks beyond the calls
    assert {"ec2:RunInstances", "kms:CreateGrant", "secretsmanager:CreateSecret"} <= set(write)
    assert not {"iam:PassRole", "iam:CreateServiceLinkedRole"} & set(write), "in statements of their own"
    assert statements["StackproofProvisionPassReplicationRole"]["Resource"] == "arn:aws:iam::*:role/shop-s3-replication"
    assert "autoscaling.amazonaws.com" in statements["StackproofProvisionServiceLinkedRoles"]["Condition"][
        "StringEquals"]["iam:AWSServiceName"]


@pytest.mark.parametrize("handler", HANDLERS.values(), ids=lambda h: h.type)
def test_every_handler_declares_its_calls(handler):
    assert handler.reads and handler.writes, handler.type
