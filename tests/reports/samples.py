"""Hand-built reports: one of everything a reporter must show, and a live audit's.

sample_report: seven results: 1 PASS, 3 FAIL (one new since the baseline, one whose
waiver expired), 1 UNKNOWN, 1 WAIVED and 1 ERROR; two waivers (one active, one expired);
changes since a baseline (1 new, 1 fixed, 2 still failing, 1 now waived, and 2 findings
of a policy this run did not run, not compared). The gate (profile ci, floor low) fails
with 4 blocking results: the three FAILs and the ERROR.

live_report: a live audit of two accounts, with ARNs, what it could not read, and a
network result the engine could not decide, with its long message and three paths.
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


# --- a live audit's report -------------------------------------------------------------

ACCOUNT, OTHER_ACCOUNT = "111122223333", "444455556666"
SUBNET_GROUP = f"arn:aws:rds:eu-west-1:{ACCOUNT}:subgrp:three-tier-data"
# A path the network engine could not follow to the end (the database's subnet group is
# not in what the audit read), as it writes one: each unknown hop says why.
UNSURE_PATH = (f"asg-app -> sg-app egress all traffic to 0.0.0.0/0 -> acl-9b4b of subnet app-a: outbound rule 100, "
               f"return inbound rule 100 -> rtb-app-a ((unknown) -> vpce-s3) (possibly: a route in rtb-app-a goes to "
               f"prefix list pl-ad1a, whose entries are not in the inputs) -> (unknown subnet) (possibly: its subnet "
               f"is unknown: DB subnet group {SUBNET_GROUP} is not in the inputs) -> (unknown route table) "
               f"(possibly: its subnet is unknown: DB subnet group {SUBNET_GROUP} is not in the inputs) -> "
               f"(private IP unknown) (possibly: asg-app may have any address of app-a) -> db-dr-replica")
UNSURE_WHY = [f"its subnet is unknown: DB subnet group {SUBNET_GROUP} is not in the inputs",
              "a route in rtb-app-a goes to prefix list pl-ad1a, whose entries are not in the inputs"]


def live_results() -> list[Result]:
    def r(policy, status, severity, resource, region, message, **extra) -> Result:
        return Result(policy, status, severity, resource, extra.pop("kind", "aws.resource"), "live", message,
                      account=extra.pop("account", ACCOUNT), region=region, **extra)

    database = f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:three-tier-db-dr"
    paths = [{"from": f"asg-app-{i}", "traffic": "all traffic", "certain": False, "unknowns": UNSURE_WHY,
              "path": UNSURE_PATH} for i in range(3)]
    return [
        r("ebs_volume_encrypted", "FAIL", "high", f"arn:aws:ec2:eu-west-2:{ACCOUNT}:volume/vol-0a1b", "eu-west-2",
          "volume is not encrypted (encrypted = false)", name="web-root"),
        r("s3_bucket_encrypted", "PASS", "high", "arn:aws:s3:::orders-111122223333", "eu-west-2",
          "default encryption aws:kms"),
        r("s3_bucket_encrypted", "UNKNOWN", "high", "arn:aws:s3:::legacy-logs", "eu-west-2",
          "default encryption is unknown: GetBucketEncryption failed: access denied (AccessDenied): Access Denied"),
        r("kms_key_rotation_enabled", "UNKNOWN", "medium", f"account {ACCOUNT} eu-west-1 kms", "eu-west-1",
          "not assessed: access denied (AccessDeniedException): User is not authorized to perform kms:ListKeys"),
        r("network_tier_isolation", "UNKNOWN", "high", database, "eu-west-1",
          "tier app possibly reaches tier data on all traffic, depending on " + "; ".join(UNSURE_WHY) + ": "
          + UNSURE_PATH, name="db-dr-replica", evidence={"paths": paths, "more_paths": 2}),
    ]


def live_report() -> Report:
    """A live audit of two accounts: the role could not be assumed in the second, KMS was
    denied in eu-west-1 and GetBucketEncryption for one bucket (see
    loaders/live/notassessed.py for the entries)."""
    from stackproof.loaders.live import notassessed

    not_assessed = [
        notassessed.entry(f"account {ACCOUNT} global s3: GetBucketEncryption for 1 resource(s)",
                          "access denied (AccessDenied): Access Denied", ("aws.s3.bucket",), ACCOUNT, None, "s3",
                          "GetBucketEncryption", 1),
        notassessed.entry(f"account {ACCOUNT} eu-west-1 kms", "access denied (AccessDeniedException): User is not "
                          "authorized to perform kms:ListKeys", ("aws.kms.key",), ACCOUNT, "eu-west-1", "kms"),
        notassessed.entry(f"arn:aws:iam::{OTHER_ACCOUNT}:role/audit", "cannot assume the role: access denied "
                          "(AccessDenied): not authorized to perform sts:AssumeRole",
                          ("aws.s3.bucket", "aws.kms.key", "aws.rds.db_instance", "aws.ec2.volume"), OTHER_ACCOUNT),
    ]
    run = {"started_at": "2026-03-01T02:00:00+00:00", "profile": "audit", "severity_floor": "low",
           "environment": None, "inputs": [{"kind": "live", "path": f"aws accounts {ACCOUNT}, {OTHER_ACCOUNT}"}],
           "accounts": [ACCOUNT, OTHER_ACCOUNT], "regions": ["eu-west-1", "eu-west-2"], "policies_evaluated": 4,
           "resources": 5, "not_assessed": not_assessed,
           "gate": {"holds": False, "blocking": 4, "fail_on": "all", "expired_waivers": 0}}
    from stackproof.catalogue import load_catalogue
    from stackproof.report import policy_infos

    results = live_results()
    policies = policy_infos(p for p in load_catalogue() if p.id in {r.policy for r in results})
    return Report(results, policies, run, {"name": "stackproof", "version": "9.9.9"})
