"""Traffic sets: which protocols, and for TCP and UDP which ports.

A set is a map protocol -> port intervals plus a flag for "every other protocol".
Protocols without ports (ICMP, ESP, ...) are all-or-nothing: ICMP types and codes
are not told apart.
"""
from __future__ import annotations

from typing import Iterable

from .intervals import EMPTY, IntervalSet

PORTS = IntervalSet.span(0, 65535)
# The ports a client may reply from. Clients pick their own: Linux 32768-60999, Windows
# 49152-65535, and NAT gateways and load balancers anything in 1024-65535, which is the
# range AWS documents for a network ACL to open to serve every client. A NACL that lets
# back only part of it serves some clients and not others: "possibly" reachable.
EPHEMERAL = IntervalSet.span(1024, 65535)
PORTED = ("tcp", "udp")


class Traffic:
    __slots__ = ("by_protocol", "rest", "_text", "_key")

    def __init__(self, by_protocol: dict[str, IntervalSet] | None = None, rest: bool = False) -> None:
        # `rest` means every protocol not listed, with all its ports; a listed protocol
        # equal to the default is dropped so that equal sets look alike.
        default = PORTS.spans if rest else ()
        self.by_protocol = {p: s for p, s in (by_protocol or {}).items() if s.spans != default}
        self.rest = rest
        self._text: str | None = None
        self._key: tuple | None = None

    # -- building -------------------------------------------------------------------

    @classmethod
    def all(cls) -> "Traffic":
        return cls({}, rest=True)

    @classmethod
    def none(cls) -> "Traffic":
        return cls()

    @classmethod
    def of(cls, protocol: str, ports: IntervalSet | None = None) -> "Traffic":
        """One protocol ("-1" means all); ports apply to TCP and UDP only."""
        if protocol == "-1":
            return cls.all()
        if protocol not in PORTED:
            return cls({protocol: PORTS})
        return cls({protocol: PORTS if ports is None else ports & PORTS})

    @classmethod
    def rule(cls, protocol: str, from_port: int | None, to_port: int | None) -> "Traffic":
        """The traffic a security group or NACL rule names (AWS writes -1/None for all ports)."""
        if protocol in PORTED:
            if from_port is None or to_port is None or (from_port in (-1, 0) and to_port in (-1, 65535)) \
                    or from_port == -1:
                return cls.of(protocol)
            return cls.of(protocol, IntervalSet.span(from_port, to_port))
        return cls.of(protocol)

    # -- algebra ------------------------------------------------------------------------

    def ports(self, protocol: str) -> IntervalSet:
        found = self.by_protocol.get(protocol)
        if found is not None:
            return found
        return PORTS if self.rest else EMPTY

    def _protocols(self, other: "Traffic") -> set[str]:
        return set(self.by_protocol) | set(other.by_protocol)

    def _combine(self, other: "Traffic", op, rest: bool) -> "Traffic":
        return Traffic({p: op(self.ports(p), other.ports(p)) for p in self._protocols(other)}, rest)

    def __and__(self, other: "Traffic") -> "Traffic":
        if self.rest and not self.by_protocol:
            return other
        if other.rest and not other.by_protocol:
            return self
        if other.by_protocol is self.by_protocol and other.rest == self.rest:
            return self
        return self._combine(other, lambda a, b: a & b, self.rest and other.rest)

    def __or__(self, other: "Traffic") -> "Traffic":
        if not other.rest and not other.by_protocol:
            return self
        if not self.rest and not self.by_protocol:
            return other
        return self._combine(other, lambda a, b: a | b, self.rest or other.rest)

    def __sub__(self, other: "Traffic") -> "Traffic":
        if not other.rest and not other.by_protocol:
            return self
        if other.rest and not other.by_protocol:
            return NOTHING
        return self._combine(other, lambda a, b: a - b, self.rest and not other.rest)

    def __bool__(self) -> bool:
        return self.rest or any(bool(s) for s in self.by_protocol.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Traffic) and not (self - other) and not (other - self)

    def __hash__(self) -> int:
        return hash(self.text())

    def key(self) -> tuple:
        """A cheap identity for grouping and caching (equal sets give equal keys)."""
        if self._key is None:
            self._key = self.rest, tuple(sorted((p, s.spans) for p, s in self.by_protocol.items()))
        return self._key

    def is_all(self) -> bool:
        return self.rest and not self.by_protocol

    def __repr__(self) -> str:
        return f"Traffic({self.text()})"

    def protocols(self) -> list[str]:
        """The protocols listed with some ports (not counting `rest`)."""
        return sorted(p for p, s in self.by_protocol.items() if s)

    def covers(self, protocol: str, port: int | None) -> bool:
        ports = self.ports(protocol)
        if protocol not in PORTED or port is None:
            return bool(ports)
        return port in ports

    def only_protocols(self, protocols: Iterable[str]) -> "Traffic":
        """This traffic restricted to the named protocols."""
        wanted = list(protocols)
        return Traffic({p: self.ports(p) for p in wanted})

    # -- text ---------------------------------------------------------------------------

    def text(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def _render(self) -> str:
        if self.rest and not self.by_protocol:
            return "all traffic"
        parts = [f"{p}/{ports_text(s)}" if p in PORTED else p for p, s in sorted(self.by_protocol.items()) if s]
        if self.rest:
            excluded = [f"{p}/{ports_text(PORTS - s)}" if p in PORTED and s else p
                        for p, s in sorted(self.by_protocol.items())]
            return "all traffic except " + ", ".join(excluded)
        return ", ".join(parts) or "nothing"


NOTHING = Traffic()


def ports_text(ports: IntervalSet) -> str:
    if ports == PORTS:
        return "all"
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ports)
