"""The stackproof command line.

Exit codes: 0 the gate holds, 1 the gate fails, 2 bad input or invocation,
3 an internal error (a bug: the message asks for a report).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from . import __version__
from .errors import InputError

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, as for every other mistake; --help has the usage.
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


# Each command module defines register(subparsers) and run(args). Modules keep their
# heavy imports inside run(), so building the parser stays cheap.
COMMANDS = ("scan", "policies", "reach", "exposure", "audit", "report", "provision")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stackproof", description="Policy-and-compliance checks for AWS infrastructure.")
    parser.add_argument("--version", action="version", version=f"stackproof {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.commands.{name}":
                continue  # a command this build does not have yet
            raise
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
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


if __name__ == "__main__":
    raise SystemExit(main())
