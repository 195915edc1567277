"""JSON pointers (pipeline.model.pointer): built, parsed, read and written in one place, and nowhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline.model import pointer as ptr
from pipeline.model.document import FormDocument, Funding, FundingLine, Indicator, Source, Total
from pipeline.model.pointer import FieldError, Place

PIPELINE = Path(ptr.__file__).resolve().parent


def form() -> FormDocument:
    return FormDocument(
        form_id="0123456789abcdef-0",
        title="测试项目支出绩效自评表",
        template="shenzhen",
        source=Source(file="x.pdf", sha256="0" * 64, form_index=0, pages=[1], method="text_layer"),
        funding=Funding(unit="元", lines=[FundingLine("年度资金总额", 10.0, 10.0, 10.0, 10.0, 100.0, 10.0), FundingLine("当年财政拨款", 10.0, 10.0, 10.0)]),
        indicators=[
            Indicator("产出", 50.0, "数量", "培训场次", "2场", "2场", 50.0, 45.0, None),
            Indicator("产出", 50.0, "数量", "其中：线上场次", "1场", "1场", 20.0, 20.0, None),
            Indicator("效益", 40.0, "社会效益", "业务能力", "提高", "提高", 40.0, 40.0, None),
        ],
        total=Total(weight=100.0, score=95.0),
    )


@pytest.mark.parametrize(
    ("built", "text", "place"),
    [
        (ptr.indicator(2, "score"), "/indicators/2/score", Place("indicators", 2, "score")),
        (ptr.indicator(2), "/indicators/2", Place("indicators", 2)),
        (ptr.funding(0, "executed"), "/funding/lines/0/executed", Place("funding", 0, "executed")),
        (ptr.total("weight"), "/total/weight", Place("total", None, "weight")),
        (ptr.project("code"), "/project/code", Place("project", None, "code")),
        (ptr.goal("expected", 1), "/goals/expected/1", Place("goals", 1, "expected")),
        (ptr.FUNDING_UNIT, "/funding/unit", Place("funding", None, "unit")),
        (ptr.TITLE, "/title", Place("title")),
    ],
)
def test_a_pointer_is_built_and_parsed_back_into_its_parts(built, text, place):
    assert built == text and ptr.parse(text) == place


def test_keys_are_escaped_as_rfc_6901_says():
    assert ptr.join(["provenance", "/total/score"]) == "/provenance/~1total~1score"
    assert ptr.tokens("/provenance/~1total~1score") == ["provenance", "/total/score"]
    assert ptr.child("/a~0b", "c/d") == "/a~0b/c~1d"
    assert ptr.shown(["provenance", "/total/score"]) == "/provenance//total/score" and ptr.shown([]) == "/"


@pytest.mark.parametrize("text", ["indicators/2/score", "/indicators/x/score", "/indicators/2/score/extra", "/funding/lines/a/score"])
def test_a_shape_no_value_has_is_refused(text):
    with pytest.raises(ValueError):
        ptr.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/funding/lines/3/execution_rate", True),
        ("/funding/lines/0/executed", True),
        ("/indicators/12/score", True),
        ("/indicators/0/weight", True),
        ("/total/score", True),
        ("/project/code", True),
        ("/project/year", True),
        ("/indicators/0/level1_weight", False),
        ("/indicators/0/name", False),
        ("/funding/unit", False),
        ("/total/grade", False),
        ("/project/name", False),
        ("/funding/lines/0/item", False),
        ("/indicators/score", False),
        ("/total/score/x", False),
        ("nonsense", False),
    ],
)
def test_numbers_and_codes_are_told_from_text(text, expected):
    assert ptr.is_number_or_code(text) is expected


def test_a_value_is_read_and_written_by_its_pointer():
    document = form()
    assert ptr.get(document, "/indicators/0/score") == 45.0 and ptr.get(document, "/funding/lines/1/item") == "当年财政拨款"
    ptr.put(document, "/indicators/0/score", 47.0)
    assert document.indicators[0].score == 47.0
    assert ptr.exists(document, "/total/score") and not ptr.exists(document, "/indicators/9/score")
    with pytest.raises(FieldError, match="a group of values"):
        ptr.get(document, "/indicators/0")


def test_the_form_s_structure_checks_and_suggestions_share():
    document = form()
    assert ptr.total_line(document) == (0, document.funding.lines[0])
    assert ptr.children(document) == [(1, 0)]
    assert ptr.counted_indices(document) == [0, 2]  # the 其中 row's points are its parent's
    assert ptr.level1_groups(document) == [ptr.Level1Group("产出", 50.0, (0,)), ptr.Level1Group("效益", 40.0, (2,))]


def test_a_value_has_a_reviewer_s_name():
    document = form()
    assert ptr.label(document, "/indicators/0/score") == "数量 得分"
    assert ptr.label(document, "/indicators/2/level1_weight") == "效益 分值"
    assert ptr.label(document, "/funding/lines/0/executed") == "年度资金总额 全年执行数"
    assert ptr.label(document, "/total/score") == "总分 得分"
    assert ptr.label(document, "/indicators/0/target") == "数量 年度指标值"
    assert ptr.label(document, "/project/code") == "项目编码"
    assert ptr.label(document, "/title") == "表名"
    assert ptr.label(document, "/goals/expected/0") == "预期目标 第 1 条"
    assert ptr.label(document, "/other_notes") == "/other_notes"  # no better name than its pointer


# --- the habit: pointers are made and read here only --------------------------------------------

# the document's top-level keys a pointer into a form starts with
_SECTIONS = r"(?:indicators|funding|total|project|goals|title|other_notes|provenance|checks|corrections)"
_POINTER_TEXT = re.compile(rf"^\^?/(?:\(\?:)?{_SECTIONS}\b|/\(\?:|{_SECTIONS}/\(")


_POINTER_NAME = re.compile(r"[\w.]*(?:pointer|ptr|base|parent)[\w.]*")  # a name an f-string would extend into a longer pointer


def pointer_making(source: str) -> list[tuple[int, str]]:
    """(line, text) of every place ``source`` builds a pointer with an f-string (f"/indicators/{i}",
    or a literal "/…" after a pointer-named value: f"{base}/score", f"{pointer}/{key}") or spells
    one, or a regex of one, as a string."""
    tree = ast.parse(source)
    found, in_f_strings = [], set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        in_f_strings.update(id(part) for part in node.values)
        for index, part in enumerate(node.values):
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value.startswith("/")):
                continue
            before = node.values[index - 1] if index else None
            if before is None and re.match(r"/[A-Za-z_{]", part.value) or isinstance(before, ast.FormattedValue) and _POINTER_NAME.fullmatch(ast.unparse(before.value)):
                found.append((node.lineno, ast.unparse(node)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_f_strings and _POINTER_TEXT.search(node.value):
            found.append((node.lineno, node.value))
    return sorted(found)


def test_the_habit_test_finds_what_it_looks_for():
    sample = """
a = f"/indicators/{i}/score"
b = f"{base}/score"
c = re.compile(r"^/(?:funding/lines/\\d+/score)$")
d = "/total/score"
e = re.fullmatch(r"/indicators/(\\d+)/score", p)
f = f"{pointer}/{key}"
g = f"{old} and {new} differ ({', '.join(f'{a}/{b}' for a, b in pairs)})"
h = f'<a href="{FILES_DIR}/form-{form_id}.html">'
i = f"{x:.2f} ÷ {y} / {z}"
"""
    assert [line for line, _ in pointer_making(sample)] == [2, 3, 4, 5, 6, 7]


def test_no_module_but_pipeline_pointer_builds_or_parses_pointers():
    offenders = [f"{path.name}:{line}: {text}" for path in sorted(PIPELINE.rglob("*.py")) if path.name != "pointer.py" for line, text in pointer_making(path.read_text(encoding="utf-8"))]
    assert offenders == [], "build pointers with pipeline.model.pointer: " + "; ".join(offenders)
