"""OpenDocument spreadsheets (pipeline.readers.ods). LibreOffice's own .ods output is checked against the
.xlsx it came from in tests/test_convert.py."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path

from conftest import DUMP, EXPECTED, at
from pipeline.readers.ingest import describe
from pipeline.readers.ods import length_points, read_ods
from pipeline.parse.form import parse_document
from pipeline.run.unit import process_file

SAMPLE = DUMP / "ods" / "住房租赁市场发展专项.ods"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")
NAMESPACES = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'


def ods_file(tmp_path: Path, tables: str, name: str = "book.ods") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", f"<office:document-content {NAMESPACES}><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    return path


def test_sample_ods_gives_the_seed_form_with_sheet_refs():
    source = describe(SAMPLE, SAMPLE.parent)
    assert (source.kind, source.detail) == ("ods", "OpenDocument spreadsheet (.ods)")
    content = read_ods(SAMPLE)
    [form] = parse_document(content)
    seed = json.loads((EXPECTED / "seed" / "form2.json").read_text(encoding="utf-8"))
    got = {k: (asdict(v) if hasattr(v, "__dataclass_fields__") else [asdict(i) for i in v] if isinstance(v, list) else v) for k, v in ((k, getattr(form, k)) for k in CONTENT_KEYS)}
    assert got == {k: seed[k] for k in CONTENT_KEYS}
    assert form.provenance["/indicators/0/level1"].ref == "自评表!B14:B17"
    assert form.provenance["/funding/lines/1/executed"].text == "0.00"  # the displayed text, not the value 0
    [grid] = content.pages[0].grids
    assert abs(grid.bbox[2] - 515.0) < 0.1  # the column widths of the automatic styles (cm)
    assert process_file(source).method == "spreadsheet"


def test_repeats_spans_covered_cells_and_values_without_text(tmp_path):
    table = (
        '<table:table table:name="Sheet 1">'
        '<table:table-column table:number-columns-repeated="16384"/>'
        '<table:table-row><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" office:value-type="string">'
        '<text:p>产出<text:s text:c="2"/>(50分)</text:p><text:p>第二行</text:p></table:table-cell><table:covered-table-cell/>'
        '<table:table-cell office:value-type="float" office:value="820000"/></table:table-row>'
        '<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>同</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="20"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell></table:table-row>'
        "</table:table>"
    )
    content = read_ods(ods_file(tmp_path, table))
    [page] = content.pages
    [grid] = page.grids
    assert grid.n_cols == 4 and grid.n_rows == 23  # repeated empty rows counted, 16384 empty columns not kept
    merged = at(grid, 1, 1)
    assert (merged.text, merged.row_span, merged.col_span, merged.ref) == ("产出  (50分)\n第二行", 2, 2, "'Sheet 1'!A1:B2")
    assert at(grid, 0, 2).text == "820000"  # a value without a paragraph shows as General
    assert (at(grid, 1, 2).text, at(grid, 1, 3).text) == ("同", "同")
    assert at(grid, grid.n_rows - 1, 0).text == "50%"


def test_lengths_and_damage(tmp_path):
    assert length_points("2.54cm") == 72.0 and length_points("1in") == 72.0 and length_points("12pt") == 12.0
    assert length_points("12furlongs") is None
    (tmp_path / "cut.ods").write_bytes(SAMPLE.read_bytes()[:600])
    result = process_file(describe(tmp_path / "cut.ods", tmp_path))
    assert result.status in ("failed", "skipped") and "internal error" not in result.message
