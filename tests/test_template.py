"""Layout templates (pipeline.parse.template, pipeline/parse/templates/*.toml): loading, matching, vocabulary."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import DUMP
from pipeline.readers.ingest import describe
from pipeline.model.intermediate import Cell, DocumentContent, Grid, PageContent, TextLine
from pipeline.parse.form import ParsedForm, Unsupported, parse_document
from pipeline.run.unit import process_file
from pipeline.parse.template import (
    BASE,
    MATCH_THRESHOLD,
    TEMPLATE_DIR,
    TemplateError,
    by_name,
    load_template,
    load_templates,
    not_applicable,
    parse_template,
    rank,
)
from pipeline.model.vocabulary import is_form_title, match_key, other_form_type

NAMES = [t.name for t in load_templates()]  # every layout, as pipeline/parse/templates/*.toml lists them


def test_each_template_file_is_one_layout_named_after_it():
    assert NAMES == [p.stem for p in sorted(TEMPLATE_DIR.glob("*.toml"))]
    assert "shenzhen" in NAMES  # the seed layout


@pytest.mark.parametrize("name", NAMES)
def test_template_columns_are_known_to_the_parser_and_in_printed_order(name):
    template = by_name(name)
    assert template is not None
    assert list(template.indicator_columns)[:3] == ["level1", "level2", "name"]
    vocabulary = template.vocabulary()
    for key, labels in template.indicator_columns.items():
        assert set(labels) <= set(vocabulary.indicator_columns[key])  # the template's labels join the base ones
    assert set(BASE.indicator_columns["target"]) <= set(vocabulary.indicator_columns["target"])


def test_templates_say_what_they_add():
    assert list(by_name("xianjie").indicator_columns).index("weight") < list(by_name("xianjie").indicator_columns).index("target")
    assert "initial_budget" not in by_name("xianjie").funding_columns
    assert {"nature", "unit"} <= set(by_name("yunnan").indicator_columns)
    assert by_name("yunnan").grades == {"优": 90.0, "良": 80.0, "中": 60.0, "差": 0.0}
    assert by_name("yunnan").other_notes == ("其他需要说明事项",)
    assert "weight" not in by_name("hubei").funding_columns  # the 20 points are printed in the caption
    assert by_name("shenzhen").level1 == {"产出": 50.0, "效益": 30.0, "满意度": 10.0}
    assert not_applicable("shenzhen")["grade"] and "grade" not in not_applicable("yunnan")


def test_a_template_file_with_an_unknown_column_is_refused(tmp_path):
    data = tomllib.loads((TEMPLATE_DIR / "national.toml").read_text(encoding="utf-8"))
    data["indicators"]["columns"]["weighting"] = "权数"
    with pytest.raises(TemplateError, match="unknown keys"):
        parse_template(data, "broken.toml")
    with pytest.raises(TemplateError, match="unknown sections"):
        parse_template({"name": "x", "colums": {}}, "typo.toml")
    with pytest.raises(TemplateError, match="needs a name"):
        parse_template({}, "empty.toml")


def test_two_templates_with_one_name_are_refused(tmp_path):
    shutil.copy(TEMPLATE_DIR / "national.toml", tmp_path / "a.toml")
    shutil.copy(TEMPLATE_DIR / "national.toml", tmp_path / "b.toml")
    with pytest.raises(TemplateError, match="unique"):
        load_templates(tmp_path)


# --- matching ----------------------------------------------------------------------------------


def rows(*texts: tuple[str, ...]) -> list[list[tuple[str, float]]]:
    return [[(text, 10.0 * i) for i, text in enumerate(row)] for row in texts]


SHENZHEN_ROWS = rows(
    ("项目编码:", "4403", "项目名称:", "培训经费", "绩效自评年度:", "2022"),
    ("实施单位:", "中心", "一级预算单位:", "街道办"),
    ("资金使用情况",),
    ("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分"),
    ("项目资金(元)", "年度资金总额", "1", "1", "1", "10", "100", "10"),
    ("年度总体目标", "预期目标", "* 实际完成情况"),
    ("年度绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "* 实际完成值", "* 分值", "* 得分", "偏差原因分析及改进措施"),
    ("产出(50分)", "数量"),
    ("效益(30分)",),
    ("满意度(10分)",),
    ("总分", "100", "100"),
)


def test_the_seed_layout_matches_shenzhen_best_and_well():
    ranking = rank("培训经费项目支出绩效自评表", SHENZHEN_ROWS)
    assert ranking[0].template.name == "shenzhen" and ranking[0].score >= MATCH_THRESHOLD
    national = next(m for m in ranking if m.template.name == "national")
    assert "项目编码" in national.unexpected and "主管部门" in national.missing


def test_column_order_counts():
    """分值 before 年度指标值 is the 衔接资金 order: the other templates report the order as a mismatch."""
    header = ("绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施")
    ranking = {m.template.name: m for m in rank("项目支出绩效自评表", rows(header))}
    assert not any("indicator column order" in item for item in ranking["xianjie"].missing)
    assert any("indicator column order" in item for item in ranking["national"].missing)


def test_a_form_with_few_known_labels_matches_nothing():
    ranking = rank("项目支出绩效自评表", rows(("项目名称", "x"), ("年初预算", "调整后预算数", "权重", "原因"), ("一级指标", "二级指标", "三级指标", "权重", "得分")))
    assert ranking[0].score < MATCH_THRESHOLD
    assert "missing" in ranking[0].describe()


# --- adding a layout: a new template file is all it takes --------------------------------------


def _cell(row: int, col: int, text: str, span: int = 1) -> Cell:
    return Cell(row=row, col=col, row_span=1, col_span=span, text=text, bbox=(col * 60.0, row * 20.0, (col + span) * 60.0, row * 20.0 + 20), page=1)


def _sichuan_page() -> DocumentContent:
    """A Sichuan-like form: 权重 instead of 分值, 原因 as the reason column, a 合计 row."""
    texts = [
        ["项目名称", "乡村学校少年宫运行补助", "", "", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "权重", "得分", "原因"],
        ["产出指标", "数量指标", "受益学生人数", "≥1200人", "1260人", "90", "85", "部分学校停课"],
        ["合计", "", "", "", "", "90", "85", ""],
    ]
    cells = [_cell(r, c, text) for r, row in enumerate(texts) for c, text in enumerate(row)]
    grid = Grid(cells=cells, n_rows=len(texts), n_cols=8, page=1, bbox=(0.0, 0.0, 480.0, 80.0))
    title = TextLine("部门预算项目支出绩效自评表", 1, (0.0, -30.0, 300.0, -10.0))
    return DocumentContent(pages=[PageContent(page=1, width=600, height=800, grids=[grid], lines=[title])], page_count=1)


def _readme_template() -> str:
    """The template file the README's "Adding a layout" shows."""
    section = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split("## Adding a layout")[1]
    block = section.split("```toml")[1].split("```")[0]
    return "\n".join(line.removeprefix("   ") for line in block.splitlines())


def test_adding_a_layout_is_a_template_file(tmp_path, monkeypatch):
    """The README's example: with sichuan.toml, the sample of unknown layout is read, and reconciles."""
    sample = DUMP / "unknown" / "四川_乡村学校少年宫运行补助.pdf"
    before = process_file(describe(sample, DUMP))
    assert [f.template for f in before.forms] == ["unknown"] and before.status == "needs_review"
    # read by what its headers mean even without a template: its unlabelled budget row is the total
    assert [(line.item, line.annual_budget) for line in before.forms[0].funding.lines] == [("年度资金总额", 48.0)]

    for path in TEMPLATE_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "sichuan.toml").write_text(_readme_template(), encoding="utf-8")
    templates = load_templates(tmp_path)
    monkeypatch.setattr("pipeline.parse.template.load_templates", lambda folder=tmp_path: templates)

    after = process_file(describe(sample, DUMP))
    [form] = after.forms
    assert form.template == "sichuan" and form.status == "ok" and after.status == "ok", form.checks
    assert not after.grids
    assert form.funding.unit == "万元" and form.funding.lines[0].annual_budget == 48.0 and form.funding.lines[0].weight == 10.0
    assert form.indicators[3].deviation_note == "部分活动因天气原因停开"  # 原因 is this layout's reason column
    assert (form.total.weight, form.total.score) == (100.0, 98.7)


def test_a_form_of_unknown_layout_keeps_its_cells():
    [parsed] = parse_document(_sichuan_page())
    assert isinstance(parsed, ParsedForm) and parsed.template == "unknown"
    assert parsed.template_note is not None and parsed.template_note.startswith("layout not recognised")
    cells = [c["text"] for g in parsed.grid["grids"] for c in g["cells"]]
    assert "原因" in cells and "部分学校停课" in cells
    assert parsed.grid["lines"] == [] and parsed.grid["title"] == "部门预算项目支出绩效自评表"


def test_load_template_reads_one_file():
    assert load_template(TEMPLATE_DIR / "hubei.toml").funding_captions == ("预算执行情况",)


# --- titles and other form types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "is_title", "other"),
    [
        ("培训经费项目支出绩效自评表", True, None),
        ("红河县2022年度衔接推进乡村振兴补助资金项目绩效目标自评表", True, None),
        ("2022年度部门整体支出绩效自评表", True, "department overall form (部门整体支出绩效自评表)"),
        ("项目支出绩效自评表填报说明", False, None),
    ],
)
def test_titles(title, is_title, other):
    assert is_form_title(title) == is_title
    assert other_form_type(title) == other


def test_a_department_overall_form_is_unsupported_whatever_its_table():
    content = _sichuan_page()
    content.pages[0].lines[0] = TextLine("2022年度部门整体支出绩效自评表", 1, (0.0, -30.0, 300.0, -10.0))
    [result] = parse_document(content)
    assert isinstance(result, Unsupported) and "unsupported form type: department overall form" in result.reason


def test_template_labels_reach_match_key():
    assert match_key("预算数（A）", by_name("hubei").vocabulary().funding_columns) == "annual_budget"
    assert match_key("预算数（A）", BASE.funding_columns) is None
