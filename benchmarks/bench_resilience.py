"""What the availability, recovery and capacity policies add to a scan.

    python benchmarks/bench_resilience.py [SIZES...]

1. The generated plans of bench_scan.py (1,000 / 10,000 / 50,000 resources): load once,
   then time evaluating these 19 policies and the rest of the catalogue (best of 3).
2. Worst cases for the rules that look at other resources: one counted resource of N
   EBS volumes (a single sibling group: capacity_sibling_outlier computes a median
   without each member), and N app subnets in three AZs routed to NAT gateways
   (nat_gateway_per_az follows subnet -> route table -> NAT -> its subnet).
Printed: milliseconds (cold: the first run, which builds the shared indexes; warm: best of
3), and microseconds per evaluated resource.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scan import generate  # noqa: E402
from stackproof.catalogue import load_catalogue  # noqa: E402
from stackproof.engine import evaluate  # noqa: E402
from stackproof.loaders import load_inputs  # noqa: E402
from stackproof.model import EbsVolume, Inventory, NatGateway, Provenance, Route, RouteTable, Subnet  # noqa: E402

AREAS = ("availability", "recovery", "capacity")
AZS = ("eu-west-2a", "eu-west-2b", "eu-west-2c")


def best_of(runs: int, work) -> tuple[float, int]:
    """(best seconds, results of the last run)."""
    best, results = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        results = len(work())
        best = min(best, time.perf_counter() - start)
    return best, results


def plans(sizes: list[int]) -> None:
    catalogue = load_catalogue()
    mine = [p for p in catalogue if p.area in AREAS]
    rest = [p for p in catalogue if p.area not in AREAS]
    print(f"{'resources':>10} {'these 19 ms':>12} {'results':>8} {'us/result':>10} {'others ms':>10}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            plan = Path(folder) / f"plan-{size}.json"
            generate(size, plan)
            inventory = load_inputs([plan])
            evaluate(mine + rest, inventory)  # warm: imports, derived indexes, network graph
            ours, results = best_of(3, lambda: evaluate(mine, inventory))
            others, _ = best_of(3, lambda: evaluate(rest, inventory))
            print(f"{size:>10} {ours * 1000:>12.0f} {results:>8} {ours / max(results, 1) * 1e6:>10.1f}"
                  f" {others * 1000:>10.0f}")


def prov(key: str) -> Provenance:
    return Provenance(source="bench", address=key, region="eu-west-2")


def sibling_volumes(n: int) -> Inventory:
    volumes = [EbsVolume(key=f"aws_ebs_volume.data[{i}]", prov=prov(f"aws_ebs_volume.data[{i}]"),
                         region="eu-west-2", size=1000 if i % 997 == 0 else 100, volume_type="gp3")
               for i in range(n)]
    return Inventory(volumes)


def nat_subnets(n: int) -> Inventory:
    items: list = []
    for z, zone in enumerate(AZS):
        items.append(Subnet(key=f"public-{z}", prov=prov(f"public-{z}"), availability_zone=zone, vpc="vpc"))
        items.append(NatGateway(key=f"nat-{z}", prov=prov(f"nat-{z}"), subnet=f"public-{z}"))
    for i in range(n):
        zone = i % 3
        items.append(RouteTable(key=f"rtb-{i}", prov=prov(f"rtb-{i}"), vpc="vpc", routes=(
            Route(destination="0.0.0.0/0", target_type="nat_gateway", target=f"nat-{(zone + i // 3) % 3}"),)))
        items.append(Subnet(key=f"app-{i}", prov=prov(f"app-{i}"), availability_zone=AZS[zone], vpc="vpc",
                            route_table=f"rtb-{i}"))
    return Inventory(items)


def worst_cases(sizes: list[int]) -> None:
    catalogue = load_catalogue()
    cases = [("capacity_sibling_outlier", "one group of N volumes", sibling_volumes),
             ("nat_gateway_per_az", "N subnets behind NAT", nat_subnets)]
    print(f"\n{'policy':<26} {'case':<24} {'N':>7} {'cold ms':>8} {'warm ms':>8} {'us/result':>10}")
    for policy_id, label, build in cases:
        policy = catalogue.policy(policy_id)
        for n in sizes:
            inventory = build(n)
            cold, _ = best_of(1, lambda: evaluate([policy], inventory))  # builds the shared indexes
            warm, results = best_of(3, lambda: evaluate([policy], inventory))
            print(f"{policy_id:<26} {label:<24} {n:>7} {cold * 1000:>8.0f} {warm * 1000:>8.0f}"
                  f" {warm / results * 1e6:>10.1f}")


def main() -> None:
    sizes = [int(s) for s in sys.argv[1:]] or [1_000, 10_000, 50_000]
    plans(sizes)
    worst_cases(sizes)


if __name__ == "__main__":
    main()
