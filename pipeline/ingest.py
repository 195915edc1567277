"""Ingest: walk the dump, sniff each file's real type from its bytes, hash it, route it."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .textexport import looks_like_text_export

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class InputFile:
    path: Path  # absolute
    relpath: str  # relative to the dump root, "/"-separated
    size: int
    sha256: str
    kind: str  # pdf | image | xlsx | xls | zip | text_export | text | empty | unknown
    detail: str  # what the sniffer saw, for messages


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
    if looks_like_text_export(head):  # before the plain-text test: an export with a damaged byte is still one
        return "text_export", "tab-separated text export of a form"
    if _looks_like_text(head):
        return "text", "plain text"
    return "unknown", "unrecognised binary content"


def _sniff_zip(head: bytes) -> tuple[str, str]:
    if b"xl/" in head or b"[Content_Types].xml" in head and b"xl" in head:
        return "xlsx", "Excel workbook (.xlsx)"
    if b"word/" in head:
        return "zip", "Word document (.docx)"
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
        return "zip", "Word document (.docx)"
    return "zip", "ZIP archive"


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
    digest = hashlib.sha256()
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if not head:
                head = chunk[:SNIFF_BYTES]
            digest.update(chunk)
    return digest.hexdigest(), head


def walk(root: Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Every file under root (hidden ones too: each gets its manifest row), in a stable order.

    ``exclude`` holds folders not to enter, such as an output folder placed inside the dump.
    """
    excluded = {p.resolve() for p in exclude}
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() not in excluded)
        found.extend(Path(folder) / name for name in files)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def describe(path: Path, root: Path) -> InputFile:
    relpath = path.relative_to(root).as_posix()
    size = path.stat().st_size
    sha, head = hash_file(path)
    kind, detail = sniff(head, size)
    if kind in ("zip", "xlsx"):
        kind, detail = sniff_zip_members(path) or (kind, detail)
    return InputFile(path=path, relpath=relpath, size=size, sha256=sha, kind=kind, detail=detail)
