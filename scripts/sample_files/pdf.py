"""The sample forms drawn as an office exports them to PDF (reportlab, the WenQuanYi Micro Hei
TrueType font embedded, ``invariant=1`` so the bytes are the same on every run), and into an OFD
package drawn by the same calls (ofdwriter)."""

from __future__ import annotations

from pathlib import Path

from ofdwriter import OfdCanvas
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from . import PINNED_TIME
from .specs import COLUMN_WIDTHS, FormSpec, Spec

FONT_PATHS = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]
FONT = "WQYMicroHei"
BODY_SIZE = 8.0
TITLE_SIZE = 14.0
LEADING = 10.0
PAD = 3.0
MIN_ROW = 16.0
MARGIN_X = 40.0
MARGIN_TOP = 50.0
MARGIN_BOTTOM = 40.0


def register_font() -> None:
    for path in FONT_PATHS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return
    raise SystemExit("no CJK TrueType font found: install Debian's fonts-wqy-microhei (make system-deps)")


def use_font(name: str, path: Path, index: int = 0) -> None:
    """Draw with another TrueType font from now on (the scan corpus's Kai and Song kinds), in
    this process only: the samples themselves are drawn with WenQuanYi Micro Hei."""
    global FONT
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    FONT = name


# --- layout -------------------------------------------------------------------------------


def wrap(text: str, width: float) -> list[str]:
    """Break text into lines that fit ``width``; explicit newlines are kept, spaces at a break dropped."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and pdfmetrics.stringWidth(line + ch, FONT, BODY_SIZE) > width:
                lines.append(line.rstrip())
                line = "" if ch == " " else ch
            else:
                line += ch
        lines.append(line)
    return lines


def row_heights(rows: list[list[Spec]], widths: list[float] = COLUMN_WIDTHS) -> list[float]:
    heights = [MIN_ROW] * len(rows)
    spanning: list[tuple[int, Spec]] = []
    for r, row in enumerate(rows):
        for spec in row:
            width = sum(widths[spec.col : spec.col + spec.col_span]) - 2 * PAD
            need = len(wrap(spec.text, width)) * LEADING + 2 * PAD
            if spec.row_span == 1:
                heights[r] = max(heights[r], need)
            else:
                spanning.append((r, spec))
    for r, spec in spanning:
        width = sum(widths[spec.col : spec.col + spec.col_span]) - 2 * PAD
        need = len(wrap(spec.text, width)) * LEADING + 2 * PAD
        have = sum(heights[r : r + spec.row_span])
        if need > have:
            heights[r + spec.row_span - 1] += need - have
    return heights


def draw_text(canvas: Canvas, text: str, x: float, top: float, width: float, height: float, page_h: float) -> None:
    lines = wrap(text, width - 2 * PAD)
    block = len(lines) * LEADING
    y = top + (height - block) / 2 + LEADING * 0.8
    for line in lines:
        w = pdfmetrics.stringWidth(line, FONT, BODY_SIZE)
        left = x + PAD if w > width * 0.6 else x + (width - w) / 2
        canvas.drawString(left, page_h - y, line)
        y += LEADING


def paginate(form: FormSpec, heights: list[float], first_top: float, page_h: float) -> list[list[int]]:
    """Rows of each page, breaking where a row no longer fits."""
    pages: list[list[int]] = [[]]
    y = first_top
    for r, h in enumerate(heights):
        if pages[-1] and y + h > page_h - MARGIN_BOTTOM:
            pages.append([])
            y = MARGIN_TOP
        pages[-1].append(r)
        y += h
    return pages


def draw_form(canvas: Canvas, form: FormSpec, repeat_header: bool) -> None:
    page_w, page_h = A4
    heights = row_heights(form.rows, form.widths)
    canvas.setFont(FONT, TITLE_SIZE)
    canvas.drawCentredString(page_w / 2, page_h - MARGIN_TOP, form.title)
    first_top = MARGIN_TOP + 20
    canvas.setFont(FONT, 10)
    for note in form.notes:
        if note.startswith("（"):
            canvas.drawCentredString(page_w / 2, page_h - first_top - 4, note)
        else:
            canvas.drawRightString(page_w - MARGIN_X, page_h - first_top - 4, note)
        first_top += 16
    col_x = [MARGIN_X + sum(form.widths[:i]) for i in range(len(form.widths) + 1)]
    pages = paginate(form, heights, first_top, page_h)
    for p, page_rows in enumerate(pages):
        if p > 0:
            canvas.showPage()
        canvas.setFont(FONT, BODY_SIZE)
        canvas.setLineWidth(0.6)
        top = first_top if p == 0 else MARGIN_TOP
        drawn_rows = list(page_rows)
        row_top: dict[int, float] = {}
        if p > 0 and repeat_header and page_rows[0] > form.header_row:
            h = heights[form.header_row]
            for spec in form.rows[form.header_row]:
                x, w = col_x[spec.col], col_x[spec.col + spec.col_span] - col_x[spec.col]
                canvas.rect(x, page_h - top - h, w, h, stroke=1, fill=0)
                draw_text(canvas, spec.text, x, top, w, h, page_h)
            top += h
        for r in drawn_rows:
            row_top[r] = top
            top += heights[r]
        bottom = top
        first, last = drawn_rows[0], drawn_rows[-1]
        # cells starting on this page, and the continuation parts of merges from earlier pages
        for r0, row in enumerate(form.rows):
            for spec in row:
                r_end = r0 + spec.row_span - 1
                if r_end < first or r0 > last:
                    continue
                part_first, part_last = max(r0, first), min(r_end, last)
                y0 = row_top[part_first]
                y1 = row_top[part_last] + heights[part_last] if part_last < last else bottom
                x, w = col_x[spec.col], col_x[spec.col + spec.col_span] - col_x[spec.col]
                canvas.rect(x, page_h - y1, w, y1 - y0, stroke=1, fill=0)
                if part_first == r0:
                    draw_text(canvas, spec.text, x, y0, w, y1 - y0, page_h)
    canvas.showPage()


def write_pdf(path: Path, forms: list[tuple[FormSpec, bool]], encrypt: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    canvas.setTitle(path.stem)
    for form, repeat_header in forms:
        draw_form(canvas, form, repeat_header)
    canvas.save()


def write_text_pdf(path: Path, lines: list[str]) -> None:
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.setFont(FONT, 11)
    y = A4[1] - 80
    for line in lines:
        canvas.drawString(MARGIN_X, y, line)
        y -= 18
    canvas.showPage()
    canvas.save()


def write_ofd(path: Path, forms: list[FormSpec]) -> None:
    """The forms drawn exactly as in the PDFs (draw_form), into an OFD package (ofdwriter)."""
    canvas = OfdCanvas(font=FONT, font_family="WenQuanYi Micro Hei", when=PINNED_TIME)
    for form in forms:
        draw_form(canvas, form, repeat_header=False)  # type: ignore[arg-type]  (the canvas calls it makes)
    canvas.save(path, forms[0].title)
