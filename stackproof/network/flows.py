"""The evaluator: which traffic gets from an origin to a placement, hop by hop.

A flow is checked on both sides. The destination side (its subnet's route back to
the origin, its network ACL in and the return out, its security groups in) depends
only on the origin's address; the origin side (its security groups out, its ACL out
and the return in, its route to the destination) depends only on the destination's
address. Each side is evaluated over address *atoms*: the pieces of the address
space between every CIDR boundary the side's routes and rules mention, so that one
atom is decided by one evaluation, never address by address.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Unknown
from .compiled import ANY_GROUP, CRoute, CSgRule, CTable, grouped_atoms
from .intervals import ALL_V4
from .intervals import EMPTY, PUBLIC, V6_BASE, IntervalSet, addresses_text
from .paths import Blocked, Hop
from .traffic import EPHEMERAL, PORTED, PORTS, Traffic, ports_text
from .views import ModeView, SubnetView
from .endpoints import Placement

# Route targets that lead out of the VPC to networks stackproof does not see: traffic
# from there is assumed to be routed back by the far side.
CONNECTED = ("transit_gateway", "vpc_peering_connection", "virtual_private_gateway", "local_gateway",
             "carrier_gateway", "core_network")
APPLIANCES = ("network_interface", "instance", "vpc_endpoint", "unknown")
TARGET_WORDS = {
    "internet_gateway": "internet gateway", "egress_only_internet_gateway": "egress-only internet gateway",
    "nat_gateway": "NAT gateway", "transit_gateway": "transit gateway",
    "vpc_peering_connection": "peering connection", "virtual_private_gateway": "VPN gateway",
    "network_interface": "network interface", "instance": "instance", "vpc_endpoint": "VPC endpoint",
}


@dataclass(frozen=True)
class Origin:
    """Where traffic starts: an address set (the internet, a CIDR) or a resource's placement."""

    label: str
    addresses: IntervalSet | None = None  # address origins
    internet: bool = False  # only public addresses, entering through an internet gateway
    placement: Placement | None = None
    key: str | None = None
    # Clients' addresses (`addresses`) relayed by a load balancer (`placement`) that keeps
    # them: the target sees the client's address, and the balancer carries the replies.
    relayed: bool = False


@dataclass(frozen=True)
class Piece:
    sources: IntervalSet
    traffic: Traffic
    hops: tuple[Hop, ...]

    @property
    def doubts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.unknown for h in self.hops if h.unknown))


Stage = list[tuple[Traffic, Hop]]


def _narrow(state: list[tuple[Traffic, tuple[Hop, ...]]], stage: Stage) -> list[tuple[Traffic, tuple[Hop, ...]]]:
    out = []
    for traffic, hops in state:
        for allowed, hop in stage:
            both = traffic & allowed
            if both:
                out.append((both, hops + (hop,)))
    return out


def _total(state: list[tuple[Traffic, tuple[Hop, ...]]]) -> Traffic:
    total = Traffic.none()
    for traffic, _ in state:
        total = total | traffic
    return total


def _merge_return(state: list[tuple[Traffic, tuple[Hop, ...]]], nacl: Any,
                  subnet: str) -> list[tuple[Traffic, tuple[Hop, ...]]]:
    """One hop for an ACL's two decisions: "nacl-pub (subnet public) inbound rule 100, return outbound rule 100"."""
    out = []
    label = nacl.label
    for traffic, hops in state:
        first, back = hops[-2], hops[-1]
        if "(allows all)" in first.text and "(allows all)" in back.text:
            text = f"{label} of subnet {subnet} (allows all)"
        else:
            text = f"{label} of subnet {subnet}: {first.text[len(label):].strip()}, return {back.text[len(label):].strip()}"
        out.append((traffic, hops[:-2] + (Hop(text, first.component, first.unknown or back.unknown),)))
    return out


def cross_acl(state: list[tuple[Traffic, tuple[Hop, ...]]], nacl: Any, outbound: bool, address: int,
              atom: IntervalSet, subnet: str) -> tuple[list[tuple[Traffic, tuple[Hop, ...]]], Blocked | None]:
    """A network ACL is stateless: the traffic must pass one way (rules in number order),
    and the replies the other way, back to the client's ephemeral ports."""
    allowed, denied = nacl.decide(outbound, address)
    narrowed = _narrow(state, allowed)
    if not narrowed:
        return [], Blocked(state[0][1], f"subnet {subnet}: {_denial(denied, _total(state), atom)}")
    returned = _narrow(narrowed, _returns(nacl, not outbound, address))
    if not returned:
        back = "inbound" if outbound else "outbound"
        wanted = _total(narrowed)
        lets = _total([(t, ()) for t, _ in nacl.decide(not outbound, address)[0]])
        partly = "".join(f" (it lets back only {p}/{ports_text(lets.ports(p) & EPHEMERAL)})" for p in PORTED
                         if wanted.ports(p) and lets.ports(p) & EPHEMERAL)
        return [], Blocked(narrowed[0][1], f"subnet {subnet}: {nacl.label} {back} denies the return traffic "
                                           f"{'from' if outbound else 'to'} {addresses_text(atom)} on the client's "
                                           f"ephemeral ports {ports_text(EPHEMERAL)}{partly}")
    return _merge_return(returned, nacl, subnet), None


def _ephemeral_text(traffic: Traffic) -> str:
    return ", ".join(f"{p}/{ports_text(traffic.ports(p) & EPHEMERAL)}" for p in PORTED if traffic.ports(p) & EPHEMERAL)


def _returns(nacl: Any, outbound: bool, address: int) -> Stage:
    allowed, _ = nacl.decide(outbound, address)
    key = id(allowed)
    cached = nacl._returns.get(key)
    if cached is None or cached[0] is not allowed:
        cached = nacl._returns[key] = (allowed, _return_stage(allowed, nacl.permissive))
    return cached[1]


def _return_stage(pieces: Stage, permissive: bool) -> Stage:
    """Which protocols a direction lets back, as masks of whole protocols.

    TCP and UDP replies go to the client's ephemeral port, which can be any of EPHEMERAL:
    all of it let back is certain; only part of it is possible (permissive mode only).
    """
    back = {p: EMPTY for p in PORTED}
    for traffic, _ in pieces:
        for p in PORTED:
            back[p] = back[p] | (traffic.ports(p) & EPHEMERAL)
    full = {p for p in PORTED if EPHEMERAL.issubset(back[p])}
    partial = {p for p in PORTED if back[p] and p not in full}
    why = (f"the return traffic is let back only on {_ephemeral_text(Traffic(back))} of the client's ephemeral "
           f"ports {ports_text(EPHEMERAL)}: it depends on the port the client picks")
    out: Stage = []
    for traffic, hop in pieces:
        listed = {p: PORTS if traffic.ports(p) else EMPTY for p in traffic.by_protocol if p not in PORTED}
        ported = {p: PORTS if p in full and traffic.ports(p) & EPHEMERAL else EMPTY for p in PORTED}
        mask = Traffic({**listed, **ported}, rest=traffic.rest)
        if mask:
            out.append((mask, hop))
        some = Traffic({p: PORTS for p in partial if traffic.ports(p) & EPHEMERAL})
        if permissive and some:
            out.append((some, Hop(hop.text, hop.component, hop.unknown or why)))
    return out


def _sg_stage(rules: list[CSgRule], address: int | None, groups: frozenset[str]) -> Stage:
    """Security groups admit the union of their matching rules; each piece keeps the first rule."""
    stage: Stage = []
    covered = Traffic.none()
    for rule in rules:
        matches = (address is not None and address in rule.addresses) or bool(rule.groups & groups) \
            or (groups and ANY_GROUP in rule.groups) or (ANY_GROUP in groups and rule.groups)
        if not matches:
            continue
        fresh = rule.traffic - covered
        if fresh:
            stage.append((fresh, rule.hop))
            covered = covered | fresh
    return stage


class Evaluator:
    def __init__(self, view: ModeView) -> None:
        self.view = view
        self._inbound: dict[Any, tuple[list[Piece], list[Blocked]]] = {}

    # -- routes -----------------------------------------------------------------------

    def _route(self, table: CTable, address: int, kind: str, dst: Placement | None, atom: IntervalSet,
               link: tuple[Any, Any] | None = None) -> tuple[list[Hop], str | None]:
        """Does `table` send traffic for `address` where this flow needs it? (hops, block reason)

        kind: "internet" (the origin is the internet), "address" (a CIDR, any gateway that
        leads there), "vpc" (a resource in the same VPC), "peer" (a resource in another VPC:
        `link` is (this VPC, that VPC)).
        """
        permissive = self.view.permissive
        public: list[Hop] = []
        if kind == "internet":  # without a public address of this family nothing comes back in
            found, why = self._addressable(dst, address)
            if found is False:
                return [], why
            public = found
        if table.everything_unknown:
            if permissive:
                return [Hop(table.label, table.key, table.everything_unknown), *public], None
            return [], table.everything_unknown
        route = table.lookup(address)
        hops, block = self._route_verdict(table, route, address, kind, dst, atom, link)
        for floating in table.floating:
            f_hops, f_block = self._route_verdict(table, floating, address, kind, dst, atom, link)
            if permissive and block and not f_block:
                hops, block = [Hop(h.text, h.component, floating.unknown) for h in f_hops], None
            elif not permissive and not block and f_block:
                hops, block = [], f"{f_block} (a route whose destination is unknown: {floating.unknown})"
        if not block and table.floating and permissive:
            hops = [Hop(h.text, h.component, h.unknown or table.floating[0].unknown) for h in hops]
        return hops, block

    def _target(self, route: CRoute) -> str:
        if route.target_type == "local":
            return "local"
        return self.view.name(route.target) if route.target is not None else TARGET_WORDS.get(route.target_type,
                                                                                              route.target_type)

    def _route_verdict(self, table: CTable, route: CRoute | None, address: int, kind: str, dst: Placement | None,
                       atom: IntervalSet, link: tuple[Any, Any] | None) -> tuple[list[Hop], str | None]:
        family = "IPv6" if address >= V6_BASE else "IPv4"

        def where() -> str:  # made only for the message of a block: most checks pass
            return addresses_text(atom)

        def sends() -> str:
            return f"{table.label} sends {where()} (route {route.destination})"

        if route is None:
            if kind == "internet":
                return [], f"{table.label} has no {family} route back to the internet"
            return [], f"{table.label} has no route for {where()}"
        target = self._target(route)
        hop = Hop(f"{table.label} ({route.destination} -> {target})", table.key)
        if route.blackhole:
            return [], (f"{table.label} route {route.destination} -> {target} is a blackhole (its target is gone): "
                        f"no {family} path for {where()}")
        if route.unknown or route.target_type in APPLIANCES:
            why = route.unknown or (f"traffic goes through {TARGET_WORDS[route.target_type]} {target}, "
                                    "which stackproof does not follow")
            if self.view.permissive:
                return [Hop(hop.text, hop.component, why)], None
            return [], why
        kind_of_target = route.target_type
        if kind_of_target == "local":
            if kind in ("vpc", "address"):
                return [hop], None
            if kind == "internet":
                return [], f"{where()} is inside the VPC, not on the internet"
            return [], f"{sends()} to the VPC itself, not to the peer"
        if kind_of_target == "internet_gateway":
            if kind in ("vpc", "peer"):
                return [], f"{sends()} to internet gateway {target}: the resources do not connect privately"
            if address not in PUBLIC:
                return [], f"{where()} is not a public {family} address, so it cannot come from the internet"
            gateway = Hop(target, route.target if isinstance(route.target, str) else None)
            public, why = self._addressable(dst, address)
            if public is False:
                return [], why
            return [gateway, *public, hop], None
        word = TARGET_WORDS.get(kind_of_target, kind_of_target)
        if kind_of_target in ("egress_only_internet_gateway", "nat_gateway"):
            return [], f"{sends()} to {word} {target}, which admits no inbound connection"
        if kind_of_target in CONNECTED:
            if kind == "internet":
                return [], f"{sends()} to {word} {target}, not to an internet gateway"
            if kind == "vpc":
                return [], f"{sends()} to {word} {target} instead of keeping it in the VPC"
            joined = Hop(f"{table.label} ({route.destination} -> {word} {target})", table.key)
            if kind == "peer" and link is not None:
                doubt, block = self.view.connects(kind_of_target, route.target, *link)
                if block:
                    return [], f"{sends()} to {word} {target}, {block}"
                if doubt:
                    if not self.view.permissive:
                        return [], doubt
                    joined = Hop(joined.text, joined.component, doubt)
            return [joined], None
        return [], f"{sends()} to {word} {target}"

    def _addressable(self, dst: Placement | None, address: int) -> tuple[list[Hop] | bool, str]:
        """Hops naming the public address a destination has for this family, or (False, why)."""
        if dst is None:  # the origin side: a source needs no public address to leave
            return [], ""
        v6 = address >= V6_BASE
        value = dst.ipv6 if v6 else dst.public_v4
        what = "an IPv6 address" if v6 else dst.public_why
        if isinstance(value, Unknown):
            if self.view.permissive:
                return [Hop(what, None, value.reason)], ""
            return False, f"whether it has {'an IPv6 address' if v6 else 'a public address'} is unknown: {value.reason}"
        if value is True:
            return [Hop(what)], ""
        return False, ("it has no IPv6 address" if v6 else "it has no public IPv4 address")

    def _references_carry(self, table: CTable, address: int, link: tuple[Any, Any]) -> tuple[bool, str | None]:
        """Whether security group references hold between two VPCs, by the connection the
        route to `address` takes: (they hold, why only possibly)."""
        route = table.lookup(address)
        if route is None or route.target_type not in ("vpc_peering_connection", "transit_gateway"):
            return False, None
        return self.view.references_across(route.target_type, route.target, *link)

    def _peer_groups(self, table: CTable, address: int, link: tuple[Any, Any] | None,
                     groups: frozenset[str]) -> tuple[frozenset[str], Hop | None]:
        """The peer's group keys as the rules may match them: across VPCs only where the
        connection carries references (with a hop saying why when that is unknown)."""
        if link is None or not groups:
            return groups, None
        carry, doubt = self._references_carry(table, address, link)
        if carry:
            return groups, None
        if doubt and self.view.permissive:
            return groups, Hop("security group references across VPCs", None, doubt)
        return frozenset(), None

    # -- the destination side ------------------------------------------------------------

    def inbound(self, dst: Placement, origin: Origin, query: Traffic, prune: bool,
                origin_subnet: SubnetView | None = None) -> tuple[list[Piece], list[Blocked]]:
        """What the destination's subnet and groups let in from the origin's addresses."""
        key = (dst, origin, query.key(), prune)
        if key not in self._inbound:
            self._inbound[key] = self._inbound_uncached(dst, origin, query, prune, origin_subnet)
        return self._inbound[key]

    def _inbound_uncached(self, dst: Placement, origin: Origin, query: Traffic, prune: bool,
                          origin_subnet: SubnetView | None) -> tuple[list[Piece], list[Blocked]]:
        view = self.view
        if origin.internet and dst.public_v4 is False and dst.ipv6 is False:
            # without a public address the internet reaches nothing, whatever the routes
            return [], [] if prune else [Blocked((), "it has no public IPv4 address and no IPv6 address")]
        subnet = view.subnet(dst.subnet)
        if isinstance(subnet, str):
            return [], [Blocked((), subnet)]
        if origin.internet and prune and not _may_lead_to_internet(subnet.table):
            return [], []  # exposure map: nothing routes back to the internet (reach() says why)
        lead: list[Hop] = [Hop(subnet.label, subnet.key, subnet.doubt)] if subnet.doubt else []
        link = None
        if origin.relayed:  # through a load balancer that keeps the client's address: it carries the replies
            assert origin.addresses is not None and origin.placement is not None
            sources, kind, same_subnet = origin.addresses, "relayed", False
            groups = view.groups_of(origin.placement.security_groups)
        elif origin.placement is not None:
            if origin_subnet is None:
                return [], []
            sources = addresses_of(origin.placement, origin_subnet)
            same_subnet = subnet.key is not None and subnet.key == origin_subnet.key
            link = _link(subnet, origin_subnet)
            kind = "vpc" if link is None else "peer"
            groups = view.groups_of(origin.placement.security_groups)
        else:
            sources = origin.addresses if origin.addresses is not None else IntervalSet()
            if origin.internet:
                sources = sources & PUBLIC
            same_subnet, kind, groups = False, "internet" if origin.internet else "address", frozenset()
        rules, sg_doubt = view.sg_rules(dst.security_groups, egress=False)
        if rules is not None and prune:
            reach = IntervalSet()
            for rule in rules:
                if rule.groups & groups or (groups and ANY_GROUP in rule.groups) or (ANY_GROUP in groups and rule.groups):
                    reach = sources
                    break
                reach = reach | rule.addresses
            sources = sources & reach
        if not sources:
            return [], [Blocked(tuple(lead), f"no security group rule admits traffic from {origin.label}")] \
                if not prune else []
        boundaries = subnet.table.boundaries() + subnet.nacl.boundaries()
        if rules:
            boundaries += [b for r in rules for lo, hi in r.addresses for b in (lo, hi + 1)]
        pieces: list[Piece] = []
        blocks: list[Blocked] = []
        containers = [ALL_V4, PUBLIC, *subnet.table.containers(), *subnet.nacl.containers(),
                      *(r.addresses for r in rules or ())]
        for atom, address in grouped_atoms(sources, boundaries, containers):
            state: list[tuple[Traffic, tuple[Hop, ...]]] = [(query, tuple(lead))]
            if not same_subnet:
                if kind != "relayed":
                    hops, block = self._route(subnet.table, address, kind, dst, atom, link)
                    if block:
                        blocks.append(Blocked(tuple(lead), block))
                        continue
                    # a same-VPC route back is the local route: not worth a hop of its own
                    shown = tuple(hops) if kind != "vpc" else tuple(h for h in hops if h.unknown)
                    state = [(q, h + shown) for q, h in state]
                state, blocked = cross_acl(state, subnet.nacl, False, address, atom, subnet.label)
                if blocked:
                    blocks.append(blocked)
                    continue
            if rules is not None:
                peers, doubt = self._peer_groups(subnet.table, address, link, groups)
                narrowed = _narrow(state, _sg_stage(rules, address, peers))
                if not narrowed:
                    names = ", ".join(sorted({view.name(g) for g in dst.security_groups})) \
                        if isinstance(dst.security_groups, tuple) and dst.security_groups else "its security groups"
                    peer = origin.label if origin.placement and not origin.relayed else addresses_text(atom)
                    if origin.relayed:
                        peer += f" (the client's address, which {origin.label} keeps)"
                    blocks.append(Blocked(state[0][1], f"no rule of {names} admits {_total(state).text()} from {peer}"
                                                       + (f" ({sg_doubt})" if sg_doubt else "")))
                    continue
                state = [(t, h + (doubt,)) for t, h in narrowed] if doubt else narrowed
            pieces.extend(Piece(atom, traffic, hops) for traffic, hops in state)
        return pieces, blocks

    # -- the origin side --------------------------------------------------------------------

    def outbound(self, origin: Placement, origin_subnet: SubnetView, dst: Placement, dst_subnet: SubnetView,
                 query: Traffic) -> tuple[list[Piece], list[Blocked]]:
        """What the origin's groups, ACL and route let out towards the destination's addresses."""
        view = self.view
        targets = addresses_of(dst, dst_subnet)
        same_subnet = origin_subnet.key is not None and origin_subnet.key == dst_subnet.key
        link = _link(origin_subnet, dst_subnet)
        rules, sg_doubt = view.sg_rules(origin.security_groups, egress=True)
        groups = view.groups_of(dst.security_groups)
        boundaries = origin_subnet.table.boundaries() + origin_subnet.nacl.boundaries()
        if rules:
            boundaries += [b for r in rules for lo, hi in r.addresses for b in (lo, hi + 1)]
        pieces: list[Piece] = []
        blocks: list[Blocked] = []
        if not targets:
            return [], [Blocked((), f"the addresses of {dst_subnet.label} are unknown")]
        lead = tuple([Hop(origin_subnet.label, origin_subnet.key, origin_subnet.doubt)] if origin_subnet.doubt else [])
        containers = [ALL_V4, *origin_subnet.table.containers(), *origin_subnet.nacl.containers(),
                      *(r.addresses for r in rules or ())]
        for atom, address in grouped_atoms(targets, boundaries, containers):
            state: list[tuple[Traffic, tuple[Hop, ...]]] = [(query, lead)]
            if rules is not None:
                peers, doubt = self._peer_groups(origin_subnet.table, address, link, groups)
                narrowed = _narrow(state, _sg_stage(rules, address, peers))
                if not narrowed:
                    blocks.append(Blocked(lead, f"no egress rule of its security groups allows {query.text()} "
                                                f"to {addresses_text(atom)}" + (f" ({sg_doubt})" if sg_doubt else "")))
                    continue
                state = [(t, h + (doubt,)) for t, h in narrowed] if doubt else narrowed
            if not same_subnet:
                returned, blocked = cross_acl(state, origin_subnet.nacl, True, address, atom, origin_subnet.label)
                if blocked:
                    blocks.append(blocked)
                    continue
                hops, block = self._route(origin_subnet.table, address, "vpc" if link is None else "peer", None,
                                          atom, link)
                if block:
                    blocks.append(Blocked(returned[0][1], block))
                    continue
                state = [(t, h + tuple(hops)) for t, h in returned]
            pieces.extend(Piece(atom, traffic, hops) for traffic, hops in state)
        return pieces, blocks


def _may_lead_to_internet(table: CTable) -> bool:
    if table.everything_unknown or table.floating:
        return True
    return any(r.target_type == "internet_gateway" or r.unknown or r.target_type in APPLIANCES
               for r in table.routes)


def _link(here: SubnetView, there: SubnetView) -> tuple[Any, Any] | None:
    """(this VPC, that VPC) when traffic between the two subnets crosses VPCs; None within
    one VPC (an unknown subnet, which could be anywhere, is taken to be in the other's)."""
    same_vpc = (here.vpc == there.vpc and isinstance(here.vpc, str)) or here.key is None or there.key is None
    return None if same_vpc else (here.vpc, there.vpc)


def addresses_of(placement: Placement, subnet: SubnetView) -> IntervalSet:
    """The addresses a placement may have: its private IPv4 address (else any of its
    subnet's), and any of its subnet's IPv6 addresses when it gets one."""
    v4 = subnet.v4 if placement.private_ip is None else _address(placement.private_ip)
    return v4 | (subnet.v6 if placement.ipv6 is not False else IntervalSet())


def _address(text: str) -> IntervalSet:
    from .intervals import cidr_interval

    try:
        return cidr_interval(text)
    except ValueError:
        return IntervalSet()


def _denial(denied: list[tuple[Traffic, str]], wanted: Traffic, atom: IntervalSet) -> str:
    for traffic, reason in denied:
        both = traffic & wanted
        if both:
            return f"{reason} {both.text()} {'from/to'} {addresses_text(atom)}".replace(" from/to ", " for ")
    return f"denied for {addresses_text(atom)}"


class Egress:
    """Traffic from a resource out to addresses outside its VPC: the internet, a CIDR."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.e = evaluator
        self.view = evaluator.view

    def to_addresses(self, origin: Placement, origin_subnet: SubnetView, targets: IntervalSet, internet: bool,
                     query: Traffic) -> tuple[list[Piece], list[Blocked]]:
        view = self.view
        if internet:
            targets = targets & PUBLIC
        rules, sg_doubt = view.sg_rules(origin.security_groups, egress=True)
        table, nacl = origin_subnet.table, origin_subnet.nacl
        boundaries = table.boundaries() + nacl.boundaries() + \
            [b for r in rules or () for lo, hi in r.addresses for b in (lo, hi + 1)]
        containers = [ALL_V4, PUBLIC, *table.containers(), *nacl.containers(), *(r.addresses for r in rules or ())]
        pieces: list[Piece] = []
        blocks: list[Blocked] = []
        for atom, address in grouped_atoms(targets, boundaries, containers):
            state: list[tuple[Traffic, tuple[Hop, ...]]] = [(query, ())]
            if rules is not None:
                narrowed = _narrow(state, _sg_stage(rules, address, frozenset()))
                if not narrowed:
                    blocks.append(Blocked((), f"no egress rule of its security groups allows {query.text()} to "
                                              f"{addresses_text(atom)}" + (f" ({sg_doubt})" if sg_doubt else "")))
                    continue
                state = narrowed
            state, block = cross_acl(state, nacl, True, address, atom, origin_subnet.label)
            if block:
                blocks.append(block)
                continue
            hops, block_reason = self._leave(table, origin, address, atom)
            if block_reason:
                blocks.append(Blocked(state[0][1], block_reason))
                continue
            state = [(t, h + tuple(hops)) for t, h in state]
            if hops and hops[-1].text.startswith("NAT gateway") and isinstance(hops[-1].component, str):
                nat_subnet = view.subnet(self._nat_subnet(hops[-1].component))
                if isinstance(nat_subnet, str):
                    blocks.append(Blocked(state[0][1], f"the NAT gateway's {nat_subnet}"))
                    continue
                state, block = cross_acl(state, nat_subnet.nacl, True, address, atom, nat_subnet.label)
                if block:
                    blocks.append(block)
                    continue
                onward = nat_subnet.table.lookup(address)
                if onward is None or onward.blackhole or onward.target_type != "internet_gateway":
                    blocks.append(Blocked(state[0][1], f"the NAT gateway's subnet {nat_subnet.label} does not "
                                                       f"route {addresses_text(atom)} to an internet gateway"))
                    continue
                onward_hops = (Hop(f"{nat_subnet.table.label} ({onward.destination} -> {self.e._target(onward)})",
                                   nat_subnet.table.key), Hop(self.e._target(onward), onward.target))
                state = [(t, h + onward_hops) for t, h in state]
            pieces.extend(Piece(atom, t, h) for t, h in state)
        return pieces, blocks

    def _nat_subnet(self, key: str) -> Any:
        from ..model import NatGateway

        nat = self.view.inventory.get(key)
        return nat.subnet if isinstance(nat, NatGateway) else Unknown(f"NAT gateway {key} is not in the inputs")

    def _leave(self, table: CTable, origin: Placement, address: int, atom: IntervalSet) -> tuple[list[Hop], str | None]:
        """The route out: an internet gateway (with a public address), a NAT gateway, an
        egress-only gateway (IPv6), or a connection to another network."""
        view = self.view
        if table.everything_unknown:
            return ([Hop(table.label, table.key, table.everything_unknown)], None) if view.permissive \
                else ([], table.everything_unknown)
        route = table.lookup(address)
        where = addresses_text(atom)
        if route is None:
            return [], f"{table.label} has no route for {where}"
        target = self.e._target(route)
        hop = Hop(f"{table.label} ({route.destination} -> {target})", table.key)
        if route.blackhole:
            return [], f"{table.label} route {route.destination} -> {target} is a blackhole (its target is gone)"
        if route.unknown or route.target_type in APPLIANCES:
            why = route.unknown or f"traffic goes through {TARGET_WORDS[route.target_type]} {target}"
            return ([Hop(hop.text, hop.component, why)], None) if view.permissive else ([], why)
        kind = route.target_type
        if kind == "local":
            return [], f"{where} is inside the VPC: name the resource there instead"
        if kind == "internet_gateway":
            public, why = self.e._addressable(origin, address)
            if public is False:
                return [], f"{table.label} sends {where} to internet gateway {target}, but {why}"
            return [hop, *public, Hop(target, route.target if isinstance(route.target, str) else None)], None
        if kind == "nat_gateway":
            if address >= V6_BASE:
                return [], f"a NAT gateway does not carry IPv6 ({where})"
            return [hop, Hop(f"NAT gateway {target}", route.target if isinstance(route.target, str) else None)], None
        if kind == "egress_only_internet_gateway":
            if address < V6_BASE:
                return [], f"an egress-only internet gateway carries IPv6 only ({where})"
            return [hop, Hop(f"egress-only internet gateway {target}", route.target)], None
        word = TARGET_WORDS.get(kind, kind)
        return [hop, Hop(f"{word} {target}", route.target if isinstance(route.target, str) else None)], None
