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
