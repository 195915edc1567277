"""Legacy and foreign office files, converted by LibreOffice into the formats read directly.

A real dump holds Word 97-2003 ``.doc`` files, WPS Office's ``.wps`` (Writer) and ``.et``
(Spreadsheets), ``.xls`` files that are really Word documents, and OpenDocument text (``.odt``).
No maintained Python library reads .doc tables with their merges, but LibreOffice does: the file
is converted headless to ``.docx`` (documents) or ``.xlsx`` (workbooks) and read by ``worddoc`` or
``spreadsheet``, so merges, refs and the parser are the same as for a file saved in that format.

What a legacy file is, is told by its bytes, not its name: an OLE2 compound file holding a
``WordDocument`` stream is a Word document (whatever its extension), one holding ``Workbook`` or
``Book`` a workbook (read with xlrd as before; LibreOffice only when xlrd cannot).

Each conversion runs ``soffice --headless --convert-to`` with a private, throw-away user profile
(``-env:UserInstallation``: two conversions never share or lock a profile, and the user's own
LibreOffice settings are never touched), in a temporary folder, with a timeout; LibreOffice runs
in its own session and is stopped with its helpers when the timeout passes or when the worker
converting is stopped (SIGTERM, as the batch's ``--timeout`` does). LibreOffice is
found as ``$ZPEF_SOFFICE``, else ``soffice`` or ``libreoffice`` on the PATH; when it is missing the
file's manifest row says what to install (``make system-deps`` installs it on Debian).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any
from pathlib import Path

from xlrd import compdoc

from pipeline.model.errors import InputError

TIMEOUT_SECONDS = 180
GROUP_EXIT_SECONDS = 10  # how long a stopped LibreOffice's processes are waited for to be gone
INSTALL_HINT = "install LibreOffice (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui; or make system-deps)"


class _Silent:
    def write(self, text: str) -> int:
        return len(text)


def ole2_streams(data: bytes) -> set[str] | None:
    """The names in an OLE2 compound file's directory; None when it cannot be read."""
    try:
        return {entry.name for entry in compdoc.CompDoc(data, logfile=_Silent()).dirlist}
    except Exception:
        return None


def sniff_ole2(path: Path) -> tuple[str, str] | None:
    """An OLE2 file's kind from its streams: ``doc`` (WordDocument), ``xls`` (Workbook), or None
    (unreadable or something else: the caller keeps its guess and the reader says what it is)."""
    try:
        names = ole2_streams(path.read_bytes())
    except OSError:
        return None
    if names is None:
        return None
    if "WordDocument" in names:
        suffix = path.suffix.lower()
        named = {".wps": "WPS Writer document (.wps, Word format)", ".doc": "Word 97-2003 document (.doc)"}
        return "doc", named.get(suffix, f"Word 97-2003 document (named {suffix or 'without extension'})")
    if "EncryptedPackage" in names:  # Office 2007+ with a password: the package is inside, encrypted
        return "encrypted_office", "password-protected Office file (.docx or .xlsx)"
    if names & {"Workbook", "Book"}:
        return "xls", "Excel 97-2003 workbook (.xls)" if path.suffix.lower() != ".et" else "WPS Spreadsheets workbook (.et, Excel format)"
    return None


def soffice() -> str | None:
    """The LibreOffice binary: $ZPEF_SOFFICE when set (empty: none), else soffice/libreoffice."""
    configured = os.environ.get("ZPEF_SOFFICE")
    if configured is not None:
        return shutil.which(configured) if configured else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, source: str, target: str, what: str, workdir: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Convert ``path`` to ``target`` (``docx`` or ``xlsx``) inside ``workdir``; return the new file.

    The input is copied under a plain ASCII name with the extension that says what its bytes are
    (``source``: ``doc``, ``xls``, ``odt``), so a .wps, an .et or a Word file named .xls goes to the
    right import filter. Raises InputError with the reason when it cannot.
    """
    binary = soffice()
    if binary is None:
        raise InputError(f"{what}: LibreOffice is needed to read it and was not found; {INSTALL_HINT}", code="needs_libreoffice")
    staged = workdir / f"input.{source}"
    shutil.copyfile(path, staged)
    profile = workdir / "profile"
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(workdir / "out"),
        str(staged),
    ]
    env = {**os.environ, "HOME": str(workdir)}  # LibreOffice writes into $HOME on first start
    with _stopped_with_this_process() as guard:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
        except OSError as error:
            raise InputError(f"{what}: LibreOffice could not be started ({error})") from error
        guard.started(process)
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise InputError(f"{what}: LibreOffice did not finish converting it within {timeout:.0f} s") from None
    result = workdir / "out" / f"input.{target}"
    if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
        detail = errors.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {process.returncode}, no output"
        raise InputError(f"{what}: LibreOffice could not convert it ({reason}); the file may be damaged or password-protected")
    return result


class _StopGuard:
    """What a SIGTERM to this process stops: the LibreOffice started under the guard, killed before
    the signal is let through. A signal that lands while LibreOffice is being started (a loaded
    machine: the test saw one before the handler was set, and an orphan wrote its output 2 s after
    its worker had gone) is held until it has a process to stop."""

    def __init__(self, previous: Any) -> None:  # what signal.getsignal gave: a handler, SIG_DFL or SIG_IGN, or None
        self.previous = previous
        self.process: subprocess.Popen | None = None
        self.requested = False

    def stop(self, signum: int, frame: object) -> None:
        self.requested = True
        if self.process is None:
            return  # LibreOffice is being started: ``started`` stops it
        _kill_group(self.process)
        signal.signal(signal.SIGTERM, self.previous if self.previous is not None else signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    def started(self, process: subprocess.Popen) -> None:
        self.process = process
        if self.requested:
            self.stop(signal.SIGTERM, None)


@contextlib.contextmanager
def _stopped_with_this_process() -> Iterator[_StopGuard]:
    """While converting, a SIGTERM to this process (the batch's per-file --timeout stops a worker
    so) stops LibreOffice first: in its own session it would otherwise outlive the worker."""
    guard = _StopGuard(signal.getsignal(signal.SIGTERM))
    if threading.current_thread() is not threading.main_thread():
        yield guard  # signal handlers belong to the main thread (a Dask worker thread): the timeout above still applies
        return
    signal.signal(signal.SIGTERM, guard.stop)
    try:
        yield guard
    finally:
        signal.signal(signal.SIGTERM, guard.previous if guard.previous is not None else signal.SIG_DFL)
        if guard.requested and guard.process is None:  # held while LibreOffice failed to start: let it through now
            os.kill(os.getpid(), signal.SIGTERM)


def _kill_group(process: subprocess.Popen) -> None:
    """Stop LibreOffice and its helper processes (its own session: nothing else is touched), and
    return only once none of them runs (up to GROUP_EXIT_SECONDS): ``wait`` reaps the launcher
    alone, and soffice.bin may take a moment to go."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + GROUP_EXIT_SECONDS
    while _group_runs(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def _group_runs(group: int) -> bool:
    """Whether a process of this process group is still there and not a zombie (Linux's /proc;
    elsewhere, False: nothing to wait for that can be seen)."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # after the command name, which may hold spaces
        if len(fields) > 2 and fields[2] == str(group) and fields[0] != "Z":
            return True
    return False


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="zpef-lo-")
