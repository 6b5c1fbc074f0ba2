"""Waivers: valid ones waive, expired ones fail the gate, malformed ones are refused with
file and line, and ones that match nothing are reported as stale."""
from __future__ import annotations

import json

import pytest

from tests.reports.conftest import scan, scan_json, statuses, write_waivers

FUTURE, PAST = "2999-12-31", "2001-01-01"


def waivers_for_every_failure(expires: str) -> str:
    """One waiver per failing result of the plan (see conftest), selected three ways."""
    return f"""\
waivers:
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.assets
    reason: public website assets, nothing confidential
    owner: web-team@example.com
    ticket: SEC-101
    expires: {expires}
  - policy: "s3_*"
    tags: {{Team: data}}
    reason: scratch space, emptied nightly
    owner: data-team@example.com
    expires: {expires}
  - policy: s3_bucket_public_access_blocked
    resource: "aws_s3_bucket.ass*"
    reason: served through CloudFront only
    owner: web-team@example.com
    expires: {expires}
  - policy: rds_instance_storage_encrypted
    resource: aws_db_instance.main
    reason: legacy database, migration planned
    owner: dba@example.com
    ticket: DB-7
    expires: {expires}
"""


def test_valid_waivers_waive_every_failure_and_the_gate_holds(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(FUTURE))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers)
    assert code == 0
    found = statuses(report)
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.assets")] == "WAIVED"
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.scratch")] == "WAIVED"  # by its Team=data tag
    assert found[("s3_bucket_public_access_blocked", "aws_s3_bucket.scratch")] == "WAIVED"  # an UNKNOWN, by tag
    assert found[("s3_bucket_public_access_blocked", "aws_s3_bucket.assets")] == "WAIVED"  # by glob
    assert found[("rds_instance_storage_encrypted", "aws_db_instance.main")] == "WAIVED"
    # passing results are never turned into waived ones
    assert found[("s3_bucket_encrypted", "aws_s3_bucket.logs")] == "PASS"
    waived = next(r for r in report["results"] if r["resource"] == "aws_db_instance.main")
    assert waived["waiver"]["owner"] == "dba@example.com" and waived["waiver"]["ticket"] == "DB-7"
    assert waived["waiver"]["waived_status"] == "FAIL" and waived["waiver"]["expired"] is False
    assert waived["waiver"]["source"].endswith("waivers.yaml:18")
    assert [w["status"] for w in report["waivers"]] == ["active"] * 4
    assert [w["waived"] for w in report["waivers"]] == [1, 2, 1, 1]


def test_an_expired_waiver_no_longer_waives_and_fails_the_gate(plan, tmp_path, capsys):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(PAST))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--format", "console,json")
    assert code == 1
    db = next(r for r in report["results"] if r["resource"] == "aws_db_instance.main")
    assert db["status"] == "FAIL"
    assert db["waiver"]["expired"] is True and db["waiver"]["expires"] == PAST
    assert {w["status"] for w in report["waivers"]} == {"expired"}
    assert report["run"]["gate"]["expired_waivers"] == 4
    out = capsys.readouterr().out
    assert f"waiver expired {PAST}" in out and "expired waiver" in out


def test_an_expired_waiver_blocks_only_what_would_block_without_it(plan, tmp_path):
    """Below the floor an expired waiver's results are reported, marked expired, and do
    not block: they would not block had there never been a waiver."""
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(PAST))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--severity-floor", "critical")
    assert code == 0  # every failure of the plan is high, not critical
    db = next(r for r in report["results"] if r["resource"] == "aws_db_instance.main")
    assert db["status"] == "FAIL" and db["waiver"]["expired"] is True
    assert report["run"]["gate"]["expired_waivers"] == 0
    assert {w["status"] for w in report["waivers"]} == {"expired"}  # still listed, to be renewed or removed


def test_an_expired_waiver_on_an_unknown_blocks_only_under_the_audit_profile(plan, tmp_path):
    # the scratch bucket's public access block is UNKNOWN (restrict_public_buckets after apply)
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: s3_bucket_public_access_blocked
  resource: aws_s3_bucket.scratch
  reason: scratch space
  owner: data-team@example.com
  expires: {PAST}
""")
    code, report = scan_json(plan, tmp_path / "ci", "--waivers", waivers)
    scratch = next(r for r in report["results"] if r["resource"] == "aws_s3_bucket.scratch"
                   and r["policy"] == "s3_bucket_public_access_blocked")
    assert scratch["status"] == "UNKNOWN" and scratch["waiver"]["expired"] is True
    # ci: an UNKNOWN does not block, waiver or no waiver; the plan's four FAILs do
    assert report["run"]["gate"]["blocking"] == 4 and report["run"]["gate"]["expired_waivers"] == 0
    code, report = scan_json(plan, tmp_path / "audit", "--waivers", waivers, "--profile", "audit")
    assert report["run"]["gate"]["blocking"] == 5 and report["run"]["gate"]["expired_waivers"] == 1


def test_an_expired_waiver_that_matched_only_passing_results_blocks_nothing(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: s3_bucket_encrypted
  resource: aws_s3_bucket.logs
  reason: was unencrypted once
  owner: platform@example.com
  expires: {PAST}
- policy: s3_bucket_encrypted
  resource: aws_s3_bucket.gone
  reason: removed last quarter
  owner: platform@example.com
  expires: {PAST}
""")
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--format", "json,html")
    assert report["run"]["gate"]["expired_waivers"] == 0
    assert report["run"]["gate"]["blocking"] == 4  # the plan's own failures, as without waivers
    logs, gone = report["waivers"]
    assert logs["status"] == gone["status"] == "expired"
    assert logs["note"] == f"expired on {PAST}; it matched only passing or not applicable results: remove it"
    assert gone["note"] == f"expired on {PAST} and matched no result: remove it"
    verdict = (tmp_path / "out" / "results.html").read_text()
    verdict = verdict[verdict.index('id="verdict"'):].split("</p>")[0]
    assert "Gate fails: 4 blocking result(s)" in verdict and "waiver" not in verdict


def counted_plan(tmp_path):
    """Unencrypted buckets made by count (data[0], data[1]) and for_each (site["a"], site["b"])."""
    from fixtures.planbuilder import PlanBuilder

    b = PlanBuilder({"aws": "eu-west-2"})
    b.add_count("aws_s3_bucket.data", 2, lambda i: {"bucket": f"acme-data-{i}", "tags": {"Name": f"data-{i}"}})
    for key in ("a", "b"):
        b.add(f'aws_s3_bucket.site["{key}"]', {"bucket": f"acme-site-{key}", "tags": {"Name": key}})
    path = tmp_path / "counted.json"
    path.write_text(b.dumps())
    return path


@pytest.mark.parametrize("selector,waived", [
    ("aws_s3_bucket.data[0]", {"aws_s3_bucket.data[0]"}),
    ('aws_s3_bucket.site["b"]', {'aws_s3_bucket.site["b"]'}),
    ("aws_s3_bucket.data[*]", {"aws_s3_bucket.data[0]", "aws_s3_bucket.data[1]"}),
    ('aws_s3_bucket.site["?"]', {'aws_s3_bucket.site["a"]', 'aws_s3_bucket.site["b"]'}),
    ("aws_s3_bucket.data[01]", set()),  # brackets are text, not a character class
])
def test_a_waiver_names_count_and_for_each_addresses_as_terraform_writes_them(tmp_path, selector, waived):
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: s3_bucket_encrypted
  resource: '{selector}'
  reason: legacy buckets
  owner: web-team@example.com
  expires: {FUTURE}
""")
    code = scan(counted_plan(tmp_path), "--policy", "s3_bucket_encrypted", "--waivers", waivers,
                "--format", "json", "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    found = {r["resource"]: r["status"] for r in report["results"]}
    assert set(found) == {"aws_s3_bucket.data[0]", "aws_s3_bucket.data[1]", 'aws_s3_bucket.site["a"]',
                          'aws_s3_bucket.site["b"]'}
    assert {address for address, status in found.items() if status == "WAIVED"} == waived
    assert {address for address, status in found.items() if status == "FAIL"} == set(found) - waived
    assert code == (0 if len(waived) == 4 else 1)


def test_a_waiver_for_an_indexed_subnet_of_the_example_plan(tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: subnet_data_tier_private
  resource: aws_subnet.data[0]
  reason: a migration subnet, routed through the firewall next quarter
  owner: network@example.com
  expires: {FUTURE}
""")
    from tests.conftest import ROOT

    scan(ROOT / "examples" / "insecure-plan.json", "--policy", "subnet_data_tier_private", "--waivers", waivers,
         "--format", "json", "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    found = {r["resource"]: r["status"] for r in report["results"]}
    assert found["aws_subnet.data[0]"] == "WAIVED"
    assert found["aws_subnet.data[1]"] == "FAIL"  # the waiver names data[0] only
    assert report["waivers"][0]["status"] == "active"


def test_patterns_treat_only_star_and_question_mark_as_wildcards():
    from stackproof.waivers import matches

    assert matches("aws_subnet.data[0]", "aws_subnet.data[0]")
    assert not matches("aws_subnet.data0", "aws_subnet.data[0]")  # fnmatch would say yes
    assert matches('module.app.aws_s3_bucket.this["logs"]', "module.app.*")
    assert matches("arn:aws:s3:::legacy-logs", "arn:aws:s3:::legacy-?ogs")
    assert not matches("arn:aws:s3:::legacy-logs", "arn:aws:s3:::legacy")
    assert matches("a.b", "a.b") and not matches("axb", "a.b")  # a dot is a dot


def test_a_waiver_valid_through_today_still_waives(plan, tmp_path):
    from stackproof.waivers import today_utc

    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(today_utc().isoformat()))
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers)
    assert code == 0 and report["summary"]["WAIVED"] == 5


def test_a_waiver_that_matches_nothing_is_stale(plan, tmp_path, capsys):
    text = waivers_for_every_failure(FUTURE) + f"""\
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.gone
    reason: bucket removed last quarter
    owner: web-team@example.com
    expires: {FUTURE}
  - policy: s3_bucket_encrypted
    resource: aws_s3_bucket.logs
    reason: was unencrypted once
    owner: platform@example.com
    expires: {FUTURE}
"""
    waivers = write_waivers(tmp_path / "waivers.yaml", text)
    code, report = scan_json(plan, tmp_path / "out", "--waivers", waivers, "--format", "console,json")
    assert code == 0  # a stale waiver is reported, it does not fail the gate
    gone, logs = report["waivers"][4], report["waivers"][5]
    assert (gone["status"], gone["matched"], gone["note"]) == ("stale", 0, "matched no result")
    assert (logs["status"], logs["matched"], logs["waived"]) == ("stale", 1, 0)  # matched a passing bucket
    assert "stale waiver" in capsys.readouterr().out


def test_a_waiver_for_a_policy_not_run_is_not_called_stale(plan, tmp_path):
    waivers = write_waivers(tmp_path / "waivers.yaml", waivers_for_every_failure(FUTURE))
    code = scan(plan, "--policy", "s3_bucket_encrypted", "--waivers", waivers, "--format", "json",
                "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert code == 0
    assert report["waivers"][3]["status"] == "not evaluated"  # the rds waiver


def test_an_error_result_is_never_waived():
    from datetime import date

    from stackproof.results import Result
    from stackproof.waivers import Waiver, apply_waivers

    crashed = Result("s3_bucket_encrypted", "ERROR", "high", "aws_s3_bucket.a", "aws.s3.bucket", "tfplan",
                     "the check raised KeyError: 'x'")
    waiver = Waiver("s3_bucket_encrypted", "r", "o", date(2999, 1, 1), "w.yaml", 2, resource="*")
    register = apply_waivers([crashed], [waiver], lambda r: None, ["s3_bucket_encrypted"], date(2025, 1, 1))
    assert crashed.status == "ERROR" and register[0]["status"] == "stale"


def test_a_tag_waiver_reads_the_tags_of_the_results_own_input(tmp_path):
    """Two plans with the same address, aws_s3_bucket.assets, both unencrypted: the first
    tagged Team=web, the second Team=data. A waiver by tag Team=data waives the second
    plan's result only; the first's stays FAIL."""
    from fixtures.planbuilder import PlanBuilder

    plans = []
    for name, team in (("web.json", "web"), ("data.json", "data")):
        b = PlanBuilder({"aws": "eu-west-2"})
        b.add("aws_s3_bucket.assets", {"bucket": f"acme-{team}-assets", "tags": {"Team": team}})
        plans.append(tmp_path / name)
        plans[-1].write_text(b.dumps())
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: s3_bucket_encrypted
  tags: {{Team: data}}
  reason: the data team's buckets move to KMS next quarter
  owner: data@example.com
  expires: {FUTURE}
""")
    scan(*plans, "--policy", "s3_bucket_encrypted", "--waivers", waivers, "--format", "json",
         "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    found = {(r["location"]["file"], r["resource"]): r["status"] for r in report["results"]}
    assert found == {(str(plans[0]), "aws_s3_bucket.assets"): "FAIL", (str(plans[1]), "aws_s3_bucket.assets"): "WAIVED"}
    assert report["waivers"][0]["waived"] == 1


CONDITIONAL_BUCKETS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment: {Type: String, AllowedValues: [prod, dev], Default: dev}
  Owner: {Type: String, Default: ""}
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
  IsDev: !Not [!Condition IsProd]
  HasOwner: !Not [!Equals [!Ref Owner, ""]]
Resources:
  ProdData:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      Tags: [{Key: Team, Value: data}]
  DevData:
    Type: AWS::S3::Bucket
    Condition: IsDev
    Properties:
      Tags: [{Key: Team, Value: data}]
  Shared:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: Team, Value: !If [IsProd, data, web]}]
  HandedOver:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: !If
        - IsProd
        - ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: alias/web}
        - !Ref AWS::NoValue
      Tags:
        - {Key: Team, Value: !If [IsProd, web, data]}
        - {Key: Owner, Value: !If [HasOwner, !Ref Owner, nobody]}
"""


def test_a_tag_waiver_reads_the_tags_of_each_condition_scenario(tmp_path):
    """A bucket with no encryption named fails s3_bucket_encrypted. ProdData exists only in
    production and DevData only outside it, both tagged Team=data: both are waived,
    whichever scenario comes first. Shared is Team=data in production and Team=web
    elsewhere, failing in both: outside production nothing waives it, so it stays FAIL.
    HandedOver uses a KMS key in production (Team=web) and fails only outside it, where
    it is Team=data whoever its Owner tag names: the waiver covers every scenario it fails
    in, so it is waived (its finding names the cause, "when IsProd is false", not the
    scenarios, which tell owners apart too)."""
    template = tmp_path / "template.yaml"
    template.write_text(CONDITIONAL_BUCKETS)
    waivers = write_waivers(tmp_path / "waivers.yaml", f"""\
- policy: s3_bucket_encrypted
  tags: {{Team: data}}
  reason: the data team's buckets move to KMS next quarter
  owner: data@example.com
  expires: {FUTURE}
""")
    scan(template, "--policy", "s3_bucket_encrypted", "--waivers", waivers, "--format", "json",
         "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    found = {r["resource"]: r["status"] for r in report["results"]}
    assert found == {"ProdData": "WAIVED", "DevData": "WAIVED", "Shared": "FAIL", "HandedOver": "WAIVED"}


@pytest.mark.parametrize("entry,line,message", [
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    owner: a@example.com\n    expires: 2999-01-01\n",
     2, "is missing reason"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: because\n    expires: 2999-01-01\n",
     2, "is missing owner"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: because\n    owner: a@example.com\n",
     2, "is missing expires"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: '  '\n    owner: a\n    expires: 2999-01-01\n",
     4, "is missing reason"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: r\n    owner: a\n    expires: next year\n",
     6, "is not a date"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n"
     "    expiry: 2999-01-01\n", 7, "unknown waiver field 'expiry'"),
    ("  - policy: s3_bucket_encrypteed\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n",
     2, "no policy in the catalogue matches"),
    ("  - policy: s3_bucket_encrypted\n    reason: r\n    owner: a\n    expires: 2999-01-01\n",
     2, "needs a resource selector"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: a: b\n", 4, "invalid YAML"),
    ("  - policy: s3_bucket_encrypted\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n"
     "  - s3_bucket_public_access_blocked\n", 7, "waiver #2 must be a mapping"),
    ("  - policy: '*'\n    resource: '*'\n    reason: r\n    owner: a\n    expires: 2999-01-01\n",
     3, "would waive every finding of every policy"),
    ("  - policy: '*'\n    tags: {}\n    account: '111122223333'\n    reason: r\n    owner: a\n"
     "    expires: 2999-01-01\n", 2, "needs a resource selector"),
])
def test_a_malformed_waiver_is_refused_with_file_and_line(plan, tmp_path, capsys, entry, line, message):
    waivers = write_waivers(tmp_path / "waivers.yaml", "waivers:\n" + entry)
    out = tmp_path / "out"
    assert scan(plan, "--waivers", waivers, "--format", "json,html", "--output-dir", out) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"stackproof: error: {waivers}:{line}: ") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()  # nothing half-written


def test_a_missing_waivers_file_is_an_input_error(plan, tmp_path, capsys):
    assert scan(plan, "--waivers", tmp_path / "nope.yaml", "--format", "json", "--output-dir", tmp_path / "o") == 2
    assert "cannot read the waivers file" in capsys.readouterr().err
