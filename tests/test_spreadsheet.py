"""Spreadsheets (pipeline.readers.spreadsheet, pipeline.readers.numformat) on real workbooks written by openpyxl and xlwt."""

from __future__ import annotations

import json
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from conftest import DUMP, EXPECTED, REPO
from pipeline.readers.ingest import describe, sniff
from pipeline.model.intermediate import Cell, Grid
from pipeline.readers.numformat import display_value, format_number, general
from pipeline.parse.form import ParsedForm, parse_document
from pipeline.run.batch import run
from pipeline.run.unit import process_file
from pipeline.readers.spreadsheet import cell_ref, chars_to_points, read_xls, read_xlsx

sys.path.insert(0, str(REPO / "scripts"))
from sample_files import specs  # noqa: E402  (the sample forms, typed once)
from sample_files.sheets import AMOUNT, PERCENT, SMALL_INTEGER, write_xlsx  # noqa: E402

try:
    import xlwt  # writes real .xls files for these tests (test extra)
except ImportError:  # pragma: no cover
    xlwt = None
needs_xlwt = pytest.mark.skipif(xlwt is None, reason="xlwt is not installed (pip install -e '.[test]')")

WORKBOOK = DUMP / "spreadsheet" / "吉华街道_项目支出绩效自评表_2022.xlsx"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")


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
    return {key: seed[key] for key in CONTENT_KEYS}


def only_grid(path: Path, page: int = 1) -> Grid:
    content = read_xlsx(path) if path.suffix == ".xlsx" else read_xls(path)
    [grid] = content.pages[page - 1].grids
    return grid


def at(grid: Grid, row: int, col: int) -> Cell:
    found = grid.dense()[row][col]
    assert found is not None, (row, col)
    return found


# --- number formats -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, number_format, shown",
    [
        (820000, "0.00", "820000.00"),
        (0, "0.00", "0.00"),
        (1.0, "0%", "100%"),
        (0.8625, "0.00%", "86.25%"),
        (1234567.5, "#,##0.00", "1,234,567.50"),
        (0.125, "0.00", "0.13"),  # half away from zero, as Excel rounds
        (2.675, "0.00", "2.68"),  # on the printed decimal, not the binary float
        (-2.5, "0.0", "-2.5"),
        (-3, "0.00;(0.00)", "(3.00)"),
        (5, "0.##", "5."),
        (0.5, "#.00", ".50"),
        (3, "00", "03"),
        (1234567, "#,##0,", "1,235"),
        (820000, "0.00E+00", "8.20E+05"),
        (820000, '0.00"元"', "820000.00元"),
        (1234, "[$¥-804]#,##0.00", "¥1,234.00"),
        (10, "0.0_);[Red](0.0)", "10.0"),
        (-10, "0.0_);[Red](0.0)", "(10.0)"),
        # the accounting format of Chinese budget sheets: zero is shown as a dash
        (0, '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-"),
        (1234, '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "1,234.00"),
        (12.5, "General", "12.5"),
        (0.1 + 0.2, "General", "0.3"),
        (2022, "General", "2022"),
        (7, "@", "7"),
        (44926, 'yyyy"年"m"月"d"日"', "2022-12-31"),
        (5, "[>100]0;0.0", "5"),  # conditions are not rendered: General, never a lost value
    ],
)
def test_numbers_are_shown_as_the_sheet_shows_them(value, number_format, shown):
    assert format_number(value, number_format) == shown


def test_general_keeps_integers_whole_and_marks_lost_digits():
    assert general(440307220441500) == "440307220441500"
    assert general(4.403072204415003e20) == "4.403072204415E+20"  # a code typed as a number: digits already lost


def test_display_value_of_other_types():
    import datetime

    assert display_value(None) == ""
    assert display_value(True) == "TRUE"
    assert display_value("  项目编码: ") == "  项目编码: "  # strings as they are
    assert display_value(datetime.datetime(2022, 12, 31)) == "2022-12-31"
    assert display_value(datetime.datetime(2022, 12, 31, 9, 30)) == "2022-12-31 09:30:00"


# --- .xlsx --------------------------------------------------------------------------------


@pytest.fixture()
def small_xlsx(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["B2"] = "项目资金(元)"
    sheet.merge_cells("B2:B5")
    sheet["C2"] = "年度资金总额"
    sheet["D2"] = 820000
    sheet["D2"].number_format = "0.00"
    sheet["E2"] = 1.0
    sheet["E2"].number_format = "0%"
    sheet["F2"] = 10
    sheet["C3"] = "其中:当年财政拨款"
    sheet["D3"] = "—"
    sheet["C6"] = "预期目标"
    sheet.merge_cells("C6:F6")
    sheet["B7"] = "0012"  # a code typed as text keeps its zeros
    sheet.column_dimensions["B"].width = 20
    sheet.row_dimensions[2].height = 30
    other = book.create_sheet("My sheet")
    other["A1"] = "x"
    book.create_sheet("empty")
    chart = book.create_chartsheet("chart")
    bars = BarChart()
    bars.add_data(Reference(sheet, min_col=6, min_row=2, max_row=2))
    chart.add_chart(bars)
    path = tmp_path / "small.xlsx"
    book.save(path)
    return path


def test_merged_range_is_one_cell_with_spans_and_its_top_left_text(small_xlsx):
    grid = only_grid(small_xlsx)
    assert (grid.n_rows, grid.n_cols) == (6, 5)  # B2:F7, the content's extent
    unit = at(grid, 0, 0)
    assert (unit.row, unit.col, unit.row_span, unit.col_span, unit.text) == (0, 0, 4, 1, "项目资金(元)")
    assert at(grid, 3, 0) is unit
    assert unit.ref == "Sheet1!B2:B5"
    goal = at(grid, 4, 1)
    assert (goal.col_span, goal.text, goal.ref) == (4, "预期目标", "Sheet1!C6:F6")
    assert sum(1 for c in grid.cells if c is unit) == 1


def test_cells_show_their_number_format(small_xlsx):
    grid = only_grid(small_xlsx)
    assert at(grid, 0, 2).text == "820000.00"
    assert at(grid, 0, 3).text == "100%"
    assert at(grid, 0, 4).text == "10"
    assert at(grid, 1, 2).text == "—"
    assert at(grid, 5, 0).text == "0012"
    assert at(grid, 0, 2).ref == "Sheet1!D2"


def test_bboxes_are_points_from_column_widths_and_row_heights(small_xlsx):
    grid = only_grid(small_xlsx)
    default = chars_to_points(8.43)
    assert default == 48.0  # 64 pixels, Excel's default column
    x0, top, x1, bottom = at(grid, 0, 0).bbox
    assert (x0, x1) == (default, default + chars_to_points(20))  # column A before it, B 20 characters wide
    assert (top, bottom) == (15.0, 15.0 + 30 + 15 * 3)  # row 1 at 15 pt, row 2 at 30, rows 3-5 default


def test_each_sheet_is_a_page_and_names_are_quoted_as_excel_does(small_xlsx):
    content = read_xlsx(small_xlsx)
    assert content.page_count == 4 and [p.page for p in content.pages] == [1, 2, 3, 4]
    assert content.pages[1].grids[0].cells[0].ref == "'My sheet'!A1"
    assert content.pages[2].grids == [] and content.pages[3].grids == []  # an empty sheet, a chart sheet
    assert all(p.method == "spreadsheet" for p in content.pages)
    assert cell_ref("自评表", 6, 2) == "自评表!C7"


def test_sample_workbook_holds_the_three_seed_forms_two_stacked_on_one_sheet():
    content = read_xlsx(WORKBOOK)
    forms = parse_document(content)
    assert [f.pages for f in forms] == [[1], [1], [2]]
    for form, name in zip(forms, ("form1.json", "form2.json", "form3.json")):
        assert isinstance(form, ParsedForm)
        assert content_of(form) == expected(name), name
        assert not form.problems
    first = forms[0]
    assert first.provenance["/funding/lines/0/initial_budget"].text == "820000.00"
    assert first.provenance["/indicators/0/level1"].ref == "2022年自评表!B14:B17"
    assert first.provenance["/indicators/8/actual"].text == "95%"  # stored as 0.95 with 0%


def test_sample_workbook_is_sniffed_as_xlsx_although_xl_comes_late():
    described = describe(WORKBOOK, DUMP)
    assert (described.kind, described.detail) == ("xlsx", "Excel workbook (.xlsx)")


def test_zip_members_decide_when_the_first_bytes_do_not(tmp_path):
    padding = bytes(range(256)) * 64  # 16 KiB stored first, so no member name is in the sniffed head
    with zipfile.ZipFile(tmp_path / "late.xlsx", "w") as archive:
        archive.writestr(zipfile.ZipInfo("docProps/thumbnail.bin"), padding)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("docProps/thumbnail.bin"), padding)
        archive.writestr("[Content_Types].xml", "xl")
    head = (tmp_path / "late.xlsx").read_bytes()[:8192]
    assert sniff(head, 20000)[0] == "zip"
    assert describe(tmp_path / "late.xlsx", tmp_path).kind == "xlsx"
    assert describe(tmp_path / "plain.zip", tmp_path).kind == "zip"


def test_workbook_without_a_form_is_skipped_and_a_damaged_one_failed(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"], book.active["B1"] = "填报说明", "请在第二个工作表填写项目名称与金额"
    book.save(tmp_path / "说明.xlsx")
    (tmp_path / "cut.xlsx").write_bytes(WORKBOOK.read_bytes()[:3000])
    rows = {f.file: f for f in run(tmp_path).files}
    assert rows["说明.xlsx"].status == "skipped" and "no 项目支出绩效自评表" in rows["说明.xlsx"].message
    assert rows["说明.xlsx"].method == "spreadsheet"
    assert rows["cut.xlsx"].status == "failed" and rows["cut.xlsx"].message.startswith("damaged .xlsx workbook")


# --- .xls ---------------------------------------------------------------------------------


def write_xls(path: Path, sheets: list[tuple[str, list[specs.FormSpec]]]) -> None:
    """The sample forms typed into a legacy workbook: amounts as numbers with 0.00, merges as printed."""
    book = xlwt.Workbook(encoding="utf-8")
    amount, percent = xlwt.easyxf(num_format_str="0.00"), xlwt.easyxf(num_format_str="0%")
    for name, forms in sheets:
        sheet = book.add_sheet(name)
        top = 0
        for form in forms:
            sheet.write_merge(top, top, 0, 8, form.title)
            for r, row in enumerate(form.rows, start=top + 1):
                for spec in row:
                    text = spec.text
                    if AMOUNT.fullmatch(text):
                        args: tuple = (float(text), amount)
                    elif SMALL_INTEGER.fullmatch(text):
                        args = (int(text),)
                    elif PERCENT.fullmatch(text):
                        args = (int(text[:-1]) / 100, percent)
                    else:
                        args = (text,)
                    if spec.row_span > 1 or spec.col_span > 1:
                        sheet.write_merge(r, r + spec.row_span - 1, spec.col, spec.col + spec.col_span - 1, *args)
                    else:
                        sheet.write(r, spec.col, *args)
            top += len(form.rows) + 3
    book.save(str(path))


@needs_xlwt
def test_xls_forms_read_like_the_pdf_ones(tmp_path):
    path = tmp_path / "forms.xls"
    write_xls(path, [("第一页", [specs.form1(), specs.form2()]), ("第二页", [specs.form3()])])
    content = read_xls(path)
    assert content.page_count == 2
    forms = parse_document(content)
    assert [f.pages for f in forms] == [[1], [1], [2]]
    for form, name in zip(forms, ("form1.json", "form2.json", "form3.json")):
        assert content_of(form) == expected(name), name
    level1 = forms[0].provenance["/indicators/0/level1"]
    assert (level1.text, level1.ref) == ("产出(50分)", "第一页!B14:B17")
    assert forms[0].provenance["/funding/lines/0/executed"].text == "820000.00"


@needs_xlwt
def test_xls_is_routed_and_a_damaged_word_document_named_doc_says_what_it_is(tmp_path):
    write_xls(tmp_path / "form.xls", [("Sheet1", [specs.form3()])])
    # a Word .doc is OLE2 too: the same container with a WordDocument stream instead of a Workbook
    data = bytearray((tmp_path / "form.xls").read_bytes())
    name = "Workbook".encode("utf-16-le") + b"\x00\x00"
    at_name = data.find(name)
    word = "WordDocument".encode("utf-16-le") + b"\x00\x00"
    data[at_name : at_name + 64] = word.ljust(64, b"\x00")
    data[at_name + 64 : at_name + 66] = len(word).to_bytes(2, "little")
    (tmp_path / "letter.doc").write_bytes(bytes(data))
    rows = {f.file: f for f in run(tmp_path).files}
    assert rows["form.xls"].status == "ok" and rows["form.xls"].method == "spreadsheet" and len(rows["form.xls"].forms) == 1
    # a Word document goes to LibreOffice (tests/test_convert.py); this one's stream is a workbook, not Word
    assert rows["letter.doc"].status == "failed" and rows["letter.doc"].message.startswith("Word 97-2003 document (.doc): LibreOffice")


@needs_xlwt
def test_damaged_xls_fails_with_a_message(tmp_path):
    write_xls(tmp_path / "form.xls", [("Sheet1", [specs.form3()])])
    cut = tmp_path / "cut.xls"
    cut.write_bytes((tmp_path / "form.xls").read_bytes()[:2000])
    result = process_file(describe(cut, tmp_path))
    assert result.status == "failed"
    assert "OLE2" in result.message or ".xls" in result.message
    assert "internal error" not in result.message


def test_formulas_never_calculated_are_not_empty_cells_but_unread_values(tmp_path):
    """A workbook written by pandas or openpyxl keeps formulas without values: 总分 =SUM(…) must not
    come out as a form with no total and no complaint."""
    path = tmp_path / "dump" / "form.xlsx"
    write_xlsx(path, [("Sheet1", [(specs.form3(), False)])])
    book = openpyxl.load_workbook(path)
    sheet = book["Sheet1"]
    [total] = [cell for row in sheet.iter_rows() for cell in row if cell.value == "总分"]
    numbers = [cell for cell in sheet[total.row] if isinstance(cell.value, int | float)]
    assert numbers
    for cell in numbers:
        cell.value = f"=SUM({cell.column_letter}1:{cell.column_letter}{total.row - 1})"
    book.save(path)
    result = process_file(describe(path, path.parent))
    [form] = result.forms
    assert form.status == "needs_review"
    checks = {c.rule: c for c in form.checks}
    assert checks["values_readable"].status == "fail" and "=SUM(" in checks["values_readable"].message
