"""Environment profiles: --env or each resource's Environment tag picks the parameters a
policy applies, and every result says which environment's parameters applied."""
from __future__ import annotations

import json

import pytest

from stackproof.cli import main
from stackproof.engine import evaluate
from stackproof.model import DbInstance, Inventory, Unknown
from tests.conftest import ROOT
from tests.factories import make
from tests.test_core_packs import write_pack

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


# -- names: case-insensitive, refused when no policy defines them ----------------------


def test_env_flag_ignores_case(tmp_path):
    code, results = scan(tmp_path, "--env", "Staging")
    assert code == 1  # as with --env staging: the cache's node type is too large for staging
    assert results["cache"]["status"] == "FAIL" and results["cache"]["environment"] == "staging"


def test_an_env_no_policy_defines_is_refused(tmp_path, capsys):
    code = main(["scan", str(THREE_TIER), "--env", "stagign", "--format", "json", "--output-dir", str(tmp_path)])
    assert code == 2 and not list(tmp_path.iterdir())
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "'stagign'" in err and "known: dev, prod, staging" in err


def test_an_env_a_team_pack_defines_is_accepted(tmp_path):
    pack = write_pack(tmp_path, environments="{QA: {max_gb: 10}}")  # at most 1000 GB, 10 in QA
    out = tmp_path / "out"
    code = main(["scan", str(THREE_TIER), "--pack", str(pack), "--env", "qa", "--policy", "rds_instance_small",
                 "--format", "json", "--output-dir", str(out)])
    (result,) = json.loads((out / "results.json").read_text())["results"]
    assert code == 1 and (result["status"], result["environment"]) == ("FAIL", "qa")


# -- a resource whose environment cannot be known ---------------------------------------


def sized_db(tags, storage: int) -> DbInstance:
    return make(DbInstance, "db", allocated_storage=storage, tags=tags)


LATER = Unknown("known after apply")


@pytest.mark.parametrize("tags", [{"Environment": LATER}, Unknown("the audit role could not read tags")],
                         ids=["tag value unknown", "tags unknown"])
def test_unknown_environment_whose_verdict_depends_on_it_is_unknown(catalogue, tags):
    # 500 GB: over the staging (100) and dev (50) bounds, within prod (4000) and the default (1000)
    (result,) = evaluate([catalogue.policy("storage_size_within_bounds")], Inventory([sized_db(tags, 500)]))
    assert (result.status, result.environment) == ("UNKNOWN", None)
    assert result.message.startswith("the Environment tag is unknown (")
    assert "FAIL under staging and dev" in result.message or "FAIL under dev and staging" in result.message
    assert "PASS under default and prod" in result.message
    assert result.evidence["verdicts"] == {"default": "PASS", "prod": "PASS", "staging": "FAIL", "dev": "FAIL"}


def test_unknown_environment_that_every_parameter_set_agrees_on_keeps_the_verdict(catalogue):
    small, huge = sized_db({"Environment": LATER}, 20), sized_db({"Environment": LATER}, 5000)
    policy = catalogue.policy("storage_size_within_bounds")
    (passed,) = evaluate([policy], Inventory([small]))
    (failed,) = evaluate([policy], Inventory([huge]))
    assert (passed.status, failed.status) == ("PASS", "FAIL")
    assert "unknown" in passed.evidence["environment"] and passed.environment is None


def test_unknown_environment_does_not_matter_to_a_policy_without_environments(catalogue):
    db = make(DbInstance, "db", storage_encrypted=False, tags=Unknown("not read"))
    (result,) = evaluate([catalogue.policy("rds_instance_storage_encrypted")], Inventory([db]))
    assert result.status == "FAIL"


def test_env_flag_decides_even_when_the_tags_are_unknown(catalogue):
    db = sized_db(Unknown("not read"), 500)
    (result,) = evaluate([catalogue.policy("storage_size_within_bounds")], Inventory([db]), "prod")
    assert (result.status, result.environment) == ("PASS", "prod")


def test_a_plan_tag_known_after_apply_makes_the_environment_unknown(tmp_path):
    data = json.loads(THREE_TIER.read_text())
    for change in data["resource_changes"]:
        if change["address"] == "aws_db_instance.main":
            after = change["change"]["after"]
            after["allocated_storage"] = 500
            for name in ("tags", "tags_all"):
                after[name].pop("Environment")
                change["change"]["after_unknown"].setdefault(name, {})["Environment"] = True
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    out = tmp_path / "out"
    main(["scan", str(plan), "--policy", "storage_size_within_bounds", "--format", "json", "--output-dir", str(out)])
    results = {r["name"]: r for r in json.loads((out / "results.json").read_text())["results"]}
    assert results["db"]["status"] == "UNKNOWN"
    assert "tag Environment is unknown: known after apply" in results["db"]["message"]
