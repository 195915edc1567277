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


def correct_perspective(gray: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Find the outer frame of the table and warp it to a rectangle, when it is clearly skewed.

    A scan whose frame is already a rectangle is left alone (returns None as the correction).
    """
    ink = binarise(gray)
    ink = cv2.dilate(ink, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return gray, None
    frame = max(contours, key=cv2.contourArea)
    if cv2.contourArea(frame) < 0.2 * gray.shape[0] * gray.shape[1]:
        return gray, None
    hull = cv2.convexHull(frame)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return gray, None
    corners = _order_corners(quad.reshape(4, 2).astype(np.float32))
    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    # a near-rectangle needs no warp: deskew handles pure rotation more gently
    if abs(top - bottom) < 0.01 * top and abs(left - right) < 0.01 * left:
        return gray, None
    width, height = int(max(top, bottom)), int(max(left, right))
    margin = int(0.03 * width)
    target = np.array([[margin, margin], [margin + width, margin], [margin + width, margin + height], [margin, margin + height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(gray, matrix, (width + 2 * margin, height + 2 * margin), flags=cv2.INTER_LINEAR, borderValue=255)
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
