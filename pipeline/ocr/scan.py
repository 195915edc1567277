"""OCR extractor: a page image in, the same PageContent the text layer gives out.

Per page: prepare the image (light, perspective, skew), find the ruling lines and rebuild the cell
grid with ``segment``, decide the orientation by how well a few cells read, then OCR every cell
on its own crop. Text outside the tables (title, year line, unit line) is read line by line.
The page image stays in ``ScanPage`` so numeric cells can be read again, digits only, once the
parser has said which cells hold numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image

from pipeline.ocr.imagegrid import component_boxes, erase_tables, line_masks, rulings
from pipeline.ocr.imageprep import PreparedImage, prepare, quarter_turns
from pipeline.model.intermediate import BBox, Grid, PackedScan, PageContent, TextLine
from pipeline.model.vocabulary import is_form_title, nearly_form_title
from pipeline.ocr.engines import CellReading, OcrEngine, ink_box, is_dash, read_cells
from pipeline.readers.segment import group_tables, table_grid

CELL_MARGIN_PT = 1.2  # trimmed off each cell edge, past the erased ruling line
TIGHT_MARGIN_PT = 0.3  # ... but only this much above or below print that reaches into the margin
ONE_ROW_MIN_WIDTH = 0.3  # share of the page's width a table of one row spans at least
INK_LEVEL = 128  # a pixel darker than this is ink (the page is erased of its rules, on white paper)
ORIENTATION_SAMPLE = 6  # one-line cells read to judge the orientation
ORIENTATION_MARGIN = 0.2  # a turn must read this much better (mean confidence) than the page as it is
MIN_TURNED_CONFIDENCE = 0.25  # and read at least this well (a cell scores its least sure word: turned text that reads right may score 0.4)
LINE_ASPECT = 2.5  # a cell's ink this much wider than tall is a line of text running across
WORK_DPI = 300.0  # a finer page (400, 600 dpi scans) is reduced to this first: every step costs by the pixel
MIN_WORK_DPI = 200.0  # a coarser one (a page image on a web page, ~100 dpi) is enlarged to this first: its 10 pt text is ~14 px high
MIN_ENLARGED_DPI = 60.0  # but not one coarser than this: a thumbnail or noise, with no text to read
SECOND_VIEW_SCALE = 1.5  # numbers are read a second time enlarged this much and binarised anew
REVIEW_DPI = 150  # resolution of the corrected page images kept for reviewers
REVIEW_QUALITY = 60  # lossy WebP: digits stay legible at 150 dpi, a page is about half its PNG
GOOD_ORIENTATION = 0.75  # the page as it is reads this well: no turn is tried
MAX_LINE_PT = 40.0  # a line of print outside the table is never taller (a 26 pt title is ~30 pt high)
# two pages side by side in one image (an A3 scan of a bound volume, a book scanner's spread):
SPREAD_ASPECT = 1.2  # the image is this much wider than tall at least,
SPREAD_GUTTER = (0.3, 0.7)  # and its tables fall on either side of a gutter in this share of its width
# pages stitched one above the other in one image (a web page's 长图, a scanner's long strip):
STACKED_ASPECT = 1.5  # the image is this much taller than wide at least (one portrait page is 1.41),
# or as tall as a portrait page (two landscape pages one above the other are 1.41 too), its blank band across the middle,
STACKED_LANDSCAPE_ASPECT = 1.3
STACKED_GAP_MM = 12.0  # a table goes on below a blank band this tall at least (two page margins),
COLUMN_TOLERANCE_MM = 2.0  # in the same columns: its edges each this near an edge of the table above
# a page with no ruled table laid out as prose (``prose_sample``): this many rows of print at least,
# this share of them at least this share as wide as the widest, and at most this share with more
# than PROSE_GAPS_A_ROW gaps wider than PROSE_GAP times the row's height (a form's columns); this
# many rows are read
PROSE_MIN_ROWS = 6
PROSE_FULL_ROW = 0.7
PROSE_FULL_SHARE = 0.6
PROSE_GAP = 1.5
PROSE_GAPS_A_ROW = 2
PROSE_COLUMNED_SHARE = 0.1
PROSE_SAMPLE = 8


@dataclass
class ScanPage:
    """A prepared page image and how its pixels map to points."""

    page: int
    image: np.ndarray  # lines erased, ready for OCR
    points_per_pixel: float
    corrections: list[str] = field(default_factory=list)
    display: np.ndarray | None = None  # the corrected page with its lines, for reviewers
    creases: list[tuple[float, float]] = field(default_factory=list)  # x ranges (points) whose values are doubted: a fold's creases, coloured marks kept as print
    # enlarged from a coarse image (a web page's ~100 dpi picture): a glyph's detail is what it
    # was there, and one engine's two views of it agreeing confirm nothing (阆 read 间 on both)
    coarse: bool = False

    def display_webp(self, dpi: float = REVIEW_DPI) -> bytes:
        """The corrected page as lossy WebP at ``dpi``, encoded in the worker that read it: provenance
        boxes (points) map onto it by dpi / 72."""
        image = self.display if self.display is not None else self.image
        factor = min(1.0, dpi * self.points_per_pixel / 72)
        small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else image
        encoded = io.BytesIO()
        # libwebp's effort 2 of 6: a third of the time of OpenCV's encoder (effort 4: 123 → 44 ms for
        # a noisy 150 dpi page) for a file 3% larger
        Image.fromarray(small).save(encoded, format="WEBP", quality=REVIEW_QUALITY, method=2)
        return encoded.getvalue()

    def crop(self, bbox: BBox, margin_pt: float = CELL_MARGIN_PT) -> np.ndarray:
        """The cell's pixels less ``margin_pt`` at each side, except at a top or bottom where the
        margin would cut print: a tight row's glyphs come within the margin of its rules (the top
        bar of 二 cut off read 一级指标 for 二级指标, 侍分 for 得分)."""
        scale = 1 / self.points_per_pixel
        height, width = self.image.shape
        x0, y0, x1, y1 = (int(round(v * scale)) for v in bbox)
        m = int(round(margin_pt * scale))
        left, right = max(0, x0 + m), min(width, x1 - m)
        top, bottom = max(0, y0 + m), min(height, y1 - m)
        if bottom - top > 2 and right - left > 2 and m > 0:
            near = max(1, int(round(TIGHT_MARGIN_PT * scale)))
            if _print_goes_on(self.image[max(0, y0 + near) : top, left:right][::-1], self.image[top, left:right]):
                top = max(0, y0 + near)
            if _print_goes_on(self.image[bottom : min(height, y1 - near), left:right], self.image[bottom - 1, left:right]):
                bottom = min(height, y1 - near)
        return self.image[top:bottom, left:right]


def packed(scan: ScanPage) -> PackedScan:
    """The page's prepared image as PNG, with what reading its cells again needs (no review image)."""
    ok, encoded = cv2.imencode(".png", scan.image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError(f"page {scan.page}: the prepared image could not be encoded")
    return PackedScan(scan.page, encoded.tobytes(), scan.points_per_pixel, tuple(scan.creases), scan.coarse)


def unpacked(kept: PackedScan) -> ScanPage:
    image = cv2.imdecode(np.frombuffer(kept.png, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"page {kept.page}: the kept image could not be decoded")
    return ScanPage(kept.page, image, kept.points_per_pixel, creases=list(kept.creases), coarse=kept.coarse)


def _print_goes_on(band: np.ndarray, edge: np.ndarray) -> bool:
    """``band`` (rows outward from the crop's ``edge`` row) holds ink that goes on from print at
    the edge, and is no rule's remnant running along the side (at most half the width inked)."""
    if band.size == 0:
        return False
    ink = band < INK_LEVEL
    columns = ink.any(axis=0)
    if not columns.any() or columns.sum() > 0.5 * band.shape[1]:
        return False
    touching = ink[0] & (edge < INK_LEVEL)
    return bool(touching.any())


class UnreadableImage(ValueError):
    """No table could be found on the page image. ``text``: the page, with a sample of its lines
    read when its print is laid out as prose (``prose_sample``; a report's pages of prose have
    no table either)."""

    def __init__(self, message: str, text: PageContent | None = None) -> None:
        super().__init__(message)
        self.text = text


def _grids(gray: np.ndarray, page: int, points_per_pixel: float) -> tuple[list[Grid], np.ndarray]:
    masks = line_masks(gray, points_per_pixel)
    tables = group_tables(rulings(masks, points_per_pixel))
    grids = [table_grid(t, page) for t in tables]
    # a lone row of three cells or more across a good part of the page is a table's end a page
    # break sent on (总分 | 100 | 96 | 优); a box of one or two cells is a frame around a title or a
    # stamp, and a small one the strokes of a large glyph (年 of a title made a 1 × 3 "table")
    wide = ONE_ROW_MIN_WIDTH * gray.shape[1] * points_per_pixel
    keep = [i for i, g in enumerate(grids) if g.n_cols >= 2 and (g.n_rows >= 2 or (g.n_cols >= 3 and g.bbox[2] - g.bbox[0] >= wide))]
    frames = [i for i in keep if any(_frames(grids[i], grids[j]) for j in keep if j != i)]
    return [grids[i] for i in keep if i not in frames], erase_tables(gray, [tables[i] for i in keep], points_per_pixel, masks)


def _frames(outer: Grid, inner: Grid) -> bool:
    """Whether ``outer`` is a frame round the table ``inner``, no table of its own: it encloses
    it and has fewer cells. A photographed sheet's shaded edge made a 1 × 3 "table" round a
    small one, and its middle cell, read as text, held the whole table's print (濉溪's page 2)."""
    x0, y0, x1, y1 = outer.bbox
    a0, b0, a1, b1 = inner.bbox
    return x0 <= a0 and y0 <= b0 and a1 <= x1 and b1 <= y1 and len(outer.cells) < len(inner.cells)


def spread_gutter(grids: list[Grid], width_pt: float, height_pt: float) -> float | None:
    """Where a two-page spread divides (points), when its tables fall on either side of a gutter
    near its middle: read as it is, the rows of the two pages were taken in one top-to-bottom
    order, mixed, and the second page's rows were lost. (Two tables side by side on one wide
    page are read left one first as well, which is their reading order too.)"""
    if width_pt < SPREAD_ASPECT * height_pt or len(grids) < 2:
        return None
    boxes = sorted((g.bbox for g in grids), key=lambda box: box[0])
    for split in range(1, len(boxes)):
        left_edge = max(box[2] for box in boxes[:split])
        right_edge = min(box[0] for box in boxes[split:])
        gutter = (left_edge + right_edge) / 2
        if right_edge > left_edge and SPREAD_GUTTER[0] * width_pt <= gutter <= SPREAD_GUTTER[1] * width_pt:
            return gutter
    return None


def stacked_sheet_tops(grids: list[Grid], width_pt: float, height_pt: float) -> list[float]:
    """Where a further printed page begins (points) in an image of pages stitched one above the
    other: a table that goes on in the same columns below a blank band as tall as two page margins.
    Read as one page, the rest of a row the break cut (指标17:高血压随访控制 | 数, 3807 | 人) came
    out as a row of its own and every row below it shifted; as two pages, the parser joins a cut
    row's rest as it does across any page break. Two tables of one page in other columns, or
    closer together, stay one page. Two landscape pages one above the other are as tall for their
    width as one portrait page (A sizes: 1.41), so an image of that shape is two pages only where
    the blank band runs across its middle (濉溪's form typed in landscape, as a web page's picture:
    its cut row's rest 最高5300元 came out as an indicator of its own)."""
    if height_pt < STACKED_LANDSCAPE_ASPECT * width_pt or len(grids) < 2:
        return []
    landscape_pair = height_pt < STACKED_ASPECT * width_pt
    tolerance = COLUMN_TOLERANCE_MM * 72 / 25.4
    boxes = sorted(grids, key=lambda g: g.bbox[1])
    tops: list[float] = []
    for split in range(1, len(boxes)):
        above = max(boxes[:split], key=lambda g: g.bbox[3])
        below = boxes[split]
        gap = below.bbox[1] - above.bbox[3]
        across_the_middle = above.bbox[3] < height_pt / 2 < below.bbox[1]
        if gap * 25.4 / 72 >= STACKED_GAP_MM and _same_columns(above, below, tolerance) and (across_the_middle or not landscape_pair):
            tops.append((above.bbox[3] + below.bbox[1]) / 2)
    return tops


def _same_columns(above: Grid, below: Grid, tolerance: float) -> bool:
    """Every column edge of ``below``'s first row is an edge of ``above``, the outer ones included."""
    edges = sorted({x for cell in above.cells for x in (cell.bbox[0], cell.bbox[2])})
    first_row = [x for cell in below.cells if cell.row == 0 for x in (cell.bbox[0], cell.bbox[2])]
    outer = abs(above.bbox[0] - below.bbox[0]) <= tolerance and abs(above.bbox[2] - below.bbox[2]) <= tolerance
    return outer and bool(first_row) and all(min(abs(x - e) for e in edges) <= tolerance for x in first_row)


def one_above_the_other(gray: np.ndarray, gutter_px: int) -> np.ndarray:
    """The spread's right page put under its left one, so that the page reads left page first."""
    left, right = gray[:, :gutter_px], gray[:, gutter_px:]
    width = max(left.shape[1], right.shape[1])

    def padded(part: np.ndarray) -> np.ndarray:
        return np.pad(part, ((0, 0), (0, width - part.shape[1])), constant_values=255)

    return np.ascontiguousarray(np.vstack([padded(left), padded(right)]))


@dataclass
class Orientation:
    turns: int  # quarter turns counter-clockwise that make the page upright
    note: str  # the evidence when the page is turned ("" when it is not)
    readings: dict[int, CellReading]  # cells (index in the page's cell list) read upright, reusable


def _line_direction(crop: np.ndarray) -> tuple[str | None, int]:
    """ "across" when the crop's ink is a line running left to right, "down" when it runs top to
    bottom, None when it cannot tell (blank, square, a paragraph); and how much ink there is."""
    if crop.size == 0 or crop.min() > 160:
        return None, 0
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    box = ink_box(ink)
    if box is None or is_dash(ink[box[1] : box[3], box[0] : box[2]]):  # blank, or a dash: no direction
        return None, 0
    width, height = box[2] - box[0], box[3] - box[1]
    amount = int(np.count_nonzero(ink))
    if width >= LINE_ASPECT * height:
        return "across", amount
    if height >= LINE_ASPECT * width:
        return "down", amount
    return None, amount


def _mean_confidence(readings: list[CellReading]) -> float:
    scores = [r.confidence or 0.0 for r in readings]
    return sum(scores) / len(scores) if scores else 0.0


def decide_orientation(ocr: OcrEngine, scan: ScanPage, grids: list[Grid]) -> Orientation:
    """Which way up the page is, from the table's structure and a few cells read with a margin.

    Structure: in the cells holding one line of text (labels), the line runs across an upright or
    upside-down page and down a sideways one. Reading: up to ORIENTATION_SAMPLE such cells are read
    as they are and turned; the page is turned only when the turned reading is clearly better
    (by ORIENTATION_MARGIN), so an upright page whose table reads is never turned. The upright
    readings are kept for the cells, not thrown away.
    """
    reader = getattr(ocr, "fast", ocr)  # the orientation vote needs only the fast engine
    crops = [scan.crop(c.bbox) for g in grids for c in g.cells]
    across, down = [], []
    for index, crop in enumerate(crops):
        direction, amount = _line_direction(crop)
        if direction == "across":
            across.append((amount, index))
        elif direction == "down":
            down.append((amount, index))
    across.sort(reverse=True)
    down.sort(reverse=True)
    upright_sample = [i for _, i in across[:ORIENTATION_SAMPLE]]
    upright = read_cells(reader, [crops[i] for i in upright_sample])
    score_upright = _mean_confidence(upright) if upright_sample else 0.0
    reusable = {i: r for i, r in zip(upright_sample, upright) if _final(ocr, r)}
    structure = f"text lines run across the page in {len(across)} cells and down it in {len(down)}"
    sideways = len(down) >= 3 and len(down) > 2 * len(across)
    if not sideways and score_upright >= GOOD_ORIENTATION:
        return Orientation(0, "", reusable)
    if sideways:
        sample = [i for _, i in down[:ORIENTATION_SAMPLE]]
        choices: tuple[int, ...] = (1, 3)
    else:
        sample, choices = upright_sample, (2,)
    if not sample:
        return Orientation(0, "", reusable)
    needed = max(score_upright + ORIENTATION_MARGIN, MIN_TURNED_CONFIDENCE)
    scores: dict[int, float] = {}
    for turns in choices:  # a later turn is chosen only if it reads better than an earlier one
        scores[turns] = _turned_score(reader, [crops[i] for i in sample], turns, max([needed, *scores.values()]))
    turns = max(scores, key=lambda t: scores[t])
    if scores[turns] < needed:
        return Orientation(0, "", reusable)
    note = f"turned {turns * 90}° to upright: {len(sample)} cells read at mean confidence {scores[turns]:.2f} turned, {score_upright:.2f} as scanned; {structure}"
    return Orientation(turns, note, {})


def _turned_score(reader: OcrEngine, crops: list[np.ndarray], turns: int, needed: float) -> float:
    """The mean confidence of ``crops`` read turned by ``turns`` quarter turns, cell by cell; the
    reading stops (returning what was read so far, below ``needed``) as soon as even perfect
    readings of the cells left could not bring the mean to ``needed``: an upright page whose
    upside-down cells read at ~0 is settled after half of them, and a sideways page's wrong turn
    after a cell or two once the right one has read well, with the same outcome. The
    smallest cells are read first: the order does not change the mean, only what a stop saves."""
    total = 0.0
    for done, crop in enumerate(sorted(crops, key=lambda c: c.size), start=1):
        reading = read_cells(reader, [np.ascontiguousarray(np.rot90(crop, turns))])[0]
        total += min(1.0, reading.confidence or 0.0)
        if total + (len(crops) - done) < needed * len(crops):
            break
    return total / len(crops) if crops else 0.0


def _final(ocr: OcrEngine, reading: CellReading) -> bool:
    """Whether the fast engine's reading is the engine's final one (a hybrid re-reads the doubtful)."""
    doubtful = getattr(ocr, "doubtful", None)
    return doubtful is None or not doubtful(reading)


def _line_boxes(scan: ScanPage, grids: list[Grid]) -> list[tuple[int, int, int, int]]:
    """Where lines of print stand outside every table (x, y, w, h pixel boxes), unread."""
    image = scan.image.copy()
    scale = 1 / scan.points_per_pixel
    for grid in grids:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in grid.bbox)
        image[max(0, y0 - 4) : y1 + 4, max(0, x0 - 4) : x1 + 4] = 255
    if image.min() > 160:
        return []
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    reach = max(15, int(8 * scale))  # join characters of one line (gaps up to ~8 pt)
    bands = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 3)))
    boxes = []
    min_height = 4 * scale  # below ~4 pt it is a speck or a stamp edge, not text
    max_height = MAX_LINE_PT * scale  # taller is no line of print: a photographed sheet's edge, a desk's shadow
    for x, y, w, h in component_boxes(bands):
        if min_height <= h <= max_height and w >= min_height:
            boxes.append((x, y, w, h))
    return joined_on_rows(boxes)


def _read_lines(scan: ScanPage, boxes: list[tuple[int, int, int, int]], ocr: OcrEngine) -> list[TextLine]:
    scale = 1 / scan.points_per_pixel
    crops = [scan.image[y : y + h, x : x + w] for x, y, w, h in boxes]
    readings = _titles_read_again(ocr, crops, read_cells(ocr, crops))  # one batch
    lines = []
    for (x, y, w, h), reading in zip(boxes, readings):
        if reading.text:
            bbox = (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
            lines.append(TextLine(text=reading.text, page=scan.page, bbox=bbox, confidence=reading.confidence, read_by=reading.read_by))
    return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))


def _text_outside(scan: ScanPage, grids: list[Grid], ocr: OcrEngine) -> list[TextLine]:
    """Lines of text outside every table (title, 年度 line, 金额单位 line), read one by one."""
    return _read_lines(scan, _line_boxes(scan, grids), ocr)


def prose_sample(scan: ScanPage, ocr: OcrEngine) -> list[TextLine]:
    """A few lines of a page with no ruled table, read, when its print is laid out as prose (a
    report's 情况说明 around its forms): rows of print as wide as the text, their pieces close
    together (a gap after 。 or around a thin 二 parts a row of prose, by a glyph or two). A form
    whose table was lost keeps a row's label and values columns apart, and gives nothing here.
    Reading every line of a page of prose costs ~4 s; PROSE_SAMPLE of them, spread over it, say
    whether it is print read surely and no form's (``extract.without_a_form``)."""
    rows = _rows_of(_line_boxes(scan, []))
    if len(rows) < PROSE_MIN_ROWS:
        return []
    spans = [max(x + w for x, _, w, _ in row) - min(x for x, _, _, _ in row) for row in rows]
    full = sum(span >= PROSE_FULL_ROW * max(spans) for span in spans)

    def apart(row: list[tuple[int, int, int, int]]) -> int:
        height = max(h for _, _, _, h in row)
        return sum(b[0] - (a[0] + a[2]) > PROSE_GAP * height for a, b in zip(row, row[1:]))

    columned = sum(apart(row) > PROSE_GAPS_A_ROW for row in rows)
    if full < PROSE_FULL_SHARE * len(rows) or columned > PROSE_COLUMNED_SHARE * len(rows):
        return []
    pieces = [max(row, key=lambda box: box[2]) for row in rows]  # each row's longest piece
    step = max(1, len(pieces) // PROSE_SAMPLE)
    return _read_lines(scan, pieces[::step][:PROSE_SAMPLE], ocr)


def _rows_of(boxes: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Boxes of print grouped in rows (sharing half the lower one's height), each left to right."""
    rows: list[list[tuple[int, int, int, int]]] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        row = next((r for r in rows if _on_one_row(r[0], box)), None)
        if row is None:
            rows.append([box])
        else:
            row.append(box)
    return [sorted(row) for row in rows]


def _on_one_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3], b[3])


def _titles_read_again(ocr: OcrEngine, crops: list[np.ndarray], readings: list[CellReading]) -> list[CellReading]:
    """A line that reads one glyph away from a form title (目评表 for 自评表, 續效 for 績效 on a
    fax) is read again: by the hybrid's other engine, then on a second binarisation. A misread
    title loses the form its title and year, and a file of several forms its split. The first
    reading that is a title is taken; ``confirm_texts`` then confirms or doubts it like any value."""
    fast, strong = getattr(ocr, "fast", None), getattr(ocr, "strong", None)
    readings = list(readings)
    for i, reading in enumerate(readings):
        if not nearly_form_title(reading.text):
            continue
        asks: list[tuple[OcrEngine, np.ndarray]] = [(ocr, second_view(crops[i]))]
        if fast is not None and strong is not None:
            asks = [(strong, crops[i])] if reading.read_by == fast.name else []
            asks += [(strong, second_view(crops[i])), (fast, second_view(crops[i]))]
        for reader, crop in asks:
            again = read_cells(reader, [crop])[0]
            if is_form_title(again.text):
                readings[i] = again
                break
    return readings


def joined_on_rows(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Pieces of one printed line made one line again (x, y, w, h boxes): a 14 pt title in a Song
    or Kai face leaves gaps wider than the dilation bridges around its full-width brackets, and
    read piece by piece the title loses its order and a piece (培训经费 | （网格） | 项目支出绩效自评表
    came out as （网格）项目支出绩效自评表). Pieces are joined when they share a row (overlap by half
    the lower one's height) and the gap between them is under the taller one's height — about one
    character of that line; items apart on a row (填报单位 … 金额单位) stay apart."""
    merged: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes):  # left to right: each piece meets its row's box at that box's right end
        row = next((i for i, kept in enumerate(merged) if _one_line(kept, box)), None)
        if row is None:
            merged.append(box)
        else:
            (ax, ay, aw, ah), (bx, by, bw, bh) = merged[row], box
            x0, y0 = min(ax, bx), min(ay, by)
            merged[row] = (x0, y0, max(ax + aw, bx + bw) - x0, max(ay + ah, by + bh) - y0)
    return merged


def _one_line(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """On a shared row (overlapping by half the lower one's height), under one character apart."""
    (ax, _, aw, ah), (bx, _, bw, bh) = a, b
    gap = max(ax, bx) - min(ax + aw, bx + bw)
    return _on_one_row(a, b) and gap < max(ah, bh)


def _cell_count(grids: list[Grid]) -> int:
    return sum(len(g.cells) for g in grids)


def read_image(pixels: np.ndarray, dpi: float, page: int, ocr: OcrEngine) -> tuple[PageContent, ScanPage]:
    """Given one page image (uint8 gray, or RGB) at ``dpi``, return its PageContent and prepared image."""
    if dpi > WORK_DPI * 1.05:  # finer than the reading needs: every step costs by the pixel
        pixels = cv2.resize(pixels, None, fx=WORK_DPI / dpi, fy=WORK_DPI / dpi, interpolation=cv2.INTER_AREA)
        dpi = WORK_DPI
    coarse = MIN_ENLARGED_DPI <= dpi < MIN_WORK_DPI * 0.95
    if coarse:  # read as it is, 100 dpi images lost 14% of their fields (enlarged: 1%)
        pixels = cv2.resize(pixels, None, fx=MIN_WORK_DPI / dpi, fy=MIN_WORK_DPI / dpi, interpolation=cv2.INTER_CUBIC)
        dpi = MIN_WORK_DPI
    prepared = prepare(pixels, dpi)
    points_per_pixel = 72.0 / dpi
    grids, cleaned = _grids(prepared.gray, page, points_per_pixel)
    if prepared.without_perspective is not None:  # a correction that finds a worse table is undone
        plain = prepared.without_perspective
        plain_grids, plain_cleaned = _grids(plain.gray, page, points_per_pixel)
        if _cell_count(plain_grids) > _cell_count(grids):
            undone = f"perspective correction undone: the table has {_cell_count(plain_grids)} cells without it, {_cell_count(grids)} with it"
            prepared = PreparedImage(plain.gray, dpi, plain.corrections + [undone], plain.creases)
            grids, cleaned = plain_grids, plain_cleaned
    if not grids:
        height_px, width_px = prepared.gray.shape
        sample = prose_sample(ScanPage(page=page, image=cleaned, points_per_pixel=points_per_pixel), getattr(ocr, "fast", ocr))
        raise UnreadableImage(
            "no ruled table found on the page image (blank, noise, or not a form)", PageContent(page, width_px * points_per_pixel, height_px * points_per_pixel, lines=sample, method="ocr")
        )
    height_px, width_px = prepared.gray.shape
    gutter = spread_gutter(grids, width_px * points_per_pixel, height_px * points_per_pixel)
    if gutter is not None:
        at = int(round(gutter / points_per_pixel))
        relaid = one_above_the_other(prepared.gray, at)
        relaid_grids, relaid_cleaned = _grids(relaid, page, points_per_pixel)
        if _cell_count(relaid_grids) >= _cell_count(grids):
            note = f"two pages side by side (divided at x {at} px): the right one read below the left one"
            moved = [(max(0, a - at), b - at) if a >= at else (a, b) for a, b in prepared.creases]  # doubted down the whole re-laid page
            prepared = PreparedImage(relaid, dpi, prepared.corrections + [note], moved)
            grids, cleaned = relaid_grids, relaid_cleaned
    corrections = list(prepared.corrections)
    creases = [(a * points_per_pixel, b * points_per_pixel) for a, b in prepared.creases]
    scan = ScanPage(page=page, image=cleaned, points_per_pixel=points_per_pixel, corrections=corrections, display=prepared.gray, creases=creases, coarse=coarse)
    orientation = decide_orientation(ocr, scan, grids)
    known = orientation.readings
    if orientation.turns:
        turned = quarter_turns(prepared.gray, orientation.turns)
        turned_grids, turned_cleaned = _grids(turned, page, points_per_pixel)
        if turned_grids:
            grids = turned_grids
            # a crease's columns are rows once the page is turned: the whole page is doubted
            whole = [(0.0, turned.shape[1] * points_per_pixel)] if creases else []
            scan = ScanPage(page=page, image=turned_cleaned, points_per_pixel=points_per_pixel, corrections=corrections, display=turned, creases=whole, coarse=coarse)
            corrections.append(orientation.note)
            known = {}
    filled, offset = [], 0
    for grid in grids:
        filled.append(_read_grid(grid, scan, ocr, {i - offset: r for i, r in known.items() if offset <= i < offset + len(grid.cells)}))
        offset += len(grid.cells)
    height, width = scan.image.shape
    two_sheets = gutter is not None and height > height_px  # (not turned a quarter since)
    sheet_tops = [height_px * points_per_pixel] if two_sheets else stacked_sheet_tops(filled, width * points_per_pixel, height * points_per_pixel)
    if sheet_tops and not two_sheets:
        where = ", ".join(f"{top / points_per_pixel:.0f}" for top in sheet_tops)
        corrections.append(f"{len(sheet_tops) + 1} pages one above the other (a table goes on in its columns below a blank band at y {where} px): read as pages of their own")
    content = PageContent(
        page=page,
        width=width * points_per_pixel,
        height=height * points_per_pixel,
        grids=filled,
        lines=_text_outside(scan, grids, ocr),
        method="ocr",
        sheet_tops=sheet_tops,
    )
    return content, scan


def _read_grid(grid: Grid, scan: ScanPage, ocr: OcrEngine, known: dict[int, CellReading] | None = None) -> Grid:
    """Read every cell of ``grid`` but those already read (``known``, by cell index)."""
    known = known or {}
    todo = [i for i in range(len(grid.cells)) if i not in known]
    readings = dict(known)
    readings.update(zip(todo, read_cells(ocr, [scan.crop(grid.cells[i].bbox) for i in todo])))
    cells = [replace(cell, text=readings[i].text, confidence=readings[i].confidence, read_by=readings[i].read_by) for i, cell in enumerate(grid.cells)]
    return replace(grid, cells=cells)


def second_view(crop: np.ndarray) -> np.ndarray:
    """The same cell binarised another way: enlarged 1.5×, smoothed, then split at Otsu's
    threshold, so a reading of it does not share the first reading's thresholding."""
    if crop.size == 0:
        return crop
    large = cv2.resize(crop, None, fx=SECOND_VIEW_SCALE, fy=SECOND_VIEW_SCALE, interpolation=cv2.INTER_CUBIC)
    large = cv2.GaussianBlur(large, (3, 3), 0)
    if large.min() > 160:
        return large
    _, binary = cv2.threshold(large, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


def reread_number(ocr: OcrEngine, scan: ScanPage, bbox: BBox) -> CellReading:
    """Read a cell again with digits and .,%- only (the parser said it holds a number)."""
    return reread_numbers_of(ocr, scan, [bbox])[0]


def reread_numbers_of(ocr: OcrEngine, scan: ScanPage, boxes: list[BBox]) -> list[CellReading]:
    """Read cells again, digits and .,%- only, on a second binarisation (one batch)."""
    return read_cells(ocr, [second_view(scan.crop(bbox)) for bbox in boxes], numeric=True)
