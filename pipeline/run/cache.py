"""Result cache: a finished file is never processed twice, and a killed run loses nothing done.

Only results of the file are cached: a failure of the run (a timeout, a dead worker, a file that
changed while read; ``FileResult.retry``) is never stored, so the next run tries it again.

Each file's ``FileResult`` is stored under ``OUT/.cache/`` as soon as it is ready (written to a
temporary name, then renamed), keyed by the file's path and sha256, the extraction options and
a fingerprint of the pipeline's own code, schema and templates — so a new version of the code
re-extracts, and an unchanged file under an unchanged pipeline is read back in milliseconds.
The cache holds pickles written by this program into the user's own output folder.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path

from pipeline import __version__
from pipeline.model.errors import OutputUnwritable
from pipeline.outputs.store import CACHE_DIR, PART, store
from pipeline.readers.ingest import InputFile

PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the version and every source, schema and template file of the pipeline."""
    digest = hashlib.sha256(__version__.encode())
    roots = [PACKAGE, PACKAGE.parent / "schemas"]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".json", ".toml"}):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class ResultCache:
    def __init__(self, out: Path, settings: str) -> None:
        self.folder = out / CACHE_DIR
        self.settings = settings  # what else changes a result: OCR mode and engine, limits
        self.used: set[str] = set()

    def key(self, source: InputFile, later: tuple[InputFile, ...] = ()) -> str:
        """``later``: the files whose pages were read on from ``source``'s (``unit.process_files``)."""
        text = "\n".join([code_fingerprint(), self.settings, source.relpath, source.sha256] + [f"{s.relpath}\n{s.sha256}" for s in later])
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, source: InputFile, later: tuple[InputFile, ...] = ()):
        """The cached FileResult, or None (absent, unreadable, or from another pipeline)."""
        key = self.key(source, later)
        self.used.add(key)
        try:
            with (self.folder / f"{key}.pkl").open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def whole(self, result):
        """The whole result a slim one stands for (``FileResult.cache_key``), read again."""
        try:
            with (self.folder / f"{result.cache_key}.pkl").open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError) as error:
            raise OutputUnwritable(f"the result cache in {self.folder} lost the result of {result.file} during the run: {error}") from error

    def put(self, source: InputFile, result, later: tuple[InputFile, ...] = ()) -> None:
        """Store a result; a full disk or a read-only OUT stops the run (OutputUnwritable)."""
        key = self.key(source, later)
        self.used.add(key)
        store(self.folder, key, result)

    def forget(self, key: str) -> None:
        """Drop an entry a worker stored for a result the run does not keep (a file changed while read)."""
        (self.folder / f"{key}.pkl").unlink(missing_ok=True)
        (self.folder / f"{key}{PART}").unlink(missing_ok=True)

    def prune(self) -> int:
        """After a complete run: drop entries no file of this run used (old versions, gone files)."""
        removed = 0
        if not self.folder.exists():
            return removed
        for path in self.folder.iterdir():
            if path.suffix in (".pkl", PART) and path.stem not in self.used or path.suffix == ".tmp":
                path.unlink(missing_ok=True)
                removed += 1
        return removed
