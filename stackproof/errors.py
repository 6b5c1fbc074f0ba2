"""The one error the command line turns into exit code 2: bad input or invocation."""
from __future__ import annotations


class InputError(Exception):
    """Input or invocation that stackproof refuses, with what and where."""

    def __init__(self, where: str | None, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.where and self.line:
            return f"{self.where}:{self.line}: {self.message}"
        if self.where:
            return f"{self.where}: {self.message}"
        return self.message
