"""Catalogue x inventory -> results. A rule that raises becomes an ERROR result."""
from __future__ import annotations

from typing import Any, Iterable

from .catalogue import Policy
from .model import Inventory, Resource, Unknown
from .results import Result
from .rules import ERROR, FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Context, Verdict

ENVIRONMENT_TAGS = ("Environment", "environment", "Env", "env")


def environment_of(resource: Resource, chosen: str | None) -> str | None:
    """The environment whose parameters apply: --env, else the resource's Environment tag."""
    if chosen:
        return chosen
    tags = resource.tags
    if isinstance(tags, Unknown) or not tags:
        return None
    for name in ENVIRONMENT_TAGS:
        value = tags.get(name)
        if isinstance(value, str) and value:
            return value.lower()
    return None


def evaluate(policies: Iterable[Policy], inventory: Inventory, environment: str | None = None) -> list[Result]:
    if inventory.scenarios:
        return _worst_of_scenarios(list(policies), inventory.scenarios, environment)
    results: list[Result] = []
    for policy in policies:
        rule = policy.function()
        contexts: dict[str | None, Context] = {}
        for kind in policy.kinds:
            for resource in inventory.of_kind(kind):
                env = environment_of(resource, environment)
                ctx = contexts.get(env)
                if ctx is None:
                    ctx = contexts[env] = Context(inventory, policy.params_for(env), env)
                verdict = _run(rule, resource, ctx)
                results.append(_result(policy, resource, verdict, env))
        for gap in inventory.gaps:
            if set(gap.kinds) & set(policy.kinds):
                results.append(Result(
                    policy=policy.id, status=UNKNOWN, severity=policy.severity, resource=gap.where,
                    kind=gap.kinds[0], source="live" if gap.account or gap.region else "input",
                    message=f"not assessed: {gap.reason}", account=gap.account, region=gap.region,
                ))
    if inventory.secrets:
        for result in results:
            _scrub(result, inventory.secrets)
    return results


_RANK = {ERROR: 5, FAIL: 4, UNKNOWN: 3, PASS: 2, NOT_APPLICABLE: 1}


def _worst_of_scenarios(policies: list[Policy], scenarios: list[Inventory], environment: str | None) -> list[Result]:
    """CloudFormation condition scenarios: each is evaluated; per policy and resource the
    worst verdict is kept, and unless every scenario gives it, its message names the scenario."""
    merged: dict[tuple[str, str, str | None, str | None], list[Result]] = {}
    for scenario in scenarios:
        for result in evaluate(policies, scenario, environment):
            merged.setdefault((result.policy, result.resource, result.account, result.region), []).append(result)
    results = []
    for found in merged.values():
        worst = max(found, key=lambda r: _RANK.get(r.status, 0))  # the first of the worst
        everywhere = len(found) == len(scenarios) and all(r.status == worst.status for r in found)
        if everywhere or not worst.scenario:
            worst.scenario = None
        else:
            worst.message = f"{worst.scenario}: {worst.message}"
            worst.evidence = {**worst.evidence, "scenarios": {r.scenario: r.status for r in found}}
        results.append(worst)
    return results


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
        scenario=prov.scenario,
        evidence=dict(verdict.evidence),
    )


def _scrub(result: Result, secrets: set[str]) -> None:
    """Defence in depth: no value a loader saw marked secret survives into a report."""
    result.message = _scrub_value(result.message, secrets)
    result.evidence = _scrub_value(dict(result.evidence), secrets)
    result.name = _scrub_value(result.name, secrets)
    result.resource = _scrub_value(result.resource, secrets)


def _scrub_value(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret and secret in value:
                value = value.replace(secret, "***")
        return value
    if isinstance(value, dict):
        return {k: _scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v, secrets) for v in value]
    return value
