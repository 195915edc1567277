"""Watching a long run: a progress bar on a terminal, and ``OUT/run.log`` as JSON lines.

The log has one line per stage of every file (``{"file", "stage", "seconds", "outcome"}``) so a
slow stage shows up, plus a line per file and one at the start and end of the run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pipeline.model.errors import OutputUnwritable
from pipeline.model.result import FileResult


class RunLog:
    """Appends JSON lines to a file (or nowhere), flushing each, so a killed run keeps its log."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = path.open("a", encoding="utf-8", errors="backslashreplace")  # a GBK name is not lost

    def write(self, **record: Any) -> None:
        self._write_all([record])

    def _write_all(self, records: list[dict[str, Any]]) -> None:
        """Records out at once, flushed once (a file's stages and outcome: one flush, not eight)."""
        if self._handle is None:
            return
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        try:
            self._handle.write("".join(json.dumps({"time": now, **record}, ensure_ascii=False) + "\n" for record in records))
            self._handle.flush()
        except OSError as error:  # a full disk: the run stops with exit 4, not a traceback
            raise OutputUnwritable(f"cannot write {self.path}: {error.strerror or error}") from error

    def stage(self, file: str, stage: str, seconds: float, outcome: str) -> None:
        self.write(**_stage_record(file, stage, seconds, outcome))

    def file(self, result: FileResult, cached: bool) -> None:
        """The file's stages (when processed now) and its outcome."""
        records: list[dict[str, Any]] = []
        if not cached:
            records += [_stage_record(result.file, stage, seconds, "ok") for stage, seconds in result.timings.items() if stage != "total"]
        records.append(
            dict(
                file=result.file,
                stage="file",
                seconds=0.0 if cached else round(result.timings.get("total", 0.0), 4),
                outcome=result.status,
                forms=result.form_count,
                pages=result.pages,
                cached=cached,
                message=result.message,
            )
        )
        self._write_all(records)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class Progress:
    """tqdm over files, showing forms and pages found so far; silent when not on a terminal."""

    def __init__(self, total: int, enabled: bool, verbose: bool = False) -> None:
        self.bar = tqdm(total=total, unit="file", disable=not enabled, file=sys.stderr, dynamic_ncols=True)
        self.forms = 0
        self.pages = 0
        self.verbose = verbose  # -v: one line per file as it is done, above the bar

    def advance(self, results: list[FileResult]) -> None:
        for result in results:
            self.forms += result.form_count
            self.pages += result.pages
            if self.verbose:
                tqdm.write(f"{result.status:<12} {result.file}: {result.message}", file=sys.stderr)
        self.bar.set_postfix(forms=self.forms, pages=self.pages, refresh=False)
        self.bar.update(len(results))

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _stage_record(file: str, stage: str, seconds: float, outcome: str) -> dict[str, Any]:
    return {"file": file, "stage": stage, "seconds": round(seconds, 4), "outcome": outcome}
