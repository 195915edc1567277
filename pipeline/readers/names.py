"""Names: a readable text for every path in the dump, and output file names within file-system limits.

Dumps come from Windows shares and ZIP files made on Chinese systems, so a file name may be GBK
bytes rather than UTF-8, and a relative path may be longer than a file name may be. The text of a
path (``source.file``, the manifest, run.log) is decoded per path component: UTF-8, else GB18030
(a superset of GBK), else UTF-8 with the undecodable bytes escaped as ``\\xNN``; control
characters (a CR or LF in a name) are escaped the same way, so a name never breaks a line.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Longest flattened input path kept whole in an output name, in UTF-8 bytes. What is appended
# (".12", a collision hash, ".grid.json") and a temporary file's affixes fit in the 255 left.
MAX_NAME_BYTES = 200
HASH_DIGITS = 12


@dataclass(frozen=True)
class DisplayName:
    text: str  # the relative path as readable text, "/"-separated
    note: str = ""  # how it differs from the bytes on disk; "" when it is plain UTF-8


def _escape_controls(text: str) -> str:
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text)


def display_part(raw: bytes) -> tuple[str, str]:
    """One path component's bytes -> (text, how it was decoded: "utf-8", "gb18030" or "escaped")."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace"), "escaped"


def readable(path: str | Path) -> str:
    """Any path (an absolute link target, …) as text by the same rule, for a message."""
    return "/".join(_escape_controls(display_part(part)[0]) for part in os.fsencode(path).split(b"/"))


def display_relpath(path: Path, root: Path) -> DisplayName:
    """The path of ``path`` under ``root`` as text fit for JSON, CSV and logs, and a note saying
    how it was made readable when its bytes are not plain UTF-8."""
    parts = [display_part(os.fsencode(part)) for part in path.relative_to(root).parts]
    text = "/".join(_escape_controls(t) for t, _ in parts)
    encodings = {e for _, e in parts}
    notes = []
    if "gb18030" in encodings:
        notes.append("file name is not UTF-8: shown decoded as GB18030")
    if "escaped" in encodings:
        notes.append("file name has bytes that are neither UTF-8 nor GB18030: shown as \\xNN")
    if text != "/".join(t for t, _ in parts):
        notes.append("file name has control characters: shown as \\xNN")
    return DisplayName(text, "; ".join(notes))


def unique(name: str, path: Path, taken: set[str]) -> str:
    """``name``, or when another file already shows as it, ``name`` with a hash of this path's bytes."""
    if name not in taken:
        return name
    return f"{name}~{hashlib.sha256(os.fsencode(path)).hexdigest()[:8]}"


def flat_name(relpath: str) -> str:
    """An input's relative path as one output file name: ``/`` -> ``__``; when that is longer
    than MAX_NAME_BYTES, its first bytes (cut at a character), ``~``, 12 hex digits of the
    path's sha256 and the file's extension: deterministic, readable, and within 255 bytes."""
    flat = relpath.replace("/", "__")
    data = flat.encode("utf-8", "surrogateescape")
    if len(data) <= MAX_NAME_BYTES:
        return flat
    digest = hashlib.sha256(relpath.encode("utf-8", "surrogateescape")).hexdigest()[:HASH_DIGITS]
    suffix = PurePosixPath(relpath).suffix
    if len(suffix.encode("utf-8", "surrogateescape")) > 16:
        suffix = ""
    keep = MAX_NAME_BYTES - 1 - HASH_DIGITS - len(suffix.encode("utf-8", "surrogateescape"))
    prefix = data[:keep].decode("utf-8", "ignore")  # "ignore" drops a character cut in half
    return f"{prefix}~{digest}{suffix}"
