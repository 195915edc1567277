"""Work derived from one form is done where the form is read, and a re-run touches nothing unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DUMP
from pipeline.batch import RunSettings, run
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
