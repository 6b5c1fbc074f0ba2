"""Environment profiles: --env or each resource's Environment tag picks the parameters a
policy applies, and every result says which environment's parameters applied."""
from __future__ import annotations

import json

from stackproof.cli import main
from stackproof.engine import evaluate
from stackproof.model import DbInstance, Inventory
from tests.conftest import ROOT
from tests.factories import make

THREE_TIER = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
BOUNDS = ["--policy", "storage_size_within_bounds", "--policy", "autoscaling_group_capacity_consistent"]


def scan(tmp_path, *options: str) -> tuple[int, dict[str, dict]]:
    code = main(["scan", str(THREE_TIER), "--format", "json", "--output-dir", str(tmp_path), *BOUNDS, *options])
    report = json.loads((tmp_path / "results.json").read_text())
    return code, {r["name"]: r for r in report["results"]}


def test_resource_tags_pick_prod_and_the_report_says_so(tmp_path):
    code, results = scan(tmp_path)
    assert code == 0
    assert {r["environment"] for r in results.values()} == {"prod"}  # every resource is tagged Environment: prod
    assert results["cache"]["status"] == "PASS" and "prod allows any node type" in results["cache"]["message"]


def test_env_flag_applies_staging_bounds_to_every_resource(tmp_path):
    code, results = scan(tmp_path, "--env", "staging")
    assert code == 1  # the cache's node type is too large for staging
    assert {r["environment"] for r in results.values()} == {"staging"}
    assert results["cache"]["status"] == "FAIL"
    assert "cache.m6g.large is not allowed by the staging bound" in results["cache"]["message"]
    assert results["db"]["status"] == "PASS" and "staging bound of 100 GB" in results["db"]["message"]
    assert results["asg-app"]["status"] == "PASS" and "staging bound of 10" in results["asg-app"]["message"]


def test_each_resource_gets_its_own_environment(catalogue):
    dbs = [make(DbInstance, f"db-{env or 'untagged'}", allocated_storage=500,
                tags={"Environment": env} if env else {}) for env in ("Staging", "prod", None)]
    results = {r.resource: r for r in evaluate([catalogue.policy("storage_size_within_bounds")], Inventory(dbs))}
    staging, prod, untagged = results["db-Staging"], results["db-prod"], results["db-untagged"]
    assert (staging.status, staging.environment) == ("FAIL", "staging")  # the tag value, lower-cased
    assert (prod.status, prod.environment) == ("PASS", "prod")
    assert (untagged.status, untagged.environment) == ("PASS", None)
    assert "default bound (no environment) of 1000 GB" in untagged.message


def test_an_environment_without_overrides_uses_the_defaults(catalogue):
    # No policy defines qa (nor Production: names are not aliases), so the defaults apply,
    # and neither the message nor the environment field claims a qa bound.
    for tag in ("qa", "Production"):
        db = make(DbInstance, "db", allocated_storage=1500, tags={"Environment": tag})
        (result,) = evaluate([catalogue.policy("storage_size_within_bounds")], Inventory([db]))
        assert (result.status, result.environment) == ("FAIL", None)
        assert "exceeds the default bound" in result.message and "1000 GB" in result.message
        assert tag.lower() not in result.message.lower()
