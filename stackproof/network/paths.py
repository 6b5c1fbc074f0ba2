"""What the engine answers: hops, witness paths, exposures and reach answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .intervals import IntervalSet, addresses_text
from .traffic import Traffic


@dataclass(frozen=True)
class Hop:
    """One component on a path and what it did: "rtb-public route 0.0.0.0/0 -> igw"."""

    text: str
    component: str | None = None  # key of the resource that let traffic through (or blocked it)
    unknown: str | None = None  # why this hop is only possibly open

    def render(self) -> str:
        return f"{self.text} (possibly: {self.unknown})" if self.unknown else self.text


def path_text(source: str, hops: tuple[Hop, ...]) -> str:
    return " -> ".join([source, *(h.render() for h in hops)])


@dataclass(frozen=True)
class Exposure:
    """Traffic from `sources` reaches a resource along `hops`.

    ``certain`` is False when the path depends on values that are unknown (named in
    ``unknowns``): the traffic is then only possibly allowed.
    """

    resource: str
    sources: IntervalSet
    traffic: Traffic
    hops: tuple[Hop, ...]
    certain: bool = True
    unknowns: tuple[str, ...] = ()
    via: str | None = None  # key of the load balancer that forwards this traffic, if any
    via_label: str | None = None  # that load balancer as reports name it
    origin: str | None = None  # key of the source resource, for resource-to-resource answers

    @property
    def source_text(self) -> str:
        return self.origin_label or addresses_text(self.sources)

    origin_label: str | None = None

    def path(self) -> str:
        return path_text(self.source_text, self.hops)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "from": self.source_text,
            "traffic": self.traffic.text(),
            "path": self.path(),
            "certain": self.certain,
        }
        if self.via:
            data["via"] = self.via_label or self.via
        if self.unknowns:
            data["unknowns"] = list(self.unknowns)
        return data


@dataclass(frozen=True)
class Blocked:
    """The first hop that stops traffic, and why."""

    hops: tuple[Hop, ...]  # the hops passed before the block
    reason: str
    component: str | None = None

    def path(self, source: str) -> str:
        return path_text(source, self.hops) + f" -x- {self.reason}"


@dataclass
class Answer:
    """The answer to reachable(src, dst, proto, port)."""

    source: str
    destination: str
    query: Traffic
    reachable: bool  # through at least one path whose values are all known
    possibly: bool  # through a path that depends on unknown values (and no certain one)
    paths: list[Exposure] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "reachable" if self.reachable else "possibly reachable" if self.possibly else "not reachable"

    def text(self) -> str:
        lines = [f"{self.source} -> {self.destination} ({self.query.text()}): {self.status}"]
        for exposure in self.paths:
            mark = "" if exposure.certain else f"  [possibly: {'; '.join(exposure.unknowns)}]"
            lines.append(f"  {exposure.traffic.text()}: {exposure.path()}{mark}")
        if not self.paths:
            for block in self.blocked:
                lines.append(f"  blocked: {block.path(self.source)}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.source, "to": self.destination, "traffic": self.query.text(), "status": self.status,
            "paths": [p.as_dict() for p in self.paths],
            "blocked": [{"reason": b.reason, "path": b.path(self.source)} for b in self.blocked],
        }
