"""Redshift provisioned clusters."""
from __future__ import annotations

from typing import Any

SERVICE = "redshift"
GLOBAL = False
CALLS = ("redshift:DescribeClusters",)


def collect(api: Any) -> dict[str, Any]:
    return {"clusters": api.pages("DescribeClusters", "Clusters")}
