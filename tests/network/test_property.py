"""The engine against a deliberately simple brute-force evaluator, on random small networks.

The brute force knows nothing of intervals, atoms or modes: for one source address,
one protocol and one port it walks the route table (longest prefix by hand), the
network ACL rules in number order (and the return on every candidate ephemeral port),
and the security group rules, with Python's ipaddress module. An unknown value is tried
both ways: "certain" is what holds whichever way it goes, "possible" what holds in one.

The generator aims at what is easy to get wrong: ACL rules that overlap with different
actions and numbers (so their order decides), return rules that open all, part or none
of the client's ephemeral ports, Elastic IPs and public IPs, a second VPC joined by a
peering connection (or one that joins another VPC), and unknown public-IP settings.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackproof.model import (
    ElasticIp, Instance, Inventory, NetworkAcl, RouteTable, SecurityGroup, SgRule, Subnet, Unknown, Vpc,
    VpcPeeringConnection,
)
from stackproof.network import Network

from .netbuild import egress_all, nacl_rule, res, route

SOURCES = ["203.0.113.5", "203.0.113.200", "198.51.100.10", "198.51.100.100", "8.8.8.8", "192.168.1.1",
           "2a00::1", "2600:1f18:9::5"]
PORTS = [22, 80, 443, 1023, 1024, 3000, 8080, 65535]
PROTOCOLS = ["tcp", "udp"]
CIDRS = ["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.128/25", "172.16.0.0/16", "198.51.100.0/24",
         "203.0.113.0/25", "192.168.0.0/16", "::/0", "2a00::/16"]
PORT_RANGES = [(22, 22), (80, 80), (443, 443), (0, 65535), (1024, 65535), (1000, 2000), (8000, 8080)]
RETURN_RANGES = [(32768, 65535), (1024, 30000), (1024, 65535), (30001, 65535), (0, 65535), (1024, 65535)]
ROUTE_DESTINATIONS = ["0.0.0.0/0", "::/0", "203.0.113.0/24", "198.51.100.0/26", "192.168.0.0/16", "2a00::/16"]
ROUTE_TARGETS = ["internet_gateway", "internet_gateway", "nat_gateway", "egress_only_internet_gateway",
                 "transit_gateway"]
NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
              "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
EPHEMERAL = (1024, 65535)
LATER = Unknown("known after apply")
VPCS = {"vpc": ("10.0.0.0/16", "2600:1f18:1::/56"), "vpc-b": ("172.16.0.0/16", None)}


# -- random networks ---------------------------------------------------------------------------------------


def _nacl_rules(draw) -> list:
    """Rules in pairs that overlap with opposite actions, so that their numbers decide;
    return rules (egress and ingress) over all, part or none of the ephemeral ports; and
    mostly a wide allow after them, so that the rest gets through."""
    rules = []
    numbers = iter(draw(st.permutations(range(1, 13))))
    for egress in (False, True):
        for _ in range(draw(st.integers(0, 2))):
            cidr = draw(st.sampled_from(CIDRS))
            protocol = draw(st.sampled_from(["-1", "tcp", "udp"]))
            ports = None if protocol == "-1" else draw(st.sampled_from(PORT_RANGES))
            wider = draw(st.sampled_from([cidr, "0.0.0.0/0", "::/0"]))
            first = draw(st.sampled_from(["allow", "deny"]))
            rules.append(nacl_rule(next(numbers) * 10, first, cidr, protocol, ports, egress))
            rules.append(nacl_rule(next(numbers) * 10, "deny" if first == "allow" else "allow", wider,
                                   draw(st.sampled_from([protocol, "-1"])), ports if protocol != "-1" else None, egress))
        for _ in range(2 - draw(st.integers(0, 2))):  # the way back: all, part or none of the ephemeral ports
            rules.append(nacl_rule(next(numbers) * 10, draw(st.sampled_from(["deny", "allow", "allow"])),
                                   draw(st.sampled_from(["0.0.0.0/0", "0.0.0.0/0", "::/0", "203.0.113.0/25",
                                                         "10.0.0.0/16", "172.16.0.0/16"])),
                                   draw(st.sampled_from(["tcp", "udp"])), draw(st.sampled_from(RETURN_RANGES)), egress))
        if draw(st.integers(0, 3)) != 3:  # (hypothesis prefers small draws: the common case is 0)
            rules.append(nacl_rule(200, "allow", "0.0.0.0/0", egress=egress))
            if draw(st.booleans()):
                rules.append(nacl_rule(201, "allow", "::/0", egress=egress))
    return rules


def _sg_rules(draw, group_keys: list[str]) -> list:
    rules = []
    for egress in (False, True):
        for _ in range(draw(st.integers(0 if egress else 1, 3))):
            protocol = draw(st.sampled_from(["-1", "tcp", "tcp", "udp"]))
            low, high = (None, None) if protocol == "-1" else draw(st.sampled_from(PORT_RANGES))
            peer = draw(st.sampled_from(CIDRS + group_keys + ["0.0.0.0/0", "0.0.0.0/0", "::/0"]))
            v6 = ":" in peer
            rules.append(SgRule(egress=egress, protocol=protocol, from_port=low, to_port=high,
                                cidr_blocks=(peer,) if peer in CIDRS and not v6 else (),
                                ipv6_cidr_blocks=(peer,) if v6 else (),
                                security_groups=(peer,) if peer in group_keys else ()))
    if draw(st.integers(0, 2)) != 2:
        rules.append(egress_all())
    return rules


@st.composite
def networks(draw):
    items = [res(Vpc, key, cidr_blocks=(v4,), ipv6_cidr_blocks=(v6,) if v6 else ()) for key, (v4, v6) in VPCS.items()]
    peering = draw(st.sampled_from(["vpc-b", "vpc-c", "vpc-b", None]))  # vpc-c: a peering to another VPC
    if peering:
        items.append(res(VpcPeeringConnection, "pcx", vpc="vpc", peer_vpc=peering))
    tables = []
    for t in range(draw(st.integers(1, 2))):
        destinations = draw(st.lists(st.sampled_from(ROUTE_DESTINATIONS[2:]), max_size=2, unique=True))
        routes = [route(d, draw(st.sampled_from(ROUTE_TARGETS)), f"gw-{t}", blackhole=draw(st.integers(0, 4)) == 4)
                  for d in destinations]
        for default in ("0.0.0.0/0", "::/0"):  # most tables are public ones
            if draw(st.integers(0, 4)) != 4:
                routes.append(route(default, "internet_gateway", f"igw-{t}", blackhole=draw(st.integers(0, 9)) == 9))
            elif draw(st.booleans()):
                routes.append(route(default, draw(st.sampled_from(ROUTE_TARGETS[2:])), f"gw-{t}"))
        if not draw(st.booleans()):
            routes.append(route("172.16.0.0/16", "vpc_peering_connection", "pcx"))
        tables.append(res(RouteTable, f"rtb-{t}", vpc="vpc", routes=tuple(routes), is_main=False))
    if draw(st.booleans()):
        main = draw(st.integers(0, len(tables) - 1))
        tables[main] = res(RouteTable, f"rtb-{main}", vpc="vpc", routes=tables[main].routes, is_main=True)
    back = [route("10.0.0.0/16", "vpc_peering_connection", "pcx")] if draw(st.integers(0, 3)) != 3 else []
    back += [route("0.0.0.0/0", "internet_gateway", "igw-b")] if not draw(st.booleans()) else []
    tables.append(res(RouteTable, "rtb-b", vpc="vpc-b", routes=tuple(back)))
    items += tables
    nacls = [res(NetworkAcl, f"nacl-{a}", vpc="vpc", rules=tuple(_nacl_rules(draw)))
             for a in range(2 - draw(st.integers(0, 2)))]
    items += nacls
    subnets = []
    for i in range(draw(st.integers(1, 3))):
        subnets.append(res(Subnet, f"subnet-{i}", vpc="vpc", cidr_block=f"10.0.{i}.0/24",
                           ipv6_cidr_block=f"2600:1f18:1:{i}::/64" if draw(st.booleans()) else None,
                           assign_ipv6_address_on_creation=draw(st.booleans()),
                           map_public_ip_on_launch=draw(st.booleans()),
                           route_table=draw(st.sampled_from([*[t.key for t in tables[:-1]] * 3, None])),
                           network_acl=draw(st.sampled_from([*[n.key for n in nacls] * 2, None]))))
    if not draw(st.booleans()):
        subnets.insert(0, res(Subnet, "subnet-b", vpc="vpc-b", cidr_block="172.16.5.0/24", route_table="rtb-b",
                           network_acl=draw(st.sampled_from([None, *[n.key for n in nacls]]))))
    items += subnets
    group_keys = [f"sg-{g}" for g in range(draw(st.integers(1, 3)))]
    items += [res(SecurityGroup, key, vpc="vpc", rules=tuple(_sg_rules(draw, group_keys))) for key in group_keys]
    for n in range(draw(st.integers(1, 3))):
        subnet = draw(st.sampled_from(subnets[n:] + subnets[:n]))  # by default each instance in its own subnet
        items.append(res(Instance, f"i-{n}", subnet=subnet.key,
                         security_groups=tuple(draw(st.lists(st.sampled_from(group_keys), min_size=1, max_size=2,
                                                             unique=True))),
                         associate_public_ip_address=draw(st.sampled_from([True, True, False, None, LATER])),
                         public_ip=draw(st.sampled_from([None, None, None, "203.0.113.77"])),
                         private_ip=draw(st.sampled_from([None, None, f"{subnet.cidr_block[:-4]}200"]))))
        if draw(st.integers(0, 4)) == 0:
            items.append(res(ElasticIp, f"eip-{n}", instance=f"i-{n}"))
    return items


# -- the brute force -------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _net(text):
    return ipaddress.ip_network(text, strict=False)


def _in(address, cidr):
    return cidr is not None and address.version == _net(cidr).version and address in _net(cidr)


def _public(address):
    if address.version == 6:
        return address in _net("2000::/3")
    return not any(address in _net(block) for block in NOT_PUBLIC)


def _proto_port(rule_protocol, low, high, protocol, port):
    if rule_protocol == "-1":
        return True
    if rule_protocol != protocol:
        return False
    return low is None or low <= port <= high


class Brute:
    def __init__(self, items):
        self.by_key = {r.key: r for r in items}

    def of(self, cls):
        return [r for r in self.by_key.values() if isinstance(r, cls)]

    def table(self, subnet):
        if subnet.route_table:
            return self.by_key[subnet.route_table].routes
        mains = [t for t in self.of(RouteTable) if t.is_main and t.vpc == subnet.vpc]
        return mains[0].routes if mains else ()

    def route_for(self, subnet, address):
        """The matching route with the longest prefix (the VPC's local routes included)."""
        v4, v6 = VPCS[subnet.vpc]
        best = None
        for r in [*self.table(subnet), route(v4, "local"), *([route(v6, "local")] if v6 else [])]:
            if _in(address, r.destination) and (best is None or _net(r.destination).prefixlen > _net(best.destination).prefixlen):
                best = r
        return best

    def nacl_allows(self, subnet, egress, address, protocol, port):
        if subnet.network_acl is None:
            return True
        rules = sorted((r for r in self.by_key[subnet.network_acl].rules if r.egress == egress),
                       key=lambda r: r.rule_number)
        for r in rules:
            if (_in(address, r.cidr_block) or _in(address, r.ipv6_cidr_block)) and \
                    _proto_port(r.protocol, r.from_port, r.to_port, protocol, port):
                return r.action == "allow"
        return False

    def return_allowed(self, subnet, egress, address, protocol, every=True):
        """Every (or, possibly, some) ephemeral port is let back: the client may pick any.
        Tried on every port where a rule starts or ends, and their neighbours."""
        if subnet.network_acl is None:
            return True
        candidates = {EPHEMERAL[0], EPHEMERAL[1]}
        for r in self.by_key[subnet.network_acl].rules:
            for p in (r.from_port, r.to_port):
                if p is not None:
                    candidates |= {p - 1, p, p + 1}
        found = [self.nacl_allows(subnet, egress, address, protocol, p)
                 for p in candidates if EPHEMERAL[0] <= p <= EPHEMERAL[1]]
        return all(found) if every else any(found)

    def sg_allows(self, groups, egress, address, protocol, port, peer_groups):
        for key in groups:
            for r in self.by_key[key].rules:
                if r.egress != egress or not _proto_port(r.protocol, r.from_port, r.to_port, protocol, port):
                    continue
                if any(_in(address, c) for c in (*r.cidr_blocks, *r.ipv6_cidr_blocks)):
                    return True
                if set(r.security_groups) & set(peer_groups):
                    return True
        return False

    def has_public_address(self, instance, address, certain):
        subnet = self.by_key[instance.subnet]
        if address.version == 6:
            return bool(subnet.ipv6_cidr_block) and subnet.assign_ipv6_address_on_creation
        if instance.public_ip or any(e.instance == instance.key for e in self.of(ElasticIp)):
            return True
        flag = instance.associate_public_ip_address
        if isinstance(flag, Unknown):
            return not certain
        return subnet.map_public_ip_on_launch if flag is None else flag

    def from_address(self, text, instance, protocol, port, internet_only, certain=True):
        address = ipaddress.ip_address(text)
        subnet = self.by_key[instance.subnet]
        r = self.route_for(subnet, address)
        if r is None or r.blackhole:
            return False
        if r.target_type == "internet_gateway":
            if not _public(address) or not self.has_public_address(instance, address, certain):
                return False
        elif r.target_type in ("transit_gateway", "vpc_peering_connection"):
            if internet_only:
                return False
        else:
            return False
        return (self.nacl_allows(subnet, False, address, protocol, port)
                and self.return_allowed(subnet, True, address, protocol, every=certain)
                and self.sg_allows(instance.security_groups, False, address, protocol, port, ()))

    def addresses(self, instance):
        """The addresses an instance may have: its private IP, else two IPv4 samples of its
        subnet (the generated CIDRs never split them differently); an IPv6 one when it gets one."""
        subnet = self.by_key[instance.subnet]
        prefix = subnet.cidr_block[:-4]
        found = [ipaddress.ip_address(instance.private_ip)] if instance.private_ip else \
            [ipaddress.ip_address(f"{prefix}{h}") for h in (5, 200)]
        if subnet.ipv6_cidr_block and subnet.assign_ipv6_address_on_creation:
            found.append(ipaddress.ip_address(subnet.ipv6_cidr_block.replace("::/64", "::5")))
        return found

    def between(self, src, dst, protocol, port):
        """Certain when, for one address family, it gets through whichever addresses the two
        instances have."""
        s_subnet, d_subnet = self.by_key[src.subnet], self.by_key[dst.subnet]
        for version in (4, 6):
            pairs = [(s, d) for s in self.addresses(src) for d in self.addresses(dst)
                     if s.version == version == d.version]
            if pairs and all(self.pair(s_subnet, d_subnet, src, dst, s, d, protocol, port) for s, d in pairs):
                return True
        return False

    def _connected(self, subnet, other, address):
        """The route towards `address` keeps it in the VPC, or takes a peering joining the two VPCs."""
        r = self.route_for(subnet, address)
        if subnet.vpc == other.vpc:
            return r is not None and r.target_type == "local"
        pcx = self.by_key.get("pcx")
        return r is not None and not r.blackhole and r.target_type == "vpc_peering_connection" and \
            pcx is not None and {pcx.vpc, pcx.peer_vpc} == {subnet.vpc, other.vpc}

    def pair(self, s_subnet, d_subnet, src, dst, s, d, protocol, port):
        if not self.sg_allows(src.security_groups, True, d, protocol, port, dst.security_groups):
            return False
        if not self.sg_allows(dst.security_groups, False, s, protocol, port, src.security_groups):
            return False
        if s_subnet.key != d_subnet.key:
            if not (self._connected(s_subnet, d_subnet, d) and self._connected(d_subnet, s_subnet, s)):
                return False
            return (self.nacl_allows(s_subnet, True, d, protocol, port)
                    and self.return_allowed(s_subnet, False, d, protocol)
                    and self.nacl_allows(d_subnet, False, s, protocol, port)
                    and self.return_allowed(d_subnet, True, s, protocol))
        return True


# -- the property ------------------------------------------------------------------------------------------------


def _covers(exposures, protocol, port, address=None, certain=True):
    for e in exposures:
        if (e.certain or not certain) and e.traffic.covers(protocol, port):
            if address is None or _contains(e.sources, address):
                return True
    return False


def _contains(sources, text):
    from stackproof.network.intervals import cidr_interval

    return cidr_interval(text).first() in sources


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_engine_agrees_with_brute_force(items):
    brute = Brute(items)
    net = Network(Inventory(list(items)))
    instances = brute.of(Instance)
    for instance in instances:
        exposures = net.exposures(instance.key)
        for source in SOURCES:
            answer = net.reachable(f"{source}/{128 if ':' in source else 32}", instance.key)
            for protocol in PROTOCOLS:
                for port in PORTS:
                    where = (source, instance.key, protocol, port)
                    for certain in (True, False):
                        expected = brute.from_address(source, instance, protocol, port, False, certain)
                        assert _covers(answer.paths, protocol, port, certain=certain) == expected, (*where, certain)
                    from_internet = brute.from_address(source, instance, protocol, port, internet_only=True)
                    assert _covers(exposures, protocol, port, source) == from_internet, ("exposure map", *where)
        for other in instances:
            if other.key == instance.key:
                continue
            paths, _ = net.flows(other.key, instance.key)
            for protocol in PROTOCOLS:
                for port in PORTS:
                    assert _covers(paths, protocol, port) == brute.between(other, instance, protocol, port), \
                        (other.key, instance.key, protocol, port)
