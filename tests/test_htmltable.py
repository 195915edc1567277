"""HTML tables (pipeline.readers.htmltable): web systems' "Excel" exports that are HTML, and the table model."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import DUMP, EXPECTED, at
from pipeline.readers.htmltable import looks_like_html, read_html
from pipeline.readers.ingest import describe, sniff
from pipeline.parse.form import parse_document
from pipeline.run.unit import process_file

SAMPLE = DUMP / "html_xls" / "培训经费_导出.xls"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")


def html_file(tmp_path: Path, body: str, name: str = "export.xls", encoding: str = "utf-8", head: str = "") -> Path:
    path = tmp_path / name
    path.write_bytes(f"<html><head>{head}</head><body>{body}</body></html>".encode(encoding))
    return path


def test_sample_export_named_xls_gives_the_seed_form():
    source = describe(SAMPLE, SAMPLE.parent)
    assert (source.kind, source.detail) == ("html", "HTML page (a web system's table export)")
    assert "charset=gb2312" in SAMPLE.read_bytes()[:300].decode("ascii", "ignore")
    [form] = parse_document(read_html(SAMPLE))
    seed = json.loads((EXPECTED / "seed" / "form3.json").read_text(encoding="utf-8"))
    assert {k: (asdict(v) if hasattr(v, "__dataclass_fields__") else [asdict(i) for i in v] if isinstance(v, list) else v) for k, v in ((k, getattr(form, k)) for k in CONTENT_KEYS)} == {
        k: seed[k] for k in CONTENT_KEYS
    }
    level1 = form.provenance["/indicators/0/level1"]
    assert (level1.text, level1.ref) == ("产出 (50分)", "table 1, rows 14-17, cell 1")  # row 1 is the title row
    assert process_file(source).method == "html"


def test_rowspan_and_colspan_follow_the_html_table_model(tmp_path):
    body = "<table><tr><th rowspan=3>一级指标</th><td colspan=2>A</td><td rowspan=9>cut at the last row</td></tr><tr><td>B</td><td>C</td></tr><tr><td colspan=2>D<br>E</td></tr></table>"
    [page] = read_html(html_file(tmp_path, body)).pages
    [grid] = page.grids
    assert (grid.n_rows, grid.n_cols) == (3, 4)
    assert (at(grid, 2, 0).text, at(grid, 2, 0).row_span) == ("一级指标", 3)
    assert (at(grid, 1, 1).text, at(grid, 1, 2).text) == ("B", "C")  # the row's first slot is covered from above
    assert at(grid, 2, 2).text == "D\nE"
    tall = at(grid, 2, 3)
    assert (tall.row_span, tall.ref) == (3, "table 1, rows 1-3, cell 3")
    assert at(grid, 1, 1).ref == "table 1, row 2, cell 1"


def test_text_outside_tables_layout_frames_encodings_and_whitespace(tmp_path):
    body = (
        "<h2>网格管理事务项目支出绩效自评表</h2><p>金额单位：&nbsp;元</p>"
        "<table><tr><td><div>（2022年度）</div>"
        "<table><tr><td> 一级\n  指标 </td><td>&nbsp;</td></tr></table>"
        "</td></tr></table><script>var x = '<table>';</script><p>填报人：李明</p>"
    )
    path = html_file(tmp_path, body, encoding="gb18030", head='<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    [page] = read_html(path).pages
    assert [line.text for line in page.lines] == ["网格管理事务项目支出绩效自评表", "金额单位： 元", "（2022年度）", "填报人：李明"]
    [grid] = page.grids  # the frame is unwrapped: the inner table is the grid
    assert [c.text for c in grid.cells] == ["一级 指标", ""]
    assert grid.cells[0].ref == "table 2, row 1, cell 1"
    lines_top = [line.bbox[1] for line in page.lines]
    assert lines_top[2] < grid.bbox[1] < lines_top[3]  # document order is reading order


def test_utf16_and_bom_pages_are_decoded(tmp_path):
    path = tmp_path / "u16.xls"
    path.write_bytes("\ufeff<html><body><table><tr><td>项目名称</td><td>培训经费</td></tr></table></body></html>".encode("utf-16-le"))
    assert describe(path, tmp_path).kind == "html"
    [grid] = read_html(path).pages[0].grids
    assert [c.text for c in grid.cells] == ["项目名称", "培训经费"]


@pytest.mark.parametrize(
    "head, is_html",
    [
        (b"<html><body>", True),
        (b"\xef\xbb\xbf  <!DOCTYPE html>\n<html>", True),
        (b"<table border=1><tr><td>x</td></tr></table>", True),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Table>', False),
        ("项目名称\t培训经费\n".encode(), False),
        (b"%PDF-1.7 <html>", False),
    ],
)
def test_html_is_recognised_by_its_first_bytes(head, is_html):
    assert looks_like_html(head) is is_html
    if is_html:
        assert sniff(head, len(head))[0] == "html"


def test_a_page_without_a_table_is_skipped_with_a_reason(tmp_path):
    path = html_file(tmp_path, "<p>请于12月20日前报送项目支出绩效自评表。</p>", name="notice.html")
    result = process_file(describe(path, tmp_path))
    assert (result.status, result.message) == ("skipped", "HTML page without a table: not a form export")


def test_web_archive_named_doc_is_read_as_its_html_page(tmp_path):
    from email import encoders
    from email.mime.base import MIMEBase
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    archive = MIMEMultipart("related")
    page = MIMEBase("text", "html", charset="gb2312")  # declared gb2312, written in its superset, as systems do
    page.set_payload(SAMPLE.read_bytes())
    encoders.encode_base64(page)
    archive.attach(page)
    archive.attach(MIMEText("td {border: 1px solid}", "css", "utf-8"))
    path = tmp_path / "培训经费.doc"
    path.write_bytes(archive.as_bytes())
    source = describe(path, tmp_path)
    assert (source.kind, source.detail) == ("mht", "web archive (MHT, a saved web page)")
    result = process_file(source)
    assert (result.status, result.method, len(result.forms)) == ("ok", "html", 1), result.message
    assert result.forms[0].project.name == "培训经费"


def test_a_saved_web_form_shows_its_input_values(tmp_path):
    body = (
        '<table><tr><td>项目名称</td><td><input type="text" value="培训经费"></td>'
        "<td><select><option>万元</option><option selected>元</option></select></td>"
        "<td><textarea>提高业务能力</textarea></td></tr></table>"
    )
    [grid] = read_html(html_file(tmp_path, body)).pages[0].grids
    assert [c.text for c in grid.cells] == ["项目名称", "培训经费", "元", "提高业务能力"]


def test_a_small_table_inside_a_form_cell_is_that_cell_s_text(tmp_path):
    body = (
        "<table><tr><td>项目资金</td><td>年度资金总额</td><td>100</td></tr>"
        "<tr><td>其中</td><td><table><tr><td>财政拨款</td><td>80</td></tr><tr><td>自筹</td><td>20</td></tr></table></td><td>100</td></tr>"
        "</table><table><tr><td>后一个表</td></tr></table>"
    )
    grids = read_html(html_file(tmp_path, body)).pages[0].grids
    assert (grids[0].n_rows, grids[0].n_cols) == (2, 3)
    assert at(grids[0], 1, 1).text == "财政拨款 80\n自筹 20"
    assert grids[1].cells[0].ref == "table 3, row 1, cell 1"  # tables counted in document order, the inner one too


def test_a_caption_is_the_title_line_above_its_table(tmp_path):
    body = "<table><caption>培训经费（网格）项目支出绩效自评表</caption><tr><td>项目名称</td><td>培训经费</td></tr></table>"
    [page] = read_html(html_file(tmp_path, body)).pages
    assert [line.text for line in page.lines] == ["培训经费（网格）项目支出绩效自评表"]
    assert page.lines[0].bbox[3] <= page.grids[0].bbox[1]
