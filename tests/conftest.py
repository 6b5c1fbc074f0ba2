"""Shared test helpers: the catalogue, scanning files the way the CLI does."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # makes `fixtures` importable


@pytest.fixture(scope="session")
def catalogue():
    from stackproof.catalogue import load_catalogue

    return load_catalogue()


def scan_paths(paths, catalogue, **options):
    """Load inputs and evaluate the catalogue; returns the list of Results."""
    from stackproof.loaders import LoadOptions, load_inputs
    from stackproof.run import RunOptions, run

    load = LoadOptions(parameters=options.pop("parameters", None), region=options.pop("region", None))
    inventory = load_inputs([str(p) for p in paths], load)
    report, _ = run(inventory, catalogue, RunOptions(**options))
    return report.results


def verdicts_by_name(results):
    """(policy, resource name) -> status; the name falls back to the address."""
    found = {}
    for result in results:
        key = (result.policy, result.name or result.resource)
        assert key not in found or found[key] == result.status, f"two verdicts for {key}"
        found[key] = result.status
    return found
