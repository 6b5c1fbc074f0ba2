"""Writes examples/insecure-plan.json: the three-tier stack with five of its variants applied
at once (an unencrypted and public database, a data route table with an internet route,
an HTTP listener serving plain text, a queue without encryption).

    python examples/make_insecure_plan.py
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from fixtures.scenario import apply_plan_edits, load_scenario  # noqa: E402

VARIANTS = ("rds-unencrypted", "rds-public", "data-subnets-internet-route", "http-serves-plaintext", "queue-sse-off")

if __name__ == "__main__":
    scenario = load_scenario("three-tier")
    builder = scenario.plan_builder()
    for name in VARIANTS:
        apply_plan_edits(builder, scenario.variants[name].edits["plan"])
    (HERE / "insecure-plan.json").write_text(builder.dumps())
    print(f"wrote {HERE / 'insecure-plan.json'}")
