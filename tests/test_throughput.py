"""Work derived from one form is done where the form is read, and a re-run touches nothing unchanged."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from conftest import DUMP
from pipeline.batch import RunSettings, run
from pipeline.export import export
from pipeline.report import FILES_DIR, write_report
from pipeline.suggest import suggestions


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
        assert result.suggestions_of(form) is made[form.form_id]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_report_pictures_made_in_workers_equal_those_the_report_makes_itself(tmp_path):
    dump = review_dump(tmp_path)
    made_by_workers = run(dump, settings=RunSettings(workers=1), out=tmp_path / "workers")
    assert all(not result.pictures for result in made_by_workers.files)  # written, not held
    pictures = files_under(tmp_path / "workers" / FILES_DIR)
    assert any(name.startswith("crop-") for name in pictures) and any(name.startswith("page-") for name in pictures)
    made_here = run(dump)  # no output folder: the report makes every picture
    for out, result in ((tmp_path / "workers", made_by_workers), (tmp_path / "here", made_here)):
        result.seconds = 1.0
        export(out, result, report=partial(write_report, dump=dump))
    final = files_under(tmp_path / "workers" / FILES_DIR)
    assert {name: data for name, data in final.items() if name.endswith(".png")} == pictures  # every picture the report shows
    assert files_under(tmp_path / "workers") == files_under(tmp_path / "here")
