"""Entries under OUT/.cache: each file's pickled result (``run.cache`` keys, finds and prunes them)
and, beside it, the file's share of the tables (``TablePart``), written by the worker that read the
file and read by the export without loading the forms again. Every entry is written to a
temporary name, then renamed: a killed run never leaves half an entry."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from pipeline.model.errors import OutputUnwritable
from pipeline.model.result import TablePart

CACHE_DIR = ".cache"
PART = ".rows"  # the suffix of a file's table rows beside its entry (``<key>.pkl``)


def store_part(folder: Path, key: str, part: TablePart) -> None:
    store(folder, key, part, PART)


def load_part(folder: Path, key: str) -> TablePart:
    try:
        part: TablePart = pickle.loads((folder / f"{key}{PART}").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError) as error:
        raise OutputUnwritable(f"the result cache in {folder} lost the table rows of an entry during the run: {error}") from error
    return part


def store(folder: Path, key: str, result, suffix: str = ".pkl") -> None:
    """Write one cache entry (a temporary name, then renamed): by the main process, or by a worker
    that sees OUT (a local pool's, Dask's with ``--dask-shared``) under the key the main process gave it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputUnwritable(f"cannot write the result cache in {folder}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}{suffix}")
    except OSError as error:
        raise OutputUnwritable(f"cannot write the result cache in {folder}: {error.strerror or error}") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
