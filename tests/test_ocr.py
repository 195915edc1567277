"""The OCR path with real renders, real OpenCV and real Tesseract (and RapidOCR where it matters)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from conftest import DUMP, REPO
from pipeline.model.document import Provenance
from pipeline.model.errors import InputError
from pipeline.ocr.options import ENGINE_NAMES, ExtractOptions
from pipeline.ocr.extract import Extraction, doubt_creased, doubt_cut_print, extract, image_frames, render_dpi, reread_numbers, without_a_form
from pipeline.ocr.imagegrid import line_masks, rulings
from pipeline.ocr.imageprep import prepare, rotate, skew_angle, without_grey_seals, without_seals
from pipeline.readers.ingest import describe
from pipeline.model.intermediate import Cell, DocumentContent, Grid
from pipeline.ocr.engines import ENGINES, CellReading, _levelled, cell_lines, engine, read_cell, text_lines, tidy
from pipeline.parse.form import ParsedForm, parse_document
from pipeline.run.unit import build_form
from pipeline.ocr.scan import UnreadableImage, _grids, _titles_read_again, joined_on_rows, read_image, stacked_sheet_tops
from pipeline.readers.segment import Glyph, group_tables, table_grid
from pipeline.readers.textlayer import read_pdf, text_layer_problem

sys.path.insert(0, str(REPO / "scripts"))
from make_scan_corpus import landscape as landscape_sheet  # noqa: E402  (the corpus's own landscape page)
from make_scan_corpus import photo as phone_photo  # noqa: E402  (and its phone photo)
from make_scan_corpus import stamped  # noqa: E402  (and its red seal)
from make_scan_corpus import bent  # noqa: E402  (and its page of a bound volume)

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
    cell = next(c for g in content.grids for c in g.cells)  # a short text inside a ruled table's cells is text
    assert text_layer_problem([Glyph("总", cell.bbox), Glyph("分", cell.bbox)], content) is None
    assert text_layer_problem([Glyph("总", cell.bbox), Glyph("分", (0, 0, 1, 1))], content) == "no text layer"
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
    ((gray, dpi),) = image_frames(DUMP / "bad" / "noise.png")
    with pytest.raises(UnreadableImage, match="no ruled table"):
        read_image(gray, dpi, 1, tesseract)


def _samples_font_canvas(width: float, height: float):
    """A reportlab canvas of one page in points, with the samples' font registered as "WQY", and
    the buffer it is saved into."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(font), subfontIndex=0))
    buffer = io.BytesIO()
    return Canvas(buffer, pagesize=(width, height)), buffer


REPORT_PROSE = (
    "一、收入支出决算总体情况说明。2022年度收入总计1234.56万元，支出总计1200.00万元。与上年相比，"
    "收入增加12.3%，主要原因是基本建设项目增加。二、财政拨款收入支出决算总体情况说明。本年财政拨款"
    "收入980.00万元，主要用于一般公共服务支出、社会保障和就业支出及城乡社区支出。三、一般公共预算"
    "财政拨款支出决算情况说明。本年支出主要用于保障机构正常运转和完成日常工作任务。"
)


def _prose_page(text: str, dpi: int = 200) -> np.ndarray:
    """A report's page of prose (its 情况说明), typeset in the samples' font and rendered."""
    canvas, buffer = _samples_font_canvas(595, 842)
    canvas.setFont("WQY", 16)
    canvas.drawString(170, 780, "第三部分 2022年度部门决算情况说明")
    canvas.setFont("WQY", 12)
    y, per_line = 740, 38
    for start in range(0, len(text) * 3, per_line):
        canvas.drawString(60, y, (text * 3)[start : start + per_line])
        y -= 22
    canvas.save()
    return render_bytes(buffer.getvalue(), dpi)


def test_a_reports_page_of_prose_is_no_form_and_no_error(tmp_path):
    """A scanned 决算 report holds its form among pages of prose: those have no ruled table, but
    they are plainly no form's pages, and a file whose form reads must not go to review for them."""
    from PIL import Image

    form = Image.fromarray(render(TRAINING, 200))
    prose = Image.fromarray(_prose_page(REPORT_PROSE))
    report = tmp_path / "决算公开报告.pdf"
    prose.save(report, save_all=True, append_images=[form, prose], resolution=200)
    extraction = extract(describe(report, tmp_path), ExtractOptions(ocr_engine="tesseract"))
    assert extraction.content.page_errors == {}
    assert [(p.page, bool(p.grids), p.lines) for p in extraction.content.pages if p.page != 2] == [(1, False, []), (3, False, [])]
    assert set(extraction.scans) == {2} and extraction.method == "ocr"


def test_a_page_with_no_table_that_speaks_of_a_forms_words_stays_a_page_error(tesseract):
    """Prose of a 绩效自评 section (项目自评得分) may sit beside a form whose table the image lost: a
    human looks. So does a form whose rules are gone: its rows keep a label and a value apart."""
    with pytest.raises(UnreadableImage) as raised:
        read_image(_prose_page(REPORT_PROSE + "本项目绩效自评得分为95分，一级指标均已完成。"), 200, 1, tesseract)
    assert raised.value.text is not None and raised.value.text.lines and not without_a_form(raised.value.text.lines)
    page = render(TRAINING, 200)
    ink = (page < 128).astype(np.uint8) * 255
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (60, 1)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 60)))
    page[rules > 0] = 255
    with pytest.raises(UnreadableImage) as raised:
        read_image(page, 200, 1, tesseract)
    assert raised.value.text is not None and raised.value.text.lines == []


def test_a_corrupt_image_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "scan.png"
    broken.write_bytes((DUMP / "bad" / "noise.png").read_bytes()[:200])
    with pytest.raises(InputError, match="unreadable image"):
        image_frames(broken)


# --- reading cells ------------------------------------------------------------------------------


def _text_crop(text: str, height: int = 40) -> np.ndarray:
    """A real glyph render: the text drawn by the samples' font through a tiny PDF."""
    canvas, buffer = _samples_font_canvas(200, 30)
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


def _lines_crop(lines: list[str]) -> np.ndarray:
    """A cell of wrapped text as a sheet prints it (no rule that keeps punctuation off a line's start)."""
    first = _text_crop(lines[0])
    return np.vstack([first] + [_text_crop(line)[8:] for line in lines[1:]])


@pytest.mark.parametrize("mark", ["。", "，"])
def test_a_mark_that_wrapped_to_the_start_of_a_line_is_read_at_the_end_of_the_line_above(mark):
    """Read where it was printed, with no text before it, both engines took a 。 of a real sheet for ，
    (Tesseract dropped it); at the end of the line above, where it belongs in the text, it reads."""
    from pipeline.ocr.engines import cell_lines

    plain = cell_lines(_lines_crop(["且最高限价低于预算金额", "提高预算准确度。"])).lines
    wrapped = cell_lines(_lines_crop(["且最高限价低于预算金额", f"{mark}提高预算准确度。"])).lines
    assert len(wrapped) == 2
    assert wrapped[0].shape[1] > plain[0].shape[1]  # the mark after the first line's text
    first_ink = [int(np.flatnonzero((line < 128).any(axis=0))[0]) for line in (plain[1], wrapped[1])]
    assert first_ink[1] > first_ink[0] + 10  # the second line starts at 提, after the mark's place
    assert read_cell(engine("rapidocr"), _lines_crop(["且最高限价低于预算金额", f"{mark}提高预算准确度。"])).text == f"且最高限价低于预算金额{mark}提高预算准确度。"


def test_a_cell_with_a_line_of_text_read_as_nothing_is_not_sure_of_its_text(tesseract):
    """Tesseract read 拨款, the second line of 其中:当年财政 | 拨款, as nothing; the cell came out
    其中:当年财政 at 0.94, the least sure of the lines that read. The hybrid, taking the cell for
    sure, never asked RapidOCR (which reads 拨款 at 1.0), and the funding row was lost."""
    from pipeline.ocr.engines import PAD, _text_line_read_as_nothing, cell_lines, read_cells

    crop = _lines_crop(["其中:当年财政", "拨款"])
    first, second = cell_lines(crop).lines
    assert read_cells(tesseract, [crop])[0].text == "其中:当年财政拨款"
    tesseract.memory.put(tesseract.memory.key(second, False), CellReading("", None))  # as it read the scan's
    try:
        reading = read_cells(tesseract, [crop])[0]
        assert reading.text == "其中:当年财政" and reading.confidence <= 0.5
        hybrid = engine("hybrid")
        hybrid.fast.memory.put(hybrid.fast.memory.key(second, False), CellReading("", None))
        assert read_cells(hybrid, [crop])[0].text == "其中:当年财政拨款"  # RapidOCR is asked for the line
        hybrid.forget()
    finally:
        tesseract.forget()
    low = np.full((12 + 2 * PAD, 40), 255, np.uint8)  # a speck's row, lower than half the text: no line of it
    assert not _text_line_read_as_nothing([first, low], [CellReading("其中:当年财政", 0.94), CellReading("", None)])
    assert _text_line_read_as_nothing([first, second], [CellReading("其中:当年财政", 0.94), CellReading("", None)])


@pytest.mark.parametrize("start", ["小心处理", "心中有数", "准确度", "一次完成", "、以及"])
def test_only_a_low_small_mark_counts_as_wrapped_punctuation(start):
    from pipeline.ocr.engines import _line_initial_mark

    crop = _text_crop(start)
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = np.flatnonzero(ink.max(axis=1))
    line = ink[rows[0] : rows[-1] + 1]
    assert (_line_initial_mark(line, line.shape[0]) is not None) == start.startswith("、")


def _dusted(crop: np.ndarray, places: list[tuple[int, int]]) -> np.ndarray:
    """The crop with specks of toner (3 × 3 px, as a copier's drum or dust leaves them) at ``places``."""
    dusty = crop.copy()
    for x, y in places:
        dusty[y : y + 3, x : x + 3] = 40
    return dusty


@pytest.mark.parametrize("text", ["良好", "不适用", "100%"])
def test_specks_apart_from_a_value_are_not_read_into_it(text):
    """A copier's specks beside a value were read by both engines as a leading ， or ： (，良好,
    ：不适用), and their agreement passed the misreading on unflagged."""
    from pipeline.ocr.engines import cell_lines

    crop = _text_crop(text)
    rows = np.flatnonzero((crop < 128).any(axis=1))
    baseline, end = int(rows[-1]), int(np.flatnonzero((crop < 128).any(axis=0))[-1])
    dusty = _dusted(crop, [(4, baseline - 2), (end + 60, baseline - 2), (end + 90, int(rows[0]))])
    assert [line.shape for line in cell_lines(dusty).lines] == [line.shape for line in cell_lines(crop).lines]
    assert read_cell(engine("hybrid"), dusty).text == text


@pytest.mark.parametrize(("text", "song_dpi"), [("良好。", None), ("等……", None), ("1.5", None), ("，完成", None), ("“是”", None), ("，完成", 200), ("。完成", 300)])
def test_punctuation_beside_its_text_is_no_speck(text, song_dpi):
    """A ， wrapped to a line's start stands 0.8 of a glyph before the next character in a Song
    face at 200 dpi: taken for a speck, it was lost from a goal in a form marked ok."""
    from pipeline.ocr.engines import _without_stray_specks, remove_line_remnants

    crop = _text_crop(text) if song_dpi is None else _glyph_crop(text, MING, song_dpi, fax=False)
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    crop, ink, kept = remove_line_remnants(crop, ink)
    assert len(_without_stray_specks(crop, ink, kept)[2]) == len(kept)


@pytest.mark.parametrize(("printed", "sign"), [("=", "="), ("＝", "="), ("═", "="), ("≥", "≥"), ("≧", "≥"), ("≤", "≤"), ("≦", "≤"), (">", ">"), ("<", "<")])
def test_a_comparison_sign_alone_in_its_cell_is_read_by_its_shape(printed, sign):
    """Both engines read a wide ═ as 一-一 and ≧ as = at ~0.5: a 指标性质 column of them sent the form to review."""
    reading = read_cell(engine("tesseract"), _text_crop(printed))
    assert (reading.text, reading.read_by) == (sign, "shape")


@pytest.mark.parametrize("printed", ["二", "三", "一", "二〇", "≥90%", "=1", "〉", "人"])
def test_characters_and_values_are_not_taken_for_a_comparison_sign(printed):
    from pipeline.ocr.engines import comparison_sign_shape

    _, ink = cv2.threshold(_text_crop(printed), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    assert comparison_sign_shape(ink) is None


MING, KAI = Path("/usr/share/fonts/truetype/arphic/uming.ttc"), Path("/usr/share/fonts/truetype/arphic/ukai.ttc")


def _glyph_crop(text: str, font: Path, dpi: int, fax: bool = False, width: float = 90) -> np.ndarray:
    """A cell ``width`` pt wide holding ``text`` (its lines centred, 10.5 pt at single spacing) in
    ``font`` through a tiny PDF, at ``dpi``; ``fax``: 1-bit."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if not font.exists():
        pytest.skip(f"{font.name} is not installed (make system-deps)")
    name = f"cell-{font.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font), subfontIndex=0))
    lines = text.split("\n")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, 12 + 12 * len(lines)))
    canvas.setFont(name, 10.5)
    for index, line in enumerate(lines):
        canvas.drawCentredString(width / 2, 8 + 12 * (len(lines) - 1 - index), line)
    canvas.save()
    crop = render_bytes(buffer.getvalue(), dpi)
    return np.where(crop < 128, 0, 255).astype(np.uint8) if fax else crop


@pytest.mark.parametrize(("font", "dpi", "fax"), [(MING, 200, True), (MING, 300, False), (KAI, 200, True), (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 150, False)])
def test_a_slash_alone_in_its_cell_is_read_by_its_shape_as_a_number_too(font, dpi, fax):
    """A fax or a Ming face's "/" (not applicable) was read 1 by RapidOCR at 0.88, and a digits-only
    reading can only say 1: the value 1 where the form prints none."""
    crop = _glyph_crop("/", font, dpi, fax)
    for numeric in (False, True):
        reading = read_cell(engine("hybrid"), crop, numeric=numeric)
        assert (reading.text, reading.read_by) == ("/", "shape")
    for other in ["1", "l", "|", "7", "、", "丿", "ノ", "人", "4", "（"]:
        assert read_cell(engine("tesseract"), _glyph_crop(other, font, dpi, fax)).read_by != "shape", other


def test_the_top_stroke_of_a_character_apart_from_the_rest_is_not_a_line_of_its_own():
    """ "75元" in small print: 元's top stroke stands a white row above the rest, and the line is
    taller than the digits beside it. Read as a line of its own, both engines made it 一: 一75元."""
    ink = np.zeros((40, 60), np.uint8)
    ink[0:3, 40:50] = 255  # the top stroke of 元
    ink[4:25, 0:55] = 255  # 75 and the rest of 元
    assert text_lines(ink) == [(0, 25)]
    remnant = np.zeros((40, 60), np.uint8)
    remnant[0:3, 0:60] = 255  # a remnant of a rule far wider than the text under it: a line apart (remove_line_remnants' to drop)
    remnant[4:25, 20:40] = 255
    assert text_lines(remnant) == [(0, 3), (4, 25)]
    mu = np.zeros((50, 50), np.uint8)
    mu[0:4, 22:27] = 255  # 亩 alone in a cell: the dot and the stroke of 亠 ...
    mu[6:9, 5:45] = 255
    mu[12:46, 8:42] = 255  # ... a white row above 田
    assert text_lines(mu) == [(0, 46)]
    two = np.zeros((90, 50), np.uint8)
    two[0:36, 5:45] = 255  # 万 over 元: two lines of one character each
    two[46:82, 5:45] = 255
    assert text_lines(two) == [(0, 36), (46, 82)]
    wrapped = np.zeros((60, 300), np.uint8)
    wrapped[0:22, 0:300] = 255  # two lines of a long paragraph, close together
    wrapped[26:48, 0:280] = 255
    assert text_lines(wrapped) == [(0, 22), (26, 48)]
    apart = np.zeros((40, 60), np.uint8)
    apart[0:3, 40:50] = 255
    apart[12:33, 0:55] = 255  # far below it: not the same character
    assert text_lines(apart) == [(0, 3), (12, 33)]
    label = np.zeros((60, 60), np.uint8)
    label[0:22, 4:24] = label[0:22, 27:48] = 255  # 数量 over 指标: a wrapped label of two short lines, square together
    label[25:47, 4:24] = label[25:47, 27:48] = 255  # (white between the characters)
    assert text_lines(label) == [(0, 22), (25, 47)]
    shi = np.zeros((44, 44), np.uint8)
    shi[0:16, 8:36] = 255  # 是 alone in its cell, split by one row of white: 日 ...
    shi[17:44, 0:44] = 255  # ... over 疋, read 日疋 as two lines
    assert text_lines(shi) == [(0, 44)]
    tight = np.zeros((50, 50), np.uint8)
    tight[0:24, 0:23] = tight[0:24, 26:50] = 255  # 数量 over 指标 with one row of white between: alike in height, two lines
    tight[25:50, 0:23] = tight[25:50, 26:50] = 255
    assert text_lines(tight) == [(0, 24), (25, 50)]


@pytest.mark.parametrize("degrees", [-3.0, -1.5, 2.0, 3.5])
def test_print_tilted_in_its_cell_is_levelled_before_its_lines_are_cut(degrees):
    """A bent page (a bound volume on a flatbed) tilts the print in a wide cell by 2–4° while the
    cell's box stays upright: two lines of a goal overlapped in rows, were cut as one and read
    培训项目预算执行率过%更以，提业务人员能力. Level print is left as it is."""
    text = "培训项目预算执行率过99%以上，提高业务人员能力水\n平，提供更好的服务。"
    crop = _glyph_crop(text, Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 300, width=280)
    level = cell_lines(crop)
    assert len(level.lines) == 2
    framed = cv2.copyMakeBorder(crop, 40, 40, 10, 10, cv2.BORDER_CONSTANT, value=255)
    turn = cv2.getRotationMatrix2D((framed.shape[1] / 2, framed.shape[0] / 2), degrees, 1.0)
    tilted = cv2.warpAffine(framed, turn, (framed.shape[1], framed.shape[0]), borderValue=255)
    assert len(cell_lines(tilted).lines) == 2
    assert read_cell(engine("hybrid"), tilted).text == text.replace("\n", "")
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    assert _levelled(crop, ink)[0] is crop


@pytest.mark.parametrize("font", [Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), MING, KAI])
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_character_alone_in_its_cell_is_one_line_however_its_parts_stand_apart(font, dpi):
    """是 alone in a cell, its 日 a row of white above its 疋, was cut as two lines and read 曰疋 or
    已正 by both engines, the 是 of a 是否 indicator lost; 音, 素 and 导 stand in two parts too. Two
    short lines, square together like a character, stay two: each parts in its middle, between
    its characters (数量 over 指标, 万元 over 亩); and so do a paragraph's lines."""
    for character in ["是", "音", "素", "导"]:
        _, ink = cv2.threshold(_glyph_crop(character, font, dpi), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        ys, xs = np.nonzero(ink)
        assert len(text_lines(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])) == 1, character
    for lines in [
        ["数量", "指标"],
        ["万元", "亩"],
        ["达到", "预期"],
        ["合格", "率"],
        ["已", "完成"],
        ["满意度", "指标"],
        ["5830", "元/户"],
        ["可持续", "影响", "指标"],
        ["按照学校", "管理标准", "对学校进", "行管理"],
    ]:
        _, ink = cv2.threshold(_glyph_crop("\n".join(lines), font, dpi), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        ys, xs = np.nonzero(ink)
        assert len(text_lines(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])) == len(lines), lines
    if dpi == 300:
        assert read_cell(engine("hybrid"), _glyph_crop("是", font, dpi)).text == "是"


@pytest.mark.parametrize(("reading", "confirmed"), [("产出指标", True), ("社会效益指标", True), ("不适用", True), ("产出指标(50分)", False), ("满意度(9%)", False), ("效益(30", False)])
def test_only_a_whole_word_of_a_closed_list_is_confirmed_by_the_list(reading, confirmed):
    """A level name confirms itself (a misreading would have to land on another name); what it
    prints in brackets — a weight, a unit — is read twice like any value."""
    from pipeline.ocr.extract import _confirmed_by_vocabulary

    assert _confirmed_by_vocabulary(reading) == confirmed


def test_a_value_read_with_a_required_columns_mark_before_it_is_doubted():
    """The "* " is put by shape, alike for both engines; on a worn copy a speck before 105个 took it.
    Characters simplified Chinese does not write, and a bar inside words, are doubted too."""
    from pipeline.model.intermediate import Cell
    from pipeline.ocr.extract import _doubt_marked_value

    marked = Cell(row=0, col=0, row_span=1, col_span=1, text="* 105个", bbox=(0, 0, 10, 10), page=1, confidence=0.99)
    assert _doubt_marked_value(marked).confidence == 0.5
    assert _doubt_marked_value(replace(marked, text="105个")).confidence == 0.99
    assert _doubt_marked_value(replace(marked, text="受益脫贫人口数")).confidence == 0.5  # 脫: not how simplified Chinese writes 脱
    assert _doubt_marked_value(replace(marked, text="受益脱贫人口数")).confidence == 0.99
    assert _doubt_marked_value(replace(marked, text="扶贫|临时救助人数")).confidence == 0.5  # 临's left strokes
    assert _doubt_marked_value(replace(marked, text="扶贫｜临时救助人数")).confidence == 0.5
    assert _doubt_marked_value(replace(marked, text="A|B")).confidence == 0.99


def test_tidy_removes_the_spaces_tesseract_puts_between_chinese_characters():
    assert tidy("网格 员 业务\n能力") == "网格员业务能力"
    assert tidy("* 实际 完成值") == "* 实际完成值"
    assert tidy("Item 2 done") == "Item 2 done"
    assert tidy("住房租赁市场发展专项( 中央直达 )项目") == "住房租赁市场发展专项(中央直达)项目"
    assert tidy("( 1 ) 完成") == "(1)完成" and tidy("see ( a )") == "see ( a )"


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


def test_a_title_misread_by_one_glyph_is_read_again_and_found():
    """Tesseract read 自评表 as 目评表 on a real scan: the form lost its title and year. The hybrid
    asks its other engine, and keeps that reading only because it is a title."""
    title = _text_crop("2020年市级项目自评表")
    hybrid = engine("hybrid")
    misread = CellReading("2020年市级项目目评表", 0.86, "tesseract")
    other_line = CellReading("金额单位:万元", 0.86, "tesseract")
    again = _titles_read_again(hybrid, [title, title], [misread, other_line])
    assert again[0].text == "2020年市级项目自评表" and again[0].read_by == "rapidocr"
    assert again[1] is other_line  # only a line nearly a title is asked again


# --- geometry that never hurts ------------------------------------------------------------------


@pytest.mark.parametrize("landscape", [False, True])
def test_an_upright_page_is_never_turned(tesseract, landscape):
    page = render(TRAINING, 200)
    page = landscape_sheet(page) if landscape else page
    content, scan = read_image(page, 200, 1, tesseract)
    assert not any("turned" in c for c in scan.corrections)
    assert "440307220441502105005" in {c.text for g in content.grids for c in g.cells}


@pytest.mark.parametrize("scanned_in", ["colour", "grey"])
def test_a_red_seal_over_the_table_is_taken_out_and_the_print_under_it_read(tesseract, scanned_in):
    """In gray a seal is dark ink over the cells: one over a table read 55% of the fields, with 65
    wrong values in forms marked ok. Taken out by its red (in colour) or by its ring of even grey
    lighter than the print (scanned in grey), the page reads under it as it does unsealed."""
    dpi = 200 if scanned_in == "colour" else 300  # in grey, 200 dpi's thin grey rules are as light as the seal
    page = render(TRAINING, dpi)
    sealed = stamped(page, np.random.default_rng(7), dpi, at=(0.68, 0.42))  # over the 产出 rows' scores
    sealed = sealed if scanned_in == "colour" else cv2.cvtColor(sealed, cv2.COLOR_RGB2GRAY)
    unsealed_content, _ = read_image(page, dpi, 1, tesseract)
    content, scan = read_image(sealed, dpi, 1, tesseract)
    assert any(c.startswith("red seal taken out" if scanned_in == "colour" else "grey round seal taken out") for c in scan.corrections)

    centre_x, centre_y, reach = 0.68 * scan.image.shape[1] * scan.points_per_pixel, 0.42 * scan.image.shape[0] * scan.points_per_pixel, 60.0  # pt

    def under_the_seal(found):
        return [
            (c.row, c.col, c.text)
            for g in found.grids
            for c in g.cells
            if c.bbox[0] < centre_x + reach and c.bbox[2] > centre_x - reach and c.bbox[1] < centre_y + reach and c.bbox[3] > centre_y - reach
        ]

    sealed_cells, unsealed_cells = under_the_seal(content), under_the_seal(unsealed_content)
    assert len(sealed_cells) >= 12
    assert [cell[:2] for cell in sealed_cells] == [cell[:2] for cell in unsealed_cells]  # the same grid
    misread = [a for a, b in zip(sealed_cells, unsealed_cells) if a != b]
    assert len(misread) <= (0 if scanned_in == "colour" else 1)  # grey keeps a trace of the seal by the print (10 read 19)


def test_a_page_without_a_seal_and_a_circle_printed_in_black_are_left_as_they_are():
    page = render(TRAINING, 200)
    assert without_grey_seals(page, 200) == (page, None)
    ringed = page.copy()
    cv2.circle(ringed, (1100, 900), 165, 0, 9)  # a 42 mm ring as black as the print
    gray, note = without_grey_seals(ringed, 200)
    assert note is None and np.array_equal(gray, ringed)


def test_red_print_smaller_than_a_seal_is_kept_as_print():
    page = np.full((600, 800, 3), 250, np.uint8)
    cv2.putText(page, "13860.00", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (200, 20, 30), 3)  # a figure typed in red
    gray, note = without_seals(page, 300)
    assert gray.min() < 100  # still ink
    assert note is not None and "seal" not in note and "kept as print: values in their columns doubted" in note
    # its columns are read with doubt: it may be a reader's tick beside a value, not print
    doubted = prepare(page, 300).creases
    assert all(any(start <= x <= end for start, end in doubted) for x in range(110, 300, 10))


@pytest.mark.parametrize("turns", [1, 3])
def test_a_rotated_landscape_page_is_turned_right(tesseract, turns):
    page = np.ascontiguousarray(np.rot90(landscape_sheet(render(TRAINING, 200)), turns))
    content, scan = read_image(page, 200, 1, tesseract)
    turned = [c for c in scan.corrections if "to upright" in c]
    assert turned and turned[0].startswith(f"turned {(4 - turns) * 90}°")
    assert "mean confidence" in turned[0]  # the evidence is recorded with the correction
    assert "440307220441502105005" in {c.text for g in content.grids for c in g.cells}


def test_a_flat_scan_gets_no_perspective_correction():
    rng = np.random.default_rng(8)
    page = rotate(render(TRAINING, 200), 0.8)
    page = np.clip(page.astype(np.float32) + rng.normal(0, 8, page.shape), 0, 255).astype(np.uint8)
    prepared = prepare(page, 200)
    assert not any("perspective" in c for c in prepared.corrections)
    (deskew_note,) = prepared.corrections
    assert deskew_note.startswith("deskewed by -0.8") and "ruling lines" in deskew_note
    assert abs(skew_angle(prepared.gray) or 0.0) < 0.1


def _with_copier_streak(page: np.ndarray, x_pt: float, dpi: int, down_to: float = 1.0) -> np.ndarray:
    """``page`` with a worn copier's streak down it at ``x_pt`` (``down_to``: the share of the
    page's height it runs down): grey dots, densest in the middle."""
    rng = np.random.default_rng(3)
    width = int(0.3 * dpi)
    left = int(x_pt * dpi / 72) - width // 2
    density = 0.35 * np.exp(-(((np.arange(width) - width / 2) / (width / 4)) ** 2))
    dots = rng.random((page.shape[0], width)) < density[None, :]
    dots[int(down_to * page.shape[0]) :] = False
    band = page[:, left : left + width].copy()
    band[dots] = np.minimum(band[dots], rng.integers(40, 200, size=band.shape)[dots])
    streaked = page.copy()
    streaked[:, left : left + width] = band
    return streaked


def test_a_copier_streak_is_removed_and_the_print_under_it_read(tesseract):
    """A worn drum's streak across the level-1 names had them read as '+', '10' or 了全."""
    page = render(TRAINING, 300)
    assert not any("grey dots" in c for c in prepare(page, 300).corrections)  # a clean page is left as it is
    content, _ = read_image(page, 300, 1, tesseract)
    (label,) = [c for g in content.grids for c in g.cells if c.text == "产出(50分)"]
    streaked = _with_copier_streak(page, (label.bbox[0] + label.bbox[2]) / 2, 300)
    (note,) = [c for c in prepare(streaked, 300).corrections if "grey dots" in c]
    assert note.startswith("grey dots removed in 1 bands down the page")
    content, _ = read_image(streaked, 300, 1, tesseract)
    (read,) = [c.text for g in content.grids for c in g.cells if max(abs(a - b) for a, b in zip(c.bbox, label.bbox)) < 3]
    assert read == "产出(50分)"
    # dots down half the page are no streak: the small pieces of dense print keep to its rows
    # (a real scan's columns of small text had been "cleaned", and read 92.8% for 99.4%)
    assert not any("grey dots" in c for c in prepare(_with_copier_streak(page, (label.bbox[0] + label.bbox[2]) / 2, 300, 0.5), 300).corrections)


def test_a_roller_band_across_the_page_is_removed_and_the_row_under_it_read(tesseract):
    """Dirty rollers leave bands of grey dots across the page; through a row of the table, its
    level-2 name read 0 and its cells | and 00."""
    page = render(TRAINING, 300)
    content, _ = read_image(page, 300, 1, tesseract)
    (label,) = [c for g in content.grids for c in g.cells if c.text == "数量"]
    middle = (label.bbox[1] + label.bbox[3]) / 2
    banded = np.ascontiguousarray(_with_copier_streak(np.ascontiguousarray(page.T), middle, 300).T)
    (note,) = [c for c in prepare(banded, 300).corrections if "grey dots" in c]
    assert note.startswith("grey dots removed in 1 bands across the page")
    content, _ = read_image(banded, 300, 1, tesseract)
    (read,) = [c.text for g in content.grids for c in g.cells if max(abs(a - b) for a, b in zip(c.bbox, label.bbox)) < 3]
    assert read == "数量"
    half = np.ascontiguousarray(_with_copier_streak(np.ascontiguousarray(page.T), middle, 300, 0.5).T)
    assert not any("grey dots" in c for c in prepare(half, 300).corrections)


def _folded(page: np.ndarray, dpi: int, at_pt: float, width_pt: float, depth_pt: float) -> np.ndarray:
    """``page`` as a fold leaves it: the columns of a band ``width_pt`` wide around ``at_pt``
    moved down, most (``depth_pt``) at its middle, as a tent."""
    height, width = page.shape
    x = np.arange(width, dtype=np.float32) * 72 / dpi
    drop = np.clip(1 - np.abs(x - at_pt) / (width_pt / 2), 0, None) * depth_pt * dpi / 72
    map_x = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    map_y = np.arange(height, dtype=np.float32)[:, None] - drop[None, :]
    return cv2.remap(page, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def test_a_folded_page_is_unfolded_and_its_table_read(tesseract):
    """A page folded before it was scanned (Augraphy's folds: 10% of the fields read) has its
    columns moved up and down in bands, its rules in kinks: cells ran into each other and the
    score column was lost. Its columns are moved back; a skewed page is left to deskew."""
    page = render(TRAINING, 300)
    content, _ = read_image(page, 300, 1, tesseract)
    cells = [c.text for g in content.grids for c in g.cells]
    folded = _folded(_folded(page, 300, 200, 60, 12), 300, 420, 50, 10)
    (note,) = [c for c in prepare(folded, 300).corrections if c.startswith("unfolded")]
    assert 3.0 <= float(note.split("by up to ")[1].split(" mm")[0]) <= 4.5  # the deeper fold: 12 pt, 4.2 mm
    unfolded, scan = read_image(folded, 300, 1, tesseract)
    read = [c.text for g in unfolded.grids for c in g.cells]
    assert len(read) == len(cells)  # folded as it is: 62 cells of 144
    assert sum(a != b for a, b in zip(cells, read)) <= 6
    # the creases' columns are doubted, whatever the engines agree on: a glyph bent there read
    # 红济效益 for 经济效益 by both (augraphy_fold, 1 wrong value in an ok form)
    assert all(any(a < at < b for a, b in scan.creases) for at in (200, 420))
    extraction = Extraction(DocumentContent(pages=[unfolded], page_count=1), scans={1: scan}, engine_name="tesseract")
    doubted = doubt_creased(extraction)
    creased = [c for g in unfolded.grids for c in g.cells if c.text and c.confidence is not None and any(c.bbox[0] < b and c.bbox[2] > a for a, b in scan.creases)]
    assert doubted >= len(creased) > 10 and all(c.confidence <= 0.5 for c in creased)
    assert any(c.confidence > 0.5 for g in unfolded.grids for c in g.cells if c.bbox[2] < min(a for a, _ in scan.creases))
    assert not any(c.startswith("unfolded") for c in prepare(rotate(page, 2.0), 300).corrections)
    assert not any(c.startswith("unfolded") for c in prepare(page, 300).corrections)


def test_a_page_of_a_bound_volume_reads_its_two_line_goals():
    """A bound volume's page bows off the glass (the corpus's ``bent``, its rows sagging 5.9 mm):
    the print in each wide cell runs tilted, and a two-line goal was cut as one line and read
    培训项目预算执行率过%更以，提业务人员能力."""
    page = bent(render(TRAINING, 300), np.random.default_rng(10), 300)
    content, _ = read_image(page, 300, 1, engine("hybrid"))
    goals = [c.text for g in content.grids for c in g.cells if c.text.startswith("培训项目预算")]
    assert goals == ["培训项目预算执行率过99%以上，提高业务人员能力水平，提供更好的服务。"] * 2


def test_a_value_whose_print_runs_past_its_cell_s_box_is_doubted(tesseract):
    """On a bent page the rule found straight stands inside the printed, bowed one: the box cut the
    first glyph of 效益指标(30分), both engines read 益指标(30分) alike, and only the cut tells.
    Here a cell's box is moved right into its first glyph; it alone is doubted."""
    page = render(TRAINING, 300)
    content, scan = read_image(page, 300, 1, tesseract)
    [grid] = [g for g in content.grids if any(c.text == "网格员业务能力培训场次" for c in g.cells)]
    index = next(i for i, c in enumerate(grid.cells) if c.text == "网格员业务能力培训场次")
    cell = grid.cells[index]
    _, ink = cv2.threshold(scan.crop(cell.bbox), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    first_ink_pt = float(np.flatnonzero(ink.max(axis=0))[0]) * scan.points_per_pixel
    x0, y0, x1, y1 = cell.bbox
    grid.cells[index] = replace(cell, bbox=(x0 + first_ink_pt + 4.0, y0, x1, y1))  # into the first glyph
    assert cell_lines(scan.crop(grid.cells[index].bbox)).cut_at_side
    assert not any(cell_lines(scan.crop(c.bbox)).cut_at_side for i, c in enumerate(grid.cells) if i != index)
    extraction = Extraction(DocumentContent(pages=[content], page_count=1), scans={1: scan}, engine_name="tesseract")
    assert doubt_cut_print(extraction) == 1
    assert grid.cells[index].confidence <= 0.5


def test_a_photo_whose_frame_is_not_a_rectangle_is_rectified():
    page = render(TRAINING, 150)
    height, width = page.shape
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    target = np.float32([[width * 0.08, height * 0.04], [width * 0.92, height * 0.07], [width * 0.97, height * 0.96], [width * 0.03, height * 0.94]])
    import cv2

    photo = cv2.warpPerspective(page, cv2.getPerspectiveTransform(source, target), (width, height), borderValue=255)
    corrections = prepare(photo, 150).corrections
    assert corrections and corrections[0].startswith("perspective corrected from the table frame (opposite sides differ by")


def test_a_photo_rectified_keeps_the_title_above_a_short_table(tesseract):
    """The national form's table fills the top half of its page: rectifying the photo to the table's
    frame with a fixed 12% of room above it cut the title off, and the desk around the sheet,
    kept now, is no line of text."""
    page = render(DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf", 300)
    picture = phone_photo(page, np.random.default_rng(sum(map(ord, "photo"))))
    content, scan = read_image(picture, 300, 1, tesseract)
    assert any(c.startswith("perspective corrected") for c in scan.corrections)
    assert [line.text for line in content.lines][:2] == ["项目支出绩效自评表", "(2022年度)"]


# --- every image format -------------------------------------------------------------------------


def test_a_16_bit_png_and_a_webp_are_read(tmp_path):
    import cv2
    from PIL import Image

    page = render(TRAINING, 200)
    cv2.imwrite(str(tmp_path / "scan16.png"), page.astype(np.uint16) * 257)  # 16-bit gray, as scanners write
    Image.fromarray(page).save(tmp_path / "photo.webp", format="WEBP", quality=85)
    for name in ("scan16.png", "photo.webp"):
        source = describe(tmp_path / name, tmp_path)
        assert source.kind == "image"
        ((gray, _dpi),) = image_frames(tmp_path / name)
        assert gray.dtype == np.uint8 and np.abs(gray.astype(int) - page).mean() < 3  # not clipped to white
        extraction = extract(source, ExtractOptions(ocr_engine="tesseract"))
        assert not extraction.content.page_errors
        assert "440307220441502105005" in {c.text for p in extraction.content.pages for g in p.grids for c in g.cells}


def test_a_fax_sent_in_standard_mode_is_read_with_square_pixels(tmp_path):
    """A standard-mode fax is 204 × 98 dpi: read as stored, its text was half its height (40% of
    the fields of real forms read)."""
    from PIL import Image

    page = render(TRAINING, 204)
    squashed = Image.fromarray(page).resize((page.shape[1], round(page.shape[0] * 98 / 204)), Image.Resampling.BOX)
    squashed.point(lambda v: 255 if v > 160 else 0).convert("1").save(tmp_path / "fax.tif", compression="group4", dpi=(204, 98))
    ((gray, dpi),) = image_frames(tmp_path / "fax.tif")
    assert dpi == 204 and abs(gray.shape[0] - page.shape[0]) <= 2 and gray.shape[1] == page.shape[1]
    extraction = extract(describe(tmp_path / "fax.tif", tmp_path), ExtractOptions(ocr_engine="tesseract"))
    assert "440307220441502105005" in {c.text for p in extraction.content.pages for g in p.grids for c in g.cells}


def test_a_page_image_coarser_than_200_dpi_is_read_enlarged(tesseract):
    """A form published as a picture on a web page is ~100 dpi: its 10 pt text ~14 px high. Read
    as it was, 100 dpi pictures of real forms lost 14% of their fields; enlarged, 1%."""
    page = render(TRAINING, 100)
    content, scan = read_image(page, 100, 1, tesseract)
    assert scan.points_per_pixel == pytest.approx(72 / 200) and scan.image.shape[0] == pytest.approx(page.shape[0] * 2, abs=2)
    assert "440307220441502105005" in {c.text for g in content.grids for c in g.cells}


def _png_claiming(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width × height pixels, with a body far too short for that: a
    reader that decodes it fails with a decoding error, one that checks the header first refuses."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))


def test_the_megapixel_limit_is_enforced_before_decoding(tmp_path):
    _png_claiming(tmp_path / "huge.png", 10_000, 10_000)  # 100 megapixels
    with pytest.raises(InputError, match=r"10000×10000 pixels \(100 megapixels\), over the 60-megapixel limit: not decoded"):
        image_frames(tmp_path / "huge.png")


def test_a_pdf_page_too_large_to_render_is_refused_with_a_reason(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp_path / "poster.pdf"), pagesize=(14400, 14400))  # 200 × 200 inches, no text
    canvas.rect(100, 100, 1000, 1000)
    canvas.save()
    extraction = extract(describe(tmp_path / "poster.pdf", tmp_path), ExtractOptions(ocr_engine="tesseract"))
    assert "over the 60-megapixel limit: not rendered" in extraction.content.page_errors[1]
    assert render_dpi(595, 842, 300) == 300 and 100 <= render_dpi(2384, 3370, 300) < 300  # A4 as asked; A0 lowered


# --- numbers you can trust ----------------------------------------------------------------------


def test_line_remnants_are_removed_before_reading(tesseract):
    crop = _text_crop("实施单位")
    crop[:3, :] = 0  # the edge of a ruling line left above the text
    crop[-2:, : crop.shape[1] // 2] = 0  # and a broken one below it
    assert read_cell(tesseract, crop).text == "实施单位"


def test_the_rules_of_a_table_are_erased_and_a_wide_sign_inside_a_cell_is_not():
    """300 dpi: a 2×2 table of 0.5 pt rules, and in one cell the two 14 pt bars of a wide ═ (longer
    than body text's strokes, but none of the table's rulings)."""
    from pipeline.ocr.imagegrid import erase_tables

    page = np.full((800, 1000), 255, np.uint8)
    for y in (100, 300, 500):
        page[y : y + 2, 100:900] = 0
    for x in (100, 500, 900):
        page[100:502, x : x + 2] = 0
    page[390:393, 270:330] = 0
    page[398:401, 270:330] = 0
    points = 72 / 300
    masks = line_masks(page, points)
    tables = group_tables(rulings(masks, points))
    cleaned = erase_tables(page, tables, points, masks)
    assert cleaned[100:102, 100:900].min() == 255 and cleaned[100:502, 500:502].min() == 255  # rules gone
    assert cleaned[390:393, 270:330].max() == 0 and cleaned[398:401, 270:330].max() == 0  # the sign kept


def test_the_cells_of_rows_lower_than_a_rule_must_be_long_are_kept_apart(tmp_path, tesseract):
    """A sheet printed with 11 pt rows: its vertical rules are shorter than the strokes line
    detection keeps, and 主管部门's row read as one cell (施甸县人民政府项目实施单位施甸县农业农村局).
    Glyphs that fill such a row (川, 中 in 10 pt; 标, 情 touching both rules) must not split a cell."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    if not MING.exists():
        pytest.skip("fonts-arphic-uming is not installed")
    for name, path in (("WQY", font), ("MING", MING)):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    rows = [
        ["主管部门", "施甸县人民政府", "项目实施单位", "施甸县农业农村局"],
        ["项目名称", "川中川中川中川", "", ""],
        ["项目类别", "中川中川", "中川中川", "川川"],
        ["目标", "预期目标实际完成情况", "情况"],
    ]
    spans = [[1, 1, 1, 1], [1, 3], [1, 1, 2], [1, 2, 1]]
    sizes = [9, 10, 10, 11.2]  # the last row's text, in a Ming face, as tall as the row: 标 and 情 touch both rules
    left, top, width, height = 60, 700, 120, 11
    canvas = Canvas(str(tmp_path / "tight.pdf"), pagesize=(595, 842))
    canvas.setLineWidth(0.5)
    for r, (texts, widths) in enumerate(zip(rows, spans)):
        y = top - r * height
        canvas.line(left, y, left + 4 * width, y)
        x = left
        for text, span in zip(texts, widths):
            canvas.line(x, y, x, y - height)
            canvas.setFont("WQY" if r < 3 else "MING", sizes[r])
            canvas.drawString(x + 2, y - height + (2 if r < 3 else 1.1), text)
            x += span * width
        canvas.line(x, y, x, y - height)
    canvas.line(left, top - 4 * height, left + 4 * width, top - 4 * height)
    canvas.save()
    page = render(tmp_path / "tight.pdf", 300)
    content, _ = read_image(page, 300, 1, tesseract)
    [grid] = content.grids
    by_row = [[(c.col_span, c.text) for c in sorted(grid.cells, key=lambda c: c.col) if c.row == r] for r in range(4)]
    assert [span for span, _ in by_row[0]] == [1, 1, 1, 1] and "实施" not in by_row[0][1][1] and "实施" in by_row[0][2][1]
    assert [span for span, _ in by_row[1]] == [1, 3] and [span for span, _ in by_row[2]] == [1, 1, 2]
    assert [span for span, _ in by_row[3]] == [1, 2, 1]
    # resampled as a photo's page is when rectified or straightened: its rules blurred a pixel beyond
    # their core, whose fringe joined a cell's side to them (保山's 100 | 自评等级 read as one cell)
    [grid], _ = _grids(cv2.GaussianBlur(page, (0, 0), 0.7), 1, 72 / 300)
    assert [[c.col_span for c in sorted(grid.cells, key=lambda c: c.col) if c.row == r] for r in range(4)] == [[1, 1, 1, 1], [1, 3], [1, 1, 2], [1, 2, 1]]


def test_a_confidently_misread_number_is_caught_by_a_check(tesseract):
    """A mark on the paper turns the 10 of 数量's score into something else for the reader: the
    form must not come out ok, and a check must point at the value."""
    dpi = 200
    parsed = next(p for p in parse_document(read_pdf(TRAINING)) if isinstance(p, ParsedForm))
    page = render(TRAINING, dpi)
    x0, y0, x1, y1 = (int(v * dpi / 72) for v in parsed.provenance["/indicators/0/score"].bbox)
    ys, xs = np.nonzero(page[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4] < 128)
    left, top = x0 + 4 + xs.min(), y0 + 4 + ys.min()
    page[top : top + 3, left - 6 : left + 3] = 0  # a stroke across the top of the 1

    content, scan = read_image(page, dpi, 1, tesseract)
    extraction = Extraction(content=DocumentContent(pages=[content], page_count=1), base_method="ocr", scans={1: scan}, engine_name="tesseract")
    reread_numbers(extraction, [p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)])
    form = build_form(next(p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)), describe(TRAINING, DUMP), 0, "ocr", "tesseract")
    assert form.to_json()["indicators"][0]["score"] != 10  # the reading is wrong ...
    assert form.status == "needs_review"  # ... and caught
    caught = [c for c in form.checks if c.status in ("fail", "warn") and c.rule in ("total_score", "score_within_weight", "low_confidence")]
    assert caught


def test_a_number_the_digits_only_reading_finds_nothing_in_is_read_by_the_other_engine():
    """A lone 1 (a Ming face's on a fax, a score column of 1s; here a sans at 200 dpi) is read as
    nothing by Tesseract told to read digits only, so every such score was doubted (and one Tesseract read 工 kept 工, no
    number, where RapidOCR reads 1). Nothing read is no second opinion: RapidOCR reads the cell in
    its place. Not a cell RapidOCR read first: its reading again would only agree with itself."""
    from pipeline.model.intermediate import Cell, Grid
    from pipeline.ocr.extract import _digits_read_by_the_referee
    from pipeline.ocr.scan import ScanPage, reread_numbers_of

    crop = cv2.copyMakeBorder(_glyph_crop("1", Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 200), 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    scan = ScanPage(page=1, image=crop, points_per_pixel=72 / 200)
    bbox = (0.0, 0.0, crop.shape[1] * 72 / 200, crop.shape[0] * 72 / 200)
    grid = Grid(page=1, bbox=bbox, n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, row_span=1, col_span=1, text="1", bbox=bbox, page=1, confidence=0.67, read_by="tesseract")])
    hybrid = engine("hybrid")
    digits = reread_numbers_of(hybrid.fast, scan, [bbox])
    assert digits[0].text == ""  # Tesseract, digits only, reads nothing ...
    [second] = _digits_read_by_the_referee([(grid, 0, grid.cells[0])], digits, hybrid.strong, scan)
    assert (second.text, second.read_by) == ("1", "rapidocr")  # ... and RapidOCR reads it in its place
    handed_over = replace(grid.cells[0], read_by="rapidocr")
    assert _digits_read_by_the_referee([(grid, 0, handed_over)], digits, hybrid.strong, scan) == digits


def test_numbers_are_read_a_second_time_on_another_binarisation(tesseract):
    from pipeline.ocr.scan import second_view

    crop = _text_crop("13860.00")
    view = second_view(crop)
    assert view.shape[0] > crop.shape[0] and set(np.unique(view)) <= {0, 255}
    assert read_cell(tesseract, view, numeric=True).text == "13860.00"


@pytest.mark.parametrize("kind", ["png16", "cmyk_jpeg", "webp", "heic", "tiff_pages", "rgba_png", "jpeg_in_pdf"])
def test_every_image_kind_decodes_to_the_page(tmp_path, kind):
    """Each format a scanner or a phone writes comes out as the same 8-bit gray page."""
    import cv2
    from PIL import Image

    page = render(TRAINING, 100)
    path = tmp_path / f"page.{kind}"
    if kind == "png16":
        cv2.imwrite(str(path.with_suffix(".png")), page.astype(np.uint16) * 257)
        path = path.with_suffix(".png")
    elif kind == "cmyk_jpeg":
        Image.fromarray(page).convert("CMYK").save(path, format="JPEG", quality=95)
    elif kind == "webp":
        Image.fromarray(page).save(path, format="WEBP", lossless=True)
    elif kind == "heic":
        pillow_heif = pytest.importorskip("pillow_heif")
        pillow_heif.register_heif_opener()
        Image.fromarray(page).convert("RGB").save(path, format="HEIF", quality=95)
    elif kind == "tiff_pages":
        Image.fromarray(page).save(path, format="TIFF", save_all=True, append_images=[Image.fromarray(page[::-1].copy())])
    elif kind == "rgba_png":
        rgba = np.dstack([np.zeros_like(page)] * 3 + [255 - page])  # black ink on a transparent sheet
        Image.fromarray(rgba, "RGBA").save(path, format="PNG")
    elif kind == "jpeg_in_pdf":
        Image.fromarray(page).save(path, format="PDF", resolution=100, quality=95)  # Pillow stores it as JPEG
        document = extract(describe(path, tmp_path), ExtractOptions(ocr="never"))
        assert "no text layer" in document.content.page_errors[1]  # routed to OCR, not read as text
        return
    source = describe(path, tmp_path)
    assert source.kind == "image", source.detail
    frames = image_frames(path)
    assert len(frames) == (2 if kind == "tiff_pages" else 1)
    gray, _dpi = frames[0]
    assert gray.shape == page.shape and np.abs(gray.astype(int) - page).mean() < 4


@pytest.mark.parametrize("text", ["* 得分", "* 实际完成值"])
def test_the_asterisk_of_a_required_column_is_read_by_its_shape(tesseract, text):
    assert read_cell(tesseract, _text_crop(text)).text == text


def test_a_high_small_mark_is_an_asterisk_only_before_text(tesseract):
    assert read_cell(tesseract, _text_crop("得分")).text == "得分"
    assert read_cell(tesseract, _text_crop("+10")).text.lstrip("+") == "10"


def test_a_reading_with_an_unbalanced_bracket_is_doubted():
    from pipeline.ocr.engines import _balanced

    assert _balanced("项目资金（元）") and _balanced("产出(50分)") and _balanced("无括号")
    assert not _balanced("项目资金元)") and not _balanced("项目资金（") and not _balanced(")(")


def test_labels_carrying_a_number_are_not_read_again_as_digits():
    """A caption's weight (预算执行情况(万元)(20分)) points at the caption: a digits-only second reading
    must not replace the caption, its unit and its name with 20."""
    from pipeline.ocr.extract import _needs_reread

    assert not _needs_reread("预算执行情况(万元)(20分)") and not _needs_reread("产出指标(50分)")
    assert _needs_reread("D.0") and _needs_reread("12.5") and _needs_reread("1O分")
    assert not _needs_reread("—") and not _needs_reread("")


@pytest.mark.parametrize("dots", ["……", "…", "......"])
def test_a_row_of_dots_is_the_placeholder_of_an_unfilled_row(tesseract, dots):
    """Both engines read the ellipsis of a template's unfilled row as ``ee`` or ``m……``, which
    keeps the row as an indicator; read by its shape, it is a placeholder the parser drops."""
    assert set(read_cell(tesseract, _text_crop(dots)).text) == {"…"}


def test_a_row_of_dots_blurred_unevenly_by_a_skewed_scan_is_still_a_placeholder():
    """The dots of ……, as a +3° scan printed them (stats measured on the report half's scan):
    one dot spread to 7 px wide, so a gap of 4 px is less than 0.8 of the widest dot. Read as
    text instead, RapidOCR's ``m…`` kept the unfilled row as an indicator and shifted every row
    below it."""
    from pipeline.ocr.engines import ellipsis_dots

    measured = [[131, 27, 5, 5, 25], [141, 26, 6, 6, 28], [152, 27, 5, 5, 24], [165, 26, 6, 6, 28], [175, 27, 7, 5, 28], [186, 26, 6, 6, 28]]
    assert ellipsis_dots([np.array(s) for s in measured], 56) == 6
    touching = [[131, 27, 5, 5, 25], [137, 26, 6, 6, 28], [144, 27, 5, 5, 24]]  # 1 px apart: glyphs, not dots
    assert ellipsis_dots([np.array(s) for s in touching], 56) == 0


@pytest.mark.parametrize("text", ["2074", "100%", "1.5", "00", "三"])
def test_digits_and_stops_are_not_taken_for_an_ellipsis(tesseract, text):
    assert "…" not in read_cell(tesseract, _text_crop(text)).text


def _training_scan(dpi: int = 300) -> Extraction:
    content, scan = read_image(render(TRAINING, dpi), dpi, 1, engine("hybrid"))
    return Extraction(content=DocumentContent(pages=[content], page_count=1), base_method="ocr", scans={1: scan}, engine_name="hybrid")


def test_a_confidently_misread_text_is_read_again_by_the_other_engine():
    """A text value Tesseract misread with high confidence (planted here: 户 for 费, as it reads
    户 for 尸) does not reach the form: RapidOCR reads the cell as printed, a second binarisation
    agrees, and the value comes out as printed; a reading both engines agree on gains confidence."""
    from dataclasses import replace

    from pipeline.ocr.extract import confirm_texts

    extraction = _training_scan()
    grid = extraction.content.pages[0].grids[0]
    name_at = next(i for i, cell in enumerate(grid.cells) if cell.text == "培训经费")
    unit_at = next(i for i, cell in enumerate(grid.cells) if "吉华街道办事处" in cell.text)
    grid.cells[name_at] = replace(grid.cells[name_at], text="培训经户", confidence=0.97, read_by="tesseract")
    grid.cells[unit_at] = replace(grid.cells[unit_at], confidence=0.7, read_by="tesseract")
    unit_text = grid.cells[unit_at].text
    confirm_texts(extraction, [p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)])
    assert grid.cells[name_at].text == "培训经费" and grid.cells[name_at].confidence >= 0.8
    assert grid.cells[unit_at].text == unit_text and grid.cells[unit_at].confidence > 0.7
    form = build_form(next(p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)), describe(TRAINING, DUMP), 0, "ocr", "hybrid")
    assert form.project.name == "培训经费"
    assert form.to_json()["provenance"]["/title"]["confidence"] is not None  # the title line is confirmed too


def test_a_title_line_is_not_read_again_into_no_title():
    """随州's title on a fax: its 績 read 續 by both engines (績效 → 续效) when the line was read again,
    and the line taken so was no title: the form went with it, the file skipped as no form. Planted
    here: the first reading a title, the print 续效. The title stays, doubted; a cell is not held so."""
    from pipeline.model.intermediate import Cell, TextLine
    from pipeline.model.vocabulary import is_form_title
    from pipeline.ocr.extract import DISAGREED_CEILING, _confirm, _text_readers

    crop = _text_crop("项目支出续效自评表")
    readers = _text_readers("hybrid")
    assert not is_form_title(read_cell(readers.second, crop).text)  # both engines read the print's 续效
    title = TextLine(text="项目支出绩效自评表", page=1, bbox=(0.0, 0.0, 200.0, 30.0), confidence=0.93, read_by="tesseract")
    [kept] = _confirm([title], [crop], readers)
    assert kept.text == title.text and kept.confidence is not None and kept.confidence <= DISAGREED_CEILING
    cell = Cell(row=0, col=0, row_span=1, col_span=1, text="项目支出绩效自评表", bbox=(0.0, 0.0, 200.0, 30.0), page=1, confidence=0.93, read_by="tesseract")
    [read_again] = _confirm([cell], [crop], readers)
    assert not is_form_title(read_again.text)


def test_a_value_rapidocr_read_alone_is_read_by_the_other_engine_too():
    """A cell Tesseract doubted line by line is RapidOCR's reading alone; RapidOCR reading it again
    only agrees with itself. Tesseract reads a second binarisation: where it agrees the value is
    confirmed by two engines (before, it kept RapidOCR's confidence unexamined, and a line RapidOCR
    made a character up in went to an ok form)."""
    from dataclasses import replace

    from pipeline.ocr.extract import confirm_texts

    extraction = _training_scan()
    grid = extraction.content.pages[0].grids[0]
    unit_at = next(i for i, cell in enumerate(grid.cells) if "吉华街道办事处" in cell.text)
    grid.cells[unit_at] = replace(grid.cells[unit_at], confidence=0.6, read_by="rapidocr")
    confirm_texts(extraction, [p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)])
    assert grid.cells[unit_at].confidence > 0.8  # the other engine was asked, and agrees


# (RapidOCR's reading of the line, on both its views or on its first only; Tesseract's reading of
# the second view, None: as it reads it; the page enlarged from a coarse picture; flagged)
CONFIRMATIONS = {
    "read as printed, Tesseract agrees": ("printed", "first", None, False, False),
    "misread on its first view": ("misread", "first", None, False, True),
    "a mark dropped on both views": ("misread", "both", "printed", False, True),
    "read alike on both views, Tesseract otherwise": ("printed", "both", "otherwise", False, False),
    "the same on a coarse page": ("printed", "both", "otherwise", True, True),
}


@pytest.mark.parametrize("case", CONFIRMATIONS)
def test_a_line_rapidocr_read_for_tesseract_is_confirmed_by_tesseract_or_flagged(case):
    """A line Tesseract doubted is read by RapidOCR instead, and RapidOCR's reading of a line
    depends on the lines batched with it (padded to the widest): in one batch it read
    支持服务贸易、服务 without its 、 at 0.9998. Asked to confirm the cell, RapidOCR gave that reading
    again, from its memory of the line, and the value went to a form marked ok with the 、 lost.
    Planted here as the engines' readings of the line: Tesseract reads a second binarisation of
    that line, and the value is confirmed where it agrees; where it does not, RapidOCR reading
    that view alike confirms it, but not a mark Tesseract reads and RapidOCR drops (办公宿舍楼、食堂
    read without its 、 at 1.0 on two views), nor anything on a page enlarged from a ~100 dpi
    picture, whose detail both views share (阆 read 间 on both, at 0.94)."""
    from dataclasses import replace

    from pipeline.ocr.engines import cell_lines
    from pipeline.ocr.extract import confirm_texts
    from pipeline.ocr.scan import CELL_MARGIN_PT, second_view

    rapidocr_read, views, tesseract_view, coarse, flagged = CONFIRMATIONS[case]
    extraction = _training_scan()
    extraction.scans[1].coarse = coarse
    grid = extraction.content.pages[0].grids[0]
    goal_at = next(i for i, cell in enumerate(grid.cells) if cell.text.startswith("培训项目预算执行率过99%"))
    printed = grid.cells[goal_at].text
    first, second = cell_lines(extraction.scans[1].crop(grid.cells[goal_at].bbox, CELL_MARGIN_PT)).lines
    hybrid = engine("hybrid")
    first_text, second_text = (r.text for r in hybrid.fast.read_lines([first, second], False))
    assert first_text + second_text == printed
    read = first_text if rapidocr_read == "printed" else first_text.replace("，", "")
    hybrid.fast.memory.put(hybrid.fast.memory.key(first, False), CellReading(first_text.replace("培", "倍"), 0.41, "tesseract"))
    hybrid.strong.memory.put(hybrid.strong.memory.key(first, False), CellReading(read, 0.9998, "rapidocr"))
    if views == "both":
        hybrid.strong.memory.put(hybrid.strong.memory.key(second_view(first), False), CellReading(read, 0.9995, "rapidocr"))
    if tesseract_view is not None:
        seen = first_text if tesseract_view == "printed" else first_text.replace("训", "川")
        hybrid.fast.memory.put(hybrid.fast.memory.key(second_view(first), False), CellReading(seen, 0.9, "tesseract"))
    grid.cells[goal_at] = replace(grid.cells[goal_at], text=read + second_text, confidence=0.9, read_by="rapidocr+tesseract")
    confirm_texts(extraction, [p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)])
    hybrid.forget()
    if flagged:
        assert grid.cells[goal_at].confidence <= 0.5
    else:
        assert grid.cells[goal_at].confidence > 0.9


def test_a_text_two_engines_read_differently_sends_the_form_to_review():
    """When no two readings agree, the value is flagged (confidence ≤ 0.5) and the form goes to
    review with the value's pointer in the low_confidence check — never a silent pick."""
    from dataclasses import replace

    from pipeline.ocr.extract import confirm_texts

    extraction = _training_scan()
    grid = extraction.content.pages[0].grids[0]
    name_at = next(i for i, cell in enumerate(grid.cells) if cell.text == "培训经费")
    bbox = grid.cells[name_at].bbox
    scan = extraction.scans[1]
    x0, y0, x1, y1 = (int(v / scan.points_per_pixel) for v in bbox)
    scan.image[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4] = 255  # what the first reading saw is not what the others see
    grid.cells[name_at] = replace(grid.cells[name_at], confidence=0.97, read_by="tesseract")
    confirm_texts(extraction, [p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)])
    assert grid.cells[name_at].confidence <= 0.5
    form = build_form(next(p for p in parse_document(extraction.content) if isinstance(p, ParsedForm)), describe(TRAINING, DUMP), 0, "ocr", "hybrid")
    assert form.status == "needs_review"
    check = next(c for c in form.checks if c.rule == "low_confidence")
    assert check.status == "warn" and "/project/name" in check.message


# --- reading each line once ----------------------------------------------------------------------


def _line(text: str) -> np.ndarray:
    crop = _text_crop(text)
    rows = np.flatnonzero((crop < 128).any(axis=1))
    cols = np.flatnonzero((crop < 128).any(axis=0))
    return np.pad(crop[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], 12, constant_values=255)


def test_a_number_and_a_text_are_one_rapidocr_reading_without_spaces():
    rapid = engine("rapidocr")
    line = _line("12 345.6")
    text, number = rapid.read_lines([line], False)[0], rapid.read_lines([line], True)[0]
    assert number.text == text.text.replace(" ", "") and "12" in number.text


def test_an_engine_forgets_what_it_read_when_a_file_begins(tesseract):
    line = _line("培训经费")
    first = tesseract.read_lines([line], False)[0]
    assert tesseract.read_lines([line], False)[0] == first  # remembered: the same reading
    tesseract.forget()
    assert tesseract.read_lines([line], False)[0] == first  # read anew: the same pixels read the same


def test_component_boxes_are_the_boxes_of_the_connected_components():
    import cv2

    from pipeline.ocr.imagegrid import component_boxes

    masks = line_masks(render(TRAINING, 200), 72 / 200)
    ring = np.zeros((60, 60), np.uint8)
    cv2.rectangle(ring, (5, 5), (50, 50), 255, 2)
    ring[25:28, 25:28] = 255  # a component inside another's hole
    for mask in (masks.horizontal, masks.vertical, ring):
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        expected = sorted((int(s[1]), int(s[0]), int(s[2]), int(s[3])) for s in stats[1:count])
        assert [(y, x, w, h) for x, y, w, h in component_boxes(mask)] == expected


SONG = Path("/usr/share/fonts/truetype/arphic/uming.ttc")


@pytest.mark.skipif(not SONG.exists(), reason="fonts-arphic-uming is not installed")
def test_a_title_in_a_song_face_is_read_as_one_line_in_order(tmp_path):
    """A 14 pt Song title's full-width brackets leave gaps wider than the dilation bridges: read
    piece by piece it came out as （网格）项目支出绩效自评表, its project name lost, in a form marked ok."""
    from sample_files import pdf as sample_pdf
    from sample_files.specs import printed_pdfs

    drawn_with = sample_pdf.FONT
    try:
        sample_pdf.register_font()
        sample_pdf.use_font("ARPLUMingCN", SONG)
        sample_pdf.write_pdf(tmp_path / "song.pdf", printed_pdfs()["2022/单表/培训经费.pdf"])
    finally:
        sample_pdf.FONT = drawn_with
    content, _ = read_image(render(tmp_path / "song.pdf", 300), 300, 1, engine("hybrid"))
    titles = [line for line in content.lines if "自评表" in line.text]
    assert len(titles) == 1 and unicodedata.normalize("NFKC", titles[0].text) == unicodedata.normalize("NFKC", "培训经费（网格）项目支出绩效自评表")


def test_pieces_of_one_row_are_joined_and_items_apart_stay_apart():
    title = [(100, 40, 60, 20), (165, 41, 50, 19), (222, 40, 120, 20)]  # 培训经费 | （网格） | 项目支出绩效自评表
    assert joined_on_rows(title) == [(100, 40, 242, 20)]
    apart = [(40, 80, 100, 12), (400, 80, 80, 12)]  # 填报单位：… and 金额单位：元 on one row
    assert joined_on_rows(apart) == apart
    stacked = [(100, 40, 200, 20), (100, 64, 200, 20)]  # two lines of a note
    assert joined_on_rows(stacked) == stacked


def test_rapidocr_reads_alike_on_openvino_and_on_onnxruntime(monkeypatch):
    """OpenVINO runs RapidOCR's own ONNX recogniser (nothing downloaded); onnxruntime is the
    fallback. The two runtimes must read the same lines the same: the accuracy figures were
    measured on one of them."""
    from pipeline.ocr.engines import PAD, RapidOcrEngine

    lines = [cv2.copyMakeBorder(_text_crop(text), PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255) for text in ("项目资金（万元）", "≥95%", "2022年11月", "受春季干旱影响部分茶园减产")]
    readings = {}
    for runtime in ("openvino", "onnxruntime"):
        monkeypatch.setenv("ZPEF_RAPIDOCR_RUNTIME", runtime)
        reader = RapidOcrEngine()
        session = type(reader._ocr._load_rec_model().session).__name__
        assert session == {"openvino": "OpenVINOInferSession", "onnxruntime": "OrtInferSession"}[runtime]
        readings[runtime] = [r.text for r in reader.read_lines(lines, False)]
    assert readings["openvino"] == readings["onnxruntime"]
    assert readings["openvino"][2] == "2022年11月"


def test_the_engines_the_command_line_offers_are_the_engines_there_are():
    """``--ocr-engine`` takes its choices from the light options module, not from the engines."""
    assert sorted(ENGINES) == sorted(ENGINE_NAMES)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None, reason="LibreOffice and poppler make this scan (make system-deps installs them)")
def test_a_flat_scan_of_tight_rows_is_not_warped_and_its_print_is_not_cut(tmp_path):
    """A real form of eval/'s dev half (隆阳, Baoshan 20 + 80) typed in Word on a landscape page,
    where the glyphs of each row come within a point of its rules, scanned at 300 dpi in grey.
    Lines of text beside the rules made short slanted "lines" that failed the parallel test, so the
    flat page was warped by 4.5%; and the cell margin cut the top bar of 二 off: 二级指标 read
    一级指标, 得分 read 侍分, and the whole indicator table was lost."""
    sys.path.insert(0, str(REPO / "scripts"))
    import eval_spec
    import make_eval

    spec = eval_spec.load("yn-longyang-huafei")
    make_eval.write_docx(spec, make_eval.STYLES[4], tmp_path / "form.docx")
    make_eval.soffice_to_pdf([tmp_path / "form.docx"], tmp_path)
    dump = tmp_path / "dump"
    dump.mkdir()
    make_eval.scan_pdf(tmp_path / "form.pdf", dump / "form.pdf")
    extraction = extract(describe(dump / "form.pdf", dump), ExtractOptions())
    assert not any("perspective" in c for page in extraction.content.pages for c in page.corrections)
    [form] = [f for f in parse_document(extraction.content) if isinstance(f, ParsedForm)]
    expected = eval_spec.load_expected("yn-longyang-huafei")["indicators"]
    assert [(i.level1, i.level2, i.score) for i in form.indicators] == [(e["level1"], e["level2"], e["score"]) for e in expected]


def _sheet(size: tuple[int, int]):
    """A white page to draw print on in WenQuanYi Micro Hei at 42 px (10 pt at 300 dpi)."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font_path.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    sheet = Image.new("L", size, 255)
    return sheet, ImageDraw.Draw(sheet), ImageFont.truetype(str(font_path), 42)


@pytest.mark.parametrize("gap_px", [2, 4])
def test_a_cell_crop_keeps_print_that_comes_within_the_margin_of_its_rule(tesseract, gap_px):
    """Tight rows: the top bar of 二 two to four pixels under the (erased) rule, inside the 1.2 pt
    (5 px) margin trimmed off a cell. Cut off, 二级指标 is read 一级指标. A rule's remnant running
    along the side is still trimmed."""
    from pipeline.ocr.engines import read_cells
    from pipeline.ocr.scan import ScanPage

    sheet, draw, font = _sheet((600, 160))
    top_of_ink = draw.textbbox((0, 0), "二级指标", font=font)[1]
    draw.text((120, 40 + gap_px - top_of_ink), "二级指标", font=font, fill=0)
    image = np.asarray(sheet).copy()
    page = ScanPage(page=1, image=image, points_per_pixel=72 / 300)
    bbox = tuple(v * 72 / 300 for v in (20, 40, 580, 100))
    crop = page.crop(bbox)
    assert (crop < 128).sum() == (image[40:100, 20:580] < 128).sum()  # no ink cut off
    assert read_cells(tesseract, [crop])[0].text == "二级指标"
    below = tuple(v * 72 / 300 for v in (20, 100, 580, 150))  # an empty cell under it
    image[101:103, 20:580] = 0  # with a remnant of its rule along the whole top
    image[103:106, 300:302] = 0  # and a speck hanging from it into the cell
    assert page.crop(below).shape == (40, 550)  # is trimmed by the whole margin: a remnant is no print


def test_a_page_holding_only_a_table_s_last_row_is_read(tesseract):
    """A page break can send a form's 总分 row on alone: one ruled row of four cells on a page. It
    was no table (two rows were needed), so the total was lost; a box of one or two cells (a
    framed title, a stamp) is still none."""
    from PIL import ImageFont

    sheet, draw, font = _sheet((2480, 3508))  # A4 at 300 dpi
    edges = [200, 1500, 1800, 2050, 2280]
    draw.rectangle((edges[0], 300, edges[-1], 380), outline=0, width=4)
    for x in edges[1:-1]:
        draw.line((x, 300, x, 380), fill=0, width=4)
    for (x0, x1), text in zip(zip(edges, edges[1:]), ["总分", "100", "96", "优"]):
        draw.text(((x0 + x1) / 2, 340), text, font=font, fill=0, anchor="mm")
    draw.rectangle((800, 1000, 1600, 1100), outline=0, width=4)  # a framed line of text
    draw.text((1200, 1050), "附件", font=font, fill=0, anchor="mm")
    if MING.exists():  # the strokes of a bold Ming title's glyphs make a small 1 × 4 grid: no table
        title = ImageFont.truetype(str(MING), 90)
        draw.text((1240, 150), "2022年度项目支出绩效自评表", font=title, fill=0, anchor="mm", stroke_width=2, stroke_fill=0)
    content, _ = read_image(np.asarray(sheet), 300, 1, tesseract)
    [grid] = content.grids
    assert (grid.n_rows, grid.n_cols) == (1, 4)
    assert [c.text for c in sorted(grid.cells, key=lambda c: c.col)] == ["总分", "100", "96", "优"]


def test_a_dash_opening_a_line_at_the_crop_s_side_is_print_and_a_stub_of_rule_is_not(tesseract):
    """一是通过… left-aligned in a tight sheet cell: the 一 touches the crop's left side and was
    painted out as a rule's remnant (read 是通过…). A stroke at the side with print on its rows is
    a character; a stub with nothing beside it is still a remnant."""
    from pipeline.ocr.engines import read_cells, remove_line_remnants

    sheet, draw, font = _sheet((700, 150))
    draw.text((20, 20), "一是通过政府招标", font=font, fill=0)
    page = np.asarray(sheet)
    crop = page[:, np.flatnonzero((page < 128).any(axis=0))[0] + 1 :].copy()  # its first column under the margin
    crop[110:114, 0:40] = 0  # a stub of a rule at the side, alone on its rows
    ink = (crop < 128).astype(np.uint8) * 255
    cleaned, _, _ = remove_line_remnants(crop, ink)
    assert (cleaned[110:114, 0:40] == 255).all()
    assert read_cells(tesseract, [crop])[0].text == "一是通过政府招标"


def test_upright_strokes_in_a_crop_as_tight_as_its_glyphs_are_print(tesseract):
    """A low row of a 100 dpi page, cropped: the glyphs reach the crop's top, and the strokes of 川
    and of 1 touching it were painted out as a rule's remnants (银川市教育局 read 银市教育局 by
    both engines, at confidence 1). With print either side they are print; a rule's remnant
    from edge to edge between the words is still painted out."""
    from pipeline.ocr.engines import read_cells, remove_line_remnants

    sheet, draw, font = _sheet((700, 120))
    draw.text((20, 30), "银川市 1100", font=font, fill=0)
    page = np.asarray(sheet)
    rows = np.flatnonzero((page < 128).any(axis=1))
    crop = page[rows[0] : rows[-1] + 3].copy()  # the glyphs' tops on the crop's top edge
    ink = (crop < 128).astype(np.uint8) * 255
    cleaned, _, _ = remove_line_remnants(crop, ink)
    assert np.array_equal(cleaned, crop)
    assert read_cells(tesseract, [crop])[0].text.replace(" ", "") == "银川市1100"
    ruled = crop.copy()
    gap = np.flatnonzero((crop < 128).any(axis=0))
    between = int(gap[np.argmax(np.diff(gap))]) + 4  # in the space before 1100
    ruled[:, between : between + 2] = 0
    cleaned, _, _ = remove_line_remnants(ruled, (ruled < 128).astype(np.uint8) * 255)
    assert (cleaned[:, between : between + 2] == 255).all()


def _table_ruled(path: Path, dash: tuple[float, float] | None, rows: int = 4, cols: int = 5) -> Path:
    """A one-page PDF of a ``rows`` × ``cols`` table of 0.5 pt rules drawn with ``dash`` (on, off
    in points; None: solid), as a sheet printed with dashed or dotted borders is."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(595, 842))
    canvas.setLineWidth(0.5)
    if dash is not None:
        canvas.setDash(*dash)
    left, top, width, height = 60, 700, 95, 24
    for r in range(rows + 1):
        canvas.line(left, top - r * height, left + cols * width, top - r * height)
    for c in range(cols + 1):
        canvas.line(left + c * width, top, left + c * width, top - rows * height)
    canvas.save()
    return path


@pytest.mark.parametrize("dash", [(3, 1), (0.5, 1)], ids=["dashed", "dotted"])
def test_a_table_ruled_with_dashed_or_dotted_borders_is_found(tmp_path, dash):
    """A sheet printed with dashed or dotted borders and scanned: no piece of its rules is as long
    as a rule must be, and no table was found on the page (0% of its fields)."""
    page = render(_table_ruled(tmp_path / "dashed.pdf", dash), 300)
    points = 72 / 300
    [table] = group_tables(rulings(line_masks(page, points), points))
    grid = table_grid(table, 1)
    assert (grid.n_rows, grid.n_cols) == (4, 5) and len(grid.cells) == 20
    # the dotted rules are a printed border, not a copier's streak of grey dots: they stay
    prepared = prepare(page, 300)
    assert not any("grey dots" in c for c in prepared.corrections)
    assert len(group_tables(rulings(line_masks(prepared.gray, points), points))) == 1


_LEFT, _WIDTH = 60, 95  # the 5-column tables of _hei_table_page, in points


def _hei_font() -> str:
    """WenQuanYi Micro Hei registered with reportlab; its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    if "cell-hei" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("cell-hei", str(font), subfontIndex=0))
    return "cell-hei"


def _hei_table_page(dash: tuple[float, float], rows: list[float], merged: set[int], text: tuple[float, float, str, float]) -> np.ndarray:
    """A 300 dpi page of a 5-column table of 0.5 pt rules drawn with ``dash``, its rows' rules at
    ``rows`` (points from the page's foot); the column rules in ``merged`` begin below the first
    row, merging its cells. ``text`` is (x, y, string, size), drawn in WenQuanYi Micro Hei."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    font = _hei_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    canvas.setLineWidth(0.5)
    canvas.setDash(*dash)
    for y in rows:
        canvas.line(_LEFT, y, _LEFT + 5 * _WIDTH, y)
    for c in range(6):
        canvas.line(_LEFT + c * _WIDTH, rows[1] if c in merged else rows[0], _LEFT + c * _WIDTH, rows[-1])
    canvas.setDash()
    x, y, string, size = text
    canvas.setFont(font, size)
    canvas.drawString(x, y, string)
    canvas.save()
    return render_bytes(buffer.getvalue(), 300)


@pytest.mark.parametrize("size", [10.5, 12])
@pytest.mark.parametrize("dash", [(3, 1), (0.5, 1)], ids=["dashed", "dotted"])
def test_a_low_row_ruled_dashed_keeps_its_sides_and_no_stroke_splits_its_merged_cell(size, dash):
    """A row as low as its text, on a page of dashed or dotted rules. Its sides, shorter than a
    rule must be once the crossings' corners are left out, were lost with the row. And the middle
    stroke of 川 (8 pt of an 11 pt face), bridged to the dots of the rules above and below it, was
    taken for a dotted rule: the merged cell split there and 银川市教育局 was read 银川."""
    rows = [700.0, 700 - (size + 1.5)]
    rows += [rows[-1] - 24 * k for k in (1, 2, 3)]
    # no rule between columns 2 and 3 in the first row: a merged cell, 川 across where the rule would be
    page = _hei_table_page(dash, rows, {3}, (_LEFT + 2 * _WIDTH + 60, rows[1] + 2.2, "银川市教育局", size))
    points = 72 / 300
    [table] = group_tables(rulings(line_masks(page, points), points))
    grid = table_grid(table, 1)
    assert (grid.n_rows, grid.n_cols, len(grid.cells)) == (4, 5, 19)
    assert [(c.col, c.col_span) for c in grid.cells if c.row == 0] == [(0, 1), (1, 1), (2, 2), (4, 1)]


@pytest.mark.parametrize("lift", [2.5, 3.0])
def test_a_comma_over_where_a_dotted_rule_ends_is_not_erased_with_it(lift):
    """A column's dotted rule ends at the row above it, a merged row whose text has a comma just
    over that end: the comma, as thin as a dot, was taken into the rule and erased with it
    (提高医疗保障水平,推进… read without its comma, at confidence 1)."""
    from reportlab.pdfbase import pdfmetrics

    rows = [700.0, 687, 663, 639, 615]
    column = _LEFT + 3 * _WIDTH
    start = column - pdfmetrics.stringWidth("提高医疗保障水平", _hei_font(), 10.5) - 0.3  # the comma over the rule's end
    # the first row merged across the table: the inner rules begin below it
    page = _hei_table_page((0.5, 1), rows, {1, 2, 3, 4}, (start, rows[1] + lift, "提高医疗保障水平,推进了", 10.5))
    scale = 300 / 72
    top, bottom = round((842 - rows[0]) * scale) + 4, round((842 - rows[1]) * scale) - 4
    comma = slice(round(column * scale) - 8, round(column * scale) + 8)
    assert page[top:bottom, comma].min() < 100  # the comma is printed there
    points = 72 / 300
    assert not line_masks(page, points).vertical[top:bottom, comma].any()  # and is no part of the rule below it
    [table] = group_tables(rulings(line_masks(page, points), points))
    assert (table_grid(table, 1).n_rows, table_grid(table, 1).n_cols) == (4, 5)


def test_light_specks_in_rows_are_no_dashed_rule():
    """A phone photo's desk, binarised, is specks in rows by chance: they made rules around the
    page that moved its frame (a form read 116 of 155 fields). Printed dashes are dark and close."""
    rng = np.random.default_rng(7)
    page = np.full((1200, 1600), 255, np.uint8)
    desk = rng.integers(185, 240, size=page.shape).astype(np.uint8)  # a light grey grain
    page[:, :400] = desk[:, :400]
    sparse = rng.random(page.shape) < 0.02  # dark specks, scattered
    page[:, 1200:][sparse[:, 1200:]] = 40
    masks = line_masks(page, 72 / 300)
    assert not masks.horizontal.any() and not masks.vertical.any()


def _low_row_under_a_stroke(lift: float) -> np.ndarray:
    """A 300 dpi page of a table whose first row, 13 pt high, holds 水旱灾害防御经费 in 12 pt
    Ming, ``lift`` points above the row's bottom rule: the stroke of 水 reaches the rule above."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if not MING.exists():
        pytest.skip(f"{MING.name} is not installed (make system-deps)")
    if "cell-uming" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("cell-uming", str(MING), subfontIndex=0))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    canvas.setLineWidth(0.5)
    left, top, row = 60, 700, 13
    columns = [left, left + 100, left + 260, left + 340, left + 480]
    for r in range(4):
        canvas.line(left, top - r * row, columns[-1], top - r * row)
    for x in (columns[0], columns[1], columns[-1]):
        canvas.line(x, top, x, top - 3 * row)
    for x in columns[2:-1]:
        canvas.line(x, top - row, x, top - 3 * row)
    canvas.setFont("cell-uming", 12)
    canvas.drawString(columns[1] + 150, top - row + lift, "水旱灾害防御经费")
    canvas.save()
    return render_bytes(buffer.getvalue(), 300)


@pytest.mark.parametrize("lift", [2.0, 2.5, 3.0])
def test_a_characters_stroke_touching_a_rule_splits_no_cell(lift):
    """In a row as low as its text, the upright stroke of 水 touched the rule above it and,
    lengthened by the rule, was taken for a rule: the project name's cell split in two and the
    name was read ``7`` in a form marked ok."""
    points = 72 / 300
    [table] = group_tables(rulings(line_masks(_low_row_under_a_stroke(lift), points), points))
    grid = table_grid(table, 1)
    assert (grid.n_rows, grid.n_cols, len(grid.cells)) == (3, 4, 10)
    [name] = [c for c in grid.cells if c.row == 0 and c.col == 1]
    assert name.col_span == 3


def test_the_dark_glass_round_a_sheet_scanned_with_the_lid_open_is_no_table_and_no_streak():
    """Scanned with the lid open, the glass round the sheet is near-black: evened, its grain was
    dots everywhere (a copier's streak the page's width, whose removal took 万元 out of a form
    marked ok), and the paper's edge a frame taken for the table's outer rules."""
    from make_scan_corpus import lid_open

    page = render(DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf", 300)
    scanned = lid_open(page, np.random.default_rng(sum(map(ord, "lid_open"))))
    prepared = prepare(scanned, 300)
    assert not any("grey dots" in c for c in prepared.corrections)
    points = 72 / 300
    grids, _ = _grids(prepared.gray, 1, points)
    height, width = (side * points for side in prepared.gray.shape)
    assert len(grids) == 1 and grids[0].bbox[0] > 36 and grids[0].bbox[2] < width - 36 and grids[0].bbox[3] < height * 0.6
    assert any(c.startswith("dark round the paper made white") for c in prepared.corrections)
    # a page with no dark round it is left as it is
    assert prepare(page, 300).corrections == []


def test_a_frame_round_a_small_table_is_no_table_of_its_own():
    """A photographed sheet's shaded edge, with stubs on it, made a 1 × 3 "table" round the small
    table on a form's last page: its cell, read as text, held all the table's print and gave
    indicators made of it (濉溪's page 2). The frame goes; the table inside stays."""
    page = np.full((1800, 2400), 255, np.uint8)
    cv2.rectangle(page, (100, 100), (2300, 1700), 60, 4)  # the sheet's edge
    for x in (200, 2200):
        cv2.line(page, (x, 100), (x, 1700), 60, 4)  # and lines down it: a frame of three cells
    for y in (400, 470, 600):
        cv2.line(page, (300, y), (2100, y), 0, 3)
    for x in (300, 900, 1500, 2100):
        cv2.line(page, (x, 400), (x, 600), 0, 3)
    points = 72 / 300
    grids, _ = _grids(page, 1, points)
    assert [(g.n_rows, g.n_cols) for g in grids] == [(2, 3)]
    assert grids[0].bbox[0] == pytest.approx(300 * points, abs=3)


def _cut_rows_page(title: str | None) -> np.ndarray:
    """A form's last page photographed alone: only the rest of an indicator's name, cut by the
    page break, in a row of seven cells at the top; ``title`` above it, or nothing."""
    canvas, buffer = _samples_font_canvas(842, 595)
    if title is not None:
        canvas.setFont("WQY", 16)
        canvas.drawString(340, 540, title)
    canvas.setLineWidth(0.8)
    left, right, top, bottom = 60, 780, 520, 470
    for y in (top, bottom):
        canvas.line(left, y, right, y)
    for i in range(8):
        x = left + i * (right - left) / 7
        canvas.line(x, top, x, bottom)
    canvas.setFont("WQY", 10)
    for j, piece in enumerate(("区内公众食", "品安全科普", "知识素养")):
        canvas.drawString(left + 3 * (right - left) / 7 + 8, top - 14 - 13 * j, piece)
    canvas.save()
    return render_bytes(buffer.getvalue(), 300)


def test_a_scanned_page_whose_table_has_nothing_above_it_may_go_on_a_form(tmp_path, tesseract):
    """A row cut by a page break leaves its page only the rest of an indicator's name: no level,
    no 总分. Skipped as no form, the name's first part went out alone (安居's 指标2:辖). A page so
    scanned, its table with nothing printed above it, is a form's later page to read on; one with
    a title over its table is no form."""
    from PIL import Image

    from pipeline.run.unit import process_file

    for name, title in (("2.png", None), ("支出明细.png", "支出明细表")):
        Image.fromarray(_cut_rows_page(title)).save(tmp_path / name, dpi=(300, 300))
    cut = process_file(describe(tmp_path / "2.png", tmp_path), ExtractOptions(ocr_engine="tesseract"))
    assert (cut.status, cut.reason) == ("needs_review", "continuation_page")
    assert "a scanned table with nothing printed above it on page 1" in cut.message
    titled = process_file(describe(tmp_path / "支出明细.png", tmp_path), ExtractOptions(ocr_engine="tesseract"))
    assert (titled.status, titled.reason) == ("skipped", "not_a_form")


def _two_lines_close(first: str, second: str | None, leading: float) -> np.ndarray:
    """A cell's crop: ``first`` over ``second`` at 12 pt, ``leading`` pt apart, as a photo blurs them."""
    canvas, buffer = _samples_font_canvas(150, 50)
    canvas.setFont("WQY", 12)
    canvas.drawString(8, 30, first)
    if second is not None:
        canvas.drawString(8, 30 - leading, second)
    canvas.save()
    return cv2.GaussianBlur(render_bytes(buffer.getvalue(), 300), (0, 0), 1.6)


def test_two_lines_of_a_cell_that_touch_are_read_as_two():
    """On a photo, the rows between a cell's two lines kept a few pixels of ink: the lines were one
    image, and the recogniser read its first line alone (企业把握政治导向和, at 0.83, for
    企业把握政治导向和文化方向情况). A line parts at its faintest row; one line, and one glyph of two
    parts (是), stay whole."""
    from pipeline.ocr.engines import cell_lines

    touching = _two_lines_close("企业把握政治导向和", "文化方向情况", 11)
    _, ink = cv2.threshold(touching, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = ink[:, ink.max(axis=0) > 0].max(axis=1)
    top, bottom = np.flatnonzero(rows)[[0, -1]]
    assert rows[top : bottom + 1].all()  # no row of white between the lines
    assert len(cell_lines(touching).lines) == 2
    assert len(cell_lines(_two_lines_close("企业把握政治导向和", None, 0)).lines) == 1
    assert len(cell_lines(_two_lines_close("是", None, 0)).lines) == 1


def test_a_short_line_is_cut_to_its_print_not_the_paper_beside_it():
    """A cell's last line, 务。, was cut as wide as the line above it: the paper after it, a photo's
    grain, was read by RapidOCR as a row of kana (务。ンをあたなのなああ…). Each line is cut to its
    print, with half a line's height of paper either side."""
    from pipeline.ocr.engines import PAD, cell_lines

    crop = _two_lines_close("全年救助建档立卡扶贫户", "务。", 16)
    grain = np.random.default_rng(3).normal(0, 6, crop.shape)
    lines = cell_lines(np.clip(crop + grain, 0, 255).astype(np.uint8)).lines
    assert len(lines) == 2
    height = lines[1].shape[0] - 2 * PAD
    assert lines[1].shape[1] - 2 * PAD <= 2 * height + height  # two glyphs and the margins, not the line above's width
    assert lines[0].shape[1] > 3 * lines[1].shape[1]


def _faded(page: np.ndarray, darkness: float = 0.45) -> np.ndarray:
    """A light copy: print at ``darkness`` of its grey on greyish paper, with noise."""
    light = (255 - (255 - page.astype(np.float32)) * darkness) * 0.93 + np.random.default_rng(5).normal(0, 5, page.shape)
    return np.clip(light, 0, 255).astype(np.uint8)


def test_faded_print_is_darkened_and_read_as_the_clean_page_is(tesseract):
    """A light copy's print is grey (here ~165 on paper 237), which the steps after took for paper:
    read as it was, 59 of the page's 144 cells read as on the clean page."""
    page = render(TRAINING, 200)
    assert not any("faded" in c for c in prepare(page, 200).corrections)  # dark print is left as it is
    faded = _faded(page, 0.3)
    (note,) = [c for c in prepare(faded, 200).corrections if "faded" in c]
    assert note.startswith("faded print darkened")
    clean, _ = read_image(page, 200, 1, tesseract)
    read, _ = read_image(faded, 200, 1, tesseract)
    cells = [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in clean.grids for c in g.cells]
    faded_cells = [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in read.grids for c in g.cells]
    assert len(faded_cells) == len(cells)
    same = sum(a[2] == b[2] for a, b in zip(cells, faded_cells))
    assert same >= 0.95 * len(cells)


def test_two_pages_side_by_side_in_one_image_are_read_left_page_first(tesseract):
    """An A3 scan of a bound volume holds two pages: read top to bottom across both, their rows
    were mixed and the indicators of the right page lost."""
    pdf = DUMP / "2022" / "单表" / "网格管理事务.pdf"
    pages = [render(pdf, 200, i) for i in range(2)]
    height = max(p.shape[0] for p in pages)
    spread = np.hstack([np.pad(p, ((0, height - p.shape[0]), (0, 0)), constant_values=255) for p in pages])
    content, scan = read_image(spread, 200, 1, tesseract)
    assert any(c.startswith("two pages side by side") for c in scan.corrections)
    (together,) = parse_document(DocumentContent(pages=[content]))
    (apart,) = parse_document(DocumentContent(pages=[read_image(p, 200, n, tesseract)[0] for n, p in enumerate(pages, 1)]))
    assert isinstance(together, ParsedForm) and isinstance(apart, ParsedForm)
    assert len(apart.indicators) >= 8
    assert [(i.level1, i.name, i.score) for i in together.indicators] == [(i.level1, i.name, i.score) for i in apart.indicators]
    assert together.pages == [1] and {where.page for where in together.provenance.values()} == {1}  # the file's page
    # one page alone, however wide, is not divided
    _, alone = read_image(landscape_sheet(pages[0]), 200, 1, tesseract)
    assert not any(c.startswith("two pages side by side") for c in alone.corrections)


def _with_show_through(page: np.ndarray, back: np.ndarray, strength: float = 0.22) -> np.ndarray:
    """The back's print seen through thin paper: mirrored, blurred, light, on greyish paper."""
    height, width = page.shape
    mirrored = cv2.GaussianBlur(np.ascontiguousarray(back[:height, :width][:, ::-1]), (0, 0), 1.2)
    ghost = 255 - (255 - mirrored.astype(np.float32)) * strength
    paper = 240 + np.random.default_rng(9).normal(0, 3, page.shape)
    return np.clip(np.minimum(np.minimum(page.astype(np.float32), ghost), paper), 0, 255).astype(np.uint8)


def test_the_backs_print_seen_through_thin_paper_is_taken_out(tesseract):
    """Show-through of the back's table: its rules were taken for this side's and its characters
    read into empty cells."""
    page = render(TRAINING, 300)
    back = render(DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf", 300)
    assert not any("show-through" in c for c in prepare(page, 300).corrections)
    seen_through = _with_show_through(page, back)
    assert any(c.startswith("show-through of the back taken out") for c in prepare(seen_through, 300).corrections)
    clean, _ = read_image(page, 300, 1, tesseract)
    read, _ = read_image(seen_through, 300, 1, tesseract)
    cells = [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in clean.grids for c in g.cells]
    assert [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in read.grids for c in g.cells] == cells


def _with_pen_marks(page: np.ndarray, places: list[tuple[int, int]]) -> np.ndarray:
    """A reader's red ticks and blue circles over a gray page, as a colour scan (ink over toner:
    the print under a stroke stays black)."""
    pen = np.full((*page.shape, 3), 255, np.uint8)
    for k, (x, y) in enumerate(places):
        if k % 2:
            cv2.ellipse(pen, (x, y), (70, 32), 10.0, 0, 330, (30, 50, 190), 4, cv2.LINE_AA)
        else:
            cv2.polylines(pen, [np.array([[x - 30, y], [x - 10, y + 25], [x + 40, y - 35]], np.int32)], False, (200, 30, 40), 5, cv2.LINE_AA)
    return (page[:, :, None].astype(np.uint16) * pen // 255).astype(np.uint8)


def test_red_and_blue_pen_marks_over_the_table_are_taken_out(tesseract):
    """A reader's ticks and circles over the table were dark in gray: they cut rules, split cells
    and were read into values (real forms marked a dozen times a page: 53% of fields read)."""
    page = render(TRAINING, 300)
    clean, _ = read_image(page, 300, 1, tesseract)
    cells = [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in clean.grids for c in g.cells]
    # on the rules and over values: the corners of cells with text, a pen's width off the rule
    places = [(round(c.bbox[0] * 300 / 72), round(c.bbox[3] * 300 / 72)) for g in clean.grids for c in g.cells if c.text][5::9]
    marked = _with_pen_marks(page, places)
    gray, note = without_seals(marked, 300)
    assert note is not None and "pen marks over the print taken out" in note
    read, _ = read_image(marked, 300, 1, tesseract)
    assert [(round(c.bbox[0]), round(c.bbox[1]), c.text) for g in read.grids for c in g.cells] == cells
    assert without_seals(np.repeat(page[:, :, None], 3, axis=2), 300)[1] is None  # no pen, no note


def test_a_pen_circle_beside_a_value_is_not_read_into_it(tesseract):
    """A reader's circle drawn in a cell beside its text touches no print, so it was kept as print
    (as a figure typed in red is) and read into the value: 产出指标(50分)C, whose weight was lost.
    Larger than any glyph and thin, it is taken out; the values in its columns stay doubted."""
    from pipeline.ocr.imageprep import without_seals_and_pens

    page = render(TRAINING, 300)
    clean, _ = read_image(page, 300, 1, tesseract)
    scale = 300 / 72
    places = []
    for cell in (c for g in clean.grids for c in g.cells if c.text):
        x0, y0, x1, y1 = (round(v * scale) for v in cell.bbox)
        inked = np.flatnonzero((page[y0 + 8 : y1 - 8, x0 + 8 : x1 - 8] < 128).any(axis=0))
        free = (x1 - 8) - (x0 + 8 + (inked[-1] if inked.size else 0))
        if y1 - y0 >= 64 and free >= 170:  # room for a 10 mm ring between the text and the rules
            places.append((x1 - 8 - 85, (y0 + y1) // 2))
    assert len(places) >= 3
    pen = np.full((*page.shape, 3), 255, np.uint8)
    for x, y in places:
        cv2.ellipse(pen, (x, y), (60, 22), 0.0, 0, 330, (30, 50, 190), 4, cv2.LINE_AA)
    marked = (page[:, :, None].astype(np.uint16) * pen // 255).astype(np.uint8)
    _, note, doubted = without_seals_and_pens(marked, 300)
    assert note is not None and f"{len(places)} red or blue marks apart from the print, rings or strokes larger than a glyph, taken out" in note
    assert all(any(start <= x <= end for start, end in doubted) for x, _ in places)
    read, _ = read_image(marked, 300, 1, tesseract)
    assert [c.text for g in read.grids for c in g.cells] == [c.text for g in clean.grids for c in g.cells]


def _grid_of(columns: list[float], top: float, rows: int, page: int = 1) -> Grid:
    """A ruled table of ``rows`` rows of 20 pt between the column edges ``columns`` (points)."""
    cells = [Cell(r, c, 1, 1, "", (x0, top + 20 * r, x1, top + 20 * (r + 1)), page) for r in range(rows) for c, (x0, x1) in enumerate(zip(columns, columns[1:]))]
    return Grid(cells, rows, len(columns) - 1, page, (columns[0], top, columns[-1], top + 20 * rows))


def test_a_table_going_on_in_its_columns_below_a_page_margin_begins_a_page():
    """Only a table in the same columns, below a band as tall as two page margins, in an image
    taller than one page, is the next page's."""
    columns = [40.0, 120.0, 300.0, 380.0, 460.0, 550.0]
    above, below = _grid_of(columns, 60, 30), _grid_of(columns, 60 + 600 + 80, 20)  # 80 pt: 28 mm apart
    assert stacked_sheet_tops([above, below], 595, 1684) == [700.0]
    assert stacked_sheet_tops([above, _grid_of(columns, 60 + 600 + 20, 20)], 595, 1684) == []  # 7 mm: one page's two tables
    assert stacked_sheet_tops([above, _grid_of([40.0, 200.0, 550.0], 740, 20)], 595, 1684) == []  # other columns
    assert stacked_sheet_tops([above, _grid_of(columns[:-1], 740, 20)], 595, 1684) == []  # narrower
    assert stacked_sheet_tops([above, below], 595, 842) == []  # one portrait page
    # two landscape pages one above the other: as tall for their width as one portrait page
    wide = [40.0, 200.0, 400.0, 600.0, 800.0]
    assert stacked_sheet_tops([_grid_of(wide, 60, 23), _grid_of(wide, 600, 10)], 842, 1190) == [560.0]
    assert stacked_sheet_tops([_grid_of(wide, 60, 10), _grid_of(wide, 300, 30)], 842, 1190) == []  # a band above the middle: one page's two tables


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make system-deps installs it)")
def test_pages_stitched_into_one_long_picture_read_as_the_pages_apart(tmp_path, tesseract):
    """A web page's 长图: a real form of eval/'s dev half typed in Word, its two pages at 100 dpi
    one above the other in one JPEG. Read as one page, the rest of the row the break cut
    (指标17:高血压随访控制 | 数, 3807 | 人) came out as an indicator of its own, and every row below
    it was shifted by one."""
    import eval_spec
    import make_eval

    form_id = "sx-jishan-gonggongweisheng"
    spec = eval_spec.load(form_id)
    docx = tmp_path / f"{form_id}.docx"
    make_eval.write_docx(spec, make_eval.style_for(form_id, spec), docx)
    make_eval.soffice_to_pdf([docx], tmp_path)
    pages = [render(tmp_path / f"{form_id}.pdf", 100, i) for i in range(2)]
    _, jpeg = cv2.imencode(".jpg", np.vstack(pages), [cv2.IMWRITE_JPEG_QUALITY, 80])
    stitched = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
    content, scan = read_image(stitched, 100, 1, tesseract)
    assert any(c.startswith("2 pages one above the other") for c in scan.corrections)
    (form,) = parse_document(DocumentContent(pages=[content]))
    assert isinstance(form, ParsedForm)
    expected = eval_spec.load_expected(form_id)["indicators"]
    assert len(form.indicators) == len(expected)
    cut = next(i for i in form.indicators if (i.name or "").startswith("指标17"))
    assert (cut.name, cut.target, cut.actual, cut.weight) == ("指标17:高血压随访控制数", "3807人", "3220人", 2.0)
    assert form.pages == [1] and {where.page for where in form.provenance.values()} == {1}  # the file's page


def _bent(page: np.ndarray, stray: float) -> np.ndarray:
    """``page`` as a bent sheet photographs: each column of pixels moved down by a parabola of the
    distance from the middle, ``stray`` pixels at the edges (no homography straightens it)."""
    height, width = page.shape
    across = (np.arange(width, dtype=np.float32) - width / 2) / (width / 2)
    map_y = (np.arange(height, dtype=np.float32)[:, None] - stray * across[None, :] ** 2).astype(np.float32)
    map_x = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    return cv2.remap(page, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def test_a_bent_page_s_rules_are_straightened_and_a_flat_one_is_left_alone(tesseract):
    """黄石's phone photo: its rules, rectified, still ran at −0.5°, 0° and +0.5° in different parts
    of the table, and a 10 pt row's band cut straight across took the row above's text at one end."""
    from pipeline.ocr.imageprep import straighten_rules

    page = render(TRAINING, 300)
    assert straighten_rules(page, 300)[1] is None  # a flat page's rules are level already
    bent = _bent(page, 60.0)
    _, note = straighten_rules(bent, 300)
    assert note is not None and note.startswith("bent rules straightened")
    # as a phone sees it: bent, and in perspective (only a rectified photo is straightened; a flat
    # page's rules are not bent)
    height, width = bent.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[0.06 * width, 0.02 * height], [0.94 * width, 0.02 * height], [width, height], [0, height]])
    photo = cv2.warpPerspective(bent, cv2.getPerspectiveTransform(corners, seen), (width, height), borderValue=255)
    assert not any(c.startswith("bent rules") for c in read_image(page, 300, 1, tesseract)[1].corrections)
    content, scan = read_image(photo, 300, 1, tesseract)
    assert any(c.startswith("perspective corrected") for c in scan.corrections)
    assert any(c.startswith("bent rules straightened") for c in scan.corrections)
    texts = {c.text for g in content.grids for c in g.cells}
    # the goal, near the page's edge, where a straight band across the bent rows cut into the row
    # above (read without the straightening: lost)
    assert {"440307220441502105005", "培训项目预算执行率过99%以上，提高业务人员能力水平，提供更好的服务。"} <= texts
