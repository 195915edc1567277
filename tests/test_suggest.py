"""Suggestions from arithmetic (pipeline.checks.suggest): single-value changes that reconcile, ranked by evidence."""

from __future__ import annotations

from conftest import DUMP
from pipeline.model.document import Check, FormDocument, Funding, FundingLine, Indicator, Provenance, Source, Total
from pipeline.readers.ingest import describe
from pipeline.checks.reconcile import reconcile
from pipeline.run.unit import process_file
from pipeline.checks.suggest import CANDIDATES_MARKER, MARKER, NO_CANDIDATE, Change, annotate, ocr_confusion, suggestions

BROKEN = "review/网格管理事务_得分不符.pdf"


def form(indicators: list[Indicator], total_score: float, total_weight: float = 100.0, funding: list[FundingLine] | None = None, provenance: dict[str, Provenance] | None = None) -> FormDocument:
    document = FormDocument(
        form_id="0123456789abcdef-0",
        title="测试项目支出绩效自评表",
        template="shenzhen",
        source=Source(file="x.pdf", sha256="0123456789abcdef" * 4, form_index=0, pages=[1], method="ocr" if provenance else "text_layer"),
        funding=Funding(
            unit="元",
            lines=funding
            if funding is not None
            else [
                FundingLine("年度资金总额", 100.0, 100.0, 100.0, 10.0, 100.0, 10.0),
                FundingLine("当年财政拨款", 100.0, 100.0, 100.0),
            ],
        ),
        indicators=indicators,
        total=Total(weight=total_weight, score=total_score),
        provenance=provenance or {},
    )
    document.checks = reconcile(document)
    return document


def indicator(level2: str, weight: float, score: float, target: str = "达标", actual: str = "达标", note: str | None = None, level1: str = "产出", level1_weight: float | None = None) -> Indicator:
    return Indicator(level1, level1_weight, level2, f"{level2}指标", target, actual, weight, score, note)


def test_the_broken_sample_gets_the_issue_s_suggestion():
    result = process_file(describe(DUMP / BROKEN, DUMP))
    (broken,) = result.forms
    (found,) = suggestions(broken)
    assert found.rule == "total_score"
    assert found.best is not None and found.best.change.pointers == ("/indicators/2/score",)
    assert (found.best.change.old, found.best.change.new) == (11.0, 13.0)
    others = {c.change.pointers[0]: c.change.new for c in found.candidates[1:]}
    assert others == {"/indicators/0/score": 12.0, "/total/score": 96.0}  # they reconcile too, with no evidence
    annotate(broken)
    check = next(c for c in broken.checks if c.rule == "total_score")
    assert check.message.startswith("得分合计 96 ≠ 总分 98: 资金 10 + 数量 10")
    assert check.message.endswith("— suggestion: 时效 得分 11 → 13 would make Σ = 98: actual 及时 meets target 及时, no deviation noted")
    assert check.suggestion == found.message() and check.message.endswith(check.suggestion)  # what was appended, as data
    assert broken.indicators[2].score == 11  # never applied
    annotate(broken)
    assert check.message.count(MARKER) == 1  # annotating twice does not repeat it


def test_a_suggestion_solves_only_the_sums_its_check_found_off():
    """level1_weight compares each level-1 group: only the group that does not add up is solved."""
    indicators = [indicator("数量", 30, 30, level1_weight=50), indicator("质量", 18, 18, level1_weight=50), indicator("社会效益", 40, 40, level1="效益", level1_weight=40)]
    document = form(indicators, total_score=98, total_weight=98)
    check = next(c for c in document.checks if c.rule == "level1_weight")
    assert check.status == "fail" and [t.holds for t in check.terms] == [False, True]
    found = {p for s in suggestions(document) if s.rule == "level1_weight" for c in s.candidates for p in c.change.pointers}
    assert found and found <= {"/indicators/0/weight", "/indicators/1/weight", "/indicators/0/level1_weight", "/indicators/1/level1_weight"}


def test_candidates_without_evidence_are_listed_and_none_suggested():
    document = form([indicator("数量", 45, 45), indicator("质量", 45, 40, actual="基本达标", note="部分未完成")], total_score=97)
    (found,) = suggestions(document)
    assert found.best is None
    assert {c.change.pointers[0] for c in found.candidates} == {"/indicators/1/score", "/total/score"}
    annotate(document)
    message = next(c.message for c in document.checks if c.rule == "total_score")
    assert CANDIDATES_MARKER in message and "质量 得分 40 → 42" in message and "总分 得分 97 → 95" in message


def test_low_ocr_confidence_is_evidence():
    provenance = {
        "/indicators/0/score": Provenance(1, (0, 0, 10, 10), "45", 0.97),
        "/indicators/1/score": Provenance(1, (0, 20, 10, 30), "35", 0.41),
        "/total/score": Provenance(1, (0, 40, 10, 50), "95", 0.96),
    }
    document = form([indicator("数量", 45, 45), indicator("质量", 45, 35, actual="基本达标", note="部分未完成")], total_score=95, provenance=provenance)
    (found,) = suggestions(document)
    assert found.best is not None and found.best.change.pointers == ("/indicators/1/score",) and found.best.change.new == 40
    assert "low OCR confidence 0.41" in found.best.reason() and "识别置信度低（0.41）" in found.best.reason_zh()


def test_ocr_confusion_needs_an_ocr_reading_and_confusable_digits():
    provenance = {"/indicators/0/score": Provenance(1, (0, 0, 10, 10), "18", 0.9)}
    document = form([indicator("数量", 90, 18)], total_score=23, provenance=provenance)
    assert ocr_confusion(document, Change(("/indicators/0/score",), "数量 得分", 18.0, 13.0)) is not None  # 8/3
    assert ocr_confusion(document, Change(("/indicators/0/score",), "数量 得分", 18.0, 12.0)) is None  # 8/2 is not a usual confusion
    typed = form([indicator("数量", 90, 18)], total_score=23)
    assert ocr_confusion(typed, Change(("/indicators/0/score",), "数量 得分", 18.0, 13.0)) is None  # a text layer has no glyph confusions


def test_a_change_that_breaks_another_check_is_no_candidate():
    lines = [FundingLine("年度资金总额", 820000.0, 820000.0, 820000.0, 10.0, 100.0, 10.0), FundingLine("当年财政拨款", 820000.0, 820000.0, 82000.0)]
    document = form([indicator("数量", 90, 90)], total_score=100, funding=lines)
    (found,) = suggestions(document)
    assert found.rule == "funding_sum"
    # 年度资金总额 全年执行数 → 82000 would reconcile the sum but break its 执行率 of 100: only the child remains
    assert [(c.change.pointers, c.change.new) for c in found.candidates] == [(("/funding/lines/1/executed",), 820000.0)]
    assert "the only single change that reconciles" in found.candidates[0].reason()
    assert "唯一能使合计相符的单项更正" in found.candidates[0].reason_zh()
    assert found.best is None  # arithmetic alone is not enough to suggest it


def test_level1_and_total_weight_agree_on_one_change():
    indicators = [indicator("数量", 14, 12, level1_weight=50, note="未完成"), indicator("质量", 38, 38, level1_weight=50), indicator("社会效益", 40, 40, level1="效益", level1_weight=40)]
    document = form(indicators, total_score=100)
    assert {c.rule for c in document.checks if c.status == "fail"} == {"total_weight", "level1_weight"}
    found = suggestions(document)
    assert {s.rule for s in found} == {"total_weight", "level1_weight"}
    for suggestion in found:  # lowering 质量 (38 of 38 scored) or a declared weight breaks another check
        assert [(c.change.pointers, c.change.new) for c in suggestion.candidates] == [(("/indicators/0/weight",), 12.0)]


def test_trying_candidates_leaves_the_form_as_it_was():
    """Candidates are tried on the form itself and undone: nothing of a trial stays behind."""
    indicators = [indicator("数量", 14, 12, level1_weight=50, note="未完成"), indicator("质量", 38, 38, level1_weight=50), indicator("社会效益", 40, 40, level1="效益", level1_weight=40)]
    document = form(indicators, total_score=96)
    before = document.to_json()
    # three failing sums, 13 changes tried, one of them the merged 产出 label (two pointers); none reconciles
    assert [(s.rule, s.candidates) for s in suggestions(document)] == [("total_score", []), ("total_weight", []), ("level1_weight", [])]
    assert document.to_json() == before and document.corrections == []


def test_two_wrong_values_give_no_candidate():
    document = form([indicator("数量", 45, 30, actual="未达标", note="x"), indicator("质量", 45, 30, actual="未达标", note="y")], total_score=100)
    document.funding.lines[0].score = 30.0  # over its weight, and the sum is off as well
    document.checks = reconcile(document)
    found = [s for s in suggestions(document) if s.rule == "total_score"]
    assert found and found[0].candidates == [] and found[0].message() == NO_CANDIDATE


def test_only_failing_sum_checks_get_suggestions():
    document = form([indicator("数量", 90, 90)], total_score=100)
    assert suggestions(document) == []
    document.checks.append(Check("values_readable", "fail", "printed but unreadable, kept as null: /total/score: not a number: 'x'"))
    assert suggestions(document) == []


def test_a_form_with_a_points_carrying_child_row_gets_its_two_suggestions():
    """Sums count the parent, not its 其中 row (double_counted_indicator): counted 10 + 45 + 40 = 95
    against 总分 97; raising the parent's score or lowering the total each reconciles it."""
    child = Indicator("产出", None, "数量", "其中：受益农户数", "100户", "100户", 20.0, 18.0, None)
    document = form([indicator("数量", 50.0, 45.0), child, indicator("质量", 40.0, 40.0)], total_score=97.0)
    check = next(c for c in document.checks if c.rule == "total_score")
    assert check.status == "fail"
    (term,) = check.terms  # the sum the check did, which the suggestions solve
    assert term.parts == ["/funding/lines/0/score", "/indicators/0/score", "/indicators/2/score"] and (term.expected, term.found) == (95.0, 97.0)
    [suggestion] = suggestions(document)
    found = {(c.change.pointers, c.change.new) for c in suggestion.candidates}
    assert found == {(("/indicators/0/score",), 47.0), (("/total/score",), 95.0)}
    assert all(c.change.pointers[0] in [*term.parts, term.at] for c in suggestion.candidates)


def test_no_suggestion_while_the_form_was_not_wholly_read():
    """A row without its level-1 (a merge lost over a page break) makes the arithmetic point at the
    wrong value: a structural failure never yields a digit-swap suggestion."""
    document = form([indicator("数量", 50.0, 45.0), indicator("质量", 40.0, 40.0, level1="")], total_score=97.0)
    assert {c.rule: c.status for c in document.checks}["indicator_levels"] == "fail"
    assert suggestions(document) == []
