"""ListBackupPlans, GetBackupPlan -> BackupPlan with its rules and copy actions."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import BackupCopyAction, BackupPlan, BackupRule, Resource, Unknown
from .common import Where, base, failed, region_of_arn, tags_from

KINDS = (BackupPlan.KIND,)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    for plan in data.get("plans") or []:
        arn = plan["BackupPlanArn"]
        tags_answer = plan.get("Tags")
        tags = tags_from(tags_answer, "Tags")
        fields = base(where, arn, tags, plan.get("BackupPlanName"))
        answer = plan.get("Plan")
        problem = failed(answer)
        if problem is not None:
            yield BackupPlan(**fields, rules=problem)
            continue
        rules = ((answer or {}).get("BackupPlan") or {}).get("Rules") or []
        yield BackupPlan(**fields, rules=tuple(_rule(rule) for rule in rules))


def _rule(rule: dict[str, Any]) -> BackupRule:
    copies = []
    for action in rule.get("CopyActions") or []:
        vault = action.get("DestinationBackupVaultArn")
        region = region_of_arn(vault) or Unknown(f"the destination vault {vault} names no region")
        copies.append(BackupCopyAction(destination_vault=vault, destination_region=region))
    return BackupRule(rule_name=rule.get("RuleName"), target_vault=rule.get("TargetBackupVaultName"),
                      copy_actions=tuple(copies))
