"""The run's results in file order, the slim ones kept on disk: the driver's memory does not grow with the dump.

A slim result (its forms' outputs written, their summaries kept) is a few kilobytes as Python
objects; 20,000 of them were most of what the driver's peak memory grew by from 1,000 to 20,000
forms. Pickled into one unnamed temporary file they take under a kilobyte each on disk and, in
memory, their place and status; every read gives a fresh copy. A result that is not slim (whole, with its forms,
or a file that gave none) stays in memory as it is, so code that changes a result in place — a
correction, the corrections file's own row — changes one held here, never a copy of a spilled one
(``RunResult.restore`` puts a whole result back in place of a slim one before it is changed).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, MutableSequence
from pathlib import Path
from typing import NamedTuple, overload

from pipeline.model.errors import OutputUnwritable
from pipeline.model.result import FileResult, FileStatus


class Spilled(NamedTuple):
    """Where a pickled slim result is in the spill file, and its status (counted without loading it)."""

    offset: int
    length: int
    status: FileStatus


class SpillFile:
    """One unnamed temporary file the slim results of a run are appended to (gone when closed or the process ends)."""

    def __init__(self, folder: Path | None = None) -> None:
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            self.handle = tempfile.TemporaryFile(prefix=".spill-", dir=folder)
        except OSError as error:
            raise OutputUnwritable(f"cannot keep the run's results in {folder or tempfile.gettempdir()}: {error.strerror or error}") from error
        self.end = 0

    def keep(self, result: FileResult) -> FileResult | Spilled:
        """A slim result written out and its place returned; any other result returned as it is."""
        if not result.slim:
            return result
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            os.pwrite(self.handle.fileno(), data, self.end)
        except OSError as error:
            raise OutputUnwritable(f"cannot keep the run's results on disk: {error.strerror or error}") from error
        place = Spilled(self.end, len(data), result.status)
        self.end += len(data)
        return place

    def load(self, place: Spilled) -> FileResult:
        result: FileResult = pickle.loads(os.pread(self.handle.fileno(), place.length, place.offset))
        return result


class SpilledResults(MutableSequence[FileResult]):
    """``RunResult.files`` of a run whose results are slim: a list whose slim entries live in a ``SpillFile``."""

    def __init__(self, spill: SpillFile, entries: Iterable[FileResult | Spilled]) -> None:
        self.spill = spill
        self.entries = list(entries)

    def _load(self, entry: FileResult | Spilled) -> FileResult:
        return entry if isinstance(entry, FileResult) else self.spill.load(entry)

    @overload
    def __getitem__(self, index: int) -> FileResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[FileResult]: ...
    def __getitem__(self, index: int | slice) -> FileResult | list[FileResult]:
        if isinstance(index, slice):
            return [self._load(entry) for entry in self.entries[index]]
        return self._load(self.entries[index])

    @overload
    def __setitem__(self, index: int, value: FileResult) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[FileResult]) -> None: ...
    def __setitem__(self, index: int | slice, value: FileResult | Iterable[FileResult]) -> None:
        if isinstance(index, slice):
            assert not isinstance(value, FileResult)
            self.entries[index] = [self.spill.keep(result) for result in value]
        else:
            assert isinstance(value, FileResult)
            self.entries[index] = value  # held as it is: whoever set it may change it in place

    def __delitem__(self, index: int | slice) -> None:
        del self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FileResult]:
        return (self._load(entry) for entry in self.entries)

    def insert(self, index: int, value: FileResult) -> None:
        self.entries.insert(index, value)

    def statuses(self) -> Iterator[FileStatus]:
        """Each result's status, none loaded (``RunResult.count`` asks this often)."""
        return (entry.status for entry in self.entries)
