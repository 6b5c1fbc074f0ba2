"""Transforms: SAM and the language extensions are expanded (with cfn-lint's transforms and
samtranslator); what cannot be expanded is not assessed, with the reason; never a crash."""
from __future__ import annotations

from tests.cloudformation.helpers import by_resource, load, scan


def test_sam_resources_are_expanded(tmp_path, catalogue):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Sessions:
        Type: AWS::Serverless::SimpleTable
        Properties:
          SSESpecification: {SSEEnabled: true}
      Handler:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context): pass"
    """
    table = load(tmp_path, template).get("Sessions")
    assert table.kind == "aws.dynamodb.table" and table.sse_enabled is True
    result = by_resource(scan(tmp_path, template, catalogue, "dynamodb_table_encrypted"))
    assert result[("dynamodb_table_encrypted", "Sessions")].status == "PASS"


def test_for_each_loops_are_expanded(tmp_path):
    template = """
    Transform: AWS::LanguageExtensions
    Resources:
      Fn::ForEach::Queues:
        - Name
        - [Jobs, Mail]
        - Queue${Name}:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub "app-${Name}"
              SqsManagedSseEnabled: false
    """
    inventory = load(tmp_path, template)
    assert {q.key: q.name for q in inventory.of_kind("aws.sqs.queue")} == {"QueueJobs": "app-Jobs",
                                                                           "QueueMail": "app-Mail"}


def test_sam_that_cannot_be_expanded_is_not_assessed_the_rest_is(tmp_path, catalogue):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Sessions:
        Type: AWS::Serverless::SimpleTable
        Properties:
          SSESpecification: [not, a, mapping]
      Key:
        Type: AWS::KMS::Key
    """
    results = by_resource(scan(tmp_path, template, catalogue, "dynamodb_table_encrypted", "kms_key_rotation_enabled"))
    sessions = results[("dynamodb_table_encrypted", "Sessions")]
    assert sessions.status == "UNKNOWN" and "SAM resource could not be expanded" in sessions.message
    assert results[("kms_key_rotation_enabled", "Key")].status == "FAIL"


def test_a_macro_stackproof_cannot_run_leaves_everything_unassessed(tmp_path, catalogue):
    template = """
    Transform: [MyCompany::Expand]
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
    """
    results = scan(tmp_path, template, catalogue)
    assert results and {r.status for r in results} == {"UNKNOWN"}
    assert all("MyCompany::Expand" in r.message for r in results)
    assert {r.policy for r in results} == {p.id for p in catalogue}


def test_an_include_inside_properties_is_unknown(tmp_path):
    template = """
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          PubliclyAccessible: false
          StorageEncrypted:
            Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://bucket/encryption.yaml}}
    """
    value = load(tmp_path, template).get("Db").storage_encrypted
    assert value.reason.startswith("produced by the macro AWS::Include")


LOOP = """
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Queues:
    - Name
    - !Ref Names
    - Queue${Name}:
        Type: AWS::SQS::Queue
        Properties:
          SqsManagedSseEnabled: false
"""


def test_a_loop_over_values_nothing_gives_is_not_assessed(tmp_path, catalogue):
    # cfn-lint would make up names for the loop; stackproof does not guess which queues exist
    results = scan(tmp_path, LOOP, catalogue, "sqs_queue_encrypted")
    assert [(r.resource, r.status) for r in results] == [("Fn::ForEach::Queues", "UNKNOWN")]
    assert "parameter Names, which has no default and no value was given (--parameters)" in results[0].message


def test_a_loop_over_given_values_is_expanded_with_them(tmp_path, catalogue):
    parameters = tmp_path / "parameters.json"
    parameters.write_text('{"Names": "Jobs,Mail"}')
    results = scan(tmp_path, LOOP, catalogue, "sqs_queue_encrypted", parameters=str(parameters))
    assert sorted((r.resource, r.status, r.line) for r in results) == [("QueueJobs", "FAIL", 5), ("QueueMail", "FAIL", 5)]


def test_transformed_resources_keep_their_lines(tmp_path):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Table:
        Type: AWS::Serverless::SimpleTable
        Properties:
          PrimaryKey: {Name: id, Type: String}
      Handler:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context): pass"
      Queue:
        Type: AWS::SQS::Queue
    """
    inventory = load(tmp_path, template)
    assert inventory.get("Table").prov.line == 3
    assert inventory.get("Queue").prov.line == 13  # declared as is: its own line
