"""OFD extractor (GB/T 33190, the format of Chinese electronic official documents).

An OFD file is a ZIP of XML: ``OFD.xml`` names each document's ``Document.xml``, which lists its
pages (and template pages); a page's ``Content.xml`` holds layers of ``TextObject`` (text with the
position of each character) and ``PathObject`` (vector paths, such as a table's ruling lines).
No maintained Python library reads these into positions, and the XML is small, so it is read
here with lxml into what a PDF's text layer gives, and ``segment.segment_page`` rebuilds the cell
grid from the ruling lines exactly as for a PDF (merged cells included):

- every character of a ``TextCode`` is a ``Glyph``: its x is the code's ``X`` plus the ``DeltaX``
  advances before it (the ``g n d`` shorthand expanded), its baseline the code's ``Y``, its box the
  font ``Size`` high; positions are relative to the object's ``Boundary`` and go through its
  ``CTM`` when it has one;
- every straight horizontal or vertical piece of a ``PathObject`` (``AbbreviatedData``: ``M``, ``L``,
  ``C`` close; curves are not lines) is a ``Ruling``; filled thin rectangles count, as in pdfplumber;
- the objects of a page's template (``Template`` → ``TemplatePage``) are read with the page's own;
- OFD measures in millimetres from the page's top-left; they are turned into points (× 72/25.4),
  so boxes in ``provenance`` are in the same unit as a PDF's.

A page with no text (an image-only page from a scanner) is a page error naming that: OFD pages
are not rendered for OCR here (print the document to PDF, whose pages are OCR'd).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.model.errors import InputError
from pipeline.model.intermediate import DocumentContent, PageContent
from pipeline.readers.segment import Glyph, Ruling, segment_page

METHOD = "ofd"
OFD = "http://www.ofdspec.org/2016"
POINTS_PER_MM = 72 / 25.4
DEFAULT_PAGE_MM = (210.0, 297.0)
MIN_RULING_MM = 1.4  # shorter strokes are glyph parts or dots (4 points, as for PDFs)
STRAIGHT_MM = 0.05
ASCENT, DESCENT = 0.88, 0.12  # shares of the font size above and below the baseline
_NUMBER = re.compile(r"-?\d*\.?\d+(?:[eE][-+]?\d+)?")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def o(name: str) -> str:
    return f"{{{OFD}}}{name}"


def numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def deltas(text: str | None) -> list[float]:
    """A DeltaX/DeltaY list with its ``g count value`` shorthand expanded."""
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                out.extend([float(tokens[i + 2])] * int(float(tokens[i + 1])))
            except ValueError:
                pass
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    return out


@dataclass(frozen=True)
class _Object:
    """Where an object's own coordinates land on the page: its Boundary origin and its CTM."""

    x: float
    y: float
    ctm: Matrix

    def at(self, px: float, py: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return self.x + a * px + c * py + e, self.y + b * px + d * py + f

    @property
    def scale(self) -> float:
        a, b, c, d, _, _ = self.ctm
        return max(abs(a * d - b * c), 1e-9) ** 0.5


def _placement(element: etree._Element) -> _Object:
    boundary = numbers(element.get("Boundary"))
    ctm = numbers(element.get("CTM"))
    return _Object(boundary[0] if boundary else 0.0, boundary[1] if len(boundary) > 1 else 0.0, tuple(ctm) if len(ctm) == 6 else IDENTITY)  # type: ignore[arg-type]


def text_glyphs(element: etree._Element) -> list[Glyph]:
    """Every character of a TextObject as a glyph box in points (see the module doc)."""
    place = _placement(element)
    size_mm = float(element.get("Size", "3.5") or 3.5) * place.scale
    glyphs: list[Glyph] = []
    x = y = 0.0
    for code in element.iter(o("TextCode")):
        text = code.text or ""
        x = float(code.get("X", x))
        y = float(code.get("Y", y))
        dx, dy = deltas(code.get("DeltaX")), deltas(code.get("DeltaY"))
        for i, ch in enumerate(text):
            left, baseline = place.at(x, y)
            advance = dx[i] if i < len(dx) else float(element.get("Size", "3.5") or 3.5)
            right = place.at(x + advance, y)[0]
            if ch.strip():
                box = (min(left, right), baseline - ASCENT * size_mm, max(left, right), baseline + DESCENT * size_mm)
                glyphs.append(Glyph(text=ch, bbox=tuple(v * POINTS_PER_MM for v in box), size=size_mm * POINTS_PER_MM))  # type: ignore[arg-type]
            x += advance
            y += dy[i] if i < len(dy) else 0.0
    return glyphs


def path_rulings(element: etree._Element) -> list[Ruling]:
    """The straight horizontal and vertical pieces of a PathObject, in points."""
    place = _placement(element)
    data = element.find(o("AbbreviatedData"))
    tokens = (data.text or "").split() if data is not None else []
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    start = current = None
    i = 0
    arity = {"M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "S": 2, "C": 0}
    while i < len(tokens):
        command = tokens[i]
        if command not in arity:
            i += 1
            continue
        values = tokens[i + 1 : i + 1 + arity[command]]
        i += 1 + arity[command]
        try:
            args = [float(v) for v in values]
        except ValueError:
            continue
        if len(args) < arity[command]:
            break
        if command in ("M", "S"):
            start = current = place.at(args[0], args[1])
        elif command == "L" and current is not None:
            point = place.at(args[0], args[1])
            segments.append((current, point))
            current = point
        elif command == "C" and current is not None and start is not None:
            segments.append((current, start))
            current = start
        elif command in ("Q", "B", "A"):
            current = place.at(args[-2], args[-1])  # curves move the pen, they are not rulings
    rulings: list[Ruling] = []
    for (x0, y0), (x1, y1) in segments:
        if abs(y1 - y0) <= STRAIGHT_MM and abs(x1 - x0) >= MIN_RULING_MM:
            rulings.append(Ruling("h", y0 * POINTS_PER_MM, min(x0, x1) * POINTS_PER_MM, max(x0, x1) * POINTS_PER_MM))
        elif abs(x1 - x0) <= STRAIGHT_MM and abs(y1 - y0) >= MIN_RULING_MM:
            rulings.append(Ruling("v", x0 * POINTS_PER_MM, min(y0, y1) * POINTS_PER_MM, max(y0, y1) * POINTS_PER_MM))
    return rulings


@dataclass
class _Package:
    archive: zipfile.ZipFile

    def xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.archive.read(name), _PARSER)
        except KeyError as error:
            raise InputError(f"damaged OFD: {name} is missing") from error
        except etree.XMLSyntaxError as error:
            raise InputError(f"damaged OFD: {name} is not well-formed XML ({error})") from error


def resolve(base: str, location: str) -> str:
    """A BaseLoc relative to the file that names it (``base``), or absolute from the package root."""
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), location))


def page_size(document: etree._Element, page: etree._Element) -> tuple[float, float]:
    """A page's PhysicalBox (its own, else the document's), in mm."""
    for source in (page, document):
        box = source.find(f".//{o('PageArea')}/{o('PhysicalBox')}") if source is document else source.find(f"{o('Area')}/{o('PhysicalBox')}")
        values = numbers(box.text if box is not None else None)
        if len(values) == 4 and values[2] > 0 and values[3] > 0:
            return values[2], values[3]
    return DEFAULT_PAGE_MM


def read_ofd(path: Path, max_pages: int | None = None) -> DocumentContent:
    """Every page of every document in an OFD file, as grids and loose lines."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"damaged OFD (not a readable ZIP: {error})") from error
    with archive:
        package = _Package(archive)
        root = package.xml("OFD.xml")
        content = DocumentContent(pages=[])
        number = 0
        for doc_root in root.iter(o("DocRoot")):
            document_name = resolve("OFD.xml", (doc_root.text or "").strip())
            document = package.xml(document_name)
            templates = {t.get("ID"): resolve(document_name, t.get("BaseLoc", "")) for t in document.iter(o("TemplatePage"))}
            for page in document.iter(o("Page")):
                if page.getparent() is None or page.getparent().tag != o("Pages"):
                    continue
                number += 1
                if max_pages is not None and number > max_pages:
                    raise InputError(f"more than --max-pages {max_pages} pages: not read")
                try:
                    content.pages.append(_read_page(package, document, resolve(document_name, page.get("BaseLoc", "")), templates, number))
                except InputError as error:
                    content.page_errors[number] = error.message
                except Exception as error:
                    content.page_errors[number] = f"unreadable OFD page ({type(error).__name__}: {error})"
        content.page_count = number
    if number == 0:
        raise InputError("OFD without pages (OFD.xml names no document with a page)")
    for page_content in list(content.pages):
        if not any(g.cells for g in page_content.grids) and not page_content.lines:
            content.page_errors[page_content.page] = "no text on this OFD page (an image-only page?): OFD pages are not OCR'd; print it to PDF"
            content.pages.remove(page_content)
    return content


def _read_page(package: _Package, document: etree._Element, name: str, templates: dict[str | None, str], number: int) -> PageContent:
    page = package.xml(name)
    sources = [page]
    for template in page.findall(o("Template")):
        location = templates.get(template.get("TemplateID"))
        if location:
            sources.insert(0, package.xml(location))
    glyphs: list[Glyph] = []
    rulings: list[Ruling] = []
    for source in sources:
        for element in source.iter(o("TextObject"), o("PathObject")):
            if element.tag == o("TextObject"):
                glyphs.extend(text_glyphs(element))
            else:
                rulings.extend(path_rulings(element))
    width, height = page_size(document, page)
    return segment_page(page=number, width=width * POINTS_PER_MM, height=height * POINTS_PER_MM, rulings=rulings, glyphs=glyphs, method=METHOD)
