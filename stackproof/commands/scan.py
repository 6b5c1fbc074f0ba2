"""stackproof scan PATH...: plans, state, templates, change sets, snapshots."""
from __future__ import annotations

import argparse

from ..catalogue import load_catalogue
from ..loaders import LoadOptions, load_inputs
from ..run import RunOptions, run
from .common import emit, exit_code, parse_formats


def scan_command(args: argparse.Namespace) -> int:
    formats = parse_formats(args.format)
    catalogue = load_catalogue(args.pack)
    options = RunOptions(args.policy, args.skip_policy, args.severity_floor, args.profile, args.env)
    catalogue.select(options.policies, options.skip_policies)  # unknown ids fail before any loading
    inventory = load_inputs(args.paths, LoadOptions(parameters=args.parameters, region=args.region))
    report, verdict = run(inventory, catalogue, options)
    emit(report, verdict, formats, args.output_dir, args.quiet)
    return exit_code(verdict)
