"""Provisioning benchmark: the reference stack against a moto server.

    python benchmarks/bench_provision.py [--repeat 3] [--azs 3]

A moto server is started in its own process on 127.0.0.1 (so that it does not share the
interpreter lock with the applier). For the reference stack (read-replica DR, as the
tests provision it), printed per step: wall time, API calls, and the floor those calls
set (calls x the server's median latency for one small read, measured here):

- render: the blueprint and its CloudFormation templates (no AWS calls);
- plan on an empty account; apply; apply again (nothing to change); plan of the
  applied stack; destroy (buckets deleted too, no final snapshots: everything goes).

Every plan, apply and destroy also sweeps the stack's two regions for whatever is tagged
with the stack (what the spec no longer describes): one listing per resource type and
region, part of each step's calls.

Each repeat starts from an emptied server.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-2",
       "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
       "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, **ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("moto server did not start")


def reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).read()


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def install(self, client: Any) -> None:
        client.meta.events.register("before-call", self._count)

    def _count(self, **_: Any) -> None:
        self.calls += 1


def call_latency(url: str) -> float:
    """Median seconds of one small read against the server (the per-call floor)."""
    import boto3

    ec2 = boto3.client("ec2", region_name="eu-west-2", endpoint_url=url)
    ec2.describe_availability_zones()
    samples = []
    for _ in range(50):
        start = time.perf_counter()
        ec2.describe_availability_zones()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--azs", type=int, default=3, choices=(1, 2, 3))
    args = parser.parse_args()
    os.environ.update(ENV)

    import boto3

    from stackproof.errors import InputError
    from stackproof.provision.applier import Applier
    from stackproof.provision.aws import Aws
    from stackproof.provision.blueprint import build
    from stackproof.provision.handlers.base import Options
    from stackproof.provision.render import render
    from stackproof.provision.spec import DatabaseSpec, NetworkSpec, StackSpec

    server, url = start_moto()
    timings: dict[str, list[tuple[float, int]]] = {}
    resources, note = 0, ""
    try:
        latency = call_latency(url)
        for _ in range(args.repeat):
            reset(url)
            certificate = boto3.client("acm", region_name="eu-west-2", endpoint_url=url).request_certificate(
                DomainName="app.example.com")["CertificateArn"]
            spec = StackSpec(name="bench", certificate_arn=certificate, network=NetworkSpec(az_count=args.azs),
                             database=DatabaseSpec(dr="read-replica"))
            start = time.perf_counter()
            blueprint = build(spec)
            render(blueprint)
            timings.setdefault("render", []).append((time.perf_counter() - start, 0))
            resources = len(blueprint)
            for name, action in (("plan (empty account)", "plan"), ("apply", "apply"),
                                 ("apply again (no changes)", "apply"), ("plan (applied stack)", "plan"),
                                 ("destroy", "destroy")):
                counter = Counter()
                aws = Aws(endpoint_url=url, on_client=[counter.install], home_region=spec.region, max_attempts=2)
                applier = Applier(blueprint, aws, out=lambda line: None,
                                  options=Options(skip_final_snapshot=True, delete_buckets=True))
                start = time.perf_counter()
                try:
                    getattr(applier, action)()
                except InputError as exc:  # destroy: moto does not implement DeleteCacheSubnetGroup
                    if action != "destroy":
                        raise
                    note = str(exc)
                timings.setdefault(name, []).append((time.perf_counter() - start, counter.calls))
    finally:
        server.kill()
        server.wait()

    print(f"reference stack: {resources} resources, {args.azs} AZs, 2 regions; moto server in its own process")
    print(f"one small read against the server: {latency * 1000:.1f} ms (median of 50)")
    print(f"{'step':28} {'wall (median)':>14} {'API calls':>10} {'calls x latency':>16}")
    for name, samples in timings.items():
        wall = statistics.median(s[0] for s in samples)
        calls = max(s[1] for s in samples)
        floor = f"{calls * latency:.2f} s" if calls else "-"
        print(f"{name:28} {wall:>12.2f} s {calls:>10} {floor:>16}")
    print(f"(destroy against moto ends with: {note})")


if __name__ == "__main__":
    main()
