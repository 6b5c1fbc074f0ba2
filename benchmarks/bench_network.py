"""Network benchmark: the full exposure map of 10,000 resources with 20,000 security group rules.

    python benchmarks/bench_network.py [CELLS]

The inventory is built directly in the model (the loaders have their own benchmark):
CELLS (default 185) copies of a VPC with public and private subnets, an internet
gateway, a NAT gateway, a network ACL with ten rules, ten security groups of eleven
rules each (internet-wide, single public addresses, private ranges, group references,
port ranges), 25 instances (some with public IPs or Elastic IPs), an internet-facing
load balancer with two listeners forwarding to a target group, a database and a cache;
the load balancer, five instances, the database and the cache carry a Tier tag.
Printed: resources, security group rules, the time to build the graph and compute the
exposure map, the time of the four network policies through the engine, and how many
resources are exposed. Target (issue 5): the exposure map in under 3 s on this machine.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackproof.model import (  # noqa: E402
    DbInstance, DbSubnetGroup, ElastiCacheReplicationGroup, ElastiCacheSubnetGroup, ElasticIp, Instance,
    InternetGateway, Inventory, Listener, ListenerAction, LoadBalancer, NaclRule, NatGateway, NetworkAcl,
    Provenance, Route, RouteTable, SecurityGroup, SgRule, Subnet, TargetGroup, Vpc,
)


def make(cls, key, **fields):
    return cls(key=key, prov=Provenance("tfplan", key), name=key, **fields)


def sg_rules(rng: random.Random, k: int, groups: list[str]) -> tuple[SgRule, ...]:
    rules = [SgRule(egress=True, protocol="-1", cidr_blocks=("0.0.0.0/0",))]
    for _ in range(10):
        roll = rng.random()
        port = rng.choice((22, 80, 443, 3389, 5432, 6379, 8080, 9000))
        span = rng.choice((0, 0, 0, 10, 1000))
        if roll < 0.15:
            peer = {"cidr_blocks": ("0.0.0.0/0",)}
        elif roll < 0.3:
            peer = {"cidr_blocks": (f"{rng.randint(1, 99)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}/32",)}
        elif roll < 0.4:
            peer = {"ipv6_cidr_blocks": ("::/0",)}
        elif roll < 0.7:
            peer = {"cidr_blocks": (f"10.{k % 250}.{rng.randint(0, 3)}.0/24",)}
        else:
            peer = {"security_groups": (rng.choice(groups),)}
        rules.append(SgRule(egress=False, protocol=rng.choice(("tcp", "tcp", "udp")), from_port=port,
                            to_port=port + span, **peer))
    return tuple(rules)


def cell(rng: random.Random, k: int) -> list:
    p = f"c{k}"
    vpc = make(Vpc, f"{p}.vpc", cidr_blocks=(f"10.{k % 250}.0.0/16",))
    out = [vpc, make(InternetGateway, f"{p}.igw", vpc=vpc.key)]
    subnets = []
    for i in range(4):
        public = i < 2
        subnets.append(make(Subnet, f"{p}.subnet{i}", vpc=vpc.key, cidr_block=f"10.{k % 250}.{i}.0/24",
                            map_public_ip_on_launch=public and i == 0,
                            route_table=f"{p}.rtb-{'public' if public else 'private'}",
                            network_acl=f"{p}.nacl"))
    out += subnets
    out.append(make(RouteTable, f"{p}.rtb-public", vpc=vpc.key, routes=(
        Route(destination="0.0.0.0/0", target_type="internet_gateway", target=f"{p}.igw"),
        Route(destination="::/0", target_type="internet_gateway", target=f"{p}.igw"),
        Route(destination="192.168.0.0/16", target_type="transit_gateway", target="tgw-1"),
        Route(destination="198.51.100.0/24", target_type="nat_gateway", target=f"{p}.nat"))))
    out.append(make(RouteTable, f"{p}.rtb-private", vpc=vpc.key, routes=(
        Route(destination="0.0.0.0/0", target_type="nat_gateway", target=f"{p}.nat"),)))
    out.append(make(ElasticIp, f"{p}.eip-nat"))
    out.append(make(NatGateway, f"{p}.nat", subnet=f"{p}.subnet0", elastic_ip=f"{p}.eip-nat"))
    nacl_rules = []
    for n, (port, action) in enumerate(((22, "deny"), (3389, "deny"), (443, "allow"), (80, "allow"),
                                         (1024, "allow"), (8080, "allow"), (5432, "deny"))):
        nacl_rules.append(NaclRule(rule_number=100 + 10 * n, egress=False, action=action, protocol="tcp",
                                   cidr_block="0.0.0.0/0", from_port=port, to_port=65535 if port == 1024 else port))
    nacl_rules += [NaclRule(rule_number=90, egress=False, action="allow", protocol="-1", cidr_block=f"10.{k % 250}.0.0/16"),
                   NaclRule(rule_number=100, egress=True, action="allow", protocol="-1", cidr_block="0.0.0.0/0"),
                   NaclRule(rule_number=110, egress=True, action="allow", protocol="-1", ipv6_cidr_block="::/0")]
    out.append(make(NetworkAcl, f"{p}.nacl", vpc=vpc.key, subnets=tuple(s.key for s in subnets), rules=tuple(nacl_rules)))
    groups = [f"{p}.sg{j}" for j in range(10)]
    out += [make(SecurityGroup, g, vpc=vpc.key, rules=sg_rules(rng, k, groups)) for g in groups]
    instances = []
    for j in range(25):
        subnet = subnets[j % 4]
        instances.append(make(Instance, f"{p}.i{j}", subnet=subnet.key, tags={"Tier": "app"} if j < 5 else {},
                              security_groups=tuple(rng.sample(groups, rng.randint(1, 3))),
                              associate_public_ip_address=None if j % 3 else (j % 2 == 0)))
    out += instances
    out.append(make(ElasticIp, f"{p}.eip-i1", instance=instances[1].key))
    out.append(make(LoadBalancer, f"{p}.alb", subnets=(subnets[0].key, subnets[1].key), security_groups=(groups[0],),
                    tags={"Tier": "web"}))
    out.append(make(TargetGroup, f"{p}.tg", vpc=vpc.key, port=8080, protocol="HTTP",
                    targets=tuple(i.key for i in instances[2:6])))
    for port in (443, 80):
        out.append(make(Listener, f"{p}.alb:{port}", load_balancer=f"{p}.alb", port=port, protocol="HTTPS",
                        default_actions=(ListenerAction(action_type="forward", target_groups=(f"{p}.tg",)),)))
    out.append(make(DbSubnetGroup, f"{p}.dbsubnets", subnets=(subnets[2].key, subnets[3].key)))
    out.append(make(DbInstance, f"{p}.db", db_subnet_group=f"{p}.dbsubnets", security_groups=(groups[1],),
                    publicly_accessible=k % 7 == 0, tags={"Tier": "data"}))
    out.append(make(ElastiCacheSubnetGroup, f"{p}.cachesubnets", subnets=(subnets[2].key, subnets[3].key)))
    out.append(make(ElastiCacheReplicationGroup, f"{p}.cache", subnet_group=f"{p}.cachesubnets",
                    security_groups=(groups[2],), tags={"Tier": "data"}))
    return out


def main() -> None:
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 185
    rng = random.Random(5)
    resources = [r for k in range(cells) for r in cell(rng, k)]
    inventory = Inventory(resources)
    rules = sum(len(r.rules) for r in inventory.of_kind(SecurityGroup))
    print(f"resources: {len(inventory)}   security group rules: {rules}")

    from stackproof.network import network_of

    start, cpu = time.perf_counter(), time.process_time()
    net = network_of(inventory)
    built = time.perf_counter()
    exposed = net.exposure_map()
    done, cpu_done = time.perf_counter(), time.process_time()
    paths = sum(len(v) for v in exposed.values())
    print(f"graph built: {built - start:.2f} s   exposure map: {done - built:.2f} s   "
          f"total: {done - start:.2f} s wall, {cpu_done - cpu:.2f} s CPU (target < 3 s)")
    print(f"endpoints: {len(net.endpoints)}   exposed: {len(exposed)}   exposure paths: {paths}")

    from stackproof.catalogue import load_catalogue
    from stackproof.engine import evaluate

    fresh = Inventory(resources)
    policies = [p for p in load_catalogue() if p.area == "network"]
    start = time.perf_counter()
    results = evaluate(policies, fresh)
    elapsed = time.perf_counter() - start
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(f"four network policies through the engine (graph included): {elapsed:.2f} s   {len(results)} results {counts}")


if __name__ == "__main__":
    main()
