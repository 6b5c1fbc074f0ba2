"""DynamoDB tables: encryption, point-in-time recovery, replicas, tags.

A table's replicas are in DescribeTable for current global tables; a table that shows
none may still be a legacy (2017.11.29) global table, which only DescribeGlobalTable
reveals. Whether the table's KMS key is customer managed is asked of KMS.
"""
from __future__ import annotations

from typing import Any

SERVICE = "dynamodb"
GLOBAL = False
CALLS = (
    "dynamodb:ListTables",
    "dynamodb:DescribeTable",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeGlobalTable",
    "dynamodb:ListTagsOfResource",
    "kms:DescribeKey",
)


def collect(api: Any) -> dict[str, Any]:
    names = api.pages("ListTables", "TableNames")

    def read(name: str) -> dict[str, Any]:
        described = api.attempt("DescribeTable", TableName=name)
        table = described.get("Table") if isinstance(described, dict) and "error" not in described else None
        if table is None:
            return {"TableName": name, "Table": described}
        found: dict[str, Any] = {"TableName": name, "Table": table}
        found["ContinuousBackups"] = api.attempt("DescribeContinuousBackups", TableName=name)
        if not table.get("Replicas"):
            found["GlobalTable"] = api.attempt("DescribeGlobalTable", absent=("GlobalTableNotFoundException",),
                                               GlobalTableName=name)
        key = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
        if key:
            found["KmsKey"] = api.attempt("DescribeKey", service="kms", KeyId=key)
        if table.get("TableArn"):
            found["Tags"] = api.attempt_pages("ListTagsOfResource", "Tags", ResourceArn=table["TableArn"])
        return found

    return {"tables": api.each(names, read)}
