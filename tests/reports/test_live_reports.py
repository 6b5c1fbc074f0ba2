"""Waivers and reports on a live audit: `stackproof audit` against a moto server on
127.0.0.1, waivers selecting buckets by ARN glob and by tag, SARIF with ARNs as logical
locations, the HTML header with the account and region audited.

Three buckets in eu-west-2, each with explicit default encryption:
- legacy-logs: SSE-S3 (AES256) -> s3_bucket_encrypted FAIL, waived by ARN glob;
- data-scratch (tag Team=data): SSE-S3 -> FAIL, waived by tag;
- orders: SSE-KMS -> PASS.
"""
from __future__ import annotations

import json

from stackproof.cli import main
from tests.live.server import moto, moto_server  # noqa: F401  (fixtures)
from tests.reports.conftest import write_waivers

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
