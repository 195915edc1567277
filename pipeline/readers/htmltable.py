"""HTML extractor: the tables of an HTML page, such as a web budget system's "Excel" export.

Web systems export a form as an HTML ``<table>`` and name the file ``.xls`` (Excel opens it);
Word's "web page" and some "Word" exports are HTML too. The file is recognised by its bytes
(``looks_like_html``), whatever its name, and read with lxml into ``flow`` blocks:

- a ``<table>`` is a grid, its cells placed by the HTML table model: ``rowspan``/``colspan`` cover
  the slots below and to the right, and a row's next cell goes to the first slot not covered from
  above (a ``rowspan`` running past the table's last row is cut there, as browsers do);
- a cell's text is what a browser shows: runs of white space (``&nbsp;`` included) are one space,
  ``<br>`` and block elements (``<p>``, ``<div>``) start a new line; a saved web form's text
  ``<input>`` shows its ``value`` and a ``<select>`` its chosen option;
- text outside tables (a title in ``<h1>``, ``<p>`` or the table's ``<caption>``, a unit line) is
  a loose line per block;
  ``<head>``, scripts and styles are not text;
- a table holding tables with at least as many cells as its own is a layout frame: it is
  unwrapped and what is inside read in order, so the inner table is the grid; a small table
  inside a cell of a bigger one is that cell's text (a line per row);
- ``Cell.ref`` names the cell: ``table 1, row 5, cell 3`` (1-based; tables in document order,
  nested ones included; cells as the row lists them), ``rows 14-17`` for a ``rowspan``;
- column widths come from ``<col width>`` (pixels, or ``style="width:54pt"``) when given.

A web archive (``.mht``, Word's and web systems' "single file web page", often named ``.doc``) is
a MIME message: its HTML part is decoded and read the same way (``looks_like_mht``, ``read_mht``).

Encodings: a byte-order mark, else the ``<meta>`` charset (``gb2312`` and ``gbk`` are read as their
superset GB18030), else UTF-8, else GB18030.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

from pipeline.model.errors import InputError
from pipeline.readers.flow import Block, FlowCell, FlowTable, Paragraph, layout
from pipeline.model.intermediate import DocumentContent
from pipeline.model.result import FileStatus

METHOD = "html"
POINTS_PER_PIXEL = 0.75
MAX_SPAN = 1000  # a larger rowspan/colspan is a broken file, not a form
_MARKERS = (b"<html", b"<table", b"<!doctype html")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")
_WIDTH = re.compile(r"width\s*:\s*([\d.]+)\s*(pt|px)?", re.IGNORECASE)
_NOT_TEXT = {"head", "script", "style", "noscript", "template", "title", "xml"}
_BLOCKS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "section",
    "article",
    "center",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "caption",
    "form",
    "body",
}
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030"}


def looks_like_html(head: bytes) -> bool:
    """An HTML page: the first bytes open with a tag and name <html>, <table> or an HTML doctype
    (an Excel 2003 XML workbook, whose <Table> is not HTML, is not one)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].decode("utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be", errors="ignore").encode("utf-8", "ignore")
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start.startswith(b"<"):
        return False
    lower = start[:8192].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in lower and b"<workbook" in lower:
        return False
    return any(marker in lower for marker in _MARKERS)


def decode(data: bytes) -> str:
    """The page's text: BOM, else <meta> charset, else UTF-8, else GB18030 (see the module doc)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        codec = declared.group(1).decode("ascii", "ignore").lower()
        codec = "gb18030" if codec in _GB else codec
        try:
            return data.decode(codec, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


@dataclass
class _Reader:
    tables: int = 0
    blocks: list[Block] = field(default_factory=list)
    line: list[str] = field(default_factory=list)

    def flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.line)).strip()
        if text:
            self.blocks.append(Paragraph(text))
        self.line = []

    def walk(self, element: etree._Element) -> None:
        """Text and tables of an element, in document order (loose text as paragraphs)."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.lower() in _NOT_TEXT or not isinstance(element.tag, str):
            self._tail(element)
            return
        tag = tag.lower()
        if tag == "table":
            self.flush()
            self.table(element)
            self._tail(element)
            return
        block = tag in _BLOCKS
        if block:
            self.flush()
        if element.text:
            self.line.append(element.text)
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self._tail(element)

    def _tail(self, element: etree._Element) -> None:
        if element.tail:
            self.line.append(element.tail)

    def table(self, table: etree._Element) -> None:
        self.tables += 1
        number = self.tables
        own = len(_cells_in_order(table))
        nested = sum(1 for cell in table.iter("td", "th")) - own
        if nested and nested >= own:  # a layout frame: its content, in order
            for cell in _cells_in_order(table):
                self.flush()
                if cell.text:
                    self.line.append(cell.text)
                for child in cell:
                    self.walk(child)
                self.flush()
            return
        for caption in table.findall("caption"):  # a title written as the table's caption
            self.blocks.append(Paragraph(cell_text(caption)))
        self.blocks.append(table_of(table, number))
        self.tables += sum(1 for inner in table.iter("table") if inner is not table)  # read as their cells' text


def _cells_in_order(table: etree._Element) -> list[etree._Element]:
    return [cell for row in _rows(table) for cell in row if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]


def _rows(table: etree._Element) -> list[etree._Element]:
    """A table's own rows (through thead/tbody/tfoot), in document order."""
    rows: list[etree._Element] = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if isinstance(row.tag, str) and row.tag.lower() == "tr")
    return rows


def _span(cell: etree._Element, name: str) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_SPAN)


def cell_text(cell: etree._Element) -> str:
    """What a browser shows in a cell: spaces collapsed, a new line at <br> and block elements."""
    lines: list[list[str]] = [[]]

    def visit(element: etree._Element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _NOT_TEXT or not tag:
            if element.tail:
                lines[-1].append(element.tail)
            return
        if tag in _BLOCKS:
            lines.append([])
        if tag in ("td", "th"):  # a cell of a small table inside this cell
            lines[-1].append(" ")
        if tag == "input" and element.get("type", "text").lower() in ("text", "number", ""):
            lines[-1].append(element.get("value", ""))  # a saved web form shows its values in inputs
        if tag == "select":  # only the chosen option is shown
            chosen = [option for option in element.iter("option") if option.get("selected") is not None]
            lines[-1].append(chosen[0].text_content() if chosen else "")
            if element.tail:
                lines[-1].append(element.tail)
            return
        if element.text:
            lines[-1].append(element.text)
        for child in element:
            visit(child)
        if tag in _BLOCKS:
            lines.append([])
        if element.tail:
            lines[-1].append(element.tail)

    if cell.text:
        lines[-1].append(cell.text)
    for child in cell:
        visit(child)
    texts = [_SPACE.sub(" ", "".join(parts)).strip() for parts in lines]
    return "\n".join(text for text in texts if text)


def table_of(table: etree._Element, number: int) -> FlowTable:
    """One table (without nested tables) placed by the HTML table model (see the module doc)."""
    rows = _rows(table)
    covered: set[tuple[int, int]] = set()
    cells: list[FlowCell] = []
    for r, row in enumerate(rows):
        c = 0
        tds = [cell for cell in row if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]
        for k, td in enumerate(tds, start=1):
            while (r, c) in covered:
                c += 1
            row_span = min(_span(td, "rowspan"), len(rows) - r)
            col_span = _span(td, "colspan")
            covered.update((r + i, c + j) for i in range(row_span) for j in range(col_span))
            where = f"row {r + 1}" if row_span == 1 else f"rows {r + 1}-{r + row_span}"
            cells.append(FlowCell(row=r, col=c, row_span=row_span, col_span=col_span, text=cell_text(td), ref=f"table {number}, {where}, cell {k}"))
            c += col_span
    n_cols = max((col for _, col in covered), default=-1) + 1
    return FlowTable(cells=cells, n_rows=len(rows), n_cols=n_cols, column_points=_column_points(table))


def _column_points(table: etree._Element) -> list[float]:
    """Widths from <col> (and <colgroup><col>): width in pixels, or a CSS width in pt or px."""
    widths: list[float] = []
    for col in table.iter("col"):
        points = _points(col)
        widths.extend([points] * _span(col, "span"))
    return widths


def _points(element: etree._Element) -> float:
    style = _WIDTH.search(element.get("style", ""))
    if style:
        value = float(style.group(1))
        return value if (style.group(2) or "px").lower() == "pt" else value * POINTS_PER_PIXEL
    try:
        return float(element.get("width", "0").rstrip("px")) * POINTS_PER_PIXEL
    except ValueError:
        return 0.0


def looks_like_mht(head: bytes) -> bool:
    """A web archive (MHT, "single file web page", what Word and web systems save as .mht or .doc):
    a MIME message whose first headers announce multipart/related."""
    start = head[:4096].lstrip().lower()
    return start.startswith((b"mime-version:", b"from:", b"content-type:", b"subject:", b"date:")) and b"multipart/related" in start


def mht_html(data: bytes) -> str:
    """The HTML page of a web archive, decoded (quoted-printable or base64, its charset)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)  # bytes for a leaf part (None for a multipart one)
            if not isinstance(payload, bytes):
                payload = b""
            charset = (part.get_content_charset() or "").lower()
            if charset:
                try:
                    return payload.decode("gb18030" if charset in _GB else charset, errors="replace")
                except LookupError:
                    pass
            return decode(payload)
    raise InputError("web archive (MHT) without an HTML page: not a form export", status=FileStatus.SKIPPED)


def read_mht(path: Path) -> DocumentContent:
    """A web archive's HTML page, read as an HTML file."""
    return html_content(mht_html(path.read_bytes()))


def read_html(path: Path) -> DocumentContent:
    """Every table of an HTML file as a grid, and the text around them as lines."""
    return html_content(decode(path.read_bytes()))


def html_content(text: str) -> DocumentContent:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"unreadable HTML ({error})") from error
    reader = _Reader()
    body = root.find("body")
    reader.walk(body if body is not None else root)
    reader.flush()
    if not reader.tables:
        raise InputError("HTML page without a table: not a form export", status=FileStatus.SKIPPED)
    return layout(reader.blocks, METHOD)
