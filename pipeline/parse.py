"""Form parser: cell grids and loose lines in, form documents out, anchored on labels.

A document is read as one stream of rows and lines in page order. A title line (…项目支出绩效自评表)
starts a form; everything until the next title belongs to it, across pages. Inside a form, each
section is found by its header labels (see ``vocabulary``), and values are read from the cell
under each header label's x position, so column positions are never hard-coded and a table
continued on the next page (with or without its header repeated) still lines up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Funding, FundingLine, Goals, Indicator, Project, Provenance, Total
from .model import Cell, DocumentContent, TextLine
from .values import clean_text, parse_number, text_items
from .vocabulary import (
    FORM_TITLE_MARK,
    FUNDING_COLUMNS,
    FUNDING_ITEMS,
    GOAL_COLUMNS,
    HEADER_FIELDS,
    INDICATOR_COLUMNS,
    OTHER_FORM_TITLES,
    TOTAL_LABELS,
    YEAR_LINE,
    level1_parts,
    match_key,
    normalise,
    unit_of,
)


@dataclass
class Row:
    """One row of a grid: the distinct cells covering it, left to right."""

    cells: list[Cell]
    page: int
    grid_id: int
    index: int  # row index within its grid
    last_in_grid: bool

    def cell_at(self, x: float) -> Cell | None:
        for cell in self.cells:
            if cell.bbox[0] - 0.5 <= x <= cell.bbox[2] + 0.5:
                return cell
        return None

    def texts(self) -> list[str]:
        return [c.text for c in self.cells if c.text.strip()]


@dataclass
class FormChunk:
    """The rows and lines of one form, in reading order."""

    title: str | None
    title_line: TextLine | None
    items: list[Row | TextLine] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        pages = {item.page for item in self.items}
        if self.title_line is not None:
            pages.add(self.title_line.page)
        return sorted(pages)

    def rows(self) -> list[Row]:
        return [item for item in self.items if isinstance(item, Row)]


@dataclass
class ParsedForm:
    """What the parser read from one form, before ids, checks and status are added."""

    title: str | None
    template: str
    pages: list[int]
    project: Project
    funding: Funding
    goals: Goals
    indicators: list[Indicator]
    total: Total
    provenance: dict[str, Provenance]
    problems: list[str]  # values that were printed but could not be read


@dataclass
class Unsupported:
    """A form-like chunk of a type this parser does not read (reported, never mis-parsed)."""

    title: str
    reason: str
    pages: list[int]


def document_rows(content: DocumentContent) -> list[Row | TextLine]:
    """Every grid row and loose line of the document, in page then top-to-bottom order."""
    stream: list[tuple[int, float, int, Row | TextLine]] = []
    grid_id = 0
    for page in content.pages:
        for line in page.lines:
            stream.append((page.page, line.bbox[1], 0, line))
        for grid in page.grids:
            dense = grid.dense()
            for r, slots in enumerate(dense):
                cells: list[Cell] = []
                for cell in slots:
                    if cell is not None and (not cells or cells[-1] is not cell):
                        cells.append(cell)
                top = min((c.bbox[1] for c in cells if c.row == r), default=grid.bbox[1])
                row = Row(cells=cells, page=page.page, grid_id=grid_id, index=r, last_in_grid=r == grid.n_rows - 1)
                stream.append((page.page, top, 1, row))
            grid_id += 1
    stream.sort(key=lambda item: (item[0], item[1], item[2]))
    return [item[3] for item in stream]


def _title_of(item: Row | TextLine) -> str | None:
    if isinstance(item, TextLine):
        text = item.text
    else:
        texts = item.texts()
        if len(texts) != 1:
            return None
        text = texts[0]
    flat = normalise(text)
    if flat.endswith(FORM_TITLE_MARK) or any(flat.endswith(t) for t in OTHER_FORM_TITLES):
        return text.strip()
    return None


def split_forms(stream: list[Row | TextLine]) -> list[FormChunk]:
    """Each title starts a form; rows before the first title form an untitled chunk, kept only
    when it has a funding or indicator header (a form whose title was lost), not for any table
    (a workbook's instructions sheet, a list of projects)."""
    chunks: list[FormChunk] = []
    for item in stream:
        title = _title_of(item)
        if title is not None:
            line = item if isinstance(item, TextLine) else TextLine(title, item.page, item.cells[0].bbox)
            chunks.append(FormChunk(title=title, title_line=line))
            continue
        if not chunks:
            chunks.append(FormChunk(title=None, title_line=None))
        chunks[-1].items.append(item)
    return [c for c in chunks if c.title is not None or any(_is_section_header(r) for r in c.rows())]


def _is_section_header(row: Row) -> bool:
    return _is_indicator_header(_header_positions(row, INDICATOR_COLUMNS)) or _is_funding_header(_header_positions(row, FUNDING_COLUMNS))


def _header_positions(row: Row, table: dict[str, tuple[str, ...]]) -> dict[str, float]:
    positions: dict[str, float] = {}
    for cell in row.cells:
        key = match_key(cell.text, table)
        if key is not None and key not in positions:
            positions[key] = (cell.bbox[0] + cell.bbox[2]) / 2
    return positions


def _is_indicator_header(positions: dict[str, float]) -> bool:
    return ("level1" in positions or "name" in positions) and len(positions) >= 4


def _is_funding_header(positions: dict[str, float]) -> bool:
    return len(positions) >= 3 and ("annual_budget" in positions or "executed" in positions)


class _FormReader:
    """Reads one chunk: a small state machine over rows, one section at a time."""

    def __init__(self, chunk: FormChunk) -> None:
        self.chunk = chunk
        self.project = Project()
        self.funding = Funding()
        self.goals = Goals()
        self.indicators: list[Indicator] = []
        self.total = Total()
        self.provenance: dict[str, Provenance] = {}
        self.problems: list[str] = []
        self.labels_seen: set[str] = set()
        self.section = "header"
        self.funding_cols: dict[str, float] = {}
        self.goal_cols: dict[str, float] = {}
        self.indicator_cols: dict[str, float] = {}
        self.previous_level1: tuple[str | None, float | None, Cell | None] = (None, None, None)
        self.previous_level2: tuple[str | None, Cell | None, Row | None] = (None, None, None)
        self.grids_with_indicators: set[int] = set()

    # --- recording values -------------------------------------------------------------------

    def _record(self, pointer: str, cell: Cell) -> None:
        self.provenance[pointer] = Provenance(page=cell.page, bbox=cell.bbox, text=cell.text, confidence=cell.confidence, ref=cell.ref)

    def _text(self, pointer: str, cell: Cell | None) -> str | None:
        if cell is None:
            return None
        value = clean_text(cell.text)
        if value is not None:
            self._record(pointer, cell)
        return value

    def _number(self, pointer: str, cell: Cell | None) -> float | None:
        if cell is None or not cell.text.strip():
            return None
        result = parse_number(cell.text)
        self._record(pointer, cell)
        if result.problem:
            self.problems.append(f"{pointer}: {result.problem}")
        return result.value

    # --- sections ---------------------------------------------------------------------------

    def read(self) -> ParsedForm:
        for item in self.chunk.items:
            if isinstance(item, TextLine):
                self._loose_line(item)
            else:
                self._row(item)
        return ParsedForm(
            title=self.chunk.title,
            template=self._template(),
            pages=self.chunk.pages,
            project=self.project,
            funding=self.funding,
            goals=self.goals,
            indicators=self.indicators,
            total=self.total,
            provenance=self.provenance,
            problems=self.problems,
        )

    def _template(self) -> str:
        return "shenzhen" if {"code", "budget_unit"} <= self.labels_seen else "national"

    def _loose_line(self, line: TextLine) -> None:
        year = YEAR_LINE.match(normalise(line.text))
        if year and self.project.year is None:
            self.project.year = year.group(1)
            self.provenance["/project/year"] = Provenance(line.page, line.bbox, line.text)
            return
        unit = unit_of(line.text)
        if unit and self.funding.unit is None:
            self.funding.unit = unit
            self.provenance["/funding/unit"] = Provenance(line.page, line.bbox, line.text)

    def _row(self, row: Row) -> None:
        indicator_header = _header_positions(row, INDICATOR_COLUMNS)
        if _is_indicator_header(indicator_header):
            self.indicator_cols = indicator_header
            self.section = "indicators"
            return
        if self.section == "indicators":
            self._indicator_or_total(row)
            return
        if self.section == "after":
            return
        self._units(row)
        funding_header = _header_positions(row, FUNDING_COLUMNS)
        if _is_funding_header(funding_header):
            self.funding_cols = funding_header
            self.section = "funding"
            return
        goal_header = _header_positions(row, GOAL_COLUMNS)
        if goal_header:
            self.goal_cols = goal_header
            self.section = "goals"
            return
        self._header_fields(row)
        if self.section == "funding":
            self._funding_line(row)
        elif self.section == "goals":
            self._goal_row(row)

    def _units(self, row: Row) -> None:
        for cell in row.cells:
            unit = unit_of(cell.text)
            if unit and self.funding.unit is None:
                self.funding.unit = unit
                self._record("/funding/unit", cell)

    def _header_fields(self, row: Row) -> None:
        for i, cell in enumerate(row.cells):
            key = match_key(cell.text, HEADER_FIELDS)
            if key is None:
                continue
            self.labels_seen.add(key)
            if getattr(self.project, key) is not None:
                continue
            value_cell = row.cells[i + 1] if i + 1 < len(row.cells) else None
            if value_cell is not None and match_key(value_cell.text, HEADER_FIELDS) is None:
                setattr(self.project, key, self._text(f"/project/{key}", value_cell))

    def _funding_line(self, row: Row) -> None:
        item_key = None
        for cell in row.cells:
            item_key = match_key(cell.text, FUNDING_ITEMS)
            if item_key is not None:
                break
        if item_key is None:
            return
        index = len(self.funding.lines)
        line = FundingLine(item=item_key)
        for key, x in self.funding_cols.items():
            setattr(line, key, self._number(f"/funding/lines/{index}/{key}", row.cell_at(x)))
        self.funding.lines.append(line)

    def _goal_row(self, row: Row) -> None:
        for key, x in self.goal_cols.items():
            cell = row.cell_at(x)
            if cell is None or match_key(cell.text, GOAL_COLUMNS) is not None:
                continue
            items = getattr(self.goals, key)
            for item in text_items(cell.text):
                self._record(f"/goals/{key}/{len(items)}", cell)
                items.append(item)

    def _indicator_or_total(self, row: Row) -> None:
        cols = self.indicator_cols
        if any(normalise(c.text) in TOTAL_LABELS for c in row.cells):
            self.total.weight = self._number("/total/weight", row.cell_at(cols["weight"])) if "weight" in cols else None
            self.total.score = self._number("/total/score", row.cell_at(cols["score"])) if "score" in cols else None
            self.section = "after"
            return
        cells = {key: row.cell_at(x) for key, x in cols.items()}
        own = [cells.get(k) for k in ("name", "target", "actual", "weight", "score", "deviation_note")]
        if not any(c is not None and c.text.strip() for c in own):
            return  # an empty row: nothing printed, nothing to keep
        index = len(self.indicators)
        base = f"/indicators/{index}"
        indicator = Indicator()
        self._level1(indicator, cells.get("level1"), base)
        self._level2(indicator, cells.get("level2"), row, base)
        self.grids_with_indicators.add(row.grid_id)
        indicator.name = self._text(f"{base}/name", cells.get("name"))
        indicator.target = self._text(f"{base}/target", cells.get("target"))
        indicator.actual = self._text(f"{base}/actual", cells.get("actual"))
        indicator.weight = self._number(f"{base}/weight", cells.get("weight"))
        indicator.score = self._number(f"{base}/score", cells.get("score"))
        indicator.deviation_note = self._text(f"{base}/deviation_note", cells.get("deviation_note"))
        self.indicators.append(indicator)

    def _level1(self, indicator: Indicator, cell: Cell | None, base: str) -> None:
        """Merged cells fill down, also across a page break where the merge was split."""
        if cell is not None and cell.text.strip():
            name, weight = level1_parts(cell.text)
            self.previous_level1 = (name, weight, cell)
        name, weight, source = self.previous_level1
        indicator.level1, indicator.level1_weight = name, weight
        if source is not None:
            self._record(f"{base}/level1", source)
            if weight is not None:
                self._record(f"{base}/level1_weight", source)

    def _level2(self, indicator: Indicator, cell: Cell | None, row: Row, base: str) -> None:
        """An empty level-2 cell continues the previous one only where a page break split a merge."""
        previous_name, previous_cell, previous_row = self.previous_level2
        if cell is not None and cell.text.strip():
            indicator.level2 = self._text(f"{base}/level2", cell)
            self.previous_level2 = (indicator.level2, cell, row)
            return
        split_merge = (
            previous_row is not None
            and previous_cell is not None
            and previous_row.last_in_grid
            and previous_row.grid_id != row.grid_id
            and row.grid_id not in self.grids_with_indicators
        )
        if split_merge and previous_cell is not None:
            indicator.level2 = previous_name
            self._record(f"{base}/level2", previous_cell)
        self.previous_level2 = (indicator.level2, cell, row)


def parse_document(content: DocumentContent) -> list[ParsedForm | Unsupported]:
    """Given a document's pages, return one ParsedForm per form found (in order)."""
    results: list[ParsedForm | Unsupported] = []
    for chunk in split_forms(document_rows(content)):
        if chunk.title is not None:
            flat = normalise(chunk.title)
            other = next((reason for mark, reason in OTHER_FORM_TITLES.items() if flat.endswith(mark)), None)
            if other is not None:
                results.append(Unsupported(title=chunk.title, reason=f"unsupported form type: {other}", pages=chunk.pages))
                continue
        results.append(_FormReader(chunk).read())
    return results
