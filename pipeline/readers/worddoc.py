"""Word extractor: the tables and paragraphs of a .docx, read from its XML (opened with python-docx).

These forms are authored in Word, so the table in the file *is* the form: nothing is guessed
from positions. The body is read in document order into ``flow`` blocks, which lays them out as
pages of grids and lines like a PDF's text layer:

- a paragraph outside tables is a loose line (the title, 年度 and 金额单位 lines, notes after the
  table); runs are joined as written, a line break (``w:br``) is ``\\n``, a tab ``\\t``; deleted and
  moved-away text of tracked changes is left out, inserted text kept; a symbol (``w:sym``) from
  the Wingdings fonts is the check box or mark it shows (☑ □ ☒ ✓); content controls
  (``w:sdt``) and custom XML are read through;
- a table is a grid: a cell is placed at the grid column its row's ``gridBefore`` and the
  ``gridSpan`` of the cells before it give; ``gridSpan`` is a horizontal merge, ``vMerge`` (restart,
  then continue) a vertical one, legacy ``hMerge`` a horizontal one; a cell's paragraphs are its
  lines (``\\n``-joined, empty ones dropped); columns are as wide as ``w:tblGrid`` says;
- ``Cell.ref`` names the cell as Word counts it: ``table 2, row 5, cell 3`` (1-based: tables in
  document order, nested ones included; rows of the table; cells of the row), ``table 2, rows
  14-17, cell 1`` for a vertical merge;
- a table holding tables with at least as many cells as its own is a layout frame (a form
  wrapped in a one-cell table, a form beside a stamp): it is unwrapped, its cells' paragraphs and
  tables read in order as if they were in the body, so the inner table is the grid; a small table
  inside a cell of a bigger one is that cell's text (a line per row);
- a text box's paragraphs (``w:txbxContent``; the VML fallback copy is skipped) follow its anchor
  paragraph as loose lines, or join their cell's lines when anchored in a cell;
- pages: the whole document is page 1 unless it breaks pages explicitly (a page break, "page break
  before", a section that starts on a new page); Word's own pagination depends on fonts and
  printer and is not in the file (``lastRenderedPageBreak`` is only a hint of the last rendering).

Headers, footers, footnotes and comments are not read: they are not the form. What else is not
read is said, as a page note in the manifest: embedded objects (an Excel sheet pasted
as an object keeps its cells outside the document text) and ``altChunk`` parts; pictures are
named only when the document has no table at all (a form pasted as a picture needs OCR: print the
document to PDF).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.opc.exceptions import OpcError
from lxml import etree

from pipeline.model.errors import InputError
from pipeline.readers.flow import Block, FlowCell, FlowTable, PageBreak, Paragraph, flat_lines, layout
from pipeline.model.intermediate import DocumentContent

METHOD = "word"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
TWIPS_PER_POINT = 20.0
_SKIPPED = {f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback", f"{{{W}}}pPr", f"{{{W}}}rPr", f"{{{W}}}tcPr", f"{{{W}}}trPr", f"{{{W}}}tblPr"}
_PAGE_BREAK = object()  # a page break inside a paragraph's text


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    return default if element is None else element.get(w("val"), default)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Placing:
    """A cell being placed: its row span grows while ``vMerge`` continues it."""

    row: int
    col: int
    col_span: int
    lines: list[str]
    number: int  # 1-based index of the w:tc in its row
    row_span: int = 1


@dataclass
class _Reader:
    sections: list[etree._Element]  # every sectPr in body order (the last is the body's own)
    tables: int = 0
    section_index: int = 0
    objects: int = 0
    pictures: int = 0
    alt_chunks: int = 0

    # --- the body -------------------------------------------------------------------------

    def body(self, container: etree._Element) -> list[Block]:
        """Blocks of a body-like container (the body, an unwrapped cell, a text box), in order."""
        blocks: list[Block] = []
        for child in container:
            tag = child.tag
            if tag == w("p"):
                blocks.extend(self.paragraph(child))
            elif tag == w("tbl"):
                blocks.extend(self.table(child))
            elif tag in (w("sdt"), w("customXml")):
                content = child.find(w("sdtContent")) if tag == w("sdt") else child
                if content is not None:
                    blocks.extend(self.body(content))
            elif tag == w("altChunk"):
                self.alt_chunks += 1
        return blocks

    def paragraph(self, p: etree._Element) -> list[Block]:
        """A paragraph as loose lines, with its page breaks and the text boxes anchored in it."""
        blocks: list[Block] = []
        properties = p.find(w("pPr"))
        before = _find(properties, "pageBreakBefore")
        if before is not None and _val(before, "true") not in ("0", "false", "off"):
            blocks.append(PageBreak())
        parts: list[object] = []
        boxes: list[etree._Element] = []
        self._runs(p, parts, boxes)
        text: list[str] = []
        for part in parts:
            if part is _PAGE_BREAK:
                blocks.append(Paragraph("".join(text)))
                blocks.append(PageBreak())
                text = []
            else:
                text.append(str(part))
        blocks.append(Paragraph("".join(text)))
        for box in boxes:
            blocks.extend(self.body(box))
        if properties is not None and properties.find(w("sectPr")) is not None:
            self.section_index += 1
            following = self.sections[self.section_index] if self.section_index < len(self.sections) else None
            start = _val(following.find(w("type")) if following is not None else None, "nextPage")
            if start != "continuous":
                blocks.append(PageBreak())
        return blocks

    def _runs(self, element: etree._Element, parts: list[object], boxes: list[etree._Element]) -> None:
        """The text of a paragraph's runs in order; text boxes are set aside in ``boxes``."""
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == w("t"):
                parts.append(child.text or "")
            elif tag == w("tab"):
                parts.append("\t")
            elif tag in (w("br"), w("cr")):
                parts.append(_PAGE_BREAK if child.get(w("type")) == "page" else "\n")
            elif tag == w("noBreakHyphen"):
                parts.append("-")
            elif tag == w("sym"):
                parts.append(symbol(child.get(w("font"), ""), child.get(w("char"), "")))
            elif tag == w("txbxContent"):
                boxes.append(child)
            elif tag == w("object"):
                self.objects += 1
            elif tag == w("drawing") or tag.endswith("}pict"):
                if not any(sub.tag == w("txbxContent") for sub in child.iter()):
                    self.pictures += 1
                self._runs(child, parts, boxes)
            else:
                self._runs(child, parts, boxes)

    # --- tables ---------------------------------------------------------------------------

    def table(self, tbl: etree._Element) -> list[Block]:
        self.tables += 1
        number = self.tables
        rows = _rows(tbl)
        own = sum(len(_cells(row)) for row in rows)
        nested = sum(1 for _ in tbl.iter(w("tc"))) - own
        if nested and nested >= own:
            blocks: list[Block] = []  # a layout frame: read what is inside it, in order
            for row in rows:
                for cell in _cells(row):
                    blocks.extend(self.body(cell))
            return blocks
        return [self.grid(tbl, rows, number)]

    def grid(self, tbl: etree._Element, rows: list[etree._Element], number: int) -> FlowTable:
        """One table without nested tables as a grid, merges included (see the module doc)."""
        placed: list[_Placing] = []
        open_below: dict[int, _Placing] = {}  # grid column -> the cell a vMerge continue extends
        n_cols = 0
        for r, row in enumerate(rows):
            properties = row.find(w("trPr"))
            col = _int(_val(properties.find(w("gridBefore")) if properties is not None else None), 0)
            still_open: dict[int, _Placing] = {}
            previous: _Placing | None = None
            for k, tc in enumerate(_cells(row), start=1):
                cell_properties = tc.find(w("tcPr"))
                span = max(1, _int(_val(_find(cell_properties, "gridSpan")), 1))
                lines = self.cell_lines(tc)
                h_merge = _find(cell_properties, "hMerge")
                if h_merge is not None and _val(h_merge, "continue") == "continue" and previous is not None:
                    previous.col_span += span
                    previous.lines += lines
                    col += span
                    continue
                v_merge = _find(cell_properties, "vMerge")
                above = open_below.get(col)
                if v_merge is not None and _val(v_merge, "continue") == "continue" and above is not None and above.row + above.row_span == r:
                    above.row_span += 1
                    above.lines += lines
                    current = above
                else:
                    current = _Placing(row=r, col=col, col_span=span, lines=lines, number=k)
                    placed.append(current)
                if v_merge is not None:
                    still_open[col] = current
                previous = current
                col += span
            col += _int(_val(properties.find(w("gridAfter")) if properties is not None else None), 0)
            n_cols = max(n_cols, col)
            open_below = still_open
        widths = [_int(c.get(w("w")), 0) / TWIPS_PER_POINT for c in tbl.findall(f"{w('tblGrid')}/{w('gridCol')}")]
        n_cols = max(n_cols, len(widths))
        cells = [FlowCell(row=p.row, col=p.col, row_span=p.row_span, col_span=p.col_span, text="\n".join(p.lines), ref=_ref(number, p)) for p in placed]
        return FlowTable(cells=cells, n_rows=len(rows), n_cols=n_cols, column_points=[width or 0.0 for width in widths])

    def cell_lines(self, tc: etree._Element) -> list[str]:
        """A cell's non-empty paragraph lines (text boxes in it included)."""
        lines: list[str] = []
        for block in self.body(tc):
            if isinstance(block, Paragraph):
                lines.extend(line for line in block.text.split("\n") if line.strip())
            elif isinstance(block, FlowTable):  # a small table inside a form's cell: its text
                lines.extend(flat_lines(block))
        return lines


# Check boxes and marks typed with Word's Insert > Symbol in the Wingdings fonts (Hubei forms' 是/否
# boxes): the file holds the font's code, not a Unicode character.
_SYMBOLS = {
    "wingdings": {0x6F: "□", 0xA8: "□", 0xFE: "☑", 0xFD: "☒", 0x78: "☒", 0xFC: "✓", 0xFB: "✗", 0x9F: "●", 0xA1: "○"},
    "wingdings 2": {0xA3: "□", 0x52: "☑", 0x54: "☒", 0x50: "✓", 0x4F: "✗", 0x99: "○"},
}


def symbol(font: str, code: str) -> str:
    """A w:sym as text: the mark it shows in a Wingdings font; in another font its character,
    unless that is a private-use code (Symbol's F0xx), which is no text."""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    name = font.strip().lower()
    if name in _SYMBOLS:
        return _SYMBOLS[name].get(value - 0xF000 if value >= 0xF000 else value, "")
    return "" if value < 0x20 or 0xE000 <= value <= 0xF8FF else chr(value)


def _find(properties: etree._Element | None, name: str) -> etree._Element | None:
    return properties.find(w(name)) if properties is not None else None


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """The ``tag`` children of a table or row, through content controls (sdt, customXml)."""
    found: list[etree._Element] = []
    for child in parent:
        if child.tag == w(tag):
            found.append(child)
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                found.extend(_children(content, tag))
    return found


def _rows(tbl: etree._Element) -> list[etree._Element]:
    """A table's rows; rows deleted in tracked changes are left out."""
    return [row for row in _children(tbl, "tr") if (properties := row.find(w("trPr"))) is None or properties.find(w("del")) is None]


def _cells(row: etree._Element) -> list[etree._Element]:
    return _children(row, "tc")


def _ref(table: int, cell: _Placing) -> str:
    rows = f"row {cell.row + 1}" if cell.row_span == 1 else f"rows {cell.row + 1}-{cell.row + cell.row_span}"
    return f"table {table}, {rows}, cell {cell.number}"


# --- the file -----------------------------------------------------------------------------


def document_body(path: Path) -> etree._Element:
    """The body element of a .docx (or .docm, .dotx): python-docx finds the main part by its
    relationship; a package it refuses by content type is read at word/document.xml."""
    try:
        return docx.Document(str(path)).element.body
    except ValueError as error:
        if "content type" not in str(error):
            raise InputError(f"damaged Word document ({error})") from error
    except (OpcError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as error:
        raise InputError(f"damaged Word document (.docx) ({type(error).__name__}: {error})") from error
    try:
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("word/document.xml"), etree.XMLParser(resolve_entities=False, huge_tree=True))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as error:
        raise InputError(f"damaged Word document (.docx) ({type(error).__name__}: {error})") from error
    body = root.find(w("body"))
    if body is None:
        raise InputError("damaged Word document (.docx): word/document.xml has no body")
    return body


def read_docx(path: Path) -> DocumentContent:
    """Every table and paragraph of a Word document as pages of grids and lines."""
    return docx_content(document_body(path))


def docx_content(body: etree._Element) -> DocumentContent:
    reader = _Reader(sections=list(body.iter(w("sectPr"))))
    blocks = reader.body(body)
    content = layout(blocks, METHOD)
    skipped = []
    if reader.objects:
        skipped.append(f"{reader.objects} embedded object(s) (such as a pasted Excel sheet) not read: their content is not in the document's text")
    if reader.alt_chunks:
        skipped.append(f"{reader.alt_chunks} imported part(s) (altChunk) not read")
    if reader.pictures and not any(isinstance(b, FlowTable) for b in blocks):
        skipped.append(f"no table in the document, and {reader.pictures} picture(s) not read: a form pasted as a picture needs OCR (print the document to PDF)")
    if skipped:
        content.page_errors[1] = "; ".join(skipped)
    return content
