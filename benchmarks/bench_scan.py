"""Full-scan benchmark: generated plans of 1,000, 10,000 and 50,000 resources.

    python benchmarks/bench_scan.py [SIZES...]

Each plan is generated with fixtures/planbuilder.py from repeated "cells" (a VPC with
subnets, route tables, security groups and rules, a database, a bucket with its split
resources, a launch template, an auto scaling group, an instance, keys, a queue...), with
references unknown until apply, as in a real first plan. Each scan runs in a fresh
process: `stackproof scan plan.json --format json`, the whole catalogue. Printed: wall
time of the process (start-up, imports, load, evaluate, write) and its peak memory.
Target (issue 2): 10,000 resources in under 2 s and 400 MB.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.planbuilder import PlanBuilder, ref  # noqa: E402

AZS = ("eu-west-2a", "eu-west-2b", "eu-west-2c")


def add_cell(b: PlanBuilder, k: int) -> None:
    """One cell: 23 resources that reference each other."""
    t = {"Name": f"cell-{k}", "Environment": "prod" if k % 2 else "staging"}
    vpc = b.add(f"aws_vpc.v{k}", {"cidr_block": "10.0.0.0/16", "tags": t})
    for i in range(3):
        b.add(f"aws_subnet.s{k}_{i}", {"vpc_id": ref(vpc), "cidr_block": f"10.0.{i}.0/24",
                                      "availability_zone": AZS[i], "map_public_ip_on_launch": False, "tags": t})
    b.add(f"aws_route_table.r{k}", {"vpc_id": ref(vpc), "route": [], "tags": t})
    for i in range(3):
        b.add(f"aws_route_table_association.a{k}_{i}", {"subnet_id": ref(f"aws_subnet.s{k}_{i}"),
                                                        "route_table_id": ref(f"aws_route_table.r{k}")})
    b.add(f"aws_security_group.g{k}", {"name": f"g{k}", "vpc_id": ref(vpc), "ingress": [], "egress": [], "tags": t})
    for port in (443, 5432):
        b.add(f"aws_security_group_rule.g{k}_{port}", {
            "type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": ["10.0.0.0/16"],
            "security_group_id": ref(f"aws_security_group.g{k}")})
    b.add(f"aws_kms_key.k{k}", {"enable_key_rotation": True, "tags": t})
    b.add(f"aws_db_subnet_group.d{k}", {"name": f"d{k}", "subnet_ids": [ref(f"aws_subnet.s{k}_{i}") for i in range(3)],
                                       "tags": t})
    b.add(f"aws_db_instance.db{k}", {
        "identifier": f"db{k}", "engine": "postgres", "instance_class": "db.m6g.large", "allocated_storage": 100,
        "storage_encrypted": True, "kms_key_id": ref(f"aws_kms_key.k{k}", "arn"), "multi_az": True,
        "publicly_accessible": False, "backup_retention_period": 7, "deletion_protection": True,
        "db_subnet_group_name": ref(f"aws_db_subnet_group.d{k}", "name"),
        "vpc_security_group_ids": [ref(f"aws_security_group.g{k}")], "tags": t})
    b.add(f"aws_s3_bucket.b{k}", {"bucket": f"bucket-{k}", "tags": t})
    b.add(f"aws_s3_bucket_versioning.b{k}", {"bucket": ref(f"aws_s3_bucket.b{k}"),
                                            "versioning_configuration": [{"status": "Enabled"}]})
    b.add(f"aws_s3_bucket_public_access_block.b{k}", {
        "bucket": ref(f"aws_s3_bucket.b{k}"), "block_public_acls": True, "block_public_policy": True,
        "ignore_public_acls": True, "restrict_public_buckets": True})
    b.add(f"aws_s3_bucket_server_side_encryption_configuration.b{k}", {
        "bucket": ref(f"aws_s3_bucket.b{k}"),
        "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms",
                                                               "kms_master_key_id": ref(f"aws_kms_key.k{k}", "arn")}]}]})
    b.add(f"aws_launch_template.lt{k}", {
        "name": f"lt{k}", "instance_type": "t3.small", "vpc_security_group_ids": [ref(f"aws_security_group.g{k}")],
        "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"encrypted": "true", "volume_size": 20}]}],
        "metadata_options": [{"http_tokens": "required"}], "tags": t})
    b.add(f"aws_autoscaling_group.asg{k}", {
        "name": f"asg{k}", "min_size": 2, "max_size": 6, "desired_capacity": 3,
        "vpc_zone_identifier": [ref(f"aws_subnet.s{k}_{i}") for i in range(3)],
        "launch_template": [{"id": ref(f"aws_launch_template.lt{k}"), "version": "$Latest"}], "tags": t})
    b.add(f"aws_instance.i{k}", {"instance_type": "t3.micro", "subnet_id": ref(f"aws_subnet.s{k}_0"),
                                 "associate_public_ip_address": False,
                                 "root_block_device": [{"encrypted": True, "volume_size": 20}], "tags": t})
    b.add(f"aws_ebs_volume.e{k}", {"availability_zone": AZS[0], "size": 100, "type": "gp3", "encrypted": True,
                                   "tags": t})
    b.add(f"aws_sqs_queue.q{k}", {"name": f"q{k}", "kms_master_key_id": ref(f"aws_kms_key.k{k}", "arn"), "tags": t})


CELL_SIZE = 23


def generate(resources: int, path: Path) -> int:
    b = PlanBuilder({"aws": "eu-west-2"})
    for k in range(-(-resources // CELL_SIZE)):
        add_cell(b, k)
    path.write_text(json.dumps(b.build()))
    return sum(len(r.instances) for r in b.resources.values())


MEASURE = """
import resource, sys, time
start = time.perf_counter()
from stackproof.cli import main
code = main(["scan", sys.argv[1], "--format", "json", "--output-dir", sys.argv[2]])
wall = time.perf_counter() - start
print(code, wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(plan: Path, out: Path) -> tuple[float, float]:
    """(wall seconds of the whole process, peak resident MB)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, str(plan), str(out)], capture_output=True, text=True,
                          check=True)
    process_wall = time.perf_counter() - start
    code, _inside, maxrss_kb = done.stdout.split()
    assert code in ("0", "1"), done.stdout
    return process_wall, float(maxrss_kb) / 1024


def main() -> None:
    sizes = [int(s) for s in sys.argv[1:]] or [1_000, 10_000, 50_000]
    print(f"{'resources':>10} {'plan MB':>8} {'wall s':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            plan = Path(folder) / f"plan-{size}.json"
            count = generate(size, plan)
            runs = [measure(plan, Path(folder) / "out") for _ in range(3)]
            wall = min(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            print(f"{count:>10} {plan.stat().st_size / 1e6:>8.1f} {wall:>8.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
