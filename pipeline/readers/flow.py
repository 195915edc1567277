"""Flowing documents (Word, HTML) laid out as pages of cell grids and loose lines.

A Word or HTML document has no fixed geometry the way a PDF page has: it is a stream of
paragraphs and tables. Its readers (``worddoc``, ``htmltable``) hand this module that stream as
``Paragraph``, ``FlowTable`` and ``PageBreak`` blocks, and it gives them the same objects a PDF's
text layer gives, so the parser never knows where the text came from:

- each ``FlowTable`` becomes one ``Grid``: a cell covering several rows or columns is one ``Cell``
  with spans, and every grid slot no cell covers becomes an empty ``Cell`` (as in a ruled table);
- each non-empty ``Paragraph`` becomes a ``TextLine`` (titles, 年度 and 金额单位 lines, notes);
- blocks are stacked top to bottom in document order, so the parser's reading order (page, then
  top) is the document's order; a ``PageBreak`` starts a new page.

Coordinates are synthetic points: a column is as wide as the document says (Word's ``tblGrid``,
HTML ``width``) or ``DEFAULT_COLUMN_POINTS``; a row is ``LINE_POINTS`` per line of its tallest
one-row cell; a paragraph is one ``LINE_POINTS`` per line, as wide as the widest table. Only the
relations matter: cells of one column share their x range, so the parser's "value under its
header" lookup works as on a PDF page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model.intermediate import Cell, DocumentContent, Grid, PageContent, TextLine

LINE_POINTS = 15.0
DEFAULT_COLUMN_POINTS = 60.0
MIN_COLUMN_POINTS = 6.0  # a zero-width column still gets an x range of its own
DEFAULT_PAGE_WIDTH = 595.0  # A4 portrait, for a document without tables
BLOCK_GAP = LINE_POINTS / 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class PageBreak:
    """An explicit page break between blocks (Word's page break, a new-page section)."""


@dataclass(frozen=True)
class FlowCell:
    """One cell as the document wrote it, placed on the table's grid (0-based row and column)."""

    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    ref: str


@dataclass
class FlowTable:
    cells: list[FlowCell]
    n_rows: int
    n_cols: int
    column_points: list[float] = field(default_factory=list)  # per grid column; empty: default widths


Block = Paragraph | FlowTable | PageBreak


def flat_lines(table: FlowTable) -> list[str]:
    """A table's text as lines, a row a line, cells space-separated: for a small table inside a
    cell of a form, kept as that cell's text rather than lost."""
    rows: dict[int, list[FlowCell]] = {}
    for cell in table.cells:
        rows.setdefault(cell.row, []).append(cell)
    lines = [" ".join(c.text.replace("\n", " ") for c in sorted(cells, key=lambda c: c.col) if c.text.strip()) for _, cells in sorted(rows.items())]
    return [line for line in lines if line]


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _column_edges(table: FlowTable) -> list[float]:
    widths = list(table.column_points[: table.n_cols])
    widths += [DEFAULT_COLUMN_POINTS] * (table.n_cols - len(widths))
    edges = [0.0]
    for width in widths:
        edges.append(edges[-1] + max(width, MIN_COLUMN_POINTS))
    return edges


def _row_edges(table: FlowTable, top: float) -> list[float]:
    heights = [1] * table.n_rows
    for cell in table.cells:
        if cell.row_span == 1 and cell.row < table.n_rows:
            heights[cell.row] = max(heights[cell.row], _lines(cell.text))
    edges = [top]
    for lines in heights:
        edges.append(edges[-1] + lines * LINE_POINTS)
    return edges


def table_grid(table: FlowTable, page: int, top: float) -> Grid:
    """Given a table and where it starts, return its grid with empty cells in the uncovered slots."""
    xs, ys = _column_edges(table), _row_edges(table, top)
    cells: list[Cell] = []
    covered: set[tuple[int, int]] = set()
    for placed in table.cells:
        end_row, end_col = min(placed.row + placed.row_span, table.n_rows), min(placed.col + placed.col_span, table.n_cols)
        if placed.row >= end_row or placed.col >= end_col:
            continue
        covered.update((r, c) for r in range(placed.row, end_row) for c in range(placed.col, end_col))
        cells.append(
            Cell(
                row=placed.row,
                col=placed.col,
                row_span=end_row - placed.row,
                col_span=end_col - placed.col,
                text=placed.text,
                bbox=(xs[placed.col], ys[placed.row], xs[end_col], ys[end_row]),
                page=page,
                ref=placed.ref,
            )
        )
    for r in range(table.n_rows):
        for c in range(table.n_cols):
            if (r, c) not in covered:
                cells.append(Cell(row=r, col=c, row_span=1, col_span=1, text="", bbox=(xs[c], ys[r], xs[c + 1], ys[r + 1]), page=page))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Grid(cells=cells, n_rows=table.n_rows, n_cols=table.n_cols, page=page, bbox=(xs[0], ys[0], xs[-1], ys[-1]))


def layout(blocks: list[Block], method: str) -> DocumentContent:
    """Given a document's blocks in order, return its pages of grids and lines (see the module doc)."""
    width = max([_column_edges(b)[-1] for b in blocks if isinstance(b, FlowTable) and b.n_cols] + [DEFAULT_PAGE_WIDTH])
    pages = [PageContent(page=1, width=width, height=0.0, method=method)]
    top = 0.0
    for block in blocks:
        page = pages[-1]
        if isinstance(block, PageBreak):
            if page.grids or page.lines:
                pages.append(PageContent(page=page.page + 1, width=width, height=0.0, method=method))
                top = 0.0
            continue
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                bottom = top + _lines(text) * LINE_POINTS
                page.lines.append(TextLine(text=text, page=page.page, bbox=(0.0, top, width, bottom)))
                top = bottom
            continue
        if block.n_rows == 0 or block.n_cols == 0:
            continue
        grid = table_grid(block, page.page, top)
        page.grids.append(grid)
        top = grid.bbox[3] + BLOCK_GAP
        page.height = max(page.height, top)
    for page in pages:
        page.height = max([page.height] + [line.bbox[3] for line in page.lines])
    return DocumentContent(pages=pages, page_count=len(pages))
