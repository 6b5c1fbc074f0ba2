"""Several inputs in one scan: each keeps its own resources even where keys collide, a
file given twice is read once, fingerprints tell inputs apart whatever way the path was
typed, and condition scenarios combine across templates without multiplying."""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from stackproof.cli import main
from stackproof.loaders import LoadOptions, input_path, load_inputs
from tests.conftest import ROOT
from tests.test_cli import failing_plan

PLAN = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
AURORA = ROOT / "fixtures" / "scenarios" / "aurora" / "template.yaml"
CONDITIONS = ROOT / "fixtures" / "scenarios" / "conditions" / "template.yaml"


def scan(tmp_path, *paths, options=()) -> tuple[int, list[dict], dict]:
    out = tmp_path / "out"
    code = main(["scan", *map(str, paths), "--format", "json", "--output-dir", str(out), *options])
    report = json.loads((out / "results.json").read_text())
    return code, report["results"], report["run"]


def verdicts(results: list[dict]) -> Counter:
    return Counter((r["policy"], r["resource"], r["location"]["file"], r["status"]) for r in results)


def unencrypted_db_plan(tmp_path):
    """The three-tier plan (same addresses) with its database left unencrypted."""
    return failing_plan(tmp_path, "unencrypted.json")


def test_two_plans_with_the_same_addresses_are_both_evaluated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = unencrypted_db_plan(tmp_path)
    code, results, run = scan(tmp_path, PLAN, other)
    assert code == 1  # the second plan's database fails
    _, alone_a, _ = scan(tmp_path / "a", PLAN)
    _, alone_b, _ = scan(tmp_path / "b", other)
    # every result of each plan, as scanned alone: rules that follow references (a subnet's
    # route table, a database's subnet group) still find each plan's own resources
    assert verdicts(results) == verdicts(alone_a) + verdicts(alone_b)
    failed = [(r["policy"], r["resource"], r["location"]["file"]) for r in results if r["status"] == "FAIL"]
    assert failed == [("rds_instance_storage_encrypted", "aws_db_instance.main", "unencrypted.json")]
    assert [i["path"] for i in run["inputs"]] == [input_path(PLAN), "unencrypted.json"]
    assert len({r["fingerprint"] for r in results}) == len(results)


def test_messages_name_resources_by_address_and_file_not_by_re_keyed_key(tmp_path, monkeypatch):
    # The second plan's keys are re-keyed ("b.json#aws_route_table.data") to stay distinct;
    # messages show the plain address, with the file since both plans hold that address.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.json").write_text(PLAN.read_text())
    (tmp_path / "b.json").write_text(PLAN.read_text())
    _, results, _ = scan(tmp_path, "a.json", "b.json")
    shown = [r["message"] for r in results] + [p["path"] for r in results for p in r["evidence"].get("paths", [])]
    assert not [text for text in shown if "#" in text]
    found = {(r["policy"], r["resource"], r["location"]["file"]): r["message"] for r in results}
    for file in ("a.json", "b.json"):
        assert found[("subnet_data_tier_private", "aws_subnet.data[0]", file)].endswith(
            f"its route table rtb-data (aws_route_table.data in {file}) has no route to an internet gateway")
    # a plan scanned alone names its resources as before
    _, alone, _ = scan(tmp_path / "alone", "a.json")
    assert {r["message"] for r in alone if r["resource"] == "aws_subnet.data[0]"} >= {
        "holds aws_db_instance.main, aws_efs_file_system.shared, aws_elasticache_replication_group.cache; its route "
        "table rtb-data (aws_route_table.data) has no route to an internet gateway"}


def test_a_re_keyed_templates_key_reference_reads_as_its_logical_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    template = ("Resources:\n  DataKey: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true}}\n"
                "  Queue: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: !Ref DataKey}}\n")
    (tmp_path / "a.yaml").write_text(template)
    (tmp_path / "b.yaml").write_text(template)
    _, results, _ = scan(tmp_path, "a.yaml", "b.yaml", options=["--policy", "sqs_queue_encrypted"])
    assert sorted(r["message"] for r in results) == ["SSE-KMS with KMS key DataKey in a.yaml",
                                                    "SSE-KMS with KMS key DataKey in b.yaml"]


def test_two_templates_with_the_same_logical_ids(tmp_path):
    region = ["--region", "eu-west-2"]
    code, results, _ = scan(tmp_path, AURORA, CONDITIONS, options=region)
    assert code == 1  # as scanning the conditions template alone: its staging scenario fails
    _, alone_aurora, _ = scan(tmp_path / "a", AURORA, options=region)
    _, alone_conditions, _ = scan(tmp_path / "c", CONDITIONS, options=region)
    assert verdicts(results) == verdicts(alone_aurora) + verdicts(alone_conditions)
    vpcs = {r["location"]["file"] for r in results if r["resource"] == "Vpc"}
    assert vpcs == {input_path(AURORA), input_path(CONDITIONS)}
    assert len({r["fingerprint"] for r in results}) == len(results)


@pytest.mark.parametrize("content,what", [
    ('{"name": "web", "version": "1.0.0"}', "its top-level keys are name, version"),
    ("{}", "the top level is an empty object"),
    ('["a", "b"]', "the top level is a list, not an object"),
])
def test_json_of_no_known_kind_is_named_as_none_of_them(tmp_path, capsys, content, what):
    # Not blamed on Terraform: the message says what stackproof reads and what it found.
    path = tmp_path / "package.json"
    path.write_text(content)
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"stackproof: error: {path}: neither a Terraform plan or state, a CloudFormation template or change set, "
        f"nor a stackproof audit snapshot: {what}"]


def test_the_same_file_twice_is_read_once(tmp_path, monkeypatch):
    code, twice, run = scan(tmp_path, PLAN, PLAN, f"{PLAN.parent}/../three-tier/plan.json")
    code_once, once, _ = scan(tmp_path / "once", PLAN)
    assert code == code_once and len(run["inputs"]) == 1
    assert sorted(r["fingerprint"] for r in twice) == sorted(r["fingerprint"] for r in once)


def test_fingerprints_and_paths_do_not_depend_on_how_the_path_is_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    reports = []
    for n, typed in enumerate(["fixtures/scenarios/three-tier/plan.json",
                               "./fixtures/scenarios/three-tier/plan.json", str(PLAN),
                               "fixtures/scenarios/aurora/../three-tier/plan.json"]):
        _, results, run = scan(tmp_path / str(n), typed)
        assert run["inputs"][0]["path"] == "fixtures/scenarios/three-tier/plan.json"
        assert {r["location"]["file"] for r in results} == {"fixtures/scenarios/three-tier/plan.json"}
        reports.append([r["fingerprint"] for r in results])
    assert all(report == reports[0] for report in reports)


def test_a_file_outside_the_current_folder_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert input_path(PLAN) == PLAN.as_posix()
    assert input_path(os.path.relpath(PLAN)) == PLAN.as_posix()


def test_fingerprints_tell_files_apart_but_not_live_snapshots():
    from stackproof.results import Result

    def result(**where):
        return Result("p", "FAIL", "high", "aws_s3_bucket.this", "aws.s3.bucket", where.pop("source"), "m", **where)

    assert result(source="tfplan", file="a.json").fingerprint != result(source="tfplan", file="b.json").fingerprint
    live = dict(source="live", account="111122223333", region="eu-west-2")
    assert result(**live, file="snap-1.json").fingerprint == result(**live).fingerprint


# -- condition scenarios across templates ------------------------------------------------


def flags_template(always_multi_az: bool = False) -> str:
    """A template with four independent conditions (16 scenarios): condition i decides
    whether databases Db<i>x<j> are Multi-AZ."""
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Parameters:"]
    for i in range(4):
        lines += [f"  Flag{i}:", "    Type: String", '    Default: "yes"', '    AllowedValues: ["yes", "no"]']
    lines.append("Conditions:")
    lines += [f'  On{i}: !Equals [!Ref Flag{i}, "yes"]' for i in range(4)]
    lines.append("Resources:")
    for i in range(4):
        for j in range(3):
            multi_az = "true" if always_multi_az else f"!If [On{i}, true, false]"
            lines += [f"  Db{i}x{j}:", "    Type: AWS::RDS::DBInstance", "    Properties:",
                      "      Engine: postgres", "      DBInstanceClass: db.t3.micro", '      AllocatedStorage: "20"',
                      f"      MultiAZ: {multi_az}", "      StorageEncrypted: true"]
    return "\n".join(lines) + "\n"


def test_scenarios_of_several_templates_combine_without_the_product(tmp_path):
    paths = []
    for n in range(4):
        path = tmp_path / f"t{n}.yaml"
        path.write_text(flags_template())
        paths.append(path)
    alone = load_inputs([paths[0]], LoadOptions(region="eu-west-2"))
    assert len(alone.scenarios) == 16
    together = load_inputs(paths, LoadOptions(region="eu-west-2"))
    assert len(together.scenarios) == 16  # not 16 ** 4
    # every scenario of every template is in some combined scenario
    for path in paths:
        labels = {r.prov.scenario for s in together.scenarios for r in s if r.prov.file == input_path(path)}
        assert labels == {r.prov.scenario for s in alone.scenarios for r in s}


def test_worst_scenario_is_kept_per_input(tmp_path):
    varies, steady = tmp_path / "varies.yaml", tmp_path / "steady.yaml"
    varies.write_text(flags_template())
    steady.write_text(flags_template(always_multi_az=True))
    _, results, _ = scan(tmp_path, varies, steady, options=["--region", "eu-west-2", "--policy", "rds_instance_multi_az"])
    by_file = {(r["resource"], os.path.basename(r["location"]["file"])): r for r in results}
    assert len(by_file) == len(results) == 24  # 12 databases in each template, each once
    failing = by_file[("Db2x0", "varies.yaml")]
    scenario, _, message = failing["message"].partition(": ")
    assert failing["status"] == "FAIL" and "On2 is false" in scenario and message.startswith("single-AZ")
    assert set(failing["evidence"]["scenarios"].values()) == {"PASS", "FAIL"}
    steady_db = by_file[("Db2x0", "steady.yaml")]
    assert steady_db["status"] == "PASS" and "scenario" not in steady_db  # the same in every scenario


@pytest.mark.parametrize("repeat", [2, 3])
def test_a_template_with_scenarios_and_a_plan(tmp_path, repeat):
    template = tmp_path / "t.yaml"
    template.write_text(flags_template())
    inventory = load_inputs([PLAN, template] * repeat, LoadOptions(region="eu-west-2"))
    assert len(inventory.scenarios) == 16
    plan_resources = [r for r in inventory.scenarios[5] if r.prov.file == input_path(PLAN)]
    assert len(plan_resources) == len(load_inputs([PLAN]))


def test_a_gap_of_each_input_is_reported_with_its_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def plan_with_an_unreadable_database(name: str):
        after = {"identifier": "db", "engine": "postgres", "vpc_security_group_ids": 5}  # not a list
        change = {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance",
                  "name": "main", "change": {"actions": ["create"], "before": None, "after": after,
                                             "after_unknown": {"id": True}}}
        data = {"format_version": "1.2", "resource_changes": [change],
                "planned_values": {"root_module": {"resources": [{**change, "values": after}]}}}
        path = tmp_path / name
        path.write_text(json.dumps(data))
        return path

    _, results, _ = scan(tmp_path, plan_with_an_unreadable_database("a.json"),
                         plan_with_an_unreadable_database("b.json"), options=["--policy", "rds_instance_multi_az"])
    assert {r["status"] for r in results} == {"UNKNOWN"}
    assert sorted((r["resource"], r["location"]["file"]) for r in results) == [
        ("aws_db_instance.main", "a.json"), ("aws_db_instance.main", "b.json")]
    assert results[0]["message"].startswith("not assessed: could not read aws_db_instance values")
    assert len({r["fingerprint"] for r in results}) == 2
