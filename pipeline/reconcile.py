"""Reconciliation: small named checks of a form's own arithmetic. They report; they never edit.

Each check takes the form document and returns one ``Check`` (pass / fail / warn / skip) with a
message a reviewer can act on. Printed precision comes from provenance (the raw text), so a
rate printed as ``100`` is compared at integer precision and ``86.25`` at two decimals.

Weights are the form's own (read from its cells and labels), never a template's usual ones. A
check that does not apply to a layout is ``skip`` with the reason its template gives. Known
data-quality traps have their own named checks instead of setting off false alarms in others:
a 其中 funding row repeating the funding score, 其中 indicator rows carrying points their parent
already carries (counted once, from the parent), template placeholders left in, a 年度资金总额
row printed as zeros while its 其中 rows are filled.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from .document import PLACEHOLDER_DROPPED, Check, FormDocument, FundingLine, Indicator
from .template import UNKNOWN, grade_bands, not_applicable
from .values import decimals, parse_number
from .vocabulary import NOT_APPLICABLE, is_child_row, is_header_label, is_numbered_child, is_numbered_parent, is_placeholder, normalise

TOTAL_ITEM = "年度资金总额"
AMOUNT_TOLERANCE = 0.005
SUM_TOLERANCE = 1e-6


def fmt(value: float | None) -> str:
    if value is None:
        return "空"
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.2f}"


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


def _total_line(form: FormDocument) -> tuple[int, FundingLine] | None:
    for index, line in enumerate(form.funding.lines):
        if line.item == TOTAL_ITEM:
            return index, line
    return None


def _has_points(item: Indicator | FundingLine) -> bool:
    return bool(item.weight) or bool(item.score)


def _children(form: FormDocument) -> list[tuple[Indicator, Indicator | None]]:
    """Each row detailing another with its parent: a 其中 row, under the nearest row above that is
    not one; a numbered 1、/(1) row, under the nearest 一、 row above it in its level-1 block."""
    pairs: list[tuple[Indicator, Indicator | None]] = []
    parent: Indicator | None = None
    numbered_parent: Indicator | None = None
    for indicator in form.indicators:
        if numbered_parent is not None and numbered_parent.level1 != indicator.level1:
            numbered_parent = None
        if is_child_row(indicator.name):
            pairs.append((indicator, parent))
            continue
        if is_numbered_parent(indicator.name):
            numbered_parent = indicator
        elif numbered_parent is not None and is_numbered_child(indicator.name):
            pairs.append((indicator, numbered_parent))
            continue
        parent = indicator
    return pairs


def counted_indices(form: FormDocument) -> list[int]:
    """The indices of the indicator rows whose points count: a 其中 row's points are its parent's
    when the parent carries points too (double counting, reported by double_counted_indicator).
    Every sum over indicators (checks, suggestions, the report) counts these rows and no others."""
    repeated = {id(child) for child, parent in _children(form) if parent is not None and _has_points(parent)}
    return [index for index, indicator in enumerate(form.indicators) if id(indicator) not in repeated]


def _counted(form: FormDocument) -> list[Indicator]:
    return [form.indicators[index] for index in counted_indices(form)]


def _zero_total(form: FormDocument) -> bool:
    """年度资金总额 printed as zeros while a 其中 row has an amount."""
    found = _total_line(form)
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


def total_score(form: FormDocument) -> Check:
    """Funding score + Σ indicator scores = the total's score."""
    rule = "total_score"
    if form.total.score is None:  # every layout prints a total: one not read is a value lost, not a pass
        return Check(rule, "fail", "no 得分 read on a 总分 row: the total was not found or could not be read")
    found = _total_line(form)
    parts: list[tuple[str, float | None]] = []
    if found is not None and found[1].score is not None:
        parts.append(("资金", found[1].score))
    parts += [(_indicator_label(i), i.score) for i in _counted(form)]
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
    parts += [(_indicator_label(i), i.weight) for i in _counted(form)]
    summed = sum(v for _, v in parts if v is not None)
    if abs(summed - form.total.weight) <= SUM_TOLERANCE:
        return Check(rule, "pass", f"分值合计 {fmt(summed)} = 总分分值 {fmt(form.total.weight)}")
    return Check(rule, "fail", _sum_message("分值", parts, form.total.weight, "总分分值"))


def level1_weight(form: FormDocument) -> Check:
    """Σ weights under each level-1 indicator = the weight its label declares (产出(50分))."""
    rule = "level1_weight"
    findings, declared = [], 0
    for (name, weight), group in groupby(_counted(form), key=lambda i: (i.level1, i.level1_weight)):
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
    if _zero_total(form):
        return Check(rule, "skip", "年度资金总额 is printed as zeros while its 其中 rows are filled (see zero_funding_total)")
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
    zero_total = _zero_total(form)
    for index, line in enumerate(form.funding.lines):
        if line.execution_rate is None or zero_total and line.item == TOTAL_ITEM:
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


def repeated_funding_score(form: FormDocument) -> Check:
    """A 其中 funding row carrying 分值/得分: the funding score counts once, from 年度资金总额."""
    rule = "repeated_funding_score"
    found = _total_line(form)
    carrying = [line for line in form.funding.lines if line.item != TOTAL_ITEM and _has_points(line)]
    if not carrying:
        return Check(rule, "pass", "no 其中 funding row carries 分值 or 得分")
    total = found[1] if found is not None else None
    parts = []
    for line in carrying:
        same = total is not None and (line.weight, line.score) == (total.weight, total.score)
        parts.append(f"{line.item} {fmt(line.weight)}/{fmt(line.score)}" + (" (repeats 年度资金总额's)" if same else ""))
    return Check(rule, "warn", "其中 funding rows carry 分值/得分, counted only once, from 年度资金总额: " + "; ".join(parts))


def double_counted_indicator(form: FormDocument) -> Check:
    """其中 indicator rows carrying points their parent row carries too: counted once, from the parent."""
    rule = "double_counted_indicator"
    pairs = _children(form)
    doubled = [(child, parent) for child, parent in pairs if parent is not None and _has_points(parent) and _has_points(child)]
    if doubled:
        described = "; ".join(
            f"{child.name} ({fmt(child.score)}/{fmt(child.weight)}) under {parent.name} ({fmt(parent.score)}/{fmt(parent.weight)})"
            for child, parent in doubled
            if parent is not None
        )
        return Check(rule, "warn", "rows detailing a parent (其中…, or 1、 under 一、) carry points their parent carries too, so the sums count the parent only: " + described)
    if pairs:
        return Check(rule, "pass", f"{len(pairs)} 其中 row(s) carry no points of their own")
    return Check(rule, "pass", "no 其中 indicator rows")


def placeholder_rows(form: FormDocument) -> Check:
    """Template placeholders (指标1, ……) left in: dropped when empty, reported either way."""
    rule = "placeholder_rows"
    dropped = [f"{row.text} (page {row.page})" for row in form.dropped_rows if row.reason == PLACEHOLDER_DROPPED]
    kept = [f"{i.name} ({fmt(i.score)}/{fmt(i.weight)})" for i in form.indicators if is_placeholder(i.name)]
    if not dropped and not kept:
        return Check(rule, "pass", "no template placeholders left in")
    parts = []
    if dropped:
        parts.append("dropped, nothing filled in: " + ", ".join(dropped))
    if kept:
        parts.append("kept, values printed under a placeholder name: " + ", ".join(kept))
    return Check(rule, "warn", "template placeholders left in; " + "; ".join(parts))


def zero_funding_total(form: FormDocument) -> Check:
    """年度资金总额 printed as 0 while its 其中 rows are filled: the total row was left unfilled."""
    rule = "zero_funding_total"
    found = _total_line(form)
    if found is None:
        return Check(rule, "skip", "no 年度资金总额 row")
    if not _zero_total(form):
        return Check(rule, "pass", "年度资金总额 is not a row of zeros over filled 其中 rows")
    sums = []
    for column, label in (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"), ("executed", "全年执行数")):
        values = [getattr(line, column) for line in form.funding.lines if line.item != TOTAL_ITEM and getattr(line, column) is not None]
        if values:
            sums.append(f"{label} {fmt(sum(values))}")
    return Check(rule, "warn", "年度资金总额 is printed as 0 while its 其中 rows add up to " + ", ".join(sums)
                 + "; funding_sum and its execution rate are not checked against it")


def grade(form: FormDocument) -> Check:
    """The grade printed after the total (优/良/中/差) is the one the total score earns."""
    rule = "grade"
    if form.total.grade is None:
        return Check(rule, "skip", "no grade printed after 总分")
    if form.total.score is None:
        return Check(rule, "skip", "总分 has no 得分 to grade")
    bands = sorted(grade_bands(form.template).items(), key=lambda band: -band[1])
    printed = normalise(form.total.grade)
    if printed not in dict(bands):
        return Check(rule, "fail", f"grade {form.total.grade!r} is none of {'/'.join(name for name, _ in bands)}")
    earned = next((name for name, lowest in bands if form.total.score >= lowest - SUM_TOLERANCE), bands[-1][0])
    if printed == earned:
        return Check(rule, "pass", f"总分 {fmt(form.total.score)} is graded {earned}")
    return Check(rule, "fail", f"grade {printed} printed, but 总分 {fmt(form.total.score)} earns {earned} ("
                 + ", ".join(f"{name} ≥ {fmt(lowest)}" for name, lowest in bands) + ")")


def indicator_levels(form: FormDocument) -> Check:
    """Every indicator row sits under a level-1 name, and under a level-2 name where the form prints
    them: a row without one was not placed in its block (a merge that was not rebuilt)."""
    rule = "indicator_levels"
    if not form.indicators:
        return Check(rule, "skip", "no indicator rows")
    has_level2 = any(indicator.level2 for indicator in form.indicators)
    problems = []
    for index, indicator in enumerate(form.indicators):
        # no 三级指标 is printed on 不适用 rows: a name is not required
        lacking = [label for label, value, expected in (("一级指标", indicator.level1, True), ("二级指标", indicator.level2, has_level2))
                   if expected and not value]
        if lacking:
            problems.append(f"/indicators/{index} {indicator.name or indicator.target or '?'}: no {'/'.join(lacking)}")
    if problems:
        return Check(rule, "fail", "indicator rows not placed in their block: " + "; ".join(problems))
    return Check(rule, "pass", "every indicator row has its 一级指标 and 二级指标")


def points_read(form: FormDocument) -> Check:
    """Where the indicator rows carry points, a row with neither 分值 nor 得分 was not lined up with
    its columns (a row split by a page break read as two, a shifted row). Rows that detail a parent
    (其中, 1、 under 一、) carry none by design, and 不适用 rows print 0."""
    rule = "points_read"
    children = {id(child) for child, _ in _children(form)}
    own = [(index, indicator) for index, indicator in enumerate(form.indicators) if id(indicator) not in children]
    with_points = [indicator for _, indicator in own if indicator.weight is not None or indicator.score is not None]
    if len(with_points) < 2:
        return Check(rule, "skip", "the indicator rows carry no points")
    missing = [f"/indicators/{index} {indicator.name or indicator.level2 or '?'}" for index, indicator in own
               if indicator.weight is None and indicator.score is None and not _not_applicable(indicator)]
    if missing:
        return Check(rule, "fail", "indicator rows without 分值 or 得分 where the others carry them: " + "; ".join(missing))
    return Check(rule, "pass", "every indicator row carries its points")


def _not_applicable(indicator: Indicator) -> bool:
    """A 不适用 row: it may leave its points blank or write a dash."""
    return any(normalise(value or "") in NOT_APPLICABLE for value in (indicator.name, indicator.target, indicator.actual))


def header_in_values(form: FormDocument) -> Check:
    """A value that is itself a header label (绩效指标, 得分, 实际完成值) is header text that leaked
    into the values: the rows were not lined up with their header."""
    rule = "header_in_values"
    leaked = [f"{pointer} {value!r}" for pointer, value in text_values(form) if is_header_label(value)]
    if leaked:
        return Check(rule, "fail", "header labels read as values: " + "; ".join(leaked))
    return Check(rule, "pass", "no header label read as a value")


def text_values(form: FormDocument) -> list[tuple[str, str]]:
    """Every text value read from the form's cells, with its pointer."""
    found = [(f"/project/{key}", value) for key, value in vars(form.project).items() if isinstance(value, str)]
    for key in ("expected", "actual"):
        found += [(f"/goals/{key}/{i}", item) for i, item in enumerate(getattr(form.goals, key))]
    for index, indicator in enumerate(form.indicators):
        found += [(f"/indicators/{index}/{key}", getattr(indicator, key)) for key in ("level2", "name", "target", "actual", "deviation_note")
                  if isinstance(getattr(indicator, key), str)]
    return found


def nature_read(form: FormDocument) -> Check:
    """On a form that prints 指标性质 (≥ ≤ =), a row with a numeric target but no sign read: the
    sign was printed and lost (an OCR'd ═ read as a dash), or the row lines up wrongly."""
    rule = "nature_read"
    if not any(indicator.nature for indicator in form.indicators):
        return Check(rule, "skip", "the form prints no 指标性质")
    missing = [f"/indicators/{index}/nature ({indicator.name or '?'}: {indicator.target})" for index, indicator in enumerate(form.indicators)
               if not indicator.nature and indicator.target is not None and parse_number(indicator.target).value is not None]
    if missing:
        return Check(rule, "fail", "numeric targets without a 指标性质 sign: " + "; ".join(missing))
    return Check(rule, "pass", "every numeric target has its 指标性质")


def layout_known(form: FormDocument) -> Check:
    """The form's layout is one a template describes; an unknown one is read with the base vocabulary only."""
    rule = "layout_known"
    if form.template == UNKNOWN:
        return Check(rule, "fail", "layout not recognised by any template (pipeline/templates): values read by what its headers mean; its cell grid is saved beside the JSON")
    return Check(rule, "pass", f"layout {form.template}")


LOW_CONFIDENCE = 0.80


def low_confidence(form: FormDocument) -> Check:
    """An OCR'd value read with low confidence — a number or code, or a text two engines read
    differently (``extract.confirm_texts``): a human looks before anyone relies on it."""
    rule = "low_confidence"
    reviewed = {c.field for c in form.corrections}  # a reviewer has looked at these (corrected or confirmed)
    scored = {p: v for p, v in form.provenance.items() if v.confidence is not None and p not in reviewed}
    if not scored:
        return Check(rule, "skip", "no OCR confidences (not an OCR source)")
    doubtful = [
        f"{pointer} {value.text!r} ({value.confidence:.2f})"
        for pointer, value in scored.items()
        if value.confidence < LOW_CONFIDENCE
    ]
    if doubtful:
        return Check(rule, "warn", f"values read with confidence < {LOW_CONFIDENCE}: " + "; ".join(doubtful))
    return Check(rule, "pass", "every OCR'd value was read with good confidence")


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
    layout_known,
]


def reconcile(form: FormDocument) -> list[Check]:
    """Run every check; a check that crashes is reported as its own failure, not raised. A check
    the form's template says does not apply to its layout is skipped with the template's reason."""
    results = []
    skipped = not_applicable(form.template)
    for check in CHECKS:
        if check.__name__ in skipped:
            results.append(Check(check.__name__, "skip", f"not applicable to the {form.template} layout: {skipped[check.__name__]}"
                                 if form.template != UNKNOWN else skipped[check.__name__]))
            continue
        try:
            results.append(check(form))
        except Exception as error:  # a bug in one check must not lose the form
            results.append(Check(check.__name__, "fail", f"check crashed: {type(error).__name__}: {error}"))
    return results
