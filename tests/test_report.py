"""The review report (pipeline.report): report.html and report_files/, static, offline, complete."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import DUMP
from pipeline.cli import main
from pipeline.document import FormDocument, Indicator, Provenance, Source, Total
from pipeline.reconcile import reconcile, values_readable
from pipeline.report import FILES_DIR, SCALE, crop, write_report
from pipeline.run import FileResult, RunResult

BROKEN_ID = "e1c757c28df6a128-0"
LINK = re.compile(r'(?:src|href)="([^"]*)"')


@pytest.fixture(scope="module")
def report_run(tmp_path_factory) -> Path:
    """A small real run: the broken PDF, the spreadsheet (no page images) and the text export."""
    folder = tmp_path_factory.mktemp("report")
    dump = folder / "dump"
    for source in (DUMP / "review" / "网格管理事务_得分不符.pdf", *(DUMP / "spreadsheet").iterdir(), *(DUMP / "text_export").iterdir()):
        target = dump / source.relative_to(DUMP)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    out = folder / "out"
    assert main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"]) == 1
    return out


def sections(text: str) -> list[str]:
    return re.findall(r'<section class="review filterable".*?</section>', text, flags=re.S)


def test_report_is_offline_and_every_link_resolves(report_run):
    pages = [report_run / "report.html", *sorted((report_run / FILES_DIR).glob("*.html"))]
    assert len(pages) == 1 + 7  # the report and one page per form
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and 'src="//' not in text
        for target in LINK.findall(text):
            target = html.unescape(target).split("#")[0]
            if target:
                assert (page.parent / target).exists(), (page.name, target)
    assert (report_run / FILES_DIR / "report.js").exists() and (report_run / FILES_DIR / "report.css").exists()


def test_summary_counts_time_and_charts(report_run):
    text = (report_run / "report.html").read_text(encoding="utf-8")
    summary = re.search(r'<section id="summary">.*?</section>', text, flags=re.S).group(0)
    assert re.search(r"3 files, 7 forms: 6 ok, 1 need review; files: 2 ok, 1 need review, 0 failed, 0 skipped; \d+\.\d s\.", summary)
    assert summary.count("<svg") == 3
    assert "Files by status" in summary and "Total scores" in summary and "Checks that fail most" in summary


def test_the_broken_form_comes_with_its_explanation_crops_and_suggestion(report_run):
    text = (report_run / "report.html").read_text(encoding="utf-8")
    (section,) = sections(text)
    assert f'id="review-{BROKEN_ID}"' in section and 'data-checks="deviation_note total_score"' in section
    assert "Scores do not add up to the total" in section and "得分合计 96 ≠ 总分 98: 资金 10 + 数量 10 + 质量 10 + 时效 11" in section
    assert "Suggested correction" in section and "时效 得分 11 → 13 would make Σ = 98: actual 及时 meets target 及时, no deviation noted" in section
    suspect = re.search(r'<figure class="value suspect" data-ptr="/indicators/2/score">(.*?)</figure>', section, flags=re.S)
    assert suspect is not None and "read <b>11</b>" in suspect.group(1) and "text layer" in suspect.group(1)
    crop_name = re.search(r'src="report_files/(crop-[^"]+\.png)"', suspect.group(1)).group(1)
    with Image.open(report_run / FILES_DIR / crop_name) as image:
        assert 150 < image.width < 600 and 60 < image.height < 300
        rgb = image.convert("RGB")
        red = sum(1 for x in range(rgb.width) for y in range(rgb.height) if rgb.getpixel((x, y)) == (220, 30, 30))
        assert red > 100  # the cell is outlined
    line = html.unescape(re.search(r'<div class="csvline suggested"><code id="line\d+">(.*?)</code>', suspect.group(1)).group(1))
    assert line == f'{BROKEN_ID},/indicators/2/score,13,"时效 得分 11 → 13: actual 及时 meets target 及时, no deviation noted",'
    cards = re.findall(r'<figure class="value[^"]*" data-ptr="([^"]+)"', section)
    assert cards[0] == "/indicators/2/score" and "/total/score" in cards and "/indicators/0/score" in cards


def test_every_form_has_a_page_with_its_image_outlined_or_its_cell_references(report_run):
    for path in sorted((report_run / "forms").glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        page = (report_run / FILES_DIR / f"form-{form['form_id']}.html").read_text(encoding="utf-8")
        assert "<h3>funding" in page and "<h3>indicators</h3>" in page and "<h3>projects</h3>" in page
        if form["source"]["method"] == "text_layer":
            for number in form["source"]["pages"]:
                figure = re.search(rf'<figcaption>page {number}</figcaption>.*?</figure>', page, flags=re.S).group(0)
                on_page = [p for p, v in form["provenance"].items() if v["page"] == number]
                assert figure.count("<rect ") == len(on_page) > 10
                image = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)"', figure)
                assert (int(image.group(2)), int(image.group(3))) == (1241, 1754)  # A4 at 150 dpi
                assert (report_run / FILES_DIR / image.group(1)).exists()
        else:
            assert "<img" not in page and "No page image" in page
            ref = form["provenance"]["/total/score"]["ref"]  # Sheet!H32 or "line 84, field 3"
            assert f'class="ref">{ref}</span>' in page


def test_stale_files_of_a_previous_report_are_removed(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "a.pdf")
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "b.pdf")
    out = tmp_path / "out"
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    before = {p.name for p in (out / FILES_DIR).iterdir()}
    (dump / "a.pdf").unlink()
    assert main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"]) == 0
    after = {p.name for p in (out / FILES_DIR).iterdir()}
    assert after < before and not any(name.startswith("crop-") for name in after)
    assert "No form needs review." in (out / "report.html").read_text(encoding="utf-8")


# --- hand-built runs: OCR'd page images, ordering ---------------------------------------------


def ocr_form(index: int, checks_failing: int, bbox=(300.0, 400.0, 340.0, 420.0)) -> FormDocument:
    form = FormDocument(
        form_id=f"{'ab' * 8}-{index}", title="扫描表", template="shenzhen",
        source=Source(file="scan.png", sha256="ab" * 32, form_index=index, pages=[1], method="ocr", ocr_engine="hybrid"),
        indicators=[Indicator("产出", 100.0, "数量", "场次", "10场", "10场", 100.0, 90.0, "x")],
        total=Total(100.0, 95.0 if checks_failing else 90.0),
        provenance={"/indicators/0/score": Provenance(1, bbox, "90", 0.42), "/total/score": Provenance(1, (300.0, 500.0, 340.0, 520.0), "95", 0.97)},
    )
    form.checks = reconcile(form)
    if checks_failing > 1:
        form.checks.append(values_readable([("/project/code", "not a number: 'x'")]))
    form.status = "needs_review"
    return form


def page_png(bbox: tuple[float, float, float, float]) -> bytes:
    """A 150 dpi page image with a black box where ``bbox`` (points) is."""
    image = Image.new("L", (1241, 1754), 255)
    ImageDraw.Draw(image).rectangle([v * SCALE for v in bbox], fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_crops_of_ocr_pages_map_points_onto_the_kept_150_dpi_image(tmp_path):
    bbox = (300.0, 400.0, 340.0, 420.0)
    first, second = ocr_form(0, 1, bbox), ocr_form(1, 2, bbox)
    result = RunResult(files=[FileResult("scan.png", "ab" * 32, 1, "needs_review", forms=[first, second], page_images={1: page_png(bbox)})], seconds=1.0)
    write_report(tmp_path, result)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    found = sections(text)
    assert [re.search(r'id="review-([^"]+)"', s).group(1) for s in found] == [second.form_id, first.form_id]  # worst first
    card = re.search(r'<figure class="value[^"]*" data-ptr="/indicators/0/score">(.*?)</figure>', found[1], flags=re.S).group(1)
    assert 'class="conf low">confidence 0.42' in card
    with Image.open(tmp_path / FILES_DIR / re.search(r'src="report_files/([^"]+)"', card).group(1)) as piece:
        gray = piece.convert("L")
        left, top = 150 * SCALE, 14 * SCALE  # the crop's margins, in pixels
        inside = gray.getpixel((int(left + 20 * SCALE), int(top + 10 * SCALE)))
        outside = gray.getpixel((int(left - 10 * SCALE), int(top + 10 * SCALE)))
        assert inside < 50 and outside > 200  # the box is where the provenance says
    page = (tmp_path / FILES_DIR / f"form-{first.form_id}.html").read_text(encoding="utf-8")
    assert '<rect class="cell low" data-ptr="/indicators/0/score" x="300.0" y="400.0" width="40.0" height="20.0">' in page
    assert 'viewBox="0 0 595.7 841.9"' in page


def test_crop_outlines_the_cell_and_clamps_to_the_page():
    image = Image.new("L", (200, 200), 255)
    piece = crop(image, (0.0, 0.0, 20.0, 10.0))
    assert piece.size[0] <= 200 and piece.size[1] <= 200
    assert piece.getpixel((1, 1)) == (220, 30, 30)
