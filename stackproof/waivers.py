"""Waivers: accepted risks, each with a reason, an owner and an expiry date.

A waivers file (``--waivers FILE``) is YAML::

    waivers:
      - policy: s3_bucket_encrypted          # a policy id, or a pattern over ids
        resource: "aws_s3_bucket.legacy_*"   # address, logical id or ARN, or a pattern ...
        tags: {Team: data}                   # ... and/or tags the resource must carry (values may be patterns)
        account: "123456789012"              # optional patterns, for live results
        region: "eu-*"
        reason: the bucket holds public website assets only
        owner: alice@example.com
        ticket: SEC-123                      # optional
        expires: 2026-06-30                  # the waiver holds through this day (UTC)

Patterns: a value matches when it is the same text, or when the pattern matches with
``*`` standing for any run of characters and ``?`` for one character. Nothing else is
special, so Terraform addresses are written as they are: ``aws_subnet.data[0]``,
``module.app.aws_s3_bucket.this["logs"]``, ``aws_subnet.data[*]``.

A waiver must say what it covers: a resource pattern or tags. A waiver whose policy is
``*`` and whose resource is ``*`` (or missing) with no tags would accept every finding
of the run: it is refused, since no auditor would accept it as an exception.

A matching FAIL or UNKNOWN result becomes WAIVED and carries its waiver. PASS and
NOT_APPLICABLE results are never changed, and an ERROR (a check that could not run)
is never waived.

An expired waiver no longer waives. Each result it matched keeps its own status,
carries the waiver marked expired, and is judged by the gate exactly as if it had
never been waived: a FAIL at or above the severity floor blocks; an UNKNOWN blocks
under the audit profile; anything else is reported but does not block. So an expired
waiver blocks only through the results it would have waived, and only those that
block on their own (with ``--fail-on new`` they block even though they are not new:
the exception was granted until a date, and that date has passed). An expired waiver
that matched only passing results, or nothing, blocks nothing; the register lists it
as expired so that it is removed or renewed.

Every waiver appears in the exceptions register with what it matched: active, expired,
stale (waived nothing) or not evaluated (its policy was not run).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
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


def matches(text: str, pattern: str) -> bool:
    """The same text, or the pattern with * (any run) and ? (one character) as wildcards.

    Not fnmatch: it reads [0] and ["a"] in a Terraform address as character classes.
    """
    return text == pattern or _compiled(pattern).fullmatch(text) is not None


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    wildcards = {"*": ".*", "?": "."}
    return re.compile("".join(wildcards.get(char) or re.escape(char) for char in pattern), re.DOTALL)


def _matches_anything(pattern: str | None) -> bool:
    return not pattern or set(pattern) == {"*"}


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
        if not matches(result.policy, self.policy):
            return False
        if self.resource and not matches(result.resource, self.resource):
            return False
        if self.account and not matches(result.account or "", self.account):
            return False
        if self.region and not matches(result.region or "", self.region):
            return False
        if self.tags:
            tags = tags_of(result)
            if not tags:
                return False
            for key, pattern in self.tags.items():
                value = tags.get(key)
                if not isinstance(value, str) or not matches(value, pattern):
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

class WaiverFile(list):
    """The waivers of one file in file order, with the file's sha256 for the report."""

    def __init__(self, waivers: Iterable[Waiver], sha256: str) -> None:
        super().__init__(waivers)
        self.sha256 = sha256


class _Mapping(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line = 0
    key_lines: dict[str, int]


class _Sequence(list):
    """A YAML list that remembers the line of each item."""

    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_sequence(node, deep=True))
    sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_waivers(path: str | Path, policy_ids: Iterable[str]) -> WaiverFile:
    """Read and check a waivers file; any problem is an InputError with file and line."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise InputError(where, f"cannot read the waivers file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return WaiverFile(_waivers(text, where, policy_ids), hashlib.sha256(raw).hexdigest())


def _waivers(text: str, where: str, policy_ids: Iterable[str]) -> list[Waiver]:
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
    lines = getattr(entries, "item_lines", [None] * len(entries))
    return [_parse(entry, where, known_ids, index, line) for index, (entry, line) in enumerate(zip(entries, lines), 1)]


def _parse(entry: Any, where: str, known_ids: set[str], index: int, line: int | None) -> Waiver:
    if not isinstance(entry, _Mapping):
        raise InputError(where, f"waiver #{index} must be a mapping with policy, reason, owner and expires, "
                                f"not {_kind_of(entry)}", line)
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
    if not any(matches(pid, policy) for pid in known_ids):
        raise fail(f"{label}: no policy in the catalogue matches {policy!r} (see `stackproof policies`)", "policy")
    tags = entry.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(v, (str, int, float, bool)) for v in tags.values()):
        raise fail(f"{label}: tags must be a mapping of tag name to value", "tags")
    if not texts["resource"] and not tags:
        raise fail(f"{label} needs a resource selector: resource (an address or ARN pattern, '*' for all) "
                   "or tags", "policy")
    if _matches_anything(policy) and _matches_anything(texts["resource"]) and not tags:
        raise fail(f"{label} would waive every finding of every policy: name the resources it covers "
                   "(resource or tags)", "resource" if texts["resource"] else "policy")
    return Waiver(
        policy=policy, reason=texts["reason"] or "", owner=texts["owner"] or "",
        expires=_date(entry["expires"], lambda m: fail(f"{label}: {m}", "expires")),
        file=where, line=line, resource=texts["resource"], tags={str(k): str(v) for k, v in tags.items()},
        account=texts["account"], region=texts["region"], ticket=texts["ticket"],
    )


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


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
    waivable = [0] * len(waivers)  # matched results that were FAIL or UNKNOWN
    # The waivers that may match each policy, in file order: computed once per policy,
    # so a result is tried against a handful of waivers, not the whole file.
    candidates: dict[str, list[tuple[int, Waiver]]] = {}
    for result in results:
        if result.policy not in candidates:
            candidates[result.policy] = [(i, w) for i, w in enumerate(waivers) if matches(result.policy, w.policy)]
        for index, waiver in candidates[result.policy]:
            if not waiver.matches(result, tags_of):
                continue
            matched[index] += 1
            if result.status in WAIVABLE:
                waivable[index] += 1
                result.waiver = waiver.stamp(today, result.status)
                if not waiver.expired(today):
                    result.status = WAIVED
            break
    evaluated_ids = set(evaluated)
    return [_entry(w, matched[i], waivable[i], today, evaluated_ids) for i, w in enumerate(waivers)]


def _entry(waiver: Waiver, matched: int, waivable: int, today: date, evaluated: set[str]) -> dict[str, Any]:
    """One line of the exceptions register. ``waived`` counts the results the waiver
    waives now; an expired waiver waives none, and its note says how many it would have."""
    expired, waived = waiver.expired(today), 0
    if expired:
        status = "expired"
        since = f"expired on {waiver.expires.isoformat()}"
        if waivable:
            note = f"{since}: {waivable} failing or unknown result(s) it matched are no longer waived"
        elif matched:
            note = f"{since}; it matched only passing or not applicable results: remove it"
        else:
            note = f"{since} and matched no result: remove it"
    elif waivable:
        status, note, waived = "active", f"waives {waivable} result(s)", waivable
    elif not any(matches(pid, waiver.policy) for pid in evaluated):
        status, note = "not evaluated", "its policy was not run"
    elif matched:
        status, note = "stale", f"matched {matched} result(s), none failing: the waiver can go"
    else:
        status, note = "stale", "matched no result"
    return {
        "policy": waiver.policy, "selector": waiver.selector(), "reason": waiver.reason, "owner": waiver.owner,
        "ticket": waiver.ticket, "expires": waiver.expires.isoformat(), "source": waiver.source,
        "status": status, "note": note, "matched": matched, "waived": waived,
        "no_longer_waived": waivable if expired else 0,
    }


def tags_lookup(inventory: Any) -> TagsOf:
    """Results carry no tags: find a result's resource tags by address, file, account and
    region (two inputs may hold the same address, each result names its file).

    A template's condition scenarios may tag a resource differently. A result is judged
    by the tags of the scenarios where its status holds (its evidence lists each
    scenario's status when they differ; else every scenario's): a tag counts only with
    the value all of them give it, so a waiver by tag waives only what it covers in each."""
    index: dict[tuple[str, str | None, str | None, str | None], list[tuple[str | None, Any]]] = {}
    for scenario in inventory.scenarios or [inventory]:
        for resource in scenario:
            prov = resource.prov
            region = prov.region if isinstance(prov.region, str) else None
            tags = resource.tags if isinstance(resource.tags, dict) else None
            index.setdefault((prov.address, prov.file, prov.account, region), []).append((prov.scenario, tags))

    def tags_of(result: Result) -> Mapping[str, str] | None:
        found = index.get((result.resource, result.file, result.account, result.region)) or []
        statuses = result.evidence.get("scenarios")
        if isinstance(statuses, dict):
            found = [(label, tags) for label, tags in found if statuses.get(label) == result.status]
        given = [tags for _, tags in found]
        if not given or any(tags is None for tags in given):
            return None
        return {key: value for key, value in given[0].items() if all(tags.get(key) == value for tags in given)}

    return tags_of
