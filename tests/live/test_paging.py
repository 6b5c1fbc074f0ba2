"""Per-resource listings that AWS pages are read to the last page: a tag or a membership
on page two counts as much as one on page one (an Environment tag that is never read
would silently apply the laxer defaults of "no environment")."""
from __future__ import annotations

import json

import pytest

from fixtures.livebuilder import tag_list
from stackproof.loaders.live.calllog import CallLog
from stackproof.model import DbCluster, DynamoDbTable, KmsKey
from tests.live.faults import Faults
from tests.live.server import audit


def test_dynamodb_tags_past_the_first_page(moto):
    # moto answers ListTagsOfResource ten tags a page, as AWS may; Environment is the twelfth
    tags = {**{f"cost-centre-{i}": str(i) for i in range(10)}, "Name": "orders", "Environment": "prod"}
    moto.clients()("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], Tags=tag_list(tags))
    log = CallLog()
    _, inventory = audit(moto, ["eu-west-2"], hooks=[log.install], services=["dynamodb"])
    (table,) = inventory.of_kind(DynamoDbTable)
    assert table.tags == tags
    assert log.calls[("dynamodb", "ListTagsOfResource")] == 2


def _first_page(service, operation, body, content_type="application/x-amz-json-1.1"):
    """A fault that answers the first call with a page that says there is another."""
    return Faults().body(200, body, service=service, operation=operation, content_type=content_type, times=1)


def test_kms_key_tags_past_a_truncated_page(moto):
    moto.clients()("kms").create_key(Tags=[{"TagKey": "Environment", "TagValue": "prod"}])
    page = {"Tags": [{"TagKey": "Name", "TagValue": "kms-data"}], "Truncated": True, "NextMarker": "page-2"}
    faults = _first_page("kms", "ListResourceTags", json.dumps(page).encode())
    log = CallLog()
    _, inventory = audit(moto, ["eu-west-2"], hooks=[faults.hook, log.install], services=["kms"])
    (key,) = inventory.of_kind(KmsKey)
    assert key.tags == {"Name": "kms-data", "Environment": "prod"}
    assert log.calls[("kms", "ListResourceTags")] == 2


def test_backup_plan_tags_past_a_next_token(moto):
    # backup's ListTags has no botocore paginator: the collector follows NextToken itself
    moto.clients()("backup").create_backup_plan(
        BackupPlan={"BackupPlanName": "daily", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "Default"}]},
        BackupPlanTags={"Environment": "prod"})
    faults = _first_page("backup", "ListTags", json.dumps({"Tags": {"Name": "plan-daily"}, "NextToken": "page-2"})
                         .encode(), content_type="application/json")
    log = CallLog()
    _, inventory = audit(moto, ["eu-west-2"], hooks=[faults.hook, log.install], services=["backup"])
    (plan,) = inventory.of_kind("aws.backup.plan")
    assert plan.tags == {"Name": "plan-daily", "Environment": "prod"}
    assert log.calls[("backup", "ListTags")] == 2


def test_cloudtrail_tags_past_a_next_token(moto):
    clients = moto.clients()
    clients("s3").create_bucket(Bucket="trail-logs-1", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    arn = clients("cloudtrail").create_trail(Name="main", S3BucketName="trail-logs-1",
                                             TagsList=tag_list({"Environment": "prod"}))["TrailARN"]
    page = {"ResourceTagList": [{"ResourceId": "arn:aws:cloudtrail:eu-west-2:123456789012:trail/other",
                                 "TagsList": []}], "NextToken": "page-2"}
    faults = _first_page("cloudtrail", "ListTags", json.dumps(page).encode())
    _, inventory = audit(moto, ["eu-west-2"], hooks=[faults.hook], services=["cloudtrail"])
    (trail,) = inventory.of_kind("aws.cloudtrail.trail")
    assert trail.key == arn and trail.tags == {"Environment": "prod"}  # found on page two


def test_global_cluster_membership_past_the_first_page(moto):
    cluster = moto.clients()("rds").create_db_cluster(
        DBClusterIdentifier="orders", Engine="aurora-postgresql", MasterUsername="app",
        MasterUserPassword="not-a-real-secret-1")["DBCluster"]["DBClusterArn"]
    page = ("<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><Marker>page-2</Marker><GlobalClusters>"
            "<GlobalClusterMember><GlobalClusterIdentifier>other</GlobalClusterIdentifier><GlobalClusterArn>"
            "arn:aws:rds::123456789012:global-cluster:other</GlobalClusterArn></GlobalClusterMember>"
            "</GlobalClusters></DescribeGlobalClustersResult></DescribeGlobalClustersResponse>")
    faults = _first_page("rds", "DescribeGlobalClusters", page.encode(), content_type="text/xml")
    answer = (f"<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><GlobalClusters><GlobalClusterMember>"
              f"<GlobalClusterIdentifier>orders-global</GlobalClusterIdentifier><GlobalClusterArn>"
              f"arn:aws:rds::123456789012:global-cluster:orders-global</GlobalClusterArn><GlobalClusterMembers>"
              f"<GlobalClusterMember><DBClusterArn>{cluster}</DBClusterArn></GlobalClusterMember>"
              f"</GlobalClusterMembers></GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult>"
              f"</DescribeGlobalClustersResponse>")
    faults.body(200, answer.encode(), service="rds", operation="DescribeGlobalClusters", times=1)
    _, inventory = audit(moto, ["eu-west-2"], hooks=[faults.hook], services=["rds"])
    (found,) = inventory.of_kind(DbCluster)
    assert found.global_cluster == "arn:aws:rds::123456789012:global-cluster:orders-global"


@pytest.mark.parametrize("service,operation,kind", [
    ("dynamodb", "ListTagsOfResource", DynamoDbTable),
    ("kms", "ListResourceTags", KmsKey),
])
def test_a_denied_tag_call_leaves_the_tags_unknown(moto, service, operation, kind):
    clients = moto.clients()
    clients("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], Tags=tag_list({"Environment": "prod"}))
    clients("kms").create_key(Tags=[{"TagKey": "Environment", "TagValue": "prod"}])
    faults = Faults().error(400, "AccessDeniedException", "not authorized", service=service, operation=operation)
    _, inventory = audit(moto, ["eu-west-2"], hooks=[faults.hook], services=[service])
    (resource,) = inventory.of_kind(kind)
    assert not isinstance(resource.tags, dict)
    assert f"{operation} failed: access denied (AccessDeniedException)" in resource.tags.reason
