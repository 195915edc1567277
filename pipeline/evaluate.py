"""Field-level comparison of an extracted form with its expected content (benchmark and tests).

A field is every scalar under title, template, project, funding, goals, indicators, total and
other_notes.
Two values are equal after Unicode NFKC and with all whitespace removed (numbers: exactly), and
with glyphs that print alike taken as one (≧ and ≥, ═ and =): no reading of paper tells them apart.
A field that differs is *flagged* when its provenance confidence is below the low-confidence
threshold: a human will look at it, so it is not a silent error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline.model.pointer import child
from pipeline.checks.reconcile import LOW_CONFIDENCE
from pipeline.model.vocabulary import SAME_IN_PRINT

CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total", "other_notes")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldResult:
    pointer: str
    expected: Any
    actual: Any
    equal: bool
    flagged: bool
    numeric: bool


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACE.sub("", unicodedata.normalize("NFKC", value)).translate(SAME_IN_PRINT)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _leaves(value: Any, pointer: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _leaves(item, child(pointer, key)).items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _leaves(item, child(pointer, i)).items()}
    return {pointer: value}


def compare(form: dict[str, Any], expected: dict[str, Any]) -> list[FieldResult]:
    """One result per expected field (and per extracted field the expectation lacks)."""
    actual_leaves = _leaves({k: form.get(k) for k in CONTENT_KEYS})
    expected_leaves = _leaves({k: expected.get(k) for k in CONTENT_KEYS})
    provenance = form.get("provenance", {})
    results = []
    for pointer in sorted(set(expected_leaves) | set(actual_leaves), key=lambda p: (p not in expected_leaves, p)):
        want = expected_leaves.get(pointer, "<absent>")
        got = actual_leaves.get(pointer, "<absent>")
        confidence = provenance.get(pointer, {}).get("confidence")
        equal = _norm(want) == _norm(got)
        results.append(
            FieldResult(
                pointer=pointer,
                expected=want,
                actual=got,
                equal=equal,
                flagged=not equal and confidence is not None and confidence < LOW_CONFIDENCE,
                numeric=isinstance(want, int | float) and not isinstance(want, bool),
            )
        )
    return results


def accuracy(results: list[FieldResult]) -> float:
    return sum(r.equal for r in results) / len(results) if results else 1.0
