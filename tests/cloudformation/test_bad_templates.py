"""Templates CloudFormation would refuse get exit 2 and one line naming the file and the
line: never a traceback, nothing written."""
from __future__ import annotations

import subprocess
import sys

import pytest

from stackproof.cli import main
from tests.cloudformation.helpers import write

CASES = {
    "invalid-yaml": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: [a\n", 5,
                     "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts "
                     "on line 4)"),
    "invalid-yaml-mapping": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: a: b\n", 4,
                             "mapping values are not allowed in this context"),
    "unknown-type": ("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Box:\n    Type: AWS::EC2::Instance1\n", 4,
                     "unknown resource type AWS::EC2::Instance1"),
    "ref-to-nothing": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                       "      BucketName: !Ref Missing\n", 5, "refers to Missing, which is neither"),
    "getatt-to-nothing": ("Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
                          "      IsLogging: true\n      S3BucketName: !GetAtt Logs.Arn\n", 6, "Fn::GetAtt on Logs"),
    "sub-to-nothing": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                       "      BucketName: !Sub \"${Prefix}-logs\"\n", 5, "refers to Prefix"),
    "circular": ("Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
                 "      GroupDescription: a\n      Tags: [{Key: peer, Value: !Ref B}]\n"
                 "  B:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: b\n"
                 "      Tags: [{Key: peer, Value: !Ref A}]\n", 2, "circular dependency between resources: A -> B -> A"),
    "circular-conditions": ("Conditions:\n  X: !Condition Y\n  Y: !Not [!Condition X]\nResources:\n"
                            "  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: X\n", 2, "circular conditions"),
    "undefined-condition": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: Prod\n", 4,
                            "Condition Prod, which the template does not define"),
    "duplicate-key": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Bucket:\n    Type: AWS::SNS::Topic\n", 4,
                      "duplicate key 'Bucket'"),
    "no-resources": ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: nothing\n", 1, "no Resources section"),
    "depends-on-nothing": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    DependsOn: Queue\n", 4,
                           "DependsOn Queue"),
    # the line where the unclosed quote starts, not the end of the file where the parser stopped
    "unclosed-quote": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                       "      BucketName: \"unterminated\n  Other:\n    Type: AWS::SQS::Queue\n", 5,
                       "quoted scalar that starts on line 5"),
    "top-level-list": ("- Resources:\n    Queue: {Type: AWS::SQS::Queue}\n", 1,
                       "the top level is a list, where a template must be a mapping (a YAML or JSON object)"),
    "top-level-string": ("just some text\n", 1, "the top level is a string, where a template must be a mapping"),
    "no-resource": ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", 2,
                    "the Resources section is empty: a template must declare at least one resource"),
    "unknown-tag": ("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Bogus x\n",
                    5, "resource Queue uses Fn::Bogus (or the tag !Bogus), which is not a CloudFormation function"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_template_exits_2_with_file_and_line(case, tmp_path, capsys):
    text, line, words = CASES[case]
    path = tmp_path / "template.yaml"
    path.write_text(text)
    out = tmp_path / "reports"
    code = main(["scan", str(path), "--format", "json,html", "--output-dir", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"stackproof: error: {path}:{line}: "), err
    assert words in err[0]
    assert not out.exists() or not list(out.iterdir())


def test_json_template_with_a_syntax_error_names_its_line(tmp_path, capsys):
    path = tmp_path / "template.json"
    path.write_text('{\n  "Resources": {\n    "Bucket": {"Type": "AWS::S3::Bucket",}\n  }\n}\n')
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert f"{path}:3:" in capsys.readouterr().err


@pytest.mark.parametrize("content", [
    '{"Description": "the network layer", "Parameters": {"Cidr": {"Type": "String"}}}',
    '{"Outputs": {"VpcId": {"Value": "vpc-1"}}, "Conditions": {}}',
    '{"Transform": "AWS::Serverless-2016-10-31", "Metadata": {}}',
])
def test_a_json_template_without_resources_is_refused_as_a_template(tmp_path, capsys, content):
    # Its keys are CloudFormation's: the message is the template loader's, not the plan loader's.
    path = tmp_path / "network.json"
    path.write_text(content)
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"stackproof: error: {path}:1: not a CloudFormation template: it has no Resources section"]


def test_tab_indented_json_template_is_read(tmp_path):
    from stackproof.loaders import LoadOptions, load_inputs

    path = tmp_path / "template.json"
    path.write_text('{\n\t"Resources": {\n\t\t"Queue": {"Type": "AWS::SQS::Queue"}\n\t}\n}\n')
    assert load_inputs([path], LoadOptions()).get("Queue").prov.line == 3


def test_cfn_lint_is_imported_only_when_needed(tmp_path):
    # Its import takes about a second: a plan never needs it; a template only to name the
    # line of a mistake, or to run a transform (SAM, language extensions).
    def imports_cfn_lint(path) -> bool:
        code = ("import sys\nfrom stackproof.cli import main\n"
                f"main(['scan', {str(path)!r}, '--format', 'json', '--output-dir', {str(tmp_path / 'out')!r}])\n"
                "print('cfnlint' in sys.modules)\n")
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        return done.stdout.strip().splitlines()[-1] == "True"

    assert not imports_cfn_lint("fixtures/scenarios/three-tier/plan.json")
    assert not imports_cfn_lint(write(tmp_path, "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"))
    assert imports_cfn_lint(write(tmp_path, "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
                                            "    Properties: {QueueName: !Ref Nothing}\n", "bad.yaml"))
    assert imports_cfn_lint(write(tmp_path, "Transform: AWS::LanguageExtensions\nResources:\n"
                                            "  Queue:\n    Type: AWS::SQS::Queue\n", "transform.yaml"))


JSON_CASES = {
    "ref-to-nothing": ('{\n  "Resources": {\n    "Bucket": {\n      "Type": "AWS::S3::Bucket",\n'
                       '      "Properties": {"BucketName": {"Ref": "Missing"}}\n    }\n  }\n}\n', 5, "refers to Missing"),
    "duplicate-key": ('{\n  "Resources": {\n    "Bucket": {"Type": "AWS::S3::Bucket",\n'
                      '      "Properties": {"BucketName": "a", "BucketName": "b"}}\n  }\n}\n', 4,
                      "duplicate key 'BucketName'"),
    "unknown-type": ('{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue"},\n'
                     '    "Box": {"Type": "AWS::EC2::Instance1"}\n  }\n}\n', 4, "unknown resource type"),
}


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_bad_json_template_names_the_line_too(case, tmp_path, capsys):
    # JSON is read with the standard library; a mistake is found again with cfn-lint's
    # decoder, which knows the line of every value.
    text, line, words = JSON_CASES[case]
    path = tmp_path / "template.json"
    path.write_text(text)
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"stackproof: error: {path}:{line}: ") and words in err, err
