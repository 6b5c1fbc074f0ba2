"""Conditions: every combination the parameters allow is a scenario; a policy that fails in
any scenario fails, and its message names the scenario; UNKNOWN where it cannot be decided."""
from __future__ import annotations

import json

from stackproof.cli import main
from stackproof.model import is_unknown
from tests.cloudformation.helpers import by_resource, load, scan, write

TEMPLATE = """
Parameters:
  Environment:
    Type: String
    Default: prod
    AllowedValues: [prod, staging, dev]
Conditions:
  IsProduction: !Equals [!Ref Environment, prod]
  IsDev: !Equals [!Ref Environment, dev]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: true
      PubliclyAccessible: false
      MultiAZ: !If [IsProduction, true, false]
  DevQueue:
    Type: AWS::SQS::Queue
    Condition: IsDev
    Properties:
      SqsManagedSseEnabled: false
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
"""


def test_each_allowed_value_is_a_scenario_and_the_defaults_come_first(tmp_path):
    inventory = load(tmp_path, TEMPLATE)
    labels = [s.scenario for s in inventory.scenarios]
    # each named by the fewest conditions that tell it from the others
    assert labels == ["when IsProduction is true", "when IsProduction is false and IsDev is false",
                      "when IsDev is true"]
    # the top-level inventory is the default deployment (prod): no dev queue there
    assert inventory.get("DevQueue") is None and inventory.get("Db").multi_az is True
    assert [s.get("DevQueue") is not None for s in inventory.scenarios] == [False, False, True]


def test_worst_verdict_wins_and_names_its_scenario(tmp_path, catalogue):
    results = by_resource(scan(tmp_path, TEMPLATE, catalogue, "rds_instance_multi_az", "sqs_queue_encrypted",
                               "sns_topic_encrypted"))
    multi_az = results[("rds_instance_multi_az", "Db")]
    assert multi_az.status == "FAIL"
    # named by the one condition the database depends on, not by IsDev, which it does not use
    assert multi_az.scenario == "when IsProduction is false"
    assert multi_az.message.startswith("when IsProduction is false: ")
    assert multi_az.evidence["scenarios"] == {"when IsProduction is true": "PASS",
                                              "when IsProduction is false": "FAIL"}
    queue = results[("sqs_queue_encrypted", "DevQueue")]
    assert queue.status == "FAIL" and queue.message.startswith("when IsDev is true: ")
    # the same verdict in every scenario names none
    topic = results[("sns_topic_encrypted", "Topic")]
    assert topic.status == "PASS" and topic.scenario is None and "when" not in topic.message


# One database whose properties each read other conditions, and two conditional queues.
# Env and Tier are each one of two values, Flag is "false" or "true" (what its condition
# compares), the region is us-east-1 or another, and Imported cannot be decided.
CAUSES = """
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Tier: {Type: String, Default: small, AllowedValues: [small, large]}
  Flag: {Type: String, Default: "false"}
Conditions:
  IsProduction: !Equals [!Ref Env, prod]
  IsLarge: !Equals [!Ref Tier, large]
  ProdAndLarge: !And [!Condition IsProduction, !Condition IsLarge]
  InUsEast: !Equals [!Ref "AWS::Region", us-east-1]
  Imported: !Equals [!ImportValue SharedFlag, "yes"]
  FlagOn: !Equals [!Ref Flag, "true"]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: 20
      StorageEncrypted: !If [IsProduction, true, false]
      MultiAZ: !If [ProdAndLarge, true, false]
      PubliclyAccessible: false
      DeletionProtection: !If [Imported, true, false]
      BackupRetentionPeriod: !If [InUsEast, 14, 1]
  ProdQueue:
    Type: AWS::SQS::Queue
    Condition: IsProduction
    Properties: {SqsManagedSseEnabled: false}
  FlagQueue:
    Type: AWS::SQS::Queue
    Condition: FlagOn
    Properties: {SqsManagedSseEnabled: false}
"""


def test_a_result_names_the_conditions_that_give_its_verdict(tmp_path, catalogue):
    # The database depends on five conditions, but each verdict on one: it is unencrypted
    # whenever IsProduction is false, single-AZ whenever ProdAndLarge is false (which covers
    # every single-AZ deployment, where IsProduction or IsLarge alone covers only some), and
    # keeps one day of backups outside us-east-1.
    results = by_resource(scan(tmp_path, CAUSES, catalogue, "rds_instance_storage_encrypted", "rds_instance_multi_az",
                               "rds_instance_backup_retention", "rds_instance_deletion_protection",
                               "sqs_queue_encrypted", region=None))
    named = {key: (r.status, r.scenario) for key, r in results.items()}
    assert named == {
        ("rds_instance_storage_encrypted", "Db"): ("FAIL", "when IsProduction is false"),
        ("rds_instance_multi_az", "Db"): ("FAIL", "when ProdAndLarge is false"),
        ("rds_instance_backup_retention", "Db"): ("FAIL", "when InUsEast is false"),
        ("rds_instance_deletion_protection", "Db"): ("UNKNOWN", None),  # Imported: unknown in every scenario
        # a queue that exists under a condition fails where it exists
        ("sqs_queue_encrypted", "ProdQueue"): ("FAIL", "when IsProduction is true"),
        ("sqs_queue_encrypted", "FlagQueue"): ("FAIL", "when FlagOn is true"),
    }
    for result in results.values():
        assert result.message.count("when ") == (1 if result.scenario else 0), result.message


def test_the_console_names_a_scenario_once(tmp_path, capsys):
    path = write(tmp_path, CAUSES)
    assert main(["scan", str(path), "--format", "console", "--policy", "rds_instance_multi_az"]) == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  Db ")]
    assert line.count("when ProdAndLarge is false") == 1
    assert line.endswith("when ProdAndLarge is false: single-AZ (multi_az is false): an outage of its AZ stops "
                         "the database")


def test_a_parameters_file_pins_the_scenario(tmp_path, catalogue):
    parameters = tmp_path / "prod.json"
    parameters.write_text(json.dumps({"Environment": "prod"}))
    results = by_resource(scan(tmp_path, TEMPLATE, catalogue, "rds_instance_multi_az", "sqs_queue_encrypted",
                               parameters=str(parameters)))
    assert results[("rds_instance_multi_az", "Db")].status == "PASS"
    assert ("sqs_queue_encrypted", "DevQueue") not in results
    assert not load(tmp_path, TEMPLATE, parameters=str(parameters)).scenarios


def test_a_default_without_allowed_values_ranges_over_what_conditions_compare(tmp_path, catalogue):
    # The default is what a plain deployment gets, but a deployment may pass dev, or any
    # other value: three outcomes of the conditions, the default's first.
    template = TEMPLATE.replace("    AllowedValues: [prod, staging, dev]\n", "")
    inventory = load(tmp_path, template)
    assert [s.scenario for s in inventory.scenarios] == [
        "when IsProduction is true", "when IsDev is true", "when IsProduction is false and IsDev is false"]
    assert inventory.get("Db").multi_az is True  # the top level is the default deployment
    results = by_resource(scan(tmp_path, template, catalogue, "rds_instance_multi_az", "sqs_queue_encrypted"))
    assert results[("rds_instance_multi_az", "Db")].scenario == "when IsProduction is false"
    assert results[("sqs_queue_encrypted", "DevQueue")].scenario == "when IsDev is true"


def test_a_flag_whose_default_is_off_is_still_assessed_on(tmp_path, catalogue):
    template = """
    Parameters:
      Flag: {Type: String, Default: "false"}
    Conditions:
      FlagOn: !Equals [!Ref Flag, "true"]
    Resources:
      FlagQueue:
        Type: AWS::SQS::Queue
        Condition: FlagOn
        Properties: {SqsManagedSseEnabled: false}
    """
    queue = by_resource(scan(tmp_path, template, catalogue, "sqs_queue_encrypted"))[("sqs_queue_encrypted", "FlagQueue")]
    assert queue.status == "FAIL" and queue.message.startswith("when FlagOn is true: ")
    parameters = tmp_path / "off.json"
    parameters.write_text(json.dumps({"Flag": "false"}))
    assert scan(tmp_path, template, catalogue, "sqs_queue_encrypted", parameters=str(parameters)) == []


def test_a_parameter_without_default_ranges_over_what_conditions_compare(tmp_path):
    template = TEMPLATE.replace("    Default: prod\n    AllowedValues: [prod, staging, dev]\n", "")
    labels = sorted(s.scenario for s in load(tmp_path, template).scenarios)
    # prod, dev, and "something else": three scenarios, as with the allowed values
    assert labels == ["when IsDev is true", "when IsProduction is false and IsDev is false",
                      "when IsProduction is true"]


def test_a_condition_on_the_region_splits_only_without_region(tmp_path):
    template = """
    Conditions:
      InVirginia: !Equals [!Ref "AWS::Region", us-east-1]
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: logs
          IsMultiRegionTrail: !If [InVirginia, true, false]
    """
    assert len(load(tmp_path, template, region=None).scenarios) == 2
    inventory = load(tmp_path, template, region="us-east-1")
    assert not inventory.scenarios and inventory.get("Trail").is_multi_region_trail is True


def test_undecidable_conditions_give_unknown_not_a_guess(tmp_path, catalogue):
    template = """
    Conditions:
      Shared: !Equals [!ImportValue platform-mode, shared]
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          StorageEncrypted: !If [Shared, true, false]
          PubliclyAccessible: false
    """
    result = by_resource(scan(tmp_path, template, catalogue, "rds_instance_storage_encrypted"))
    verdict = result[("rds_instance_storage_encrypted", "Db")]
    assert verdict.status == "UNKNOWN" and "Shared" in verdict.message


def six_flags() -> str:
    """One database that depends on six conditions together (each reads its own flag), and
    a queue that depends on none."""
    conditions = "\n".join(f"  Use{i}: !Equals [!Ref Flag{i}, \"true\"]" for i in range(6))
    parameters = "\n".join(f"  Flag{i}:\n    Type: String\n    Default: \"true\"\n    AllowedValues: [\"true\", \"false\"]"
                           for i in range(6))
    properties = "\n".join(f"      - {{Key: K{i}, Value: !If [Use{i}, a, b]}}" for i in range(6))
    properties += "\n      - {Key: F1, Value: !Ref Flag1}"
    return (f"Parameters:\n{parameters}\nConditions:\n{conditions}\nResources:\n  Db:\n"
            "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
            "      DBInstanceClass: db.t3.micro\n      PubliclyAccessible: false\n"
            "      StorageEncrypted: !If [Use0, true, false]\n      Tags:\n" + properties + "\n"
            "  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n")


def test_too_many_scenarios_leave_the_varying_conditions_undecided(tmp_path, catalogue):
    # One database depends on six conditions together: 64 outcomes of one group, more than
    # stackproof evaluates one by one; the message says so, and how to decide.
    template = six_flags()
    inventory = load(tmp_path, template)
    assert not inventory.scenarios
    flag = inventory.get("Db").tags["F1"]  # not its default: the parameter is as undecided as its conditions
    assert is_unknown(flag) and "more than 16 combinations" in flag.reason
    result = by_resource(scan(tmp_path, template, catalogue, "rds_instance_storage_encrypted", "sqs_queue_encrypted"))
    encrypted = result[("rds_instance_storage_encrypted", "Db")]
    assert encrypted.status == "UNKNOWN"
    assert ("depends on condition Use0, which cannot be decided: more than 16 combinations of conditions "
            "Use0, Use1, Use2, Use3, Use4, Use5 (parameters Flag0, Flag1, Flag2, Flag3, Flag4, Flag5); "
            "pass --parameters to decide") in encrypted.message
    assert result[("sqs_queue_encrypted", "Queue")].status == "FAIL"  # depends on none of them


def test_a_given_parameter_keeps_its_value_when_the_rest_of_its_group_is_undecided(tmp_path):
    # Flag1 passed, five flags left: 32 outcomes, still too many. Flag1 and the condition
    # that reads only it are decided by the value given; the others stay undecided.
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps({"Flag1": "false"}))
    db = load(tmp_path, six_flags(), parameters=str(parameters)).get("Db")
    assert (db.tags["F1"], db.tags["K1"]) == ("false", "b")
    assert is_unknown(db.tags["K0"]) and "more than 16 combinations" in db.tags["K0"].reason


def toggles(count: int) -> str:
    """``count`` independent parameters, each deciding one queue's encryption."""
    parameters = "".join(f"  P{i}: {{Type: String, Default: a, AllowedValues: [a, b]}}\n" for i in range(count))
    conditions = "".join(f"  C{i}: !Equals [!Ref P{i}, a]\n" for i in range(count))
    queues = "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                     f"      SqsManagedSseEnabled: !If [C{i}, true, false]\n" for i in range(count))
    return f"Parameters:\n{parameters}Conditions:\n{conditions}Resources:\n{queues}"


def test_independent_conditions_are_not_multiplied(tmp_path, catalogue):
    # 2^12 combinations, but no queue depends on two toggles: two scenarios show every
    # toggle both ways, and each queue fails when its own toggle is off.
    template = toggles(12)
    assert len(load(tmp_path, template).scenarios) == 2
    results = by_resource(scan(tmp_path, template, catalogue, "sqs_queue_encrypted"))
    for i in range(12):
        queue = results[("sqs_queue_encrypted", f"Q{i}")]
        assert (queue.status, queue.scenario) == ("FAIL", f"when C{i} is false"), queue.message


def test_conditions_one_resource_depends_on_together_are_combined(tmp_path, catalogue):
    # The queue exists when Wanted is true and is unencrypted when Encrypt is false: the one
    # failing combination must be evaluated even though the toggles beside it are not multiplied.
    template = toggles(6).replace("Conditions:\n", "  W: {Type: String, Default: yes, AllowedValues: [yes, no]}\n"
                                  "  E: {Type: String, Default: yes, AllowedValues: [yes, no]}\nConditions:\n"
                                  "  Wanted: !Equals [!Ref W, yes]\n  Encrypt: !Equals [!Ref E, yes]\n")
    template += ("  Special:\n    Type: AWS::SQS::Queue\n    Condition: Wanted\n    Properties:\n"
                 "      SqsManagedSseEnabled: !If [Encrypt, true, false]\n")
    results = by_resource(scan(tmp_path, template, catalogue, "sqs_queue_encrypted"))
    special = results[("sqs_queue_encrypted", "Special")]
    assert special.status == "FAIL" and special.scenario == "when Wanted is true and Encrypt is false"


def test_a_condition_nothing_can_decide_makes_a_resource_that_may_not_exist(tmp_path, catalogue):
    template = """
    Conditions:
      WantEndpoint: !Equals [!ImportValue platform-mode, full]
    Resources:
      Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
      Routes: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
      S3Endpoint:
        Type: AWS::EC2::VPCEndpoint
        Condition: WantEndpoint
        Properties:
          VpcId: !Ref Vpc
          ServiceName: com.amazonaws.eu-west-2.s3
          VpcEndpointType: Gateway
          RouteTableIds: [!Ref Routes]
      Key:
        Type: AWS::KMS::Key
        Condition: WantEndpoint
        Properties: {EnableKeyRotation: false}
    """
    results = by_resource(scan(tmp_path, template, catalogue, "vpc_s3_gateway_endpoint", "kms_key_rotation_enabled"))
    # the VPC cannot count on an endpoint that may not exist
    assert results[("vpc_s3_gateway_endpoint", "Vpc")].status == "UNKNOWN"
    # a resource that may exist is judged as if it exists, and says so
    key = results[("kms_key_rotation_enabled", "Key")]
    assert key.status == "FAIL" and key.scenario == "if it exists (its condition WantEndpoint cannot be decided)"
    assert key.message == f"{key.scenario}: automatic key rotation is off"
    endpoint = load(tmp_path, template).get("S3Endpoint")
    assert "WantEndpoint" in endpoint.vpc.reason and "platform-mode" in endpoint.vpc.reason
    assert endpoint.route_tables == ("Routes",) or "WantEndpoint" in endpoint.route_tables.reason


def test_a_resource_that_may_not_exist_says_so_beside_its_scenario(tmp_path, catalogue):
    # Rotation follows a parameter (two scenarios); the key exists only if an imported value
    # says so, in either scenario.
    template = """
    Parameters:
      Rotate: {Type: String, Default: "yes", AllowedValues: ["yes", "no"]}
    Conditions:
      WantKey: !Equals [!ImportValue platform-mode, full]
      Rotating: !Equals [!Ref Rotate, "yes"]
    Resources:
      Key:
        Type: AWS::KMS::Key
        Condition: WantKey
        Properties: {EnableKeyRotation: !If [Rotating, true, false]}
      Other:
        Type: AWS::KMS::Key
        Condition: WantKey
        Properties: {EnableKeyRotation: false}
    """
    results = by_resource(scan(tmp_path, template, catalogue, "kms_key_rotation_enabled"))
    maybe = "if it exists (its condition WantKey cannot be decided)"
    key, other = results[("kms_key_rotation_enabled", "Key")], results[("kms_key_rotation_enabled", "Other")]
    assert (key.status, key.scenario) == ("FAIL", f"when Rotating is false, {maybe}")
    assert (other.status, other.scenario) == ("FAIL", maybe)  # the same in both scenarios, but still maybe
    assert other.message.startswith(f"{maybe}: ")


def test_a_separate_rule_that_may_not_exist_makes_its_group_unknown(tmp_path, catalogue):
    template = """
    Conditions:
      OpenSsh: !Equals [!ImportValue ops-mode, debug]
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties: {GroupDescription: web, SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]}
      Ssh:
        Type: AWS::EC2::SecurityGroupIngress
        Condition: OpenSsh
        Properties: {GroupId: !Ref Group, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
    """
    rules = load(tmp_path, template).get("Group").rules
    assert "Ssh exists only if condition OpenSsh is true" in rules.reason


def test_scenario_is_in_the_json_report(tmp_path):
    path = write(tmp_path, TEMPLATE)
    out = tmp_path / "out"
    assert main(["scan", str(path), "--region", "eu-west-2", "--format", "json", "--output-dir", str(out),
                 "--policy", "rds_instance_multi_az"]) == 1
    result = json.loads((out / "results.json").read_text())["results"][0]
    assert result["scenario"] == "when IsProduction is false"
    assert result["message"].startswith(result["scenario"] + ": ")


def test_a_template_with_scenarios_scanned_with_other_inputs(tmp_path, catalogue):
    # Every scenario of the template is evaluated together with the other inputs.
    from tests.conftest import scan_paths

    path = write(tmp_path, TEMPLATE)
    plan = "fixtures/scenarios/aurora/plan.json"
    results = scan_paths([plan, path], catalogue, region="eu-west-2",
                         policies=["rds_instance_multi_az", "rds_cluster_storage_encrypted"])
    found = {(r.resource, r.status, r.scenario) for r in results}
    assert ("aws_rds_cluster.main", "PASS", None) in found  # the plan's cluster, the same in every scenario
    assert ("Db", "FAIL", "when IsProduction is false") in found
    alone = scan_paths([plan], catalogue, policies=["rds_cluster_storage_encrypted"])
    assert [(r.resource, r.status) for r in alone] == [("aws_rds_cluster.main", "PASS")]
