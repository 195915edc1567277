"""Reconciliation: small named checks of a form's own arithmetic. They report; they never edit.

Each check takes the form document and returns one ``Check`` (pass / fail / warn / skip) with a
message a reviewer can act on. Printed precision comes from provenance (the raw text), so a
rate printed as ``100`` is compared at integer precision and ``86.25`` at two decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

from .document import Check, FormDocument, FundingLine, Indicator
from .values import decimals

TOTAL_ITEM = "年度资金总额"
AMOUNT_TOLERANCE = 0.005
SUM_TOLERANCE = 1e-6


def fmt(value: float | None) -> str:
    if value is None:
        return "空"
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.2f}"


def _precision(form: FormDocument, pointer: str, value: float) -> float:
    """The step of the printed number at ``pointer`` (1 for ``98``, 0.01 for ``8.62``).

    Without provenance (a value typed in by a reviewer) the value's own decimals count.
    """
    provenance = form.provenance.get(pointer)
    text = provenance.text if provenance is not None else fmt(value)
    return 10.0 ** -decimals(text)


def _agrees(printed: float, computed: float, step: float) -> bool:
    """Equal, or within one printed step: rounding either way at the printed precision."""
    difference = abs(printed - computed)
    return difference <= SUM_TOLERANCE or difference < step - SUM_TOLERANCE


def _total_line(form: FormDocument) -> tuple[int, FundingLine] | None:
    for index, line in enumerate(form.funding.lines):
        if line.item == TOTAL_ITEM:
            return index, line
    return None


def _indicator_label(indicator: Indicator) -> str:
    return indicator.level2 or indicator.name or indicator.level1 or "?"


def _sum_message(label: str, parts: list[tuple[str, float | None]], total: float | None, total_label: str) -> str:
    terms = " + ".join(f"{name} {fmt(value)}" for name, value in parts)
    summed = sum(v for _, v in parts if v is not None)
    return f"{label}合计 {fmt(summed)} ≠ {total_label} {fmt(total)}: {terms}"


def total_score(form: FormDocument) -> Check:
    """Funding score + Σ indicator scores = the total's score."""
    rule = "total_score"
    if form.total.score is None:
        return Check(rule, "skip", "总分 row has no 得分")
    found = _total_line(form)
    parts: list[tuple[str, float | None]] = []
    if found is not None and found[1].score is not None:
        parts.append(("资金", found[1].score))
    parts += [(_indicator_label(i), i.score) for i in form.indicators]
    summed = sum(v for _, v in parts if v is not None)
    if _agrees(form.total.score, summed, _precision(form, "/total/score", form.total.score)):
        return Check(rule, "pass", f"得分合计 {fmt(summed)} = 总分 {fmt(form.total.score)}")
    return Check(rule, "fail", _sum_message("得分", parts, form.total.score, "总分"))


def total_weight(form: FormDocument) -> Check:
    """Funding weight + Σ indicator weights = the total's weight."""
    rule = "total_weight"
    if form.total.weight is None:
        return Check(rule, "skip", "总分 row has no 分值")
    found = _total_line(form)
    parts: list[tuple[str, float | None]] = []
    if found is not None and found[1].weight is not None:
        parts.append(("资金", found[1].weight))
    parts += [(_indicator_label(i), i.weight) for i in form.indicators]
    summed = sum(v for _, v in parts if v is not None)
    if abs(summed - form.total.weight) <= SUM_TOLERANCE:
        return Check(rule, "pass", f"分值合计 {fmt(summed)} = 总分分值 {fmt(form.total.weight)}")
    return Check(rule, "fail", _sum_message("分值", parts, form.total.weight, "总分分值"))


def level1_weight(form: FormDocument) -> Check:
    """Σ weights under each level-1 indicator = the weight its label declares (产出(50分))."""
    rule = "level1_weight"
    findings, declared = [], 0
    for (name, weight), group in groupby(form.indicators, key=lambda i: (i.level1, i.level1_weight)):
        if weight is None:
            continue
        declared += 1
        members = list(group)
        summed = sum(i.weight for i in members if i.weight is not None)
        if abs(summed - weight) > SUM_TOLERANCE:
            terms = " + ".join(f"{_indicator_label(i)} {fmt(i.weight)}" for i in members)
            findings.append(f"{name}: 分值合计 {fmt(summed)} ≠ 声明的 {fmt(weight)}分 ({terms})")
    if not declared:
        return Check(rule, "skip", "no level-1 label declares a weight")
    if findings:
        return Check(rule, "fail", "; ".join(findings))
    return Check(rule, "pass", f"{declared} level-1 weights agree with their indicators")


def score_within_weight(form: FormDocument) -> Check:
    """No score exceeds its weight (indicators, the funding line, the total)."""
    rule = "score_within_weight"
    over = [
        f"{_indicator_label(i)} 得分 {fmt(i.score)} > 分值 {fmt(i.weight)}"
        for i in form.indicators
        if i.score is not None and i.weight is not None and i.score > i.weight + SUM_TOLERANCE
    ]
    over += [
        f"{line.item} 得分 {fmt(line.score)} > 分值 {fmt(line.weight)}"
        for line in form.funding.lines
        if line.score is not None and line.weight is not None and line.score > line.weight + SUM_TOLERANCE
    ]
    if form.total.score is not None and form.total.weight is not None and form.total.score > form.total.weight + SUM_TOLERANCE:
        over.append(f"总分 得分 {fmt(form.total.score)} > 分值 {fmt(form.total.weight)}")
    if over:
        return Check(rule, "fail", "; ".join(over))
    return Check(rule, "pass", "every score is within its weight")


def funding_sum(form: FormDocument) -> Check:
    """年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, in each amount column."""
    rule = "funding_sum"
    found = _total_line(form)
    children = [line for line in form.funding.lines if line.item != TOTAL_ITEM]
    if found is None or not children:
        return Check(rule, "skip", "no 年度资金总额 row with 其中 rows")
    total = found[1]
    findings, compared = [], 0
    for column, label in (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"), ("executed", "全年执行数")):
        printed = getattr(total, column)
        values = [getattr(line, column) for line in children]
        if printed is None or all(v is None for v in values):
            continue
        compared += 1
        summed = sum(v for v in values if v is not None)
        if abs(summed - printed) > AMOUNT_TOLERANCE:
            terms = " + ".join(f"{line.item} {fmt(getattr(line, column))}" for line in children)
            findings.append(f"{label}: 年度资金总额 {fmt(printed)} ≠ {terms} = {fmt(summed)}")
    if not compared:
        return Check(rule, "skip", "no amounts to add up")
    if findings:
        return Check(rule, "fail", "; ".join(findings))
    return Check(rule, "pass", f"年度资金总额 equals the sum of its parts in {compared} columns")


def execution_rate(form: FormDocument) -> Check:
    """Printed 执行率 = 全年执行数 ÷ 全年预算数 × 100, at the printed precision."""
    rule = "execution_rate"
    findings, compared = [], 0
    for index, line in enumerate(form.funding.lines):
        if line.execution_rate is None:
            continue
        if line.executed is None or not line.annual_budget:
            findings.append(f"{line.item}: 执行率 {fmt(line.execution_rate)} printed but 全年预算数 is {fmt(line.annual_budget)}")
            continue
        compared += 1
        expected = line.executed / line.annual_budget * 100
        step = _precision(form, f"/funding/lines/{index}/execution_rate", line.execution_rate)
        if not _agrees(line.execution_rate, expected, step):
            findings.append(
                f"{line.item}: 执行率 {fmt(line.execution_rate)} ≠ {fmt(line.executed)} ÷ {fmt(line.annual_budget)} × 100 = {expected:.2f}"
            )
    if findings:
        return Check(rule, "fail", "; ".join(findings))
    if not compared:
        return Check(rule, "skip", "no execution rate printed")
    return Check(rule, "pass", "printed execution rates match the amounts")


def funding_score(form: FormDocument) -> Check:
    """Funding 得分 = 分值 × min(执行率, 100) / 100, rounded either way at the printed precision."""
    rule = "funding_score"
    found = _total_line(form)
    if found is None:
        return Check(rule, "skip", "no 年度资金总额 row")
    index, line = found
    if line.score is None or line.weight is None or line.execution_rate is None:
        return Check(rule, "skip", "年度资金总额 lacks 分值, 执行率 or 得分")
    expected = line.weight * min(line.execution_rate, 100.0) / 100.0
    step = _precision(form, f"/funding/lines/{index}/score", line.score)
    if _agrees(line.score, expected, step):
        return Check(rule, "pass", f"得分 {fmt(line.score)} = {fmt(line.weight)} × {fmt(line.execution_rate)}%")
    return Check(rule, "fail", f"得分 {fmt(line.score)} ≠ 分值 {fmt(line.weight)} × 执行率 {fmt(line.execution_rate)}% = {expected:.2f}")


def deviation_note(form: FormDocument) -> Check:
    """Points docked without a 偏差原因 are worth a warning."""
    rule = "deviation_note"
    missing = [
        f"{_indicator_label(i)} ({fmt(i.score)}/{fmt(i.weight)})"
        for i in form.indicators
        if i.score is not None and i.weight is not None and i.score < i.weight and not i.deviation_note
    ]
    if missing:
        return Check(rule, "warn", "points docked with no 偏差原因分析: " + "; ".join(missing))
    return Check(rule, "pass", "every docked score has a deviation note")


LOW_CONFIDENCE = 0.80
_NUMBER_OR_CODE = re.compile(
    r"^/(?:funding/lines/\d+/(?:initial_budget|annual_budget|executed|weight|execution_rate|score)"
    r"|indicators/\d+/(?:weight|score)|total/(?:weight|score)|project/(?:code|year))$"
)


def low_confidence(form: FormDocument) -> Check:
    """An OCR'd number or code read with low confidence: a human looks before anyone relies on it."""
    rule = "low_confidence"
    scored = {p: v for p, v in form.provenance.items() if v.confidence is not None}
    if not scored:
        return Check(rule, "skip", "no OCR confidences (not an OCR source)")
    doubtful = [
        f"{pointer} {value.text!r} ({value.confidence:.2f})"
        for pointer, value in scored.items()
        if _NUMBER_OR_CODE.match(pointer) and value.confidence < LOW_CONFIDENCE
    ]
    if doubtful:
        return Check(rule, "warn", f"numbers or codes read with confidence < {LOW_CONFIDENCE}: " + "; ".join(doubtful))
    return Check(rule, "pass", "every OCR'd number and code was read with good confidence")


# warnings that still send the form to a human (the others only inform)
REVIEW_WARNINGS = {"low_confidence"}

CHECKS: list[Callable[[FormDocument], Check]] = [
    total_score,
    total_weight,
    level1_weight,
    score_within_weight,
    funding_sum,
    execution_rate,
    funding_score,
    deviation_note,
    low_confidence,
]


def reconcile(form: FormDocument) -> list[Check]:
    """Run every check; a check that crashes is reported as its own failure, not raised."""
    results = []
    for check in CHECKS:
        try:
            results.append(check(form))
        except Exception as error:  # a bug in one check must not lose the form
            results.append(Check(check.__name__, "fail", f"check crashed: {type(error).__name__}: {error}"))
    return results
