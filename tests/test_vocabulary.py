"""Label normalisation and matching (pipeline.model.vocabulary)."""

from __future__ import annotations

import pytest

from pipeline.model.vocabulary import (
    FUNDING_COLUMNS,
    FUNDING_ITEMS,
    GOAL_COLUMNS,
    HEADER_FIELDS,
    INDICATOR_COLUMNS,
    Label,
    is_form_title,
    nearly_form_title,
    is_label,
    level1_parts,
    marks_dropped,
    match_key,
    normalise_label,
    other_form_type,
    unit_of,
)


@pytest.mark.parametrize(
    "text",
    ["项目名称：", "项目名称:", "项目名称", " 项目名称 ： ", "项 目 名 称:", "项目名称::"],
)
def test_colons_and_spaces_do_not_change_the_label(text):
    assert normalise_label(text) == Label(base="项目名称", extras=())
    assert match_key(text, HEADER_FIELDS) == "name"


@pytest.mark.parametrize(
    ("text", "extras"),
    [("执行率（%）", ("%",)), ("执行率(%)", ("%",)), ("项目资金（元）", ("元",)), ("项目资金(万元)", ("万元",))],
)
def test_full_width_and_half_width_parentheses_agree(text, extras):
    label = normalise_label(text)
    assert label.extras == extras
    assert label.base in ("执行率", "项目资金")


def test_parenthesised_parts_are_split_off_the_base():
    assert match_key("执行率（%）", FUNDING_COLUMNS) == "execution_rate"
    assert match_key("执行率(%)", FUNDING_COLUMNS) == "execution_rate"
    assert normalise_label("产出（50分）") == Label(base="产出", extras=("50分",))


@pytest.mark.parametrize(("text", "key"), [("* 实际完成值", "actual"), ("*分值", "weight"), ("* 得分", "score"), ("＊ 得分", "score")])
def test_required_mark_is_ignored(text, key):
    assert match_key(text, INDICATOR_COLUMNS) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("其中：当年财政拨款", "当年财政拨款"),
        ("其中:当年财政拨款", "当年财政拨款"),
        ("其中 ： 上年结转资金", "上年结转资金"),
        ("其中其他资金", "其他资金"),
        ("上年结转资金", "上年结转资金"),
        ("年度资金总额：", "年度资金总额"),
    ],
)
def test_qizhong_prefix_is_dropped(text, key):
    assert match_key(text, FUNDING_ITEMS) == key


@pytest.mark.parametrize(
    ("text", "table", "key"),
    [
        ("本年财政拨款", FUNDING_ITEMS, "当年财政拨款"),
        ("其中：本年财政拨款", FUNDING_ITEMS, "当年财政拨款"),
        ("财政拨款", FUNDING_ITEMS, "当年财政拨款"),
        ("上年结余结转资金", FUNDING_ITEMS, "上年结转资金"),
        ("调整预算数", FUNDING_COLUMNS, "annual_budget"),
        ("全年预算数", FUNDING_COLUMNS, "annual_budget"),
        ("预算执行率（%）", FUNDING_COLUMNS, "execution_rate"),
        ("项目代码：", HEADER_FIELDS, "code"),
        ("项目主管部门", HEADER_FIELDS, "competent_department"),
        ("年初设定目标", GOAL_COLUMNS, "expected"),
        ("偏差原因分析及改进措施", INDICATOR_COLUMNS, "deviation_note"),
    ],
)
def test_synonyms(text, table, key):
    assert match_key(text, table) == key


@pytest.mark.parametrize("text", ["", "   ", "（元）", "项目", "预算", "其中：", "资金使用情况说明"])
def test_no_match_is_none(text):
    assert match_key(text, FUNDING_ITEMS) is None
    assert match_key(text, FUNDING_COLUMNS) is None


def test_match_is_exact_not_a_substring():
    assert match_key("全年预算数合计", FUNDING_COLUMNS) is None
    assert match_key("非项目名称", HEADER_FIELDS) is None


def test_is_label():
    assert is_label("总分：", ("总分", "合计"))
    assert is_label(" 合 计 ", ("总分", "合计"))
    assert not is_label("总分值", ("总分", "合计"))


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("项目资金（万元）", "万元"),
        ("项目资金(万元)", "万元"),
        ("项目资金（元）", "元"),
        ("金额单位：万元", "万元"),
        ("金额单位:万元", "万元"),
        ("金额单位： 元", "元"),
        ("单位：万元", "万元"),
        ("项目资金", None),
        ("执行率（%）", None),
        ("单位：个", None),
        ("", None),
    ],
)
def test_unit_of(text, unit):
    assert unit_of(text) == unit


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("产出(50分)", ("产出", 50.0)),
        ("效益 (30分)", ("效益", 30.0)),
        ("满意度（10分）", ("满意度", 10.0)),
        ("产出（12.5分）", ("产出", 12.5)),
        (" 产出 ( 50分 ) ", ("产出", 50.0)),
        ("产出指标", ("产出指标", None)),
        ("产出", ("产出", None)),
        ("项目决策2分", ("项目决策", 2.0)),  # 随州's checklist prints its points without brackets
        ("项目管理13分", ("项目管理", 13.0)),
        ("总得分", ("总得分", None)),
        ("2分", ("2分", None)),  # a number alone is no label with its points
    ],
)
def test_level1_parts(text, parts):
    assert level1_parts(text) == parts


def test_level1_parts_without_weight_keeps_the_printed_text():
    assert level1_parts(" 产出（数量） ") == ("产出（数量）", None)


def test_level1_parts_allows_space_before_fen():
    # regression: segment.line_text turns a visible gap into a space, which once lost the weight
    assert level1_parts("产出(50 分)") == ("产出", 50.0)
    assert level1_parts("效益（ 30 分 ）") == ("效益", 30.0)


@pytest.mark.parametrize(
    ("line", "title", "other"),
    [
        ("项目支出绩效自评表（2023年度）", True, None),
        ("2022年度项目支出绩效自评表（公开14表）", True, None),
        ("乡村振兴项目绩效自评表", True, None),
        ("单位整体支出绩效自评表", True, "unit overall form (单位整体支出绩效自评表)"),
        ("项目支出绩效自评表填报说明", False, None),
    ],
)
def test_titles_of_other_provinces_start_a_form(line, title, other):
    assert is_form_title(line) is title
    assert other_form_type(line) == other


@pytest.mark.parametrize(
    ("line", "nearly"),
    [
        ("2020年市级服务贸易发展资金项目目评表", True),  # 自 read as 目
        ("2020年度湘西地區開發產業發展專項資金項目支出續效自評表", True),  # 績 read as 續 on a fax
        ("續效目标自评表（2019年度）", True),
        ("绩效目标自评表", False),  # a title already
        ("金额单位：万元", False),
        ("项目支出绩效自评情况", False),  # two glyphs away
        ("根据要求开展了绩效目标目评表，", False),  # a sentence
    ],
)
def test_a_line_one_glyph_from_a_title_is_nearly_one(line, nearly):
    assert nearly_form_title(line) is nearly


@pytest.mark.parametrize(("text", "total"), [("总分", True), ("总 分", True), ("自评总分", True), ("综合得分", True), ("得分", False), ("产出指标", False)])
def test_total_rows_are_known_by_their_label(text, total):
    from pipeline.model.vocabulary import is_total_label

    assert is_total_label(text) is total


def test_a_total_label_printing_its_weight_is_one_and_an_ocr_remnant_beside_it_is_not_part_of_it():
    """保山's 总分(100分); a photo read it 总分(100分)1, the cell's right rule as a 1."""
    from pipeline.model.vocabulary import is_total_label

    assert is_total_label("总分(100分)") and is_total_label("总分(100分)1", ocr=True) and is_total_label("|总分", ocr=True)
    assert not is_total_label("总分(100分)1") and not is_total_label("得分1", ocr=True)


def test_a_mark_one_reading_has_and_the_other_drops_is_told():
    assert marks_dropped("办公宿舍楼、食堂及餐厅暖通改造经费", "办公宿舍楼食堂及餐厅暖通改造经费")
    assert marks_dropped("办公福含楼、食堂", "办公宿舍楼食堂")  # whatever else the two read otherwise
    assert marks_dropped("提高医疗保障水平，推进", "提高医疗保障水平推进")  # full-width, after NFKC
    assert not marks_dropped("办公宿舍楼食堂", "办公宿舍楼、食堂")  # the other way round
    assert not marks_dropped("办公宿舍楼、食堂", "办公宿舍楼、食堂")
    assert not marks_dropped("1.8分", "18分")  # a full stop Tesseract makes of a speck is no mark


def test_a_ruling_lines_remnant_read_before_an_ocr_label_does_not_hide_it():
    """A stroke or a box corner of a rule left beside a label reads as 一 or 口 before it (一一项日名称,
    口主管部门): the label is still known, but only from OCR (fuzzy) text, and only what no label
    names whole is stripped: 一级指标 stays a level-1 header, and a dash alone names nothing."""
    from pipeline.model.vocabulary import match_key
    from pipeline.parse.form import every_layout

    known = every_layout()
    assert match_key("一一项日名称", known.header_fields) == "name"
    assert match_key("口主管部门", known.header_fields) == "competent_department"
    assert match_key("一一项目名称", known.header_fields, fuzzy=False) is None  # a text layer prints what it means
    assert match_key("一级指标", known.indicator_columns) == "level1"
    assert match_key("——", known.header_fields) is None and match_key("一一名称", known.header_fields) is None
