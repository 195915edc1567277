"""The evaluation corpus (eval/) is well formed: every expected.json validates as form content, the
split covers every form exactly once, and every source spec lays out as a rectangular grid.

Needs no LibreOffice: the renderings are not made here (scripts/make_eval.py does that).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import eval_spec  # noqa: E402

from pipeline.evaluate import CONTENT_KEYS  # noqa: E402
from pipeline.parse.template import load_templates  # noqa: E402

IDS = eval_spec.form_ids()
SCHEMA = json.loads((REPO / "schemas" / "form.schema.json").read_text(encoding="utf-8"))
CONTENT = [k for k in CONTENT_KEYS if k != "template"]
# every template's layout, the README's sichuan example (no template: read as unknown) and any other
LAYOUTS = {t.name for t in load_templates()} | {"sichuan", "other"}


def _as_full_form(content: dict) -> dict:
    """The expected content with the non-content fields of a form filled with dummies."""
    return {
        "schema_version": "1.6.0",
        "form_id": "0123456789abcdef-0",
        "status": "ok",
        "template": "national",
        "source": {"file": "x.pdf", "sha256": "0" * 64, "form_index": 0, "pages": [1], "method": "text_layer", "ocr_engine": None, "continued_in": []},
        "dropped_rows": [],
        "checks": [],
        "corrections": [],
        "provenance": {},
        **content,
    }


def test_corpus_is_not_empty():
    assert len(IDS) >= 12
    provinces = {eval_spec.load(i)["province"] for i in IDS}
    assert len(provinces) >= 6


@pytest.mark.parametrize("form_id", IDS)
def test_expected_is_form_content(form_id):
    expected = eval_spec.load_expected(form_id)
    assert set(expected) == set(CONTENT), f"content keys only, no template: {sorted(expected)}"
    jsonschema.validate(_as_full_form(expected), SCHEMA)
    for line in expected["funding"]["lines"]:
        for key, value in line.items():
            assert key == "item" or value is None or isinstance(value, float), (key, value)
    for indicator in expected["indicators"]:
        for key in ("level1_weight", "weight", "score"):
            assert indicator[key] is None or isinstance(indicator[key], float), (key, indicator)


@pytest.mark.parametrize("form_id", IDS)
def test_source_spec_is_rectangular(form_id):
    spec = eval_spec.load(form_id)
    assert spec["id"] == form_id
    assert spec["layout"] in LAYOUTS
    assert spec["source"]["url"].startswith("http")
    assert isinstance(spec["source"]["complete"], bool)
    cells = eval_spec.place(spec)  # raises on a ragged row, an overlap or a span off the grid
    covered = sum(c.row_span * c.col_span for c in cells)
    assert covered == len(spec["rows"]) * spec["columns"]


def test_place_rejects_ragged_rows():
    with pytest.raises(ValueError):
        eval_spec.place({"columns": 3, "rows": [["a", "b", "c"], ["a", "b"]]})
    with pytest.raises(ValueError):
        eval_spec.place({"columns": 2, "rows": [[["a", 1, 2], "b"], ["c", "d"]]})
    with pytest.raises(ValueError):
        eval_spec.place({"columns": 2, "rows": [[["a", 1, 3], "b"], ["c"]]})


def test_split_is_disjoint_and_complete():
    split = eval_spec.split()
    dev, holdout = set(split["dev"]), set(split["holdout"])
    assert not dev & holdout
    assert dev | holdout == set(IDS)
    assert len(split["dev"]) == len(dev) and len(split["holdout"]) == len(holdout)
    # stratified: every layout family with two or more forms is on both sides
    layouts = {i: eval_spec.load(i)["layout"] for i in IDS}
    for layout in set(layouts.values()):
        members = {i for i, lay in layouts.items() if lay == layout}
        if len(members) >= 2:
            assert members & dev and members & holdout, layout


def test_xlsx_numbers_display_as_printed():
    import make_eval

    assert make_eval.as_number("89.974") == (89.974, "0.000")
    assert make_eval.as_number("100.00%") == (1.0, "0.00%")
    assert make_eval.as_number("86%") == (0.86, "0%")
    assert make_eval.as_number("0") == (0.0, "0")
    for text in ("≥50个", "150万", "0557-5788003", "", "—", "/"):
        assert make_eval.as_number(text) is None
