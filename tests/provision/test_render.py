"""The stack rendered as CloudFormation: cfn-lint finds no error, every resource of the
blueprint is in exactly one template, tagged, and the DR parts are stack sets."""
from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from stackproof.cli import main
from stackproof.provision.blueprint import ID_TAG, STACK_TAG, build
from stackproof.provision.render import render
from stackproof.provision.spec import CacheSpec, DatabaseSpec, NetworkSpec, StackSpec, StorageSpec

CERTIFICATE = "arn:aws:acm:eu-west-2:111122223333:certificate/6b1f1e1c-1111-2222-3333-444455556666"
SPECS = {
    "reference": StackSpec(),
    "with-certificate": StackSpec(certificate_arn=CERTIFICATE),
    "read-replica": StackSpec(database=DatabaseSpec(dr="read-replica")),
    "two-azs-us": StackSpec(region="us-east-1", dr_region="us-west-2", network=NetworkSpec(az_count=2)),
    "small-staging": StackSpec(name="shop-staging", environment="staging", network=NetworkSpec(cidr="10.20.0.0/20"),
                               database=DatabaseSpec(instance_class="db.t4g.medium", storage_gb=20),
                               cache=CacheSpec(node_type="cache.t4g.small")),
    "sse-s3-no-replication": StackSpec(storage=StorageSpec(kms_encryption=False, replicate=False)),
}


def lint(template) -> list:
    from cfnlint.api import ManualArgs, lint as cfn_lint

    return cfn_lint(template.text(), config=ManualArgs(regions=[template.region]))


@pytest.mark.parametrize("name", SPECS)
def test_cfn_lint_finds_no_error(name):
    for template in render(build(SPECS[name])):
        errors = [f"{m.rule.id} {m.message} at {'/'.join(map(str, m.path))}" for m in lint(template)
                  if m.rule.severity == "error"]
        assert errors == [], template.filename


@pytest.mark.parametrize("name", SPECS)
def test_every_resource_is_in_one_template_in_its_region(name):
    blueprint = build(SPECS[name])
    placed: dict[str, str] = {}
    for template in render(blueprint):
        for logical_id, resource in template.body["Resources"].items():
            if resource["Type"] == "AWS::CloudFormation::StackSet":
                continue
            assert logical_id not in placed, f"{logical_id} in {placed.get(logical_id)} and {template.filename}"
            placed[logical_id] = template.region
    assert placed == {node.logical_id: node.region for node in blueprint}


def test_the_dr_parts_are_stack_sets_deployed_in_the_dr_region():
    spec = SPECS["read-replica"]
    root, *parts = render(build(spec))
    assert root.filename == "reference.yaml" and root.region == spec.region
    stack_sets = {k: r for k, r in root.body["Resources"].items() if r["Type"] == "AWS::CloudFormation::StackSet"}
    assert sorted(stack_sets) == sorted(p.stack_set for p in parts)
    for part in parts:
        properties = stack_sets[part.stack_set]["Properties"]
        assert properties["StackInstancesGroup"][0]["Regions"] == [spec.dr_region]
        assert properties["TemplateURL"] == {"Fn::Sub": f"${{TemplatesLocation}}/{part.filename}"}
    # the replica buckets exist before the buckets that replicate into them; the replica
    # after its source, whose ARN the root passes to it (a GetAtt, so CloudFormation waits)
    assets = root.body["Resources"]["AssetsBucket"]
    first = next(p for p in parts if "AssetsBucketReplica" in p.body["Resources"])
    assert first.stack_set in assets["DependsOn"]
    last = next(p for p in parts if "DatabaseReplica" in p.body["Resources"])
    passed = stack_sets[last.stack_set]["Properties"]["Parameters"]
    assert passed == [{"ParameterKey": "DatabaseDBInstanceArn",
                       "ParameterValue": {"Fn::GetAtt": ["Database", "DBInstanceArn"]}}]


def test_every_taggable_resource_carries_the_stack_name_and_a_tier():
    spec = SPECS["read-replica"]
    untaggable = {"AWS::EC2::VPCGatewayAttachment", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation",
                  "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation", "AWS::KMS::Alias",
                  "AWS::ElasticLoadBalancingV2::Listener", "AWS::S3::BucketPolicy"}
    for node in build(spec):
        if node.type in untaggable:
            continue
        tags = node.tags
        assert tags.get(STACK_TAG) == spec.name and tags.get(ID_TAG) == node.logical_id, node.logical_id
        assert tags.get("Tier") in ("web", "app", "data", "shared"), node.logical_id
        assert tags.get("Environment") == spec.environment


def test_render_command_writes_the_templates(tmp_path, capsys):
    out = tmp_path / "cfn"
    assert main(["provision", "render", "--db-dr", "read-replica", "--output-dir", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "reference-eu-west-1-1.yaml", "reference-eu-west-1-2.yaml", "reference.yaml"]
    root = yaml.safe_load((out / "reference.yaml").read_text())
    assert "CertificateArn" in root["Parameters"]  # no --certificate-arn: a parameter of the template
    printed = capsys.readouterr().out
    assert f"stackproof scan {out / 'reference.yaml'} --region eu-west-2" in printed


def test_render_json(tmp_path):
    import json

    assert main(["provision", "render", "--template-format", "json", "--output-dir", str(tmp_path)]) == 0
    root = json.loads((tmp_path / "reference.json").read_text())
    assert root["Resources"]["Database"]["Properties"]["AutomaticBackupReplicationRegion"] == "eu-west-1"


def test_a_spec_change_shows_in_the_template():
    spec = replace(SPECS["reference"], network=NetworkSpec(az_count=2, nat_per_az=False))
    root = render(build(spec))[0].body["Resources"]
    assert sorted(k for k, r in root.items() if r["Type"] == "AWS::EC2::NatGateway") == ["NatGatewayA"]
    routes = [root[f"AppDefaultRoute{z}"]["Properties"]["NatGatewayId"] for z in "AB"]
    assert routes == [{"Ref": "NatGatewayA"}] * 2


def test_the_data_tier_acl_admits_its_own_subnets_on_the_data_ports_only():
    """Replicas in one data subnet talk to their primary in another (Redis on its port, the
    database standby): the data ACL admits the data block on the data ports and lets the
    replies out; nothing else is opened, and the public block is never admitted."""
    spec = SPECS["reference"]
    blocks = {"app": "10.0.64.0/18", "data": "10.0.128.0/18"}
    entries = [n.props for n in build(spec) if n.type == "AWS::EC2::NetworkAclEntry"
               and n.props["NetworkAclId"].logical_id == "DataNetworkAcl"]
    rules = {("out" if e["Egress"] else "in", e["CidrBlock"], e["PortRange"]["From"], e["PortRange"]["To"])
             for e in entries}
    assert all(e["RuleAction"] == "allow" and e["Protocol"] == 6 for e in entries)
    assert rules == {
        ("in", blocks["app"], 5432, 5432), ("in", blocks["app"], 6379, 6379), ("out", blocks["app"], 1024, 65535),
        ("in", blocks["data"], 5432, 5432), ("in", blocks["data"], 6379, 6379), ("in", blocks["data"], 1024, 65535),
        ("out", blocks["data"], 5432, 5432), ("out", blocks["data"], 6379, 6379), ("out", blocks["data"], 1024, 65535),
    }


def test_render_and_destroy_keep_the_same_things():
    """What the template retains or snapshots is what destroy keeps by default (removal.py):
    buckets and their policies, the keys (and aliases) that encrypt kept data, final
    snapshots of the database and the cache; a read replica, whose data is the primary's,
    is deleted."""
    resources = {}
    for template in render(build(SPECS["read-replica"])):
        resources.update(template.body["Resources"])
    policy = {k: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy")) for k, r in resources.items()
              if r.get("DeletionPolicy")}
    kept = {k: "Retain" for k, r in resources.items()
            if r["Type"] in ("AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::KMS::Alias")}
    assert policy == {**{k: (v, v) for k, v in kept.items()}, "Database": ("Snapshot", "Snapshot"),
                      "Cache": ("Snapshot", "Snapshot"), "DatabaseReplica": ("Delete", "Delete")}


def test_the_root_template_names_the_service_linked_role_it_needs():
    root = render(build(SPECS["reference"]))[0].body
    assert "AWSServiceRoleForAutoScaling (aws iam create-service-linked-role --aws-service-name " \
           "autoscaling.amazonaws.com)" in root["Description"]
    assert len(root["Description"]) <= 1024  # CloudFormation's limit
    assert not [r for r in root["Resources"].values() if r["Type"] == "AWS::IAM::ServiceLinkedRole"]
