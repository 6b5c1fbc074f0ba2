"""Writing a template to a file and reading it the way `stackproof scan` does."""
from __future__ import annotations

import textwrap
from pathlib import Path

from stackproof.loaders import LoadOptions, load_inputs
from stackproof.model import Inventory


def write(directory: Path, text: str, name: str = "template.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def load(directory: Path, text: str, *, region: str | None = "eu-west-2", parameters: str | None = None,
         name: str = "template.yaml") -> Inventory:
    return load_inputs([write(directory, text, name)], LoadOptions(parameters=parameters, region=region))


def scan(directory: Path, text: str, catalogue, *policies: str, region: str | None = "eu-west-2",
         parameters: str | None = None) -> list:
    from stackproof.run import RunOptions, run

    inventory = load(directory, text, region=region, parameters=parameters)
    report, _ = run(inventory, catalogue, RunOptions(policies=list(policies)))
    return report.results


def by_resource(results) -> dict[tuple[str, str], object]:
    return {(r.policy, r.resource): r for r in results}
