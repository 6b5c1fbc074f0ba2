"""CloudFormation templates and change sets -> Inventory.

Nothing here is imported for a plan scan. cfn-lint, whose import alone takes about a
second, is imported only to name the line of a mistake in a template (decode.py) or to
run a transform (transforms.py).

A template whose conditions allow several scenarios gives one inventory per scenario
(``Inventory.scenarios``); the top-level inventory is the scenario of the parameters'
defaults, and the engine evaluates every scenario and keeps, per policy and resource,
the worst verdict, named by its scenario.
"""
from __future__ import annotations

import hashlib
from typing import Any

from ...errors import InputError
from ...model import InputFile, Inventory


def load_template(where: str, raw: bytes, text: str, options: Any) -> Inventory:
    from .build import MAIN, RESOLVED_TYPES, inventory_of
    from .parameters import read_parameter_file, refused_value, specs, unknown_region
    from .scenarios import when
    from .stack import Context, StackLoader

    given = read_parameter_file(options.parameters) if getattr(options, "parameters", None) else {}
    region = getattr(options, "region", None) or unknown_region()
    loader = StackLoader(RESOLVED_TYPES, {rtype: cls for rtype, (cls, _) in MAIN.items()})
    template, gaps = loader.template(where, text, region, given)
    refused = refused_value(specs(template.parameters), given, where)
    if refused:  # CloudFormation refuses the stack too
        raise InputError(options.parameters, refused)
    builds = loader.build(template, Context(where, "", region, given), gaps)
    inputs = [InputFile("cloudformation", where, hashlib.sha256(raw).hexdigest())]
    inputs += [InputFile("cloudformation", path, sha) for path, sha in loader.files if path != where]
    if getattr(options, "parameters", None):  # its values decide verdicts, so the report names it
        inputs.append(parameters_input(options.parameters))
    inventories = []
    for number, build in enumerate(builds, 1):
        label = None
        if len(builds) > 1:
            label = when(build.parts) if build.parts else f"in scenario {number}"
        inventory = inventory_of(build.raws, build.gaps, label, "cloudformation", inputs, loader.secrets)
        inventory.scenario = label
        inventory.conditions = build.conditions
        inventories.append(inventory)
    return with_scenarios(inventories)


def parameters_input(path: str) -> InputFile:
    from .. import input_path

    with open(path, "rb") as stream:
        return InputFile("parameters", input_path(path), hashlib.sha256(stream.read()).hexdigest())


def with_scenarios(inventories: list[Inventory]) -> Inventory:
    """One inventory, or the first scenario's resources with every scenario attached."""
    if len(inventories) == 1:
        return inventories[0]
    top = inventories[0].copy()
    top.scenario = None
    top.scenarios = inventories
    return top


def load_changeset(where: str, raw: bytes, data: Any, options: Any) -> Inventory:
    from .changeset import load

    return load(where, raw, data, options)


__all__ = ["load_template", "load_changeset"]
