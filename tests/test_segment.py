"""Segmentation (pipeline.readers.segment) from synthetic rulings and glyphs, plus one real sample PDF."""

from __future__ import annotations

import pytest

from conftest import DUMP
from pipeline.model.intermediate import Cell, Grid, TextLine
from pipeline.readers.segment import (
    Glyph,
    Ruling,
    assign_glyphs,
    group_tables,
    segment_page,
    snap_positions,
    table_grid,
)

# --- helpers -------------------------------------------------------------------------------


def h(y: float, x0: float, x1: float) -> Ruling:
    return Ruling("h", y, x0, x1)


def v(x: float, y0: float, y1: float) -> Ruling:
    return Ruling("v", x, y0, y1)


def box(x0: float, y0: float, x1: float, y1: float) -> list[Ruling]:
    """The four sides of a rectangle."""
    return [h(y0, x0, x1), h(y1, x0, x1), v(x0, y0, y1), v(x1, y0, y1)]


def glyphs(text: str, x: float, top: float, size: float = 10.0) -> list[Glyph]:
    """One glyph per character, each ``size`` wide, touching its neighbours (no visible gap)."""
    return [Glyph(ch, (x + i * size, top, x + (i + 1) * size, top + size), size) for i, ch in enumerate(text)]


def spans(grid: Grid) -> set[tuple[int, int, int, int]]:
    return {(c.row, c.col, c.row_span, c.col_span) for c in grid.cells}


def cell_at(grid: Grid, row: int, col: int) -> Cell:
    found = grid.dense()[row][col]
    assert found is not None, (row, col)
    return found


def merged_3x3() -> list[Ruling]:
    """3x3 grid on x = 0,100,200,300 and y = 0,20,40,60.

    (0,0) is merged over rows 0-1 (no line at y=20 left of x=100);
    (0,1) is merged over columns 1-2 (no line at x=200 above y=20).
    """
    return [
        h(0, 0, 300),
        h(20, 100, 300),
        h(40, 0, 300),
        h(60, 0, 300),
        v(0, 0, 60),
        v(100, 0, 60),
        v(200, 20, 60),
        v(300, 0, 60),
    ]


# --- grids and merged cells ----------------------------------------------------------------


def test_3x3_grid_rebuilds_row_and_column_merges():
    tables = group_tables(merged_3x3())
    assert len(tables) == 1
    grid = table_grid(tables[0], page=1)
    assert (grid.n_rows, grid.n_cols) == (3, 3)
    assert spans(grid) == {
        (0, 0, 2, 1),  # merged over 2 rows
        (0, 1, 1, 2),  # merged over 2 columns
        (1, 1, 1, 1),
        (1, 2, 1, 1),
        (2, 0, 1, 1),
        (2, 1, 1, 1),
        (2, 2, 1, 1),
    }
    tall = cell_at(grid, 1, 0)
    assert (tall.row, tall.col, tall.end_row, tall.end_col) == (0, 0, 2, 1)
    assert tall.bbox == (0, 0, 100, 40)
    wide = cell_at(grid, 0, 2)
    assert (wide.row, wide.col) == (0, 1)
    assert wide.bbox == (100, 0, 300, 20)
    assert grid.bbox == (0, 0, 300, 60)
    assert all(c.page == 1 for c in grid.cells)


def test_fully_ruled_grid_has_only_single_cells():
    rulings = [h(y, 0, 300) for y in (0, 20, 40, 60)] + [v(x, 0, 60) for x in (0, 100, 200, 300)]
    grid = table_grid(group_tables(rulings)[0], page=1)
    assert spans(grid) == {(r, c, 1, 1) for r in range(3) for c in range(3)}


def indicator_block() -> tuple[list[Ruling], list[Glyph]]:
    """一级指标 column with 产出(50分) merged over 4 rows, beside 4 ruled 二级指标 rows.

    Columns x = 0,120,240; rows y = 0,20,40,60,80,100 (row 0 is the header).
    """
    ys = [0, 20, 40, 60, 80, 100]
    rulings = [h(0, 0, 240), h(20, 0, 240), h(100, 0, 240)]
    rulings += [h(y, 120, 240) for y in (40, 60, 80)]  # only the right column is split
    rulings += [v(x, 0, 100) for x in (0, 120, 240)]
    text = glyphs("一级指标", 5, 5) + glyphs("二级指标", 125, 5)
    text += glyphs("产出(50分)", 5, 55)
    for i, name in enumerate(("数量", "质量", "时效", "成本")):
        text += glyphs(name, 125, ys[i + 1] + 5)
    return rulings, text


def test_four_row_vertical_merge_like_level1_indicator():
    rulings, text = indicator_block()
    page = segment_page(1, 600, 800, rulings, text, "text_layer")
    assert len(page.grids) == 1
    grid = page.grids[0]
    assert (grid.n_rows, grid.n_cols) == (5, 2)
    level1 = next(c for c in grid.cells if c.text == "产出(50分)")
    assert (level1.row, level1.col, level1.row_span, level1.col_span) == (1, 0, 4, 1)
    dense = grid.dense()
    assert all(dense[r][0] is level1 for r in range(1, 5))
    assert [dense[r][1].text for r in range(1, 5)] == ["数量", "质量", "时效", "成本"]
    assert all(dense[r][1].row_span == 1 for r in range(1, 5))


def test_a_cell_no_rule_closes_at_the_foot_of_its_table_is_open_below():
    """A page break cut the merge: the spreadsheet drew no rule under its upper part."""
    rulings = [h(0, 0, 300), h(20, 0, 300), h(40, 100, 300)] + [v(x, 0, 40) for x in (0, 100, 200, 300)]
    page = segment_page(1, 600, 800, rulings, glyphs("产出", 5, 5) + glyphs("数量", 105, 25), "text_layer")
    open_below = {(c.row, c.col): c.open_below for c in page.grids[0].cells}
    assert open_below == {(0, 0): False, (0, 1): False, (0, 2): False, (1, 0): True, (1, 1): False, (1, 2): False}


def test_ruling_covering_less_than_half_a_slot_does_not_separate_cells():
    # The line at x=100 covers only 5 of row 0's 20 points: too little to be a wall.
    rulings = [h(0, 0, 200), h(20, 0, 200), v(0, 0, 20), v(200, 0, 20), v(100, 0, 5)]
    grid = table_grid(group_tables(rulings)[0], page=1)
    assert spans(grid) == {(0, 0, 1, 2)}


# --- tables on one page ---------------------------------------------------------------------


def test_two_tables_on_one_page_are_split():
    lower = box(0, 300, 200, 340) + [h(320, 0, 200)]  # 2 rows x 1 column, at y 300..340
    upper = box(0, 0, 200, 60) + [v(100, 0, 60)]  # 1 row x 2 columns, at y 0..60
    tables = group_tables(lower + upper)  # given out of order on purpose
    assert len(tables) == 2
    first, second = (table_grid(t, page=1) for t in tables)
    assert first.bbox == (0, 0, 200, 60)  # sorted top to bottom
    assert (first.n_rows, first.n_cols) == (1, 2)
    assert second.bbox == (0, 300, 200, 340)
    assert (second.n_rows, second.n_cols) == (2, 1)


def test_tables_side_by_side_with_a_gap_are_split():
    tables = group_tables(box(0, 0, 100, 50) + box(150, 0, 250, 50))
    assert len(tables) == 2
    assert sorted(min(r.pos for r in t.verticals) for t in tables) == [0, 150]


def test_stray_lines_are_not_tables():
    # an underline and a lone vertical stroke, touching nothing else
    assert group_tables([h(500, 0, 200), v(400, 0, 50)]) == []


# --- snapping near-equal positions ---------------------------------------------------------


def test_snap_positions_clusters_values_within_tolerance():
    snapped = snap_positions([50.0, 0.0, 2.9, 1.5, 52.0, 100.0])
    assert snapped == pytest.approx([(0.0 + 1.5 + 2.9) / 3, 51.0, 100.0])


def test_snap_positions_keeps_lines_further_apart_than_tolerance():
    assert snap_positions([0.0, 3.5, 20.0]) == pytest.approx([0.0, 3.5, 20.0])


def test_nearly_equal_rulings_snap_into_one_grid_line():
    # Each line is drawn as segments whose positions differ by up to 2.5 points, as PDFs do.
    rulings = [
        h(0.0, 0, 100),
        h(1.2, 100, 200),
        h(20.0, 0, 100),
        h(22.5, 100, 200),
        h(40.3, 0, 200),
        v(0.0, 0, 40),
        v(99.0, 0, 20),
        v(101.4, 20, 40),
        v(200.0, 0, 40),
    ]
    tables = group_tables(rulings)
    assert len(tables) == 1
    grid = table_grid(tables[0], page=1)
    assert (grid.n_rows, grid.n_cols) == (2, 2)
    assert spans(grid) == {(r, c, 1, 1) for r in range(2) for c in range(2)}
    x0, top, x1, bottom = grid.bbox
    assert (x0, x1) == pytest.approx((0.0, 200.0))
    assert (top, bottom) == pytest.approx((0.6, 40.3))


def test_border_drawn_twice_is_one_line_not_a_thin_row():
    # A border drawn twice 1 point apart, then snapped: one row, not two.
    rulings = [h(0, 0, 100), h(1.0, 0, 100), h(20, 0, 100), v(0, 0, 20), v(100, 0, 20)]
    grid = table_grid(group_tables(rulings)[0], page=1)
    assert (grid.n_rows, grid.n_cols) == (1, 1)


# --- glyphs into cells and loose lines -----------------------------------------------------


def one_cell(width: float = 300, height: float = 60) -> Grid:
    return table_grid(group_tables(box(0, 0, width, height))[0], page=1)


def test_wrapped_lines_join_without_inventing_spaces():
    grid = one_cell()
    text = glyphs("偏差原因分析及", 5, 5) + glyphs("改进措施", 5, 20) + glyphs("ab", 5, 35)
    [filled], lines = assign_glyphs([grid], text, page=1)
    assert filled.cells[0].text == "偏差原因分析及改进措施ab"
    assert lines == []


def test_real_space_inside_a_line_is_kept():
    grid = one_cell()
    [filled], _ = assign_glyphs([grid], glyphs("效益 (30分)", 5, 5), page=1)
    assert filled.cells[0].text == "效益 (30分)"


@pytest.mark.parametrize(("first", "second", "value"), [(" 效益 ", " (30分) ", "效益 (30分)"), ("效益", "(30分)", "效益(30分)"), ("效益  ", "(30分)", "效益 (30分)")])
def test_a_space_printed_at_a_wrap_is_one_space_and_none_is_invented(first, second, value):
    """The seed prints both 效益 (30分) and 效益(30分): a wrap keeps what was printed."""
    grid = one_cell()
    text = glyphs(first, 5, 5) + glyphs(second, 5, 20)
    [filled], _ = assign_glyphs([grid], text, page=1)
    assert filled.cells[0].text == value


def test_visible_gap_within_a_line_becomes_one_space():
    grid = one_cell()
    text = glyphs("项目", 5, 5) + glyphs("名称", 5 + 20 + 30, 5)  # 30-point gap, glyphs are 10 wide
    [filled], _ = assign_glyphs([grid], text, page=1)
    assert filled.cells[0].text == "项目 名称"


def test_glyphs_land_in_the_cell_under_their_centre():
    grid = table_grid(group_tables(merged_3x3())[0], page=1)
    text = glyphs("左", 40, 25) + glyphs("宽", 190, 5) + glyphs("右", 240, 45)
    [filled], _ = assign_glyphs([grid], text, page=1)
    texts = {(c.row, c.col): c.text for c in filled.cells}
    assert texts[(0, 0)] == "左"
    assert texts[(0, 1)] == "宽"
    assert texts[(2, 2)] == "右"
    assert texts[(1, 1)] == ""


def test_glyphs_outside_tables_become_text_lines():
    rulings = box(0, 100, 300, 160)
    text = glyphs("培训经费项目支出绩效自评表", 10, 50)
    text += glyphs("金额单位：万元", 200, 80)
    text += glyphs("格内", 5, 110)
    text += glyphs("页脚", 10, 700)
    page = segment_page(3, 595, 842, rulings, text, "text_layer")
    assert [g.cells[0].text for g in page.grids] == ["格内"]
    assert [line.text for line in page.lines] == ["培训经费项目支出绩效自评表", "金额单位：万元", "页脚"]
    assert all(isinstance(line, TextLine) and line.page == 3 for line in page.lines)
    title = page.lines[0]
    assert title.bbox == (10, 50, 10 + 13 * 10, 60)
    assert page.method == "text_layer"
    assert (page.width, page.height) == (595, 842)


def test_cell_confidence_is_the_lowest_glyph_confidence():
    grid = one_cell()
    text = [
        Glyph("甲", (5, 5, 15, 15), 10, 0.9),
        Glyph("乙", (15, 5, 25, 15), 10, 0.6),
        Glyph("丙", (25, 5, 35, 15), 10, None),
    ]
    [filled], _ = assign_glyphs([grid], text, page=1)
    assert filled.cells[0].text == "甲乙丙"
    assert filled.cells[0].confidence == pytest.approx(0.6)
    [empty], _ = assign_glyphs([one_cell()], [], page=1)
    assert empty.cells[0].confidence is None and empty.cells[0].text == ""


# --- a real sample ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def training_cells() -> list[Cell]:
    from pipeline.readers.textlayer import read_pdf

    content = read_pdf(DUMP / "2022" / "单表" / "培训经费.pdf")
    assert content.page_errors == {}
    return [cell for page in content.pages for grid in page.grids for cell in grid.cells]


def _only(cells: list[Cell], text: str) -> Cell:
    found = [c for c in cells if c.text == text]
    assert len(found) == 1, (text, [c.text for c in cells])
    return found[0]


def test_real_pdf_merged_cells(training_cells):
    assert _only(training_cells, "产出 (50分)").row_span == 4
    assert _only(training_cells, "项目资金（元）").row_span == 4
    assert _only(training_cells, "年度总体目标").row_span == 2
    goal = "培训项目预算执行率过99%以上，提高业务人员能力水平，提供更好的服务。"
    goal_cells = [c for c in training_cells if c.text == goal]
    assert len(goal_cells) == 2  # 预期目标 and 实际完成情况 print the same sentence
    assert all(c.col_span == 4 and c.row_span == 1 for c in goal_cells)
    assert _only(training_cells, "满意度(10分)").row_span == 2
    assert _only(training_cells, "总分").col_span == 5


def test_a_label_a_page_break_clips_at_the_table_s_edge_stays_whole():
    """A sheet draws a merge's label across a page break, clipped at the table's edge, on both
    pages. The page's last rule cuts the glyphs through their middles: by their centres a tenth of
    a point apart, 效, 指 and 标 fell inside the cell and 益 outside, and the label read 效 指标 in a
    form marked ok."""
    rulings = box(50, 100, 200, 200) + [h(150, 50, 200)]
    clipped = [Glyph(ch, (60 + i * 8, 195.9 + (0.2 if ch == "益" else 0.0), 68 + i * 8, 204.0), 8.0) for i, ch in enumerate("效益指标")]
    below = glyphs("第2页", 60, 230)  # a line under the table, clear of its rule: not the table's
    # the first line of a wrapped label drawn again above the next page's table, clipped: mostly
    # outside, it stays out whole, though the centre of 效 is a hair inside
    above = [Glyph(ch, (60 + i * 8, 95.6 + (1.1 if ch == "效" else 0.0), 68 + i * 8, 103.4), 8.0) for i, ch in enumerate("社会效益")]
    content = segment_page(page=1, width=600, height=800, rulings=rulings, glyphs=clipped + below + above, method="text_layer")
    [grid] = content.grids
    assert [c.text for c in grid.cells] == ["", "效益指标"]
    assert [line.text for line in content.lines] == ["社会效益", "第2页"]


def test_text_a_sheet_clips_to_its_cell_stays_in_its_cell():
    """A sheet's row too low for its wrapped text: the text is centred on the row and clipped to the
    cell, so its first and last lines are drawn past the cell's rules, hidden in print but in the
    text layer. By position the last line fell into the cell below (its value gained 分文字, this one
    lost it) and the first was a line above the table. The clip rectangle says whose text it is."""
    rulings = box(50, 100, 200, 200) + [h(150, 50, 200)]
    cell = (50.0, 100.0, 200.0, 150.0)

    def clipped(text: str, top: float) -> list[Glyph]:
        return [Glyph(ch, (60 + i * 10, top, 70 + i * 10, top + 10), 10.0, clip=cell) for i, ch in enumerate(text)]

    text = clipped("这是一段", 92) + glyphs("很长的文", 60, 110) + glyphs("字需要换", 60, 124) + clipped("行显示", 146)
    content = segment_page(page=1, width=600, height=800, rulings=rulings, glyphs=text + glyphs("第二行", 60, 170), method="text_layer")
    [grid] = content.grids
    assert [c.text for c in grid.cells] == ["这是一段很长的文字需要换行显示", "第二行"]
    assert content.lines == []


def test_a_clip_that_is_no_cell_does_not_place_text():
    """A clip rectangle round the whole page (a print area) names no cell: glyphs go by position."""
    rulings = box(50, 100, 200, 200) + [h(150, 50, 200)]
    page_clip = (0.0, 0.0, 600.0, 800.0)
    text = [Glyph(ch, (60 + i * 10, 152, 70 + i * 10, 162), 10.0, clip=page_clip) for i, ch in enumerate("第二行")]
    [grid] = segment_page(page=1, width=600, height=800, rulings=rulings, glyphs=text, method="text_layer").grids
    assert [c.text for c in grid.cells] == ["", "第二行"]


def _three_columns() -> list[Ruling]:
    return box(50, 100, 260, 130) + [v(120, 100, 130), v(190, 100, 130)]


@pytest.mark.parametrize(
    ("start", "owner"),
    [
        (52, 0),  # left-aligned in the first cell, run on to the right over the next one
        (118, 2),  # right-aligned in the last cell (it ends at its right padding), run on to the left
        (85, 1),  # centred in the middle cell, run on both ways
    ],
)
def test_a_sheet_s_text_run_on_into_empty_cells_is_its_own_cell_s(start, owner):
    """An unwrapped sheet cell prints its text on over its empty neighbours and the rules between
    them; by position the text was cut at each rule into values of other columns."""
    text = "指标1全县参合人数统"
    if owner == 2:
        start = 258 - 10 * len(text)
    [grid] = segment_page(page=1, width=600, height=800, rulings=_three_columns(), glyphs=glyphs(text, start, 110), method="text_layer").grids
    assert [c.text for c in grid.cells] == [text if i == owner else "" for i in range(3)]


def test_text_of_two_cells_that_meet_at_a_rule_stays_in_its_cells():
    """Print of neighbouring cells keeps its padding from the rule: no run-on, and a cell whose
    neighbour holds print of its own is not joined to it even when the two touch."""
    apart = glyphs("项目名称", 72, 110) + glyphs("资金", 123, 110)
    [grid] = segment_page(page=1, width=600, height=800, rulings=_three_columns(), glyphs=apart, method="text_layer").grids
    assert [c.text for c in grid.cells] == ["项目名称", "资金", ""]
    over = glyphs("全县参合人数统计情", 52, 110) + [Glyph("9", (150, 121, 156, 131), 10.0)]  # the next cell has a value of its own
    [grid] = segment_page(page=1, width=600, height=800, rulings=_three_columns(), glyphs=over, method="text_layer").grids
    assert [c.text for c in grid.cells] == ["全县参合人数统", "计情9", ""]


def test_a_line_led_by_a_small_high_mark_keeps_its_order():
    """PDFium's glyph boxes are the ink's. LibreOffice wrapped 583元/人*月 in a narrow sheet column
    as 583元 | /人* | 月, and the * of the second line is a small mark high in it: its middle sorts
    first and no other middle of the line fell inside its box, so the line was cut in two and the
    value read 583元*/人月. These are the boxes PDFium gave (points, AR PL UMing 12 pt)."""
    boxes = [
        ("5", 345.49, 81.42, 351.48, 90.54),
        ("8", 351.48, 81.42, 357.48, 90.54),
        ("3", 357.48, 81.42, 363.47, 90.54),
        ("元", 363.49, 81.42, 375.48, 92.19),
        ("/", 348.49, 93.93, 354.49, 104.68),
        ("人", 354.50, 93.88, 366.49, 104.71),
        ("*", 366.49, 93.93, 372.49, 99.26),
        ("月", 354.50, 106.43, 366.49, 117.37),
    ]
    glyphs = [Glyph(text, (x0, y0, x1, y1), 12.0) for text, x0, y0, x1, y1 in boxes]
    grid = table_grid(group_tables(box(340, 75, 380, 120))[0], page=1)
    [filled], loose = assign_glyphs([grid], glyphs, page=1)
    assert [cell.text for cell in filled.cells] == ["583元/人*月"]
    assert loose == []
