"""A value marked sensitive never reaches a report, whatever case it is shown in: here an
Environment tag marked sensitive in a plan (tags) while tags_all carries it in clear."""
from __future__ import annotations

import json

from stackproof.cli import main
from stackproof.reporters import FILE_FORMATS
from tests.conftest import ROOT

PLAN = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
SECRET = "prodSecretEnv"


def plan_with_a_sensitive_environment(tmp_path, storage: int):
    data = json.loads(PLAN.read_text())
    for change in data["resource_changes"]:
        if change["address"] == "aws_db_instance.main":
            body = change["change"]
            body["after"]["allocated_storage"] = storage
            body["after"]["tags"]["Environment"] = SECRET
            body["after"]["tags_all"]["Environment"] = SECRET  # Terraform does not always mark tags_all
            body["after_sensitive"] = {"tags": {"Environment": True}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path


def test_a_sensitive_environment_tag_appears_in_no_report(tmp_path, capsys):
    out = tmp_path / "out"
    formats = ",".join(["console", *FILE_FORMATS])
    main(["scan", str(plan_with_a_sensitive_environment(tmp_path, 100)), "--format", formats,
          "--output-dir", str(out)])
    printed = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == sorted(name for _, name in FILE_FORMATS.values())
    for text in [printed.out, printed.err, *(p.read_text() for p in out.iterdir())]:
        assert SECRET.lower() not in text.lower()
    results = json.loads((out / "results.json").read_text())["results"]
    db = [r for r in results if r["resource"] == "aws_db_instance.main"]
    assert db and {r["environment"] for r in db} == {None}


def test_a_sensitive_environment_is_an_unknown_environment(tmp_path):
    # 500 GB: within prod's bound and the default, over staging's and dev's
    out = tmp_path / "out"
    main(["scan", str(plan_with_a_sensitive_environment(tmp_path, 500)), "--policy", "storage_size_within_bounds",
          "--format", "json", "--output-dir", str(out)])
    (db,) = [r for r in json.loads((out / "results.json").read_text())["results"]
             if r["resource"] == "aws_db_instance.main"]
    assert db["status"] == "UNKNOWN"
    assert "tag Environment is marked sensitive" in db["message"] and SECRET.lower() not in db["message"].lower()
