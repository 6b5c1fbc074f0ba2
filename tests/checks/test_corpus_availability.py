"""Where ../shared/corpus/MANIFEST.md states a Multi-AZ (or replica) verdict, ours agrees.

- checkov CKV_AWS_157 (tests/cloudformation/checks/resource/aws/example_RDSMultiAZEnabled):
  MultiAZ true passes; false and not set fail; an aurora-mysql instance is not assessed
  ("UNKNOWN" file), which is our NOT_APPLICABLE: an Aurora member's availability is the
  cluster's, checked by rds_cluster_multi_az.
- infracost's example plan, which the MANIFEST describes as holding "RDS multi-AZ" and
  "DynamoDB replicas": of its four databases only the SQL Server one sets multi_az, and
  its table replicates to us-east-2 and us-west-1.
"""
from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import CORPUS, scan_paths

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

CHECKOV_RDS = "checkov/tests/cloudformation/checks/resource/aws/example_RDSMultiAZEnabled"
INFRACOST = "infracost/examples/terraform/plan.json"


def _cloudformation_loader_present() -> bool:
    if importlib.util.find_spec("stackproof.loaders.cloudformation") is None:
        return False
    import stackproof.loaders.cloudformation as cfn

    return hasattr(cfn, "load_template")


def verdicts(catalogue, name: str, policy: str) -> dict[str, str]:
    return {r.resource: r.status for r in scan_paths([CORPUS / name], catalogue, policies=[policy])}


@pytest.mark.skipif(not _cloudformation_loader_present(),
                    reason="this build has no CloudFormation loader yet (issue 4)")
@pytest.mark.parametrize("name,resource,status", [
    ("RDSMultiAZEnabled-PASSED.yaml", "MyDBEnabled", "PASS"),
    ("RDSMultiAZEnabled-FAILED.yaml", "MyDBDisabled", "FAIL"),
    ("RDSMultiAZEnabled-FAILED-2.yaml", "MyDBDefault", "FAIL"),
    ("RDSMultiAZEnabled-UNKNOWN.yaml", "MyDBAurora", "NOT_APPLICABLE"),
])
def test_checkov_rds_multi_az_examples(catalogue, name, resource, status):
    assert verdicts(catalogue, f"{CHECKOV_RDS}/{name}", "rds_instance_multi_az") == {resource: status}


def test_infracost_plan_only_the_sql_server_database_is_multi_az(catalogue):
    assert verdicts(catalogue, INFRACOST, "rds_instance_multi_az") == {
        "aws_db_instance.db_sqlserver": "PASS",
        "aws_db_instance.db_mysql": "FAIL",
        "aws_db_instance.db_postgresql": "FAIL",
        "aws_db_instance.db_postgresql_iops": "FAIL",
    }


def test_infracost_plan_dynamodb_replicas_are_in_other_regions(catalogue):
    assert verdicts(catalogue, INFRACOST, "dynamodb_table_cross_region_replica") == {
        "aws_dynamodb_table.dynamodb-table": "PASS"}


def test_infracost_plan_subnets_outside_the_plan_leave_az_spread_unknown(catalogue):
    # the groups' and load balancers' subnets are known only after apply and their
    # expressions name no resource in the plan: no guess either way
    found = verdicts(catalogue, INFRACOST, "autoscaling_group_multi_az")
    found.update(verdicts(catalogue, INFRACOST, "lb_multi_az"))
    assert len(found) == 6 and set(found.values()) == {"UNKNOWN"}
