"""The JSON contract: schemas/form.schema.json against pipeline.model.document and pipeline.checks.validate."""

from __future__ import annotations

import copy
import json
from dataclasses import fields

import pytest

from pipeline.model.document import (
    Check,
    CheckStatus,
    Correction,
    FormDocument,
    FormStatus,
    Funding,
    FundingLine,
    Goals,
    Indicator,
    Op,
    Project,
    Provenance,
    Source,
    Term,
    Total,
)
from pipeline.readers.ingest import InputFile
from pipeline.parse.form import ParsedForm
from pipeline.run.unit import build_form
from pipeline.checks.validate import SCHEMA_PATH, compile_predicate, provenance_predicate, schema_errors, validator

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def parsed_form() -> ParsedForm:
    return ParsedForm(
        title="培训经费项目支出绩效自评表",
        template="shenzhen",
        pages=[1],
        project=Project(code="440307220441502105005", name="培训经费", year="2022", budget_unit="吉华街道办事处"),
        funding=Funding(
            unit="元",
            lines=[
                FundingLine("年度资金总额", 0.0, 13860.0, 13860.0, 10.0, 100.0, 10.0),
                FundingLine("当年财政拨款", 0.0, 13860.0, 13860.0),
            ],
        ),
        goals=Goals(expected=["提高业务人员能力水平"], actual=["已完成"]),
        indicators=[
            Indicator("产出", 50.0, "数量", "培训场次", ">1", ">1", 50.0, 50.0, None),
            Indicator("效益", 30.0, "社会效益", "业务能力", "提高", "有所提高", 30.0, 30.0, None),
            Indicator("满意度", 10.0, "服务对象满意度", "员工满意度", ">90%", "92%", 10.0, 10.0, None),
        ],
        total=Total(weight=100.0, score=100.0),
        provenance={
            "/total/score": Provenance(1, (10.0, 20.0, 30.0, 40.0), "100"),
            "/indicators/0/level1": Provenance(1, (1.0, 2.0, 3.0, 4.0), "产出(50分)", 0.97),
        },
        problems=[],
    )


def input_file(relpath: str = "2022/单表/培训经费.pdf", sha: str = "ab" * 32) -> InputFile:
    return InputFile(path=None, relpath=relpath, size=1, sha256=sha, kind="pdf", detail="PDF")  # type: ignore[arg-type]


@pytest.fixture
def document() -> dict:
    form = build_form(parsed_form(), input_file(), 0, "text_layer")
    assert form.status == "ok", form.checks
    return form.to_json()


def test_built_form_validates(document):
    assert schema_errors(document) == []
    assert document["form_id"] == "abababababababab-0"


def test_minimal_hand_built_document_validates():
    form = FormDocument(
        form_id="0123456789abcdef-3",
        title=None,
        template="national",
        source=Source(file="x.pdf", sha256="f" * 64, form_index=3, pages=[], method="ocr"),
    )
    assert schema_errors(form.to_json()) == []


def test_json_round_trip_still_validates(document):
    assert schema_errors(json.loads(json.dumps(document, ensure_ascii=False))) == []


INVALID = [
    ("extra top-level property", lambda d: d.update(extra=1), "/"),
    ("extra project property", lambda d: d["project"].update(address="深圳"), "/project"),
    ("extra indicator property", lambda d: d["indicators"][0].update(level3="x"), "/indicators/0"),
    ("extra funding line property", lambda d: d["funding"]["lines"][0].update(note=""), "/funding/lines/0"),
    ("extra source property", lambda d: d["source"].update(mtime=0), "/source"),
    ("extra provenance property", lambda d: d["provenance"]["/total/score"].update(font="x"), "/provenance//total/score"),
    ("status done", lambda d: d.update(status="done"), "/status"),
    ("un-normalised funding item", lambda d: d["funding"]["lines"][1].update(item="本年财政拨款"), "/funding/lines/1/item"),
    ("funding item with 其中", lambda d: d["funding"]["lines"][1].update(item="其中：当年财政拨款"), "/funding/lines/1/item"),
    ("string weight", lambda d: d["indicators"][0].update(weight="50"), "/indicators/0/weight"),
    ("string amount", lambda d: d["funding"]["lines"][0].update(executed="13,860.00"), "/funding/lines/0/executed"),
    ("string total", lambda d: d["total"].update(score="100"), "/total/score"),
    ("missing required", lambda d: d["project"].pop("code"), "/project"),
    ("bad unit", lambda d: d["funding"].update(unit="千元"), "/funding/unit"),
    ("bad check status", lambda d: d["checks"][0].update(status="ok"), "/checks/0/status"),
    ("bad form id", lambda d: d.update(form_id="ABC-0"), "/form_id"),
    ("page 0", lambda d: d["source"].update(pages=[0]), "/source/pages/0"),
    ("bbox of 3", lambda d: d["provenance"]["/total/score"].update(bbox=[1, 2, 3]), "/provenance//total/score/bbox"),
    ("provenance key not a pointer", lambda d: d["provenance"].update({"total": d["provenance"]["/total/score"]}), "/provenance"),
    ("goal item not a string", lambda d: d["goals"]["expected"].append(None), "/goals/expected/1"),
    ("provenance page 0", lambda d: d["provenance"]["/total/score"].update(page=0), "/provenance//total/score/page"),
    ("provenance page true", lambda d: d["provenance"]["/total/score"].update(page=True), "/provenance//total/score/page"),
    ("provenance page 1.5", lambda d: d["provenance"]["/total/score"].update(page=1.5), "/provenance//total/score/page"),
    ("provenance confidence 1.5", lambda d: d["provenance"]["/total/score"].update(confidence=1.5), "/provenance//total/score/confidence"),
    ("provenance confidence text", lambda d: d["provenance"]["/total/score"].update(confidence="0.9"), "/provenance//total/score/confidence"),
    ("provenance text null", lambda d: d["provenance"]["/total/score"].update(text=None), "/provenance//total/score/text"),
    ("provenance without text", lambda d: d["provenance"]["/total/score"].pop("text"), "/provenance//total/score"),
    ("provenance bbox of text", lambda d: d["provenance"]["/total/score"].update(bbox=["1", 2, 3, 4]), "/provenance//total/score/bbox/0"),
    ("provenance entry not an object", lambda d: d["provenance"].update({"/total/score": [1]}), "/provenance//total/score"),
]


@pytest.mark.parametrize(("why", "breaks", "pointer"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_documents_fail(document, why, breaks, pointer):
    broken = copy.deepcopy(document)
    breaks(broken)
    errors = schema_errors(broken)
    assert errors, why
    assert any(e.startswith(pointer + ":") or e.startswith(pointer.rstrip("/") + ":") for e in errors), errors


def jsonschema_alone(document: dict) -> list[str]:
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in errors]


@pytest.mark.parametrize(("why", "breaks", "pointer"), INVALID, ids=[i[0] for i in INVALID])
def test_the_provenance_predicate_agrees_with_jsonschema(document, why, breaks, pointer):
    assert provenance_predicate() is not None  # the shortcut is in use for this schema
    broken = copy.deepcopy(document)
    breaks(broken)
    assert schema_errors(broken) == jsonschema_alone(broken)
    assert schema_errors(document) == jsonschema_alone(document) == []


def test_a_keyword_the_predicate_does_not_know_leaves_validation_to_jsonschema():
    assert compile_predicate({"type": "object", "minProperties": 1}) is None
    assert compile_predicate({"type": "array", "items": {"type": "string", "format": "date"}}) is None
    strict = compile_predicate({"type": "object", "required": ["a"], "additionalProperties": False, "properties": {"a": {"type": "integer", "minimum": 1}}})
    assert strict({"a": 1}) and strict({"a": 2.0})
    assert not any(strict(v) for v in ({"a": 0}, {"a": True}, {"a": 1, "b": 2}, {}, [], {"a": "1"}))


def test_build_form_flags_a_schema_violation():
    parsed = parsed_form()
    parsed.funding.lines[1].item = "本年财政拨款"  # a parser bug would leave it un-normalised
    form = build_form(parsed, input_file(), 0, "text_layer")
    assert form.status == "needs_review"
    schema = next(c for c in form.checks if c.rule == "schema")
    assert schema.status == "fail" and "/funding/lines/1/item" in schema.message


# --- staleness: the schema and the dataclasses describe the same fields -----------------------


def _object(path: str) -> dict:
    node = SCHEMA
    for part in path.split("/"):
        if part:
            node = node["properties"][part] if part != "[]" else node["items"]
    return node


OBJECTS = [
    ("source", Source),
    ("project", Project),
    ("funding", Funding),
    ("funding/lines/[]", FundingLine),
    ("goals", Goals),
    ("indicators/[]", Indicator),
    ("total", Total),
    ("checks/[]", Check),
    ("checks/[]/terms/[]", Term),
    ("corrections/[]", Correction),
]


@pytest.mark.parametrize(("path", "cls"), OBJECTS, ids=[o[1].__name__ for o in OBJECTS])
def test_schema_properties_equal_dataclass_fields(path, cls):
    node = _object(path)
    names = {f.name for f in fields(cls)}
    assert set(node["properties"]) == names
    assert set(node["required"]) == names  # every field is always written, null when absent
    assert node["additionalProperties"] is False


def test_schema_provenance_equals_provenance_fields():
    node = SCHEMA["properties"]["provenance"]["additionalProperties"]
    assert set(node["properties"]) == {f.name for f in fields(Provenance)}
    assert set(node["required"]) == {"page", "bbox", "text"}  # confidence only for OCR


def test_schema_top_level_equals_to_json_keys(document):
    assert set(SCHEMA["properties"]) == set(document)
    assert set(SCHEMA["required"]) == set(document)
    assert set(document) == {f.name for f in fields(FormDocument)}
    assert SCHEMA["additionalProperties"] is False


def test_schema_enums_are_the_status_and_op_enums():
    """The StrEnums the pipeline writes are the schema's enums, value for value."""
    assert SCHEMA["properties"]["status"]["enum"] == [s.value for s in FormStatus]
    assert _object("checks/[]")["properties"]["status"]["enum"] == [s.value for s in CheckStatus]
    assert _object("checks/[]/terms/[]")["properties"]["op"]["enum"] == [o.value for o in Op]


def test_schema_enums_match_vocabulary():
    from pipeline.model.vocabulary import AMOUNT_UNITS, FUNDING_ITEMS

    item_enum = _object("funding/lines/[]")["properties"]["item"]["enum"]
    assert set(item_enum) == set(FUNDING_ITEMS)
    assert set(_object("funding")["properties"]["unit"]["enum"]) == set(AMOUNT_UNITS) | {None}
