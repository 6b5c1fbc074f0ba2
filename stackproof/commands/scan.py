"""stackproof scan PATH...: plans, state, templates, change sets, snapshots."""
from __future__ import annotations

import argparse

from .common import add_run_options


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "scan", help="scan Terraform plans or state, CloudFormation templates or change sets, audit snapshots")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--parameters", metavar="FILE", help="CloudFormation parameter values (CLI list or key-value map)")
    parser.add_argument("--region", help="the region CloudFormation templates are deployed to (AWS::Region)")
    # Audit snapshots are judged as their audit was (UNKNOWN blocks); other inputs as a CI gate.
    add_run_options(parser, default_profile=None, default_profile_text="ci, or audit for audit snapshots")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..catalogue import load_catalogue
    from ..loaders import LoadOptions, load_inputs
    from ..run import run as run_catalogue
    from .common import emit, exit_code, parse_formats, run_options

    formats = parse_formats(args.format)
    catalogue = load_catalogue(args.pack)
    options = run_options(args, catalogue)
    catalogue.select(options.policies, options.skip_policies)  # unknown ids fail before any loading
    inventory = load_inputs(args.paths, LoadOptions(parameters=args.parameters, region=args.region))
    if args.profile is None:
        snapshots_only = all(i.kind == "snapshot" for i in inventory.inputs)
        options.profile = "audit" if inventory.inputs and snapshots_only else "ci"
    report, verdict = run_catalogue(inventory, catalogue, options, extra_run_info=inventory.run_info or None)
    emit(report, verdict, formats, args.output_dir, args.quiet)
    if "console" in formats and inventory.run_info.get("not_assessed"):
        from .audit import print_not_assessed

        print_not_assessed(inventory.run_info["not_assessed"])
    return exit_code(verdict)
