"""The review report: ``OUT/report.html`` and ``OUT/report_files/``, static and offline, in Chinese.

The pages are made from Jinja2 templates with autoescaping (``pipeline/review/report_ui/``), so no value
of a form — a file name, a cell, a correction — reaches a page as markup. ``report.html`` has the
run's summary, the corrections file's outcome and a toolbar to act on suggestions, a sortable and
filterable table of every form, the review queue (each form needing review collapsed to its
suspect values: the ones a suggestion names and the low-confidence ones; the other values its
checks involve and the whole form one click away), forms of unknown layout in one card, and the
files that failed or were skipped. Each form has a page of its own
(``report_files/form-<form_id>.html``): its page images with every cell outlined, beside its
tables, where any value can be corrected.

The page's script (``report.js``) keeps a reviewer's work in localStorage — accepted suggestions,
typed corrections, forms marked reviewed — and downloads it as ``corrections.csv`` (the lines of
the current corrections file first, then the new ones): put it in the dump and re-run, and the
corrections are applied with their audit trail. Nothing is loaded from the network.

Page images are stored once: OCR'd pages are the corrected 150 dpi images in ``OUT/pages/``
(lossy WebP, written by ``export``), text-layer PDF pages are rendered from the dump at 150 dpi
into ``report_files/`` (16 gray levels, 4-bit PNG, named by content so a re-run reuses them). A value's crop is
a window onto its page image, not a file of its own, and every image is loaded lazily.
Spreadsheets, text exports, Word and HTML documents have no page image: their cells are named by
``ref`` (``Sheet1!C7``).
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pypdfium2 as pdfium
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import Image

from pipeline.model import pointer as ptr
from pipeline.checks.corrections import CORRECTIONS_FILE, COLUMNS, CorrectionsOutcome, header_line, read_corrections
from pipeline.model.document import Check, FormDocument, FormStatus, Op, Term
from pipeline.model.errors import REASON_ZH
from pipeline.outputs.export import PAGES_DIR, atomic_path, fresh_path, page_image_name, write_bytes, write_text
from pipeline.checks.reconcile import LOW_CONFIDENCE
from pipeline.checks.rules import RULES, meaning_zh, needs_human, rule_for
from pipeline.model.result import FileResult, FileStatus, FormSummary, RunResult
from pipeline.checks.suggest import Suggestion, file_summaries, form_summary, suggestions_of, summaries_of

if TYPE_CHECKING:
    import numpy as np

REPORT = "report.html"
FILES_DIR = "report_files"
UI_DIR = Path(__file__).resolve().parent / "report_ui"
STATIC = ("report.css", "report.js")
DPI = 150  # page images: provenance points map onto pixels by DPI / 72
SCALE = DPI / 72
CROP_MARGIN = (150.0, 40.0, 14.0)  # points left (to show 年度指标值/实际完成值/分值 beside a score), right, above/below
CROP_MAX_PT = (330.0, 120.0)  # a huge cell (a goal paragraph) is cropped to its top-left corner
CROP_WIDTH = 340  # pixels a crop is shown at, at most
STATUSES = tuple(FileStatus)
STATUS_ZH: dict[str, str] = {FileStatus.OK: "通过", FileStatus.NEEDS_REVIEW: "需复核", FileStatus.FAILED: "失败", FileStatus.SKIPPED: "跳过"}  # files and forms alike
CHECK_ZH = {"pass": "通过", "fail": "未通过", "warn": "提示", "skip": "不适用"}
METHOD_ZH = {"text_layer": "PDF文本层", "ocr": "扫描识别", "spreadsheet": "电子表格", "text_export": "文本导出", "word": "Word文档", "html": "网页表格", "ofd": "OFD"}
NO_IMAGE_ZH = {
    "spreadsheet": "电子表格：单元格以工作表引用标明",
    "text_export": "文本导出：单元格以行号和字段标明",
    "word": "Word文档：单元格以表、行、列标明",
    "html": "网页表格：单元格以表、行、列标明",
}
UNKNOWN_TEMPLATE = "unknown"
# Text-layer renders keep 16 gray levels, losslessly, as a 4-bit gray PNG: print stays crisp and a
# page is ~120 KB (a full-gray PNG ~190 KB). The render is made for every form, in the worker, so its
# time counts: packed with NumPy and deflated by zlib at level 1 a page takes ~5 ms, where Pillow's
# PNG encoder took ~15 ms for the same pixels (a third of a text-layer form's whole cost).
GRAY_LEVELS = bytes(min(15, (v + 8) // 17) for v in range(256))  # 0-255 → 0-15, a lookup table


# --- page images ----------------------------------------------------------------------------


@dataclass
class PageImage:
    """A page image as the pages refer to it: its path relative to OUT and its size in pixels."""

    src: str
    width: int
    height: int


@dataclass
class PageImages:
    """Page images of the run, each stored once: OCR'd pages in ``OUT/pages/`` (written by export,
    or here when a caller gave no export), text-layer pages rendered into ``report_files/``.

    Text-layer renders are named by content (file sha256 + page), so an image a previous run wrote
    is reused as it is; sizes are read from headers, so no image is decoded twice."""

    out: Path
    dump: Path | None
    written: set[str] = field(default_factory=set)
    _known: dict[tuple[str, int], PageImage | None] = field(default_factory=dict)
    # in a worker: the file's images by path under OUT, as made there (nothing read or written on disk)
    in_hand: dict[str, bytes] | None = None

    def get(self, result: FileResult, form: FormDocument, page: int, file: str | None = None) -> PageImage | None:
        """The image of a page of the form: of its own file, or of ``file``, a later file it was
        read on into (``Source.continued_in``)."""
        file = file or form.source.file
        key = (sha256_of(form, file), page)
        if key not in self._known:
            self._known[key] = self._find(result, form, page, file)
        return self._known[key]

    def _find(self, result: FileResult, form: FormDocument, page: int, file: str) -> PageImage | None:
        if self.in_hand is not None:
            return self._in_hand(result, form, page, file, self.in_hand)
        kept = self.out / PAGES_DIR / page_image_name(file, page)
        if _ocr_page(result, form, page, file) or file != form.source.file and kept.exists():
            if not kept.exists():
                picture = result.page_images.get(page)
                if picture is None:
                    return None
                write_bytes(kept, picture)
            return self._sized(f"{PAGES_DIR}/{kept.name}", kept)
        if self.dump is None or file == form.source.file and form.source.method != "text_layer" and not form.source.continued_in:
            return None
        target = self.out / FILES_DIR / page_name(form, page, file)
        self.written.add(target.name)
        if not target.exists():
            made = page_png(self.dump / file, page)
            if made is None:
                self.written.discard(target.name)
                return None
            write_bytes(target, made[0])
            return PageImage(f"{FILES_DIR}/{target.name}", *made[1])
        return self._sized(f"{FILES_DIR}/{target.name}", target)

    @classmethod
    def _in_hand(cls, result: FileResult, form: FormDocument, page: int, file: str, pictures: dict[str, bytes]) -> PageImage | None:
        if _ocr_page(result, form, page, file):
            src, data = f"{PAGES_DIR}/{page_image_name(file, page)}", result.page_images.get(page)
        else:
            src = f"{PAGES_DIR}/{page_image_name(file, page)}"  # a later file's OCR'd page, handed on with the pictures
            if src not in pictures:
                src = f"{FILES_DIR}/{page_name(form, page, file)}"
            data = pictures.get(src)
        return None if data is None else cls._sized(src, io.BytesIO(data))

    @staticmethod
    def _sized(src: str, path: Path | io.BytesIO) -> PageImage | None:
        try:
            with Image.open(path) as existing:  # reads the header only
                return PageImage(src, *existing.size)
        except OSError:
            return None


def pictures_of(result: FileResult, dump: Path | None) -> dict[str, bytes]:
    """The page images the report shows of one file's text-layer forms, rendered and encoded in
    the worker that read the file (not one by one in the main process after the pool); keyed by
    their path under OUT, where the main process writes them and the report finds them. OCR'd
    pages need nothing here: the worker encoded them already (``FileResult.page_images``; a
    later file's, read on from this one, are among the result's pictures already)."""
    wanted: dict[str, dict[int, str]] = {}
    for form in result.forms:
        for file, page in form.source.page_files():
            if not _ocr_page(result, form, page, file) and f"{PAGES_DIR}/{page_image_name(file, page)}" not in result.pictures:
                wanted.setdefault(file, {})[page] = f"{FILES_DIR}/{page_name(form, page, file)}"
    if not wanted or dump is None:
        return {}
    pictures: dict[str, bytes] = {}
    for file, pages in wanted.items():
        made = pages_png(dump / file, sorted(pages))
        pictures.update((pages[page], png) for page, (png, _) in made.items())
    return dict(sorted(pictures.items()))


def _ocr_page(result: FileResult, form: FormDocument, page: int, file: str) -> bool:
    """Whether the form's page (of its own file) was OCR'd: its image is the file's result's."""
    if file != form.source.file:
        return False
    if result.page_images or result.image_pages:
        return page in result.page_images or page in result.image_pages
    return form.source.method == "ocr" and not form.source.continued_in  # a joined form's own pages may be a text layer


def sha256_of(form: FormDocument, file: str) -> str:
    """The sha256 of the form's own file, or of a later file it was read on into."""
    return form.source.sha256 if file == form.source.file else next(later.sha256 for later in form.source.continued_in if later.file == file)


def form_pages_of(result: FileResult, pictures: dict[str, bytes]) -> dict[str, bytes]:
    """The report's page of each form of one file, made in the worker that read it, with the
    file's pictures in hand: rendering them in the main process after the pool was half of the
    run's serial tail. Keyed by path under OUT, like the pictures. A form a reviewer's correction
    changes is rendered again by ``write_report``."""
    images = PageImages(out=Path("."), dump=None, in_hand=pictures)
    ctx = Context(out=Path("."), result=RunResult([result], 0.0), outcome=None, images=images)
    ctx.hold(result)
    return {f"{FILES_DIR}/{form_page_name(form.form_id)}": form_page(form, ctx).encode("utf-8") for form in result.forms}


def form_page_name(form_id: str) -> str:
    return f"form-{form_id}.html"


def page_name(form: FormDocument, page: int, file: str | None = None) -> str:
    """A text-layer page image's file name, by content: a re-run finds it made already."""
    return f"page-{sha256_of(form, file or form.source.file)[:16]}-p{page}.png"


def page_png(path: Path, page: int) -> tuple[bytes, tuple[int, int]] | None:
    """A text-layer PDF page as the report shows it (150 dpi, 16 grey levels, a 4-bit PNG) and its
    size in pixels; None when it cannot be rendered."""
    return pages_png(path, [page]).get(page)


def pages_png(path: Path, pages: Iterable[int]) -> dict[int, tuple[bytes, tuple[int, int]]]:
    """Several pages of one PDF as ``page_png`` makes them, the document opened once; a page that
    cannot be rendered is left out."""
    made: dict[int, tuple[bytes, tuple[int, int]]] = {}
    try:
        document = pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError, ValueError):
        return made
    try:
        for page in pages:
            try:
                gray = document[page - 1].render(scale=SCALE, grayscale=True).to_numpy()
            except (pdfium.PdfiumError, IndexError, ValueError):
                continue
            made[page] = gray4_png(gray if gray.ndim == 2 else gray[..., 0]), (gray.shape[1], gray.shape[0])
    finally:
        document.close()
    return made


def gray4_png(gray: np.ndarray) -> bytes:
    """A gray image (uint8, height × width) as a 4-bit grayscale PNG (colour type 0, bit depth 4:
    a viewer shows level v as v × 17), every row unfiltered, deflated at level 1."""
    import cv2  # with NumPy, in the workers that make pictures; the driver writing a report needs neither
    import numpy as np

    height, width = gray.shape
    levels = np.asarray(cv2.LUT(gray, np.frombuffer(GRAY_LEVELS, dtype=np.uint8)), dtype=np.uint8)
    rows = np.empty((height, 1 + (width + 1) // 2), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:] = levels[:, 0::2] << 4  # two pixels a byte, the left one in the high half
    rows[:, 1 : 1 + width // 2] |= levels[:, 1::2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b"")


@dataclass
class CropView:
    """A window onto a page image around one cell, outlined: every length in CSS pixels."""

    src: str
    alt: str
    width: float
    height: float
    image_width: float
    image_height: float
    left: float
    top: float
    outline: tuple[float, float, float, float]  # x, y, width, height inside the window


def crop_view(image: PageImage, bbox: tuple[float, float, float, float], alt: str) -> CropView:
    """The window on ``image`` around ``bbox`` (points), shown at most CROP_WIDTH pixels wide."""
    x0, top, x1, bottom = bbox
    x1, bottom = min(x1, x0 + CROP_MAX_PT[0]), min(bottom, top + CROP_MAX_PT[1])
    left, right, margin = CROP_MARGIN
    box = [max(0.0, (x0 - left) * SCALE), max(0.0, (top - margin) * SCALE), min(float(image.width), (x1 + right) * SCALE), min(float(image.height), (bottom + margin) * SCALE)]
    if box[2] <= box[0] or box[3] <= box[1]:
        box = [0.0, 0.0, min(float(image.width), 10.0), min(float(image.height), 10.0)]
    shown = min(1.0, CROP_WIDTH / (box[2] - box[0]))
    outline = ((x0 * SCALE - box[0]) * shown, (top * SCALE - box[1]) * shown, max(1.0, (x1 - x0) * SCALE * shown), max(1.0, (bottom - top) * SCALE * shown))
    return CropView(image.src, alt, (box[2] - box[0]) * shown, (box[3] - box[1]) * shown, image.width * shown, image.height * shown, box[0] * shown, box[1] * shown, outline)


# --- which values a check is about --------------------------------------------------------


def involved(check: Check) -> list[str]:
    """The pointers of the values a failed or warned check is about: the check names them itself
    (a rejected correction's field included)."""
    return list(dict.fromkeys(check.pointers))


def plain(value: Any) -> str:
    """A value as a correction line writes it: numbers in full (820000, 86.25), never 8.2e+05."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def needs_attention(check: Check) -> bool:
    return check.status == "fail" or check.status == "warn"


def severity(form: FormDocument) -> tuple[int, int, int]:
    """Worst first: more failed checks, then warnings that need a human, then other warnings."""
    fails = sum(c.status == "fail" for c in form.checks)
    review_warns = sum(c.status == "warn" and needs_human(c) for c in form.checks)
    warns = sum(c.status == "warn" for c in form.checks)
    return fails, review_warns, warns


def low_pointers(form: FormDocument) -> list[str]:
    """The low-confidence values the form's low_confidence check names (numbers and codes) that no
    correction has yet confirmed or replaced: the ones that keep the form in review."""
    return [p for c in form.checks if c.rule == "low_confidence" and c.status == "warn" for p in involved(c)]


# --- what the pages show -------------------------------------------------------------------


@dataclass
class CheckView:
    rule: str
    status: str
    status_zh: str
    title_zh: str
    title_en: str
    meaning: str
    message: str  # English, as in the JSON
    details: list[str]  # what the check found, in Chinese: its terms that do not hold


def term_zh(form: FormDocument, term: Term) -> str:
    """One piece of a check's arithmetic in the archivists' words, from the check's data (the
    message stays English for programs and logs): 总分 得分：表中为 95，13 项相加为 97."""
    at, found = ptr.label(form, term.at), "未填" if term.found is None else plain(term.found)
    expected = "无法计算" if term.expected is None else plain(term.expected)
    names = [ptr.label(form, p) for p in term.parts]
    if term.op == Op.SUM:
        return f"{at}：表中为 {found}，{len(names)} 项相加为 {expected}"
    if term.op == Op.RATE and len(names) == 2:
        return f"{at}：表中为 {found}，{names[0]} ÷ {names[1]} × 100 = {expected}"
    if term.op == Op.SHARE and len(names) == 2:
        return f"{at}：表中为 {found}，{names[0]} × {names[1]} ÷ 100 = {expected}"
    if term.op == Op.AT_MOST and names:
        return f"{at} {found} 高于 {names[0]} {expected}"
    if term.op == Op.GRADE:
        return f"{at}：表中为 {found}，总分所在分数段的等级为 {expected}"
    if term.op == Op.READ:
        return f"{at}：印有内容但无法读取" + (f"（{term.note}）" if term.note else "")
    return f"{at}：表中为 {found}，应为 {expected}"


TERMS_SHOWN = 8  # a check over a 30-row form names the first few terms that do not hold, then how many more


def check_view(form: FormDocument, check: Check) -> CheckView:
    rule = rule_for(check.rule)
    off = [term_zh(form, t) for t in check.terms if not t.holds]
    if len(off) > TERMS_SHOWN:
        off = off[:TERMS_SHOWN] + [f"……另有 {len(off) - TERMS_SHOWN} 项"]
    return CheckView(check.rule, check.status, CHECK_ZH.get(check.status, check.status), rule.title_zh, rule.title_en, meaning_zh(check.rule), check.message, off)


@dataclass
class Proposal:
    """One suggested change of one value: what the reviewer accepts with one click."""

    rule: str
    value: str
    note: str


@dataclass
class ValueView:
    """One value of a form, as the review queue shows it: where it was printed, how it was read."""

    pointer: str
    label: str
    read: str  # the value as extracted, as a correction line would write it
    printed: str | None  # the raw cell text, when it differs from ``read``
    confidence: float | None
    low: bool
    how: str  # 文本层 / 置信度 0.42 / 原值
    page: str | None  # 第 2 页, or a later file's page the form was read on into: b.jpg 第 1 页
    ref: str | None
    crop: CropView | None
    proposal: Proposal | None
    corrected_from: str | None


@dataclass
class SuggestionView:
    rule: str
    title_zh: str
    best: dict[str, Any] | None  # label, old, new, effect, reason, note, pointers
    candidates: list[dict[str, Any]]


@dataclass
class TableCell:
    pointer: str
    label: str  # what the editor names the value by: 时效 得分
    text: str
    classes: str
    tip: str
    was: str | None
    ref: str | None


@dataclass
class FormRow:
    """One form in the table of all forms; ``number`` counts forms from 1 in the run's order."""

    number: int
    form: FormSummary
    name: str
    status_zh: str
    method_zh: str
    rules: list[str]
    rule_titles: str
    score: str
    corrections: int


@dataclass
class ReviewCard:
    row: FormRow
    form: FormDocument
    checks: list[CheckView]
    suggestions: list[SuggestionView]
    suspect: list[ValueView]
    others: list[ValueView]
    confirm: list[tuple[str, str]]  # (pointer, value as read) of low-confidence values: "reviewed" confirms them
    manifest_status: str


@dataclass
class UnknownForm:
    row: FormRow
    closest: str


@dataclass
class Context:
    out: Path
    result: RunResult
    outcome: CorrectionsOutcome | None
    images: PageImages
    owners: dict[str, FileResult] = field(default_factory=dict)  # form_id -> the whole result of the file held now
    places: dict[str, Place] = field(default_factory=dict)  # the forms shown beyond their row (``Overview.places``)

    def hold(self, whole: FileResult) -> FileResult:
        """Hold one file's whole result (its forms shown now), letting the previous one go."""
        self.owners = {form.form_id: whole for form in whole.forms}
        return whole

    def form(self, form_id: str) -> FormDocument:
        """A form of the run, whole: from the file held, else its file loaded again (and held)."""
        if form_id not in self.owners:
            self.hold(self.result.whole(self.result.files[self.places[form_id].file]))
        return next(form for form in self.owners[form_id].forms if form.form_id == form_id)

    def crop(self, form: FormDocument, pointer: str) -> CropView | None:
        provenance = form.provenance.get(pointer)
        if provenance is None:
            return None
        image = self.images.get(self.owners[form.form_id], form, provenance.page, provenance.file)
        if image is None:
            return None
        return crop_view(image, provenance.bbox, f"{ptr.label(form, pointer)}：{page_label(provenance.page, provenance.file)}")


class Lazy:
    """A sequence made one item at a time as a template loops over it (its length known first):
    the review cards, each from a form loaded again, never all held at once."""

    def __init__(self, keys: list, make: Callable[[Any], Any]) -> None:
        self.keys = keys
        self.make = make

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[Any]:
        return (self.make(key) for key in self.keys)


class Place(NamedTuple):
    number: int  # its № in the table of forms
    file: int  # the index of its file in the run


class FileRow(NamedTuple):
    """A file of the report's table of files that are not ok: what the table shows, not the file's result."""

    file: str
    status: FileStatus
    reason: str
    message: str


@dataclass
class Overview:
    """What report.html says of all the forms before it lists them, gathered in one pass over the
    run's results: the forms' summaries themselves are read again as the table is written, never
    all held (with their rows, 1.4 KB a form measured with tracemalloc: ~28 MB at 20,000 forms)."""

    count: int = 0
    review: int = 0
    scores: list[float | None] = field(default_factory=list)
    failing: Counter[str] = field(default_factory=Counter)  # rule -> checks that need a human
    rules: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    unknown: list[FormSummary] = field(default_factory=list)  # forms of no known layout
    queue: list[tuple[tuple, str, tuple[str, ...]]] = field(default_factory=list)  # (order, form_id, accept) of the forms to review
    places: dict[str, Place] = field(default_factory=dict)  # form_id -> where to find a form of the queue or unknown again
    files: list[FileRow] = field(default_factory=list)  # the files that are not ok

    def add_file(self, result: FileResult) -> None:
        if result.status != FileStatus.OK:
            self.files.append(FileRow(result.file, result.status, result.reason, result.message))

    def add(self, form: FormSummary, file_index: int) -> None:
        self.count += 1
        self.review += form.status != FormStatus.OK
        self.scores.append(form.score)
        self.failing.update(form.human)
        self.rules.update(form.rules)
        self.templates.add(form.template)
        self.years.update([form.year] if form.year else [])
        self.units.update([form.unit] if form.unit else [])
        if form.template == UNKNOWN_TEMPLATE:
            self.unknown.append(form)
        elif form.status != FormStatus.OK:
            self.queue.append(((tuple(-n for n in form.severity), form.file, form.form_index), form.form_id, form.accept))
        else:
            return
        self.places[form.form_id] = Place(self.count, file_index)


class FormRows:
    """The table of all forms, a row made from each form's summary as the template reaches it."""

    def __init__(self, result: RunResult, count: int) -> None:
        self.result, self.count = result, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[FormRow]:
        return (form_row(form, number) for number, form in enumerate(summaries_of(self.result), start=1))


def form_row(form: FormSummary, number: int) -> FormRow:
    return FormRow(
        number,
        form,
        form.name,
        STATUS_ZH.get(form.status, form.status),
        METHOD_ZH.get(form.method, form.method),
        list(form.rules),
        "、".join(rule_for(r).title_zh for r in form.rules),
        plain(form.score) if form.score is not None else "",
        form.corrections,
    )


def value_view(form: FormDocument, pointer: str, ctx: Context, proposal: Proposal | None) -> ValueView:
    provenance = form.provenance.get(pointer)
    read = plain(ptr.get(form, pointer))
    confidence = provenance.confidence if provenance is not None else None
    if confidence is not None:
        how = f"置信度 {confidence:.2f}"
    elif form.source.method == "text_layer":
        how = "文本层（非识别）"
    else:
        how = "原值"
    correction = next((c for c in form.corrections if c.field == pointer), None)
    printed = provenance.text if provenance is not None and provenance.text and provenance.text != read else None
    return ValueView(
        pointer,
        ptr.label(form, pointer),
        read,
        printed,
        confidence,
        confidence is not None and confidence < LOW_CONFIDENCE and correction is None,
        how,
        page_label(provenance.page, provenance.file) if provenance else None,
        provenance.ref if provenance else None,
        ctx.crop(form, pointer),
        proposal,
        plain(correction.extracted) if correction is not None else None,
    )


def suggestion_view(found: Suggestion) -> SuggestionView:
    def describe(candidate) -> dict[str, Any]:
        change = candidate.change
        return {
            "label": change.label,
            "old": plain(change.old),
            "new": plain(change.new),
            "effect": candidate.effect,
            "reason": candidate.reason_zh(),
            "note": candidate.note(),
            "pointers": list(change.pointers),
        }

    rule = rule_for(found.rule)
    return SuggestionView(found.rule, rule.title_zh, describe(found.best) if found.best else None, [describe(c) for c in found.candidates])


def review_card(form: FormDocument, ctx: Context) -> ReviewCard:
    """A form needing review, collapsed to its suspect values: those a clear suggestion names and the
    low-confidence ones; the other values its checks involve follow, one click away."""
    found = suggestions_of(ctx.result, form, ctx.owners[form.form_id])
    proposals = {p: Proposal(s.rule, plain(s.best.change.new), s.best.note()) for s in found if s.best for p in s.best.change.pointers}
    attention = [c for c in form.checks if needs_attention(c)]
    low = low_pointers(form)
    suspect = list(dict.fromkeys([*proposals, *low]))
    candidates = [p for s in found for c in s.candidates for p in c.change.pointers]
    rest = list(dict.fromkeys(candidates + [p for c in attention for p in involved(c)]))
    keep = [p for p in dict.fromkeys(suspect + rest) if ptr.exists(form, p) and (p in form.provenance or ptr.get(form, p) is not None or p in proposals)]
    views = {p: value_view(form, p, ctx, proposals.get(p)) for p in keep}
    confirm = [(p, views[p].read) for p in low if p in views and views[p].read != "null"]
    return ReviewCard(
        form_row(form_summary(form, found), ctx.places[form.form_id].number),
        form,
        [check_view(form, c) for c in attention],
        [suggestion_view(s) for s in found],
        [views[p] for p in keep if p in suspect],
        [views[p] for p in keep if p not in suspect],
        confirm,
        STATUS_ZH.get(ctx.owners[form.form_id].status, ""),
    )


# --- unknown layouts -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    from pipeline.parse.template import load_templates
    from pipeline.model.vocabulary import normalise

    return frozenset(normalise(text) for template in load_templates() for text in template.labels())


_HAS_DIGIT = re.compile(r"\d")


def unknown_labels(forms: Iterable[tuple[FormDocument, dict]]) -> list[tuple[str, int, bool]]:
    """The labels the forms of unknown layout print, with how many print each and whether any
    template knows it: the cells of their saved grids that were not read as a value and hold no
    digit (values are read by meaning; what is left is the form's own wording)."""
    from pipeline.model.vocabulary import normalise

    counts: Counter[str] = Counter()
    for form, grid in forms:
        values = {v.text.strip() for v in form.provenance.values()}
        texts = {cell.get("text", "").strip() for table in grid.get("grids", []) for cell in table.get("cells", [])}
        counts.update(t for t in texts if t and t not in values and len(t) <= 20 and not _HAS_DIGIT.search(t))
    known = _known_labels()
    return [(text, n, normalise(text) in known) for text, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def closest_template(form: FormDocument) -> str:
    """What the layout_known check found: the closest template and what did not match (its message,
    shown whole: a check's message is never parsed)."""
    check = next((c for c in form.checks if c.rule == "layout_known" and c.status == "fail"), None)
    return "" if check is None else check.message


# --- charts (inline SVG, drawn by the template) --------------------------------------------


SCORE_BINS = [(0, 60, "<60"), (60, 70, "60–70"), (70, 80, "70–80"), (80, 85, "80–85"), (85, 90, "85–90"), (90, 95, "90–95"), (95, 100.0001, "95–100")]


def bars(items: list[tuple[str, int, str]], width: int = 320) -> dict[str, Any]:
    """Horizontal bars (label, count, css class) laid out for the template."""
    row, label_width = 22, 150
    biggest = max((n for _, n, _ in items), default=0) or 1
    laid = [{"label": name, "count": n, "css": css, "y": 4 + i * row, "length": (width - label_width - 40) * n / biggest} for i, (name, n, css) in enumerate(items)]
    return {"width": width, "height": row * max(1, len(items)) + 8, "label_width": label_width, "bars": laid}


def histogram(scores: list[float | None], width: int = 320, height: int = 150) -> dict[str, Any]:
    counts = [sum(1 for score in scores if score is not None and lo <= score < hi) for lo, hi, _ in SCORE_BINS]
    names = [name for _, _, name in SCORE_BINS]
    missing = sum(1 for score in scores if score is None)
    if missing:
        names, counts = names + ["无"], counts + [missing]
    biggest, step, plot = max(counts) or 1, (width - 20) / len(counts), height - 44
    columns = [{"label": name, "count": n, "x": 10 + i * step, "h": plot * n / biggest} for i, (name, n) in enumerate(zip(names, counts))]
    return {"width": width, "height": height, "step": step, "plot": plot, "columns": columns}


# --- a form's tables --------------------------------------------------------------------------


FUNDING_COLUMNS = [("年初预算数", "initial_budget"), ("全年预算数", "annual_budget"), ("全年执行数", "executed"), ("分值", "weight"), ("执行率", "execution_rate"), ("得分", "score")]
INDICATOR_COLUMNS = [
    ("一级指标", "level1", False),
    ("一级分值", "level1_weight", True),
    ("二级指标", "level2", False),
    ("三级指标", "name", False),
    ("指标性质", "nature", False),
    ("年度指标值", "target", False),
    ("实际完成值", "actual", False),
    ("分值", "weight", True),
    ("得分", "score", True),
    ("偏差原因", "deviation_note", False),
]


def table_cell(form: FormDocument, pointer: str, value: Any, numeric: bool = False) -> TableCell:
    provenance = form.provenance.get(pointer)
    classes = ["num"] if numeric else []
    tip = [pointer]
    if provenance is not None:
        tip.append(page_label(provenance.page, provenance.file))
        if provenance.confidence is not None:
            tip.append(f"置信度 {provenance.confidence:.2f}")
            if provenance.confidence < LOW_CONFIDENCE:
                classes.append("low")
        if provenance.ref:
            tip.append(provenance.ref)
    correction = next((c for c in form.corrections if c.field == pointer), None)
    was = None
    if correction is not None:
        classes.append("corrected")
        was = plain(correction.extracted)
        tip.append(f"更正自 {was}" + (f"（{correction.reviewer}）" if correction.reviewer else "") + (f"：{correction.note}" if correction.note else ""))
    text = "" if value is None else plain(value)
    return TableCell(pointer, ptr.label(form, pointer), text, " ".join(classes), " · ".join(tip), was, provenance.ref if provenance is not None else None)


def form_tables(form: FormDocument) -> dict[str, Any]:
    project = [
        (name, table_cell(form, ptr.project(key), getattr(form.project, key)))
        for key, name in ptr.PROJECT_LABELS.items()
        if getattr(form.project, key, None) is not None or ptr.project(key) in form.provenance or key in ("name", "code")
    ]
    project.append(("表名", table_cell(form, ptr.TITLE, form.title)))
    funding = [
        [table_cell(form, ptr.funding(i, "item"), line.item)] + [table_cell(form, ptr.funding(i, key), getattr(line, key), True) for _, key in FUNDING_COLUMNS]
        for i, line in enumerate(form.funding.lines)
    ]
    columns = [c for c in INDICATOR_COLUMNS if c[1] != "nature" or any(ind.nature for ind in form.indicators)]
    indicators = [[table_cell(form, ptr.indicator(i, key), getattr(ind, key), numeric) for _, key, numeric in columns] for i, ind in enumerate(form.indicators)]
    goals = [
        (name, [table_cell(form, ptr.goal(key, i), g) for i, g in enumerate(items)])
        for name, key, items in (("预期目标", "expected", form.goals.expected), ("实际完成情况", "actual", form.goals.actual))
    ]
    return {
        "project": project,
        "funding_columns": [name for name, _ in FUNDING_COLUMNS],
        "funding": funding,
        "unit": form.funding.unit,
        "indicator_columns": [name for name, _, _ in columns],
        "indicators": indicators,
        "goals": goals,
        "total": (table_cell(form, ptr.total("weight"), form.total.weight, True), table_cell(form, ptr.total("score"), form.total.score, True)),
        "grade": table_cell(form, ptr.total("grade"), form.total.grade) if form.total.grade is not None else None,
    }


def page_label(page: int, file: str | None = None) -> str:
    """第 2 页, or for a page of a later file the form was read on into, that file's: a.jpg 第 1 页."""
    return f"{file} 第 {page} 页" if file else f"第 {page} 页"


@dataclass
class PageFigure:
    number: int
    image: PageImage
    width_pt: float
    height_pt: float
    cells: list[dict[str, Any]]
    label: str = ""  # 第 2 页, or a later file's page: a.jpg 第 1 页


def page_figures(form: FormDocument, ctx: Context) -> list[PageFigure]:
    owner = ctx.owners[form.form_id]
    corrected = {c.field for c in form.corrections}
    figures = []
    for file, number in form.source.page_files():
        image = ctx.images.get(owner, form, number, file)
        if image is None:
            continue
        printed_in = None if file == form.source.file else file
        cells = [
            {
                "pointer": pointer,
                "x": p.bbox[0],
                "y": p.bbox[1],
                "w": max(0.5, p.bbox[2] - p.bbox[0]),
                "h": max(0.5, p.bbox[3] - p.bbox[1]),
                "classes": " ".join(["cell"] + (["low"] if p.confidence is not None and p.confidence < LOW_CONFIDENCE else []) + (["corrected"] if pointer in corrected else [])),
                "title": f"{pointer}: {p.text[:80]}",
            }
            for pointer, p in form.provenance.items()
            if p.page == number and p.file == printed_in
        ]
        figures.append(PageFigure(number, image, image.width / SCALE, image.height / SCALE, cells, page_label(number, printed_in)))
    return figures


# --- writing --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates with autoescaping: every value is text on the page, never markup."""
    env = Environment(loader=FileSystemLoader(UI_DIR), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(STATUS_ZH=STATUS_ZH, CHECK_ZH=CHECK_ZH, REASON_ZH=REASON_ZH, FILES_DIR=FILES_DIR, CORRECTIONS_FILE=CORRECTIONS_FILE)
    return env


def summary(result: RunResult, overview: Overview) -> dict[str, Any]:
    return {
        "files": len(result.files),
        "forms": overview.count,
        "forms_ok": overview.count - overview.review,
        "forms_review": overview.review,
        "file_counts": {s: result.count(s) for s in STATUSES},
        "seconds": f"{result.seconds:.1f}",
        "status_chart": bars([(STATUS_ZH[s], result.count(s), f"st-{s}") for s in STATUSES]),
        "score_chart": histogram(overview.scores),
        "rule_chart": bars([(rule_for(r).title_zh, n, "st-failed") for r, n in overview.failing.most_common(8)]),
    }


def existing_lines(outcome: CorrectionsOutcome | None, dump: Path | None) -> list[dict[str, str]]:
    """The lines of this run's corrections file as the reviewer wrote them, applied or not (one per
    value: the later of two lines wins, as when applied), so a downloaded file loses none of them."""
    if outcome is None or outcome.source is None:
        return []
    path = Path(outcome.source)
    if not path.is_absolute() and not path.is_file() and dump is not None:
        path = dump / path
    if path.is_file():
        rows, problems = read_corrections(path)
        found = [(r.line, r.form_id, r.field, r.value, r.note or "", r.reviewer or "") for r in rows]
        found += [(r.line, r.form_id, r.field, r.value, "", "") for r in problems if r.line is not None]
    else:  # the file is gone since the run: what the outcome kept of it
        found = [(line, form_id, c.field, plain(c.corrected), c.note or "", c.reviewer or "") for line, form_id, c in outcome.applied]
        found += [(r.line, r.form_id, r.field, r.value, "", "") for r in outcome.rejected if r.line is not None]
    last = {(form_id, field): (line, form_id, field, value, note, reviewer) for line, form_id, field, value, note, reviewer in sorted(found)}
    return [dict(zip(COLUMNS, record[1:])) for record in sorted(last.values())]


def report_html(ctx: Context, overview: Overview) -> Iterator[str]:
    """report.html, rendered piece by piece (the review cards and the table's rows made one at a time as they go out)."""
    rows = FormRows(ctx.result, overview.count)
    unknown = overview.unknown
    queue = sorted(overview.queue)  # worst first
    cards = Lazy([form_id for _, form_id, _ in queue], lambda form_id: review_card(ctx.form(form_id), ctx))
    accept_all = Counter(rule for _, _, accept in queue for rule in accept)
    rule_names = sorted(overview.rules, key=lambda r: list(RULES).index(r) if r in RULES else len(RULES))
    order = [FileStatus.FAILED, FileStatus.NEEDS_REVIEW, FileStatus.SKIPPED]
    files = sorted(overview.files, key=lambda f: (order.index(f.status) if f.status in order else 3, f.file))
    return (
        environment()
        .get_template("report.html")
        .generate(
            root="",
            summary=summary(ctx.result, overview),
            outcome=ctx.outcome,
            header=header_line(),
            columns=list(COLUMNS),
            existing=existing_lines(ctx.outcome, ctx.images.dump),
            rows=rows,
            cards=cards,
            files=files,
            rules=[(r, rule_for(r).title_zh) for r in rule_names],
            accept_all=[(r, rule_for(r).title_zh, n) for r, n in accept_all.items()],
            templates=sorted(overview.templates),
            years=sorted(overview.years),
            units=sorted(overview.units),
            unknown=[UnknownForm(form_row(f, ctx.places[f.form_id].number), closest_template(ctx.form(f.form_id))) for f in unknown],
            unknown_labels=unknown_labels((form, ctx.owners[form.form_id].grids.get(form.form_id) or {}) for form in (ctx.form(f.form_id) for f in unknown)),
            METHOD_ZH=METHOD_ZH,
            plain=plain,
        )
    )


def form_page(form: FormDocument, ctx: Context) -> str:
    figures = page_figures(form, ctx)
    note = NO_IMAGE_ZH.get(form.source.method, "无法生成页面图像") if not figures else ""
    corrections = [{"field": c.field, "extracted": plain(c.extracted), "corrected": plain(c.corrected), "note": c.note, "reviewer": c.reviewer} for c in form.corrections]
    return (
        environment()
        .get_template("form.html")
        .render(
            root="../",
            form=form,
            row=form_row(form_summary(form), 0),  # a form's page shows no №: the worker that makes it cannot know it
            figures=figures,
            no_image=note,
            tables=form_tables(form),
            checks=[check_view(form, c) for c in form.checks],
            corrections=corrections,
            METHOD_ZH=METHOD_ZH,
        )
    )


def write_report(out: Path, result: RunResult, dump: Path | None = None, corrections: CorrectionsOutcome | None = None) -> Path:
    """Write report.html and report_files/; files a previous report left and this one did not write are removed.
    The forms are loaded again one file at a time (a slim run holds only their summaries)."""
    images = PageImages(out=out, dump=dump)
    overview = Overview()
    ctx = Context(out=out, result=result, outcome=corrections, images=images, places=overview.places)
    folder = out / FILES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    corrected = corrections.corrected_forms if corrections is not None else set()
    for index, f in enumerate(result.files):  # one pass: a spilled result is read once here
        overview.add_file(f)
        summaries = file_summaries(result, f)
        for summarised in summaries:
            overview.add(summarised, index)
        form_ids = [s.form_id for s in summaries]
        if f.form_pages and not corrected.intersection(form_ids):  # made by its worker, as they stand
            images.written.update(form_page_name(form_id) for form_id in form_ids)
            images.written.update(Path(name).name for name in f.picture_names)
            continue
        for form in ctx.hold(result.whole(f)).forms:
            name = form_page_name(form.form_id)
            write_text(folder / name, form_page(form, ctx))
            images.written.add(name)
    with fresh_path(out / REPORT) as temporary, temporary.open("w", encoding="utf-8") as document:
        for piece in report_html(ctx, overview):
            document.write(piece)
        document.close()
        for name in STATIC:
            with atomic_path(folder / name) as static:
                shutil.copyfile(UI_DIR / name, static)
            images.written.add(name)
        for stale in folder.iterdir():
            if stale.is_file() and stale.name not in images.written and not stale.name.startswith("."):
                stale.unlink()
    return out / REPORT
