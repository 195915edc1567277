"""Text-layer extractor: pdfplumber characters and vector rulings of each page."""

from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfpage import PDFPage
from pdfminer.psexceptions import PSEOF, PSException
from pdfplumber.utils.exceptions import PdfminerException

from .errors import InputError
from .model import DocumentContent, PageContent
from .segment import Glyph, Ruling, segment_page

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
    return [
        Glyph(text=ch["text"], bbox=(ch["x0"], ch["top"], ch["x1"], ch["bottom"]), size=float(ch.get("size") or 10.0))
        for ch in page.chars
    ]


def read_page(page: "pdfplumber.page.Page") -> PageContent:
    """Given one pdfplumber page, return its grids and loose text lines."""
    return segment_page(
        page=page.page_number,
        width=float(page.width),
        height=float(page.height),
        rulings=page_rulings(page),
        glyphs=page_glyphs(page),
        method="text_layer",
    )


def read_pdf(path: Path) -> DocumentContent:
    """Every page of a PDF; a page that fails is recorded in ``page_errors`` and skipped."""
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
            raise InputError(f"corrupt PDF: its page tree cannot be read ({type(error).__name__}: {error})") from error
        content.page_count = len(page_objects)
        for number, page_object in enumerate(page_objects, start=1):
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
        return InputError("encrypted PDF: a password is needed")
    if isinstance(cause, PSEOF):
        return InputError("truncated PDF: the file ends unexpectedly (incomplete copy or download?)")
    if isinstance(cause, PSException):
        return InputError(f"corrupt PDF: {type(cause).__name__} {cause}".strip())
    return InputError(f"unreadable PDF: {cause or error}")
