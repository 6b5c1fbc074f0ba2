"""What the scan, audit and report commands share: formats and writing the reports."""
from __future__ import annotations

import sys
from typing import Any

from ..errors import InputError
from ..profiles import GateVerdict
from ..report import Report
from ..reporters import FILE_FORMATS, renderer
from ..run import write_files


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    known = ["console", *FILE_FORMATS]
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


def run_info_extra(args: Any) -> dict[str, Any]:
    return {}
