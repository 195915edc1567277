"""OCR engines behind one small interface, and reading one table cell with them.

Engines (``ENGINES``):
- ``tesseract``: Tesseract with Debian's ``chi_sim`` data, in-process through tesserocr when it
  is installed (about 25× faster per cell than starting a process each time), otherwise through
  pytesseract. Single-threaded: ``OMP_THREAD_LIMIT=1`` is set before it loads (and OpenCV is
  kept to one thread).
- ``rapidocr``: RapidOCR's PP-OCR models, shipped inside its wheel and run with onnxruntime on
  one thread; nothing is downloaded.

A cell is read on a tight crop around its ink; a cell whose only ink is one horizontal stroke is
the dash "—" that both engines tend to drop. Numeric cells are read again with digits only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

# OpenCV's own thread pool, like Tesseract's OpenMP, spends CPU to save wall time (the page-wide
# threshold and morphology cost twice the CPU on two threads): one thread per process; the batch
# runs one process per core
cv2.setNumThreads(1)

NUMERIC_CHARS = "0123456789.,%-"
MIN_INK_PIXELS = 12
REMNANT_MAX_THICKNESS = 4  # pixels: a ruling line's remnant is thinner than this
ASTERISK_GAP = 0.2  # a leading "*" stands this share of the line height or more before the text
PUNCTUATION_HEIGHT = 0.7  # a text "line" lower than this share of the tallest is punctuation
PAD = 12  # white border around a crop: both engines read badly at the very edge
LOST_LINE_CEILING = 0.5  # a cell one of whose lines read as nothing is no surer: the hybrid asks again, the check flags it
LINES_TOUCHING_INK = 0.15  # a row between two lines of text that touch holds under this share of their usual ink per row
# a square block of ink cut into two lines is one character (是 alone in a cell: 日 over 疋) unless
# either line parts between characters, white down through this middle share of its width
ONE_GLYPH_SQUARE, ONE_GLYPH_MIDDLE = 1.3, (0.3, 0.7)
# print tilted in its cell (a bent page): slopes searched up to TILT_MAX (~6°) in TILT_STEP
# (~0.6°) steps, believed from TILT_MIN (~1.1°) when the profile is TILT_GAIN times sharper;
# only in a cell at least TILT_MIN_ASPECT times as wide as it is tall or as a TILT_MIN_LINE line
TILT_MAX, TILT_STEP, TILT_MIN, TILT_GAIN, TILT_MIN_ASPECT, TILT_MIN_LINE = 0.105, 0.01, 0.02, 1.15, 4, 30
MIN_CUT_GLYPH, CUT_GLYPH_SHARE = 12, 0.4  # pixels, share of the tallest mark: a glyph's part, not a speck or a remnant
SPECK_MAX = 0.25  # a mark no wider or taller than this share of the cell's tallest is a speck, if apart
SPECK_REACH = 0.6  # a speck this many glyph heights from the print (or a chain of marks leading to it) is apart,
SPECK_ROW_REACH = 1.0  # or, on a row of print, this many: a full-width ， or 。 sits at one side of its glyph's square
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<=[{_CJK}])\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+(?=[0-9(（])|(?<=[0-9)）%])\s+(?=[{_CJK}])"
    rf"|(?<=[(（])\s+(?=[0-9{_CJK}])|(?<=[0-9%{_CJK}])\s+(?=[)）])"  # inside brackets: ( 中央直达 ) is read, （中央直达） printed
)


class OcrUnavailable(RuntimeError):
    """The engine or its language data is missing; the message says what to install."""


@dataclass(frozen=True)
class CellReading:
    text: str
    confidence: float | None  # 0..1; None for an empty cell
    read_by: str = ""  # the engine(s) whose reading this is ("tesseract", "rapidocr+tesseract", "shape")


class OcrEngine(Protocol):
    name: str

    def read_lines(self, images: list[np.ndarray], numeric: bool) -> list[CellReading]:
        """Read single text lines: tight, padded crops (uint8 gray, dark ink on white)."""
        ...

    def forget(self) -> None:
        """Drop the readings remembered so far (a new file begins)."""
        ...


def tessdata_dir() -> str:
    """Where Tesseract's language data lives (TESSDATA_PREFIX, then Debian's and others' paths)."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    candidates += ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata"]
    for folder in candidates:
        if folder and (Path(folder) / "chi_sim.traineddata").exists():
            return folder
    raise OcrUnavailable("Tesseract's chi_sim data is missing: install tesseract-ocr-chi-sim (make system-deps)")


def tidy(text: str) -> str:
    """Tesseract puts spaces between Chinese characters; remove those, keep the rest as read."""
    lines = [_SPACE_BETWEEN_CJK.sub("", line).strip() for line in text.splitlines()]
    return "".join(line for line in lines if line)


def pixels_key(image: np.ndarray) -> tuple:
    """An image's identity by its pixels: its shape and a hash of its bytes."""
    return image.shape, hashlib.blake2b(image.tobytes(), digest_size=16).digest()


class ReadingMemory:
    """Readings of line images already read, by their pixels: an engine reads the same pixels the
    same way, so a line asked again (an orientation sample, a text value being confirmed, a cell
    the hybrid re-reads) costs a lookup, not a reading. Keeps the latest ``size`` readings, and
    is cleared when a file begins (``forget``): a file's readings serve that file, so its cost
    does not depend on which files the process read before."""

    def __init__(self, size: int = 4096) -> None:  # a few pages' worth
        self.size = size
        self._readings: OrderedDict[tuple, CellReading] = OrderedDict()

    @staticmethod
    def key(image: np.ndarray, numeric: bool) -> tuple:
        return numeric, *pixels_key(image)

    def get(self, key: tuple) -> CellReading | None:
        return self._readings.get(key)

    def clear(self) -> None:
        self._readings.clear()

    def put(self, key: tuple, reading: CellReading) -> None:
        self._readings[key] = reading
        while len(self._readings) > self.size:
            self._readings.popitem(last=False)

    def read(self, images: list[np.ndarray], numeric: bool, read_new: Callable[[list[np.ndarray]], list[CellReading]]) -> list[CellReading]:
        """The readings of ``images``, asking ``read_new`` (one call) only for those not read before."""
        keys = [self.key(image, numeric) for image in images]
        known = {key: self._readings[key] for key in keys if key in self._readings}
        todo = list({key: image for key, image in zip(keys, images) if key not in known}.items())
        if todo:
            fresh = dict(zip((key for key, _ in todo), read_new([image for _, image in todo])))
            for key, reading in fresh.items():
                self.put(key, reading)
            known.update(fresh)
        return [known[key] for key in keys]


class TesseractEngine:
    name = "tesseract"

    def __init__(self) -> None:
        self.memory = ReadingMemory()
        self.data = tessdata_dir()
        try:
            import tesserocr
        except ImportError:
            tesserocr = None
        if tesserocr is not None:
            self._api_line = tesserocr.PyTessBaseAPI(path=self.data + "/", lang="chi_sim", psm=tesserocr.PSM.SINGLE_LINE)
            # raw line: no layout analysis, which drops short text ("数量") on small crops
            self._api_raw = tesserocr.PyTessBaseAPI(path=self.data + "/", lang="chi_sim", psm=tesserocr.PSM.RAW_LINE)
            self._api_number = tesserocr.PyTessBaseAPI(path=self.data + "/", lang="chi_sim", psm=tesserocr.PSM.RAW_LINE)
            self._api_number.SetVariable("tessedit_char_whitelist", NUMERIC_CHARS)
        elif shutil.which("tesseract") is None:
            raise OcrUnavailable("tesseract is not installed: install tesseract-ocr (make system-deps)")
        self._tesserocr = tesserocr

    def read_lines(self, images: list[np.ndarray], numeric: bool) -> list[CellReading]:
        return self.memory.read(images, numeric, lambda todo: [self._read(image, numeric) for image in todo])

    def forget(self) -> None:
        self.memory.clear()

    def _read(self, image: np.ndarray, numeric: bool) -> CellReading:
        if self._tesserocr is not None:
            text, confidences = _tesserocr_read(self._api_number if numeric else self._api_line, image)
            if not text.strip() and not numeric:
                text, confidences = _tesserocr_read(self._api_raw, image)
        else:
            text, confidences = _pytesseract_read(image, numeric, self.data)
        text = tidy(text)
        if not text:
            return CellReading("", None)
        return CellReading(text, min(confidences) / 100 if confidences else 0.0, self.name)


def _tesserocr_read(api, image: np.ndarray) -> tuple[str, list[float]]:
    image = np.ascontiguousarray(image)
    height, width = image.shape
    api.SetImageBytes(image.tobytes(), width, height, 1, width)  # 8-bit gray as is: SetImage(PIL) encodes a BMP first
    api.SetSourceResolution(300)
    return api.GetUTF8Text(), [c for c in api.AllWordConfidences() if c >= 0]


def _pytesseract_read(image: np.ndarray, numeric: bool, data: str) -> tuple[str, list[float]]:
    import pytesseract

    config = f"--tessdata-dir {data} --psm 13" + (f" -c tessedit_char_whitelist={NUMERIC_CHARS}" if numeric else "")
    try:
        found = pytesseract.image_to_data(image, lang="chi_sim", config=config, output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, subprocess.SubprocessError) as error:
        raise OcrUnavailable(f"tesseract failed: {error}") from error
    words, confidences, line_key = [], [], None
    for i, word in enumerate(found["text"]):
        if not word.strip():
            continue
        key = (found["block_num"][i], found["par_num"][i], found["line_num"][i])
        words.append(("\n" if line_key is not None and key != line_key else " ") + word)
        line_key = key
        confidences.append(float(found["conf"][i]))
    return "".join(words), confidences


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        try:
            import logging

            from rapidocr import RapidOCR
        except ImportError as error:
            raise OcrUnavailable("rapidocr is not installed: pip install rapidocr onnxruntime") from error
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self._ocr = RapidOCR(params={"Global.log_level": "error", **_runtime_params()})
        self._ocr._load_rec_model()  # load the recogniser now, as part of the engine's set-up
        self.memory = ReadingMemory()  # the same line is asked again when a text value is confirmed

    def read_lines(self, images: list[np.ndarray], numeric: bool) -> list[CellReading]:
        """Recognition only, in batches: read_cell already cut every cell into single lines."""
        if not images:
            return []
        # RapidOCR has no digits-only mode: a number's reading is the general one without spaces,
        # so one reading of the pixels serves both (a referee's reading of a number the hybrid
        # already read is a lookup)
        readings = self.memory.read(images, False, self._recognise)
        return [_without_spaces(r) for r in readings] if numeric else readings

    def forget(self) -> None:
        self.memory.clear()

    def _recognise(self, images: list[np.ndarray]) -> list[CellReading]:
        """The recogniser pads every line to at least 320 px wide at its 48 px height, a third of
        its time on a form's short lines. Padding to 160 (stop 38) saved 4–8% of the CPU a page
        and read the dev scans alike, but lost 0.2–0.3 points on the report half (fax, turned
        pages) and sent ok forms to review: the model was trained on 320, and it stays."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        recogniser = self._ocr._load_rec_model()  # the recogniser RapidOCR itself uses, batched
        result = recogniser(TextRecInput(img=[cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) for image in images]))
        readings = []
        for text, score in zip(result.txts, result.scores):
            text = tidy(text)
            readings.append(CellReading(text, float(score), self.name) if text else CellReading("", None))
        return readings


def _runtime_params() -> dict[str, object]:
    """RapidOCR's settings for the runtime that runs its recogniser, on one thread.

    OpenVINO runs the same ONNX model (the one in RapidOCR's wheel; nothing is downloaded) 2.5×
    faster than onnxruntime then did (commit 9a4a531), with the same text on every line measured
    (85 lines of two scanned pages; scores within 0.02); onnxruntime 1.32 has caught up (99 lines
    of a scanned sample: 35.0 ms a line against OpenVINO 2026.4's 35.8). onnxruntime stays the fallback when
    OpenVINO is not installed. Its memory arena keeps one batch's buffers for the next: RapidOCR
    turns it off by default, which costs ~8% of recognition time in allocations."""
    from importlib.resources import files
    from importlib.util import find_spec

    if find_spec("openvino") is not None and os.environ.get("ZPEF_RAPIDOCR_RUNTIME", "openvino") == "openvino":
        from rapidocr import EngineType

        recognisers = sorted(Path(str(files("rapidocr") / "models")).glob("*_rec_*.onnx"))
        if len(recognisers) == 1:
            return {
                "Rec.engine_type": EngineType.OPENVINO,
                "Rec.model_path": str(recognisers[0]),
                "EngineConfig.openvino.inference_num_threads": 1,
            }
    return {
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
    }


def _without_spaces(reading: CellReading) -> CellReading:
    text = re.sub(r"\s+", "", reading.text)
    return replace(reading, text=text) if text else CellReading("", None)


class HybridEngine:
    """Tesseract first; the lines it is unsure of are read again by RapidOCR, whose reading wins.

    RapidOCR is the more accurate reader and Tesseract the faster one: asking the stronger engine
    only where the fast one doubts keeps most of the accuracy at a fraction of the time.
    """

    name = "hybrid"
    SECOND_OPINION_BELOW = 0.6
    # characters Tesseract's chi_sim reads confidently but wrongly: ≥ as >, （ as 〈, ： as ;
    CONFUSABLE = set("<>〈〉《》|;")

    def __init__(self) -> None:
        self.fast = TesseractEngine()
        self.strong = RapidOcrEngine()

    def forget(self) -> None:
        self.fast.forget()
        self.strong.forget()

    def doubtful(self, reading: CellReading) -> bool:
        """A reading of the fast engine that the strong one reads again."""
        return reading.confidence is None or reading.confidence < self.SECOND_OPINION_BELOW or bool(self.CONFUSABLE & set(reading.text))

    def read_lines(self, images: list[np.ndarray], numeric: bool) -> list[CellReading]:
        readings = self.fast.read_lines(images, numeric)
        doubtful = [i for i, r in enumerate(readings) if self.doubtful(r)]
        for i, second in zip(doubtful, self.strong.read_lines([images[i] for i in doubtful], numeric)):
            if second.text and _plausible_length(second.text, images[i]):
                readings[i] = second
        return readings


def _plausible_length(text: str, image: np.ndarray) -> bool:
    """Whether a line image this wide can hold this much text: a recogniser shown a lone mark
    stretched to its input height may "read" a dozen letters into it."""
    height, width = image.shape[:2]
    content_height = max(1, height - 2 * PAD)
    return len(text) <= 3 * max(1, width - 2 * PAD) / content_height + 2


ENGINES: dict[str, type[OcrEngine]] = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine, "hybrid": HybridEngine}


@lru_cache(maxsize=None)
def engine(name: str) -> OcrEngine:
    """One engine instance per process (models load once)."""
    if name not in ENGINES:
        raise OcrUnavailable(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
    return ENGINES[name]()


def is_dash(ink: np.ndarray) -> bool:
    """One short horizontal stroke and nothing else: the "—" placeholder."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count != 2:
        return False
    _, _, width, height, area = stats[1]
    return width >= 3 * height and area >= 0.6 * width * height


def is_slash(ink: np.ndarray) -> bool:
    """One straight stroke, taller than wide, leaning right and nothing else: the "/" placeholder
    of a not-applicable cell. On a fax or in a Ming face both engines read it as 1 (RapidOCR at
    0.88), and a digits-only reading can only say 1: a "/" came out as the value 1. A 1, l or |
    stands upright; a 7 has a bar across its top; 、 and 丶 lean the other way."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = [i for i in range(1, count) if stats[i][4] >= 3]
    if len(parts) != 1:
        return False
    x, y, width, height, _ = (int(v) for v in stats[parts[0]])
    if height < 8 or not 0.2 * height <= width <= 0.9 * height:
        return False
    stroke = labels[y : y + height, x : x + width] == parts[0]
    rows = np.flatnonzero(stroke.any(axis=1))
    runs = stroke[rows].sum(axis=1)
    centres = np.array([np.flatnonzero(stroke[row]).mean() for row in rows])
    slope, offset = np.polyfit(rows, centres, 1)  # x against y; y grows downwards, so "/" slopes below 0
    bend = np.polyfit(rows / height, centres / height, 2)[0]  # 丿 and ノ curve (about -0.5 and -0.8); a "/" is about 0
    straight = abs(bend) <= 0.2 and np.abs(centres - (slope * rows + offset)).max() <= max(1.5, 0.06 * height)
    return bool(slope <= -0.12 and straight and runs.max() <= 0.6 * width)


def comparison_sign_shape(ink: np.ndarray) -> str | None:
    """A cell whose ink is nothing but a comparison sign (指标性质): = ≥ ≤ > <, the bars single or
    double (≧ ═). Both engines read a wide ═ as 一-一 and a ≧ as = at ~0.5, which sent every
    form printing them to review. Bars are long flat strokes of one length, one above the other
    and aligned, close together (二's are apart and unequal); a chevron opens to the left (>) or
    to the right (<), with its point at mid-height; it sits above the bars."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = sorted((tuple(int(v) for v in stats[i]) for i in range(1, count) if stats[i][4] >= 3), key=lambda part: part[1])
    if not 1 <= len(parts) <= 3:
        return None
    bars = [p for p in parts if p[2] >= 4 * p[3]]
    chevrons = [p for p in parts if p not in bars]
    if len(chevrons) > 1 or (chevrons and bars and chevrons[0][1] + chevrons[0][3] > bars[0][1] + 1):
        return None
    if bars:
        widths = [w for _, _, w, _, _ in bars]
        lefts = [x for x, _, _, _, _ in bars]
        if max(widths) > 1.1 * min(widths) or max(lefts) - min(lefts) > 0.1 * max(widths):
            return None
        if len(bars) == 2 and bars[1][1] - (bars[0][1] + bars[0][3]) > 0.35 * max(widths):
            return None
    if not chevrons:
        return "=" if len(bars) == 2 else None
    direction = _chevron(ink, chevrons[0])
    if direction is None or (bars and not 0.6 * bars[0][2] <= chevrons[0][2] <= 1.5 * bars[0][2]):
        return None
    if not bars:
        return direction
    return {">": "≥", "<": "≤"}[direction]


def _chevron(ink: np.ndarray, part: tuple[int, ...]) -> str | None:
    """'>' or '<' when the component is a chevron: ink at the left (>) or right (<) of its top and
    bottom rows and at the other side of its middle row."""
    x, y, w, h, _ = part
    if h < 6 or not 0.5 * h <= w <= 2 * h:
        return None
    box = ink[y : y + h, x : x + w] > 0

    def centre(row: int) -> float:
        columns = np.flatnonzero(box[row])
        return float(columns.mean()) / w if columns.size else 0.5

    top, middle, bottom = centre(0), centre(h // 2), centre(h - 1)
    if top < 0.35 and bottom < 0.35 and middle > 0.65:
        return ">"
    if top > 0.65 and bottom > 0.65 and middle < 0.35:
        return "<"
    return None


def ellipsis_dots(stats: list[np.ndarray], crop_height: int) -> int:
    """How many dots a cell's ink is when it is nothing but a row of small, alike dots on one line
    (the "……" placeholder of unfilled rows), else 0. Both engines read it as ``ee`` or ``m……``,
    which keeps a placeholder row as an indicator."""
    dots = [s for s in stats if s[4] >= 3]
    if not 2 <= len(dots) <= 18:
        return 0
    widths, heights, areas = (np.array([s[i] for s in dots]) for i in (2, 3, 4))
    size = int(max(widths.max(), heights.max()))
    if size > 0.3 * crop_height or np.any(np.maximum(widths, heights) > 1.5 * np.minimum(widths, heights) + 1):
        return 0  # a dot is round; digits and strokes are taller or wider than they are thick
    if areas.max() > 4 * areas.min():
        return 0
    centres = np.array([s[1] + s[3] / 2 for s in dots])
    if centres.max() - centres.min() > size:
        return 0
    ordered = sorted(dots, key=lambda s: s[0])
    gaps = [b[0] - (a[0] + a[2]) for a, b in zip(ordered, ordered[1:])]
    dot = float(np.median(np.maximum(widths, heights)))
    return len(dots) if min(gaps) >= 0.5 * dot else 0  # dots stand apart; the glyphs of a word touch or nearly


def ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the ink, ignoring specks; None when the cell is blank."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return _box_of(list(stats[1:count]))


def _box_of(stats: list[np.ndarray]) -> tuple[int, int, int, int] | None:
    boxes = [s for s in stats if s[4] >= 3]
    if not boxes or sum(s[4] for s in boxes) < MIN_INK_PIXELS:
        return None
    x0 = min(s[0] for s in boxes)
    y0 = min(s[1] for s in boxes)
    x1 = max(s[0] + s[2] for s in boxes)
    y1 = max(s[1] + s[3] for s in boxes)
    return x0, y0, x1, y1


def text_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of the text lines in a tight crop's ink, from its horizontal projection.

    Neighbouring runs that together are no taller than the tallest line are one line: the parts
    of 量 or 三, or a stray dot above a line. (≥ and = come out as two "lines"; ``_glyph`` puts
    them back together.)
    """
    rows = ink.max(axis=1) > 0
    runs: list[list[int]] = []
    for y, inked in enumerate(rows):
        if inked and runs and runs[-1][1] >= y - 1:
            runs[-1][1] = y
        elif inked:
            runs.append([y, y])
    runs = [part for run in runs for part in _lines_touching(ink, run)]
    if len(runs) <= 1:
        return [(r[0], r[1] + 1) for r in runs]
    tallest = max(r[1] - r[0] + 1 for r in runs)
    merged = [runs[0]]
    for run in runs[1:]:
        previous = merged[-1]
        if run[1] - previous[0] + 1 <= 1.15 * tallest or _top_stroke(ink, previous, run, tallest):  # together no taller than a line: one line
            previous[1] = run[1]
        else:
            merged.append(run)
    if len(merged) > 1 and _one_glyph(ink, merged):
        return [(merged[0][0], merged[-1][1] + 1)]
    return [(r[0], r[1] + 1) for r in merged]


def _one_glyph(ink: np.ndarray, runs: list[list[int]]) -> bool:
    """Whether the two lines ``runs`` cut from a tight crop's ``ink`` are the parts of one
    character: 是 alone in a cell, its 日 a row of white above its 疋, was read 曰疋 or 已正 by both
    engines (音, 素, 导 alike). A character is square, and so are two lines of two characters
    (数量 over 指标), but each of those lines parts in its middle, between its characters, where
    neither part of a character does. Measured on 4 fonts at 9-12 pt and 150-300 dpi. Three or
    more lines are left as cut: a paragraph's lines are no different from 意's three parts."""
    height, width = ink.shape
    if len(runs) != 2 or height > ONE_GLYPH_SQUARE * width or width > ONE_GLYPH_SQUARE * height:
        return False
    for start, end in runs:
        band = ink[start : end + 1]
        box = ink_box(band)
        if box is None:
            return False
        part = band[box[1] : box[3], box[0] : box[2]]
        if is_dash(part):
            return False  # a sign over a bar (≥, ≤, =): ``_glyph`` joins the two readings
        between = part.max(axis=0) == 0
        low, high = (int(share * part.shape[1]) for share in ONE_GLYPH_MIDDLE)
        if between[low:high].any():
            return False
    return True


def _lines_touching(ink: np.ndarray, run: list[int]) -> list[list[int]]:
    """A run of inked rows parted where two lines of text touch: on a photo, a slant or a blur
    leaves a few pixels in the row between them, and the cell's two lines were read as one
    image, the recogniser reading the first alone (企业把握政治导向和 for its two lines, at 0.83).
    The run parts at its faintest row, between a fifth and four fifths down, when that row holds
    under LINES_TOUCHING_INK of the run's usual ink and the run is a line of several characters
    (at least twice as wide as it is tall: a glyph of two parts, 是, is not)."""
    start, end = run
    height = end - start + 1
    columns = np.flatnonzero(ink[start : end + 1].max(axis=0))
    if height < 16 or columns.size == 0 or columns[-1] - columns[0] + 1 < 2 * height:
        return [run]
    inked = (ink[start : end + 1] > 0).sum(axis=1)
    low, high = int(0.2 * height), int(0.8 * height)
    valley = low + int(np.argmin(inked[low:high]))
    if inked[valley] > LINES_TOUCHING_INK * np.median(inked):
        return [run]
    return _lines_touching(ink, [start, start + valley - 1]) + _lines_touching(ink, [start + valley + 1, end])


def _top_stroke(ink: np.ndarray, above: list[int], run: list[int], tallest: int) -> bool:
    """Whether ``above`` is the top of a character of ``run`` (元 on a small print, 亩 alone in a
    cell: apart from the rest by a row of white): just above and over the run's ink, and either
    thin with the two no taller than a line of characters beside digits, or the two one square
    character. Read as a line of its own it became 一 (一75元, 一田)."""
    top = np.flatnonzero(ink[above[0] : above[1] + 1].max(axis=0))
    below = np.flatnonzero(ink[run[0] : run[1] + 1].max(axis=0))
    if not (top.size and below.size) or run[0] - above[1] - 1 > 0.25 * tallest:
        return False
    reach = 0.25 * (below[-1] - below[0] + 1)  # 亠's stroke is wider than 田 under it
    if top[0] < below[0] - reach or top[-1] > below[-1] + reach:
        return False
    height = run[1] - above[0] + 1
    if above[1] - above[0] + 1 <= 0.3 * tallest and height <= 1.4 * tallest:
        return True
    width = max(top[-1], below[-1]) - min(top[0], below[0]) + 1
    # one square character (亩), no taller than a character: two short lines of a wrapped label
    # (数量 over 指标) are square together too, but twice a line's height; the halves of a glyph
    # split by a hairline of white (日 | 疋 of 是, alone in its cell, read 日疋) are of unequal
    # height, where two lines of print are alike and apart by a line's spacing
    square = height <= 1.25 * width and width <= 1.3 * height
    halves = run[0] - above[1] - 1 <= max(1, 0.05 * height) and min(above[1] - above[0], run[1] - run[0]) + 1 <= 0.7 * tallest
    return square and (height <= 1.5 * tallest or halves)


@dataclass
class _CellLines:
    reading: CellReading | None  # decided without OCR: blank or a dash
    lines: list[np.ndarray]
    prefixes: list[str] = field(default_factory=list)  # per line: a mark recognised by its shape ("* ")
    cut_at_side: bool = False  # print runs past the crop's left or right side (``print_cut_at_side``)


def remove_line_remnants(crop: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Paint out what is left of ruling lines in a cell's crop, before it is read.

    A remnant is a thin stroke that touches the crop's edge (the border of an erased line, or
    a line the grid did not erase) or that spans most of the crop; a character's stroke such as
    一 touches neither. Nor is an upright stroke with print either side of it on its rows that
    does not run from edge to edge: in a crop as tight as its glyphs (a 100 dpi page's low row)
    the strokes of 川 touch its top, and 银川市教育局 was read 银市教育局 by both engines, at
    confidence 1. Returns the crop and its ink without them, and the components kept.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = ink.shape
    remnants = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        thin, long = min(w, h), max(w, h)
        if thin > REMNANT_MAX_THICKNESS or long < 3 * thin:
            continue
        touches = x == 0 or y == 0 or x + w == width or y + h == height
        spans = (w >= h and w >= 0.8 * width) or (h > w and h >= 0.8 * height)
        if touches and not spans and w >= h and 0 < y and y + h < height and _beside_print(ink, labels, stats[label], label):
            continue  # 一 opening a left-aligned line (一是…) at the crop's side, print beside it: a character
        if h > w and 0 < x and x + w < width and (y > 0 or y + h < height) and _between_print(ink, labels, stats[label], label):
            continue  # an upright stroke of 川 or 1 in a crop as tight as its glyphs (a 100 dpi page): print either side
        if touches or spans:
            remnants.append(label)
    kept = [stats[label] for label in range(1, count) if label not in remnants]
    if not remnants:
        return crop, ink, kept
    mask = np.isin(labels, remnants)
    crop, ink = crop.copy(), ink.copy()
    crop[mask] = 255
    ink[mask] = 0
    return crop, ink, kept


def _without_stray_specks(crop: np.ndarray, ink: np.ndarray, kept: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Paint out specks that stand apart from the cell's print: dust, toner or a copier's drum
    beside a value is read as a leading ， or ： by both engines alike (，良好, ：不适用), and the
    agreement hides it. A speck is a mark no bigger than a quarter of the cell's tallest mark;
    it stays when it is near print (``_near``), or near a speck that is (the dots of …, a
    comma after its word, a full stop wrapped to a line's start). A cell of specks only (a
    dash, a dot) is left as it is."""
    tallest = max((int(s[3]) for s in kept), default=0)
    limit = SPECK_MAX * tallest
    placed = [s for s in kept if s[2] > limit or s[3] > limit]
    loose = [s for s in kept if s[2] <= limit and s[3] <= limit]
    if tallest < 12 or not loose or not placed:
        return crop, ink, kept
    while loose:  # specks reached from the print, then from those, until no more are
        near: list[bool] = np.any(_near(np.array(loose), np.array(placed), tallest), axis=1).tolist()
        if not any(near):
            break
        placed += [speck for speck, reached in zip(loose, near) if reached]
        loose = [speck for speck, reached in zip(loose, near) if not reached]
    if not loose:
        return crop, ink, kept
    crop, ink = crop.copy(), ink.copy()
    for x, y, w, h, _area in loose:
        crop[y : y + h, x : x + w] = 255
        ink[y : y + h, x : x + w] = 0
    return crop, ink, placed


def _near(specks: np.ndarray, others: np.ndarray, tallest: int) -> np.ndarray:
    """Whether each speck (a row of ``specks``: x, y, w, h, area) is within reach of each other
    mark (a row of ``others``), speck by mark: SPECK_REACH glyph heights between their boxes,
    or SPECK_ROW_REACH along a row they share (a ， wrapped to a line's start, 0.8 of a glyph
    from the character after it in a Song face)."""
    s, o = specks[:, None, :4].astype(np.int64), others[None, :, :4].astype(np.int64)
    dx = np.maximum(0, np.maximum(o[..., 0] - (s[..., 0] + s[..., 2]), s[..., 0] - (o[..., 0] + o[..., 2])))
    dy = np.maximum(0, np.maximum(o[..., 1] - (s[..., 1] + s[..., 3]), s[..., 1] - (o[..., 1] + o[..., 3])))
    return (np.hypot(dx, dy) <= SPECK_REACH * tallest) | ((dy == 0) & (dx <= SPECK_ROW_REACH * tallest))


def _between_print(ink: np.ndarray, labels: np.ndarray, stat: np.ndarray, label: int) -> bool:
    """Other ink on the rows of an upright stroke, both left and right of it within the stroke's
    height: the stroke is in a line of text. A rule's remnant runs down a cell's side, or from
    edge to edge between cells read as one, with print on one side at most."""
    x, _, w, h = (int(v) for v in stat[:4])
    band = _other_ink_on_rows(ink, labels, stat, label)
    return bool(band[:, max(0, x - h) : x].any() and band[:, x + w : x + w + h].any())


def _beside_print(ink: np.ndarray, labels: np.ndarray, stat: np.ndarray, label: int) -> bool:
    """Other ink on the rows of a horizontal stroke: the stroke is in a line of text."""
    return bool(_other_ink_on_rows(ink, labels, stat, label).any())


def _other_ink_on_rows(ink: np.ndarray, labels: np.ndarray, stat: np.ndarray, label: int) -> np.ndarray:
    """The ink of the other components on the rows of component ``label`` (a band as wide as the crop)."""
    y, h = int(stat[1]), int(stat[3])
    return (ink[y : y + h] > 0) & (labels[y : y + h] != label)


def _punctuation_joined(crop: np.ndarray, ink: np.ndarray, rows: list[tuple[int, int]]) -> list[np.ndarray]:
    """Text lines cut from a tight crop; a "line" much lower than the others (a colon or a
    full stop that wrapped onto a line of its own) is put after the line above it, where
    it belongs, so it is read as punctuation and not guessed at on its own."""
    tallest = max(bottom - top for top, bottom in rows)
    pieces: list[np.ndarray] = []
    for top, bottom in rows:
        strip = crop[top:bottom]
        columns = np.flatnonzero(ink[top:bottom].max(axis=0))
        if pieces and bottom - top < PUNCTUATION_HEIGHT * tallest and columns.size and columns[-1] - columns[0] < 0.6 * tallest:
            previous = pieces[-1]
            mark = strip[:, columns[0] : columns[-1] + 1]
            canvas = np.full((previous.shape[0], mark.shape[1] + tallest // 6), 255, np.uint8)
            y = max(0, min(previous.shape[0] - mark.shape[0], (previous.shape[0] - mark.shape[0]) // 2))
            canvas[y : y + mark.shape[0], tallest // 6 :] = mark[: previous.shape[0]]
            pieces[-1] = np.hstack([previous, canvas])
            continue
        mark_end = _line_initial_mark(ink[top:bottom], tallest) if pieces else None
        if mark_end is not None:  # 。 or ， that wrapped to the start of this line: read at the end of the line above
            previous = pieces[-1]
            canvas = np.full((previous.shape[0], mark_end - columns[0] + tallest // 6), 255, np.uint8)
            height = min(previous.shape[0], strip.shape[0])
            canvas[previous.shape[0] - height :, tallest // 6 :] = strip[strip.shape[0] - height :, columns[0] : mark_end]  # on the baseline, as printed
            pieces[-1] = np.hstack([previous, canvas])
            strip = strip.copy()
            strip[:, :mark_end] = 255
        if columns.size:  # each line is cut to its print, half a line's height either side: the
            # paper beside a short one, a photo's grain, was read as a row of kana (务。ンをあたなの…)
            start = columns[0] if mark_end is None else max(mark_end, columns[0])
            strip = strip[:, max(0, start - tallest // 2) : columns[-1] + 1 + tallest // 2]
        pieces.append(strip)
    return pieces


def _line_initial_mark(line_ink: np.ndarray, tallest: int) -> int | None:
    """Where a full stop or comma at the start of a wrapped line ends (a column), else None.

    A sheet wraps text at any character, so a line may begin with 。 or ，; read there, with no
    text before it, both engines guess (a 。 read as ， by both). The mark is small, low on the
    line and stands apart from what follows: the left dots of 心 or 小 sit higher, 冫 and 氵 are
    taller, 一 is wider."""
    columns = np.flatnonzero(line_ink.max(axis=0))
    if columns.size < 2:
        return None
    gaps = np.flatnonzero(np.diff(columns) > 1)
    if gaps.size == 0:
        return None
    end, following = columns[gaps[0]] + 1, columns[gaps[0] + 1]
    mark_rows = np.flatnonzero(line_ink[:, columns[0] : end].max(axis=1))
    line_rows = np.flatnonzero(line_ink.max(axis=1))
    line_top, line_height = line_rows[0], line_rows[-1] - line_rows[0] + 1
    small = end - columns[0] <= 0.4 * tallest and mark_rows[-1] - mark_rows[0] + 1 <= 0.4 * tallest
    low = mark_rows[0] >= line_top + 0.6 * line_height and line_height >= 0.7 * tallest
    apart = following - end >= 0.15 * tallest
    return int(end) if small and low and apart else None


_LAYOUTS: OrderedDict[tuple, _CellLines] = OrderedDict()
LAYOUTS_KEPT = 1024  # a few pages' cells


def cell_lines(crop: np.ndarray) -> _CellLines:
    """A cell's crop (lines already erased) as blank, a dash, or its text lines ready for OCR.
    Kept by the crop's pixels: a value's cell is asked again when it is confirmed (``extract``),
    and cut once (1305 cuts of 596 crops on 7 scanned pages, 1.2 s, before)."""
    key = pixels_key(crop)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = _cut_lines(crop)
        while len(_LAYOUTS) > LAYOUTS_KEPT:
            _LAYOUTS.popitem(last=False)
    return layout


def _cut_lines(crop: np.ndarray) -> _CellLines:
    if crop.size == 0 or crop.min() > 160:  # nothing dark at all: Otsu would split paper noise
        return _CellLines(CellReading("", None), [])
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    crop, ink, kept = remove_line_remnants(crop, ink)
    crop, ink, kept = _without_stray_specks(crop, ink, kept)
    box = _box_of(kept)
    if box is None:
        return _CellLines(CellReading("", None), [])
    x0, y0, x1, y1 = box
    if is_dash(ink[y0:y1, x0:x1]):
        return _CellLines(CellReading("—", 0.9, "shape"), [])
    if is_slash(ink[y0:y1, x0:x1]):
        return _CellLines(CellReading("/", 0.9, "shape"), [])
    sign = comparison_sign_shape(ink[y0:y1, x0:x1])
    if sign is not None:
        return _CellLines(CellReading(sign, 0.9, "shape"), [])
    dots = ellipsis_dots(kept, crop.shape[0])
    if dots:
        return _CellLines(CellReading("…" * max(1, dots // 3), 0.9, "shape"), [])
    text, text_ink = _levelled(crop[y0:y1, x0:x1], ink[y0:y1, x0:x1])
    rows = text_lines(text_ink)
    pieces = _punctuation_joined(text, text_ink, rows)
    prefixes = []
    for index, piece in enumerate(pieces):
        piece, prefix = _leading_asterisk(piece)
        pieces[index] = piece
        prefixes.append(prefix)
    lines = [cv2.copyMakeBorder(piece, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255) for piece in pieces]
    return _CellLines(None, lines, prefixes, print_cut_at_side(kept, ink.shape[1]))


def print_cut_at_side(kept: list[np.ndarray], width: int) -> bool:
    """Whether a mark of the print's height meets the crop's left or right side. The crop stands
    a margin inside the cell's rules, which print keeps clear of; a glyph that meets it was cut
    where the cell's box is not where its rules are (a bent page: the rule found straight, the
    printed one bowed). Both engines then drop the cut glyph alike, at full confidence: 效益指标
    was read 益指标, and the cell beside it holds the glyph's other part."""
    tallest = max((int(s[3]) for s in kept), default=0)
    return tallest >= MIN_CUT_GLYPH and any((s[0] == 0 or s[0] + s[2] == width) and s[3] >= CUT_GLYPH_SHARE * tallest and s[4] >= MIN_INK_PIXELS for s in kept)


def _text_tilt(ink: np.ndarray) -> float:
    """The slope (dy/dx, image rows down) the cell's lines of text run at; 0 when they are level
    or the cell is too short to tell. Lines of text make the sharpest horizontal profile when
    projected along their own slope (``TILT_GAIN`` sharper than level, to be believed)."""
    height, width = ink.shape
    if width < TILT_MIN_ASPECT * height and width < TILT_MIN_ASPECT * TILT_MIN_LINE:
        return 0.0
    ys, xs = np.nonzero(ink[::2, ::2])  # half resolution: the profile's peaks stay apart
    if ys.size < MIN_INK_PIXELS:
        return 0.0
    centred = xs - xs.mean()

    def sharpness(slope: float) -> float:
        projected = np.round(ys - centred * slope).astype(np.int64)
        counts = np.bincount(projected - projected.min()).astype(np.float64)
        return float(np.dot(counts, counts))

    level = sharpness(0.0)
    near = max(sharpness(TILT_STEP), sharpness(-TILT_STEP))
    if near <= level:
        return 0.0  # level print: the profile is sharpest at 0 and blurs either side
    slopes = np.arange(-TILT_MAX, TILT_MAX + TILT_STEP / 2, TILT_STEP)
    scores = [sharpness(float(slope)) for slope in slopes]
    best = float(slopes[int(np.argmax(scores))])
    if abs(best) < TILT_MIN or max(scores) < TILT_GAIN * level:
        return 0.0
    return best


def _levelled(crop: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A tight crop whose text runs tilted, turned level, with its ink; else as it is. A bent
    page (a bound volume on a flatbed, a photo of a curved sheet) tilts the print inside each
    cell by 2–4° while the cell's box is upright: two lines of a cell 600 px wide then overlap
    in rows, were cut as one, and read as garbage."""
    slope = _text_tilt(ink)
    if slope == 0.0:
        return crop, ink
    margin = int(abs(slope) * crop.shape[1] / 2) + 2
    padded = cv2.copyMakeBorder(crop, margin, margin, 2, 2, cv2.BORDER_CONSTANT, value=255)
    centre = (padded.shape[1] / 2, padded.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, float(np.degrees(np.arctan(slope))), 1.0)
    level = cv2.warpAffine(padded, turn, (padded.shape[1], padded.shape[0]), flags=cv2.INTER_LINEAR, borderValue=255)
    _, level_ink = cv2.threshold(level, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows, columns = np.flatnonzero(level_ink.max(axis=1)), np.flatnonzero(level_ink.max(axis=0))
    if rows.size == 0:
        return crop, ink
    box = (slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))
    return level[box], level_ink[box]


def _leading_asterisk(piece: np.ndarray) -> tuple[np.ndarray, str]:
    """The "*" that marks required columns (``* 实际完成值``, ``* 得分``) is a small mark high in
    the line, apart from the text after it; both engines read it as +, 二, 六 or nothing, which
    loses the column's header. Recognised by its shape, it is cut off and put back as "* "."""
    height = piece.shape[0]
    if height < 12 or piece.shape[1] < 2 * height:
        return piece, ""
    _, ink = cv2.threshold(piece, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    columns = np.flatnonzero(ink.max(axis=0))
    if columns.size == 0:
        return piece, ""
    gaps = np.flatnonzero(np.diff(columns) > ASTERISK_GAP * height)
    if gaps.size == 0:
        return piece, ""
    left, right = columns[0], columns[gaps[0]] + 1  # the first cluster of ink, up to the first wide gap
    rows = np.flatnonzero(ink[:, left:right].max(axis=1))
    mark_height, mark_width = rows[-1] - rows[0] + 1, right - left
    rest_rows = np.flatnonzero(ink[:, right:].max(axis=1))
    if rest_rows.size == 0 or rest_rows[-1] - rest_rows[0] + 1 < 0.8 * height:
        return piece, ""  # what follows is not a line of full-height text
    if not (0.25 * height <= mark_height <= 0.6 * height and 0.2 * height <= mark_width <= 0.6 * height and rows[-1] + 1 <= 0.65 * height and abs(mark_width - mark_height) <= 0.35 * height):
        return piece, ""
    cut = piece.copy()
    cut[:, :right] = 255
    return cut, "* "


_BARS = {"一", "-", "_", "—", "=", "二", "一一"}


def _glyph(texts: list[str]) -> str:
    """Lines of a cell joined; a sign that the line cutter split in two is put back together:
    ">" over a bar is ≥, "<" over a bar ≤, a bar over a bar =."""
    if len(texts) == 2 and texts[1] in _BARS:
        if texts[0] in (">", "＞"):
            return "≥"
        if texts[0] in ("<", "＜"):
            return "≤"
        if texts[0] in _BARS - {"=", "二", "一一"}:
            return "="
    return "".join(texts)


def read_cells(ocr: OcrEngine, crops: list[np.ndarray], numeric: bool = False) -> list[CellReading]:
    """Read many cells with one engine call: each cell's ink is cut into lines, lines are read
    on their own (whole-block reading drops lines of small cells) and joined without spaces,
    as wrapped text is in the text layer. Ink that reads as nothing gets confidence 0."""
    layouts = [cell_lines(crop) for crop in crops]
    batch = [line for layout in layouts for line in layout.lines]
    readings = iter(ocr.read_lines(batch, numeric))
    results = []
    for layout in layouts:
        if layout.reading is not None:
            results.append(layout.reading)
            continue
        parts = [next(readings) for _ in layout.lines]
        if any(layout.prefixes):
            parts = [CellReading(prefix + p.text, p.confidence if p.text else 0.9, p.read_by or "shape") for prefix, p in zip(layout.prefixes, parts)]
        texts = [p.text for p in parts if p.text]
        if not texts:
            results.append(CellReading("", 0.0))
            continue
        confidence = min(p.confidence or 0.0 for p in parts if p.text)
        if _text_line_read_as_nothing(layout.lines, parts):
            confidence = min(confidence, LOST_LINE_CEILING)
        results.append(CellReading(_glyph(texts), confidence, _engines(parts)))
    strong = getattr(ocr, "strong", None)
    unbalanced = [i for i, (layout, r) in enumerate(zip(layouts, results)) if layout.lines and not _balanced(r.text)]
    if strong is not None and unbalanced:  # a bracket lost (Tesseract drops a line-final （): ask again
        again = strong.read_lines([line for i in unbalanced for line in layouts[i].lines], numeric)
        offset = 0
        for i in unbalanced:
            count = len(layouts[i].lines)
            parts = again[offset : offset + count]
            offset += count
            text = _glyph([p.text for p in parts if p.text])
            if text and _balanced(text):
                results[i] = CellReading(text, min(p.confidence or 0.0 for p in parts if p.text), _engines(parts))
    return results


def _text_line_read_as_nothing(lines: list[np.ndarray], parts: list[CellReading]) -> bool:
    """A line of the cell as tall as half its tallest read as nothing: the cell's text may lack it
    (其中:当年财政 | 拨款 read 其中:当年财政 at 0.94, and the hybrid, taking the cell for sure,
    never asked RapidOCR, which reads 拨款 at 1.0), or the line is a mark that is no text (a pen's
    tick under a label). A speck's row, lower than that, is no line of text."""
    tallest = max(line.shape[0] for line in lines) - 2 * PAD
    return any(not part.text and line.shape[0] - 2 * PAD >= 0.5 * tallest for line, part in zip(lines, parts))


def _engines(parts: list[CellReading]) -> str:
    return "+".join(sorted({p.read_by for p in parts if p.text and p.read_by}))


_OPENING, _CLOSING = "(（[【〔", ")）]】〕"


def _balanced(text: str) -> bool:
    """Every closing bracket has an opening one before it, and the other way round."""
    depth = 0
    for ch in text:
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def read_cell(ocr: OcrEngine, crop: np.ndarray, numeric: bool = False) -> CellReading:
    return read_cells(ocr, [crop], numeric)[0]
