"""A team's pack with a mistake: exit 2, one line naming the file (and line where there is
one), nothing written; never "a bug in stackproof"."""
from __future__ import annotations

import json

import pytest

from stackproof.cli import main
from tests.conftest import ROOT

PLAN = ROOT / "fixtures" / "scenarios" / "three-tier" / "plan.json"
CHECK = ("from stackproof.rules import passed, failed\n"
         "def rds_instance_small(db, ctx):\n"
         "    return failed('too big') if db.allocated_storage > ctx.params['max_gb'] else passed('small')\n")
FIELDS = {
    "id": "rds_instance_small", "title": "Small databases", "resource": "aws.rds.db_instance",
    "check": "sizes:rds_instance_small", "severity": "low", "area": "capacity", "params": "{max_gb: 1000}",
    "rationale": "Databases stay small.", "remediation": "{terraform: allocated_storage = 10}",
}


def write_pack(tmp_path, module: str = CHECK, suffix: str = ".yaml", **fields: str):
    pack = tmp_path / "pack"
    (pack / "checks").mkdir(parents=True)
    (pack / "policies").mkdir()
    (pack / "checks" / "sizes.py").write_text(module)
    text = "".join(f"{name}: {value}\n" for name, value in {**FIELDS, **fields}.items() if value is not None)
    (pack / "policies" / f"rds_instance_small{suffix}").write_text(text)
    return pack


def scan_with(tmp_path, pack, capsys) -> tuple[int, str]:
    out = tmp_path / "out"
    code = main(["scan", str(PLAN), "--pack", str(pack), "--policy", "rds_instance_small", "--format", "json",
                 "--output-dir", str(out)])
    err = capsys.readouterr().err.strip()
    if code == 2:
        assert not out.exists()
        assert len(err.splitlines()) == 1 and "Traceback" not in err and "bug in stackproof" not in err
    return code, err


@pytest.mark.parametrize("check,where,words", [
    ("def rds_instance_small(db, ctx)\n    return None\n", "checks/sizes.py:1:", "not valid Python"),
    ("import yaml_does_not_exist\n" + CHECK, "checks/sizes.py:", "imports 'yaml_does_not_exist', which is not installed"),
    ("raise RuntimeError('no config')\n", "checks/sizes.py:", "fails on import: RuntimeError: no config"),
    ("from stackproof.rules import nothing_like_this\n", "checks/sizes.py:", "fails on import: ImportError"),
], ids=["syntax error", "missing library", "raises on import", "bad import"])
def test_a_check_module_that_cannot_be_imported(tmp_path, capsys, check, where, words):
    code, err = scan_with(tmp_path, write_pack(tmp_path, check), capsys)
    assert code == 2
    assert where in err and words in err and "rds_instance_small.yaml" in err


@pytest.mark.parametrize("fields,line,words", [
    ({"remediation": "allocated_storage = 10"}, 9, "remediation must be a mapping, not text"),
    ({"environments": "[prod, staging]"}, 10, "environments must be a mapping, not a list"),
    ({"params": "[max_gb]"}, 7, "params must be a mapping, not a list"),
    ({"frameworks": "[soc2]"}, 10, "frameworks must be a mapping, not a list"),
    ({"frameworks": "{soc2: CC6.1}"}, 10, "framework 'soc2' must list control ids, not text"),
    ({"environments": "{prod: [1]}"}, 10, "environment 'prod' must map parameter names to values"),
    ({"sources": "[tfplan, terraform]"}, 10, "unknown sources value(s) terraform"),
    ({"title": "''"}, 2, "title must be non-empty text"),
    ({"title": None}, None, "policy is missing title"),
    ({"check": "sizes.rds_instance_small"}, 4, "must be written module:function"),
    ({"resource": "[aws.rds.db_instance, 3]"}, 3, "resource must be a resource kind or a list of them"),
], ids=lambda v: str(v)[:40])
def test_a_policy_field_of_the_wrong_type(tmp_path, capsys, fields, line, words):
    code, err = scan_with(tmp_path, write_pack(tmp_path, **fields), capsys)
    assert code == 2 and words in err
    where = "rds_instance_small.yaml" + (f":{line}:" if line else ":")
    assert where in err


def test_yml_policy_files_are_read(tmp_path, capsys):
    code, _ = scan_with(tmp_path, write_pack(tmp_path, suffix=".yml"), capsys)
    assert code == 0
    (result,) = json.loads((tmp_path / "out" / "results.json").read_text())["results"]
    assert (result["policy"], result["status"]) == ("rds_instance_small", "PASS")


def test_environment_names_that_differ_only_in_case_are_refused(tmp_path, capsys):
    pack = write_pack(tmp_path, environments="{Prod: {max_gb: 1}, prod: {max_gb: 2}}")
    code, err = scan_with(tmp_path, pack, capsys)
    assert code == 2 and "environment 'prod' is defined twice" in err
