"""Excel 2003 XML workbooks (SpreadsheetML): what many web systems export and name ``.xls``.

The file is XML (``<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">``), read here
with lxml into ``spreadsheet.Sheet`` and laid out by ``spreadsheet.sheet_page``, so it gives what
the same workbook saved as .xlsx gives: one page per ``Worksheet``, ``ss:MergeAcross`` and
``ss:MergeDown`` as merged cells, ``Cell.ref`` as ``Sheet1!C7``.

Cells are placed as Excel places them: a cell's column is its ``ss:Index`` when given, else the
column after the previous cell (and its ``MergeAcross``); rows likewise with ``Row ss:Index``.
Numbers are shown by their style's ``NumberFormat`` (``0.00``, and Excel's named formats such as
``Fixed``, ``Percent``, ``Standard``), through ``numformat`` like any spreadsheet; strings (rich
text included) as they are. Widths and heights are in points in the file already.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from pipeline.model.errors import InputError
from pipeline.model.intermediate import DocumentContent, PageContent
from pipeline.readers.numformat import format_number
from pipeline.readers.spreadsheet import Sheet, sheet_page

SS = "urn:schemas-microsoft-com:office:spreadsheet"
NAMED_FORMATS = {
    "General": "General",
    "General Number": "General",
    "Fixed": "0.00",
    "Standard": "#,##0.00",
    "Percent": "0.00%",
    "Scientific": "0.00E+00",
    "Currency": "#,##0.00",
    "0": "0",
}
DEFAULT_COLUMN_POINTS = 54.0
DEFAULT_ROW_POINTS = 13.5


def ss(name: str) -> str:
    return f"{{{SS}}}{name}"


def looks_like_xml_workbook(head: bytes) -> bool:
    """An Excel 2003 XML workbook: XML whose root is SpreadsheetML's <Workbook>."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:8192]
    return start.startswith(b"<") and b"urn:schemas-microsoft-com:office:spreadsheet" in start and b"<Workbook" in start


def _int(element: etree._Element, name: str, default: int) -> int:
    try:
        return int(element.get(ss(name), default))
    except ValueError:
        return default


def _float(element: etree._Element, name: str) -> float | None:
    try:
        return float(element.get(ss(name), ""))
    except ValueError:
        return None


def number_formats(root: etree._Element) -> dict[str, str]:
    """Style ID -> number format (styles inherit their ss:Parent's format)."""
    formats: dict[str, str] = {}
    parents: dict[str, str] = {}
    for style in root.iter(ss("Style")):
        key = style.get(ss("ID"), "")
        found = style.find(ss("NumberFormat"))
        if found is not None and found.get(ss("Format")):
            value = found.get(ss("Format"), "General")
            formats[key] = NAMED_FORMATS.get(value, value)
        elif style.get(ss("Parent")):
            parents[key] = style.get(ss("Parent"), "")
    for key, parent in parents.items():
        if parent in formats:
            formats[key] = formats[parent]
    return formats


def cell_text(cell: etree._Element, formats: dict[str, str]) -> str:
    data = cell.find(ss("Data"))
    if data is None:
        return ""
    text = "".join(data.itertext())
    if data.get(ss("Type")) == "Number":
        try:
            return format_number(float(text), formats.get(cell.get(ss("StyleID"), ""), "General"))
        except ValueError:
            return text
    if data.get(ss("Type")) == "Boolean":
        return "TRUE" if text.strip() in ("1", "true") else "FALSE"
    return text


def worksheet_sheet(worksheet: etree._Element, formats: dict[str, str]) -> Sheet:
    """One Worksheet's texts, merges and sizes, cells placed as Excel places them."""
    table = worksheet.find(ss("Table"))
    sheet = Sheet(name=worksheet.get(ss("Name"), ""), texts={}, merges=[], default_column_points=DEFAULT_COLUMN_POINTS, default_row_points=DEFAULT_ROW_POINTS)
    if table is None:
        return sheet
    sheet.default_column_points = _float(table, "DefaultColumnWidth") or DEFAULT_COLUMN_POINTS
    sheet.default_row_points = _float(table, "DefaultRowHeight") or DEFAULT_ROW_POINTS
    c = 0
    for column in table.findall(ss("Column")):
        c = _int(column, "Index", c + 1) - 1
        width = _float(column, "Width")
        for i in range(1 + _int(column, "Span", 0)):
            if width is not None:
                sheet.column_points[c + i] = width
        c += _int(column, "Span", 0) + 1
    r = -1
    for row in table.findall(ss("Row")):
        r = _int(row, "Index", r + 2) - 1
        height = _float(row, "Height")
        if height is not None:
            sheet.row_points[r] = height
        c = -1
        for cell in row.findall(ss("Cell")):
            c = _int(cell, "Index", c + 2) - 1
            text = cell_text(cell, formats)
            if text:
                sheet.texts[(r, c)] = text
            across, down = _int(cell, "MergeAcross", 0), _int(cell, "MergeDown", 0)
            if across or down:
                sheet.merges.append((r, r + down + 1, c, c + across + 1))
            c += across
    return sheet


def read_xml_workbook(path: Path) -> DocumentContent:
    """Every Worksheet of an Excel 2003 XML workbook as a page."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)).getroot()
    except (etree.XMLSyntaxError, OSError) as error:
        raise InputError(f"damaged Excel 2003 XML workbook ({error})") from error
    formats = number_formats(root)
    pages: list[PageContent] = []
    errors: dict[int, str] = {}
    for number, worksheet in enumerate(root.iter(ss("Worksheet")), start=1):
        try:
            pages.append(sheet_page(worksheet_sheet(worksheet, formats), number))
        except Exception as error:
            errors[number] = f"unreadable sheet {worksheet.get(ss('Name'))!r} ({type(error).__name__}: {error})"
    return DocumentContent(pages=pages, page_errors=errors, page_count=len(pages) + len(errors))
