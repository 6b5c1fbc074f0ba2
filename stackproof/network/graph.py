"""The network of one inventory: built once, asked many questions.

    net = network_of(inventory)
    net.exposures("aws_instance.web")             # from the internet: who, which ports, which path
    net.reachable("internet", "aws_db_instance.main", "tcp", 5432)
    net.reachable("aws_autoscaling_group.app", "aws_db_instance.main", "tcp", 5432)
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from .. import queries
from ..model import AutoScalingGroup, Instance, Inventory, Resource, Unknown
from .endpoints import Endpoint, Forward, Placement, build_endpoints
from .compiled import ANY_GROUP
from .flows import Egress, Evaluator, Origin, Piece, addresses_of
from .intervals import ALL_ADDRESSES, ALL_V4, PUBLIC, V6_BASE, IntervalSet, cidr_interval, is_cidr
from .paths import Answer, Blocked, Exposure, Hop
from .traffic import PORTED, Traffic
from .views import Indexes, ModeView, SubnetView

INTERNET = "internet"


class Network:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.indexes = Indexes.build(inventory)
        self.endpoints: dict[str, Endpoint] = build_endpoints(inventory)
        self._evaluators = {mode: Evaluator(ModeView(inventory, self.indexes, mode)) for mode in (True, False)}
        self._direct: dict[str, list[Exposure]] = {}
        self._exposures: dict[str, list[Exposure]] = {}
        self._forwarders: dict[str, list[str]] | None = None
        self._guessing: list[str] = []  # load balancers whose targets are partly unknown
        self._forwarded_cache: dict[str, list[Exposure]] = {}
        self._tiers: dict[str, dict[str, list[Exposure]]] = {}

    # -- public questions ---------------------------------------------------------------

    def is_endpoint(self, resource: Resource | str) -> bool:
        return _key(resource) in self.endpoints

    def exposures(self, resource: Resource | str) -> list[Exposure]:
        """From where on the internet, on which traffic, and along which path the resource
        can be reached: directly, or through a load balancer that forwards to it."""
        key = _key(resource)
        if key not in self._exposures:
            found = list(self._internet_direct(key))
            for lb_key in self._forwarders_of(key):
                found.extend(e for e in self._forwarded(lb_key) if e.resource == key)
            self._exposures[key] = found
        return self._exposures[key]

    def exposure_map(self) -> dict[str, list[Exposure]]:
        """Every endpoint the internet can (possibly) reach, with its exposures."""
        return {key: found for key in self.endpoints if (found := self.exposures(key))}

    def flows(self, source: Resource | str, destination: Resource | str,
              query: Traffic | None = None) -> tuple[list[Exposure], list[Blocked]]:
        """Traffic from one resource to another (security groups, ACLs and routes on both sides)."""
        src, dst = self.endpoints.get(_key(source)), self.endpoints.get(_key(destination))
        if src is None or dst is None:
            return [], [Blocked((), "not a resource that sends or receives traffic")]
        return self._resource_flows(src, dst, query or Traffic.all())

    def reachable(self, source: str | Resource, destination: str | Resource, protocol: str | None = None,
                  port: int | None = None) -> Answer:
        """Can `source` (the internet, a CIDR, a resource, or a tier: "tier:web") reach
        `destination` (a resource or a tier; or, from a resource, the internet or a CIDR)?"""
        if is_tier(source) or is_tier(destination):
            return self._tiers_answer(source, destination, protocol, port)
        query = _query(protocol, port)
        dst = self.endpoints.get(_key(destination))
        dst_label = self.label(destination)
        source_key = _key(source)
        target_key = _key(destination)
        if dst is None and (target_key == INTERNET or is_cidr(target_key)):
            src = self.endpoints.get(source_key)
            if src is None:
                return Answer(str(source), target_key, query, False, False,
                              blocked=[Blocked((), f"{self.label(source)} is not a resource that sends traffic")])
            paths, blocks = self._outward(src, target_key, query)
            return Answer(self.label(source), target_key, query, any(p.certain for p in paths), bool(paths), paths,
                          _dedupe(blocks))
        if dst is None:
            return Answer(str(source), dst_label, query, False, False,
                          blocked=[Blocked((), f"{dst_label} is not a resource that receives traffic")])
        if source_key == INTERNET or is_cidr(source_key):
            origin = Origin(source_key, PUBLIC if source_key == INTERNET else cidr_interval(source_key),
                            internet=source_key == INTERNET)
            paths, blocks = self._from_addresses(dst, origin, query)
            if source_key == INTERNET or cidr_interval(source_key) & PUBLIC:
                for lb_key in self._forwarders_of(dst.key):
                    paths.extend(self._forwarded(lb_key, origin, query, blocks, only=dst.key))
            label = source_key
        else:
            src = self.endpoints.get(source_key)
            if src is None:
                return Answer(str(source), dst_label, query, False, False,
                              blocked=[Blocked((), f"{self.label(source)} is not a resource that sends traffic")])
            paths, blocks = self._resource_flows(src, dst, query)
            label = self.label(source)
        return Answer(label, dst_label, query, any(p.certain for p in paths), bool(paths), paths,
                      _dedupe(blocks))

    def why_not_exposed(self, resource: Resource | str) -> list[str]:
        """Why the internet reaches nothing of the resource: the first hop that blocks, per path.

        The common answers (no public address, no route back to an internet gateway) are
        read off the placements; only the rest needs a full evaluation.
        """
        endpoint = self.endpoints.get(_key(resource))
        if endpoint is None:
            return ["not a resource that receives traffic"]
        view = self._evaluators[True].view
        reasons: list[str] = []
        for placement in endpoint.placements:
            subnet = view.subnet(placement.subnet)
            where = f"in {subnet.label}: " if not isinstance(subnet, str) else ""
            if placement.public_v4 is False and placement.ipv6 is False:
                reasons.append(f"{where}it has no public address ({placement.public_why} is off)"
                               if endpoint.listeners is None else f"{where}the load balancer is internal")
            elif isinstance(subnet, str):
                reasons.append(subnet)
            elif not _may_reach_internet(subnet):
                reasons.append(f"in {subnet.label}: {subnet.table.label} has no route to an internet gateway")
            else:
                return [b.path("internet") for b in self.reachable(INTERNET, endpoint.key).blocked]
        return list(dict.fromkeys(reasons))

    def tier_flows(self, tier_tag: str) -> dict[str, list[Exposure]]:
        """For each resource carrying `tier_tag`: what resources of other tiers can send it."""
        if tier_tag not in self._tiers:
            # A tier that is unknown (a tag value unknown until apply) still sends traffic:
            # the rule decides what a flow from it means.
            tiers = {key: tier for key, e in self.endpoints.items()
                     if isinstance(tier := e.resource.tag(tier_tag), (str, Unknown))}
            incoming: dict[str, list[Exposure]] = defaultdict(list)
            candidates = _Candidates(self, tiers)
            for dst_key, dst_tier in tiers.items():
                if not isinstance(dst_tier, str):
                    continue
                for src_key in candidates.of(self.endpoints[dst_key]):
                    if tiers[src_key] != dst_tier:
                        paths, _ = self._resource_flows(self.endpoints[src_key], self.endpoints[dst_key], Traffic.all())
                        incoming[dst_key].extend(paths)
            self._tiers[tier_tag] = dict(incoming)
        return self._tiers[tier_tag]

    def label(self, resource: Any) -> str:
        return queries.label(self.inventory, _key(resource))

    def candidates(self, text: str) -> list[str]:
        """The keys of the resources a user's text may name: by key, else by address or name."""
        if self.inventory.get(text) is not None:
            return [text]
        return [r.key for r in self.inventory if r.name == text or r.prov.address == text]

    def tier_members(self, tier: str) -> list[str]:
        """The resources of a tier, "tier:web" (tag Tier) or "tier:Layer=web" (tag Layer)."""
        tag, value = _tier_spec(tier)
        return [key for key, e in self.endpoints.items() if e.resource.tag(tag) == value]

    def vpc_holding(self, resource: Resource | str, cidr: str) -> str | None:
        """The VPC of a resource whose own addresses overlap `cidr`, if any: inside a VPC,
        traffic goes to resources, not to addresses."""
        endpoint = self.endpoints.get(_key(resource))
        view = self._evaluators[True].view
        for placement in endpoint.placements if endpoint else ():
            subnet = view.subnet(placement.subnet)
            if isinstance(subnet, str) or not isinstance(subnet.vpc, str):
                continue
            if any(cidr_interval(block) & cidr_interval(cidr) for block in view.vpc_blocks(subnet.vpc) if is_cidr(block)):
                return subnet.vpc
        return None

    def _tiers_answer(self, source: Any, destination: Any, protocol: str | None, port: int | None) -> Answer:
        """Every member of a tier to (or from) every member of the other side."""
        def side(end: Any) -> tuple[list[Any], str]:
            if not is_tier(end):
                return [end], self.label(end) if not (end == INTERNET or is_cidr(str(end))) else str(end)
            members = self.tier_members(end)
            return members, f"{end} ({len(members)} resource{'s' if len(members) != 1 else ''})"

        sources, source_label = side(source)
        targets, target_label = side(destination)
        answers = [self.reachable(s, d, protocol, port) for s in sources for d in targets if _key(s) != _key(d)]
        query = _query(protocol, port)
        if not answers:
            return Answer(source_label, target_label, query, False, False,
                          blocked=[Blocked((), "no resource of the tier to ask about")])
        return Answer(source_label, target_label, query, any(a.reachable for a in answers),
                      any(a.possibly for a in answers), [p for a in answers for p in a.paths],
                      _dedupe([b for a in answers for b in a.blocked]))

    # -- internet exposures -------------------------------------------------------------------

    def _internet_direct(self, key: str) -> list[Exposure]:
        if key not in self._direct:
            endpoint = self.endpoints.get(key)
            if endpoint is None:
                self._direct[key] = []
            else:
                paths, _ = self._from_addresses(endpoint, Origin("internet", PUBLIC, internet=True), Traffic.all(),
                                                prune=True)
                self._direct[key] = paths
        return self._direct[key]

    def _from_addresses(self, endpoint: Endpoint, origin: Origin, query: Traffic,
                        prune: bool = False) -> tuple[list[Exposure], list[Blocked]]:
        def run(evaluator: Evaluator) -> tuple[list[Piece], list[Blocked]]:
            pieces: list[Piece] = []
            blocks: list[Blocked] = []
            for placement in endpoint.placements:
                found, blocked = evaluator.inbound(placement, origin, query, prune)
                pieces.extend(found)
                blocks.extend(blocked)
            pieces, more = self._listening(evaluator, endpoint, pieces)
            return pieces, blocks + more

        return self._certain(endpoint, run, origin_key=None)

    def _listening(self, evaluator: Evaluator, endpoint: Endpoint, pieces: list[Piece]) -> tuple[list[Piece], list[Blocked]]:
        """A load balancer answers only on its listeners' ports; the last hop names the resource."""
        name = evaluator.view.name(endpoint.key)
        if endpoint.listeners is None:
            return [Piece(p.sources, p.traffic, p.hops + (Hop(name, endpoint.key),)) for p in pieces], []
        stage: list[tuple[Traffic, Hop]] = []
        for protocol, port, listener_key, listener_name in endpoint.listeners:
            if isinstance(port, Unknown):
                if evaluator.view.permissive:
                    stage.append((Traffic.of(protocol), Hop(f"listener {listener_name}", listener_key, port.reason)))
            elif isinstance(port, int):
                stage.append((Traffic.of(protocol, IntervalSet.span(port, port)),
                              Hop(f"listener {listener_name}", listener_key)))
        out = [Piece(p.sources, p.traffic & t, p.hops + (h,)) for p in pieces for t, h in stage if p.traffic & t]
        blocks = [] if out or not pieces else [Blocked(pieces[0].hops, f"{name} has no listener on "
                                                                       f"{_union(p.traffic for p in pieces).text()}")]
        return out, blocks

    # -- load balancer forwarding ----------------------------------------------------------------

    def _lbs_forwarding_to(self) -> dict[str, list[str]]:
        if self._forwarders is None:
            found: dict[str, list[str]] = defaultdict(list)
            for endpoint in self.endpoints.values():
                for forward in endpoint.forwards:
                    for target in forward.targets:
                        if endpoint.key not in found[target]:
                            found[target].append(endpoint.key)
                    if forward.unknown_targets and endpoint.key not in self._guessing:
                        self._guessing.append(endpoint.key)
            self._forwarders = dict(found)
        return self._forwarders

    def _forwarders_of(self, key: str) -> list[str]:
        """The load balancers that forward (or, their targets being unknown, may forward) to `key`."""
        known = self._lbs_forwarding_to().get(key, [])
        maybe = [lb for lb in self._guessing if lb not in known] if _may_be_target(self.endpoints.get(key)) else []
        return known + maybe

    def _forwarded(self, lb_key: str, origin: Origin | None = None, query: Traffic | None = None,
                   blocks: list[Blocked] | None = None, only: str | None = None) -> list[Exposure]:
        """Exposures of a load balancer's targets: reached on a listener, forwarded to the target port.
        With `blocks`, why a target (`only` that one) is not reached through it is added there."""
        if origin is None and lb_key in self._forwarded_cache:
            return self._forwarded_cache[lb_key]
        lb = self.endpoints[lb_key]
        exposures = self._internet_direct(lb_key) if origin is None else self._from_addresses(lb, origin, Traffic.all())[0]
        found: list[Exposure] = []
        for forward in lb.forwards:
            front = Traffic.of(forward.protocol, IntervalSet.span(forward.port, forward.port)
                               if isinstance(forward.port, int) else None)
            entries = [e for e in exposures if e.traffic & front and any(h.component == forward.listener for h in e.hops)]
            if not entries:
                continue
            traffic, port_doubt = _target_traffic(forward)
            if query is not None:
                traffic = traffic & query
                if not traffic:
                    continue
            targets = [(t, None) for t in forward.targets]
            if forward.unknown_targets:
                targets += [(k, f"it may be a target: {forward.unknown_targets}") for k, e in self.endpoints.items()
                            if k not in forward.targets and _may_be_target(e)]
            for target_key, target_doubt in targets:
                target = self.endpoints.get(target_key)
                if target is not None and only in (None, target_key):
                    doubts = tuple(d for d in (port_doubt, target_doubt) if d)
                    found.extend(self._through(lb, forward, target, traffic, entries, doubts, blocks))
        if origin is None:
            self._forwarded_cache[lb_key] = found
        return found

    def _through(self, lb: Endpoint, forward: Forward, target: Endpoint, traffic: Traffic, entries: list[Exposure],
                 doubts: tuple[str, ...], blocks: list[Blocked] | None = None) -> list[Exposure]:
        """From the clients of `entries` through the balancer to one target. Behind a network
        load balancer that keeps the client's address, the target's groups and ACL see the
        client (IPv4; an IPv6 client is seen from the balancer's address)."""
        group = self._evaluators[True].view.name(forward.target_group) if forward.target_group else None
        group_hops = (Hop(f"target group {group}", forward.target_group, doubts[0] if doubts else None),) if group \
            else ((Hop("(targets unknown)", None, doubts[0]),) if doubts else ())
        client_ip = forward.client_ip
        why = (f"whether the target sees the client's address is unknown: {client_ip.reason}"
               if isinstance(client_ip, Unknown) else None)
        found: list[Exposure] = []
        from_balancer = None  # the target seen from the balancer's address: the same for every entry
        for entry in entries:
            ways: list[tuple[IntervalSet | None, IntervalSet]] = []  # (relayed client addresses, sources)
            if client_ip is not False and entry.sources & ALL_V4:
                ways.append((entry.sources & ALL_V4, entry.sources & ALL_V4))
            if client_ip is not True or entry.sources - ALL_V4:
                ways.append((None, entry.sources if client_ip is not True else entry.sources - ALL_V4))
            for relay, sources in ways:
                if relay is None:
                    from_balancer = from_balancer or self._resource_flows(lb, target, traffic)
                paths, blocked = from_balancer if relay is None else self._resource_flows(lb, target, traffic, relay)
                if blocks is not None and not paths:
                    blocks.extend(Blocked(entry.hops + group_hops + b.hops, b.reason) for b in blocked)
                for path in paths:
                    reached = path.sources & sources if relay is not None else sources
                    if not reached:
                        continue
                    unknowns = tuple(dict.fromkeys(entry.unknowns + path.unknowns + doubts + ((why,) if why else ())))
                    found.append(Exposure(target.key, reached, path.traffic, entry.hops + group_hops + path.hops,
                                          entry.certain and path.certain and not unknowns, unknowns, via=lb.key,
                                          via_label=self.label(lb.key)))
        return found

    # -- resource to resource ----------------------------------------------------------------------

    def _resource_flows(self, src: Endpoint, dst: Endpoint, query: Traffic,
                        relay: IntervalSet | None = None) -> tuple[list[Exposure], list[Blocked]]:
        """Traffic from `src` to `dst`; with `relay`, `src` is a load balancer that hands on
        these clients' addresses (the target's groups and ACL see them, not the balancer)."""
        def run(evaluator: Evaluator) -> tuple[list[Piece], list[Blocked]]:
            pieces: list[Piece] = []
            blocks: list[Blocked] = []
            name = evaluator.view.name(src.key)
            for origin_placement in src.placements:
                origin_subnet = evaluator.view.subnet(origin_placement.subnet)
                if isinstance(origin_subnet, str):
                    blocks.append(Blocked((), f"{name}: {origin_subnet}"))
                    continue
                origin = Origin(name, placement=origin_placement, key=src.key)
                arriving = Origin(name, relay, placement=origin_placement, key=src.key, relayed=True) \
                    if relay is not None else origin
                for placement in dst.placements:
                    found, blocked = self._pair(evaluator, origin, origin_subnet, placement, query, arriving,
                                                evaluator.view.name(dst.key))
                    pieces.extend(found)
                    blocks.extend(blocked)
            pieces = [Piece(p.sources, p.traffic, p.hops + (Hop(evaluator.view.name(dst.key), dst.key),))
                      for p in pieces]
            return pieces, blocks

        return self._certain(dst, run, origin_key=src.key)

    def _pair(self, evaluator: Evaluator, origin: Origin, origin_subnet: SubnetView, placement: Placement,
              query: Traffic, arriving: Origin, dst_name: str) -> tuple[list[Piece], list[Blocked]]:
        dst_subnet = evaluator.view.subnet(placement.subnet)
        if isinstance(dst_subnet, str):
            return [], [Blocked((), dst_subnet)]
        assert origin.placement is not None
        out, out_blocks = evaluator.outbound(origin.placement, origin_subnet, placement, dst_subnet, query)
        if not out:
            return [], out_blocks
        inbound, in_blocks = evaluator.inbound(placement, arriving, _union(p.traffic for p in out), False,
                                               origin_subnet)
        if not inbound:
            return [], [Blocked(out[0].hops + b.hops, b.reason) for b in in_blocks]
        sure = _Addresses(evaluator, origin if not arriving.relayed else None, origin_subnet, placement, dst_subnet,
                          dst_name, out, inbound)
        pieces = []
        for back in inbound:
            remaining = back.traffic
            family = _family(back.sources)
            for forth in out:  # one witness per piece of traffic is enough; IPv4 talks to IPv4
                traffic = remaining & forth.traffic if _family(forth.sources) == family else None
                if traffic:
                    pieces.extend(sure.split(Piece(back.sources, traffic, forth.hops + back.hops)))
                    remaining = remaining - traffic
        if not pieces:
            return [], [Blocked(out[0].hops, "the two sides have no address family in common that gets through")]
        return pieces, []

    def _outward(self, src: Endpoint, target: str, query: Traffic) -> tuple[list[Exposure], list[Blocked]]:
        internet = target == INTERNET
        addresses = PUBLIC if internet else cidr_interval(target)

        def run(evaluator: Evaluator) -> tuple[list[Piece], list[Blocked]]:
            egress = Egress(evaluator)
            pieces: list[Piece] = []
            blocks: list[Blocked] = []
            for placement in src.placements:
                subnet = evaluator.view.subnet(placement.subnet)
                if isinstance(subnet, str):
                    blocks.append(Blocked((), subnet))
                    continue
                found, blocked = egress.to_addresses(placement, subnet, addresses, internet, query)
                pieces.extend(Piece(p.sources, p.traffic, p.hops + (Hop(target),)) for p in found)
                blocks.extend(blocked)
            return pieces, blocks

        exposures, blocks = self._certain(src, run, origin_key=src.key)
        return exposures, blocks

    # -- certainty ----------------------------------------------------------------------------------

    def _certain(self, endpoint: Endpoint, run: Any, origin_key: str | None) -> tuple[list[Exposure], list[Blocked]]:
        """Permissive pieces that the restrictive mode confirms are certain; the rest are possible."""
        pieces, blocks = run(self._evaluators[True])
        doubtful = [p for p in pieces if p.doubts]
        certain_pieces = [p for p in pieces if not p.doubts]
        possible: list[tuple[Piece, Traffic]] = []
        if doubtful and all(_address_doubt_only(p) for p in doubtful):
            # the restrictive mode would find exactly the pieces without doubt: no need to ask it
            possible = [(p, p.traffic) for p in doubtful]
        elif doubtful:
            confirmed, strict_blocks = run(self._evaluators[False])
            certain_pieces = confirmed
            for piece in doubtful:
                sure = _union(c.traffic for c in confirmed if c.sources & piece.sources)
                rest = piece.traffic - sure
                if rest:
                    possible.append((piece, rest))
            if not confirmed and strict_blocks:
                blocks = strict_blocks + blocks
        # one exposure per path and traffic, with the union of the addresses that take it
        grouped: dict[tuple[Any, ...], list[Any]] = {}
        for piece, traffic, certain in [*((p, p.traffic, True) for p in certain_pieces),
                                        *((p, rest, False) for p, rest in possible)]:
            key = (piece.hops, traffic.key(), certain)
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = [piece.sources, traffic]
            else:
                entry[0] = entry[0] | piece.sources
        origin_label = self._evaluators[True].view.name(origin_key) if origin_key else None
        exposures = []
        for (hops, _, certain), (sources, traffic) in grouped.items():
            doubts = () if certain else tuple(dict.fromkeys(h.unknown for h in hops if h.unknown))
            exposures.append(Exposure(endpoint.key, sources, traffic, hops, certain, doubts,
                                      origin=origin_key, origin_label=origin_label))
        return exposures, blocks


class _Candidates:
    """The sources a destination's security groups could admit, so that tier flows are not
    evaluated for every pair of resources (only pairs some ingress rule names)."""

    def __init__(self, net: Network, keys: dict[str, str]) -> None:
        self.view = net._evaluators[True].view
        self.keys = list(keys)
        self.by_group: dict[str, set[str]] = defaultdict(set)
        self.spans: list[tuple[IntervalSet, str]] = []
        self.everyone_unknown: set[str] = set()
        self.vpc_of: dict[str, set[str]] = {}
        self.spans_by_network: dict[Any, list[tuple[IntervalSet, str]]] = defaultdict(list)
        self._linked = _linked_vpcs(net.inventory)
        for key in self.keys:
            for placement in net.endpoints[key].placements:
                groups = placement.security_groups
                if isinstance(groups, tuple):
                    for group in groups:
                        if isinstance(group, str):
                            self.by_group[group].add(key)
                else:
                    self.everyone_unknown.add(key)  # unknown groups may match any reference
                subnet = self.view.subnet(placement.subnet)
                if isinstance(subnet, str) or subnet.key is None or not isinstance(subnet.vpc, str):
                    self.everyone_unknown.add(key)
                else:
                    network = self.network_of_vpc(subnet.vpc)
                    self.spans.append((subnet.v4 | subnet.v6, key))
                    self.spans_by_network[network].append((subnet.v4 | subnet.v6, key))
                    self.vpc_of.setdefault(key, set()).add(network)

    def network_of_vpc(self, vpc: str) -> str:
        """VPCs joined by peering or a transit gateway count as one network here."""
        return self._linked.get(vpc, vpc)

    def of(self, endpoint: Endpoint) -> list[str]:
        found: set[str] = set(self.everyone_unknown)
        near = self.vpc_of.get(endpoint.key)
        for placement in endpoint.placements:
            rules, _ = self.view.sg_rules(placement.security_groups, egress=False)
            if rules is None:
                found.update(self.keys)
                break
            for rule in rules:
                if ANY_GROUP in rule.groups:
                    found.update(self.keys)
                    break
                for group in rule.groups:
                    found |= self.by_group.get(group, set())
                if rule.addresses:
                    for network in near or {None}:
                        found |= {key for span, key in self.spans_by_network.get(network, self.spans)
                                  if span & rule.addresses}
        if near is None:
            return [k for k in self.keys if k in found]
        return [k for k in self.keys if k in found and (k in self.everyone_unknown or self.vpc_of.get(k, set()) & near)]


def _linked_vpcs(inventory: Inventory) -> dict[str, str]:
    """VPC key -> a representative of the VPCs it is joined to (peering, transit gateway)."""
    from ..model import TransitGatewayAttachment, VpcPeeringConnection

    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    def join(a: Any, b: Any) -> None:
        if isinstance(a, str) and isinstance(b, str):
            parent[find(a)] = find(b)

    for pcx in inventory.of_kind(VpcPeeringConnection):
        join(pcx.vpc, pcx.peer_vpc)
    attachments: dict[Any, list[Any]] = defaultdict(list)
    for attachment in inventory.of_kind(TransitGatewayAttachment):
        attachments[attachment.transit_gateway if isinstance(attachment.transit_gateway, str) else "?"].append(
            attachment.vpc)
    for vpcs in attachments.values():
        for vpc in vpcs[1:]:
            join(vpcs[0], vpc)
    return {key: find(key) for key in list(parent)}


class _Addresses:
    """Where a resource's private address is unknown (any of its subnet's), traffic that
    gets through from (or to) only some of those addresses is only possibly allowed: the
    permissive mode marks it with a doubt, the restrictive mode drops it."""

    def __init__(self, evaluator: Evaluator, origin: Origin | None, origin_subnet: SubnetView,
                 dst: Placement, dst_subnet: SubnetView, dst_name: str, out: list[Piece], inbound: list[Piece]) -> None:
        self.permissive = evaluator.view.permissive
        self.sure: dict[int, Traffic] = {}
        self.doubt: dict[int, str] = {}  # empty: whatever gets through, does so for every address
        sides = [(inbound, addresses_of(origin.placement, origin_subnet) if origin and origin.placement else None,
                  evaluator.view.name(origin.key) if origin else "", origin_subnet.label),
                 (out, addresses_of(dst, dst_subnet), dst_name, dst_subnet.label)]
        for family, space in ((4, ALL_V4), (6, ALL_ADDRESSES - ALL_V4)):
            commons, unsure = [], []
            for pieces, candidates, name, where in sides:
                if candidates is None or not candidates & space:
                    continue
                if _uniform(pieces, candidates & space):
                    continue  # one atom holds every candidate address: it decides for all of them
                common, total = _everywhere(pieces, candidates & space)
                if total - common:
                    unsure.append(f"{name} may have any address of {where}, and not every one gets through")
                commons.append(common)
            self.doubt[family] = "; ".join(unsure)
            sure = Traffic.all()
            for common in commons if unsure else ():
                sure = sure & common
            self.sure[family] = sure

    def split(self, piece: Piece) -> list[Piece]:
        family = _family(piece.sources)
        if not self.doubt[family]:
            return [piece]
        sure = piece.traffic & self.sure[family]
        rest = piece.traffic - sure
        found = [Piece(piece.sources, sure, piece.hops)] if sure else []
        if rest and self.permissive:
            found.append(Piece(piece.sources, rest, piece.hops + (Hop(ADDRESS_UNKNOWN, None, self.doubt[family]),)))
        return found


ADDRESS_UNKNOWN = "(private IP unknown)"


def _address_doubt_only(piece: Piece) -> bool:
    """Only an unknown private address makes this piece doubtful (see _Addresses)."""
    return all(h.unknown is None or h.text == ADDRESS_UNKNOWN for h in piece.hops)


def _family(addresses: IntervalSet) -> int:
    return 6 if addresses.first() >= V6_BASE else 4


def _uniform(pieces: list[Piece], candidates: IntervalSet) -> bool:
    """Every piece comes from one atom that holds all the candidate addresses, without doubt."""
    first = pieces[0].sources
    return candidates.issubset(first) and all(p.sources == first and not p.doubts for p in pieces)


def _everywhere(pieces: list[Piece], candidates: IntervalSet) -> tuple[Traffic, Traffic]:
    """(The traffic that gets through whichever address of `candidates` is the one, all
    the traffic that gets through for some): pieces come per address atom, and only
    those without a doubt count for the first."""
    by_atom: dict[Any, Traffic] = {}
    covered = IntervalSet()
    total = Traffic.none()
    for piece in pieces:
        part = piece.sources & candidates
        if not part:
            continue
        total = total | piece.traffic
        if not piece.doubts:
            by_atom[part.spans] = by_atom.get(part.spans, Traffic.none()) | piece.traffic
            covered = covered | part
    if not candidates.issubset(covered):
        return Traffic.none(), total
    atoms_ = iter(by_atom.values())
    common = next(atoms_)
    for traffic in atoms_:
        common = common & traffic
    return common, total


def _may_be_target(endpoint: Endpoint | None) -> bool:
    """What a target group may register: instances (directly or through a group)."""
    return endpoint is not None and isinstance(endpoint.resource, (Instance, AutoScalingGroup))


def _may_reach_internet(subnet: SubnetView) -> bool:
    from .flows import _may_lead_to_internet

    return _may_lead_to_internet(subnet.table)


def _query(protocol: str | None, port: int | None) -> Traffic:
    """The traffic a reach question asks about: all of it, a protocol, or one port of it."""
    return Traffic.all() if protocol is None else Traffic.of(protocol, None if port is None
                                                              else IntervalSet.span(port, port))


def _target_traffic(forward: Forward) -> tuple[Traffic, str | None]:
    port = forward.target_port
    if isinstance(port, int):
        return Traffic.of(forward.protocol, IntervalSet.span(port, port)), None
    if isinstance(port, Unknown):
        return Traffic.of(forward.protocol), f"the port on the targets is unknown: {port.reason}"
    return Traffic.of(forward.protocol), None  # each target's own port


def _union(traffics: Iterable[Traffic]) -> Traffic:
    total = Traffic.none()
    for traffic in traffics:
        total = total | traffic
    return total


def _dedupe(blocks: list[Blocked]) -> list[Blocked]:
    seen: dict[str, Blocked] = {}
    for block in blocks:
        seen.setdefault(block.reason, block)
    return list(seen.values())[:5]


TIER = "tier:"


def is_tier(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TIER)


def _tier_spec(tier: str) -> tuple[str, str]:
    """("Tier", "web") for "tier:web"; ("Layer", "web") for "tier:Layer=web"."""
    text = tier[len(TIER):]
    tag, _, value = text.partition("=")
    return (tag, value) if value else ("Tier", text)


def _key(resource: Any) -> str:
    return resource.key if isinstance(resource, Resource) else str(resource)


__all__ = ["Network", "INTERNET", "PORTED", "TIER", "is_tier"]
