"""The junk a real dump holds beside its forms, in samples/dump/bad/: a truncated, an empty and an
encrypted PDF, a PDF without a form, text renamed .pdf, an archive, unknown bytes, and a PDF with
one damaged page between two good forms."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
from make_scans import saved

from .pdf import write_pdf, write_text_pdf
from .specs import form3


def broken_page_pdf() -> bytes:
    """A one-page PDF whose font dictionary is damaged (a Type0 font without usable descendants),
    as seen in files cut and pasted by broken tools: readers fail on this page only."""
    content = b"BT /F1 12 Tf 72 720 Td (damaged page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /X /DescendantFonts 7 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def write_with_bad_page(path: Path, first: Path, last: Path) -> None:
    """first's pages, the broken page, then last's pages, joined with pypdfium2."""
    document = pdfium.PdfDocument(first)
    document.import_pages(pdfium.PdfDocument(broken_page_pdf()))
    document.import_pages(pdfium.PdfDocument(last))
    path.write_bytes(saved(document))


def write_bad_files(out: Path) -> None:
    """samples/dump/bad/, some made from the single-form PDFs ``out`` already holds."""
    bad = out / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    whole = (out / "2022" / "单表" / "住房租赁市场发展专项.pdf").read_bytes()
    (bad / "truncated.pdf").write_bytes(whole[: len(whole) // 3])
    (bad / "empty.pdf").write_bytes(b"")
    write_pdf(bad / "encrypted.pdf", [(form3(), False)], encrypt="secret")
    write_text_pdf(bad / "no_form.pdf", ["关于召开2022年度绩效自评工作会议的通知", "各单位：请于12月20日前报送项目支出绩效自评表。"])
    (bad / "notes_renamed.pdf").write_text("这不是PDF，只是一份改了扩展名的文本说明。\n", encoding="utf-8")
    (bad / "notes.txt").write_text("填报说明：请各单位于12月20日前报送项目支出绩效自评表。\n表格请用Excel填写。\n", encoding="utf-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("附件/readme.txt", date_time=(2022, 12, 31, 0, 0, 0))
        zf.writestr(info, "附件说明")
    (bad / "attachments.zip").write_bytes(archive.getvalue())
    (bad / "unknown.dat").write_bytes(bytes(range(7, 250)) * 4)
    write_with_bad_page(bad / "one_bad_page.pdf", out / "2022" / "单表" / "培训经费.pdf", out / "2022" / "单表" / "住房租赁市场发展专项.pdf")
