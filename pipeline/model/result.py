"""What one file gave and what a run gave: the rows of the manifest, with their forms. Every
stage after reading takes or fills these (checks, corrections, outputs, the report, the run)."""

from __future__ import annotations

from collections.abc import Callable, MutableSequence
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.model.document import FormDocument
from pipeline.model.intermediate import KeptReading


class FileStatus(StrEnum):
    """A manifest row's ``status`` (the JSON and CSV carry the plain strings)."""

    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class FormSummary:
    """What the run keeps of a form once its own outputs are written (its JSON, its table rows,
    its pictures): what the summary line, the manifest, the report's table of forms and its
    review queue need. The whole form is loaded again, one at a time, only where it is shown."""

    form_id: str
    file: str
    form_index: int
    name: str  # project name, else the title, else empty
    code: str | None
    year: str | None
    unit: str | None  # implementing unit
    template: str
    status: str
    method: str
    score: float | None  # total score
    rules: tuple[str, ...]  # the rules of checks that need a human, sorted, once each
    human: tuple[str, ...]  # the rule of every check that needs a human (the report's chart counts them)
    corrections: int
    severity: tuple[int, int, int]  # failed checks, warnings that need a human, warnings
    accept: tuple[str, ...]  # the rules of its suggestions with a clear winner


@dataclass(frozen=True, slots=True)
class TablePart:
    """A file's share of the run-wide tables, made by the worker that wrote its forms and stored
    beside its cache entry: its lines of forms.jsonl, each table's rows of values, its
    corrections.suggested.csv rows and the forms with a grid file. The export appends these
    without loading the file's forms again."""

    jsonl: bytes
    rows: dict[str, list[tuple]]
    suggested: list[dict[str, object]]
    grid_forms: frozenset[str]


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
    # a slim result: its forms' outputs written (or to be written from the cache) and the heavy parts
    # dropped; ``summaries`` stand for ``forms``, and ``cache_key`` finds the whole result again
    slim: bool = False
    summaries: list[FormSummary] = field(default_factory=list)
    cache_key: str = ""
    written: bool = False  # its forms' JSON files and page images are written with this run's bytes
    image_pages: tuple[int, ...] = ()  # the pages of page_images (their files in OUT/pages) once dropped
    picture_names: tuple[str, ...] = ()  # the paths under OUT of its pictures, once written and dropped
    form_pages: bool = False  # its forms' report pages are among its pictures, made by the worker that read it
    part_stored: bool = False  # its forms' table rows (a TablePart) are beside its cache entry: the export takes them as they are
    # the file's reading, kept (cached, not held by the run) where a form may go on into the next files or come from
    # the files before: ``unit.process_files`` reads them on without OCR again
    kept: KeptReading | None = None

    @property
    def form_count(self) -> int:
        return len(self.summaries) if self.slim else len(self.forms)


@dataclass
class RunResult:
    files: MutableSequence[FileResult]  # a list, or on a big run ``run.spill.SpilledResults``: slim results on disk
    seconds: float
    _owners: dict[str, FileResult] = field(default_factory=dict, repr=False, compare=False)
    # the whole result of a slim one (from the cache); None: results are never slim
    loader: Callable[[FileResult], FileResult] | None = field(default=None, repr=False, compare=False)

    def whole(self, result: FileResult) -> FileResult:
        """The result with its forms: itself, or loaded again when slim (one at a time: not kept)."""
        if not result.slim or self.loader is None:
            return result
        return self.loader(result)

    def restore(self, form_ids: set[str]) -> None:
        """Put the whole results back in place of the slim ones holding these forms (corrections change them)."""
        for index, result in enumerate(self.files):
            if result.slim and any(s.form_id in form_ids for s in result.summaries):
                self.files[index] = self.whole(result)
        self._owners.clear()

    def count(self, status: str) -> int:
        statuses = getattr(self.files, "statuses", None)  # results kept on disk: counted without loading them
        return sum(1 for found in (statuses() if statuses is not None else (f.status for f in self.files)) if found == status)

    def owner_of(self, form: FormDocument) -> FileResult | None:
        """The file a form came from."""
        if form.form_id not in self._owners:
            self._owners.update((f.form_id, r) for r in self.files for f in r.forms)
        return self._owners.get(form.form_id)

    @property
    def forms(self) -> list[FormDocument]:
        return [form for f in self.files for form in f.forms]
