"""Text-export extractor: tab-separated text of a form (like the seed file) as cell grids.

Office and budget systems export a form's table as text, one table row per line and one tab
between cells. What such an export loses, and how it is put back, in run order:

1. ``split_lines``: lines of nothing but tabs and spaces are artefacts and are dropped.
2. ``group_items``: a line whose only text is a form title (…项目支出绩效自评表) is a title
   ``TextLine``; a one-field line before the table (a year or unit line) is a loose ``TextLine``;
   every other line up to the next title is a row of that form's table (one ``Grid``), a one-field
   line inside a table being a caption across the table (资金使用情况).
3. ``realign_indicator_rows``: some rows are shifted left by one or two fields (the empty merged
   cells in front were not written). A row of the indicator table that starts with a known
   一级指标 or 二级指标 name (``vocabulary.LEVEL1_NAMES``/``LEVEL2_NAMES``) left of that name's column
   is put back: the names in their columns, the 分值/得分 numbers under 分值/得分, the texts between
   right-aligned before them (surplus empty fields dropped). A row wider than the header (the
   总分 row) loses empty fields inside it until it fits.
4. ``merge_indicator_levels``: a merged cell is written on one row only, the other rows being empty
   in its column. An empty 二级指标 under a filled one, in a row with values, continues it (one
   merged ``Cell``). A level-1 block is the run of rows whose 二级指标 names belong to one
   一级指标 (and, for unknown names, the rows up to the next level-1 label); its label, printed on any
   row of the block (产出(50分) on the second of four rows) or wrapped over two (满意度 + (10分)),
   becomes one merged ``Cell`` spanning the block.

Cell texts are kept as written (HTML included: the parser turns ``<p>`` into items).

Pages and coordinates: a text export has no pages, so the whole file is page 1. Bboxes are
synthetic: grid column ``k`` (after realignment) spans x from ``100k`` to ``100(k+1)``, and file line
``n`` (1-based) spans y from ``10(n-1)`` to ``10n``. ``Cell.ref`` names where the text is in the file:
``line 17, field 2`` (1-based, as an editor shows it; fields counted by tabs).

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else GB18030.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model.errors import InputError
from pipeline.model.intermediate import Cell, DocumentContent, Grid, PageContent, TextLine
from pipeline.model.values import parse_number
from pipeline.model.vocabulary import (
    INDICATOR_COLUMNS,
    LEVEL1_NAMES,
    LEVEL2_NAMES,
    TOTAL_LABELS,
    family_of,
    is_form_title,
    level1_parts,
    match_key,
    normalise,
)

METHOD = "text_export"
PAGE = 1
FIELD_WIDTH = 100.0
LINE_HEIGHT = 10.0
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OWN_COLUMNS = ("name", "target", "actual", "weight", "score", "deviation_note")
_HEADER_WORDS = ("一级指标", "二级指标", "三级指标")
_FORM_MARKS = ("自评表", "指标")


@dataclass
class Field:
    """One written field (or a field put together from several); ``refs`` say where it was read."""

    text: str
    refs: list[str] = field(default_factory=list)
    row_span: int = 1
    col_span: int = 1

    def filled(self) -> bool:
        return bool(self.text.strip())


@dataclass
class Line:
    number: int  # 1-based line number in the file
    fields: list[str]


@dataclass
class Table:
    """The rows of one form's table; ``None`` marks a slot covered by a merged field above."""

    lines: list[int] = field(default_factory=list)  # file line number of each row
    rows: list[list[Field | None]] = field(default_factory=list)
    captions: set[int] = field(default_factory=set)  # rows that are one field across the table


# --- decoding and sniffing ----------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030; InputError when none fits.

    GB18030 reads almost any bytes, so a UTF-8 file with one damaged byte would turn into nonsense:
    GB18030 is taken only when its text names a form, and a damaged UTF-8 file naming a form keeps
    its text with the damaged bytes as U+FFFD.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    text = _best_text(data.removeprefix(b"\xef\xbb\xbf"), partial=False)
    if text is None:
        raise InputError("text export in an unknown encoding (neither UTF-8, UTF-16 nor GB18030)")
    return text


def _decode_head(head: bytes) -> str | None:
    """The first bytes of a file as text, tolerating a character cut at the end."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    return _best_text(head.removeprefix(b"\xef\xbb\xbf"), partial=True)


def _best_text(data: bytes, partial: bool) -> str | None:
    utf8 = _strict(data, "utf-8", partial)
    if utf8 is not None:
        return utf8
    gb = _strict(data, "gb18030", partial)
    if gb is not None and _names_a_form(gb):
        return gb
    lenient = data.decode("utf-8", errors="replace")
    if _names_a_form(lenient):
        return lenient
    return gb


def _strict(data: bytes, encoding: str, partial: bool) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if not partial or error.start <= len(data) - 4:
            return None
        try:
            return data[: error.start].decode(encoding)  # the head ends inside a character
        except UnicodeDecodeError:
            return None


def _names_a_form(text: str) -> bool:
    return any(mark in text for mark in _FORM_MARKS)


def looks_like_text_export(head: bytes) -> bool:
    """Given a text file's first bytes: tab-separated rows naming a 自评表 or the indicator headers?"""
    text = _decode_head(head)
    if text is None:
        return False
    tabbed = sum(1 for line in _LINE_BREAK.split(text) if "\t" in line)
    flat = normalise(text)
    return tabbed >= 2 and ("自评表" in flat or all(word in flat for word in _HEADER_WORDS))


# --- the extractor ------------------------------------------------------------------------


def read_text_export(path: Path) -> DocumentContent:
    return text_export_content(decode(path.read_bytes()))


def text_export_content(text: str) -> DocumentContent:
    """Given the text of an export, return its one page of title lines and form grids."""
    lines = split_lines(text)
    page = PageContent(page=PAGE, width=0.0, height=LINE_HEIGHT * (text.count("\n") + 1), method=METHOD)
    for item in group_items(lines):
        if isinstance(item, TextLine):
            page.lines.append(item)
            continue
        realign_indicator_rows(item)
        merge_indicator_levels(item)
        grid = table_grid(item)
        page.grids.append(grid)
        page.width = max(page.width, grid.bbox[2])
    return DocumentContent(pages=[page], page_count=1)


def split_lines(text: str) -> list[Line]:
    """Given the file's text, return its lines split at tabs, without the blank ones."""
    lines = []
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        fields = raw.split("\t")
        if any(f.strip() for f in fields):
            lines.append(Line(number, fields))
    return lines


def _ref(line: int, index: int) -> str:
    return f"line {line}, field {index + 1}"


def _line_box(number: int, x0: float = 0.0, x1: float = 0.0) -> tuple[float, float, float, float]:
    return (x0, (number - 1) * LINE_HEIGHT, x1, number * LINE_HEIGHT)


def group_items(lines: list[Line]) -> list[TextLine | Table]:
    """Given the lines, return title and loose lines, and one table per run of rows between titles."""
    items: list[TextLine | Table] = []
    table: Table | None = None
    for line in lines:
        texts = [(i, f) for i, f in enumerate(line.fields) if f.strip()]
        if len(texts) == 1 and is_form_title(texts[0][1]):
            table = None
            index, title = texts[0]
            items.append(TextLine(title, PAGE, _line_box(line.number, index * FIELD_WIDTH, (index + 1) * FIELD_WIDTH)))
            continue
        if len(line.fields) == 1 and table is None:
            items.append(TextLine(line.fields[0], PAGE, _line_box(line.number, 0.0, FIELD_WIDTH)))
            continue
        if table is None:
            table = Table()
            items.append(table)
        if len(line.fields) == 1:
            table.captions.add(len(table.rows))
        table.lines.append(line.number)
        table.rows.append([Field(text, [_ref(line.number, i)]) for i, text in enumerate(line.fields)])
    return items


# --- realigning shifted rows --------------------------------------------------------------


def _indicator_header(rows: list[list[Field | None]]) -> tuple[int, dict[str, int]] | None:
    """The first indicator header row and the column of each of its labels."""
    for index, row in enumerate(rows):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = match_key(cell.text, INDICATOR_COLUMNS) if cell is not None else None
            if key is not None and key not in columns:
                columns[key] = col
        if ("level1" in columns or "name" in columns) and len(columns) >= 4:
            return index, columns
    return None


def _is_total(row: list[Field | None]) -> bool:
    return any(cell is not None and normalise(cell.text) in TOTAL_LABELS for cell in row)


def _width(row: list[Field | None]) -> int:
    """Columns up to the last one with text or a merge."""
    filled = [i for i, cell in enumerate(row) if cell is None or cell.filled()]
    return filled[-1] + 1 if filled else 0


def realign_indicator_rows(table: Table) -> None:
    """Put shifted indicator rows back under their headers (see the module docstring, step 3)."""
    found = _indicator_header(table.rows)
    if found is None:
        return
    header_index, columns = found
    width = _width(table.rows[header_index])
    for index in range(header_index + 1, len(table.rows)):
        row = table.rows[index]
        if _is_total(row):
            table.rows[index] = squeeze(row, width)
            break
        table.rows[index] = squeeze(realign_row(row, columns), width)


def squeeze(row: list[Field | None], width: int) -> list[Field | None]:
    """A row wider than its table loses empty fields: trailing ones, then inside its longest gap."""
    row = list(row)
    while len(row) > width and row[-1] is not None and not row[-1].filled():
        row.pop()
    while len(row) > width:
        gap = _longest_gap(row)
        if gap is None:
            break
        del row[gap]
    return row


def _longest_gap(row: list[Field | None]) -> int | None:
    """Start of the longest run of empty fields between filled ones, or None."""
    best: tuple[int, int] | None = None  # (length, start)
    start = None
    for i, cell in enumerate(row):
        empty = cell is not None and not cell.filled()
        if empty and start is None:
            start = i
        if not empty and start is not None:
            if start > 0 and (best is None or i - start > best[0]):
                best = (i - start, start)
            start = None
    return None if best is None else best[1]


def _anchors(row: list[Field | None], columns: dict[str, int]) -> list[tuple[int, int]]:
    """(index in the row, column it belongs in) for the known names a shifted row starts with."""
    filled = [i for i, cell in enumerate(row) if cell is not None and cell.filled()]
    if not filled:
        return []
    first = filled[0]
    text = row[first].text  # type: ignore[union-attr]
    level1, level2 = columns.get("level1"), columns.get("level2")
    if level1 is not None and first < level1 and family_of(text, LEVEL1_NAMES) is not None:
        anchors = [(first, level1)]
        if level2 is not None and len(filled) > 1 and family_of(row[filled[1]].text, LEVEL2_NAMES) is not None:  # type: ignore[union-attr]
            anchors.append((filled[1], level2))
        return anchors
    if level2 is not None and first < level2 and family_of(text, LEVEL2_NAMES) is not None:
        return [(first, level2)]
    return []


def _is_number(cell: Field | None) -> bool:
    return cell is not None and cell.filled() and parse_number(cell.text).value is not None


def realign_row(row: list[Field | None], columns: dict[str, int]) -> list[Field | None]:
    """Given an indicator row, return it with its known names and its numbers under their headers."""
    anchors = _anchors(row, columns)
    if not anchors:
        return row
    last_index, last_column = anchors[-1]
    rest = row[last_index + 1 :]
    placed: list[Field | None] = [Field("") for _ in range(last_column + 1)]
    for index, column in anchors:
        placed[column] = row[index]
    weight = columns.get("weight")
    if weight is None or weight <= last_column:
        return placed + rest
    between = weight - last_column - 1  # the text columns: 三级指标, 年度指标值, 实际完成值
    split = _weight_position(rest, between)
    if split is None:
        return placed + rest  # no 分值/得分 pair to line up with: the plain shift
    texts = list(rest[:split])
    while len(texts) > between:  # _weight_position saw to it that enough of them are empty
        del texts[next(i for i, cell in enumerate(texts) if cell is not None and not cell.filled())]
    return placed + texts + rest[split:]


def _weight_position(rest: list[Field | None], between: int) -> int | None:
    """Index in ``rest`` of the 分值 of a (分值, 得分) pair of numbers with the row's texts before it.

    The texts before it must fill the ``between`` columns (三级指标, 年度指标值, 实际完成值) after
    dropping empty fields; of several candidates the last is taken, since a 0 typed into the
    deviation column also looks like a number.
    """
    best = None
    for k in range(len(rest) - 1):
        if not (_is_number(rest[k]) and _is_number(rest[k + 1])):
            continue
        before = rest[:k]
        filled = sum(1 for cell in before if cell is None or cell.filled())
        if len(before) >= between >= filled:
            best = k
    return best


# --- merges lost in the export ------------------------------------------------------------


def _at(row: list[Field | None], column: int | None) -> Field | None:
    if column is None or column >= len(row):
        return None
    return row[column]


def _has_values(row: list[Field | None], columns: dict[str, int]) -> bool:
    return any((cell := _at(row, columns.get(key))) is not None and cell.filled() for key in _OWN_COLUMNS)


@dataclass
class _Block:
    first: int
    end: int
    family: str | None
    labels: list[int] = field(default_factory=list)  # rows with a level-1 label
    has_name: bool = False  # a label with a name, not only a weight such as (10分)


def merge_indicator_levels(table: Table) -> None:
    """Rebuild the 二级指标 and 一级指标 merges of the indicator rows (module docstring, step 4)."""
    found = _indicator_header(table.rows)
    if found is None:
        return
    header_index, columns = found
    first = header_index + 1
    end = next((i for i in range(first, len(table.rows)) if _is_total(table.rows[i])), len(table.rows))
    if first >= end:
        return
    width = max(_width(table.rows[header_index]), *(len(table.rows[i]) for i in range(first, end)))
    for i in range(first, end):
        table.rows[i] = table.rows[i] + [Field("") for _ in range(width - len(table.rows[i]))]
    level1, level2 = columns.get("level1"), columns.get("level2")
    if level2 is not None:
        _fill_level2(table, first, end, level1, level2, columns)
    if level1 is not None:
        for block in _level1_blocks(table, first, end, level1, level2):
            _merge_level1(table, block, level1)


def _label(row: list[Field | None], level1: int | None) -> Field | None:
    cell = _at(row, level1)
    return cell if cell is not None and cell.filled() else None


def _fill_level2(table: Table, first: int, end: int, level1: int | None, level2: int, columns: dict[str, int]) -> None:
    top: int | None = None  # row of the level-2 field being continued
    for i in range(first, end):
        row = table.rows[i]
        cell = row[level2]
        if cell is not None and cell.filled():
            top = i
            continue
        label = _label(row, level1)
        starts_block = (
            label is not None
            and level1_parts(label.text)[0] != ""
            and (top is None or _family(label, LEVEL1_NAMES) is None or _family(label, LEVEL1_NAMES) != _family(table.rows[top][level2], LEVEL2_NAMES))
        )
        if top is not None and cell is not None and _has_values(row, columns) and not starts_block:
            table.rows[top][level2].row_span = i - top + 1  # type: ignore[union-attr]
            row[level2] = None
        else:
            top = None


def _family(cell: Field | None, names: dict[str, tuple[str, ...]]) -> str | None:
    return family_of(cell.text, names) if cell is not None and cell.filled() else None


def _level1_blocks(table: Table, first: int, end: int, level1: int, level2: int | None) -> list[_Block]:
    blocks: list[_Block] = []
    level2_family: str | None = None
    for i in range(first, end):
        row = table.rows[i]
        cell = _at(row, level2)
        if cell is not None:  # a covered slot (None) keeps the family of the merge above
            level2_family = _family(cell, LEVEL2_NAMES)
        label = _label(row, level1)
        named = label is not None and level1_parts(label.text)[0] != ""
        family = level2_family or _family(label, LEVEL1_NAMES)
        current = blocks[-1] if blocks else None
        if current is None or (family is not None and current.family is not None and family != current.family) or (named and current.has_name):
            current = _Block(first=i, end=i + 1, family=family)
            blocks.append(current)
        current.end = i + 1
        current.family = current.family or family
        if label is not None:
            current.labels.append(i)
            current.has_name = current.has_name or named
    return blocks


def _merge_level1(table: Table, block: _Block, level1: int) -> None:
    """The block's label (joined if wrapped over rows) as one field spanning the block."""
    if not block.labels:
        return
    labels = [table.rows[i][level1] for i in block.labels]
    if len(labels) == 1:
        merged = Field(labels[0].text, list(labels[0].refs))  # type: ignore[union-attr]
    else:
        merged = Field("".join(c.text.strip() for c in labels), [r for c in labels for r in c.refs])  # type: ignore[union-attr]
    merged.row_span = block.end - block.first
    for i in range(block.first, block.end):
        table.rows[i][level1] = None
    table.rows[block.first][level1] = merged


# --- the grid -----------------------------------------------------------------------------


def table_grid(table: Table) -> Grid:
    """Given a table's rows, return its grid: one Cell per field, merged fields spanning."""
    n_cols = max([_width(row) for row in table.rows] + [1])
    cells: list[Cell] = []
    for r, row in enumerate(table.rows):
        line = table.lines[r]
        if r in table.captions and row and row[0] is not None:
            row[0].col_span = n_cols
        for c in range(n_cols):
            slot = row[c] if c < len(row) else Field("")
            if slot is None:
                continue
            col_span = min(slot.col_span, n_cols - c)
            last_line = table.lines[min(r + slot.row_span, len(table.rows)) - 1]
            cells.append(
                Cell(
                    row=r,
                    col=c,
                    row_span=slot.row_span,
                    col_span=col_span,
                    text=slot.text,
                    bbox=(c * FIELD_WIDTH, (line - 1) * LINE_HEIGHT, (c + col_span) * FIELD_WIDTH, last_line * LINE_HEIGHT),
                    page=PAGE,
                    ref="; ".join(slot.refs) or None,
                )
            )
            if col_span > 1:
                break  # a caption covers the rest of its row
    top = (table.lines[0] - 1) * LINE_HEIGHT
    bottom = table.lines[-1] * LINE_HEIGHT
    return Grid(cells=cells, n_rows=len(table.rows), n_cols=n_cols, page=PAGE, bbox=(0.0, top, n_cols * FIELD_WIDTH, bottom))
