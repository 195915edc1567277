"""What one file gave and what a run gave: the rows of the manifest, with their forms. Every
stage after reading takes or fills these (checks, corrections, outputs, the report, the run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.model.document import FormDocument


class FileStatus(StrEnum):
    """A manifest row's ``status`` (the JSON and CSV carry the plain strings)."""

    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    SKIPPED = "skipped"


Picture = bytes  # an image file's content, WebP (in FileResult the name bytes is its size field)


@dataclass
class FileResult:
    """One manifest row, plus the forms the file gave."""

    file: str
    sha256: str
    bytes: int
    status: FileStatus
    forms: list[FormDocument] = field(default_factory=list)
    pages: int = 0
    method: str = ""
    message: str = ""
    page_images: dict[int, Picture] = field(default_factory=dict)  # corrected OCR'd pages, WebP
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    notes: list[str] = field(default_factory=list)  # what needs a human besides the forms' checks (bad pages, …)
    fixes: list[str] = field(default_factory=list)  # what was repaired on the way (deskew, rotation)
    grids: dict[str, dict] = field(default_factory=dict)  # form_id -> raw cell grid of a form of unknown layout
    retry: bool = False  # a failure of the run, not of the file (timeout, dead worker, changed file): never cached
    reason: str = ""  # why the file is not ok, as a stable code for programs (the manifest's reason column)
    # form_id -> (how many corrections the form had then, its suggestions from arithmetic), made in the
    # worker with the form so the report and corrections.suggested.csv do not solve the sums again
    suggestions: dict[str, tuple[int, list]] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)  # the report's page images of these forms by path under OUT, until written


@dataclass
class RunResult:
    files: list[FileResult]
    seconds: float
    _owners: dict[str, FileResult] = field(default_factory=dict, repr=False, compare=False)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def owner_of(self, form: FormDocument) -> FileResult | None:
        """The file a form came from."""
        if form.form_id not in self._owners:
            self._owners.update((f.form_id, r) for r in self.files for f in r.forms)
        return self._owners.get(form.form_id)

    @property
    def forms(self) -> list[FormDocument]:
        return [form for f in self.files for form in f.forms]
