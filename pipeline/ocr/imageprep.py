"""Image preparation for scans and photos (the only module besides imagegrid that uses OpenCV).

Order: illumination -> perspective (photos) -> deskew -> bent rules; the coarse orientation is decided later
(``scan``) from the table. Each step is a small function ``image -> (image, what it did and the
evidence)`` so the run records every correction. Each step acts only on clear evidence:
perspective only when the table frame is clearly not a rectangle, deskew only by an angle the
ruling lines agree on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

MAX_DESKEW_DEGREES = 10.0
MIN_DESKEW_DEGREES = 0.1  # below this a rotation only blurs
SKEW_MAX_SPREAD = 0.6  # degrees between the quartiles of the lines' angles: more, and they do not agree
# perspective is corrected only when the table frame is clearly not a rectangle: opposite sides
# differing by 3% or more, or a corner 1.5° or more off square (a flat scan's frame is within both)
PERSPECTIVE_MIN_SIDES = 0.03
PERSPECTIVE_MIN_DEGREES = 1.5
PARALLEL_SPREAD = 0.8  # degrees: ruling lines this parallel (and square) make a rectangle
QUAD_FILLS_HULL = 0.92
SPECK_PIXELS = 2  # a dark blob this small on a bilevel page is a speck
SPECKLE_SHARE = 0.02  # a bilevel page whose dark pixels are this often lone dots is despeckled
# copier streaks: bands of grey dots down the page (a dirty drum or roller)
STREAK_DOT_PIXELS = 12  # at 300 dpi: a blob darker than STREAK_DOT_LEVEL this small is a dot
STREAK_DOT_LEVEL = 170
STREAK_BAND_MM = 2.0  # dots are counted in windows this wide across the page
STREAK_MIN_DOTS = 30  # dots in a window (per 297 mm of page height) that make it part of a streak
PRINT_LEVEL, CORE_LEVEL = 100, 50  # print is darker than PRINT_LEVEL, and a stroke has a core darker than CORE_LEVEL
STREAK_CORE_SHARE = 0.6  # a blob in a streak is print if its core share is this much of the page's text's
POINT_REACH_MM = 0.8  # a small dark blob this near solid print in a streak is print (a decimal point)
STREAK_STRETCHES, STREAK_STRETCH_DOTS, STREAK_LENGTH = 20, 3, 0.7  # dots in 7 of 10 twentieths of the page height (print: at most 0.55)
FOLD_STRIP_PX, FOLD_REACH_PX = 6, 4  # on the ~1200 px copy: columns compared in strips this wide, a strip's print this far from its neighbour's
FOLD_MIN_MM = 1.0  # columns shifted up or down this much more than a skew explains: a fold to undo ...
FOLD_CREASE_MM = 2.0  # a crease's columns, where print was bent and resampled, widened by this much each side
FOLD_SLOPE, FOLD_MIN_RUN_MM = 0.1, 10.0  # ... by a kink: the shift changes by 0.1 px a px over 10 mm at least (a photo's curve: under 8 mm)
DOTTED_GAP_MM, DOTTED_RULE_MM = 1.0, 8.0  # a dotted rule: dots in a straight row this long, gaps under this
STREAK_PAPER_LEVEL = 200  # a streak runs down paper: its columns are mostly this light before the light is evened (a photo's desk is not)
# red seals (公章): ink redder than it is green or blue by SEAL_RED_EXCESS, in a patch SEAL_MM wide and high
SEAL_RED_EXCESS = 40
SEAL_MM = (20.0, 90.0)  # a unit's round seal is 38-45 mm, an oval one 40 × 30, a 财务专用章 square 22 mm
COLOUR_CHROMA, COLOUR_PATCH_PIXELS = 40, 20  # a page with colour: this many px of its eighth-size copy this colourful
SEAL_INK_PERCENTILE = 10  # the seal's ink level: the red channel of its darker red pixels
SEAL_JOIN_MM = 3.0
SEAL_ROUND_MM = (30.0, 50.0)  # a round seal's diameter (a unit's: 38-45 mm)
SEAL_RING_MM = 1.5  # a ring's ink lies this near the circle found
SEAL_RING_SHARE = 0.8  # of the ring's angles inked: a seal's ring is drawn all round
SEAL_GREY_GAP = 40  # grey levels a seal scanned in gray is lighter than the print
SEAL_RING_EVEN = 0.45  # of a ring's ink within half that gap of its median grey: one ink (text's edges spread)
SEAL_RING_DENSER = 2.0  # times the ink share on the ring against a band just outside it (dense print: ~1)
SEAL_MAX = 4
SEAL_HALO_LEVELS = 8  # a seal's soft edge: this much darker than paper
# a reader's pen (a tick, a circle round a value, a stroke) in red or blue, over the table:
PEN_EXCESS = 40  # its colour is this far above the other two channels
PEN_MAX_MM = 40.0  # a mark no longer or taller than this (a table's coloured rules are larger)
PEN_MIN_MM = 1.0  # a coloured mark kept as print this long or more (not a speck) has the values in its columns doubted,
PEN_DOUBT_MM = 3.0  # this much either side too (the page is deskewed after)
PEN_RING_MM, PEN_RING_FILL = 8.0, 0.35  # a mark apart from the print this long (a 23 pt glyph's) or more, its ink this share of its box or less (a ring, a stroke), is a pen's
# dark round the paper (glass scanned with the lid open, black backing, a desk under a photo):
SURROUND_MM = 3.0  # a region this thick at least, touching the image's edge,
SURROUND_LEVEL = 70  # this dark once print is closed over (paper: 200-255; glass 15-60; a desk under a photo 40-110),
SURROUND_PLAIN = 0.005  # and plain: at most this share of it holds print (a shadow over the table does)
SURROUND_MARGIN_MM = 4.0  # the paper's edge, shaded where it lifts off the glass, is made white with it this far in (print keeps a wider margin)
FADED_CORE_LEVEL = 90  # print whose strokes' cores are lighter than this is faded (toner, a light copy): stretched
FADED_CORE_TARGET = 30  # so that its cores are this dark, as the steps after expect print (PRINT_LEVEL, CORE_LEVEL)
FADED_MIN_INK = 0.002  # of the page darker than paper by FADED_CONTRAST, at least, to measure the print by
FADED_CONTRAST = 40
# show-through: the back's print seen through thin paper, mirrored and light
GHOST_LEVEL = 235  # on the evened page, lighter than this is paper
GHOST_CORE = 160  # a mark whose darkest pixel is lighter than this is no print of this side
GHOST_MIN_MM = 1.0  # a mark at least this long or tall (a light decimal point of a coarse scan is smaller)
GHOST_MIN_MARKS = 40  # and at least this many of them on the page before any is taken out,
GHOST_MAX_SHARE = 0.04  # unless faint grey away from print covers more of the page: blurred print (phone photos 4.9-6.9%; show-through 0.1-2.8%)
PAPER_LEVEL = 200  # lighter is paper  # a seal's ring, star and characters are joined into one patch across gaps this wide


@dataclass
class PreparedImage:
    """A page image ready for grid detection and OCR, and the corrections applied to it."""

    gray: np.ndarray  # uint8, white paper, dark ink
    dpi: float
    corrections: list[str] = field(default_factory=list)
    # pixel columns read with doubt: a fold's creases (``unfold``), where print was bent, and the
    # columns of coloured marks kept as print (``_without_pen_marks``)
    creases: list[tuple[int, int]] = field(default_factory=list)
    # when perspective was corrected: the page without that correction (deskewed on its own), so
    # the caller can undo a correction that finds a worse table than no correction
    without_perspective: PreparedImage | None = None


def even_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide by a blurred background so shadows and uneven light do not look like ink.

    The background is estimated on a copy a quarter the size (it is smooth by construction), which
    makes this step ~15× cheaper than on the full page.
    """
    factor = 0.25 if min(gray.shape) >= 800 else 1.0
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    size = max(9 if factor < 1 else 31, (min(small.shape) // 25) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    background = cv2.GaussianBlur(background, (0, 0), size / 4)
    if factor < 1:
        background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    if int(background.min()) >= 250:  # evenly lit white paper: nothing to divide out
        return gray
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def restore_faded(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Faded print made dark again: on a light copy or a worn toner's page print is grey (120-160),
    which the steps after take for paper's shading or noise (print is darker than PRINT_LEVEL).
    The grey levels are stretched linearly, paper staying white, so that the print's cores (a
    low percentile of what is clearly darker than paper) become FADED_CORE_TARGET. Run on the
    evened page, whose paper is white."""
    paper = float(np.median(gray[::4, ::4]))
    darker = gray[::2, ::2][gray[::2, ::2] < paper - FADED_CONTRAST]
    if darker.size < FADED_MIN_INK * gray[::2, ::2].size:
        return gray, None
    core = float(np.percentile(darker, 10))
    if core <= FADED_CORE_LEVEL or paper - core < FADED_CONTRAST:
        return gray, None
    scale = (paper - FADED_CORE_TARGET) / (paper - core)
    table = np.clip(paper - (paper - np.arange(256, dtype=np.float32)) * scale, 0, 255).astype(np.uint8)
    return cv2.LUT(gray, table), f"faded print darkened (its strokes' cores {core:.0f} → {FADED_CORE_TARGET}, paper {paper:.0f})"


def without_show_through(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None]:
    """The back's print seen through thin paper made paper: its rules were taken for this side's
    (a column lost, its level names read as indicator names) and its characters read into empty
    cells. A mark (darker than GHOST_LEVEL, 8-connected) whose every pixel is lighter than
    GHOST_CORE, and that is GHOST_MIN_MM long at least, is show-through, when the page has
    GHOST_MIN_MARKS of them: then every pixel lighter than GHOST_CORE and not within 2 px of one
    darker is made paper (the back's rules cross this side's, so a mark-by-mark test kept most of
    them). This side's print has dark cores and keeps its grey edges. A page with more faint grey
    than GHOST_MAX_SHARE is left as it is: a phone photo's print is blurred, and its faint parts
    are this side's (taken out, a photo read 99.5% for 100%). Run on the evened page, after faded
    print is darkened."""
    marks = (gray < GHOST_LEVEL).view(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    printed = np.zeros(count, bool)
    printed[np.unique(labels[gray < GHOST_CORE])] = True
    printed[0] = True
    least = GHOST_MIN_MM * dpi / 25.4
    ghosts = ~printed & (np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= least)
    if int(ghosts.sum()) < GHOST_MIN_MARKS:
        return gray, None
    near_print = cv2.dilate((gray < GHOST_CORE).view(np.uint8), np.ones((5, 5), np.uint8)).view(bool)
    light = (gray >= GHOST_CORE) & ~near_print
    if np.mean(light & (gray < GHOST_LEVEL)) > GHOST_MAX_SHARE:
        return gray, None  # this side's print blurred (a phone photo's), not the back's
    cleaned = gray.copy()
    cleaned[light] = 255
    return cleaned, f"show-through of the back taken out ({int(ghosts.sum())} light marks)"


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: adaptive, so faint lines and uneven scans survive."""
    block = max(15, (min(gray.shape) // 80) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def corner_angles(corners: np.ndarray) -> list[float]:
    """The four inner angles (degrees) of a quadrilateral given corner by corner."""
    angles = []
    for i in range(4):
        a, b = corners[i - 1] - corners[i], corners[(i + 1) % 4] - corners[i]
        cosine = float(np.dot(a, b) / max(1e-9, np.linalg.norm(a) * np.linalg.norm(b)))
        angles.append(math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))
    return angles


def _order_corners(points: np.ndarray) -> np.ndarray:
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]], dtype=np.float32)


def _small_ink(gray: np.ndarray, factor: float) -> np.ndarray:
    """The page at ``factor`` scale, binarised: what ``_long_segments`` looks for strokes in, and
    ``column_shifts`` a fold's shifts."""
    return binarise(cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))


def _long_segments(ink: np.ndarray, gap_share: int = 150) -> tuple[np.ndarray, list[tuple[float, float]], list[tuple[float, float]]]:
    """A mask of the long straight strokes of ``ink`` in any near-axis direction, and the (angle
    in degrees, length) of the near-horizontal ones and of the near-vertical ones (angle less 90°).
    A stroke may be broken by gaps up to 1/``gap_share`` of the width."""
    height, width = ink.shape
    mask = np.zeros_like(ink)
    lines = cv2.HoughLinesP(ink, 1, math.pi / 360, threshold=min(height, width) // 6, minLineLength=min(height, width) // 5, maxLineGap=max(3, width // gap_share))
    across, down = [], []
    for x0, y0, x1, y1 in lines.reshape(-1, 4) if lines is not None else []:
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        angle = angle + 180 if angle < -90 else angle - 180 if angle > 90 else angle
        length = math.hypot(x1 - x0, y1 - y0)
        if abs(angle) <= 20:
            across.append((angle, length))
        elif abs(abs(angle) - 90) <= 20:
            down.append((angle - 90 if angle > 0 else angle + 90, length))
        else:
            continue
        cv2.line(mask, (int(x0), int(y0)), (int(x1), int(y1)), 255, 2)
    return mask, across, down


def _parallel(lines: list[tuple[float, float]]) -> float | None:
    """The spread (degrees, 10th to 90th percentile by length) of a family of lines' angles; None
    if too few. By length: a table's rules are its long strokes, and in tight rows a line of text
    and the rule beside it make short slanted "lines" (4 of 34 at 2–2.5° on a flat scan warped
    by 4.5%, its header cut and read 一级指标 for 二级指标)."""
    if len(lines) < 3:
        return None
    low, high = _weighted_percentiles(lines, (0.1, 0.9))
    return high - low


def _weighted_percentiles(lines: list[tuple[float, float]], shares: tuple[float, ...]) -> list[float]:
    ordered = sorted(lines)
    cumulative = np.cumsum([length for _, length in ordered])
    return [ordered[int(np.searchsorted(cumulative, share * cumulative[-1]))][0] for share in shares]


def correct_perspective(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Find the outer frame of the table and warp it to a rectangle, when it is clearly skewed.

    Evidence first: when the table's horizontal lines are parallel, its vertical lines too, and
    the two at right angles, the page is a flat scan (at most rotated) and nothing is warped.

    The frame is the hull of the biggest connected web of long strokes: the table's ruling lines
    cross each other, while a paper edge or a shadow is a few lines on its own. A scan whose
    frame is already a rectangle (up to a rotation, which deskew handles) is left alone.
    """
    factor = min(1.0, 1200 / max(gray.shape))
    ink = _small_ink(gray, factor)
    _, across, down = _long_segments(ink)
    spread_across, spread_down = _parallel(across), _parallel(down)
    if (
        spread_across is not None
        and spread_down is not None
        and max(spread_across, spread_down) <= PARALLEL_SPREAD
        and abs(_weighted_percentiles(across, (0.5,))[0] - _weighted_percentiles(down, (0.5,))[0]) <= PARALLEL_SPREAD
    ):
        return gray, None  # rows parallel, columns parallel, at right angles: a rectangle, perhaps rotated
    # the frame from strokes bridged over wider gaps: a photo's blur breaks a thin border into
    # pieces, and without them the web of lines lost the table's left border and the page was
    # warped askew; the angles above keep the narrow gaps (bridged, a flat scan's text rows made
    # lines that failed the parallel test, and a flat page was warped)
    mask, _, _ = _long_segments(ink, gap_share=60)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return gray, None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    points = cv2.findNonZero((labels == biggest).astype(np.uint8))
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float32)
    if cv2.contourArea(hull) < 0.15 * mask.shape[0] * mask.shape[1]:
        return gray, None
    quad = _order_corners(hull)
    if cv2.contourArea(quad) < QUAD_FILLS_HULL * cv2.contourArea(hull):
        return gray, None  # the web of lines is not a four-cornered frame: nothing to rectify to
    corners = quad / factor
    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    sides = max(abs(top - bottom) / max(top, bottom), abs(left - right) / max(left, right))
    bend = max(abs(a - 90) for a in corner_angles(corners))
    if sides < PERSPECTIVE_MIN_SIDES and bend < PERSPECTIVE_MIN_DEGREES:
        return gray, None  # a rectangle, perhaps rotated: deskew's business, not perspective's
    width, height = int(max(top, bottom)), int(max(left, right))
    frame = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), frame)
    left_room, above, right_room, below = _room_around(gray.shape, matrix, width, height)
    shift = np.array([[1, 0, left_room], [0, 1, above], [0, 0, 1]], dtype=np.float64)
    warped = cv2.warpPerspective(gray, shift @ matrix, (left_room + width + right_room, above + height + below), flags=cv2.INTER_LINEAR, borderValue=255)
    return warped, (f"perspective corrected from the table frame (opposite sides differ by {sides:.1%}, a corner is {bend:.1f}° off square)")


ROOM_SIDE = (0.05, 0.25)  # share of the frame's width kept left and right of it, at least and at most
ROOM_ABOVE_BELOW = (0.12, 0.8)  # share of its height kept above and below it


def _room_around(shape: tuple[int, ...], matrix: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """How much of the page around the rectified frame to keep (left, above, right, below, in
    pixels): as far as the photo reaches, within bounds. A fixed 12% of the frame's height above it
    cut a title off when the table filled only the top half of a photographed page."""
    rows, columns = shape[:2]
    picture = np.array([[[0, 0], [columns, 0], [columns, rows], [0, rows]]], dtype=np.float32)
    reach = cv2.perspectiveTransform(picture, matrix)[0]
    x0, y0 = reach.min(axis=0)
    x1, y1 = reach.max(axis=0)

    def room(extent: float, size: int, bounds: tuple[float, float]) -> int:
        return int(min(max(extent, bounds[0] * size), bounds[1] * size))

    return room(-x0, width, ROOM_SIDE), room(-y0, height, ROOM_ABOVE_BELOW), room(x1 - width, width, ROOM_SIDE), room(y1 - height, height, ROOM_ABOVE_BELOW)


def skew_angle(gray: np.ndarray) -> float | None:
    measured = measure_skew(gray)
    return measured.degrees if measured else None


@dataclass(frozen=True)
class Skew:
    degrees: float  # counter-clockwise positive
    lines: int  # ruling lines that measured it
    spread: float  # degrees between the quartiles of their angles


def measure_skew(gray: np.ndarray) -> Skew | None:
    """Angle (degrees, counter-clockwise positive) of the long near-horizontal ruling lines.

    Measured on a copy at most ~1200 px wide: Hough on a full 300 dpi page takes seconds, and
    lines a quarter of the page long still give the angle to about 0.1°.
    """
    factor = min(1.0, 1200 / max(gray.shape))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    width = small.shape[1]
    # only near-horizontal strokes (runs of a few dozen pixels survive a skew of 10°) go to Hough
    strokes = cv2.morphologyEx(binarise(small), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, width // 100), 1)))
    # a coarse 0.5° accumulator is enough: the angle comes from the segments' end points
    lines = cv2.HoughLinesP(strokes, 1, math.pi / 360, threshold=width // 8, minLineLength=width // 4, maxLineGap=max(3, width // 100))
    if lines is None:
        return None
    angles = []
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(angle) <= MAX_DESKEW_DEGREES:
            angles.append(angle)
    if len(angles) < 3:
        return None
    low, high = np.percentile(angles, [25, 75])
    if high - low > SKEW_MAX_SPREAD:
        return None  # the lines disagree: no angle to trust
    return Skew(float(np.median(angles)), len(angles), float(high - low))


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre, growing the canvas so nothing is cut off; new area is white."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cv2.warpAffine(gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Rotate by the angle the ruling lines agree on, and by no more."""
    skew = measure_skew(gray)
    if skew is None or abs(skew.degrees) < MIN_DESKEW_DEGREES:
        return gray, None
    note = f"deskewed by {skew.degrees:.2f}° (median of {skew.lines} ruling lines, quartiles {skew.spread:.2f}° apart)"
    return rotate(gray, skew.degrees), note


# a photographed page that bends: its table's rules, straight once the frame is rectified, still
# run at different angles in different parts of the table (黄石's photo: −0.5°, 0° and +0.5°, so
# a 10 pt row's band, cut straight across, took the row above's text at one end)
BEND_MIN_PIXELS = 4.0  # at 300 dpi: a rule that strays less than this from straight is left alone
BEND_RULE_SHARE = 0.6  # a rule this share of the table's width or longer measures the bend
BEND_MIN_RULES = 4


def _long_rules(gray: np.ndarray, dpi: float) -> list[np.ndarray]:
    """The table's long horizontal rules, each as (x, y) samples of its middle every few pixels."""
    ink = binarise(gray)
    piece = max(15, int(dpi * 0.2))  # a rule at 1° keeps runs of 57 px at 300 dpi; a glyph's 一 is shorter than 0.2 in
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (piece, 1)))
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (piece, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    if count < 2:
        return []
    widest = int(stats[1:, cv2.CC_STAT_WIDTH].max())
    rules = []
    step = max(4, int(dpi / 40))
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        if w < BEND_RULE_SHARE * widest or h > w / 8:
            continue
        own = labels[y : y + h, x : x + w] == index
        columns = np.arange(0, w, step)
        rows = np.arange(h, dtype=np.float64)[:, None]
        weights = own[:, columns].astype(np.float64)
        filled = weights.sum(axis=0) > 0
        if filled.sum() < 0.5 * len(columns):
            continue
        middle = (rows * weights).sum(axis=0)[filled] / weights.sum(axis=0)[filled]
        rules.append(np.stack([columns[filled] + x, middle + y], axis=1))
    return rules


def straighten_rules(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None]:
    """Bend a bent page's table straight: each long horizontal rule is fitted with a gentle curve
    (a parabola), and every column of pixels is moved up or down so that each rule lies level at
    the height it has at the table's middle, the pixels between two rules moved in proportion.
    Only when the rules stray from straight by BEND_MIN_PIXELS (scaled to the dpi) or more: a flat
    scan's rules, deskewed, stray by a pixel or two, and it is left as it is."""
    rules = _long_rules(gray, dpi)
    if len(rules) < BEND_MIN_RULES:
        return gray, None
    height, width = gray.shape
    centre = (min(float(r[:, 0].min()) for r in rules) + max(float(r[:, 0].max()) for r in rules)) / 2
    fits = [(np.polyfit(r[:, 0], r[:, 1], 2), float(r[:, 0].min()), float(r[:, 0].max())) for r in rules]
    xs = np.linspace(0, width - 1, max(2, width // 16))
    # beyond its own ends a rule is taken as level with them: a parabola is not drawn on past its data
    sources = np.array([np.polyval(fit, np.clip(xs, start, end)) for fit, start, end in fits])  # rule × sampled x: where it lies
    targets = np.array([np.polyval(fit, np.clip(centre, start, end)) for fit, start, end in fits])  # where it is put
    order = np.argsort(targets)
    sources, targets = sources[order], targets[order]
    stray = float(np.abs(sources - targets[:, None]).max())
    if stray < BEND_MIN_PIXELS * dpi / 300 or np.any(np.diff(sources, axis=0) <= 0):
        return gray, None  # level already, or rules that would cross: not a bend to undo
    offsets = sources - targets[:, None]
    ys = np.arange(height, dtype=np.float64)
    sampled = np.empty((height, len(xs)), dtype=np.float32)
    for k in range(len(xs)):  # above the first rule and below the last, moved as they are
        sampled[:, k] = ys + np.interp(ys, targets, offsets[:, k])
    map_y = cv2.resize(sampled, (width, height), interpolation=cv2.INTER_LINEAR)
    map_x = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    straight = cv2.remap(gray, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return straight, f"bent rules straightened (the table's {len(rules)} long rules strayed up to {stray:.0f} px from level)"


def quarter_turns(gray: np.ndarray, turns: int) -> np.ndarray:
    """Rotate by 90° steps counter-clockwise."""
    return np.ascontiguousarray(np.rot90(gray, turns))


def despeckle(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """A bilevel page (fax, 1-bit scan) with specks or dithered paper: dots of a pixel or two
    are removed (they would be read as ink); strokes and thin rules are kept."""
    if gray.size == 0 or np.count_nonzero((gray > 16) & (gray < 240)) > 0.001 * gray.size:
        return gray, None  # not bilevel
    dark = gray < 128
    isolated = cv2.filter2D(dark.astype(np.uint8), -1, np.ones((3, 3), np.float32)) == 1  # a dark pixel alone
    share = np.count_nonzero(isolated & dark) / max(1, int(np.count_nonzero(dark)))
    if share < SPECKLE_SHARE:
        return gray, None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    tiny = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= SPECK_PIXELS)
    tiny = tiny[tiny > 0]
    cleaned = gray.copy()
    cleaned[np.isin(labels, tiny)] = 255  # only the dots go: strokes and 1-pixel rules stay
    return cleaned, f"despeckled (bilevel page; {share:.0%} of its dark pixels were isolated dots)"


def _dot_pixels(dpi: float) -> int:
    """The area a blob has at most to be a dot at ``dpi``."""
    return max(2, round(STREAK_DOT_PIXELS * (dpi / 300.0) ** 2))


def _small_dots(gray: np.ndarray, dpi: float, without_rules: bool = False) -> np.ndarray:
    """The connected-component stats of the page's small dark blobs (dots), one pass for both
    directions; ``without_rules``: not those in a row along a dotted rule (see ``_dotted_rules``)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((gray < STREAK_DOT_LEVEL).astype(np.uint8), connectivity=8)
    dots = stats[:, cv2.CC_STAT_AREA] <= _dot_pixels(dpi)
    dots[0] = False
    if without_rules:
        dots[_dotted_rules(labels, dots, dpi)] = False
    return stats[dots]


def _dotted_rules(labels: np.ndarray, dots: np.ndarray, dpi: float) -> np.ndarray:
    """Labels of the dots in a straight row DOTTED_RULE_MM long with gaps under DOTTED_GAP_MM:
    a sheet's dotted border, printed, which a streak's scattered dots never make."""
    mask = dots.astype(np.uint8)[labels]
    gap, length = max(3, round(DOTTED_GAP_MM * dpi / 25.4)), round(DOTTED_RULE_MM * dpi / 25.4)
    on_rules = np.zeros_like(mask)
    for bridge, keep in (((gap, 1), (length, 1)), ((1, gap), (1, length))):
        joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
        on_rules |= cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, keep))
    return np.unique(labels[(on_rules > 0) & (mask > 0)])


def _streak_lanes(dots: np.ndarray, shape: tuple[int, int], dpi: float, down: bool) -> np.ndarray:
    """Which columns (``down``) or rows a streak of grey dots runs along: where, in windows of
    STREAK_BAND_MM, small dark blobs are far more common than any print makes them (text has a
    dot or two a window: decimal points, 、 and 。). A worn drum draws streaks down the page,
    dirty rollers bands across it."""
    xs = dots[:, cv2.CC_STAT_LEFT] + dots[:, cv2.CC_STAT_WIDTH] // 2
    ys = dots[:, cv2.CC_STAT_TOP] + dots[:, cv2.CC_STAT_HEIGHT] // 2
    centres, middles = (xs, ys) if down else (ys, xs)  # across the lanes, and along them
    across, length = (shape[1], shape[0]) if down else (shape[0], shape[1])
    window = max(3, round(dpi * STREAK_BAND_MM / 25.4)) | 1
    counts = np.convolve(np.bincount(centres, minlength=across).astype(float), np.ones(window), mode="same")
    needed = STREAK_MIN_DOTS * length / (dpi * 297 / 25.4)
    lane = cv2.dilate((counts >= needed).astype(np.uint8)[None, :], np.ones((1, window), np.uint8))[0].astype(bool)
    for start, end in _runs(lane):  # a streak runs the page's length: print's small pieces keep to its lines
        here = (centres >= start) & (centres <= end)
        stretches = np.bincount(middles[here] * STREAK_STRETCHES // length, minlength=STREAK_STRETCHES)
        # a band across runs over both side margins too, where no line of print reaches (a grainy
        # scan's rows of small text break into dots along 70% of the width as well)
        margins = down or (stretches[:2].max() >= STREAK_STRETCH_DOTS and stretches[-2:].max() >= STREAK_STRETCH_DOTS)
        if np.mean(stretches >= STREAK_STRETCH_DOTS) < STREAK_LENGTH or not margins:
            lane[start : end + 1] = False
    return lane


def _on_paper(unlit: np.ndarray | None, start: int, end: int, down: bool) -> bool:
    """The lane runs over paper (a photo's desk edge, its noise amplified by the evening, is no streak)."""
    if unlit is None:
        return True
    part = unlit[::4, start : end + 1] if down else unlit[start : end + 1, ::4]
    return bool(np.median(part) >= STREAK_PAPER_LEVEL)


def remove_streaks(gray: np.ndarray, dpi: float, unlit: np.ndarray | None = None) -> tuple[np.ndarray, str | None]:
    """Copier streaks and roller bands: in the lanes of grey dots only, everything but solid print is painted white.

    A blob of print there is kept whole (a glyph crossing the lane's edge keeps its strokes) when
    its share of pixels darker than CORE_LEVEL is like that of the page's text outside the lanes:
    clumps of dots are grey (cores of 0.1 against 0.6 on a worn copy), strokes are solid.
    ``unlit``: the page before its light was evened, where a photo's desk is dark."""

    def lanes_of(dots: np.ndarray) -> dict[bool, list[tuple[int, int]]]:
        return {down: [(a, b) for a, b in _runs(_streak_lanes(dots, gray.shape, dpi, down)) if _on_paper(unlit, a, b, down)] for down in (True, False)}

    lanes = lanes_of(_small_dots(gray, dpi))
    if lanes[True] or lanes[False]:  # dotted rules are rows of dots too: they are no streak (asked only when a lane is found)
        lanes = lanes_of(_small_dots(gray, dpi, without_rules=True))
    if not lanes[True] and not lanes[False]:
        return gray, None
    ink = gray < PRINT_LEVEL
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.view(np.uint8), connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA]
    cores = np.bincount(labels[ink], weights=gray[ink] < CORE_LEVEL, minlength=count) / np.maximum(areas, 1)
    in_lane = np.zeros(count, bool)
    for down, ranges in lanes.items():
        first, size = (stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]) if down else (stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_HEIGHT])
        marked = np.zeros(gray.shape[1 if down else 0], bool)
        for start, end in ranges:
            marked[start : end + 1] = True
        touching = np.cumsum(marked)
        last = first + size - 1
        in_lane |= (touching[last] - np.where(first > 0, touching[np.maximum(first - 1, 0)], 0)) > 0
    big = areas > _dot_pixels(dpi)
    big[0] = False
    text = big & ~in_lane
    if not text.any():  # dots all over the page: the page's print is judged by all its blobs
        text = big
    if not text.any():
        return gray, None
    dark = cores >= STREAK_CORE_SHARE * float(np.median(cores[text]))
    solid, point = big & dark, ~big & dark
    point[0] = False
    reach = max(1, round(POINT_REACH_MM * dpi / 25.4))
    cleaned = gray.copy()
    for down, ranges in lanes.items():
        # a band across is a streak down the transposed page (views: painting them paints ``cleaned``)
        page, blobs = (cleaned, labels) if down else (cleaned.T, labels.T)
        for start, end in ranges:  # only the lanes (and a few pixels beside them) are looked at
            lo, hi = max(0, start - reach), min(page.shape[1], end + reach + 1)
            here = blobs[:, lo:hi]
            glyphs = solid[here].view(np.uint8)
            keep = cv2.dilate(glyphs, np.ones((3, 3), np.uint8)).view(bool)
            # a decimal point or 、 beside print is small, with a core as dark as print's: it stays with its line
            keep |= point[here] & cv2.dilate(glyphs, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).view(bool)
            part = page[:, start : end + 1]
            part[~keep[:, start - lo : end + 1 - lo]] = 255
    notes = []
    for down, ranges in lanes.items():
        if ranges:
            where = ", ".join(f"{'x' if down else 'y'} {a}–{b}" for a, b in ranges[:6]) + (" …" if len(ranges) > 6 else "")
            notes.append(f"{len(ranges)} bands {'down' if down else 'across'} the page ({where} px)")
    return cleaned, f"grey dots removed in {' and '.join(notes)} (copier streaks, noise), print kept where it is solid"


def column_shifts(gray: np.ndarray, exact: bool = True) -> tuple[np.ndarray, np.ndarray, float]:
    """How far (pixels of a copy at most ~1200 px wide) the print of each strip of columns sits
    below that of the page's first strip with print, and which strips hold print; and the copy's
    scale. Each strip's row profile (ink per row) is matched to a running template of the strips
    before it, a few pixels either way: rules and text lines run across the page, so a strip
    whose print was moved up or down by a fold moves the profile with it. ``exact``: to a
    fraction of a pixel (a rule left bent by a pixel is not erased whole), else to the pixel."""
    factor = min(1.0, 1200 / max(gray.shape))
    ink = (_small_ink(gray, factor) > 0).astype(np.float32)
    height, width = ink.shape
    count = width // FOLD_STRIP_PX
    strips = ink[:, : count * FOLD_STRIP_PX].reshape(height, count, FOLD_STRIP_PX).sum(axis=2).T
    inked = strips.sum(axis=1) > 0.01 * height * FOLD_STRIP_PX
    profiles = strips - strips.mean(axis=1, keepdims=True)
    shifts = np.zeros(count)
    template: np.ndarray | None = None
    current = 0.0
    rows = np.arange(height, dtype=np.float64)
    for i in np.flatnonzero(inked):
        if template is not None:
            scores = [float(np.dot(_moved(profiles[i], rows, current + d, exact), template)) for d in range(-FOLD_REACH_PX, FOLD_REACH_PX + 1)]
            best = int(np.argmax(scores))
            current += best - FOLD_REACH_PX + (_peak_offset(scores, best) if exact else 0.0)
            template = 0.8 * template + 0.2 * _moved(profiles[i], rows, current, exact)
        else:
            template = profiles[i].copy()
        shifts[i:] = current
    return shifts, inked, factor


def _moved(profile: np.ndarray, rows: np.ndarray, by: float, exact: bool) -> np.ndarray:
    """``profile`` read ``by`` rows further down (past its ends, 0); a fraction of a row interpolated when ``exact``."""
    if exact:
        return np.interp(rows + by, rows, profile, left=0.0, right=0.0)
    step, out = int(round(by)), np.zeros_like(profile)
    if step >= 0:
        out[: len(profile) - step] = profile[step:]
    else:
        out[-step:] = profile[: len(profile) + step]
    return out


def _peak_offset(scores: list[float], best: int) -> float:
    """Where between its neighbours the peak at ``best`` lies (a parabola through the three), in rows."""
    if best == 0 or best == len(scores) - 1:
        return 0.0
    left, middle, right = scores[best - 1], scores[best], scores[best + 1]
    curve = left - 2 * middle + right
    return 0.0 if curve >= 0 else 0.5 * (left - right) / curve


def _unskewed(shifts: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """The shifts less the line a skew makes: the line through the strips a fold left where they
    were (most of the page), found again without the strips furthest from a first fit."""
    strips = np.arange(len(shifts))
    residual = shifts - np.polyval(np.polyfit(strips[inked], shifts[inked], 1), strips)
    level = inked & (np.abs(residual) <= np.median(np.abs(residual[inked])))
    return shifts - np.polyval(np.polyfit(strips[level], shifts[level], 1), strips)


def _steep(residual: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """Between which strips (with print) the shift changes by FOLD_SLOPE or more a pixel."""
    smooth = np.convolve(residual, np.ones(5) / 5, mode="same")
    return (np.abs(np.diff(smooth)) / FOLD_STRIP_PX > FOLD_SLOPE) & inked[1:] & inked[:-1]


def _longest_kink(residual: np.ndarray, inked: np.ndarray) -> int:
    """The most strips in a row over which the shift kinks (``_steep``)."""
    return max((end - start + 1 for start, end in _runs(_steep(residual, inked))), default=0)


def unfold(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None, list[tuple[int, int]]]:
    """A page folded before it was scanned or photographed: strips of it sit higher or lower
    than their neighbours, so its rules run in kinks and its cells do not line up. Each column is
    moved back by its strip's shift, less the straight line a skew makes (deskew handles that,
    by rotation), when what is left reaches FOLD_MIN_MM. Also returns the creases' pixel columns:
    print there was bent, shaded and resampled, and two engines may agree on a glyph it lost
    (红济效益 for 经济效益), so values read there are doubted (``extract.doubt_creased``)."""
    shifts, inked, factor = column_shifts(gray, exact=False)  # to the pixel first: most pages have no fold
    if inked.sum() < 10:
        return gray, None, []
    residual = _unskewed(shifts, inked)
    largest = float(np.abs(residual[inked]).max()) / factor  # full-size pixels
    if largest < FOLD_MIN_MM * dpi / 25.4 or _longest_kink(residual, inked) * FOLD_STRIP_PX / factor < FOLD_MIN_RUN_MM * dpi / 25.4:
        return gray, None, []
    shifts, inked, factor = column_shifts(gray)
    residual = _unskewed(shifts, inked)
    largest = float(np.abs(residual[inked]).max()) / factor
    strips = np.arange(len(shifts))
    height, width = gray.shape
    centres = (strips + 0.5) * FOLD_STRIP_PX / factor
    by_column = np.interp(np.arange(width), centres, residual / factor).astype(np.float32)
    map_x = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    map_y = np.arange(height, dtype=np.float32)[:, None] + by_column[None, :]
    unfolded = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    widen = FOLD_CREASE_MM * dpi / 25.4
    creases = [(max(0, int(start * FOLD_STRIP_PX / factor - widen)), min(width, int((end + 2) * FOLD_STRIP_PX / factor + widen))) for start, end in _runs(_steep(residual, inked))]
    where = ", ".join(f"x {a}–{b}" for a, b in creases)
    return unfolded, f"unfolded: strips of the page moved back by up to {largest * 25.4 / dpi:.1f} mm (its rules ran in kinks; creases at {where} px, values there are doubted)", creases


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def without_dark_surround(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None]:
    """The dark round the sheet made white: evened out, the paper's edge became a dark frame round
    the page, taken for the table's outer rules, and the grain of the glass was dots everywhere,
    taken for a copier's streaks (whose removal took 万元 out of a form marked ok).

    Looked for on a quarter-size copy whose print is closed over: a region darker than
    SURROUND_LEVEL, SURROUND_MM thick, touching the image's edge, with no print in it. It and the
    paper's edge SURROUND_MARGIN_MM in become white along a smoothed boundary (a blocky one is a
    grey line of short level steps). Grown instead over all of the paper darker than its median
    light, it ate into a photo's unevenly lit table."""
    factor = 4
    if min(gray.shape) < 128 * factor:
        return gray, None
    small = cv2.resize(gray, (gray.shape[1] // factor, gray.shape[0] // factor), interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    dark = (background < SURROUND_LEVEL).astype(np.uint8)
    width = max(2, int(round(SURROUND_MM * dpi / 25.4 / factor)))
    thick = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (width, width)))
    if not thick.any():
        return gray, None
    _, labels = cv2.connectedComponents(thick, connectivity=8)
    touching = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    surround = np.isin(labels, touching[touching > 0])
    if not surround.any():
        return gray, None
    closed, seen = background[surround].astype(np.float32), small[surround].astype(np.float32)
    if np.mean(closed - seen > np.maximum(12.0, 0.3 * closed)) > SURROUND_PLAIN:
        return gray, None  # print in it, however dark: a shadow over the sheet, not the glass round it
    margin = max(1, int(round(SURROUND_MARGIN_MM * dpi / 25.4 / factor)))
    grown = cv2.dilate(surround.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1)))
    mask = cv2.resize(cv2.GaussianBlur(grown.astype(np.float32), (0, 0), 1.5), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR) > 0.5
    cleaned = gray.copy()
    cleaned[mask] = 255
    return cleaned, f"dark round the paper made white ({mask.mean():.0%} of the image, grey {np.median(background[surround]):.0f})"


def gray_unless_coloured(rgb: np.ndarray) -> np.ndarray:
    """An RGB page as 8-bit gray unless some of it has colour (COLOUR_PATCH_PIXELS of an eighth-size
    copy with channels COLOUR_CHROMA apart): a gray page saved as RGB (a scanner's JPEG, a PDF
    page) needs none of the colour steps, nor three times the memory."""
    small = cv2.resize(rgb, (max(1, rgb.shape[1] // 8), max(1, rgb.shape[0] // 8)), interpolation=cv2.INTER_AREA)
    chroma = small.max(axis=2).astype(np.int16) - small.min(axis=2)
    if np.count_nonzero(chroma > COLOUR_CHROMA) >= COLOUR_PATCH_PIXELS:
        return rgb
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def without_seals(image: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None]:
    """A colour page as gray with its red seals taken out (``image`` is RGB; a gray one goes to
    ``without_grey_seals``).

    In gray a seal is dark ink: it cut ruling lines and merged cells, and its characters were
    read as the values under it (one seal over a table: 55% of fields read, 65 wrong values in
    forms marked ok). Inside a patch of red the size of a seal the red channel is used, as a
    scanner's red drop-out does: the red ink turns to paper and the black print over it stays
    black, scaled so the seal's ink is as light as paper. Red outside such a patch (a figure
    typed in red) is kept as print."""
    gray, note, _ = without_seals_and_pens(image, dpi)
    return gray, note


def without_seals_and_pens(image: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None, list[tuple[int, int]]]:
    """``without_seals``, pen marks over the print taken out too (``_without_pen_marks``), and the
    pixel columns of coloured marks kept as print, whose values are doubted."""
    if image.ndim == 2:
        gray, note = without_grey_seals(image, dpi)
        return gray, note, []
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    factor = 8
    small = cv2.resize(image, (max(1, image.shape[1] // factor), max(1, image.shape[0] // factor)), interpolation=cv2.INTER_AREA).astype(np.int16)
    small_red = (small[:, :, 0] - np.maximum(small[:, :, 1], small[:, :, 2])) > SEAL_RED_EXCESS // 2
    px_per_mm = dpi / 25.4 / factor
    seals = []
    if small_red.any():
        join = max(1, int(round(SEAL_JOIN_MM * px_per_mm)))
        patches = cv2.morphologyEx(small_red.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (join, join)))
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(patches, connectivity=8)
        low, high = (mm * px_per_mm for mm in SEAL_MM)
        seals = [stats[i] for i in range(1, count) if low <= stats[i][cv2.CC_STAT_WIDTH] <= high and low <= stats[i][cv2.CC_STAT_HEIGHT] <= high]
    seal_boxes = [(slice(max(0, (y - 1) * factor), (y + h + 1) * factor), slice(max(0, (x - 1) * factor), (x + w + 1) * factor)) for x, y, w, h, _area in seals]
    for box in seal_boxes:
        part = image[box].astype(np.int16)
        red = (part[:, :, 0] - np.maximum(part[:, :, 1], part[:, :, 2])) > SEAL_RED_EXCESS // 2
        red = cv2.dilate(red.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # and the seal's soft edges
        # the red channel scaled so the seal's own ink is paper: print over it stays as dark
        ink_level = max(1.0, float(np.percentile(part[:, :, 0][red], SEAL_INK_PERCENTILE)))
        gray[box][red] = np.clip(part[:, :, 0][red] * (255.0 / ink_level), 0, 255).astype(np.uint8)
    gray, pens, kept = _without_pen_marks(image, gray, dpi, seal_boxes)
    if not seals:
        return gray, pens, kept
    sizes = ", ".join(f"{w / px_per_mm:.0f}×{h / px_per_mm:.0f} mm at ({x / px_per_mm:.0f}, {y / px_per_mm:.0f}) mm" for x, y, w, h, _area in seals)
    seal_note = f"red seal{'s' if len(seals) > 1 else ''} taken out (the red channel read there): {sizes}"
    return gray, seal_note + (f"; {pens}" if pens else ""), kept


def _without_pen_marks(image: np.ndarray, gray: np.ndarray, dpi: float, seal_boxes: list[tuple[slice, slice]]) -> tuple[np.ndarray, str | None, list[tuple[int, int]]]:
    """Red and blue pen marks that touch the print made paper: a reader's ticks and circles over
    the table were dark in gray, and cut ruling lines, split cells and were read into values (a
    dozen marks a page: 53% of fields read). A mark is coloured ink (PEN_EXCESS above the other
    channels) joined into one piece, at most PEN_MAX_MM long, that touches black print (a rule it
    crosses, a figure it circles), outside the seals taken out. It is read in its own channel,
    scaled so the pen's ink is paper, while black print under it stays black. A coloured mark
    that touches nothing (a figure typed in red inside its cell, or a tick beside a value) is kept
    as print, and its pixel columns (PEN_DOUBT_MM wider each side) are returned: values there are
    doubted (a tick read into a level name, √数量指标, two engines agreed on). Unless it is larger
    than any glyph (PEN_RING_MM) and thin (PEN_RING_FILL of its box): a circle drawn beside a
    level name was read into it as a C (产出指标(50分)C), and its weight was lost. It is taken out,
    and its columns doubted all the same."""
    rgb = image.astype(np.int16)
    red, green, blue = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    coloured = ((red - np.maximum(green, blue)) > PEN_EXCESS) | ((blue - np.maximum(red, green)) > PEN_EXCESS)
    for box in seal_boxes:  # a seal's red is read there already
        coloured[box] = False
    if not coloured.any():
        return gray, None, []
    pieces = cv2.dilate(coloured.view(np.uint8), np.ones((3, 3), np.uint8))
    black = ((gray < PRINT_LEVEL) & (pieces == 0)).view(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces, connectivity=8)
    touching = np.zeros(count, bool)
    touching[np.unique(labels[cv2.dilate(black, np.ones((3, 3), np.uint8)) > 0])] = True
    longest = PEN_MAX_MM * dpi / 25.4
    size = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    apart = ~touching & (size >= PEN_MIN_MM * dpi / 25.4) & (size <= longest)
    apart[0] = False
    fill = stats[:, cv2.CC_STAT_AREA] / np.maximum(1, stats[:, cv2.CC_STAT_WIDTH] * stats[:, cv2.CC_STAT_HEIGHT])
    rings = apart & (size >= PEN_RING_MM * dpi / 25.4) & (fill <= PEN_RING_FILL)
    marks = (touching & (size <= longest)) | rings
    marks[0] = False
    margin = round(PEN_DOUBT_MM * dpi / 25.4)
    kept = [(max(0, int(x) - margin), int(x + w) + margin) for x, w in zip(stats[apart, cv2.CC_STAT_LEFT], stats[apart, cv2.CC_STAT_WIDTH])]
    notes = [(int((apart & ~rings).sum()), "kept as print"), (int(rings.sum()), "apart from the print, rings or strokes larger than a glyph, taken out")]
    kept_note = "; ".join(f"{n} red or blue marks {what}: values in their columns doubted" for n, what in notes if n) or None
    if not marks.any():
        return gray, kept_note, kept
    where = marks[labels]
    own = np.max(image, axis=2)[where].astype(np.float32)  # a coloured ink is light in its own channel; black stays black
    level = max(1.0, float(np.percentile(own[coloured[where]], SEAL_INK_PERCENTILE))) if coloured[where].any() else 255.0
    cleaned = gray.copy()
    cleaned[where] = np.clip(own * (255.0 / level), 0, 255).astype(np.uint8)  # scaled so the pen's ink is paper
    over = int((marks & ~rings).sum())
    taken = f"{over} red or blue pen marks over the print taken out (their own channel read)" if over else None
    return cleaned, "; ".join(note for note in (taken, kept_note) if note), kept


def without_grey_seals(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, str | None]:
    """A round seal on a page scanned in gray taken out: its red is a grey lighter than print.

    Its ring's arcs were read as ruling lines (rows split, values moved a row: 92% of fields on
    stamped gray scans). A seal is found as a circle of 30-50 mm across (a Hough transform on a
    quarter-size copy) whose ring is ink all round (SEAL_RING_SHARE of its angles), of one even
    grey, denser than the print just outside it, and lighter than the page's print by
    SEAL_GREY_GAP levels (a circle through dense print passes none of these): inside it, ink lighter than halfway between
    the two that is not at the edge of darker ink (print, and print over the seal) becomes paper,
    its soft edges too.
    A circle printed in black, or a seal as dark as the print, is left as it is."""
    factor = 4
    px_per_mm = dpi / 25.4
    small = cv2.resize(gray, (max(1, gray.shape[1] // factor), max(1, gray.shape[0] // factor)), interpolation=cv2.INTER_AREA)
    low, high = (mm / 2 * px_per_mm / factor for mm in SEAL_ROUND_MM)
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * low, param1=100, param2=40, minRadius=int(low), maxRadius=int(high) + 1)
    if circles is None:
        return gray, None
    inked = gray[::4, ::4]
    inked = inked[inked < PAPER_LEVEL]
    if inked.size == 0:
        return gray, None
    print_level = float(np.percentile(inked, 10))
    paper = int(np.median(gray[::4, ::4]))
    gray = gray.copy()
    found = []
    taken: list[tuple[float, float, float]] = []
    for cx, cy, r in circles[0][:SEAL_MAX]:  # the strongest circle first
        centre_x, centre_y, radius = cx * factor, cy * factor, r * factor
        if any(np.hypot(centre_x - x, centre_y - y) < radius + other for x, y, other in taken):
            continue  # a circle through a seal already taken out
        reach = int(radius + SEAL_RING_MM * px_per_mm)
        x0, y0 = max(0, int(centre_x) - reach), max(0, int(centre_y) - reach)
        crop = gray[y0 : int(centre_y) + reach + 1, x0 : int(centre_x) + reach + 1]
        ys, xs = np.mgrid[0 : crop.shape[0], 0 : crop.shape[1]]
        distance = np.hypot(xs + x0 - centre_x, ys + y0 - centre_y)
        ring = (np.abs(distance - radius) <= SEAL_RING_MM * px_per_mm) & (crop < PAPER_LEVEL)
        if not ring.any():
            continue
        angles = np.arctan2(ys[ring] + y0 - centre_y, xs[ring] + x0 - centre_x)
        share = len(np.unique(((angles + np.pi) / (2 * np.pi) * 72).astype(int) % 72)) / 72
        seal_level = float(np.median(crop[ring]))
        even = float(np.mean(np.abs(crop[ring].astype(np.int16) - seal_level) <= SEAL_GREY_GAP / 2))  # one ink, not print's grey edges
        band = np.abs(distance - radius) <= SEAL_RING_MM * px_per_mm
        beside = np.abs(distance - radius - 2 * SEAL_RING_MM * px_per_mm) <= SEAL_RING_MM * px_per_mm
        denser = float(np.mean(ring[band])) / max(float(np.mean(crop[beside] < PAPER_LEVEL)), 0.01)  # ink on the circle, less beside it
        if share < SEAL_RING_SHARE or seal_level - print_level < SEAL_GREY_GAP or even < SEAL_RING_EVEN or denser < SEAL_RING_DENSER:
            continue
        dark = (crop < (seal_level + print_level) / 2).astype(np.uint8)
        near_print = cv2.dilate(dark, np.ones((5, 5), np.uint8)) > 0
        seal = (distance <= reach) & (crop < paper - SEAL_HALO_LEVELS) & ~near_print  # its faint edges too
        crop[seal] = paper
        taken.append((centre_x, centre_y, radius))
        found.append(f"{2 * radius / px_per_mm:.0f} mm at ({centre_x / px_per_mm:.0f}, {centre_y / px_per_mm:.0f}) mm, grey {seal_level:.0f} against print {print_level:.0f}")
    if not found:
        return gray, None
    return gray, f"grey round seal{'s' if len(found) > 1 else ''} taken out: {'; '.join(found)}"


def prepare(image: np.ndarray, dpi: float) -> PreparedImage:
    """Take out red seals, even the light, undo perspective and skew. Orientation is decided
    later, with OCR. ``image`` is gray, or RGB for a colour page."""
    gray, sealed, doubted = without_seals_and_pens(image, dpi)
    cleared, surround = without_dark_surround(gray, dpi)
    as_it_is = _prepare_gray(gray, dpi, [sealed])
    if surround is None or as_it_is.without_perspective is not None:
        # a photo on a desk is prepared as it is: the desk's edge helps find its perspective, and
        # with the desk made white two photos were no longer corrected (96.2% of fields against 100%)
        return _doubting(as_it_is, doubted)
    return _doubting(_prepare_gray(cleared, dpi, [sealed, surround]), doubted)


def _doubting(prepared: PreparedImage, columns: list[tuple[int, int]]) -> PreparedImage:
    """The prepared page with more pixel columns whose values are doubted (beside its creases)."""
    if not columns:
        return prepared
    plain = _doubting(prepared.without_perspective, columns) if prepared.without_perspective is not None else None
    return replace(prepared, creases=prepared.creases + columns, without_perspective=plain)


def _prepare_gray(gray: np.ndarray, dpi: float, notes: list[str | None]) -> PreparedImage:
    gray, speckled = despeckle(gray)
    flat, faded = restore_faded(even_illumination(gray))
    flat, show_through = without_show_through(flat, dpi)
    flat, streaks = remove_streaks(flat, dpi, unlit=gray)
    # the perspective is measured on the page as it is: a slanted photo's rules converge, and
    # unfolding them first took their slants for a fold's kinks and bent the frame (濉溪's page 2);
    # a fold is looked for on the rectified page instead, whose rules run level
    warped, perspective = correct_perspective(flat)
    unfolded, folds, creases = unfold(flat, dpi)
    plain, plain_note = deskew(unfolded)
    first = [note for note in (*notes, speckled, faded, show_through, streaks) if note]
    plain_prepared = PreparedImage(gray=plain, dpi=dpi, corrections=first + [n for n in (folds, plain_note) if n], creases=creases)
    if perspective is None:
        return plain_prepared
    warped, folds, creases = unfold(warped, dpi)
    straight, note = deskew(warped)
    # a photo's bend, once its perspective is undone (a flat page's rules are not bent; straightened,
    # a photo's rules alone, its columns still leaning, made more cells than the rectified page and
    # the rectification was undone)
    straight, bend = straighten_rules(straight, dpi)
    corrections = first + [perspective] + [n for n in (folds, note, bend) if n]
    return PreparedImage(gray=straight, dpi=dpi, corrections=corrections, creases=creases, without_perspective=plain_prepared)
