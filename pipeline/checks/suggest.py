"""Suggestions from arithmetic: which single value, read differently, would make the form add up.

When a sum check fails (``total_score``, ``total_weight``, ``level1_weight``, ``funding_sum``),
every value in a sum it found not to hold (its ``terms``: the very values it added, and the
total it compared) is a candidate: the value that would make that sum agree is
computed, tried on the form (and undone), and kept only if then *no* check fails. The survivors are
ranked by evidence, each piece a small named function:

- ``low_confidence``: OCR read the value with confidence below the review threshold;
- ``target_met``: an indicator whose 实际完成值 equals its 年度指标值 lost points with no
  偏差原因, and the change gives it full marks;
- ``ocr_confusion``: the printed digits and the reconciling ones differ only by digits OCR
  commonly confuses (an OCR'd value only);
- ``only_candidate``: no other single change reconciles.

A candidate is *suggested* only when it is clearly best: at least ``CLEAR_MINIMUM`` points and at
least twice the runner-up's. Nothing here changes a value: the check's message names the
suggestion (or the candidates), and the report offers it as a correction line to accept.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipeline.model import pointer as ptr
from pipeline.model.document import Check, CheckStatus, Correction, FormDocument, Op, Term
from pipeline.model.pointer import AMOUNT_COLUMNS, get_value, label, resolve, set_value
from pipeline.checks.reconcile import LOW_CONFIDENCE, fmt, reconcile
from pipeline.checks.rules import needs_human
from pipeline.model.result import FileResult, FormSummary, RunResult
from pipeline.model.values import decimals

SUM_RULES = ("total_score", "total_weight", "level1_weight", "funding_sum")
# checks that say the form was not wholly read: no arithmetic suggestion is made while one fails
STRUCTURE_RULES = ("structure_read", "indicator_levels", "points_read", "header_in_values", "values_readable", "indicators_found")
CLEAR_MINIMUM = 2
MARKER = " — suggestion: "
CANDIDATES_MARKER = " — candidates (none suggested): "
NO_CANDIDATE = " — no single-value change makes every check pass"

# digit pairs OCR engines commonly confuse on printed forms (unordered)
CONFUSABLE_DIGITS = {frozenset(p) for p in ("17", "38", "08", "56", "68", "89", "06", "09", "14", "27", "58", "35")}


@dataclass(frozen=True)
class Change:
    """One printed value read differently. A merged label cell (产出(50分)) is one printed value
    behind several pointers, so ``pointers`` may hold more than one."""

    pointers: tuple[str, ...]
    label: str  # 时效 得分
    old: float | None
    new: float

    def describe(self) -> str:
        return f"{self.label} {fmt(self.old)} → {fmt(self.new)}"


@dataclass
class Candidate:
    change: Change
    effect: str  # what it reconciles: Σ = 98
    evidence: list[Finding] = field(default_factory=list)
    points: int = 0

    def reason(self) -> str:
        return ", ".join(f.words for f in self.evidence) if self.evidence else "arithmetic only"

    def reason_zh(self) -> str:
        """The evidence in the reviewers' words (the review report and the note a reviewer accepts)."""
        return "；".join(f.words_zh for f in self.evidence) if self.evidence else "仅由合计推算"

    def note(self) -> str:
        """The note of the correction line that accepts it (corrections.suggested.csv, the report)."""
        return f"{self.change.describe()}：{self.reason_zh()}"


@dataclass
class Suggestion:
    """For one failing sum check: the reconciling candidates, best first, and the clear winner if any."""

    rule: str
    candidates: list[Candidate]
    best: Candidate | None

    def message(self) -> str:
        if self.best is not None:
            best = self.best
            return f"{MARKER}{best.change.describe()} would make {best.effect}: {best.reason()}"
        if not self.candidates:
            return NO_CANDIDATE
        return CANDIDATES_MARKER + "; ".join(f"{c.change.describe()} ({c.reason()})" for c in self.candidates)


# --- printed precision ----------------------------------------------------------------------


def _places(form: FormDocument, pointers: list[str]) -> int:
    """Decimals a reconciling value may have: the most any of the summed values was printed with."""
    printed = [form.provenance[p].text for p in pointers if p in form.provenance]
    return max((decimals(text) for text in printed), default=2)


# --- candidate changes: each failing sum the check itself computed, solved for each value ------


def _solve(form: FormDocument, term: Term, effect: str, total: Change | None = None) -> list[tuple[Change, str]]:
    """Given a sum the check found not to hold (``term``: Σ parts = the value at ``term.at``), the
    change of each one value that makes it hold. ``total`` is the change of the total, when it is
    named otherwise than by ``term.at`` alone (a merged level-1 label)."""
    values = [(pointer, ptr.get(form, pointer)) for pointer in term.parts]
    printed = term.found if isinstance(term.found, int | float) else None
    places = _places(form, [p for p, _ in values] + ([] if total is not None else [term.at]))
    summed = sum(v for _, v in values if v is not None)
    changes = []
    if printed is not None:
        for pointer, value in values:
            new = round(printed - (summed - (value or 0.0)), places)
            if new >= 0 and new != value:
                changes.append((Change((pointer,), label(form, pointer), value, new), effect.format(fmt(printed))))
    new_total = round(summed, places)
    if total is not None:
        changes.append((Change(total.pointers, total.label, printed, new_total), effect.format(fmt(new_total))))
    elif new_total != printed:
        changes.append((Change((term.at,), label(form, term.at), printed, new_total), effect.format(fmt(new_total))))
    return changes


def _failing_sums(check: Check) -> list[Term]:
    return [term for term in check.terms if term.op == Op.SUM and not term.holds]


def total_score_changes(form: FormDocument, check: Check) -> list[tuple[Change, str]]:
    return [change for term in _failing_sums(check) for change in _solve(form, term, "Σ = {}")]


def total_weight_changes(form: FormDocument, check: Check) -> list[tuple[Change, str]]:
    return [change for term in _failing_sums(check) for change in _solve(form, term, "Σ 分值 = {}")]


def level1_weight_changes(form: FormDocument, check: Check) -> list[tuple[Change, str]]:
    """A level-1 weight is printed once, in its merged label, for every row of its group: changing
    it changes each row's ``level1_weight``."""
    changes: list[tuple[Change, str]] = []
    for term in _failing_sums(check):
        first = ptr.parse(term.at).index
        name = form.indicators[first].level1 if first is not None else None
        declared = tuple(ptr.indicator(index, "level1_weight") for index in (ptr.parse(p).index for p in term.parts) if index is not None)
        changes += _solve(form, term, f"{name} Σ 分值 = {{}}", total=Change(declared, f"{name or '一级指标'} 分值", None, 0.0))
    return changes


def funding_sum_changes(form: FormDocument, check: Check) -> list[tuple[Change, str]]:
    changes: list[tuple[Change, str]] = []
    for term in _failing_sums(check):
        column = ptr.parse(term.at).key or ""
        changes += _solve(form, term, f"{AMOUNT_COLUMNS.get(column, column)} Σ = {{}}")
    return changes


CHANGES: dict[str, Callable[[FormDocument, Check], list[tuple[Change, str]]]] = {
    "total_score": total_score_changes,
    "total_weight": total_weight_changes,
    "level1_weight": level1_weight_changes,
    "funding_sum": funding_sum_changes,
}


@contextmanager
def applied(form: FormDocument, change: Change) -> Iterator[FormDocument]:
    """The form with the change made as a reviewer's correction would make it, for the length of a
    ``with`` block: made in place and undone on leaving (a deep copy per candidate cost ~50 ms a form
    in review, more than reading it)."""
    places = [resolve(form, pointer)[:2] for pointer in change.pointers]
    before = [get_value(container, key) for container, key in places]
    kept = len(form.corrections)
    try:
        for pointer, (container, key), old in zip(change.pointers, places, before):
            form.corrections.append(Correction(pointer, old, change.new))
            set_value(container, key, change.new)
        yield form
    finally:
        for (container, key), old in reversed(list(zip(places, before))):
            set_value(container, key, old)
        del form.corrections[kept:]


def reconciles(form: FormDocument, change: Change) -> bool:
    """Would every check pass (none fail) with this one value changed?"""
    with applied(form, change) as trial:
        return not any(check.status == CheckStatus.FAIL for check in reconcile(trial))


# --- evidence, one small function each: a Finding or None -----------------------------------


@dataclass(frozen=True)
class Finding:
    """Why one candidate change is likely: its weight, in words for the message (English, as every
    check message is) and for the reviewers (Chinese)."""

    points: int
    words: str
    words_zh: str


Evidence = Finding | None


def low_confidence(form: FormDocument, change: Change) -> Evidence:
    confidences = [form.provenance[p].confidence for p in change.pointers if p in form.provenance]
    worst = min((c for c in confidences if c is not None), default=None)
    if worst is None or worst >= LOW_CONFIDENCE:
        return None
    return Finding(2, f"read with low OCR confidence {worst:.2f}", f"识别置信度低（{worst:.2f}）")


_NORMAL_SPACE = re.compile(r"\s+")


def _same_text(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    flat = [_NORMAL_SPACE.sub("", unicodedata.normalize("NFKC", t)) for t in (a, b)]
    return flat[0] == flat[1]


def target_met(form: FormDocument, change: Change) -> Evidence:
    place = ptr.parse(change.pointers[0])
    if place.section != "indicators" or place.index is None or place.key != "score" or len(change.pointers) != 1:
        return None
    indicator = form.indicators[place.index]
    if not _same_text(indicator.actual, indicator.target) or indicator.deviation_note or indicator.weight is None:
        return None
    if change.new != indicator.weight or (change.old is not None and change.old >= indicator.weight):
        return None
    return Finding(2, f"actual {indicator.actual} meets target {indicator.target}, no deviation noted", f"实际完成值“{indicator.actual}”达到年度指标值“{indicator.target}”，且未填偏差原因")


def _digits(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def ocr_confusion(form: FormDocument, change: Change) -> Evidence:
    provenance = form.provenance.get(change.pointers[0])
    if provenance is None or provenance.confidence is None or change.old is None:
        return None  # not read by OCR: a typing slip is not a glyph confusion
    places = decimals(provenance.text)
    old, new = _digits(change.old, places), _digits(change.new, places)
    if len(old) != len(new):
        return None
    pairs = [(a, b) for a, b in zip(old, new) if a != b]
    if not pairs or not all(frozenset((a, b)) in CONFUSABLE_DIGITS for a, b in pairs):
        return None
    confused = ", ".join(f"{a}/{b}" for a, b in pairs)
    return Finding(1, f"{old} and {new} differ by OCR-confusable digits ({confused})", f"{old} 与 {new} 只差识别易混的数字（{confused}）")


ONLY_ONE = Finding(1, "the only single change that reconciles", "唯一能使合计相符的单项更正")

EVIDENCE: list[Callable[[FormDocument, Change], Evidence]] = [low_confidence, target_met, ocr_confusion]


def _rank(form: FormDocument, found: list[tuple[Change, str]]) -> list[Candidate]:
    candidates = []
    for change, effect in found:
        candidate = Candidate(change, effect)
        for judge in EVIDENCE:
            verdict = judge(form, change)
            if verdict is not None:
                candidate.points += verdict.points
                candidate.evidence.append(verdict)
        candidates.append(candidate)
    if len(candidates) == 1:
        candidates[0].points += ONLY_ONE.points
        candidates[0].evidence.append(ONLY_ONE)
    return sorted(candidates, key=lambda c: -c.points)


def clear_winner(candidates: list[Candidate]) -> Candidate | None:
    if not candidates or candidates[0].points < CLEAR_MINIMUM:
        return None
    runner_up = candidates[1].points if len(candidates) > 1 else 0
    return candidates[0] if candidates[0].points >= 2 * runner_up else None


def suggestions(form: FormDocument, checks: list[Check] | None = None) -> list[Suggestion]:
    """One Suggestion per failing sum check of ``form`` (its own checks unless given), solving the
    sums that check found not to hold."""
    checks = checks if checks is not None else form.checks
    if any(c.status == CheckStatus.FAIL and c.rule in STRUCTURE_RULES for c in checks):
        return []  # arithmetic over a form not wholly read points at the wrong value: no suggestion
    failing = {c.rule: c for c in reversed(checks) if c.status == CheckStatus.FAIL and c.rule in SUM_RULES}
    found = []
    for rule in dict.fromkeys(c.rule for c in checks if c.rule in failing):
        unique: dict[Change, str] = {}
        for change, effect in CHANGES[rule](form, failing[rule]):
            unique.setdefault(change, effect)
        reconciling = [(change, effect) for change, effect in unique.items() if reconciles(form, change)]
        ranked = _rank(form, reconciling)
        found.append(Suggestion(rule, ranked, clear_winner(ranked)))
    return found


def annotate(form: FormDocument) -> list[Suggestion]:
    """Append each failing sum check's suggestion (or candidates) to its message, once: what was
    appended is kept in the check's ``suggestion``. Values stay as read."""
    found = suggestions(form)
    by_rule = {s.rule: s for s in found}
    for check in form.checks:
        suggestion = by_rule.get(check.rule)
        if suggestion is None or check.status != CheckStatus.FAIL or check.suggestion is not None:
            continue
        check.suggestion = suggestion.message()
        check.message += check.suggestion
    return found


SUGGESTED_COLUMNS = ("form_id", "field", "value", "note", "reviewer", "rule", "rank", "points", "suggested")


def suggested_rows(forms: list[FormDocument], found: Callable[[FormDocument], list[Suggestion]] = suggestions) -> list[dict[str, object]]:
    """Every candidate of every failing sum, ranked, as corrections.csv rows plus their evidence
    (``OUT/corrections.suggested.csv``): a reviewer keeps the lines to accept, fills ``reviewer``
    and puts them in the dump's corrections.csv. ``suggested`` marks the clear winner. ``found``
    gives a form's suggestions (the run's, made with the form, rather than solved again)."""
    rows: list[dict[str, object]] = []
    for form in forms:
        for suggestion in found(form):
            for rank, candidate in enumerate(suggestion.candidates, start=1):
                note = candidate.note()
                for pointer in candidate.change.pointers:
                    rows.append(
                        {
                            "form_id": form.form_id,
                            "field": pointer,
                            "value": fmt(candidate.change.new),
                            "note": note,
                            "reviewer": "",
                            "rule": suggestion.rule,
                            "rank": rank,
                            "points": candidate.points,
                            "suggested": "yes" if candidate is suggestion.best else "no",
                        }
                    )
    return rows


def suggestions_of(result: RunResult | None, form: FormDocument, owner: FileResult | None = None) -> list[Suggestion]:
    """The form's suggestions from arithmetic as its worker made them (or as made again after
    corrections, see ``resuggest``); solved here only when no one has. ``owner``: the file the
    form came from, when the run holds it slim (the form was loaded again)."""
    owner = owner or (result.owner_of(form) if result is not None else None)
    made = owner.suggestions.get(form.form_id) if owner is not None else None
    if made is not None and made[0] == len(form.corrections):  # values change only by corrections
        return made[1]
    found = suggestions(form)
    if owner is not None:
        owner.suggestions[form.form_id] = (len(form.corrections), found)
    return found


def form_summary(form: FormDocument, found: list[Suggestion] | None = None) -> FormSummary:
    """What the run keeps of a form once its outputs are written (``found``: its suggestions)."""
    human = tuple(sys.intern(c.rule) for c in form.checks if needs_human(c))
    warns = sum(c.status == CheckStatus.WARN for c in form.checks)
    fails = sum(c.status == CheckStatus.FAIL for c in form.checks)
    return FormSummary(
        form_id=form.form_id,
        file=form.source.file,
        form_index=form.source.form_index,
        name=form.project.name or form.title or "",
        code=form.project.code,
        year=sys.intern(form.project.year) if form.project.year else form.project.year,  # one string for the run's many alike
        unit=form.project.implementing_unit,
        template=sys.intern(form.template),
        status=sys.intern(str(form.status)),
        method=sys.intern(form.source.method),
        score=form.total.score,
        rules=tuple(sorted(set(human))),
        human=human,
        corrections=len(form.corrections),
        severity=(fails, sum(c.status == CheckStatus.WARN and needs_human(c) for c in form.checks), warns),
        accept=tuple(s.rule for s in found or () if s.best),
    )


def summaries_of(result: RunResult) -> Iterator[FormSummary]:
    """Every form of the run, summarised, in the run's order (slim results carry theirs), one
    file's at a time: a slim run's results are read again from disk as they go, never all held."""
    return (summary for owner in result.files for summary in file_summaries(result, owner))


def file_summaries(result: RunResult, owner: FileResult) -> list[FormSummary]:
    """The summaries of one file's forms: carried by a slim result, made from a whole one."""
    return owner.summaries if owner.slim else [form_summary(form, suggestions_of(result, form, owner)) for form in owner.forms]


def resuggest(result: RunResult, form_ids: set[str]) -> None:
    """Annotate the forms whose checks ran again (corrections) and those with no suggestions yet."""
    for owner in result.files:
        for form in owner.forms:
            if form.form_id in form_ids or form.form_id not in owner.suggestions:
                owner.suggestions[form.form_id] = (len(form.corrections), annotate(form))
