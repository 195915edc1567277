"""The intermediate representation every extractor produces and the parser consumes.

Coordinates are PDF points with the origin at the top-left of the page (pdfplumber's
``top``/``bottom`` convention), so a bbox is ``(x0, top, x1, bottom)``. Pages are 1-based.
An OCR or spreadsheet extractor produces the same objects, so the parser never knows where
the text came from. Sources without pages use synthetic units with the same orientation: a
spreadsheet's page is a worksheet measured in points from its column widths and row heights
(``spreadsheet``); a text export is one page of fields and lines (``textexport``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextLine:
    """A line of text outside any table (a title, a unit note such as 金额单位：万元)."""

    text: str
    page: int
    bbox: BBox
    confidence: float | None = None  # OCR's, as for cells; None when read from a text layer
    read_by: str | None = None  # OCR: the engine(s) whose reading the text is (see ocr.CellReading)


@dataclass(frozen=True)
class Cell:
    """One cell of a ruled table; a merged cell is one Cell with spans > 1.

    Rows and columns are half-open offsets into the table's grid, as in docling-core:
    the cell covers rows ``row .. row + row_span - 1``.
    """

    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    bbox: BBox
    page: int
    confidence: float | None = None
    read_by: str | None = None  # OCR: the engine(s) whose reading the text is (see ocr.CellReading)
    ref: str | None = None  # where the source names the cell: "Sheet1!C7" (spreadsheets), "line 17, field 2" (text exports)
    open_below: bool = False  # the table's last row, and no rule closes the cell: a merge cut by a page break

    @property
    def end_row(self) -> int:
        return self.row + self.row_span

    @property
    def end_col(self) -> int:
        return self.col + self.col_span


@dataclass
class Grid:
    """A table as a grid of cells, with a dense lookup that maps every slot to its cell."""

    cells: list[Cell]
    n_rows: int
    n_cols: int
    page: int
    bbox: BBox

    def dense(self) -> list[list[Cell | None]]:
        """Every (row, col) slot points at the cell covering it, so merged cells fill down."""
        slots: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.end_row, self.n_rows)):
                for c in range(cell.col, min(cell.end_col, self.n_cols)):
                    slots[r][c] = cell
        return slots


@dataclass
class PageContent:
    """What an extractor hands the parser for one page: tables and the text around them."""

    page: int
    width: float
    height: float
    grids: list[Grid] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    method: str = "text_layer"
    text_problem: str | None = None  # why the text layer is unusable (the page then goes to OCR)
    corrections: list[str] = field(default_factory=list)  # image fixes applied before OCR
    # y (points) where a further printed page begins on this page's image: a two-page spread
    # re-laid one page above the other (``ocr.scan.one_above_the_other``)
    sheet_tops: list[float] = field(default_factory=list)


@dataclass
class DocumentContent:
    """All pages of one input file, plus per-page problems that did not stop the others."""

    pages: list[PageContent]
    page_errors: dict[int, str] = field(default_factory=dict)
    page_count: int = 0
    fixes: list[str] = field(default_factory=list)  # repairs of the whole file before it was read (qpdf)


@dataclass(frozen=True)
class PackedScan:
    """An OCR'd page's prepared image kept small (PNG, no review image): enough to read its cells
    again later (``ocr.scan.unpacked``)."""

    page: int
    png: bytes
    points_per_pixel: float
    creases: tuple[tuple[float, float], ...]
    coarse: bool


@dataclass(frozen=True)
class KeptReading:
    """A file's reading kept with its result, so that a form going on into the next files is read
    on without reading this file again (``run.unit.process_files``; OCR is most of a scan's cost):
    the parsed content with its confirmed confidences, and, for a page of a form whose values no
    form of its own confirmed (``continuation_page``), the prepared images to confirm them with."""

    content: DocumentContent
    base_method: str
    engine_name: str | None
    ocr_pages: frozenset[int]
    scans: dict[int, PackedScan]
    page_images: dict[int, bytes]  # the review images of its OCR'd pages (the result's own)
