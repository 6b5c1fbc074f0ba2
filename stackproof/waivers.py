"""Waivers: accepted risks, each with a reason, an owner and an expiry date.

A waivers file (``--waivers FILE``) is YAML::

    waivers:
      - policy: s3_bucket_encrypted          # a policy id, or a glob over ids
        resource: "aws_s3_bucket.legacy_*"   # address, logical id or ARN glob ...
        tags: {Team: data}                   # ... and/or tags the resource must carry (values may be globs)
        account: "123456789012"              # optional globs, for live results
        region: "eu-*"
        reason: the bucket holds public website assets only
        owner: alice@example.com
        ticket: SEC-123                      # optional
        expires: 2026-06-30                  # the waiver holds through this day (UTC)

A matching FAIL or UNKNOWN result becomes WAIVED and carries its waiver. An expired
waiver no longer waives: the result keeps its status, carries the waiver marked
expired, and fails the gate. PASS and NOT_APPLICABLE results are never changed, and an
ERROR (a check that could not run) is never waived. Every waiver appears in the
exceptions register with what it matched: active, expired, stale (waived nothing) or
not evaluated (its policy was not run).
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from .errors import InputError
from .results import Result
from .rules import FAIL, UNKNOWN, WAIVED

WAIVABLE = (FAIL, UNKNOWN)
REQUIRED = ("policy", "reason", "owner", "expires")
OPTIONAL = ("resource", "tags", "account", "region", "ticket")

TagsOf = Callable[[Result], "Mapping[str, str] | None"]


@dataclass
class Waiver:
    policy: str
    reason: str
    owner: str
    expires: date
    file: str
    line: int
    resource: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    account: str | None = None
    region: str | None = None
    ticket: str | None = None

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"

    def expired(self, today: date) -> bool:
        return today > self.expires

    def selector(self) -> str:
        """The selector in words, as the exceptions register shows it."""
        parts = []
        if self.resource:
            parts.append(self.resource)
        parts += [f"tag {k}={v}" for k, v in self.tags.items()]
        parts += [f"{name} {value}" for name, value in (("account", self.account), ("region", self.region)) if value]
        return ", ".join(parts)

    def matches(self, result: Result, tags_of: TagsOf) -> bool:
        if not fnmatch.fnmatchcase(result.policy, self.policy):
            return False
        if self.resource and not fnmatch.fnmatchcase(result.resource, self.resource):
            return False
        if self.account and not fnmatch.fnmatchcase(result.account or "", self.account):
            return False
        if self.region and not fnmatch.fnmatchcase(result.region or "", self.region):
            return False
        if self.tags:
            tags = tags_of(result)
            if not tags:
                return False
            for key, pattern in self.tags.items():
                value = tags.get(key)
                if not isinstance(value, str) or not fnmatch.fnmatchcase(value, pattern):
                    return False
        return True

    def stamp(self, today: date, status: str) -> dict[str, Any]:
        """What a result carries of the waiver that matched it."""
        return {
            "policy": self.policy, "selector": self.selector(), "reason": self.reason, "owner": self.owner,
            "ticket": self.ticket, "expires": self.expires.isoformat(), "expired": self.expired(today),
            "source": self.source, "waived_status": status,
        }


# --- reading ---------------------------------------------------------------------------

class _Mapping(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_waivers(path: str | Path, policy_ids: Iterable[str]) -> list[Waiver]:
    """Read and check a waivers file; any problem is an InputError with file and line."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(where, f"cannot read the waivers file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    if data is None:
        return []
    entries = data.get("waivers") if isinstance(data, dict) else data
    if isinstance(data, dict) and set(data) - {"waivers"}:
        extra = sorted(set(data) - {"waivers"})[0]
        raise InputError(where, f"unknown top-level key {extra!r} (expected 'waivers:')", data.key_lines.get(extra))
    if not isinstance(entries, list):
        raise InputError(where, "a waivers file is a list of waivers, or a mapping with a 'waivers:' list",
                         getattr(data, "line", None))
    known_ids = set(policy_ids)
    return [_parse(entry, where, known_ids, index) for index, entry in enumerate(entries, 1)]


def _parse(entry: Any, where: str, known_ids: set[str], index: int) -> Waiver:
    if not isinstance(entry, _Mapping):
        raise InputError(where, f"waiver #{index} must be a mapping with policy, reason, owner and expires")
    line = entry.line

    def fail(message: str, key: str | None = None) -> InputError:
        return InputError(where, message, entry.key_lines.get(key, line) if key else line)

    for key in entry:
        if key not in REQUIRED and key not in OPTIONAL:
            raise fail(f"unknown waiver field {key!r} (known: {', '.join(REQUIRED + OPTIONAL)})", key)
    label = f"waiver for {entry.get('policy')!r}" if entry.get("policy") else f"waiver #{index}"
    missing = [key for key in REQUIRED if entry.get(key) in (None, "")]
    if missing:
        raise fail(f"{label} is missing {', '.join(missing)}")
    texts: dict[str, str | None] = {}
    for key in ("policy", "reason", "owner", "resource", "account", "region", "ticket"):
        value = entry.get(key)
        if value is not None and not isinstance(value, (str, int)):
            raise fail(f"{label}: {key} must be text", key)
        texts[key] = str(value).strip() if value is not None else None
    for key in ("reason", "owner"):
        if not texts[key]:
            raise fail(f"{label} is missing {key}", key)
    policy = texts["policy"] or ""
    if not any(fnmatch.fnmatchcase(pid, policy) for pid in known_ids):
        raise fail(f"{label}: no policy in the catalogue matches {policy!r} (see `stackproof policies`)", "policy")
    tags = entry.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(v, (str, int, float, bool)) for v in tags.values()):
        raise fail(f"{label}: tags must be a mapping of tag name to value", "tags")
    if not texts["resource"] and not tags:
        raise fail(f"{label} needs a resource selector: resource (an address or ARN glob, '*' for all) "
                   "or tags", "policy")
    return Waiver(
        policy=policy, reason=texts["reason"] or "", owner=texts["owner"] or "",
        expires=_date(entry["expires"], lambda m: fail(f"{label}: {m}", "expires")),
        file=where, line=line, resource=texts["resource"], tags={str(k): str(v) for k, v in tags.items()},
        account=texts["account"], region=texts["region"], ticket=texts["ticket"],
    )


def _date(value: Any, fail: Callable[[str], InputError]) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise fail(f"expires {value!r} is not a date (write YYYY-MM-DD)") from None


# --- applying --------------------------------------------------------------------------

def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def apply_waivers(results: list[Result], waivers: list[Waiver], tags_of: TagsOf,
                  evaluated: Iterable[str], today: date | None = None) -> list[dict[str, Any]]:
    """Waive the results the waivers match (first waiver in file order wins).

    Returns the exceptions register: one entry per waiver, with what it matched.
    """
    today = today or today_utc()
    matched = [0] * len(waivers)
    waived = [0] * len(waivers)
    # The waivers that may match each policy, in file order: computed once per policy,
    # so a result is tried against a handful of waivers, not the whole file.
    candidates: dict[str, list[tuple[int, Waiver]]] = {}
    for result in results:
        if result.policy not in candidates:
            candidates[result.policy] = [(i, w) for i, w in enumerate(waivers)
                                         if fnmatch.fnmatchcase(result.policy, w.policy)]
        for index, waiver in candidates[result.policy]:
            if not waiver.matches(result, tags_of):
                continue
            matched[index] += 1
            if result.status in WAIVABLE:
                result.waiver = waiver.stamp(today, result.status)
                if not waiver.expired(today):
                    result.status = WAIVED
                    waived[index] += 1
            break
    evaluated_ids = set(evaluated)
    return [_entry(w, matched[i], waived[i], today, evaluated_ids) for i, w in enumerate(waivers)]


def _entry(waiver: Waiver, matched: int, waived: int, today: date, evaluated: set[str]) -> dict[str, Any]:
    if waiver.expired(today):
        status, note = "expired", (f"expired on {waiver.expires.isoformat()}; the results it matched fail again"
                                   if matched else f"expired on {waiver.expires.isoformat()} and matched nothing")
    elif waived:
        status, note = "active", f"waives {waived} result(s)"
    elif not any(fnmatch.fnmatchcase(pid, waiver.policy) for pid in evaluated):
        status, note = "not evaluated", "its policy was not run"
    elif matched:
        status, note = "stale", f"matched {matched} result(s), none failing: the waiver can go"
    else:
        status, note = "stale", "matched no result"
    return {
        "policy": waiver.policy, "selector": waiver.selector(), "reason": waiver.reason, "owner": waiver.owner,
        "ticket": waiver.ticket, "expires": waiver.expires.isoformat(), "source": waiver.source,
        "status": status, "note": note, "matched": matched, "waived": waived,
    }


def tags_lookup(resources: Iterable[Any]) -> TagsOf:
    """Results carry no tags; find a result's resource tags by address, account and region."""
    index: dict[tuple[str, str | None, str | None], Mapping[str, str]] = {}
    for resource in resources:
        prov = resource.prov
        if isinstance(resource.tags, dict):
            region = prov.region if isinstance(prov.region, str) else None
            index[(prov.address, prov.account, region)] = resource.tags

    def tags_of(result: Result) -> Mapping[str, str] | None:
        return index.get((result.resource, result.account, result.region))

    return tags_of
