"""`stackproof audit --print-iam-policy`: every API call the test audits make is allowed by
the generated policy, and the policy asks for nothing the collectors do not call."""
from __future__ import annotations

import json

from fixtures.scenario import _load_module, load_scenario
from stackproof.cli import main
from stackproof.loaders.live import services
from stackproof.loaders.live.calllog import CallLog
from stackproof.loaders.live.guard import allowed_calls
from stackproof.loaders.live.iam_policy import NO_PERMISSION, all_actions, iam_action, policy
from tests.live.server import ALL_CALLS, audit

ROLE = "arn:aws:iam::222233334444:role/audit"


def extra_estate(clients) -> None:
    """What the three-tier stack lacks, so that every collector call is made at least once."""
    ec2 = clients("ec2", "eu-west-2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    clients("elb", "eu-west-2").create_load_balancer(
        LoadBalancerName="classic", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        Subnets=[subnet])
    clients("autoscaling", "eu-west-2").create_launch_configuration(
        LaunchConfigurationName="legacy", ImageId="ami-12345678", InstanceType="t3.micro")
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    clients("elbv2", "eu-west-2").create_target_group(Name="ssh", Protocol="TCP", Port=22, VpcId=vpc)
    clients("redshift", "eu-west-2").create_cluster(
        ClusterIdentifier="warehouse", NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Not-a-real-secret-1", Encrypted=True)


def test_every_call_of_the_test_audits_is_in_the_policy(moto, capsys):
    scenario = load_scenario("three-tier")
    module = _load_module(scenario.path / "live.py", "iam_three_tier_live")
    module.build(moto.clients())
    extra_estate(moto.clients())
    org = moto.clients()("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    log = CallLog()
    audit(moto, module.REGIONS, hooks=[log.install])
    audit(moto, ["eu-west-2"], hooks=[log.install], role_arns=[ROLE], services=["sqs"])
    audit(moto, ["all"], hooks=[log.install], organization_role="Audit", services=["sqs"])

    assert main(["audit", "--print-iam-policy", "--role-arn", ROLE, "--organization-role", "Audit"]) == 0
    document = json.loads(capsys.readouterr().out)
    allowed = all_actions(document)
    made = {f"{s}:{o}" for s, o in log.operations() | ALL_CALLS.operations()}  # these audits, any earlier test's
    # botocore's S3 HeadBucket is made only to follow a redirect, and needs no permission
    # (tests/live/test_s3_redirects.py)
    assert sorted(c for c in made - NO_PERMISSION if iam_action(c) not in allowed) == []
    assert not {iam_action(c) for c in NO_PERMISSION} & allowed

    # minimal: every read the policy grants was needed by these audits
    read = next(s for s in document["Statement"] if s["Sid"] == "StackproofAuditRead")
    needed = {iam_action(f"{s}:{o}") for s, o in log.operations()}
    assert sorted(set(read["Action"]) - needed) == []


def test_the_policy_is_read_only_and_scoped():
    document = policy(services.SERVICES)
    (read,) = document["Statement"]
    assert read["Effect"] == "Allow" and read["Resource"] == "*"
    # exactly the calls the guard lets through (minus those only the auditing principal makes)
    principal_only = {"sts:AssumeRole", "organizations:ListAccounts"}
    assert set(read["Action"]) == {iam_action(c) for c in allowed_calls() - principal_only - NO_PERMISSION}
    assert "s3:ListBucket" not in read["Action"]  # it would list object keys
    assert "s3:GetEncryptionConfiguration" in read["Action"]  # IAM's name for GetBucketEncryption
    assert "elasticloadbalancing:DescribeTags" in read["Action"]
    with_roles = policy(["sqs"], [ROLE])
    assume = with_roles["Statement"][-1]
    assert assume["Action"] == ["sts:AssumeRole"] and assume["Resource"] == [ROLE]
    assert "sqs:GetQueueAttributes" in with_roles["Statement"][0]["Action"]
    assert not any(a.startswith("ec2:DescribeVpcs") for a in with_roles["Statement"][0]["Action"])


def test_print_iam_policy_needs_no_credentials_and_honours_services(capsys, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["audit", "--print-iam-policy", "--services", "s3"]) == 0
    document = json.loads(capsys.readouterr().out)
    actions = document["Statement"][0]["Action"]
    assert "s3:ListAllMyBuckets" in actions and not [a for a in actions if a.startswith("rds:")]
