"""Every scenario with a template: the template gives the verdicts expected.yaml states, the
same the plan gives (matched by name); each template variant changes exactly its verdicts.

The template is scanned as deployed to the region of the plan's default provider
(``--region``), since a stack is in one region and the plan says which.
"""
from __future__ import annotations

import json

import pytest

from fixtures.scenario import all_scenarios, compare, write_template_variant
from tests.conftest import scan_paths, verdicts_by_name

SCENARIOS = all_scenarios()
TEMPLATE_SCENARIOS = [s for s in SCENARIOS if s.source("template.yaml")]
TEMPLATE_VARIANTS = [(s, v) for s in TEMPLATE_SCENARIOS for v in s.variants.values() if "template" in v.edits]


def region_of(scenario) -> str:
    """The region of the plan's default aws provider: where the template's stack is deployed."""
    plan = json.loads((scenario.path / "plan.json").read_text())
    return plan["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]


def expected(scenario, variant=None):
    """expected.yaml's verdicts, with UNKNOWN where its `unrepresentable: template:` says a
    template cannot state a property; then the variant's changes."""
    verdicts = scenario.expected()
    for policy, names in (scenario.unrepresentable.get("template") or {}).items():
        for name in names:
            verdicts.setdefault(policy, {})[name] = "UNKNOWN"
    for policy, changes in (variant.expect if variant else {}).items():
        verdicts.setdefault(policy, {}).update(changes)
    return verdicts


def test_every_scenario_has_a_template():
    assert [s.name for s in SCENARIOS if not s.source("template.yaml")] == []


@pytest.mark.parametrize("scenario", TEMPLATE_SCENARIOS, ids=lambda s: s.name)
def test_template_gives_expected_verdicts(scenario, catalogue):
    results = scan_paths([scenario.path / "template.yaml"], catalogue, region=region_of(scenario))
    assert results, "the template gave no results at all"
    assert compare(expected(scenario), verdicts_by_name(results)) == []


@pytest.mark.parametrize("scenario", TEMPLATE_SCENARIOS, ids=lambda s: s.name)
def test_template_results_point_at_their_lines(scenario, catalogue):
    results = scan_paths([scenario.path / "template.yaml"], catalogue, region=region_of(scenario))
    located = [r for r in results if r.source == "cloudformation"]
    assert located and all(r.file and r.file.endswith(".yaml") and r.line for r in located)
    text = {}
    for result in located:
        lines = text.setdefault(result.file, open(result.file).read().splitlines())
        logical_id = result.resource.rsplit("/", 1)[-1].split(".")[0]
        assert lines[result.line - 1].strip().startswith(f"{logical_id}:"), (result.resource, result.line)


@pytest.mark.parametrize("scenario,variant", TEMPLATE_VARIANTS, ids=lambda x: getattr(x, "name", ""))
def test_template_variant_changes_exactly_its_verdicts(scenario, variant, catalogue, tmp_path):
    template = write_template_variant(scenario, variant.edits["template"], tmp_path)
    results = scan_paths([template], catalogue, region=region_of(scenario))
    assert compare(expected(scenario, variant), verdicts_by_name(results)) == []
