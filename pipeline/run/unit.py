"""The per-file unit of work: extract -> parse -> (re-read numbers) -> build (ids, checks, validation).

``process_file`` takes an ``InputFile`` and returns a ``FileResult``, never raising, so one bad
file cannot lose the batch; ``batch.run`` runs it over a dump, ``export`` writes the outputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from pipeline.model import pointer as ptr
from pipeline.model.document import Check, CheckStatus, ContinuedIn, FormDocument, FormStatus, Source
from pipeline.model.errors import FileTooLarge, InputError
from pipeline.ocr.options import ExtractOptions
from pipeline.ocr.scan import ScanPage
from pipeline.ocr.extract import Extraction, confirm_texts, doubt_creased, doubt_cut_print, extract, extraction_of, reread_headers, reread_numbers
from pipeline.readers.ingest import InputFile
from pipeline.model.intermediate import DocumentContent, KeptReading, PageContent
from pipeline.parse.form import ParsedForm, Unsupported, continued_form, leading_continuation, parse_document
from pipeline.run.registry import KINDS as DOCUMENT_KINDS
from pipeline.run.registry import extract_document
from pipeline.checks.reconcile import pages_joined, reconcile, structure_read, values_readable
from pipeline.checks.rules import form_status, summarise
from pipeline.model.result import FileResult, FileStatus
from pipeline.readers.spreadsheet import read_xls, read_xlsx
from pipeline.readers.textexport import read_text_export
from pipeline.checks.validate import schema_errors

# A text export is a few kilobytes per form; beyond this it is not one, and reading it whole
# into memory (as the export reader does) is refused before the work.
TEXT_EXPORT_MAX_BYTES = 20_000_000

SKIP_REASONS = {
    "text": "plain text: not a form document this version reads",
    "zip": "archive: unpack it into the dump to process the files inside",
}


def build_form(parsed: ParsedForm, source_file: InputFile, index: int, method: str, ocr_engine: str | None = None, continued_in: list[ContinuedIn] | None = None) -> FormDocument:
    """Give a parsed form its id and source, run the checks, validate it, set its status."""
    form = FormDocument(
        form_id=f"{source_file.sha256[:16]}-{index}",
        title=parsed.title,
        template=parsed.template,
        source=Source(
            file=source_file.relpath,
            sha256=source_file.sha256,
            form_index=index,
            pages=parsed.pages,
            method=method,
            ocr_engine=ocr_engine if method == "ocr" else None,
            continued_in=continued_in or [],
        ),
        project=parsed.project,
        funding=parsed.funding,
        goals=parsed.goals,
        indicators=parsed.indicators,
        total=parsed.total,
        other_notes=parsed.other_notes,
        dropped_rows=parsed.dropped_rows,
        provenance=parsed.provenance,
    )
    form.checks = reconcile(form)
    if parsed.template_note:  # the layout_known check, with the closest template and what did not match
        form.checks = [replace(c, message=parsed.template_note) if c.rule == "layout_known" and c.status == CheckStatus.FAIL else c for c in form.checks]
    if parsed.problems:
        form.checks.append(values_readable(parsed.problems))
    if parsed.unread:
        form.checks.append(structure_read(parsed.unread))
    if not parsed.indicators:
        form.checks.append(Check("indicators_found", CheckStatus.FAIL, "no indicator rows found under an 一级指标/三级指标 header"))
    if form.source.continued_in:
        form.checks.append(pages_joined(form))
    form.status = form_status(form.checks)
    errors = schema_errors(form.to_json())
    if errors:
        form.checks.append(Check("schema", CheckStatus.FAIL, "; ".join(errors[:10])))
        form.status = FormStatus.NEEDS_REVIEW
    return form


def _extract(source_file: InputFile, options: ExtractOptions) -> Extraction:
    if source_file.kind == "empty":
        raise InputError("empty file (0 bytes)", code="empty_file")
    if source_file.kind in ("pdf", "image"):
        return extract(source_file, options)
    if source_file.kind == "xlsx":
        return Extraction(read_xlsx(source_file.path), base_method="spreadsheet")
    if source_file.kind == "xls":
        return Extraction(read_xls(source_file.path), base_method="spreadsheet")
    if source_file.kind == "text_export":
        if source_file.size > TEXT_EXPORT_MAX_BYTES:
            raise FileTooLarge(f"a {source_file.size / 1e6:.0f} MB text export: far beyond any form (limit {TEXT_EXPORT_MAX_BYTES / 1e6:g} MB), not read")
        return Extraction(read_text_export(source_file.path), base_method="text_export")
    if source_file.kind in DOCUMENT_KINDS:
        return extract_document(source_file, options)
    if source_file.kind == "text" and source_file.path.suffix.lower() == ".pdf":
        raise InputError("plain text file named .pdf: it is not a PDF", status=FileStatus.SKIPPED, code="not_a_document")
    if source_file.kind in SKIP_REASONS:
        raise InputError(SKIP_REASONS[source_file.kind], status=FileStatus.SKIPPED, code={"zip": "archive", "text": "plain_text"}[source_file.kind])
    raise InputError(f"unknown file type ({source_file.detail})", status=FileStatus.SKIPPED, code="unknown_type")


CONTINUATION_MESSAGE = (
    "no form begins in this file, yet its table goes on one ({evidence}): a later page of a form, saved as a file "
    "of its own, whose form could not be read on from a file before it in its folder, and its values are not "
    "extracted; put the form's pages in one file (a PDF, or a multi-page TIFF), or in order in one folder"
)


LEADING_MESSAGE = "above its first form's title, its table goes on a form begun elsewhere ({evidence}): those rows belong to no form read from this file and their values are not extracted"


def _pages_summary(content: DocumentContent) -> str:
    return f"no 项目支出绩效自评表 found in {content.page_count} page(s)"


def process_file(source_file: InputFile, options: ExtractOptions = ExtractOptions()) -> FileResult:
    """Extract every form of one file; every problem becomes a status and a message."""
    return _process([source_file], options)


def process_files(sources: list[InputFile], options: ExtractOptions = ExtractOptions(), kept: list[KeptReading | None] | None = None) -> FileResult:
    """The forms of a file read together with the files after it that hold its last form's later
    pages (a phone's or a scanner's file per page: ``continuation_page`` when read alone), as
    one document: the result is the first file's, its last form going on into the others
    (``Source.continued_in``). Its ``reason`` is ``not_joined`` when the pages did not join: the
    first file's forms would not go on into each of the later files. ``kept``: each file's reading
    as its own result kept it (``FileResult.kept``), read on without OCR again; None: read again."""
    result = _process(sources, options, kept)
    if result.reason == "not_joined" or len(sources) == 1:
        return result
    joined = {later.file for form in result.forms for later in form.source.continued_in}
    if not result.forms or joined != {s.relpath for s in sources[1:]} or any(f.source.continued_in for f in result.forms[:-1]) or not result.forms[-1].source.pages:
        return replace(
            result,
            forms=[],
            page_images={},
            pictures={},
            status=FileStatus.FAILED,
            reason="not_joined",
            message=f"the forms of {sources[0].relpath} do not go on into {', '.join(s.relpath for s in sources[1:])}",
        )
    return result


@dataclass(frozen=True)
class _Origins:
    """Which file and page of it each page of a joined document is (pages numbered on across the files)."""

    sources: list[InputFile]
    offsets: list[int]  # the document's page number before each file's first page

    def of(self, page: int) -> tuple[InputFile, int]:
        index = max(i for i, offset in enumerate(self.offsets) if offset < page or i == 0)
        return self.sources[index], page - self.offsets[index]


def _renumbered(page: PageContent, offset: int) -> PageContent:
    number = page.page + offset
    grids = [replace(grid, page=number, cells=[replace(cell, page=number) for cell in grid.cells]) for grid in page.grids]
    return replace(page, page=number, grids=grids, lines=[replace(line, page=number) for line in page.lines])


def _joined(extractions: list[Extraction], sources: list[InputFile]) -> tuple[Extraction, _Origins]:
    """The files' extractions as one document, their pages numbered on from file to file."""
    offsets: list[int] = []
    pages: list[PageContent] = []
    errors: dict[int, str] = {}
    scans: dict[int, ScanPage] = {}
    fixes: list[str] = []
    offset = 0
    for extraction, source in zip(extractions, sources):
        offsets.append(offset)
        content = extraction.content
        pages += [_renumbered(page, offset) for page in content.pages]
        errors |= {number + offset: message for number, message in content.page_errors.items()}
        scans |= {number + offset: replace(scan, page=number + offset) for number, scan in extraction.scans.items()}
        fixes += content.fixes if offset == 0 else [f"{source.relpath}: {fix}" for fix in content.fixes]
        offset += content.page_count
    joined = Extraction(
        DocumentContent(pages=pages, page_errors=errors, page_count=offset, fixes=fixes),
        base_method=extractions[0].base_method,
        scans=scans,
        engine_name=next((e.engine_name for e in extractions if e.engine_name), None),
    )
    return joined, _Origins(sources, offsets)


def _process(sources: list[InputFile], options: ExtractOptions, kept: list[KeptReading | None] | None = None) -> FileResult:
    source_file = sources[0]
    result = FileResult(file=source_file.relpath, sha256=source_file.sha256, bytes=source_file.size, status=FileStatus.FAILED)
    clock = time.perf_counter()
    readings = kept or [None] * len(sources)
    try:
        extractions = [extraction_of(reading) if reading is not None else _extract(source, options) for source, reading in zip(sources, readings)]
    except InputError as error:
        if len(sources) > 1:
            return replace(result, reason="not_joined", message=error.message)
        result.status, result.message, result.reason = error.status, error.message, error.code
        return result
    except Exception as error:  # an extractor bug must not lose the batch
        result.message, result.reason = f"internal error while reading: {type(error).__name__}: {error}", "internal_error" if len(sources) == 1 else "not_joined"
        return result
    extraction, origins = _joined(extractions, sources) if len(sources) > 1 else (extractions[0], _Origins(sources, [0]))
    content = extraction.content
    own_pages = extractions[0].content.page_count
    result.pages, result.method = own_pages, extractions[0].method  # the row is the first file's
    page_images = _page_images(extraction, readings, origins)
    result.page_images = {number: image for number, image in page_images.items() if number <= own_pages}
    if len(sources) > 1:  # a later file's OCR'd pages: its own row writes them too, the same bytes; the report shows them with this form
        from pipeline.outputs.export import PAGES_DIR, page_image_name

        for number, image in page_images.items():
            if number > own_pages:
                later, page = origins.of(number)
                result.pictures[f"{PAGES_DIR}/{page_image_name(later.relpath, page)}"] = image
    result.timings["extract"], clock = time.perf_counter() - clock, time.perf_counter()
    notes = [f"page {page}: {message}" for page, message in sorted(content.page_errors.items())]
    fixes = content.fixes + [f"page {page.page}: {fix}" for page in content.pages for fix in page.corrections]
    try:
        parsed_forms = parse_document(content)
        if extraction.scans:
            if reread_headers(extraction, [p for p in parsed_forms if isinstance(p, ParsedForm)]):
                parsed_forms = parse_document(content)
            forms = [p for p in parsed_forms if isinstance(p, ParsedForm)]
            reread_numbers(extraction, forms)
            confirm_texts(extraction, forms)
            doubt_creased(extraction)
            doubt_cut_print(extraction)
            parsed_forms = parse_document(content)
    except Exception as error:
        result.message, result.reason = "; ".join(notes + [f"internal error while parsing: {type(error).__name__}: {error}"]), "internal_error"
        return result
    result.timings["parse"], clock = time.perf_counter() - clock, time.perf_counter()
    for parsed in parsed_forms:
        if isinstance(parsed, Unsupported):
            notes.append(f"pages {parsed.pages}: {parsed.reason}")
            continue
        try:
            method = extraction.method_of(parsed.pages)
            form = build_form(_on_own_pages(parsed, origins), source_file, len(result.forms), method, extraction.engine_name, _continued_in(parsed.pages, origins))
            result.forms.append(form)
            if parsed.grid is not None:
                result.grids[form.form_id] = parsed.grid
                notes.append(f"form {form.source.form_index} (pages {parsed.pages}): {parsed.template_note}; its cell grid is saved beside its JSON")
        except Exception as error:
            notes.append(f"form on pages {parsed.pages}: internal error: {type(error).__name__}: {error}")
    result.timings["build"], clock = time.perf_counter() - clock, time.perf_counter()
    suggest_forms(result)
    result.timings["suggest"] = time.perf_counter() - clock
    if not result.forms:
        result.status = FileStatus.FAILED if content.page_errors else FileStatus.SKIPPED
        other_types = any(isinstance(parsed, Unsupported) for parsed in parsed_forms)
        result.reason = "unreadable_pages" if content.page_errors else "other_form_type" if other_types else "not_a_form"
        result.message = "; ".join(notes + [_pages_summary(content)] + fixes)
        continued = None if content.page_errors or other_types else continued_form(content)
        if continued is not None:  # a form's later page in a file of its own: its values must not go unseen
            result.status, result.reason = FileStatus.NEEDS_REVIEW, "continuation_page"
            result.message = "; ".join(notes + [CONTINUATION_MESSAGE.format(evidence=continued)] + fixes)
            if len(sources) == 1:  # its values were confirmed by no form: its page images are kept to confirm them with
                result.kept = extraction.kept(result.page_images, with_images=True)
        return result
    leading = leading_continuation(content)
    if leading is not None:  # rows of a form begun elsewhere: no form of this file holds them, and they must not go unseen
        notes.append(LEADING_MESSAGE.format(evidence=leading))
    result.notes, result.fixes = notes, fixes
    if len(sources) == 1 and (not ends_whole(result.forms[-1], content) or begins_untitled(result.forms)):
        result.kept = extraction.kept(result.page_images, with_images=False)  # a form that may go on, or a later page of one
    summarise(result)
    if leading is not None and result.reason == "page_errors" and len(notes) == 1:
        result.reason = "leading_rows"
    return result


def ends_whole(form: FormDocument, content: DocumentContent) -> bool:
    """Whether the form ends on its own pages: its 总分 score read in, or below, the last table of its
    last page, and below its indicators. A total printed above the table (项目总得分99分 under the
    title) says nothing of where the table ends."""
    total = form.provenance.get(ptr.total("score"))
    if total is None or not form.source.pages or total.page != form.source.pages[-1]:
        return False
    tops = [grid.bbox[1] for page in content.pages if page.page == total.page for grid in page.grids]
    # nor does a 总分 row at the top of the table, over its indicators (安居's 自评得分 layout)
    indicator_tops = [p.bbox[1] for pointer, p in form.provenance.items() if ptr.tokens(pointer)[0] == "indicators" and p.page == total.page]
    return (not tops or total.bbox[1] >= max(tops) - 1.0) and (not indicator_tops or total.bbox[1] >= max(indicator_tops))


def begins_untitled(forms: list[FormDocument]) -> bool:
    """Whether the first form has no title and no project name: a later page of a form that repeats
    its indicator header (read alone as a form whose title was lost), not a form's first page,
    which prints the project's name under its title."""
    return bool(forms) and forms[0].title is None and forms[0].project.name is None


def _page_images(extraction: Extraction, readings: list[KeptReading | None], origins: _Origins) -> dict[int, bytes]:
    """The review image of every OCR'd page of the document: made from its scan, or the one a kept reading holds."""
    images: dict[int, bytes] = {}
    for reading, offset in zip(readings, origins.offsets):
        if reading is not None:
            images |= {number + offset: image for number, image in reading.page_images.items()}
    return images | {number: scan.display_webp() for number, scan in extraction.scans.items() if number not in images}


def _on_own_pages(parsed: ParsedForm, origins: _Origins) -> ParsedForm:
    """A form parsed from a joined document with its pages its first file's, and what was printed
    in a later file marked with that file and its page there."""
    if len(origins.sources) == 1:
        return parsed
    first = origins.sources[0]

    def where(page: int) -> tuple[str | None, int]:
        source, own = origins.of(page)
        return (None if source is first else source.relpath), own

    provenance = {}
    for pointer, printed in parsed.provenance.items():
        file, page = where(printed.page)
        provenance[pointer] = replace(printed, page=page, file=file)
    dropped = [replace(row, page=where(row.page)[1], file=where(row.page)[0]) for row in parsed.dropped_rows]
    return replace(parsed, pages=[p for p in parsed.pages if origins.of(p)[0] is first], provenance=provenance, dropped_rows=dropped)


def _continued_in(pages: list[int], origins: _Origins) -> list[ContinuedIn]:
    later: dict[str, ContinuedIn] = {}
    for page in pages:
        source, own = origins.of(page)
        if source is not origins.sources[0]:
            later.setdefault(source.relpath, ContinuedIn(source.relpath, source.sha256, [])).pages.append(own)
    return list(later.values())


def suggest_forms(result: FileResult) -> None:
    """Suggestions from arithmetic for each form, in the worker that read it: each failing sum
    check's message names them (``suggest.annotate``) and the result keeps them."""
    from pipeline.checks.suggest import annotate  # suggest imports corrections, which imports this module

    for form in result.forms:
        result.suggestions[form.form_id] = (len(form.corrections), annotate(form))
