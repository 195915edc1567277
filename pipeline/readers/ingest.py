"""Ingest: walk the dump, sniff each file's real type from its bytes, hash it, route it."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.readers.convert import sniff_ole2
from pipeline.model.errors import FileChanged, FileTooLarge, InputError, NotRegularFile
from pipeline.model.result import FileResult, FileStatus
from pipeline.readers.htmltable import looks_like_html, looks_like_mht
from pipeline.readers.names import display_relpath, readable
from pipeline.readers.textexport import looks_like_text_export
from pipeline.readers.xmlsheet import looks_like_xml_workbook

SNIFF_BYTES = 8192
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class InputFile:
    path: Path  # absolute
    relpath: str  # relative to the dump root, "/"-separated
    size: int
    sha256: str
    kind: str  # pdf | image | xlsx | xls | docx | doc | odt | rtf | ods | xml_workbook | html | mht | ofd | zip | text_export | text | empty | unknown
    detail: str  # what the sniffer saw, for messages
    mtime_ns: int = 0  # when the bytes hashed were last modified: a later change fails the file
    name_note: str = ""  # how relpath was made readable (a GBK name, …), for the manifest


# (magic prefix, kind, detail); checked in order
_MAGIC: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "image", "PNG image"),
    (b"\xff\xd8\xff", "image", "JPEG image"),
    (b"II*\x00", "image", "TIFF image"),
    (b"MM\x00*", "image", "TIFF image"),
    (b"GIF87a", "image", "GIF image"),
    (b"GIF89a", "image", "GIF image"),
    (b"BM", "image", "BMP image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls", "legacy Office file (OLE2: .xls or .doc)"),
    (b"PK\x03\x04", "zip", "ZIP container"),
    (b"PK\x05\x06", "zip", "empty ZIP container"),
    (b"\x1f\x8b", "unknown", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "unknown", "7-Zip archive"),
    (b"Rar!", "unknown", "RAR archive"),
]


# ISO base media "ftyp" brands of HEIC/HEIF still images (phones)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(head: bytes, size: int) -> tuple[str, str]:
    """Given a file's first bytes, say what it really is, whatever its name claims."""
    if size == 0:
        return "empty", "empty file (0 bytes)"
    # a PDF may carry junk before its header; PDF readers accept up to 1 KiB of it
    if b"%PDF-" in head[:1024]:
        return "pdf", "PDF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "WebP image"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image", "HEIC/HEIF image"
    for magic, kind, detail in _MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return _sniff_zip(head)
            return kind, detail
    if looks_like_xml_workbook(head):
        return "xml_workbook", "Excel 2003 XML workbook (SpreadsheetML)"
    if looks_like_html(head):  # web systems' "Excel" exports are HTML tables named .xls
        return "html", "HTML page (a web system's table export)"
    if looks_like_mht(head):
        return "mht", "web archive (MHT, a saved web page)"
    if head.startswith(b"{\\rtf"):
        return "rtf", "Rich Text Format document (RTF)"
    if looks_like_text_export(head):  # before the plain-text test: an export with a damaged byte is still one
        return "text_export", "tab-separated text export of a form"
    if _looks_like_text(head):
        return "text", "plain text"
    return "unknown", "unrecognised binary content"


def _sniff_zip(head: bytes) -> tuple[str, str]:
    if b"xl/" in head or b"[Content_Types].xml" in head and b"xl" in head:
        return "xlsx", "Excel workbook (.xlsx)"
    if b"word/" in head:
        return "docx", "Word document (.docx)"
    return "zip", "ZIP archive"


def sniff_zip_members(path: Path) -> tuple[str, str] | None:
    """A ZIP's kind from its member names (its central directory), when the first bytes did not
    show them: writers such as openpyxl put docProps/ before xl/. None when it cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "xl/workbook.xml" in names:
        return "xlsx", "Excel workbook (.xlsx)"
    if "word/document.xml" in names:
        return "docx", "Word document (.docx)"
    if "OFD.xml" in names:
        return "ofd", "OFD document (GB/T 33190)"
    if "content.xml" in names and "mimetype" in names:
        mimetype = archive_member(path, "mimetype")
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods", "OpenDocument spreadsheet (.ods)"
        if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
            return "odt", "OpenDocument text (.odt)"
    return "zip", "ZIP archive"


def archive_member(path: Path, name: str, limit: int = 256) -> bytes:
    """The first bytes of one ZIP member (b"" when it cannot be read)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(name) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return b""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 text has NULs
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start > len(head) - 4:  # cut inside a multi-byte character at the end
                return True
    return False


def hash_file(path: Path) -> tuple[str, bytes]:
    with path.open("rb") as handle:
        digest, head, _ = _hash_stream(handle.fileno())
    return digest, head


def _hash_stream(fd: int) -> tuple[str, bytes, int]:
    """sha256, first bytes and length of what is read from ``fd`` to its end."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    while chunk := os.read(fd, CHUNK_BYTES):
        if not head:
            head = chunk[:SNIFF_BYTES]
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), head, size


_NOT_REGULAR = [
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "folder"),
]


def file_type_name(mode: int) -> str:
    return next((name for test, name in _NOT_REGULAR if test(mode)), "special file")


def regular_target(path: Path, root: Path) -> os.stat_result:
    """The status of the regular file ``path`` reads, or NotRegularFile saying what it is instead.

    Nothing is opened: a FIFO would block, a device never end. A symbolic link is followed only
    to a regular file inside the dump (it is then read as that file, usually as its duplicate);
    links out of the dump, to folders, or dangling are skipped, so a run reads only the dump."""
    status = os.lstat(path)
    if not stat.S_ISLNK(status.st_mode):
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile(f"{file_type_name(status.st_mode)}, not a regular file: not opened")
        return status
    target = Path(os.path.realpath(path))
    shown = readable(target)
    try:
        status = os.stat(path)
    except OSError as error:
        raise NotRegularFile(f"symbolic link that does not resolve ({error.strerror}): not followed") from None
    if not stat.S_ISREG(status.st_mode):
        raise NotRegularFile(f"symbolic link to a {file_type_name(status.st_mode)} ({shown}): not followed")
    if not target.is_relative_to(root.resolve()):
        raise NotRegularFile(f"symbolic link to a file outside the dump ({shown}): not followed")
    return status


def walk(root: Path, exclude: tuple[Path, ...] = (), unlisted: dict[Path, str] | None = None) -> list[Path]:
    """Every file under root (hidden ones too: each gets its manifest row), in a stable order.

    ``exclude`` holds folders not to enter, such as an output folder placed inside the dump.
    Symbolic links to folders are listed, not entered (``describe`` says what they are). A folder
    that cannot be listed is listed itself, with the reason in ``unlisted``: its files cannot be
    named, but the folder gets a manifest row, never silence.
    """
    excluded = {p.resolve() for p in exclude}
    found: list[Path] = []

    def cannot_list(error: OSError) -> None:
        if unlisted is not None and error.filename is not None:
            folder = Path(os.fsdecode(error.filename))
            found.append(folder)
            unlisted[folder] = f"folder that cannot be listed ({error.strerror or error}): the files in it are not read"

    for folder, dirs, files in os.walk(root, onerror=cannot_list):
        links = [d for d in dirs if (Path(folder) / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if d not in links and (Path(folder) / d).resolve() not in excluded)
        found.extend(Path(folder) / name for name in files + links)
    return sorted(found, key=lambda p: os.fsencode(p.relative_to(root)))


def describe(path: Path, root: Path, max_bytes: int | None = None) -> InputFile:
    """Hash and sniff one file, from one reading of its bytes: size and sha256 are of what was
    read, and a file that changes meanwhile (still being copied in) is FileChanged."""
    name = display_relpath(path, root)
    before = regular_target(path, root)
    if max_bytes is not None and before.st_size > max_bytes:
        raise FileTooLarge(f"{before.st_size / 1e6:.1f} MB, more than --max-file-mb {max_bytes / 1e6:g}: not read", size=before.st_size)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never blocks, even if swapped for a FIFO since
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise NotRegularFile(f"{file_type_name(opened.st_mode)}, not a regular file: not read")
        sha, head, size = _hash_stream(fd)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if size != opened.st_size or after.st_size != size or after.st_mtime_ns != opened.st_mtime_ns:
        raise FileChanged(f"the file changed while it was read ({opened.st_size} bytes when opened, {size} read): run again when it is complete", size=size)
    kind, detail = sniff(head, size)
    if kind in ("zip", "xlsx", "docx"):
        kind, detail = sniff_zip_members(path) or (kind, detail)
    elif kind == "xls":  # OLE2: a workbook, or a Word document whatever its name
        kind, detail = sniff_ole2(path) or (kind, detail)
    return InputFile(path=path, relpath=name.text, size=size, sha256=sha, kind=kind, detail=detail, mtime_ns=after.st_mtime_ns, name_note=name.note)


def changed_since(source: InputFile) -> str | None:
    """Why ``source`` is no longer the file that was hashed, or None when it is unchanged."""
    try:
        now = os.stat(source.path)
    except OSError as error:
        return f"the file disappeared while it was read ({error.strerror or error})"
    if now.st_size != source.size or now.st_mtime_ns != source.mtime_ns:
        return f"the file changed while it was read ({source.size} bytes hashed, {now.st_size} now): run again when it is complete"
    return None


# --- a file's manifest row when it is not read ---------------------------------------------


def duplicate_of(source_file: InputFile, original: str) -> FileResult:
    """Identical bytes are extracted once: a form has one form_id and one row in the tables."""
    return FileResult(
        file=source_file.relpath,
        sha256=source_file.sha256,
        bytes=source_file.size,
        status=FileStatus.SKIPPED,
        message=f"duplicate of {original} (same sha256): its forms are extracted there",
        reason="duplicate",
    )


def describe_or_fail(path: Path, root: Path, max_bytes: int | None = None) -> InputFile | FileResult:
    """The file hashed and sniffed, or its manifest row when it cannot be (not a regular file,
    too large, unreadable, changed while read)."""
    try:
        return describe(path, root, max_bytes)
    except InputError as error:
        return unread(path, root, error.status, error.message, error.size, error.code)
    except OSError as error:
        return unread(path, root, FileStatus.FAILED, f"cannot read file: {error.strerror or error}", reason="unreadable")


def unread(path: Path, root: Path, status: FileStatus, message: str, size: int = 0, reason: str = "unreadable") -> FileResult:
    name = display_relpath(path, root)
    return FileResult(file=name.text, sha256="", bytes=size, status=status, message="; ".join(filter(None, [message, name.note])), reason=reason)
