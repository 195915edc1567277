"""Reconciliation: small named checks of a form's own arithmetic. They report; they never edit.

Each check takes the form document and returns one ``Check`` (pass / fail / warn / skip) with a
message a reviewer can act on, the pointers of the values it is about and the arithmetic it did
(``terms``), so nothing downstream reads a message to learn what a check found. Printed
precision comes from provenance (the raw text), so a rate printed as ``100`` is compared at
integer precision and ``86.25`` at two decimals.

Weights are the form's own (read from its cells and labels), never a template's usual ones. A
check that does not apply to a layout is ``skip`` with the reason its template gives. Known
data-quality traps have their own named checks instead of setting off false alarms in others:
a 其中 funding row repeating the funding score, 其中 indicator rows carrying points their parent
already carries (counted once, from the parent), template placeholders left in, a 年度资金总额
row printed as zeros while its 其中 rows are filled.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.model import pointer as ptr
from pipeline.model.document import PLACEHOLDER_DROPPED, Check, CheckStatus, FormDocument, Indicator, Op, Term
from pipeline.model.pointer import TOTAL_ITEM, counted_indices, has_points, total_line
from pipeline.parse.template import UNKNOWN, grade_bands, not_applicable
from pipeline.model.values import decimals, parse_number
from pipeline.model.vocabulary import LEVEL1_NAMES, LEVEL2_NAMES, NOT_APPLICABLE, cut_name_of, family_of, in_another_block, is_header_label, is_nature, is_placeholder, normalise

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
AMOUNT_TOLERANCE = 0.005
SUM_TOLERANCE = 1e-6
AMOUNT_LABELS = (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"), ("executed", "全年执行数"))


def fmt(value: float | None) -> str:
    if value is None:
        return "空"
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.2f}"


def _computed(value: float) -> float:
    """A computed value as a term records it: without the float noise of its arithmetic."""
    return round(value, 9)


def _at_fault(terms: list[Term]) -> list[str]:
    """The pointers of the terms that do not hold (each's operands, then the value compared)."""
    return _pointers_of([term for term in terms if not term.holds])


def _pointers_of(terms: list[Term]) -> list[str]:
    return list(dict.fromkeys(p for term in terms for p in [*term.parts, term.at]))


def _result(rule: str, terms: list[Term], passed: str, failed: str | None) -> Check:
    """A check of arithmetic: failed (``failed`` is its message) with the values at fault, else
    passed with the values it compared."""
    if failed is not None:
        return Check(rule, FAIL, failed, _at_fault(terms), terms)
    return Check(rule, PASS, passed, _pointers_of(terms), terms)


def _precision(form: FormDocument, pointer: str, value: float) -> float:
    """The step of the printed number at ``pointer`` (1 for ``98``, 0.01 for ``8.62``).

    Without provenance, or for a value a reviewer corrected, the value's own decimals count.
    """
    provenance = form.provenance.get(pointer)
    corrected = any(c.field == pointer for c in form.corrections)
    text = provenance.text if provenance is not None and not corrected else fmt(value)
    return 10.0 ** -decimals(text)


def _agrees(printed: float, computed: float, step: float) -> bool:
    """Equal, or within one printed step: rounding either way at the printed precision."""
    difference = abs(printed - computed)
    return difference <= SUM_TOLERANCE or difference < step - SUM_TOLERANCE


def _zero_total(form: FormDocument) -> bool:
    """年度资金总额 printed as zeros while a 其中 row has an amount."""
    found = total_line(form)
    if found is None:
        return False
    columns = ("initial_budget", "annual_budget", "executed")
    printed = [getattr(found[1], c) for c in columns if getattr(found[1], c) is not None]
    filled = any(getattr(line, c) for line in form.funding.lines if line.item != TOTAL_ITEM for c in columns)
    return bool(printed) and all(v == 0 for v in printed) and filled


def _indicator_label(indicator: Indicator) -> str:
    return indicator.level2 or indicator.name or indicator.level1 or "?"


def _sum_message(label: str, parts: list[tuple[str, float | None]], total: float | None, total_label: str) -> str:
    terms = " + ".join(f"{name} {fmt(value)}" for name, value in parts)
    summed = sum(v for _, v in parts if v is not None)
    return f"{label}合计 {fmt(summed)} ≠ {total_label} {fmt(total)}: {terms}"


def _points_sum(form: FormDocument, column: str) -> list[tuple[str, str, float | None]]:
    """(pointer, name, value) of what adds up to the total's ``column`` (score or weight): the
    funding line's, when printed, and every counted indicator's."""
    parts: list[tuple[str, str, float | None]] = []
    found = total_line(form)
    if found is not None and getattr(found[1], column) is not None:
        parts.append((ptr.funding(found[0], column), "资金", getattr(found[1], column)))
    parts += [(ptr.indicator(i, column), _indicator_label(form.indicators[i]), getattr(form.indicators[i], column)) for i in counted_indices(form)]
    return parts


def total_score(form: FormDocument) -> Check:
    """Funding score + Σ indicator scores = the total's score."""
    rule = "total_score"
    if form.total.score is None:  # every layout prints a total: one not read is a value lost, not a pass
        return Check(rule, FAIL, "no 得分 read on a 总分 row: the total was not found or could not be read", [ptr.total("score")])
    parts = _points_sum(form, "score")
    summed = sum(v for _, _, v in parts if v is not None)
    holds = _agrees(form.total.score, summed, _precision(form, ptr.total("score"), form.total.score))
    term = Term(Op.SUM, ptr.total("score"), [p for p, _, _ in parts], _computed(summed), form.total.score, holds)
    return _result(rule, [term], f"得分合计 {fmt(summed)} = 总分 {fmt(form.total.score)}", None if holds else _sum_message("得分", [(name, v) for _, name, v in parts], form.total.score, "总分"))


def total_weight(form: FormDocument) -> Check:
    """Funding weight + Σ indicator weights = the total's weight."""
    rule = "total_weight"
    if form.total.weight is None:
        return Check(rule, SKIP, "总分 row has no 分值")
    parts = _points_sum(form, "weight")
    groups = ptr.level1_groups(form)
    if groups and all(v is None for p, _, v in parts if p.startswith("/indicators/")) and all(g.weight is not None for g in groups):
        # no indicator prints a 分值, every level-1 label declares one (湖北's 20 + 80: 产出指标(60分)): they stand for their rows'
        parts = [part for part in parts if not part[0].startswith("/indicators/")] + [(ptr.indicator(g.indices[0], "level1_weight"), g.name or "一级指标", g.weight) for g in groups]
    summed = sum(v for _, _, v in parts if v is not None)
    holds = abs(summed - form.total.weight) <= SUM_TOLERANCE
    term = Term(Op.SUM, ptr.total("weight"), [p for p, _, _ in parts], _computed(summed), form.total.weight, holds)
    return _result(
        rule, [term], f"分值合计 {fmt(summed)} = 总分分值 {fmt(form.total.weight)}", None if holds else _sum_message("分值", [(name, v) for _, name, v in parts], form.total.weight, "总分分值")
    )


def level1_weight(form: FormDocument) -> Check:
    """Σ weights under each level-1 indicator = the weight its label declares (产出(50分))."""
    rule = "level1_weight"
    findings, terms = [], []
    for group in ptr.level1_groups(form):
        if group.weight is None:
            continue
        members = [form.indicators[i] for i in group.indices]
        if all(i.weight is None for i in members):
            continue  # its rows print no 分值: nothing to add up (the total's weight takes the label's)
        summed = sum(i.weight for i in members if i.weight is not None)
        holds = abs(summed - group.weight) <= SUM_TOLERANCE
        terms.append(Term(Op.SUM, ptr.indicator(group.indices[0], "level1_weight"), [ptr.indicator(i, "weight") for i in group.indices], _computed(summed), group.weight, holds))
        if not holds:
            described = " + ".join(f"{_indicator_label(i)} {fmt(i.weight)}" for i in members)
            findings.append(f"{group.name}: 分值合计 {fmt(summed)} ≠ 声明的 {fmt(group.weight)}分 ({described})")
    if not terms:
        return Check(rule, SKIP, "no level-1 label declares a weight over rows that print one")
    return _result(rule, terms, f"{len(terms)} level-1 weights agree with their indicators", "; ".join(findings) if findings else None)


def score_within_weight(form: FormDocument) -> Check:
    """No score exceeds its weight (indicators, the funding line, the total)."""
    rule = "score_within_weight"
    over: list[tuple[str, Term]] = []

    def compare(name: str, score: float | None, weight: float | None, at: str, bound: str) -> None:
        if score is not None and weight is not None and score > weight + SUM_TOLERANCE:
            over.append((f"{name} 得分 {fmt(score)} > 分值 {fmt(weight)}", Term(Op.AT_MOST, at, [bound], weight, score, False)))

    for index, indicator in enumerate(form.indicators):
        compare(_indicator_label(indicator), indicator.score, indicator.weight, ptr.indicator(index, "score"), ptr.indicator(index, "weight"))
    for index, line in enumerate(form.funding.lines):
        compare(line.item, line.score, line.weight, ptr.funding(index, "score"), ptr.funding(index, "weight"))
    compare("总分", form.total.score, form.total.weight, ptr.total("score"), ptr.total("weight"))
    if over:
        terms = [term for _, term in over]
        return Check(rule, FAIL, "; ".join(finding for finding, _ in over), _at_fault(terms), terms)
    return Check(rule, PASS, "every score is within its weight")


def funding_sum(form: FormDocument) -> Check:
    """年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, in each amount column."""
    rule = "funding_sum"
    found = total_line(form)
    children = [(index, line) for index, line in enumerate(form.funding.lines) if line.item != TOTAL_ITEM]
    if found is None or not children:
        return Check(rule, SKIP, "no 年度资金总额 row with 其中 rows")
    if _zero_total(form):
        return Check(rule, SKIP, "年度资金总额 is printed as zeros while its 其中 rows are filled (see zero_funding_total)")
    total_index, total = found
    findings, terms = [], []
    for column, label in AMOUNT_LABELS:
        printed = getattr(total, column)
        values = [getattr(line, column) for _, line in children]
        if printed is None or all(v is None for v in values):
            continue
        summed = sum(v for v in values if v is not None)
        holds = abs(summed - printed) <= AMOUNT_TOLERANCE
        terms.append(Term(Op.SUM, ptr.funding(total_index, column), [ptr.funding(i, column) for i, _ in children], _computed(summed), printed, holds))
        if not holds:
            described = " + ".join(f"{line.item} {fmt(getattr(line, column))}" for _, line in children)
            findings.append(f"{label}: 年度资金总额 {fmt(printed)} ≠ {described} = {fmt(summed)}")
    if not terms:
        return Check(rule, SKIP, "no amounts to add up")
    return _result(rule, terms, f"年度资金总额 equals the sum of its parts in {len(terms)} columns", "; ".join(findings) if findings else None)


def execution_rate(form: FormDocument) -> Check:
    """Printed 执行率 = 全年执行数 ÷ 全年预算数 × 100, at the printed precision."""
    rule = "execution_rate"
    findings, terms = [], []
    zero_total = _zero_total(form)
    for index, line in enumerate(form.funding.lines):
        if line.execution_rate is None or zero_total and line.item == TOTAL_ITEM:
            continue
        at, parts = ptr.funding(index, "execution_rate"), [ptr.funding(index, "executed"), ptr.funding(index, "annual_budget")]
        if line.executed is None or not line.annual_budget:
            terms.append(Term(Op.RATE, at, parts, None, line.execution_rate, False))
            findings.append(f"{line.item}: 执行率 {fmt(line.execution_rate)} printed but 全年预算数 is {fmt(line.annual_budget)}")
            continue
        expected = line.executed / line.annual_budget * 100
        holds = _agrees(line.execution_rate, expected, _precision(form, at, line.execution_rate))
        terms.append(Term(Op.RATE, at, parts, _computed(expected), line.execution_rate, holds))
        if not holds:
            findings.append(f"{line.item}: 执行率 {fmt(line.execution_rate)} ≠ {fmt(line.executed)} ÷ {fmt(line.annual_budget)} × 100 = {expected:.2f}")
    if findings:
        return Check(rule, FAIL, "; ".join(findings), _at_fault(terms), terms)
    if not terms:
        return Check(rule, SKIP, "no execution rate printed")
    return Check(rule, PASS, "printed execution rates match the amounts", _pointers_of(terms), terms)


def funding_score(form: FormDocument) -> Check:
    """Funding 得分 = 分值 × min(执行率, 100) / 100, rounded either way at the printed precision."""
    rule = "funding_score"
    found = total_line(form)
    if found is None:
        return Check(rule, SKIP, "no 年度资金总额 row")
    index, line = found
    if line.score is None or line.weight is None or line.execution_rate is None:
        return Check(rule, SKIP, "年度资金总额 lacks 分值, 执行率 or 得分")
    expected = line.weight * min(line.execution_rate, 100.0) / 100.0
    at = ptr.funding(index, "score")
    holds = _agrees(line.score, expected, _precision(form, at, line.score))
    term = Term(Op.SHARE, at, [ptr.funding(index, "weight"), ptr.funding(index, "execution_rate")], _computed(expected), line.score, holds)
    return _result(
        rule,
        [term],
        f"得分 {fmt(line.score)} = {fmt(line.weight)} × {fmt(line.execution_rate)}%",
        None if holds else f"得分 {fmt(line.score)} ≠ 分值 {fmt(line.weight)} × 执行率 {fmt(line.execution_rate)}% = {expected:.2f}",
    )


def deviation_note(form: FormDocument) -> Check:
    """Points docked without a 偏差原因 are worth a warning."""
    rule = "deviation_note"
    docked = [(index, i) for index, i in enumerate(form.indicators) if i.score is not None and i.weight is not None and i.score < i.weight and not i.deviation_note]
    if docked:
        return Check(
            rule,
            WARN,
            "points docked with no 偏差原因分析: " + "; ".join(f"{_indicator_label(i)} ({fmt(i.score)}/{fmt(i.weight)})" for _, i in docked),
            [ptr.indicator(index, key) for index, _ in docked for key in ("weight", "score")],
        )
    return Check(rule, PASS, "every docked score has a deviation note")


def repeated_funding_score(form: FormDocument) -> Check:
    """A 其中 funding row carrying 分值/得分: the funding score counts once, from 年度资金总额."""
    rule = "repeated_funding_score"
    found = total_line(form)
    carrying = [(index, line) for index, line in enumerate(form.funding.lines) if line.item != TOTAL_ITEM and has_points(line)]
    if not carrying:
        return Check(rule, PASS, "no 其中 funding row carries 分值 or 得分")
    total = found[1] if found is not None else None
    parts = []
    for _, line in carrying:
        same = total is not None and (line.weight, line.score) == (total.weight, total.score)
        parts.append(f"{line.item} {fmt(line.weight)}/{fmt(line.score)}" + (" (repeats 年度资金总额's)" if same else ""))
    return Check(
        rule, WARN, "其中 funding rows carry 分值/得分, counted only once, from 年度资金总额: " + "; ".join(parts), [ptr.funding(index, key) for index, _ in carrying for key in ("weight", "score")]
    )


def double_counted_indicator(form: FormDocument) -> Check:
    """其中 indicator rows carrying points their parent row carries too: counted once, from the parent."""
    rule = "double_counted_indicator"
    pairs = ptr.children(form)
    rows = form.indicators
    doubled = [(child, parent) for child, parent in pairs if parent is not None and has_points(rows[parent]) and has_points(rows[child])]
    if doubled:
        described = "; ".join(
            f"{rows[child].name} ({fmt(rows[child].score)}/{fmt(rows[child].weight)}) under {rows[parent].name} ({fmt(rows[parent].score)}/{fmt(rows[parent].weight)})"
            for child, parent in doubled
            if parent is not None
        )
        pointers = [ptr.indicator(index, key) for child, parent in doubled if parent is not None for index in (child, parent) for key in ("weight", "score")]
        return Check(
            rule, WARN, "rows detailing a parent (其中…, or 1、 under 一、) carry points their parent carries too, so the sums count the parent only: " + described, list(dict.fromkeys(pointers))
        )
    if pairs:
        return Check(rule, PASS, f"{len(pairs)} 其中 row(s) carry no points of their own")
    return Check(rule, PASS, "no 其中 indicator rows")


def placeholder_rows(form: FormDocument) -> Check:
    """Template placeholders (指标1, ……) left in: dropped when empty, reported either way."""
    rule = "placeholder_rows"
    dropped = [f"{row.text} (page {row.page})" for row in form.dropped_rows if row.reason == PLACEHOLDER_DROPPED]
    kept = [(index, i) for index, i in enumerate(form.indicators) if is_placeholder(i.name)]
    if not dropped and not kept:
        return Check(rule, PASS, "no template placeholders left in")
    parts = []
    if dropped:
        parts.append("dropped, nothing filled in: " + ", ".join(dropped))
    if kept:
        parts.append("kept, values printed under a placeholder name: " + ", ".join(f"{i.name} ({fmt(i.score)}/{fmt(i.weight)})" for _, i in kept))
    return Check(rule, WARN, "template placeholders left in; " + "; ".join(parts), [ptr.indicator(index, "name") for index, _ in kept])


def zero_funding_total(form: FormDocument) -> Check:
    """年度资金总额 printed as 0 while its 其中 rows are filled: the total row was left unfilled."""
    rule = "zero_funding_total"
    found = total_line(form)
    if found is None:
        return Check(rule, SKIP, "no 年度资金总额 row")
    if not _zero_total(form):
        return Check(rule, PASS, "年度资金总额 is not a row of zeros over filled 其中 rows")
    total_index, total = found
    sums, terms = [], []
    for column, label in AMOUNT_LABELS:
        filled = [(index, getattr(line, column)) for index, line in enumerate(form.funding.lines) if line.item != TOTAL_ITEM and getattr(line, column) is not None]
        if filled:
            summed = sum(v for _, v in filled)
            sums.append(f"{label} {fmt(summed)}")
            printed = getattr(total, column)
            holds = printed is not None and abs(summed - printed) <= AMOUNT_TOLERANCE
            terms.append(Term(Op.SUM, ptr.funding(total_index, column), [ptr.funding(i, column) for i, _ in filled], _computed(summed), printed, holds))
    return Check(
        rule, WARN, "年度资金总额 is printed as 0 while its 其中 rows add up to " + ", ".join(sums) + "; funding_sum and its execution rate are not checked against it", _at_fault(terms), terms
    )


def grade(form: FormDocument) -> Check:
    """The grade printed after the total (优/良/中/差) is the one the total score earns."""
    rule = "grade"
    if form.total.grade is None:
        return Check(rule, SKIP, "no grade printed after 总分")
    if form.total.score is None:
        return Check(rule, SKIP, "总分 has no 得分 to grade")
    bands = sorted(grade_bands(form.template).items(), key=lambda band: -band[1])
    printed = normalise(form.total.grade)
    at, parts = ptr.total("grade"), [ptr.total("score")]
    if printed not in dict(bands):
        term = Term(Op.GRADE, at, parts, None, form.total.grade, False)
        return Check(rule, FAIL, f"grade {form.total.grade!r} is none of {'/'.join(name for name, _ in bands)}", _at_fault([term]), [term])
    earned = next((name for name, lowest in bands if form.total.score >= lowest - SUM_TOLERANCE), bands[-1][0])
    term = Term(Op.GRADE, at, parts, earned, printed, printed == earned)
    return _result(
        rule,
        [term],
        f"总分 {fmt(form.total.score)} is graded {earned}",
        None if term.holds else f"grade {printed} printed, but 总分 {fmt(form.total.score)} earns {earned} (" + ", ".join(f"{name} ≥ {fmt(lowest)}" for name, lowest in bands) + ")",
    )


def indicator_levels(form: FormDocument) -> Check:
    """Every indicator row sits under a level-1 name, and under a level-2 name where the form prints
    them: a row without one was not placed in its block (a merge that was not rebuilt). A 二级指标
    the vocabulary places under another 一级指标 (数量指标 under 满意度指标) was misplaced."""
    rule = "indicator_levels"
    if not form.indicators:
        return Check(rule, SKIP, "no indicator rows")
    has_level2 = any(indicator.level2 for indicator in form.indicators)
    problems, pointers = [], []
    for index, indicator in enumerate(form.indicators):
        # no 三级指标 is printed on 不适用 rows: a name is not required
        lacking = [(label, key) for label, key, value, expected in (("一级指标", "level1", indicator.level1, True), ("二级指标", "level2", indicator.level2, has_level2)) if expected and not value]
        if lacking:
            problems.append(f"{ptr.indicator(index)} {indicator.name or indicator.target or '?'}: no {'/'.join(label for label, _ in lacking)}")
            pointers += [ptr.indicator(index, key) for _, key in lacking]
        if in_another_block(indicator.level1, indicator.level2):
            problems.append(f"{ptr.indicator(index)} {indicator.name or '?'}: {indicator.level2} is a {family_of(indicator.level2 or '', LEVEL2_NAMES)} 二级指标, placed under {indicator.level1}")
            pointers += [ptr.indicator(index, "level1"), ptr.indicator(index, "level2")]
    if problems:
        return Check(rule, FAIL, "indicator rows not placed in their block: " + "; ".join(problems), pointers)
    return Check(rule, PASS, "every indicator row has its 一级指标 and 二级指标")


def points_read(form: FormDocument) -> Check:
    """Where the indicator rows carry points, a row with neither 分值 nor 得分 was not lined up with
    its columns (a row split by a page break read as two, a shifted row). Rows that detail a parent
    (其中, 1、 under 一、) carry none by design, and 不适用 rows print 0."""
    rule = "points_read"
    children = {child for child, _ in ptr.children(form)}
    own = [(index, indicator) for index, indicator in enumerate(form.indicators) if index not in children]
    with_points = [indicator for _, indicator in own if indicator.weight is not None or indicator.score is not None]
    if len(with_points) < 2:
        return Check(rule, SKIP, "the indicator rows carry no points")
    missing = [(index, indicator) for index, indicator in own if indicator.weight is None and indicator.score is None and not _not_applicable(indicator)]
    if missing:
        return Check(
            rule,
            FAIL,
            "indicator rows without 分值 or 得分 where the others carry them: " + "; ".join(f"{ptr.indicator(index)} {indicator.name or indicator.level2 or '?'}" for index, indicator in missing),
            [ptr.indicator(index, key) for index, _ in missing for key in ("weight", "score")],
        )
    return Check(rule, PASS, "every indicator row carries its points")


def _not_applicable(indicator: Indicator) -> bool:
    """A 不适用 row: it may leave its points blank or write a dash."""
    return any(normalise(value or "") in NOT_APPLICABLE for value in (indicator.name, indicator.target, indicator.actual))


def header_in_values(form: FormDocument) -> Check:
    """A value that is itself a header label (绩效指标, 得分, 实际完成值) is header text that leaked
    into the values: the rows were not lined up with their header."""
    rule = "header_in_values"
    leaked = [(pointer, value) for pointer, value in text_values(form) if is_header_label(value)]
    if leaked:
        return Check(rule, FAIL, "header labels read as values: " + "; ".join(f"{pointer} {value!r}" for pointer, value in leaked), [pointer for pointer, _ in leaked])
    return Check(rule, PASS, "no header label read as a value")


def text_values(form: FormDocument) -> list[tuple[str, str]]:
    """Every text value read from the form's cells, with its pointer."""
    found = [(ptr.project(key), value) for key, value in vars(form.project).items() if isinstance(value, str)]
    for key in ("expected", "actual"):
        found += [(ptr.goal(key, i), item) for i, item in enumerate(getattr(form.goals, key))]
    for index, indicator in enumerate(form.indicators):
        found += [(ptr.indicator(index, key), getattr(indicator, key)) for key in ("level2", "name", "target", "actual", "deviation_note") if isinstance(getattr(indicator, key), str)]
    return found


def level_names_whole(form: FormDocument) -> Check:
    """No 一级指标 or 二级指标 name is only the start of a known one (可持续影 for 可持续影响指标):
    a label cut by a page break, or by a cell too small for its text, is read as printed and
    would pass every other check."""
    rule = "level_names_whole"
    cut: dict[str, tuple[str, list[str]]] = {}
    for index, indicator in enumerate(form.indicators):
        for key, table in (("level1", LEVEL1_NAMES), ("level2", LEVEL2_NAMES)):
            name = getattr(indicator, key)
            whole = cut_name_of(name, table) if name else None
            if name and whole:
                cut.setdefault(name, (whole, []))[1].append(ptr.indicator(index, key))
    if cut:
        return Check(rule, FAIL, "level names cut short: " + "; ".join(f"{name!r} (the start of {whole})" for name, (whole, _) in cut.items()), [p for _, pointers in cut.values() for p in pointers])
    return Check(rule, PASS, "every level name is whole")


def nature_read(form: FormDocument) -> Check:
    """On a form that prints 指标性质 (≥ ≤ =), a row with a numeric target but no sign read: the
    sign was printed and lost (an OCR'd ═ read as a dash), or the row lines up wrongly. And an
    OCR'd 指标性质 that is no sign or direction word: a 100 dpi ≧ was read M at 0.84."""
    rule = "nature_read"
    if not any(indicator.nature for indicator in form.indicators):
        return Check(rule, SKIP, "the form prints no 指标性质")
    missing = [(index, indicator) for index, indicator in enumerate(form.indicators) if not indicator.nature and indicator.target is not None and parse_number(indicator.target).value is not None]
    misread = [(index, indicator) for index, indicator in enumerate(form.indicators) if indicator.nature and _ocr_read(form, ptr.indicator(index, "nature")) and not is_nature(indicator.nature)]
    faults: list[str] = []
    pointers: list[str] = []
    if missing:
        faults.append("numeric targets without a 指标性质 sign: " + "; ".join(f"{ptr.indicator(index, 'nature')} ({indicator.name or '?'}: {indicator.target})" for index, indicator in missing))
        pointers += [ptr.indicator(index, key) for index, _ in missing for key in ("nature", "target")]
    if misread:
        faults.append("指标性质 read as no sign or direction word: " + "; ".join(f"{ptr.indicator(index, 'nature')} {indicator.nature!r}" for index, indicator in misread))
        pointers += [ptr.indicator(index, "nature") for index, _ in misread]
    if faults:
        return Check(rule, FAIL, "; ".join(faults), pointers)
    return Check(rule, PASS, "every numeric target has its 指标性质")


def _ocr_read(form: FormDocument, pointer: str) -> bool:
    where = form.provenance.get(pointer)
    return where is not None and where.confidence is not None


def layout_known(form: FormDocument) -> Check:
    """The form's layout is one a template describes; an unknown one is read with the base vocabulary only."""
    rule = "layout_known"
    if form.template == UNKNOWN:
        return Check(rule, FAIL, "layout not recognised by any template (pipeline/parse/templates): values read by what its headers mean; its cell grid is saved beside the JSON")
    return Check(rule, PASS, f"layout {form.template}")


def title_found(form: FormDocument) -> Check:
    """The form's title was read: every form prints one above its table, and a form found by its
    headers alone lost it — on a photo cut off above the table, or read as noise."""
    rule = "title_found"
    if form.title is None:
        return Check(rule, FAIL, "no title read above the table: a printed title was lost or not recognised", ["/title"])
    return Check(rule, PASS, "title read")


LOW_CONFIDENCE = 0.80


def low_confidence(form: FormDocument) -> Check:
    """An OCR'd value read with low confidence — a number or code, or a text two engines read
    differently (``extract.confirm_texts``): a human looks before anyone relies on it."""
    rule = "low_confidence"
    reviewed = {c.field for c in form.corrections}  # a reviewer has looked at these (corrected or confirmed)
    scored = {p: v for p, v in form.provenance.items() if v.confidence is not None and p not in reviewed}
    if not scored:
        return Check(rule, SKIP, "no OCR confidences (not an OCR source)")
    doubtful = [(pointer, value) for pointer, value in scored.items() if value.confidence is not None and value.confidence < LOW_CONFIDENCE]
    if doubtful:
        return Check(
            rule,
            WARN,
            f"values read with confidence < {LOW_CONFIDENCE}: " + "; ".join(f"{pointer} {value.text!r} ({value.confidence:.2f})" for pointer, value in doubtful),
            [pointer for pointer, _ in doubtful],
        )
    return Check(rule, PASS, "every OCR'd value was read with good confidence")


UNREADABLE_PREFIX = "printed but unreadable, kept as null: "


def values_readable(problems: list[tuple[str, str]]) -> Check:
    """Values printed but unreadable, kept as null, from what the parser reported: (pointer, why)
    each, one term each (a reading that gave no value)."""
    terms = [Term(Op.READ, pointer, [], None, None, False, note=why) for pointer, why in problems]
    return Check("values_readable", FAIL, UNREADABLE_PREFIX + "; ".join(f"{pointer}: {why}" for pointer, why in problems), list(dict.fromkeys(pointer for pointer, _ in problems)), terms)


def pages_joined(form: FormDocument) -> Check:
    """A form whose later pages are files of their own (``Source.continued_in``) was joined to them
    by their order in the folder, which proves nothing: a page of another form, whose first page
    is missing, would join as well. Its 总分 adding up over the indicators of every file confirms it."""
    files = "、".join([form.source.file] + [later.file for later in form.source.continued_in])
    score = total_score(form)
    if score.status == PASS:
        return Check("pages_joined", PASS, f"pages of {files}, joined by their order in their folder: the scores of all add up to the 总分", score.pointers, score.terms)
    later = "、".join(later.file for later in form.source.continued_in)
    return Check("pages_joined", FAIL, f"pages of {files}, joined by their order in their folder, and no 总分 adding up over them confirms they are one form's: check that {later} goes on this form")


def structure_read(unread: list[str]) -> Check:
    """What the form prints that the parser could not place (columns, rows): no value holds it, so
    the check names no pointer."""
    return Check("structure_read", FAIL, "printed but not read: " + "; ".join(unread))


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
    repeated_funding_score,
    double_counted_indicator,
    placeholder_rows,
    zero_funding_total,
    grade,
    indicator_levels,
    points_read,
    header_in_values,
    nature_read,
    level_names_whole,
    layout_known,
    title_found,
]


def reconcile(form: FormDocument) -> list[Check]:
    """Run every check; a check that crashes is reported as its own failure, not raised. A check
    the form's template says does not apply to its layout is skipped with the template's reason."""
    results = []
    skipped = not_applicable(form.template)
    for check in CHECKS:
        if check.__name__ in skipped:
            results.append(Check(check.__name__, SKIP, f"not applicable to the {form.template} layout: {skipped[check.__name__]}" if form.template != UNKNOWN else skipped[check.__name__]))
            continue
        try:
            results.append(check(form))
        except Exception as error:  # a bug in one check must not lose the form
            results.append(Check(check.__name__, FAIL, f"check crashed: {type(error).__name__}: {error}"))
    return results
