"""Parameters: defaults, --parameters in the common formats, NoEcho values kept out of
every report, and the pseudo parameters."""
from __future__ import annotations

import json

import pytest

from stackproof.cli import main
from stackproof.model import is_unknown
from tests.cloudformation.helpers import load, write

TEMPLATE = """
Parameters:
  Encrypt:
    Type: String
    Default: "false"
  Size:
    Type: Number
    Default: 50
  Zones:
    Type: CommaDelimitedList
    Default: "eu-west-2a, eu-west-2b"
  KeyId:
    Type: String
  Password:
    Type: String
    NoEcho: true
    Default: correct-horse-battery
  ImageId:
    Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: !Sub "db-${AWS::Region}-${AWS::Partition}"
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: !Ref Size
      StorageEncrypted: !Ref Encrypt
      KmsKeyId: !Ref KeyId
      AvailabilityZone: !Select [1, !Ref Zones]
      MasterUsername: app
      MasterUserPassword: !Ref Password
      PubliclyAccessible: false
      Tags: [{Key: Name, Value: !Ref Password}, {Key: Account, Value: !Ref "AWS::AccountId"}]
  Web:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref ImageId
        InstanceType: !Ref ImageId
"""


def test_defaults_apply_and_a_missing_value_is_unknown(tmp_path):
    db = load(tmp_path, TEMPLATE).get("Db")
    assert db.storage_encrypted is False
    assert db.allocated_storage == 50
    assert db.availability_zone == "eu-west-2b"  # CommaDelimitedList, spaces trimmed
    assert is_unknown(db.kms_key_id) and "KeyId" in db.kms_key_id.reason
    assert db.identifier == "db-eu-west-2-aws"


def test_ssm_parameter_values_are_read_at_deploy_time(tmp_path):
    template = load(tmp_path, TEMPLATE).get("Web")
    assert is_unknown(template.instance_type) and "SSM" in template.instance_type.reason


@pytest.mark.parametrize("content", [
    [{"ParameterKey": "Encrypt", "ParameterValue": "True"}, {"ParameterKey": "KeyId", "ParameterValue": "alias/db"},
     {"ParameterKey": "Size", "ParameterValue": "80"}],
    {"Encrypt": "True", "KeyId": "alias/db", "Size": 80},
    {"Parameters": {"Encrypt": "True", "KeyId": "alias/db", "Size": "80"}},
], ids=["cli-list", "plain-map", "template-configuration"])
def test_parameters_file_in_each_format(tmp_path, content):
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps(content))
    db = load(tmp_path, TEMPLATE, parameters=str(parameters)).get("Db")
    assert (db.storage_encrypted, db.kms_key_id, db.allocated_storage) == (True, "alias/db", 80)


def test_parameters_file_in_yaml(tmp_path):
    parameters = tmp_path / "parameters.yaml"
    parameters.write_text("Encrypt: 'true'\nKeyId: alias/db\n")
    assert load(tmp_path, TEMPLATE, parameters=str(parameters)).get("Db").storage_encrypted is True


def test_the_parameters_file_is_an_input_of_the_report(tmp_path, capsys):
    # Its values decide verdicts, so the report names it with its checksum, once however
    # many templates it is given to; the exposure map lists it too.
    import hashlib

    first, second = write(tmp_path, TEMPLATE, "first.yaml"), write(tmp_path, TEMPLATE, "second.yaml")
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps({"Encrypt": "true", "KeyId": "alias/db"}))
    listed = {"kind": "parameters", "path": str(parameters), "sha256": hashlib.sha256(parameters.read_bytes()).hexdigest()}
    out = tmp_path / "out"
    main(["scan", str(first), str(second), "--parameters", str(parameters), "--region", "eu-west-2",
          "--format", "json", "--output-dir", str(out)])
    inputs = json.loads((out / "results.json").read_text())["run"]["inputs"]
    assert sorted(i["kind"] for i in inputs) == ["cloudformation", "cloudformation", "parameters"]
    assert listed in inputs
    capsys.readouterr()
    assert main(["exposure", str(first), "--parameters", str(parameters), "--format", "json"]) == 0
    assert listed in json.loads(capsys.readouterr().out)["inputs"]


def test_a_bad_parameters_file_is_refused_with_its_name(tmp_path, capsys):
    template = write(tmp_path, TEMPLATE)
    parameters = tmp_path / "parameters.json"
    parameters.write_text('[{"ParameterValue": "x"}]')
    assert main(["scan", str(template), "--parameters", str(parameters), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "parameters.json" in err[0] and "ParameterKey" in err[0]


CONSTRAINED = """
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [prod, staging]}
  Size: {Type: Number, Default: 20, MinValue: 20, MaxValue: 1000}
  Name: {Type: String, Default: app, AllowedPattern: "[a-z][a-z0-9-]*", MaxLength: 20}
  Secret: {Type: String, NoEcho: true, Default: a-long-secret, MinLength: 8}
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${Env}-${Name}", SqsManagedSseEnabled: true}}
"""


@pytest.mark.parametrize("values,words", [
    ({"Env": "qa"}, "parameter Env of {template}: 'qa' is not one of its AllowedValues (prod, staging)"),
    ({"Nope": "x"}, "parameter Nope is not declared by {template}"),
    ({"Size": "big"}, "parameter Size of {template}: 'big' is not a number (its Type is Number)"),
    ({"Size": "5000"}, "parameter Size of {template}: '5000' is outside its MaxValue 1000"),
    ({"Name": "App_1"}, "parameter Name of {template}: 'App_1' does not match its AllowedPattern [a-z][a-z0-9-]*"),
    ({"Secret": "short"}, "parameter Secret of {template}: the value given breaks its MinLength 8"),
], ids=["not-allowed", "not-declared", "not-a-number", "above-max", "pattern", "no-echo-not-quoted"])
def test_parameter_values_cloudformation_refuses_are_refused(tmp_path, capsys, values, words):
    template = write(tmp_path, CONSTRAINED)
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps(values))
    out = tmp_path / "out"
    assert main(["scan", str(template), "--parameters", str(parameters), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"stackproof: error: {parameters}: " + words.format(template=template)]
    if "Secret" in values:
        assert values["Secret"] not in err[0]  # a NoEcho value is never printed
    assert not out.exists()


def test_allowed_parameter_values_are_accepted(tmp_path):
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps({"Env": "staging", "Size": "1000", "Name": "web-2", "Secret": "12345678"}))
    assert load(tmp_path, CONSTRAINED, parameters=str(parameters)).get("Queue").name == "staging-web-2"


def test_pseudo_parameters(tmp_path):
    db = load(tmp_path, TEMPLATE, region=None).get("Db")
    assert is_unknown(db.identifier) and "--region" in db.identifier.reason
    assert is_unknown(db.region)
    # an unknown tag value stays unknown: it is not "no such tag", nor a made-up value
    assert is_unknown(db.tags["Account"]) and "AWS::AccountId" in db.tags["Account"].reason
    assert db.name is None  # the Name tag is a NoEcho parameter: not shown, not guessed
    china = load(tmp_path, TEMPLATE, region="cn-north-1").get("Db")
    assert china.identifier == "db-cn-north-1-aws-cn"


def test_no_echo_values_never_reach_a_report(tmp_path):
    template = write(tmp_path, TEMPLATE)
    out = tmp_path / "reports"
    code = main(["scan", str(template), "--region", "eu-west-2", "--format", "json,junit,sarif,markdown,html",
                 "--output-dir", str(out)])
    assert code in (0, 1)
    written = [p for p in out.iterdir() if p.is_file()]
    assert written
    for path in written:
        assert "correct-horse-battery" not in path.read_text(), path.name
    # The Name tag that would carry it is not read; the database is still reported.
    results = json.loads((out / "results.json").read_text())["results"]
    assert any(r["resource"] == "Db" for r in results)


def test_no_echo_value_given_in_a_parameters_file_is_also_kept_out(tmp_path):
    template = write(tmp_path, TEMPLATE)
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps({"Password": "tr0ub4dor-and-3"}))
    out = tmp_path / "reports"
    main(["scan", str(template), "--parameters", str(parameters), "--format", "json", "--output-dir", str(out)])
    assert "tr0ub4dor-and-3" not in (out / "results.json").read_text()


def test_a_tag_from_a_parameter_left_open_is_unknown_not_absent(tmp_path, catalogue):
    from tests.cloudformation.helpers import scan

    template = """
    Parameters:
      Env: {Type: String}
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: 800
          StorageEncrypted: true
          PubliclyAccessible: false
          Tags: [{Key: Name, Value: db}, {Key: Environment, Value: !Ref Env}]
    """
    db = load(tmp_path, template).get("Db")
    assert db.tags["Name"] == "db" and is_unknown(db.tags["Environment"]) and "Env" in db.tags["Environment"].reason
    # 800 GB passes some environments' bounds and not others: which one is not known
    result = scan(tmp_path, template, catalogue, "storage_size_within_bounds")[0]
    assert result.status == "UNKNOWN" and "Environment" in result.message


def test_a_no_echo_parameter_that_conditions_compare_stays_hidden(tmp_path):
    template = write(tmp_path, """
    Parameters:
      Pw: {Type: String, NoEcho: true, Default: hunter2-secret}
    Conditions:
      NoPassword: !Equals [!Ref Pw, ""]
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          StorageEncrypted: !If [NoPassword, false, true]
          PubliclyAccessible: false
          Tags: [{Key: Name, Value: !Ref Pw}]
    """)
    out = tmp_path / "reports"
    assert main(["scan", str(template), "--format", "json,console,sarif,markdown,html", "--output-dir", str(out)]) == 1
    for report in out.iterdir():
        assert "hunter2" not in report.read_text(), report.name
