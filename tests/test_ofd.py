"""OFD (pipeline.readers.ofd): the sample drawn by scripts/ofdwriter.py, and hand-written packages for the
parts of GB/T 33190 the sample does not use (CTM, DeltaX shorthand, template pages, bad pages)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import DUMP, EXPECTED
from pipeline.readers.ingest import describe
from pipeline.readers.ofd import POINTS_PER_MM, deltas, read_ofd
from pipeline.parse.form import parse_document
from pipeline.run.unit import process_file

SAMPLE = DUMP / "ofd" / "网格管理事务.ofd"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def ofd_file(tmp_path: Path, pages: list[str], template: str | None = None, name: str = "doc.ofd") -> Path:
    """A one-document OFD package whose pages hold the given layer XML."""
    page_list = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
    templates = '<ofd:TemplatePage ID="99" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else ""
    use = '<ofd:Template TemplateID="99"/>' if template else ""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OFD.xml", f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        archive.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            f"</ofd:PageArea>{templates}</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
        )
        for i, layer in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", f'<ofd:Page {NS}>{use}<ofd:Content><ofd:Layer ID="1">{layer}</ofd:Layer></ofd:Content></ofd:Page>')
        if template:
            archive.writestr("Doc_0/Tpls/Tpl_0/Content.xml", f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="1">{template}</ofd:Layer></ofd:Content></ofd:Page>')
    return path


def box(x: float, y: float, w: float, h: float) -> str:
    return f'<ofd:PathObject ID="1" Boundary="{x} {y} {w} {h}"><ofd:AbbreviatedData>M 0 0 L {w} 0 L {w} {h} L 0 {h} C</ofd:AbbreviatedData></ofd:PathObject>'


def text(x: float, y: float, value: str, size: float = 4.0, extra: str = "", delta: str | None = None) -> str:
    spacing = f' DeltaX="{delta}"' if delta is not None else ""
    return f'<ofd:TextObject ID="2" Boundary="{x} {y} 100 {size * 1.5}" Size="{size}" Font="1"{extra}><ofd:TextCode X="0" Y="{size}"{spacing}>{value}</ofd:TextCode></ofd:TextObject>'


def test_sample_ofd_gives_the_seed_form_over_two_pages():
    source = describe(SAMPLE, SAMPLE.parent)
    assert (source.kind, source.detail) == ("ofd", "OFD document (GB/T 33190)")
    content = read_ofd(SAMPLE)
    assert content.page_count == 2 and not content.page_errors
    [form] = parse_document(content)
    seed = json.loads((EXPECTED / "seed" / "form1.json").read_text(encoding="utf-8"))
    got = {k: (asdict(v) if hasattr(v, "__dataclass_fields__") else [asdict(i) for i in v] if isinstance(v, list) else v) for k, v in ((k, getattr(form, k)) for k in CONTENT_KEYS)}
    assert got == {k: seed[k] for k in CONTENT_KEYS}
    assert form.pages == [1, 2]
    where = form.provenance["/total/score"]
    assert where.page == 2 and where.text == "98"
    x0, top, x1, bottom = where.bbox
    assert 0 < x0 < x1 < 595.3 and 0 < top < bottom < 841.9  # points on an A4 page, like a PDF
    assert process_file(source).method == "ofd"


def test_glyph_positions_ctm_shorthand_and_template_rulings(tmp_path):
    assert deltas("g 3 2.5 1 g 2 0.5") == [2.5, 2.5, 2.5, 1.0, 0.5, 0.5]
    grid_lines = box(20, 20, 60, 10) + box(80, 20, 60, 10)  # two cells side by side, drawn in the template
    page = (
        text(22, 21, "项目名称", delta="g 3 4")
        +
        # drawn at half size through its CTM: the object's own units are twice the page's
        text(82, 21, "培训经费", size=8.0, extra=' CTM="0.5 0 0 0.5 0 0"', delta="g 3 8")
    )
    content = read_ofd(ofd_file(tmp_path, [page], template=grid_lines))
    [page_content] = content.pages
    [grid] = page_content.grids
    assert [c.text for c in grid.cells] == ["项目名称", "培训经费"]
    assert grid.bbox == pytest.approx((20 * POINTS_PER_MM, 20 * POINTS_PER_MM, 140 * POINTS_PER_MM, 30 * POINTS_PER_MM))


def test_image_only_pages_and_broken_packages_say_so(tmp_path):
    image = '<ofd:ImageObject ID="3" Boundary="0 0 210 297" ResourceID="4"/>'
    page = text(20, 20, "网格管理事务项目支出绩效自评表") + box(20, 40, 100, 10) + text(22, 41, "项目名称")
    content = read_ofd(ofd_file(tmp_path, [page, image]))
    assert [p.page for p in content.pages] == [1]
    assert content.page_errors[2].startswith("no text on this OFD page (an image-only page?)")
    broken = tmp_path / "broken"
    broken.mkdir()
    with zipfile.ZipFile(broken / "x.ofd", "w") as archive:
        archive.writestr("OFD.xml", f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    result = process_file(describe(broken / "x.ofd", broken))
    assert (result.status, result.message) == ("failed", "damaged OFD: Doc_0/Document.xml is missing")


def test_more_pages_than_max_pages_are_refused(tmp_path):
    from pipeline.ocr.options import ExtractOptions

    path = ofd_file(tmp_path, [text(20, 20, "第一页"), text(20, 20, "第二页"), text(20, 20, "第三页")])
    result = process_file(describe(path, tmp_path), ExtractOptions(max_pages=2))
    assert (result.status, result.message) == ("failed", "more than --max-pages 2 pages: not read")
