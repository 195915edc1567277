"""Exceptions that carry a message for the manifest and an exit code for the CLI.

Exit codes have one meaning each (``zpef extract --help`` and the README list them): a run that
finished says what it found (0, 1); anything that stopped it early says why (2–15, 130, 143).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import NoReturn

from pipeline.model.result import FileStatus


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

    def __init__(self, message: str, status: FileStatus = FileStatus.FAILED, size: int = 0, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.size = size  # bytes, when known before the file was read
        if code is not None:
            self.code = code  # the manifest's reason: stable, for programs (see README, manifest)


# Every reason code of the manifest, in the archivists' words (the review report shows them).
REASON_ZH: dict[str, str] = {
    "checks_failed": "表内检查未通过，需人工复核",
    "page_errors": "有页面无法读取",
    "unreadable_pages": "页面无法读取，未找到表",
    "duplicate": "与另一文件内容完全相同，不重复提取",
    "not_a_form": "文件中没有找到项目支出绩效自评表",
    "continuation_page": "只有某张表的后续页（没有表头），没能与前面的文件拼成一张表、未提取：请核对它属于哪张表",
    "joined": "这是某张表的后续页，已与文件夹中它前面的文件拼成一张表读取：见那张表",
    "leading_rows": "第一张表的标题之前是另一张表的后续行（如上一页的指标、总分），未提取：请核对它们属于哪张表",
    "not_joined": "与前面的文件拼接失败（内部结果，不出现在清单中）",
    "other_form_type": "是其他类型的表（如部门整体支出绩效自评表），暂不支持",
    "encrypted": "PDF 已加密，无法读取",
    "encrypted_office": "Office 文件有密码保护，无法读取",
    "truncated_pdf": "PDF 文件不完整（被截断）",
    "damaged_pdf": "PDF 文件已损坏，无法修复",
    "empty_file": "空文件",
    "unknown_type": "无法识别的文件类型",
    "archive": "压缩包：请解压后把其中的文件放进目录再运行",
    "plain_text": "纯文本文件，不是表格文档",
    "not_a_document": "不是文档（例如改了扩展名的文本文件）",
    "too_large": "文件超过大小上限",
    "too_many_pages": "页数或表格超过上限",
    "needs_libreoffice": "需要安装 LibreOffice 才能读取（.doc、.wps 等）",
    "ocr_off": "图像需要文字识别（OCR），但本次运行关闭了识别",
    "timeout": "读取超时，已停止",
    "worker_died": "读取时工作进程崩溃（或内存不足）",
    "changed_while_read": "读取过程中文件被改动，下次运行重试",
    "not_regular": "不是普通文件（管道、设备等），未打开",
    "internal_error": "程序内部错误，请报告",
    "unreadable": "无法读取该文件",
}


class NotRegularFile(InputError):
    """A FIFO, socket, device, or a symbolic link not followed: skipped before it is opened."""

    code = "not_regular"

    def __init__(self, message: str) -> None:
        super().__init__(message, status=FileStatus.SKIPPED)


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


_stops: list[type[BaseException]] = []  # the signals that asked this run to stop, in order


def stop_requested(kind: type[BaseException]) -> NoReturn:
    """A signal handler's body: remember that the run was asked to stop, then stop it. Where the
    handler happened to run inside a finalizer (a ``__del__``, a weakref callback), CPython prints
    the exception and carries on; the run loop asks again (``raise_if_stop_requested``) between
    files, so Ctrl-C or SIGTERM always stops the run."""
    _stops.append(kind)
    raise kind


def raise_if_stop_requested() -> None:
    if _stops:
        raise _stops[0]()


def forget_stop_requests() -> None:
    """A new run in this process starts unasked (tests run several in one process)."""
    _stops.clear()


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """An OSError while writing into OUT is an unwritable output (exit 4), not a bug."""
    try:
        yield
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise OutputUnwritable(f"cannot write to {out}: {error.strerror or error}{where}") from error
