"""stackproof policies [show ID]: the catalogue."""
from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalogue import Catalogue, Policy


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("policies", help="list the catalogue, or `policies show ID` for one policy in full")
    parser.add_argument("action", nargs="*", metavar="show ID")
    parser.add_argument("--pack", action="append", default=[], metavar="DIR", help="also list a team's own pack")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..catalogue import load_catalogue
    from ..errors import InputError

    catalogue = load_catalogue(args.pack)
    if not args.action:
        return _list(catalogue, args.format)
    if len(args.action) == 2 and args.action[0] == "show":
        return _show(catalogue.policy(args.action[1]), args.format)
    raise InputError(None, "usage: stackproof policies [show ID]")


def _list(catalogue: "Catalogue", fmt: str) -> int:
    from rich.table import Table

    if fmt == "json":
        print(json.dumps([_as_dict(p) for p in catalogue], indent=2))
        return 0
    table = Table(show_edge=False, box=None)
    width = max((len(p.id) for p in catalogue), default=2)
    table.add_column("id", no_wrap=True, min_width=width)  # ids are copied into commands: never cut
    for column in ("severity", "area", "title"):
        table.add_column(column, no_wrap=column != "title")
    for policy in catalogue:
        table.add_row(policy.id, policy.severity, policy.area, policy.title)
    _console().print(table)
    return 0


def _as_dict(policy: "Policy") -> dict:
    return {
        "id": policy.id, "title": policy.title, "severity": policy.severity, "area": policy.area,
        "resource": list(policy.kinds), "needs": list(policy.needs), "needs_scope": policy.needs_scope,
        "check": policy.check, "params": dict(policy.params),
        "environments": {k: dict(v) for k, v in policy.environments.items()},
        "rationale": policy.rationale, "remediation": dict(policy.remediation),
        "frameworks": {k: list(v) for k, v in policy.frameworks.items()}, "file": policy.path,
    }


def _show(policy: "Policy", fmt: str) -> int:
    from ..catalogue import FRAMEWORKS

    if fmt == "json":
        print(json.dumps(_as_dict(policy), indent=2))
        return 0
    console = _console()
    console.print(f"[bold]{policy.id}[/bold]  ({policy.severity}, {policy.area})", markup=True)
    console.print(policy.title)
    console.print(f"\nResources: {', '.join(policy.kinds)}")
    if policy.needs:
        where = "any region of the account" if policy.needs_scope == "account" else "the resource's region"
        console.print(f"Also reads ({where}): {', '.join(policy.needs)}")
    console.print(f"Check: {policy.check}   File: {policy.path}")
    console.print("\n[bold]Rationale[/bold]", markup=True)
    console.print(policy.rationale)
    console.print("\n[bold]Parameters[/bold]", markup=True)
    if policy.params:
        for name, value in policy.params.items():
            console.print(f"  {name}: {value!r}", markup=False)
    else:
        console.print("  (none)")
    for env, overrides in policy.environments.items():
        console.print(f"  environment {env}: {overrides!r}", markup=False)
    console.print("\n[bold]Remediation[/bold]", markup=True)
    for tool, text in policy.remediation.items():
        console.print(f"  {tool}:")
        console.print("    " + text.rstrip().replace("\n", "\n    "), markup=False)
    console.print("\n[bold]Frameworks[/bold]", markup=True)
    for name, controls in policy.frameworks.items():
        console.print(f"  {FRAMEWORKS.get(name, name)}: {', '.join(controls)}", markup=False)
    return 0


def _console():
    """A terminal folds lines at its width; a pipe or a CI log gets them whole (a table row
    per policy, remediation code as written)."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 1000
    return console
