"""A large report made up for the HTML size test and benchmarks/bench_html.py.

The real catalogue's policies, and results shaped like a big estate's: Terraform
addresses in modules, Name tags, messages of the usual length, about one in ten with
evidence (a third of those a reachability witness path), waivers and a baseline.
"""
from __future__ import annotations

import random

from stackproof.catalogue import load_catalogue
from stackproof.report import Report, policy_infos
from stackproof.results import Result

MIX = (("PASS", 60), ("FAIL", 20), ("UNKNOWN", 8), ("NOT_APPLICABLE", 6), ("WAIVED", 5), ("ERROR", 1))
REASONS = ("storage_encrypted is unknown: known after apply", "kms_key_id is unknown: known after apply",
           "the route table is unknown: known after apply", "not assessed: AccessDenied on rds:DescribeDBInstances")


def synthetic_report(count: int, seed: int = 7) -> Report:
    rng = random.Random(seed)
    policies = list(load_catalogue())
    statuses = [s for s, weight in MIX for _ in range(weight)]
    results = []
    for i in range(count):
        policy = policies[i % len(policies)]
        status = rng.choice(statuses)
        kind = policy.kinds[0]
        module = f"module.service_{i % 97}."
        address = f'{module}{kind.replace(".", "_")}.this["item-{i}"]'
        message = {
            "PASS": "encrypted with arn:aws:kms:eu-west-2:111122223333:key/0b1c2d3e-0000-4000-8000-00000000aaaa",
            "FAIL": "no default encryption configured; S3 applies SSE-S3 (AES256) to new objects, not a KMS key",
            "UNKNOWN": rng.choice(REASONS),
            "NOT_APPLICABLE": "an Aurora member of aws_rds_cluster.main; its storage is the cluster's",
            "WAIVED": "storage is not encrypted (storage_encrypted is false)",
            "ERROR": "the check raised KeyError: 'rule'",
        }[status]
        evidence = {}
        if i % 10 == 0:
            evidence = {"ports": [443, 5432], "source": "0.0.0.0/0"}
            if i % 30 == 0:
                evidence["path"] = ["0.0.0.0/0", "igw-0a1b2c", "rtb-public (0.0.0.0/0 -> igw-0a1b2c)",
                                    "nacl-public rule 100", "sg-web tcp/443", address]
        waiver = None
        if status == "WAIVED":
            waiver = {"policy": policy.id, "selector": f"{module}*", "reason": "accepted until the migration",
                      "owner": "platform@example.com", "ticket": "SEC-1", "expires": "2999-12-31",
                      "expired": False, "source": "waivers.yaml:2", "waived_status": "FAIL"}
        results.append(Result(policy.id, status, policy.severity, address, kind, "tfplan", message,
                              name=f"service-{i % 97}-item-{i}", file="plans/estate.json", line=10 + i * 12,
                              region="eu-west-2", evidence=evidence, waiver=waiver))
    failing = [r.fingerprint for r in results if r.status in ("FAIL", "ERROR", "UNKNOWN")]
    changes = {"baseline": {"path": "previous.json", "sha256": "0" * 64, "started_at": "2026-01-01T00:00:00+00:00",
                            "results": count},
               "new": failing[: len(failing) // 10], "still_failing": failing[len(failing) // 10:], "fixed": []}
    waivers = [{"policy": p.id, "selector": f"module.service_{k}.*", "reason": "accepted until the migration",
                "owner": "platform@example.com", "ticket": "SEC-1", "expires": "2999-12-31",
                "source": f"waivers.yaml:{2 + 7 * k}", "status": "active", "note": "waives some result(s)",
                "matched": 5, "waived": 5} for k, p in enumerate(policies[:20])]
    run = {"started_at": "2026-03-01T09:30:00+00:00", "profile": "ci", "severity_floor": "low", "environment": None,
           "inputs": [{"kind": "tfplan", "path": "plans/estate.json", "sha256": "e" * 64}],
           "policies_evaluated": len(policies), "resources": count,
           "gate": {"holds": False, "blocking": len(failing), "fail_on": "all", "expired_waivers": 0}}
    return Report(results, policy_infos(policies), run, waivers=waivers, changes=changes)
