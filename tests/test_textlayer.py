"""The fast PDFium text layer must read exactly what the general pdfplumber reader reads."""

from __future__ import annotations

import shutil
import sys
from dataclasses import asdict

import pytest

from conftest import DUMP, REPO
from pipeline.readers import pdfium_text
from pipeline.parse.form import parse_document
from pipeline.readers.textlayer import _read_with_pdfplumber, read_pdf

EXPORTED = sorted(p for p in DUMP.rglob("*.pdf") if "bad" not in p.parts and "scans" not in p.parts)


def _content(document) -> list[dict]:
    forms = [asdict(form) for form in parse_document(document)]
    for form in forms:
        form.pop("provenance", None)  # boxes differ by a fraction of a point between the readers
        form.pop("grid", None)
    return forms


@pytest.mark.parametrize("path", EXPORTED, ids=[p.name for p in EXPORTED])
def test_pdfium_and_pdfplumber_read_the_same_forms(path):
    fast, general = read_pdf(path), _read_with_pdfplumber(path, None, None)
    assert [p.page for p in fast.pages] == [p.page for p in general.pages]
    assert _content(fast) == _content(general)


def test_rotated_pages_go_to_the_general_reader(tmp_path):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(DUMP / "2022" / "单表" / "培训经费.pdf")
    document[0].set_rotation(90)
    rotated = tmp_path / "rotated.pdf"
    document.save(rotated)
    with pytest.raises(pdfium_text.NotCovered):
        pdfium_text.read_page(pdfium.PdfDocument(rotated)[0])
    assert read_pdf(rotated).pages  # read anyway, by pdfplumber


def test_a_pdf_qpdf_can_rebuild_is_read_and_one_it_cannot_fails_as_damaged(tmp_path):
    """PDFium refuses both; qpdf rebuilds a broken trailer, not a lost /Root. Neither is "no form"."""
    from pipeline.readers.ingest import describe
    from pipeline.run.unit import process_file

    original = (DUMP / "2022" / "单表" / "培训经费.pdf").read_bytes()
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "trailer.pdf").write_bytes(original.replace(b"trailer", b"trailex"))
    (dump / "no_root.pdf").write_bytes(original.replace(b"/Root", b"/Roox"))
    rebuilt = process_file(describe(dump / "trailer.pdf", dump))
    assert rebuilt.status == "ok" and len(rebuilt.forms) == 1
    assert any("rebuilt by qpdf" in fix for fix in rebuilt.fixes)
    lost = process_file(describe(dump / "no_root.pdf", dump))
    assert lost.status == "failed" and "qpdf: " in lost.message and "no 项目支出绩效自评表" not in lost.message


@pytest.mark.parametrize("where", [0.2, 0.5, 0.8])
def test_byte_damage_in_a_page_s_content_never_leaves_the_form_ok(tmp_path, where):
    """Damage inside a page's compressed content loses what follows it: the structure and total
    checks must say so (the form is needs_review), never an ok form with values missing."""
    import pikepdf

    from pipeline.readers.ingest import describe
    from pipeline.run.unit import process_file

    dump = tmp_path / "dump"
    dump.mkdir()
    with pikepdf.open(DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf") as pdf:
        contents = pdf.pages[0].obj.Contents
        raw = bytearray(contents.read_raw_bytes())
        start = int(len(raw) * where)
        raw[start : start + 6] = bytes(b ^ 0xFF for b in raw[start : start + 6])
        contents.write(bytes(raw), filter=contents.get("/Filter"), decode_parms=contents.get("/DecodeParms"))
        pdf.save(dump / "damaged.pdf")
    result = process_file(describe(dump / "damaged.pdf", dump))
    assert result.status in ("needs_review", "failed") and all(form.status == "needs_review" for form in result.forms)


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice makes this sheet PDF (make system-deps installs it)")


def _sheet_pdf(path, rows: list[tuple[str | None, ...]], widths: dict[str, float], size: float, wrap: bool, height: float | None = None):
    """A bordered sheet of ``rows`` exported to PDF by LibreOffice, as ``path`` with .pdf."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    sys.path.insert(0, str(REPO / "scripts"))
    import make_eval

    book = Workbook()
    sheet = book.active
    thin = Side(style="thin")
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.font = Font(name="Noto Sans CJK SC", size=size)
            cell.alignment = Alignment(wrap_text=wrap, vertical="center")
        if height is not None:
            sheet.row_dimensions[row].height = height
    book.save(path.with_suffix(".xlsx"))
    make_eval.soffice_to_pdf([path.with_suffix(".xlsx")], path.parent)
    return path.with_suffix(".pdf")


@needs_soffice
def test_text_a_sheet_clips_to_its_cell_is_read_in_its_cell(tmp_path):
    """A sheet whose row is too low for its wrapped text, exported by LibreOffice: the text is
    centred on the row and clipped to its cell, so the first and last lines are drawn past the
    cell's rules (hidden in print, but in the text layer). By position, the last line 分文字内容
    went into the row below (第二行文字 gained it, this value lost it) and the first was a line above
    the table. PDFium gives each text object's clip: the text stays in its cell."""
    import pypdfium2 as pdfium

    long_text = "这是一段很长的偏差原因分析文字，需要换行显示多行内容，行高不够时会被裁剪掉一部分文字内容"
    pdf = _sheet_pdf(tmp_path / "clip", [("指标A", long_text), ("指标B", "第二行文字")], {"A": 12, "B": 20}, 10, wrap=True, height=30)
    _, _, _, glyphs = pdfium_text.read_page(pdfium.PdfDocument(pdf)[0])
    assert any(glyph.clip is not None for glyph in glyphs), "the sheet no longer clips: the test proves nothing"
    [content] = read_pdf(pdf).pages
    [grid] = content.grids
    assert [c.text for c in grid.cells] == ["指标A", long_text, "指标B", "第二行文字"]
    assert content.lines == []


@needs_soffice
def test_a_sheet_s_unwrapped_text_run_on_over_an_empty_cell_stays_in_its_cell(tmp_path):
    """An unwrapped sheet cell exported by LibreOffice prints its text on over the empty cell to
    its right and the rule between them. By position 指标1：全县参 stayed and 合人数统计情况 became the
    next column's value; a cell beside a neighbour of its own (指标2 | 短) keeps its text."""
    pdf = _sheet_pdf(tmp_path / "spill", [("指标1：全县参合人数统计情况", None, "100"), ("指标2", "短", "90")], dict.fromkeys("ABC", 10), 10, wrap=False)
    [content] = read_pdf(pdf).pages
    [grid] = content.grids
    assert [c.text for c in grid.cells] == ["指标1：全县参合人数统计情况", "", "100", "指标2", "短", "90"]


@needs_soffice
def test_a_space_a_sheet_wraps_at_is_kept_and_none_is_invented(tmp_path):
    """LibreOffice wraps 按照 2021 年 12 月 31 日前完成 at the space after 12 and prints that space at
    the line's end: the value keeps it (it was 12月); a line broken inside 5749-2006标准 gets none."""
    import pypdfium2 as pdfium

    values = ["按照 2021 年 12 月 31 日前完成", "执行GB 5749-2006标准达到100%"]
    pdf = _sheet_pdf(tmp_path / "wrap", [(value, "x") for value in values], {"A": 14, "B": 6}, 11, wrap=True, height=60)
    _, _, _, glyphs = pdfium_text.read_page(pdfium.PdfDocument(pdf)[0])
    top = {g.text: round(g.bbox[1]) for g in glyphs if g.text in "年月"}
    assert top["月"] > top["年"], "12 月 no longer wraps at its space: the test proves nothing"
    assert len({round(g.bbox[1]) for g in glyphs if g.text in "GB-标准达到%"}) > 1, "the second value no longer wraps"
    [content] = read_pdf(pdf).pages
    [grid] = content.grids
    assert [c.text for c in grid.cells] == [values[0], "x", values[1], "x"]
