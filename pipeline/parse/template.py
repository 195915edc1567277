"""Layout templates: one data file per layout (``pipeline/parse/templates/*.toml``), and how a form is
matched to one.

A template says what one layout prints: its title, the labels of its header fields, the funding
block (captions, column headers in printed order, rows), the goal block, the indicator columns
in printed order (extra columns such as 指标性质 and 度量单位 included), the total row (and the
grade bands when a grade follows 总分), other-notes rows, the level-1 names with their usual
weights (documentation: weights are always read from the form, never assumed) and the level-2
names, and which checks do not apply to it. ``vocabulary.py`` stays the shared base: a
template's labels are added to it, so the parser reads a layout with the base synonyms plus its
own.

Matching: every label of every template forms the set of *known labels*. A form's evidence is
the known labels printed in it, its title, and the order of its column headers. A template
scores ``matched / (entries + unexpected)``: the share of its entries found, lowered by known
labels the form prints that belong to other layouts (a Jaccard index). The best template wins
when it scores at least ``MATCH_THRESHOLD``; otherwise the form's layout is ``unknown``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pipeline.model import vocabulary as base
from pipeline.model.vocabulary import match_key, normalise

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
UNKNOWN = "unknown"
MATCH_THRESHOLD = 0.6
LISTED = 8  # labels named in a mismatch message before "…"

Table = dict[str, tuple[str, ...]]

# the keys a template may fill, and the extra keys the parser knows beyond the base vocabulary
HEADER_KEYS = set(base.HEADER_FIELDS)
FUNDING_KEYS = set(base.FUNDING_COLUMNS)
INDICATOR_KEYS = set(base.INDICATOR_COLUMNS) | {"nature", "unit"}
GOAL_KEYS = set(base.GOAL_COLUMNS)
SECTIONS = {"name", "description", "titles", "header", "funding", "goals", "indicators", "total", "notes", "level1", "level2", "checks"}


class TemplateError(ValueError):
    """A template file that does not describe a layout (unknown keys, wrong types)."""


@dataclass(frozen=True)
class Vocabulary:
    """The label tables the parser reads one layout with: the base vocabulary plus a template's."""

    header_fields: Table
    funding_captions: tuple[str, ...]
    funding_columns: Table
    funding_items: Table
    goal_columns: Table
    indicator_columns: Table
    total_labels: tuple[str, ...]
    other_notes: tuple[str, ...]
    reads_grade: bool
    funding_row_without_label: str | None = None  # the item of a lone funding row printed without one

    def union(self, other: "Vocabulary") -> "Vocabulary":
        """Labels of both (this one's first); the lone-row item is ``other``'s."""
        return Vocabulary(
            header_fields=_merge(self.header_fields, other.header_fields),
            funding_captions=tuple(dict.fromkeys(self.funding_captions + other.funding_captions)),
            funding_columns=_merge(self.funding_columns, other.funding_columns),
            funding_items=_merge(self.funding_items, other.funding_items),
            goal_columns=_merge(self.goal_columns, other.goal_columns),
            indicator_columns=_merge(self.indicator_columns, other.indicator_columns),
            total_labels=tuple(dict.fromkeys(self.total_labels + other.total_labels)),
            other_notes=tuple(dict.fromkeys(self.other_notes + other.other_notes)),
            reads_grade=self.reads_grade or other.reads_grade,
            funding_row_without_label=other.funding_row_without_label,
        )


BASE = Vocabulary(
    header_fields=dict(base.HEADER_FIELDS),
    funding_captions=base.FUNDING_BLOCK,
    funding_columns=dict(base.FUNDING_COLUMNS),
    funding_items=dict(base.FUNDING_ITEMS),
    goal_columns=dict(base.GOAL_COLUMNS),
    indicator_columns=dict(base.INDICATOR_COLUMNS),
    total_labels=base.TOTAL_LABELS,
    other_notes=(),
    reads_grade=False,
)


def _merge(first: Table, second: Table) -> Table:
    """Keys of both; for a key in both, the base names then the template's new ones."""
    merged = {key: tuple(names) for key, names in first.items()}
    for key, names in second.items():
        merged[key] = tuple(dict.fromkeys(merged.get(key, ()) + names))
    return merged


@dataclass(frozen=True, eq=False)  # compared (and hashed) by identity: one object per template file
class Template:
    """One layout, as its data file describes it (see the module docstring)."""

    name: str
    description: str
    titles: tuple[str, ...]
    header: Table
    funding_captions: tuple[str, ...]
    funding_columns: Table  # in printed order
    funding_items: Table
    funding_row_without_label: str | None  # a funding block of one unlabelled row: which item it is
    goal_captions: tuple[str, ...]
    goal_columns: Table
    indicator_captions: tuple[str, ...]
    indicator_columns: Table  # in printed order
    total_labels: tuple[str, ...]
    grades: dict[str, float] | None  # grade -> lowest score for it; None: no grade printed
    other_notes: tuple[str, ...]
    level1: dict[str, float | None]  # level-1 name -> usual weight (never assumed for a form)
    level2: Table  # level-1 name -> its level-2 names
    not_applicable: dict[str, str]  # check rule -> why it does not apply to this layout

    @lru_cache(maxsize=None)  # noqa: B019 - templates live as long as the process
    def vocabulary(self) -> Vocabulary:
        own = Vocabulary(
            header_fields=self.header,
            funding_captions=self.funding_captions,
            funding_columns=self.funding_columns,
            funding_items=self.funding_items,
            goal_columns=self.goal_columns,
            indicator_columns=self.indicator_columns,
            total_labels=self.total_labels,
            other_notes=self.other_notes,
            reads_grade=self.grades is not None,
            funding_row_without_label=self.funding_row_without_label,
        )
        return BASE.union(own)

    @lru_cache(maxsize=None)  # noqa: B019
    def entries(self) -> Table:
        """What the layout prints, one entry per thing to look for, each with its printed forms."""
        entries: Table = {}
        for what, table in (("", self.header), ("funding column ", self.funding_columns), ("", self.funding_items), ("", self.goal_columns), ("indicator column ", self.indicator_columns)):
            entries.update({what + "/".join(names): names for names in table.values()})
        for caption in self.funding_captions + self.goal_captions + self.indicator_captions + self.other_notes:
            entries[caption] = (caption,)
        entries["/".join(self.total_labels)] = self.total_labels
        entries.update({f"level-1 {name}": (name,) for name in self.level1})
        return entries

    @lru_cache(maxsize=None)  # noqa: B019
    def labels(self) -> frozenset[str]:
        return frozenset(label for names in self.entries().values() for label in names)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TemplateError(f"{where}: expected a label or a list of labels, got {value!r}")


def _table(section: dict, key: str, allowed: set[str] | None, where: str) -> Table:
    raw = section.get(key, {})
    if not isinstance(raw, dict):
        raise TemplateError(f"{where}.{key}: expected a table")
    unknown = set(raw) - allowed if allowed is not None else set()
    if unknown:
        raise TemplateError(f"{where}.{key}: unknown keys {sorted(unknown)} (known: {sorted(allowed or ())})")
    return {k: _strings(v, f"{where}.{key}.{k}") for k, v in raw.items()}


def parse_template(data: dict, source: str) -> Template:
    """Given a template file's data, the Template; a TemplateError names what is wrong."""
    unknown = set(data) - SECTIONS
    if unknown:
        raise TemplateError(f"{source}: unknown sections {sorted(unknown)}")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise TemplateError(f"{source}: a template needs a name")
    funding, goals, indicators = data.get("funding", {}), data.get("goals", {}), data.get("indicators", {})
    total, notes, checks = data.get("total", {}), data.get("notes", {}), data.get("checks", {})
    grades = total.get("grades")
    if grades is not None and not (isinstance(grades, dict) and all(isinstance(v, int | float) for v in grades.values())):
        raise TemplateError(f"{source}: total.grades maps each grade to the lowest score that earns it")
    level1 = data.get("level1", {})
    if not all(v is None or isinstance(v, int | float) for v in level1.values()):
        raise TemplateError(f"{source}: level1 maps each level-1 name to its usual weight")
    if "level1" in funding or "level1" in indicators:
        raise TemplateError(f"{source}: level1 is a top-level table")
    not_applicable = checks.get("not_applicable", {})
    unlabelled = funding.get("row_without_label")
    if unlabelled is not None and unlabelled not in base.FUNDING_ITEMS:
        raise TemplateError(f"{source}: funding.row_without_label must be one of {list(base.FUNDING_ITEMS)}")
    return Template(
        name=data["name"],
        description=data.get("description", ""),
        titles=_strings(data.get("titles", [base.FORM_TITLE_MARK]), f"{source}: titles"),
        header=_table(data, "header", HEADER_KEYS, source),
        funding_captions=_strings(funding.get("captions", []), f"{source}: funding.captions"),
        funding_columns=_table(funding, "columns", FUNDING_KEYS, f"{source}: funding"),
        funding_items=_table(funding, "items", set(base.FUNDING_ITEMS), f"{source}: funding"),
        funding_row_without_label=unlabelled,
        goal_captions=_strings(goals.get("captions", []), f"{source}: goals.captions"),
        goal_columns=_table(goals, "columns", GOAL_KEYS, f"{source}: goals"),
        indicator_captions=_strings(indicators.get("captions", []), f"{source}: indicators.captions"),
        indicator_columns=_table(indicators, "columns", INDICATOR_KEYS, f"{source}: indicators"),
        total_labels=_strings(total.get("labels", list(base.TOTAL_LABELS[:1])), f"{source}: total.labels"),
        grades={str(k): float(v) for k, v in grades.items()} if grades is not None else None,
        other_notes=_strings(notes.get("other_notes", []), f"{source}: notes.other_notes"),
        level1={str(k): (float(v) if v is not None else None) for k, v in level1.items()},
        level2=_table(data, "level2", None, source),
        not_applicable={str(k): str(v) for k, v in not_applicable.items()},
    )


def load_template(path: Path) -> Template:
    with path.open("rb") as handle:
        return parse_template(tomllib.load(handle), path.name)


@lru_cache(maxsize=4)
def load_templates(folder: Path = TEMPLATE_DIR) -> tuple[Template, ...]:
    """Every template of ``folder``, in file-name order; two with one name are an error."""
    templates = tuple(load_template(path) for path in sorted(folder.glob("*.toml")))
    names = [t.name for t in templates]
    if len(set(names)) != len(names) or UNKNOWN in names:
        raise TemplateError(f"template names must be unique and not {UNKNOWN!r}: {names}")
    return templates


def by_name(name: str) -> Template | None:
    return next((t for t in load_templates() if t.name == name), None)


# an unknown layout is read with every label of every layout and by what its headers mean, and
# every check runs on it: a sum that does not add up there is as real as anywhere
UNKNOWN_NOT_APPLICABLE: dict[str, str] = {}


def not_applicable(name: str) -> dict[str, str]:
    """Checks that do not apply to the named layout, with the reason."""
    if name == UNKNOWN:
        return UNKNOWN_NOT_APPLICABLE
    template = by_name(name)
    return template.not_applicable if template is not None else {}


DEFAULT_GRADES = {"优": 90.0, "良": 80.0, "中": 60.0, "差": 0.0}  # 财预〔2020〕10号


def grade_bands(name: str) -> dict[str, float]:
    template = by_name(name)
    return template.grades if template is not None and template.grades else DEFAULT_GRADES


# --- matching a form to a template -----------------------------------------------------------

Cells = list[tuple[str, float]]  # one row: (cell text, x centre), left to right


@dataclass(frozen=True)
class Match:
    template: Template
    score: float
    missing: tuple[str, ...]  # entries of the template the form does not print
    unexpected: tuple[str, ...]  # labels of other layouts the form prints

    def describe(self) -> str:
        """``national (0.41): missing 主管部门, …; printed but not in this layout: 一级预算单位, …``."""
        problems = []
        if self.missing:
            problems.append("missing " + _listing(self.missing))
        if self.unexpected:
            problems.append("printed but not in this layout: " + _listing(self.unexpected))
        return f"{self.template.name} ({self.score:.2f})" + (": " + "; ".join(problems) if problems else "")


def _listing(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:LISTED])
    return shown + (f", … ({len(items)} in all)" if len(items) > LISTED else "")


@lru_cache(maxsize=4)
def _known_labels(templates: tuple[Template, ...]) -> Table:
    return {label: (label,) for template in templates for label in sorted(template.labels())}


def _column_order(rows: list[Cells], columns: Table) -> list[str] | None:
    """The keys of ``columns`` in the order the form prints them, from the row naming most."""
    best: list[str] | None = None
    for row in rows:
        found: dict[str, float] = {}
        for text, x in row:
            key = match_key(text, columns)
            if key is not None and key not in found:
                found[key] = x
        if len(found) >= 3 and (best is None or len(found) > len(best)):
            best = sorted(found, key=found.get)  # type: ignore[arg-type]
    return best


def _order_entries(template: Template, rows: list[Cells]) -> tuple[int, list[str]]:
    """Column orders as entries: (how many agree, descriptions of those that do not)."""
    agreed, wrong = 0, []
    vocabulary = template.vocabulary()
    for what, own, table in (("funding", template.funding_columns, vocabulary.funding_columns), ("indicator", template.indicator_columns, vocabulary.indicator_columns)):
        if len(own) < 2:
            continue
        printed = _column_order(rows, {k: table[k] for k in own})
        expected = [key for key in own if printed is not None and key in printed]
        if printed is not None and printed == expected:
            agreed += 1
        else:
            wrong.append(f"{what} column order" + (f" ({' '.join(printed)})" if printed else ""))
    return agreed, wrong


def rank(title: str | None, rows: list[Cells], templates: tuple[Template, ...] | None = None) -> list[Match]:
    """Given a form's title and its rows of cells, every template's Match, best first."""
    templates = templates if templates is not None else load_templates()
    known = _known_labels(templates)
    found = {label for row in rows for text, _ in row if (label := match_key(text, known)) is not None}
    flat_title = normalise(title) if title else ""
    matches = []
    for template in templates:
        entries = template.entries()
        matched = [name for name, labels in entries.items() if found.intersection(labels)]
        missing = [name for name in entries if name not in matched]
        if any(flat_title.endswith(normalise(t)) for t in template.titles):
            matched.append("title")
        else:
            missing.append("title …" + "/…".join(template.titles))
        agreed, wrong = _order_entries(template, rows)
        unexpected = sorted(found - template.labels())
        total = len(entries) + 1 + agreed + len(wrong) + len(unexpected)
        score = (len(matched) + agreed) / total if total else 0.0
        matches.append(Match(template, score, tuple(missing + wrong), tuple(unexpected)))
    matches.sort(key=lambda m: -m.score)
    return matches


def unknown_message(ranking: list[Match]) -> str:
    if not ranking:
        return "no layout templates are installed"
    best = ranking[0]
    return f"layout not recognised (no template scores {MATCH_THRESHOLD:.2f} or more); closest is {best.describe()}"


@lru_cache(maxsize=1)
def every_layout() -> Vocabulary:
    """The base vocabulary with every template's labels: what any known layout may print (used to
    tell a form's sections before its layout is known)."""
    merged = BASE
    for template in load_templates():
        own = template.vocabulary()
        merged = merged.union(replace(own, funding_row_without_label=None))  # a per-layout quirk, not shared
    return merged
