"""Export: form JSON files, analyst tables (CSV, Parquet, XLSX), their data dictionary, the manifest.

Every file is written to a temporary name in its folder and renamed into place, so a reader never
sees half a file and an interrupted run leaves the previous output intact.
"""

from __future__ import annotations

import datetime
import filecmp
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import tempfile
import zipfile
import contextlib
import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import orjson

from pipeline import __version__
from pipeline.model.document import SCHEMA_VERSION, FormDocument, FormStatus
from pipeline.outputs.store import CACHE_DIR, load_part, store_part
from pipeline.readers.names import flat_name
from pipeline.model.result import FileResult, RunResult, TablePart

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is made: a re-run that makes none never loads it

_UMASK = os.umask(0)
os.umask(_UMASK)

FORMS_DIR = "forms"
TABLES_DIR = "tables"
PAGES_DIR = "pages"
MANIFEST = "manifest.csv"
RUN_STATUS = "run.json"


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=target.parent)  # short: names are near the limit
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes files private; outputs are for sharing
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@contextmanager
def fresh_path(target: Path):
    """As ``atomic_path``, for outputs written piece by piece (a streamed table): the temporary
    file replaces ``target`` only when their bytes differ, so an unchanged output keeps its inode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        if not (target.is_file() and filecmp.cmp(temporary, target, shallow=False)):
            os.chmod(temporary, 0o666 & ~_UMASK)
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def reproducible_zip(data: bytes, when: datetime.datetime = datetime.datetime(2000, 1, 1)) -> bytes:
    """An Office file (a ZIP) with every timestamp pinned: openpyxl stamps the save time into the
    ZIP entries and docProps/core.xml, which would make identical content differ byte-wise."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)", rb"\g<1>" + stamp + rb"\g<2>", body)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6]), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def reproducible_zip_file(source_path: Path, target_path: Path, when: datetime.datetime = datetime.datetime(2000, 1, 1)) -> None:
    """``reproducible_zip`` from file to file, an entry at a time (a big workbook is never in memory)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(target_path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)", rb"\g<1>" + stamp + rb"\g<2>", source.read(info.filename))
                target.writestr(entry, body, zipfile.ZIP_DEFLATED)
                continue
            with source.open(info) as reading, target.open(entry, "w", force_zip64=True) as writing:
                shutil.copyfileobj(reading, writing, 1 << 20)


def form_json(form: FormDocument) -> bytes:
    """The form file's bytes: indented UTF-8 JSON (orjson: the same bytes as json.dumps with
    indent=2 and ensure_ascii=False, about fifteen times faster — it matters on big dumps)."""
    return orjson.dumps(form.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def holds(target: Path, data: bytes) -> bool:
    """Does ``target`` hold exactly ``data``? (the size first: most changed files differ in it)"""
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def write_bytes(target: Path, data: bytes) -> bool:
    """Write ``data`` atomically, unless the file holds these bytes already: an unchanged output
    keeps its inode and time, so a re-run over an unchanged dump rewrites nothing. Written or not."""
    if holds(target, data):
        return False
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return True


def write_text(target: Path, text: str, encoding: str = "utf-8", errors: str = "strict") -> bool:
    return write_bytes(target, text.encode(encoding, errors))


def form_filenames(forms: list[FormDocument]) -> list[str]:
    """A file name per form, from the input's relative path and the form index, never colliding.

    ``2022/单表/培训经费.pdf`` form 0 -> ``2022__单表__培训经费.pdf.0.json``. Two paths that flatten
    to the same name (``a/b.pdf`` and ``a__b.pdf``, or names differing only in case) both get a
    short hash of their path appended. A path too long for a file name is shortened by
    ``names.flat_name`` (readable prefix, hash, extension); the JSON keeps the full path.
    """
    return form_names([(f.source.file, f.source.form_index) for f in forms])


def form_names(forms: Iterable[tuple[str, int]]) -> list[str]:
    """``form_filenames`` from each form's (source file, form index): what a slim result keeps.
    A run's (file, index) pairs are distinct and a stem ends in ``.<index>``, so a stem two pairs
    share belongs to two files (no set of owners per stem: 20,000 sets were 4 MB of the driver)."""
    files, stems = [], []
    for file, index in forms:
        files.append(file)
        stems.append(f"{flat_name(file)}.{index}")
    taken = Counter(stem.casefold() for stem in stems)
    names = []
    for file, stem in zip(files, stems):
        if taken[stem.casefold()] > 1:
            stem += "." + hashlib.sha256(file.encode("utf-8")).hexdigest()[:8]
        names.append(stem + ".json")
    return names


def own_form_names(result: FileResult, shared: bool) -> list[str] | None:
    """The names of a file's form files, as the whole run will name them, when they cannot depend
    on another file: None when another file of the run flattens to the same name (``shared``,
    case aside) — the run's export names those."""
    flat = flat_name(result.file)
    if shared:
        return None
    return [f"{flat}.{form.source.form_index}.json" for form in result.forms]


def write_forms(out: Path, forms: list[FormDocument], grids: dict[str, dict] | None = None) -> list[str]:
    """Write one JSON per form, and beside a form of unknown layout its raw cell grid
    (``<name>.grid.json``, from ``grids`` by form_id); remove form files a previous run left."""
    folder = out / FORMS_DIR
    names = form_filenames(forms)
    written = write_form_files(folder, forms, names, grids)
    remove_stale(folder, "*.json", written)
    return names


def write_form_files(folder: Path, forms: list[FormDocument], names: list[str], grids: dict[str, dict] | None = None) -> set[str]:
    """The form files (and grids) of some forms under their names; the names written."""
    written = set(names)
    for form, name in zip(forms, names):
        write_bytes(folder / name, form_json(form))
        if grids and form.form_id in grids:
            grid = {"form_id": form.form_id, "source_file": form.source.file} | grids[form.form_id]
            text = json.dumps(grid, ensure_ascii=False, indent=1)
            # boxes and page lists on one line each (a raw newline is never inside a JSON string)
            text = re.sub(r"\[\n\s*((?:-?[\d.]+,\n\s*)*-?[\d.]+)\n\s*\]", lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
            write_text(folder / grid_filename(name), text + "\n")
            written.add(grid_filename(name))
    return written


def remove_stale(folder: Path, pattern: str, written: set[str]) -> None:
    if folder.exists():
        for stale in folder.glob(pattern):
            if stale.name not in written:
                stale.unlink()


def grid_filename(form_filename: str) -> str:
    """``x.pdf.0.json`` -> ``x.pdf.0.grid.json``."""
    return form_filename.removesuffix(".json") + ".grid.json"


# --- analyst tables: columns and their meaning in one place ---------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # pandas dtype
    description: str
    value: Callable


def _project_columns() -> list[Column]:
    """Columns repeated on every table so each table stands alone."""
    return [
        Column("form_id", "string", "Stable form id (file sha256 prefix + form index); joins the tables.", lambda f, *_: f.form_id),
        Column("source_file", "string", "Input file, relative to the dump root.", lambda f, *_: f.source.file),
        Column("project_code", "string", "项目编码 as printed.", lambda f, *_: f.project.code),
        Column("project_name", "string", "项目名称 as printed.", lambda f, *_: f.project.name),
    ]


YUAN_PER_UNIT = {"元": 1, "万元": 10_000}


def in_yuan(amount: float | None, unit: str | None) -> float | None:
    """An amount in 元, so amounts of forms in 元 and in 万元 add up; None when the unit is unknown
    (never guessed). Rounded to the fen: 129.806 万元 is 1298060.0, not 1298060.0000000002."""
    if amount is None or unit not in YUAN_PER_UNIT:
        return None
    return round(amount * YUAN_PER_UNIT[unit], 2)


def _checks_with(form: FormDocument, status: str) -> str:
    return ",".join(c.rule for c in form.checks if c.status == status)


PROJECT_COLUMNS = _project_columns() + [
    Column("form_index", "Int64", "0-based index of the form in its file.", lambda f: f.source.form_index),
    Column("pages", "string", "1-based pages the form is printed on, comma-separated.", lambda f: ",".join(map(str, f.source.pages))),
    Column(
        "continued_in",
        "string",
        "The later files the form goes on into (a file per page, read on from this one), each with its pages there: `b.jpg:1; c.jpg:1`; empty for a form printed in one file.",
        lambda f: "; ".join(f"{later.file}:{','.join(map(str, later.pages))}" for later in f.source.continued_in),
    ),
    Column("method", "string", "How the text was read: text_layer, ocr, spreadsheet, text_export.", lambda f: f.source.method),
    Column("status", "string", "ok, or needs_review when a check failed.", lambda f: f.status),
    Column("template", "string", "Layout recognised: the name of its template (pipeline/parse/templates), or unknown.", lambda f: f.template),
    Column("title", "string", "Title line as printed.", lambda f: f.title),
    Column("year", "string", "Evaluation year as printed.", lambda f: f.project.year),
    Column("implementing_unit", "string", "实施单位.", lambda f: f.project.implementing_unit),
    Column("budget_unit", "string", "一级预算单位.", lambda f: f.project.budget_unit),
    Column("competent_department", "string", "主管部门.", lambda f: f.project.competent_department),
    Column("manager", "string", "项目负责人 (from 项目负责人及电话).", lambda f: f.project.manager),
    Column("phone", "string", "项目负责人's phone (from 项目负责人及电话).", lambda f: f.project.phone),
    Column("funding_unit", "string", "Unit of the amounts in the funding table (元 or 万元).", lambda f: f.funding.unit),
    Column("total_weight", "Float64", "总分 row, 分值.", lambda f: f.total.weight),
    Column("total_score", "Float64", "总分 row, 得分.", lambda f: f.total.score),
    Column("total_grade", "string", "Grade printed after the total (优/良/中/差).", lambda f: f.total.grade),
    Column("other_notes", "string", "Free text after the total (其他需要说明事项, …).", lambda f: f.other_notes),
    Column("checks_failed", "string", "Names of failed checks, comma-separated.", lambda f: _checks_with(f, "fail")),
    Column("checks_warned", "string", "Names of checks that warned, comma-separated.", lambda f: _checks_with(f, "warn")),
]

FUNDING_COLUMNS = _project_columns() + [
    Column("line_index", "Int64", "0-based position of the row in the funding table.", lambda f, i, line: i),
    Column("item", "string", "年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金.", lambda f, i, line: line.item),
    Column("unit", "string", "Unit of the amounts (元 or 万元), as the form states it.", lambda f, i, line: f.funding.unit),
    Column("initial_budget", "Float64", "年初预算数.", lambda f, i, line: line.initial_budget),
    Column("annual_budget", "Float64", "全年预算数 (调整预算数).", lambda f, i, line: line.annual_budget),
    Column("executed", "Float64", "全年执行数.", lambda f, i, line: line.executed),
    Column("weight", "Float64", "分值.", lambda f, i, line: line.weight),
    Column("execution_rate", "Float64", "执行率 in percent.", lambda f, i, line: line.execution_rate),
    Column("score", "Float64", "得分.", lambda f, i, line: line.score),
    Column(
        "initial_budget_yuan",
        "Float64",
        "年初预算数 in 元 whatever the form's unit (万元 × 10000); empty when the form states no unit.",
        lambda f, i, line: in_yuan(line.initial_budget, f.funding.unit),
    ),
    Column("annual_budget_yuan", "Float64", "全年预算数 in 元 (sum these across forms, not annual_budget).", lambda f, i, line: in_yuan(line.annual_budget, f.funding.unit)),
    Column("executed_yuan", "Float64", "全年执行数 in 元.", lambda f, i, line: in_yuan(line.executed, f.funding.unit)),
]

INDICATOR_COLUMNS = _project_columns() + [
    Column("indicator_index", "Int64", "0-based position of the row among the form's indicators.", lambda f, i, ind: i),
    Column("level1", "string", "一级指标, without its weight.", lambda f, i, ind: ind.level1),
    Column("level1_weight", "Float64", "Weight printed in the level-1 label.", lambda f, i, ind: ind.level1_weight),
    Column("level2", "string", "二级指标.", lambda f, i, ind: ind.level2),
    Column("name", "string", "三级指标.", lambda f, i, ind: ind.name),
    Column("target", "string", "年度指标值 as printed.", lambda f, i, ind: ind.target),
    Column("actual", "string", "实际完成值 as printed.", lambda f, i, ind: ind.actual),
    Column("weight", "Float64", "分值.", lambda f, i, ind: ind.weight),
    Column("score", "Float64", "得分.", lambda f, i, ind: ind.score),
    Column("deviation_note", "string", "偏差原因分析及改进措施.", lambda f, i, ind: ind.deviation_note),
    Column("nature", "string", "指标性质 (≥ ≤ =), look-alike glyphs normalised.", lambda f, i, ind: ind.nature),
    Column("unit", "string", "度量单位.", lambda f, i, ind: ind.unit),
]

MANIFEST_COLUMNS = [
    ("file", "Input file, relative to the dump root."),
    ("sha256", "SHA-256 of the file's bytes."),
    ("bytes", "File size."),
    ("status", "ok, needs_review, failed or skipped."),
    (
        "reason",
        "Why the file is not ok, as a stable code: checks_failed, page_errors, duplicate, not_a_form, continuation_page, joined (its pages "
        "were read on from the file before it in its folder, into that file's last form: ok too when that form is), leading_rows (rows above "
        "its first form's title go on a form begun elsewhere, not extracted), other_form_type, "
        "encrypted, truncated_pdf, damaged_pdf, empty_file, unknown_type, too_large, too_many_pages, needs_libreoffice, "
        "timeout, worker_died, changed_while_read, not_regular, internal_error, unreadable, …; empty when ok (but joined).",
    ),
    ("forms", "Number of forms extracted."),
    ("pages", "Number of pages read."),
    ("method", "How the text was read (text_layer, …); empty when the file was not read."),
    ("message", "What happened, in words: the reason for failed and skipped files, the failed checks otherwise."),
]


def _frame(columns: list[Column], rows: list[tuple]) -> pd.DataFrame:
    import pandas as pd

    data = {c.name: pd.array([c.value(*row) for row in rows], dtype=c.dtype) for c in columns}
    return pd.DataFrame(data, columns=[c.name for c in columns])


def values_frame(columns: list[Column], values: list[tuple]) -> pd.DataFrame:
    """``_frame`` from rows of values made already."""
    import pandas as pd

    data = {c.name: pd.array([row[i] for row in values], dtype=c.dtype) for i, c in enumerate(columns)}
    return pd.DataFrame(data, columns=[c.name for c in columns])


def tables(forms: list[FormDocument]) -> dict[str, pd.DataFrame]:
    return {
        "projects": _frame(PROJECT_COLUMNS, [(f,) for f in forms]),
        "funding": _frame(FUNDING_COLUMNS, [(f, i, line) for f in forms for i, line in enumerate(f.funding.lines)]),
        "indicators": _frame(INDICATOR_COLUMNS, [(f, i, ind) for f in forms for i, ind in enumerate(f.indicators)]),
    }


def data_dictionary() -> str:
    parts = [
        "# Data dictionary",
        "",
        "Tables in `tables/`, each as CSV (UTF-8 with BOM), Parquet, and a sheet of `forms.xlsx`.",
        "Every row carries `form_id`, `source_file`, `project_code` and `project_name`, so each table stands alone.",
        "",
    ]
    for name, columns in (("projects", PROJECT_COLUMNS), ("funding", FUNDING_COLUMNS), ("indicators", INDICATOR_COLUMNS)):
        parts += [f"## {name}", "", "| column | type | meaning |", "|---|---|---|"]
        parts += [f"| `{c.name}` | {c.dtype} | {c.description} |" for c in columns]
        parts.append("")
    parts += ["## manifest.csv (in the output root)", "", "| column | meaning |", "|---|---|"]
    parts += [f"| `{name}` | {description} |" for name, description in MANIFEST_COLUMNS]
    return "\n".join(parts) + "\n"


WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
NUMBER_FORMAT = "0.00##"  # amounts as printed, up to 万元's four decimals


def workbook_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table, header row bold. Written with xlsxwriter row by row: pandas'
    to_excel formats every cell in Python and takes seconds on a thousand forms."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": NUMBER_FORMAT})
    for name, frame in frames.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, list(frame.columns), bold)
        write_sheet_rows(sheet, frame, 1, number)
        finish_sheet(sheet, TABLE_COLUMNS[name], len(frame))
    write_dictionary(book, bold)
    book.close()
    return buffer.getvalue()


def write_sheet_rows(sheet: Any, frame: pd.DataFrame, start: int, number: Any) -> None:
    import pandas as pd

    formats = [number if str(frame[column].dtype) == "Float64" else None for column in frame.columns]
    write, write_string, write_number = sheet.write, sheet.write_string, sheet.write_number
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=start):
        for col, value in enumerate(values):
            if value is pd.NA or value is None:
                continue
            # the typed writers skip write()'s type dispatch (most of a big run's table time);
            # anything else (an empty string, a bool) still goes through it
            if type(value) is str and value:
                write_string(row, col, value, formats[col])
            elif type(value) is float:
                write_number(row, col, value, formats[col])
            else:
                write(row, col, value, formats[col])


def finish_sheet(sheet: Any, columns: list[Column], rows: int) -> None:
    for col, column in enumerate(columns):
        sheet.set_column(col, col, min(40, max(10, len(column.name) + 2)))
    sheet.autofilter(0, 0, max(rows, 1), max(len(columns) - 1, 0))  # a filterable table
    sheet.freeze_panes(1, 0)


def write_dictionary(book: Any, bold: Any) -> None:
    dictionary = book.add_worksheet("dictionary")
    dictionary.write_row(0, 0, ["table", "column", "description"], bold)
    rows = [(table, c.name, c.description) for table, columns in TABLE_COLUMNS.items() for c in columns]
    for row, values in enumerate(rows, start=1):
        dictionary.write_row(row, 0, values)
    dictionary.set_column(0, 1, 20)
    dictionary.set_column(2, 2, 90)


TABLE_COLUMNS = {"projects": PROJECT_COLUMNS, "funding": FUNDING_COLUMNS, "indicators": INDICATOR_COLUMNS}
TABLE_KEYS = {"projects": ["form_id"], "funding": ["form_id", "line_index"], "indicators": ["form_id", "indicator_index"]}
FRICTIONLESS_TYPES = {"string": "string", "Float64": "number", "Int64": "integer"}


def write_parquet(target: Path | io.BytesIO, frame: pd.DataFrame, columns: list[Column]) -> None:
    """Parquet that describes itself: each column's description as field metadata, and the
    versions of the schema and of zpef in the file's metadata."""
    import pyarrow.parquet as pq

    pq.write_table(parquet_table(frame, columns), target)


def parquet_table(frame: pd.DataFrame, columns: list[Column]):
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    descriptions = {c.name: c.description for c in columns}
    fields = [field.with_metadata({"description": descriptions.get(field.name, "")}) for field in table.schema]
    metadata = dict(table.schema.metadata or {}) | {b"zpef_schema_version": SCHEMA_VERSION.encode(), b"zpef_version": __version__.encode()}
    return table.cast(pa.schema(fields, metadata=metadata))


def datapackage() -> dict:
    """The tables as a Frictionless Data Package: types, keys, the link of every row to its form,
    and what an empty cell means — so a frictionless, R or DuckDB user gets typed columns."""
    resources = []
    for name, columns in TABLE_COLUMNS.items():
        schema: dict = {
            "fields": [{"name": c.name, "type": FRICTIONLESS_TYPES[c.dtype], "description": c.description} for c in columns],
            "primaryKey": TABLE_KEYS[name],
            "missingValues": [""],
        }
        if name != "projects":
            schema["foreignKeys"] = [{"fields": ["form_id"], "reference": {"resource": "projects", "fields": ["form_id"]}}]
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig", "schema": schema})
    return {"name": "zpef-forms", "title": "项目支出绩效自评表: projects, funding lines and indicators", "profile": "tabular-data-package", "resources": resources}


def write_tables(out: Path, forms: list[FormDocument]) -> None:
    with Tables(out / TABLES_DIR, streamed=len(forms) > TABLES_IN_MEMORY_FORMS) as writer:
        for form in forms:
            writer.add(form)


def table_values(form: FormDocument) -> dict[str, list[tuple]]:
    """A form's rows of each table as the values of its columns."""
    return {name: [tuple(c.value(*row) for c in TABLE_COLUMNS[name]) for row in rows] for name, rows in table_rows(form).items()}


def table_rows(form: FormDocument) -> dict[str, list[tuple]]:
    """A form's rows of each table, as ``_frame`` takes them."""
    return {
        "projects": [(form,)],
        "funding": [(form, i, line) for i, line in enumerate(form.funding.lines)],
        "indicators": [(form, i, ind) for i, ind in enumerate(form.indicators)],
    }


TABLES_IN_MEMORY_FORMS = 200  # up to this many forms the tables are made whole (as ever); above, streamed
# values (rows × columns) of all the tables held at once when streamed: past it, the table holding
# most goes out (a Parquet row group). One budget for all three, not a row count each: 10,000 rows
# of each table held at once was 550,000 values at 20,000 forms but a third of that at 1,000 (the
# narrow tables never filled), so the driver's peak grew with the dump by ~50 MB
BATCH_VALUES = 160_000
XLSX_MAX_ROWS = 1_048_576  # Excel's limit, the header row included


class Tables:
    """The analyst tables, written form by form. Up to ``TABLES_IN_MEMORY_FORMS`` forms they are
    made whole at the end, as they always were (the samples' bytes). Above, each table goes out in
    batches (``BATCH_VALUES``): CSV appended, a Parquet row group per batch, the workbook in
    xlsxwriter's constant_memory mode (strings inline, rows flushed as written): the run's memory
    does not grow with the dump. A table longer than a sheet can hold says so in its last row."""

    def __init__(self, folder: Path, streamed: bool) -> None:
        self.folder = folder
        self.streamed = streamed
        self.pending: dict[str, list[tuple]] = {name: [] for name in TABLE_COLUMNS}
        self.held = 0  # values in pending
        self.jsonl: BinaryIO | None = None
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> "Tables":
        import xlsxwriter

        self.jsonl = jsonl = self.stack.enter_context(fresh_path(self.folder / "forms.jsonl")).open("wb")
        self.stack.callback(jsonl.close)
        if self.streamed:
            self.csv = {name: self.stack.enter_context(fresh_path(self.folder / f"{name}.csv")) for name in TABLE_COLUMNS}
            self.parquet_paths = {name: self.stack.enter_context(fresh_path(self.folder / f"{name}.parquet")) for name in TABLE_COLUMNS}
            self.parquet: dict[str, Any] = {}
            self.rows = {name: 0 for name in TABLE_COLUMNS}
            self.book_path = self.stack.enter_context(fresh_path(self.folder / "forms.xlsx"))
            self.book_raw = self.book_path.with_name(self.book_path.name + ".raw")
            self.stack.callback(self.book_raw.unlink, missing_ok=True)
            self.book = xlsxwriter.Workbook(str(self.book_raw), {"constant_memory": True, **WORKBOOK_OPTIONS})
            self.formats = {"bold": self.book.add_format({"bold": True}), "number": self.book.add_format({"num_format": NUMBER_FORMAT})}
            self.sheets = {name: self.book.add_worksheet(name) for name in TABLE_COLUMNS}
            for name, sheet in self.sheets.items():
                sheet.write_row(0, 0, [c.name for c in TABLE_COLUMNS[name]], self.formats["bold"])
        return self

    def add(self, form: FormDocument) -> None:
        assert self.jsonl is not None
        self.jsonl.write(orjson.dumps(form.to_json()) + b"\n")
        self._extend(table_values(form))  # values, not the form: it is not kept

    def add_part(self, part: TablePart) -> None:
        """A file's forms as its worker made their rows (``table_part``): the same bytes as ``add``."""
        assert self.jsonl is not None
        self.jsonl.write(part.jsonl)
        self._extend(part.rows)

    def _extend(self, values: dict[str, list[tuple]]) -> None:
        for name, rows in values.items():
            self.pending[name] += rows
            self.held += len(rows) * len(TABLE_COLUMNS[name])
        while self.streamed and self.held >= BATCH_VALUES:
            self._flush(max(self.pending, key=lambda name: len(self.pending[name]) * len(TABLE_COLUMNS[name])))

    def _flush(self, name: str) -> None:
        import pyarrow.parquet as pq

        frame = values_frame(TABLE_COLUMNS[name], self.pending[name])
        self.held -= len(self.pending[name]) * len(TABLE_COLUMNS[name])
        self.pending[name] = []
        first = name not in self.parquet
        with self.csv[name].open("ab") as handle:
            handle.write(csv_frame(frame).to_csv(index=False, header=first).encode("utf-8-sig" if first else "utf-8", "backslashreplace"))
        table = parquet_table(frame, TABLE_COLUMNS[name])
        if first:
            self.parquet[name] = pq.ParquetWriter(self.parquet_paths[name], table.schema)
        self.parquet[name].write_table(table.cast(self.parquet[name].schema) if table.schema != self.parquet[name].schema else table)
        start = self.rows[name] + 1
        self.rows[name] += len(frame)
        room = max(0, XLSX_MAX_ROWS - 1 - start)  # the last row of a sheet is kept to say what did not fit
        write_sheet_rows(self.sheets[name], frame.head(room) if len(frame) > room else frame, start, self.formats["number"])

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is not None:
            self.stack.__exit__(kind, error, trace)
            return
        try:
            if self.streamed:
                for name in TABLE_COLUMNS:
                    if self.pending[name] or name not in self.parquet:
                        self._flush(name)
                    self.parquet[name].close()
                    sheet, rows = self.sheets[name], self.rows[name]
                    if rows > XLSX_MAX_ROWS - 2:
                        shown = XLSX_MAX_ROWS - 2
                        sheet.write_string(
                            XLSX_MAX_ROWS - 1, 0, f"{rows - shown} more rows than a sheet holds (Excel's limit is {XLSX_MAX_ROWS:,} rows): the whole table is in {name}.csv and {name}.parquet"
                        )
                    finish_sheet(sheet, TABLE_COLUMNS[name], min(rows, XLSX_MAX_ROWS - 1))
                write_dictionary(self.book, self.formats["bold"])
                self.book.close()
                reproducible_zip_file(self.book_raw, self.book_path)
            else:
                frames = {name: values_frame(TABLE_COLUMNS[name], rows) for name, rows in self.pending.items()}
                for name, frame in frames.items():
                    write_csv(self.folder / f"{name}.csv", frame)
                    parquet = io.BytesIO()
                    write_parquet(parquet, frame, TABLE_COLUMNS[name])
                    write_bytes(self.folder / f"{name}.parquet", parquet.getvalue())
                write_bytes(self.folder / "forms.xlsx", reproducible_zip(workbook_bytes(frames)))
            write_text(self.folder / "README.md", data_dictionary())
            write_text(self.folder / "datapackage.json", json.dumps(datapackage(), ensure_ascii=False, indent=1) + "\n")
        except BaseException as failure:
            self.stack.__exit__(type(failure), failure, failure.__traceback__)
            raise
        self.stack.__exit__(None, None, None)


def manifest_rows(files: Iterable[FileResult]) -> Iterator[list]:
    return ([f.file, f.sha256, f.bytes, f.status, f.reason, f.form_count, f.pages, f.method, f.message] for f in files)


def manifest_frame(files: Iterable[FileResult]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(list(manifest_rows(files)), columns=[name for name, _ in MANIFEST_COLUMNS])


CSV_CHUNK_ROWS = 5_000  # rows written at once: a big dump's manifest or suggestions are never held whole


def csv_chunk(rows: list, columns: list[str], first: bool) -> bytes:
    """Some rows of a CSV (the BOM and header when ``first``): chunks joined are the bytes of
    ``csv_bytes`` of one frame of all the rows — for columns whose type does not depend on which
    rows are together (text, and integers that are never missing). Written with the csv module
    pandas itself writes with, without pandas: a re-run that rewrites only the manifest never
    imports it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if first:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_text(value) for value in ([row.get(name) for name in columns] if isinstance(row, dict) else row)])
    return buffer.getvalue().encode("utf-8-sig" if first else "utf-8", "backslashreplace")


def csv_chunks(rows: Iterable[list | dict], columns: list[str]) -> Iterator[bytes]:
    """``csv_chunk``s of ``CSV_CHUNK_ROWS`` rows (the first even with no row)."""
    rows = iter(rows)
    first = True
    while True:
        batch = list(itertools.islice(rows, CSV_CHUNK_ROWS))
        if not batch and not first:
            return
        yield csv_chunk(batch, columns, first)
        first = False


class CsvWriter:
    """A CSV written as its rows come, a chunk at a time: the same bytes as ``csv_chunks``."""

    def __init__(self, handle: BinaryIO, columns: list[str]) -> None:
        self.handle, self.columns = handle, columns
        self.pending: list = []
        self.first = True

    def add(self, rows: list) -> None:
        self.pending += rows
        if len(self.pending) >= CSV_CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        self.handle.write(csv_chunk(self.pending, self.columns, self.first))
        self.pending, self.first = [], False

    def close(self) -> None:
        if self.pending or self.first:
            self._flush()
        self.handle.close()


def manifest_chunks(files: Iterable[FileResult]) -> Iterator[bytes]:
    """The manifest's bytes a chunk at a time: only the rows of a chunk are held, never the results."""
    return csv_chunks(manifest_rows(files), [name for name, _ in MANIFEST_COLUMNS])


def manifest_bytes(files: Iterable[FileResult]) -> bytes:
    return b"".join(manifest_chunks(files))


def write_manifest(out: Path, files: Iterable[FileResult]) -> None:
    """The manifest, streamed to a temporary file renamed into place."""
    with atomic_path(out / MANIFEST) as temporary, temporary.open("wb") as handle:
        for chunk in manifest_chunks(files):
            handle.write(chunk)


# What Excel and other spreadsheets take for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    """A text cell made safe for a spreadsheet: a leading formula character gets a ``'`` before
    it (OWASP's advice; Excel shows the text, never runs it) and a CR becomes LF, so the cell is
    quoted and a row never breaks. Numbers and missing values are left as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it goes to CSV: every text column through ``csv_text`` (Parquet, JSON and the
    workbook keep the true values: xlsxwriter writes them as strings, never as formulas)."""
    import pandas as pd

    safe = frame.copy()
    for name in safe.columns:
        if safe[name].dtype == object or isinstance(safe[name].dtype, pd.StringDtype):
            safe[name] = safe[name].map(csv_text, na_action="ignore").astype(safe[name].dtype)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel shows Chinese), text neutralised for spreadsheets."""
    return csv_frame(frame).to_csv(index=False).encode("utf-8-sig", "backslashreplace")


def write_csv(target: Path, frame: pd.DataFrame) -> None:
    write_bytes(target, csv_bytes(frame))


def withdraw_manifest(out: Path) -> None:
    """At the start of a run: the manifest is there only when the outputs beside it are complete
    and from one run, so a run that fails or is interrupted never leaves the last one looking current."""
    (out / MANIFEST).unlink(missing_ok=True)


def write_run_status(out: Path, state: str, **fields: object) -> None:
    """``OUT/run.json``: ``running`` from the start, then ``complete``, ``failed`` or ``interrupted``
    with the exit code and the reason (a ``running`` whose pid is gone was killed)."""
    record = {"state": state, "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "pid": os.getpid(), **fields}
    write_text(out / RUN_STATUS, json.dumps(record, ensure_ascii=False, indent=1, default=str) + "\n", errors="backslashreplace")


def page_image_name(file: str, page: int) -> str:
    """``scans/fax.tif`` page 2 -> ``scans__fax.tif.p2.webp`` (as form files are named)."""
    return f"{flat_name(file)}.p{page}.webp"


def write_page_images(out: Path, files: Iterable[FileResult]) -> None:
    """The corrected images of OCR'd pages (150 dpi, lossy WebP encoded by the worker): provenance boxes of OCR'd values
    refer to these, not to the original scan, and the review report shows them from here (stored
    once). Images of files no longer in the run are removed."""
    folder = out / PAGES_DIR
    for result in files:
        write_result_pages(folder, result)
    remove_stale_pages(folder, {page_image_name(r.file, page) for r in files for page in r.image_pages or r.page_images})


def write_result_pages(folder: Path, result: FileResult) -> None:
    for page, picture in sorted(result.page_images.items()):
        write_bytes(folder / page_image_name(result.file, page), picture)


def remove_stale_pages(folder: Path, written: set[str]) -> None:
    if folder.exists():
        for stale in folder.iterdir():
            if stale.suffix in (".png", ".webp") and stale.name not in written:
                stale.unlink()


def write_file_outputs(out: Path, result: FileResult, names: list[str] | None, cache_key: str = "") -> FileResult:
    """One file's own outputs, written as soon as its result is there (in the main process as
    results arrive, or in a Dask worker that sees OUT): its form files and grids under ``names``
    (None: the export names them, another file flattening to the same name), its OCR'd page
    images and its report pictures. Returns the result slim: forms summarised, the heavy parts
    dropped (``cache_key`` finds the whole result again in the cache), so the run's memory does
    not grow with the dump."""
    from pipeline.checks.suggest import form_summary, suggestions_of

    for name, data in result.pictures.items():
        write_bytes(out / name, data)
    if names is not None:
        write_form_files(out / FORMS_DIR, result.forms, names, result.grids)
        write_result_pages(out / PAGES_DIR, result)
    stored = names is not None and bool(cache_key)
    if stored:
        store_part(out / CACHE_DIR, cache_key, table_part(result))
    return slim(result, [form_summary(form, suggestions_of(None, form, result)) for form in result.forms], cache_key, written=names is not None, part_stored=stored)


def table_part(result: FileResult) -> TablePart:
    """The file's share of the tables (``Tables.add`` and ``write_outputs`` make the same from its forms)."""
    from pipeline.checks.suggest import suggested_rows, suggestions_of

    rows: dict[str, list[tuple]] = {name: [] for name in TABLE_COLUMNS}
    for form in result.forms:
        for name, values in table_values(form).items():
            rows[name] += values
    return TablePart(
        jsonl=b"".join(orjson.dumps(form.to_json()) + b"\n" for form in result.forms),
        rows=rows,
        suggested=suggested_rows(result.forms, partial(suggestions_of, None, owner=result)),
        grid_forms=frozenset(form.form_id for form in result.forms if form.form_id in result.grids),
    )


def slim(result: FileResult, summaries: list, cache_key: str, written: bool, part_stored: bool = False) -> FileResult:
    """The result without its forms, grids, suggestions and pictures, with its forms' summaries."""
    from dataclasses import replace

    return replace(
        result,
        forms=[],
        grids={},
        suggestions={},
        page_images={},
        pictures={},
        kept=None,
        image_pages=tuple(sorted(result.page_images)),
        slim=True,
        summaries=summaries,
        cache_key=cache_key,
        written=written,
        part_stored=part_stored,
    )


EXPORTED = ".exported"  # the digest of what the outputs beside the manifest were last made from


def export(out: Path, result: RunResult, report: Callable[[Path, RunResult], object] | None = None, inputs: str | None = None, remake: bool = False) -> bool:
    """Write everything; the manifest goes last so its presence means the run's outputs are complete.

    ``report`` (the review report, ``pipeline.review.report.write_report`` bound to its dump) is written
    after the forms and tables, before the manifest. ``inputs`` names what else the outputs are
    made from besides the manifest's rows (the code, the options, the corrections file): when it
    and the rows are those the last complete export was made from, only the manifest is written —
    a re-run over an unchanged dump rewrites nothing (the report keeps the time of the run that
    made it); ``remake`` (``--force``) makes them all the same. Whether the outputs were made again."""
    remove_left_temporaries(out)
    digest = None
    if inputs is not None:  # over the manifest's bytes, made a chunk at a time and let go (written last, made again)
        hashing = hashlib.sha256(inputs.encode("utf-8", "backslashreplace") + b"\0")
        for chunk in manifest_chunks(result.files):
            hashing.update(chunk)
        digest = hashing.hexdigest()
    stamp = out / EXPORTED
    made = [out / FORMS_DIR] + [out / TABLES_DIR / f"{name}.{kind}" for name in TABLE_COLUMNS for kind in ("csv", "parquet")]
    if not remake and digest is not None and _stamped(stamp) == digest and all(path.exists() for path in made):
        write_manifest(out, result.files)
        return False
    stamp.unlink(missing_ok=True)  # outputs half made over an earlier set are never taken for it
    write_outputs(out, result)
    if report is not None:
        report(out, result)
    if digest is not None:
        write_text(stamp, digest + "\n")
    write_manifest(out, result.files)
    return True


def remove_left_temporaries(out: Path, cache_too: bool = False) -> None:
    """The temporary files (``.<name>.<random>.tmp``) of a run that was killed while writing: by
    the time a run exports, its own workers have renamed theirs, so any left are another's (and
    ``cache_too``: the result cache's, once a stopped run's workers are gone)."""
    if not out.is_dir():
        return
    for folder in [out, *(p for p in out.iterdir() if p.is_dir() and (cache_too or p.name != CACHE_DIR))]:  # forms/, tables/, report_files/ …
        for left in folder.glob(".*.tmp"):
            left.unlink(missing_ok=True)


def write_outputs(out: Path, result: RunResult) -> None:
    """The forms (those not written yet), their page images, the tables and the suggested
    corrections, in one pass over the files. A file whose worker wrote its forms has its share of
    the tables made, beside its cache entry (``table_part``); any other slim file's whole result
    is loaded again for its rows and let go, so at most one file's forms are held at a time."""
    from pipeline.checks.suggest import SUGGESTED_COLUMNS, suggested_rows, suggestions_of

    names = form_names(pair for f in result.files for pair in ([(s.file, s.form_index) for s in f.summaries] if f.slim else [(x.source.file, x.source.form_index) for x in f.forms]))
    written = set(names)
    start = 0
    with (
        Tables(out / TABLES_DIR, streamed=len(names) > TABLES_IN_MEMORY_FORMS) as tables,
        fresh_path(out / SUGGESTED_CORRECTIONS) as suggested_path,
        suggested_path.open("wb") as suggested_file,
    ):
        suggested = CsvWriter(suggested_file, list(SUGGESTED_COLUMNS))  # written a chunk at a time as rows come
        for f in result.files:
            own = names[start : start + f.form_count]
            start += f.form_count
            if f.slim and f.written and f.part_stored:  # rows made by its worker: its forms are not loaded
                part = load_part(out / CACHE_DIR, f.cache_key)
                written.update(grid_filename(name) for summary, name in zip(f.summaries, own) if summary.form_id in part.grid_forms)
                tables.add_part(part)
                suggested.add(part.suggested)
                continue
            whole = result.whole(f)
            if not (f.slim and f.written):
                write_form_files(out / FORMS_DIR, whole.forms, own, whole.grids)
                write_result_pages(out / PAGES_DIR, whole)
            written.update(grid_filename(name) for form, name in zip(whole.forms, own) if form.form_id in whole.grids)
            for form in whole.forms:
                tables.add(form)
            suggested.add(suggested_rows(whole.forms, partial(suggestions_of, result, owner=whole)))
        suggested.close()
    remove_stale(out / FORMS_DIR, "*.json", written)
    remove_stale_pages(out / PAGES_DIR, {page_image_name(f.file, page) for f in result.files for page in f.image_pages or f.page_images})


def _stamped(stamp: Path) -> str | None:
    try:
        return stamp.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


SUGGESTED_CORRECTIONS = "corrections.suggested.csv"


def summary_line(result: RunResult) -> str:
    """Files and forms counted apart: a file holds any number of forms."""
    statuses = [form.status for f in result.files for form in (f.summaries if f.slim else f.forms)]
    forms_ok = sum(status == FormStatus.OK for status in statuses)
    return (
        f"{len(result.files)} files: {result.count('ok')} ok, {result.count('needs_review')} need review, "
        f"{result.count('failed')} failed, {result.count('skipped')} skipped; "
        f"{len(statuses)} forms: {forms_ok} ok, {len(statuses) - forms_ok} need review; in {result.seconds:.1f} s"
    )
