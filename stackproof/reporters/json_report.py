"""The JSON report: the stable interface other tools and our own tests read."""
from __future__ import annotations

from ..report import Report, dumps


def render(report: Report) -> str:
    return dumps(report)
