"""The whole pipeline on samples/dump, compared field by field with samples/expected (typed by hand)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import DUMP, EXPECTED, REPO
from pipeline.evaluate import accuracy, compare
from pipeline.ocr.options import DEFAULT_ENGINE
from pipeline.model.pointer import tokens

CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total", "other_notes", "dropped_rows")


def _expected_form(case: dict) -> dict:
    content = json.loads((EXPECTED / case["content"]).read_text(encoding="utf-8"))
    for pointer, value in case.get("overrides", {}).items():
        *parents, last = pointer.strip("/").split("/")
        target = content
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value
    return content


def _diff(actual, expected, path="") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        keys = set(expected) | set(actual)
        return [d for k in sorted(keys) for d in _diff(actual.get(k, "<missing>"), expected.get(k, "<missing>"), f"{path}/{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} items, expected {len(expected)}"]
        return [d for i, (a, e) in enumerate(zip(actual, expected)) for d in _diff(a, e, f"{path}/{i}")]
    if actual != expected:
        return [f"{path}: {actual!r} != expected {expected!r}"]
    return []


def test_every_sample_form_equals_the_hand_typed_expectation(sample_run, cases):
    produced = sorted(p.name for p in (sample_run.out / "forms").glob("*.json") if not p.name.endswith(".grid.json"))
    assert produced == sorted(c["output"] for c in cases["forms"])
    for case in cases["forms"]:
        if case.get("scan"):
            continue
        form = json.loads((sample_run.out / "forms" / case["output"]).read_text(encoding="utf-8"))
        if case["content"] is not None:  # null: a layout no template describes (see test_unknown_layout_…)
            expected = _expected_form(case)
            differences = _diff({k: form[k] for k in CONTENT_KEYS}, {k: expected[k] for k in CONTENT_KEYS})
            assert not differences, f"{case['output']}:\n" + "\n".join(differences)
        assert {k: form["source"][k] for k in case["source"]} == case["source"]
        assert form["status"] == case["status"]
        assert sorted(c["rule"] for c in form["checks"] if c["status"] == "fail") == case["failed_checks"]
        assert sorted(c["rule"] for c in form["checks"] if c["status"] == "warn") == case["warned_checks"]


def test_scans_never_come_out_ok_with_a_wrong_number(sample_run, cases):
    for case in (c for c in cases["forms"] if c.get("scan")):
        form = json.loads((sample_run.out / "forms" / case["output"]).read_text(encoding="utf-8"))
        assert {k: form["source"][k] for k in case["source"]} == case["source"]
        assert form["source"]["ocr_engine"] == DEFAULT_ENGINE
        results = compare(form, _expected_form(case))
        wrong_numbers = [r for r in results if r.numeric and not r.equal]
        if wrong_numbers:
            assert form["status"] == "needs_review", (case["output"], wrong_numbers)
        # a floor, not the target: make bench measures field accuracy per scan kind
        assert accuracy(results) >= 0.85, (case["output"], [r for r in results if not r.equal])


def test_seed_totals_reconcile_and_truncated_name_stays(sample_run):
    forms = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((sample_run.out / "forms").glob("2022__吉华*.json"))]
    assert [f["total"]["score"] for f in forms] == [98, 100, 100]
    assert forms[1]["project"]["name"] == "住房租赁市场发展专项（中央直"
    for form in forms:
        assert all(c["status"] in ("pass", "skip") for c in form["checks"]), form["checks"]


def test_broken_total_is_extracted_as_printed_and_flagged(sample_run):
    form = json.loads((sample_run.out / "forms" / "review__网格管理事务_得分不符.pdf.0.json").read_text(encoding="utf-8"))
    assert form["indicators"][2]["score"] == 11
    assert form["total"]["score"] == 98
    assert form["status"] == "needs_review"
    check = next(c for c in form["checks"] if c["rule"] == "total_score")
    assert check["status"] == "fail"
    assert "96 ≠ 总分 98" in check["message"] and "时效 11" in check["message"]


def _at(document: dict, pointer: str):
    node = document
    for token in tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


ARITHMETIC = {
    "sum": lambda values: sum(v or 0.0 for v in values),
    "rate": lambda values: values[0] / values[1] * 100 if values[0] is not None and values[1] else None,
    "share": lambda values: values[0] * min(values[1], 100.0) / 100.0,
    "at_most": lambda values: values[0],
}


def test_every_sample_check_names_values_of_its_form_and_its_arithmetic_adds_up(sample_run):
    """The pointers and terms each check writes, read back from the form JSON alone: each names a
    value of the form, and each term's expected and found are what the values at its pointers give."""
    terms_seen = set()
    for path in sorted((sample_run.out / "forms").glob("*.json")):
        if path.name.endswith(".grid.json"):
            continue
        form = json.loads(path.read_text(encoding="utf-8"))
        for check in form["checks"]:
            where = (path.name, check["rule"])
            for pointer in check["pointers"]:
                _at(form, pointer)  # raises for a pointer the form has no value at
            for term in check["terms"]:
                terms_seen.add((check["rule"], term["op"]))
                values = [_at(form, p) for p in term["parts"]]
                if term["op"] in ARITHMETIC and term["expected"] is not None:
                    assert term["expected"] == pytest.approx(ARITHMETIC[term["op"]](values)), where
                if term["op"] != "read":
                    assert term["found"] == _at(form, term["at"]) or term["op"] == "grade", where
                else:
                    assert _at(form, term["at"]) is None and term["note"], where
            if check["terms"] and check["status"] == "pass":
                assert all(t["holds"] for t in check["terms"]), where
            if check["terms"] and check["status"] in ("fail", "warn"):
                assert not all(t["holds"] for t in check["terms"]), where
                assert set(check["pointers"]) == {p for t in check["terms"] if not t["holds"] for p in [*t["parts"], t["at"]]}, where
    assert {("total_score", "sum"), ("level1_weight", "sum"), ("funding_sum", "sum"), ("execution_rate", "rate"), ("funding_score", "share")} <= terms_seen


def test_the_broken_sample_s_total_score_names_what_it_added(sample_run):
    form = json.loads((sample_run.out / "forms" / "review__网格管理事务_得分不符.pdf.0.json").read_text(encoding="utf-8"))
    check = next(c for c in form["checks"] if c["rule"] == "total_score")
    (term,) = check["terms"]
    assert term["op"] == "sum" and term["at"] == "/total/score" and term["parts"][0] == "/funding/lines/0/score"
    assert (term["expected"], term["found"], term["holds"]) == (96, 98, False)
    assert check["pointers"] == term["parts"] + ["/total/score"]
    assert check["suggestion"] is not None and check["message"].endswith(check["suggestion"])


def test_every_template_has_a_sample_that_extracts_to_it(cases):
    from pipeline.parse.template import load_templates

    expected = {json.loads((EXPECTED / c["content"]).read_text(encoding="utf-8"))["template"] for c in cases["forms"] if c["content"]}
    assert {t.name for t in load_templates()} <= expected


def test_unknown_layout_is_needs_review_with_its_grid_saved_and_the_closest_template_named(sample_run, cases):
    case = next(c for c in cases["forms"] if c["content"] is None)
    form = json.loads((sample_run.out / "forms" / case["output"]).read_text(encoding="utf-8"))
    assert form["template"] == "unknown" and form["status"] == "needs_review"
    check = next(c for c in form["checks"] if c["rule"] == "layout_known")
    assert check["status"] == "fail"
    assert "closest is hubei" in check["message"] and "missing 主管部门" in check["message"]
    grid = json.loads((sample_run.out / "forms" / case["grid"]).read_text(encoding="utf-8"))
    assert grid["form_id"] == form["form_id"] and grid["source_file"] == form["source"]["file"]
    texts = [cell["text"] for g in grid["grids"] for cell in g["cells"]]
    for printed in ("调整后预算数", "预算执行数", "权重", "原因", "合计", "项目负责人：王芳", "财务负责人：陈刚", "48.00"):
        assert printed in texts, printed  # nothing is lost, whatever the parser did not understand
    assert grid["template_match"][0]["template"] == "hubei"
    grids = sorted(p.name for p in (sample_run.out / "forms").glob("*.grid.json"))
    assert grids == [case["grid"]]  # only forms of unknown layout get one


def test_department_overall_form_is_reported_as_unsupported_not_parsed(sample_run):
    manifest = pd.read_csv(sample_run.out / "manifest.csv", encoding="utf-8-sig", keep_default_na=False)
    row = manifest[manifest["file"] == "other/部门整体支出绩效自评表.pdf"].iloc[0]
    assert row["status"] == "skipped" and row["forms"] == 0
    assert "unsupported form type: department overall form (部门整体支出绩效自评表)" in row["message"]
    assert not list((sample_run.out / "forms").glob("other__*"))


def test_a_forms_later_page_in_a_file_of_its_own_is_read_on_from_the_file_before_it(tmp_path):
    """The second page of a two-page form, saved alone (as a phone or scanner saves pages), has
    no title and no header: alone it is no form, but its indicators and 总分 must not be skipped
    unseen. In a run, it is read on from the file before it in its folder, which begins the form:
    one form, equal to the one the whole PDF gives, its later page's values marked with their file.
    A table with no indicator (bad/no_form.pdf) stays not_a_form."""
    import pypdfium2 as pdfium

    from pipeline.checks.validate import schema_errors
    from pipeline.readers.ingest import describe
    from pipeline.run.batch import run
    from pipeline.run.unit import process_file, process_files

    whole = pdfium.PdfDocument(DUMP / "2022" / "单表" / "网格管理事务.pdf")
    assert len(whole) == 2
    for number in (1, 2):
        part = pdfium.PdfDocument.new()
        part.import_pages(whole, [number - 1])
        part.save(tmp_path / f"网格管理事务_{number}.pdf")
    first = process_file(describe(tmp_path / "网格管理事务_1.pdf", tmp_path))
    assert len(first.forms) == 1 and first.forms[0].total.score is None
    second = process_file(describe(tmp_path / "网格管理事务_2.pdf", tmp_path))
    assert (second.status, second.reason, second.forms) == ("needs_review", "continuation_page", [])
    assert "no form begins in this file, yet its table goes on one" in second.message and "总分 row on page 1" in second.message
    junk = process_file(describe(DUMP / "bad" / "no_form.pdf", DUMP))
    assert (junk.status, junk.reason) == ("skipped", "not_a_form")

    reference = process_file(describe(DUMP / "2022" / "单表" / "网格管理事务.pdf", DUMP)).forms[0].to_json()
    joined = process_files([describe(tmp_path / f"网格管理事务_{n}.pdf", tmp_path) for n in (1, 2)])
    (form,) = [f.to_json() for f in joined.forms]
    for key in ("title", "project", "funding", "goals", "indicators", "total", "other_notes"):
        assert form[key] == reference[key], key
    assert form["source"]["pages"] == [1] and form["source"]["continued_in"] == [{"file": "网格管理事务_2.pdf", "sha256": second.sha256, "pages": [1]}]
    assert form["provenance"]["/total/score"]["file"] == "网格管理事务_2.pdf" and "file" not in form["provenance"]["/project/name"]
    assert {c["rule"]: c["status"] for c in form["checks"]}["pages_joined"] == "pass" and form["status"] == "ok"
    assert schema_errors(form) == []

    # through the command, the later page scanned: its worker reads both files again as one document,
    # writes the form and sends the result back slim; the later file's row names the form
    scans, out = tmp_path.parent / f"{tmp_path.name}-scans", tmp_path.parent / f"{tmp_path.name}-out"
    scans.mkdir()
    shutil.copy(tmp_path / "网格管理事务_1.pdf", scans)
    whole[1].render(scale=200 / 72, grayscale=True).to_pil().save(scans / "网格管理事务_2.png", dpi=(200, 200))
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(scans), "--out", str(out), "--workers", "1", "--quiet"], cwd=REPO, check=False)
    manifest = pd.read_csv(out / "manifest.csv", encoding="utf-8-sig", keep_default_na=False).set_index("file")
    scanned = json.loads((out / "forms" / "网格管理事务_1.pdf.0.json").read_text(encoding="utf-8"))
    assert scanned["source"]["continued_in"][0]["file"] == "网格管理事务_2.png" and scanned["provenance"]["/total/score"]["file"] == "网格管理事务_2.png"
    assert (manifest.loc["网格管理事务_2.png", "reason"], manifest.loc["网格管理事务_2.png", "forms"]) == ("joined", 0)
    assert manifest.loc["网格管理事务_2.png", "status"] == scanned["status"] == manifest.loc["网格管理事务_1.pdf", "status"]
    assert manifest.loc["网格管理事务_2.png", "message"].startswith(f"its pages go on form {scanned['form_id']} of 网格管理事务_1.pdf")
    assert [i["name"] for i in scanned["indicators"]][-1] == reference["indicators"][-1]["name"] and scanned["total"]["score"] is not None
    assert "网格管理事务_2.png 第 1 页" in (out / "report_files" / f"form-{scanned['form_id']}.html").read_text(encoding="utf-8")
    form_file = out / "forms" / "网格管理事务_1.pdf.0.json"
    first_bytes, first_manifest = form_file.read_bytes(), (out / "manifest.csv").read_bytes()
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(scans), "--out", str(out), "--workers", "0", "--quiet"], cwd=REPO, check=False)
    assert (form_file.read_bytes(), (out / "manifest.csv").read_bytes()) == (first_bytes, first_manifest)  # the joined result, cached
    # read on from the readings each file kept alone, not read again: the same form with the files gone
    inputs = [describe(scans / name, scans) for name in ("网格管理事务_1.pdf", "网格管理事务_2.png")]
    alone = [process_file(source) for source in inputs]
    assert alone[1].kept is not None and alone[1].kept.scans and alone[0].kept is not None and not alone[0].kept.scans
    shutil.rmtree(scans)
    (again,) = [f.to_json() for f in process_files(inputs, kept=[result.kept for result in alone]).forms]
    for key in ("title", "project", "funding", "goals", "indicators", "total", "source", "status", "provenance"):
        assert again[key] == scanned[key], key

    # a later page after a form printed whole (its 总分 read) is another form's: not joined, only named
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", tmp_path / "网格管理事务_0.pdf")
    (tmp_path / "网格管理事务_1.pdf").unlink()
    files = {result.file: result for result in run(tmp_path).files}
    assert files["网格管理事务_0.pdf"].forms[0].total.score is not None and not files["网格管理事务_0.pdf"].forms[0].source.continued_in
    assert files["网格管理事务_2.pdf"].reason == "continuation_page"
    assert files["网格管理事务_2.pdf"].message.endswith(
        "the last form of 网格管理事务_0.pdf, the file of forms before it in its folder, ends with its 总分: the start of this page's form was not found"
    )
    (tmp_path / "其他").mkdir()
    (tmp_path / "网格管理事务_0.pdf").rename(tmp_path / "其他" / "网格管理事务_0.pdf")
    files = {result.file: result for result in run(tmp_path).files}
    assert files["网格管理事务_2.pdf"].reason == "continuation_page"
    assert "probably in" not in files["网格管理事务_2.pdf"].message  # nothing before it in its folder


def test_manifest_has_one_row_per_input_with_specific_messages(sample_run, cases):
    manifest = pd.read_csv(sample_run.out / "manifest.csv", encoding="utf-8-sig", keep_default_na=False)
    inputs = sorted(p.relative_to(DUMP).as_posix() for p in DUMP.rglob("*") if p.is_file())
    assert sorted(manifest["file"]) == inputs
    rows = {row["file"]: row for row in manifest.to_dict("records")}
    for expected in cases["manifest"]:
        row = rows[expected["file"]]
        statuses = expected["status"] if isinstance(expected["status"], list) else [expected["status"]]
        assert row["status"] in statuses, row
        assert row["forms"] == expected["forms"], row
        if "pages" in expected:
            assert row["pages"] == expected["pages"], row
        assert expected.get("message", "") in row["message"], row
        assert "Traceback" not in row["message"]


def test_exit_code_says_some_files_need_a_human(sample_run):
    assert sample_run.exit_code == 1


def test_provenance_points_at_the_printed_cell(sample_run):
    form = json.loads((sample_run.out / "forms" / "2022__单表__网格管理事务.pdf.0.json").read_text(encoding="utf-8"))
    where = form["provenance"]["/total/score"]
    assert where["page"] == 2 and where["text"] == "98"
    x0, top, x1, bottom = where["bbox"]
    assert x0 < x1 and top < bottom
    assert form["provenance"]["/indicators/0/level1"]["text"] == "产出(50分)"
    # every non-null scalar value has provenance
    for i, indicator in enumerate(form["indicators"]):
        for key, value in indicator.items():
            if value is not None:
                assert f"/indicators/{i}/{key}" in form["provenance"], key


@pytest.mark.parametrize("command", [[sys.executable, "-m", "pipeline"], [str(REPO / ".venv" / "bin" / "zpef")]])
def test_cli_entry_points(tmp_path, command):
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "one.pdf").write_bytes((DUMP / "2022" / "单表" / "培训经费.pdf").read_bytes())
    if not os.path.exists(command[0]):
        pytest.skip(f"{command[0]} not installed (install with make)")
    done = subprocess.run(command + ["extract", str(dump), "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 files: 1 ok, 0 need review, 0 failed, 0 skipped; 1 forms: 1 ok, 0 need review" in done.stdout
    assert (tmp_path / "out" / "forms" / "one.pdf.0.json").exists()


def test_bad_usage_exits_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(tmp_path / "missing")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "dump folder or file not found" in done.stderr and "Traceback" not in done.stderr


def test_version_names_the_engines_and_data_a_run_uses():
    done = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names[0] == "zpef" and {"tesseract", "pdfplumber", "LibreOffice", "rapidocr"} <= set(names)


def test_short_options_as_ocrmypdf_spells_them(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "a.pdf")
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(dump), "-o", str(tmp_path / "out"), "-q", "-j", "0"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "manifest.csv").exists()


def test_one_file_given_instead_of_a_folder(tmp_path):
    source = DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf"
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(source), "-o", str(tmp_path / "out"), "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = (tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("基层农技人员能力提升培训.pdf,")


def test_verbose_says_each_file_s_outcome_as_it_is_done(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "a.pdf")
    shutil.copy(DUMP / "bad" / "truncated.pdf", dump / "b.pdf")
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(dump), "-o", str(tmp_path / "out"), "-q", "-v", "-j", "0"], capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.startswith(("ok ", "failed "))]
    assert any(line.startswith("ok") and "a.pdf" in line for line in lines)
    assert any(line.startswith("failed") and "b.pdf" in line and "truncated PDF" in line for line in lines)
