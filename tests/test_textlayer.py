"""The fast PDFium text layer must read exactly what the general pdfplumber reader reads."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from conftest import DUMP
from pipeline import pdfium_text
from pipeline.parse import parse_document
from pipeline.textlayer import _read_with_pdfplumber, read_pdf

EXPORTED = sorted(p for p in DUMP.rglob("*.pdf") if "bad" not in p.parts and "scans" not in p.parts)


def _content(document) -> list[dict]:
    forms = [asdict(form) for form in parse_document(document)]
    for form in forms:
        form.pop("provenance", None)  # boxes differ by a fraction of a point between the readers
        form.pop("grid", None)
    return forms


@pytest.mark.parametrize("path", EXPORTED, ids=[p.name for p in EXPORTED])
def test_pdfium_and_pdfplumber_read_the_same_forms(path):
    fast, general = read_pdf(path), _read_with_pdfplumber(path, None, None)
    assert [p.page for p in fast.pages] == [p.page for p in general.pages]
    assert _content(fast) == _content(general)


def test_rotated_pages_go_to_the_general_reader(tmp_path):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(DUMP / "2022" / "单表" / "培训经费.pdf")
    document[0].set_rotation(90)
    rotated = tmp_path / "rotated.pdf"
    document.save(rotated)
    with pytest.raises(pdfium_text.NotCovered):
        pdfium_text.read_page(pdfium.PdfDocument(rotated)[0])
    assert read_pdf(rotated).pages  # read anyway, by pdfplumber
