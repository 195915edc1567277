"""The sample forms typed into spreadsheets as an office or a web budget system would: .xlsx
(openpyxl), OpenDocument .ods, and the two "Excel" exports of web systems named .xls (an HTML
table, Excel 2003 XML). Values are typed like a person types them: amounts as numbers shown with
0.00, small integers as numbers, percentages as fractions shown with 0%, the rest as text."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import openpyxl
from openpyxl.styles import Alignment
from pipeline.outputs.export import reproducible_zip

from . import PINNED_TIME
from .specs import COLUMN_WIDTHS, FormSpec, Spec

AMOUNT = re.compile(r"\d+\.\d\d")
SMALL_INTEGER = re.compile(r"\d{1,5}")
PERCENT = re.compile(r"\d{1,3}%")


def put_value(sheet: "openpyxl.worksheet.worksheet.Worksheet", row: int, col: int, text: str) -> None:
    """A printed text typed as an office would: amounts as numbers shown with 0.00, small integers as
    numbers, percentages as fractions shown with 0%, everything else (codes too) as text."""
    cell = sheet.cell(row=row, column=col)
    if AMOUNT.fullmatch(text):
        cell.value, cell.number_format = float(text), "0.00"
    elif SMALL_INTEGER.fullmatch(text):
        cell.value = int(text)
    elif PERCENT.fullmatch(text):
        cell.value, cell.number_format = int(text[:-1]) / 100, "0%"
    else:
        cell.value = text
    cell.alignment = Alignment(wrap_text=True, vertical="center")


def write_form_rows(sheet: "openpyxl.worksheet.worksheet.Worksheet", form: FormSpec, top: int, merged_title: bool) -> int:
    """The form from row ``top`` (1-based): its title row, then its cells with the PDF's merges.
    Returns the row after the form."""
    put_value(sheet, top, 1, form.title)
    if merged_title:
        sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=len(COLUMN_WIDTHS))
    for r, row in enumerate(form.rows, start=top + 1):
        for spec in row:
            put_value(sheet, r, spec.col + 1, spec.text)
            if spec.row_span > 1 or spec.col_span > 1:
                sheet.merge_cells(start_row=r, start_column=spec.col + 1, end_row=r + spec.row_span - 1, end_column=spec.col + spec.col_span)
    return top + 1 + len(form.rows)


def write_xlsx(path: Path, sheets: list[tuple[str, list[tuple[FormSpec, bool]]]]) -> None:
    """One workbook; each sheet holds its forms stacked, two empty rows apart."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, forms in sheets:
        sheet = book.create_sheet(name)
        for col, points in enumerate(COLUMN_WIDTHS, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = round((points / 0.75 - 5) / 7, 2)
        top = 1
        for form, merged_title in forms:
            top = write_form_rows(sheet, form, top, merged_title) + 2
    book.properties.created = PINNED_TIME
    book.properties.creator = "make_samples.py"
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(reproducible_zip(buffer.getvalue(), PINNED_TIME))


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"'
)


def ods_cell(spec: Spec | None, covered: bool) -> str:
    """One table:table-cell as LibreOffice writes it: the typed value and the displayed text."""
    if covered:
        return "<table:covered-table-cell/>"
    if spec is None:
        return "<table:table-cell/>"
    spans = f' table:number-columns-spanned="{spec.col_span}" table:number-rows-spanned="{spec.row_span}"' if spec.row_span > 1 or spec.col_span > 1 else ""
    text = spec.text
    if AMOUNT.fullmatch(text) or SMALL_INTEGER.fullmatch(text):
        value = f' office:value-type="float" office:value="{float(text):g}"'
    elif PERCENT.fullmatch(text):
        value = f' office:value-type="percentage" office:value="{int(text[:-1]) / 100:g}"'
    else:
        value = ' office:value-type="string"'
    paragraphs = "".join(f"<text:p>{xml_escape(line)}</text:p>" for line in text.split("\n")) if text else ""
    return f"<table:table-cell{spans}{value if text else ''}>{paragraphs}</table:table-cell>"


def write_ods(path: Path, sheets: list[tuple[str, list[FormSpec]]]) -> None:
    """The forms typed into an OpenDocument spreadsheet, written as LibreOffice lays one out:
    merged ranges as spanned cells over covered cells, column widths as automatic styles; each
    form's title in a row merged across the table. The ZIP's times are pinned."""
    tables = []
    for name, forms in sheets:
        rows: list[str] = []
        for form in forms:
            width = len(form.widths)
            rows.append(
                f'<table:table-row><table:table-cell table:number-columns-spanned="{width}" table:number-rows-spanned="1" '
                f'office:value-type="string"><text:p>{xml_escape(form.title)}</text:p></table:table-cell>' + "<table:covered-table-cell/>" * (width - 1) + "</table:table-row>"
            )
            covered: set[tuple[int, int]] = set()
            for r, row in enumerate(form.rows):
                for spec in row:
                    covered.update((r + i, spec.col + j) for i in range(spec.row_span) for j in range(spec.col_span) if i or j)
            for r, row in enumerate(form.rows):
                by_col = {spec.col: spec for spec in row}
                rows.append("<table:table-row>" + "".join(ods_cell(by_col.get(c), (r, c) in covered) for c in range(width)) + "</table:table-row>")
            rows.append('<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>')
        columns = "".join(f'<table:table-column table:style-name="co{c}"/>' for c in range(len(forms[0].widths)))
        tables.append(f'<table:table table:name="{xml_escape(name)}">{columns}{"".join(rows)}</table:table>')
    widths = {c: points for _, forms in sheets for c, points in enumerate(forms[0].widths)}
    styles = "".join(
        f'<style:style style:name="co{c}" style:family="table-column"><style:table-column-properties style:column-width="{points * 2.54 / 72:.3f}cm"/></style:style>'
        for c, points in sorted(widths.items())
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODS_NAMESPACES}><office:automatic-styles>{styles}'
        f"</office:automatic-styles><office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        when = PINNED_TIME.timetuple()[:6]
        archive.writestr(zipfile.ZipInfo("mimetype", date_time=when), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("content.xml", date_time=when), content, zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", date_time=when), manifest, zipfile.ZIP_DEFLATED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def write_html_xls(path: Path, form: FormSpec, encoding: str = "gb18030") -> None:
    """A form as a web budget system exports it "to Excel": an HTML table (title in a first row
    across the table, rowspan/colspan as printed, column widths in <col>), saved as .xls in the
    system's Chinese encoding and declared as gb2312, as such systems do."""
    width = len(form.widths)
    rows = [f'<tr><td colspan="{width}" style="font-size:16pt;text-align:center">{xml_escape(form.title)}</td></tr>']
    for row in form.rows:
        cells = []
        for spec in row:
            spans = (f' colspan="{spec.col_span}"' if spec.col_span > 1 else "") + (f' rowspan="{spec.row_span}"' if spec.row_span > 1 else "")
            text = "<br>".join(xml_escape(line) for line in spec.text.split("\n")) or "&nbsp;"
            cells.append(f"<td{spans}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    columns = "".join(f'<col width="{round(points / 0.75)}">' for points in form.widths)
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
        f'<title>{xml_escape(form.title)}</title>\n</head>\n<body>\n<table border="1" cellspacing="0">{columns}\n' + "\n".join(rows) + "\n</table>\n</body>\n</html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page.encode(encoding))


def xml_cell(spec: Spec, col: int) -> str:
    """One SpreadsheetML cell typed as put_value types it: amounts with 0.00, percentages with 0%."""
    merge = (f' ss:MergeAcross="{spec.col_span - 1}"' if spec.col_span > 1 else "") + (f' ss:MergeDown="{spec.row_span - 1}"' if spec.row_span > 1 else "")
    text = spec.text
    if AMOUNT.fullmatch(text):
        data, style = f'<Data ss:Type="Number">{float(text):g}</Data>', ' ss:StyleID="amount"'
    elif SMALL_INTEGER.fullmatch(text):
        data, style = f'<Data ss:Type="Number">{int(text)}</Data>', ""
    elif PERCENT.fullmatch(text):
        data, style = f'<Data ss:Type="Number">{int(text[:-1]) / 100:g}</Data>', ' ss:StyleID="percent"'
    else:
        data, style = (f'<Data ss:Type="String">{xml_escape(text)}</Data>' if text else ""), ""
    return f'<Cell ss:Index="{col + 1}"{merge}{style}>{data}</Cell>'


def write_xml_workbook(path: Path, form: FormSpec) -> None:
    """A form as a web system's "Excel" export in the Excel 2003 XML format (SpreadsheetML), named
    .xls: the title in a row merged across, the cells with the PDF's merges, widths in points."""
    rows = [f'<Row><Cell ss:MergeAcross="{len(form.widths) - 1}"><Data ss:Type="String">{xml_escape(form.title)}</Data></Cell></Row>']
    rows += ["<Row>" + "".join(xml_cell(spec, spec.col) for spec in row) + "</Row>" for row in form.rows]
    columns = "".join(f'<Column ss:Width="{points:g}"/>' for points in form.widths)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
        '<Styles><Style ss:ID="amount"><NumberFormat ss:Format="0.00"/></Style><Style ss:ID="percent"><NumberFormat ss:Format="0%"/></Style></Styles>\n'
        f'<Worksheet ss:Name="自评表"><Table>{columns}\n' + "\n".join(rows) + "\n</Table></Worksheet>\n</Workbook>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xml.encode("utf-8"))
