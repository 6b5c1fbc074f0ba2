"""`stackproof audit` from the command line: reports, the snapshot re-scanned offline,
bad invocations, secrets kept out, and no boto3 in a plan scan."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from stackproof.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hunter2-do-not-print-me"


def estate(clients) -> None:
    ec2 = clients("ec2", "eu-west-2")
    user_data = base64.b64encode(f"#!/bin/sh\nexport DB_PASSWORD={SECRET}\n".encode()).decode()
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12345678", "InstanceType": "t3.micro", "UserData": user_data,
        "MetadataOptions": {"HttpTokens": "required"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 8}}]})
    clients("autoscaling", "eu-west-2").create_launch_configuration(
        LaunchConfigurationName="legacy", ImageId="ami-12345678", InstanceType="t3.micro", UserData=user_data)
    clients("sqs", "eu-west-2").create_queue(QueueName="plain", Attributes={"SqsManagedSseEnabled": "false"})


def audit_args(moto, tmp_path, *extra):
    return ["audit", "--endpoint-url", moto.url, "--regions", "eu-west-2", "--services", "ec2,autoscaling,sqs",
            "--max-attempts", "2", "--output-dir", str(tmp_path / "out"), *extra]


def test_audit_writes_reports_and_a_snapshot_that_scan_reevaluates(moto, tmp_path, capsys):
    estate(moto.clients())
    snapshot = tmp_path / "snapshot.json"
    code = main(audit_args(moto, tmp_path, "--format", "console,json", "--snapshot", str(snapshot)))
    out = capsys.readouterr().out
    assert code == 1  # the plain queue fails sqs_queue_encrypted
    assert "collecting" not in out  # no progress bar when stdout is not a terminal
    assert f"wrote snapshot {snapshot}" in out
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["run"]["inputs"] == [{"kind": "live", "path": "aws account 123456789012", "sha256": None}]
    assert report["run"]["regions"] == ["eu-west-2"] and report["run"]["not_assessed"] == []
    queue = next(r for r in report["results"] if r["policy"] == "sqs_queue_encrypted")
    assert queue["status"] == "FAIL" and queue["resource"] == "arn:aws:sqs:eu-west-2:123456789012:plain"
    assert queue["location"]["account"] == "123456789012" and queue["location"]["region"] == "eu-west-2"

    # the snapshot scanned offline: the same results, run facts and gate (the audit profile by default)
    assert main(["scan", str(snapshot), "--format", "json", "--output-dir", str(tmp_path / "offline")]) == 1
    offline = json.loads((tmp_path / "offline" / "results.json").read_text())
    assert offline["run"]["inputs"][0]["kind"] == "snapshot"
    strip = lambda results: sorted((r["policy"], r["resource"], r["status"], r["message"]) for r in results)  # noqa: E731
    assert strip(offline["results"]) == strip(report["results"])
    for key in ("accounts", "regions", "collected_at", "not_assessed", "profile"):
        assert offline["run"][key] == report["run"][key], key
    assert offline["run"]["gate"] == report["run"]["gate"]


def test_no_secret_reaches_the_snapshot_or_the_reports(moto, tmp_path, capsys):
    estate(moto.clients())
    snapshot = tmp_path / "snapshot.json"
    main(audit_args(moto, tmp_path, "--format", "console,json,junit", "--snapshot", str(snapshot)))
    printed = capsys.readouterr().out
    encoded = base64.b64encode(f"#!/bin/sh\nexport DB_PASSWORD={SECRET}\n".encode()).decode()
    texts = [printed, snapshot.read_text(), *(p.read_text() for p in (tmp_path / "out").iterdir())]
    for text in texts:
        assert SECRET not in text and encoded not in text
    data = json.loads(snapshot.read_text())
    templates = next(u for u in data["units"] if u["service"] == "ec2")["data"]["launch_templates"]
    assert templates[0]["LatestVersion"]["LaunchTemplateData"]["UserData"] == "(redacted)"


def test_bad_invocations_are_one_line_and_exit_2(moto, tmp_path, capsys, monkeypatch):
    base = ["audit", "--endpoint-url", moto.url, "--format", "json", "--output-dir", str(tmp_path / "out")]
    cases = [
        (["--regions", "eu-west-9"], "--regions: unknown region(s) eu-west-9"),
        (["--regions", ","], "--regions: no region named"),
        (["--regions", " "], "--regions: no region named"),
        (["--regions", "all,eu-west-2"], "--regions: 'all' cannot be combined with region names"),
        (["--regions", "eu-west-2", "--services", "ec2,lambda"], "--services: unknown service(s) lambda"),
        (["--regions", "eu-west-2", "--max-workers", "0"], "--max-workers must be at least 1"),
        (["--regions", "eu-west-2", "--role-arn", "not-an-arn"], "--role-arn: 'not-an-arn' is not an IAM role ARN"),
        (["--regions", "eu-west-2", "--role-arn", "arn:aws:iam::12:role/x"],
         "--role-arn: 'arn:aws:iam::12:role/x' is not an IAM role ARN"),
        (["--regions", "eu-west-2", "--role-arn", "arn:aws:iam::123456789012:user/x"],
         "--role-arn: 'arn:aws:iam::123456789012:user/x' is not an IAM role ARN"),
        (["--regions", "eu-west-2", "--organization-role", "bad role/x"],
         "--organization-role: 'bad role/x' is not an IAM role name"),
        (["--regions", "eu-west-2", "--external-id", "abc123"], "--external-id applies to the roles an audit assumes"),
        (["--print-iam-policy", "--role-arn", "arn:aws:iam::123456789012:role/"],
         "--role-arn: 'arn:aws:iam::123456789012:role/' is not an IAM role ARN"),
    ]
    for extra, message in cases:
        assert main(base + extra) == 2, extra
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"stackproof: error: {message}"), err
    assert not (tmp_path / "out").exists()  # nothing half-written

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    assert main(base + ["--regions", "eu-west-2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot identify the AWS credentials (no AWS credentials)" in err[0]


def test_a_plan_scan_never_imports_boto3(tmp_path):
    plan = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
    code = ("import sys; from stackproof.cli import main; "
            f"main(['scan', {str(plan)!r}, '--format', 'json', '--output-dir', {str(tmp_path)!r}]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_valid_role_options_are_accepted():
    from stackproof.loaders.live.options import LiveOptions, check

    check(LiveOptions(regions=["eu-west-2", ""], external_id="partner-7f3a",
                      role_arns=["arn:aws:iam::123456789012:role/audit",
                                 "arn:aws-us-gov:iam::123456789012:role/security/audit-read",
                                 "arn:aws-cn:iam::123456789012:role/Audit+Read=1,2.3@x_y-z"]))
    check(LiveOptions(regions=["all"], organization_role="OrganizationAccountAccessRole", external_id="xy"))


def test_a_snapshot_scan_lists_what_its_audit_could_not_assess_and_gates_alike(moto, tmp_path, capsys, monkeypatch):
    """A denied per-resource call and a denied service: both in run.not_assessed of the audit
    and of its snapshot scanned offline; the snapshot is judged with the audit profile unless
    --profile says otherwise, so the same snapshot gives the audit's gate."""
    from tests.live.faults import Faults
    from tests.live.test_faults import _with_hooks

    clients = moto.clients()
    for name in ("kept", "locked"):
        clients("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    clients("sqs").create_queue(QueueName="jobs", Attributes={"SqsManagedSseEnabled": "true"})
    faults = Faults().error(403, "AccessDenied", "Access Denied", service="s3", operation="GetBucketEncryption")
    faults.error(400, "AccessDeniedException", "denied", service="kms")
    monkeypatch.setattr("stackproof.loaders.live.runner.ClientFactory.__init__", _with_hooks(faults.hook))
    snapshot = tmp_path / "snapshot.json"
    code = main(["audit", "--endpoint-url", moto.url, "--regions", "eu-west-2", "--services", "s3,sqs,kms",
                 "--max-attempts", "2", "--output-dir", str(tmp_path / "audit"), "--format", "console,json",
                 "--snapshot", str(snapshot)])
    printed = capsys.readouterr().out
    assert code == 1
    audited = json.loads((tmp_path / "audit" / "results.json").read_text())
    entries = {(e["service"], e["call"], e["count"], e["region"]): e for e in audited["run"]["not_assessed"]}
    assert set(entries) == {("s3", "GetBucketEncryption", 2, None), ("kms", None, None, "eu-west-2")}
    encryption = entries[("s3", "GetBucketEncryption", 2, None)]
    assert encryption["reason"] == "access denied (AccessDenied): Access Denied"
    assert encryption["account"] == "123456789012"
    assert "Not assessed (2)" in printed
    assert "account 123456789012 global s3: GetBucketEncryption for 2 resource(s): access denied" in printed

    assert main(["scan", str(snapshot), "--output-dir", str(tmp_path / "offline"), "--format", "console,json"]) == 1
    printed = capsys.readouterr().out
    offline = json.loads((tmp_path / "offline" / "results.json").read_text())
    assert offline["run"]["not_assessed"] == audited["run"]["not_assessed"]
    assert offline["run"]["profile"] == "audit" and offline["run"]["gate"] == audited["run"]["gate"]
    assert "Not assessed (2)" in printed
    # asked for explicitly, the CI profile reports the UNKNOWNs without blocking on them
    main(["scan", str(snapshot), "--output-dir", str(tmp_path / "ci"), "--format", "json", "--profile", "ci"])
    ci = json.loads((tmp_path / "ci" / "results.json").read_text())
    unknown = sum(1 for r in ci["results"] if r["status"] == "UNKNOWN")
    assert ci["run"]["profile"] == "ci" and unknown > 0
    assert ci["run"]["gate"]["blocking"] == audited["run"]["gate"]["blocking"] - unknown


def test_a_snapshot_path_that_cannot_be_written_fails_before_collecting(moto, tmp_path, capsys, monkeypatch):
    def must_not_collect(*_args, **_kwargs):
        raise AssertionError("collected before checking the snapshot path")

    monkeypatch.setattr("stackproof.loaders.live.collect", must_not_collect)
    for target, reason in ((tmp_path / "missing" / "snap.json", "No such file or directory"),
                           (tmp_path, "it is a folder")):
        code = main(["audit", "--endpoint-url", moto.url, "--regions", "eu-west-2", "--format", "json",
                     "--output-dir", str(tmp_path / "out"), "--snapshot", str(target)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and f"cannot write the snapshot: {reason}" in err[0], err
    assert not (tmp_path / "out").exists()
