"""The review report: ``OUT/report.html`` and ``OUT/report_files/``, static and offline.

``report.html`` has the run's summary (counts, time, small inline-SVG charts), the files that
failed or were skipped, the corrections file's outcome, one section per form needing review
(worst first: its failed and warned checks in plain language, the suggestion from arithmetic,
and for each value involved a crop of the page around it, the value read, its confidence and
the corrections.csv line to add), and a list of every form. Each form also has a page of its
own (``report_files/form-<form_id>.html``): its page images with the extracted cells outlined,
beside its tables. A little vanilla JS filters by file, project code, status and check, copies
correction lines and links table cells to their outlines; nothing is loaded from the network.

Page images come from what the run already has: OCR'd pages are the corrected 150 dpi images
the pipeline kept (``FileResult.page_images``; their provenance boxes are points on that image);
text-layer PDF pages are rendered from the dump with pypdfium2 at 150 dpi. Spreadsheets and
text exports have no page image: their cells are named by ``ref`` (``Sheet1!C7``).
"""

from __future__ import annotations

import hashlib
import html
import io
from collections import Counter
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from . import pointer as ptr
from .corrections import CORRECTIONS_FILE, CorrectionsOutcome, csv_line, header_line
from .document import Check, FormDocument
from .export import PAGES_DIR, atomic_path, page_image_name, write_text
from .reconcile import LOW_CONFIDENCE, fmt
from .rules import needs_human, rule_for
from .run import FileResult, RunResult
from .suggest import Suggestion, label

REPORT = "report.html"
FILES_DIR = "report_files"
DPI = 150  # page images: provenance points map onto pixels by DPI / 72
SCALE = DPI / 72
CROP_MARGIN = (150.0, 40.0, 14.0)  # points left (to show 年度指标值/实际完成值/分值 beside a score), right, above/below
CROP_MAX_PT = (330.0, 120.0)  # a huge cell (a goal paragraph) is cropped to its top-left corner
STATUSES = ("ok", "needs_review", "failed", "skipped")


# --- page images ----------------------------------------------------------------------------


@dataclass
class PageImages:
    """Page images of the run: kept OCR images, or text-layer pages rendered — each written once.

    Names are content-addressed (file sha256 + page), so an image a previous run wrote is reused
    as it is; only the last few decoded images stay in memory, so a run of any size stays small.
    """

    out: Path
    dump: Path | None
    written: set[str] = field(default_factory=set)
    _recent: OrderedDict[tuple[str, int], Image.Image | None] = field(default_factory=OrderedDict)
    KEEP = 4

    def name(self, form: FormDocument, page: int) -> str:
        return f"page-{form.source.sha256[:16]}-p{page}.png"

    def size(self, result: FileResult, form: FormDocument, page: int) -> tuple[int, int] | None:
        """The image's size in pixels, writing the image first if no run has yet."""
        target = self.out / FILES_DIR / self.name(form, page)
        if target.exists():
            self.written.add(target.name)
            with Image.open(target) as existing:  # reads the header only
                return existing.size
        image = self.image(result, form, page)
        return None if image is None else image.size

    def image(self, result: FileResult, form: FormDocument, page: int) -> Image.Image | None:
        key = (form.source.sha256, page)
        if key in self._recent:
            self._recent.move_to_end(key)
            return self._recent[key]
        target = self.out / FILES_DIR / self.name(form, page)
        if target.exists():
            with Image.open(target) as existing:
                image: Image.Image | None = existing.convert("L")
            self.written.add(target.name)
        else:
            image = self._load(result, form, page)
            if image is not None:
                self._save(image, target.name)
        self._recent[key] = image
        if len(self._recent) > self.KEEP:
            self._recent.popitem(last=False)
        return image

    def _load(self, result: FileResult, form: FormDocument, page: int) -> Image.Image | None:
        png = result.page_images.get(page)
        if png is None:
            kept = self.out / PAGES_DIR / page_image_name(result.file, page)
            png = kept.read_bytes() if kept.exists() else None
        if png is not None:
            return Image.open(io.BytesIO(png)).convert("L")
        if form.source.method in ("spreadsheet", "text_export", "word", "html", "ofd") or self.dump is None:
            return None
        return render_pdf_page(self.dump / form.source.file, page)

    def _save(self, image: Image.Image, name: str) -> None:
        with atomic_path(self.out / FILES_DIR / name) as temporary:
            image.save(temporary, "PNG", compress_level=1)
        self.written.add(name)


def render_pdf_page(path: Path, page: int) -> Image.Image | None:
    """A PDF page at 150 dpi, gray; None when the file or page cannot be rendered."""
    try:
        document = pdfium.PdfDocument(path)
        try:
            bitmap = document[page - 1].render(scale=SCALE, grayscale=True)
            return bitmap.to_pil().convert("L")
        finally:
            document.close()
    except (pdfium.PdfiumError, IndexError, OSError, ValueError):
        return None


def crop(image: Image.Image, bbox: tuple[float, float, float, float]) -> Image.Image:
    """The page around ``bbox`` (points), with the cell outlined in red."""
    x0, top, x1, bottom = bbox
    x1, bottom = min(x1, x0 + CROP_MAX_PT[0]), min(bottom, top + CROP_MAX_PT[1])
    left, right, my = CROP_MARGIN
    box = [max(0, int((x0 - left) * SCALE)), max(0, int((top - my) * SCALE)),
           min(image.width, int((x1 + right) * SCALE)), min(image.height, int((bottom + my) * SCALE))]
    if box[2] <= box[0] or box[3] <= box[1]:
        box = [0, 0, min(image.width, 10), min(image.height, 10)]
    piece = image.crop(box).convert("RGB")
    draw = ImageDraw.Draw(piece)
    draw.rectangle([x0 * SCALE - box[0], top * SCALE - box[1], x1 * SCALE - box[0], bottom * SCALE - box[1]], outline=(220, 30, 30), width=3)
    return piece


# --- which values a check is about --------------------------------------------------------


def involved(check: Check) -> list[str]:
    """The pointers of the values a failed or warned check is about: the check names them itself
    (a rejected correction's field included)."""
    return list(dict.fromkeys(check.pointers))


_exists = ptr.exists  # the names the report's code reads values by
value_at = ptr.get


def shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def needs_attention(check: Check) -> bool:
    return check.status == "fail" or check.status == "warn"


def severity(form: FormDocument) -> tuple[int, int, int]:
    """Worst first: more failed checks, then warnings that need a human, then other warnings."""
    fails = sum(c.status == "fail" for c in form.checks)
    review_warns = sum(c.status == "warn" and needs_human(c) for c in form.checks)
    warns = sum(c.status == "warn" for c in form.checks)
    return fails, review_warns, warns


# --- small HTML helpers ---------------------------------------------------------------------


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _attrs(**attributes: Any) -> str:
    return "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attributes.items() if v is not None)


class Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def copy_block(line: str, ids: Ids, kind: str = "") -> str:
    """A corrections.csv line with a copy button."""
    ident = ids.next("line")
    return (f'<div class="csvline {esc(kind)}"><code id="{ident}">{esc(line)}</code>'
            f'<button type="button" class="copy" data-for="{ident}">Copy</button></div>')


def _form_checks(form: FormDocument) -> str:
    return " ".join(sorted({c.rule for c in form.checks if needs_attention(c)}))


def _filter_attrs(file: str, code: str | None, status: str, checks: str, text: str = "") -> str:
    return _attrs(data_file=file, data_code=code or "", data_status=status, data_checks=checks, data_text=text)


# --- charts (inline SVG) -------------------------------------------------------------------


def bar_chart(title: str, items: list[tuple[str, int, str]], width: int = 320) -> str:
    """Horizontal bars: (label, count, css class)."""
    row, label_width = 22, 130
    height = row * max(1, len(items)) + 8
    biggest = max((n for _, n, _ in items), default=0) or 1
    bars = []
    for i, (name, count, css) in enumerate(items):
        y = 4 + i * row
        length = (width - label_width - 40) * count / biggest
        bars.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{esc(name)}</text>'
                    f'<rect class="{esc(css)}" x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}"></rect>'
                    f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{count}</text>')
    if not items:
        bars.append('<text x="8" y="18">none</text>')
    return (f'<figure class="chart"><figcaption>{esc(title)}</figcaption>'
            f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<title>{esc(title)}</title>{"".join(bars)}</svg></figure>')


SCORE_BINS = [(0, 60, "<60"), (60, 70, "60–70"), (70, 80, "70–80"), (80, 85, "80–85"), (85, 90, "85–90"), (90, 95, "90–95"), (95, 100.0001, "95–100")]


def score_histogram(forms: list[FormDocument], width: int = 320, height: int = 150) -> str:
    title = "Total scores (总分 得分)"
    counts = [sum(1 for f in forms if f.total.score is not None and lo <= f.total.score < hi) for lo, hi, _ in SCORE_BINS]
    missing = sum(1 for f in forms if f.total.score is None)
    labels = [name for _, _, name in SCORE_BINS] + (["none"] if missing else [])
    counts += [missing] if missing else []
    biggest = max(counts) or 1
    step = (width - 20) / len(counts)
    plot = height - 44
    bars = []
    for i, (name, count) in enumerate(zip(labels, counts)):
        h = plot * count / biggest
        x = 10 + i * step
        bars.append(f'<rect class="bar" x="{x + 3:.1f}" y="{20 + plot - h:.1f}" width="{step - 6:.1f}" height="{h:.1f}"><title>{esc(name)}: {count}</title></rect>'
                    f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle" class="small">{esc(name)}</text>'
                    + (f'<text x="{x + step / 2:.1f}" y="{16 + plot - h:.1f}" text-anchor="middle" class="small">{count}</text>' if count else ""))
    return (f'<figure class="chart"><figcaption>{esc(title)}</figcaption>'
            f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<title>{esc(title)}</title>{"".join(bars)}</svg></figure>')


def charts(result: RunResult) -> str:
    statuses = [(s.replace("_", " "), result.count(s), f"st-{s}") for s in STATUSES]
    rules = Counter(c.rule for f in result.forms for c in f.checks if needs_human(c))
    failing = [(rule, n, "st-failed") for rule, n in rules.most_common(8)]
    return ('<div class="charts">' + bar_chart("Files by status", statuses) + score_histogram(result.forms)
            + bar_chart("Checks that fail most (forms)", failing) + "</div>")


# --- the report page --------------------------------------------------------------------------


@dataclass
class Context:
    out: Path
    result: RunResult
    outcome: CorrectionsOutcome | None
    images: PageImages
    ids: Ids = field(default_factory=Ids)
    owners: dict[str, FileResult] = field(default_factory=dict)

    def crop_file(self, form: FormDocument, pointer: str, reuse: bool = True) -> str | None:
        """Write the crop of ``pointer``'s cell (unless ``reuse`` finds it made already, by the
        worker that read the form); its file name, or None without a page image."""
        provenance = form.provenance.get(pointer)
        if provenance is None:
            return None
        name = f"crop-{form.form_id}-{hashlib.sha256(pointer.encode()).hexdigest()[:12]}.png"
        target = self.out / FILES_DIR / name
        if not (reuse and target.exists()):
            image = self.images.image(self.owners[form.form_id], form, provenance.page)
            if image is None:
                return None
            with atomic_path(target) as temporary:
                crop(image, provenance.bbox).save(temporary, "PNG")
        self.images.written.add(name)
        return name


def summary(ctx: Context) -> str:
    result = ctx.result
    forms = result.forms
    review = sum(f.status != "ok" for f in forms)
    cells = [("files", len(result.files), ""), ("forms", len(forms), ""), ("forms ok", len(forms) - review, "st-ok"),
             ("forms need review", review, "st-needs_review")]
    cells += [(f"files {s.replace('_', ' ').replace('needs', 'need')}", result.count(s), f"st-{s}") for s in STATUSES]
    cells.append(("seconds", f"{result.seconds:.1f}", ""))
    tiles = "".join(f'<div class="tile {css}"><span class="n">{esc(n)}</span><span>{esc(name)}</span></div>' for name, n, css in cells)
    return (f'<section id="summary"><h2>摘要 · Summary</h2><p class="lead">{len(result.files)} files, {len(forms)} forms: '
            f'{len(forms) - review} ok, {review} need review; files: {result.count("ok")} ok, {result.count("needs_review")} need review, '
            f'{result.count("failed")} failed, {result.count("skipped")} skipped; {result.seconds:.1f} s.</p>'
            f'<div class="tiles">{tiles}</div>{charts(result)}</section>')


def files_section(ctx: Context) -> str:
    rows = [f for f in ctx.result.files if f.status != "ok"]
    order = {"failed": 0, "needs_review": 1, "skipped": 2}
    rows.sort(key=lambda f: (order.get(f.status, 3), f.file))
    body = "".join(
        f'<tr class="filterable"{_filter_attrs(f.file, None, f.status, "")}><td>{esc(f.file)}</td>'
        f'<td><span class="badge st-{esc(f.status)}">{esc(f.status)}</span></td><td>{esc(f.message)}</td></tr>'
        for f in rows)
    return (f'<section id="files"><h2>失败、跳过或需复核的文件 · Files failed, skipped or needing review ({len(rows)})</h2>'
            f'<table class="list"><thead><tr><th>file</th><th>status</th><th>message</th></tr></thead><tbody>{body}</tbody></table></section>')


def corrections_section(ctx: Context) -> str:
    outcome = ctx.outcome
    if outcome is None or outcome.source is None:
        return (f'<section id="corrections"><h2>更正 · Corrections</h2><p>No corrections file. To correct a value, create '
                f'<code>{CORRECTIONS_FILE}</code> in the dump root (or pass <code>--corrections PATH</code>) starting with this header, '
                f'and add the lines this report offers:</p>{copy_block(header_line(), ctx.ids)}</section>')
    parts = [f'<section id="corrections"><h2>更正 · Corrections from <code>{esc(outcome.source)}</code></h2>',
             f'<p>{len(outcome.applied)} applied, {len(outcome.rejected)} rejected.</p>']
    if outcome.rejected:
        items = "".join(f'<li>{esc(r.describe(outcome.source))}</li>' for r in outcome.rejected)
        parts.append(f'<div class="rejected"><h3>Not applied</h3><ul>{items}</ul></div>')
    if outcome.notes:
        parts.append("<ul class=\"notes\">" + "".join(f"<li>{esc(n)}</li>" for n in outcome.notes) + "</ul>")
    if outcome.applied:
        rows = "".join(f'<tr><td>{line}</td><td><a href="{FILES_DIR}/form-{esc(form_id)}.html">{esc(form_id)}</a></td><td><code>{esc(c.field)}</code></td>'
                       f'<td>{esc(shown(c.extracted))}</td><td>{esc(shown(c.corrected))}</td><td>{esc(c.note)}</td><td>{esc(c.reviewer)}</td></tr>'
                       for line, form_id, c in outcome.applied)
        parts.append('<table class="list"><thead><tr><th>line</th><th>form</th><th>field</th><th>extracted</th><th>corrected</th>'
                     f'<th>note</th><th>reviewer</th></tr></thead><tbody>{rows}</tbody></table>')
    parts.append("</section>")
    return "".join(parts)


def filters(result: RunResult) -> str:
    rules = sorted({c.rule for f in result.forms for c in f.checks if needs_attention(c)})
    statuses = "".join(f'<option value="{s}">{s.replace("_", " ")}</option>' for s in STATUSES)
    checks = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in rules)
    return ('<nav id="filters" aria-label="filter"><label>Search <input id="filter-text" type="search" '
            'placeholder="file, project code or name, form id"></label>'
            f'<label>Status <select id="filter-status"><option value="">any</option>{statuses}</select></label>'
            f'<label>Check <select id="filter-check"><option value="">any</option>{checks}</select></label>'
            '<span id="filter-count" aria-live="polite"></span></nav>')


def _suggestion_html(form: FormDocument, found: list[Suggestion], ctx: Context) -> str:
    parts = []
    for suggestion in found:
        if suggestion.best is not None:
            best = suggestion.best
            lines = "".join(copy_block(csv_line(form.form_id, p, fmt(best.change.new), f"{best.change.describe()}: {best.reason()}"), ctx.ids, "suggested")
                            for p in best.change.pointers)
            parts.append(f'<div class="suggestion"><p><b>Suggested correction</b> ({esc(suggestion.rule)}): {esc(best.change.describe())} '
                         f'would make {esc(best.effect)}: {esc(best.reason())}. Add this line to {CORRECTIONS_FILE} to accept it:</p>{lines}</div>')
        elif suggestion.candidates:
            items = "".join(f'<li>{esc(c.change.describe())} would make {esc(c.effect)} ({esc(c.reason())})</li>' for c in suggestion.candidates)
            parts.append(f'<div class="suggestion none"><p><b>No clear suggestion</b> ({esc(suggestion.rule)}): these single changes would each '
                         f'make every check pass; the page decides:</p><ul>{items}</ul></div>')
        else:
            parts.append(f'<div class="suggestion none"><p><b>No single-value change</b> makes every check pass ({esc(suggestion.rule)}): '
                         'more than one value is off.</p></div>')
    return "".join(parts)


def value_card(form: FormDocument, pointer: str, ctx: Context, proposed: dict[str, tuple[float, str]]) -> str:
    provenance = form.provenance.get(pointer)
    value = value_at(form, pointer)
    picture = ctx.crop_file(form, pointer)
    if picture is not None:
        image = f'<img class="crop" src="{FILES_DIR}/{esc(picture)}" alt="{esc(label(form, pointer))} on page {provenance.page}" loading="lazy">'
    elif provenance is not None and provenance.ref:
        image = f'<div class="noimage">{esc(provenance.ref)}</div>'
    else:
        image = '<div class="noimage">no page image</div>'
    facts = [f"read <b>{esc(shown(value))}</b>"]
    if provenance is not None:
        if provenance.text and provenance.text != shown(value):
            facts.append(f'printed “{esc(provenance.text[:60])}”')
        if provenance.confidence is not None:
            low = " low" if provenance.confidence < LOW_CONFIDENCE else ""
            facts.append(f'<span class="conf{low}">confidence {provenance.confidence:.2f}</span>')
        else:
            facts.append('<span class="conf">text layer</span>' if form.source.method == "text_layer" else '<span class="conf">as stored</span>')
        facts.append(f"page {provenance.page}" + (f", {esc(provenance.ref)}" if provenance.ref else ""))
    correction = next((c for c in form.corrections if c.field == pointer), None)
    if correction is not None:
        facts.append(f'<span class="corrected">corrected from {esc(shown(correction.extracted))}</span>')
    if pointer in proposed:
        new, note = proposed[pointer]
        line, kind, words = csv_line(form.form_id, pointer, fmt(new), note), "suggested", "suggested line"
    else:
        line, kind, words = csv_line(form.form_id, pointer, shown(value)), "", "line to add (edit the value)"
    css = "value suspect" if pointer in proposed else "value"
    return (f'<figure class="{css}" data-ptr="{esc(pointer)}">{image}<figcaption><b>{esc(label(form, pointer))}</b> '
            f'<code class="ptr">{esc(pointer)}</code><br>{" · ".join(facts)}<br><small>{words}:</small>{copy_block(line, ctx.ids, kind)}</figcaption></figure>')


def review_pointers(form: FormDocument, found: list[Suggestion]) -> list[str]:
    """The values a review section shows (with a crop each): suggested and candidate changes, then
    the values the checks needing attention involve."""
    proposed = [p for s in found if s.best for p in s.best.change.pointers]
    candidates = [p for s in found for c in s.candidates for p in c.change.pointers]
    attention = [c for c in form.checks if needs_attention(c)]
    pointers = list(dict.fromkeys(proposed + candidates + [p for c in attention for p in involved(c)]))
    return [p for p in pointers if _exists(form, p) and (p in form.provenance or value_at(form, p) is not None or p in proposed)]


def review_section(form: FormDocument, ctx: Context) -> str:
    owner = ctx.owners[form.form_id]
    found = ctx.result.suggestions_of(form)
    proposed = {p: (s.best.change.new, f"{s.best.change.describe()}: {s.best.reason()}") for s in found if s.best for p in s.best.change.pointers}
    attention = [c for c in form.checks if needs_attention(c)]
    checks = "".join(f'<li class="check {esc(c.status)}"><span class="badge st-{"failed" if c.status == "fail" else "warn"}">{esc(c.status)}</span> '
                     f'<b>{esc(rule_for(c.rule).title_zh + " · " + rule_for(c.rule).title_en)}</b> <code>{esc(c.rule)}</code><br>{esc(c.message)}</li>' for c in attention)
    cards = "".join(value_card(form, p, ctx, proposed) for p in review_pointers(form, found)) or '<p class="noimage">No single value is involved: see the form\'s page.</p>'
    name = form.project.name or form.title or "(no project name)"
    return (f'<section class="review filterable" id="review-{esc(form.form_id)}"{_filter_attrs(form.source.file, form.project.code, form.status, _form_checks(form), name + " " + form.form_id)}>'
            f'<h3>{esc(name)} <span class="badge st-{esc(form.status)}">{esc(form.status)}</span></h3>'
            f'<p class="meta">{esc(form.source.file)} · 第 {form.source.form_index + 1} 张表 (form {form.source.form_index + 1}) · <code>{esc(form.form_id)}</code> · '
            f'项目编码 {esc(form.project.code or "—")} · {esc(form.source.method)} · manifest: {esc(owner.status)} · '
            f'<a href="{FILES_DIR}/form-{esc(form.form_id)}.html">page and tables</a></p>'
            f'<ul class="checks">{checks}</ul>{_suggestion_html(form, found, ctx)}'
            f'<h4>Values involved</h4><div class="values">{cards}</div></section>')


def forms_table(ctx: Context) -> str:
    rows = []
    for form in ctx.result.forms:
        failed = ", ".join(c.rule for c in form.checks if needs_attention(c) and needs_human(c))
        name = form.project.name or form.title or ""
        rows.append(f'<tr class="filterable"{_filter_attrs(form.source.file, form.project.code, form.status, _form_checks(form), name + " " + form.form_id)}>'
                    f'<td><a href="{FILES_DIR}/form-{esc(form.form_id)}.html">{esc(form.source.file)}</a> #{form.source.form_index}</td>'
                    f'<td>{esc(form.project.code)}</td><td>{esc(name)}</td><td><span class="badge st-{esc(form.status)}">{esc(form.status)}</span></td>'
                    f'<td class="num">{esc(fmt(form.total.score))}</td><td>{esc(form.source.method)}</td><td>{esc(failed)}</td>'
                    f'<td>{len(form.corrections) or ""}</td></tr>')
    return (f'<section id="forms"><h2>全部表 · All forms ({len(ctx.result.forms)})</h2><table class="list"><thead><tr><th>file</th><th>项目编码</th>'
            '<th>项目名称</th><th>status</th><th>总分</th><th>method</th><th>needs review for</th><th>corrections</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def page(title: str, body: str, prefix: str = "") -> str:
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title><link rel="stylesheet" href="{prefix}report.css">'
            f'<script src="{prefix}report.js" defer></script></head><body>{body}</body></html>\n')


def report_html(ctx: Context) -> str:
    review = sorted((f for f in ctx.result.forms if f.status != "ok"), key=lambda f: (tuple(-n for n in severity(f)), f.source.file, f.source.form_index))
    sections = "".join(review_section(f, ctx) for f in review) or "<p>No form needs review.</p>"
    body = (f'<header><h1>Extraction report</h1><p>{len(ctx.result.files)} files · {len(ctx.result.forms)} forms · '
            f'{ctx.result.seconds:.1f} s · <a href="manifest.csv">manifest.csv</a> · <a href="tables/forms.xlsx">tables</a></p></header>'
            f'<main>{summary(ctx)}{corrections_section(ctx)}{filters(ctx.result)}{files_section(ctx)}'
            f'<section id="review"><h2>需复核的表 · Forms needing review ({len(review)}), worst first</h2>{sections}</section>{forms_table(ctx)}</main>')
    return page("Extraction report", body, prefix=f"{FILES_DIR}/")


# --- a page per form --------------------------------------------------------------------------


def _cell(form: FormDocument, pointer: str, value: Any, numeric: bool = False) -> str:
    provenance = form.provenance.get(pointer)
    classes = ["num"] if numeric else []
    tip = [pointer]
    if provenance is not None:
        tip.append(f"page {provenance.page}")
        if provenance.confidence is not None:
            tip.append(f"confidence {provenance.confidence:.2f}")
            if provenance.confidence < LOW_CONFIDENCE:
                classes.append("low")
        if provenance.ref:
            tip.append(provenance.ref)
    correction = next((c for c in form.corrections if c.field == pointer), None)
    text = esc(shown(value) if value is not None else "")
    if correction is not None:
        classes.append("corrected")
        tip.append(f"corrected from {shown(correction.extracted)}" + (f" by {correction.reviewer}" if correction.reviewer else "")
                   + (f": {correction.note}" if correction.note else ""))
        text += f' <s class="was">{esc(shown(correction.extracted))}</s>'
    ref = f'<span class="ref">{esc(provenance.ref)}</span>' if provenance is not None and provenance.ref else ""
    return f'<td class="{" ".join(classes)}" data-ptr="{esc(pointer)}" title="{esc(" · ".join(tip))}">{text}{ref}</td>'


def tables_html(form: FormDocument) -> str:
    project = [("项目编码", "code"), ("项目名称", "name"), ("年度", "year"), ("实施单位", "implementing_unit"), ("一级预算单位", "budget_unit"), ("主管部门", "competent_department")]
    rows = "".join(f"<tr><th>{name}</th>{_cell(form, ptr.project(key), getattr(form.project, key))}</tr>" for name, key in project)
    rows += f"<tr><th>title</th>{_cell(form, ptr.TITLE, form.title)}</tr>"
    parts = [f'<h3>projects</h3><table class="kv">{rows}</table>']
    columns = [("年初预算数", "initial_budget"), ("全年预算数", "annual_budget"), ("全年执行数", "executed"), ("分值", "weight"), ("执行率", "execution_rate"), ("得分", "score")]
    head = "".join(f"<th>{name}</th>" for name, _ in columns)
    body = "".join(f"<tr>{_cell(form, ptr.funding(i, 'item'), line.item)}"
                   + "".join(_cell(form, ptr.funding(i, key), getattr(line, key), True) for _, key in columns) + "</tr>"
                   for i, line in enumerate(form.funding.lines))
    parts.append(f'<h3>funding <small>({esc(form.funding.unit or "unit not printed")})</small></h3><table class="grid"><thead><tr><th>item</th>{head}</tr></thead><tbody>{body}</tbody></table>')
    columns = [("一级", "level1", False), ("一级分值", "level1_weight", True), ("二级", "level2", False), ("三级指标", "name", False), ("年度指标值", "target", False),
               ("实际完成值", "actual", False), ("分值", "weight", True), ("得分", "score", True), ("偏差原因", "deviation_note", False)]
    head = "".join(f"<th>{name}</th>" for name, _, _ in columns)
    body = "".join("<tr>" + "".join(_cell(form, ptr.indicator(i, key), getattr(ind, key), numeric) for _, key, numeric in columns) + "</tr>"
                   for i, ind in enumerate(form.indicators))
    body += f'<tr class="total"><th colspan="6">总分</th>{_cell(form, ptr.total("weight"), form.total.weight, True)}{_cell(form, ptr.total("score"), form.total.score, True)}<td></td></tr>'
    parts.append(f'<h3>indicators</h3><table class="grid indicators"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
    goals = "".join(f"<h4>{name}</h4><ol>" + "".join(f"<li>{esc(g)}</li>" for g in items) + "</ol>" for name, items in (("预期目标", form.goals.expected), ("实际完成情况", form.goals.actual)))
    parts.append(f"<details><summary>年度总体目标</summary>{goals}</details>")
    return "".join(parts)


def page_figure(form: FormDocument, page_number: int, size: tuple[int, int], name: str) -> str:
    width, height = size
    width_pt, height_pt = width / SCALE, height / SCALE
    rects = []
    for pointer, provenance in form.provenance.items():
        if provenance.page != page_number:
            continue
        x0, top, x1, bottom = provenance.bbox
        low = " low" if provenance.confidence is not None and provenance.confidence < LOW_CONFIDENCE else ""
        corrected = " corrected" if any(c.field == pointer for c in form.corrections) else ""
        rects.append(f'<rect class="cell{low}{corrected}" data-ptr="{esc(pointer)}" x="{x0:.1f}" y="{top:.1f}" width="{max(0.5, x1 - x0):.1f}" '
                     f'height="{max(0.5, bottom - top):.1f}"><title>{esc(pointer)}: {esc(provenance.text[:80])}</title></rect>')
    return (f'<figure class="pageimage"><figcaption>page {page_number}</figcaption><div class="stack">'
            f'<img src="{esc(name)}" width="{width}" height="{height}" alt="page {page_number} of {esc(form.source.file)}">'
            f'<svg viewBox="0 0 {width_pt:.1f} {height_pt:.1f}" preserveAspectRatio="none" aria-hidden="true">{"".join(rects)}</svg></div></figure>')


def form_page(form: FormDocument, ctx: Context) -> str:
    owner = ctx.owners[form.form_id]
    figures = []
    for number in form.source.pages:
        size = ctx.images.size(owner, form, number)
        if size is not None:
            figures.append(page_figure(form, number, size, ctx.images.name(form, number)))
    if not figures:
        note = ("a spreadsheet: cells are named by their sheet reference" if form.source.method == "spreadsheet"
                else "a text export: cells are named by line and field" if form.source.method == "text_export"
                else "a Word or HTML document: cells are named by table, row and cell" if form.source.method in ("word", "html")
                else "no page image could be made")
        figures.append(f'<p class="noimage">No page image: {esc(note)}.</p>')
    checks = "".join(f'<li class="check {esc(c.status)}"><span class="badge st-{esc(c.status)}">{esc(c.status)}</span> <code>{esc(c.rule)}</code> {esc(c.message)}</li>'
                     for c in form.checks)
    corrections = "".join(f"<li><code>{esc(c.field)}</code>: {esc(shown(c.extracted))} → {esc(shown(c.corrected))}"
                          f"{' — ' + esc(c.note) if c.note else ''}{' (' + esc(c.reviewer) + ')' if c.reviewer else ''}</li>" for c in form.corrections)
    name = form.project.name or form.title or form.form_id
    layout = "formpage" if any("<img" in f for f in figures) else "formpage noimages"
    body = (f'<header><p><a href="../{REPORT}">← report</a></p><h1>{esc(name)} <span class="badge st-{esc(form.status)}">{esc(form.status)}</span></h1>'
            f'<p class="meta">{esc(form.source.file)} · 第 {form.source.form_index + 1} 张表 (form {form.source.form_index + 1}) · <code>{esc(form.form_id)}</code> · {esc(form.source.method)}'
            f'{" (" + esc(form.source.ocr_engine) + ")" if form.source.ocr_engine else ""} · pages {", ".join(map(str, form.source.pages))}</p></header>'
            f'<main class="{layout}"><div class="pages">{"".join(figures)}</div><div class="tables">'
            f'<details open><summary>checks</summary><ul class="checks">{checks}</ul></details>'
            + (f'<h3>corrections</h3><ul>{corrections}</ul>' if corrections else "")
            + f"{tables_html(form)}</div></main>")
    return page(name, body)


# --- writing --------------------------------------------------------------------------------


CSS = """
:root{--ok:#2e7d32;--review:#e68a00;--failed:#c62828;--skipped:#757575;--line:#ddd}
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:10px 20px}header a{color:#b3e5fc}header h1{margin:4px 0;font-size:20px}
main{padding:10px 20px}section{margin:18px 0}h2{border-bottom:2px solid var(--line);padding-bottom:4px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:90px}
.tile .n{display:block;font-size:22px;font-weight:600}.tile.st-ok .n{color:var(--ok)}.tile.st-needs_review .n{color:var(--review)}
.tile.st-failed .n{color:var(--failed)}.tile.st-skipped .n{color:var(--skipped)}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin-top:12px}.chart{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0;padding:8px}
.chart figcaption{font-weight:600;margin-bottom:4px}.chart text{font-size:12px;fill:#333}.chart text.small{font-size:10px}
rect.st-ok{fill:var(--ok)}rect.st-needs_review{fill:var(--review)}rect.st-failed{fill:var(--failed)}rect.st-skipped{fill:var(--skipped)}rect.bar{fill:#1976d2}
.badge{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;background:#555}
.badge.st-ok,.badge.st-pass{background:var(--ok)}.badge.st-needs_review,.badge.st-warn{background:var(--review)}
.badge.st-failed,.badge.st-fail{background:var(--failed)}.badge.st-skipped,.badge.st-skip{background:var(--skipped)}
table.list{border-collapse:collapse;width:100%;background:#fff}table.list td,table.list th{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
#filters{position:sticky;top:0;background:#eceff1;padding:8px;border-radius:6px;display:flex;gap:14px;flex-wrap:wrap;z-index:2}
.review{background:#fff;border:1px solid var(--line);border-left:5px solid var(--review);border-radius:6px;padding:6px 14px}
.meta{color:#555}header .meta{color:#cfd8dc}.checks{padding-left:18px}.check{margin:4px 0}
.suggestion{background:#e8f5e9;border:1px solid #a5d6a7;border-radius:6px;padding:4px 10px;margin:8px 0}.suggestion.none{background:#fff8e1;border-color:#ffe082}
.values{display:flex;flex-wrap:wrap;gap:10px}.value{margin:0;background:#fafafa;border:1px solid var(--line);border-radius:6px;padding:6px;max-width:360px}
.value.suspect{border:2px solid var(--failed);background:#fff5f5}.crop{display:block;max-width:340px;height:auto;border:1px solid #ccc;background:#fff}
.noimage{color:#777;font-style:italic;padding:6px}.conf.low{color:var(--failed);font-weight:600}.corrected{color:#1565c0}
.csvline{display:flex;gap:6px;align-items:center;margin:3px 0}.csvline code{background:#263238;color:#e0f2f1;padding:2px 6px;border-radius:4px;font-size:12px;word-break:break-all}
.csvline.suggested code{background:#1b5e20}button.copy{font-size:12px;cursor:pointer}
.rejected{background:#ffebee;border:1px solid #ef9a9a;border-radius:6px;padding:4px 12px}
.formpage{display:flex;gap:16px;align-items:flex-start}.formpage.noimages .pages{flex:0 0 auto;position:static}.pages{flex:1 1 50%;position:sticky;top:0;max-height:100vh;overflow:auto}
.tables{flex:1 1 50%;min-width:420px}.stack{position:relative;line-height:0}.stack img{width:100%;height:auto;display:block}
.stack svg{position:absolute;left:0;top:0;width:100%;height:100%}.pageimage{margin:0 0 12px}
rect.cell{fill:rgba(25,118,210,.06);stroke:#1976d2;stroke-width:.8}rect.cell.low{stroke:var(--failed);stroke-width:1.5}
rect.cell.corrected{stroke:#6a1b9a;stroke-width:1.5}rect.cell.hl{fill:rgba(255,193,7,.45);stroke:#ff6f00;stroke-width:2}
table.grid,table.kv{border-collapse:collapse;background:#fff;font-size:12px;width:100%}table.grid td,table.grid th,table.kv td,table.kv th{border:1px solid var(--line);padding:2px 4px;vertical-align:top;text-align:left}
td.num{text-align:right}td.low{background:#ffebee}td.corrected{background:#e3f2fd}td.hl{outline:2px solid #ff6f00}
td .ref{display:block;color:#888;font-size:10px}s.was{color:#999}table.indicators td:last-child{max-width:180px;max-height:4.5em;overflow:hidden}
@media (max-width:900px){.formpage{flex-direction:column}.pages{position:static;max-height:none}}
"""

JS = """
(function () {
  "use strict";
  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Select and copy";
    button.setAttribute("data-copied", ok ? "yes" : "no");
  }
  function fallbackCopy(text, button) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    document.body.removeChild(area);
    copied(button, ok);
  }
  function copy(text, button) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button, true); }, function () { fallbackCopy(text, button); });
    } else {
      fallbackCopy(text, button);
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-for"));
    if (source) { copy(source.textContent, button); }
  });
  function highlight(pointer, on) {
    var nodes = document.querySelectorAll("[data-ptr]");
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute("data-ptr") === pointer) { nodes[i].classList.toggle("hl", on); }
    }
  }
  ["mouseover", "mouseout"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var node = event.target.closest ? event.target.closest("td[data-ptr], rect[data-ptr]") : null;
      if (node) { highlight(node.getAttribute("data-ptr"), kind === "mouseover"); }
    });
  });
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var check = document.getElementById("filter-check");
  var count = document.getElementById("filter-count");
  if (!text || !status || !check) { return; }
  function apply() {
    var words = text.value.trim().toLowerCase();
    var items = document.querySelectorAll(".filterable");
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var hay = [item.getAttribute("data-file"), item.getAttribute("data-code"), item.getAttribute("data-text")].join(" ").toLowerCase();
      var checks = (item.getAttribute("data-checks") || "").split(" ");
      var ok = (!words || hay.indexOf(words) >= 0)
        && (!status.value || item.getAttribute("data-status") === status.value)
        && (!check.value || checks.indexOf(check.value) >= 0);
      item.hidden = !ok;
      if (ok) { shown += 1; }
    }
    count.textContent = shown + " of " + items.length + " shown";
  }
  text.addEventListener("input", apply);
  status.addEventListener("change", apply);
  check.addEventListener("change", apply);
  apply();
})();
"""


def write_report(out: Path, result: RunResult, dump: Path | None = None, corrections: CorrectionsOutcome | None = None) -> Path:
    """Write report.html and report_files/; files a previous report left and this one did not write are removed."""
    images = PageImages(out=out, dump=dump)
    ctx = Context(out=out, result=result, outcome=corrections, images=images,
                  owners={form.form_id: r for r in result.files for form in r.forms})
    folder = out / FILES_DIR
    for form in result.forms:
        name = f"form-{form.form_id}.html"
        write_text(folder / name, form_page(form, ctx))
        images.written.add(name)
    document = report_html(ctx)
    for name, text in (("report.css", CSS), ("report.js", JS)):
        write_text(folder / name, text)
        images.written.add(name)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in images.written and not stale.name.startswith("."):
            stale.unlink()
    write_text(out / REPORT, document)
    return out / REPORT
