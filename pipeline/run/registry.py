"""Routing of the document kinds read besides PDFs, images, spreadsheets and text exports.

``ingest`` names a file's kind from its bytes; ``run`` hands the kinds listed in ``KINDS`` here.
Each kind has its reader module; what each needs is in the README's table of input kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.readers.convert import convert, temporary_folder
from pipeline.model.errors import InputError
from pipeline.ocr.extract import Extraction
from pipeline.ocr.options import ExtractOptions
from pipeline.readers.htmltable import METHOD as HTML_METHOD
from pipeline.readers.htmltable import read_html, read_mht
from pipeline.readers.ingest import InputFile
from pipeline.model.intermediate import DocumentContent
from pipeline.readers.ods import read_ods
from pipeline.readers.ofd import METHOD as OFD_METHOD
from pipeline.readers.ofd import read_ofd
from pipeline.readers.spreadsheet import METHOD as SPREADSHEET_METHOD
from pipeline.readers.worddoc import METHOD as WORD_METHOD
from pipeline.readers.worddoc import read_docx
from pipeline.readers.xmlsheet import read_xml_workbook

KINDS = ("docx", "doc", "odt", "rtf", "ods", "xml_workbook", "html", "mht", "ofd", "encrypted_office")


def extract_document(source_file: InputFile, options: ExtractOptions = ExtractOptions()) -> Extraction:
    """Read one file of a kind in ``KINDS``; problems come back as InputError."""
    path, kind = source_file.path, source_file.kind
    if kind == "docx":
        return Extraction(read_docx(path), base_method=WORD_METHOD)
    if kind in ("doc", "odt", "rtf"):
        return Extraction(_converted(path, kind, "docx", source_file.detail, read_docx), base_method=WORD_METHOD)
    if kind == "ods":
        return Extraction(read_ods(path), base_method=SPREADSHEET_METHOD)
    if kind == "xml_workbook":
        return Extraction(read_xml_workbook(path), base_method=SPREADSHEET_METHOD)
    if kind == "html":
        return Extraction(read_html(path), base_method=HTML_METHOD)
    if kind == "mht":
        return Extraction(read_mht(path), base_method=HTML_METHOD)
    if kind == "ofd":
        return Extraction(read_ofd(path, options.max_pages), base_method=OFD_METHOD)
    if kind == "encrypted_office":
        raise InputError("password-protected Office file (.docx or .xlsx): a password is needed to read it")
    raise InputError(f"no reader for {source_file.detail}")


def _converted(path: Path, source: str, target: str, what: str, read: Callable[[Path], DocumentContent]) -> DocumentContent:
    """Convert with LibreOffice into a temporary folder, read the result, remove the folder."""
    with temporary_folder() as folder:
        return read(convert(path, source, target, what, Path(folder)))
