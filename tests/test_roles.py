"""Columns and rows by what their labels mean, structure that spans pages, and `ok` only when
everything printed was placed (issue: forms from anywhere)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import DUMP, REPO
from pipeline.model.document import NO_SCHEMA_ITEM
from pipeline.model.values import INK_NOT_READ
from pipeline.readers.ingest import describe
from pipeline.model.intermediate import Cell, DocumentContent, Grid, PageContent, TextLine
from pipeline.parse.form import ParsedForm, parse_document
from pipeline.run.unit import process_file

sys.path.insert(0, str(REPO / "scripts"))
from sample_files import pdf, specs  # noqa: E402  (the sample forms, typed once)

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="fonts-wqy-microhei is not installed (make system-deps installs it)")


def _national_with(tmp_path: Path, replace_text: dict[str, str], title: str | None = None, notes: list[str] | None = None):
    """The national sample with some printed texts changed, as a real PDF, extracted."""
    pdf.register_font()
    form = specs.national_form()
    rows = [[replace(spec, text=replace_text.get(spec.text, spec.text)) for spec in row] for row in form.rows]
    form = replace(form, rows=rows, title=title or form.title, notes=form.notes if notes is None else notes)
    dump = tmp_path / "dump"
    path = dump / "form.pdf"
    pdf.write_pdf(path, [(form, False)])
    return process_file(describe(path, dump))


def _checks(form) -> dict[str, object]:
    return {c.rule: c for c in form.checks}


@needs_font
@pytest.mark.parametrize("header", ["全年实际值", "*实际完成值", "实际完成值(B)", "实 际 完 成 值"])
def test_the_actual_column_is_read_whatever_its_header_is_called(tmp_path, header):
    result = _national_with(tmp_path, {"实际完成值": header})
    [form] = result.forms
    assert [i.actual for i in form.indicators] == ["523人次", "96.2%", "100%", "有所提升", "已建立", "93%"]
    assert form.status == "ok", form.checks


@needs_font
def test_a_column_no_role_names_sends_the_form_to_review_naming_it(tmp_path):
    result = _national_with(tmp_path, {"实际完成值": "第五栏"})
    [form] = result.forms
    assert all(i.actual is None for i in form.indicators)
    assert form.status == "needs_review"
    message = _checks(form)["structure_read"].message
    assert "'第五栏'" in message and "实际完成值" in message


@needs_font
def test_a_funding_row_no_item_names_is_not_dropped_silently(tmp_path):
    result = _national_with(tmp_path, {"上年结转资金": "乙类款项"})
    [form] = result.forms
    assert form.status == "needs_review"
    assert "乙类款项" in _checks(form)["structure_read"].message


@needs_font
def test_a_copy_converted_to_traditional_characters_is_read_with_its_values_as_printed(tmp_path):
    """Document sites publish forms converted to traditional characters (湖南省發改委: 項目資金(萬元),
    年度資金總額): the labels are the same labels, the values keep the characters printed."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    form = specs.national_form()
    texts = {spec.text: to_traditional.convert(spec.text) for row in form.rows for spec in row}
    assert texts["实际完成值"] == "實際完成值", "the conversion no longer changes the labels: the test proves nothing"
    result = _national_with(tmp_path, texts, title=to_traditional.convert(form.title))
    [form_read] = result.forms
    plain = _national_with(tmp_path / "plain", {})
    [form_plain] = plain.forms
    assert form_read.project.name == to_traditional.convert(form_plain.project.name) != form_plain.project.name
    assert [line.executed for line in form_read.funding.lines] == [line.executed for line in form_plain.funding.lines]
    assert [i.actual for i in form_read.indicators] == [to_traditional.convert(i.actual) for i in form_plain.indicators]
    assert [i.level2 for i in form_read.indicators] == [to_traditional.convert(i.level2) for i in form_plain.indicators]
    assert form_read.status == form_plain.status == "ok", form_read.checks


@needs_font
def test_a_number_a_sheet_printed_as_hashes_is_not_read_as_a_value(tmp_path):
    """LibreOffice prints ### for a number too wide for its column: a text column (实际完成值) must
    not keep ### as the value, and the form goes to review naming the cell."""
    result = _national_with(tmp_path, {"96.2%": "###"})
    [form] = result.forms
    assert [i.actual for i in form.indicators][:3] == ["523人次", None, "100%"]
    check = _checks(form)["values_readable"]
    assert check.status == "fail" and "/indicators/1/actual" in check.pointers
    assert form.provenance["/indicators/1/actual"].text == "###"
    assert form.status == "needs_review"


@needs_font
@pytest.mark.parametrize("title", ["2020年度项目支出绩效自评表", "项目支出绩效自评表（2020年度）"])
def test_a_year_printed_only_in_the_title_is_read(tmp_path, title):
    result = _national_with(tmp_path, {}, title=title, notes=[])
    [form] = result.forms
    assert form.project.year == "2020"
    assert form.provenance["/project/year"].text == title


# --- grids built cell by cell: structures real layouts print -------------------------------------


def _grid(rows: list[list[tuple[int, str, int, int]]], page: int = 1, width: float = 60.0, top: float = 100.0) -> Grid:
    """rows of (col, text, col_span, row_span); boxes from a regular lattice starting at ``top``."""
    cells = []
    n_cols = 0
    for r, row in enumerate(rows):
        for col, text, col_span, row_span in row:
            bbox = (col * width, r * 20.0 + top, (col + col_span) * width, (r + row_span) * 20.0 + top)
            cells.append(Cell(row=r, col=col, row_span=row_span, col_span=col_span, text=text, bbox=bbox, page=page))
            n_cols = max(n_cols, col + col_span)
    return Grid(cells=cells, n_rows=len(rows), n_cols=n_cols, page=page, bbox=(0.0, top, n_cols * width, len(rows) * 20.0 + top))


def _document(*pages: list[Grid], title: str = "项目支出绩效自评表") -> DocumentContent:
    content = []
    for number, grids in enumerate(pages, start=1):
        lines = [TextLine(title, 1, (100.0, 40.0, 400.0, 60.0))] if number == 1 else []
        content.append(PageContent(page=number, width=600, height=800, grids=grids, lines=lines))
    return DocumentContent(pages=content, page_count=len(content))


HEADER = [
    (0, "一级指标", 1, 1),
    (1, "二级指标", 1, 1),
    (2, "三级指标", 1, 1),
    (3, "年度指标值", 1, 1),
    (4, "实际完成值", 1, 1),
    (5, "分值", 1, 1),
    (6, "得分", 1, 1),
    (7, "偏差原因分析及改进措施", 1, 1),
]


def _row(level1: str | None, level2: str, name: str, target: str, actual: str, weight: str, score: str) -> list[tuple[int, str, int, int]]:
    cells = [(0, level1, 1, 1)] if level1 is not None else [(0, "", 1, 1)]
    return cells + [(1, level2, 1, 1), (2, name, 1, 1), (3, target, 1, 1), (4, actual, 1, 1), (5, weight, 1, 1), (6, score, 1, 1), (7, "", 1, 1)]


def test_a_level1_label_printed_below_a_page_break_names_the_rows_above_it():
    page1 = _grid([HEADER, _row(None, "数量指标", "培训人次", "≥500", "523", "20", "20"), _row(None, "质量指标", "合格率", "≥95%", "96%", "15", "15")])
    page2 = _grid(
        [
            _row("产出指标(50分)", "时效指标", "按期完成率", "100%", "100%", "15", "15"),
            _row("效益指标(50分)", "社会效益指标", "技能提升", "提升", "提升", "50", "50"),
            [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)],
        ],
        page=2,
    )
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight) for i in form.indicators] == [("产出指标", 50.0)] * 3 + [("效益指标", 50.0)]
    assert form.provenance["/indicators/0/level1"].page == 2  # it points at the cell that prints it


def test_a_blank_level1_merge_above_a_break_does_not_take_another_block_s_label():
    """阆中 prints its 产出 and 效益 level-1 cells blank; a page break fell just above 满意度指标, whose
    label then opened the next page. The 数量 / 经济效益 rows above are not 满意度's: they keep no
    level 1 (and the form is in review for it) rather than the wrong one."""
    page1 = _grid([HEADER, _row(None, "数量指标", "公路里程", "32.1公里", "32.1公里", "20", "20"), _row(None, "经济效益指标", "促进作用", "有效", "有效", "10", "10")])
    page2 = _grid([_row("满意度指标", "服务对象满意度指标", "群众满意度", "90%", "95%", "20", "20"), [(0, "总分", 5, 1), (5, "50", 1, 1), (6, "50", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [i.level1 for i in form.indicators] == [None, None, "满意度指标"]


def test_a_level1_weight_printed_below_a_break_is_the_whole_block_s():
    """海南 prints each level's 分值 in a merged cell of its own; a break cut the 产出 block and its
    25 was printed in the part on the next page."""
    header = HEADER[:1] + [(1, "分值", 1, 1)] + [(c + 1, t, w, h) for c, t, w, h in HEADER[1:]]

    def row(level1: str, weight: str, level2: str, name: str) -> list[tuple[int, str, int, int]]:
        cells = _row(level1, level2, name, "≥1", "1", "10", "10")
        return cells[:1] + [(1, weight, 1, 1)] + [(c + 1, t, w, h) for c, t, w, h in cells[1:]]

    page1 = _grid([header, row("产出指标", "", "数量指标", "场次"), row("", "", "质量指标", "合格率")])
    page2 = _grid([row("", "25", "时效指标", "及时率"), [(0, "总分", 6, 1), (6, "30", 1, 1), (7, "30", 1, 1), (8, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight) for i in form.indicators] == [("产出指标", 25.0)] * 3
    assert form.provenance["/indicators/0/level1_weight"].page == 2


def test_a_numbered_indicator_without_points_at_the_top_of_a_page_is_a_row_of_its_own():
    """原州 at 15 pt: 指标3 (no 分值, no 得分 printed) opens page 2 under the same blank level cells. It
    is not the rest of 指标2 split by the break: a name numbered 指标N begins an indicator."""
    page1 = _grid([HEADER, _row("产出指标", "数量指标", "指标2企业自行采购", "200万粒", "200万粒", "8", "8")])
    page2 = _grid([_row(None, "", "指标3一级种薯繁育基地", "8000亩", "8535.5亩", "", ""), [(0, "总分", 5, 1), (5, "8", 1, 1), (6, "8", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.name, i.target) for i in form.indicators] == [("指标2企业自行采购", "200万粒"), ("指标3一级种薯繁育基地", "8000亩")]


def test_the_rest_of_a_header_split_by_a_page_break_is_not_an_indicator_row():
    """青神 at 15 pt: Word broke the header row, 未完成原因分 on page 1 and 析 on top of page 2. The
    析 row makes no indicator (it was indicator 0, every row after it one off)."""
    header = HEADER[:7] + [(7, "未完成原因分", 1, 1)]
    page1 = _grid([header])
    rest = [(k, "", 1, 1) for k in range(7)] + [(7, "析", 1, 1)]
    page2 = _grid([rest, _row("产出指标", "数量指标", "覆盖率", "100%", "100%", "60", "60"), [(0, "总分", 5, 1), (5, "60", 1, 1), (6, "60", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.name, i.deviation_note) for i in form.indicators] == [("覆盖率", None)]


def _cut_at_the_foot(grid: Grid, cols: tuple[int, ...]) -> Grid:
    """The grid with the last row's cells in ``cols`` open below: a page break cut their merge."""
    last = grid.n_rows - 1
    grid.cells[:] = [replace(c, open_below=True) if c.end_row - 1 == last and c.col in cols else c for c in grid.cells]
    return grid


def _placeholder_top(level1: str, level2: str) -> list[tuple[int, str, int, int]]:
    return [(0, level1, 1, 1), (1, level2, 1, 1), (2, "指标2:", 1, 1)] + [(k, "", 1, 1) for k in range(3, 8)]


def test_levels_of_a_merge_cut_by_a_page_break_come_from_below_the_break():
    """A spreadsheet printed a merge's labels in its part on the next page, above placeholder rows;
    the part at the foot of the earlier page is empty, with no rule under it."""
    page1 = _grid([HEADER, _row("效益指标(30分)", "社会效益指标", "技能提升", "提升", "提升", "30", "30"), _row(None, "", "服务对象满意度", "90%", "100%", "10", "10")])
    page1 = _cut_at_the_foot(page1, (0, 1))
    page2 = _grid([_placeholder_top("满意度指标(10分)", "服务对象满意度指标"), [(0, "总分", 5, 1), (5, "40", 1, 1), (6, "40", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    last = form.indicators[-1]
    assert (last.level1, last.level1_weight, last.level2) == ("满意度指标", 10.0, "服务对象满意度指标")
    assert form.provenance["/indicators/1/level1"].page == 2 and form.provenance["/indicators/1/level2"].page == 2
    assert (form.indicators[0].level1, form.indicators[0].level2) == ("效益指标", "社会效益指标")


def test_an_empty_level_cell_closed_by_a_rule_still_continues_the_block_above():
    """The same page with a rule under the empty cells: they repeat the block above (a sheet typed with
    blank cells under a label), whatever the next page prints."""
    page1 = _grid([HEADER, _row("效益指标(40分)", "社会效益指标", "技能提升", "提升", "提升", "30", "30"), _row(None, "", "服务对象满意度", "90%", "100%", "10", "10")])
    page2 = _grid([_placeholder_top("满意度指标(10分)", "服务对象满意度指标"), [(0, "总分", 5, 1), (5, "40", 1, 1), (6, "40", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert form.indicators[-1].level1 == "效益指标"


def test_a_cut_merge_whose_label_does_not_open_the_next_page_is_left_without_one():
    """No label at the top of the next page: the rows are not given the block above, they have none."""
    page1 = _cut_at_the_foot(_grid([HEADER, _row("效益指标(40分)", "社会效益指标", "技能提升", "提升", "提升", "30", "30"), _row(None, "", "服务对象满意度", "90%", "100%", "10", "10")]), (0, 1))
    page2 = _grid([[(0, "总分", 5, 1), (5, "40", 1, 1), (6, "40", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert (form.indicators[-1].level1, form.indicators[-1].level2) == (None, None)


def test_an_ocr_label_that_names_a_column_already_found_is_a_column_not_read():
    """二级指标 read as -级指标 is a close reading of 一级指标: its column must not vanish unsaid."""
    header = [(0, "一级指标", 1, 1), (1, "-级指标", 1, 1)] + HEADER[2:]
    grid = _grid([header, _row("产出指标(100分)", "数量指标", "培训人次", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]])
    grid.cells[:] = [replace(c, confidence=0.93) for c in grid.cells]  # read by OCR
    [form] = parse_document(_document([grid]))
    assert isinstance(form, ParsedForm)
    assert [c.text for c in form.unread_cells] == ["-级指标"]  # read again by the other engine
    assert form.unread == ["indicator column '-级指标'"]


def test_a_goal_block_caption_down_its_rows_is_no_column_of_an_ocr_read_goal_row():
    """阆中 scanned: 总体目标完成情况 merged down the header row and the goal row is one glyph from
    the column label 年度目标完成情况. Read by OCR (close matches allowed), it made the goal row a
    header of its own and both goals were lost."""
    goals = [
        [(0, "总体目标完成情况", 2, 2), (2, "总体目标", 3, 1), (5, "全年实际完成情况", 3, 1)],
        [(2, "按计划完成2021年度省道公路建设。", 3, 1), (5, "建设普通省道二级公路32.1公里", 3, 1)],
    ]
    grid = _grid([*goals, HEADER, _row("产出指标(100分)", "数量指标", "培训人次", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]])
    grid.cells[:] = [replace(c, confidence=0.93) for c in grid.cells]  # read by OCR
    [form] = parse_document(_document([grid]))
    assert isinstance(form, ParsedForm)
    assert form.goals.expected == ["按计划完成2021年度省道公路建设。"]
    assert form.goals.actual == ["建设普通省道二级公路32.1公里"]


def test_hebei_s_unit_in_the_cell_after_its_label_and_its_goal_block_are_read():
    """河北 成安: 金额单位: | 万元 in two cells (reported as an unknown header field, the unit
    lost), and a goal block headed 年度预期目标 | 具体完成情况 (no goal read)."""
    rows = [
        [(0, "项目名称:", 1, 1), (1, "19名百岁老人高龄津贴", 2, 1), (3, "金额单位:", 1, 1), (4, "万元", 1, 1)],
        [(0, "三、目标完成情况", 1, 2), (1, "年度预期目标", 2, 1), (3, "具体完成情况", 2, 1)],
        [(1, "为我县百岁高龄老年人发放补贴", 2, 1), (3, "已为19名百岁老人发放补贴", 2, 1)],
        HEADER,
        _row("产出指标(100分)", "数量指标", "培训人次", "≥500", "523", "100", "100"),
        [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)],
    ]
    [form] = parse_document(_document([_grid(rows)]))
    assert isinstance(form, ParsedForm)
    assert form.funding.unit == "万元" and form.provenance["/funding/unit"].text == "万元"
    assert form.goals.expected == ["为我县百岁高龄老年人发放补贴"] and form.goals.actual == ["已为19名百岁老人发放补贴"]
    assert not any("金额单位" in reason for reason in form.unread)


def test_a_second_label_of_a_column_s_role_is_a_column_not_read_and_a_section_heading_none():
    """Hebei 成安: 自评得分 over 单项指标得分 | 权重占比(%) | 单项指标折算得分, and a
    四、年度绩效指标完成情况 cell down the block's left side. The first 得分 column was taken with
    nothing said of the other (which one the total adds up is the form's to say), and the heading's
    完成情况 made it the 实际完成值 column: every actual read as the heading."""
    header = [
        (0, "四、年度绩效指标完成情况", 1, 3),
        (1, "一级指标", 1, 1),
        (2, "二级指标", 1, 1),
        (3, "三级指标", 1, 1),
        (4, "年度指标值", 1, 1),
        (5, "单项指标实际完成值", 1, 1),
        (6, "分值", 1, 1),
        (7, "单项指标得分", 1, 1),
        (8, "单项指标折算得分", 1, 1),
    ]
    data = [(1, "产出指标", 1, 1), (2, "数量指标", 1, 1), (3, "培训人次", 1, 1), (4, "≥500", 1, 1), (5, "523", 1, 1), (6, "25", 1, 1), (7, "25", 1, 1), (8, "6.25", 1, 1)]
    total = [(1, "总分", 5, 1), (6, "25", 1, 1), (7, "25", 1, 1), (8, "6.25", 1, 1)]
    [form] = parse_document(_document([_grid([header, data, total])]))
    assert isinstance(form, ParsedForm)
    [indicator] = form.indicators
    assert indicator.actual == "523"
    assert form.unread == ["indicator column '单项指标折算得分'"]


def test_a_second_header_row_refines_the_columns_and_is_not_an_indicator():
    header = [(0, "一级指标", 1, 2), (1, "二级指标", 1, 2), (2, "三级指标", 1, 2), (3, "年度指标值", 3, 1), (6, "实际完成值", 1, 2), (7, "分值", 1, 2), (8, "得分", 1, 2), (9, "未完成原因分析", 1, 2)]
    sub = [(3, "指标性质", 1, 1), (4, "指标值", 1, 1), (5, "度量单位", 1, 1)]
    data = [
        (0, "产出指标", 1, 1),
        (1, "数量指标", 1, 1),
        (2, "培训人次", 1, 1),
        (3, "≥", 1, 1),
        (4, "500", 1, 1),
        (5, "人次", 1, 1),
        (6, "523", 1, 1),
        (7, "100", 1, 1),
        (8, "100", 1, 1),
        (9, "", 1, 1),
    ]
    total = [(0, "总分", 7, 1), (7, "100", 1, 1), (8, "100", 1, 1), (9, "", 1, 1)]
    [form] = parse_document(_document([_grid([header, sub, data, total])]))
    assert isinstance(form, ParsedForm)
    [indicator] = form.indicators
    assert (indicator.name, indicator.nature, indicator.target, indicator.unit, indicator.actual) == ("培训人次", "≥", "500", "人次", "523")
    assert not form.unread


def test_funding_rows_of_other_provinces_are_read_by_meaning():
    """Sichuan: 总额 / 其中:财政资金 / 财政专户管理资金 / 单位资金 under 调整后预算数 / 预算执行数."""
    funding = [
        [(0, "项目资金", 1, 5), (1, "", 1, 1), (2, "年初预算", 1, 1), (3, "调整后预算数", 1, 1), (4, "预算执行数", 1, 1), (5, "预算执行率", 1, 1), (6, "权重", 1, 1), (7, "得分", 1, 1)],
        [(1, "总额", 1, 1), (2, "50", 1, 1), (3, "48", 1, 1), (4, "46.56", 1, 1), (5, "97%", 1, 1), (6, "10", 1, 1), (7, "9.7", 1, 1)],
        [(1, "其中:财政资金", 1, 1), (2, "40", 1, 1), (3, "38", 1, 1), (4, "36.56", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)],
        [(1, "财政专户管理资金", 1, 1), (2, "5", 1, 1), (3, "5", 1, 1), (4, "5", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)],
        [(1, "单位资金", 1, 1), (2, "5", 1, 1), (3, "5", 1, 1), (4, "5", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥1200人", "1260人", "90", "88.7"), [(0, "合计", 5, 1), (5, "100", 1, 1), (6, "98.4", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(funding), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    lines = [(line.item, line.annual_budget, line.executed) for line in form.funding.lines]
    assert lines == [("年度资金总额", 48.0, 46.56), ("当年财政拨款", 38.0, 36.56)]
    assert form.funding.lines[0].execution_rate == 97.0 and form.funding.lines[0].weight == 10.0
    # rows the schema has no item for are listed, never forced into one; amounts other than zero are a value lost
    assert [row.text.split(" | ")[0] for row in form.dropped_rows] == ["财政专户管理资金", "单位资金"]
    assert len(form.unread) == 2 and "财政专户管理资金" in form.unread[0]


def test_a_funding_row_without_a_schema_item_printed_as_zeros_loses_nothing():
    funding = [
        [(0, "项目资金", 1, 3), (1, "", 1, 1), (2, "年初预算", 1, 1), (3, "调整后预算数", 1, 1), (4, "预算执行数", 1, 1)],
        [(1, "总额", 1, 1), (2, "50", 1, 1), (3, "48", 1, 1), (4, "46.56", 1, 1)],
        [(1, "单位资金", 1, 1), (2, "0.00", 1, 1), (3, "0.00", 1, 1), (4, "0.00", 1, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥1200人", "1260人", "100", "100"), [(0, "合计", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(funding), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert [row.reason for row in form.dropped_rows] == [NO_SCHEMA_ITEM]
    assert not form.unread


def test_a_scored_checklist_is_read_as_indicators_with_each_block_s_points_from_its_label():
    """随州's city template scores 项目决策 / 项目管理 as a checklist: 项目权重 holds each block's label
    and points, 评价内容 what is scored, 分值 / 自评分 its points and score; 复核分 and the
    criteria are columns the schema has no field for, named as not read."""
    checklist = [
        [(0, "项目权重", 1, 1), (1, "评价内容", 1, 1), (2, "分值", 1, 1), (3, "自评分", 1, 1), (4, "复核分", 1, 1), (5, "评价标准及依据", 3, 1)],
        [(0, "项目决策2分", 1, 1), (1, "决策依据", 1, 1), (2, "2", 1, 1), (3, "2", 1, 1), (4, "", 1, 1), (5, "有项目年度工作计划计2分", 3, 1)],
        [(0, "项目管理13分", 1, 2), (1, "财务制度", 1, 1), (2, "3", 1, 1), (3, "3", 1, 1), (4, "", 1, 1), (5, "单位财务管理制度1分", 3, 1)],
        [(1, "运行监管", 1, 1), (2, "4", 1, 1), (3, "3", 1, 1), (4, "", 1, 1), (5, "运行监管记录3分", 3, 1)],
    ]
    [form] = parse_document(_document([_grid(checklist)]))
    assert isinstance(form, ParsedForm)
    read = [(i.level1, i.level1_weight, i.name, i.weight, i.score, i.target, i.actual) for i in form.indicators]
    assert read == [
        ("项目决策", 2.0, "决策依据", 2.0, 2.0, None, None),
        ("项目管理", 13.0, "财务制度", 3.0, 3.0, None, None),
        ("项目管理", 13.0, "运行监管", 4.0, 3.0, None, None),
    ]
    assert any("复核分" in text for text in form.unread) and any("评价标准及依据" in text for text in form.unread)


def test_header_words_of_a_two_row_header_do_not_become_goals():
    goals = [
        [(0, "年度总体目标", 1, 2), (1, "预期目标", 3, 1), (4, "实际完成情况", 4, 1)],
        [(1, "完成培训500人次", 3, 1), (4, "完成培训523人次", 4, 1)],
        [(0, "绩效指标", 1, 1), (1, "", 3, 1), (4, "得分", 4, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.goals.expected, form.goals.actual) == (["完成培训500人次"], ["完成培训523人次"])


def test_goals_under_headers_that_were_not_recognised_are_unread_not_silently_empty():
    """A scan split 预期目标 and 实际完成情况 in two (预期目 | 示): no goal column was found, and the
    goals under them were lost with no check failing; a form printing 年度总体目标 with no goal
    read is unread (one side left blank is common in real forms, and is not)."""
    goals = [
        [(0, "年度总体目标", 1, 2), (1, "预期目", 2, 1), (3, "示", 1, 1), (4, "实际完成", 3, 1), (7, "青况", 1, 1)],
        [(1, "完成培训500人次", 3, 1), (4, "完成培训523人次", 4, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert form.goals.expected == [] and "年度总体目标 printed but no goal read under it" in form.unread
    goals[0][1:] = [(1, "预期目标", 3, 1), (4, "实际完成情况", 4, 1)]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm) and form.goals.expected == ["完成培训500人次"] and not form.unread


def test_one_goal_printed_beside_the_block_label_is_the_expected_goal():
    """Ningxia (原州, 自治区专项): 年度总体目标 | its one goal, no 预期/实际 columns."""
    goals = [[(0, "年度总体目标", 1, 1), (1, "采购马铃薯原原种425万粒", 7, 1)]]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.goals.expected, form.goals.actual) == (["采购马铃薯原原种425万粒"], []) and not form.unread
    assert form.provenance["/goals/expected/0"].text == "采购马铃薯原原种425万粒"


def test_two_goals_beside_the_block_label_with_no_header_are_read_and_sent_to_be_confirmed():
    """Shanxi (稷山): 年度总体目标 | its goal | what was done, no 预期目标 / 实际完成情况 header: read
    in the order layouts print them, and the form goes to review because nothing printed says so."""
    goals = [[(0, "年度总体目标", 1, 1), (1, "完成培训500人次", 3, 1), (4, "培训523人次", 4, 1)]]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.goals.expected, form.goals.actual) == (["完成培训500人次"], ["培训523人次"])
    assert form.provenance["/goals/actual/0"].text == "培训523人次"
    assert any("no 预期目标 / 实际完成情况 header" in note for note in form.unread)


def test_goals_printed_each_beside_its_label_are_read_as_goals():
    """Ningxia (银川): 年初设定目标 | its text on one row, 年度总体目标完成情况 | its text on the next;
    read as a header row, the label below became the expected goal and the goal was lost."""
    goals = [
        [(0, "年度总体目标", 1, 2), (1, "年初设定目标", 2, 1), (3, "保障学校正常工作运行", 5, 1)],
        [(1, "年度总体目标完成情况", 2, 1), (3, "", 5, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(goals), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.goals.expected, form.goals.actual) == (["保障学校正常工作运行"], [])
    assert form.provenance["/goals/expected/0"].text == "保障学校正常工作运行"


def test_a_row_whose_name_is_a_dash_is_a_placeholder_and_a_dash_value_is_none():
    """Jinan (历城): a "-" row under each level-2 label; 年度指标值 printed as —. A scan of it
    reads the dash 一, as a Chinese input method types it."""
    rows = [
        HEADER,
        _row("产出指标(100分)", "数量指标", "全年免费开放", "—", "100%", "50", "50"),
        _row("", "", "一", "", "", "", ""),
        _row("", "质量指标", "管理制度健全", "/", "-", "50", "50"),
        _row("", "", "-", "-", "", "-", "-"),
        [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)],
    ]
    [form] = parse_document(_document([_grid(rows)]))
    assert isinstance(form, ParsedForm)
    assert [(i.level2, i.name, i.target, i.actual) for i in form.indicators] == [("数量指标", "全年免费开放", None, "100%"), ("质量指标", "管理制度健全", None, None)]
    assert form.provenance["/indicators/0/target"].text == "—"  # what the cell printed is kept
    assert len(form.dropped_rows) == 2
    kept = parse_document(_document([_grid([HEADER, _row("产出指标(100分)", "数量指标", "-", "", "", "100", "100")])]))[0]
    assert isinstance(kept, ParsedForm) and [i.weight for i in kept.indicators] == [100.0]  # a dash name with points is kept


def test_a_project_manager_and_phone_printed_in_cells_of_their_own_are_read():
    header = [
        [(0, "项目名称", 2, 1), (2, "商品和服务支出", 3, 1), (5, "主管部门", 1, 1), (6, "文化和旅游局", 2, 1)],
        [(0, "项目实施单位", 2, 1), (2, "文化馆", 1, 1), (3, "项目负责人", 1, 1), (4, "田延青", 1, 1), (5, "联系电话", 1, 1), (6, "88894492", 2, 1)],
        [(0, "财务负责人", 2, 1), (2, "王某", 6, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(header), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.project.manager, form.project.phone) == ("田延青", "88894492")


def test_two_header_labels_in_one_cell_take_the_two_values_of_the_cell_beside_it():
    """Ningxia (原州): 项目实施单位/项目负责人 | 原州区农技中心/杨勃兴. A value that does not
    split the same way is unread, not guessed. And the local one of two levels' 主管部门 is the
    project's."""
    header = [
        [(0, "项目名称", 2, 1), (2, "马铃薯种薯繁育", 6, 1)],
        [(0, "项目实施单位/项目负责人", 2, 1), (2, "原州区农技中心/杨勃兴", 6, 1)],
        [(0, "自治区主管部门", 2, 1), (2, "农业农村厅", 2, 1), (4, "市县主管部门", 2, 1), (6, "原州区农业农村局", 2, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(header), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm) and form.project.competent_department == "原州区农业农村局"
    assert form.unread == ["header field '自治区主管部门' (no header field of the schema is known by this label)"]  # the level above: no field
    assert (form.project.implementing_unit, form.project.manager) == ("原州区农技中心", "杨勃兴")
    assert form.provenance["/project/manager"].text == "原州区农技中心/杨勃兴"
    header[1][1] = (2, "原州区农技中心", 6, 1)
    [form] = parse_document(_document([_grid(header), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm) and form.project.implementing_unit is None and form.project.manager is None
    assert any("项目实施单位/项目负责人" in entry for entry in form.unread)


def test_a_total_score_printed_on_a_line_outside_the_table_is_the_total_unless_a_total_row_differs():
    """Ningxia (原州): 项目总得分99分 between the title and the table, no 总分 row (cut)."""
    from pipeline.model.intermediate import TextLine

    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "99")]
    document = _document([_grid(indicators, top=300)])
    document.pages[0].lines.append(TextLine("项目总得分99分", 1, (100.0, 250.0, 200.0, 262.0)))
    [form] = parse_document(document)
    assert isinstance(form, ParsedForm) and form.total.score == 99.0 and not form.unread
    assert form.provenance["/total/score"].text == "项目总得分99分"
    indicators.append([(0, "总分", 5, 1), (5, "100", 1, 1), (6, "98", 1, 1), (7, "", 1, 1)])
    document = _document([_grid(indicators, top=300)])
    document.pages[0].lines.append(TextLine("项目总得分99分", 1, (100.0, 250.0, 200.0, 262.0)))
    [form] = parse_document(document)
    assert isinstance(form, ParsedForm) and form.total.score == 98.0
    assert any("项目总得分99分" in entry for entry in form.unread)


def test_the_samples_keep_every_column_they_print():
    """No sample form loses a column or a row: each is placed (the checks above would say so)."""
    for path in sorted((DUMP / "2022").rglob("*.pdf")):
        for form in process_file(describe(path, DUMP)).forms:
            assert "structure_read" not in _checks(form), (path.name, _checks(form)["structure_read"].message)


def test_a_level2_label_printed_below_a_page_break_names_the_rows_above_it_within_its_block():
    page1 = _grid(
        [
            HEADER,
            _row("产出指标(60分)", "数量指标", "培训人次", "≥500", "523", "20", "20"),
            [(0, "", 1, 1), (1, "", 1, 1), (2, "合格率", 1, 1), (3, "≥95%", 1, 1), (4, "96%", 1, 1), (5, "20", 1, 1), (6, "20", 1, 1), (7, "", 1, 1)],
        ]
    )
    page2 = _grid([_row("", "质量指标", "优良率", "≥90%", "92%", "20", "20"), [(0, "总分", 5, 1), (5, "60", 1, 1), (6, "60", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [i.level2 for i in form.indicators] == ["数量指标", "质量指标", "质量指标"]
    assert [i.level1 for i in form.indicators] == ["产出指标"] * 3


def test_a_row_split_by_a_page_break_is_one_indicator_with_its_texts_joined():
    """Word lets a table row break across pages: the rest of its long texts opens the next page."""
    page1 = _grid([HEADER, _row("产出指标", "数量指标", "培训人次", "≥500", "523", "50", "45")])
    page1.cells[-1] = replace(page1.cells[-1], text="部分学员因疫情未能参")  # the note column of the last row
    rest = [(0, "", 1, 1), (1, "", 1, 1), (2, "", 1, 1), (3, "", 1, 1), (4, "", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "训,下年度补训。", 1, 1)]
    child = [(0, "", 1, 1), (1, "", 1, 1), (2, "其中：骨干培训人次", 1, 1), (3, "≥50", 1, 1), (4, "52", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)]
    page2 = _grid([rest, child, _row("效益指标", "社会效益指标", "技能提升", "提升", "提升", "50", "50"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "95", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [i.name for i in form.indicators] == ["培训人次", "其中：骨干培训人次", "技能提升"]
    assert form.indicators[0].deviation_note == "部分学员因疫情未能参训,下年度补训。"


def test_the_rest_of_a_value_a_page_break_cut_is_read_again_and_as_sure_as_its_least_sure_part():
    """An OCR'd page: the value pointed at its start only, with the start's confidence, and the
    rest was never read a second time. A rest read at 0.5 ((>**元/人·月) for (≥**元/人·月)) went
    out on its start's 0.97."""
    page1 = _grid([HEADER, _row("产出指标", "数量指标", "生活标准", "≥500", "523", "50", "45")])
    page1.cells[-6] = replace(page1.cells[-6], confidence=0.97)  # the name
    rest = [(col, "(>**元/人·月)" if col == 2 else "", 1, 1) for col in range(8)]
    page2 = _grid([rest, _row("效益指标", "社会效益指标", "技能提升", "提升", "提升", "50", "50"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "95", 1, 1), (7, "", 1, 1)]], page=2)
    page2.cells[2] = replace(page2.cells[2], confidence=0.5)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert form.indicators[0].name == "生活标准(>**元/人·月)"
    where = form.provenance["/indicators/0/name"]
    assert (where.page, where.text, where.confidence) == (1, "生活标准", 0.5)
    assert [(cell.page, cell.text) for cell in form.rest_cells] == [(2, "(>**元/人·月)")]


def _rest_of(row: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
    """A row under empty level-1 and level-2 merges spanning it and the row above (cols 0–1 left out)."""
    return [cell for cell in row if cell[0] >= 2]


@pytest.mark.parametrize("row_split", [False, True])
def test_an_empty_level2_merge_below_a_page_break_names_every_row_it_spans(row_split):
    """Word to PDF: the merge of 成本指标 runs over a break, its label above it; below, an empty
    merge spans two rows. Only the first row below took the label; the second had no 二级指标.
    When the break also splits the row above (生活标准(≥** | 元/人·月)), that rest opens the merge."""
    page1 = _grid([HEADER, _row("产出指标", "成本指标", "生活标准(≥**" if row_split else "办公所需成本", "4", "4", "4", "4")])
    first = [(2, "元/人·月)", 1, 1)] + [(c, "", 1, 1) for c in range(3, 8)] if row_split else _rest_of(_row(None, "", "维修成本", "3", "3", "3", "3"))
    page2 = _grid(
        [
            [(0, "", 1, 2), (1, "", 1, 2)] + first,
            _rest_of(_row(None, "", "绿化成本", "3", "3", "3", "3")),
            [(0, "总分", 5, 1), (5, "10", 1, 1), (6, "10", 1, 1), (7, "", 1, 1)],
        ],
        page=2,
    )
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    names = ["生活标准(≥**元/人·月)", "绿化成本"] if row_split else ["办公所需成本", "维修成本", "绿化成本"]
    assert [i.name for i in form.indicators] == names
    assert [(i.level1, i.level2) for i in form.indicators] == [("产出指标", "成本指标")] * len(names)


def test_the_rest_of_a_split_row_that_prints_only_its_labels_ends_completes_them():
    """Word to PDF (稷山, large print): 满意度 | 服务对象 | 是否满意 | 95% … at the foot of page 1,
    指标(10分) | 满意度指标 alone at the top of page 2. 满意度指标 is a name of its own, but here it
    ends 服务对象; the row was dropped as empty and the labels stayed cut."""
    page1 = _grid([HEADER, _row("满意度", "服务对象", "是否满意", "95%", "95%", "10", "9")])
    page2 = _grid([[(0, "指标(10分)", 1, 1), (1, "满意度指标", 1, 1)] + [(c, "", 1, 1) for c in range(2, 8)], [(0, "总分", 5, 1), (5, "10", 1, 1), (6, "9", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight, i.level2, i.name) for i in form.indicators] == [("满意度指标", 10.0, "服务对象满意度指标", "是否满意")]
    unfilled = _grid([[(0, "效益指标(10分)", 1, 1)] + [(c, "", 1, 1) for c in range(1, 8)], [(0, "总分", 5, 1), (5, "10", 1, 1), (6, "9", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [unfilled]))  # an unfilled row under labels of its own: not a rest
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level2) for i in form.indicators] == [("满意度", "服务对象")]


def test_a_level1_label_of_a_layout_s_own_cut_inside_its_brackets_is_joined():
    """银川 (own level names 项目产出/项目效益): 项目产出(30 closes page 1, 分) opens page 2's rows."""
    page1 = _grid([HEADER, _row("项目产出(30", "数量指标", "学生人数", "100", "100", "10", "10")])
    page2 = _grid([_row("分)", "质量指标", "合格率", "100%", "100%", "20", "20"), [(0, "总分", 5, 1), (5, "30", 1, 1), (6, "30", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight) for i in form.indicators] == [("项目产出", 30.0)] * 2


def test_a_level1_label_opening_an_empty_row_names_the_rows_below_it_across_a_break():
    """中江 at 15 pt: 效益指标(20 | 经济效益指标 and nothing else closes page 1; 分) opens page 2 beside
    社会效益指标's rows. The empty row was dropped with its label, and page 2's rows were read under
    产出指标, or under a level-1 named 分)."""
    page1 = _grid([HEADER, _row("产出指标(70分)", "数量指标", "安装水表", "100", "100", "70", "70"), _row("效益指标(20", "经济效益指标", "", "", "", "", "")])
    page2 = _grid([_row("分)", "社会效益指标", "群众满意", "90%", "95%", "20", "20"), [(0, "总分", 5, 1), (5, "90", 1, 1), (6, "90", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight, i.level2) for i in form.indicators] == [("产出指标", 70.0, "数量指标"), ("效益指标", 20.0, "社会效益指标")]


def test_a_level1_label_cut_by_a_page_break_inside_its_row_is_joined_for_every_row_it_names():
    """Jinan (历城), Word to PDF: 效\n益\n指 at the foot of page 1, 标(30分) in the row's rest on page 2."""
    page1 = _grid([HEADER, _row("效益指", "经济效益指标", "承担重要公益服务项", "100%", "100%", "10", "10")])
    rest = [(0, "标(30分)", 1, 3), (1, "", 1, 1), (2, "目、助推民生事业发展", 1, 1), (3, "", 1, 1), (4, "", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)]
    below = [(1, "社会效益指标", 1, 1), (2, "群众满意", 1, 1), (3, "90%", 1, 1), (4, "95%", 1, 1), (5, "20", 1, 1), (6, "20", 1, 1), (7, "", 1, 1)]
    dash = [(1, "", 1, 1), (2, "-", 1, 1), (3, "", 1, 1), (4, "", 1, 1), (5, "", 1, 1), (6, "", 1, 1), (7, "", 1, 1)]
    page2 = _grid([rest, below, dash, [(0, "总分", 5, 1), (5, "30", 1, 1), (6, "30", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [(i.level1, i.level1_weight, i.name) for i in form.indicators] == [("效益指标", 30.0, "承担重要公益服务项目、助推民生事业发展"), ("效益指标", 30.0, "群众满意")]
    assert form.provenance["/indicators/0/level1_weight"].text == "标(30分)"  # the weight points where it is printed


def test_a_level2_label_a_sheet_printed_partly_on_each_page_is_whole():
    """A spreadsheet merge over a page break prints its text across the break: 可持续影 at the foot
    of page 1, 响指标 over page 2's placeholder rows. Read apart, the row's level-2 was 可持续影 in
    a form marked ok; 经济效益 | 指标 is joined the same way, though 经济效益 is a name of its own."""
    page1 = _grid([HEADER, _row("效益指标(30分)", "可持续影", "已建工程良性运行", "", "", "10", "10"), _row("", "经济效益", "全市安全度汛", "", "", "20", "20")])
    page2 = _grid([[(1, "指标", 1, 2), (2, "指标2:", 1, 1)], [(2, "……", 1, 1)], [(0, "总分", 5, 1), (5, "30", 1, 1), (6, "30", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([page1], [page2]))
    assert isinstance(form, ParsedForm)
    assert [i.level2 for i in form.indicators] == ["可持续影", "经济效益指标"]  # only the label the break cut is joined
    cut = _grid([HEADER, _row("效益指标(30分)", "可持续影", "已建工程良性运行", "", "", "30", "30")])
    rest = _grid([[(1, "响指标", 1, 2), (2, "指标2:", 1, 1)], [(2, "……", 1, 1)], [(0, "总分", 5, 1), (5, "30", 1, 1), (6, "30", 1, 1), (7, "", 1, 1)]], page=2)
    [form] = parse_document(_document([cut], [rest]))
    assert isinstance(form, ParsedForm) and [i.level2 for i in form.indicators] == ["可持续影响指标"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make system-deps installs it)")
def test_a_word_table_row_broken_over_pages_by_libreoffice_stays_one_row(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("项目支出绩效自评表")
    table = document.add_table(rows=1, cols=8)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [c[1] for c in HEADER]):
        cell.text = text
    for n in range(14):
        note = "原因很长的说明文字，" * (40 if n == 11 else 1)
        for cell, text in zip(table.add_row().cells, ["产出指标", "数量指标", f"指标{n}", "≥100", "100", "5", "5", note]):
            cell.text = text
    for cell, text in zip(table.add_row().cells, ["总分", "", "", "", "", "70", "70", ""]):
        cell.text = text
    dump = tmp_path / "dump"
    dump.mkdir()
    document.save(tmp_path / "form.docx")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf", "--outdir", str(dump), str(tmp_path / "form.docx")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = process_file(describe(dump / "form.pdf", dump))
    [form] = result.forms
    assert result.pages > 1
    assert [i.name for i in form.indicators] == [f"指标{n}" for n in range(14)]
    assert form.indicators[11].deviation_note == "原因很长的说明文字，" * 40
    # a table without a funding block is no known layout; nothing else fails
    assert {c.rule for c in form.checks if c.status == "fail"} == {"layout_known"}, form.checks


@pytest.mark.parametrize(("reason", "lost"), [("1.预算执行率未达到90%的需说明原因(100字以内)", False), ("年中追加了设备采购", True)])
def test_text_in_a_reason_column_beside_the_budget_is_instructions_or_a_value_lost(reason, lost):
    funding = [
        [(0, "项目资金", 1, 2), (1, "", 1, 1), (2, "年初预算", 1, 1), (3, "调整后预算数", 1, 1), (4, "预算执行数", 1, 1), (5, "原因", 1, 1)],
        [(1, "总额", 1, 1), (2, "50", 1, 1), (3, "48", 1, 1), (4, "46.56", 1, 1), (5, reason, 1, 1)],
    ]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥1200人", "1260人", "100", "100"), [(0, "合计", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    [form] = parse_document(_document([_grid(funding), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert bool(form.unread) == lost
    assert [row.text for row in form.dropped_rows] == ([] if lost else [reason])


@pytest.mark.parametrize(("printed", "value"), [("150万", 150.0), ("150万元", 150.0), ("150元", None)])
def test_an_amount_stating_the_column_s_unit_is_read_and_another_unit_is_not(printed, value):
    funding = [
        [(0, "项目资金(万元)", 1, 2), (1, "", 1, 1), (2, "年初预算数", 1, 1), (3, "全年预算数", 1, 1), (4, "全年执行数", 1, 1)],
        [(1, "年度资金总额", 1, 1), (2, printed, 1, 1), (3, "150", 1, 1), (4, "150", 1, 1)],
    ]
    [form] = parse_document(_document([_grid(funding), _grid([HEADER, _row("产出指标", "数量指标", "人数", "1", "1", "100", "100")], top=300)]))
    assert isinstance(form, ParsedForm)
    assert form.funding.unit == "万元" and form.funding.lines[0].initial_budget == value
    assert bool(form.problems) == (value is None)  # 150元 in a 万元 column is not read, and said so


@needs_font
def test_a_header_label_of_a_schema_field_that_no_synonym_names_is_not_left_null_silently(tmp_path):
    [form] = _national_with(tmp_path / "a", {"实施单位": "承办单位"}).forms
    assert form.project.implementing_unit is None and form.status == "needs_review"
    assert "'承办单位'" in _checks(form)["structure_read"].message
    [form] = _national_with(tmp_path / "b", {"实施单位": "项目执行单位"}).forms
    assert form.project.implementing_unit == "219001-和平县农业技术推广中心" and form.status == "ok"


def test_a_form_without_goals_or_a_weight_column_and_with_starred_core_rows():
    """Hubei style: the indicator block carries its own points in its caption (年度绩效目标(80分)), no
    goals block, no 分值 column; ★ marks core indicators in the name and in a header."""
    header = [
        (0, "年度绩效目标(80分)", 1, 3),
        (1, "一级指标", 1, 1),
        (2, "二级指标", 1, 1),
        (3, "★三级指标", 1, 1),
        (4, "年度指标值", 1, 1),
        (5, "实际完成值", 1, 1),
        (6, "得分", 1, 1),
        (7, "偏差原因分析及改进措施", 1, 1),
    ]
    rows = [
        header,
        [(1, "产出指标", 1, 1), (2, "数量指标", 1, 1), (3, "★抽检批次", 1, 1), (4, "≥200批次", 1, 1), (5, "215批次", 1, 1), (6, "40", 1, 1), (7, "", 1, 1)],
        [(1, "效益指标", 1, 1), (2, "社会效益指标", 1, 1), (3, "监测合格率", 1, 1), (4, "≥98%", 1, 1), (5, "98.6%", 1, 1), (6, "40", 1, 1), (7, "", 1, 1)],
        [(0, "总分", 6, 1), (6, "80", 1, 1), (7, "", 1, 1)],
    ]
    [form] = parse_document(_document([_grid(rows)]))
    assert isinstance(form, ParsedForm)
    assert [(i.name, i.weight, i.score) for i in form.indicators] == [("★抽检批次", None, 40.0), ("监测合格率", None, 40.0)]
    assert (form.goals.expected, form.goals.actual) == ([], []) and form.total.score == 80.0
    assert not form.unread


def test_a_title_read_as_two_pieces_side_by_side_is_one_title():
    content = _document([_grid([HEADER, _row("产出指标", "数量指标", "人数", "1", "1", "100", "100")])], title="")
    content.pages[0].lines[:] = [
        TextLine("2022年度项目", 1, (166.0, 53.0, 289.0, 72.0)),
        TextLine("支出绩效自评表", 1, (289.0, 53.0, 430.0, 72.0)),
        TextLine("金额单位:万元", 1, (431.0, 79.0, 500.0, 91.0)),
    ]
    [form] = parse_document(content)
    assert isinstance(form, ParsedForm)
    assert (form.title, form.project.year, form.funding.unit) == ("2022年度项目支出绩效自评表", "2022", "万元")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make system-deps installs it)")
def test_a_word_form_whose_page_break_cuts_a_merged_level2_or_leaves_the_total_alone_is_read_whole(tmp_path):
    """A real form of eval/'s dev half (永德, 公开14表) typed in Word in two faces and converted by
    LibreOffice. In Hei the break falls inside the merge of 服务对象满意度指标等 (服务对 | 象满意度…):
    the second row under it came out `ok` as 象满意度指标等. In Ming the 总分 row goes over alone, 8
    characters on a page, which were taken for no text layer: the total was lost."""
    sys.path.insert(0, str(REPO / "scripts"))
    import eval_spec
    import make_eval

    spec = eval_spec.load("yn-yongde-yingyang")
    expected = eval_spec.load_expected("yn-yongde-yingyang")
    dump = tmp_path / "dump"
    sources = []
    for face in (0, 3):
        sources.append(tmp_path / f"face{face}.docx")
        style = make_eval.STYLES[face]  # in the large print make_eval gives long forms
        make_eval.write_docx(spec, make_eval.Style(style.font, 12.5, style.landscape, style.widths), sources[-1])
    make_eval.soffice_to_pdf(sources, dump)
    for source in sources:
        result = process_file(describe(dump / f"{source.stem}.pdf", dump))
        [form] = result.forms
        assert result.pages == 2
        assert [i.level2 for i in form.indicators] == [i["level2"] for i in expected["indicators"]], source.stem
        assert (form.total.weight, form.total.score, form.total.grade) == (100.0, 96.0, "优"), source.stem
        assert form.status == "ok", form.checks


def _real_form(tmp_path: Path, form_id: str):
    """A real form of eval/'s dev half typed in Word (python-docx), read from the .docx itself."""
    import eval_spec
    import make_eval

    dump = tmp_path / "dump"
    dump.mkdir()
    make_eval.write_docx(eval_spec.load(form_id), make_eval.STYLES[0], dump / f"{form_id}.docx")
    [form] = process_file(describe(dump / f"{form_id}.docx", dump)).forms
    return form.to_json(), eval_spec.load_expected(form_id)


def test_a_points_column_after_each_level_gives_each_level_its_points(tmp_path):
    """海南 prints 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分: the first 分值 was read as
    every indicator's weight (20 for 4) and the level-1 weight was lost."""
    form, expected = _real_form(tmp_path, "hi-shangwuting-fuwumaoyi")
    got = [(i["level1"], i["level1_weight"], i["name"], i["weight"], i["score"]) for i in form["indicators"]]
    assert got == [(i["level1"], i["level1_weight"], i["name"], i["weight"], i["score"]) for i in expected["indicators"]]


def test_a_transfer_payment_form_s_own_labels_and_wrapped_title_are_read(tmp_path):
    """阆中's 绩效目标自评 (no 表, wrapped onto a second line), 转移支付(项目)名称, 地方主管部门,
    资金使用单位, and 总体目标完成情况 over 总体目标 | 全年实际完成情况: all had been lost."""
    form, expected = _real_form(tmp_path, "sc-langzhong-chegoushui")
    assert form["title"] == expected["title"]
    for field in ("name", "competent_department", "implementing_unit", "year"):
        assert form["project"][field] == expected["project"][field], field
    assert form["goals"] == expected["goals"]


def test_a_long_title_wrapped_onto_a_second_line_is_one_title():
    """…(普通省道公路建设)绩效目 over 标自评: neither line a title alone, together one. A sentence
    ending the same way is no title."""
    from pipeline.parse.form import _join_split_titles

    first = TextLine("车辆购置税收入补助地方资金(普通省道公路建设)绩效目", 1, (60, 50, 540, 66))
    second = TextLine("标自评", 1, (276, 68, 324, 84))
    assert [line.text for line in _join_split_titles([first, second])] == ["车辆购置税收入补助地方资金(普通省道公路建设)绩效目标自评"]  # type: ignore[union-attr]
    apart = TextLine("标自评", 1, (276, 120, 324, 136))  # further down: another line
    assert len(_join_split_titles([first, apart])) == 2
    sentence = TextLine("按要求，我局开展了绩效目", 1, (60, 50, 540, 66))
    assert len(_join_split_titles([sentence, second])) == 2


def test_a_value_cell_whose_print_no_engine_read_is_a_problem_not_a_blank():
    """OCR gives a cell with print in it that read as nothing confidence 0 (a blank has None):
    read as a blank, the value was missing from the form unseen."""
    page = _grid([HEADER, _row("产出指标", "数量指标", "培训人次", "≥500", "523", "50", "45"), _row("效益指标", "社会效益指标", "技能提升", "提升", "提升", "", "50")])
    score_at, weight_at = len(page.cells) - 2, len(page.cells) - 3
    page.cells[score_at] = replace(page.cells[score_at], text="", confidence=0.0)  # 效益's 得分: print, read as nothing
    page.cells[weight_at] = replace(page.cells[weight_at], confidence=None)  # 效益's 分值: blank
    [form] = parse_document(_document([page]))
    assert isinstance(form, ParsedForm)
    assert (form.indicators[1].weight, form.indicators[1].score) == (None, None)
    assert form.problems == [("/indicators/1/score", INK_NOT_READ)]
    assert form.provenance["/indicators/1/score"].confidence == 0.0


def test_a_header_label_and_its_value_in_one_cell_give_the_value():
    """联系电话88894492 in one cell (typed so, or the rule between label and value lost under a
    seal) was a label of no field: the phone was lost, and nothing said so."""
    header = [(0, "项目名称", 1, 1), (1, "培训经费", 2, 1), (3, "项目负责人：田延青", 2, 1), (5, "联系电话88894492", 3, 1)]
    page = _grid([header, HEADER, _row("产出指标", "数量指标", "培训人次", "≥500", "523", "50", "45")])
    [form] = parse_document(_document([page]))
    assert isinstance(form, ParsedForm)
    assert (form.project.name, form.project.manager, form.project.phone) == ("培训经费", "田延青", "88894492")
    assert form.provenance["/project/phone"].text == "联系电话88894492"
    header[3] = (5, "项目名称及编码", 3, 1)  # the label goes on: no value in it
    [form] = parse_document(_document([_grid([header, HEADER, _row("产出指标", "数量指标", "培训人次", "≥500", "523", "50", "45")])]))
    assert isinstance(form, ParsedForm) and form.project.phone is None and form.project.name == "培训经费"


def test_a_row_on_another_page_is_read_under_its_header_by_the_tables_edges():
    """A phone's photo of each page puts the same table at another place and scale: a column's x
    from the header on page 1 lands in the same column of page 2's table, not in its neighbour;
    on the header's own page, or where the tables lie alike (pages of one PDF), x is taken as is."""
    from pipeline.model.intermediate import Cell
    from pipeline.parse.form import Row

    def row(page: int, edges: list[float]) -> Row:
        cells = [Cell(0, i, 1, 1, f"c{i}", (left, 0.0, right, 10.0), page) for i, (left, right) in enumerate(zip(edges, edges[1:]))]
        return Row(cells=cells, page=page, grid_id=page, index=0, last_in_grid=False, frame=(edges[0], edges[-1]))

    header = row(1, [118, 200, 260, 320, 400, 585])
    centre_of_fourth = (320 + 400) / 2  # 360
    shifted = row(2, [71, 150.6, 208.8, 267, 344.6, 525])  # the same columns, 47 pt to the left and 3% narrower
    assert shifted.cell_at(centre_of_fourth).text == "c4"  # as it is: the wrong column
    assert shifted.under(header).cell_at(centre_of_fourth).text == "c3"
    assert row(1, [71, 150.6, 208.8, 267, 344.6, 525]).under(header).x_map is None  # the header's own page
    assert row(2, [118, 200, 260, 320, 400, 585]).under(header).x_map is None  # one PDF's pages
    assert row(2, [118, 200, 300]).under(header).x_map is None  # another table: half the width


def test_a_block_caption_down_the_left_is_no_column_of_the_block(tmp_path):
    """四川's 区域绩效目标自评表 prints 年度目标完成情况 and 年度绩效指标完成情况 down the left of their
    blocks: words that name a 实际 column in other layouts. Taken as columns, every goal went to
    the actual list and every 实际完成值 read the caption itself."""
    form, expected = _real_form(tmp_path, "sc-anju-shipinjianguan")
    assert form["goals"] == expected["goals"]
    assert [i["actual"] for i in form["indicators"]] == [i["actual"] for i in expected["indicators"]]
    assert form["project"]["name"] == expected["project"]["name"]  # 专项名称
    (tmp_path / "suining").mkdir()
    form, expected = _real_form(tmp_path / "suining", "sc-suining-liangpinyixie")
    lines_joined = {key: ["".join(goal.split()) for goal in goals] for key, goals in form["goals"].items()}  # a goal's lines as printed, one per goal
    assert lines_joined == expected["goals"]
    for field in ("manager", "phone"):  # 联系人及电话
        assert form["project"][field] == expected["project"][field], field


def test_a_government_level_s_share_of_a_transfer_payment_is_no_appropriation_line(tmp_path):
    """其中:中央财政资金 | 地方财政资金 split a transfer payment by level: each is that year's money,
    neither is 当年财政拨款. Read as one, the 中央 share became the form's 当年财政拨款 line. And a
    fund's own title (就业补助资金绩效自评表) is a form's title."""
    form, expected = _real_form(tmp_path, "ah-tianjiaan-jiuye")
    assert form["title"] == expected["title"]
    assert [line["item"] for line in form["funding"]["lines"]] == [line["item"] for line in expected["funding"]["lines"]] == ["年度资金总额", "其他资金"]
    assert any("中央财政资金" in row["text"] for row in form["dropped_rows"])


def test_a_budget_printed_as_label_value_pairs_is_the_project_s_whole_budget(tmp_path):
    """四川's 转移支付预算数(A) | 5.8万 over 转移支付执行数(B) | 5.8万 beside 预算执行率(B/A) | 100%, and
    河北 成安's 预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84 with rows of items under it: no header of
    funding columns, so no budget was read at all. A value beside no label of a field (到位数) is
    named, not dropped; one under a label of a field in the row above (预算执行进度(%) over 100.00)
    is that field's."""
    form, expected = _real_form(tmp_path, "sc-suining-liangpinyixie")
    assert form["funding"]["lines"] == expected["funding"]["lines"]
    (tmp_path / "chengan").mkdir()
    form, expected = _real_form(tmp_path / "chengan", "he-chengan-gaolingjintie")
    amounts = lambda lines: [(line["item"], line["annual_budget"], line["executed"], line["execution_rate"]) for line in lines]  # noqa: E731
    # 100.00 under 预算执行进度(%), merged down beside the three rows: the whole budget's rate only
    assert amounts(form["funding"]["lines"]) == amounts(expected["funding"]["lines"])
    assert [line["execution_rate"] for line in form["funding"]["lines"]] == [100.0, None, None]
    structure = next(c for c in form["checks"] if c["rule"] == "structure_read")
    assert structure["status"] == "fail" and "到位数 | 6.84" in structure["message"]


def test_a_second_header_row_s_sub_columns_take_their_roles_and_name_the_columns_they_replace(tmp_path):
    """河北 成安: 预期指标值 merged over 符号 | 单位(文字描述), 自评得分 over 单项指标得分 | 权重占比(%) |
    单项指标折算得分, and a 指标分值 column that holds explanations. The second row was taken for a
    header of its own: no target, the explanations read as weights."""
    form, expected = _real_form(tmp_path, "he-chengan-gaolingjintie")
    got = [(i["target"], i["weight"], i["score"]) for i in form["indicators"]]
    assert got == [(i["target"], i["weight"], i["score"]) for i in expected["indicators"]]
    assert [i["nature"] for i in form["indicators"]] == [">="] * 4  # as printed: an ASCII spelling is no look-alike glyph
    message = next(c for c in form["checks"] if c["rule"] == "structure_read")["message"]
    assert "'指标分值'" in message and "'单项指标得分'" in message


def test_a_score_column_captioned_among_the_header_rows_gives_the_total_and_every_score(tmp_path):
    """四川 安居's 区域绩效目标自评表: 自评得分 is captioned right of the header fields, the total (100)
    under it, then each block's points beside its caption (20, 20, 50) and each indicator's score.
    The budget's unit is stated only by the amounts of its sub-rows (2.38  万元). None of it had been
    read; a block's points have no field and are named unread."""
    form, expected = _real_form(tmp_path, "sc-anju-shipinjianguan")
    assert [i["score"] for i in form["indicators"]] == [i["score"] for i in expected["indicators"]] == [5.0, 4.0, 5.0, 3.0, 3.0, 3.0, 5.0, 3.0, 3.0]
    assert form["total"]["score"] == expected["total"]["score"] == 100.0
    assert form["funding"] == expected["funding"]
    structure = next(c for c in form["checks"] if c["rule"] == "structure_read")
    assert structure["status"] == "fail" and structure["message"].count("a block's points") == 2


def test_a_label_of_a_field_s_fallback_names_it_only_when_the_field_s_own_label_is_not_printed():
    """单位名称 is the unit filling the form in, 省级主管部门 the most local department of a 区域 form
    (四川 遂宁 and 安居 print no other). Beside a 项目实施单位 or a 主管部门 of the form's own, they
    are header values no field holds, named unread."""
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), [(0, "总分", 5, 1), (5, "100", 1, 1), (6, "100", 1, 1), (7, "", 1, 1)]]
    header = [
        [(0, "单位名称", 2, 1), (2, "遂宁市市场监督管理局经开区分局", 6, 1)],
        [(0, "省级主管部门", 2, 1), (2, "四川省市场监管局", 6, 1)],
    ]
    [form] = parse_document(_document([_grid(header), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.project.implementing_unit, form.project.competent_department) == ("遂宁市市场监督管理局经开区分局", "四川省市场监管局")
    assert form.unread == [] and form.provenance["/project/implementing_unit"].text == "遂宁市市场监督管理局经开区分局"
    header += [[(0, "项目实施单位", 2, 1), (2, "文化馆", 2, 1), (4, "主管部门", 2, 1), (6, "文化和旅游局", 2, 1)]]
    [form] = parse_document(_document([_grid(header), _grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm)
    assert (form.project.implementing_unit, form.project.competent_department) == ("文化馆", "文化和旅游局")
    assert sorted(form.unread) == [f"header field '{label}' (no header field of the schema is known by this label)" for label in ("单位名称", "省级主管部门")]


def test_a_total_row_that_labels_its_grade_gives_the_total_s_weight_score_and_grade():
    """保山: 总分(100分) | 100 | 自评等级 | 优, the score under no 得分 column. The row was read as an
    indicator named 100, and the notes below it as more indicators."""
    total = [(0, "总分(100分)", 2, 1), (2, "100", 2, 1), (4, "自评等级", 2, 1), (6, "优", 2, 1)]
    notes = [(0, "偏差大或目标未完成原因分析", 2, 1), (2, "无", 6, 1)]
    indicators = [HEADER, _row("产出指标", "数量指标", "人数", "≥500", "523", "100", "100"), total, notes]
    [form] = parse_document(_document([_grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm) and len(form.indicators) == 1
    assert (form.total.weight, form.total.score, form.total.grade) == (100.0, 100.0, "优")
    assert form.provenance["/total/weight"].text == "总分(100分)" and form.provenance["/total/score"].text == "100"
    # two numbers before the grade, under no 得分 column: which is the score is not guessed
    indicators[2] = [(0, "总分(100分)", 2, 1), (2, "100", 1, 1), (3, "98", 1, 1), (4, "自评等级", 2, 1), (6, "优", 2, 1)]
    [form] = parse_document(_document([_grid(indicators, top=300)]))
    assert isinstance(form, ParsedForm) and form.total.score is None and form.total.grade == "优"
    assert any("before '自评等级'" in entry for entry in form.unread)


def test_a_completion_label_beside_the_goal_and_this_year_s_actual_column_are_read(tmp_path):
    """新疆 阜康: 年度总体目标 | 总体目标 | 总体目标完成情况, the last one the 实际 column (elsewhere the
    same words caption a block), and 上年完成值 printed before 指标实际完成值: last year's value
    took the 实际 column, and the caption 年度绩效指标完成情况, cut before its rows, the rest."""
    form, expected = _real_form(tmp_path, "xj-fukang-tongjidiaocha")
    assert form["goals"] == expected["goals"] and form["goals"]["actual"]
    message = next(c for c in form["checks"] if c["rule"] == "structure_read")["message"]
    assert "'上年完成值'" in message and "'指标实际完成值'" not in message


def test_a_total_over_its_indicators_does_not_end_the_form(tmp_path):
    """安居 prints its 总分 row at the top of the table, over the indicators: the form may go on
    into a file after it (its page 2, photographed alone, held the rest of an indicator's name),
    so its reading is kept to read on with. A form whose 总分 ends its table is whole."""
    import eval_spec
    import make_eval

    for form_id, whole in (("sc-anju-shipinjianguan", False), ("sc-zhongjiang-shuibiaochi", True)):
        dump = tmp_path / form_id
        dump.mkdir()
        make_eval.write_docx(eval_spec.load(form_id), make_eval.STYLES[0], dump / f"{form_id}.docx")
        result = process_file(describe(dump / f"{form_id}.docx", dump))
        assert result.forms[0].total.score is not None, form_id
        assert (result.kept is None) == whole, form_id
