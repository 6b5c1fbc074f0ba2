"""Waivers and reports on a live audit: `stackproof audit` against a moto server on
127.0.0.1, waivers selecting buckets by ARN glob and by tag, SARIF with ARNs as logical
locations, the HTML header with the account and region audited, and what the audit
could not read in the HTML unknowns register and the Markdown summary.

Three buckets in eu-west-2, each with explicit default encryption:
- legacy-logs: SSE-S3 (AES256) -> s3_bucket_encrypted FAIL, waived by ARN glob;
- data-scratch (tag Team=data): SSE-S3 -> FAIL, waived by tag;
- orders: SSE-KMS -> PASS.
"""
from __future__ import annotations

import json

from stackproof.cli import main
from tests.live.server import moto, moto_server  # noqa: F401  (fixtures)
from tests.reports.conftest import POLICIES, scan, write_waivers
from tests.reports.test_html import cells

REGION = "eu-west-2"


def make_buckets(client) -> None:
    s3 = client("s3", REGION)
    kms_key = client("kms", REGION).create_key(Description="orders")["KeyMetadata"]["Arn"]
    for name, algorithm, tags in (("legacy-logs", "AES256", []), ("data-scratch", "AES256", [("Team", "data")]),
                                  ("orders", "aws:kms", [("Team", "shop")])):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        rule = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": kms_key} if algorithm == "aws:kms" else {})}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": rule}]})
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags]})


def test_an_audit_applies_waivers_by_arn_and_tag_and_reports_arns(moto, tmp_path):  # noqa: F811
    make_buckets(moto.clients())
    waivers = write_waivers(tmp_path / "waivers.yaml", """\
waivers:
  - policy: s3_bucket_encrypted
    resource: "arn:aws:s3:::legacy-*"
    reason: access logs only, deleted after 30 days
    owner: platform@example.com
    expires: 2999-12-31
  - policy: s3_bucket_encrypted
    tags: {Team: data}
    region: eu-*
    reason: scratch data, no customer records
    owner: data@example.com
    ticket: DATA-12
    expires: 2999-12-31
""")
    out = tmp_path / "out"
    code = main(["audit", "--endpoint-url", moto.url, "--regions", REGION, "--services", "s3",
                 "--policy", "s3_bucket_encrypted", "--waivers", str(waivers),
                 "--format", "json,sarif,html", "--output-dir", str(out)])
    report = json.loads((out / "results.json").read_text())
    found = {r["resource"]: r for r in report["results"]}
    assert found["arn:aws:s3:::legacy-logs"]["status"] == "WAIVED"
    assert found["arn:aws:s3:::data-scratch"]["status"] == "WAIVED"
    assert found["arn:aws:s3:::data-scratch"]["waiver"]["ticket"] == "DATA-12"
    assert found["arn:aws:s3:::orders"]["status"] == "PASS"
    assert [w["waived"] for w in report["waivers"]] == [1, 1]
    assert code == 0

    sarif = json.loads((out / "results.sarif").read_text())
    locations = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
                 for r in sarif["runs"][0]["results"]}
    assert set(locations) == {"arn:aws:s3:::legacy-logs", "arn:aws:s3:::data-scratch"}
    assert all("physicalLocation" not in r["locations"][0] and r["suppressions"] for r in locations.values())

    html = (out / "results.html").read_text()
    account = found["arn:aws:s3:::orders"]["location"]["account"]
    assert account and f"<th>accounts</th><td class=\"mono\">{account}</td>" in html
    assert f"<th>regions</th><td class=\"mono\">{REGION}</td>" in html


def test_a_bad_waivers_file_fails_an_audit_before_any_call(tmp_path, capsys):
    waivers = write_waivers(tmp_path / "waivers.yaml", "- policy: s3_bucket_encrypted\n  resource: '*'\n")
    # nothing listens on port 9: had the audit called out, the error would say so
    code = main(["audit", "--endpoint-url", "http://127.0.0.1:9", "--regions", REGION, "--max-attempts", "1",
                 "--waivers", str(waivers), "--format", "json", "--output-dir", str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"stackproof: error: {waivers}:1: waiver for 's3_bucket_encrypted' is missing reason, owner, expires")
    assert not (tmp_path / "out").exists()


def test_what_an_audit_could_not_read_is_in_every_report_per_account_region_service_and_call(
        moto, plan, tmp_path, monkeypatch):  # noqa: F811
    """GetBucketEncryption is denied for both buckets and KMS as a whole in eu-west-2: the
    unknowns register of the HTML report and the Markdown summary name each, with the
    account, region, call and count, and the same when rendered later or merged."""
    from tests.live.faults import Faults
    from tests.live.test_faults import _with_hooks

    s3 = moto.clients()("s3", REGION)
    for name in ("kept", "locked"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    faults = Faults().error(403, "AccessDenied", "Access Denied", service="s3", operation="GetBucketEncryption")
    faults.error(400, "AccessDeniedException", "denied", service="kms")
    monkeypatch.setattr("stackproof.loaders.live.runner.ClientFactory.__init__", _with_hooks(faults.hook))
    out = tmp_path / "out"
    main(["audit", "--endpoint-url", moto.url, "--regions", REGION, "--services", "s3,kms", "--max-attempts", "1",
          "--format", "json,html,markdown", "--output-dir", str(out)])
    account = json.loads((out / "results.json").read_text())["results"][0]["location"]["account"]

    rows = cells((out / "results.html").read_text(), '<table id="not-assessed">', "</table>").rows
    assert [[cell.strip() for cell in row] for row in rows[1:]] == [  # by account, region (global first), service
        [account, "global", "s3 GetBucketEncryption", "2", "access denied (AccessDenied): Access Denied",
         "aws.s3.bucket"],
        [account, REGION, "all of kms", "all", "access denied (AccessDeniedException): denied", "aws.kms.key"],
    ]
    markdown = (out / "results.md").read_text()
    assert (f"- Not read: `all of kms` (account {account}, {REGION}): access denied "
            "(AccessDeniedException): denied.") in markdown
    assert (f"- Not read: `s3 GetBucketEncryption` for 2 resource(s) (account {account}, global): access denied "
            "(AccessDenied): Access Denied.") in markdown

    assert main(["report", str(out / "results.json"), "--format", "html,markdown",
                 "--output-dir", str(tmp_path / "later")]) == 0
    for name in ("results.html", "results.md"):
        assert (tmp_path / "later" / name).read_text() == (out / name).read_text(), name
    scan(plan, *POLICIES, "--format", "json", "--output-dir", tmp_path / "plan")
    assert main(["report", str(out / "results.json"), str(tmp_path / "plan" / "results.json"), "--format", "json",
                 "--output-dir", str(tmp_path / "merged")]) == 0
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    assert merged["run"]["not_assessed"] == json.loads((out / "results.json").read_text())["run"]["not_assessed"]
