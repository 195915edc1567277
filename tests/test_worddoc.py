"""Word documents (pipeline.readers.worddoc, pipeline.readers.flow) on real .docx files written with python-docx."""

from __future__ import annotations

import json
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK

from conftest import DUMP, EXPECTED, REPO, at
from pipeline.run.batch import run
from pipeline.readers.ingest import describe
from pipeline.parse.form import ParsedForm, parse_document
from pipeline.run.unit import process_file
from pipeline.readers.worddoc import read_docx

sys.path.insert(0, str(REPO / "scripts"))
from sample_files import specs  # noqa: E402  (the sample forms, typed once)

SAMPLE = DUMP / "word" / "吉华街道_项目支出绩效自评表_2022.docx"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")


def content_of(form: ParsedForm) -> dict:
    return {
        key: (asdict(value) if hasattr(value, "__dataclass_fields__") else [asdict(i) for i in value] if isinstance(value, list) else value)
        for key, value in ((k, getattr(form, k)) for k in CONTENT_KEYS)
    }


def expected(name: str) -> dict:
    seed = json.loads((EXPECTED / "seed" / name).read_text(encoding="utf-8"))
    return {key: seed[key] for key in CONTENT_KEYS}


def test_sample_docx_gives_the_seed_forms_with_cell_refs():
    content = read_docx(SAMPLE)
    assert [p.page for p in content.pages] == [1, 2]  # the page break between the two forms
    forms = parse_document(content)
    assert [f.pages for f in forms] == [[1], [2]]
    assert content_of(forms[0]) == expected("form1.json")
    assert content_of(forms[1]) == expected("form3.json")
    level1 = forms[0].provenance["/indicators/0/level1"]
    assert (level1.text, level1.ref) == ("产出(50分)", "table 1, rows 13-16, cell 2")  # vMerge: cell 1 is 年度绩效指标 continued
    assert forms[0].provenance["/project/code"].ref == "table 1, row 1, cell 2"
    assert forms[1].provenance["/total/score"].ref.startswith("table 2, row ")
    # the paragraph after the last table is a loose line of page 2, under its table
    [after] = [line for line in content.pages[1].lines if line.text.startswith("填报人")]
    assert after.bbox[1] >= content.pages[1].grids[0].bbox[3]


def test_merges_grid_before_and_column_widths(tmp_path):
    document = docx.Document()
    document.add_paragraph("2022年度项目支出绩效自评表")
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "资金使用情况"  # gridSpan 4
    table.cell(1, 0).merge(table.cell(3, 0)).text = "产出(50分)"  # vMerge over three rows
    table.cell(1, 1).merge(table.cell(2, 2)).text = "两行两列"  # both at once
    table.cell(3, 3).text = "10"
    table.cell(1, 3).text = "甲\n乙"  # a line break inside a cell
    for col, width in enumerate((2000, 1000, 1000, 3000)):  # twips
        table.columns[col].width = width * 635  # EMU per twip
    path = tmp_path / "merges.docx"
    document.save(path)
    content = read_docx(path)
    [page] = content.pages
    [grid] = page.grids
    assert (grid.n_rows, grid.n_cols) == (4, 4)
    assert (at(grid, 0, 2).text, at(grid, 0, 2).col_span) == ("资金使用情况", 4)
    level1 = at(grid, 3, 0)
    assert (level1.text, level1.row, level1.row_span, level1.ref) == ("产出(50分)", 1, 3, "table 1, rows 2-4, cell 1")
    block = at(grid, 2, 2)
    assert (block.text, block.row_span, block.col_span) == ("两行两列", 2, 2)
    assert at(grid, 1, 3).text == "甲\n乙"
    assert at(grid, 3, 3).ref == "table 1, row 4, cell 4"  # Word counts the row's w:tc, the continued 产出 one included
    # x ranges from w:tblGrid (twips / 20 = points); a row's height grows with its lines
    assert [at(grid, 3, c).bbox[0] for c in range(4)] == pytest.approx([0.0, 100.0, 150.0, 200.0])
    assert at(grid, 3, 3).bbox[2] == pytest.approx(350.0)
    assert at(grid, 1, 3).bbox[3] - at(grid, 1, 3).bbox[1] == pytest.approx(2 * (at(grid, 3, 3).bbox[3] - at(grid, 3, 3).bbox[1]))
    assert [line.text for line in page.lines] == ["2022年度项目支出绩效自评表"]


def _docx_xml(tmp_path: Path, body_xml: str) -> Path:
    """A .docx whose body is the given WordprocessingML (python-docx's template around it)."""
    path = tmp_path / "raw.docx"
    docx.Document().save(path)
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {namespaces}><w:body>{body_xml}</w:body></w:document>'
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["word/document.xml"] = document.encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def p(text: str, extra: str = "") -> str:
    return f'<w:p><w:r>{extra}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tc(text: str, properties: str = "") -> str:
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def test_layout_frame_text_boxes_tracked_changes_and_page_breaks(tmp_path):
    inner = f'<w:tbl><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid><w:tr>{tc("一级指标")}{tc("得分")}</w:tr><w:tr>{tc("产出")}{tc("50")}</w:tr></w:tbl>'
    box = (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        f"{p('附件1')}</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>"
        f"{p('附件1')}</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    body = (
        f"<w:p>{box}<w:r><w:t>项目支出绩效自评表</w:t></w:r><w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>（2022年度）</w:t></w:r></w:ins></w:p>"
        # a one-cell layout table around the form table, with a caption paragraph inside
        f"<w:tbl><w:tr><w:tc>{p('金额单位：万元')}{inner}<w:p/></w:tc></w:tr></w:tbl>"
        f'<w:p><w:r><w:br w:type="page"/></w:r></w:p>{p("第二页的说明")}'
        "<w:sdt><w:sdtContent>" + p("内容控件里的文字") + "</w:sdtContent></w:sdt>"
    )
    content = read_docx(_docx_xml(tmp_path, body))
    assert [pg.page for pg in content.pages] == [1, 2]
    first, second = content.pages
    assert [line.text for line in first.lines] == ["项目支出绩效自评表（2022年度）", "附件1", "金额单位：万元"]  # the text box once, deleted text gone
    [grid] = first.grids  # the inner table is the grid; the frame is unwrapped
    assert [c.text for c in grid.cells] == ["一级指标", "得分", "产出", "50"]
    assert grid.cells[0].ref == "table 2, row 1, cell 1"  # tables counted in document order, the frame first
    assert [line.text for line in second.lines] == ["第二页的说明", "内容控件里的文字"]
    assert not content.page_errors


def test_embedded_objects_and_picture_only_documents_are_named(tmp_path):
    obj = '<w:p><w:r><w:object><v:shape xmlns:v="urn:schemas-microsoft-com:vml"/></w:object></w:r></w:p>'
    content = read_docx(_docx_xml(tmp_path, p("项目支出绩效自评表") + obj))
    assert "1 embedded object(s)" in content.page_errors[1]
    picture = '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"></wp:inline></w:drawing></w:r></w:p>'
    (tmp_path / "dump").mkdir()
    _docx_xml(tmp_path, p("项目支出绩效自评表") + picture).rename(tmp_path / "dump" / "pasted.docx")
    [row] = run(tmp_path / "dump").files
    # the title alone makes a form with nothing in it: never ok, and the note says why
    assert row.status == "needs_review" and "1 picture(s) not read" in row.message and "needs OCR" in row.message


def test_docx_is_sniffed_by_content_and_damage_is_a_message(tmp_path):
    data = SAMPLE.read_bytes()
    (tmp_path / "renamed.zip").write_bytes(data)
    source = describe(tmp_path / "renamed.zip", tmp_path)
    assert (source.kind, source.detail) == ("docx", "Word document (.docx)")
    result = process_file(source)
    assert result.status == "ok" and result.method == "word" and len(result.forms) == 2
    (tmp_path / "cut.docx").write_bytes(data[: len(data) // 2])
    cut = process_file(describe(tmp_path / "cut.docx", tmp_path))
    assert cut.status in ("failed", "skipped") and "internal error" not in cut.message


def test_word_table_split_in_two_tables_and_a_year_line(tmp_path):
    """Offices often type the header block and the indicator block as two tables, with the year
    and unit as paragraphs: the form still reads as one."""
    form = specs.form3()
    document = docx.Document()
    document.add_paragraph(form.title)
    document.add_paragraph("（2022年度）")
    split = form.header_row
    for part in (form.rows[:split], form.rows[split:]):
        table = document.add_table(rows=len(part), cols=9)
        for r, row in enumerate(part):
            for spec in row:
                cell = table.cell(r, spec.col)
                if spec.row_span > 1 or spec.col_span > 1:
                    cell = cell.merge(table.cell(r + spec.row_span - 1, spec.col + spec.col_span - 1))
                cell.text = spec.text
        document.add_paragraph("")
    document.paragraphs[-1].add_run().add_break(WD_BREAK.LINE)
    path = tmp_path / "two_tables.docx"
    document.save(path)
    [form_read] = parse_document(read_docx(path))
    assert content_of(form_read) == expected("form3.json")


def test_a_small_table_inside_a_form_cell_is_that_cell_s_text(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for r in range(2):
        for c in range(3):
            table.cell(r, c).text = f"格{r}{c}"
    inner = table.cell(1, 2).add_table(rows=2, cols=2)
    for r, row in enumerate((("其中", "财政拨款"), ("", "自筹"))):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    path = tmp_path / "nested.docx"
    document.save(path)
    [grid] = read_docx(path).pages[0].grids  # the outer table stays the grid
    assert (grid.n_rows, grid.n_cols) == (2, 3)
    assert at(grid, 1, 2).text == "格12\n其中 财政拨款\n自筹"


def test_a_macro_enabled_document_is_read_too(tmp_path):
    """python-docx refuses a .docm by its content type; the body is read at word/document.xml."""
    with zipfile.ZipFile(SAMPLE) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", b"application/vnd.ms-word.document.macroEnabled.main+xml"
    )
    path = tmp_path / "宏.docm"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    with pytest.raises(ValueError):
        docx.Document(str(path))
    assert [f.total.score for f in parse_document(read_docx(path))] == [98.0, 100.0]


def test_check_boxes_typed_as_wingdings_symbols_are_read(tmp_path):
    sym = '<w:r><w:sym w:font="{}" w:char="{}"/></w:r>'
    body = "<w:p>" + sym.format("Wingdings", "F0FE") + "<w:r><w:t>是 </w:t></w:r>" + sym.format("Wingdings 2", "F0A3") + "<w:r><w:t>否</w:t></w:r>" + sym.format("Symbol", "F0B4") + "</w:p>"
    [page] = read_docx(_docx_xml(tmp_path, body)).pages
    assert [line.text for line in page.lines] == ["☑是 □否"]
