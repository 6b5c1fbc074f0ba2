"""Every scenario with a live setup: built in a moto server with boto3, audited read-only,
the audit gives the verdicts expected.yaml states, as the plan does.

Where moto cannot represent a property, expected.yaml's `unrepresentable: live:` names
it and the verdict must be UNKNOWN (never PASS). Resources only a running account has
(instances an auto scaling group launched, volumes attached to instances, which a plan
shows inside the instance, and the stand-ins a live setup declares in STAND_INS for what
moto cannot build) have their exact verdicts in the live setup's LIVE_ONLY; a FAIL or
UNKNOWN among them must be a property the setup names in MOTO_ARTEFACTS, where moto
answers differently from AWS.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from fixtures.scenario import _load_module, all_scenarios, compare
from stackproof.loaders import load_inputs
from stackproof.rules import FAIL, UNKNOWN
from tests.conftest import verdicts_by_name
from tests.live.server import audit, evaluate, moto_server  # noqa: F401  (fixture)

SCENARIOS = [s for s in all_scenarios() if s.source("live.py")]
_COLLECTED: dict[str, tuple] = {}


def test_every_scenario_has_a_live_setup():
    assert [s.name for s in all_scenarios() if not s.source("live.py")] == []


def live_module(scenario):
    return _load_module(scenario.path / "live.py", f"scenario_{scenario.name.replace('-', '_')}_live")


def collected(scenario, moto_server):  # noqa: F811
    """Build the scenario once (on an emptied server) and audit it; cached per scenario."""
    if scenario.name not in _COLLECTED:
        module = live_module(scenario)
        moto_server.reset()
        module.build(moto_server.clients())
        snapshot, inventory = audit(moto_server, module.REGIONS)
        _COLLECTED[scenario.name] = (module, snapshot, inventory)
    return _COLLECTED[scenario.name]


def live_only_names(snapshot) -> dict[str, str]:
    """ARN -> name of what a running account shows and a plan does not: instances an auto
    scaling group launched (named by their Name tag, as the group propagates it), and
    volumes attached to instances, named "<instance name>:<device>" (a plan shows them
    inside the instance, as its block devices)."""
    found: dict[str, str] = {}
    for unit in snapshot.units:
        if unit.service != "ec2" or unit.data is None:
            continue
        prefix = f"arn:{snapshot.partition}:ec2:{unit.region}:{unit.account}"
        for instance in unit.data["instances"]:
            tags = {t["Key"]: t["Value"] for t in instance.get("Tags") or []}
            name = tags.get("Name", instance["InstanceId"])
            if "aws:autoscaling:groupName" in tags:
                found[f"{prefix}:instance/{instance['InstanceId']}"] = name
            for mapping in instance.get("BlockDeviceMappings") or []:
                found[f"{prefix}:volume/{mapping['Ebs']['VolumeId']}"] = f"{name}:{mapping['DeviceName']}"
    return found


def split(results, module, snapshot):
    """(results to compare with expected.yaml, results on live-only resources, named as LIVE_ONLY names them)."""
    derived = live_only_names(snapshot)
    stand_ins = set(getattr(module, "STAND_INS", {}))
    compared, live_only = [], []
    for result in results:
        if result.resource in derived:
            live_only.append(dataclasses.replace(result, name=derived[result.resource]))
        elif result.name in stand_ins:
            live_only.append(result)
        else:
            compared.append(result)
    return compared, live_only


def expected_live(scenario):
    expected = scenario.expected()
    for policy, names in (scenario.unrepresentable.get("live") or {}).items():
        for name in names:
            expected.setdefault(policy, {})[name] = UNKNOWN
    return expected


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_live_audit_gives_expected_verdicts(scenario, catalogue, moto_server):  # noqa: F811
    module, snapshot, inventory = collected(scenario, moto_server)
    assert inventory.gaps == [], "the audit of a fully readable account has nothing it could not assess"
    compared, live_only = split(evaluate(inventory, catalogue), module, snapshot)
    assert compare(expected_live(scenario), verdicts_by_name(compared)) == []
    for name in getattr(module, "STAND_INS", {}):
        assert any(r.name == name for r in live_only), f"stand-in {name} was not audited"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_live_only_resources_give_their_stated_verdicts(scenario, catalogue, moto_server):  # noqa: F811
    module, snapshot, inventory = collected(scenario, moto_server)
    _, live_only = split(evaluate(inventory, catalogue), module, snapshot)
    assert compare(getattr(module, "LIVE_ONLY", {}), verdicts_by_name(live_only)) == []
    artefacts = getattr(module, "MOTO_ARTEFACTS", {})
    unexplained = sorted({(r.policy, r.name, r.status) for r in live_only
                          if r.status in (FAIL, UNKNOWN) and (r.policy, r.name) not in artefacts})
    assert unexplained == [], "a FAIL or UNKNOWN on a live-only resource that no moto artefact explains"
    seen = {(r.policy, r.name) for r in live_only}
    assert sorted(set(artefacts) - seen) == [], "a moto artefact the audit no longer shows"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_unrepresentable_properties_are_unknown_with_a_reason(scenario, catalogue, moto_server):  # noqa: F811
    module, snapshot, inventory = collected(scenario, moto_server)
    results = {(r.policy, r.name): r for r in evaluate(inventory, catalogue)}
    for policy, names in (scenario.unrepresentable.get("live") or {}).items():
        for name in names:
            result = results[(policy, name)]
            assert result.status == UNKNOWN and result.message, (policy, name, result.status)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_results_name_account_region_and_arn(scenario, catalogue, moto_server):  # noqa: F811
    module, snapshot, inventory = collected(scenario, moto_server)
    for result in evaluate(inventory, catalogue):
        assert result.source == "live"
        assert result.account == snapshot.accounts[0]
        assert result.resource.startswith("arn:aws:"), result.resource
        assert result.region in module.REGIONS or result.kind == "aws.s3.bucket", (result.resource, result.region)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_snapshot_rescanned_offline_gives_the_same_verdicts(scenario, catalogue, moto_server, tmp_path):  # noqa: F811
    module, snapshot, inventory = collected(scenario, moto_server)
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot.dumps())
    offline = load_inputs([path])
    assert offline.inputs[0].kind == "snapshot"
    live = {(r.policy, r.resource, r.status, r.message) for r in evaluate(inventory, catalogue)}
    again = {(r.policy, r.resource, r.status, r.message) for r in evaluate(offline, catalogue)}
    assert again == live
    assert offline.run_info == inventory.run_info  # accounts, regions, collection time, what was not assessed
    json.loads(path.read_text())  # plain JSON, readable by anyone
