"""AWS Backup plans and their rules' copy actions."""
from __future__ import annotations

from typing import Any

SERVICE = "backup"
GLOBAL = False
CALLS = ("backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListTags")


def collect(api: Any) -> dict[str, Any]:
    plans = api.pages("ListBackupPlans", "BackupPlansList")

    def read(plan: dict[str, Any]) -> dict[str, Any]:
        return {"BackupPlanArn": plan.get("BackupPlanArn"), "BackupPlanName": plan.get("BackupPlanName"),
                "Plan": api.attempt("GetBackupPlan", BackupPlanId=plan["BackupPlanId"]),
                "Tags": api.attempt_pages("ListTags", "Tags", ResourceArn=plan["BackupPlanArn"])}

    return {"plans": api.each(plans, read)}
