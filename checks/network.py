"""Network reachability: what the internet, and each tier, can really reach.

Each rule asks the network graph of the inventory (built once) and puts the witness
path, or the hop that blocks, in the result's evidence.
"""
from __future__ import annotations

from typing import Any, Iterable

from stackproof.model import Resource, Unknown
from stackproof.network import Exposure, IntervalSet, Traffic
from stackproof.network.compiled import atoms
from stackproof.network.intervals import EMPTY, PUBLIC_V4, PUBLIC_V6, cidr_interval, is_cidr
from stackproof.rules import Context, Verdict, failed, not_applicable, passed, unknown

EVIDENCE_PATHS = 5  # at most this many paths per result


def _trusted(ctx: Context) -> IntervalSet:
    """Addresses the organisation trusts (office, VPN): reachability from them alone is not exposure."""
    found = EMPTY
    for cidr in ctx.params.get("trusted_cidrs") or ():
        if not is_cidr(str(cidr)):
            raise ValueError(f"trusted_cidrs: {cidr!r} is not a CIDR")
        found = found | cidr_interval(str(cidr))
    return found


def _internet(resource: Resource, ctx: Context) -> list[Exposure]:
    trusted = _trusted(ctx)
    found = []
    for exposure in ctx.network.exposures(resource):
        if trusted and exposure.sources.issubset(trusted):
            continue
        found.append(exposure)
    return found


def _evidence(exposures: Iterable[Exposure]) -> dict[str, Any]:
    listed = list(exposures)
    return {"paths": [e.as_dict() for e in listed[:EVIDENCE_PATHS]],
            **({"more_paths": len(listed) - EVIDENCE_PATHS} if len(listed) > EVIDENCE_PATHS else {})}


def _blocked(resource: Resource, ctx: Context) -> dict[str, Any]:
    """Evidence for a resource the internet does not reach: the hop that blocks."""
    return {"blocked": ctx.network.why_not_exposed(resource)}


def _summary(exposures: list[Exposure]) -> str:
    first = exposures[0]
    more = f" (and {len(exposures) - 1} more path(s))" if len(exposures) > 1 else ""
    return f"{first.traffic.text()} from {first.source_text}: {first.path()}{more}"


def _doubt(exposures: list[Exposure]) -> str:
    """The first unknown the answer depends on (the evidence lists every path and its unknowns)."""
    reasons = list(dict.fromkeys(r for e in exposures for r in e.unknowns)) or ["values that are unknown"]
    more = f" (and {len(reasons) - 1} more unknown value(s))" if len(reasons) > 1 else ""
    return reasons[0] + more


def network_data_store_not_internet_reachable(store: Resource, ctx: Context) -> Verdict:
    """No database, cache, file system or data warehouse is reachable from the internet on any port."""
    exposures = _internet(store, ctx)
    certain = [e for e in exposures if e.certain]
    if certain:
        return failed(f"reachable from the internet on {_summary(certain)}", **_evidence(certain))
    if exposures:
        return unknown(f"possibly reachable from the internet, depending on {_doubt(exposures)}: "
                       f"{_summary(exposures)}", **_evidence(exposures))
    return passed("not reachable from the internet on any port", **_blocked(store, ctx))


def _ports(ctx: Context) -> Traffic:
    wanted = Traffic.none()
    for port in ctx.params.get("ports") or ():
        span = _span(port)
        wanted = wanted | Traffic.of("tcp", span) | Traffic.of("udp", span)
    return wanted


def _span(port: Any) -> IntervalSet:
    text = str(port)
    low, _, high = text.partition("-")
    return IntervalSet.span(int(low), int(high or low))


def network_admin_ports_not_internet_reachable(resource: Resource, ctx: Context) -> Verdict:
    """Nothing is reachable from the internet on administration ports (parameter ports)."""
    if not ctx.network.is_endpoint(resource):
        return not_applicable("not a resource that receives traffic")
    admin = _ports(ctx)
    hits = [(e, e.traffic & admin) for e in _internet(resource, ctx) if e.traffic & admin]
    certain = [e for e, _ in hits if e.certain]
    if certain:
        ports = (certain[0].traffic & admin).text()
        return failed(f"administration port {ports} is reachable from the internet: {_summary(certain)}",
                      **_evidence(certain))
    if hits:
        exposures = [e for e, _ in hits]
        return unknown(f"administration port {hits[0][1].text()} is possibly reachable from the internet, "
                       f"depending on {_doubt(exposures)}", **_evidence(exposures))
    others = _internet(resource, ctx)
    evidence = _evidence(others) if others else _blocked(resource, ctx)
    return passed(f"no administration port ({admin.text()}) is reachable from the internet", **evidence)


def network_internet_exposure_allowlisted(resource: Resource, ctx: Context) -> Verdict:
    """Only the allowed kinds, and resources tagged with a reason, are reachable from the internet."""
    if not ctx.network.is_endpoint(resource):
        return not_applicable("not a resource that receives traffic")
    exposures = _internet(resource, ctx)
    direct = [e for e in exposures if e.via is None]
    forwarded = sorted({e.via for e in exposures if e.via})
    if not direct:
        if forwarded:
            names = ", ".join(ctx.network.label(k) for k in forwarded)
            return passed(f"reached from the internet only through load balancer {names}", **_evidence(exposures))
        return passed("not reachable from the internet", **_blocked(resource, ctx))
    if resource.kind in (ctx.params.get("allowed_kinds") or ()):
        return passed(f"reachable from the internet as an allowed kind ({resource.kind}): {_summary(direct)}",
                      **_evidence(direct))
    tag = ctx.params.get("allow_tag")
    value = resource.tag(tag) if tag else None
    if isinstance(value, Unknown):
        return unknown(f"reachable from the internet, and whether its {tag} tag allows it is unknown "
                       f"({value.reason}): {_summary(direct)}", **_evidence(direct))
    if value is not None:
        reason = str(value).strip()
        if reason:
            return passed(f"reachable from the internet, allowed by tag {tag}: {reason}", **_evidence(direct))
        return failed(f"tag {tag} carries no reason, so it does not allow: {_summary(direct)}", **_evidence(direct))
    certain = [e for e in direct if e.certain]
    if certain:
        return failed(f"reachable from the internet, and neither its kind nor a {tag} tag allows it: "
                      f"{_summary(certain)}", **_evidence(certain))
    return unknown(f"possibly reachable from the internet, depending on {_doubt(direct)}: {_summary(direct)}",
                   **_evidence(direct))


def _open_to_everyone(exposures: list[Exposure]) -> Traffic:
    """The traffic every address of the public internet (IPv4, or IPv6) certainly reaches directly."""
    direct = [e for e in exposures if e.certain and e.via is None]
    found = Traffic.none()
    for space in (PUBLIC_V4, PUBLIC_V6):
        pieces = [(e.sources & space, e.traffic) for e in direct if e.sources & space]
        edges = [b for sources, _ in pieces for lo, hi in sources for b in (lo, hi + 1)]
        common = Traffic.all() if pieces else Traffic.none()
        for atom in atoms(space, edges):
            reached = Traffic.none()
            for sources, traffic in pieces:
                if atom.issubset(sources):
                    reached = reached | traffic
            common = common & reached
            if not common:
                break
        found = found | common
    return found


def _allowed(ctx: Context, source_tier: str, destination_tier: str) -> Traffic:
    allowed = Traffic.none()
    for entry in ctx.params.get("allowed") or ():
        if str(entry.get("from")) == source_tier and str(entry.get("to")) == destination_tier:
            protocol = str(entry.get("protocol", "tcp")).lower()
            ports = entry.get("ports")
            if ports in (None, "all"):
                allowed = allowed | Traffic.of(protocol)
                continue
            for port in ports:
                allowed = allowed | Traffic.of(protocol, _span(port))
    return allowed


def network_tier_isolation(resource: Resource, ctx: Context) -> Verdict:
    """Tiers reach each other only as parameter `allowed` lists."""
    tier_tag = ctx.params.get("tier_tag") or "Tier"
    if not ctx.network.is_endpoint(resource):
        return not_applicable("not a resource that receives traffic")
    tier = resource.tag(tier_tag)
    if isinstance(tier, Unknown):
        return unknown(f"its {tier_tag} tag is unknown ({tier.reason}), so which flows are allowed is unknown")
    if not isinstance(tier, str):
        return not_applicable(f"carries no {tier_tag} tag")
    # What the whole internet can reach anyway is not a boundary between tiers: every tier
    # reaches it through its own way out (network_internet_exposure_allowlisted judges it).
    # A port open to some addresses only (an office) is no such thing: it counts.
    public = _open_to_everyone(ctx.network.exposures(resource))
    incoming = ctx.network.tier_flows(tier_tag).get(resource.key, [])
    violations: list[tuple[Exposure, Traffic, str]] = []
    untiered: list[tuple[Exposure, Traffic, Unknown]] = []  # sources whose own tier is unknown
    permitted: set[str] = set()
    for exposure in incoming:
        source = ctx.get(exposure.origin)
        source_tier = source.tag(tier_tag) if source is not None else None
        if isinstance(source_tier, Unknown):
            if exposure.traffic - public:
                untiered.append((exposure, exposure.traffic - public, source_tier))
            continue
        extra = exposure.traffic - _allowed(ctx, str(source_tier), tier) - public
        if extra:
            violations.append((exposure, extra, str(source_tier)))
        else:
            permitted.add(f"{source_tier} {ctx.network.label(exposure.origin)} on {exposure.traffic.text()}")
    certain = [v for v in violations if v[0].certain]
    if certain:
        exposure, extra, source_tier = certain[0]
        return failed(f"tier {source_tier} reaches tier {tier} on {extra.text()}, which is not allowed: "
                      f"{exposure.path()}", **_evidence(v[0] for v in certain))
    if untiered:  # it may be of this very tier, or of one the flow is not allowed from
        exposure, extra, doubt = untiered[0]
        return unknown(f"{ctx.network.label(exposure.origin)} reaches tier {tier} on {extra.text()}, and its own "
                       f"{tier_tag} tag is unknown ({doubt.reason}): {exposure.path()}",
                       **_evidence(u[0] for u in untiered))
    if violations:
        exposure, extra, source_tier = violations[0]
        return unknown(f"tier {source_tier} possibly reaches tier {tier} on {extra.text()}, depending on "
                       f"{_doubt([v[0] for v in violations])}: {exposure.path()}",
                       **_evidence(v[0] for v in violations))
    if permitted:
        return passed(f"reached from other tiers only as allowed: {'; '.join(sorted(permitted)[:5])}",
                      **_evidence(incoming))
    return passed("no other tier reaches it")
