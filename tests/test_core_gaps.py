"""Gaps (kinds an input could not read) and the kinds a rule needs: a result that would be
judged on partial data is UNKNOWN with the gap's reason, its would-be verdict kept."""
from __future__ import annotations

from dataclasses import replace

import pytest

from stackproof.catalogue import load_catalogue
from stackproof.engine import evaluate
from stackproof.model import DbInstance, DbSubnetGroup, Gap, Inventory, Provenance, Subnet
from tests.factories import make

ACCOUNT, OTHER_ACCOUNT = "111122223333", "444455556666"


def live(resource, region: str = "eu-west-2", account: str = ACCOUNT):
    prov = Provenance(source="live", address=f"arn:{resource.key}", account=account, region=region)
    return replace(resource, prov=prov, region=region)


def denied(kinds, region: str | None = "eu-west-2", account: str | None = ACCOUNT) -> Gap:
    return Gap(tuple(kinds), "AccessDenied: the audit role may not call this", f"{region} rds", account, region)


def only(results, resource_address):
    (result,) = [r for r in results if r.resource == resource_address]
    return result


def test_a_rule_reading_a_kind_with_a_gap_gives_unknown_and_keeps_its_verdict(catalogue):
    # subnet_data_tier_private reads the databases placed in a subnet; with RDS unreadable in
    # the region, "holds no database" would be a guess
    subnet = live(make(Subnet, "data-a"))
    policy = catalogue.policy("subnet_data_tier_private")
    (alone,) = evaluate([policy], Inventory([subnet]))
    assert alone.status == "NOT_APPLICABLE"
    inventory = Inventory([subnet], gaps=[denied(["aws.rds.db_instance", "aws.rds.db_cluster"])])
    result = only(evaluate([policy], inventory), "arn:data-a")
    assert result.status == "UNKNOWN"
    assert "aws.rds.db_instance, aws.rds.db_cluster" in result.message and "AccessDenied" in result.message
    assert result.evidence["partial_verdict"] == {"status": "NOT_APPLICABLE", "message": alone.message}


def test_a_gap_in_another_region_matters_only_to_rules_that_look_across_regions(catalogue):
    # a standalone database in eu-west-2; RDS denied in eu-west-1, where its replica would be
    db = live(make(DbInstance, "db"))
    gap = denied(["aws.rds.db_instance", "aws.rds.db_cluster"], region="eu-west-1")
    inventory = Inventory([db], gaps=[gap])
    across = only(evaluate([catalogue.policy("rds_instance_cross_region_backup")], inventory), "arn:db")
    assert across.status == "UNKNOWN" and across.evidence["partial_verdict"]["status"] == "FAIL"
    subnet = live(make(Subnet, "data-a"))
    regional = only(evaluate([catalogue.policy("subnet_data_tier_private")], Inventory([subnet], gaps=[gap])),
                    "arn:data-a")
    assert regional.status == "NOT_APPLICABLE"


def test_a_gap_in_another_account_does_not_matter(catalogue):
    db = live(make(DbInstance, "db"))
    inventory = Inventory([db], gaps=[denied(["aws.rds.db_instance_automated_backups_replication"],
                                             account=OTHER_ACCOUNT)])
    result = only(evaluate([catalogue.policy("rds_instance_cross_region_backup")], inventory), "arn:db")
    assert result.status == "FAIL"


def test_a_gap_that_names_no_place_and_no_input_matters_everywhere(catalogue):
    subnet = make(Subnet, "data-a")
    gap = Gap(("aws.rds.db_subnet_group",), "could not read aws_db_subnet_group values", "aws_db_subnet_group.x")
    result = only(evaluate([catalogue.policy("subnet_data_tier_private")], Inventory([subnet], gaps=[gap])), "data-a")
    assert result.status == "UNKNOWN" and "aws_db_subnet_group.x" in result.message


def test_a_gap_of_one_template_leaves_another_templates_results_alone(tmp_path, catalogue):
    # A macro only CloudFormation runs may change any resource of its own template, and
    # nothing of another template scanned beside it.
    from stackproof.loaders import LoadOptions, load_inputs
    from stackproof.run import RunOptions, run

    network = ("Resources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n"
               "  Data:\n    Type: AWS::EC2::Subnet\n"
               "    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, Tags: [{Key: Tier, Value: data}]}\n")
    (tmp_path / "plain.yaml").write_text(network)
    (tmp_path / "macro.yaml").write_text("Transform: [CompanyMacro]\n" + network)
    policy = ["subnet_data_tier_private"]
    inventory = load_inputs([tmp_path / "plain.yaml", tmp_path / "macro.yaml"], LoadOptions(region="eu-west-2"))
    results, _ = run(inventory, catalogue, RunOptions(policies=policy))
    by_file = {(r.resource, r.file.rsplit("/", 1)[-1]): r for r in results.results}
    # the plain template's subnet, judged as when it is scanned alone
    (alone,) = run(load_inputs([tmp_path / "plain.yaml"], LoadOptions(region="eu-west-2")), catalogue,
                   RunOptions(policies=policy))[0].results
    assert alone.status != "UNKNOWN"
    assert (by_file[("Data", "plain.yaml")].status, by_file[("Data", "plain.yaml")].message) == (alone.status,
                                                                                                alone.message)
    # the macro template is not assessed, at the line of its Transform
    gap = by_file[(str(tmp_path / "macro.yaml"), "macro.yaml")]
    assert gap.status == "UNKNOWN" and "CompanyMacro" in gap.message and gap.line == 1


def test_kinds_a_rule_does_not_need_leave_it_alone(catalogue):
    db = live(make(DbInstance, "db", storage_encrypted=False))
    inventory = Inventory([db], gaps=[denied(["aws.ec2.subnet", "aws.rds.db_subnet_group"])])
    result = only(evaluate([catalogue.policy("rds_instance_storage_encrypted")], inventory), "arn:db")
    assert result.status == "FAIL"


def test_network_rules_need_the_instances_behind_them(catalogue):
    # ec2:DescribeInstances denied: no instance can be shown to reach the database
    group = live(make(DbSubnetGroup, "dbs", subnets=("data-a",)))
    db = live(make(DbInstance, "db", db_subnet_group="dbs", tags={"Tier": "data"}))
    subnet = live(make(Subnet, "data-a", tags={"Tier": "data"}))
    inventory = Inventory([group, db, subnet], gaps=[denied(["aws.ec2.instance"])])
    for policy_id in ("network_tier_isolation", "network_data_store_not_internet_reachable"):
        result = only(evaluate([catalogue.policy(policy_id)], inventory), "arn:db")
        assert result.status == "UNKNOWN" and "aws.ec2.instance" in result.message, policy_id


def test_an_error_stays_an_error(tmp_path):
    pack = tmp_path / "pack"
    (pack / "checks").mkdir(parents=True)
    (pack / "policies").mkdir()
    (pack / "checks" / "broken.py").write_text("def subnet_broken(subnet, ctx):\n    raise RuntimeError('bug')\n")
    (pack / "policies" / "subnet_broken.yaml").write_text(
        "id: subnet_broken\ntitle: Broken\nresource: aws.ec2.subnet\ncheck: broken:subnet_broken\n"
        "severity: low\narea: test\nneeds: [aws.ec2.route_table]\nrationale: A rule that raises.\n"
        "remediation: {terraform: none}\n")
    catalogue = load_catalogue([pack], include_builtin=False)
    inventory = Inventory([live(make(Subnet, "a"))], gaps=[denied(["aws.ec2.route_table"])])
    (result,) = evaluate([catalogue.policy("subnet_broken")], inventory)
    assert result.status == "ERROR" and "RuntimeError" in result.message


@pytest.mark.parametrize("needs,words", [
    ("[aws.ec2.nope]", "unknown resource kind 'aws.ec2.nope' in needs"),
    ("aws.ec2.subnet\nneeds_scope: world", "needs_scope 'world' is not one of region, account"),
])
def test_needs_are_checked_by_the_catalogue(tmp_path, needs, words):
    from stackproof.errors import InputError

    pack = tmp_path / "pack"
    (pack / "policies").mkdir(parents=True)
    (pack / "policies" / "p_x.yaml").write_text(
        f"id: p_x\ntitle: X\nresource: aws.ec2.subnet\ncheck: m:p_x\nseverity: low\narea: test\n"
        f"needs: {needs}\nrationale: x\nremediation: {{terraform: x}}\n")
    with pytest.raises(InputError) as caught:
        load_catalogue([pack], include_builtin=False)
    assert words in str(caught.value) and "p_x.yaml:" in str(caught.value)
