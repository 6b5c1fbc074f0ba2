"""Catalogue x inventory -> results. A rule that raises becomes an ERROR result."""
from __future__ import annotations

import itertools
import re
from typing import Any, Iterable

from .catalogue import Policy, environment_name
from .model import Gap, Inventory, Provenance, Resource, Unknown
from .results import Result
from .rules import ERROR, FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Context, Verdict

ENVIRONMENT_TAGS = ("Environment", "environment", "Env", "env")
DEFAULTS = "default"  # how messages and evidence name the parameters without an environment's overrides


def environment_of(resource: Resource, chosen: str | None, secrets: frozenset[str] = frozenset()) -> str | Unknown | None:
    """The environment a resource is in: --env, else its Environment tag (names compare
    without case); None when it has none; an Unknown when the tag cannot be known, or
    must not be shown (a value marked sensitive, given in ``secrets`` as environment_name
    gives them)."""
    if chosen:
        return environment_name(chosen)
    tags = resource.tags
    if isinstance(tags, Unknown):
        return Unknown(f"the resource's tags are unknown: {tags.reason}")
    if not tags:
        return None
    for name in ENVIRONMENT_TAGS:
        value = tags.get(name)
        if isinstance(value, Unknown):
            return Unknown(f"tag {name} is unknown: {value.reason}")
        if isinstance(value, str) and value.strip():
            env = environment_name(value)
            return Unknown(f"tag {name} is marked sensitive") if env in secrets else env
    return None


def evaluate(policies: Iterable[Policy], inventory: Inventory, environment: str | None = None) -> list[Result]:
    if inventory.scenarios:
        return _worst_of_scenarios(list(policies), inventory.scenarios, environment)
    judged = _judge(policies, inventory, environment)
    for result, prov in judged:
        _name_scenario(result, prov.maybe if prov else None)
    return [result for result, _ in judged]


def _judge(policies: Iterable[Policy], inventory: Inventory,
           environment: str | None) -> list[tuple[Result, Provenance | None]]:
    """Each policy's result for each resource of its kinds (with the resource's provenance)
    and for each gap in its kinds (with none)."""
    secrets = frozenset(environment_name(s) for s in inventory.secrets if s.strip())
    results: list[tuple[Result, Provenance | None]] = []
    for policy in policies:
        rule = policy.function()
        contexts: dict[str | None, Context] = {}
        needed_gaps = [g for g in inventory.gaps if set(g.kinds) & set(policy.needs)]
        for kind in policy.kinds:
            for resource in inventory.of_kind(kind):
                # Only a policy with environments has parameters an environment could change.
                env = environment_of(resource, environment, secrets) if policy.environments else None
                if isinstance(env, Unknown):
                    result = _whatever_the_environment(policy, rule, resource, inventory, contexts, env)
                else:
                    applied = env if isinstance(env, str) and env in policy.environments else None
                    verdict = _run(rule, resource, _context(contexts, inventory, policy, applied))
                    result = _result(policy, resource, verdict, applied)
                if needed_gaps:
                    _not_assessed_where_gaps(result, resource, policy, needed_gaps)
                results.append((result, resource.prov))
        for gap in inventory.gaps:
            if set(gap.kinds) & set(policy.kinds):
                results.append((Result(
                    policy=policy.id, status=UNKNOWN, severity=policy.severity, resource=gap.where,
                    kind=gap.kinds[0], source="live" if gap.account or gap.region else "input",
                    message=f"not assessed: {gap.reason}", file=gap.file, line=gap.line, account=gap.account,
                    region=gap.region,
                ), None))
    scrub = _scrubber(inventory.secrets)
    if scrub is not None:
        for result, _ in results:
            _scrub(result, scrub)
    return results


def _name_scenario(result: Result, label: str | None) -> None:
    """The scenario a result holds in, named once: in its own field, and at the head of its
    message, which is what every report shows."""
    result.scenario = label
    if label:
        result.message = f"{label}: {result.message}"


def _context(contexts: dict[str | None, Context], inventory: Inventory, policy: Policy, env: str | None) -> Context:
    """One Context per parameter set; ``env`` is the environment whose overrides apply, None for the defaults."""
    ctx = contexts.get(env)
    if ctx is None:
        ctx = contexts[env] = Context(inventory, policy.params_for(env), env)
    return ctx


def _whatever_the_environment(policy: Policy, rule: Any, resource: Resource, inventory: Inventory,
                              contexts: dict[str | None, Context], env: Unknown) -> Result:
    """The resource's environment is unknown: the rule runs under every parameter set the
    policy defines; one verdict if they agree, else UNKNOWN saying what it depends on."""
    verdicts = {name: _run(rule, resource, _context(contexts, inventory, policy, name))
                for name in (None, *policy.environments)}
    default = verdicts[None]
    statuses = {name or DEFAULTS: verdict.status for name, verdict in verdicts.items()}
    errors = [v for v in verdicts.values() if v.status == ERROR]
    if errors:
        return _result(policy, resource, errors[0], None)
    if len(set(statuses.values())) == 1:
        note = f"unknown ({env.reason}); every environment's parameters give {default.status}"
        return _result(policy, resource, Verdict(default.status, default.message,
                                                 {**default.evidence, "environment": note}), None)
    by_status: dict[str, list[str]] = {}
    for name, status in statuses.items():
        by_status.setdefault(status, []).append(name)
    depends = ", ".join(f"{status} under {' and '.join(names)}" for status, names in by_status.items())
    message = f"the Environment tag is unknown ({env.reason}) and the verdict depends on it: {depends}"
    return _result(policy, resource, Verdict(UNKNOWN, message, {"verdicts": statuses}), None)


def _not_assessed_where_gaps(result: Result, resource: Resource, policy: Policy, gaps: list[Gap]) -> None:
    """A rule that reads kinds the inputs could not read (in the resource's account, and
    region unless the rule looks across regions) gives UNKNOWN, not a verdict on partial data."""
    if result.status == ERROR:
        return
    account = resource.prov.account
    region = resource.region if isinstance(resource.region, str) else resource.prov.region
    for gap in gaps:
        if gap.scope and resource.prov.file not in gap.scope:
            continue  # another input's
        if gap.account and account and gap.account != account:
            continue
        if policy.needs_scope == "region" and gap.region and region and gap.region != region:
            continue
        needed = [k for k in gap.kinds if k in policy.needs]
        kinds = ", ".join(needed[:3]) + (f" and {len(needed) - 3} more kinds" if len(needed) > 3 else "")
        place = f"{gap.where} at {gap.file}:{gap.line}" if gap.file and gap.line else gap.where
        result.evidence = {**result.evidence, "partial_verdict": {"status": result.status, "message": result.message},
                           "gap": {"kinds": list(gap.kinds), "where": gap.where, "reason": gap.reason,
                                   "file": gap.file, "line": gap.line}}
        result.status = UNKNOWN
        result.message = f"not assessed: the rule reads {kinds}, which could not be read ({place}: {gap.reason})"
        return


_RANK = {ERROR: 5, FAIL: 4, UNKNOWN: 3, PASS: 2, NOT_APPLICABLE: 1}
MAX_CAUSE = 3  # conditions a scenario label names at most, unless only all of a resource's do


def _worst_of_scenarios(policies: list[Policy], scenarios: list[Inventory], environment: str | None) -> list[Result]:
    """CloudFormation condition scenarios: each is evaluated; per policy and resource the
    worst verdict is kept, and unless every scenario gives it, its message names what
    gives it (``_cause``), else the resource's scenario."""
    merged: dict[tuple[Any, ...], list[tuple[int, Result, Provenance | None]]] = {}
    for index, scenario in enumerate(scenarios):
        for result, prov in _judge(policies, scenario, environment):
            identity = (result.policy, result.kind, result.resource, result.file, result.account, result.region)
            merged.setdefault(identity, []).append((index, result, prov))
    causes: dict[tuple[Any, ...], str | None] = {}  # resources share conditions and patterns of verdicts
    results = []
    for found in merged.values():
        index, worst, prov = max(found, key=lambda item: _RANK.get(item[1].status, 0))  # the first of the worst
        label = None
        if len(found) < len(scenarios) or any(r.status != worst.status for _, r, _ in found):
            label = _memo_cause(found, worst.status, prov, scenarios, causes) or \
                (prov.scenario if prov else scenarios[index].scenario)
            worst.evidence = {**worst.evidence, "scenarios": {
                (p.scenario if p else scenarios[i].scenario): r.status for i, r, p in found}}
        _name_scenario(worst, ", ".join(part for part in (label, prov and prov.maybe) if part) or None)
        results.append(worst)
    return results


def _memo_cause(found: list[tuple[int, Result, Provenance | None]], worst: str, prov: Provenance | None,
                scenarios: list[Inventory], causes: dict[tuple[Any, ...], str | None]) -> str | None:
    statuses: list[str | None] = [None] * len(scenarios)  # None: the resource is not in that scenario
    for index, result, _ in found:
        statuses[index] = result.status
    names = prov.conditions if prov else ()
    key = (names, tuple(statuses), worst)
    if key not in causes:
        causes[key] = _cause(names, statuses, worst, [scenario.conditions for scenario in scenarios])
    return causes[key]


def _cause(names: tuple[str, ...], statuses: list[str | None], worst: str, values: list[dict[str, str]]) -> str | None:
    """The fewest of a resource's conditions ``names`` that, wherever they hold as in a
    scenario giving the ``worst`` status, give it: "when IsProduction is false". Of as few,
    the one that holds in most scenarios (the whole cause rather than a part of it), then
    the first in ``names``. ``values`` holds each scenario's conditions, ``statuses`` each
    one's status (None where the resource is not). None when no such set is found."""
    varying = [n for n in names if len({scenario.get(n) for scenario in values}) > 1]
    rows = [(tuple(scenario.get(n) for n in varying), status) for scenario, status in zip(values, statuses)]
    worst_rows = list(dict.fromkeys(row for row, status in rows if status == worst))
    sizes = [*range(1, min(len(varying), MAX_CAUSE) + 1)] + ([len(varying)] if len(varying) > MAX_CAUSE else [])
    for size in sizes:
        best: tuple[int, list[str]] | None = None
        for chosen in itertools.combinations(range(len(varying)), size):
            for row in worst_rows:
                if any(row[i] is None for i in chosen):
                    continue  # undecided there: it names no cause
                holding = [status for other, status in rows if all(other[i] == row[i] for i in chosen)]
                if all(status == worst for status in holding) and (best is None or len(holding) > best[0]):
                    best = (len(holding), [row[i] for i in chosen])
        if best is not None:
            return "when " + " and ".join(best[1])
    return None


def _run(rule: Any, resource: Resource, ctx: Context) -> Verdict:
    try:
        verdict = rule(resource, ctx)
    except Exception as exc:  # noqa: BLE001 - any rule failure is an ERROR result, never a pass
        return Verdict(ERROR, f"the check raised {type(exc).__name__}: {exc}")
    if not isinstance(verdict, Verdict):
        return Verdict(ERROR, f"the check returned {type(verdict).__name__}, not a Verdict")
    return verdict


def _result(policy: Policy, resource: Resource, verdict: Verdict, environment: str | None) -> Result:
    prov = resource.prov
    return Result(
        policy=policy.id,
        status=verdict.status,
        severity=policy.severity,
        resource=prov.address,
        kind=resource.KIND,
        source=prov.source,
        message=verdict.message,
        name=resource.name if isinstance(resource.name, str) else None,
        file=prov.file,
        line=prov.line,
        account=prov.account,
        region=prov.region if isinstance(prov.region, str) else None,
        environment=environment,
        evidence=dict(verdict.evidence),
    )


def _scrubber(secrets: set[str]) -> "re.Pattern[str] | None":
    """One pattern for every secret, in any case: a value shown lower-cased (an environment
    name) or upper-cased is still the secret. None when there is no secret."""
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE) if ordered else None


def _scrub(result: Result, pattern: "re.Pattern[str]") -> None:
    """Defence in depth: no value a loader saw marked secret survives into a report."""
    result.message = _scrub_value(result.message, pattern)
    result.evidence = _scrub_value(dict(result.evidence), pattern)
    result.name = _scrub_value(result.name, pattern)
    result.resource = _scrub_value(result.resource, pattern)
    result.environment = _scrub_value(result.environment, pattern)


def _scrub_value(value: Any, pattern: "re.Pattern[str]") -> Any:
    if isinstance(value, str):
        return pattern.sub("***", value)
    if isinstance(value, dict):
        return {k: _scrub_value(v, pattern) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v, pattern) for v in value]
    return value
