"""Work derived from one form is done where the form is read, and a re-run touches nothing unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

from conftest import DUMP
from pipeline.run.batch import RunSettings, run
from pipeline.outputs.export import export
from pipeline.review.report import FILES_DIR, write_report
from pipeline.checks.suggest import suggestions, suggestions_of


def review_dump(folder: Path) -> Path:
    """Two exported forms, one of whose scores do not add up (it gets a suggestion)."""
    dump = folder / "dump"
    dump.mkdir(parents=True)
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "ok.pdf")
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "review.pdf")
    return dump


def test_suggestions_made_in_a_worker_equal_those_made_here(tmp_path):
    dump = review_dump(tmp_path)
    result = run(dump, settings=RunSettings(workers=1))
    made = {form.form_id: owner.suggestions[form.form_id][1] for owner in result.files for form in owner.forms}
    assert any(made.values()), "the review form has a suggestion"
    for form in result.forms:
        assert made[form.form_id] == suggestions(form)
        assert suggestions_of(result, form) is made[form.form_id]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_report_pictures_and_pages_made_in_workers_equal_those_the_report_makes_itself(tmp_path):
    """The page images and each form's report page are made by the worker that read the file
    and written as its result comes in (none held), and the outputs after the export are the
    bytes the report makes when it makes everything itself."""
    dump = review_dump(tmp_path)
    made_by_workers = run(dump, settings=RunSettings(workers=1), out=tmp_path / "workers")
    assert all(not result.pictures and result.form_pages for result in made_by_workers.files)  # written, not held
    pictures = files_under(tmp_path / "workers" / FILES_DIR)
    assert any(name.startswith("page-") and name.endswith(".png") for name in pictures)
    assert {f"form-{form.form_id}.html" for form in made_by_workers.forms} == {name for name in pictures if name.startswith("form-")}
    assert not any(name.startswith("crop-") for name in pictures)  # a crop is a window onto its page, not a file
    made_here = run(dump)  # no output folder: the report makes every picture
    for out, result in ((tmp_path / "workers", made_by_workers), (tmp_path / "here", made_here)):
        result.seconds = 1.0
        export(out, result, report=partial(write_report, dump=dump))
    final = files_under(tmp_path / "workers" / FILES_DIR)
    assert {name: data for name, data in final.items() if name.startswith(("page-", "form-"))} == pictures  # every picture and page the report shows
    assert files_under(tmp_path / "workers") == files_under(tmp_path / "here")


def extract(dump: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", "1", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


RUN_RECORDS = {"manifest.csv", "run.json", "run.log"}  # written by every run: the manifest is withdrawn when a run starts


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every output file (what each run writes anew aside) with its inode and modification time."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file() and p.relative_to(out).as_posix() not in RUN_RECORDS}


def outputs(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in files_under(out).items() if name not in RUN_RECORDS}


def test_a_rerun_over_an_unchanged_dump_rewrites_nothing_and_a_changed_file_is_done_again(tmp_path):
    dump, out = review_dump(tmp_path), tmp_path / "out"
    assert extract(dump, out).returncode == 1  # the review form
    before, contents = stamps(out), outputs(out)
    assert any(name.startswith("forms/") for name in before) and any(name.startswith("report_files/page-") for name in before)

    assert extract(dump, out).returncode == 1
    assert stamps(out) == before and outputs(out) == contents

    shutil.copy(DUMP / "2022" / "单表" / "住房租赁市场发展专项.pdf", dump / "ok.pdf")  # other bytes under the same name
    assert extract(dump, out).returncode == 1
    after = stamps(out)
    renewed = {name for name in after if before.get(name) != after[name]}
    assert "tables/projects.csv" in renewed and any(name.startswith("forms/ok.pdf.") for name in renewed)
    assert not any(name.startswith("forms/review.pdf.") for name in renewed)  # the unchanged file's outputs stay
    project = (out / "tables" / "projects.csv").read_text(encoding="utf-8-sig")
    assert "住房租赁" in project and "培训经费" not in project


def test_the_driver_loads_no_reader_ocr_or_table_library_until_it_needs_one():
    """Parsing arguments and planning a run (a re-run of cached files is nothing more) loads none of
    the libraries only the workers' reading or the tables' writing needs (a re-run of 1,000 cached forms: 1.35 → 0.66 s)."""
    script = (
        "import sys\n"
        "from pipeline.cli import build_parser\n"
        "build_parser().parse_args(['extract', 'dump'])\n"
        "import pipeline.run.plan, pipeline.run.batch, pipeline.review.report, pipeline.outputs.export\n"
        "heavy = ('pandas', 'pyarrow', 'openpyxl', 'docx', 'pdfplumber', 'pikepdf', 'cv2', 'numpy', 'jsonschema', 'rapidocr', 'pytesseract', 'xlsxwriter')\n"
        "print(' '.join(name for name in heavy if name in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_the_summary_times_the_whole_command_its_start_up_included(tmp_path):
    dump, out = review_dump(tmp_path), tmp_path / "out"
    done = extract(dump, out)
    finished = json.loads((out / "run.log").read_text(encoding="utf-8").splitlines()[-1])
    shares = finished["stage_seconds"]
    assert list(shares) == ["start-up", "extract", "corrections and suggestions", "tables, manifest and report"]
    assert shares["start-up"] > 0 and finished["seconds"] >= sum(shares.values()) - 0.01
    assert done.stdout.strip().endswith(f"in {finished['seconds']:.1f} s")
