"""The network policies on the real plans and templates of the shared corpus: never an
ERROR, and the one deliberately insecure VPC plan is exposed along the path it builds."""
from __future__ import annotations

import json

import pytest

from stackproof.engine import evaluate
from stackproof.errors import InputError
from stackproof.loaders import load_inputs
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
INSECURE_VPC = "checkov/tests/terraform/runner/resources/plan/tfplan.json"


def corpus_inputs():
    if not CORPUS.is_dir():
        return []
    found = []
    for entry in json.loads((CORPUS / "manifest.json").read_text()):
        if entry.get("kind") in ("tfplan", "tfstate", "cfn"):
            found.extend(p for p in CORPUS.rglob(entry["path"]) if p.is_file())
    return sorted(set(found))


def test_no_network_policy_errors_on_any_corpus_input(catalogue):
    policies = [p for p in catalogue if p.area == "network"]
    errors = []
    for path in corpus_inputs():
        try:
            inventory = load_inputs([str(path)])
        except InputError:
            continue  # refused clearly: the loader tests cover that
        errors += [(str(path), r.policy, r.message) for r in evaluate(policies, inventory) if r.status == "ERROR"]
    assert errors == []


def test_instance_in_a_public_subnet_with_ssh_open_is_exposed_along_its_path(catalogue):
    # aws_subnet.web_subnet maps public IPs on launch, its route table sends 0.0.0.0/0 to
    # the internet gateway, and the instance's group admits 0.0.0.0/0 on 22.
    inventory = load_inputs([str(CORPUS / INSECURE_VPC)])
    results = {(r.policy, r.resource): r for r in evaluate(
        [catalogue.policy("network_admin_ports_not_internet_reachable")], inventory)}
    result = results[("network_admin_ports_not_internet_reachable", "aws_instance.web_host")]
    assert result.status == "FAIL"
    path = result.evidence["paths"][0]["path"]
    assert "acme-corp-igw" in path and "assigns public IPs on launch" in path and "ingress tcp/22 from 0.0.0.0/0" in path
