"""The snapshot: what an audit collected, redacted, re-evaluable offline.

    {"schema": "stackproof/live-snapshot@1", "collected_at": "...", "partition": "aws",
     "regions": [...], "accounts": [...],
     "units": [{"account": "...", "region": "eu-west-2", "service": "rds", "data": {...}},
               {"account": "...", "region": "eu-west-1", "service": "sqs", "gap": "access denied ..."}]}

A unit is one collector's answer for one account and region (region null for S3,
which is listed once per account). ``stackproof scan snapshot.json`` turns the units
into the inventory with the same transforms the audit uses, so it gives the same
verdicts without credentials or network. No boto3 here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...model import Gap, InputFile, Inventory
from . import notassessed, services
from .transforms.common import Where

SCHEMA = "stackproof/live-snapshot@1"


@dataclass
class Unit:
    account: str
    region: str | None
    service: str
    data: dict[str, Any] | None = None
    gap: str | None = None  # why the collector could not read this service here

    @property
    def where(self) -> str:
        return f"account {self.account} {self.region or 'global'} {self.service}"


@dataclass
class Snapshot:
    units: list[Unit]
    accounts: list[str]
    regions: list[str]
    partition: str = "aws"
    collected_at: str = ""
    account_gaps: list[dict[str, str]] = field(default_factory=list)  # accounts whose role could not be assumed

    def to_dict(self) -> dict[str, Any]:
        from ... import __version__

        return {
            "schema": SCHEMA,
            "tool": {"name": "stackproof", "version": __version__},
            "collected_at": self.collected_at,
            "partition": self.partition,
            "regions": self.regions,
            "accounts": self.accounts,
            "account_gaps": self.account_gaps,
            "units": [{k: v for k, v in vars(u).items() if v is not None} for u in self.units],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n"


def is_snapshot(data: Any) -> bool:
    return isinstance(data, dict) and data.get("schema") == SCHEMA


def from_dict(data: Any, where: str) -> Snapshot:
    if not is_snapshot(data):
        raise InputError(where, f"not a stackproof audit snapshot (expected schema {SCHEMA!r})")
    units = []
    for index, item in enumerate(data.get("units") or []):
        at = f"units[{index}]"
        if not isinstance(item, dict):
            raise InputError(where, f"{at} is not an object")
        service = item.get("service")
        if service not in services.SERVICES:
            raise InputError(where, f"{at}: unknown service {service!r}")
        if not isinstance(item.get("account"), str):
            raise InputError(where, f"{at}: account is missing")
        if item.get("data") is not None and not isinstance(item.get("data"), dict):
            raise InputError(where, f"{at}: data is not an object")
        if item.get("data") is None and not isinstance(item.get("gap"), str):
            raise InputError(where, f"{at}: a unit needs data or a gap")
        units.append(Unit(item["account"], item.get("region"), service, item.get("data"), item.get("gap")))
    return Snapshot(units, list(data.get("accounts") or []), list(data.get("regions") or []),
                    str(data.get("partition") or "aws"), str(data.get("collected_at") or ""),
                    list(data.get("account_gaps") or []))


def to_inventory(snapshot: Snapshot, inputs: list[InputFile]) -> Inventory:
    """Every unit through its service's transform; failed units and unreadable answers become
    Gaps. The inventory's run_info names the accounts, regions and what was not assessed."""
    inventory = Inventory(inputs=list(inputs))
    not_assessed: list[dict[str, Any]] = []

    def gap(kinds: tuple[str, ...], reason: str, where: str, account: str | None, region: str | None = None,
            service: str | None = None) -> None:
        inventory.gaps.append(Gap(kinds, reason, where, account, region))
        not_assessed.append(notassessed.entry(where, reason, kinds, account, region, service))

    every_kind = tuple(k for name in services.SERVICES for k in services.kinds(name))
    for missing in snapshot.account_gaps:
        gap(every_kind, missing.get("reason", "not collected"), missing.get("where", "an account"),
            missing.get("account"))
    for unit in snapshot.units:
        kinds = services.kinds(unit.service)
        if unit.data is None:
            gap(kinds, unit.gap or "not collected", unit.where, unit.account, unit.region, unit.service)
            continue
        where = Where(unit.account, unit.region, snapshot.partition)
        try:
            resources = list(services.transform(unit.service).transform(unit.data, where))
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            # An answer of a shape the transform does not expect is not guessed at.
            gap(kinds, f"malformed response: could not read it ({type(exc).__name__}: {exc})", unit.where,
                unit.account, unit.region, unit.service)
            continue
        not_assessed += notassessed.call_failures(unit.data, unit.account, unit.region, unit.service, kinds)
        for resource in resources:
            if inventory.get(resource.key) is not None:
                continue  # the same resource seen from two accounts (a subnet shared with RAM): keep the first
            inventory.add(resource)
    inventory.run_info = {"accounts": list(snapshot.accounts), "regions": list(snapshot.regions),
                          "collected_at": snapshot.collected_at, "not_assessed": not_assessed}
    return inventory


def load_snapshot(path: str, raw: bytes, data: Any) -> Inventory:
    snapshot = from_dict(data, path)
    sha = hashlib.sha256(raw).hexdigest()
    return to_inventory(snapshot, [InputFile("snapshot", str(Path(path)), sha)])
