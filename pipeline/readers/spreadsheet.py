"""Spreadsheet extractor: the worksheets of .xlsx (openpyxl) and .xls (xlrd) files as cell grids.

The parser gets the same objects as from a PDF's text layer:

- each worksheet is one page, numbered by its 1-based position in the workbook's tab order;
- a sheet's grid covers its content, from the first to the last non-empty row and column, and a
  sheet may hold several forms stacked (each starts at its title row, as in a PDF);
- a merged range is one ``Cell`` with ``row_span``/``col_span`` and the text of its top-left cell;
  every other slot is one ``Cell``, empty or not, as in a ruled table;
- a cell's text is what the sheet displays: numbers formatted by their number format
  (``numformat``: 820000 with ``0.00`` is ``820000.00``, 1.0 with ``0%`` is ``100%``), strings as
  they are, formulas by their value as last saved (a formula never calculated gives an empty cell);
- ``Cell.ref`` names the cell for a reviewer: ``Sheet1!C7``, or ``Sheet1!B16:B19`` for a merged
  range; a sheet name other than letters, digits and ``_`` is quoted as Excel does (``'My sheet'!A1``).

Coordinates are synthetic: points from the sheet's top-left corner at 100% zoom, from the column
widths and row heights saved in the file. A width of ``w`` characters is ``trunc(7w + 5)`` pixels as
Excel draws it with its default font (7-pixel digits), at 0.75 point per pixel; unsaved sizes are the
sheet's defaults (8.43 characters, 15 points in .xlsx, 12.75 points in .xls). Hidden rows and columns
are kept with their saved size: their text is in the file.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import xlrd
from xlrd import compdoc

from pipeline.model.errors import FileTooLarge, InputError
from pipeline.model.intermediate import Cell, DocumentContent, Grid, PageContent
from pipeline.readers.numformat import display_value, format_number
from pipeline.model.result import FileStatus

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

METHOD = "spreadsheet"
DEFAULT_COLUMN_CHARS = 8.43
XLSX_DEFAULT_ROW_POINTS = 15.0
XLS_DEFAULT_ROW_POINTS = 12.75
POINTS_PER_PIXEL = 0.75
# A form fills a few hundred cells; a sheet whose text spans more slots than this (a stray value
# at XFD1048576) is refused with its range rather than laid out as a grid that fills the memory.
MAX_SHEET_SLOTS = 1_000_000
MAX_XLSX_SHEET_BYTES = 200_000_000  # the worksheets' XML unpacked; a form's sheet is tens of kilobytes


@dataclass
class Sheet:
    """One worksheet as read from either format: displayed texts and merges by 0-based (row, col)."""

    name: str
    texts: dict[tuple[int, int], str]
    merges: list[tuple[int, int, int, int]]  # first row, end row, first col, end col (half-open)
    column_points: dict[int, float] = field(default_factory=dict)
    row_points: dict[int, float] = field(default_factory=dict)
    default_column_points: float = 0.0
    default_row_points: float = XLSX_DEFAULT_ROW_POINTS


def chars_to_points(width: float) -> float:
    """An Excel column width in characters of the default font, as points on the screen at 100%."""
    return int(7 * width + 5) * POINTS_PER_PIXEL if width > 0 else 0.0


def sheet_ref(name: str) -> str:
    return name if re.fullmatch(r"\w+", name) else "'" + name.replace("'", "''") + "'"


def cell_ref(sheet: str, row: int, col: int, end_row: int | None = None, end_col: int | None = None) -> str:
    """0-based (row, col) and half-open ends -> ``Sheet!C7`` or ``Sheet!B16:B19``."""
    from openpyxl.utils import get_column_letter

    first = f"{get_column_letter(col + 1)}{row + 1}"
    if end_row is not None and end_col is not None and (end_row - row, end_col - col) != (1, 1):
        first += f":{get_column_letter(end_col)}{end_row}"
    return f"{sheet_ref(sheet)}!{first}"


# --- one sheet -> one page ----------------------------------------------------------------


def sheet_page(sheet: Sheet, page: int) -> PageContent:
    """Given a sheet read from either format, return its page: one grid over its content."""
    filled = [key for key, text in sheet.texts.items() if text.strip()]
    if not filled:
        return PageContent(page=page, width=0.0, height=0.0, method=METHOD)
    r0, r1 = min(r for r, _ in filled), max(r for r, _ in filled) + 1
    c0, c1 = min(c for _, c in filled), max(c for _, c in filled) + 1
    if (r1 - r0) * (c1 - c0) > MAX_SHEET_SLOTS:
        from openpyxl.utils import get_column_letter

        span = f"{cell_ref(sheet.name, r0, c0)}:{get_column_letter(c1)}{r1}"
        raise ValueError(f"its text spans {span} ({(r1 - r0) * (c1 - c0):,} cells), more than the {MAX_SHEET_SLOTS:,} a sheet of forms can use: not read")
    xs = _edges([sheet.column_points.get(c, sheet.default_column_points) for c in range(c1)])
    ys = _edges([sheet.row_points.get(r, sheet.default_row_points) for r in range(r1)])
    cells: list[Cell] = []
    covered: set[tuple[int, int]] = set()
    for top, bottom, left, right in sheet.merges:
        top, bottom, left, right = max(top, r0), min(bottom, r1), max(left, c0), min(right, c1)
        if top >= bottom or left >= right:
            continue
        covered.update((r, c) for r in range(top, bottom) for c in range(left, right))
        cells.append(_cell(sheet, page, xs, ys, (r0, c0), top, left, bottom, right))
    for r in range(r0, r1):
        for c in range(c0, c1):
            if (r, c) not in covered:
                cells.append(_cell(sheet, page, xs, ys, (r0, c0), r, c, r + 1, c + 1))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    grid = Grid(cells=cells, n_rows=r1 - r0, n_cols=c1 - c0, page=page, bbox=(xs[c0], ys[r0], xs[c1], ys[r1]))
    return PageContent(page=page, width=xs[c1], height=ys[r1], grids=[grid], method=METHOD)


def _edges(sizes: list[float]) -> list[float]:
    edges = [0.0]
    for size in sizes:
        edges.append(edges[-1] + size)
    return edges


def _cell(sheet: Sheet, page: int, xs: list[float], ys: list[float], origin: tuple[int, int], r: int, c: int, end_r: int, end_c: int) -> Cell:
    return Cell(
        row=r - origin[0],
        col=c - origin[1],
        row_span=end_r - r,
        col_span=end_c - c,
        text=sheet.texts.get((r, c), ""),
        bbox=(xs[c], ys[r], xs[end_c], ys[end_r]),
        page=page,
        ref=cell_ref(sheet.name, r, c, end_r, end_c),
    )


def _content(pages: list[PageContent], errors: dict[int, str]) -> DocumentContent:
    return DocumentContent(pages=pages, page_errors=errors, page_count=len(pages) + len(errors))


# --- .xlsx --------------------------------------------------------------------------------


def read_xlsx(path: Path) -> DocumentContent:
    """Every worksheet of an .xlsx (or .xlsm) workbook; a sheet that fails is a page error."""
    import openpyxl  # here, not at the top: the main process sniffs files with this module's neighbours and never reads one
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.worksheet.worksheet import Worksheet

    _check_unpacked_size(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "extension is not supported": noise to a user
            book = openpyxl.load_workbook(path, data_only=True)
            # a second view, with the formulas, only for a workbook that has any: to tell one never calculated
            formulas = openpyxl.load_workbook(path, data_only=False) if _has_formulas(path) else None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, EOFError) as error:
        raise InputError(f"damaged .xlsx workbook ({type(error).__name__}: {error})") from error
    pages: list[PageContent] = []
    errors: dict[int, str] = {}
    for number, name in enumerate(book.sheetnames, start=1):
        worksheet = book[name]
        if not isinstance(worksheet, Worksheet):  # a chart sheet: no cells
            pages.append(PageContent(page=number, width=0.0, height=0.0, method=METHOD))
            continue
        try:
            pages.append(sheet_page(xlsx_sheet(worksheet, formulas[name] if formulas is not None else None), number))
        except Exception as error:
            errors[number] = f"unreadable sheet {name!r} ({type(error).__name__}: {error})"
    book.close()
    if formulas is not None:
        formulas.close()
    return _content(pages, errors)


def _has_formulas(path: Path) -> bool:
    """Any worksheet holds a formula (an ``<f>`` element): read from the ZIP, without parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(re.search(rb"<(?:\w+:)?f[\s>/]", archive.read(info)) is not None for info in archive.infolist() if info.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return True  # let openpyxl say what is wrong with it


def _check_unpacked_size(path: Path) -> None:
    """A workbook's worksheets unpacked, before openpyxl holds them in memory (a cell costs it
    hundreds of bytes): a ZIP of a few megabytes can unpack to gigabytes of cells."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook says what is wrong with it
    if unpacked > MAX_XLSX_SHEET_BYTES:
        raise FileTooLarge(f"worksheets of {unpacked / 1e6:.0f} MB unpacked, more than the {MAX_XLSX_SHEET_BYTES / 1e6:g} MB a workbook of forms can need: not read")


def xlsx_sheet(worksheet: Worksheet, formulas: Worksheet | None = None) -> Sheet:
    """Given an openpyxl worksheet (loaded with its saved values), return its displayed texts,
    merges and sizes. A formula with no saved value (a workbook written by pandas or openpyxl and
    never opened in Excel) shows its formula text (``=SUM(C5:C8)``): the value was never computed,
    so it is not read, and the parser says so — it is never an empty cell."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import column_index_from_string

    texts: dict[tuple[int, int], str] = {}
    # the cells the file holds, never iter_rows(): that walks the whole saved dimension
    # (A1:XFD1048576 is 17 billion cells) creating every empty one
    for cell in list(worksheet._cells.values()):
        if isinstance(cell, MergedCell):
            continue
        if cell.value is None:
            formula = formulas._cells.get((cell.row, cell.column)) if formulas is not None else None
            if formula is not None and isinstance(formula.value, str) and formula.value.startswith("="):
                texts[(cell.row - 1, cell.column - 1)] = formula.value
            continue
        text = display_value(cell.value, cell.number_format)
        if text:
            texts[(cell.row - 1, cell.column - 1)] = text
    merges = [(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in worksheet.merged_cells.ranges]
    sheet_format = worksheet.sheet_format
    columns: dict[int, float] = {}
    for key, dimension in worksheet.column_dimensions.items():
        if dimension.width is None:
            continue
        first = dimension.min or column_index_from_string(key)
        last = dimension.max or first
        for col in range(first, last + 1):
            columns[col - 1] = chars_to_points(dimension.width)
    rows = {index - 1: float(dimension.ht) for index, dimension in worksheet.row_dimensions.items() if dimension.ht is not None}
    return Sheet(
        name=worksheet.title,
        texts=texts,
        merges=merges,
        column_points=columns,
        row_points=rows,
        default_column_points=chars_to_points(sheet_format.defaultColWidth or DEFAULT_COLUMN_CHARS),
        default_row_points=float(sheet_format.defaultRowHeight or XLSX_DEFAULT_ROW_POINTS),
    )


# --- .xls ---------------------------------------------------------------------------------


def read_xls(path: Path) -> DocumentContent:
    """Every worksheet of a legacy .xls workbook (BIFF8, read with xlrd and its formatting)."""
    data = path.read_bytes()
    _check_ole2_holds_a_workbook(data)
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Silent())
    except (xlrd.XLRDError, compdoc.CompDocError, AssertionError, IndexError, KeyError, ValueError, EOFError) as error:
        raise InputError(f"unreadable .xls workbook ({type(error).__name__}: {error})") from error
    pages: list[PageContent] = []
    errors: dict[int, str] = {}
    try:
        for index in range(book.nsheets):
            try:
                pages.append(sheet_page(xls_sheet(book, book.sheet_by_index(index)), index + 1))
            except Exception as error:
                errors[index + 1] = f"unreadable sheet ({type(error).__name__}: {error})"
    finally:
        book.release_resources()
    return _content(pages, errors)


def _check_ole2_holds_a_workbook(data: bytes) -> None:
    """An OLE2 file is an .xls only if it holds a workbook stream: say what else it is."""
    try:
        names = {entry.name for entry in compdoc.CompDoc(data, logfile=_Silent()).dirlist}
    except Exception as error:
        raise InputError(f"damaged OLE2 (legacy Office) file ({type(error).__name__}: {error})") from error
    if names & {"Workbook", "Book"}:
        return
    if "EncryptedPackage" in names:
        raise InputError("encrypted Office workbook: a password is needed")
    if "WordDocument" in names:
        raise InputError("Word document (.doc): not a form format this version reads", status=FileStatus.SKIPPED)
    raise InputError("legacy Office file (OLE2) without a workbook: not a form format this version reads", status=FileStatus.SKIPPED)


def xls_sheet(book: "xlrd.book.Book", worksheet: "xlrd.sheet.Sheet") -> Sheet:
    """Given an xlrd sheet (opened with formatting_info), return its displayed texts, merges and sizes."""
    texts: dict[tuple[int, int], str] = {}
    for r in range(worksheet.nrows):
        for c in range(worksheet.row_len(r)):
            text = _xls_text(book, worksheet, r, c)
            if text:
                texts[(r, c)] = text
    merges = [(top, bottom, left, right) for top, bottom, left, right in worksheet.merged_cells]
    columns = {c: chars_to_points(info.width / 256) for c, info in worksheet.colinfo_map.items()}
    rows = {r: info.height / 20 for r, info in worksheet.rowinfo_map.items() if info.height}
    default_chars = worksheet.defcolwidth if worksheet.defcolwidth is not None else DEFAULT_COLUMN_CHARS
    default_row = worksheet.default_row_height / 20 if worksheet.default_row_height else XLS_DEFAULT_ROW_POINTS
    return Sheet(
        name=worksheet.name,
        texts=texts,
        merges=merges,
        column_points=columns,
        row_points=rows,
        default_column_points=chars_to_points(default_chars),
        default_row_points=default_row,
    )


def _xls_text(book: "xlrd.book.Book", worksheet: "xlrd.sheet.Sheet", r: int, c: int) -> str:
    kind, value = worksheet.cell_type(r, c), worksheet.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            return display_value(xlrd.xldate_as_datetime(value, book.datemode))
        except (xlrd.XLDateError, OverflowError, ValueError):
            return format_number(value, "General")
    xf = book.xf_list[worksheet.cell_xf_index(r, c)]
    number_format = book.format_map.get(xf.format_key)
    return format_number(value, number_format.format_str if number_format is not None else "General")


class _Silent:
    """A log file for xlrd that drops its chatter (it writes warnings to stdout by default)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None
