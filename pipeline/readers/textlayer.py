"""Text-layer extractor: pdfplumber characters and vector rulings of each page."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfpage import PDFPage
from pdfminer.psexceptions import PSEOF, PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.readers import pdfium_text
from pipeline.model.errors import DamagedPdf, InputError
from pipeline.model.intermediate import DocumentContent, PageContent
from pipeline.readers.segment import Glyph, Ruling, segment_page

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings on odd operators are noise to a user

MIN_RULING_LENGTH = 4.0  # points: shorter strokes are glyph parts or dots, not table lines


def page_rulings(page: "pdfplumber.page.Page") -> list[Ruling]:
    """Given a pdfplumber page, return its horizontal and vertical lines (rect edges included)."""
    rulings = []
    for edge in page.edges:
        if edge["orientation"] == "h" and edge["x1"] - edge["x0"] >= MIN_RULING_LENGTH:
            rulings.append(Ruling("h", float(edge["top"]), float(edge["x0"]), float(edge["x1"])))
        elif edge["orientation"] == "v" and edge["bottom"] - edge["top"] >= MIN_RULING_LENGTH:
            rulings.append(Ruling("v", float(edge["x0"]), float(edge["top"]), float(edge["bottom"])))
    return rulings


def page_glyphs(page: "pdfplumber.page.Page") -> list[Glyph]:
    return [Glyph(text=ch["text"], bbox=(ch["x0"], ch["top"], ch["x1"], ch["bottom"]), size=float(ch.get("size") or 10.0)) for ch in page.chars]


MIN_CHARS = 10
MAX_BAD_GLYPH_SHARE = 0.1
MIN_FILLED_CELL_SHARE = 0.05


def _bad_glyph(text: str) -> bool:
    """Unmapped glyphs: pdfminer's "(cid:12)", U+FFFD, private-use code points."""
    return text.startswith("(cid:") or "\ufffd" in text or any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def _all_in_cells(glyphs: list[Glyph], content: PageContent) -> bool:
    """A short text all inside a ruled table's cells: a table's last row a page break sent on
    alone (总分 | 100 | 96 | 优), not the stray marks of a scan."""
    cells = [c for g in content.grids for c in g.cells]
    if len(cells) < 2:
        return False

    def inside(box: tuple[float, float, float, float]) -> bool:
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return any(c.bbox[0] <= x <= c.bbox[2] and c.bbox[1] <= y <= c.bbox[3] for c in cells)

    inked = [g for g in glyphs if g.text.strip()]
    return bool(inked) and all(inside(g.bbox) for g in inked)


def text_layer_problem(glyphs: list[Glyph], content: PageContent) -> str | None:
    """Why this page's text layer cannot be trusted (then it is OCR'd), or None if it is sound."""
    if not glyphs or (len(glyphs) < MIN_CHARS and not _all_in_cells(glyphs, content)):
        return "no text layer"
    bad = sum(1 for g in glyphs if _bad_glyph(g.text))
    if bad > MAX_BAD_GLYPH_SHARE * len(glyphs):
        return f"unmapped or private-use glyphs in {bad / len(glyphs):.0%} of the text layer"
    cells = [c for g in content.grids for c in g.cells]
    if len(cells) >= 20 and sum(1 for c in cells if c.text) < MIN_FILLED_CELL_SHARE * len(cells):
        return "the text layer covers almost none of the ruled table"
    return None


def _page_content(number: int, width: float, height: float, rulings: list[Ruling], glyphs: list[Glyph]) -> PageContent:
    content = segment_page(page=number, width=width, height=height, rulings=rulings, glyphs=glyphs, method="text_layer")
    content.text_problem = text_layer_problem(glyphs, content)
    return content


def read_page(page: "pdfplumber.page.Page") -> PageContent:
    """Given one pdfplumber page, return its grids and loose text lines, and judge its text layer."""
    return _page_content(page.page_number, float(page.width), float(page.height), page_rulings(page), page_glyphs(page))


def read_pdf(path: Path, max_pages: int | None = None) -> DocumentContent:
    """Every page of a PDF; a page that fails is recorded in ``page_errors`` and skipped.

    Pages are read with PDFium (``pdfium_text``) where it covers them, the rest with pdfplumber;
    a file PDFium cannot open goes to pdfplumber whole, which says precisely what is wrong.
    """
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            return _read_with_pdfplumber(path, max_pages, None)  # it says "encrypted PDF"
        return _read_damaged(path, max_pages, f"PDFium: {error}")
    try:
        page_count = len(document)
        if max_pages is not None and page_count > max_pages:
            raise InputError(f"{page_count} pages, more than --max-pages {max_pages}: not read", code="too_many_pages")
        content = DocumentContent(pages=[], page_count=page_count)
        uncovered: list[int] = []
        for number in range(1, page_count + 1):
            try:
                page = document[number - 1]
                try:
                    content.pages.append(_page_content(number, *pdfium_text.read_page(page)))
                finally:
                    page.close()
            except Exception:  # NotCovered, or anything PDFium trips on: pdfplumber reads the page
                uncovered.append(number)
    finally:
        document.close()
    if uncovered:
        general = _read_with_pdfplumber(path, max_pages, set(uncovered))
        content.pages = sorted(content.pages + general.pages, key=lambda p: p.page)
        content.page_errors.update(general.page_errors)
    return content


def _read_damaged(path: Path, max_pages: int | None, why: str) -> DocumentContent:
    """A PDF PDFium cannot open: rebuilt by qpdf (pikepdf) and read from the rebuilt copy, or read
    by pdfplumber as it is; when neither finds a page it is a damaged PDF (failed), never "no form"."""
    with tempfile.TemporaryDirectory(prefix="zpef-repair-") as folder:
        repaired = Path(folder) / "repaired.pdf"
        try:
            with pikepdf.open(path) as pdf:
                pdf.save(repaired)
        except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as error:
            qpdf = "qpdf: " + str(error).removeprefix(str(path)).lstrip(": ")  # no path: the message is the same wherever the file is
        else:
            content = read_pdf(repaired, max_pages)
            content.fixes.append(f"damaged PDF rebuilt by qpdf before reading ({why})")
            return content
    try:
        content = _read_with_pdfplumber(path, max_pages, None)
    except InputError as error:
        raise DamagedPdf(f"{error.message} ({qpdf})", code=error.code) from error
    if content.page_count == 0:
        raise DamagedPdf(f"damaged PDF: no page can be read ({why}; {qpdf})")
    return content


def _read_with_pdfplumber(path: Path, max_pages: int | None, only: set[int] | None) -> DocumentContent:
    """The general reader, page by page (``only`` those pages when given)."""
    content = DocumentContent(pages=[])
    # The file handle is ours: pdfplumber's own close() builds every page first, which would
    # raise on the one bad page this function is careful to isolate.
    with path.open("rb") as handle:
        try:
            pdf = pdfplumber.open(handle)
            page_objects = list(PDFPage.create_pages(pdf.doc))
        except PdfminerException as error:
            raise _classify(error) from error
        except PSException as error:
            raise _classify(PdfminerException(error)) from error
        except Exception as error:
            raise InputError(f"corrupt PDF: its page tree cannot be read ({type(error).__name__}: {error})", code="damaged_pdf") from error
        content.page_count = len(page_objects)
        if max_pages is not None and content.page_count > max_pages:
            raise InputError(f"{content.page_count} pages, more than --max-pages {max_pages}: not read", code="too_many_pages")
        for number, page_object in enumerate(page_objects, start=1):
            if only is not None and number not in only:
                continue
            # pages are built one by one (not with pdf.pages) so one bad page dictionary,
            # font or content stream loses only that page, never the other forms of the file
            try:
                page = pdfplumber.page.Page(pdf, page_object, page_number=number, initial_doctop=0)
                content.pages.append(read_page(page))
                page.close()
            except Exception as error:
                content.page_errors[number] = f"unreadable page ({_describe(error)})"
    return content


def _describe(error: Exception) -> str:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    name = type(cause).__name__
    detail = str(cause).strip()
    return f"{name}: {detail}" if detail else name


def _classify(error: PdfminerException) -> InputError:
    """Turn pdfminer's exception (wrapped by pdfplumber) into a message an archivist can act on."""
    cause = error.args[0] if error.args else None
    if isinstance(cause, PDFEncryptionError):
        return InputError("encrypted PDF: a password is needed", code="encrypted")
    if isinstance(cause, PSEOF):
        return InputError("truncated PDF: the file ends unexpectedly (incomplete copy or download?)", code="truncated_pdf")
    if isinstance(cause, PSException):
        return InputError(f"corrupt PDF: {type(cause).__name__} {cause}".strip(), code="damaged_pdf")
    return InputError(f"unreadable PDF: {cause or error}")
