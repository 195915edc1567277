"""Extraction, routed per page: a sound text layer is read as is, anything else is OCR'd.

PDF pages are read with pdfplumber first; a page without a usable text layer (no text,
unmapped glyphs, text that covers almost none of the ruled table), or one pdfplumber cannot
read, is rendered with pypdfium2 and OCR'd. Image files (PNG, JPEG, TIFF — every frame of a
multi-page TIFF) are OCR'd. After parsing, numeric cells of OCR'd pages are read again with
digits only (``reread_numbers``), and the cells of text values are read by a second engine
(``confirm_texts``), because the parser is what knows which cells hold values.
"""

from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps

from pipeline.model.pointer import is_number_or_code
from pipeline.model.errors import InputError
from pipeline.readers.ingest import InputFile
from pipeline.model.intermediate import Cell, DocumentContent, Grid, KeptReading, PageContent, TextLine
from pipeline.ocr.engines import CellReading, OcrEngine, OcrUnavailable, cell_lines, engine, read_cells
from pipeline.parse.form import ParsedForm
from pipeline.ocr.imageprep import gray_unless_coloured
from pipeline.ocr.options import ExtractOptions
from pipeline.ocr.scan import CELL_MARGIN_PT, ScanPage, packed, unpacked, UnreadableImage, read_image, reread_numbers_of, second_view
from pipeline.readers.textlayer import read_pdf
from pipeline.model.values import parse_number
from pipeline.model.vocabulary import (
    LEVEL1_NAMES,
    LEVEL2_NAMES,
    NOT_A_NUMBER,
    NOT_APPLICABLE,
    family_of,
    form_words_in,
    is_form_title,
    marks_dropped,
    nearly_form_title,
    normalise,
    normalise_label,
    same_in_print,
)

T = TypeVar("T", bound=Cell | TextLine)
A4_HEIGHT_INCHES, A4_WIDTH_INCHES = 11.69, 8.27  # an image with no resolution is taken as A4 along its longer side,
LONG_PICTURE = 1.6  # or, longer than this times its width (pages stacked in one picture), across its shorter side
DOUBT = 0.6  # a general reading below this confidence doubts its text
CUT_MARGIN_PT = 0.6  # print this near a cell's box edge runs past it (see doubt_cut_print)
DISAGREED_CEILING = 0.5  # a value two readings disagree on: flagged by low_confidence, whatever either engine says
VOCABULARY_CONFIDENCE = 0.9  # a reading that is exactly a word of a closed list (a level name, 不适用)
DOUBTED_CEILING = 0.79  # a number one reading doubts stays below LOW_CONFIDENCE (0.80) however the other reads
MIN_RENDER_DPI = 100  # a page that only fits the pixel limit below this is refused, not read blurred
MAX_PIXELS = 60_000_000  # a page image larger than this is refused, not decoded
# a page with no ruled table is no form's page when this many characters of print are read at this
# mean confidence (by length) at least, none a form's word (``without_a_form``)
MIN_PROSE_CHARACTERS = 40
MIN_PROSE_CONFIDENCE = 0.6  # a line scores its least sure word: a page of plain print reads at 0.6–0.9 a line


@dataclass
class Extraction:
    content: DocumentContent
    base_method: str = "text_layer"  # how pages were read unless OCR'd
    scans: dict[int, ScanPage] = field(default_factory=dict)  # OCR'd pages, by page number
    engine_name: str | None = None
    ocr_pages: set[int] = field(default_factory=set)  # OCR'd pages whose images are let go (a kept reading, ``KeptReading``)

    @property
    def method(self) -> str:
        """For the manifest: how the file's pages were read (``text_layer+ocr`` when both)."""
        read = self.scans.keys() | self.ocr_pages
        if not read:
            return self.base_method
        return "ocr" if len(read) >= len(self.content.pages) else f"{self.base_method}+ocr"

    def method_of(self, pages: list[int]) -> str:
        return "ocr" if any(p in self.scans or p in self.ocr_pages for p in pages) else self.base_method

    def kept(self, page_images: dict[int, bytes], with_images: bool) -> KeptReading:
        """This reading as it stands (its values confirmed where they were), to be read on with the
        files after it; ``with_images``: its page images kept to confirm its values later (none were)."""
        return KeptReading(
            self.content,
            self.base_method,
            self.engine_name,
            frozenset(self.scans.keys() | self.ocr_pages),
            {number: packed(scan) for number, scan in self.scans.items()} if with_images else {},
            page_images,
        )


def extraction_of(kept: KeptReading) -> Extraction:
    """The file's extraction again from its kept reading (a copy: reading on changes its content)."""
    return Extraction(copy.deepcopy(kept.content), kept.base_method, {n: unpacked(p) for n, p in kept.scans.items()}, kept.engine_name, set(kept.ocr_pages) - set(kept.scans))


def _ocr_page(extraction: Extraction, pixels: np.ndarray, dpi: float, number: int, options: ExtractOptions) -> PageContent | str:
    """OCR one page image; a problem comes back as a message for ``page_errors``."""
    try:
        ocr = engine(options.ocr_engine)
        if not extraction.scans:  # the file's first OCR'd page: readings of earlier files serve no more
            ocr.forget()
        content, scan = read_image(pixels, dpi, number, ocr)
    except OcrUnavailable as error:
        return f"needs OCR, which is unavailable: {error}"
    except UnreadableImage as error:
        if error.text is not None and without_a_form(error.text.lines):  # a report's page of prose: no form, and no error
            extraction.ocr_pages.add(number)
            return replace(error.text, lines=[])
        return f"OCR found no form: {error}"
    extraction.scans[number] = scan
    extraction.engine_name = options.ocr_engine
    content.corrections = scan.corrections
    return content


def without_a_form(lines: list[TextLine]) -> bool:
    """Whether a page with no ruled table is plainly no form's page, by the lines read of it
    (``scan.prose_sample``): a good deal of print, read surely, none of it a form's words
    (``FORM_PAGE_WORDS``) or near a form's title. A page read poorly, or holding little print
    (blank, noise, a stamp, a cover), says nothing and stays a page error: it may be a form whose
    table the image lost."""
    text = "".join(line.text for line in lines)
    characters = len(_CJK.findall(text))
    if characters < MIN_PROSE_CHARACTERS or any(nearly_form_title(line.text) or is_form_title(line.text) for line in lines):
        return False
    surely = sum(len(line.text) * (line.confidence or 0.0) for line in lines) / max(1, len(text))
    return surely >= MIN_PROSE_CONFIDENCE and not form_words_in(text)


def render_dpi(width_pt: float, height_pt: float, dpi: float) -> float:
    """The resolution to render a page at: ``dpi``, or lower when the render would pass the pixel
    limit; a page that would still pass it at MIN_RENDER_DPI raises InputError with the reason."""
    pixels = width_pt * height_pt * (dpi / 72) ** 2
    if pixels <= MAX_PIXELS:
        return dpi
    fitting = 72 * (MAX_PIXELS / (width_pt * height_pt)) ** 0.5
    if fitting < MIN_RENDER_DPI:
        raise InputError(
            f"page of {width_pt / 72:.0f}×{height_pt / 72:.0f} inches: even at {MIN_RENDER_DPI} dpi it would be "
            f"{width_pt * height_pt * (MIN_RENDER_DPI / 72) ** 2 / 1e6:.0f} megapixels, over the "
            f"{MAX_PIXELS / 1e6:.0f}-megapixel limit: not rendered"
        )
    return float(int(fitting))


def _render(document: pdfium.PdfDocument, index: int, dpi: float) -> tuple[np.ndarray, float]:
    """One page as 8-bit gray, or RGB if it has colour, at ``dpi`` (lowered to keep within the
    pixel limit), and that dpi. Rendered in colour, so that a red seal can be told from print
    (``imageprep.without_seals``): PDFium renders colour 2-4× faster than gray, conversion included."""
    page = document[index]
    width_pt, height_pt = page.get_size()
    dpi = render_dpi(width_pt, height_pt, dpi)
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB, not PDFium's BGR
    array = bitmap.to_numpy()
    return gray_unless_coloured(np.ascontiguousarray(array[:, :, :3])) if array.ndim == 3 else array, dpi


def extract_pdf(path: Path, options: ExtractOptions) -> Extraction:
    content = read_pdf(path, options.max_pages)
    extraction = Extraction(content=content)
    if options.ocr == "never":
        for page in content.pages:
            if page.text_problem:
                content.page_errors[page.page] = f"{page.text_problem}; OCR is off (--ocr never)"
        content.pages = [p for p in content.pages if not p.text_problem]
        return extraction
    wanted = {p.page: p.text_problem for p in content.pages if options.ocr == "always" or p.text_problem}
    wanted.update({number: "unreadable text layer" for number in content.page_errors})
    if not wanted:
        return extraction
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        for number in wanted:
            content.page_errors[number] = f"cannot render the page for OCR: {error}"
        return extraction
    by_number = {p.page: p for p in content.pages}
    for number in sorted(wanted):
        try:
            pixels, dpi = _render(document, number - 1, options.dpi)
        except InputError as error:
            result: PageContent | str = error.message
        else:
            result = _ocr_page(extraction, pixels, dpi, number, options)
        if isinstance(result, str):
            reason = wanted[number]
            content.page_errors.setdefault(number, f"{reason}; {result}" if reason else result)
            by_number.pop(number, None)
        else:
            content.page_errors.pop(number, None)
            by_number[number] = result
    content.pages = [by_number[n] for n in sorted(by_number)]
    return extraction


def _register_heif() -> None:
    """HEIC/HEIF (phone photos) through pillow-heif, when it is installed."""
    try:
        import pillow_heif
    except ImportError:
        return
    pillow_heif.register_heif_opener()


def _too_large(width: int, height: int, what: str) -> InputError | None:
    if width * height <= MAX_PIXELS:
        return None
    return InputError(f"{what} is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels), over the {MAX_PIXELS / 1e6:.0f}-megapixel limit: not decoded", code="too_large")


def page_pixels(frame: Image.Image) -> np.ndarray:
    """Any frame as 8-bit gray, or 8-bit RGB when it has colour (a red seal is taken out in colour,
    ``imageprep.without_seals``), on white paper: 16- and 32-bit gray scaled (not clipped), CMYK
    and palette images converted, transparency laid on white, EXIF orientation applied."""
    frame = ImageOps.exif_transpose(frame)
    if frame.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(frame)
        if frame.mode == "F" and array.size and float(np.nanmax(array)) <= 1.0:
            array = array * 255
        elif array.size and int(array.max()) > 255:  # 16-bit (or wider) samples: scale to 8 bits
            array = array / (65535 / 255 if int(array.max()) <= 65535 else float(array.max()) / 255)
        return np.ascontiguousarray(np.clip(array, 0, 255).astype(np.uint8))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)
    if frame.mode in ("1", "L"):
        return np.ascontiguousarray(np.asarray(frame.convert("L")))
    return gray_unless_coloured(np.ascontiguousarray(np.asarray(frame.convert("RGB"))))


def _guessed_dpi(height: int, width: int) -> float:
    long_side, short_side = max(height, width), max(1, min(height, width))
    return short_side / A4_WIDTH_INCHES if long_side > LONG_PICTURE * short_side else long_side / A4_HEIGHT_INCHES


def _square_pixels(dpi_info: object) -> tuple[float, float]:
    """How much to stretch an image across and down so its pixels are square: a fax sent in
    standard mode is 204 × 98 dpi, and read as it was stored its text was squashed to half its
    height (40% of its fields read)."""
    if not (isinstance(dpi_info, tuple) and len(dpi_info) >= 2):
        return 1.0, 1.0
    try:
        across, down = float(dpi_info[0]), float(dpi_info[1])
    except (TypeError, ValueError):
        return 1.0, 1.0
    if min(across, down) <= 50 or abs(across - down) <= 0.02 * max(across, down):
        return 1.0, 1.0
    finest = max(across, down)
    return finest / across, finest / down


def image_frames(path: Path, max_pages: int = 500) -> list[tuple[np.ndarray, float]]:
    """Every frame of an image file as 8-bit gray or RGB (``page_pixels``), with its resolution
    (guessed from A4 if unset).

    Each frame's size is read from its header and checked against the megapixel limit before
    anything is decoded: a huge image is refused, not decoded then refused.
    """
    _register_heif()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, behind the explicit check below
    frames = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the check below refuses, with a reason
            image = Image.open(path)
        with image:
            frame_count = getattr(image, "n_frames", 1)
            if frame_count > max_pages:
                raise InputError(f"{frame_count} pages, more than --max-pages {max_pages}: not read", code="too_many_pages")
            for index in range(frame_count):
                image.seek(index)  # reads this frame's header only
                dpi_info = image.info.get("dpi")
                across, down = _square_pixels(dpi_info)
                refused = _too_large(round(image.size[0] * across), round(image.size[1] * down), f"page {index + 1}" if frame_count > 1 else "the image")
                if refused is not None:
                    raise refused
                pixels = page_pixels(image)
                if (across, down) != (1.0, 1.0):
                    size = (round(pixels.shape[1] * across), round(pixels.shape[0] * down))
                    pixels = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
                dpi = float(max(dpi_info[:2])) if dpi_info and dpi_info[0] and dpi_info[0] > 50 else _guessed_dpi(pixels.shape[0], pixels.shape[1])
                frames.append((pixels, dpi))
    except Image.DecompressionBombError as error:
        raise InputError(f"image too large to process safely ({error})", code="too_large") from error
    except (OSError, SyntaxError, ValueError) as error:
        detail = str(error).replace(str(path), "").replace("''", "").strip(" :")
        raise InputError(f"unreadable image: {detail or type(error).__name__}") from error
    return frames


def extract_image(path: Path, options: ExtractOptions) -> Extraction:
    if options.ocr == "never":
        raise InputError("image file: it needs OCR, which is off (--ocr never)", code="ocr_off")
    frames = image_frames(path, options.max_pages)
    extraction = Extraction(content=DocumentContent(pages=[], page_count=len(frames)), base_method="ocr")
    for number, (pixels, dpi) in enumerate(frames, start=1):
        result = _ocr_page(extraction, pixels, dpi, number, options)
        if isinstance(result, str):
            extraction.content.page_errors[number] = result
        else:
            extraction.content.pages.append(result)
    return extraction


def extract(source_file: InputFile, options: ExtractOptions) -> Extraction:
    if source_file.kind == "pdf":
        return extract_pdf(source_file.path, options)
    if source_file.kind == "image":
        return extract_image(source_file.path, options)
    raise InputError(f"no extractor for {source_file.detail}")


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _needs_reread(text: str) -> bool:
    """Numbers and unreadable cells are read again; 不适用, 无, — and blanks are left alone, and so
    are labels that carry a number (产出指标(50分), 预算执行情况(万元)(20分)): a digits-only reading
    of a caption would replace the caption, its unit and its level name with a bare number."""
    flat = normalise(text)
    return bool(flat) and flat not in NOT_A_NUMBER and len(_CJK.findall(flat)) < 2


def reread_numbers(extraction: Extraction, forms: list[ParsedForm]) -> int:
    """Read every numeric cell of the OCR'd pages again: digits only, on a second binarisation
    of the cell (``scan.second_view``), all cells of a page in one batch. Returns how many disagreed.

    Two readings that agree are strong evidence: the confidence becomes 1 - (1-a)(1-b) — unless
    the general reading doubts its text (confidence < DOUBT): then the value keeps the better of
    the two confidences but stays below LOW_CONFIDENCE, so unless the form's arithmetic or a
    reviewer confirms it, the form is not ``ok``. (The digits-only reading's own confidence is
    not a doubt signal: Tesseract's confidences under a character whitelist run low even on
    clean digits.) When they disagree, the
    general reading stays if it is a number (the digits-only reading turns a "%" or a stroke into
    digits), otherwise the digits-only one is used; either way the confidence drops to at most
    0.5, so the ``low_confidence`` check sends the value to a human — never a silent pick (with
    the hybrid engine, RapidOCR reads the cell a third time and the text two readings agree on
    is kept, still flagged).
    """
    if not extraction.scans or extraction.engine_name is None:
        return 0
    # the second reading is an agreement test: the fast engine is enough (a hybrid would send most
    # digits-only readings, whose confidences run low, to its slow engine)
    chosen = engine(extraction.engine_name)
    ocr: OcrEngine = getattr(chosen, "fast", chosen)
    referee: OcrEngine | None = getattr(chosen, "strong", None)  # a third reading where two disagree
    targets = {(p.page, p.bbox) for form in forms for pointer, p in form.provenance.items() if is_number_or_code(pointer) and p.page in extraction.scans}
    disagreements = 0
    for page in extraction.content.pages:
        if page.page not in extraction.scans:
            continue
        todo = [(grid, i, cell) for grid in page.grids for i, cell in enumerate(grid.cells) if (page.page, cell.bbox) in targets and _needs_reread(cell.text)]
        second = reread_numbers_of(ocr, extraction.scans[page.page], [cell.bbox for _, _, cell in todo])
        if referee is not None:
            second = _digits_read_by_the_referee(todo, second, referee, extraction.scans[page.page])
        for (grid, i, cell), digits in zip(todo, second):
            first_confidence, second_confidence = cell.confidence or 0.0, digits.confidence or 0.0
            if normalise(digits.text) == normalise(cell.text):
                if first_confidence >= DOUBT:
                    confidence = _both(first_confidence, second_confidence)
                else:
                    confidence = min(max(first_confidence, second_confidence), DOUBTED_CEILING)
                grid.cells[i] = replace(cell, confidence=confidence)
                continue
            disagreements += 1
            general_is_number = parse_number(cell.text).value is not None
            text = cell.text if general_is_number or not digits.text else digits.text
            if referee is not None:  # the strong engine breaks the tie; the value stays flagged
                third = normalise(read_cells(referee, [extraction.scans[page.page].crop(cell.bbox)], numeric=True)[0].text)
                if third and third == normalise(digits.text) and third != normalise(cell.text):
                    text = digits.text
            grid.cells[i] = replace(cell, text=text, confidence=min(0.5, first_confidence if text == cell.text else second_confidence))
    return disagreements


def _digits_read_by_the_referee(todo: list[tuple[Grid, int, Cell]], second: list[CellReading], referee: OcrEngine, scan: ScanPage) -> list[CellReading]:
    """Where the digits-only reading found nothing, the strong engine's reading of the cell in its
    place: Tesseract, told to read digits only, reads a lone serif 1 (Song, Kai; a fax) as nothing,
    so every such score was doubted, and one read 工 at 0.72 kept 工 (no number) where RapidOCR reads 1.
    Nothing read is no second opinion; another engine's reading is a better one than the same
    engine's on another view. Not for a cell the strong engine read first (the hybrid handed it
    over): its reading again would only agree with itself."""
    asked = [k for k, ((_, _, cell), digits) in enumerate(zip(todo, second)) if not normalise(digits.text) and referee.name not in _engines_of(cell.read_by)]
    readings = read_cells(referee, [scan.crop(todo[k][2].bbox) for k in asked], numeric=True)
    replaced = list(second)
    for k, reading in zip(asked, readings):
        if normalise(reading.text):
            replaced[k] = reading
    return replaced


def _confirmed_by_vocabulary(text: str) -> bool:
    """A reading that is one of the form's own closed vocabularies (a level name, 不适用, 无, a
    dash): a misreading would have to land exactly on another word of the list. Only the whole
    reading: what a label prints in brackets — 产出指标(50分)'s weight, 满意度(%) — is no word of a
    list, and is read twice like any value (满意度(9%) and a weight of 0 for 10 were let through)."""
    flat = normalise(text)
    if flat in NOT_A_NUMBER or flat in NOT_APPLICABLE:
        return True
    return not normalise_label(text).extras and any(family_of(text, table) for table in (LEVEL1_NAMES, LEVEL2_NAMES))


@dataclass(frozen=True)
class _Readers:
    """Who reads text values again: ``second`` reads the crop as it is when it is another engine
    than the first (else a second binarisation of it); ``tiebreak`` reads a second binarisation
    where the two disagree (None: no third reading); ``handed_on`` tells the first engine's line
    readings that the hybrid gave to ``second`` to read instead (None: not the hybrid)."""

    second: OcrEngine
    other_engine: bool
    tiebreak: OcrEngine | None
    handed_on: Callable[[CellReading], bool] | None = None


def _text_readers(name: str) -> _Readers:
    chosen = engine(name)
    strong = getattr(chosen, "strong", None)
    if strong is not None:  # hybrid: Tesseract read first, RapidOCR confirms, Tesseract again breaks ties
        return _Readers(strong, True, getattr(chosen, "fast", None), getattr(chosen, "doubtful", None))
    if name == "rapidocr":
        return _Readers(engine("tesseract"), True, chosen)
    return _Readers(chosen, False, None)


def confirm_texts(extraction: Extraction, forms: list[ParsedForm]) -> int:
    """Read every text value of the OCR'd pages a second time, with another engine where there
    is one, and compare. Returns how many stay in doubt.

    An engine's confidence does not say a text is right: Tesseract reads 户 as 尸 or drops a 、
    at 0.93–0.999. Two readings by different engines that agree (after NFKC, whitespace and
    look-alike glyphs) are strong evidence: the confidence becomes 1 - (1-a)(1-b). Where they
    disagree, the first engine reads a second binarisation of the crop; if that agrees with the
    second engine, those two decide, as above. Otherwise the more confident of the two readings
    is kept at confidence ≤ 0.5, so the ``low_confidence`` check sends the value to a human —
    never a silent pick. A cell whose every line the hybrid engine's RapidOCR read (Tesseract
    doubted them) is confirmed by Tesseract's doubted reading where it reads alike, else by its
    reading of a second binarisation: RapidOCR again would only agree with itself, and one engine
    alone never vouches for a value. Level names, 不适用, 无
    and dashes are confirmed by the closed vocabulary they belong to. Numbers and codes in cells
    were read again digits-only (``reread_numbers``); on lines outside the table (a 年度 line)
    they are read here.
    """
    if not extraction.scans or extraction.engine_name is None:
        return 0
    readers = _text_readers(extraction.engine_name)
    cell_targets = {(p.page, p.bbox) for form in forms for pointer, p in form.provenance.items() if not is_number_or_code(pointer) and p.page in extraction.scans}
    cell_targets |= {(cell.page, cell.bbox) for form in forms for cell in form.rest_cells if cell.page in extraction.scans}
    line_targets = {(p.page, p.bbox) for form in forms for p in form.provenance.values() if p.page in extraction.scans}
    doubts = 0
    for page in extraction.content.pages:
        if page.page not in extraction.scans:
            continue
        scan = extraction.scans[page.page]
        cells = [(grid, i) for grid in page.grids for i, cell in enumerate(grid.cells) if (page.page, cell.bbox) in cell_targets and cell.confidence is not None and normalise(cell.text)]
        in_vocabulary = [(grid, i) for grid, i in cells if _confirmed_by_vocabulary(grid.cells[i].text)]
        for grid, i in in_vocabulary:
            grid.cells[i] = replace(grid.cells[i], confidence=max(grid.cells[i].confidence or 0.0, VOCABULARY_CONFIDENCE))
        cells = [place for place in cells if place not in in_vocabulary]
        lines = [i for i, line in enumerate(page.lines) if (page.page, line.bbox) in line_targets and line.confidence is not None]
        items: list[Cell | TextLine] = [grid.cells[i] for grid, i in cells] + [page.lines[i] for i in lines]
        crops = [scan.crop(item.bbox, 0 if isinstance(item, TextLine) else CELL_MARGIN_PT) for item in items]
        confirmed = [_doubt_marked_value(item) for item in _confirm(items, crops, readers, scan.coarse)]
        doubts += sum((item.confidence or 0.0) <= DISAGREED_CEILING for item in confirmed)
        for (grid, i), cell in zip(cells, (item for item in confirmed if isinstance(item, Cell))):
            grid.cells[i] = cell
        for i, line in zip(lines, (item for item in confirmed if isinstance(item, TextLine))):
            page.lines[i] = line
    return doubts


def _confirm(items: list[T], crops: list[np.ndarray], readers: _Readers, coarse: bool = False) -> list[T]:
    seconds = read_cells(readers.second, crops if readers.other_engine else [second_view(crop) for crop in crops])
    disagreeing = [k for k, (item, second) in enumerate(zip(items, seconds)) if not same_in_print(second.text, item.text)]
    # A value the hybrid's RapidOCR read, wholly or in part (Tesseract doubted a line of it),
    # agrees with RapidOCR's second reading by construction: that reading is the first one again
    # (a line 支持服务贸易、服务 read without its 、 in one batch was "confirmed" so, at 0.9999). So it is
    # read on a second binarisation: by Tesseract (agreeing, two engines confirm it), else by
    # RapidOCR (agreeing, two views of the print read alike: it keeps its confidence; a character
    # made up from one view's context is not made up from the other's), else a human looks.
    # Tesseract alone is no referee here: it doubted these lines because it reads their glyphs
    # badly (≥, full-width brackets).
    # Line by line where the lines RapidOCR read are known (a long text is not doubted whole for
    # one line of it), else the cell whole.
    alone = [k for k, item in enumerate(items) if k not in disagreeing and readers.second.name in _engines_of(item.read_by)]
    by_line = _handed_on_lines_confirmed(alone, crops, readers, coarse)
    whole = [k for k in alone if k not in by_line]
    thirds: dict[int, CellReading] = {}
    if readers.tiebreak is not None and (disagreeing or whole):
        asked = disagreeing + whole
        thirds = dict(zip(asked, read_cells(readers.tiebreak, [second_view(crops[k]) for k in asked])))
    unconfirmed = [k for k in whole if k in thirds and not same_in_print(thirds[k].text, items[k].text)]
    second_views = dict(zip(unconfirmed, read_cells(readers.second, [second_view(crops[k]) for k in unconfirmed])))
    results = []
    for k, (item, second) in enumerate(zip(items, seconds)):
        third = thirds.get(k)
        if k in by_line:  # the lines Tesseract read are confirmed by RapidOCR's reading, ``second``
            verdict, other = by_line[k]
            confirmed = _both(item.confidence, min(second.confidence or 0.0, other.confidence or 0.0))
            if verdict == "other engine":
                read_by = "+".join(sorted(_engines_of(item.read_by) | _engines_of(other.read_by)))
                results.append(replace(item, confidence=confirmed, read_by=read_by))
            elif verdict == "second view":  # RapidOCR's lines keep the confidence it read them with
                results.append(replace(item, confidence=min(_both(item.confidence, second.confidence), other.confidence or 0.0)))
            else:
                results.append(_doubted(item))
        elif k in second_views:
            alike = same_in_print(second_views[k].text, item.text) and not marks_dropped(thirds[k].text, item.text) and not coarse
            results.append(item if alike else _doubted(item))
        elif k in alone and third is not None:  # the other engine agrees
            read_by = "+".join(sorted(_engines_of(item.read_by) | _engines_of(third.read_by)))
            results.append(replace(item, confidence=_both(item.confidence, third.confidence), read_by=read_by))
        elif k in alone:
            results.append(item)  # no other engine to ask
        elif k not in disagreeing:
            results.append(replace(item, confidence=_both(item.confidence, second.confidence)))
        elif third is not None and second.text and same_in_print(third.text, second.text) and not _unmakes_a_title(item, second.text):
            results.append(replace(item, text=second.text, confidence=_both(second.confidence, third.confidence), read_by=f"{second.read_by}+{third.read_by}"))
        else:  # the more confident reading stays, flagged: a human decides
            keep = (item.confidence or 0.0) >= (second.confidence or 0.0) or not second.text or _unmakes_a_title(item, second.text)
            best = item if keep else replace(item, text=second.text, read_by=second.read_by)
            results.append(replace(best, confidence=min(DISAGREED_CEILING, item.confidence or 0.0)))
    return results


def _engines_of(read_by: str | None) -> set[str]:
    """The engines a reading's ``read_by`` names (``rapidocr+tesseract``)."""
    return set((read_by or "").split("+")) - {""}


def _unmakes_a_title(item: Cell | TextLine, other: str) -> bool:
    """Whether taking ``other`` for a title line would make it no title: 随州's title, its 績 read
    續 by both engines on a fax (績效 → 续效), was taken, and the form went with it (the file
    "not a form", skipped). The title as first read stays, doubted."""
    return isinstance(item, TextLine) and is_form_title(item.text) and not is_form_title(other)


def _handed_on_lines_confirmed(alone: list[int], crops: list[np.ndarray], readers: _Readers, coarse: bool = False) -> dict[int, tuple[str, CellReading]]:
    """For each value the hybrid's RapidOCR read a line of (by index in ``crops``), whether those
    lines are confirmed: by Tesseract's first reading of the line or, where that differs, its
    reading of a second binarisation ("other engine", with its least sure reading), by RapidOCR reading that view alike ("second view", with RapidOCR's
    least sure first reading of such a line), or not ("differ"). The lines are the cell's own, cut
    as when it was first read, so both engines' first readings of them are in their memories; a
    value none of whose lines is found so is left out (read whole). A mark Tesseract sees where
    RapidOCR reads none (``marks_dropped``) is no second view's to settle: RapidOCR drops a small
    、 on every view of it. Nor is anything on a ``coarse`` page (enlarged from a ~100 dpi
    picture), whose detail both views share: 阆 was read 间 on both, at 0.94."""
    if readers.tiebreak is None or readers.handed_on is None or not alone:
        return {}
    handed: list[tuple[int, np.ndarray, CellReading]] = []
    for k in alone:
        lines = cell_lines(crops[k]).lines
        firsts = readers.tiebreak.read_lines(lines, False)
        handed += [(k, line, first) for line, first in zip(lines, firsts) if readers.handed_on(first)]
    if not handed:
        return {}
    theirs = readers.second.read_lines([line for _, line, _ in handed], False)
    # Tesseract's own first reading, doubted as it was, that reads as RapidOCR's is the other
    # engine agreeing on the same pixels, as for any value: 38 of 46 such lines on 7 dev pages,
    # whose second view cost 0.15 s a page. The rest are read on a second binarisation.
    agreed = {i for i, ((_, _, first), their) in enumerate(zip(handed, theirs)) if same_in_print(first.text, their.text)}
    views = {i: second_view(line) for i, (_, line, _) in enumerate(handed) if i not in agreed}
    # as sure as the surer of the two: Tesseract doubted a line of 130 characters for one glyph
    # (at 0.2) that it read as RapidOCR did, and that doubt had sent a form read right to review
    others = {i: replace(first, confidence=max(first.confidence or 0.0, theirs[i].confidence or 0.0)) for i, (_, _, first) in enumerate(handed) if i in agreed}
    others.update(zip(views, readers.tiebreak.read_lines(list(views.values()), False)))
    apart = [i for i in views if not same_in_print(others[i].text, theirs[i].text)]
    again = dict(zip(apart, readers.second.read_lines([views[i] for i in apart], False)))
    verdicts: dict[int, tuple[str, CellReading]] = {}
    rank = ("other engine", "second view", "differ")  # a value is as sure as its least sure line
    for i, (k, _, first) in enumerate(handed):
        if i not in apart:
            verdict, other = "other engine", others[i]
        elif not coarse and same_in_print(again[i].text, theirs[i].text) and not any(marks_dropped(tesseract.text, theirs[i].text) for tesseract in (first, others[i])):
            verdict, other = "second view", theirs[i]
        else:
            verdict, other = "differ", again[i]
        previous = verdicts.get(k)
        if previous is None or rank.index(verdict) > rank.index(previous[0]):
            verdicts[k] = (verdict, other)
        elif verdict == previous[0] and (other.confidence or 0.0) < (previous[1].confidence or 0.0):
            verdicts[k] = (verdict, other)  # the least sure of the lines speaks for the value
    return verdicts


def doubt_creased(extraction: Extraction) -> int:
    """Values read in a fold's creases (``imageprep.unfold``) are doubted: the print there was bent
    and resampled, and both engines can agree on a glyph the crease took a stroke of (红济效益 for
    经济效益). So are values in the columns of a coloured mark kept as print (a tick beside a
    value, read into it by both engines). Run after the readings are confirmed, so no agreement raises them again; the
    low_confidence check sends them to a human. Returns how many."""
    doubted = 0
    for page in extraction.content.pages:
        scan = extraction.scans.get(page.page)
        if scan is None or not scan.creases:
            continue

        def creased(bbox: tuple[float, float, float, float]) -> bool:
            return any(bbox[0] < end and bbox[2] > start for start, end in scan.creases)

        for grid in page.grids:
            for i, cell in enumerate(grid.cells):
                if cell.confidence is not None and normalise(cell.text) and creased(cell.bbox):
                    grid.cells[i] = _doubted(cell)
                    doubted += 1
        for i, line in enumerate(page.lines):
            if line.confidence is not None and creased(line.bbox):
                page.lines[i] = _doubted(line)
                doubted += 1
    return doubted


def doubt_cut_print(extraction: Extraction) -> int:
    """Values whose print runs past their cell's box are doubted (``engines.print_cut_at_side``):
    what was cut off is no reading's, and the engines agree on the rest. Print that meets the
    side of the crop read (CELL_MARGIN_PT inside the box) is looked at again nearer the box's
    edge (CUT_MARGIN_PT): a form typed with its text close to the rules keeps that much clear
    (41 values of 31 dev forms with dashed rules had met the first), a cut glyph does not. Run
    after the readings are confirmed, so no agreement raises them again; the low_confidence
    check sends them to a human. Returns how many."""
    doubted = 0
    for page in extraction.content.pages:
        scan = extraction.scans.get(page.page)
        if scan is None:
            continue
        for grid in page.grids:
            for i, cell in enumerate(grid.cells):
                if cell.confidence is None or not normalise(cell.text) or not cell_lines(scan.crop(cell.bbox)).cut_at_side:
                    continue
                if cell_lines(scan.crop(cell.bbox, CUT_MARGIN_PT)).cut_at_side:
                    grid.cells[i] = _doubted(cell)
                    doubted += 1
    return doubted


def _doubted(item: T) -> T:
    """The reading kept, at no more than DISAGREED_CEILING: the low_confidence check flags it."""
    return replace(item, confidence=min(DISAGREED_CEILING, item.confidence or 0.0))


def _doubt_marked_value(item: T) -> T:
    """A value read with the "* " of a required column's header before it: the mark is put there
    by its shape (``engines._leading_asterisk``), the same for both engines, so their agreeing says
    nothing of it — and a value never prints one, where a speck of a worn copy looks like it. So
    is a value with a character that simplified Chinese does not write (GB 2312 lacks it): both
    engines read 脱 as the traditional 脫; a rare name's character is looked at too. And a bar
    between two ideographs: both read the left strokes of a Ming face's 临 as | (扶贫|临时)."""
    if item.text.startswith("* ") or not _simplified(item.text) or _BAR_IN_WORDS.search(normalise(item.text)):
        return _doubted(item)
    return item


_BAR_IN_WORDS = re.compile(r"[\u3400-\u9fff]\|[\u3400-\u9fff]")  # after NFKC, which makes ｜ a |


def _simplified(text: str) -> bool:
    """Every ideograph of the text is one GB 2312 encodes (the forms are printed in simplified Chinese)."""
    for ch in text:
        if "\u3400" <= ch <= "\u9fff":
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                return False
    return True


def _both(a: float | None, b: float | None) -> float:
    """The confidence of a text two readings agree on."""
    return 1 - (1 - (a or 0.0)) * (1 - (b or 0.0))


def reread_headers(extraction: Extraction, forms: list[ParsedForm]) -> int:
    """Header cells the parser could not name (``ParsedForm.unread_cells``), read again by the
    second engine: Tesseract reads 得分 as 每分 on a fax, which loses the whole score column.
    A label is not a value — the values under a column found this way are read twice like any
    other — so the second reading replaces the first when it differs. Returns how many changed."""
    if not extraction.scans or extraction.engine_name is None:
        return 0
    readers = _text_readers(extraction.engine_name)
    wanted = {(cell.page, cell.bbox) for form in forms for cell in form.unread_cells if cell.page in extraction.scans}
    changed = 0
    for page in extraction.content.pages:
        if page.page not in extraction.scans:
            continue
        scan = extraction.scans[page.page]
        todo = [(grid, i) for grid in page.grids for i, cell in enumerate(grid.cells) if (page.page, cell.bbox) in wanted]
        crops = [scan.crop(grid.cells[i].bbox) for grid, i in todo]
        for (grid, i), second in zip(todo, read_cells(readers.second, crops if readers.other_engine else [second_view(c) for c in crops])):
            cell = grid.cells[i]
            if second.text and not same_in_print(second.text, cell.text):
                grid.cells[i] = replace(cell, text=second.text, confidence=second.confidence, read_by=second.read_by)
                changed += 1
    return changed
