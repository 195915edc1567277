"""The fast text layer: characters and ruling lines of a PDF page through PDFium (pypdfium2).

pdfminer (under pdfplumber) spends ~100 ms in Python on a dense form page; PDFium does the same
in C++ in a few milliseconds, which is what makes large exported dumps fast. It covers the
common case — an upright page whose table is drawn with top-level path objects — and says so
with ``NotCovered`` otherwise (a rotated or offset page, paths inside form XObjects), so the
caller reads that page with pdfplumber instead. Both give the same ``Ruling``s and ``Glyph``s.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from pipeline.readers.segment import Glyph, Ruling

CLIP_REACH = 0.2  # a glyph reaching this share of its size outside its clip is cut off in print
LINE_TOLERANCE = 0.5  # points: a segment this close to level or plumb is a ruling
MIN_RULING_LENGTH = 4.0  # points, as in textlayer


class NotCovered(Exception):
    """This page needs the general reader (pdfplumber)."""


def _matrix(page_object) -> tuple[float, float, float, float, float, float]:
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(page_object, ctypes.byref(matrix)):
        raise NotCovered("path without a readable matrix")
    return matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f


def _path_rulings(page_object, height: float) -> list[Ruling]:
    """Straight horizontal and vertical segments of one path object, in top-left page points."""
    a, b, c, d, e, f = _matrix(page_object)
    x, y = ctypes.c_float(), ctypes.c_float()
    rulings: list[Ruling] = []
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = p, q
        if abs(y0 - y1) <= LINE_TOLERANCE and abs(x1 - x0) >= MIN_RULING_LENGTH:
            rulings.append(Ruling("h", height - (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x0 - x1) <= LINE_TOLERANCE and abs(y1 - y0) >= MIN_RULING_LENGTH:
            rulings.append(Ruling("v", (x0 + x1) / 2, height - max(y0, y1), height - min(y0, y1)))

    for index in range(raw.FPDFPath_CountSegments(page_object)):
        segment = raw.FPDFPath_GetPathSegment(page_object, index)
        if not raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
            add(previous, point)
        # curves are never table lines
        previous = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            add(point, start)
            previous = start
    return rulings


def _clip_box(page_object, height: float) -> tuple[float, float, float, float] | None:
    """The bounding box of a page object's clip (the intersection of its paths' boxes), in
    top-left page points; None when it has none. PDFium gives clip paths in page space."""
    clip = raw.FPDFPageObj_GetClipPath(page_object)
    if not clip:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    box: tuple[float, float, float, float] | None = None
    for path in range(raw.FPDFClipPath_CountPaths(clip)):
        xs, ys = [], []
        for index in range(raw.FPDFClipPath_CountPathSegments(clip, path)):
            segment = raw.FPDFClipPath_GetPathSegment(clip, path, index)
            if raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
                xs.append(x.value)
                ys.append(y.value)
        if not xs:
            continue
        own = (min(xs), height - max(ys), max(xs), height - min(ys))
        box = own if box is None else (max(box[0], own[0]), max(box[1], own[1]), min(box[2], own[2]), min(box[3], own[3]))
    return box


def _drawn_past_its_clip(page_object: pdfium.PdfObject, height: float) -> bool:
    clip = _clip_box(page_object.raw, height)
    if clip is None:
        return False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not raw.FPDFPageObj_GetBounds(page_object.raw, *(ctypes.byref(v) for v in (left, bottom, right, top))):
        return True  # bounds unknown: look at its characters
    # strict: a character's loose box may reach further than the object's bounds
    return left.value < clip[0] or right.value > clip[2] or height - top.value < clip[1] or height - bottom.value > clip[3]


def _glyph_clip(textpage: pdfium.PdfTextPage, index: int, height: float, clips: dict[int | None, tuple[float, float, float, float] | None]) -> tuple[float, float, float, float] | None:
    """The clip of the text object a character belongs to (``clips`` remembers them per object)."""
    text_object = raw.FPDFText_GetTextObject(textpage.raw, index)
    key = ctypes.cast(text_object, ctypes.c_void_p).value
    if key not in clips:
        clips[key] = _clip_box(text_object, height) if text_object else None
    return clips[key]


def _reaches_out(bbox: tuple[float, float, float, float], clip: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    reach_x, reach_y = CLIP_REACH * (x1 - x0), CLIP_REACH * (bottom - top)
    return top < clip[1] - reach_y or bottom > clip[3] + reach_y or x0 < clip[0] - reach_x or x1 > clip[2] + reach_x


def read_page(page: pdfium.PdfPage) -> tuple[float, float, list[Ruling], list[Glyph]]:
    """Width, height, rulings and glyphs of one page, or NotCovered."""
    if page.get_rotation() % 360:
        raise NotCovered("rotated page")
    left, bottom, right, top = page.get_cropbox()
    if abs(left) > 0.01 or abs(bottom) > 0.01:
        raise NotCovered("page box not at the origin")
    width, height = right - left, top - bottom
    rulings: list[Ruling] = []
    clipped_text = False  # whether any text is drawn past its clip: glyphs are then matched to their objects' clips
    for page_object in page.get_objects(max_depth=2):
        kind = page_object.type
        if kind == raw.FPDF_PAGEOBJ_FORM:
            raise NotCovered("content inside a form XObject")
        if kind == raw.FPDF_PAGEOBJ_PATH:
            rulings += _path_rulings(page_object.raw, height)
        elif kind == raw.FPDF_PAGEOBJ_TEXT and not clipped_text:
            clipped_text = _drawn_past_its_clip(page_object, height)
    textpage = page.get_textpage()
    glyphs: list[Glyph] = []
    clips: dict[int | None, tuple[float, float, float, float] | None] = {}  # per text object
    try:
        for index in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage.raw, index):
                continue  # spaces and line breaks PDFium invents between words
            code = raw.FPDFText_GetUnicode(textpage.raw, index)
            if code in (0x0D, 0x0A, 0xFFFE):
                continue
            text = "\ufffd" if raw.FPDFText_HasUnicodeMapError(textpage.raw, index) else chr(code)
            x0, y0, x1, y1 = textpage.get_charbox(index, loose=True)
            size = raw.FPDFText_GetFontSize(textpage.raw, index) or 10.0
            bbox = (x0, height - y1, x1, height - y0)
            clip = _glyph_clip(textpage, index, height, clips) if clipped_text else None
            glyphs.append(Glyph(text=text, bbox=bbox, size=float(size), clip=clip if clip is not None and _reaches_out(bbox, clip) else None))
    finally:
        textpage.close()
    return width, height, rulings, glyphs
