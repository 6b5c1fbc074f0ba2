"""Interval sets over integers: port ranges and address ranges share one small class.

Addresses live on one integer line: an IPv4 address is its 32-bit value, an IPv6
address is 2**32 plus its 128-bit value, so one set can hold both families and a
CIDR is always one interval. Nothing here loops over ports or addresses.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Iterable, Iterator

V6_BASE = 1 << 32
V4_END = V6_BASE - 1
V6_END = V6_BASE + (1 << 128) - 1


class IntervalSet:
    """An immutable set of integers kept as sorted, disjoint, non-adjacent [lo, hi] spans."""

    __slots__ = ("spans",)

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.spans: tuple[tuple[int, int], ...] = _normalise(spans)

    @classmethod
    def _raw(cls, spans: tuple[tuple[int, int], ...]) -> "IntervalSet":
        made = cls.__new__(cls)
        made.spans = spans
        return made

    @classmethod
    def span(cls, lo: int, hi: int) -> "IntervalSet":
        return cls._raw(((lo, hi),)) if lo <= hi else EMPTY

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and other.spans == self.spans

    def __hash__(self) -> int:
        return hash(self.spans)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self.spans)})"

    def __contains__(self, value: int) -> bool:
        for lo, hi in self.spans:
            if value < lo:
                return False
            if value <= hi:
                return True
        return False

    def __or__(self, other: "IntervalSet") -> "IntervalSet":
        if not other.spans:
            return self
        if not self.spans:
            return other
        a, b = self.spans, other.spans
        if a[-1][1] + 1 < b[0][0]:
            return IntervalSet._raw(a + b)
        if b[-1][1] + 1 < a[0][0]:
            return IntervalSet._raw(b + a)
        return IntervalSet(a + b)

    def __and__(self, other: "IntervalSet") -> "IntervalSet":
        a, b = self.spans, other.spans
        if not a or not b:
            return EMPTY
        if len(a) == 1 and len(b) == 1:
            lo, hi = max(a[0][0], b[0][0]), min(a[0][1], b[0][1])
            return IntervalSet._raw(((lo, hi),)) if lo <= hi else EMPTY
        out: list[tuple[int, int]] = []
        i = j = 0
        while i < len(a) and j < len(b):
            lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet._raw(tuple(out))

    def __sub__(self, other: "IntervalSet") -> "IntervalSet":
        if not self.spans or not other.spans:
            return self
        out: list[tuple[int, int]] = []
        b = other.spans
        j = 0
        for lo, hi in self.spans:
            while j < len(b) and b[j][1] < lo:
                j += 1
            k = j
            cur = lo
            while k < len(b) and b[k][0] <= hi:
                if b[k][0] > cur:
                    out.append((cur, b[k][0] - 1))
                cur = max(cur, b[k][1] + 1)
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return IntervalSet._raw(tuple(out))

    def issubset(self, other: "IntervalSet") -> bool:
        return not (self - other)

    def size(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self.spans)

    def first(self) -> int:
        return self.spans[0][0]


def _normalise(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    ordered = sorted((lo, hi) for lo, hi in spans if lo <= hi)
    out: list[tuple[int, int]] = []
    for lo, hi in ordered:
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


EMPTY = IntervalSet()

# -- addresses -------------------------------------------------------------------------

ALL_V4 = IntervalSet.span(0, V4_END)
ALL_V6 = IntervalSet.span(V6_BASE, V6_END)
ALL_ADDRESSES = ALL_V4 | ALL_V6


@lru_cache(maxsize=65536)
def cidr_interval(text: str) -> IntervalSet:
    """The addresses of a CIDR (or a single address); ValueError when it is not one."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    lo, hi = int(network.network_address), int(network.broadcast_address)
    if network.version == 6:
        lo, hi = lo + V6_BASE, hi + V6_BASE
    return IntervalSet.span(lo, hi)


def is_cidr(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        cidr_interval(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def prefix_length(text: str) -> int:
    network = ipaddress.ip_network(text.strip(), strict=False)
    return network.prefixlen


def cidrs_of(addresses: IntervalSet, limit: int = 8) -> list[str]:
    """The set written as CIDRs, in address order; at most `limit`, then a count of the rest."""
    blocks: list[str] = []
    total = 0
    for lo, hi in addresses:
        for part_lo, part_hi in ((lo, min(hi, V4_END)), (max(lo, V6_BASE), hi)):
            if part_lo > part_hi:
                continue
            if part_hi <= V4_END:
                first, last = ipaddress.IPv4Address(part_lo), ipaddress.IPv4Address(part_hi)
            else:
                first, last = ipaddress.IPv6Address(part_lo - V6_BASE), ipaddress.IPv6Address(part_hi - V6_BASE)
            for network in ipaddress.summarize_address_range(first, last):
                total += 1
                if len(blocks) < limit:
                    blocks.append(str(network))
                elif total > limit + 200:  # enough to say "many more"
                    return blocks + ["(and many more blocks)"]
    if total > limit:
        blocks.append(f"(+{total - limit} more blocks)")
    return blocks


@lru_cache(maxsize=4096)
def _text_of(spans: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(cidrs_of(IntervalSet._raw(spans)))


def addresses_text(addresses: IntervalSet) -> str:
    """Short text for an address set: the CIDRs, or "internet" for the public space."""
    if addresses == PUBLIC:
        return "internet"
    if addresses == PUBLIC_V4:
        return "internet (IPv4)"
    if addresses == PUBLIC_V6:
        return "internet (IPv6)"
    return _text_of(addresses.spans)


# The internet: public unicast space. Private, shared, loopback, link-local, multicast
# and reserved blocks cannot come from the internet, so reachability "from the
# internet" never means "from 10.0.0.0/8".
NOT_PUBLIC_V4 = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                 "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
PUBLIC_V4 = ALL_V4
for _block in NOT_PUBLIC_V4:
    PUBLIC_V4 = PUBLIC_V4 - cidr_interval(_block)
PUBLIC_V6 = cidr_interval("2000::/3")  # global unicast
PUBLIC = PUBLIC_V4 | PUBLIC_V6
