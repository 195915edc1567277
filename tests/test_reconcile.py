"""Reconciliation checks (pipeline.checks.reconcile) on FormDocuments built by hand."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from pipeline.model.document import (
    Check,
    DroppedRow,
    FormDocument,
    Funding,
    FundingLine,
    Indicator,
    Project,
    Provenance,
    Source,
    Total,
)
from pipeline.checks.reconcile import CHECKS, reconcile
from pipeline.parse.template import load_templates, not_applicable

BBOX = (10.0, 20.0, 30.0, 40.0)


def make_form() -> FormDocument:
    """A consistent form: funding 10 + indicators 20 + 30 + 28 + 10 = total 98 of 100, graded 优
    (a layout whose template prints a grade, so every check applies)."""
    return FormDocument(
        form_id="0123456789abcdef-0",
        title="测试项目支出绩效自评表",
        template="yunnan",
        source=Source(file="2022/测试.pdf", sha256="0" * 64, form_index=0, pages=[1], method="text_layer"),
        project=Project(code="440307", name="测试项目", year="2022"),
        funding=Funding(
            unit="元",
            lines=[
                FundingLine("年度资金总额", 1000.0, 1000.0, 1000.0, 10.0, 100.0, 10.0),
                FundingLine("当年财政拨款", 800.0, 900.0, 900.0),
                FundingLine("上年结转资金", 200.0, 100.0, 100.0),
            ],
        ),
        indicators=[
            Indicator("产出", 50.0, "数量", "培训场次", "1", "2", 20.0, 20.0, None, nature="≥", unit="场"),
            Indicator("产出", 50.0, "质量", "培训质量", "良好", "良好", 30.0, 30.0, None),
            Indicator("效益", 30.0, "社会效益", "业务能力", "提高", "有所提高", 30.0, 28.0, "部分人员未参训"),
            Indicator("满意度", 10.0, "服务对象满意度", "员工满意度", ">90%", "92%", 10.0, 10.0, None),
        ],
        total=Total(weight=100.0, score=98.0, grade="优"),
        provenance={"/total/score": Provenance(2, BBOX, "98", confidence=0.97)},
    )


def rate_form(executed: float, annual: float, rate: float, printed: str | None) -> FormDocument:
    form = make_form()
    line = form.funding.lines[0]
    line.executed, line.annual_budget, line.execution_rate = executed, annual, rate
    form.funding.lines = [line]
    if printed is not None:
        form.provenance["/funding/lines/0/execution_rate"] = Provenance(1, BBOX, printed)
    return form


def score_form(weight: float, rate: float, score: float, printed: str | None) -> FormDocument:
    form = make_form()
    line = form.funding.lines[0]
    line.weight, line.execution_rate, line.score = weight, rate, score
    if printed is not None:
        form.provenance["/funding/lines/0/score"] = Provenance(1, BBOX, printed)
    return form


def run(name: str, form: FormDocument) -> Check:
    check = next(c for c in CHECKS if c.__name__ == name)
    result = check(form)
    assert result.rule == name
    assert result.status in ("pass", "fail", "warn", "skip")
    assert result.message
    return result


# --- one pass and one fail/warn case per check; the coverage test keeps this list complete ---


def _set(path: Callable[[FormDocument], object], attribute: str, value) -> Callable[[FormDocument], None]:
    return lambda form: setattr(path(form), attribute, value)


def _no_note(form: FormDocument) -> None:
    form.indicators[2].deviation_note = None


def _doubtful_score(form: FormDocument) -> None:
    form.provenance["/indicators/0/score"] = Provenance(1, BBOX, "20", confidence=0.41)


def _repeated_funding_score(form: FormDocument) -> None:
    form.funding.lines[1].weight, form.funding.lines[1].score = 10.0, 10.0


def _child_with_points(form: FormDocument) -> None:
    """A 其中 row under the last indicator, carrying points its parent carries too."""
    form.indicators.append(Indicator("满意度", 10.0, "服务对象满意度", "其中：青年员工满意度", ">90%", "93%", 10.0, 10.0, None))


def _placeholder_dropped(form: FormDocument) -> None:
    form.dropped_rows.append(DroppedRow(page=1, text="指标1", reason="template placeholder left in, nothing filled in"))


def _zero_total(form: FormDocument) -> None:
    line = form.funding.lines[0]
    line.initial_budget, line.annual_budget, line.executed = 0.0, 0.0, 0.0


FAILING: dict[str, tuple[str, Callable[[FormDocument], None]]] = {
    "total_score": ("fail", _set(lambda f: f.total, "score", 96.0)),
    "total_weight": ("fail", _set(lambda f: f.total, "weight", 90.0)),
    "level1_weight": ("fail", _set(lambda f: f.indicators[1], "weight", 25.0)),
    "score_within_weight": ("fail", _set(lambda f: f.indicators[0], "score", 21.0)),
    "funding_sum": ("fail", _set(lambda f: f.funding.lines[0], "annual_budget", 1200.0)),
    "execution_rate": ("fail", _set(lambda f: f.funding.lines[0], "execution_rate", 80.0)),
    "funding_score": ("fail", _set(lambda f: f.funding.lines[0], "score", 5.0)),
    "deviation_note": ("warn", _no_note),
    "low_confidence": ("warn", _doubtful_score),
    "repeated_funding_score": ("warn", _repeated_funding_score),
    "double_counted_indicator": ("warn", _child_with_points),
    "placeholder_rows": ("warn", _placeholder_dropped),
    "zero_funding_total": ("warn", _zero_total),
    "grade": ("fail", _set(lambda f: f.total, "grade", "良")),
    "layout_known": ("fail", _set(lambda f: f, "template", "unknown")),
    "indicator_levels": ("fail", _set(lambda f: f.indicators[2], "level1", None)),
    "header_in_values": ("fail", _set(lambda f: f.indicators[2], "actual", "实际完成值")),
    "points_read": ("fail", lambda f: setattr(f.indicators[1], "weight", None) or setattr(f.indicators[1], "score", None)),
    "nature_read": ("fail", _set(lambda f: f.indicators[3], "target", "90")),
    "title_found": ("fail", _set(lambda f: f, "title", None)),
    "level_names_whole": ("fail", _set(lambda f: f.indicators[1], "level2", "质量指")),
}


def test_every_check_has_a_pass_and_a_fail_case():
    assert {c.__name__ for c in CHECKS} == set(FAILING)


@pytest.mark.parametrize("name", [c.__name__ for c in CHECKS])
def test_each_check_passes_on_a_consistent_form(name):
    assert run(name, make_form()).status == "pass"


@pytest.mark.parametrize("name", sorted(FAILING))
def test_each_check_flags_its_own_inconsistency(name):
    status, breaks = FAILING[name]
    form = make_form()
    breaks(form)
    assert run(name, form).status == status


def test_reconcile_runs_every_check_in_order():
    assert [c.rule for c in reconcile(make_form())] == [c.__name__ for c in CHECKS]
    assert all(c.status == "pass" for c in reconcile(make_form()))


# --- total_score / total_weight -------------------------------------------------------------


def test_total_score_passes_when_funding_plus_indicators_equal_total():
    check = run("total_score", make_form())
    assert check.status == "pass"
    assert "98" in check.message


def test_total_score_failure_names_the_parts():
    form = make_form()
    form.indicators[2].score = 26.0  # 10 + 20 + 30 + 26 + 10 = 96, printed total 98
    check = run("total_score", form)
    assert check.status == "fail"
    assert "96 ≠ 总分 98" in check.message
    for part in ("资金 10", "数量 20", "质量 30", "社会效益 26", "服务对象满意度 10"):
        assert part in check.message


def test_total_score_fails_when_no_total_was_read():
    """Every layout prints a total: one not read (damage, a lost row) is a value missing, not a pass."""
    form = make_form()
    form.total.score = None
    check = run("total_score", form)
    assert check.status == "fail" and "总分" in check.message


def test_total_score_counts_only_the_total_funding_line():
    form = make_form()
    form.funding.lines[1].score = 5.0  # a 其中 row's score is not part of the total
    assert run("total_score", form).status == "pass"


def test_total_weight_failure_names_the_parts():
    form = make_form()
    form.total.weight = 90.0
    check = run("total_weight", form)
    assert check.status == "fail"
    assert "100 ≠ 总分分值 90" in check.message and "资金 10" in check.message


def test_total_weight_takes_the_level1_labels_weights_when_no_row_prints_one():
    """湖北's 20 + 80: 产出指标(60分), no 分值 column. The rows' weights were summed as 0, and every
    such form failed: the labels' weights stand for their rows'. One that does not add up still fails."""
    form = make_form()
    for indicator in form.indicators:
        indicator.weight = None
    check = run("total_weight", form)
    assert check.status == "pass" and check.terms[0].parts == ["/funding/lines/0/weight", "/indicators/0/level1_weight", "/indicators/2/level1_weight", "/indicators/3/level1_weight"]
    form.indicators[3].level1_weight = 20.0
    assert run("total_weight", form).status == "fail"
    assert run("level1_weight", form).status == "skip"  # no row prints a weight to add up


# --- level1_weight ---------------------------------------------------------------------------


def test_level1_weight_skips_when_no_weights_declared():
    form = make_form()
    for indicator in form.indicators:
        indicator.level1_weight = None
    assert run("level1_weight", form).status == "skip"


def test_level1_weight_failure_names_the_group():
    form = make_form()
    form.indicators[1].weight = 25.0
    check = run("level1_weight", form)
    assert check.status == "fail"
    assert "产出" in check.message and "45" in check.message and "50" in check.message
    assert "效益" not in check.message


# --- score_within_weight ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("breaks", "named"),
    [
        (_set(lambda f: f.indicators[3], "score", 12.0), "服务对象满意度 得分 12 > 分值 10"),
        (_set(lambda f: f.funding.lines[0], "score", 11.0), "年度资金总额 得分 11 > 分值 10"),
        (_set(lambda f: f.total, "score", 101.0), "总分 得分 101 > 分值 100"),
    ],
)
def test_score_within_weight_fails_when_a_score_exceeds_its_weight(breaks, named):
    form = make_form()
    breaks(form)
    check = run("score_within_weight", form)
    assert check.status == "fail"
    assert named in check.message


def test_score_equal_to_weight_is_within_it():
    form = make_form()
    form.indicators[2].score = 30.0
    assert run("score_within_weight", form).status == "pass"


# --- funding_sum -----------------------------------------------------------------------------


def test_funding_sum_fails_when_total_is_not_the_sum_of_parts():
    form = make_form()
    form.funding.lines[0].executed = 990.0
    check = run("funding_sum", form)
    assert check.status == "fail"
    assert "全年执行数" in check.message and "990" in check.message and "1000" in check.message
    assert "年初预算数" not in check.message


def test_funding_sum_ignores_blank_parts_but_adds_the_printed_ones():
    form = make_form()
    form.funding.lines.append(FundingLine("其他资金"))  # printed as — everywhere
    assert run("funding_sum", form).status == "pass"


def test_funding_sum_skips_without_parts():
    form = make_form()
    form.funding.lines = form.funding.lines[:1]
    assert run("funding_sum", form).status == "skip"


# --- execution_rate --------------------------------------------------------------------------


def test_execution_rate_integer_print_matches_rounded_rate():
    assert run("execution_rate", rate_form(864.0, 1000.0, 86.0, "86")).status == "pass"


def test_execution_rate_two_decimals_must_match_at_two_decimals():
    check = run("execution_rate", rate_form(864.0, 1000.0, 86.25, "86.25"))
    assert check.status == "fail"
    assert "86.25" in check.message and "86.40" in check.message


def test_execution_rate_two_decimals_pass_when_they_agree():
    assert run("execution_rate", rate_form(864.0, 1000.0, 86.4, "86.40")).status == "pass"
    assert run("execution_rate", rate_form(1.0, 3.0, 33.33, "33.33%")).status == "pass"


def test_execution_rate_fails_when_budget_is_zero_or_missing():
    assert run("execution_rate", rate_form(100.0, 0.0, 100.0, "100")).status == "fail"
    form = rate_form(100.0, 100.0, 100.0, "100")
    form.funding.lines[0].executed = None
    assert run("execution_rate", form).status == "fail"


def test_execution_rate_skips_when_none_printed():
    form = make_form()
    for line in form.funding.lines:
        line.execution_rate = None
    assert run("execution_rate", form).status == "skip"


# --- funding_score ---------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "printed"), [(9.0, "9"), (8.62, "8.62"), (8.6, "8.6"), (8.62, "8.620")])
def test_funding_score_rounded_at_printed_precision_passes(score, printed):
    # 10 × 86.2% = 8.62
    assert run("funding_score", score_form(10.0, 86.2, score, printed)).status == "pass"


@pytest.mark.parametrize(("score", "printed"), [(7.0, "7"), (8.5, "8.5"), (8.65, "8.65"), (10.0, "10"), (9.0, "9.0"), (8.6, "8.60")])
def test_funding_score_off_by_more_than_rounding_fails(score, printed):
    check = run("funding_score", score_form(10.0, 86.2, score, printed))
    assert check.status == "fail"
    assert "8.62" in check.message


def test_funding_score_allows_rounding_down_at_integer_precision():
    # domain.md: "allow rounding either way at that precision": 8.62 may be printed 8 or 9
    assert run("funding_score", score_form(10.0, 86.2, 8.0, "8")).status == "pass"


def test_funding_score_seven_for_8_62_fails():
    assert run("funding_score", score_form(10.0, 86.2, 7.0, "7")).status == "fail"


def test_funding_score_caps_the_rate_at_100():
    assert run("funding_score", score_form(10.0, 105.0, 10.0, "10")).status == "pass"


def test_funding_score_skips_without_rate():
    form = make_form()
    form.funding.lines[0].execution_rate = None
    assert run("funding_score", form).status == "skip"


# --- deviation_note --------------------------------------------------------------------------


def test_deviation_note_warns_when_points_are_docked_silently():
    form = make_form()
    form.indicators[2].deviation_note = ""
    check = run("deviation_note", form)
    assert check.status == "warn"
    assert "社会效益 (28/30)" in check.message


def test_deviation_note_ignores_full_scores():
    form = make_form()
    for indicator in form.indicators:
        indicator.deviation_note = None
    form.indicators[2].score = 30.0
    assert run("deviation_note", form).status == "pass"


# --- reconcile reports, never edits ------------------------------------------------------------


def _broken_everywhere() -> FormDocument:
    form = make_form()
    for _, breaks in FAILING.values():
        breaks(form)
    form.provenance["/total/score"] = Provenance(2, BBOX, "96")
    form.provenance["/funding/lines/0/execution_rate"] = Provenance(1, BBOX, "80.00", 0.5)
    return form


@pytest.mark.parametrize("build", [make_form, _broken_everywhere])
def test_reconcile_never_changes_the_form(build):
    form = build()
    before = copy.deepcopy(form.to_json())
    checks = reconcile(form)
    assert form.to_json() == before
    assert form.checks == []  # reconcile returns checks; it does not attach them
    if build is _broken_everywhere:
        assert {c.status for c in checks} >= {"fail", "warn"}


def test_a_crashing_check_is_reported_not_raised():
    form = make_form()
    form.total.score = "98"  # type: ignore[assignment]  # a wrong type makes total_score crash
    checks = {c.rule: c for c in reconcile(form)}
    assert len(checks) == len(CHECKS)
    assert checks["total_score"].status == "fail"
    assert checks["total_score"].message.startswith("check crashed: TypeError")
    assert checks["funding_sum"].status == "pass"


# --- low_confidence --------------------------------------------------------------------------


def test_low_confidence_names_the_doubtful_number():
    form = make_form()
    _doubtful_score(form)
    check = run("low_confidence", form)
    assert check.status == "warn" and "/indicators/0/score" in check.message and "0.41" in check.message


def test_low_confidence_flags_text_fields_too_and_skips_without_ocr():
    """A text value two engines read differently is confidence ≤ 0.5 (extract.confirm_texts): it
    sends the form to review like a number does."""
    form = make_form()
    form.provenance["/indicators/0/name"] = Provenance(1, BBOX, "培训场次", confidence=0.95)
    assert run("low_confidence", form).status == "pass"
    form.provenance["/indicators/0/name"] = Provenance(1, BBOX, "培训场次", confidence=0.5)
    check = run("low_confidence", form)
    assert check.status == "warn" and check.pointers == ["/indicators/0/name"]
    form.provenance = {}
    assert run("low_confidence", form).status == "skip"


# --- checks per template: not applicable is a skip with the template's reason --------------------


@pytest.mark.parametrize("template", [t.name for t in load_templates() if t.grades is None])
def test_grade_is_skipped_for_layouts_without_one(template):
    """A layout that prints no grade says so: the grade check is skipped with its reason, as is
    any other check the layout lists as not applicable; the rest pass on a consistent form."""
    form = make_form()
    form.template = template
    checks = {c.rule: c for c in reconcile(form)}
    skipped = set(not_applicable(template))
    assert "grade" in skipped
    for rule, check in checks.items():
        if rule in skipped:
            assert check.status == "skip" and check.message.startswith(f"not applicable to the {template} layout"), rule
        else:
            assert check.status == "pass", (rule, check.message)


def test_unknown_layout_fails_layout_known_and_still_checks_the_sums():
    """An unknown layout is read by what its headers mean, so its arithmetic is checked as any other's."""
    form = make_form()
    form.template = "unknown"
    checks = {c.rule: c for c in reconcile(form)}
    assert checks["layout_known"].status == "fail"
    assert checks["total_score"].status == checks["total_weight"].status == checks["level1_weight"].status == "pass"
    form.indicators[0].score = 1.0
    assert {c.rule: c for c in reconcile(form)}["total_score"].status == "fail"


# --- grade -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "grade", "status"), [(90.0, "优", "pass"), (89.9, "良", "pass"), (89.9, "优", "fail"), (60.0, "中", "pass"), (59.5, "差", "pass"), (75.0, "良", "fail")])
def test_grade_follows_the_bands(score, grade, status):
    form = make_form()
    form.total.score, form.total.grade = score, grade
    assert run("grade", form).status == status


def test_grade_unknown_word_fails_and_missing_grade_skips():
    form = make_form()
    form.total.grade = "好"
    assert "none of 优/良/中/差" in run("grade", form).message
    form.total.grade = None
    assert run("grade", form).status == "skip"


# --- traps: 其中 rows, placeholders, a total row of zeros -----------------------------------------


def test_repeated_funding_score_says_it_repeats_the_total_and_total_score_still_passes():
    form = make_form()
    _repeated_funding_score(form)
    check = run("repeated_funding_score", form)
    assert check.status == "warn" and "当年财政拨款 10/10 (repeats 年度资金总额's)" in check.message
    assert run("total_score", form).status == "pass"


def test_child_row_points_are_counted_once_from_the_parent():
    form = make_form()
    _child_with_points(form)
    for rule in ("total_score", "total_weight", "level1_weight"):
        assert run(rule, form).status == "pass", rule
    check = run("double_counted_indicator", form)
    assert "其中：青年员工满意度 (10/10) under 员工满意度 (10/10)" in check.message


def test_child_rows_without_points_pass_and_count_when_the_parent_has_none():
    form = make_form()
    form.indicators.insert(1, Indicator("产出", 50.0, "数量", "其中：线上培训场次", ">1", "1", None, None, None))
    assert run("double_counted_indicator", form).status == "pass"
    assert run("total_score", form).status == "pass"
    form = make_form()  # the parent carries no points: its 其中 rows' points are the ones that count
    form.indicators[0].weight, form.indicators[0].score = None, None
    form.indicators.insert(1, Indicator("产出", 50.0, "数量", "其中：线下培训场次", ">1", "2", 20.0, 20.0, None))
    assert run("double_counted_indicator", form).status == "pass"
    assert run("total_score", form).status == "pass"


def test_placeholder_rows_name_dropped_and_kept_ones():
    form = make_form()
    _placeholder_dropped(form)
    form.indicators[0].name = "指标2"  # a placeholder name with points printed: kept, and reported
    check = run("placeholder_rows", form)
    assert check.status == "warn"
    assert "dropped, nothing filled in: 指标1 (page 1)" in check.message and "kept, values printed under a placeholder name: 指标2 (20/20)" in check.message


def test_zero_total_row_is_its_own_finding_not_a_sum_or_rate_failure():
    form = make_form()
    _zero_total(form)
    check = run("zero_funding_total", form)
    assert check.status == "warn" and "全年预算数 1000" in check.message
    assert run("funding_sum", form).status == "skip"
    assert run("execution_rate", form).status == "skip"
    assert run("funding_score", form).status == "pass"  # 分值, 执行率 and 得分 are still printed


def test_numbered_child_rows_repeating_their_parent_s_points_are_counted_once():
    """一、 heads a group whose 1、 2、 rows repeat its points without 其中: the sums count the parent."""
    form = make_form()
    parent = form.indicators[0]
    parent.name = "一、培训场次"
    children = [Indicator("产出", 50.0, "数量", f"{n}、{what}", ">1", "2", 10.0, 10.0, None) for n, what in ((1, "业务培训"), (2, "安全培训"))]
    form.indicators[1:1] = children
    checks = {c.rule: c for c in reconcile(form)}
    assert checks["total_score"].status == checks["total_weight"].status == checks["level1_weight"].status == "pass"
    assert checks["double_counted_indicator"].status == "warn"
    form.indicators[0].name = "培训场次"  # without the 一、 parent, 1、 2、 are ordinary rows and count
    assert {c.rule: c for c in reconcile(form)}["total_score"].status == "fail"


def test_a_not_applicable_row_may_leave_its_points_blank():
    form = make_form()
    form.indicators.append(Indicator("效益", 30.0, "生态效益", None, None, "不适用", None, None, None))
    assert {c.rule: c for c in reconcile(form)}["points_read"].status == "pass"
    form.indicators[-1].actual = "良好"
    assert {c.rule: c for c in reconcile(form)}["points_read"].status == "fail"


# --- checks as data: the pointers a finding is about and the arithmetic it did ------------------

LINE = "/funding/lines/"
ROW = "/indicators/"

# the pointers each broken form's check names (FAILING's breakages), in the order it names them
AT_FAULT: dict[str, list[str]] = {
    "total_score": [LINE + "0/score"] + [f"{ROW}{i}/score" for i in range(4)] + ["/total/score"],
    "total_weight": [LINE + "0/weight"] + [f"{ROW}{i}/weight" for i in range(4)] + ["/total/weight"],
    "level1_weight": [ROW + "0/weight", ROW + "1/weight", ROW + "0/level1_weight"],
    "score_within_weight": [ROW + "0/weight", ROW + "0/score"],
    "funding_sum": [LINE + "1/annual_budget", LINE + "2/annual_budget", LINE + "0/annual_budget"],
    "execution_rate": [LINE + "0/executed", LINE + "0/annual_budget", LINE + "0/execution_rate"],
    "funding_score": [LINE + "0/weight", LINE + "0/execution_rate", LINE + "0/score"],
    "deviation_note": [ROW + "2/weight", ROW + "2/score"],
    "low_confidence": [ROW + "0/score"],
    "repeated_funding_score": [LINE + "1/weight", LINE + "1/score"],
    "double_counted_indicator": [ROW + "4/weight", ROW + "4/score", ROW + "3/weight", ROW + "3/score"],
    "placeholder_rows": [],  # a dropped row has no value to point at
    "zero_funding_total": [f"{LINE}{line}/{column}" for column in ("initial_budget", "annual_budget", "executed") for line in (1, 2, 0)],
    "grade": ["/total/score", "/total/grade"],
    "layout_known": [],
    "indicator_levels": [ROW + "2/level1"],
    "header_in_values": [ROW + "2/actual"],
    "points_read": [ROW + "1/weight", ROW + "1/score"],
    "nature_read": [ROW + "3/nature", ROW + "3/target"],
    "title_found": ["/title"],
    "level_names_whole": [ROW + "1/level2"],
}

# (op, at, expected, found) of the term that does not hold, for the checks that do arithmetic
FAILING_TERM: dict[str, tuple[str, str, object, object]] = {
    "total_score": ("sum", "/total/score", 98.0, 96.0),
    "total_weight": ("sum", "/total/weight", 100.0, 90.0),
    "level1_weight": ("sum", ROW + "0/level1_weight", 45.0, 50.0),
    "score_within_weight": ("at_most", ROW + "0/score", 20.0, 21.0),
    "funding_sum": ("sum", LINE + "0/annual_budget", 1000.0, 1200.0),
    "execution_rate": ("rate", LINE + "0/execution_rate", 100.0, 80.0),
    "funding_score": ("share", LINE + "0/score", 10.0, 5.0),
    "grade": ("grade", "/total/grade", "优", "良"),
}


def test_every_check_says_which_values_its_finding_is_about():
    assert set(AT_FAULT) == set(FAILING)


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_failing_check_names_the_values_at_fault(name):
    _, breaks = FAILING[name]
    form = make_form()
    breaks(form)
    check = run(name, form)
    assert check.pointers == AT_FAULT[name]
    failing = [t for t in check.terms if not t.holds]
    if name in FAILING_TERM:
        (term,) = failing
        assert (term.op, term.at, term.expected, term.found) == FAILING_TERM[name]
        assert set(check.pointers) == {p for t in failing for p in [*t.parts, t.at]}  # the pointers are the failing arithmetic's
    elif name == "zero_funding_total":  # each amount column adds up to 1000 over a printed 0
        assert [(t.op, t.expected, t.found) for t in failing] == [("sum", 1000.0, 0.0)] * 3
    else:
        assert failing == check.terms == []


def test_a_failing_sum_lists_each_value_it_added_and_the_total():
    form = make_form()
    form.total.score = 96.0
    (term,) = run("total_score", form).terms
    assert term.parts == [LINE + "0/score"] + [f"{ROW}{i}/score" for i in range(4)] and term.at == "/total/score"
    assert (term.expected, term.found, term.holds) == (98.0, 96.0, False)


def test_a_child_row_s_points_are_not_among_the_terms():
    form = make_form()
    _child_with_points(form)  # its 10 points are its parent's (row 3), counted once
    (term,) = run("total_score", form).terms
    assert ROW + "4/score" not in term.parts and ROW + "3/score" in term.parts and term.holds


@pytest.mark.parametrize("name", ["total_score", "total_weight", "level1_weight", "funding_sum", "execution_rate", "funding_score", "grade"])
def test_a_passing_arithmetic_check_names_what_it_compared(name):
    check = run(name, make_form())
    assert check.status == "pass" and check.terms and all(t.holds for t in check.terms)
    assert check.pointers == list(dict.fromkeys(p for t in check.terms for p in [*t.parts, t.at]))


def test_checks_with_nothing_found_name_no_values():
    for check in reconcile(make_form()):
        if not check.terms:
            assert check.pointers == [], check.rule


def test_a_level2_under_another_block_s_level1_fails_the_levels_check():
    """数量 is a 产出 二级指标: under 满意度 the row was misplaced (a merge's label taken across a page
    break from the next block), however well the points add up."""
    from pipeline.checks.reconcile import indicator_levels

    form = make_form()
    assert indicator_levels(form).status == "pass"
    form.indicators[0].level1 = "满意度"
    check = indicator_levels(form)
    assert check.status == "fail" and check.pointers == ["/indicators/0/level1", "/indicators/0/level2"]
    assert "数量 is a 产出 二级指标" in check.message


def test_an_ocr_read_nature_that_is_no_sign_or_direction_word_is_flagged():
    """A 100 dpi ≧ read M at 0.84: no low-confidence flag, and it went out as the row's 指标性质."""
    form = make_form()
    form.indicators[0].nature = "M"
    assert run("nature_read", form).status == "pass"  # printed so in a text layer: kept as printed
    form.provenance["/indicators/0/nature"] = Provenance(1, BBOX, "M", confidence=0.84)
    check = run("nature_read", form)
    assert (check.status, check.pointers) == ("fail", ["/indicators/0/nature"])
    assert "'M'" in check.message
    for printed in ("≥", ">=", "=", "≤", "正向", "定性指标"):
        form.indicators[0].nature = printed
        assert run("nature_read", form).status == "pass", printed
