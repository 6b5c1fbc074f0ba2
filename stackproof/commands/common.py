"""What the scan, audit and report commands share: formats and writing the reports."""
from __future__ import annotations

import argparse
import sys

from ..catalogue import SEVERITIES
from ..errors import InputError
from ..profiles import GateVerdict
from ..report import Report
from ..reporters import FILE_FORMATS, renderer
from ..run import write_files


DEFAULT_FORMATS = "console,json"


def add_run_options(parser: argparse.ArgumentParser, default_profile: str | None = "ci",
                    default_profile_text: str = "%(default)s") -> None:
    """Options of every command that evaluates the catalogue (scan, audit). A command whose
    default profile depends on its inputs passes None and says which in the help text."""
    from ..profiles import PROFILES

    parser.add_argument("--format", default=DEFAULT_FORMATS,
                        help="comma-separated: console, json, junit, sarif, markdown, html (default: %(default)s)")
    parser.add_argument("--output-dir", default="reports", help="folder for report files (default: %(default)s)")
    parser.add_argument("--policy", action="append", default=[], metavar="ID", help="run only this policy (repeatable)")
    parser.add_argument("--skip-policy", action="append", default=[], metavar="ID", help="skip this policy (repeatable)")
    parser.add_argument("--severity-floor", choices=SEVERITIES, default="low",
                        help="lowest severity whose failures fail the gate (default: %(default)s)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=default_profile,
                        help="ci: UNKNOWN is reported; audit: UNKNOWN blocks like a failure "
                             f"(default: {default_profile_text})")
    parser.add_argument("--env", metavar="NAME",
                        help="environment whose parameter overrides apply (default: each resource's Environment tag)")
    parser.add_argument("--pack", action="append", default=[], metavar="DIR",
                        help="a team's own pack: a folder with policies/ and checks/ (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="console: only failures, errors and the verdict")
    parser.add_argument("--waivers", metavar="FILE",
                        help="YAML file of accepted risks (policy, resource or tags, reason, owner, expires)")
    parser.add_argument("--baseline", metavar="PREVIOUS.json",
                        help="a previous JSON report: the reports show new, fixed and still-failing results")
    parser.add_argument("--fail-on", choices=("all", "new"), default="all",
                        help="all: every blocking result fails the gate; new: only those new since --baseline "
                             "(default: %(default)s)")


def run_options(args: argparse.Namespace, catalogue=None):
    """The RunOptions of scan and audit, from the options add_run_options defines.

    Given the catalogue, the waivers and baseline files are checked now, before any
    input is loaded or account read, so a typo fails at once (run() reads them again).
    """
    from ..run import RunOptions, read_waivers_and_baseline

    options = RunOptions(args.policy, args.skip_policy, args.severity_floor, args.profile, args.env,
                         waivers=args.waivers, baseline=args.baseline, fail_on=args.fail_on)
    if catalogue is not None:
        options.environment = catalogue.environment(args.env)  # Staging = staging; unknown names refused
        read_waivers_and_baseline(options, catalogue)
    elif args.fail_on == "new" and not args.baseline:
        raise InputError(None, "--fail-on new needs --baseline PREVIOUS.json (the run to compare with)")
    return options


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    known = ["console", *FILE_FORMATS]
    if not formats:
        raise InputError(None, f"--format names no report format (known: {', '.join(known)})")
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise InputError(None, f"unknown report format(s) {', '.join(unknown)} (known: {', '.join(known)})")
    return formats


def emit(report: Report, verdict: GateVerdict, formats: list[str], output_dir: str, quiet: bool = False) -> None:
    """Render every file first, write them all or none, then print the console summary."""
    files = {FILE_FORMATS[f][1]: renderer(f)(report) for f in formats if f != "console"}
    written = write_files(output_dir, files) if files else []
    if "console" in formats:
        from ..reporters.console import print_report

        print_report(report, verdict, file=sys.stdout, show_unknown=not quiet)
        for path in written:
            print(f"wrote {path}")


def exit_code(verdict: GateVerdict) -> int:
    return 0 if verdict.holds else 1
