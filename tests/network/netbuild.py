"""A small builder for hand-made networks: a compliant public web server by default.

    n = Net()                                 # vpc, igw, public subnet, web instance open on 443
    n.set("sg-web", rules=(...))              # override one thing
    net = n.network()

Keys are the names used in paths, so a test reads like the path it expects.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from stackproof.model import (
    Instance, InternetGateway, Inventory, NaclRule, NatGateway, Provenance, Resource, Route,
    RouteTable, SecurityGroup, SgRule, Subnet, Vpc,
)
from stackproof.network import Network


def res(cls: type, key: str, **fields: Any) -> Any:
    return cls(key=key, prov=Provenance("tfplan", key), name=key, **fields)


def ingress(port: int | None, *cidrs: str, protocol: str = "tcp", to: int | None = None, groups: tuple = (),
            v6: tuple = (), prefix_lists: tuple = ()) -> SgRule:
    return SgRule(egress=False, protocol=protocol, from_port=port, to_port=port if to is None else to,
                  cidr_blocks=tuple(cidrs), ipv6_cidr_blocks=tuple(v6), security_groups=tuple(groups),
                  prefix_lists=tuple(prefix_lists))


def egress_all() -> SgRule:
    return SgRule(egress=True, protocol="-1", cidr_blocks=("0.0.0.0/0",), ipv6_cidr_blocks=("::/0",))


def nacl_rule(number: int, action: str, cidr: str = "0.0.0.0/0", protocol: str = "-1", ports: tuple | None = None,
              egress: bool = False) -> NaclRule:
    v6 = ":" in cidr
    return NaclRule(rule_number=number, egress=egress, action=action, protocol=protocol,
                    cidr_block=None if v6 else cidr, ipv6_cidr_block=cidr if v6 else None,
                    from_port=ports[0] if ports else None, to_port=ports[1] if ports else None)


def route(destination: str, target_type: str, target: str | None = None, blackhole: bool = False) -> Route:
    return Route(destination=destination, target_type=target_type, target=target, blackhole=blackhole)


class Net:
    def __init__(self) -> None:
        self.items: dict[str, Resource] = {}
        self.add(Vpc, "vpc", cidr_blocks=("10.0.0.0/16",), ipv6_cidr_blocks=("2600:1f18:1::/56",))
        self.add(InternetGateway, "igw", vpc="vpc")
        self.add(RouteTable, "rtb-public", vpc="vpc", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),
                                                               route("::/0", "internet_gateway", "igw")))
        self.add(Subnet, "public", vpc="vpc", cidr_block="10.0.1.0/24", ipv6_cidr_block="2600:1f18:1:1::/64",
                 route_table="rtb-public")
        self.add(RouteTable, "rtb-private", vpc="vpc", routes=(route("0.0.0.0/0", "nat_gateway", "nat"),))
        self.add(Subnet, "private", vpc="vpc", cidr_block="10.0.2.0/24", route_table="rtb-private")
        self.add(NatGateway, "nat", subnet="public")
        self.add(SecurityGroup, "sg-web", vpc="vpc", rules=(ingress(443, "0.0.0.0/0"), egress_all()))
        self.add(Instance, "web", subnet="public", security_groups=("sg-web",), associate_public_ip_address=True)

    def add(self, cls: type, key: str, **fields: Any) -> "Net":
        self.items[key] = res(cls, key, **fields)
        return self

    def set(self, key: str, **fields: Any) -> "Net":
        self.items[key] = replace(self.items[key], **fields)
        return self

    def drop(self, key: str) -> "Net":
        del self.items[key]
        return self

    def inventory(self) -> Inventory:
        return Inventory(list(self.items.values()))

    def network(self) -> Network:
        return Network(self.inventory())


def reach(net: Network, source: str, destination: str, protocol: str | None = "tcp", port: int | None = None):
    return net.reachable(source, destination, protocol, port)
