"""A minimal OFD writer (GB/T 33190) with the few reportlab canvas calls sample_files/pdf.py draws with.

``OfdCanvas`` stands in for ``reportlab.pdfgen.canvas.Canvas`` in ``draw_form``: ``setFont``,
``setLineWidth``, ``drawString`` (and its centred/right forms), ``rect`` and ``showPage``, in PDF
points from the bottom-left. ``save`` writes a valid single-document OFD package: ``OFD.xml`` →
``Doc_0/Document.xml`` (pages, the page area, the public resources) → ``Doc_0/PublicRes.xml`` (the
font, named, not embedded) → one ``Doc_0/Pages/Page_N/Content.xml`` per page, each a layer of
``TextObject`` (one per string, a ``DeltaX`` advance per character from the font's metrics) and
``PathObject`` (the cell borders), in millimetres from the top-left. ZIP times and the document's
dates are fixed, so the same drawing gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics

MM_PER_POINT = 25.4 / 72
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
FONT_ID = 2


def mm(points: float) -> str:
    return f"{points * MM_PER_POINT:.3f}".rstrip("0").rstrip(".")


@dataclass
class OfdCanvas:
    font: str  # the reportlab font name (for metrics)
    font_family: str  # the name written into the OFD
    when: datetime.datetime
    page_size: tuple[float, float] = A4
    pages: list[list[str]] = field(default_factory=lambda: [[]])
    size: float = 10.0
    line_width: float = 0.6
    next_id: int = 10

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def setFont(self, name: str, size: float) -> None:  # noqa: N802 (reportlab's name)
        self.size = size

    def setLineWidth(self, width: float) -> None:  # noqa: N802
        self.line_width = width

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        if not text:
            return
        advances = [pdfmetrics.stringWidth(ch, self.font, self.size) for ch in text]
        width, height = sum(advances), self.size * 1.2
        top = self.page_size[1] - y - self.size  # the box's top in points from the page top
        delta = " ".join(mm(a) for a in advances[:-1])
        self.pages[-1].append(
            f'<ofd:TextObject ID="{self._id()}" Boundary="{mm(x)} {mm(top)} {mm(width)} {mm(height)}" Font="{FONT_ID}" Size="{mm(self.size)}">'
            f'<ofd:TextCode X="0" Y="{mm(self.size)}"' + (f' DeltaX="{delta}"' if delta else "") + f">{escape(text)}</ofd:TextCode></ofd:TextObject>"
        )

    def drawCentredString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - pdfmetrics.stringWidth(text, self.font, self.size) / 2, y, text)

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - pdfmetrics.stringWidth(text, self.font, self.size), y, text)

    def rect(self, x: float, y: float, width: float, height: float, stroke: int = 1, fill: int = 0) -> None:
        top = self.page_size[1] - y - height
        w, h = mm(width), mm(height)
        self.pages[-1].append(
            f'<ofd:PathObject ID="{self._id()}" Boundary="{mm(x)} {mm(top)} {w} {h}" LineWidth="{mm(self.line_width)}">'
            f"<ofd:AbbreviatedData>M 0 0 L {w} 0 L {w} {h} L 0 {h} C</ofd:AbbreviatedData></ofd:PathObject>"
        )

    def showPage(self) -> None:  # noqa: N802
        self.pages.append([])

    def save(self, path: Path, title: str) -> None:
        pages = [objects for objects in self.pages if objects]
        width, height = mm(self.page_size[0]), mm(self.page_size[1])
        date = self.when.strftime("%Y-%m-%d")
        files: list[tuple[str, str]] = [
            (
                "OFD.xml",
                f'<ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
                f"<ofd:DocID>{'0' * 32}</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title><ofd:Author>make_samples.py</ofd:Author>"
                f"<ofd:CreationDate>{date}</ofd:CreationDate><ofd:ModDate>{date}</ofd:ModDate><ofd:Creator>zpef ofdwriter</ofd:Creator>"
                "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            ),
            (
                "Doc_0/Document.xml",
                f"<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>{self.next_id}</ofd:MaxUnitID>"
                f"<ofd:PageArea><ofd:PhysicalBox>0 0 {width} {height}</ofd:PhysicalBox></ofd:PageArea>"
                "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>"
                + "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
                + "</ofd:Pages></ofd:Document>",
            ),
            (
                "Doc_0/PublicRes.xml",
                f'<ofd:Res {NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="{FONT_ID}" FontName={quoteattr(self.font_family)} FamilyName={quoteattr(self.font_family)}/></ofd:Fonts></ofd:Res>',
            ),
        ]
        for i, objects in enumerate(pages):
            files.append((f"Doc_0/Pages/Page_{i}/Content.xml", f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="{i + 1}">' + "".join(objects) + "</ofd:Layer></ofd:Content></ofd:Page>"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, xml in files:
                archive.writestr(zipfile.ZipInfo(name, date_time=self.when.timetuple()[:6]), '<?xml version="1.0" encoding="UTF-8"?>\n' + xml, zipfile.ZIP_DEFLATED)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
