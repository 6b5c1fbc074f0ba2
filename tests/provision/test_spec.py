"""The spec and the command line: defaults, a spec file under the options, and bad input
refused with one line, exit code 2 and nothing written."""
from __future__ import annotations

import subprocess
import sys

import pytest

from stackproof.cli import main
from stackproof.errors import InputError
from stackproof.provision.blueprint import build
from stackproof.provision.spec import (
    AppSpec,
    CacheSpec,
    DatabaseSpec,
    NetworkSpec,
    StackSpec,
    spec_as_mapping,
    spec_from_mapping,
)
from tests.conftest import ROOT
from tests.provision.account import cli_env


def test_the_reference_defaults():
    spec = StackSpec().validate()
    assert (spec.region, spec.dr_region, spec.network.az_count) == ("eu-west-2", "eu-west-1", 3)
    assert spec.app_sizes == (3, 9, 3)  # one instance per AZ, up to three per AZ
    assert spec.db_max_storage_gb == 2 * spec.database.storage_gb
    assert spec.cache_nodes == 3


def test_a_spec_file_and_options_on_top(tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    path.write_text("name: payments\nenvironment: staging\nnetwork: {az_count: 2, cidr: 10.40.0.0/16}\n"
                    "database: {storage_gb: 50, dr: read-replica}\nstorage: {buckets: [assets, exports]}\n")
    out = tmp_path / "cfn"
    assert main(["provision", "render", "--spec", str(path), "--db-storage", "60", "--output-dir", str(out)]) == 0
    root = (out / "payments.yaml").read_text()
    assert "payments-exports-eu-west-2" in root and "AllocatedStorage: 60" in root
    assert "10.40.0.0/16" in root and "PublicSubnetC" not in root


def test_a_spec_round_trips_through_a_mapping():
    spec = StackSpec(name="shop", certificate_arn="arn:aws:acm:eu-west-2:111122223333:certificate/x")
    assert spec_from_mapping(spec_as_mapping(spec), "test") == spec


@pytest.mark.parametrize("text, message", [
    ("name: payments\ndatabase: {bogus: 1}\n", "unknown spec field 'database.bogus'"),
    ("network: {az_count: three}\n", "spec field 'network.az_count' must be a whole number"),
    ("network: 3\n", "spec field 'network' must be a mapping"),
    ("- just\n- a list\n", "a stack spec must be a mapping"),
    ("name: payments\n  bad: indent\n", "invalid YAML"),
    ("network: {cidr: 10.0.0.0/8}\n", "network.cidr 10.0.0.0/8 must be a /16 to /23 block"),
    # /24: four tiers of four subnets would be /28s, and a load balancer subnet needs a /27
    ("network: {cidr: 10.20.0.0/24}\n", "network.cidr 10.20.0.0/24 must be a /16 to /23 block"),
    ("network: {cidr: 100.64.0.0/16}\n", "network.cidr 100.64.0.0/16 is not private address space (RFC 1918"),
    ("app: {instance_type: ''}\n", "app.instance_type '' is not an instance type such as t3.medium"),
    ("database: {instance_class: m6g.large}\n", "database.instance_class 'm6g.large' is not a DB instance class"),
    ("cache: {node_type: cache.large}\n", "cache.node_type 'cache.large' is not a cache node type"),
    ("dr_region: eu-west-2\n", "dr_region must differ from region"),
    ("database: {dr: tape}\n", "database.dr 'tape' is not one of"),
    ("storage: {replica_region: us-east-1}\n", "storage.replica_region 'us-east-1' must be the stack's region"),
])
def test_a_bad_spec_file_is_refused_with_one_line(tmp_path, capsys, text, message):
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    out = tmp_path / "cfn"
    assert main(["provision", "render", "--spec", str(path), "--output-dir", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and message in error
    assert not out.exists(), "nothing is written"


@pytest.mark.parametrize("args, message", [
    (["--name", "Payments_1"], "name 'Payments_1' must be 3-24 lowercase letters"),
    # once an internal error (exit 3): the DR VPC's block would run past 255.255.255.255
    (["--cidr", "255.255.255.0/24", "--db-dr", "read-replica"], "network.cidr 255.255.255.0/24 must be a /16 to /23"),
    # the DR VPC takes the next block of the same size: 172.32.0.0/16 is public address space
    (["--cidr", "172.31.0.0/16", "--db-dr", "read-replica"],
     "network.cidr 172.31.0.0/16 leaves no private block for the DR VPC, which takes the next block of the same "
     "size (172.32.0.0/16)"),
    (["--cidr", "192.168.254.0/23", "--db-dr", "read-replica"], "(192.169.0.0/23)"),
    (["--instance-type", ""], "app.instance_type '' is not an instance type such as t3.medium"),
    (["--db-instance-class", "nope"], "database.instance_class 'nope' is not a DB instance class such as "
                                      "db.m6g.large"),
    (["--cache-node-type", "db.m6g.large"], "cache.node_type 'db.m6g.large' is not a cache node type"),
    (["--cidr", "10.0.0.0/33"], "network.cidr '10.0.0.0/33' is not an IPv4 CIDR block"),
    (["--region", "mars-1"], "region 'mars-1' is not a region name"),
    (["--certificate-arn", "my-cert"], "certificate_arn 'my-cert' is not an ARN"),
    (["--spec", "/nonexistent/stack.yaml"], "/nonexistent/stack.yaml: cannot read"),
])
def test_bad_options_exit_2_with_one_line(capsys, args, message):
    assert main(["provision", "plan", *args]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and message in error


def test_sizes_are_checked_for_their_shape_only():
    spec = StackSpec(app=AppSpec(instance_type="c7i.metal-48xl"),
                     database=DatabaseSpec(instance_class="db.r6gd.xlarge"),
                     cache=CacheSpec(node_type="cache.t4g.micro"), network=NetworkSpec(cidr="192.168.0.0/23"))
    assert spec.validate() is spec


def test_the_dr_vpc_takes_the_next_private_block():
    spec = StackSpec(network=NetworkSpec(cidr="172.30.0.0/16"), database=DatabaseSpec(dr="read-replica"))
    dr_vpc = build(spec).get("DrVpc")
    assert dr_vpc.props["CidrBlock"] == "172.31.0.0/16"


def test_one_az_is_a_spec_value_the_command_line_refuses(tmp_path, capsys):
    """The mutation tests build a one-AZ stack to see the catalogue fail it; a user cannot."""
    assert StackSpec(network=NetworkSpec(az_count=1)).validate().network.az_count == 1
    path = tmp_path / "stack.yaml"
    path.write_text("network: {az_count: 1}\n")
    assert main(["provision", "render", "--spec", str(path), "--output-dir", str(tmp_path / "cfn")]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"stackproof: error: {path}: network.az_count 1: the command line builds the stack over 2 or 3 "
                     "Availability Zones"]
    assert not (tmp_path / "cfn").exists()


def test_an_action_or_the_iam_policy(capsys):
    assert main(["provision"]) == 2
    assert "provision needs an action: plan, apply, destroy, render (or --print-iam-policy)" in capsys.readouterr().err


def test_destroy_asks_for_confirmation(capsys):
    assert main(["provision", "destroy"]) == 2
    assert "run it again with --yes" in capsys.readouterr().err


def test_apply_needs_a_certificate(capsys):
    assert main(["provision", "apply", "--endpoint-url", "http://127.0.0.1:9"]) == 2
    assert "apply needs --certificate-arn" in capsys.readouterr().err


def test_validate_names_the_problem():
    with pytest.raises(InputError, match="app.port 70000 is not a TCP port"):
        spec_from_mapping({"app": {"port": 70000}}, "test").validate()


def test_no_credentials_is_one_line_not_a_traceback(tmp_path):
    env = {k: v for k, v in cli_env().items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    done = subprocess.run([sys.executable, "-m", "stackproof.cli", "provision", "plan",
                           "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "stackproof: error: no AWS credentials found: set AWS_PROFILE (or --aws-profile), or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or run where a role applies"]


def test_an_unreachable_endpoint_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "stackproof.cli", "provision", "plan",
                           "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Could not connect to the endpoint URL" in lines[0], lines
