"""Text exports (pipeline.readers.textexport): the seed file, encodings, realigned rows, rebuilt merges, sniffing."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import DUMP, EXPECTED
from pipeline.model.errors import InputError
from pipeline.readers.ingest import describe, sniff
from pipeline.model.intermediate import Cell, Grid
from pipeline.parse.form import ParsedForm, parse_document
from pipeline.run.batch import run
from pipeline.readers.textexport import (
    Field,
    decode,
    looks_like_text_export,
    realign_row,
    squeeze,
    text_export_content,
)

SEED = DUMP / "text_export" / "000_be68d999e2fa7b89.txt"
HEADER = "年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t* 实际完成值\t* 分值\t* 得分\t偏差原因分析及改进措施"
COLUMNS = {"level1": 1, "level2": 2, "name": 3, "target": 4, "actual": 5, "weight": 6, "score": 7, "deviation_note": 8}


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def content_of(form: ParsedForm) -> dict:
    return {
        "title": form.title,
        "template": form.template,
        "project": asdict(form.project),
        "funding": asdict(form.funding),
        "goals": asdict(form.goals),
        "indicators": [asdict(i) for i in form.indicators],
        "total": asdict(form.total),
    }


def expected(name: str) -> dict:
    seed = json.loads((EXPECTED / "seed" / name).read_text(encoding="utf-8"))
    return {key: seed[key] for key in ("title", "template", "project", "funding", "goals", "indicators", "total")}


def forms_of(text: str) -> list[ParsedForm]:
    forms = parse_document(text_export_content(text))
    assert all(isinstance(f, ParsedForm) for f in forms)
    return forms  # type: ignore[return-value]


def at(grid: Grid, row: int, col: int) -> Cell:
    found = grid.dense()[row][col]
    assert found is not None, (row, col)
    return found


def row_texts(row: list[Field | None]) -> list[str | None]:
    return [None if cell is None else cell.text for cell in row]


def fields(line: str) -> list[Field | None]:
    return [Field(text, [f"field {i + 1}"]) for i, text in enumerate(line.split("\t"))]


# --- the seed -----------------------------------------------------------------------------


def test_seed_file_gives_exactly_the_three_expected_forms():
    forms = forms_of(seed_text())
    assert len(forms) == 3
    for form, name in zip(forms, ("form1.json", "form2.json", "form3.json")):
        assert content_of(form) == expected(name), name
        assert form.pages == [1] and not form.problems


def test_level1_label_on_a_middle_row_spans_its_whole_block():
    """产出(50分) is written on the second of the four 产出 rows (数量 row first, label on 质量)."""
    forms = forms_of(seed_text())
    assert [i.level1 for i in forms[0].indicators[:4]] == ["产出"] * 4
    where = forms[0].provenance["/indicators/0/level1"]
    assert where.text == "产出(50分)" and where.ref == "line 18, field 2"
    assert where.bbox[3] - where.bbox[1] == 4 * 10 + 10  # four rows, one blank line inside the block


def test_rows_shifted_left_are_put_back_under_their_headers():
    forms = forms_of(seed_text())
    lasting = forms[1].indicators[7]  # "可持续影响\t\t辖区住房租赁市场的发展…", two fields to the left
    assert (lasting.level1, lasting.level2, lasting.name, lasting.target, lasting.weight, lasting.score) == ("效益", "可持续影响", "辖区住房租赁市场的发展", "健康良性发展", 15.0, 15.0)
    satisfied = forms[2].indicators[8]  # "满意度\t服务对象满意度\t员工满意度…", one field to the left
    assert (satisfied.level1, satisfied.level2, satisfied.name, satisfied.actual, satisfied.score) == ("满意度", "服务对象满意度", "员工满意度", "92%", 10.0)
    assert forms[2].provenance["/indicators/8/name"].ref == "line 84, field 3"  # where it is in the file


def test_level1_label_wrapped_over_two_rows_is_joined():
    forms = forms_of(seed_text())
    other = forms[2].indicators[9]  # the "(10分)" row
    assert (other.level1, other.level1_weight, other.level2) == ("满意度", 10.0, "其他满意度")
    assert forms[2].provenance["/indicators/9/level1"].ref == "line 84, field 1; line 86, field 2"


def test_empty_level2_under_a_filled_one_continues_it():
    forms = forms_of(seed_text())
    assert [i.level2 for i in forms[1].indicators[-2:]] == ["其他满意度", "其他满意度"]


def test_total_row_wider_than_the_table_loses_an_empty_field():
    forms = forms_of(seed_text())
    assert [(f.total.weight, f.total.score) for f in forms] == [(100, 98), (100, 100), (100, 100)]


def test_titles_are_text_lines_and_html_stays_in_the_cell():
    content = text_export_content(seed_text())
    [page] = content.pages
    assert [line.text for line in page.lines] == [
        "网格管理事务项目支出绩效自评表",
        "住房租赁市场发展专项（中央直达）项目支出绩效自评表",
        "培训经费（网格）项目支出绩效自评表",
    ]
    assert page.method == "text_export" and content.page_count == 1
    assert len(page.grids) == 3
    goals = at(page.grids[0], 10, 1)
    assert goals.text.startswith("<p>1.通过法律法规") and goals.ref == "line 15, field 2"


def test_one_field_line_inside_a_table_is_a_caption_across_it():
    content = text_export_content(seed_text())
    grid = content.pages[0].grids[1]  # form 2 writes 资金使用情况 alone on its line
    caption = at(grid, 2, 0)
    assert (caption.text, caption.col_span) == ("资金使用情况", grid.n_cols)


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("gb18030"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # Excel's "Unicode text": UTF-16 with a BOM
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["gb18030", "utf-8-bom", "utf-16", "crlf"],
)
def test_encodings_give_the_same_forms(tmp_path, encode):
    (tmp_path / "export.txt").write_bytes(encode(seed_text()))
    described = describe(tmp_path / "export.txt", tmp_path)
    assert described.kind == "text_export"
    [result] = run(tmp_path).files
    assert result.status == "ok" and result.method == "text_export"
    assert [f.project.code for f in result.forms] == ["440307220441500300039", "440307220441547600507", "440307220441502105005"]
    assert result.forms[2].indicators[8].name == "员工满意度"


def test_decode_refuses_bytes_that_are_no_text():
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"\x81\x30\x81")  # broken in UTF-8 and GB18030 alike


# --- sniffing -----------------------------------------------------------------------------


def test_seed_head_is_a_text_export_and_plain_text_is_not():
    head = SEED.read_bytes()[:8192]
    assert sniff(head, SEED.stat().st_size) == ("text_export", "tab-separated text export of a form")
    notes = "填报说明：请报送项目支出绩效自评表。\n没有表格。\n".encode("utf-8")
    assert not looks_like_text_export(notes)  # names the form, but no tab-separated rows
    listing = "姓名\t电话\n张三\t123\n李四\t456\n".encode("gb18030")
    assert not looks_like_text_export(listing)  # a table, but not a form
    headers = "一级指标\t二级指标\t三级指标\n产出\t数量\t场次\n".encode("utf-8")
    assert looks_like_text_export(headers)


def test_head_cut_inside_a_character_still_sniffs():
    head = SEED.read_bytes()[:8192]
    for cut in range(1, 4):
        assert looks_like_text_export(head[: 4000 - cut])


def test_non_form_text_file_is_still_skipped(tmp_path):
    (tmp_path / "readme.txt").write_text("说明\t这是一份普通的说明\n第二行\t没有表单\n", encoding="utf-8")
    [result] = run(tmp_path).files
    assert result.status == "skipped" and result.message.startswith("plain text")


# --- realignment on small rows ------------------------------------------------------------


def test_aligned_row_is_left_as_it_is():
    row = fields("\t产出(50分)\t数量\t场次\t15\t12\t12\t10\t")
    assert realign_row(row, COLUMNS) is row


def test_shift_by_two_drops_the_surplus_empty_field_before_the_texts():
    row = fields("可持续影响\t\t辖区住房租赁市场的发展\t健康良性发展\t健康良性发展\t15\t15\t\t")
    assert row_texts(realign_row(row, COLUMNS))[:8] == ["", "", "可持续影响", "辖区住房租赁市场的发展", "健康良性发展", "健康良性发展", "15", "15"]


def test_numbers_in_the_texts_and_a_zero_in_the_deviation_column_do_not_mislead():
    row = fields("数量\t培训场次\t15\t12\t12\t10\t0")
    assert row_texts(realign_row(row, COLUMNS)) == ["", "", "数量", "培训场次", "15", "12", "12", "10", "0"]


def test_shift_without_scores_is_a_plain_shift():
    row = fields("满意度\t其他满意度\t\t\t无")
    assert row_texts(realign_row(row, COLUMNS)) == ["", "满意度", "其他满意度", "", "", "无"]


def test_a_known_name_in_the_name_column_is_not_moved():
    row = fields("\t满意度(10分)\t服务对象满意度指标\t服务对象满意度\t≥90%\t93%\t10\t10")
    assert realign_row(row, COLUMNS) is row


def test_squeeze_drops_trailing_then_inner_empty_fields():
    assert row_texts(squeeze(fields("\t总分\t\t\t\t\t\t100\t98\t—"), 9)) == ["", "总分", "", "", "", "", "100", "98", "—"]
    assert row_texts(squeeze(fields("a\tb\t\t"), 2)) == ["a", "b"]
    assert row_texts(squeeze(fields("a\tb\tc"), 2)) == ["a", "b", "c"]  # nothing empty to drop


def test_blocks_follow_the_level2_vocabulary_national_names_included():
    text = "\n".join(
        [
            "项目支出绩效自评表",
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
            "\t\t数量指标\t完成培训人次\t≥500人次\t523人次\t20\t20\t",
            "\t产出指标(50分)\t质量指标\t培训合格率\t≥95%\t96.2%\t30\t30\t",
            "\t\t社会效益指标\t技能提升\t明显提升\t有所提升\t20\t17\t",
            "\t效益指标(30分)\t可持续影响指标\t长效机制\t建立\t已建立\t10\t10\t",
            "服务对象满意度指标\t参训学员满意度\t≥90%\t93%\t10\t10\t\t\t",
            "\t满意度指标(10分)\t\t\t\t\t\t\t",
            "总分\t\t\t\t\t\t100\t97\t",
        ]
    )
    [form] = forms_of(text)
    assert [(i.level1, i.level1_weight, i.level2) for i in form.indicators] == [
        ("产出指标", 50.0, "数量指标"),
        ("产出指标", 50.0, "质量指标"),
        ("效益指标", 30.0, "社会效益指标"),
        ("效益指标", 30.0, "可持续影响指标"),
        ("满意度指标", 10.0, "服务对象满意度指标"),
    ]
    assert form.indicators[4].name == "参训学员满意度" and form.indicators[4].score == 10
    assert (form.total.weight, form.total.score) == (100, 97)


def test_blank_lines_count_in_refs_but_leave_no_rows():
    content = text_export_content("\n\n培训经费项目支出绩效自评表\n\n\t\t\n项目编码：\t4403\n")
    [page] = content.pages
    [grid] = page.grids
    assert grid.n_rows == 1
    assert at(grid, 0, 1).ref == "line 6, field 2"
    assert at(grid, 0, 1).bbox == (100.0, 50.0, 200.0, 60.0)
    assert page.lines[0].bbox[1:4:2] == (20.0, 30.0)


def test_loose_line_before_the_table_stays_a_text_line():
    [form] = forms_of("项目支出绩效自评表\n（2022年度）\n金额单位：万元\n项目名称\t培训\n" + HEADER + "\n总分\t\t\t\t\t\t100\t100\n")
    assert form.project.year == "2022" and form.funding.unit == "万元" and form.project.name == "培训"


def test_the_committed_sample_is_the_seed_file():
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / SEED.name
    if not seed.exists():
        pytest.skip("../shared/seed is not beside the repository")
    assert SEED.read_bytes() == seed.read_bytes()


def test_damaged_utf8_byte_does_not_turn_the_file_into_gb18030_nonsense(tmp_path):
    data = bytearray(SEED.read_bytes())
    at_goal = data.find("大力宣传".encode("utf-8"))
    data[at_goal] = 0xFF  # one damaged byte inside a goal
    (tmp_path / "export.txt").write_bytes(bytes(data))
    assert describe(tmp_path / "export.txt", tmp_path).kind == "text_export"
    [result] = run(tmp_path).files
    assert len(result.forms) == 3
    assert result.forms[0].project.name == "网格管理事务"
    assert "\ufffd" in result.forms[0].goals.expected[0]  # the damage shows where it is


def test_level2_merge_continues_past_a_level1_label_of_its_own_family():
    text = "\n".join(
        [
            "项目支出绩效自评表",
            HEADER,
            "\t\t数量\t场次A\t1场\t1场\t10\t10\t",
            "\t产出(20分)\t\t场次B\t1场\t1场\t10\t10\t",
            "\t效益(10分)\t社会效益\t效果\t好\t好\t10\t10\t",
            "\t\t\t效果二\t好\t好\t0\t0\t",
            "总分\t\t\t\t\t\t30\t30\t",
        ]
    )
    [form] = forms_of(text)
    assert [(i.level1, i.level2, i.name) for i in form.indicators] == [
        ("产出", "数量", "场次A"),
        ("产出", "数量", "场次B"),
        ("效益", "社会效益", "效果"),
        ("效益", "社会效益", "效果二"),
    ]
