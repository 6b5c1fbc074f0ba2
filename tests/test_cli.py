"""The command line as a CI job uses it: exit codes, options, reports, bad invocations."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from stackproof.cli import main
from tests.conftest import ROOT

PLAN = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"


def scan(*args: str) -> int:
    return main(["scan", *map(str, args)])


def failing_plan(tmp_path, name: str = "failing.json"):
    """The compliant plan with the database left unencrypted (a high-severity FAIL)."""
    data = json.loads(PLAN.read_text())
    for change in data["resource_changes"]:
        if change["address"] == "aws_db_instance.main":
            change["change"]["after"]["storage_encrypted"] = False
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_compliant_plan_exits_zero_and_writes_reports(tmp_path):
    assert scan(PLAN, "--format", "console,json,junit", "--output-dir", tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json", "results.junit.xml"]


def test_json_report_follows_the_schema(tmp_path):
    scan(failing_plan(tmp_path), "--format", "json", "--output-dir", tmp_path / "out")
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["schema"] == "stackproof/results@1"
    assert report["tool"]["name"] == "stackproof"
    assert {"started_at", "profile", "inputs"} <= set(report["run"])
    assert report["run"]["inputs"][0]["kind"] == "tfplan" and len(report["run"]["inputs"][0]["sha256"]) == 64
    counts = {status: 0 for status in report["summary"]}
    for result in report["results"]:
        counts[result["status"]] += 1
        assert {"policy", "status", "severity", "resource", "kind", "source", "location", "message", "evidence",
                "fingerprint"} <= set(result)
        assert set(result["location"]) >= {"file", "line"}
    assert counts == report["summary"]
    failed = [r for r in report["results"] if r["status"] == "FAIL"]
    assert [(r["policy"], r["resource"]) for r in failed] == [("rds_instance_storage_encrypted", "aws_db_instance.main")]


def test_fingerprints_are_stable_across_runs(tmp_path):
    scan(PLAN, "--format", "json", "--output-dir", tmp_path / "a")
    scan(PLAN, "--format", "json", "--output-dir", tmp_path / "b")
    first = [r["fingerprint"] for r in json.loads((tmp_path / "a" / "results.json").read_text())["results"]]
    second = [r["fingerprint"] for r in json.loads((tmp_path / "b" / "results.json").read_text())["results"]]
    assert first == second and len(set(first)) == len(first)


def test_junit_has_a_suite_per_policy_and_a_case_per_resource(tmp_path):
    scan(failing_plan(tmp_path), "--format", "json,junit", "--output-dir", tmp_path / "out")
    suites = ET.parse(tmp_path / "out" / "results.junit.xml").getroot()
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {s.get("name") for s in suites} == {r["policy"] for r in report["results"]}
    assert sum(len(list(s)) for s in suites) == len(report["results"])
    rds = next(s for s in suites if s.get("name") == "rds_instance_storage_encrypted")
    assert rds.get("failures") == "1" and rds.find("testcase/failure") is not None


def test_failing_plan_exits_one(tmp_path):
    assert scan(failing_plan(tmp_path), "--format", "json", "--output-dir", tmp_path / "out") == 1


def test_severity_floor_above_the_failure_lets_the_gate_hold(tmp_path):
    assert scan(failing_plan(tmp_path), "--severity-floor", "critical", "--format", "json",
                "--output-dir", tmp_path / "out") == 0


def test_policy_selection(tmp_path):
    plan = failing_plan(tmp_path)
    assert scan(plan, "--skip-policy", "rds_instance_storage_encrypted", "--format", "json",
                "--output-dir", tmp_path / "a") == 0
    assert scan(plan, "--policy", "kms_key_rotation_enabled", "--format", "json", "--output-dir", tmp_path / "b") == 0
    report = json.loads((tmp_path / "b" / "results.json").read_text())
    assert {r["policy"] for r in report["results"]} == {"kms_key_rotation_enabled"}


def test_audit_profile_blocks_on_unknown(tmp_path):
    data = json.loads(PLAN.read_text())
    for change in data["resource_changes"]:
        if change["address"] == "aws_db_instance.main":
            del change["change"]["after"]["storage_encrypted"]
            change["change"]["after_unknown"]["storage_encrypted"] = True
    plan = tmp_path / "unknown.json"
    plan.write_text(json.dumps(data))
    assert scan(plan, "--profile", "ci", "--format", "json", "--output-dir", tmp_path / "a") == 0
    assert scan(plan, "--profile", "audit", "--format", "json", "--output-dir", tmp_path / "b") == 1
    # a plan is judged as a CI gate unless --profile says otherwise
    assert scan(plan, "--format", "json", "--output-dir", tmp_path / "c") == 0
    assert json.loads((tmp_path / "c" / "results.json").read_text())["run"]["profile"] == "ci"


def test_scan_help_names_the_default_profile_of_each_input(capsys):
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert "(default: ci, or audit for audit snapshots)" in " ".join(capsys.readouterr().out.split())


def test_environment_is_recorded_in_each_result(tmp_path, catalogue):
    scan(PLAN, "--env", "staging", "--format", "json", "--output-dir", tmp_path)
    report = json.loads((tmp_path / "results.json").read_text())
    # staging's parameters apply where a policy defines staging; the defaults elsewhere
    staged = {p.id for p in catalogue if "staging" in p.environments}
    assert staged and {r["environment"] for r in report["results"] if r["policy"] in staged} == {"staging"}
    assert {r["environment"] for r in report["results"] if r["policy"] not in staged} == {None}
    scan(PLAN, "--format", "json", "--output-dir", tmp_path / "tags")
    report = json.loads((tmp_path / "tags" / "results.json").read_text())
    assert "prod" in {r["environment"] for r in report["results"]}  # from the Environment tag


@pytest.mark.parametrize("args,words", [
    (["--policy", "no_such_policy"], "no policy named 'no_such_policy'"),
    (["--format", "pdf"], "unknown report format"),
    (["--format", ""], "--format names no report format"),
    (["--format", " , "], "--format names no report format"),
    (["--policy", "kms_key_rotation_enabled", "--skip-policy", "kms_key_rotation_enabled"],
     "no policy left to evaluate"),
])
def test_bad_invocations_exit_two(tmp_path, capsys, args, words):
    assert scan(PLAN, *args, "--output-dir", tmp_path) == 2
    captured = capsys.readouterr()
    assert words in captured.err and len(captured.err.strip().splitlines()) == 1
    assert not captured.out and not list(tmp_path.iterdir())


def test_parameters_without_a_template_exit_two(tmp_path, capsys):
    parameters = tmp_path / "parameters.json"
    parameters.write_text('{"Environment": "prod"}')
    assert scan(PLAN, "--parameters", parameters, "--output-dir", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "--parameters: no CloudFormation template among the inputs takes parameter values" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args,words", [
    (["scan", str(PLAN), "--severity-floor", "extreme"], "stackproof scan: error: argument --severity-floor: invalid choice"),
    (["scan"], "stackproof scan: error: the following arguments are required: PATH"),
    (["scna", str(PLAN)], "stackproof: error: argument COMMAND: invalid choice: 'scna'"),
])
def test_bad_option_value_exits_two_with_one_line(capsys, args, words):
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith(words)
    assert err.rstrip().endswith("--help)")


def test_missing_file_exits_two_naming_it(tmp_path, capsys):
    assert scan(tmp_path / "nope.json", "--output-dir", tmp_path / "out") == 2
    assert "nope.json" in capsys.readouterr().err


def test_nothing_is_written_when_one_input_is_bad(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    out = tmp_path / "out"
    assert scan(PLAN, bad, "--format", "json,junit", "--output-dir", out) == 2
    assert not out.exists() or not list(out.iterdir())


def test_output_folder_that_cannot_be_created_exits_two(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert scan(PLAN, "--format", "json", "--output-dir", blocker / "reports") == 2
    assert "output folder" in capsys.readouterr().err


def test_team_pack_adds_its_own_policy(tmp_path):
    pack = tmp_path / "pack"
    (pack / "policies").mkdir(parents=True)
    (pack / "checks").mkdir()
    (pack / "checks" / "tagging.py").write_text(
        "from stackproof.rules import passed, failed\n"
        "def rds_instance_has_owner_tag(db, ctx):\n"
        "    owner = db.tags.get(ctx.params['tag'])\n"
        "    return passed(f'owner {owner}') if owner else failed(f\"no {ctx.params['tag']} tag\")\n")
    (pack / "policies" / "rds_instance_has_owner_tag.yaml").write_text(
        "id: rds_instance_has_owner_tag\ntitle: Databases name their owner\nresource: aws.rds.db_instance\n"
        "check: tagging:rds_instance_has_owner_tag\nseverity: medium\narea: tagging\nparams: {tag: Owner}\n"
        "rationale: Someone answers for every database.\nremediation: {terraform: 'tags = {Owner = \"team\"}'}\n")
    assert scan(PLAN, "--pack", pack, "--policy", "rds_instance_has_owner_tag", "--format", "json",
                "--output-dir", tmp_path / "out") == 1
    result = json.loads((tmp_path / "out" / "results.json").read_text())["results"][0]
    assert (result["policy"], result["status"], result["message"]) == ("rds_instance_has_owner_tag", "FAIL", "no Owner tag")


def test_broken_team_pack_exits_two_naming_the_file(tmp_path, capsys):
    pack = tmp_path / "pack"
    (pack / "policies").mkdir(parents=True)
    (pack / "policies" / "half.yaml").write_text("id: half\ntitle: missing most fields\n")
    assert scan(PLAN, "--pack", pack, "--output-dir", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "half.yaml" in err and "missing" in err


def test_policies_list_and_show(capsys):
    assert main(["policies"]) == 0
    listing = capsys.readouterr().out
    assert "rds_instance_storage_encrypted" in listing and "high" in listing
    assert main(["policies", "show", "lb_listener_tls"]) == 0
    shown = capsys.readouterr().out
    for words in ("Rationale", "Parameters", "allowed_ssl_policies", "Remediation", "terraform", "Frameworks"):
        assert words in shown
    assert main(["policies", "show", "nope"]) == 2
    assert main(["policies", "show", "subnet_data_tier_private", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "aws.rds.db_subnet_group" in shown["needs"] and shown["needs_scope"] == "region"


def test_the_installed_command_runs_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "stackproof.cli", "scan", str(tmp_path / "missing.json")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "missing.json" in done.stderr


def test_bundled_insecure_example_fails_what_it_breaks(tmp_path):
    example = ROOT / "examples" / "insecure-plan.json"
    assert scan(example, "--format", "json", "--output-dir", tmp_path) == 1
    report = json.loads((tmp_path / "results.json").read_text())
    failed = {(r["policy"], r["name"]) for r in report["results"] if r["status"] == "FAIL"}
    assert {("rds_instance_storage_encrypted", "db"), ("rds_instance_not_public", "db"),
            ("subnet_data_tier_private", "data-a"), ("lb_listener_tls", "alb:80"),
            ("sqs_queue_encrypted", "queue-jobs")} <= failed


def test_a_plan_scan_imports_no_heavy_library(tmp_path):
    code = ("import sys; from stackproof.cli import main; "
            f"main(['scan', {str(PLAN)!r}, '--format', 'json', '--output-dir', {str(tmp_path)!r}]); "
            "print(sorted(m for m in ('boto3', 'botocore', 'jinja2', 'cfnlint', 'moto') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
