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
# dashed and dotted rules (a sheet's dashed, dotted or hair borders, printed and scanned): pieces
# this thin and at most this long, with gaps up to DASH_GAP_PT between them
DASH_THICK_PT, DASH_LONG_PT, DASH_GAP_PT = 1.2, 10.0, 4.0
DASH_MIN_PIECES = 15  # pieces in one row (or column) that make a page worth looking at for dashed rules
DASH_RULE_PT = 8.0  # a run of them this long is a rule (shorter than MIN_LINE_PT: made of rule-thin pieces only, a low row's side)
DASH_INK_LEVEL = 170  # a printed dash or dot has a pixel this dark (dots scanned: 0-117); the specks binarised out of a photo's desk are lighter (183-232)
DASH_FILL = 0.4  # share of a run the pieces cover: printed dashes 0.8, dots 0.56; specks of a photo's desk or grain 0.05-0.36
RULE_SLANT_PT = 1.5  # a slightly slanted rule's ink is this much wider than the straight part the opening keeps
CHARACTER_STROKE_PT = 24.0  # a vertical stroke shorter than this joined to other ink (not counting the rules it meets) is a character's


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
    _drop_strokes_of_characters(ink, horizontal, vertical, points_per_pixel)
    joined = _add_dashed_rules(gray, ink, horizontal, vertical, points_per_pixel, length)
    _add_rules_of_low_rows(ink if joined is None else cv2.bitwise_or(ink, joined), horizontal, vertical, points_per_pixel, length)
    return LineMasks(horizontal=horizontal, vertical=vertical)


def _drop_strokes_of_characters(ink: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, points_per_pixel: float) -> None:
    """Take out of ``vertical`` the upright strokes of characters that touch a rule: in a row as
    low as its text, the stroke of 水 met the rule above it and, lengthened by the rule's width,
    passed the opening; it split the row's cell and the project name was read ``7`` in a form
    marked ok. A stroke no longer than one low row (CHARACTER_STROKE_PT) is a rule only if,
    without the horizontal rules, it stands alone: a character's stroke is joined to the rest of
    the character. Long rules are left alone (text touching them is common)."""
    limit, slack = int(CHARACTER_STROKE_PT / points_per_pixel), max(2, int(RULE_SLANT_PT / points_per_pixel))
    short = [box for box in component_boxes(vertical) if box[3] < limit]
    if not short:
        return
    # the rules' own ink taken out a little wider than their mask, so the steps a slight skew
    # leaves along a rule do not join a true rule's piece to anything
    rules = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_and(ink, cv2.bitwise_not(rules)), connectivity=8)
    for x, y, w, h in short:
        box = (slice(y, y + h), slice(x, x + w))
        stroke = vertical[box] > 0
        owners = np.unique(labels[box][stroke])
        if any(stats[owner, cv2.CC_STAT_WIDTH] > w + slack for owner in owners if owner):
            vertical[box][stroke] = 0


def _add_dashed_rules(gray: np.ndarray, ink: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray, points_per_pixel: float, length: int) -> np.ndarray | None:
    """Add the rules printed dashed or dotted: no piece of them is MIN_LINE_PT long, so the
    opening kept none and no table was found (0% of the fields of sheets printed with dashed or
    dotted borders and scanned). Only pieces as thin as a rule's are joined across their gaps, so
    the strokes of characters are never bridged into a line; a run of them as long as a rule is one.
    Returns the pieces joined (for the short rules of low rows), or None when there are none."""
    thick, longest, gap = max(2, int(DASH_THICK_PT / points_per_pixel)), int(DASH_LONG_PT / points_per_pixel), max(3, int(DASH_GAP_PT / points_per_pixel))
    if not _dashes_in_a_row(np.where(gray < DASH_INK_LEVEL, ink, 0), thick, longest):
        return None  # most pages: the full-size work below is skipped (it costs ~130 ms a page)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    dark = np.zeros(count, dtype=bool)
    dark[np.unique(labels[gray < DASH_INK_LEVEL])] = True
    dark[0] = False  # the background
    flat, upright = (heights <= thick) & (widths <= longest) & dark, (widths <= thick) & (heights <= longest) & dark
    # where two dashed rules meet, their dashes join in an L, T or + too wide for either direction:
    # small thin shapes, taken into a run whose end they touch (a glyph's strokes lie off its row)
    corners = (widths <= longest) & (heights <= longest) & (stats[:, cv2.CC_STAT_AREA] <= thick * (widths + heights)) & dark & ~flat & ~upright
    run = min(length, int(DASH_RULE_PT / points_per_pixel))
    all_joined = None
    for pieces, across, target, crossing in ((flat, True, horizontal, vertical), (upright, False, vertical, horizontal)):
        if pieces.sum() < 2:
            continue
        bridge, keep = ((gap, 1), (run, 1)) if across else ((1, gap), (1, run))

        def joined_runs(chosen: np.ndarray) -> np.ndarray:
            mask = chosen.astype(np.uint8)[labels] * 255
            return _filled_runs(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge)), mask, across, crossing)

        joined = joined_runs(pieces)
        if corners.any() and joined.any():
            touching = np.zeros(count, dtype=bool)
            touching[np.unique(labels[(cv2.dilate(joined, cv2.getStructuringElement(cv2.MORPH_RECT, bridge)) > 0) & corners[labels]])] = True
            joined = joined_runs(pieces | touching)
        rules = cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, keep))
        cv2.bitwise_or(target, rules, dst=target)
        all_joined = joined if all_joined is None else cv2.bitwise_or(all_joined, joined)
    return all_joined


def _filled_runs(runs: np.ndarray, pieces: np.ndarray, across: bool, crossing: np.ndarray) -> np.ndarray:
    """The runs whose pieces cover DASH_FILL of their length, even without the longest piece,
    between each two rules they cross (``crossing``, the rules of the other direction): a printed
    rule's dashes or dots are close and even; specks (a photo's desk, paper grain) lined up by
    chance leave most of it empty; and one long piece with dots at its ends is no dashed line: a
    character's stroke as tall as a low row (川's, 8 pt of an 11 pt face), bridged to the dots of
    the rules above and below it, split a merged cell, and 银川市教育局 was read 银川. Measured
    between crossings, a mark just past where a dotted rule ends (a comma over the T where a
    column's rule meets a merged row) is not taken in with the rule, and erased with it."""
    cut = cv2.dilate(crossing, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1) if across else (1, 5)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_and(runs, cv2.bitwise_not(cut)), connectivity=8)
    kept = np.zeros(count, dtype=bool)
    for label in range(1, count):
        x, y, w, h = stats[label, :4]
        covered = (pieces[y : y + h, x : x + w] > 0).any(axis=0 if across else 1)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], covered.astype(np.int8), [0]))))
        longest = int((edges[1::2] - edges[::2]).max()) if edges.size else 0
        kept[label] = (int(covered.sum()) - longest) / covered.size >= DASH_FILL
    return cv2.bitwise_or(kept.astype(np.uint8)[labels] * 255, cv2.bitwise_and(runs, cut))  # where they cross a rule: a stub, unless joined to a run kept


def _dashes_in_a_row(ink: np.ndarray, thick: int, longest: int) -> bool:
    """Whether DASH_MIN_PIECES rule-thin pieces of dark ink line up on one row or column of a half-size copy."""
    small = (cv2.resize(ink, (max(1, ink.shape[1] // 2), max(1, ink.shape[0] // 2)), interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    stats = stats[1:]
    x, y, w, h = (stats[:, i] for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    limit, reach = thick // 2 + 1, longest // 2
    flat, upright = (h <= limit) & (w <= reach), (w <= limit) & (h <= reach)
    rows = np.bincount(y[flat] + h[flat] // 2) if flat.any() else np.zeros(1, int)
    columns = np.bincount(x[upright] + w[upright] // 2) if upright.any() else np.zeros(1, int)
    return max(int(np.convolve(rows, np.ones(3), mode="same").max()), int(np.convolve(columns, np.ones(3), mode="same").max())) >= DASH_MIN_PIECES


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
            # the rules with their fringes: a photo's rules, resampled (straightened, rectified), are
            # blurred a pixel or two beyond what the opening keeps, and their fringe joined a cell's
            # side to the rule, so it was taken for a character's stroke (保山's 100 | 自评等级 read as one)
            rules = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * RULE_END_SLACK + 1)))
            _, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_and(ink, cv2.bitwise_not(rules)), connectivity=8)
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
