"""Exceptions that carry a message for the manifest and an exit code for the CLI."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # some file needs review or failed
    USAGE = 2


class InputError(Exception):
    """A file that cannot be processed; the message goes to the manifest as it is."""

    def __init__(self, message: str, status: str = "failed") -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class UsageError(Exception):
    exit_code = ExitCode.USAGE
