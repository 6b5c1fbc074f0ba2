"""A large report made up for the HTML size test and benchmarks/bench_html.py.

The real catalogue's policies, and results shaped like a big estate's: Terraform
addresses in modules, Name tags, messages of the usual length, and evidence as the
engine writes it. About a third of the results carry evidence (as in real scans of the
corpus and of live accounts, where 25-33% do, 230-350 characters of JSON on average,
up to 1,400): reachability witness paths as the network engine writes them (one to
three paths of ~250 characters, each a single " -> " string), the hops that block,
availability zones, size deltas, allowed lists. One result in twenty comes from a
CloudFormation template and names its condition scenario. Waivers and a baseline too.
"""
from __future__ import annotations

import random

from stackproof.catalogue import load_catalogue
from stackproof.report import Report, policy_infos
from stackproof.results import Result

MIX = (("PASS", 55), ("FAIL", 22), ("UNKNOWN", 8), ("NOT_APPLICABLE", 8), ("WAIVED", 5), ("ERROR", 2))
REASONS = ("storage_encrypted is unknown: known after apply", "kms_key_id is unknown: known after apply",
           "the route table is unknown: known after apply", "not assessed: AccessDenied on rds:DescribeDBInstances")
TLS_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10"]


def witness(rng: random.Random, i: int, name: str) -> dict:
    """One reachability path, as checks/network.py puts it in evidence."""
    port = rng.choice((22, 443, 3389, 5432))
    return {"from": "internet (IPv4)", "traffic": f"tcp/{port}",
            "path": (f"internet (IPv4) -> igw-0a1b2c3d{i % 89:02d} -> public IP (associate_public_ip_address) -> "
                     f"rtb-public-{i % 7} (0.0.0.0/0 -> igw-0a1b2c3d{i % 89:02d}) -> nacl-edge inbound rule 100, "
                     f"return outbound rule 100 -> sg-web-{i % 13} ingress tcp/{port} from 0.0.0.0/0 -> {name}"),
            "certain": rng.random() > 0.1}


def evidence(rng: random.Random, i: int, name: str) -> dict:
    kind = i % 9
    if kind in (0, 1, 2):
        return {"paths": [witness(rng, i + k, name) for k in range(rng.choice((1, 1, 2, 3)))]}
    if kind == 3:
        return {"blocked": [f"in subnet-data-{z}: it has no public address (publicly_accessible is off)"
                            for z in "abc"[:rng.choice((1, 2, 3))]]}
    if kind == 4:
        return {"azs": [f"eu-west-2{z}" for z in "abc"[:rng.choice((1, 2, 3))]], "min_azs": 2}
    if kind == 5:
        return {"before_gb": 100, "after_gb": rng.choice((100, 200, 800)), "max_growth": 2.0}
    if kind == 6:
        return {"allowed": TLS_POLICIES}
    if kind == 7:
        return {"replication": {"destination": f"arn:aws:s3:::acme-dr-{i}", "region": "eu-west-1", "status": "Enabled"}}
    return {"kms_key_id": "arn:aws:kms:eu-west-2:111122223333:key/0b1c2d3e-0000-4000-8000-00000000aaaa"}


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
        name = f"service-{i % 97}-item-{i}"
        message = {
            "PASS": "encrypted with arn:aws:kms:eu-west-2:111122223333:key/0b1c2d3e-0000-4000-8000-00000000aaaa",
            "FAIL": "no default encryption configured; S3 applies SSE-S3 (AES256) to new objects, not a KMS key",
            "UNKNOWN": rng.choice(REASONS),
            "NOT_APPLICABLE": "an Aurora member of aws_rds_cluster.main; its storage is the cluster's",
            "WAIVED": "storage is not encrypted (storage_encrypted is false)",
            "ERROR": "the check raised KeyError: 'rule'",
        }[status]
        waiver = None
        if status == "WAIVED":
            waiver = {"policy": policy.id, "selector": f"{module}*", "reason": "accepted until the migration",
                      "owner": "platform@example.com", "ticket": "SEC-1", "expires": "2999-12-31",
                      "expired": False, "source": "waivers.yaml:2", "waived_status": "FAIL"}
        template = i % 20 == 0
        results.append(Result(
            policy.id, status, policy.severity, f"AppBucket{i}" if template else address, kind,
            "cloudformation" if template else "tfplan", message, name=name,
            file="templates/app.yaml" if template else "plans/estate.json", line=10 + i * 12, region="eu-west-2",
            scenario="when IsProduction is true and UseReplica is false" if template and i % 40 == 0 else None,
            evidence=evidence(rng, i, name) if rng.random() < 0.33 else {}, waiver=waiver))
    failing = [r.fingerprint for r in results if r.status in ("FAIL", "ERROR", "UNKNOWN")]
    blocking = sum(1 for r in results if r.status in ("FAIL", "ERROR"))  # profile ci, floor low
    changes = {"baseline": {"path": "previous.json", "sha256": "0" * 64, "started_at": "2026-01-01T00:00:00+00:00",
                            "results": count},
               "new": failing[: len(failing) // 10], "still_failing": failing[len(failing) // 10:], "fixed": []}
    waivers = [{"policy": p.id, "selector": f"module.service_{k}.*", "reason": "accepted until the migration",
                "owner": "platform@example.com", "ticket": "SEC-1", "expires": "2999-12-31",
                "source": f"waivers.yaml:{2 + 7 * k}", "status": "active", "note": "waives some result(s)",
                "matched": 5, "waived": 5} for k, p in enumerate(policies[:20])]
    run = {"started_at": "2026-03-01T09:30:00+00:00", "profile": "ci", "severity_floor": "low", "environment": None,
           "inputs": [{"kind": "tfplan", "path": "plans/estate.json", "sha256": "e" * 64},
                      {"kind": "cloudformation", "path": "templates/app.yaml", "sha256": "f" * 64}],
           "policies_evaluated": len(policies), "resources": count,
           "gate": {"holds": False, "blocking": blocking, "fail_on": "all", "expired_waivers": 0}}
    return Report(results, policy_infos(policies), run, waivers=waivers, changes=changes)
