"""The catalogue itself: complete, resolvable policies; one policy per rule; and every
policy proven to pass and to fail on a scenario."""
from __future__ import annotations

import inspect
from collections import defaultdict
from pathlib import Path

import pytest

from fixtures.scenario import all_scenarios, apply_plan_edits
from stackproof.catalogue import FRAMEWORKS, SEVERITIES, load_catalogue
from tests.conftest import scan_paths

CATALOGUE = load_catalogue()
POLICIES = list(CATALOGUE)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_policy_is_complete(policy):
    assert policy.id == Path(policy.path).stem
    assert policy.check.split(":")[1] == policy.id, "the rule function is named like the policy"
    assert policy.severity in SEVERITIES
    assert policy.title and policy.rationale and len(policy.rationale) > 60
    assert policy.remediation.get("terraform") and policy.remediation.get("cloudformation")
    assert policy.frameworks and set(policy.frameworks) <= set(FRAMEWORKS)
    assert all(policy.frameworks.values())
    assert callable(policy.function())
    assert "_" in policy.id and policy.id == policy.id.lower()


def test_every_rule_function_has_a_policy():
    pack = CATALOGUE.packs[0]
    by_check = {p.check for p in POLICIES}
    for name in pack.module_names():
        module = pack.import_module(name)
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not function_name.startswith("_"):
                assert f"{name}:{function_name}" in by_check, f"checks/{name}.py:{function_name} has no policy"


def test_policy_ids_are_unique_across_files():
    assert len({p.id for p in POLICIES}) == len(POLICIES)


def _plan_statuses():
    """policy -> statuses seen over every scenario plan and plan variant."""
    seen = defaultdict(set)
    for scenario in all_scenarios():
        if not scenario.source("plan.json"):
            continue
        builders = [scenario.plan_builder()]
        builders += [apply_plan_edits(scenario.plan_builder(), v.edits["plan"])
                     for v in scenario.variants.values() if "plan" in v.edits]
        for builder in builders:
            import json, tempfile
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "plan.json"
                path.write_text(json.dumps(builder.build()))
                for result in scan_paths([path], CATALOGUE):
                    seen[result.policy].add(result.status)
    return seen


def test_every_policy_passes_and_fails_on_some_scenario_plan():
    seen = _plan_statuses()
    for policy in POLICIES:
        if "tfplan" not in policy.sources:
            continue
        assert "PASS" in seen[policy.id], f"{policy.id}: no scenario plan passes it"
        assert "FAIL" in seen[policy.id], f"{policy.id}: no scenario variant fails it"
