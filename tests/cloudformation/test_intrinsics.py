"""Intrinsic functions, resolved the way CloudFormation resolves them before it creates
anything; what only exists after creation is unknown, with the reason."""
from __future__ import annotations

from stackproof.model import Unknown, is_unknown
from tests.cloudformation.helpers import load

NETWORK = """
AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  RegionMap:
    eu-west-2: {Cidr: 10.1.0.0/16, Size: "small"}
    us-east-1: {Cidr: 10.2.0.0/16, Size: "small"}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [RegionMap, !Ref "AWS::Region", Cidr]
      Tags: [{Key: Name, Value: !Join ["-", [net, !Ref "AWS::Region"]]}]
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
      MapPublicIpOnLaunch: "True"
      Tags: [{Key: Name, Value: !Sub "${AWS::Region}-a"}]
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {Ref: Vpc}
      CidrBlock: {"Fn::Select": ["1", {"Fn::Cidr": [{"Fn::GetAtt": [Vpc, CidrBlock]}, 4, 8]}]}
      AvailabilityZone: !Select [1, Fn::GetAZs: !Ref "AWS::Region"]
      MapPublicIpOnLaunch: 'false'
      Tags: [{Key: Name, Value: !Sub ["${Prefix}-b", {Prefix: !Select [0, !Split [",", "edge,core"]]}]}]
"""


def test_findinmap_getazs_select_cidr_sub_join(tmp_path):
    inventory = load(tmp_path, NETWORK, region="eu-west-2")
    vpc, a, b = inventory.get("Vpc"), inventory.get("SubnetA"), inventory.get("SubnetB")
    assert vpc.cidr_blocks == ("10.1.0.0/16",)
    assert vpc.name == "net-eu-west-2"
    assert (a.cidr_block, b.cidr_block) == ("10.1.0.0/24", "10.1.1.0/24")
    assert a.vpc == b.vpc == "Vpc"
    assert (a.name, b.name) == ("eu-west-2-a", "edge-b")


def test_getazs_indexes_are_distinct_zones_though_unnamed(tmp_path):
    inventory = load(tmp_path, NETWORK, region="eu-west-2")
    a, b = inventory.get("SubnetA").availability_zone, inventory.get("SubnetB").availability_zone
    assert isinstance(a, str) and isinstance(b, str) and a != b
    assert not a.startswith("eu-west-2a")  # the real names are not known before deploy
    assert (a, b) == ("the 1st zone of eu-west-2 (Fn::GetAZs)", "the 2nd zone of eu-west-2 (Fn::GetAZs)")
    unregioned = load(tmp_path, NETWORK, region=None)
    a, b = unregioned.get("SubnetA").availability_zone, unregioned.get("SubnetB").availability_zone
    assert isinstance(a, str) and isinstance(b, str) and a != b
    assert a == "the 1st zone of the stack's region (Fn::GetAZs)"


ZONES = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  First: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: FIRST}}
  Second: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: SECOND}}
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: data, SubnetIds: [!Ref First, !Ref Second]}
"""


def zones_verdict(tmp_path, catalogue, first: str, second: str, region: str | None) -> tuple[str, str]:
    from tests.cloudformation.helpers import scan

    template = ZONES.replace("FIRST", first).replace("SECOND", second)
    result = scan(tmp_path, template, catalogue, "db_subnet_group_multi_az", region=region)[0]
    return result.status, result.message


def test_zones_written_in_different_ways_are_not_compared(tmp_path, catalogue):
    # Fn::GetAZs lists the account's zones: its first may or may not be eu-west-1a
    status, message = zones_verdict(tmp_path, catalogue, '!Select [0, !GetAZs ""]', "eu-west-1a", "eu-west-1")
    assert status == "UNKNOWN" and "the 1st zone of eu-west-1 (Fn::GetAZs) may be the same zone as eu-west-1a" \
        in message
    # a zone id names a different zone in each account
    status, message = zones_verdict(tmp_path, catalogue, "eu-west-1a", "euw1-az1", None)
    assert status == "UNKNOWN" and "zone ids map to zone names differently" in message
    # the stack's region unknown: its first zone may be eu-west-1's first
    status, message = zones_verdict(tmp_path, catalogue, '!Select [0, !GetAZs ""]', "!Select [0, !GetAZs eu-west-1]",
                                    None)
    assert status == "UNKNOWN" and "pass --region" in message
    # ... and with the region given, the same zone
    assert zones_verdict(tmp_path, catalogue, '!Select [0, !GetAZs ""]', "!Select [0, !GetAZs eu-west-1]",
                         "eu-west-1")[0] == "FAIL"


def test_zones_written_the_same_way_are_compared(tmp_path, catalogue):
    assert zones_verdict(tmp_path, catalogue, '!Select [0, !GetAZs ""]', '!Select [1, !GetAZs ""]', None)[0] == "PASS"
    assert zones_verdict(tmp_path, catalogue, "eu-west-1a", "eu-west-1b", None)[0] == "PASS"
    assert zones_verdict(tmp_path, catalogue, "euw1-az1", "euw1-az1", None)[0] == "FAIL"
    # zones of two regions are never the same zone
    assert zones_verdict(tmp_path, catalogue, "!Select [0, !GetAZs us-east-1]", "eu-west-1a", None)[0] == "PASS"


def test_booleans_written_as_strings_in_any_case(tmp_path):
    inventory = load(tmp_path, NETWORK)
    assert inventory.get("SubnetA").map_public_ip_on_launch is True
    assert inventory.get("SubnetB").map_public_ip_on_launch is False


def test_a_mapping_keyed_by_an_unknown_region(tmp_path):
    inventory = load(tmp_path, NETWORK, region=None)
    cidr = inventory.get("Vpc").cidr_blocks
    assert is_unknown(cidr) and "AWS::Region" in cidr.reason
    # ...but every entry agrees on Size, so a lookup of Size would be known: see below
    agreeing = NETWORK.replace("CidrBlock: !FindInMap [RegionMap, !Ref \"AWS::Region\", Cidr]",
                               "CidrBlock: !FindInMap [RegionMap, !Ref \"AWS::Region\", Size]")
    assert load(tmp_path, agreeing, region=None).get("Vpc").cidr_blocks == ("small",)
    assert inventory.get("Vpc").region == Unknown(inventory.get("Vpc").region.reason)


def test_ids_known_only_after_creation_still_link_resources(tmp_path):
    template = """
    Resources:
      Key:
        Type: AWS::KMS::Key
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "logs-${AWS::AccountId}"
          BucketEncryption:
            ServerSideEncryptionConfiguration:
              - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt Key.Arn}
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: !Ref Bucket
          KMSKeyId: !Sub "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}"
    """
    inventory = load(tmp_path, template)
    bucket, trail = inventory.get("Bucket"), inventory.get("Trail")
    assert bucket.kms_key_id == "Key" and bucket.sse_algorithm == "aws:kms"
    assert is_unknown(bucket.bucket_name) and "AWS::AccountId" in bucket.bucket_name.reason
    assert trail.s3_bucket == "Bucket"
    # a Sub that mixes an account id (unknowable) with a resource id is just unknown
    assert is_unknown(trail.kms_key_id)


def test_import_value_if_novalue_base64_and_dynamic_references(tmp_path):
    template = """
    Conditions:
      Never: !Equals ["a", "b"]
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          StorageEncrypted: !If [Never, false, true]
          KmsKeyId: !If [Never, !Ref "AWS::NoValue", !ImportValue shared-data-key]
          MasterUserPassword: "{{resolve:secretsmanager:db-password:SecretString:password}}"
          DBSubnetGroupName: !Ref "AWS::NoValue"
          PubliclyAccessible: false
      Web:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-12345678
          UserData: !Base64 "#!/bin/sh\\necho hi"
    """
    db = load(tmp_path, template).get("Db")
    assert db.storage_encrypted is True
    assert is_unknown(db.kms_key_id) and "shared-data-key" in db.kms_key_id.reason
    assert db.db_subnet_group is None  # AWS::NoValue removes the property


def test_undecidable_if_is_unknown_with_the_condition_named(tmp_path):
    template = """
    Conditions:
      UseShared: !Equals [!ImportValue network-mode, shared]
    Resources:
      Db:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          StorageEncrypted: !If [UseShared, true, false]
          PubliclyAccessible: false
    """
    value = load(tmp_path, template).get("Db").storage_encrypted
    assert is_unknown(value) and "UseShared" in value.reason
