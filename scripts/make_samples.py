"""Regenerate samples/dump/: the seed forms as an office would export them, plus bad files.

The forms are typed once in sample_files/specs.py: the three seed forms from ../shared/seed (the
text export of real published forms), one form invented in each other template's layout (Yunnan,
衔接资金, Hubei; see pipeline/parse/templates), a form in a layout no template describes and a
部门整体支出绩效自评表, another form type the pipeline reports as unsupported. Each module of
sample_files writes one kind of file from them: pdf.py (PDF and OFD, reportlab with the WenQuanYi
Micro Hei font embedded), sheets.py (.xlsx, .ods, web systems' HTML and XML "Excel" exports),
word.py (.docx), seed.py (the seed text export as it came), bad_files.py (the junk of a dump);
make_scans.py makes the scanned and photographed pages. Every file's bytes are the same on every
run: this script is where each goes.

    python scripts/make_samples.py [--out samples/dump]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from make_scans import write_scans
from sample_files.bad_files import write_bad_files
from sample_files.pdf import register_font, write_ofd, write_pdf
from sample_files.seed import copy_seed_text
from sample_files.sheets import write_html_xls, write_ods, write_xlsx, write_xml_workbook
from sample_files.specs import department_form, form1, form2, form3, printed_pdfs, sichuan_form
from sample_files.word import write_docx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples" / "dump")
    out: Path = parser.parse_args().out
    register_font()

    for path, forms in printed_pdfs().items():  # the 2022 forms, one file per layout and the seed's
        write_pdf(out / path, forms)
    write_pdf(out / "review" / "网格管理事务_得分不符.pdf", [(form1(timeliness_score="11"), True)])
    # a layout no template describes, and another form type
    write_pdf(out / "unknown" / "四川_乡村学校少年宫运行补助.pdf", [(sichuan_form(), False)])
    write_pdf(out / "other" / "部门整体支出绩效自评表.pdf", [(department_form(), False)])

    # The seed text export as it came, and the three forms typed into a workbook: two stacked on
    # the first sheet (the first title merged across the table, the second in one plain cell),
    # the third on a second sheet.
    copy_seed_text(out)
    write_xlsx(
        out / "spreadsheet" / "吉华街道_项目支出绩效自评表_2022.xlsx",
        [("2022年自评表", [(form1(), True), (form2(), False)]), ("培训经费", [(form3(), True)])],
    )

    # The same forms authored in Word: form 1 and form 3 in one .docx, a page break between them.
    write_docx(out / "word" / "吉华街道_项目支出绩效自评表_2022.docx", [form1(), form3()], after="填报人：李明    联系电话：0755-28000000")

    # Form 2 in an OpenDocument spreadsheet and as an Excel 2003 XML export, form 3 as a web
    # system's HTML "Excel" export, and
    # form 1 as an OFD drawn like its PDF (two pages, the break splitting the 产出 merge).
    write_ods(out / "ods" / "住房租赁市场发展专项.ods", [("自评表", [form2()])])
    write_html_xls(out / "html_xls" / "培训经费_导出.xls", form3())
    write_xml_workbook(out / "xml_xls" / "住房租赁市场发展专项_导出.xls", form2())
    write_ofd(out / "ofd" / "网格管理事务.ofd", [form1()])

    write_bad_files(out)
    write_scans(out)
    print(f"samples written to {out}")


if __name__ == "__main__":
    main()
