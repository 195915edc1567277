"""Schema validation of form documents with jsonschema (JSON Schema 2020-12)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from . import pointer

PACKAGE = Path(__file__).resolve().parent
SCHEMA_NAME = "form.schema.json"
# an installed wheel ships the schema as pipeline/schemas/; a checkout has it at the root, schemas/
SCHEMA_PATH = next((p for p in (PACKAGE / "schemas" / SCHEMA_NAME, PACKAGE.parent / "schemas" / SCHEMA_NAME) if p.is_file()), PACKAGE.parent / "schemas" / SCHEMA_NAME)


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way the document breaks the schema, as 'pointer: message' lines (empty when valid)."""
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{pointer.shown(error.absolute_path)}: {error.message}" for error in errors]
