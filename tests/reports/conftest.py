"""Plans and helpers for the report, waiver and baseline tests.

The plans are small and built with fixtures/planbuilder.py, so the expected verdicts
follow from reading them:

- aws_s3_bucket.assets: no default encryption and no public access block, so
  s3_bucket_encrypted FAIL and s3_bucket_public_access_blocked FAIL. Its Name tag holds
  markup and quotes, which every report must show as text.
- aws_s3_bucket.logs: SSE-KMS and all four public access block settings on: both PASS.
- aws_s3_bucket.scratch (tag Team=data): SSE-S3 (AES256), so s3_bucket_encrypted FAIL;
  restrict_public_buckets is unknown until apply, so s3_bucket_public_access_blocked UNKNOWN.
- aws_db_instance.main: storage_encrypted = false, so rds_instance_storage_encrypted FAIL.

The "after" variant is the next commit: assets gets SSE-KMS (its encryption FAIL is
fixed), a new bucket aws_s3_bucket.uploads without encryption appears (a new FAIL), and
the rest is unchanged (still failing).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.cli import main

KEY_ARN = "arn:aws:kms:eu-west-2:111122223333:key/0b1c2d3e-0000-4000-8000-000000000001"
HOSTILE_NAME = """<script>window.__pwned = 1</script>"'&<b>bold</b>"""
# Only the policies these plans are about, so other policies in the catalogue do not
# change the gate these tests reason about.
POLICIES = ("--policy", "s3_bucket_encrypted", "--policy", "s3_bucket_public_access_blocked",
            "--policy", "rds_instance_storage_encrypted")


def _bucket(b: PlanBuilder, name: str, tags: dict, sse: str | None, block: dict | None) -> None:
    b.add(f"aws_s3_bucket.{name}", {"bucket": f"acme-{name}", "force_destroy": False, "tags": tags})
    if sse:
        rule = {"sse_algorithm": sse, **({"kms_master_key_id": KEY_ARN} if sse == "aws:kms" else {})}
        b.add(f"aws_s3_bucket_server_side_encryption_configuration.{name}", {
            "bucket": ref(f"aws_s3_bucket.{name}"),
            "rule": [{"apply_server_side_encryption_by_default": [rule], "bucket_key_enabled": True}]})
    if block:
        b.add(f"aws_s3_bucket_public_access_block.{name}", {"bucket": ref(f"aws_s3_bucket.{name}"), **block})


ALL_ON = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
          "restrict_public_buckets": True}


def build_plan(variant: str = "before") -> dict:
    b = PlanBuilder({"aws": "eu-west-2"})
    _bucket(b, "assets", {"Name": HOSTILE_NAME, "Team": "web"}, "aws:kms" if variant == "after" else None, None)
    _bucket(b, "logs", {"Name": "logs", "Team": "platform"}, "aws:kms", ALL_ON)
    _bucket(b, "scratch", {"Name": "scratch", "Team": "data"}, "AES256",
            {**ALL_ON, "restrict_public_buckets": ref("aws_s3_bucket.scratch", "region")})
    if variant == "after":
        _bucket(b, "uploads", {"Name": "uploads", "Team": "web"}, None, ALL_ON)
    b.add("aws_db_instance.main", {
        "identifier": "main", "engine": "postgres", "instance_class": "db.t3.micro", "allocated_storage": 20,
        "storage_encrypted": False, "publicly_accessible": False, "multi_az": True, "username": "app",
        "tags": {"Name": "main-db"}})
    return b.build()


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(build_plan("before"), indent=1))
    return path


@pytest.fixture
def next_plan(tmp_path) -> Path:
    path = tmp_path / "next-plan.json"
    path.write_text(json.dumps(build_plan("after"), indent=1))
    return path


def next_commit(plan_path: Path) -> Path:
    """Rewrite the plan as the next commit's, at the same path (as CI writes plan.json
    again on every run), so a baseline of the first compares with it by fingerprint."""
    plan_path.write_text(json.dumps(build_plan("after"), indent=1))
    return plan_path


def scan(*args) -> int:
    return main(["scan", *map(str, args)])


def scan_json(plan_path: Path, out: Path, *args) -> tuple[int, dict]:
    """Scan with the policies above and return the exit code and the JSON report."""
    code = scan(plan_path, *POLICIES, "--format", "json", "--output-dir", out, *args)
    report_path = out / "results.json"
    return code, (json.loads(report_path.read_text()) if report_path.exists() else {})


def statuses(report: dict) -> dict[tuple[str, str], str]:
    return {(r["policy"], r["resource"]): r["status"] for r in report["results"]}


# A waiver of aws_db_instance.main's rds_instance_storage_encrypted FAIL that does not expire.
DB_WAIVER = """\
- policy: rds_instance_storage_encrypted
  resource: aws_db_instance.main
  reason: legacy database, migration planned
  owner: dba@example.com
  expires: 2999-12-31
"""


def write_waivers(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
