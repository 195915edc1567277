"""Table segmentation: ruling lines and positioned glyphs in, cell grids and loose text lines out.

Works on any source of rulings (PDF vector lines now, lines detected in an image later), so
every extractor ends in the same grid. The steps run in this order, each a small function:

    snap_positions -> group_tables -> table_grid (slots, walls, merged cells) -> assign_glyphs

Merged cells are rebuilt by joining neighbouring grid slots that no ruling separates.
"""

from __future__ import annotations

import bisect

from dataclasses import dataclass, field, replace

from pipeline.model.intermediate import BBox, Cell, Grid, PageContent, TextLine

SNAP_TOLERANCE = 3.0  # points: rulings closer than this are the same line
JOIN_TOLERANCE = 3.0  # points: a ruling ending this close to another still touches it
SPILL_OVERLAP = 0.15  # a glyph this share of its width or more on each side of a rule is drawn over it
SPILL_GAP = 0.15  # glyphs this close (share of the size) are set solid, with no cell padding between them
SPILL_PADDING = 3.0  # points: text starting this close to a cell's side is aligned to that side
WALL_COVERAGE = 0.5  # share of a slot boundary a ruling must cover to separate the slots
MIN_CELL_SIZE = 2.0  # points: thinner slots are double-drawn lines, not cells


@dataclass(frozen=True)
class Ruling:
    """A straight horizontal or vertical line segment; ``pos`` is its y (h) or x (v)."""

    orientation: str  # "h" or "v"
    pos: float
    start: float
    end: float


@dataclass(frozen=True)
class Glyph:
    """A positioned piece of text: one character from a text layer, or a word from OCR."""

    text: str
    bbox: BBox
    size: float = 10.0
    confidence: float | None = None
    clip: BBox | None = None  # the rectangle the glyph is drawn through, when it reaches outside it (hidden in print)


@dataclass
class TableRulings:
    horizontals: list[Ruling] = field(default_factory=list)
    verticals: list[Ruling] = field(default_factory=list)


def snap_positions(values: list[float], tolerance: float = SNAP_TOLERANCE) -> list[float]:
    """Given raw line positions, cluster near-equal ones and return one mean per cluster."""
    clusters: list[list[float]] = []
    for value in sorted(values):
        if clusters and value - clusters[-1][-1] <= tolerance:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return [sum(c) / len(c) for c in clusters]


def _nearest(positions: list[float], value: float) -> int:
    """Index of the sorted position closest to value."""
    index = bisect.bisect_left(positions, value)
    if index == len(positions) or (index > 0 and value - positions[index - 1] <= positions[index] - value):
        return index - 1
    return index


def merge_collinear(rulings: list[Ruling]) -> list[Ruling]:
    """Given rulings, join the pieces of one line (cell borders drawn cell by cell) into one."""
    merged: list[Ruling] = []
    for orientation in ("h", "v"):
        same = sorted((r for r in rulings if r.orientation == orientation), key=lambda r: r.pos)
        positions = snap_positions([r.pos for r in same])
        groups: dict[int, list[Ruling]] = {}
        for ruling in same:
            groups.setdefault(_nearest(positions, ruling.pos), []).append(ruling)
        for index, pieces in sorted(groups.items()):
            pieces.sort(key=lambda r: r.start)
            start, end = pieces[0].start, pieces[0].end
            for piece in pieces[1:]:
                if piece.start <= end + JOIN_TOLERANCE:
                    end = max(end, piece.end)
                else:
                    merged.append(Ruling(orientation, positions[index], start, end))
                    start, end = piece.start, piece.end
            merged.append(Ruling(orientation, positions[index], start, end))
    return merged


def group_tables(rulings: list[Ruling]) -> list[TableRulings]:
    """Given all rulings of a page, split them into groups that touch, one group per table."""
    lines = merge_collinear(rulings)
    horizontals = sorted((i for i, r in enumerate(lines) if r.orientation == "h"), key=lambda i: lines[i].pos)
    h_positions = [lines[i].pos for i in horizontals]
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for v_index, v in enumerate(lines):
        if v.orientation != "v":
            continue
        low = bisect.bisect_left(h_positions, v.start - JOIN_TOLERANCE)
        high = bisect.bisect_right(h_positions, v.end + JOIN_TOLERANCE)
        for h_index in horizontals[low:high]:
            h = lines[h_index]
            if h.start - JOIN_TOLERANCE <= v.pos <= h.end + JOIN_TOLERANCE:
                parent[find(v_index)] = find(h_index)
    groups: dict[int, TableRulings] = {}
    for i, ruling in enumerate(lines):
        group = groups.setdefault(find(i), TableRulings())
        (group.horizontals if ruling.orientation == "h" else group.verticals).append(ruling)
    tables = [g for g in groups.values() if len(g.horizontals) >= 2 and len(g.verticals) >= 2]
    return sorted(tables, key=lambda g: min(r.pos for r in g.horizontals))


def _covered(rulings: list[Ruling], pos: float, start: float, end: float) -> bool:
    """Whether rulings at ``pos`` cover at least WALL_COVERAGE of the span start..end."""
    length = end - start
    if length <= 0:
        return True
    spans = sorted((max(r.start, start), min(r.end, end)) for r in rulings if abs(r.pos - pos) <= SNAP_TOLERANCE and r.end > start and r.start < end)
    covered, reach = 0.0, start
    for s, e in spans:
        s = max(s, reach)
        if e > s:
            covered += e - s
            reach = e
    return covered >= WALL_COVERAGE * length


def _drop_thin(positions: list[float]) -> list[float]:
    kept: list[float] = []
    for p in positions:
        if not kept or p - kept[-1] >= MIN_CELL_SIZE:
            kept.append(p)
    return kept


def table_grid(table: TableRulings, page: int) -> Grid:
    """Given one table's rulings, return its grid with merged cells rebuilt.

    Slots are the rectangles between consecutive snapped row and column lines; two
    neighbouring slots belong to the same cell when no ruling walls them off.
    """
    ys = _drop_thin(snap_positions([r.pos for r in table.horizontals]))
    xs = _drop_thin(snap_positions([r.pos for r in table.verticals]))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _covered(table.verticals, xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not _covered(table.horizontals, ys[r + 1], xs[c], xs[c + 1]):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)

    extents: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            e = extents.setdefault(find(r * n_cols + c), [r, c, r, c])
            e[0], e[1], e[2], e[3] = min(e[0], r), min(e[1], c), max(e[2], r), max(e[3], c)
    cells = [
        Cell(
            row=r0,
            col=c0,
            row_span=r1 - r0 + 1,
            col_span=c1 - c0 + 1,
            text="",
            bbox=(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]),
            page=page,
            open_below=r1 == n_rows - 1 and not _covered(table.horizontals, ys[-1], xs[c0], xs[c1 + 1]),
        )
        for r0, c0, r1, c1 in sorted(extents.values())
    ]
    return Grid(cells=cells, n_rows=n_rows, n_cols=n_cols, page=page, bbox=(xs[0], ys[0], xs[-1], ys[-1]))


class _SlotIndex:
    """Finds the cell under a point of one grid by bisecting its row and column edges."""

    def __init__(self, grid: Grid) -> None:
        col_edges: dict[int, float] = {}
        row_edges: dict[int, float] = {}
        self.slots: dict[tuple[int, int], int] = {}
        for index, cell in enumerate(grid.cells):
            col_edges[cell.col], col_edges[cell.end_col] = cell.bbox[0], cell.bbox[2]
            row_edges[cell.row], row_edges[cell.end_row] = cell.bbox[1], cell.bbox[3]
            for r in range(cell.row, cell.end_row):
                for c in range(cell.col, cell.end_col):
                    self.slots[(r, c)] = index
        # an edge no cell starts or ends at lies inside merged cells: the slot to its left is the same cell
        self.cols = sorted(col_edges.items(), key=lambda item: item[1])
        self.rows = sorted(row_edges.items(), key=lambda item: item[1])
        self.col_x = [x for _, x in self.cols]
        self.row_y = [y for _, y in self.rows]
        self.bbox = grid.bbox
        self.cell_boxes = [cell.bbox for cell in grid.cells]

    def straddles(self, glyph: Glyph) -> bool:
        """The table's top or bottom rule cuts through the glyph: print a page break clipped."""
        left, top, right, bottom = self.bbox
        cx = (glyph.bbox[0] + glyph.bbox[2]) / 2
        return left <= cx <= right and (glyph.bbox[1] < top < glyph.bbox[3] or glyph.bbox[1] < bottom < glyph.bbox[3])

    def clipping_cell(self, clip: BBox) -> int | None:
        """The cell a clip rectangle is (a part of): a sheet clips a cell's overflowing text to
        the cell, so text drawn past the cell's rules — hidden in print — is still that cell's."""
        index = self.cell_at((clip[0] + clip[2]) / 2, (clip[1] + clip[3]) / 2)
        if index is None:
            return None
        x0, top, x1, bottom = self.cell_boxes[index]
        tolerance = JOIN_TOLERANCE
        inside = clip[0] >= x0 - tolerance and clip[1] >= top - tolerance and clip[2] <= x1 + tolerance and clip[3] <= bottom + tolerance
        return index if inside else None

    def cell_index(self, glyph: Glyph, clamp: bool = False) -> int | None:
        """The cell under the glyph's centre; with ``clamp``, a centre just outside the table
        counts as in its nearest row."""
        cy = (glyph.bbox[1] + glyph.bbox[3]) / 2
        if clamp:
            cy = min(max(cy, self.bbox[1]), self.bbox[3] - 1e-3)
        return self.cell_at((glyph.bbox[0] + glyph.bbox[2]) / 2, cy)

    def cell_at(self, cx: float, cy: float) -> int | None:
        """The cell under a point, None outside the table."""
        left, top, right, bottom = self.bbox
        if not (left <= cx <= right and top <= cy <= bottom):
            return None
        col = self.cols[max(bisect.bisect_right(self.col_x, cx) - 1, 0)][0]
        row = self.rows[max(bisect.bisect_right(self.row_y, cy) - 1, 0)][0]
        return self.slots.get((row, col))


def glyph_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Given glyphs, group them into lines top to bottom, each sorted left to right.

    A glyph joins the line above it when its middle is inside that line, or the line's middle
    inside it: PDFium's boxes are the ink's, so a line may start with a small high mark (the * of
    元/人*月, middle above its neighbours'), and the tall glyphs after it must still join it."""
    lines: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: ((g.bbox[1] + g.bbox[3]) / 2, g.bbox[0])):
        middle = (glyph.bbox[1] + glyph.bbox[3]) / 2
        if lines:
            last = lines[-1]
            top = min(g.bbox[1] for g in last)
            bottom = max(g.bbox[3] for g in last)
            if top <= middle <= bottom or glyph.bbox[1] <= (top + bottom) / 2 <= glyph.bbox[3]:
                last.append(glyph)
                continue
        lines.append([glyph])
    return [sorted(line, key=lambda g: g.bbox[0]) for line in lines]


def line_text(line: list[Glyph]) -> str:
    """Join one line's glyphs; a visible gap wider than half a character becomes one space."""
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in line:
        if previous is not None and glyph.text.strip() and previous.text.strip():
            gap = glyph.bbox[0] - previous.bbox[2]
            if gap > 0.5 * max(glyph.size, previous.size):
                parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    return "".join(parts)


def join_lines(lines: list[list[Glyph]]) -> str:
    """Wrapped lines are joined without inventing spaces: a typesetter wraps at a space it prints at
    the line's end (``按照 2021 年 12 `` / ``月 31 日``), and that one space is kept; else none."""
    joined = ""
    for line in lines:
        text = line_text(line)
        if not text.strip():
            continue
        if joined and (joined[-1].isspace() or text[0].isspace()):
            joined = joined.rstrip() + " "
        joined += text.lstrip()
    return joined.strip()


def _lowest_confidence(glyphs: list[Glyph]) -> float | None:
    scores = [g.confidence for g in glyphs if g.confidence is not None]
    return min(scores) if scores else None


def _clipped_lines(indexes: list[_SlotIndex], glyphs: list[Glyph]) -> dict[int, dict[int, bool]]:
    """Per grid, the glyphs a table's top or bottom rule cuts through, each marked in or out of
    the table as the most of its line is. A sheet draws a merge's label across a page break,
    clipped at the table's edge on both pages: by their centres a tenth of a point apart, 效, 指
    and 标 fell inside and 益 outside on one page and the other way on the next (效 指标 and 益 in a
    form marked ok). A line mostly outside (a wrapped label's first line drawn again above the next
    page's table) stays out whole."""
    sides: dict[int, dict[int, bool]] = {}
    for gi, index in enumerate(indexes):
        cut = [g for g in glyphs if index.straddles(g)]
        for line in glyph_lines(cut):
            inside = 2 * sum(index.cell_index(g) is not None for g in line) > len(line)
            sides.setdefault(gi, {}).update((id(g), inside) for g in line)
    return sides


def _placed_by_clip(indexes: list[_SlotIndex], glyphs: list[Glyph]) -> dict[int, tuple[int, int]]:
    """(grid, cell) of each glyph drawn past a clip that is (part of) a cell, by the glyph's id."""
    placed: dict[int, tuple[int, int]] = {}
    for glyph in glyphs:
        if glyph.clip is None:
            continue
        for gi, index in enumerate(indexes):
            ci = index.clipping_cell(glyph.clip)
            if ci is not None:
                placed[id(glyph)] = (gi, ci)
                break
    return placed


def _crosses(left: Glyph, right: Glyph, rule: float) -> bool:
    """Two neighbouring glyphs of a line set solid across a column's rule: one is drawn over the
    rule, or the rule falls in the hairline between them. Print of two cells never does either:
    each cell's text keeps its padding from the rule."""
    size = max(left.size, right.size)
    over = any(g.bbox[0] + SPILL_OVERLAP * (g.bbox[2] - g.bbox[0]) < rule < g.bbox[2] - SPILL_OVERLAP * (g.bbox[2] - g.bbox[0]) for g in (left, right))
    solid = right.bbox[0] - left.bbox[2] <= SPILL_GAP * size and left.bbox[2] - 0.5 <= rule <= right.bbox[0] + 0.5
    return over or solid


def _rejoin_spills(grid: Grid, by_cell: dict[tuple[int, int], list[Glyph]], gi: int) -> None:
    """Text a sheet lets run on into empty neighbouring cells, put back in the cell it was typed in.

    A sheet prints a cell's unwrapped text across its empty neighbours, over the rules between
    them: by position, 指标1：全县参 stayed in its cell and 合人数统计情况 became the next column's
    value. A run of glyphs set solid across a rule, into cells that hold nothing else, is one
    cell's text: the cell it starts in when it starts at that cell's left padding (left-aligned),
    the cell it ends in when it ends at that cell's right padding, else the cell under its middle
    (centred text runs on both ways)."""
    owner = {id(g): ci for (g_index, ci), members in by_cell.items() if g_index == gi for g in members}
    glyphs = [g for (g_index, _), members in by_cell.items() if g_index == gi for g in members]
    if not any(_at_a_side(g, grid.cells[owner[id(g)]].bbox) for g in glyphs):
        return  # every cell's print keeps its padding: nothing runs on (most pages)
    for line in glyph_lines(glyphs):
        run: list[Glyph] = [line[0]]
        for left, right in zip(line, line[1:] + [None]):
            if right is not None and _goes_on(left, right, owner[id(left)], owner[id(right)], grid):
                run.append(right)
                continue
            _give_run(grid, by_cell, gi, owner, run)
            if right is not None:
                run = [right]


def _at_a_side(glyph: Glyph, cell: BBox) -> bool:
    """The glyph reaches within a hairline of its cell's left or right rule, or over it."""
    reach = SPILL_GAP * glyph.size
    return glyph.bbox[0] <= cell[0] + reach or glyph.bbox[2] >= cell[2] - reach


def _goes_on(left: Glyph, right: Glyph, left_cell: int, right_cell: int, grid: Grid) -> bool:
    """``right`` continues the run ``left`` ends: close by in one cell, or set solid across a rule."""
    if left_cell == right_cell:
        return right.bbox[0] - left.bbox[2] <= 0.5 * max(left.size, right.size)
    return _crosses(left, right, grid.cells[right_cell].bbox[0])


def _give_run(grid: Grid, by_cell: dict[tuple[int, int], list[Glyph]], gi: int, owner: dict[int, int], run: list[Glyph]) -> None:
    cells = list(dict.fromkeys(owner[id(g)] for g in run))
    if len(cells) < 2:
        return
    ids = {id(g) for g in run}
    if any(id(g) not in ids for ci in cells for g in by_cell[(gi, ci)]):
        return  # a cell holds print of its own: not one unwrapped text run on
    first, last = grid.cells[cells[0]].bbox, grid.cells[cells[-1]].bbox
    start, end = run[0].bbox[0], run[-1].bbox[2]
    padding = max(SPILL_PADDING, 0.5 * run[0].size)
    if start - first[0] <= padding:
        origin = cells[0]
    elif last[2] - end <= padding:
        origin = cells[-1]
    else:
        middle = (start + end) / 2
        origin = next((ci for ci in cells if grid.cells[ci].bbox[0] <= middle <= grid.cells[ci].bbox[2]), cells[0])
    for ci in cells:
        if ci != origin:
            by_cell[(gi, ci)] = [g for g in by_cell[(gi, ci)] if id(g) not in ids]
            by_cell[(gi, origin)].extend(g for g in run if owner[id(g)] == ci)
    for g in run:
        owner[id(g)] = origin


def assign_glyphs(grids: list[Grid], glyphs: list[Glyph], page: int) -> tuple[list[Grid], list[TextLine]]:
    """Given empty grids and a page's glyphs, fill each cell's text; the rest become loose lines.

    A glyph drawn past its clip is placed by the clip (the cell it belongs to); the others by
    their centres, those a table's top or bottom rule cuts through with most of their line."""
    by_cell: dict[tuple[int, int], list[Glyph]] = {}
    loose: list[Glyph] = []
    indexes = [_SlotIndex(grid) for grid in grids]
    by_clip = _placed_by_clip(indexes, glyphs)
    clipped = _clipped_lines(indexes, [g for g in glyphs if id(g) not in by_clip])
    for glyph in glyphs:
        if id(glyph) in by_clip:
            by_cell.setdefault(by_clip[id(glyph)], []).append(glyph)
            continue
        for gi, index in enumerate(indexes):
            side = clipped.get(gi, {}).get(id(glyph))
            ci = None if side is False else index.cell_index(glyph, clamp=side is True)
            if ci is not None:
                by_cell.setdefault((gi, ci), []).append(glyph)
                break
        else:
            loose.append(glyph)
    for gi, grid in enumerate(grids):
        _rejoin_spills(grid, by_cell, gi)
    filled: list[Grid] = []
    for gi, grid in enumerate(grids):
        cells = []
        for ci, cell in enumerate(grid.cells):
            members = by_cell.get((gi, ci), [])
            cells.append(replace(cell, text=join_lines(glyph_lines(members)), page=page, confidence=_lowest_confidence(members)))
        filled.append(Grid(cells=cells, n_rows=grid.n_rows, n_cols=grid.n_cols, page=page, bbox=grid.bbox))
    text_lines = []
    for line in glyph_lines(loose):
        text = line_text(line).strip()
        if text:
            bbox = (
                min(g.bbox[0] for g in line),
                min(g.bbox[1] for g in line),
                max(g.bbox[2] for g in line),
                max(g.bbox[3] for g in line),
            )
            text_lines.append(TextLine(text=text, page=page, bbox=bbox))
    return filled, text_lines


def segment_page(page: int, width: float, height: float, rulings: list[Ruling], glyphs: list[Glyph], method: str) -> PageContent:
    """Given one page's rulings and glyphs, return its tables as grids and its loose text."""
    empty_grids = [table_grid(t, page) for t in group_tables(rulings)]
    empty_grids = [g for g in empty_grids if g.n_rows > 0 and g.n_cols > 0]
    grids, lines = assign_glyphs(empty_grids, glyphs, page)
    return PageContent(page=page, width=width, height=height, grids=grids, lines=lines, method=method)
