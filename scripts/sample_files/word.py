"""The sample forms typed into Word (.docx, python-docx)."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.outputs.export import reproducible_zip

from . import PINNED_TIME
from .specs import FormSpec


def write_docx(path: Path, forms: list[FormSpec], after: str = "") -> None:
    """The forms typed into Word as an office does: the title as a paragraph, the form as one
    table with the PDF's merges (gridSpan, vMerge) and column widths, a page break between forms,
    ``after`` as a paragraph under the last table. Core properties and ZIP times are pinned."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    document = docx.Document()
    for index, form in enumerate(forms):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph(form.title)
        for note in form.notes:
            document.add_paragraph(note)
        table = document.add_table(rows=len(form.rows), cols=len(form.widths))
        table.style = "Table Grid"
        table.autofit = False
        for col, points in enumerate(form.widths):
            table.columns[col].width = Pt(points)
        for r, row in enumerate(form.rows):
            for spec in row:
                cell = table.cell(r, spec.col)
                if spec.row_span > 1 or spec.col_span > 1:
                    cell = cell.merge(table.cell(r + spec.row_span - 1, spec.col + spec.col_span - 1))
                cell.text = spec.text
    if after:
        document.add_paragraph(after)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "make_samples.py"
    properties.created = properties.modified = PINNED_TIME
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(reproducible_zip(buffer.getvalue(), PINNED_TIME))
