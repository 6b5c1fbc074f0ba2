"""Every scenario: each source gives the verdicts its expected.yaml states; each variant
changes exactly the verdicts it lists."""
from __future__ import annotations

import json

import pytest

from fixtures.scenario import all_scenarios, apply_plan_edits, compare
from tests.conftest import scan_paths, verdicts_by_name

SCENARIOS = all_scenarios()
PLAN_SCENARIOS = [s for s in SCENARIOS if s.source("plan.json")]
PLAN_VARIANTS = [(s, v) for s in PLAN_SCENARIOS for v in s.variants.values() if "plan" in v.edits]


@pytest.mark.parametrize("scenario", PLAN_SCENARIOS, ids=lambda s: s.name)
def test_plan_gives_expected_verdicts(scenario, catalogue):
    results = scan_paths([scenario.path / "plan.json"], catalogue)
    assert compare(scenario.expected(), verdicts_by_name(results)) == []


@pytest.mark.parametrize("scenario", PLAN_SCENARIOS, ids=lambda s: s.name)
def test_committed_plan_is_what_make_plan_writes(scenario):
    committed = json.loads((scenario.path / "plan.json").read_text())
    assert committed == scenario.plan_builder().build(), "run make_plan.py again and commit plan.json"


@pytest.mark.parametrize("scenario,variant", PLAN_VARIANTS, ids=lambda x: getattr(x, "name", ""))
def test_plan_variant_changes_exactly_its_verdicts(scenario, variant, catalogue, tmp_path):
    builder = apply_plan_edits(scenario.plan_builder(), variant.edits["plan"])
    plan = tmp_path / "plan.json"
    plan.write_text(builder.dumps())
    results = scan_paths([plan], catalogue)
    assert compare(scenario.expected(variant), verdicts_by_name(results)) == []
