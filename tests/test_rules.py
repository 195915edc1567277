"""The rule table: every check any stage emits is registered once, with its titles."""

from __future__ import annotations

from pipeline.model.document import Check
from pipeline.checks.reconcile import CHECKS
from pipeline.checks.rules import RULES, form_status, needs_human

# rules emitted outside reconcile: by run.build_form (parser findings, validation) and corrections
EMITTED_ELSEWHERE = {"values_readable", "structure_read", "indicators_found", "schema", "corrections"}


def test_every_rule_that_runs_is_registered_with_both_titles():
    names = {check.__name__ for check in CHECKS} | EMITTED_ELSEWHERE
    assert names == set(RULES)
    assert all(r.title_zh and r.title_en for r in RULES.values())


def test_the_status_follows_fails_and_the_warnings_that_need_a_human():
    assert form_status([Check("total_score", "pass", "")]) == "ok"
    assert form_status([Check("deviation_note", "warn", "")]) == "ok"
    assert form_status([Check("low_confidence", "warn", "")]) == "needs_review"
    assert form_status([Check("placeholder_rows", "warn", ""), Check("grade", "fail", "")]) == "needs_review"
    assert not needs_human(Check("grade", "skip", ""))
