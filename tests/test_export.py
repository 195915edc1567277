"""Export (pipeline.outputs.export): file names, analyst tables, data dictionary, manifest, atomic writes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.model.document import Check, FormDocument, Funding, FundingLine, Indicator, Project, Source, Total
from pipeline.outputs.export import (
    MANIFEST_COLUMNS,
    atomic_path,
    data_dictionary,
    form_filenames,
    grid_filename,
    tables,
    write_forms,
    write_manifest,
    write_tables,
    write_text,
)
from pipeline.model.result import FileResult

PROJECT_KEYS = ["form_id", "source_file", "project_code", "project_name"]


def form(file: str, index: int = 0, sha: str | None = None, **kwargs) -> FormDocument:
    sha = sha or hashlib.sha256(file.encode("utf-8")).hexdigest()
    return FormDocument(
        form_id=f"{sha[:16]}-{index}",
        title=kwargs.pop("title", "项目支出绩效自评表"),
        template="shenzhen",
        source=Source(file=file, sha256=sha, form_index=index, pages=[1, 2], method="text_layer"),
        **kwargs,
    )


def sample_forms() -> list[FormDocument]:
    first = form(
        "2022/单表/培训经费.pdf",
        sha="1" * 64,
        project=Project(code="0440307220441502105005", name="培训经费", year="2022"),
        funding=Funding(
            unit="元",
            lines=[
                FundingLine("年度资金总额", 0.0, 13860.0, 13860.0, 10.0, 100.0, 10.0),
                FundingLine("当年财政拨款", 0.0, 13860.0, 13860.0),
            ],
        ),
        indicators=[
            Indicator("产出", 50.0, "数量", "培训场次", ">1", ">1", 50.0, 50.0, None),
            Indicator("效益", 30.0, "社会效益", "业务能力", "提高", "有所提高", 30.0, 28.0, "部分人员, 未参训"),
            Indicator("满意度", None, "服务对象满意度", None, None, "不适用", 0.0, 0.0, None),
        ],
        total=Total(100.0, 98.0),
        checks=[Check("total_score", "fail", "x"), Check("deviation_note", "warn", "y"), Check("funding_sum", "fail", "z")],
        status="needs_review",
    )
    second = form(
        "2022/吉华街道.pdf",
        index=1,
        sha="2" * 64,
        project=Project(code=None, name="住房租赁市场发展专项（中央直"),
        funding=Funding(unit=None, lines=[FundingLine("年度资金总额", annual_budget=5.5)]),
    )
    return [first, second]


# --- form file names -------------------------------------------------------------------------


def test_form_filename_is_the_flattened_path_and_index():
    forms = [form("2022/单表/培训经费.pdf", 0), form("2022/单表/培训经费.pdf", 1)]
    names = form_filenames(forms)
    assert names == ["2022__单表__培训经费.pdf.0.json", "2022__单表__培训经费.pdf.1.json"]


def _assert_distinct(names: list[str]) -> None:
    values = list(names)
    assert len(set(v.casefold() for v in values)) == len(values), values
    assert all(v.endswith(".json") and "/" not in v for v in values)


def test_slash_and_double_underscore_do_not_collide():
    forms = [form("a/b.pdf", sha="a" * 64), form("a__b.pdf", sha="b" * 64)]
    names = form_filenames(forms)
    _assert_distinct(names)
    assert all(n.startswith("a__b.pdf.0.") for n in names)


def test_names_differing_only_in_case_do_not_collide():
    forms = [form("Report.pdf", sha="a" * 64), form("report.pdf", sha="b" * 64), form("REPORT.PDF", sha="c" * 64)]
    _assert_distinct(form_filenames(forms))


def test_collision_free_for_many_tricky_paths():
    paths = ["a/b.pdf", "a__b.pdf", "A/b.pdf", "a/B.pdf", "a__b/c.pdf", "a/b__c.pdf", "x.pdf", "X.pdf", "单表/培训.pdf", "单表__培训.pdf"]
    forms = [form(p) for p in paths]
    names = form_filenames(forms)
    assert len(names) == len(forms)
    _assert_distinct(names)
    assert names[6] != "x.pdf.0.json"  # x.pdf collides with X.pdf, so both are hashed


def test_identical_files_at_two_paths_get_two_form_files(tmp_path):
    same = "d" * 64
    forms = [form("a/x.pdf", sha=same), form("b/y.pdf", sha=same)]
    write_forms(tmp_path, forms)
    written = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "forms").glob("*.json")]
    assert sorted(w["source"]["file"] for w in written) == ["a/x.pdf", "b/y.pdf"]


def test_unique_names_stay_unhashed():
    forms = [form("a/b.pdf", sha="a" * 64), form("c.pdf", sha="c" * 64)]
    assert form_filenames(forms) == ["a__b.pdf.0.json", "c.pdf.0.json"]


def test_write_forms_writes_json_and_removes_stale_files(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "old.pdf.0.json").write_text("{}", encoding="utf-8")
    (folder / "keep.txt").write_text("not a form", encoding="utf-8")
    forms = sample_forms()
    names = write_forms(tmp_path, forms)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "keep.txt"])
    written = json.loads((folder / names[0]).read_text(encoding="utf-8"))
    assert written == forms[0].to_json()
    assert "培训经费" in (folder / names[0]).read_text(encoding="utf-8")  # not \\u-escaped


def test_a_form_of_unknown_layout_gets_its_grid_beside_it_and_stale_grids_go(tmp_path):
    forms = sample_forms()
    grid = {
        "title": "项目支出绩效自评表",
        "pages": [1],
        "lines": [],
        "grids": [{"page": 1, "cells": [{"row": 0, "col": 0, "row_span": 1, "col_span": 2, "text": "权重 [1, 2]", "bbox": [1.0, 2.0, 3.0, 4.0]}]}],
    }
    names = write_forms(tmp_path, forms, {forms[0].form_id: grid})
    folder = tmp_path / "forms"
    grid_name = grid_filename(names[0])
    assert grid_name.endswith(".0.grid.json") and grid_name.removesuffix(".grid.json") == names[0].removesuffix(".json")
    text = (folder / grid_name).read_text(encoding="utf-8")
    saved = json.loads(text)
    assert saved == {"form_id": forms[0].form_id, "source_file": forms[0].source.file} | grid
    assert '"bbox": [1.0, 2.0, 3.0, 4.0]' in text  # one line per box
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, grid_name])
    write_forms(tmp_path, forms)  # the next run finds the layout known: the grid goes
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


# --- tables ----------------------------------------------------------------------------------


def test_tables_have_one_row_per_form_line_and_indicator():
    forms = sample_forms()
    frames = tables(forms)
    assert set(frames) == {"projects", "funding", "indicators"}
    assert len(frames["projects"]) == 2
    assert len(frames["funding"]) == 3
    assert len(frames["indicators"]) == 3
    assert list(frames["funding"]["item"]) == ["年度资金总额", "当年财政拨款", "年度资金总额"]
    assert list(frames["funding"]["line_index"]) == [0, 1, 0]
    assert list(frames["indicators"]["indicator_index"]) == [0, 1, 2]
    assert list(frames["indicators"]["score"]) == [50.0, 28.0, 0.0]


def test_every_table_row_carries_the_project_keys():
    forms = sample_forms()
    by_id = {f.form_id: f for f in forms}
    for name, frame in tables(forms).items():
        assert list(frame.columns[:4]) == PROJECT_KEYS, name
        for row in frame.to_dict("records"):
            source = by_id[row["form_id"]]
            assert row["source_file"] == source.source.file
            expected_code = source.project.code
            assert pd.isna(row["project_code"]) if expected_code is None else row["project_code"] == expected_code
            assert row["project_name"] == source.project.name


def test_projects_table_values():
    projects = tables(sample_forms())["projects"].set_index("form_id")
    first = projects.loc["1" * 16 + "-0"]
    assert first["pages"] == "1,2"
    assert first["checks_failed"] == "total_score,funding_sum"
    assert first["checks_warned"] == "deviation_note"
    assert first["total_score"] == 98.0
    assert first["project_code"] == "0440307220441502105005"  # a string: no digits lost
    second = projects.loc["2" * 16 + "-1"]
    assert second["form_index"] == 1
    assert pd.isna(second["total_score"])
    assert second["checks_failed"] == ""


def test_empty_run_gives_empty_tables_with_columns():
    frames = tables([])
    assert all(len(f) == 0 for f in frames.values())
    assert list(frames["funding"].columns[:4]) == PROJECT_KEYS


@pytest.fixture
def written(tmp_path) -> tuple[Path, dict[str, pd.DataFrame]]:
    forms = sample_forms()
    write_tables(tmp_path, forms)
    return tmp_path / "tables", tables(forms)


def test_write_tables_files(written):
    folder, frames = written
    expected = {f"{n}.{ext}" for n in frames for ext in ("csv", "parquet")} | {"forms.xlsx", "README.md", "datapackage.json", "forms.jsonl"}
    assert {p.name for p in folder.iterdir()} == expected  # no temporary files left behind


def test_csv_starts_with_bom_and_holds_the_rows(written):
    folder, frames = written
    for name, frame in frames.items():
        raw = (folder / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
        read = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(read.columns) == list(frame.columns)
        assert len(read) == len(frame)
        assert list(read["form_id"]) == list(frame["form_id"])
    projects = pd.read_csv(folder / "projects.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert projects.loc[0, "project_code"] == "0440307220441502105005"
    indicators = pd.read_csv(folder / "indicators.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert indicators.loc[1, "deviation_note"] == "部分人员, 未参训"  # the comma is quoted, not a new column


def test_parquet_round_trips_with_types(written):
    folder, frames = written
    for name, frame in frames.items():
        read = pd.read_parquet(folder / f"{name}.parquet")
        pd.testing.assert_frame_equal(read, frame, check_dtype=True)


def test_xlsx_has_one_sheet_per_table(written):
    folder, frames = written
    book = openpyxl.load_workbook(folder / "forms.xlsx", read_only=True)
    assert book.sheetnames == ["projects", "funding", "indicators", "dictionary"]
    for name, frame in frames.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(frame.columns)
        assert len(rows) - 1 == len(frame)
        assert [r[0] for r in rows[1:]] == list(frame["form_id"])
    book.close()


def test_data_dictionary_mentions_every_column(written):
    folder, frames = written
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme == data_dictionary()
    sections = dict(re.findall(r"^## (\S+)[^\n]*\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S))
    for name, frame in frames.items():
        documented = re.findall(r"^\| `([^`]+)` \|", sections[name], flags=re.M)
        assert documented == list(frame.columns), name
    manifest_documented = re.findall(r"^\| `([^`]+)` \|", sections["manifest.csv"], flags=re.M)
    assert manifest_documented == [name for name, _ in MANIFEST_COLUMNS]


# --- manifest --------------------------------------------------------------------------------


def test_write_manifest_one_row_per_file(tmp_path, monkeypatch):
    forms = sample_forms()
    files = [
        FileResult("2022/单表/培训经费.pdf", "1" * 64, 1234, "needs_review", forms=[forms[0]], pages=1, method="text_layer", message="1 form(s)"),
        FileResult("2022/吉华街道.pdf", "2" * 64, 99, "ok", forms=[forms[1], forms[1]], pages=4, method="text_layer"),
        FileResult("bad/empty.pdf", "e" * 64, 0, "failed", message="empty file (0 bytes)"),
        FileResult("bad/a,b.zip", "f" * 64, 10, "skipped", message="archive: unpack it, then rerun"),
    ]
    write_manifest(tmp_path, files)
    path = tmp_path / "manifest.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    manifest = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert list(manifest.columns) == [name for name, _ in MANIFEST_COLUMNS]
    assert list(manifest["file"]) == [f.file for f in files]
    assert list(manifest["forms"]) == [1, 2, 0, 0]
    assert list(manifest["status"]) == ["needs_review", "ok", "failed", "skipped"]
    assert list(manifest["bytes"]) == [1234, 99, 0, 10]
    assert manifest.loc[3, "message"] == "archive: unpack it, then rerun"
    assert manifest.loc[2, "method"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.csv"]
    from pipeline.outputs import export

    whole = export.csv_bytes(export.manifest_frame(files))  # one frame of every row, as it was made before
    assert path.read_bytes() == whole
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", 3)  # chunks of 3 rows then 1: the same bytes, the BOM and header once
    write_manifest(tmp_path, files)
    assert path.read_bytes() == whole and whole.count(b"\xef\xbb\xbf") == 1
    write_manifest(tmp_path, files[:3])  # a multiple of the chunk: no chunk of no rows
    assert path.read_bytes() == export.csv_bytes(export.manifest_frame(files[:3]))
    write_manifest(tmp_path, [])  # no file at all: the header alone
    assert path.read_bytes() == export.csv_bytes(export.manifest_frame([])) and path.read_bytes().startswith(b"\xef\xbb\xbffile,")


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_path_keeps_the_old_file_when_the_body_raises(tmp_path):
    target = tmp_path / "sub" / "data.csv"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as temporary:
            assert temporary.parent == target.parent and temporary != target
            temporary.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in target.parent.iterdir()] == ["data.csv"]  # temporary removed


def test_atomic_path_replaces_on_success_and_creates_folders(tmp_path):
    target = tmp_path / "new" / "deeper" / "data.txt"
    with atomic_path(target) as temporary:
        temporary.write_text("new", encoding="utf-8")
        assert not target.exists()  # readers never see a half-written target
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in target.parent.iterdir()] == ["data.txt"]
    write_text(target, "newer")
    assert target.read_text(encoding="utf-8") == "newer"


def test_failed_write_tables_keeps_previous_tables(tmp_path):
    write_tables(tmp_path, sample_forms())
    before = (tmp_path / "tables" / "projects.csv").read_bytes()
    broken = sample_forms()
    broken[0].source.pages = None  # type: ignore[assignment]  # projects.pages cannot be built
    with pytest.raises(TypeError):
        write_tables(tmp_path, broken)
    assert (tmp_path / "tables" / "projects.csv").read_bytes() == before
    assert not [p for p in (tmp_path / "tables").iterdir() if p.name.endswith(".tmp")]


def test_amounts_of_forms_in_yuan_and_wan_yuan_add_up_in_the_yuan_columns():
    from pipeline.outputs.export import in_yuan

    assert in_yuan(129.806, "万元") == 1298060.0
    assert in_yuan(820000.0, "元") == 820000.0
    assert in_yuan(12.5, None) is None  # no unit stated: never guessed


def test_the_tables_are_a_valid_frictionless_data_package(sample_run):
    """Types, keys and the link of every funding and indicator row to its form, checked by frictionless."""
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(sample_run.out / "tables" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((sample_run.out / "tables" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["projects", "funding", "indicators"]


def test_the_workbook_is_filterable_with_a_dictionary_sheet(sample_run):
    import openpyxl

    book = openpyxl.load_workbook(sample_run.out / "tables" / "forms.xlsx")
    assert book.sheetnames == ["projects", "funding", "indicators", "dictionary"]
    sheet = book["funding"]
    assert sheet.auto_filter.ref
    column = [cell.value for cell in sheet[1]].index("annual_budget")
    amounts = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
    assert amounts and all(cell.number_format == "0.00##" for cell in amounts)


def test_parquet_describes_its_columns_and_forms_jsonl_holds_every_form(sample_run):
    import pyarrow.parquet as pq

    schema = pq.read_schema(sample_run.out / "tables" / "funding.parquet")
    assert schema.field("annual_budget_yuan").metadata[b"description"].decode().startswith("全年预算数 in 元")
    assert schema.metadata[b"zpef_schema_version"] == b"1.6.0"
    lines = (sample_run.out / "tables" / "forms.jsonl").read_text(encoding="utf-8").splitlines()
    forms = sorted(p.name for p in (sample_run.out / "forms").glob("*.json") if not p.name.endswith(".grid.json"))
    assert len(lines) == len(forms) and all(json.loads(line)["form_id"] for line in lines)


def test_csv_chunks_written_without_pandas_are_the_bytes_pandas_writes():
    """The manifest and the suggested corrections are written with the csv module (a re-run never
    loads pandas); the tables with pandas. Both must write a cell the same way."""
    import pandas as pd

    from pipeline.outputs import export

    columns = ["form_id", "field", "value", "note", "rank"]
    rows = [
        {"form_id": "a", "field": "/total/score", "value": "96", "note": "=SUM(A1)", "rank": 1},
        {"form_id": "b,c", "field": '/x"y', "value": None, "note": "两行\r\n文字", "rank": 2},
        {"form_id": "", "field": "-1", "value": "+2", "note": "@x", "rank": 3},
    ]
    assert export.csv_chunk(rows, columns, first=True) == export.csv_bytes(pd.DataFrame(rows, columns=columns))
    as_lists = [[row[name] for name in columns] for row in rows]
    assert b"".join(export.csv_chunks(as_lists, columns)) == export.csv_bytes(pd.DataFrame(as_lists, columns=columns))
