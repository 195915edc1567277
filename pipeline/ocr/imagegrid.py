"""Ruling lines from a page image, as the same ``Ruling`` objects the text layer gives.

Lines are found by morphology: opening the ink with a long thin kernel keeps only strokes at
least that long in that direction; ``segment`` then joins the pieces of broken lines and
rebuilds cells (and merged cells) exactly as for PDFs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.ocr.imageprep import binarise
from pipeline.readers.segment import JOIN_TOLERANCE, SNAP_TOLERANCE, Ruling, TableRulings


@dataclass
class LineMasks:
    horizontal: np.ndarray
    vertical: np.ndarray

    def both(self) -> np.ndarray:
        return cv2.bitwise_or(self.horizontal, self.vertical)


MIN_LINE_PT = 12.0  # longer than any stroke of body text; title strokes may pass, but touch no table
SHORT_RULE_PT = 5.0  # a vertical rule of a row lower than MIN_LINE_PT: kept when it runs from rule to rule
RULE_END_SLACK = 3  # pixels between a short rule's end and the horizontal rule it meets


def line_masks(gray: np.ndarray, points_per_pixel: float) -> LineMasks:
    """Given a page image, return masks of its long horizontal and vertical strokes.

    Opening with a kernel MIN_LINE_PT long keeps strokes longer than body text's; a long stroke
    of a big title character may pass, but ``segment.group_tables`` drops strokes that are not
    part of a ruled structure. Joining the pieces of a broken line is left to ``segment`` too,
    because bridging gaps here would also join the tops of neighbouring characters.
    """
    ink = binarise(gray)
    length = max(15, int(MIN_LINE_PT / points_per_pixel))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    _add_rules_of_low_rows(ink, horizontal, vertical, points_per_pixel, length)
    return LineMasks(horizontal=horizontal, vertical=vertical)


def _add_rules_of_low_rows(ink: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, points_per_pixel: float, length: int) -> None:
    """Add to ``vertical`` the rules between the cells of a row lower than MIN_LINE_PT (a sheet
    printed with 11 pt rows): shorter than the opening keeps, they were lost, and the row's cells
    read as one (主管部门 | 施甸县人民政府项目实施单位施甸县农业农村局). A stroke that short counts
    only when it meets a horizontal rule at both ends, as a cell's side does, and stands alone
    between them: text as tall as its row has strokes that meet both rules too (the 木 of 标), but
    they are joined to the rest of their character."""
    short = max(6, int(SHORT_RULE_PT / points_per_pixel))
    if short >= length:
        return
    strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, short)))
    strokes[vertical > 0] = 0
    height = ink.shape[0]
    between_rules: tuple[np.ndarray, np.ndarray] | None = None  # the ink without horizontal rules, in components
    for x, y, w, h in component_boxes(strokes):
        if h >= length or w > max(2, h // 4):
            continue
        columns = slice(x, x + w)
        top = horizontal[max(0, y - RULE_END_SLACK) : y + RULE_END_SLACK + 1, columns]
        bottom = horizontal[max(0, y + h - 1 - RULE_END_SLACK) : min(height, y + h + RULE_END_SLACK), columns]
        if not (top.any() and bottom.any()):
            continue
        if between_rules is None:
            _, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_and(ink, cv2.bitwise_not(horizontal)), connectivity=8)
            between_rules = (labels, stats)
        labels, stats = between_rules
        owners = np.unique(labels[y : y + h, columns][strokes[y : y + h, columns] > 0])
        if any(stats[owner, cv2.CC_STAT_WIDTH] > w + 2 for owner in owners if owner):
            continue  # joined to more ink than a rule: a character's stroke
        vertical[y : y + h, columns] = np.maximum(vertical[y : y + h, columns], strokes[y : y + h, columns])


def component_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The bounding boxes (x, y, w, h) of a binary mask's 8-connected components, top to bottom
    (then left to right): the boxes ``cv2.connectedComponentsWithStats`` gives, for less.

    Taken from the components' outer contours, which on a sparse page-sized mask (ruling lines,
    bands of text) is ~15× cheaper than labelling every pixel. A component inside another's hole
    has an outer contour of its own at the top level of the two-level hierarchy, so none is lost.
    """
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    boxes: list[tuple[int, int, int, int]] = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0]):
        if parent < 0:
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append((x, y, w, h))
    return sorted(boxes, key=lambda box: (box[1], box[0]))


def rulings(masks: LineMasks, points_per_pixel: float) -> list[Ruling]:
    """Given line masks, return one Ruling per stroke, in points (origin top-left)."""
    found: list[Ruling] = []
    for mask, orientation in ((masks.horizontal, "h"), (masks.vertical, "v")):
        found.extend(_ruling_of(x, y, w, h, orientation, points_per_pixel) for x, y, w, h in component_boxes(mask))
    return found


FREE_STROKE_MAX_PT = 24.0  # a long stroke inside a table that is none of its rulings, shorter than this, is print


def erase_tables(gray: np.ndarray, tables: list[TableRulings], points_per_pixel: float, masks: LineMasks) -> np.ndarray:
    """The page with the ruling lines of its tables painted white, so OCR sees only text.

    Only strokes inside a table's frame are erased, so a title above it keeps its long strokes;
    and of those, not a short one that is none of the table's rulings: the bars of a wide ═ or
    ＝ in a 指标性质 cell are longer than body text's strokes, and erased, the sign was lost.
    """
    cleaned = gray.copy()
    lines = np.zeros_like(masks.horizontal)
    scale = 1 / points_per_pixel
    for table in tables:
        left = max(0, int(min(r.pos for r in table.verticals) * scale) - 6)
        top = max(0, int(min(r.pos for r in table.horizontals) * scale) - 6)
        frame = (slice(top, int(max(r.pos for r in table.horizontals) * scale) + 7), slice(left, int(max(r.pos for r in table.verticals) * scale) + 7))
        for mask, orientation, own in ((masks.horizontal, "h", table.horizontals), (masks.vertical, "v", table.verticals)):
            inside = mask[frame]
            for x, y, w, h in component_boxes(np.ascontiguousarray(inside)):
                stroke = _ruling_of(left + x, top + y, w, h, orientation, points_per_pixel)
                if stroke.end - stroke.start < FREE_STROKE_MAX_PT and not _on_a_ruling(stroke, own):
                    continue  # print inside a cell, not a rule
                box = (slice(top + y, top + y + h), slice(left + x, left + x + w))
                lines[box] = cv2.bitwise_or(lines[box], inside[y : y + h, x : x + w])
    grown = cv2.dilate(lines, np.ones((5, 5), np.uint8))
    cleaned[grown > 0] = 255
    return cleaned


def _ruling_of(x: int, y: int, w: int, h: int, orientation: str, points_per_pixel: float) -> Ruling:
    if orientation == "h":
        return Ruling("h", (y + h / 2) * points_per_pixel, x * points_per_pixel, (x + w) * points_per_pixel)
    return Ruling("v", (x + w / 2) * points_per_pixel, y * points_per_pixel, (y + h) * points_per_pixel)


def _on_a_ruling(stroke: Ruling, rulings: list[Ruling]) -> bool:
    """Whether the stroke is (part of) one of the table's rulings."""
    return any(abs(r.pos - stroke.pos) <= SNAP_TOLERANCE and r.start - JOIN_TOLERANCE <= stroke.start and stroke.end <= r.end + JOIN_TOLERANCE for r in rulings)
