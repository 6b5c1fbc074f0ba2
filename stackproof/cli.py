"""The stackproof command line.

Exit codes: 0 the gate holds, 1 the gate fails, 2 bad input or invocation,
3 an internal error (a bug: the message asks for a report).
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__
from .catalogue import SEVERITIES
from .errors import InputError
from .profiles import PROFILES

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_FORMATS = "console,json"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"stackproof: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default=DEFAULT_FORMATS,
                        help="comma-separated: console, json, junit, sarif, markdown, html (default: %(default)s)")
    parser.add_argument("--output-dir", default="reports", help="folder for report files (default: %(default)s)")
    parser.add_argument("--policy", action="append", default=[], metavar="ID", help="run only this policy (repeatable)")
    parser.add_argument("--skip-policy", action="append", default=[], metavar="ID", help="skip this policy (repeatable)")
    parser.add_argument("--severity-floor", choices=SEVERITIES, default="low",
                        help="lowest severity whose failures fail the gate (default: %(default)s)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="ci",
                        help="ci: UNKNOWN is reported; audit: UNKNOWN blocks like a failure (default: %(default)s)")
    parser.add_argument("--env", metavar="NAME",
                        help="environment whose parameter overrides apply (default: each resource's Environment tag)")
    parser.add_argument("--pack", action="append", default=[], metavar="DIR",
                        help="a team's own pack: a folder with policies/ and checks/ (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="console: only failures, errors and the verdict")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stackproof", description="Policy-and-compliance checks for AWS infrastructure.")
    parser.add_argument("--version", action="version", version=f"stackproof {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    scan = commands.add_parser("scan", help="scan Terraform plans or state, CloudFormation templates or change sets, snapshots")
    scan.add_argument("paths", nargs="+", metavar="PATH")
    scan.add_argument("--parameters", metavar="FILE", help="CloudFormation parameter values (CLI list or key-value map)")
    scan.add_argument("--region", help="the region CloudFormation templates are deployed to (AWS::Region)")
    _add_run_options(scan)

    policies = commands.add_parser("policies", help="list the catalogue, or `policies show ID` for one policy")
    policies.add_argument("action", nargs="*", metavar="show ID")
    policies.add_argument("--pack", action="append", default=[], metavar="DIR")
    policies.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            from .commands.scan import scan_command

            return scan_command(args)
        if args.command == "policies":
            from .commands.policies import policies_command

            return policies_command(args)
        parser.error(f"unknown command {args.command}")
    except InputError as exc:
        print(f"stackproof: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("stackproof: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"stackproof: internal error: {type(exc).__name__}: {exc} "
              "(this is a bug in stackproof; please report it with the input that caused it)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
