"""Exceptions that carry a message for the manifest and an exit code for the CLI.

Exit codes have one meaning each (``zpef extract --help`` and the README list them): a run that
finished says what it found (0, 1); anything that stopped it early says why (2–15, 130, 143).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # some file needs review or failed (the run itself finished)
    USAGE = 2  # bad arguments: nothing was read or written
    MISSING_DEPENDENCY = 3  # a package or data file the pipeline needs is not installed
    OUTPUT_UNWRITABLE = 4  # OUT cannot be created or written (permissions, read-only, full disk)
    INTERNAL = 15  # a bug: the traceback is in OUT/run.log
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


EXIT_CODE_MEANINGS = {
    ExitCode.OK: "every file ok (skipped junk does not count)",
    ExitCode.FINDINGS: "some file needs review or failed, or a correction line could not be applied",
    ExitCode.USAGE: "bad usage: nothing was read or written",
    ExitCode.MISSING_DEPENDENCY: "a dependency is missing (a Python package, the schema files)",
    ExitCode.OUTPUT_UNWRITABLE: "the output folder cannot be written (permissions, read-only, full disk)",
    ExitCode.INTERNAL: "internal error: a bug; the traceback is in OUT/run.log",
    ExitCode.INTERRUPTED: "interrupted by Ctrl-C",
    ExitCode.TERMINATED: "stopped by SIGTERM",
}


def exit_codes_help() -> str:
    return "exit codes:\n" + "\n".join(f"  {int(code):<4} {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())


class InputError(Exception):
    """A file that cannot be processed; the message goes to the manifest as it is.

    Subclasses name one input problem each, with a stable ``code`` for programs (run.log)."""

    code = "unreadable"

    def __init__(self, message: str, status: str = "failed", size: int = 0, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.size = size  # bytes, when known before the file was read
        if code is not None:
            self.code = code  # the manifest's reason: stable, for programs (see README, manifest)


class NotRegularFile(InputError):
    """A FIFO, socket, device, or a symbolic link not followed: skipped before it is opened."""

    code = "not_regular"

    def __init__(self, message: str) -> None:
        super().__init__(message, status="skipped")


class FileTooLarge(InputError):
    """Refused before reading: larger than a guard allows (``--max-file-mb``, text exports)."""

    code = "too_large"


class FileChanged(InputError):
    """The file changed while it was read: its hash would not describe what was extracted."""

    code = "changed_while_read"


class DamagedPdf(InputError):
    """A PDF whose structure is broken beyond what qpdf can rebuild: failed, never filed as junk."""

    code = "damaged_pdf"


class RunError(Exception):
    """Stops the run; ``exit_code`` says why, the message is the one line the user sees."""

    exit_code = ExitCode.INTERNAL


class UsageError(RunError):
    exit_code = ExitCode.USAGE


class MissingDependency(RunError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OutputUnwritable(RunError):
    exit_code = ExitCode.OUTPUT_UNWRITABLE


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt is for Ctrl-C."""
