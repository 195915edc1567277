"""Excel 2003 XML workbooks (pipeline.readers.xmlsheet), the other "Excel" export of web systems."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import DUMP, EXPECTED, at
from pipeline.readers.convert import soffice
from pipeline.readers.ingest import describe
from pipeline.parse.form import parse_document
from pipeline.readers.spreadsheet import read_xlsx
from pipeline.readers.xmlsheet import read_xml_workbook

SAMPLE = DUMP / "xml_xls" / "住房租赁市场发展专项_导出.xls"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")


def content_of(form) -> dict:
    return {k: (asdict(v) if hasattr(v, "__dataclass_fields__") else [asdict(i) for i in v] if isinstance(v, list) else v) for k, v in ((k, getattr(form, k)) for k in CONTENT_KEYS)}


def test_sample_gives_the_seed_form_with_sheet_refs():
    source = describe(SAMPLE, SAMPLE.parent)
    assert (source.kind, source.detail) == ("xml_workbook", "Excel 2003 XML workbook (SpreadsheetML)")
    [form] = parse_document(read_xml_workbook(SAMPLE))
    seed = json.loads((EXPECTED / "seed" / "form2.json").read_text(encoding="utf-8"))
    assert content_of(form) == {k: seed[k] for k in CONTENT_KEYS}
    assert form.provenance["/indicators/0/level1"].ref == "自评表!B14:B17"
    assert form.provenance["/funding/lines/0/initial_budget"].text == "142335.00"  # 142335 shown with 0.00


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: make system-deps installs it")
def test_the_sample_is_a_workbook_excel_software_reads_the_same_way(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "book.xml")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(tmp_path / "book.xml")],
            check=True,
            capture_output=True,
            timeout=180,
        )
    [ours], [theirs] = parse_document(read_xml_workbook(SAMPLE)), parse_document(read_xlsx(tmp_path / "book.xlsx"))
    assert content_of(ours) == content_of(theirs)


def test_placement_by_index_merges_and_named_formats(tmp_path):
    path = tmp_path / "book.xls"
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
        '<Styles><Style ss:ID="base"><NumberFormat ss:Format="Fixed"/></Style><Style ss:ID="child" ss:Parent="base"/>'
        '<Style ss:ID="pct"><NumberFormat ss:Format="Percent"/></Style></Styles>'
        '<Worksheet ss:Name="Sheet1"><Table><Column ss:Index="2" ss:Width="100"/>'
        '<Row><Cell ss:MergeAcross="1" ss:MergeDown="1"><Data ss:Type="String">产出<html:B>(50分)</html:B></Data></Cell>'
        '<Cell ss:StyleID="child"><Data ss:Type="Number">820000</Data></Cell></Row>'
        '<Row ss:Index="3"><Cell ss:Index="3" ss:StyleID="pct"><Data ss:Type="Number">0.8625</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>",
        encoding="utf-8",
    )
    assert describe(path, tmp_path).kind == "xml_workbook"
    [grid] = read_xml_workbook(path).pages[0].grids
    merged = at(grid, 1, 1)
    assert (merged.text, merged.row_span, merged.col_span, merged.ref) == ("产出(50分)", 2, 2, "Sheet1!A1:B2")
    assert at(grid, 0, 2).text == "820000.00"  # Fixed, inherited through ss:Parent
    assert (at(grid, 2, 2).text, at(grid, 2, 2).ref) == ("86.25%", "Sheet1!C3")
    assert at(grid, 0, 2).bbox[0] - at(grid, 0, 0).bbox[0] == pytest.approx(54 + 100)  # default width, then 100 pt
