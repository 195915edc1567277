"""Image preparation for scans and photos (the only module besides imagegrid that uses OpenCV).

Order: illumination -> perspective (photos) -> coarse orientation -> deskew. Each step is a small
function ``image -> (image, what it did)`` so the run can record what was corrected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

MAX_DESKEW_DEGREES = 10.0


@dataclass
class PreparedImage:
    """A page image ready for grid detection and OCR, and the corrections applied to it."""

    gray: np.ndarray  # uint8, white paper, dark ink
    dpi: float
    corrections: list[str] = field(default_factory=list)


def even_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide by a blurred background so shadows and uneven light do not look like ink."""
    size = max(31, (min(gray.shape) // 25) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    background = cv2.GaussianBlur(background, (0, 0), size / 4)
    normalised = cv2.divide(gray, np.maximum(background, 1), scale=255)
    return normalised


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: adaptive, so faint lines and uneven scans survive."""
    block = max(15, (min(gray.shape) // 80) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def _order_corners(points: np.ndarray) -> np.ndarray:
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]], dtype=np.float32)


def _long_segments(gray: np.ndarray, factor: float) -> np.ndarray:
    """A mask (at ``factor`` scale) of the long straight strokes in any near-axis direction."""
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ink = binarise(small)
    height, width = small.shape
    mask = np.zeros_like(ink)
    lines = cv2.HoughLinesP(ink, 1, math.pi / 360, threshold=min(height, width) // 6,
                            minLineLength=min(height, width) // 5, maxLineGap=max(3, width // 150))
    for x0, y0, x1, y1 in (lines.reshape(-1, 4) if lines is not None else []):
        angle = abs(math.degrees(math.atan2(y1 - y0, x1 - x0))) % 180
        if min(angle, 180 - angle) <= 20 or abs(angle - 90) <= 20:
            cv2.line(mask, (int(x0), int(y0)), (int(x1), int(y1)), 255, 2)
    return mask


def correct_perspective(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Find the outer frame of the table and warp it to a rectangle, when it is clearly skewed.

    The frame is the hull of the biggest connected web of long strokes: the table's ruling lines
    cross each other, while a paper edge or a shadow is a few lines on its own. A scan whose
    frame is already a rectangle (up to a rotation, which deskew handles) is left alone.
    """
    factor = min(1.0, 1200 / max(gray.shape))
    mask = _long_segments(gray, factor)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return gray, None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    points = cv2.findNonZero((labels == biggest).astype(np.uint8))
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float32)
    if cv2.contourArea(hull) < 0.15 * mask.shape[0] * mask.shape[1]:
        return gray, None
    corners = _order_corners(hull) / factor
    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    if abs(top - bottom) < 0.01 * top and abs(left - right) < 0.01 * left:
        return gray, None
    width, height = int(max(top, bottom)), int(max(left, right))
    side, above = int(0.05 * width), int(0.12 * height)  # room for the title above the frame
    target = np.array([[side, above], [side + width, above], [side + width, above + height], [side, above + height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    warped = cv2.warpPerspective(gray, matrix, (width + 2 * side, height + above + side), flags=cv2.INTER_LINEAR, borderValue=255)
    return warped, "perspective corrected from the table frame"


def skew_angle(gray: np.ndarray) -> float | None:
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
    return float(np.median(angles))


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
    angle = skew_angle(gray)
    if angle is None or abs(angle) < 0.05:
        return gray, None
    return rotate(gray, angle), f"deskewed by {angle:.2f}°"


def quarter_turns(gray: np.ndarray, turns: int) -> np.ndarray:
    """Rotate by 90° steps counter-clockwise."""
    return np.ascontiguousarray(np.rot90(gray, turns))


def prepare(gray: np.ndarray, dpi: float) -> PreparedImage:
    """Even the light, undo perspective and skew. Orientation is decided later, with OCR."""
    corrections = []
    flat = even_illumination(gray)
    flat, note = correct_perspective(flat)
    if note:
        corrections.append(note)
    flat, note = deskew(flat)
    if note:
        corrections.append(note)
    return PreparedImage(gray=flat, dpi=dpi, corrections=corrections)
