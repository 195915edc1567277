"""The OCR path with real renders, real OpenCV and real Tesseract (and RapidOCR where it matters)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from conftest import DUMP
from pipeline.document import Provenance
from pipeline.errors import InputError
from pipeline.extract import ExtractOptions, extract, image_frames
from pipeline.imagegrid import line_masks, rulings
from pipeline.imageprep import rotate, skew_angle
from pipeline.ingest import describe
from pipeline.ocr import engine, read_cell, text_lines, tidy
from pipeline.parse import ParsedForm, parse_document
from pipeline.run import build_form
from pipeline.scan import UnreadableImage, read_image
from pipeline.segment import Glyph, group_tables, table_grid
from pipeline.textlayer import read_pdf, text_layer_problem

TRAINING = DUMP / "2022" / "单表" / "培训经费.pdf"


def render(pdf: Path, dpi: int, page: int = 0) -> np.ndarray:
    bitmap = pdfium.PdfDocument(pdf)[page].render(scale=dpi / 72, grayscale=True).to_numpy()
    return np.ascontiguousarray(bitmap if bitmap.ndim == 2 else bitmap[:, :, 0])


@pytest.fixture(scope="module")
def tesseract():
    return engine("tesseract")


# --- routing -----------------------------------------------------------------------------------


def test_mixed_pdf_is_routed_page_by_page():
    extraction = extract(describe(DUMP / "scans" / "mixed.pdf", DUMP), ExtractOptions(ocr_engine="tesseract"))
    assert [p.method for p in extraction.content.pages] == ["text_layer", "ocr"]
    assert set(extraction.scans) == {2}
    assert extraction.method == "text_layer+ocr"
    assert extraction.method_of([1]) == "text_layer" and extraction.method_of([2]) == "ocr"


def test_ocr_never_reports_the_image_page_instead_of_reading_it():
    extraction = extract(describe(DUMP / "scans" / "mixed.pdf", DUMP), ExtractOptions(ocr="never"))
    assert [p.page for p in extraction.content.pages] == [1]
    assert "no text layer" in extraction.content.page_errors[2] and "--ocr never" in extraction.content.page_errors[2]


def test_ocr_never_refuses_image_files():
    with pytest.raises(InputError, match="needs OCR"):
        extract(describe(DUMP / "scans" / "phone_photo.jpg", DUMP), ExtractOptions(ocr="never"))


def test_text_layer_judgement():
    content = read_pdf(TRAINING).pages[0]
    glyphs = [Glyph("字", (0, 0, 1, 1))] * 50
    assert text_layer_problem(glyphs, content) is None
    assert text_layer_problem(glyphs[:3], content) == "no text layer"
    assert "unmapped" in text_layer_problem([Glyph("(cid:12)", (0, 0, 1, 1))] * 40 + glyphs[:10], content)
    assert "private-use" in text_layer_problem([Glyph("\ue001", (0, 0, 1, 1))] * 40 + glyphs[:10], content)


# --- image preparation and grid ---------------------------------------------------------------


@pytest.mark.parametrize("degrees", [-4.0, -1.5, 0.7, 3.0])
def test_skew_is_measured_from_the_ruling_lines(degrees):
    page = render(TRAINING, 150)
    measured = skew_angle(rotate(page, degrees))
    assert measured is not None and abs(measured + degrees) < 0.25


def test_grid_from_an_image_has_the_merged_cells_of_the_text_layer():
    truth = read_pdf(TRAINING).pages[0].grids[0]
    page = render(TRAINING, 200)
    points_per_pixel = 72 / 200
    tables = group_tables(rulings(line_masks(page, points_per_pixel), points_per_pixel))
    assert len(tables) == 1
    grid = table_grid(tables[0], 1)
    shape = lambda g: sorted((c.row, c.col, c.row_span, c.col_span) for c in g.cells)  # noqa: E731
    assert (grid.n_rows, grid.n_cols) == (truth.n_rows, truth.n_cols)
    assert shape(grid) == shape(truth)
    spans = {(c.row_span, c.col_span) for c in grid.cells}
    assert (4, 1) in spans and (1, 4) in spans and (1, 9) in spans


@pytest.mark.parametrize("turns", [2, 1])
def test_a_page_turned_upside_down_or_sideways_is_read_upright(tesseract, turns):
    page = np.ascontiguousarray(np.rot90(render(TRAINING, 200), turns))
    content, scan = read_image(page, 200, 1, tesseract)
    assert any("to upright" in c for c in scan.corrections)
    cells = {c.text for g in content.grids for c in g.cells}
    assert "440307220441502105005" in cells
    assert any("项目支出绩效自评表" in line.text for line in content.lines)


def test_noise_is_not_a_form(tesseract):
    (gray, dpi), = image_frames(DUMP / "bad" / "noise.png")
    with pytest.raises(UnreadableImage, match="no ruled table"):
        read_image(gray, dpi, 1, tesseract)


def test_a_corrupt_image_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "scan.png"
    broken.write_bytes((DUMP / "bad" / "noise.png").read_bytes()[:200])
    with pytest.raises(InputError, match="unreadable image"):
        image_frames(broken)


# --- reading cells ------------------------------------------------------------------------------


def _text_crop(text: str, height: int = 40) -> np.ndarray:
    """A real glyph render: the text drawn by the samples' font through a tiny PDF."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(font), subfontIndex=0))
    import io

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 30))
    canvas.setFont("WQY", 10)
    canvas.drawString(10, 10, text)
    canvas.save()
    return render_bytes(buffer.getvalue(), 300)


def render_bytes(data: bytes, dpi: int) -> np.ndarray:
    bitmap = pdfium.PdfDocument(data)[0].render(scale=dpi / 72, grayscale=True).to_numpy()
    return np.ascontiguousarray(bitmap if bitmap.ndim == 2 else bitmap[:, :, 0])


def test_numeric_reading_keeps_to_digits(tesseract):
    crop = _text_crop("13860.00")
    assert read_cell(tesseract, crop, numeric=True).text == "13860.00"
    words = read_cell(tesseract, _text_crop("不适用"), numeric=True).text
    assert set(words) <= set("0123456789.,%-")


def test_a_lone_dash_is_read_as_a_dash_and_a_blank_as_blank(tesseract):
    assert read_cell(tesseract, _text_crop("—")).text == "—"
    blank = np.full((60, 200), 255, np.uint8)
    assert read_cell(tesseract, blank).text == "" and read_cell(tesseract, blank).confidence is None


def test_two_line_cells_are_cut_into_lines_and_joined():
    ink = np.zeros((100, 50), np.uint8)
    ink[5:35, :] = 255  # line one
    ink[45:52, :] = 255  # the top half of a character like 量 on line two
    ink[56:75, :] = 255  # its bottom half
    assert text_lines(ink) == [(5, 35), (45, 75)]


def test_tidy_removes_the_spaces_tesseract_puts_between_chinese_characters():
    assert tidy("网格 员 业务\n能力") == "网格员业务能力"
    assert tidy("* 实际 完成值") == "* 实际完成值"
    assert tidy("Item 2 done") == "Item 2 done"


# --- confidence -----------------------------------------------------------------------------


def test_a_low_confidence_number_sends_the_form_to_review():
    source = describe(TRAINING, DUMP)
    parsed = next(p for p in parse_document(read_pdf(TRAINING)) if isinstance(p, ParsedForm))
    assert build_form(parsed, source, 0, "text_layer").status == "ok"
    parsed.provenance["/indicators/0/score"] = Provenance(1, (0, 0, 1, 1), "10", confidence=0.3)
    form = build_form(parsed, source, 0, "ocr", "tesseract")
    assert form.status == "needs_review"
    check = next(c for c in form.checks if c.rule == "low_confidence")
    assert check.status == "warn" and "/indicators/0/score" in check.message
    assert form.to_json()["provenance"]["/indicators/0/score"]["confidence"] == 0.3
    assert form.source.ocr_engine == "tesseract"


def test_rapidocr_ships_its_models_and_reads_offline(monkeypatch):
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    assert list(models.glob("*rec*.onnx")) and list(models.glob("*det*.onnx"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # any download attempt would fail
    engine.cache_clear()  # load the models now, with every download blocked
    reading = engine("rapidocr").read_lines([_text_crop("培训经费")[20:110, :]], False)
    assert reading[0].text.endswith("培训经费")
