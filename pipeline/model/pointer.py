"""JSON pointers (RFC 6901) into a form document, and the parts of a form they are taken over.

Every pointer the pipeline makes is built here (``indicator(2, "score")`` is
``/indicators/2/score``), read back with ``parse`` instead of a regex, and looked up or changed
with ``get``/``put`` (typed and limited by the schema, as a reviewer's correction is). The
form's structure that checks, suggestions and the report share lives here too: the 年度资金总额
line, the indicator rows whose points count, the level-1 groups, a value's name for a reviewer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, is_dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any

from pipeline.model.document import FormDocument, FundingLine, Indicator
from pipeline.model.vocabulary import is_child_row, is_numbered_child, is_numbered_parent

TOTAL_ITEM = "年度资金总额"
AMOUNT_COLUMNS = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数"}
FIELD_LABELS = {
    "score": "得分",
    "weight": "分值",
    "level1_weight": "一级指标分值",
    "execution_rate": "执行率",
    **AMOUNT_COLUMNS,
    "item": "资金项目",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "level1": "一级指标",
    "level2": "二级指标",
    "deviation_note": "偏差原因",
    "nature": "指标性质",
    "unit": "度量单位",
    "grade": "等级",
}
PROJECT_LABELS = {
    "name": "项目名称",
    "code": "项目编码",
    "year": "年度",
    "implementing_unit": "实施单位",
    "budget_unit": "一级预算单位",
    "competent_department": "主管部门",
    "manager": "项目负责人",
    "phone": "联系电话",
}
GOAL_LABELS = {"expected": "预期目标", "actual": "实际完成情况"}
CORRECTABLE = ("title", "project", "funding", "goals", "indicators", "total")  # values read from the form

TITLE = "/title"
FUNDING_UNIT = "/funding/unit"
OTHER_NOTES = "/other_notes"


# --- building ---------------------------------------------------------------------------------


def _escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable[str | int]) -> str:
    """The pointer of a path of keys and indices: ``join(["indicators", 2, "score"])``."""
    return "".join("/" + _escape(token) for token in tokens)


def shown(tokens: Iterable[str | int]) -> str:
    """A path written as a pointer for a message, unescaped: ``/provenance//total/score`` reads
    as the key it names (``join`` would write ``/provenance/~1total~1score``); ``/`` for none."""
    return "/" + "/".join(str(token) for token in tokens)


def child(parent: str, token: str | int) -> str:
    """The pointer one key or index below ``parent`` ("" is the document itself)."""
    return parent + "/" + _escape(token)


def indicator(index: int, key: str | None = None) -> str:
    """``/indicators/2/score``, or the row itself, ``/indicators/2``."""
    return join(["indicators", index, key] if key else ["indicators", index])


def funding(index: int, key: str | None = None) -> str:
    """``/funding/lines/0/executed``, or the line itself, ``/funding/lines/0``."""
    return join(["funding", "lines", index, key] if key else ["funding", "lines", index])


def total(key: str) -> str:
    return join(["total", key])


def project(key: str) -> str:
    return join(["project", key])


def goal(kind: str, index: int) -> str:
    """``/goals/expected/0``: ``kind`` is expected or actual."""
    return join(["goals", kind, index])


# --- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A pointer's parts: ``/indicators/2/score`` is ("indicators", 2, "score"), ``/total/score``
    ("total", None, "score"), ``/goals/expected/0`` ("goals", 0, "expected"), ``/title`` ("title")."""

    section: str
    index: int | None = None  # the row: an indicator, a funding line, a goal item
    key: str | None = None  # the field of the row or section


def tokens(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer; ValueError when it is not one."""
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def parse(pointer: str) -> Place:
    """The parts of a pointer into a form document; ValueError for a shape no form value has."""
    parts = tokens(pointer)
    section, rest = parts[0], parts[1:]
    if section == "indicators" and rest and rest[0].isdigit() and len(rest) <= 2:
        return Place(section, int(rest[0]), rest[1] if len(rest) == 2 else None)
    if section == "funding" and rest[:1] == ["lines"] and len(rest) >= 2 and rest[1].isdigit() and len(rest) <= 3:
        return Place(section, int(rest[1]), rest[2] if len(rest) == 3 else None)
    if section == "goals" and len(rest) == 2 and rest[1].isdigit():
        return Place(section, int(rest[1]), rest[0])
    if section in ("funding", "total", "project", "source") and len(rest) == 1:
        return Place(section, None, rest[0])
    if not rest:
        return Place(section)
    raise ValueError(f"not a pointer to a value of a form: {pointer!r}")


_NUMBERS_OR_CODES = {
    "funding": ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"),
    "indicators": ("weight", "score"),
    "total": ("weight", "score"),
    "project": ("code", "year"),
}


def is_number_or_code(pointer: str) -> bool:
    """A value that is a number or a code: read again digits-only after OCR, and flagged by the
    low_confidence check when read with low confidence."""
    try:
        place = parse(pointer)
    except ValueError:
        return False
    rowed = place.section in ("funding", "indicators")
    return place.key in _NUMBERS_OR_CODES.get(place.section, ()) and (place.index is not None) == rowed


# --- reading and writing a form's values -------------------------------------------------------


class FieldError(ValueError):
    """A pointer that names no correctable value of the form, or a value of the wrong type."""


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from pipeline.model.document import SCHEMA_PATH

    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def resolve(form: FormDocument, pointer: str) -> tuple[Any, str | int, dict[str, Any]]:
    """Given a JSON pointer, the container holding the value, its key, and the value's schema."""
    if not pointer.startswith("/") or pointer == "/":
        raise FieldError("not a JSON pointer (write it like /indicators/2/score)")
    parts = tokens(pointer)
    if parts[0] not in CORRECTABLE:
        raise FieldError(f"cannot be corrected: only values read from the form ({', '.join('/' + c for c in CORRECTABLE)}) can")
    node: Any = form
    subschema: dict[str, Any] = _schema()
    container: Any = None
    key: str | int = ""
    for depth, part in enumerate(parts):
        here = "/" + "/".join(parts[:depth]) if depth else "the form"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise FieldError(f"no such field: {here} has {len(node)} item(s), numbered from 0")
            container, key, node, subschema = node, int(part), node[int(part)], subschema.get("items", {})
        elif is_dataclass(node):
            properties = subschema.get("properties", {})
            if part not in properties:
                raise FieldError(f"no such field: {here} has no {part!r} (it has {', '.join(properties)})")
            container, key, node, subschema = node, part, getattr(node, part), properties[part]
        else:
            raise FieldError(f"no such field: {here} is a single value")
    kinds = subschema.get("type", [])
    if "object" in kinds or "array" in kinds:
        raise FieldError("names a group of values, not one value")
    return container, key, subschema


def set_value(container: Any, key: str | int, value: Any) -> None:
    if isinstance(container, list):
        container[int(key)] = value  # a list's key is its index (resolve made it an int)
    else:
        setattr(container, str(key), value)


def get_value(container: Any, key: str | int) -> Any:
    return container[int(key)] if isinstance(container, list) else getattr(container, str(key))


def get(form: FormDocument, pointer: str) -> Any:
    """The value at ``pointer``; FieldError when it names no single value read from the form."""
    container, key, _ = resolve(form, pointer)
    return get_value(container, key)


def put(form: FormDocument, pointer: str, value: Any) -> None:
    """Set the value at ``pointer`` (untyped: the caller has typed it)."""
    container, key, _ = resolve(form, pointer)
    set_value(container, key, value)


def exists(form: FormDocument, pointer: str) -> bool:
    try:
        resolve(form, pointer)
        return True
    except FieldError:
        return False


# --- the form's structure --------------------------------------------------------------------


def total_line(form: FormDocument) -> tuple[int, FundingLine] | None:
    """The 年度资金总额 line and its index, when the form prints one."""
    for index, line in enumerate(form.funding.lines):
        if line.item == TOTAL_ITEM:
            return index, line
    return None


def has_points(item: Indicator | FundingLine) -> bool:
    return bool(item.weight) or bool(item.score)


def children(form: FormDocument) -> list[tuple[int, int | None]]:
    """Each row detailing another with its parent (indices): a 其中 row, under the nearest row
    above that is not one; a numbered 1、/(1) row, under the nearest 一、 row above it in its
    level-1 block."""
    pairs: list[tuple[int, int | None]] = []
    parent: int | None = None
    numbered_parent: int | None = None
    for index, row in enumerate(form.indicators):
        if numbered_parent is not None and form.indicators[numbered_parent].level1 != row.level1:
            numbered_parent = None
        if is_child_row(row.name):
            pairs.append((index, parent))
            continue
        if is_numbered_parent(row.name):
            numbered_parent = index
        elif numbered_parent is not None and is_numbered_child(row.name):
            pairs.append((index, numbered_parent))
            continue
        parent = index
    return pairs


def counted_indices(form: FormDocument) -> list[int]:
    """The indices of the indicator rows whose points count: a 其中 row's points are its parent's
    when the parent carries points too (double counting, reported by double_counted_indicator).
    Every sum over indicators (checks, suggestions, the report) counts these rows and no others."""
    repeated = {index for index, parent in children(form) if parent is not None and has_points(form.indicators[parent])}
    return [index for index in range(len(form.indicators)) if index not in repeated]


@dataclass(frozen=True)
class Level1Group:
    """Consecutive counted indicator rows under one level-1 label and its declared weight (产出(50分))."""

    name: str | None
    weight: float | None  # declared in the label; None when the label declares none
    indices: tuple[int, ...]


def level1_groups(form: FormDocument) -> list[Level1Group]:
    counted = [(index, form.indicators[index]) for index in counted_indices(form)]
    return [Level1Group(name, weight, tuple(index for index, _ in members)) for (name, weight), members in groupby(counted, key=lambda item: (item[1].level1, item[1].level1_weight))]


# --- a value's name for a reviewer -----------------------------------------------------------


def _indicator_label(form: FormDocument, index: int) -> str:
    row = form.indicators[index]
    return row.level2 or row.name or row.level1 or f"指标{index + 1}"


def label(form: FormDocument, pointer: str) -> str:
    """A reviewer's name for the value at ``pointer``: 时效 得分, 年度资金总额 全年执行数, 总分 得分,
    项目编码, 表名, 预期目标 第 1 条."""
    if pointer == TITLE:
        return "表名"
    try:
        place = parse(pointer)
    except ValueError:
        return pointer
    key = place.key or ""
    if place.section == "project" and key in PROJECT_LABELS:
        return PROJECT_LABELS[key]
    if place.section == "goals" and place.index is not None:
        return f"{GOAL_LABELS.get(key, key)} 第 {place.index + 1} 条"
    if place.section == "total" and place.key:
        return f"总分 {FIELD_LABELS.get(key, key)}"
    if place.section == "indicators" and place.index is not None and place.key:
        if key == "level1_weight":
            return f"{form.indicators[place.index].level1 or '一级指标'} 分值"
        return f"{_indicator_label(form, place.index)} {FIELD_LABELS.get(key, key)}"
    if place.section == "funding" and place.index is not None and place.key:
        return f"{form.funding.lines[place.index].item} {FIELD_LABELS.get(key, key)}"
    return pointer
