"""Schema validation of form documents with jsonschema (JSON Schema 2020-12).

jsonschema is the validator of record: every error message comes from it. It spends most of its
time on ``provenance`` (a hundred small entries per form, each checked keyword by keyword), so
those entries are first tested by a predicate compiled once from the schema's own provenance
subschema — accepting only what that subschema accepts — and jsonschema validates the rest of
the document; any entry the predicate doubts sends the whole document through jsonschema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.model import pointer
from pipeline.model.document import SCHEMA_PATH

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

Predicate = Callable[[Any], bool]
ANNOTATIONS = {"description", "title", "$comment", "examples", "default"}
TOP_LEVEL_SAFE = ANNOTATIONS | {"$schema", "$id", "type", "properties", "required", "additionalProperties", "$defs"}


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    """The one compiled validator of this process (jsonschema loaded with it: a driver that
    validates nothing never loads it)."""
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return not isinstance(value, bool) and (isinstance(value, int) or isinstance(value, float) and value.is_integer())
    if name == "number":
        return not isinstance(value, bool) and isinstance(value, int | float)
    kinds = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
    return name in kinds and isinstance(value, kinds[name])


def compile_predicate(schema: Any) -> Predicate | None:
    """A test accepting only instances ``schema`` accepts, for the keywords listed here; None when
    the schema uses any other keyword (then jsonschema alone decides)."""
    if schema is True:
        return lambda value: True
    if not isinstance(schema, dict):
        return None
    tests: list[Predicate] = []
    for keyword, argument in schema.items():
        if keyword in ANNOTATIONS:
            continue
        test = _keyword_predicate(keyword, argument, schema)
        if test is None:
            return None
        tests.append(test)
    return lambda value: all(test(value) for test in tests)


def _keyword_predicate(keyword: str, argument: Any, schema: dict[str, Any]) -> Predicate | None:
    """The test of one keyword of ``schema`` (its own function, so each test keeps its own
    argument); None for a keyword not compiled here, or whose subschema is not."""
    if keyword == "type":
        names = [argument] if isinstance(argument, str) else list(argument)
        return lambda v: any(_is_type(v, n) for n in names)
    if keyword in ("minimum", "maximum"):
        bound, below = argument, keyword == "maximum"
        return lambda v: not _is_type(v, "number") or (v <= bound if below else v >= bound)
    if keyword in ("minItems", "maxItems"):
        size, most = argument, keyword == "maxItems"
        return lambda v: not isinstance(v, list) or (len(v) <= size if most else len(v) >= size)
    if keyword == "pattern":
        pattern = re.compile(argument)
        return lambda v: not isinstance(v, str) or pattern.search(v) is not None
    if keyword == "required":
        required = list(argument)
        return lambda v: not isinstance(v, dict) or all(n in v for n in required)
    if keyword == "items":
        item = compile_predicate(argument)
        if item is None:
            return None
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if keyword == "propertyNames":
        name = compile_predicate(argument)
        if name is None:
            return None
        return lambda v: not isinstance(v, dict) or all(name(k) for k in v)
    if keyword == "properties":
        known: dict[str, Predicate] = {}
        for key, sub in argument.items():
            test = compile_predicate(sub)
            if test is None:
                return None
            known[key] = test
        return lambda v: not isinstance(v, dict) or all(known[k](x) for k, x in v.items() if k in known)
    if keyword == "additionalProperties":
        listed = set(schema.get("properties", {}))
        other = (lambda value: False) if argument is False else compile_predicate(argument)
        if other is None:
            return None
        return lambda v: not isinstance(v, dict) or all(other(x) for k, x in v.items() if k not in listed)
    return None


@lru_cache(maxsize=1)
def provenance_predicate() -> Predicate | None:
    """The provenance subschema as a predicate, when the document's validity splits into it and
    the rest: a plain top-level property, an empty provenance valid, only keywords known here."""
    schema = validator().schema
    subschema = schema.get("properties", {}).get("provenance")
    if subschema is None or not set(schema) <= TOP_LEVEL_SAFE or not validator().evolve(schema=subschema).is_valid({}):
        return None
    return compile_predicate(subschema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way the document breaks the schema, as 'pointer: message' lines (empty when valid)."""
    test = provenance_predicate()
    checked = document
    if test is not None and test(document.get("provenance", {})):
        checked = {**document, "provenance": {}}  # its entries are known valid
    errors = list(validator().iter_errors(checked))
    if errors and checked is not document:
        errors = list(validator().iter_errors(document))  # the messages, from jsonschema, on the whole document
    errors.sort(key=lambda e: list(e.absolute_path))
    return [f"{pointer.shown(error.absolute_path)}: {error.message}" for error in errors]
