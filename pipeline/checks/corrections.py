"""Corrections round trip: a reviewer's ``corrections.csv`` applied to every run, with an audit trail.

``corrections.csv`` (in the dump root, or named with ``--corrections``) has the columns
``form_id, field, value, note, reviewer``: ``field`` is the JSON pointer of one value of the form
(``/indicators/2/score``), ``value`` the right value as text, typed by the schema (number fields
parse as numbers, ``null`` clears a nullable field). After extraction every line is applied: the
form keeps both values in ``corrections`` ([{field, extracted, corrected, note, reviewer}]), the
checks run again on the corrected form and its status follows. The file is read, never written.

A line that cannot be applied (unknown form_id, a pointer the form does not have, a value of the
wrong type) is never dropped silently: it is a ``Rejected`` in the outcome (shown by the report),
a note in the manifest message of the affected file and a failed ``corrections`` check on its
form; an unknown form_id is a run-level note. Everything else still applies.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.model.document import Check, CheckStatus, Correction, FormDocument, FormStatus
from pipeline.model.pointer import FieldError, get_value, resolve, set_value
from pipeline.checks.reconcile import reconcile, values_readable
from pipeline.checks.rules import form_status
from pipeline.model.result import FileResult, FileStatus, RunResult
from pipeline.checks.rules import summarise
from pipeline.checks.validate import schema_errors
from pipeline.model.values import parse_number

CORRECTIONS_FILE = "corrections.csv"
COLUMNS = ("form_id", "field", "value", "note", "reviewer")
REQUIRED_COLUMNS = ("form_id", "field", "value")
NULL = "null"


@dataclass(frozen=True)
class CorrectionRow:
    """One line of corrections.csv, as written."""

    line: int  # 1-based line in the file (the header is line 1)
    form_id: str
    field: str
    value: str
    note: str | None = None
    reviewer: str | None = None


@dataclass(frozen=True)
class Rejected:
    """A line that could not be applied, and why."""

    line: int | None  # None for a problem with the whole file
    form_id: str
    field: str
    value: str
    reason: str
    file: str | None = None  # input file of the form, when the form exists

    def describe(self, source: str = CORRECTIONS_FILE) -> str:
        where = f"{source} line {self.line}" if self.line is not None else source
        what = " ".join(part for part in (self.form_id, self.field) if part)
        return f"{where}: {what}: {self.reason}" if what else f"{where}: {self.reason}"


@dataclass
class CorrectionsOutcome:
    """What happened to every line of the corrections file."""

    source: str | None = None  # the file as named to the user; None when there is none
    applied: list[tuple[int, str, Correction]] = field(default_factory=list)  # (line, form_id, correction)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational (a later line replacing an earlier one)

    @property
    def corrected_forms(self) -> set[str]:
        """The forms a correction of the file was applied to."""
        return {form_id for _, form_id, _ in self.applied}

    @property
    def run_level(self) -> list[Rejected]:
        """Problems no input file owns: unknown form ids, an unreadable file."""
        return [r for r in self.rejected if r.file is None]


# --- reading ------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM, as Excel's "CSV UTF-8" writes it), else GB18030 (Excel's ANSI on
    a Chinese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _optional(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def read_corrections(path: Path) -> tuple[list[CorrectionRow], list[Rejected]]:
    """Every correction line of ``path``; blank lines and lines whose form_id starts with # are skipped."""
    try:
        text = _decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        return [], [Rejected(None, "", "", "", f"cannot read the corrections file: {error}")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return [], [Rejected(None, "", "", "", f"header must name {', '.join(COLUMNS)} (missing {', '.join(missing)}); no correction applied")]
    reader.fieldnames = header
    rows, problems = [], []
    for record in reader:
        values = {k: (v if isinstance(v, str) else "") for k, v in record.items() if k is not None}
        if not any(v.strip() for v in values.values()) or values.get("form_id", "").lstrip().startswith("#"):
            continue
        if record.get(None):  # more fields than the header names: an unquoted comma in a note
            problems.append(
                Rejected(reader.line_num, values["form_id"].strip(), values["field"].strip(), values["value"], "more fields than the header names (quote a value or note that contains a comma)")
            )
            continue
        rows.append(CorrectionRow(reader.line_num, values["form_id"].strip(), values["field"].strip(), values["value"], _optional(values.get("note")), _optional(values.get("reviewer"))))
    return rows, problems


def csv_line(form_id: str, pointer: str, value: str, note: str = "", reviewer: str = "") -> str:
    """The exact line to add to corrections.csv (quoted as CSV needs, without the line break)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([form_id, pointer, value, note, reviewer])
    return buffer.getvalue()


def header_line() -> str:
    return ",".join(COLUMNS)


# --- pointers and types -------------------------------------------------------------------


def typed(text: str, subschema: dict[str, Any]) -> str | float | None:
    """The correction's text as the schema types the field: a number, a string, or null."""
    value = text.strip()
    kinds = subschema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    enum = subschema.get("enum")
    nullable = "null" in kinds or (enum is not None and None in enum)
    if value.lower() == NULL:
        if nullable:
            return None
        raise FieldError("cannot be null")
    if not value:
        raise FieldError("empty value (write null to clear a value)")
    if enum is not None:
        allowed = [e for e in enum if e is not None]
        if value not in allowed:
            raise FieldError(f"must be one of {', '.join(allowed)}{' or null' if nullable else ''}, not {value!r}")
        return value
    if "number" in kinds or "integer" in kinds:
        number = parse_number(value).value
        if number is None:
            raise FieldError(f"wrong type: a number field, and {value!r} is not a number")
        return number
    return value


# --- applying -----------------------------------------------------------------------------


def _unreadable_left(check: Check, corrected: set[str]) -> Check | None:
    """The values_readable check without the values a reviewer has now given; None when none are left."""
    left = [(term.at, term.note or "") for term in check.terms if term.at not in corrected]
    if not left:
        return None
    return values_readable(left)


def recheck(form: FormDocument, rejected: list[Rejected] | None = None, source: str = CORRECTIONS_FILE) -> None:
    """Run the checks again on a corrected form; its status follows, as at extraction.

    Checks made at extraction outside ``reconcile`` (values_readable, indicators_found, …) are
    kept, less the unreadable values a reviewer has now given; the schema is validated again."""
    corrected = {c.field for c in form.corrections}
    checks = reconcile(form)
    rerun = {c.rule for c in checks} | {"schema", "corrections"}
    for check in form.checks:
        if check.rule == "values_readable":
            left = _unreadable_left(check, corrected)
            if left is not None:
                checks.append(left)
        elif check.rule not in rerun:
            checks.append(check)
    if rejected:
        reasons = "; ".join(r.describe(source) for r in rejected)
        checks.append(Check("corrections", CheckStatus.FAIL, f"{len(rejected)} correction(s) not applied: {reasons}", list(dict.fromkeys(r.field for r in rejected if r.field.startswith("/")))))
    elif form.corrections:
        checks.append(Check("corrections", CheckStatus.PASS, f"{len(form.corrections)} correction(s) applied: " + ", ".join(c.field for c in form.corrections), [c.field for c in form.corrections]))
    form.checks = checks
    form.status = form_status(checks)
    errors = schema_errors(form.to_json())
    if errors:
        form.checks.append(Check("schema", CheckStatus.FAIL, "; ".join(errors[:10])))
        form.status = FormStatus.NEEDS_REVIEW


def _apply_row(form: FormDocument, row: CorrectionRow) -> Correction:
    container, key, subschema = resolve(form, row.field)
    value = typed(row.value, subschema)
    extracted = get_value(container, key)
    set_value(container, key, value)
    return Correction(field=row.field, extracted=extracted, corrected=value, note=row.note, reviewer=row.reviewer)


def _latest(rows: list[CorrectionRow], outcome: CorrectionsOutcome) -> list[CorrectionRow]:
    """One line per (form, field): a later line replaces an earlier one, which is noted."""
    last: dict[tuple[str, str], CorrectionRow] = {}
    for row in rows:
        earlier = last.get((row.form_id, row.field))
        if earlier is not None:
            outcome.notes.append(f"line {earlier.line} is replaced by line {row.line} ({row.form_id} {row.field})")
        last[(row.form_id, row.field)] = row
    return sorted(last.values(), key=lambda r: r.line)


def apply_corrections(result: RunResult, path: Path | None, source: str | None = None) -> CorrectionsOutcome:
    """Apply every line of ``path`` to the run's forms; say what happened to each line."""
    outcome = CorrectionsOutcome(source=source or (path.name if path else None))
    if path is None:
        return outcome
    rows, outcome.rejected = read_corrections(path)
    result.restore({row.form_id for row in rows})  # the forms named, whole again (a slim run holds summaries)
    owners: dict[str, tuple[FileResult, FormDocument]] = {f.form_id: (r, f) for r in result.files for f in r.forms}
    touched: dict[str, list[Rejected]] = {}
    for row in _latest(rows, outcome):
        owner = owners.get(row.form_id)
        if owner is None:
            outcome.rejected.append(Rejected(row.line, row.form_id, row.field, row.value, "unknown form_id: no form of this run has it"))
            continue
        file_result, form = owner
        problems = touched.setdefault(form.form_id, [])
        try:
            correction = _apply_row(form, row)
        except FieldError as error:
            problem = Rejected(row.line, row.form_id, row.field, row.value, str(error), file=file_result.file)
            problems.append(problem)
            outcome.rejected.append(problem)
            continue
        form.corrections.append(correction)
        outcome.applied.append((row.line, row.form_id, correction))
    outcome.rejected.sort(key=lambda r: (r.line is not None, r.line or 0))
    for form_id, problems in touched.items():
        file_result, form = owners[form_id]
        recheck(form, problems, outcome.source or CORRECTIONS_FILE)
        file_result.notes.extend(p.describe(outcome.source or CORRECTIONS_FILE) for p in problems)
        summarise(file_result)
    return outcome


def mark_corrections_file(result: RunResult, relpath: str, outcome: CorrectionsOutcome, used: bool = True) -> None:
    """The corrections file's own manifest row: skipped (it is not a form document), saying what it did."""
    for row in result.files:
        if row.file != relpath:
            continue
        row.status, row.forms, row.method, row.page_images = FileStatus.SKIPPED, [], "", {}
        row.slim, row.summaries, row.image_pages = False, [], ()
        if not used:
            row.message = f"corrections file (not applied: --corrections names {outcome.source})"
            return
        parts = [f"corrections file (applied): {len(outcome.applied)} applied, {len(outcome.rejected)} rejected"]
        parts += [r.describe(relpath) for r in outcome.run_level]
        row.message = "; ".join(parts)


def corrections_path(dump: Path, given: Path | None) -> Path | None:
    """The corrections file of a run: the one given, else ``corrections.csv`` in the dump root if present."""
    if given is not None:
        return given
    default = dump / CORRECTIONS_FILE
    return default if default.is_file() else None


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def apply_corrections_file(result: RunResult, dump: Path, given: Path | None = None) -> CorrectionsOutcome:
    """Apply the run's corrections file (if any) and give corrections files in the dump their manifest rows."""
    path = corrections_path(dump, given)
    relpath = _inside(path, dump) if path is not None else None
    outcome = apply_corrections(result, path, source=relpath or (str(path) if path is not None else None))
    if relpath is not None:
        mark_corrections_file(result, relpath, outcome)
    default = dump / CORRECTIONS_FILE
    if default.is_file() and (path is None or relpath != CORRECTIONS_FILE):
        mark_corrections_file(result, CORRECTIONS_FILE, outcome, used=False)
    return outcome
