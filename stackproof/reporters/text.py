"""Values from plans, templates and accounts made safe to show in any report.

A value may hold control characters (an ssl_policy of "\x07\x1b[31m"): on a terminal
an escape sequence would recolour or rewrite the output, and XML 1.0 forbids most of
them, so a JUnit file holding one does not parse. Each is shown as a visible escape
instead ("\\x1b"), so the reader still sees that it was there.
"""
from __future__ import annotations

import re

# C0 controls but tab and newline, DEL and the C1 controls (a terminal obeys those too)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# what XML 1.0 does not allow at all: C0 controls but tab, newline and carriage return,
# lone surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """The value as text, control characters written as escapes."""
    text = str(value)
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def xml_safe(value: object) -> str:
    """The value as text XML 1.0 accepts: control characters and the like as escapes."""
    return _NOT_XML.sub(_escape, visible(value))
