"""OCR extractor: a page image in, the same PageContent the text layer gives out.

Per page: prepare the image (light, perspective, skew), find the ruling lines and rebuild the cell
grid with ``segment``, decide the orientation by how well a few cells read, then OCR every cell
on its own crop. Text outside the tables (title, year line, unit line) is read line by line.
The page image stays in ``ScanPage`` so numeric cells can be read again, digits only, once the
parser has said which cells hold numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .imagegrid import erase_tables, line_masks, rulings
from .imageprep import prepare, quarter_turns
from .model import BBox, Grid, PageContent, TextLine
from .ocr import CellReading, OcrEngine, read_cell, read_cells
from .segment import group_tables, table_grid

CELL_MARGIN_PT = 1.2  # trimmed off each cell edge, past the erased ruling line
ORIENTATION_SAMPLE = 4  # cells read to judge the orientation
REVIEW_DPI = 150  # resolution of the corrected page images kept for reviewers
GOOD_ORIENTATION = 0.6  # mean confidence that ends the orientation search early


@dataclass
class ScanPage:
    """A prepared page image and how its pixels map to points."""

    page: int
    image: np.ndarray  # lines erased, ready for OCR
    points_per_pixel: float
    corrections: list[str] = field(default_factory=list)
    display: np.ndarray | None = None  # the corrected page with its lines, for reviewers

    def display_png(self, dpi: float = REVIEW_DPI) -> bytes:
        """The corrected page as PNG at ``dpi``: provenance boxes (points) map onto it by dpi / 72."""
        image = self.display if self.display is not None else self.image
        factor = min(1.0, dpi * self.points_per_pixel / 72)
        small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else image
        return cv2.imencode(".png", small)[1].tobytes()

    def crop(self, bbox: BBox, margin_pt: float = CELL_MARGIN_PT) -> np.ndarray:
        scale = 1 / self.points_per_pixel
        x0, y0, x1, y1 = (int(round(v * scale)) for v in bbox)
        m = int(round(margin_pt * scale))
        height, width = self.image.shape
        return self.image[max(0, y0 + m) : min(height, y1 - m), max(0, x0 + m) : min(width, x1 - m)]


class UnreadableImage(ValueError):
    """No table could be found on the page image."""


def _grids(gray: np.ndarray, page: int, points_per_pixel: float) -> tuple[list[Grid], np.ndarray]:
    masks = line_masks(gray, points_per_pixel)
    tables = group_tables(rulings(masks, points_per_pixel))
    grids = [table_grid(t, page) for t in tables]
    keep = [i for i, g in enumerate(grids) if g.n_rows >= 2 and g.n_cols >= 2]
    return [grids[i] for i in keep], erase_tables(gray, [tables[i] for i in keep], points_per_pixel, masks)


def _orientation_score(ocr: OcrEngine, scan: ScanPage, grids: list[Grid]) -> float:
    """Mean confidence of the cells with the most ink: upright text reads far better."""
    crops = [scan.crop(c.bbox) for g in grids for c in g.cells]
    crops = [c for c in crops if c.size]
    crops.sort(key=lambda c: int((c < 128).sum()), reverse=True)
    readings = read_cells(ocr, crops[:ORIENTATION_SAMPLE])
    scores = [r.confidence or 0.0 for r in readings if r.text != "—"]
    return sum(scores) / len(scores) if scores else 0.0


def _text_outside(scan: ScanPage, grids: list[Grid], ocr: OcrEngine) -> list[TextLine]:
    """Lines of text outside every table (title, 年度 line, 金额单位 line), read one by one."""
    image = scan.image.copy()
    scale = 1 / scan.points_per_pixel
    for grid in grids:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in grid.bbox)
        image[max(0, y0 - 4) : y1 + 4, max(0, x0 - 4) : x1 + 4] = 255
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if image.min() > 160:
        return []
    reach = max(15, int(8 * scale))  # join characters of one line (gaps up to ~8 pt)
    bands = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 3)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(bands, connectivity=8)
    lines = []
    min_height = 4 * scale  # below ~4 pt it is a speck or a stamp edge, not text
    for x, y, w, h, _ in stats[1:count]:
        if h < min_height or w < min_height:
            continue
        reading = read_cell(ocr, scan.image[y : y + h, x : x + w])
        if reading.text:
            bbox = (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
            lines.append(TextLine(text=reading.text, page=scan.page, bbox=bbox))
    return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))


def read_image(gray: np.ndarray, dpi: float, page: int, ocr: OcrEngine) -> tuple[PageContent, ScanPage]:
    """Given one page image (uint8 gray) at ``dpi``, return its PageContent and prepared image."""
    prepared = prepare(gray, dpi)
    points_per_pixel = 72.0 / dpi
    best: tuple[float, int, list[Grid], ScanPage] | None = None
    for turns in (0, 2, 1, 3):
        turned = quarter_turns(prepared.gray, turns)
        grids, cleaned = _grids(turned, page, points_per_pixel)
        if not grids:
            continue
        scan = ScanPage(page=page, image=cleaned, points_per_pixel=points_per_pixel, corrections=list(prepared.corrections), display=turned)
        score = _orientation_score(ocr, scan, grids)
        if best is None or score > best[0]:
            best = (score, turns, grids, scan)
        if score >= GOOD_ORIENTATION:
            break
    if best is None:
        raise UnreadableImage("no ruled table found on the page image (blank, noise, or not a form)")
    _, turns, grids, scan = best
    if turns:
        scan.corrections.append(f"turned {turns * 90}° to upright")
    filled = [_read_grid(grid, scan, ocr) for grid in grids]
    height, width = scan.image.shape
    content = PageContent(
        page=page,
        width=width * points_per_pixel,
        height=height * points_per_pixel,
        grids=filled,
        lines=_text_outside(scan, grids, ocr),
        method="ocr",
    )
    return content, scan


def _read_grid(grid: Grid, scan: ScanPage, ocr: OcrEngine) -> Grid:
    readings = read_cells(ocr, [scan.crop(cell.bbox) for cell in grid.cells])
    cells = [replace(cell, text=r.text, confidence=r.confidence) for cell, r in zip(grid.cells, readings)]
    return replace(grid, cells=cells)


def reread_number(ocr: OcrEngine, scan: ScanPage, bbox: BBox) -> CellReading:
    """Read a cell again with digits and .,%- only (the parser said it holds a number)."""
    return read_cell(ocr, scan.crop(bbox), numeric=True)
