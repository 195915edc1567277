"""OpenDocument spreadsheet extractor (.ods): its sheets as cell grids, like an .xlsx.

``content.xml`` is read with lxml into ``spreadsheet.Sheet`` and laid out by ``spreadsheet.sheet_page``,
so an .ods gives exactly what the same workbook saved as .xlsx gives: one page per sheet in tab
order, merges as merged cells (``table:number-columns-spanned``/``number-rows-spanned``; the
covered cells are ``table:covered-table-cell``), ``Cell.ref`` as ``Sheet1!C7`` or ``Sheet1!B14:B17``.

A cell's text is what the sheet displays: an OpenDocument cell stores its displayed text in its
``text:p`` paragraphs beside the typed value (``office:value="820000"`` shown as ``820000.00``), so
the paragraphs are read (``\\n``-joined; ``text:s`` spaces, tabs and line breaks kept); a cell with a
value but no paragraph (some generators write none) shows its value as Excel's General format.
Repeated rows and columns (``number-rows-repeated``, often a million empty rows) are counted,
not expanded. Column widths and row heights come from the automatic styles (cm, mm, in, pt, pc,
px), defaulting to LibreOffice's 2.258 cm and 0.452 cm.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from pipeline.model.errors import InputError
from pipeline.model.intermediate import DocumentContent, PageContent
from pipeline.readers.numformat import format_number
from pipeline.readers.spreadsheet import METHOD, Sheet, sheet_page

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
POINTS = {"pt": 1.0, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75}
DEFAULT_COLUMN_POINTS = 2.258 * 72 / 2.54
DEFAULT_ROW_POINTS = 0.452 * 72 / 2.54
MAX_REPEAT_WITH_TEXT = 1024  # a filled cell repeated more often is a broken file: read it once


def t(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def length_points(value: str | None) -> float | None:
    """An ODF length (``2.258cm``, ``0.178in``, ``12pt``) in points; None when unreadable."""
    if not value:
        return None
    for unit, factor in POINTS.items():
        if value.endswith(unit):
            try:
                return float(value[: -len(unit)]) * factor
            except ValueError:
                return None
    return None


def _styles(root: etree._Element) -> tuple[dict[str, float], dict[str, float]]:
    """Column widths and row heights of the automatic styles, by style name."""
    columns: dict[str, float] = {}
    rows: dict[str, float] = {}
    for style in root.iter(t(STYLE, "style")):
        name = style.get(t(STYLE, "name"))
        column = style.find(t(STYLE, "table-column-properties"))
        row = style.find(t(STYLE, "table-row-properties"))
        width = length_points(column.get(t(STYLE, "column-width"))) if column is not None else None
        height = length_points(row.get(t(STYLE, "row-height"))) if row is not None else None
        if name and width is not None:
            columns[name] = width
        if name and height is not None:
            rows[name] = height
    return columns, rows


def paragraph_text(element: etree._Element) -> str:
    """A text:p with its spans, links, repeated spaces (text:s), tabs and line breaks."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == t(TEXT, "s"):
            parts.append(" " * int(child.get(t(TEXT, "c"), "1") or 1))
        elif child.tag == t(TEXT, "tab"):
            parts.append("\t")
        elif child.tag == t(TEXT, "line-break"):
            parts.append("\n")
        elif child.tag in (t(OFFICE, "annotation"), t(TEXT, "note")):
            pass  # a comment is not what the cell shows
        else:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def cell_text(cell: etree._Element) -> str:
    paragraphs = [paragraph_text(p) for p in cell.findall(t(TEXT, "p"))]
    if paragraphs:
        return "\n".join(paragraphs)
    kind = cell.get(t(OFFICE, "value-type"))
    if kind in ("float", "percentage", "currency"):
        try:
            return format_number(float(cell.get(t(OFFICE, "value"), "")), "General")
        except ValueError:
            return ""
    for attribute in ("date-value", "time-value", "string-value", "boolean-value"):
        value = cell.get(t(OFFICE, attribute))
        if value:
            return value
    return ""


def _walk_rows(table: etree._Element) -> list[etree._Element]:
    """Rows and column declarations in order, through header and group wrappers."""
    found: list[etree._Element] = []
    for child in table:
        if child.tag in (t(TABLE, "table-row"), t(TABLE, "table-column")):
            found.append(child)
        elif child.tag in (t(TABLE, n) for n in ("table-header-rows", "table-rows", "table-row-group", "table-columns", "table-header-columns", "table-column-group")):
            found.extend(_walk_rows(child))
    return found


def table_sheet(table: etree._Element, column_styles: dict[str, float], row_styles: dict[str, float]) -> Sheet:
    """Given a table:table, return its displayed texts, merges and sizes (see the module doc)."""
    sheet = Sheet(name=table.get(t(TABLE, "name"), ""), texts={}, merges=[], default_column_points=DEFAULT_COLUMN_POINTS, default_row_points=DEFAULT_ROW_POINTS)
    r = c_declared = 0
    for element in _walk_rows(table):
        if element.tag == t(TABLE, "table-column"):
            repeat = int(element.get(t(TABLE, "number-columns-repeated"), "1"))
            width = column_styles.get(element.get(t(TABLE, "style-name"), ""))
            if width is not None and repeat <= MAX_REPEAT_WITH_TEXT:
                sheet.column_points.update({c_declared + i: width for i in range(repeat)})
            c_declared += repeat
            continue
        rows = int(element.get(t(TABLE, "number-rows-repeated"), "1"))
        height = row_styles.get(element.get(t(TABLE, "style-name"), ""))
        filled = _read_row(element, r, sheet, copies=min(rows, MAX_REPEAT_WITH_TEXT))
        if height is not None and (filled or rows <= MAX_REPEAT_WITH_TEXT):
            sheet.row_points.update({r + i: height for i in range(min(rows, MAX_REPEAT_WITH_TEXT))})
        r += rows
    return sheet


def _read_row(row: etree._Element, r: int, sheet: Sheet, copies: int) -> bool:
    """Put one row's texts and merges into the sheet (``copies`` times when the row repeats)."""
    c = 0
    filled = False
    for cell in row:
        if cell.tag not in (t(TABLE, "table-cell"), t(TABLE, "covered-table-cell")):
            continue
        repeat = int(cell.get(t(TABLE, "number-columns-repeated"), "1"))
        if cell.tag == t(TABLE, "table-cell"):
            text = cell_text(cell)
            rows_spanned = int(cell.get(t(TABLE, "number-rows-spanned"), "1"))
            columns_spanned = int(cell.get(t(TABLE, "number-columns-spanned"), "1"))
            if text or rows_spanned > 1 or columns_spanned > 1:
                filled = True
                for copy in range(copies if text else 1):
                    for i in range(min(repeat, MAX_REPEAT_WITH_TEXT) if text else 1):
                        if text:
                            sheet.texts[(r + copy, c + i)] = text
                        if rows_spanned > 1 or columns_spanned > 1:
                            sheet.merges.append((r + copy, r + copy + rows_spanned, c + i, c + i + columns_spanned))
        c += repeat
    return filled


def read_ods(path: Path) -> DocumentContent:
    """Every sheet of an .ods workbook; a sheet that fails is a page error."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("content.xml")
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True))
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InputError(f"damaged .ods workbook ({type(error).__name__}: {error})") from error
    except etree.XMLSyntaxError as error:
        raise InputError(f"damaged .ods workbook (content.xml: {error})") from error
    column_styles, row_styles = _styles(root)
    pages: list[PageContent] = []
    errors: dict[int, str] = {}
    sheets = [table for table in root.iter(t(TABLE, "table")) if table.getparent() is not None and table.getparent().tag == t(OFFICE, "spreadsheet")]
    for number, table in enumerate(sheets, start=1):
        try:
            pages.append(sheet_page(table_sheet(table, column_styles, row_styles), number))
        except Exception as error:
            errors[number] = f"unreadable sheet {table.get(t(TABLE, 'name'))!r} ({type(error).__name__}: {error})"
    return DocumentContent(pages=pages, page_errors=errors, page_count=len(pages) + len(errors))


__all__ = ["METHOD", "read_ods"]
