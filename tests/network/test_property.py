"""The engine against a deliberately simple brute-force evaluator, on random small VPCs.

The brute force knows nothing of intervals, atoms or modes: for one source address,
one protocol and one port it walks the route table (longest prefix by hand), the
network ACL rules in number order (and the return on every candidate ephemeral
port), and the security group rules, with Python's ipaddress module. The engine is
asked once per (source, destination) for all traffic; every sampled (protocol, port)
must agree.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackproof.model import Instance, Inventory, NetworkAcl, RouteTable, SecurityGroup, Subnet, Vpc
from stackproof.network import Network

from .netbuild import egress_all, nacl_rule, res, route
from stackproof.model import NaclRule, SgRule

SOURCES = ["203.0.113.5", "203.0.113.200", "198.51.100.10", "198.51.100.100", "8.8.8.8", "192.168.1.1",
           "2a00::1", "2600:1f18:9::5"]
PORTS = [22, 80, 443, 1023, 1024, 3000, 8080, 65535]
PROTOCOLS = ["tcp", "udp"]
CIDRS = ["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.128/25", "198.51.100.0/24", "203.0.113.0/25",
         "192.168.0.0/16", "::/0", "2a00::/16"]
PORT_RANGES = [(22, 22), (80, 80), (443, 443), (0, 65535), (1024, 65535), (1000, 2000), (8000, 8080)]
ROUTE_DESTINATIONS = ["0.0.0.0/0", "::/0", "203.0.113.0/24", "198.51.100.0/26", "192.168.0.0/16", "2a00::/16"]
ROUTE_TARGETS = ["internet_gateway", "internet_gateway", "nat_gateway", "egress_only_internet_gateway",
                 "transit_gateway"]
NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
              "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
EPHEMERAL = (1024, 65535)


# -- random networks ---------------------------------------------------------------------------------------


@st.composite
def networks(draw):
    items = [res(Vpc, "vpc", cidr_blocks=("10.0.0.0/16",), ipv6_cidr_blocks=("2600:1f18:1::/56",))]
    tables = []
    for t in range(draw(st.integers(0, 2))):
        destinations = draw(st.lists(st.sampled_from(ROUTE_DESTINATIONS), max_size=3, unique=True))
        routes = [route(d, draw(st.sampled_from(ROUTE_TARGETS)), f"gw-{t}", blackhole=draw(st.booleans()) and
                        draw(st.booleans())) for d in destinations]
        if "0.0.0.0/0" not in destinations and draw(st.integers(0, 3)):  # most tables are public ones
            routes.append(route("0.0.0.0/0", "internet_gateway", f"igw-{t}"))
        routes = tuple(routes)
        tables.append(res(RouteTable, f"rtb-{t}", vpc="vpc", routes=routes, is_main=False))
    if tables and draw(st.booleans()):
        main = draw(st.integers(0, len(tables) - 1))
        tables[main] = res(RouteTable, f"rtb-{main}", vpc="vpc", routes=tables[main].routes, is_main=True)
    items += tables
    nacls = []
    for a in range(draw(st.integers(0, 2))):
        rules = []
        for egress in (False, True):
            numbers = draw(st.lists(st.integers(1, 40), max_size=4, unique=True))
            for number in numbers:
                protocol = draw(st.sampled_from(["-1", "tcp", "udp"]))
                rules.append(nacl_rule(number * 10, draw(st.sampled_from(["allow", "allow", "allow", "deny"])),
                                       draw(st.sampled_from(CIDRS)), protocol,
                                       None if protocol == "-1" else draw(st.sampled_from(PORT_RANGES)), egress))
        nacls.append(res(NetworkAcl, f"nacl-{a}", vpc="vpc", rules=tuple(rules)))
    items += nacls
    subnets = []
    for i in range(draw(st.integers(1, 3))):
        subnets.append(res(Subnet, f"subnet-{i}", vpc="vpc", cidr_block=f"10.0.{i}.0/24",
                           ipv6_cidr_block=f"2600:1f18:1:{i}::/64" if draw(st.booleans()) else None,
                           assign_ipv6_address_on_creation=draw(st.booleans()),
                           map_public_ip_on_launch=draw(st.booleans()),
                           route_table=draw(st.sampled_from([None, *[t.key for t in tables] * 2])),
                           network_acl=draw(st.sampled_from([None, None, *[n.key for n in nacls]]))))
    items += subnets
    group_keys = [f"sg-{g}" for g in range(draw(st.integers(1, 3)))]
    for key in group_keys:
        rules = []
        for egress in (False, True):
            for _ in range(draw(st.integers(0, 3))):
                protocol = draw(st.sampled_from(["-1", "tcp", "udp"]))
                low, high = (None, None) if protocol == "-1" else draw(st.sampled_from(PORT_RANGES))
                peer = draw(st.sampled_from(CIDRS + group_keys + ["0.0.0.0/0", "0.0.0.0/0"]))
                v6 = ":" in peer
                rules.append(SgRule(egress=egress, protocol=protocol, from_port=low, to_port=high,
                                    cidr_blocks=(peer,) if peer in CIDRS and not v6 else (),
                                    ipv6_cidr_blocks=(peer,) if v6 else (),
                                    security_groups=(peer,) if peer in group_keys else ()))
        if draw(st.booleans()):
            rules.append(egress_all())
        items.append(res(SecurityGroup, key, vpc="vpc", rules=tuple(rules)))
    for n in range(draw(st.integers(1, 3))):
        items.append(res(Instance, f"i-{n}", subnet=draw(st.sampled_from(subnets)).key,
                         security_groups=tuple(draw(st.lists(st.sampled_from(group_keys), min_size=1, max_size=2,
                                                             unique=True))),
                         associate_public_ip_address=draw(st.sampled_from([True, True, False, None]))))
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
        mains = [t for t in self.of(RouteTable) if t.is_main]
        return mains[0].routes if mains else ()

    def route_for(self, subnet, address):
        """The matching route with the longest prefix (the VPC's local routes included)."""
        best = None
        for r in list(self.table(subnet)) + [route("10.0.0.0/16", "local"), route("2600:1f18:1::/56", "local")]:
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

    def return_allowed(self, subnet, egress, address, protocol):
        """Every ephemeral port is let back (the client may pick any): tried on every port
        where a rule starts or ends, and their neighbours."""
        if subnet.network_acl is None:
            return True
        candidates = {EPHEMERAL[0], EPHEMERAL[1]}
        for r in self.by_key[subnet.network_acl].rules:
            for p in (r.from_port, r.to_port):
                if p is not None:
                    candidates |= {p - 1, p, p + 1}
        return all(self.nacl_allows(subnet, egress, address, protocol, p)
                   for p in candidates if EPHEMERAL[0] <= p <= EPHEMERAL[1])

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

    def has_public_address(self, instance, address):
        subnet = self.by_key[instance.subnet]
        if address.version == 6:
            return bool(subnet.ipv6_cidr_block) and subnet.assign_ipv6_address_on_creation
        if instance.associate_public_ip_address is None:
            return subnet.map_public_ip_on_launch
        return instance.associate_public_ip_address

    def from_address(self, text, instance, protocol, port, internet_only):
        address = ipaddress.ip_address(text)
        subnet = self.by_key[instance.subnet]
        r = self.route_for(subnet, address)
        if r is None or r.blackhole:
            return False
        if r.target_type == "internet_gateway":
            if not _public(address) or not self.has_public_address(instance, address):
                return False
        elif r.target_type == "transit_gateway":
            if internet_only:
                return False
        else:
            return False
        return (self.nacl_allows(subnet, False, address, protocol, port)
                and self.return_allowed(subnet, True, address, protocol)
                and self.sg_allows(instance.security_groups, False, address, protocol, port, ()))

    def addresses(self, instance):
        """Sample addresses an instance may get: two IPv4 ones, and an IPv6 one when it gets one."""
        subnet = self.by_key[instance.subnet]
        found = [ipaddress.ip_address(f"10.0.{subnet.key[-1]}.{h}") for h in (5, 200)]
        if subnet.ipv6_cidr_block and subnet.assign_ipv6_address_on_creation:
            found.append(ipaddress.ip_address(f"2600:1f18:1:{subnet.key[-1]}::5"))
        return found

    def between(self, src, dst, protocol, port):
        """Certain when, for one address family, it gets through whichever addresses the two
        instances have (their private IPs are not known: any of their subnets')."""
        s_subnet, d_subnet = self.by_key[src.subnet], self.by_key[dst.subnet]
        for version in (4, 6):
            pairs = [(s, d) for s in self.addresses(src) for d in self.addresses(dst)
                     if s.version == version == d.version]
            if pairs and all(self.pair(s_subnet, d_subnet, src, dst, s, d, protocol, port) for s, d in pairs):
                return True
        return False

    def pair(self, s_subnet, d_subnet, src, dst, s, d, protocol, port):
        if not self.sg_allows(src.security_groups, True, d, protocol, port, dst.security_groups):
            return False
        if not self.sg_allows(dst.security_groups, False, s, protocol, port, src.security_groups):
            return False
        if s_subnet.key != d_subnet.key:
            if self.route_for(s_subnet, d).target_type != "local" or self.route_for(d_subnet, s).target_type != "local":
                return False
            return (self.nacl_allows(s_subnet, True, d, protocol, port)
                    and self.return_allowed(s_subnet, False, d, protocol)
                    and self.nacl_allows(d_subnet, False, s, protocol, port)
                    and self.return_allowed(d_subnet, True, s, protocol))
        return True


# -- the property ------------------------------------------------------------------------------------------------


def _covers(exposures, protocol, port, address=None):
    for e in exposures:
        if e.certain and e.traffic.covers(protocol, port):
            if address is None or _contains(e.sources, address):
                return True
    return False


def _contains(sources, text):
    from stackproof.network.intervals import cidr_interval

    return cidr_interval(text).first() in sources


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
                    expected = brute.from_address(source, instance, protocol, port, internet_only=False)
                    assert _covers(answer.paths, protocol, port) == expected, (source, instance.key, protocol, port)
                    from_internet = brute.from_address(source, instance, protocol, port, internet_only=True)
                    assert _covers(exposures, protocol, port, source) == from_internet, \
                        ("exposure map", source, instance.key, protocol, port)
        for other in instances:
            if other.key == instance.key:
                continue
            paths, _ = net.flows(other.key, instance.key)
            for protocol in PROTOCOLS:
                for port in PORTS:
                    assert _covers(paths, protocol, port) == brute.between(other, instance, protocol, port), \
                        (other.key, instance.key, protocol, port)
