"""Render the evaluation corpus (eval/forms/*/source.json) into eval/build/ by routes other than the samples'.

    python scripts/make_eval.py [--kinds docx,xlsx,docx_pdf,xlsx_pdf,scan_pdf,fax_tiff,skew_scan,seal_scan,dashed_scan,web_jpg,faded_scan,spread_scan,bleed_scan,pen_scan] [--only ID,…] [--force]

For every form (one file per form, named <id>.<ext>, so a pipeline output is matched to its form by
its source file name):

- ``docx``      python-docx: real merged cells, fonts varied among Ming/Song, Kai, Hei and sans,
                column widths varied, some pages landscape; long forms run over a page break so a
                merged level-1 block is split. The .docx itself is a pipeline input.
- ``xlsx``      openpyxl: merged ranges, amounts stored as numbers with the number format that
                displays them as printed (0.00, 0.000, 0%, 0.00% …), borders, print set-up.
- ``docx_pdf``  the .docx converted to PDF by LibreOffice headless.
- ``xlsx_pdf``  the .xlsx converted to PDF by LibreOffice headless.
- ``scan_pdf``  docx_pdf rasterised at 300 dpi in grey (pdftoppm) and wrapped into an image-only PDF.
- ``fax_tiff``  xlsx_pdf rasterised at 200 dpi, 1-bit (pdftoppm -mono), multi-page CCITT G4 TIFF.
- ``skew_scan`` xlsx_pdf rasterised at 200 dpi grey, turned by a small angle (±0.6–2°, seeded per
                form), with uneven lighting, grain and JPEG artefacts, as an image-only PDF.
- ``seal_scan`` docx_pdf rasterised at 300 dpi, its first page in colour with a unit's red seal
                pressed over the table (``make_scan_corpus.stamped``, placed at random, seeded per
                form), as colour JPEG pages in an image-only PDF.
- ``dashed_scan`` the .xlsx written again with Excel's dashed, dotted or hair borders (by the form's
                place in the corpus; sheets and their PDFs in eval/build/dashed_sheets/), printed by
                LibreOffice and rasterised at 300 dpi in grey as scan_pdf is.
- ``photo_pages`` docx_pdf at 300 dpi, each page a phone's photo (``make_scan_corpus.photo``: the
                sheet on a desk at a slant, lit unevenly) saved as a JPEG of its own, <id>.p1.jpg,
                <id>.p2.jpg …: a form whose later pages are files of their own (seeded per form).
- ``web_jpg``   docx_pdf at 100 dpi, its pages stacked in one long JPEG (quality 80) with no
                resolution in it: a form published as a picture on a web page.
- ``faded_scan`` docx_pdf at 200 dpi as a light copy: print at 40-55% of its darkness on greyish
                paper, noise, JPEG pages (quality 55-70) in an image-only PDF (seeded per form).
- ``spread_scan`` docx_pdf at 300 dpi, two pages side by side in one image with the binding's
                shadow between them (an A3 scan of a bound volume, a book scanner's spread); a last
                page alone has a blank page beside it. An image-only PDF, one spread a page.
- ``bleed_scan`` docx_pdf at 300 dpi on thin paper: the next form's first page (in the sorted id
                list) shows through from the back, mirrored, blurred and at 18-26% of its
                darkness, on greyish paper (seeded per form); an image-only PDF.
- ``pen_scan``  docx_pdf at 300 dpi marked by a reader: a dozen red ticks and blue circles a page
                at random places (seeded per form), ink over toner, colour JPEG pages in a PDF.

Layout: eval/build/renders/<kind>/<id>.<ext>. eval/build/ is not committed; rerun this script.
Deterministic: styles are chosen from each form's position in the sorted id list.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_spec  # noqa: E402

BUILD = eval_spec.EVAL / "build"
RENDERS = BUILD / "renders"
KINDS = ("docx", "xlsx", "docx_pdf", "xlsx_pdf", "scan_pdf", "fax_tiff", "skew_scan", "seal_scan", "dashed_scan", "web_jpg", "faded_scan", "spread_scan", "bleed_scan", "pen_scan", "photo_pages")
EXT = {
    "docx": "docx",
    "xlsx": "xlsx",
    "docx_pdf": "pdf",
    "xlsx_pdf": "pdf",
    "scan_pdf": "pdf",
    "fax_tiff": "tif",
    "skew_scan": "pdf",
    "seal_scan": "pdf",
    "dashed_scan": "pdf",
    "web_jpg": "jpg",
    "faded_scan": "pdf",
    "spread_scan": "pdf",
    "bleed_scan": "pdf",
    "pen_scan": "pdf",
    "photo_pages": "p1.jpg",  # and <id>.p2.jpg … for its later pages
}
# sheets bordered dashed, dotted or with hair lines (Excel's border styles, printed by LibreOffice):
# the form's style is chosen by its place in the corpus; DASHED_SHEETS holds the sheets and their PDFs
DASHED_BORDERS = ("dashed", "dotted", "hair")
DASHED_SHEETS = BUILD / "dashed_sheets"


@dataclass(frozen=True)
class Style:
    font: str  # East Asian font family
    size: float  # points
    landscape: bool
    widths: str  # "even", "wide_names", "narrow_numbers"
    squeeze: float = 1.0  # sheet columns narrowed by this factor, rows kept at the height the full width needs


STYLES = (
    Style("AR PL UMing CN", 10.5, False, "wide_names"),  # Ming/Song-like
    Style("Noto Sans CJK SC", 9, True, "even"),
    Style("AR PL UKai CN", 11, False, "narrow_numbers"),  # Kai
    Style("WenQuanYi Micro Hei", 10, False, "even"),  # Hei
    Style("Noto Serif CJK SC", 10, True, "wide_names"),  # Song
    Style("AR PL UMing CN", 12, False, "narrow_numbers"),  # large print: long forms break pages
)


def style_for(form_id: str, spec: dict | None = None) -> Style:
    """The form's style; long forms on portrait pages get large print so they run over a page break."""
    style = STYLES[eval_spec.form_ids().index(form_id) % len(STYLES)]
    if spec is not None and len(spec["rows"]) >= 20 and not style.landscape and style.size < 12:
        style = Style(style.font, 12.5, False, style.widths)
    return style


def column_weights(spec: dict, style: Style) -> list[float]:
    """Relative column widths: label columns narrow, name / goal / reason columns wider."""
    n = spec["columns"]
    weights = [1.0] * n
    if style.widths == "wide_names":
        weights = [0.8, 1.1, 1.1, 1.6, 1.6] + [1.0] * (n - 6) + [1.8]
    elif style.widths == "narrow_numbers":
        weights = [0.9, 1.0, 1.2, 1.5, 1.5] + [0.8] * (n - 6) + [2.0]
    return weights[:n] + [1.0] * (n - len(weights))


# --- numbers as a spreadsheet stores them ------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$")


def as_number(text: str) -> tuple[float, str] | None:
    """(value, number format) for a cell that a spreadsheet would hold as a number, displayed as printed."""
    if not _NUMBER.match(text) or (len(text) > 1 and text.startswith("0") and text[1].isdigit()):
        return None
    percent = text.endswith("%")
    digits = text.rstrip("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    fmt = "0" + ("." + "0" * decimals if decimals else "") + ("%" if percent else "")
    value = Decimal(digits) / (100 if percent else 1)
    return float(value), fmt


# --- docx ------------------------------------------------------------------------------------


def write_docx(spec: dict, style: Style, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if style.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.6))
    section.top_margin = section.bottom_margin = Cm(1.8)

    def set_font(run, size: float, bold: bool = False) -> None:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = style.font
        rpr = run._element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), style.font)

    def paragraph(text: str, size: float, align, bold: bool = False) -> None:
        p = doc.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(2)
        set_font(p.add_run(text), size, bold)

    for line in spec.get("before_lines", []):
        paragraph(line, style.size, WD_ALIGN_PARAGRAPH.LEFT)
    for line in spec.get("title_lines", []):
        paragraph(line, style.size + 7, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    if spec.get("year_line"):
        paragraph(spec["year_line"], style.size + 1, WD_ALIGN_PARAGRAPH.CENTER)
    if spec.get("unit_line"):
        paragraph(spec["unit_line"], style.size, WD_ALIGN_PARAGRAPH.RIGHT)
    for line in spec.get("sub_lines", []):
        paragraph(line, style.size, WD_ALIGN_PARAGRAPH.LEFT)

    cells = eval_spec.place(spec)
    n_rows, n_cols = len(spec["rows"]), spec["columns"]
    table = doc.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    usable = section.page_width - section.left_margin - section.right_margin
    weights = column_weights(spec, style)
    widths = [int(usable * w / sum(weights)) for w in weights]
    for row in table.rows:
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    for cell in cells:
        target = table.cell(cell.row, cell.col)
        if cell.row_span > 1 or cell.col_span > 1:
            target = target.merge(table.cell(cell.row + cell.row_span - 1, cell.col + cell.col_span - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        lines = cell.text.split("\n")
        first = target.paragraphs[0]
        for i, line in enumerate(lines):
            p = first if i == 0 else target.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if len(cell.text) > 30 else WD_ALIGN_PARAGRAPH.CENTER
            set_font(p.add_run(line), style.size)
    for line in spec.get("after_lines", []):
        paragraph(line, style.size - 1, WD_ALIGN_PARAGRAPH.LEFT)
    doc.core_properties.title = spec["title_lines"][0] if spec.get("title_lines") else ""
    doc.save(path)


def visual_length(text: str) -> float:
    """Width of a text in CJK character cells (ASCII letters and digits count half)."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


# --- xlsx ------------------------------------------------------------------------------------


def write_xlsx(spec: dict, style: Style, path: Path, border_style: str = "thin") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    n_cols = spec["columns"]
    font = Font(name=style.font, size=style.size)
    thin = Side(style=border_style, color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    weights = column_weights(spec, style)
    total_chars = 150 if style.landscape else 105
    for c, w in enumerate(weights, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(total_chars * w / sum(weights) * style.squeeze, 1)

    row = 1

    def line(text: str, size: float, align: str, bold: bool = False) -> None:
        nonlocal row
        ws.cell(row=row, column=1, value=text).font = Font(name=style.font, size=size, bold=bold)
        ws.cell(row=row, column=1).alignment = Alignment(horizontal=align, vertical="center")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        ws.row_dimensions[row].height = size * 1.9
        row += 1

    for text in spec.get("before_lines", []):
        line(text, style.size, "left")
    for text in spec.get("title_lines", []):
        line(text, style.size + 6, "center", bold=True)
    if spec.get("year_line"):
        line(spec["year_line"], style.size + 1, "center")
    if spec.get("unit_line"):
        line(spec["unit_line"], style.size, "right")
    for text in spec.get("sub_lines", []):
        line(text, style.size, "left")

    top = row
    for cell in eval_spec.place(spec):
        r, c = top + cell.row, 1 + cell.col
        number = as_number(cell.text)
        target = ws.cell(row=r, column=c)
        if number is not None:
            target.value, target.number_format = number
        else:
            target.value = cell.text if cell.text else None
        target.font = font
        target.alignment = Alignment(horizontal="left" if len(cell.text) > 30 else "center", vertical="center", wrap_text=True)
        for rr in range(r, r + cell.row_span):
            for cc in range(c, c + cell.col_span):
                ws.cell(row=rr, column=cc).border = border
        if cell.row_span > 1 or cell.col_span > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + cell.row_span - 1, end_column=c + cell.col_span - 1)
    # LibreOffice keeps the default row height of an .xlsx row it is given none for, so wrapped
    # text would be clipped: give each row the height its wrapped cells need.
    col_units = [ws.column_dimensions[get_column_letter(c)].width / style.squeeze for c in range(1, n_cols + 1)]
    need = [1] * len(spec["rows"])
    for cell in eval_spec.place(spec):
        units = sum(col_units[cell.col : cell.col + cell.col_span])
        per_line = max(1.0, units / (2.0 * style.size / 11.0) - 1)
        lines = sum(max(1, -(-visual_length(seg) // per_line)) for seg in cell.text.split("\n"))
        per_row = -(-lines // cell.row_span)
        for r in range(cell.row, cell.row + cell.row_span):
            need[r] = max(need[r], int(per_row))
    for r, lines in enumerate(need):
        ws.row_dimensions[top + r].height = round(lines * style.size * 1.4 + 5, 1)
    row = top + len(spec["rows"])
    for text in spec.get("after_lines", []):
        ws.cell(row=row, column=1, value=text).font = Font(name=style.font, size=style.size - 1)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        ws.row_dimensions[row].height = 45
        row += 1
    ws.page_setup.orientation = "landscape" if style.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)


# --- conversions -----------------------------------------------------------------------------


def soffice_to_pdf(sources: list[Path], outdir: Path) -> None:
    """Convert with LibreOffice headless, in a private profile so parallel users do not collide."""
    if not sources:
        return
    outdir.mkdir(parents=True, exist_ok=True)
    left = list(sources)
    for attempt in range(2):  # a long batch now and then drops a file: its second try is alone
        with tempfile.TemporaryDirectory(prefix="zpef-lo-") as profile, tempfile.TemporaryDirectory() as staging:
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", staging, *map(str, left)],
                check=True,
                capture_output=True,
                timeout=600 + 2 * len(left),
            )
            for src in list(left):
                produced = Path(staging) / (src.stem + ".pdf")
                if produced.exists():
                    shutil.move(produced, outdir / produced.name)
                    left.remove(src)
        if not left:
            return
    raise RuntimeError(f"LibreOffice did not convert {', '.join(map(str, left))}")


def rasterise(pdf: Path, dpi: int, mode: str, workdir: Path) -> list[Path]:
    flag = {"gray": "-gray", "mono": "-mono"}[mode]
    ext = {"gray": "png", "mono": "png"}[mode]
    subprocess.run(["pdftoppm", "-r", str(dpi), flag, "-png", str(pdf), str(workdir / "p")], check=True, timeout=600)
    return sorted(workdir.glob(f"p*.{ext}"))


def scan_pdf(pdf: Path, out: Path) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pages = [Image.open(p).convert("L") for p in rasterise(pdf, 300, "gray", Path(tmp))]
        pages[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=pages[1:])


def fax_tiff(pdf: Path, out: Path) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pages = [Image.open(p).convert("1") for p in rasterise(pdf, 200, "mono", Path(tmp))]
        pages[0].save(out, "TIFF", compression="group4", dpi=(200, 200), save_all=True, append_images=pages[1:])


def skew_scan(pdf: Path, out: Path, seed: int) -> None:
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    angle = rng.choice((-1, 1)) * rng.uniform(0.6, 2.0)
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in rasterise(pdf, 200, "gray", Path(tmp)):
            page = Image.open(path).convert("L")
            page = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=250)
            w, h = page.size
            # light falling off towards one corner, and paper grain
            shade = Image.linear_gradient("L").resize((w, h)).rotate(rng.choice((0, 90, 180, 270)))
            shade = shade.point(lambda v: 255 - v // 6)
            page = Image.blend(page, shade, 0.12)
            noise = Image.effect_noise((w, h), 18).filter(ImageFilter.GaussianBlur(0.6))
            page = Image.blend(page, noise, 0.08)
            jpeg = Path(tmp) / (path.stem + ".jpg")
            page.save(jpeg, "JPEG", quality=rng.randint(45, 70))
            pages.append(Image.open(jpeg).convert("L"))
        pages[0].save(out, "PDF", resolution=200.0, save_all=True, append_images=pages[1:])


def web_jpg(pdf: Path, out: Path) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pages = [Image.open(p).convert("L") for p in rasterise(pdf, 100, "gray", Path(tmp))]
        width = max(p.width for p in pages)
        picture = Image.new("L", (width, sum(p.height for p in pages)), 255)
        top = 0
        for page in pages:
            picture.paste(page, (0, top))
            top += page.height
        picture.save(out, "JPEG", quality=80)  # no dpi: a web page's picture carries none


def faded_scan(pdf: Path, out: Path, seed: int) -> None:
    """A light copy: print at 40-55% of its darkness on greyish paper, noise, 200 dpi JPEG pages in a PDF."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in rasterise(pdf, 200, "gray", Path(tmp)):
            page = np.asarray(Image.open(path).convert("L"), dtype=np.float32)
            light = 255 - (255 - page) * rng.uniform(0.4, 0.55)
            light = light * rng.uniform(0.9, 0.95) + rng.normal(0, 5, page.shape)
            jpeg = Path(tmp) / (path.stem + ".jpg")
            Image.fromarray(np.clip(light, 0, 255).astype(np.uint8)).save(jpeg, "JPEG", quality=int(rng.integers(55, 71)))
            pages.append(Image.open(jpeg).convert("L"))
        pages[0].save(out, "PDF", resolution=200.0, save_all=True, append_images=pages[1:])


def spread_scan(pdf: Path, out: Path) -> None:
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pages = [np.asarray(Image.open(p).convert("L")) for p in rasterise(pdf, 300, "gray", Path(tmp))]
    height = max(p.shape[0] for p in pages)
    gutter = 255 - 110 * np.exp(-(np.linspace(-1, 1, 140) ** 2) / 0.08)  # the binding's shadow, 12 mm
    spreads = []
    for left, right in zip(pages[::2], pages[1::2] + [np.full_like(pages[0], 255)] * (len(pages) % 2)):
        parts = [np.pad(p, ((0, height - p.shape[0]), (0, 0)), constant_values=255) for p in (left, right)]
        shadow = np.repeat(gutter[None, :], height, axis=0)
        spreads.append(Image.fromarray(np.hstack([parts[0], shadow, parts[1]]).astype(np.uint8)))
    spreads[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=spreads[1:])


def bleed_scan(pdf: Path, back_pdf: Path, out: Path, seed: int) -> None:
    import cv2
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        pages = [np.asarray(Image.open(p).convert("L")) for p in rasterise(pdf, 300, "gray", Path(tmp))]
    with tempfile.TemporaryDirectory() as tmp:
        back = np.asarray(Image.open(rasterise(back_pdf, 300, "gray", Path(tmp))[0]).convert("L"))
    strength = rng.uniform(0.18, 0.26)
    scanned = []
    for page in pages:
        mirrored = np.full_like(page, 255)
        height, width = min(page.shape[0], back.shape[0]), min(page.shape[1], back.shape[1])
        mirrored[:height, :width] = back[:height, :width][:, ::-1]
        ghost = 255 - (255 - cv2.GaussianBlur(mirrored, (0, 0), 1.2).astype(np.float32)) * strength
        paper = 240 + rng.normal(0, 3, page.shape)
        scanned.append(Image.fromarray(np.clip(np.minimum(np.minimum(page.astype(np.float32), ghost), paper), 0, 255).astype(np.uint8)))
    scanned[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=scanned[1:])


def pen_scan(pdf: Path, out: Path, seed: int) -> None:
    import cv2
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        pages = [np.asarray(Image.open(p).convert("L")) for p in rasterise(pdf, 300, "gray", Path(tmp))]
    marked = []
    for page in pages:
        height, width = page.shape
        pen = np.full((height, width, 3), 255, np.uint8)
        for _ in range(12):
            x, y = int(rng.uniform(0.15, 0.85) * width), int(rng.uniform(0.15, 0.85) * height)
            if rng.random() < 0.5:
                tick = np.array([[x, y], [x + 15, y + 20], [x + 50, y - 30]], np.int32)
                cv2.polylines(pen, [tick], False, (200, 30, 40), 5, cv2.LINE_AA)
            else:
                cv2.ellipse(pen, (x, y), (60, 30), float(rng.uniform(-20, 20)), 0, 330, (30, 50, 190), 4, cv2.LINE_AA)
        rgb = (page[:, :, None].astype(np.uint16) * pen // 255).astype(np.uint8)  # ink over toner: print stays black
        marked.append(Image.fromarray(rgb))
    marked[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=marked[1:], quality=85)


def dashed_sheets(fids: list[str]) -> None:
    """The forms as sheets with dashed, dotted or hair borders, printed by LibreOffice (for ``dashed_scan``)."""
    DASHED_SHEETS.mkdir(parents=True, exist_ok=True)
    for fid in fids:
        spec = eval_spec.load(fid)
        border = DASHED_BORDERS[eval_spec.form_ids().index(fid) % len(DASHED_BORDERS)]
        write_xlsx(spec, style_for(fid, spec), DASHED_SHEETS / f"{fid}.xlsx", border_style=border)
    soffice_to_pdf([DASHED_SHEETS / f"{fid}.xlsx" for fid in fids], DASHED_SHEETS)


def photo_pages(pdf: Path, out: Path, seed: int) -> None:
    """A phone's photo of each page (``make_scan_corpus.photo``), a JPEG per page: ``out`` is the
    first page's (<id>.p1.jpg), the others <id>.p2.jpg …, as a phone names its photos in turn."""
    import numpy as np
    from PIL import Image

    from make_scan_corpus import photo

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for number, path in enumerate(rasterise(pdf, 300, "gray", Path(tmp)), start=1):
            picture = photo(np.asarray(Image.open(path).convert("L")), rng)
            Image.fromarray(picture).save(out.with_name(out.name.replace(".p1.jpg", f".p{number}.jpg")), "JPEG", quality=85)


def seal_scan(pdf: Path, out: Path, seed: int) -> None:
    import numpy as np
    from PIL import Image

    from make_scan_corpus import stamped

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        grays = [np.asarray(Image.open(p).convert("L")) for p in rasterise(pdf, 300, "gray", Path(tmp))]
        pages = [Image.fromarray(stamped(grays[0], rng, 300))] + [Image.fromarray(g).convert("RGB") for g in grays[1:]]
        pages[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=pages[1:], quality=85)


# --- main ------------------------------------------------------------------------------------


def _next(ids: list[str], fid: str) -> str:
    return ids[(ids.index(fid) + 1) % len(ids)]


def render(kinds: list[str], only: list[str] | None, force: bool) -> dict[str, int]:
    ids = [i for i in eval_spec.form_ids() if not only or i in only]
    made: dict[str, int] = {}

    def target(kind: str, fid: str) -> Path:
        return RENDERS / kind / f"{fid}.{EXT[kind]}"

    def todo(kind: str) -> list[str]:
        return [fid for fid in ids if force or not target(kind, fid).exists()]

    need = set(kinds)
    if need & {"scan_pdf", "seal_scan", "web_jpg", "faded_scan", "spread_scan", "bleed_scan", "pen_scan", "photo_pages"}:
        need.add("docx_pdf")
    if "fax_tiff" in need or "skew_scan" in need:
        need.add("xlsx_pdf")
    if "docx_pdf" in need:
        need.add("docx")
    if "xlsx_pdf" in need:
        need.add("xlsx")
    for kind, writer in (("docx", write_docx), ("xlsx", write_xlsx)):
        if kind in need:
            (RENDERS / kind).mkdir(parents=True, exist_ok=True)
            for fid in todo(kind):
                spec = eval_spec.load(fid)
                writer(spec, style_for(fid, spec), target(kind, fid))
                made[kind] = made.get(kind, 0) + 1
    for kind, base in (("docx_pdf", "docx"), ("xlsx_pdf", "xlsx")):
        if kind in need:
            pending = todo(kind)
            soffice_to_pdf([target(base, fid) for fid in pending], RENDERS / kind)
            made[kind] = len(pending)
    all_ids = eval_spec.form_ids()
    scans = (
        ("scan_pdf", "docx_pdf", lambda src, dst, fid: scan_pdf(src, dst)),
        ("fax_tiff", "xlsx_pdf", lambda src, dst, fid: fax_tiff(src, dst)),
        ("skew_scan", "xlsx_pdf", lambda src, dst, fid: skew_scan(src, dst, seed=1000 + all_ids.index(fid))),
        ("seal_scan", "docx_pdf", lambda src, dst, fid: seal_scan(src, dst, seed=2000 + all_ids.index(fid))),
        ("dashed_scan", "xlsx", lambda src, dst, fid: scan_pdf(DASHED_SHEETS / f"{fid}.pdf", dst)),
        ("web_jpg", "docx_pdf", lambda src, dst, fid: web_jpg(src, dst)),
        ("spread_scan", "docx_pdf", lambda src, dst, fid: spread_scan(src, dst)),
        ("pen_scan", "docx_pdf", lambda src, dst, fid: pen_scan(src, dst, seed=5000 + all_ids.index(fid))),
        ("bleed_scan", "docx_pdf", lambda src, dst, fid: bleed_scan(src, target("docx_pdf", _next(all_ids, fid)), dst, seed=4000 + all_ids.index(fid))),
        ("faded_scan", "docx_pdf", lambda src, dst, fid: faded_scan(src, dst, seed=3000 + all_ids.index(fid))),
        ("photo_pages", "docx_pdf", lambda src, dst, fid: photo_pages(src, dst, seed=6000 + all_ids.index(fid))),
    )
    if "dashed_scan" in need:
        dashed_sheets(todo("dashed_scan"))
    for kind, base, fn in scans:
        if kind in need:
            (RENDERS / kind).mkdir(parents=True, exist_ok=True)
            for fid in todo(kind):
                fn(target(base, fid), target(kind, fid), fid)
                made[kind] = made.get(kind, 0) + 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--only", default="", help="comma-separated form ids")
    parser.add_argument("--force", action="store_true", help="re-render files that exist")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; choose from {', '.join(KINDS)}")
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    made = render(kinds, [i for i in args.only.split(",") if i] or None, args.force)
    print("rendered: " + (", ".join(f"{k} {n}" for k, n in made.items()) or "nothing new") + f" → {RENDERS}")


if __name__ == "__main__":
    main()
