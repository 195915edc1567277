"""Corrections round trip (pipeline.checks.corrections): corrections.csv applied on every run, with an audit trail."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import DUMP
from pipeline.cli import main
from pipeline.checks.corrections import FieldError, Rejected, csv_line, read_corrections, recheck, resolve, typed
from pipeline.model.document import Correction, FormDocument, Indicator, Provenance, Source, Total
from pipeline.checks.reconcile import reconcile, values_readable

BROKEN = DUMP / "review" / "网格管理事务_得分不符.pdf"
BROKEN_ID = "e1c757c28df6a128-0"
BROKEN_JSON = "review__网格管理事务_得分不符.pdf.0.json"
SUGGESTED = f"{BROKEN_ID},/indicators/2/score,13,时效 得分 11 → 13：实际完成值“及时”达到年度指标值“及时”，且未填偏差原因,"
HEADER = "form_id,field,value,note,reviewer\n"


def extract(dump: Path, out: Path, *options: str) -> int:
    return main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0", *options])


def manifest(out: Path) -> dict[str, dict]:
    frame = pd.read_csv(out / "manifest.csv", encoding="utf-8-sig", keep_default_na=False)
    return {row["file"]: row for row in frame.to_dict("records")}


def broken_form(out: Path) -> dict:
    return json.loads((out / "forms" / BROKEN_JSON).read_text(encoding="utf-8"))


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    folder = tmp_path / "dump"
    (folder / "review").mkdir(parents=True)
    shutil.copy(BROKEN, folder / "review" / BROKEN.name)
    return folder


def test_the_suggested_line_turns_the_form_ok_and_removing_it_restores_the_original(dump, tmp_path):
    out = tmp_path / "out"
    assert extract(dump, out) == 1
    report = (out / "report.html").read_text(encoding="utf-8")
    offered = re.search(r'<button type="button" class="accept-suggestion" data-form="([^"]+)" data-rule="[^"]+" data-pointers=\'([^\']+)\' data-value="([^"]+)" data-note="([^"]+)"', report)
    assert offered is not None  # the button that accepts it in the page: the line its download holds
    (pointer,) = json.loads(html.unescape(offered.group(2)))
    line = csv_line(offered.group(1), pointer, html.unescape(offered.group(3)), html.unescape(offered.group(4)))
    assert line == SUGGESTED

    (dump / "corrections.csv").write_text(HEADER + line + "张三\n", encoding="utf-8")
    before = fingerprint(dump)
    assert extract(dump, out) == 0  # every file ok: the corrections file is skipped, not a finding
    form = broken_form(out)
    assert form["status"] == "ok"
    assert form["indicators"][2]["score"] == 13
    assert form["corrections"] == [
        {"field": "/indicators/2/score", "extracted": 11.0, "corrected": 13.0, "note": "时效 得分 11 → 13：实际完成值“及时”达到年度指标值“及时”，且未填偏差原因", "reviewer": "张三"}
    ]
    assert form["provenance"]["/indicators/2/score"]["text"] == "11"  # what was printed stays on record
    checks = {c["rule"]: c for c in form["checks"]}
    assert checks["total_score"]["status"] == "pass" and checks["corrections"]["status"] == "pass"
    indicators = pd.read_csv(out / "tables" / "indicators.csv", encoding="utf-8-sig")
    assert indicators.loc[(indicators["form_id"] == BROKEN_ID) & (indicators["indicator_index"] == 2), "score"].tolist() == [13.0]
    rows = manifest(out)
    assert rows["review/网格管理事务_得分不符.pdf"]["status"] == "ok"
    assert rows["corrections.csv"]["status"] == "skipped"
    assert rows["corrections.csv"]["message"].startswith("corrections file (applied): 1 applied, 0 rejected")
    assert fingerprint(dump) == before  # never written into the dump

    (dump / "corrections.csv").write_text(HEADER, encoding="utf-8")
    assert extract(dump, out) == 1
    form = broken_form(out)
    assert form["status"] == "needs_review" and form["indicators"][2]["score"] == 11 and form["corrections"] == []
    (dump / "corrections.csv").unlink()
    assert extract(dump, out) == 1
    assert broken_form(out)["indicators"][2]["score"] == 11 and "corrections.csv" not in manifest(out)


def test_a_form_page_its_worker_made_is_made_again_with_the_corrections_of_the_run(dump, tmp_path):
    """The worker that reads a file makes its forms' report pages before any correction is
    applied; a form a correction changes in that same run gets its page made again, and the
    pages of the forms no correction touches stay the workers' own."""
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "ok.pdf")
    (dump / "corrections.csv").write_text(HEADER + SUGGESTED + "张三\n", encoding="utf-8")
    out = tmp_path / "out"
    assert extract(dump, out) == 0
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "report_files").glob("form-*.html")}
    assert len(pages) == 2
    corrected = pages[f"form-{BROKEN_ID}.html"]
    assert "/indicators/2/score</code>：11 → 13" in corrected and "（张三）" in corrected
    assert not any("张三" in page for name, page in pages.items() if BROKEN_ID not in name)


def test_bad_lines_are_reported_and_everything_else_applies(dump, tmp_path):
    out = tmp_path / "out"
    (dump / "corrections.csv").write_text(
        HEADER
        + "\n".join(
            [
                "ffffffffffffffff-0,/total/score,100,,",  # unknown form
                f"{BROKEN_ID},/indicators/42/score,5,,",  # no such indicator
                f"{BROKEN_ID},/total/score,ninety,,",  # not a number
                f"{BROKEN_ID},/source/file,x.pdf,,",  # not a value read from the form
                f"{BROKEN_ID},/project/name,网格管理事务（修订）,typo,李四",  # fine
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert extract(dump, out) == 1
    form = broken_form(out)
    assert form["project"]["name"] == "网格管理事务（修订）"
    assert [c["field"] for c in form["corrections"]] == ["/project/name"]
    failed = next(c for c in form["checks"] if c["rule"] == "corrections")
    assert failed["status"] == "fail" and "3 correction(s) not applied" in failed["message"]
    rows = manifest(out)
    message = rows["review/网格管理事务_得分不符.pdf"]["message"]
    assert "corrections.csv line 3: e1c757c28df6a128-0 /indicators/42/score: no such field" in message
    assert "corrections.csv line 4: e1c757c28df6a128-0 /total/score: wrong type" in message
    assert "corrections.csv line 5: e1c757c28df6a128-0 /source/file: cannot be corrected" in message
    assert "line 2: ffffffffffffffff-0 /total/score: unknown form_id" in rows["corrections.csv"]["message"]  # a run-level note
    report = (out / "report.html").read_text(encoding="utf-8")
    for text in ("unknown form_id", "/indicators/42/score: no such field", "wrong type", "cannot be corrected"):
        assert text in report


def test_corrections_given_elsewhere_are_used_and_the_dump_s_own_file_says_it_is_not(dump, tmp_path):
    out = tmp_path / "out"
    (dump / "corrections.csv").write_text(HEADER, encoding="utf-8")
    elsewhere = tmp_path / "mine.csv"
    elsewhere.write_text(HEADER + SUGGESTED + "\n", encoding="utf-8")
    assert extract(dump, out, "--corrections", str(elsewhere)) == 0
    assert broken_form(out)["status"] == "ok"
    assert manifest(out)["corrections.csv"]["message"].startswith("corrections file (not applied: --corrections names")
    assert extract(dump, out, "--corrections", str(tmp_path / "missing.csv")) == 2


def test_a_cached_result_is_corrected_fresh_on_every_run(dump, tmp_path):
    out = tmp_path / "out"
    extract(dump, out)
    (dump / "corrections.csv").write_text(HEADER + SUGGESTED + "\n", encoding="utf-8")
    extract(dump, out)
    assert broken_form(out)["indicators"][2]["score"] == 13
    (dump / "corrections.csv").write_text(HEADER + SUGGESTED.replace(",13,", ",12,") + "\n", encoding="utf-8")
    extract(dump, out)
    form = broken_form(out)
    assert form["corrections"][0]["extracted"] == 11 and form["corrections"][0]["corrected"] == 12  # from the extraction, not the last run


# --- reading the file -----------------------------------------------------------------------


def test_reading_accepts_excel_s_encodings_comments_and_blank_lines(tmp_path):
    path = tmp_path / "c.csv"
    text = HEADER + "# a comment,,,,\n\n" + f'{BROKEN_ID},/project/name,"名称, 含逗号",note,王五\n'
    for encoding in ("utf-8-sig", "utf-8", "gb18030"):
        path.write_bytes(text.encode(encoding))
        rows, problems = read_corrections(path)
        assert problems == []
        assert [(r.line, r.form_id, r.field, r.value, r.note, r.reviewer) for r in rows] == [(4, BROKEN_ID, "/project/name", "名称, 含逗号", "note", "王五")]


def test_reading_reports_a_bad_header_and_an_unquoted_comma(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("form,pointer,value\nx,/total/score,1\n", encoding="utf-8")
    rows, problems = read_corrections(path)
    assert rows == [] and "header must name" in problems[0].reason and problems[0].line is None
    path.write_text(HEADER + f"{BROKEN_ID},/total/score,1,a note, with a comma,me\n", encoding="utf-8")
    rows, problems = read_corrections(path)
    assert rows == [] and problems[0].line == 2 and "more fields than the header" in problems[0].reason


def test_a_report_line_reads_back_as_written(tmp_path):
    line = csv_line(BROKEN_ID, "/indicators/0/name", 'a "quoted", text', "note, with comma")
    path = tmp_path / "c.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    (row,), _ = read_corrections(path)
    assert (row.value, row.note, row.reviewer) == ('a "quoted", text', "note, with comma", None)


# --- pointers and types ---------------------------------------------------------------------


def hand_form() -> FormDocument:
    return FormDocument(
        form_id="0123456789abcdef-0",
        title="t",
        template="shenzhen",
        source=Source(file="x.png", sha256="0123456789abcdef" * 4, form_index=0, pages=[1], method="ocr"),
        indicators=[Indicator("产出", 100.0, "数量", "场次", "10场", "10场", 100.0, None, None)],
        total=Total(100.0, 100.0),
        provenance={"/indicators/0/score": Provenance(1, (0, 0, 10, 10), "1OO", 0.4), "/total/score": Provenance(1, (0, 20, 10, 30), "100", 0.55)},
    )


@pytest.mark.parametrize(
    ("pointer", "text", "expected"),
    [
        ("/total/score", "98.5", 98.5),
        ("/total/score", "1,234.5", 1234.5),
        ("/total/score", "null", None),
        ("/project/name", " 名称 ", "名称"),
        ("/funding/unit", "万元", "万元"),
        ("/indicators/0/target", "NULL", None),
    ],
)
def test_values_are_typed_by_the_schema(pointer, text, expected):
    _, _, subschema = resolve(hand_form(), pointer)
    assert typed(text, subschema) == expected


@pytest.mark.parametrize(
    ("pointer", "text", "reason"),
    [
        ("/total/score", "九十八", "wrong type"),
        ("/total/score", "", "empty value"),
        ("/funding/unit", "千元", "must be one of"),
        ("/title", "null", None),
    ],
)
def test_wrong_values_are_refused(pointer, text, reason):
    _, _, subschema = resolve(hand_form(), pointer)
    if reason is None:
        assert typed(text, subschema) is None
        return
    with pytest.raises(FieldError, match=reason):
        typed(text, subschema)


@pytest.mark.parametrize(
    ("pointer", "reason"),
    [
        ("total/score", "not a JSON pointer"),
        ("/indicators/3/score", "no such field: /indicators has 1 item"),
        ("/indicators/x/score", "no such field"),
        ("/total/grand", "no such field: /total has no 'grand'"),
        ("/status", "cannot be corrected"),
        ("/provenance", "cannot be corrected"),
        ("/indicators/0", "a group of values"),
        ("/total/score/x", "is a single value"),
    ],
)
def test_pointers_that_name_no_single_value_are_refused(pointer, reason):
    with pytest.raises(FieldError, match=reason):
        resolve(hand_form(), pointer)


def test_a_correction_clears_unreadable_and_low_confidence_findings_for_its_value():
    form = hand_form()
    form.checks = reconcile(form) + [values_readable([("/indicators/0/score", "not a number: '1OO'")])]
    assert {c.rule for c in form.checks if c.status in ("fail", "warn")} >= {"values_readable", "low_confidence"}
    form.indicators[0].score = 100.0
    form.corrections = [Correction("/indicators/0/score", None, 100.0), Correction("/total/score", 100.0, 100.0, "checked on paper")]
    recheck(form)
    assert form.status == "ok", form.checks
    assert not any(c.rule == "values_readable" for c in form.checks)
    assert next(c for c in form.checks if c.rule == "low_confidence").status != "warn"  # a confirmed value is reviewed


def test_an_unreadable_value_a_reviewer_gave_leaves_the_others_in_the_check():
    form = hand_form()
    form.checks = reconcile(form) + [values_readable([("/indicators/0/score", "not a number: '1OO'"), ("/project/code", "not a code: '44O3'")])]
    form.indicators[0].score = 100.0
    form.corrections = [Correction("/indicators/0/score", None, 100.0)]
    recheck(form)
    left = next(c for c in form.checks if c.rule == "values_readable")
    assert left.message == "printed but unreadable, kept as null: /project/code: not a code: '44O3'"
    assert left.pointers == ["/project/code"] and [(t.op, t.at, t.note) for t in left.terms] == [("read", "/project/code", "not a code: '44O3'")]
    assert form.status == "needs_review"


def test_a_rejected_correction_s_check_names_its_field():
    form = hand_form()
    recheck(form, [Rejected(2, form.form_id, "/indicators/9/score", "5", "no such field"), Rejected(3, form.form_id, "score", "5", "not a pointer")])
    check = next(c for c in form.checks if c.rule == "corrections")
    assert check.status == "fail" and check.pointers == ["/indicators/9/score"]  # only what is written as a pointer


def test_an_unknown_form_id_alone_is_still_a_finding(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "ok.pdf")
    (dump / "corrections.csv").write_text(HEADER + "ffffffffffffffff-0,/total/score,100,,\n", encoding="utf-8")
    assert extract(dump, tmp_path / "out") == 1
    rows = manifest(tmp_path / "out")
    assert rows["ok.pdf"]["status"] == "ok" and rows["corrections.csv"]["status"] == "skipped"
    assert "0 applied, 1 rejected" in rows["corrections.csv"]["message"]


def test_the_suggested_corrections_file_ranks_every_candidate_and_its_chosen_lines_apply(dump, tmp_path):
    """OUT/corrections.suggested.csv: every candidate, the clear winner marked; keeping the lines a
    reviewer accepts and putting the file in the dump applies them, extra columns and all."""
    import csv

    out = tmp_path / "out"
    assert extract(dump, out) == 1
    rows = list(csv.DictReader((out / "corrections.suggested.csv").open(encoding="utf-8-sig")))
    assert [row["suggested"] for row in rows].count("yes") == 1
    chosen = next(row for row in rows if row["suggested"] == "yes")
    assert (chosen["field"], chosen["value"], chosen["rank"]) == ("/indicators/2/score", "13", "1")
    with (dump / "corrections.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(chosen | {"reviewer": "张三"})
    assert extract(dump, out) == 0
