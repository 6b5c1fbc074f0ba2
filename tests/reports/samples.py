"""A hand-built report with one of everything a reporter must show.

Seven results: 1 PASS, 3 FAIL (one new since the baseline, one whose waiver expired),
1 UNKNOWN, 1 WAIVED and 1 ERROR; two waivers (one active, one expired); changes since a
baseline (1 new, 1 fixed, 2 still failing, 1 now waived, and 2 findings of a policy this
run did not run, not compared). The gate (profile ci, floor low) fails with 4 blocking
results: the three FAILs and the ERROR.
"""
from __future__ import annotations

from stackproof.report import PolicyInfo, Report
from stackproof.results import Result

HOSTILE = "<script>alert(1)</script>"

ACTIVE_WAIVER = {"policy": "rds_instance_storage_encrypted", "selector": "aws_db_instance.main",
                 "reason": "legacy database, migration planned", "owner": "dba@example.com", "ticket": "DB-7",
                 "expires": "2999-12-31", "source": "waivers.yaml:2", "status": "active", "note": "waives 1 result(s)",
                 "matched": 1, "waived": 1}
EXPIRED_WAIVER = {"policy": "vpc_s3_gateway_endpoint", "selector": "aws_vpc.main", "reason": "endpoint next sprint",
                  "owner": "net@example.com", "ticket": None, "expires": "2026-01-31", "source": "waivers.yaml:9",
                  "status": "expired",
                  "note": "expired on 2026-01-31: 1 failing or unknown result(s) it matched are no longer waived",
                  "matched": 1, "waived": 0, "no_longer_waived": 1}


def sample_results() -> list[Result]:
    def r(policy, status, severity, resource, line, message, **extra) -> Result:
        return Result(policy, status, severity, resource, extra.pop("kind", "aws.resource"), "tfplan", message,
                      file="plan.json", line=line, region="eu-west-2", **extra)

    return [
        r("s3_bucket_encrypted", "FAIL", "high", "aws_s3_bucket.assets", 8, "no default encryption configured",
          name=HOSTILE),
        r("s3_bucket_encrypted", "PASS", "high", "aws_s3_bucket.logs", 29, "default encryption aws:kms"),
        r("rds_instance_not_public", "FAIL", "critical", "aws_db_instance.main", 40,
          "publicly_accessible is true | reachable from the internet",
          evidence={"paths": [{"from": "internet (IPv4)", "traffic": "tcp/5432", "certain": True,
                               "path": "internet (IPv4) -> igw-1 -> rtb-pub (0.0.0.0/0 -> igw-1) -> "
                                       "sg-db ingress tcp/5432 from 0.0.0.0/0 -> main"}]}),
        r("s3_bucket_public_access_blocked", "UNKNOWN", "high", "aws_s3_bucket.scratch", 20,
          "restrict_public_buckets not known until apply"),
        r("rds_instance_storage_encrypted", "WAIVED", "high", "aws_db_instance.main", 40,
          "storage is not encrypted", waiver={**ACTIVE_WAIVER, "expired": False, "waived_status": "FAIL"}),
        r("lb_listener_tls", "ERROR", "medium", "aws_lb_listener.web", 60, "the check raised KeyError: 'port'"),
        r("vpc_s3_gateway_endpoint", "FAIL", "low", "aws_vpc.main", 2, "no S3 gateway endpoint",
          waiver={**EXPIRED_WAIVER, "expired": True, "waived_status": "FAIL"}),
    ]


def sample_report() -> Report:
    results = sample_results()
    policies = {
        "s3_bucket_encrypted": PolicyInfo(
            "s3_bucket_encrypted", "S3 buckets encrypt objects by default with a KMS key", "high", "encryption",
            "Objects are encrypted at rest.", {"terraform": 'sse_algorithm = "aws:kms"'},
            {"iso-27001-2022": ["A.8.24"], "soc2": ["CC6.1"]}),
        "rds_instance_not_public": PolicyInfo(
            "rds_instance_not_public", "RDS instances are not publicly accessible", "critical", "exposure",
            "A database is never reachable from the internet.", {}, {"iso-27001-2022": ["A.8.20", "A.8.22"]}),
        "vpc_s3_gateway_endpoint": PolicyInfo(
            "vpc_s3_gateway_endpoint", "VPCs reach S3 through a gateway endpoint", "low", "exposure", "", {}, {}),
    }
    fixed = Result("s3_bucket_encrypted", "FAIL", "high", "aws_s3_bucket.old", "aws.resource", "tfplan",
                   "no default encryption configured").to_dict()
    fixed["now"] = "GONE"
    changes = {"baseline": {"path": "previous.json", "sha256": "ab" * 32, "started_at": "2026-02-01T00:00:00+00:00",
                            "results": 6},
               "new": [results[2].fingerprint], "still_failing": [results[0].fingerprint, results[6].fingerprint],
               "now_waived": [results[4].fingerprint], "fixed": [fixed],
               "not_compared": {"findings": 2, "by_policy": {"ebs_volume_encrypted": 2},
                                "why": ["policies this run did not run: ebs_volume_encrypted"]}}
    run = {"started_at": "2026-03-01T09:30:00+00:00", "profile": "ci", "severity_floor": "low", "environment": None,
           "inputs": [{"kind": "tfplan", "path": "plan.json", "sha256": "cd" * 32}], "policies_evaluated": 3,
           "resources": 6, "gate": {"holds": False, "blocking": 4, "fail_on": "all", "expired_waivers": 1}}
    return Report(results, policies, run, {"name": "stackproof", "version": "9.9.9"},
                  [ACTIVE_WAIVER, EXPIRED_WAIVER], changes)
