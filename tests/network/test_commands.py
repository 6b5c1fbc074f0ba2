"""`stackproof reach` and `stackproof exposure` on the scenario plans, as a user runs them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stackproof.cli import main

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "fixtures/scenarios/three-tier/plan.json")
PATHS = str(ROOT / "fixtures/scenarios/network-paths/plan.json")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_reach_prints_the_witness_path(capsys):
    code, out, _ = run(capsys, "reach", PATHS, "--from", "internet", "--to", "np-inherit-web", "--port", "22")
    assert code == 0
    assert "reachable" in out.splitlines()[0]
    assert "np-igw" in out and "np-rtb-public (0.0.0.0/0 -> np-igw)" in out and "np-sg-web ingress tcp/22" in out


def test_reach_prints_the_blocking_hop(capsys):
    code, out, _ = run(capsys, "reach", PATHS, "--from", "internet", "--to", "np-edge-web", "--port", "22")
    assert code == 1 and "not reachable" in out
    assert "np-nacl-edge inbound rule 100 denies tcp/22" in out
    code, out, _ = run(capsys, "reach", PATHS, "--from", "internet", "--to", "aws_instance.legacy_web", "--port", "22")
    assert code == 1 and "blackhole" in out


def test_reach_between_resources_and_from_a_cidr(capsys):
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "asg-app", "--to", "db", "--port", "5432")
    assert code == 0 and "sg-db ingress tcp/5432 from sg-app" in out
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "alb", "--to", "db", "--port", "5432")
    assert code == 1 and "no egress rule" in out
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "0.0.0.0/0", "--to", "alb", "--port", "443",
                       "--format", "json")
    answer = json.loads(out)
    assert code == 0 and answer["status"] == "reachable" and answer["paths"][0]["traffic"] == "tcp/443"


@pytest.mark.parametrize("argv,message", [
    (["--from", "internet", "--to", "nothing-named-so"], "--to nothing-named-so: no resource"),
    (["--from", "nowhere", "--to", "db"], "--from nowhere: no resource with that address or name (and not 'internet'"),
    (["--from", "10.0.0.0/33", "--to", "db"], "--from 10.0.0.0/33: not a valid CIDR"),
    (["--from", "tier:nothing", "--to", "db"], "--from tier:nothing: no resource that sends or receives traffic"),
    (["--from", "asg-app", "--to", "10.0.2.0/24"], "--to 10.0.2.0/24 overlaps VPC vpc (aws_vpc.main) of asg-app"),
    (["--from", "internet", "--to", "vpc"], "does not receive traffic"),
    (["--from", "internet", "--to", "db", "--port", "70000"], "--port 70000 is not a port"),
    (["--from", "internet", "--to", "db", "--port", "22", "--proto", "icmp"], "--port applies to tcp and udp"),
])
def test_reach_refuses_bad_invocations_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, "reach", THREE_TIER, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_exposure_map_lists_what_the_internet_reaches(capsys):
    code, out, _ = run(capsys, "exposure", THREE_TIER)
    assert code == 0
    assert "aws_lb.web (alb)" in out and "tcp/443 from internet" in out
    assert "aws_autoscaling_group.app (asg-app)" in out and "target group tg-app" in out
    assert "aws_db_instance.main" not in out
    assert "2 of 5 resources that receive traffic are reachable from the internet" in out


def test_exposure_map_as_json(capsys):
    code, out, _ = run(capsys, "exposure", PATHS, "--format", "json")
    data = json.loads(out)
    exposed = {e["name"]: e for e in data["exposed"]}
    assert code == 0 and data["schema"] == "stackproof/exposure@1"
    # legacy: blackhole; database: private; np-eni-web: through the Elastic IP on its second interface
    assert set(exposed) == {"np-edge-web", "np-inherit-web", "np-eni-web"}
    assert {e["traffic"] for e in exposed["np-edge-web"]["exposures"]} == {"tcp/443"}  # the ACL drops 22
    assert {e["traffic"] for e in exposed["np-inherit-web"]["exposures"]} == {"tcp/22", "tcp/443"}
    assert {e["traffic"] for e in exposed["np-eni-web"]["exposures"]} == {"tcp/22", "tcp/443"}


def test_exposure_json_names_the_balancer_and_the_inputs(capsys):
    code, out, _ = run(capsys, "exposure", THREE_TIER, "--format", "json")
    data = json.loads(out)
    app = next(e for e in data["exposed"] if e["resource"] == "aws_autoscaling_group.app")
    assert {e["via"] for e in app["exposures"]} == {"alb (aws_lb.web)"}
    assert app["file"] == data["inputs"][0]["path"] and data["inputs"][0]["sha256"]


def test_exposure_of_two_plans_with_the_same_addresses_names_their_files(capsys, tmp_path):
    copy = tmp_path / "copy.json"
    copy.write_text(Path(THREE_TIER).read_text())
    code, out, _ = run(capsys, "exposure", THREE_TIER, str(copy))
    assert code == 0 and f"aws_lb.web in {copy}" in out and "#" not in out
    assert "4 of 10 resources that receive traffic are reachable from the internet" in out


def test_reach_json_lists_its_inputs(capsys):
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "internet", "--to", "alb", "--port", "443",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "stackproof/reach@1" and data["status"] == "reachable"
    assert [i["kind"] for i in data["inputs"]] == ["tfplan"]


def test_exposure_of_a_bad_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "exposure", str(bad))
    assert code == 2 and str(bad) in err and "Traceback" not in err


def test_reach_between_tiers(capsys):
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "tier:app", "--to", "tier:data", "--port", "5432")
    assert code == 0 and out.startswith("tier:app (1 resource) -> tier:data (3 resources) (tcp/5432): reachable")
    assert "sg-db ingress tcp/5432 from sg-app -> db" in out
    code, out, _ = run(capsys, "reach", THREE_TIER, "--from", "tier:web", "--to", "tier:data", "--port", "5432")
    assert code == 1 and "not reachable" in out.splitlines()[0]


def test_reach_refuses_an_ambiguous_name_and_lists_the_candidates(capsys, tmp_path):
    from fixtures.planbuilder import PlanBuilder, ref

    b = PlanBuilder()
    b.add("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    b.add("aws_subnet.a", {"vpc_id": ref("aws_vpc.main"), "cidr_block": "10.0.1.0/24"})
    for name in ("blue", "green"):
        b.add(f"aws_instance.{name}", {"ami": "ami-1", "instance_type": "t3.micro", "subnet_id": ref("aws_subnet.a"),
                                       "tags": {"Name": "web"}})
    plan = tmp_path / "plan.json"
    plan.write_text(b.dumps())
    code, _, err = run(capsys, "reach", str(plan), "--from", "internet", "--to", "web")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--to web: ambiguous, 2 resources have that name (aws_instance.blue, aws_instance.green)" in err
