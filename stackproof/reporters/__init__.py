"""Reporters: pure functions from a Report to text. One module per format.

The console reporter prints; every other format is written to a file named
``results.<suffix>`` in the output folder.
"""
from __future__ import annotations

import importlib
from typing import Callable

from ..report import Report

# format -> (module, file name); modules are imported only when their format is asked for
FILE_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("json_report", "results.json"),
    "junit": ("junit", "results.junit.xml"),
    "sarif": ("sarif", "results.sarif"),
    "markdown": ("markdown", "results.md"),
    "html": ("html", "results.html"),
}


def renderer(fmt: str) -> Callable[[Report], str]:
    module_name, _ = FILE_FORMATS[fmt]
    return importlib.import_module(f"{__name__}.{module_name}").render
