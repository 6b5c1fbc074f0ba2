"""Zones written in different ways cannot be compared.

A template may name a zone by position (``!Select [0, !GetAZs ""]``: the first of the
account's zones in the region, alphabetically, known only at deploy time), by name
(``eu-west-1a``) or by zone id (``euw1-az1``, which maps to a different name in each
account). Two zones written the same way are the same or different as written; two
written differently may be the same zone. Rules count distinct zones by value, so where
zones that may be compared (the subnets of one VPC, the instances a template places, an
explicit zone list) are written in ways that cannot be told apart, each such zone
becomes an Unknown that says which zones it may equal.
"""
from __future__ import annotations

import itertools
import re
from typing import Any, Iterable

from ...model import Unknown
from .values import Zone

ZONE_FIELDS = ("availability_zone", "availability_zone_name")
ZONE_LISTS = ("availability_zones",)
_ZONE_ID = re.compile(r"^[a-z]+\d+(-[a-z]+\d+)?-az\d+$")
_ZONE_NAME = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")


def comparable_zones(resources: Iterable[tuple[dict[str, Any], Any]]) -> None:
    """Replace, in place, the zones that may equal another zone written differently.
    ``resources`` gives each resource's fields and the scope its zones are compared in."""
    scopes: dict[Any, list[tuple[dict[str, Any], str, str]]] = {}
    for fields, scope in resources:
        for name in ZONE_FIELDS:
            value = fields.get(name)
            if isinstance(value, str):
                scopes.setdefault(scope, []).append((fields, name, value))
        for name in ZONE_LISTS:
            values = fields.get(name)
            if isinstance(values, tuple) and len(values) > 1:
                doubts = _doubts({v for v in values if isinstance(v, str)})
                if doubts:
                    fields[name] = Unknown(next(iter(doubts.values())))
    for members in scopes.values():
        doubts = _doubts({value for _, _, value in members})
        for fields, name, value in members:
            if value in doubts:
                fields[name] = Unknown(doubts[value])


def _doubts(values: set[str]) -> dict[str, str]:
    """For each zone that may be the same as another one written differently, why."""
    found: dict[str, str] = {}
    for a, b in itertools.combinations(sorted(values), 2):
        why = _may_be_the_same(a, b)
        if why:
            found.setdefault(a, f"{a} may be the same zone as {b}: {why}")
            found.setdefault(b, f"{b} may be the same zone as {a}: {why}")
    return found


def _may_be_the_same(a: str, b: str) -> str | None:
    (kind_a, region_a), (kind_b, region_b) = _kind(a), _kind(b)
    if region_a and region_b and region_a != region_b:
        return None  # zones of different regions
    if kind_a == kind_b == "position":
        if a.index != b.index:  # type: ignore[attr-defined]
            return None  # different positions of the same region, or zones of different regions
        return "the stack's region is not known (pass --region)"
    if kind_a == kind_b:
        return None  # two names, or two zone ids: different as written
    if "position" in (kind_a, kind_b):
        return "Fn::GetAZs lists the account's zones, so which zone is at which position is known only at deploy time"
    return "zone ids map to zone names differently in each account"


def _kind(zone: str) -> tuple[str, str | None]:
    if isinstance(zone, Zone):
        return "position", zone.region
    if _ZONE_ID.match(zone):
        return "id", None
    match = _ZONE_NAME.match(zone)
    return "name", match.group(1) if match else None
