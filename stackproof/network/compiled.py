"""Route tables, network ACLs and security groups compiled into interval form.

Each is compiled once per mode. An unknown value is resolved the way the mode says:
*permissive* resolves every unknown so that it lets the most traffic through,
*restrictive* so that it lets the least. Traffic allowed in the restrictive mode is
certainly allowed; traffic allowed only in the permissive mode is possibly allowed,
and the component's ``unknowns`` name why.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from ..model import Unknown
from .intervals import ALL_ADDRESSES, EMPTY, IntervalSet, cidr_interval, is_cidr, prefix_length
from .paths import Hop
from .traffic import Traffic


def reason_of(value: Any) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


# -- routes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CRoute:
    destination: str  # as written, or "(unknown)"
    addresses: IntervalSet  # EMPTY for a floating route (unknown destination)
    prefix: int
    target_type: str
    target: Any  # key, raw id, or Unknown
    blackhole: bool = False
    unknown: str | None = None
    listed: bool = False  # one of a prefix list's entries


@dataclass
class CTable:
    key: str | None  # None: the main table AWS creates (only local routes)
    label: str
    routes: list[CRoute]  # known destinations, longest prefix first
    floating: list[CRoute]  # routes whose destination is unknown
    unknowns: list[str] = field(default_factory=list)
    everything_unknown: str | None = None  # the table itself (or its routes) is unknown

    def boundaries(self) -> list[int]:
        return [b for r in self.routes for lo, hi in r.addresses for b in (lo, hi + 1)]

    def containers(self) -> list[IntervalSet]:
        return [r.addresses for r in self.routes]

    def lookup(self, address: int) -> CRoute | None:
        """The longest-prefix match for one address (atoms never straddle a route)."""
        for route in self.routes:
            if address in route.addresses:
                return route
        return None


def prefix_list_cidrs(value: Any, prefix_lists: dict[str, Any]) -> tuple[str, ...] | str:
    """The CIDRs of the prefix list a rule or route names (by id or key), or why they are not known."""
    if not isinstance(value, str):
        return f"a prefix list: {reason_of(value)}"
    entries = prefix_lists.get(value)
    if isinstance(entries, Unknown):
        return f"prefix list {value}: its entries are unknown ({entries.reason})"
    if not isinstance(entries, tuple):
        return f"prefix list {value}: its entries are not in the inputs"
    doubtful = [e for e in entries if not (isinstance(e, str) and is_cidr(e))]
    if doubtful:
        return f"prefix list {value}: an entry is unknown ({reason_of(doubtful[0])})"
    return entries


def compile_table(key: str | None, label: str, routes: Any, vpc_blocks: list[str],
                  prefix_lists: dict[str, Any] | None = None) -> CTable:
    """A route table with the implicit local routes of its VPC added. A route to a prefix
    list is a route to each of its entries; at the same length a CIDR route wins over one
    (AWS's route priority)."""
    table = CTable(key, label, [], [])
    if isinstance(routes, Unknown):
        table.everything_unknown = f"the routes of {label} are unknown: {routes.reason}"
        table.unknowns.append(table.everything_unknown)
        routes = ()
    seen_local = set()
    for route in routes:
        unknown = None
        if isinstance(route.target, Unknown) or route.target_type == "unknown":
            unknown = f"the target of a route in {label} is unknown"
            if isinstance(route.target, Unknown):
                unknown += f": {route.target.reason}"
        destination = route.destination
        listed = (prefix_list_cidrs(destination, prefix_lists or {})
                  if isinstance(destination, str) and not is_cidr(destination) else None)
        if isinstance(destination, str) and is_cidr(destination):
            compiled = CRoute(destination, cidr_interval(destination), prefix_length(destination),
                              route.target_type, route.target, route.blackhole, unknown)
            table.routes.append(compiled)
            if route.target_type == "local":
                seen_local.add(compiled.addresses)
        elif isinstance(listed, tuple):
            table.routes.extend(CRoute(f"{cidr} of prefix list {destination}", cidr_interval(cidr), prefix_length(cidr),
                                       route.target_type, route.target, route.blackhole, unknown, listed=True)
                                for cidr in listed)
        else:
            why = (f"a route in {label} has an unknown destination: {reason_of(destination)}"
                   if isinstance(destination, Unknown) else f"a route in {label} goes to {listed}")
            table.floating.append(CRoute("(unknown)", EMPTY, -1, route.target_type, route.target, route.blackhole,
                                         unknown or why))
            table.unknowns.append(why)
        if unknown:
            table.unknowns.append(unknown)
    for block in vpc_blocks:
        if is_cidr(block) and cidr_interval(block) not in seen_local:
            table.routes.append(CRoute(block, cidr_interval(block), prefix_length(block), "local", "local"))
    table.routes.sort(key=lambda r: (-r.prefix, r.listed))  # longest prefix first; an address has one family
    return table


# -- network ACLs ----------------------------------------------------------------------

DEFAULT_RULE = "*"


@dataclass(frozen=True)
class CNaclRule:
    number: float
    allow: bool
    addresses: IntervalSet
    traffic: Traffic
    label: str


@dataclass
class CNacl:
    key: str | None  # None: the default ACL AWS creates (allows everything)
    label: str
    inbound: list[CNaclRule]
    outbound: list[CNaclRule]
    unknowns: list[str] = field(default_factory=list)
    permissive: bool = False  # the mode it was compiled for (how a partly open return range counts)
    _decided: dict[Any, Any] = field(default_factory=dict, repr=False)
    _returns: dict[Any, Any] = field(default_factory=dict, repr=False)

    def boundaries(self) -> list[int]:
        return [b for r in (*self.inbound, *self.outbound) for lo, hi in r.addresses for b in (lo, hi + 1)]

    def containers(self) -> list[IntervalSet]:
        return [r.addresses for r in (*self.inbound, *self.outbound)]

    def decide(self, outbound: bool, address: int) -> tuple[list[tuple[Traffic, Hop]], list[tuple[Traffic, str]]]:
        """Rules in number order for one peer address: (allowed pieces, denied pieces)."""
        rules = self.outbound if outbound else self.inbound
        matching = tuple(i for i, rule in enumerate(rules) if address in rule.addresses)
        if (outbound, matching) not in self._decided:
            self._decided[(outbound, matching)] = self._decide(outbound, [rules[i] for i in matching])
        return self._decided[(outbound, matching)]

    def _decide(self, outbound: bool, rules: list[CNaclRule]) -> tuple[list[tuple[Traffic, Hop]], list[tuple[Traffic, str]]]:
        allowed: list[tuple[Traffic, Hop]] = []
        denied: list[tuple[Traffic, str]] = []
        remaining = Traffic.all()
        direction = "outbound" if outbound else "inbound"
        for rule in rules:
            taken = rule.traffic & remaining
            if not taken:
                continue
            remaining = remaining - taken
            if rule.allow:
                allowed.append((taken, Hop(f"{self.label} {direction} rule {rule.label}", self.key,
                                           self._doubt())))
            else:
                denied.append((taken, f"{self.label} {direction} rule {rule.label} denies"))
            if not remaining:
                break
        if remaining:
            denied.append((remaining, f"{self.label} {direction}: no rule allows it (the final * rule denies)"))
        return allowed, denied

    def _doubt(self) -> str | None:
        return "; ".join(self.unknowns) if self.unknowns else None


ALLOW_ALL_NACL_RULES = (CNaclRule(float("inf"), True, ALL_ADDRESSES, Traffic.all(), "(allows all)"),)


def default_nacl(label: str = "default network ACL") -> CNacl:
    return CNacl(None, label, list(ALLOW_ALL_NACL_RULES), list(ALLOW_ALL_NACL_RULES))


def compile_nacl(key: str, label: str, rules: Any, permissive: bool) -> CNacl:
    nacl = CNacl(key, label, [], [], permissive=permissive)
    if isinstance(rules, Unknown):
        why = f"the rules of {label} are unknown: {rules.reason}"
        nacl.unknowns.append(why)
        if permissive:
            nacl.inbound = nacl.outbound = [CNaclRule(0, True, ALL_ADDRESSES, Traffic.all(), "(unknown)")]
        return nacl
    for rule in rules:
        compiled = _nacl_rule(rule, label, permissive, nacl.unknowns)
        if compiled is not None:
            (nacl.outbound if rule.egress else nacl.inbound).append(compiled)
    nacl.inbound.sort(key=lambda r: r.number)
    nacl.outbound.sort(key=lambda r: r.number)
    return nacl


def _nacl_rule(rule: Any, label: str, permissive: bool, unknowns: list[str]) -> CNaclRule | None:
    doubts: list[str] = []
    action = rule.action
    if isinstance(action, Unknown):
        doubts.append(f"action: {action.reason}")
        action = "allow" if permissive else "deny"
    allow = str(action).lower() == "allow"
    broad = allow == permissive  # how an unknown field of this rule lets the most (or least) through
    number: float
    if isinstance(rule.rule_number, Unknown):
        doubts.append(f"rule number: {rule.rule_number.reason}")
        number = -1 if broad else 10**9
    else:
        number = float(rule.rule_number) if isinstance(rule.rule_number, (int, float)) else 10**9
    addresses = EMPTY
    for value in (rule.cidr_block, rule.ipv6_cidr_block):
        if isinstance(value, Unknown):
            doubts.append(f"CIDR: {value.reason}")
            addresses = addresses | (ALL_ADDRESSES if broad else EMPTY)
        elif isinstance(value, str) and is_cidr(value):
            addresses = addresses | cidr_interval(value)
    traffic = _rule_traffic(rule.protocol, rule.from_port, rule.to_port, broad, doubts)
    where = f"rule {rule.rule_number if not isinstance(rule.rule_number, Unknown) else '?'} of {label}"
    unknowns.extend(f"{where}: {d}" for d in doubts)
    if not addresses or not traffic:
        return None
    return CNaclRule(number, allow, addresses, traffic,
                     str(rule.rule_number) if not isinstance(rule.rule_number, Unknown) else "(unknown number)")


def _rule_traffic(protocol: Any, from_port: Any, to_port: Any, broad: bool, doubts: list[str]) -> Traffic:
    for name, value in (("protocol", protocol), ("from_port", from_port), ("to_port", to_port)):
        if isinstance(value, Unknown):
            doubts.append(f"{name}: {value.reason}")
            return Traffic.all() if broad else Traffic.none()
    if protocol is None:
        return Traffic.none()
    return Traffic.rule(str(protocol), from_port, to_port)


# -- security groups ---------------------------------------------------------------------

ANY_GROUP = "*"  # a rule whose referenced groups are unknown, resolved permissively


@dataclass(frozen=True)
class CSgRule:
    addresses: IntervalSet  # peers by address (CIDRs, prefix list entries)
    groups: frozenset[str]  # peers by security group key; ANY_GROUP matches every group
    traffic: Traffic
    hop: Hop


@dataclass
class CSg:
    key: str
    label: str
    ingress: list[CSgRule]
    egress: list[CSgRule]
    unknowns: list[str] = field(default_factory=list)

    def boundaries(self) -> list[int]:
        return [b for r in (*self.ingress, *self.egress) for lo, hi in r.addresses for b in (lo, hi + 1)]


def compile_sg(key: str, label: str, rules: Any, permissive: bool, prefix_lists: dict[str, Any],
               name: Any = str) -> CSg:
    sg = CSg(key, label, [], [])
    if isinstance(rules, Unknown):
        why = f"the rules of {label} are unknown: {rules.reason}"
        sg.unknowns.append(why)
        if permissive:
            everything = CSgRule(ALL_ADDRESSES, frozenset({ANY_GROUP}), Traffic.all(), Hop(f"{label} (rules unknown)", key, why))
            sg.ingress, sg.egress = [everything], [everything]
        return sg
    for rule in rules:
        doubts: list[str] = []
        traffic = _rule_traffic(rule.protocol, rule.from_port, rule.to_port, permissive, doubts)
        addresses = EMPTY
        peers: list[str] = []
        for field_name in ("cidr_blocks", "ipv6_cidr_blocks"):
            values = getattr(rule, field_name)
            if isinstance(values, Unknown):
                doubts.append(f"{field_name}: {values.reason}")
                addresses = addresses | (ALL_ADDRESSES if permissive else EMPTY)
                peers.append("(unknown CIDRs)")
                continue
            for value in values:
                if isinstance(value, Unknown):
                    doubts.append(f"a CIDR: {value.reason}")
                    addresses = addresses | (ALL_ADDRESSES if permissive else EMPTY)
                    peers.append("(unknown CIDR)")
                elif is_cidr(value):
                    addresses = addresses | cidr_interval(value)
                    peers.append(value)
        lists = rule.prefix_lists
        for value in (lists if isinstance(lists, tuple) else (lists,)):
            entries = prefix_list_cidrs(value, prefix_lists)
            if isinstance(entries, tuple):
                for entry in entries:
                    addresses = addresses | cidr_interval(entry)
                peers.append(f"prefix list {value}")
            else:
                doubts.append(entries)
                addresses = addresses | (ALL_ADDRESSES if permissive else EMPTY)
                peers.append(f"prefix list {reason_of(value)}")
        groups: set[str] = set()
        refs = rule.security_groups
        if isinstance(refs, Unknown):
            doubts.append(f"referenced groups: {refs.reason}")
            if permissive:
                groups.add(ANY_GROUP)
            peers.append("(unknown groups)")
        else:
            for ref in refs:
                if isinstance(ref, Unknown):
                    doubts.append(f"a referenced group: {ref.reason}")
                    if permissive:
                        groups.add(ANY_GROUP)
                elif isinstance(ref, str):
                    groups.add(ref)
                    peers.append(name(ref))
        if rule.self_reference:
            groups.add(key)
            peers.append("itself")
        if doubts:
            where = f"{label} {'egress' if rule.egress else 'ingress'} {traffic.text()}"
            sg.unknowns.extend(f"{where}: {d}" for d in doubts)
        if not traffic or (not addresses and not groups):
            continue
        direction = "to" if rule.egress else "from"
        hop = Hop(f"{label} {'egress' if rule.egress else 'ingress'} {traffic.text()} {direction} "
                  f"{', '.join(peers) or '(no peer)'}", key, "; ".join(doubts) or None)
        (sg.egress if rule.egress else sg.ingress).append(CSgRule(addresses, frozenset(groups), traffic, hop))
    return sg


# -- atoms -------------------------------------------------------------------------------


def atoms(sources: IntervalSet, boundaries: list[int]) -> list[IntervalSet]:
    """Split `sources` at every boundary: inside one atom every rule and route decides alike."""
    points = sorted(set(boundaries))
    out: list[IntervalSet] = []
    for lo, hi in sources:
        start = lo
        i = bisect_right(points, lo)
        j = bisect_left(points, hi + 1)
        for point in points[i:j]:
            out.append(IntervalSet.span(start, point - 1))
            start = point
        out.append(IntervalSet.span(start, hi))
    return out



def grouped_atoms(sources: IntervalSet, boundaries: list[int],
                  containers: list[IntervalSet]) -> list[tuple[IntervalSet, int]]:
    """Atoms that every container holds alike, merged: (their addresses, one of them).

    The public address space alone is a dozen atoms that every rule treats the same;
    deciding each group once is what keeps a full exposure map fast.
    """
    pieces = atoms(sources, boundaries)
    if len(pieces) == 1:
        return [(pieces[0], pieces[0].first())]
    starts = [p.first() for p in pieces]
    holders: list[list[int]] = [[] for _ in pieces]
    for index, container in enumerate(containers):
        for lo, hi in container.spans:
            # atoms never straddle a container's edge: those starting inside it are inside it
            for i in range(bisect_left(starts, lo), bisect_right(starts, hi)):
                holders[i].append(index)
    groups: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for atom, held in zip(pieces, holders):
        spans = groups.setdefault(tuple(held), [])
        lo, hi = atom.spans[0]
        if spans and spans[-1][1] + 1 == lo:  # atoms come in order: merge neighbours
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return [(IntervalSet._raw(tuple(spans)), spans[0][0]) for spans in groups.values()]
