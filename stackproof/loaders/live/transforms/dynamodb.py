"""DescribeTable and friends -> DynamoDbTable."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import DynamoDbTable, Resource, Unknown
from .common import Where, base, failed, tags_from

KINDS = (DynamoDbTable.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for item in data.get("tables") or []:
        yield table_of(item, where)


def table_of(item: dict[str, Any], where: Where) -> DynamoDbTable:
    name = item["TableName"]
    table = item.get("Table")
    problem = failed(table)
    arn = table.get("TableArn") if problem is None else None
    arn = arn or where.arn("dynamodb", f"table/{name}")
    fields = base(where, arn, tags_from(item.get("Tags"), "Tags"), name)
    if problem is not None:
        return DynamoDbTable(**fields, table_name=name, sse_enabled=problem, kms_key_arn=problem,
                             replica_regions=problem, point_in_time_recovery=problem)
    sse = table.get("SSEDescription") or {}
    enabled = sse.get("Status") in ("ENABLED", "UPDATING") if sse else None
    return DynamoDbTable(**fields, table_name=name, sse_enabled=enabled,
                         kms_key_arn=_customer_key(sse.get("KMSMasterKeyArn"), item.get("KmsKey")),
                         replica_regions=_replicas(table, item.get("GlobalTable"), where),
                         point_in_time_recovery=_pitr(item.get("ContinuousBackups")))


def _customer_key(arn: Any, described: Any) -> Any:
    """The key's ARN when it is customer managed; None for the AWS managed key aws/dynamodb."""
    if not arn:
        return None
    problem = Unknown("kms:DescribeKey was not called") if described is None else failed(described)
    if problem is not None:
        return Unknown(f"whether key {arn} is customer managed could not be read: {problem.reason}")
    manager = ((described or {}).get("KeyMetadata") or {}).get("KeyManager")
    return None if manager == "AWS" else arn


def _replicas(table: dict[str, Any], legacy: Any, where: Where) -> Any:
    regions = [r.get("RegionName") for r in table.get("Replicas") or [] if r.get("RegionName")]
    if regions:
        return tuple(r for r in regions if r != where.region)
    problem = failed(legacy)
    if problem is not None:
        return Unknown(f"DescribeTable lists no replicas, and whether the table is a legacy global table "
                       f"could not be read: {problem.reason}")
    description = (legacy or {}).get("GlobalTableDescription") or {}
    return tuple(r.get("RegionName") for r in description.get("ReplicationGroup") or []
                 if r.get("RegionName") and r.get("RegionName") != where.region)


def _pitr(answer: Any) -> Any:
    problem = failed(answer)
    if problem is not None:
        return problem
    status = (((answer or {}).get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription")
              or {}).get("PointInTimeRecoveryStatus")
    return status == "ENABLED"
