"""Form parser: cell grids and loose lines in, form documents out, anchored on labels.

A document is read as one stream of rows and lines in page order. A title line (…项目支出绩效自评表)
starts a form; everything until the next title belongs to it, across pages. Inside a form, each
section is found by its header labels (see ``vocabulary``), and values are read from the cell
under each header label's x position, so column positions are never hard-coded and a table
continued on the next page (with or without its header repeated) still lines up.

Before reading a form, its layout is matched to a template (``template``): the form is read with
the base vocabulary plus that template's labels, and the template's name is recorded. A form no
template matches well enough is read with the base vocabulary alone, as layout ``unknown``, and
keeps its raw cell grid so a reviewer loses nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.model import pointer as ptr
from pipeline.model.document import INSTRUCTIONS_LEFT_IN, NO_SCHEMA_ITEM, PLACEHOLDER_DROPPED, DroppedRow, Funding, FundingLine, Goals, Indicator, Project, Provenance, Total
from pipeline.model.intermediate import Cell, DocumentContent, PageContent, TextLine
from pipeline.parse.template import BASE, MATCH_THRESHOLD, UNKNOWN, Vocabulary, every_layout, rank, unknown_message
from pipeline.model.values import INK_NOT_READ, amount_with_unit, clean_text, comparison_sign, is_overflow_mark, overflow_problem, parse_number, person_and_phone, text_items
from pipeline.model.vocabulary import (
    BLOCK_CAPTIONS,
    FALLBACK_HEADER_FIELDS,
    GRADE_LABELS,
    SECTION_HEADING,
    FUNDING_ITEM_ROLES,
    FUNDING_ROLES,
    HEADER_LABEL_ENDINGS,
    INDICATOR_ROLES,
    LEVEL2_NAMES,
    NOT_A_NUMBER,
    NOTHING_PRINTED,
    GOAL_BLOCK,
    TOTAL_SCORE_LINE,
    YEAR_LINE,
    LEVEL1_NAMES,
    RoleRule,
    family_of,
    in_another_block,
    starts_an_indicator,
    is_child_row,
    is_form_title,
    is_instruction,
    is_numbered_child,
    is_placeholder,
    is_total_label,
    label_and_value,
    level1_parts,
    match_key,
    normalise,
    normalise_label,
    other_form_type,
    role_of,
    title_without_year,
    title_year,
    unit_of,
    is_unit_label,
    AMOUNT_UNITS,
)

# indicator columns every layout prints; a form where one was not read cannot be trusted
REQUIRED_INDICATOR_ROLES = ("name", "target", "actual", "score")
INDICATOR_COLUMN_NAMES = {"name": "三级指标", "target": "年度指标值", "actual": "实际完成值", "score": "得分"}

UNSTORED_FUNDING_ROLES = {"note": "原因"}  # columns recognised beside the budget that the schema does not hold
AMOUNT_KEYS = ("initial_budget", "annual_budget", "executed")
PAIR_KEYS = (*AMOUNT_KEYS, "execution_rate")  # what a budget block printed as label | value pairs gives

WEIGHT_IN_LABEL = re.compile(r"^(\d+(?:\.\d+)?)分$")


@dataclass
class Row:
    """One row of a grid: the distinct cells covering it, left to right."""

    cells: list[Cell]
    page: int
    grid_id: int
    index: int  # row index within its grid
    last_in_grid: bool
    frame: tuple[float, float] = (0.0, 0.0)  # its table's left and right edges
    # (scale, offset) from the x of the header it is read under, on another page, to its own
    x_map: tuple[float, float] | None = None

    def cell_at(self, x: float) -> Cell | None:
        if self.x_map is not None:
            x = x * self.x_map[0] + self.x_map[1]
        for cell in self.cells:
            if cell.bbox[0] - 0.5 <= x <= cell.bbox[2] + 0.5:
                return cell
        return None

    def under(self, header: Row) -> Row:
        """This row as read under a header on another page whose table lies elsewhere on its page
        (a phone's photo of each page: another scale and place): x positions taken from the
        header map onto this row by the two tables' edges. The same table on pages of one
        PDF lies at the same place, and is read as it is."""
        if header.page == self.page or header.frame == (0.0, 0.0) or self.frame == (0.0, 0.0):
            return self
        (left, right), (own_left, own_right) = header.frame, self.frame
        if max(abs(own_left - left), abs(own_right - right)) <= 1.0 or right <= left:
            return self
        scale = (own_right - own_left) / (right - left)
        if not 0.8 <= scale <= 1.25:  # not the same table at another scale
            return self
        return replace(self, x_map=(scale, own_left - left * scale))

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
    problems: list[tuple[str, str]]  # (pointer, why) of values that were printed but could not be read
    other_notes: str | None = None
    dropped_rows: list[DroppedRow] = field(default_factory=list)
    template_note: str | None = None  # why the layout is unknown: the closest template, what did not match
    unread: list[str] = field(default_factory=list)  # printed but not placed: columns no role names, rows no item names
    unread_cells: list[Cell] = field(default_factory=list)  # the header cells of ``unread`` (an OCR'd page reads them again)
    rest_cells: list[Cell] = field(default_factory=list)  # the rests of values a page break cut, joined above (read again too)
    grid: dict[str, Any] | None = None  # the raw cells of a form of unknown layout, to be saved beside it


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
                row = Row(cells=cells, page=page.page, grid_id=grid_id, index=r, last_in_grid=r == grid.n_rows - 1, frame=(grid.bbox[0], grid.bbox[2]))
                stream.append((page.page, top, 1, row))
            grid_id += 1
    stream.sort(key=lambda item: (item[0], item[1], item[2]))
    return _join_split_titles([item[3] for item in stream])


def _join_split_titles(stream: list[Row | TextLine]) -> list[Row | TextLine]:
    """A title OCR read as two pieces side by side (2022年度项目 | 支出绩效自评表), or a long title
    wrapped onto a second line (…(普通省道公路建设)绩效目 / 标自评), is one line again: joined only
    when the pieces touch on one row or one sits right under the other, and neither is a title
    alone but together they make one."""
    joined: list[Row | TextLine] = []
    for item in stream:
        previous = joined[-1] if joined else None
        if isinstance(item, TextLine) and isinstance(previous, TextLine) and (_side_by_side(previous, item) or _wrapped(previous, item)) and is_form_title(previous.text + item.text):
            box = (min(previous.bbox[0], item.bbox[0]), min(previous.bbox[1], item.bbox[1]), max(previous.bbox[2], item.bbox[2]), max(previous.bbox[3], item.bbox[3]))
            left, right = sorted((previous, item), key=lambda line: line.bbox[0])
            confidences = [c for c in (left.confidence, right.confidence) if c is not None]
            joined[-1] = TextLine(left.text + right.text, item.page, box, min(confidences) if confidences else None)
            continue
        joined.append(item)
    return joined


def _wrapped(above: TextLine, below: TextLine) -> bool:
    """``below`` the next line of ``above`` wrapped: right under it, within its width, and neither a title alone."""
    height = max(above.bbox[3] - above.bbox[1], 1.0)
    centre = (below.bbox[0] + below.bbox[2]) / 2
    under = 0 <= below.bbox[1] - above.bbox[3] < 0.8 * height and above.bbox[0] <= centre <= above.bbox[2]
    return above.page == below.page and under and not is_form_title(above.text) and not is_form_title(below.text)


def _side_by_side(a: TextLine, b: TextLine) -> bool:
    height = max(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1], 1.0)
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    gap = max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])
    return a.page == b.page and overlap > 0.5 * height and gap < height


def _title_of(item: Row | TextLine) -> str | None:
    if isinstance(item, TextLine):
        text = item.text
    else:
        texts = item.texts()
        if len(texts) != 1:
            return None
        text = texts[0]
    return text.strip() if is_form_title(text) else None


def split_forms(stream: list[Row | TextLine]) -> list[FormChunk]:
    """Each title starts a form; rows before the first title form an untitled chunk, kept only
    when it has a funding or indicator header (a form whose title was lost), not for any table
    (a workbook's instructions sheet, a list of projects)."""
    chunks: list[FormChunk] = []
    for item in stream:
        title = _title_of(item)
        if title is not None:
            line = item if isinstance(item, TextLine) else TextLine(title, item.page, item.cells[0].bbox, item.cells[0].confidence)
            chunks.append(FormChunk(title=title, title_line=line))
            continue
        if not chunks:
            chunks.append(FormChunk(title=None, title_line=None))
        chunks[-1].items.append(item)
    return [c for c in chunks if c.title is not None or any(_is_section_header(r) for r in c.rows())]


def _is_section_header(row: Row) -> bool:
    known = every_layout()
    return _is_indicator_header(_header_positions(row, known.indicator_columns, INDICATOR_ROLES)) or _is_funding_header(_header_positions(row, known.funding_columns, FUNDING_ROLES))


def _key(cell: Cell, table: dict[str, tuple[str, ...]]) -> str | None:
    """The key a cell's label names; close matches only for OCR'd cells (see ``match_key``), and
    never for a block caption read word for word: 总体目标完成情况 is one glyph from the column
    label 年度目标完成情况, and repeated down its merged rows it made each goal row a header."""
    fuzzy = cell.confidence is not None and normalise_label(cell.text).base not in BLOCK_CAPTIONS
    return match_key(cell.text, table, fuzzy=fuzzy)


def _column_role(cell: Cell, table: dict[str, tuple[str, ...]], rules: tuple[RoleRule, ...]) -> str | None:
    """A header cell's role: a synonym the vocabulary lists, else what its words mean."""
    return _key(cell, table) or role_of(cell.text, rules)


def _header_positions(row: Row, table: dict[str, tuple[str, ...]], rules: tuple[RoleRule, ...] = ()) -> dict[str, float]:
    """Each column key's x centre: labels a synonym names first, then labels by what their words
    mean for the keys still missing (so a caption such as 年度预算数(万元) never takes the place of
    the 调整后预算数 column printed beside it)."""
    positions: dict[str, float] = {}
    matchers = (lambda cell: match_key(cell.text, table, fuzzy=False), lambda cell: _key(cell, table), lambda cell: role_of(cell.text, rules))
    cells = sorted(
        row.cells, key=lambda cell: _block_caption(cell, row) or _is_caption(cell.text)
    )  # a block's caption names a column only when no other cell does (merged down, or cut before it could be: 阜康)
    for matcher in matchers:  # exact labels, then close OCR readings, then roles
        for cell in cells:
            key = matcher(cell)
            if key is not None and key not in positions:
                positions[key] = (cell.bbox[0] + cell.bbox[2]) / 2
    return positions


def _amount(cell: Cell) -> float | None:
    """The number a cell prints, 5.8万 and 100% included; None for words."""
    stated = amount_with_unit(cell.text)
    return stated[0] if stated is not None else parse_number(cell.text).value


def _weight_in_label(text: str) -> float | None:
    """The points a label prints in brackets: 预算执行情况(万元)(20分) -> 20, 总分(100分) -> 100 (and
    read by OCR with a remnant after it, 总分(100分)1, which ``level1_parts`` does not take)."""
    return next((float(found.group(1)) for extra in normalise_label(text).extras if (found := WEIGHT_IN_LABEL.match(extra))), None)


def _block_caption(cell: Cell, row: Row) -> bool:
    """The row's first cell, merged down over the rows below it: the caption of the block the row
    heads (年度目标完成情况 and 年度绩效指标完成情况 down the left of 四川's 区域绩效目标自评表), whose
    words may name a column (年度目标完成情况 is a 实际 column's label in 青神's layout). Taken as a
    column, it held the column's place: every goal and 实际完成值 read under it."""
    return cell is row.cells[0] and cell.row + cell.row_span - 1 > row.index


def _completion_beside_the_goal(row: Row, positions: dict[str, float]) -> dict[str, float]:
    """总体目标完成情况 printed as a column label to the right of the 总体目标 column, under a
    年度总体目标 caption merged down the left (新疆 阜康): the 实际 column. Elsewhere the same
    words caption a block (阆中: 总体目标完成情况 over 总体目标 | 全年实际完成情况), so they name no
    column on their own; every completion text had been lost."""
    if "expected" not in positions or "actual" in positions:
        return positions
    for cell in row.cells:
        centre = (cell.bbox[0] + cell.bbox[2]) / 2
        if cell.row == row.index and not _block_caption(cell, row) and centre > positions["expected"] and normalise_label(cell.text).base in GOAL_BLOCK:
            return {**positions, "actual": centre}
    return positions


def _weights_by_level(row: Row, positions: dict[str, float], table: dict[str, tuple[str, ...]], rules: tuple[RoleRule, ...]) -> dict[str, float]:
    """A header printing a 分值 column after each level (一级指标 | 分值 | 二级指标 | 分值 | 三级指标 |
    分值 | 得分, Hainan): each 分值 is the points of the level printed left of it. The first one
    had been read as every indicator's weight (20 for 4). The level-1 one becomes
    ``level1_weight``; the level-2 one has no field and is no indicator's weight."""
    own = sorted((c for c in row.cells if c.row == row.index and c.text.strip()), key=lambda c: c.bbox[0])
    roles = [_column_role(c, table, rules) for c in own]
    if roles.count("weight") < 2:
        return positions
    by_level = dict(positions)
    indicator_weights = []
    for k, (cell, role) in enumerate(zip(own, roles)):
        if role != "weight":
            continue
        level = roles[k - 1] if k else None
        if level in ("level1", "level2"):
            by_level[f"{level}_weight"] = (cell.bbox[0] + cell.bbox[2]) / 2
        else:
            indicator_weights.append((cell.bbox[0] + cell.bbox[2]) / 2)
    if indicator_weights:
        by_level["weight"] = indicator_weights[0]
    else:
        by_level.pop("weight", None)
    return by_level


def _is_caption(text: str) -> bool:
    base = normalise_label(text).base
    return not base or bool(SECTION_HEADING.match(normalise(text))) or any(base == caption or base.startswith(caption) and len(base) <= len(caption) + 2 for caption in BLOCK_CAPTIONS)


def _unread_header_cells(row: Row, table: dict[str, tuple[str, ...]], rules: tuple[RoleRule, ...]) -> list[Cell]:
    """Header cells printed in this row whose column no role names: a column that is not read.

    So is a label naming a role another cell of the row holds: 二级指标 read by OCR as -级指标 is a
    close reading of 一级指标, and 单项指标折算得分 printed beside 单项指标得分 another 得分; either
    column was lost with nothing said. In print a second 分值 is left to ``_weights_by_level``
    (a 分值 per level)."""
    positions = _header_positions(row, table, rules)

    def unread(cell: Cell) -> bool:
        role = _column_role(cell, table, rules)
        if role is None:
            return True
        elsewhere = abs(positions.get(role, 0.0) - (cell.bbox[0] + cell.bbox[2]) / 2) > 0.5
        return elsewhere and (cell.confidence is not None or role != "weight")

    return [c for c in row.cells if c.row == row.index and c.text.strip() and not _is_caption(c.text) and unread(c)]


def _is_indicator_header(positions: dict[str, float]) -> bool:
    return ("level1" in positions or "name" in positions) and len(positions) >= 4


def _is_funding_header(positions: dict[str, float]) -> bool:
    return len(positions) >= 3 and ("annual_budget" in positions or "executed" in positions)


class _FormReader:
    """Reads one chunk: a small state machine over rows, one section at a time."""

    def __init__(self, chunk: FormChunk, vocabulary: Vocabulary = BASE, template: str = UNKNOWN) -> None:
        self.chunk = chunk
        self.vocabulary = vocabulary
        self.template = template
        self.project = Project()
        self.funding = Funding()
        self.goals = Goals()
        self.indicators: list[Indicator] = []
        self.total = Total()
        self.other_notes: list[tuple[str, Cell]] = []
        self.dropped_rows: list[DroppedRow] = []
        self.provenance: dict[str, Provenance] = {}
        self.problems: list[tuple[str, str]] = []  # (pointer, why): printed but unreadable
        self.funding_weight: tuple[float, Cell] | None = None  # a weight printed in the caption: 预算执行情况(20分)
        self.section = "header"
        self.funding_cols: dict[str, float] = {}
        self.goal_cols: dict[str, float] = {}
        self.indicator_cols: dict[str, float] = {}
        self.previous_level1: tuple[str | None, float | None, Cell | None] = (None, None, None)
        self.level1_rest: Cell | None = None  # the end of a level-1 label a page break cut, joined to its start
        self.level2_rest: Cell | None = None  # and of a level-2 label
        self.previous_level2: tuple[str | None, Cell | None, Row | None] = (None, None, None)
        self.grids_with_indicators: set[int] = set()
        self.row_rests: set[tuple[int, int]] = set()  # (grid, row) of the rests of rows a page break split
        # indicators under an empty level cell cut by a page break (open below): its label is printed below the break
        self.label_below_break: dict[str, list[int]] = {"level1": [], "level2": []}
        self.unread: list[str] = []  # what the form prints that could not be placed: columns, rows
        self.unread_cells: list[Cell] = []  # the header cells among them (OCR reads them again)
        self.rest_cells: list[Cell] = []  # the rests of values a page break cut (``_record_rest``)
        self.header_row: Row | None = None  # the indicator header, to tell a second header row after it
        self.indicators_at_header = 0  # indicator rows read before the header: none since it, none yet under it
        self.last_indicator_row: Row | None = None  # where the last indicator was read (rows split by a page break)
        self.last_goal_row: Row | None = None
        self.goal_block_seen = False  # a 年度总体目标 label printed: goals are expected under it
        self.pairs_line: int | None = None  # the funding line a block of label | value pairs gives (``_funding_pairs``)
        self.row_above: Row | None = None  # the row read before this one (``_header_above``)
        self.fallback_fields: dict[str, tuple[Row, int]] = {}  # FALLBACK_HEADER_FIELDS seen, by field: label's row and cell index
        self.score_caption: Cell | None = None  # a 自评得分 column captioned among the header rows (``_score_column``)
        self.total_line: tuple[float, TextLine] | None = None  # 项目总得分99分 printed outside the table
        self.unstored_seen: set[Cell] = set()

    # --- recording values -------------------------------------------------------------------

    def _record(self, pointer: str, cell: Cell) -> None:
        self.provenance[pointer] = Provenance(page=cell.page, bbox=cell.bbox, text=cell.text, confidence=cell.confidence, ref=cell.ref)

    def _record_rest(self, pointer: str, cell: Cell) -> None:
        """The rest of a value a page break cut, joined to its start: the value points at its start
        and is as sure as its least sure part (a rest read at 0.5, (>**元/人·月) for (≥**元/人·月),
        went out on its start's 0.97)."""
        self.rest_cells.append(cell)
        start = self.provenance.get(pointer)
        if start is None:
            self._record(pointer, cell)
        elif cell.confidence is not None:
            least = cell.confidence if start.confidence is None else min(start.confidence, cell.confidence)
            self.provenance[pointer] = replace(start, confidence=least)

    def _ink_not_read(self, pointer: str, cell: Cell | None) -> bool:
        """A value cell with print in it that read as nothing: recorded as a problem, so the form
        goes to review. As a blank it was a value missing unseen (a 100 dpi ═ read as nothing)."""
        if cell is None or cell.text.strip() or cell.confidence != 0.0:
            return False
        self._record(pointer, cell)
        self.problems.append((pointer, INK_NOT_READ))
        return True

    def _text(self, pointer: str, cell: Cell | None) -> str | None:
        if cell is None or self._ink_not_read(pointer, cell):
            return None
        value = clean_text(cell.text)
        if value is not None:
            self._record(pointer, cell)
            if is_overflow_mark(value):
                self.problems.append((pointer, overflow_problem(value)))
                return None
            if cell.ref is not None and value.startswith("=") and len(value) > 1:
                self.problems.append((pointer, f"a formula with no saved value ({value!r} in {cell.ref})"))
        return value

    def _value_text(self, pointer: str, cell: Cell | None) -> str | None:
        """An indicator's value printed as text (指标值, 实际完成值, 单位, 偏差原因): a cell holding
        nothing but a dash or a slash says there is no value, as it does in a number cell (the
        provenance keeps what it printed); 无 is a reason given, and is kept."""
        value = self._text(pointer, cell)
        return None if value is not None and normalise(value) in NOTHING_PRINTED else value

    def _number(self, pointer: str, cell: Cell | None) -> float | None:
        if cell is None or self._ink_not_read(pointer, cell) or not cell.text.strip() or normalise(cell.text) in AMOUNT_UNITS:
            return None  # a unit alone (万元) is an amount cell left blank
        result = parse_number(cell.text)
        self._record(pointer, cell)
        if result.problem:
            self.problems.append((pointer, result.problem))
        return result.value

    # --- sections ---------------------------------------------------------------------------

    def read(self) -> ParsedForm:
        for item in self.chunk.items:
            if isinstance(item, TextLine):
                self._loose_line(item)
            else:
                self._row(item)
                self.row_above = item
        if self.other_notes:
            self._record(ptr.OTHER_NOTES, self.other_notes[0][1])
        if self.chunk.title_line is not None:
            line = self.chunk.title_line
            self.provenance[ptr.TITLE] = Provenance(line.page, line.bbox, line.text, line.confidence)
        self._year_from_title()
        self._fallback_fields()
        self._fill_split_level1()
        self._fill_split_level1_weight()
        self._columns_read()
        self._goals_read()
        self._total_from_line()
        return ParsedForm(
            title=title_without_year(self.chunk.title),
            template=self.template,
            pages=self.chunk.pages,
            project=self.project,
            funding=self.funding,
            goals=self.goals,
            indicators=self.indicators,
            total=self.total,
            provenance=self.provenance,
            problems=self.problems,
            other_notes="\n".join(text for text, _ in self.other_notes) or None,
            dropped_rows=self.dropped_rows,
            unread=self.unread,
            unread_cells=self.unread_cells,
            rest_cells=self.rest_cells,
        )

    def _columns_read(self) -> None:
        """Every form prints these indicator columns: one not found, or found with every value
        empty, is a column that was not read (its header was not recognised, or not under it)."""
        if not self.indicators:
            return
        for role in REQUIRED_INDICATOR_ROLES:
            label = INDICATOR_COLUMN_NAMES[role]
            if role not in self.indicator_cols:
                self.unread.append(f"no {label} column found in the indicator header")
            elif all(getattr(indicator, role) is None for indicator in self.indicators):
                self.unread.append(f"{label} column found but no row has a value under it")

    def _total_from_line(self) -> None:
        """The total score a line outside the table prints (项目总得分99分): the form's total when
        no 总分 row gives one; when one does and they differ, neither is taken on trust."""
        if self.total_line is None:
            return
        score, line = self.total_line
        if self.total.score is None:
            self.total.score = score
            self.provenance[ptr.total("score")] = Provenance(line.page, line.bbox, line.text, line.confidence)
        elif self.total.score != score:
            self.unread.append(f"total score: the 总分 row says {self.total.score:g}, the line {line.text.strip()!r} says {score:g}")

    def _goals_read(self) -> None:
        """A form printing 年度总体目标 with no goal read under it: its column headers were not
        recognised (预期目标 read as 预期目 | 示), or the goals were printed where none was looked for."""
        if self.goal_block_seen and not (self.goals.expected or self.goals.actual):
            self.unread.append(f"{GOAL_BLOCK[0]} printed but no goal read under it")

    def _year_from_title(self) -> None:
        """A year printed only in the title (2020年度项目支出绩效自评表)."""
        line = self.chunk.title_line
        if self.project.year is None and line is not None:
            year = title_year(line.text)
            if year is not None:
                self.project.year = year
                self.provenance[ptr.project("year")] = Provenance(line.page, line.bbox, line.text, line.confidence)

    def _fill_split_level1(self) -> None:
        """A merged level cell split by a page break may print its label below the break only: the
        rows above it, at the end of the earlier page, then take that label (and point at the cell
        that prints it). Level 1 first, so a level-2 block is only filled within its level-1 block."""
        for key, extra in (("level1", "level1_weight"), ("level2", None)):
            pending: list[int] = []
            for index, indicator in enumerate(self.indicators):
                if getattr(indicator, key) is None:
                    pending.append(index)
                    continue
                if pending and pending[-1] == index - 1 and self._starts_page(index):
                    self._fill_from(index, pending, key, extra)
                pending = []

    def _fill_split_level1_weight(self) -> None:
        """A level-1 block's 分值 printed in a merged cell of its own, cut by a page break: the rows
        of the block on the page the number is not on take it from the rows that have it (and point
        at the cell that prints it). Only across the break, and only one number for the block."""
        start = 0
        while start < len(self.indicators):
            level1 = self.indicators[start].level1
            end = start + 1
            while end < len(self.indicators) and level1 is not None and self.indicators[end].level1 == level1:
                end += 1
            block = range(start, end)
            weights = {self.indicators[i].level1_weight for i in block} - {None}
            given = [i for i in block if self.indicators[i].level1_weight is not None]
            source = self.provenance.get(ptr.indicator(given[0], "level1_weight")) if given else None
            if level1 is not None and len(weights) == 1 and source is not None:
                for i in block:
                    if self.indicators[i].level1_weight is None and self._page_of(i) not in (0, source.page):
                        self.indicators[i].level1_weight = next(iter(weights))
                        self.provenance[ptr.indicator(i, "level1_weight")] = source
            start = end

    def _fill_from(self, index: int, rows: list[int], key: str, extra: str | None) -> None:
        source = self.indicators[index]
        source_cell = self.provenance.get(ptr.indicator(index, key))
        for row_index in reversed(rows):  # up from the break: the merge ends at a row of another block
            target = self.indicators[row_index]
            if key == "level2" and target.level1 != source.level1:
                continue
            if key == "level1" and in_another_block(source.level1, target.level2):
                break
            for field_name in (key, extra) if extra else (key,):
                setattr(target, field_name, getattr(source, field_name))
                if source_cell is not None and getattr(source, field_name) is not None:
                    self.provenance[ptr.indicator(row_index, field_name)] = source_cell

    def _starts_page(self, index: int) -> bool:
        """The indicator's level-1 label is on a later page than the row above it."""
        here = self.provenance.get(ptr.indicator(index, "name")) or self.provenance.get(ptr.indicator(index, "level1"))
        above = self.provenance.get(ptr.indicator(index - 1, "name"))
        return here is not None and above is not None and here.page > above.page

    def _loose_line(self, line: TextLine) -> None:
        year = YEAR_LINE.match(normalise(line.text))
        if year and self.project.year is None:
            self.project.year = year.group(1)
            self.provenance[ptr.project("year")] = Provenance(line.page, line.bbox, line.text, line.confidence)
            return
        total = TOTAL_SCORE_LINE.match(normalise(line.text))
        if total and self.total_line is None:
            self.total_line = (float(total.group(1)), line)
            return
        unit = unit_of(line.text)
        if unit and self.funding.unit is None:
            self.funding.unit = unit
            self.provenance[ptr.FUNDING_UNIT] = Provenance(line.page, line.bbox, line.text, line.confidence)

    def _row(self, row: Row) -> None:
        texts = [c for c in row.cells if c.text.strip()]
        self.goal_block_seen = self.goal_block_seen or any(normalise_label(c.text).base in GOAL_BLOCK for c in texts)
        if len(texts) == 1 and (YEAR_LINE.match(normalise(texts[0].text)) or TOTAL_SCORE_LINE.match(normalise(texts[0].text))):  # a sheet's （2022年度） or 项目总得分99分 row
            self._loose_line(TextLine(texts[0].text, row.page, texts[0].bbox))
            return
        indicator_header = _header_positions(row, self.vocabulary.indicator_columns, INDICATOR_ROLES)
        if _is_indicator_header(indicator_header):
            if self.section == "indicators" and self._second_header_row(row):  # the header's merged labels go on down: its second row
                return
            indicator_header = _weights_by_level(row, indicator_header, self.vocabulary.indicator_columns, INDICATOR_ROLES)
            caption = self.score_caption
            if "score" not in indicator_header and caption is not None and caption.page == row.page:
                indicator_header["score"] = (caption.bbox[0] + caption.bbox[2]) / 2  # captioned among the header rows
            if self.section != "indicators" or not self.indicator_cols:  # a header repeated on a new page reads the same
                points = self._block_points(row)
                unread = [c for c in _unread_header_cells(row, self.vocabulary.indicator_columns, INDICATOR_ROLES) if c not in points]
                self.unread += [f"indicator column {c.text.strip()!r}" for c in unread]
                self.unread_cells += unread
            self.indicator_cols = indicator_header
            self.header_row = row
            self.indicators_at_header = len(self.indicators)
            self.section = "indicators"
            return
        if self.section == "indicators":
            if self._second_header_row(row) or self._header_rest(row):
                return
            self._indicator_or_total(row.under(self.header_row) if self.header_row is not None else row)
            return
        if self.section == "after":
            self._other_notes(row)
            return
        self._units(row)
        funding_header = _header_positions(row, self.vocabulary.funding_columns, FUNDING_ROLES)
        if _is_funding_header(funding_header):
            unread = [
                c
                for c in _unread_header_cells(row, self.vocabulary.funding_columns, FUNDING_ROLES)
                if match_key(c.text.strip(), self.vocabulary.funding_items) is None and unit_of(c.text.strip()) is None
            ]
            self.unread += [f"funding column {c.text.strip()!r}" for c in unread]
            self.unread_cells += unread
            self.funding_cols = funding_header
            self.funding_weight = self._caption_weight(row)
            self.section = "funding"
            return
        if self._goal_beside_the_block_label(row):
            self.section = "goals"
            return
        goal_header = _completion_beside_the_goal(row, _header_positions(row, self.vocabulary.goal_columns))
        if not any(c.row == row.index and _key(c, self.vocabulary.goal_columns) is not None for c in row.cells):
            goal_header = {}  # a label merged down from the row above only (its caption): a goal row, not a header
        if goal_header and self._goal_beside_its_label(row):
            self.section = "goals"
            return
        if goal_header:
            self._block_points(row)
            self.goal_cols = goal_header
            self.section = "goals"
            return
        if (self.section == "header" or self.section == "funding" and self.pairs_line is not None) and self._funding_pairs(row):
            return
        self._header_fields(row)
        if self.section == "funding":
            self._funding_line(row)
        elif self.section == "goals":
            self._goal_row(row)

    def _units(self, row: Row) -> None:
        """The amount unit a label names (项目资金(万元), 金额单位：万元), or a unit printed in the
        cell after its own label (河北 成安: 金额单位: | 万元)."""
        for i, cell in enumerate(row.cells):
            unit, source = unit_of(cell.text), cell
            if unit is None and is_unit_label(cell.text) and i + 1 < len(row.cells) and normalise(row.cells[i + 1].text) in AMOUNT_UNITS:
                unit, source = normalise(row.cells[i + 1].text), row.cells[i + 1]
            if unit is None and self.pairs_line is not None and self.section == "funding":
                unit = self._unit_in_a_pairs_block(cell)
            if unit and self.funding.unit is None:
                self.funding.unit = unit
                self._record(ptr.FUNDING_UNIT, source)

    def _caption_weight(self, row: Row) -> tuple[float, Cell] | None:
        """The funding block's weight when its caption prints it: 预算执行情况(万元)(20分)."""
        for cell in row.cells:
            weight = _weight_in_label(cell.text) if normalise_label(cell.text).base in self.vocabulary.funding_captions else None
            if weight is not None:
                return weight, cell
        return None

    def _unit_in_a_pairs_block(self, cell: Cell) -> str | None:
        """The unit an amount in a label | value budget block states, which no caption gives (四川
        安居: 预算数: | 2.38 over 其中:中央补助 | 2.38  万元); a block whose amounts state two
        units is unread, not guessed."""
        stated = amount_with_unit(cell.text)
        unit = stated[1] if stated is not None else normalise(cell.text) if normalise(cell.text) in AMOUNT_UNITS else None
        if unit is not None and self.funding.unit is not None and unit != self.funding.unit:
            self.unread.append(f"amount unit: the budget block states {self.funding.unit} and {unit} ({cell.text.strip()!r})")
        return unit

    def _header_fields(self, row: Row) -> None:
        fields = self.vocabulary.header_fields
        for i, cell in enumerate(row.cells):
            if self._score_column(row, cell):
                continue
            key = _key(cell, fields)
            if key is None:
                fallback = match_key(cell.text, FALLBACK_HEADER_FIELDS, fuzzy=cell.confidence is not None) if self.section == "header" else None
                if fallback is not None and fallback not in self.fallback_fields:
                    self.fallback_fields[fallback] = (row, i)
                    continue
                if not self._paired_header_field(row, i) and not self._label_and_value(cell):
                    self._unread_header_field(row, i)
                continue
            value_cell = row.cells[i + 1] if i + 1 < len(row.cells) else None
            if value_cell is None or _key(value_cell, fields) is not None:
                continue
            if key == "manager_phone":
                self._person_and_phone(value_cell)
            elif getattr(self.project, key) is None:
                setattr(self.project, key, self._text(ptr.project(key), value_cell))

    def _score_column(self, row: Row, cell: Cell) -> bool:
        """A 自评得分 column captioned among the header rows, right of the header fields (四川's
        区域绩效目标自评表): the number under the caption is the form's total; further down, the
        column holds each block's points beside its caption and each indicator's score."""
        if self.section != "header":
            return False
        if cell.row == row.index and self.score_caption is None and _column_role(cell, self.vocabulary.indicator_columns, INDICATOR_ROLES) == "score":
            if cell is row.cells[-1] and len(row.cells) > 1:
                self.score_caption = cell
                return True
            return False
        if self.score_caption is None or cell is self.score_caption or cell.row != row.index or not self._under_score_caption(cell):
            return False
        if self.total.score is None and parse_number(cell.text).value is not None and cell is row.cells[-1]:
            self.total.score = self._number(ptr.total("score"), cell)
            return True
        return False

    def _block_points(self, row: Row) -> list[Cell]:
        """The points a block's header row prints in the 自评得分 column (年度目标完成情况 20,
        年度绩效指标完成情况 50): the schema has no field for them, so they are named unread."""
        points = [c for c in row.cells if c.row == row.index and self._under_score_caption(c) and parse_number(c.text).value is not None]
        self.unread += [f"a block's points {c.text.strip()!r} in the 自评得分 column (the schema has no field for them)" for c in points]
        self.unread_cells += points
        return points

    def _under_score_caption(self, cell: Cell) -> bool:
        caption = self.score_caption
        return caption is not None and caption.page == cell.page and caption.bbox[0] - 0.5 <= (cell.bbox[0] + cell.bbox[2]) / 2 <= caption.bbox[2] + 0.5

    def _paired_header_field(self, row: Row, i: int) -> bool:
        """Two header labels in one cell, their values likewise (项目实施单位/项目负责人 |
        原州区农技中心/杨勃兴): each value to its label's field, both pointing at the cell. Values
        that do not split the same way are unread, not guessed."""
        labels = re.split(r"[/／]", normalise_label(row.cells[i].text).base)
        keys = [match_key(label, self.vocabulary.header_fields, fuzzy=row.cells[i].confidence is not None) for label in labels]
        if len(keys) != 2 or None in keys or "manager_phone" in keys or keys[0] == keys[1] or i + 1 >= len(row.cells):
            return False
        value = row.cells[i + 1]
        parts = [part.strip() for part in re.split(r"[/／]", value.text)]
        if not value.text.strip():
            return True
        if len(parts) != len(keys) or not all(parts):
            self.unread.append(f"header field {row.cells[i].text.strip()!r} (its value {value.text.strip()!r} does not split into one for each label)")
            return True
        for key, part in zip(keys, parts):
            if key is not None and getattr(self.project, key) is None:
                setattr(self.project, key, part)
                self._record(ptr.project(key), value)
        return True

    def _label_and_value(self, cell: Cell) -> bool:
        """A header label and its value in one cell (联系电话：88894492, typed so, or the rule between
        the two cells lost under a seal): the value is what follows the label. As a label of no
        field, the phone was lost unseen."""
        found = label_and_value(cell.text, self.vocabulary.header_fields) if self.section == "header" else None
        if found is None:
            return False
        key, value = found
        if key == "manager_phone":
            self._person_and_phone(cell, value)
        elif getattr(self.project, key) is None:
            setattr(self.project, key, value)
            self._record(ptr.project(key), cell)
        return True

    def _fallback_fields(self) -> None:
        """A FALLBACK_HEADER_FIELDS label's value is its field's when the form printed no label of
        the field's own; otherwise it is a header value no field holds, named unread as such."""
        for key, (row, i) in self.fallback_fields.items():
            value = row.cells[i + 1] if i + 1 < len(row.cells) else None
            if getattr(self.project, key) is None and value is not None and value.text.strip() and _key(value, self.vocabulary.header_fields) is None:
                setattr(self.project, key, self._text(ptr.project(key), value))
            else:
                self._unread_header_field(row, i, force=True)

    def _unread_header_field(self, row: Row, i: int, force: bool = False) -> None:
        """A label of the kind the schema holds (…单位, …部门, …名称, …编码, …负责人, …电话) that no
        header synonym names, with a value beside it: a header value that would silently be null."""
        label = normalise_label(row.cells[i].text).base
        if not force and self.section != "header" or not label or len(label) > 10 or not label.endswith(HEADER_LABEL_ENDINGS) or is_unit_label(row.cells[i].text):
            return
        value = row.cells[i + 1] if i + 1 < len(row.cells) else None
        if value is None or not value.text.strip() or _key(value, self.vocabulary.header_fields) is not None:
            return
        self.unread.append(f"header field {row.cells[i].text.strip()!r} (no header field of the schema is known by this label)")

    def _person_and_phone(self, cell: Cell, text: str | None = None) -> None:
        """项目负责人及电话: one cell, two values, both pointing at it (``text``: the cell's text
        after a label printed in it, else the whole)."""
        text = cell.text if text is None else text
        if is_overflow_mark(text):
            self.problems.append((ptr.project("phone"), overflow_problem(text)))
            return
        person, phone = person_and_phone(text)
        for key, value in (("manager", person), ("phone", phone)):
            if value is not None and getattr(self.project, key) is None:
                setattr(self.project, key, value)
                self._record(ptr.project(key), cell)

    def _second_header_row(self, row: Row) -> bool:
        """The row right under the indicator header that only prints column labels (指标性质 | 指标值 |
        度量单位 under a merged 年度指标值): its columns refine the header's, it holds no values. A
        sub-column no role names takes its merged parent's (河北: 预期指标值 over 符号 | 单位(文字描述)
        holds the target in its second); a column whose role a label of this row takes (权重占比(%)
        under 自评得分 for 指标分值, which holds explanations; the last of 单项指标得分 | 单项指标折算得分)
        is read no more, and said so."""
        header = self.header_row
        if header is None or header.grid_id != row.grid_id or row.index != header.index + 1:
            return False
        own = [c for c in row.cells if c.row == row.index and c.text.strip()]
        table = self.vocabulary.indicator_columns
        roles = {c: _column_role(c, table, INDICATOR_ROLES) for c in own}
        spanning = [c for c in header.cells if c.row == header.index and c.col_span > 1]
        for cell in own:  # 预期指标值 over 符号 | 单位(文字描述): the sub-column no role names is the parent's
            parent = next((p for p in spanning if p.bbox[0] <= (cell.bbox[0] + cell.bbox[2]) / 2 <= p.bbox[2]), None)
            inherited = _column_role(parent, table, INDICATOR_ROLES) if parent is not None else None
            siblings = [c for c in own if parent is not None and parent.bbox[0] <= (c.bbox[0] + c.bbox[2]) / 2 <= parent.bbox[2]]
            if roles[cell] is None and inherited is not None and sum(roles[c] is None for c in siblings) == 1 and inherited not in (roles[c] for c in siblings):
                roles[cell] = inherited
        named = {cell: role for cell, role in roles.items() if role is not None}
        if not own or len(named) < len(own):
            return False
        placed: dict[str, Cell] = {}
        for cell, role in named.items():
            x = (cell.bbox[0] + cell.bbox[2]) / 2
            before = placed.get(role) or next((c for c in header.cells if c.row == header.index and _column_role(c, table, INDICATOR_ROLES) == role), None)
            if before is not None and not before.bbox[0] <= x <= before.bbox[2]:  # another column had the role: it is read no more
                self.unread.append(f"indicator column {before.text.strip()!r} ({cell.text.strip()!r} is read for its role)")
                self.unread_cells.append(before)
            placed[role] = cell
            self.indicator_cols[role] = x
        return True

    def _header_rest(self, row: Row) -> bool:
        """The rest of the indicator header split by a page break (未完成原因分 | 析 at the top of the
        next page, Word lets rows break): no indicator read under the header yet, and the row prints
        nothing in a column that makes an indicator (name, values, points) — the ends of labels."""
        if self.header_row is None or len(self.indicators) != self.indicators_at_header or not self._after_break(self.header_row, row):
            return False
        making = [x for role, x in self.indicator_cols.items() if role in ("name", "target", "actual", "weight", "score")]
        own = [c for c in row.cells if c.row == row.index and c.text.strip()]
        return bool(own) and bool(making) and not any(c.bbox[0] <= x <= c.bbox[2] for c in own for x in making)

    def _funding_line(self, row: Row) -> None:
        item_key = None
        for label in row.cells:
            item_key = _key(label, self.vocabulary.funding_items) or role_of(label.text, FUNDING_ITEM_ROLES)
            if item_key is not None:
                break
        if item_key is None and not self.funding.lines:
            if any(c is not None and parse_number(c.text).value is not None for c in self._amount_cells(row)):
                # one budget row without a label (Sichuan): the first row of every funding block is its total
                item_key = self.vocabulary.funding_row_without_label or "年度资金总额"
        if item_key is None:
            self._funding_row_without_item(row)
            return
        index = len(self.funding.lines)
        line = FundingLine(item=item_key)
        for key, x in self.funding_cols.items():
            if key in UNSTORED_FUNDING_ROLES:
                cell = row.cell_at(x)
                if cell is None or normalise(cell.text) in NOT_A_NUMBER or cell in self.unstored_seen:
                    continue
                self.unstored_seen.add(cell)  # one merged cell beside several rows is one text
                if is_instruction(cell.text):
                    self.dropped_rows.append(DroppedRow(page=cell.page, text=cell.text.strip(), reason=INSTRUCTIONS_LEFT_IN))
                else:
                    self.unread.append(f"funding {item_key} {UNSTORED_FUNDING_ROLES[key]} {cell.text.strip()!r} (the schema has no field for it)")
                continue
            cell = row.cell_at(x)
            if cell is not None and cell.row != row.index and self._read_for_a_line_above(cell):
                continue  # one value merged down beside several lines is the first line's (成安's 预算执行进度)
            self._funding_value(line, index, key, cell)
        if item_key == "年度资金总额" and "weight" not in self.funding_cols and self.funding_weight is not None:
            line.weight, caption = self.funding_weight
            self._record(ptr.funding(index, "weight"), caption)
        self.funding.lines.append(line)

    def _read_for_a_line_above(self, cell: Cell) -> bool:
        return any(p.page == cell.page and p.bbox == cell.bbox for pointer, p in self.provenance.items() if pointer.startswith("/funding/lines/"))

    def _funding_value(self, line: FundingLine, index: int, key: str, cell: Cell | None, unit_from_value: bool = False) -> None:
        """One value of a funding line. An amount that states its unit (150万 in a 万元 column) is
        the amount it states, in that unit; ``unit_from_value``: with no unit printed elsewhere,
        the unit it states is the block's (a budget of label | value pairs has no caption)."""
        stated = amount_with_unit(cell.text) if key in AMOUNT_KEYS and cell is not None else None
        if cell is not None and stated is not None and (stated[1] == self.funding.unit or unit_from_value and self.funding.unit is None):
            if self.funding.unit is None:
                self.funding.unit = stated[1]
                self._record(ptr.FUNDING_UNIT, cell)
            setattr(line, key, stated[0])
            self._record(ptr.funding(index, key), cell)
            return
        setattr(line, key, self._number(ptr.funding(index, key), cell))

    def _funding_pairs(self, row: Row) -> bool:
        """A budget block printed as label | value pairs, with no header of funding columns over it
        (四川: 预算数: | 2.38 | 执行数: | 2.38, or 转移支付预算数(A) | 5.8万 over 转移支付执行数(B) | 5.8万
        beside 预算执行率(B/A) | 100%; 河北 成安: 预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84): the
        project's whole budget, its 年度资金总额 line, over as many rows as print pairs. Where each
        key's value stands is the block's columns: a row below naming an item (其中:财政资金 | 6.84 |
        其中:财政资金 | 6.84) is read under them. A value no label of a field stands beside (到位数 |
        6.84, a score with no label) is unread, not dropped."""
        own = [c for c in row.cells if c.row == row.index and c.text.strip()]
        pairs: dict[str, Cell] = {}
        loose: list[str] = []
        for k, cell in enumerate(own):
            if any(cell is value for value in pairs.values()):
                continue
            value = own[k + 1] if k + 1 < len(own) else None
            key = _column_role(cell, self.vocabulary.funding_columns, FUNDING_ROLES)
            if key in PAIR_KEYS and value is not None and _amount(value) is not None and key not in pairs:
                pairs[key] = value
            elif _amount(cell) is not None:
                label = own[k - 1].text.strip() if k and _amount(own[k - 1]) is None and not any(own[k - 1] is v for v in pairs.values()) else None
                above = self._header_above(row, cell) if label is None else None
                if above is not None and above not in pairs:  # 河北 成安: 100.00 under 预算执行进度(%)
                    pairs[above] = cell
                    continue
                if label is None and cell is own[-1] and self._under_score_caption(cell) and "score" not in pairs:
                    pairs["score"] = cell  # 四川 安居: the budget block's points in the 自评得分 column
                    continue
                loose.append(f"{label} | {cell.text.strip()}" if label else cell.text.strip())
        if not pairs:
            return False
        opened = self.pairs_line is None
        if self.pairs_line is None:
            self.pairs_line = len(self.funding.lines)
            self.funding.lines.append(FundingLine(item="年度资金总额"))
            caption = self._caption_weight(row)
            if caption is not None:
                self.funding.lines[-1].weight = caption[0]
                self._record(ptr.funding(self.pairs_line, "weight"), caption[1])
        index = self.pairs_line
        line = self.funding.lines[index]
        for key, cell in pairs.items():
            if getattr(line, key) is not None:
                self.unread.append(f"funding pair {key} printed twice ({cell.text.strip()!r})")
                continue
            self._funding_value(line, index, key, cell, unit_from_value=True)
        self.unread += [f"funding value {text!r} beside the budget's label | value pairs, under no label of a field" for text in loose]
        columns = {key: (cell.bbox[0] + cell.bbox[2]) / 2 for key, cell in pairs.items()}
        if opened and len({round(x) for x in columns.values()}) == len(columns):  # the block's columns, for the item rows below it
            self.funding_cols = columns
            self.section = "funding"
        return True

    def _header_above(self, row: Row, cell: Cell) -> str | None:
        """The pair key the row above prints over a value that has no label beside it (a value
        merged down beside the pairs, under its own caption: 预算执行进度(%) over 100.00)."""
        above = self.row_above
        if above is None or above.grid_id != row.grid_id or above.page != row.page:
            return None
        header = above.cell_at((cell.bbox[0] + cell.bbox[2]) / 2)
        if header is None or header.row != above.index or not (header.bbox[0] - 0.5 <= cell.bbox[0] and cell.bbox[2] <= header.bbox[2] + 0.5):
            return None
        key = _column_role(header, self.vocabulary.funding_columns, FUNDING_ROLES)
        return key if key in PAIR_KEYS else None

    def _amount_cells(self, row: Row) -> list[Cell | None]:
        return [row.cell_at(x) for key, x in self.funding_cols.items() if key in AMOUNT_KEYS]

    def _funding_row_without_item(self, row: Row) -> None:
        """A funding row no schema item names (财政专户管理资金, 单位资金, 其中:中央、省补助资金) is
        listed in dropped_rows; one with an amount other than zero is a value lost, so it is unread."""
        values = [parse_number(c.text).value for c in self._amount_cells(row) if c is not None]
        if all(v is None for v in values):
            return  # no amount: a caption, an instruction, a blank row
        label = " | ".join(c.text.strip() for c in row.cells if c.row == row.index and c.text.strip())
        self.dropped_rows.append(DroppedRow(page=row.page, text=label, reason=NO_SCHEMA_ITEM))
        if any(v for v in values):
            self.unread.append(f"funding row {label!r} (no funding item in the schema, amounts not zero)")

    def _goal_row(self, row: Row) -> None:
        if self._after_break(self.last_goal_row, row) and (self.goals.expected or self.goals.actual):
            self._goal_continuation(row)
            return
        self.last_goal_row = row
        for key, x in self.goal_cols.items():
            cell = row.cell_at(x)
            if cell is None or _key(cell, self.vocabulary.goal_columns) is not None or self._is_header_word(cell):
                continue
            items = getattr(self.goals, key)
            for item in text_items(cell.text):
                self._record(ptr.goal(key, len(items)), cell)
                items.append(item)

    def _goal_beside_its_label(self, row: Row) -> bool:
        """A goal printed to the right of its one label (年初设定目标 | 保障学校正常工作运行), a row
        for each goal, rather than under a header row of goal columns: the text is that goal's."""
        # a label merged down from a header row of goal columns (年度目标完成情况 down the left of 四川's
        # form) is that header's caption: the goals under the header are read by its columns
        labelled = [
            (index, key)
            for index, cell in enumerate(row.cells)
            if not _is_caption(cell.text) and (cell.row == row.index or not self.goal_cols) and (key := _key(cell, self.vocabulary.goal_columns)) is not None
        ]
        if len(labelled) != 1 or labelled[0][0] + 1 >= len(row.cells):
            return False
        index, key = labelled[0]
        value = row.cells[index + 1]
        if not value.text.strip() or self._is_header_word(value) or _key(value, self.vocabulary.goal_columns) is not None:
            return False
        items = getattr(self.goals, key)
        for item in text_items(value.text):
            self._record(ptr.goal(key, len(items)), value)
            items.append(item)
        return True

    def _goal_beside_the_block_label(self, row: Row) -> bool:
        """One goal printed beside 年度总体目标 itself, a layout with no 预期/实际 split
        (年度总体目标 | 一是通过政府招标采购…): the goal set for the year, the expected one. Two
        goals side by side with no header (稷山): the expected and the actual one, in the order every
        layout prints them, which the form sends to review to be confirmed."""
        own = [c for c in row.cells if c.row == row.index and c.text.strip()]
        if len(own) not in (2, 3) or normalise_label(own[0].text).base not in GOAL_BLOCK:
            return False
        values = own[1:]
        if any(self._is_header_word(v) or _key(v, self.vocabulary.goal_columns) is not None for v in values) or self.goals.expected:
            return False
        for key, value in zip(("expected", "actual"), values):
            items = getattr(self.goals, key)
            for item in text_items(value.text):
                self._record(ptr.goal(key, len(items)), value)
                items.append(item)
        if len(values) == 2:  # placed by the layout's order, which nothing printed confirms
            self.unread.append(f"{GOAL_BLOCK[0]}: two goals printed with no 预期目标 / 实际完成情况 header over them, read as expected (left) and actual (right)")
        return True

    def _goal_continuation(self, row: Row) -> None:
        """The rest of a goal row split by a page break: joined to the last item of each column."""
        self.last_goal_row = row
        for key, x in self.goal_cols.items():
            cell = row.cell_at(x)
            if cell is None or cell.row != row.index:
                continue
            items = getattr(self.goals, key)
            parts = text_items(cell.text)
            if not parts:
                continue
            if items:
                items[-1] += parts[0]
                self._record_rest(ptr.goal(key, len(items) - 1), cell)
                parts = parts[1:]
            for item in parts:
                self._record(ptr.goal(key, len(items)), cell)
                items.append(item)

    def _is_header_word(self, cell: Cell) -> bool:
        """A label of a table header, printed where a value would be (a two-row header's cells)."""
        vocabulary = self.vocabulary
        return _is_caption(cell.text) and bool(normalise_label(cell.text).base) or _key(cell, vocabulary.indicator_columns) is not None or _key(cell, vocabulary.funding_columns) is not None

    def _indicator_or_total(self, row: Row) -> None:
        cols = self.indicator_cols
        if any(is_total_label(c.text, self.vocabulary.total_labels, ocr=c.confidence is not None) for c in row.cells):
            self._total(row)
            return
        if any(normalise_label(c.text).base in self.vocabulary.other_notes for c in row.cells):
            self._other_notes(row)  # 其他需要说明事项 printed above 总分
            return
        cells = {key: row.cell_at(x) for key, x in cols.items()}
        own = [cells.get(k) for k in ("name", "nature", "target", "unit", "actual", "weight", "score", "deviation_note")]
        if not any(c is not None and c.text.strip() for c in own):
            if self._only_label_rests(row, cells):
                self._continues_previous_row(row, cells)  # the rest of a split row printing only its labels' ends
            else:  # an empty row: nothing printed, nothing to keep, but the labels it opens
                self._labels_of_dropped_row(row, cells)
            return
        if self._placeholder(row, cells):
            return
        if self._continues_previous_row(row, cells):
            return
        index = len(self.indicators)
        indicator = Indicator()
        self._level1(indicator, cells.get("level1"), row, index, cells.get("level1_weight"))
        self._level2(indicator, cells.get("level2"), row, index)
        self.grids_with_indicators.add(row.grid_id)
        indicator.name = self._text(ptr.indicator(index, "name"), cells.get("name"))
        nature = cells.get("nature")
        indicator.nature = comparison_sign(nature.text, ocr=nature.confidence is not None) if nature is not None else None
        if indicator.nature is None and nature is not None and nature.row == row.index:
            self._ink_not_read(ptr.indicator(index, "nature"), nature)
        if indicator.nature is not None and nature is not None:
            self._record(ptr.indicator(index, "nature"), nature)
        indicator.target = self._value_text(ptr.indicator(index, "target"), cells.get("target"))
        indicator.unit = self._value_text(ptr.indicator(index, "unit"), cells.get("unit"))
        indicator.actual = self._value_text(ptr.indicator(index, "actual"), cells.get("actual"))
        indicator.weight = self._number(ptr.indicator(index, "weight"), cells.get("weight"))
        indicator.score = self._number(ptr.indicator(index, "score"), cells.get("score"))
        indicator.deviation_note = self._value_text(ptr.indicator(index, "deviation_note"), cells.get("deviation_note"))
        self.indicators.append(indicator)
        self.last_indicator_row = row

    def _after_break(self, previous: Row | None, row: Row) -> bool:
        """``row`` is the first row of a grid on a later page than ``previous``, the last row of its grid:
        the place where a table row that did not fit its page continues (Word lets rows break)."""
        return previous is not None and previous.last_in_grid and row.page > previous.page and row.grid_id != previous.grid_id and row.grid_id not in self.grids_with_indicators

    def _only_label_rests(self, row: Row, cells: dict[str, Cell | None]) -> bool:
        """Every level label the row prints completes the cut one above (满意度 | 指标(10分), 服务对象 |
        满意度指标): the rest of a split row, not an unfilled row under labels of its own."""
        level1, level2 = cells.get("level1"), cells.get("level2")
        label1, _, start1 = self.previous_level1
        above2 = self.indicators[-1].level2 if self.indicators else None
        rest1 = level1 is None or level1.row != row.index or not level1.text.strip() or _rest_of_cut_label(level1, label1, start1, LEVEL1_NAMES)
        rest2 = level2 is None or level2.row != row.index or not level2.text.strip() or (above2 is not None and family_of(above2 + level2.text, LEVEL2_NAMES) is not None)
        return rest1 and rest2

    def _continues_previous_row(self, row: Row, cells: dict[str, Cell | None]) -> bool:
        """A row split by a page break: its rest, at the top of the next page, prints only the ends
        of its long texts — no level-2, no points, no target of its own. The texts are joined to the
        row they belong to (without a separator: the break fell inside a line), never a new row."""
        if not self.indicators or not self._after_break(self.last_indicator_row, row):
            return False
        previous = self.indicators[-1]
        level2 = cells.get("level2")
        if level2 is not None and level2.row == row.index and family_of(level2.text, LEVEL2_NAMES) is not None and family_of((previous.level2 or "") + level2.text, LEVEL2_NAMES) is None:
            return False  # a level-2 name of its own: a new block (not the end of a cut one: 服务对象 | 满意度指标)
        points = [cells.get(k) for k in ("weight", "score")]
        if any(c is not None and c.text.strip() for c in points):
            return False
        name = cells.get("name")
        if name is not None and (is_child_row(name.text) or is_numbered_child(name.text) or starts_an_indicator(name.text)):
            return False  # a 其中 / 1、 row detailing the row above, or 指标3…: a row of its own, often without points
        if previous.weight is None and previous.score is None:  # a layout without points: the target tells
            target = cells.get("target")
            if target is not None and target.text.strip():
                return False
        index = len(self.indicators) - 1
        level1 = cells.get("level1")
        joined = level1 is not None and level1.row == row.index and bool(level1.text.strip()) and self._level1_continued(level1)
        for key in ("level2", "name", "target", "actual", "deviation_note"):
            cell = cells.get(key)
            text = clean_text(cell.text) if cell is not None and cell.row == row.index else None
            if text is None:
                continue
            if is_overflow_mark(text):
                self.problems.append((ptr.indicator(index, key), overflow_problem(text)))
                continue
            setattr(previous, key, (getattr(previous, key) or "") + text)
            if key == "level2" and cell is not None:  # the rows below under the same merge take the whole label
                _, start, start_row = self.previous_level2
                self.previous_level2, self.level2_rest = (previous.level2, start, start_row), cell
            if cell is not None:
                self._record_rest(ptr.indicator(index, key), cell)
            joined = True
        if joined:
            self.row_rests.add((row.grid_id, row.index))
            self.grids_with_indicators.add(row.grid_id)
            self.last_indicator_row = row
        return joined

    def _total(self, row: Row) -> None:
        """总分 | 100 | 98, and with a grade after the score where the layout prints one (| 优), or
        after a label of its own (保山: 总分(100分) | 100 | 自评等级 | 优)."""
        cols = self.indicator_cols
        label = next(c for c in row.cells if is_total_label(c.text, self.vocabulary.total_labels, ocr=c.confidence is not None))
        grade_label = next((c for c in row.cells if normalise_label(c.text).base in GRADE_LABELS), None)
        grade = row.cells[row.cells.index(grade_label) + 1] if grade_label is not None and grade_label is not row.cells[-1] else None
        weight_cell = row.cell_at(cols["weight"]) if "weight" in cols else None
        self.total.weight = self._number(ptr.total("weight"), weight_cell) if weight_cell not in (None, grade_label, grade) else None
        weight_in_label = _weight_in_label(label.text)
        weight_from_label = self.total.weight is None and weight_in_label is not None
        if weight_from_label:
            self.total.weight = weight_in_label
            self._record(ptr.total("weight"), label)
        score_cell = row.cell_at(cols["score"]) if "score" in cols else None
        if grade_label is not None:
            score_cell = self._score_before_the_grade(row, label, grade_label, score_cell, weight_from_label)
            if grade is not None and normalise(grade.text) not in NOT_A_NUMBER:
                self.total.grade = self._text(ptr.total("grade"), grade)
        self.total.score = self._number(ptr.total("score"), score_cell)
        if self.vocabulary.reads_grade and score_cell is not None and grade_label is None:
            after = [c for c in row.cells if c.bbox[0] >= score_cell.bbox[2] - 0.5 and normalise(c.text) not in NOT_A_NUMBER]
            if after:
                self.total.grade = self._text(ptr.total("grade"), after[0])
        self.section = "after"

    def _score_before_the_grade(self, row: Row, label: Cell, grade_label: Cell, score_cell: Cell | None, weight_from_label: bool) -> Cell | None:
        """The total's score in a row that labels its grade: the cell under 得分 when it holds a
        number; else, when the total's label prints the weight (总分(100分)), the one number between
        the label and 自评等级 (when the weight is the label's, not a cell's). Anything else is
        unread, not guessed."""
        if score_cell is not None and score_cell is not grade_label and parse_number(score_cell.text).value is not None:
            return score_cell
        between = [c for c in row.cells if label.bbox[2] - 0.5 <= c.bbox[0] and c.bbox[2] <= grade_label.bbox[0] + 0.5 and normalise(c.text) not in NOT_A_NUMBER]
        if weight_from_label and len(between) == 1 and parse_number(between[0].text).value is not None:
            return between[0]
        if between:
            self.unread.append(f"total row: {' | '.join(c.text.strip() for c in between)!r} before {grade_label.text.strip()!r}, under no 得分 column")
        return None

    def _other_notes(self, row: Row) -> None:
        """Free text after the total under a label of the layout (其他需要说明事项)."""
        for i, cell in enumerate(row.cells[:-1]):
            if normalise_label(cell.text).base in self.vocabulary.other_notes:
                text = clean_text(row.cells[i + 1].text)
                if text is not None:
                    self.other_notes.append((text, row.cells[i + 1]))
                return

    def _placeholder(self, row: Row, cells: dict[str, Cell | None]) -> bool:
        """A template placeholder row (指标1, ……) with nothing filled in is dropped, and said so.

        Its level-1 and level-2 cells still count for the merges of the rows below."""
        name = cells.get("name")
        if name is None or not is_placeholder(name.text):
            return False
        values = [cells.get(k) for k in ("nature", "target", "unit", "actual", "weight", "score", "deviation_note")]
        if any(c is not None and normalise(c.text) not in NOT_A_NUMBER for c in values):
            return False  # a placeholder name with values: kept, and the placeholder_rows check says so
        self._labels_of_dropped_row(row, cells)
        own = [c.text.strip() for c in row.cells if c.row == row.index and c.text.strip()] or [name.text.strip()]
        self.dropped_rows.append(DroppedRow(page=row.page, text=" | ".join(own), reason=PLACEHOLDER_DROPPED))
        return True

    def _labels_of_dropped_row(self, row: Row, cells: dict[str, Cell | None]) -> None:
        """A row that is not kept (a placeholder, a row with nothing filled in) still starts the
        level merges it prints a label in: the rows below take them (效益指标(20 | 分) opening an
        empty 经济效益指标 row at the foot of a page named the next page's rows)."""
        level1 = cells.get("level1")
        if self._cut_by_break(level1, row):
            self.previous_level1 = (None, None, None)
        if level1 is not None and level1.row == row.index and level1.text.strip():
            self.previous_level1 = self._level1_label(level1)
            self._label_below_break("level1", level1, row)
        level2 = cells.get("level2")
        if level2 is not None and level2.row == row.index and level2.text.strip() and not self._level2_continued(level2, row):
            self.previous_level2 = (clean_text(level2.text), level2, row)
            self._label_below_break("level2", level2, row)

    def _level1(self, indicator: Indicator, cell: Cell | None, row: Row, index: int, weight_cell: Cell | None = None) -> None:
        """Merged cells fill down, also across a page break where the merge was split; a weight
        printed in a column of its own (``weight_cell``) when the label prints none."""
        if self._cut_by_break(cell, row):
            self.previous_level1 = (None, None, None)  # not the block above: the label is below the break
        if cell is not None and not cell.text.strip() and cell.open_below:
            self.label_below_break["level1"].append(index)
        if cell is not None and cell.text.strip():
            self.previous_level1 = self._level1_label(cell)
            self._label_below_break("level1", cell, row)
        indicator.level1, indicator.level1_weight, source = self.previous_level1
        if source is not None:
            self._record(ptr.indicator(index, "level1"), source)
            if indicator.level1_weight is not None:
                self._record(ptr.indicator(index, "level1_weight"), source)
            elif weight_cell is not None and weight_cell.text.strip():
                indicator.level1_weight = self._number(ptr.indicator(index, "level1_weight"), weight_cell)

    def _level1_label(self, cell: Cell) -> tuple[str | None, float | None, Cell | None]:
        """A level-1 cell's label and weight, and the cell its provenance points at."""
        if cell is self.level1_rest:
            return self.previous_level1  # the rest of a cut label: the whole label, joined above
        label, _, start = self.previous_level1
        if _rest_of_cut_label(cell, label, start, LEVEL1_NAMES) and self._level1_continued(cell):
            return self.previous_level1
        return (*level1_parts(cell.text), cell)

    def _level1_continued(self, cell: Cell) -> bool:
        """The rest of a level-1 label a page break cut inside a row (效益指 | 标(30分)), in the
        row's continuation: joined to the start of the label, for every row the label names."""
        label, weight, start = self.previous_level1
        if start is None or label is None:
            return False
        joined, joined_weight = level1_parts(start.text + cell.text)
        for index in range(len(self.indicators) - 1, -1, -1):
            indicator = self.indicators[index]
            if (indicator.level1, indicator.level1_weight) != (label, weight):
                break
            indicator.level1, indicator.level1_weight = joined, joined_weight
            if joined_weight is not None and weight is None:
                self._record(ptr.indicator(index, "level1_weight"), cell)  # the weight is printed in the rest
        self.previous_level1, self.level1_rest = (joined, joined_weight, start), cell
        return True

    def _level2_continued(self, cell: Cell, row: Row) -> bool:
        """Whether ``cell`` is the rest of the level-2 label above a page break, which a
        spreadsheet printed partly on each page (可持续影 | 响指标): then it is joined to its start
        for every row the label names, and the rows under it take the whole label."""
        if cell is self.level2_rest:
            return True
        name, start, _ = self.previous_level2
        if not _rest_of_cut_label(cell, name, start, LEVEL2_NAMES) or name is None:
            return False
        joined = name + (clean_text(cell.text) or "")
        for index in range(len(self.indicators) - 1, -1, -1):
            if self.indicators[index].level2 != name:
                break
            self.indicators[index].level2 = joined
        self.previous_level2, self.level2_rest = (joined, start, row), cell
        return True

    @staticmethod
    def _cut_by_break(cell: Cell | None, row: Row) -> bool:
        """An empty level cell that starts in this row at the foot of its table with no rule under
        it: the top of a merge a page break cut, whose label is printed at the top of the next page
        (a spreadsheet prints a merge's text in the part that holds its middle)."""
        return cell is not None and not cell.text.strip() and cell.open_below and cell.row == row.index

    def _label_below_break(self, key: str, cell: Cell, row: Row) -> None:
        """The first label after rows whose level cell a page break cut (``_cut_by_break``) is theirs
        when it opens the table on the next page; any other label leaves them without one
        (``indicator_levels`` then sends the form to review)."""
        waiting, self.label_below_break[key] = self.label_below_break[key], []
        if not waiting or cell.row != 0 or row.page <= max(self._page_of(i) for i in waiting):
            return
        for index in waiting:
            indicator = self.indicators[index]
            if key == "level1":
                indicator.level1, indicator.level1_weight = level1_parts(cell.text)
                self._record(ptr.indicator(index, "level1"), cell)
                if indicator.level1_weight is not None:
                    self._record(ptr.indicator(index, "level1_weight"), cell)
            else:
                indicator.level2 = clean_text(cell.text)
                self._record(ptr.indicator(index, "level2"), cell)

    def _page_of(self, index: int) -> int:
        where = self.provenance.get(ptr.indicator(index, "name")) or self.provenance.get(ptr.indicator(index, "weight"))
        return where.page if where is not None else 0

    def _level2(self, indicator: Indicator, cell: Cell | None, row: Row, index: int) -> None:
        """An empty level-2 cell continues the previous one only where a page break split a merge."""
        previous_name, previous_cell, previous_row = self.previous_level2
        if cell is not None and cell.text.strip() and self._level2_continued(cell, row):
            indicator.level2, start, _ = self.previous_level2
            if start is not None:
                self._record(ptr.indicator(index, "level2"), start)
            return
        if cell is not None and cell.text.strip():
            indicator.level2 = self._text(ptr.indicator(index, "level2"), cell)
            self.previous_level2 = (indicator.level2, cell, row)
            self._label_below_break("level2", cell, row)
            return
        if cell is not None and cell.open_below:
            self.label_below_break["level2"].append(index)
            self.previous_level2 = (None, cell, row)
            return
        first_after_break = previous_row is not None and previous_row.last_in_grid and previous_row.grid_id != row.grid_id and row.grid_id not in self.grids_with_indicators
        # an empty merge that goes on from above: from the rest of a row the break split, or a row before
        merge_goes_on = cell is not None and ((row.grid_id, cell.row) in self.row_rests or cell is previous_cell)
        if (first_after_break or merge_goes_on) and previous_cell is not None:
            indicator.level2 = previous_name
            self._record(ptr.indicator(index, "level2"), previous_cell)
        self.previous_level2 = (indicator.level2, cell, row)


def _rest_of_cut_label(cell: Cell, label: str | None, start: Cell | None, names: dict[str, tuple[str, ...]]) -> bool:
    """``cell`` opens a page's table with the end of a level label whose start closed the page
    before (可持续影 | 响指标, 经济效益 | 指标): the end is no name of its own, and the two make one."""
    if cell.row != 0 or label is None or start is None or start.page >= cell.page:
        return False
    rest = clean_text(cell.text) or ""
    return family_of(rest, names) is None and (family_of(label + rest, names) is not None or _closes_bracket(label, rest))


def _closes_bracket(start: str, rest: str) -> bool:
    """The start leaves a bracket open that the rest closes: 项目产出(30 | 分), a layout's own name cut."""
    start, rest = unicodedata.normalize("NFKC", start), unicodedata.normalize("NFKC", rest)
    return start.count("(") > start.count(")") and ")" in rest and "(" not in rest.split(")")[0]


def chunk_cells(chunk: FormChunk) -> list[list[tuple[str, float]]]:
    """Given a form's chunk, its rows as (text, x centre) pairs, loose lines as one-cell rows."""
    rows = []
    for item in chunk.items:
        if isinstance(item, TextLine):
            rows.append([(item.text, (item.bbox[0] + item.bbox[2]) / 2)])
        else:
            rows.append([(c.text, (c.bbox[0] + c.bbox[2]) / 2) for c in item.cells])
    return rows


def chunk_grid(chunk: FormChunk) -> dict[str, Any]:
    """Given a form's chunk, its raw cells and loose lines as plain data (saved for a reviewer)."""
    grids: dict[int, dict[str, Any]] = {}
    lines = []
    for item in chunk.items:
        if isinstance(item, TextLine):
            lines.append({"page": item.page, "bbox": [round(v, 2) for v in item.bbox], "text": item.text})
            continue
        grid = grids.setdefault(item.grid_id, {"page": item.page, "cells": {}})
        for cell in item.cells:
            entry = {"row": cell.row, "col": cell.col, "row_span": cell.row_span, "col_span": cell.col_span, "text": cell.text, "bbox": [round(v, 2) for v in cell.bbox]}
            if cell.ref is not None:
                entry["ref"] = cell.ref
            if cell.confidence is not None:
                entry["confidence"] = round(cell.confidence, 3)
            grid["cells"][(cell.row, cell.col)] = entry
    return {
        "title": chunk.title,
        "pages": chunk.pages,
        "lines": lines,
        "grids": [{"page": g["page"], "cells": sorted(g["cells"].values(), key=lambda e: (e["row"], e["col"]))} for g in grids.values()],
    }


def parse_chunk(chunk: FormChunk) -> ParsedForm:
    """Given one form's chunk, match its layout to a template and read it with that template."""
    ranking = rank(chunk.title, chunk_cells(chunk))
    if ranking and ranking[0].score >= MATCH_THRESHOLD:
        best = ranking[0].template
        return _FormReader(chunk, best.vocabulary(), best.name).read()
    parsed = _FormReader(chunk, every_layout(), UNKNOWN).read()  # every known label: an unknown layout loses nothing they name
    parsed.template_note = unknown_message(ranking)
    parsed.grid = chunk_grid(chunk) | {"template_match": [{"template": m.template.name, "score": round(m.score, 3)} for m in ranking]}
    return parsed


def printed_pages(content: DocumentContent) -> tuple[DocumentContent, dict[int, int]] | None:
    """The document with each page image that holds two printed pages (a spread re-laid one
    above the other, ``PageContent.sheet_tops``) as two pages of their own, numbered in reading
    order, and the file's page of each number; None when no page holds more than one. What a
    page break means (a row or a merge cut and continued on the next page) then holds between
    the two halves of a spread as between any two pages."""
    if not any(page.sheet_tops for page in content.pages):
        return None
    pages: list[PageContent] = []
    file_page: dict[int, int] = {}
    for page in content.pages:
        tops = [0.0, *page.sheet_tops, float("inf")]
        for top, bottom in zip(tops, tops[1:]):
            number = len(pages) + 1
            file_page[number] = page.page
            grids = [replace(g, page=number, cells=[replace(c, page=number) for c in g.cells]) for g in page.grids if top <= g.bbox[1] < bottom]
            lines = [replace(line, page=number) for line in page.lines if top <= line.bbox[1] < bottom]
            pages.append(replace(page, page=number, grids=grids, lines=lines, sheet_tops=[]))
    return replace(content, pages=pages), file_page


def _on_file_pages(result: ParsedForm | Unsupported, file_page: dict[int, int]) -> ParsedForm | Unsupported:
    """A result parsed from ``printed_pages`` with every page number the file's again."""
    pages = sorted({file_page[p] for p in result.pages})
    if isinstance(result, Unsupported):
        return replace(result, pages=pages)
    grid = result.grid
    if grid is not None:
        grid = {
            **grid,
            "pages": sorted({file_page[p] for p in grid["pages"]}),
            "lines": [{**line, "page": file_page[line["page"]]} for line in grid["lines"]],
            "grids": [{**g, "page": file_page[g["page"]]} for g in grid["grids"]],
        }
    return replace(
        result,
        pages=pages,
        provenance={pointer: replace(where, page=file_page[where.page]) for pointer, where in result.provenance.items()},
        dropped_rows=[replace(row, page=file_page[row.page]) for row in result.dropped_rows],
        unread_cells=[replace(cell, page=file_page[cell.page]) for cell in result.unread_cells],
        rest_cells=[replace(cell, page=file_page[cell.page]) for cell in result.rest_cells],
        grid=grid,
    )


def parse_document(content: DocumentContent) -> list[ParsedForm | Unsupported]:
    """Given a document's pages, return one ParsedForm per form found (in order)."""
    printed = printed_pages(content)
    if printed is not None:
        sheets, file_page = printed
        return [_on_file_pages(result, file_page) for result in parse_document(sheets)]
    results: list[ParsedForm | Unsupported] = []
    for chunk in split_forms(document_rows(content)):
        other = other_form_type(chunk.title) if chunk.title is not None else None
        if other is not None:
            results.append(Unsupported(title=chunk.title or "", reason=f"unsupported form type: {other}", pages=chunk.pages))
            continue
        results.append(parse_chunk(chunk))
    return results


def continued_form(content: DocumentContent) -> str | None:
    """What in a document that begins no form says it holds a later page of one, in words; None
    when nothing does. A phone or a scanner often saves each page of a form as a file of its
    own: the second file's table, with no title and no header, is no form, yet it holds the
    form's last indicators and its 总分. Its evidence is a cell naming an 一级/二级指标 or a 总分
    row, or an indicator numbered as such (指标3…; a placeholder 指标2: with nothing in its row
    is none); a 合计 alone is any table's (a list of expenses). A scanned or photographed page
    whose table has nothing printed above it is evidence too: a row cut by the page break, whose
    page holds only the rest of an indicator's name (区内公众食品安全科普知识素养), names no level
    and no 总分, and skipped, that name's first part went out alone (安居's 指标2:辖)."""
    return _continuation_evidence([item for item in document_rows(content) if isinstance(item, Row)]) or _headless_scanned_table(content)


def _headless_scanned_table(content: DocumentContent) -> str | None:
    """Whether the file's first page is OCR'd and its table has no text above it: no title, no header line."""
    first = content.pages[0] if content.pages else None
    if first is None or first.method != "ocr" or not first.grids:
        return None
    top = min(grid.bbox[1] for grid in first.grids)
    if any(normalise(line.text) and line.bbox[3] <= top for line in first.lines):
        return None
    return f"a scanned table with nothing printed above it on page {first.page}"


def leading_continuation(content: DocumentContent) -> str | None:
    """What the rows before a document's first form title say of a form they go on (as
    ``continued_form``), in words; None when no title or nothing does. A page saved as a file
    of its own may end one form and begin the next: the first form's last rows stand above the
    second's title, and belong to neither form read from this file."""
    stream = document_rows(content)
    titled = [i for i, item in enumerate(stream) if _title_of(item) is not None]
    if not titled:
        return None
    return _continuation_evidence([item for item in stream[: titled[0]] if isinstance(item, Row)])


def _continuation_evidence(rows: list[Row]) -> str | None:
    names: list[str] = []
    total_pages: set[int] = set()
    pages: set[int] = set()
    for row in rows:
        for text in row.texts():
            if match_key(text, LEVEL1_NAMES) or match_key(text, LEVEL2_NAMES):
                names.append(normalise_label(text).base)
                pages.add(row.page)
            elif starts_an_indicator(text) and not is_placeholder(text):  # 指标3… under a level merged from the page before
                names.append(normalise(text)[:12])
                pages.add(row.page)
            elif is_total_label(text, ("总分",)):
                total_pages.add(row.page)
    if not names and not total_pages:
        return None
    found = ([f"rows of {'、'.join(list(dict.fromkeys(names))[:4])}"] if names else []) + (["a 总分 row"] if total_pages else [])
    on = sorted(pages | total_pages)
    return f"{' and '.join(found)} on page{'s' if len(on) > 1 else ''} {', '.join(map(str, on))}"
