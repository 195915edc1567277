"""Big-dump behaviour: worker pools, the result cache, interruption, timeouts, Dask."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from conftest import DUMP

OUTPUTS = ("forms", "tables", "pages", "manifest.csv")


def small_dump(folder: Path, with_scan: bool = True) -> Path:
    """A few real sample files: exported PDFs, a bad file, a duplicate, and (optionally) a scan."""
    dump = folder / "dump"
    (dump / "a").mkdir(parents=True)
    for name in ("培训经费.pdf", "住房租赁市场发展专项.pdf", "网格管理事务.pdf"):
        shutil.copy(DUMP / "2022" / "单表" / name, dump / "a" / name)
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "copy.pdf")
    shutil.copy(DUMP / "bad" / "truncated.pdf", dump / "truncated.pdf")
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "review.pdf")
    if with_scan:
        shutil.copy(DUMP / "scans" / "phone_photo.jpg", dump / "photo.jpg")
    return dump


def extract(dump: Path, out: Path, *options: str, timeout: float = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--ocr-engine", "tesseract", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def snapshot(out: Path) -> dict[str, bytes]:
    files = {}
    for name in OUTPUTS:
        path = out / name
        targets = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files.update({p.relative_to(out).as_posix(): p.read_bytes() for p in targets})
    return files


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """An uninterrupted run in this process's usual way (2 workers)."""
    folder = tmp_path_factory.mktemp("reference")
    dump = small_dump(folder)
    done = extract(dump, folder / "out", "--workers", "2")
    assert done.returncode == 1, done.stderr  # the review file needs review
    return dump, snapshot(folder / "out")


def test_outputs_are_the_same_bytes_with_one_or_two_workers_or_in_process(reference, tmp_path):
    dump, expected = reference
    for workers in ("1", "0"):
        out = tmp_path / f"out{workers}"
        extract(dump, out, "--workers", workers)
        assert snapshot(out) == expected, workers


def test_a_rerun_reads_the_cache_and_force_does_not(reference, tmp_path):
    dump, expected = reference
    out = tmp_path / "out"
    extract(dump, out)
    log_lines = (out / "run.log").read_text(encoding="utf-8").splitlines()
    first = [json.loads(line) for line in log_lines]
    assert not any(r.get("cached") for r in first if r["stage"] == "file")
    assert {"extract", "parse", "build", "hash"} <= {r["stage"] for r in first}

    extract(dump, out)
    second = [json.loads(line) for line in (out / "run.log").read_text(encoding="utf-8").splitlines()[len(log_lines) :]]
    processed = [r for r in second if r["stage"] == "file" and not r["cached"]]
    assert processed == [] and snapshot(out) == expected

    extract(dump, out, "--force")
    third = [json.loads(line) for line in (out / "run.log").read_text(encoding="utf-8").splitlines()[len(log_lines) + len(second) :]]
    assert all(not r["cached"] for r in third if r["stage"] == "file")
    assert snapshot(out) == expected


def test_a_changed_file_is_the_only_one_extracted_again(reference, tmp_path):
    dump, _ = reference
    copy = tmp_path / "dump"
    shutil.copytree(dump, copy)
    out = tmp_path / "out"
    extract(copy, out)
    shutil.copy(DUMP / "2022" / "national" / "基层农技人员能力提升培训.pdf", copy / "a" / "培训经费.pdf")
    before = len((out / "run.log").read_text(encoding="utf-8").splitlines())
    extract(copy, out)
    lines = [json.loads(line) for line in (out / "run.log").read_text(encoding="utf-8").splitlines()[before:]]
    # copy.pdf was a duplicate of the old a/培训经费.pdf: now it is the only copy, read for the first time
    assert sorted(r["file"] for r in lines if r["stage"] == "file" and not r["cached"]) == ["a/培训经费.pdf", "copy.pdf"]


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_restarted_gives_the_same_outputs(reference, tmp_path, kill):
    dump, expected = reference
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--ocr-engine", "tesseract", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cache = out / ".cache"
    deadline = time.time() + 120
    while time.time() < deadline and not (cache.exists() and any(cache.glob("*.pkl"))):
        time.sleep(0.05)
    process.send_signal(kill)
    process.wait(timeout=60)
    assert not (out / "manifest.csv").exists()  # nothing was exported half-way
    if kill == signal.SIGTERM:
        assert not list(out.rglob("*.tmp"))  # a run told to stop removes its temporary files
    elif not list(out.rglob("*.tmp")):  # killed: a file being written keeps its temporary file
        (out / "forms").mkdir(parents=True, exist_ok=True)
        (out / "forms" / ".x.pdf.0.json.k3j2.tmp").write_bytes(b"{")  # as a kill in the middle of a write leaves it
    extract(dump, out, "--workers", "1")
    assert snapshot(out) == expected
    assert not [p for p in out.rglob("*.tmp") if ".cache" not in p.parts]  # the run after it removes those left


def test_a_file_that_takes_too_long_is_cut_off_and_the_batch_goes_on(tmp_path):
    dump = small_dump(tmp_path, with_scan=False)
    # twelve OCR'd pages, each shifted a little (no line read twice: the engines remember lines),
    # take far longer than 10 s on any machine; the small files take far less, even on a loaded one
    # (at 1.5 s, two of them overran it while both cores were busy)
    photo = Image.open(DUMP / "scans" / "phone_photo.jpg")
    pages = [ImageChops.offset(photo, 3 * shift, 2 * shift) for shift in range(12)]
    pages[0].save(dump / "photos.tiff", save_all=True, append_images=pages[1:])
    out = tmp_path / "out"
    extract(dump, out, "--workers", "2", "--timeout", "10")
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig")
    photos = next(line for line in manifest.splitlines() if line.startswith("photos.tiff"))
    assert ",failed," in photos and "timed out after 10 s" in photos
    assert "a/住房租赁市场发展专项.pdf" in manifest and len(list((out / "forms").glob("*.json"))) == 4


def test_page_and_frame_limits_fail_files_without_reading_them(tmp_path):
    dump = small_dump(tmp_path, with_scan=False)
    out = tmp_path / "out"
    extract(dump, out, "--max-pages", "1")
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig")
    row = next(line for line in manifest.splitlines() if line.startswith("a/网格管理事务.pdf"))
    assert ",failed," in row and "2 pages, more than --max-pages 1" in row


def test_a_dask_cluster_gives_the_same_bytes_as_a_local_run(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    dump, expected = reference
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        for shared in (False, True):
            out = tmp_path / f"out-{shared}"
            extra = ["--dask-shared"] if shared else []
            done = extract(dump, out, "--dask-scheduler", cluster.scheduler_address, *extra)
            assert done.returncode == 1, done.stderr
            assert snapshot(out) == expected, shared


def _run_here(dump: Path, out: Path, **settings):
    """The whole plan in this process (the CLI's, without its exit code): the run's results are
    there to look at."""
    from pipeline.ocr.options import ExtractOptions
    from pipeline.run.batch import RunSettings
    from pipeline.run.observe import RunLog
    from pipeline.run.plan import DumpRun, extract_dump

    return extract_dump(DumpRun(dump, out, ExtractOptions(ocr_engine="tesseract"), RunSettings(**settings)), RunLog(None))


def test_the_driver_holds_results_slim_and_still_writes_every_output(reference, tmp_path):
    dump, expected = reference
    out = tmp_path / "out"
    result = _run_here(dump, out, workers=0).result
    with_forms = [f for f in result.files if f.form_count]
    assert len(with_forms) >= 4 and all(f.slim and not f.forms and f.written and f.summaries for f in with_forms)
    assert [s.form_id for f in with_forms for s in f.summaries] == [form.form_id for f in with_forms for form in result.whole(f).forms]
    assert snapshot(out) == expected
    forms = sum(f.form_count for f in with_forms)
    assert (out / "report.html").exists() and len(list((out / "report_files").glob("form-*.html"))) == forms
    assert all(isinstance(entry, tuple) for entry, f in zip(result.files.entries, result.files) if f.slim)  # on disk, not in memory


def test_tables_from_the_workers_rows_are_the_bytes_the_forms_give(reference, tmp_path, monkeypatch):
    from pipeline.outputs import export

    """A file whose worker wrote its forms stores its table rows made (``table_part``) beside its
    cache entry, and the export does not load its forms; made again from the cached whole results (``.exported``
    gone, so the export runs over the cache), the tables are the same bytes."""
    dump, expected = reference
    out = tmp_path / "out"
    result = _run_here(dump, out, workers=2).result
    with_forms = [f for f in result.files if f.form_count]
    from pipeline.outputs.store import load_part

    assert len(with_forms) >= 4 and all(f.part_stored and load_part(out / ".cache", f.cache_key).rows["indicators"] for f in with_forms)
    assert snapshot(out) == expected
    suggested = (out / "corrections.suggested.csv").read_bytes()
    assert suggested.count(b"\n") > 1  # the review file's suggestions, from its worker
    (out / ".exported").unlink()
    monkeypatch.setattr(export, "CSV_CHUNK_ROWS", 1)  # the suggestions written a row at a time: the same bytes
    again = _run_here(dump, out, workers=2).result
    assert all(f.slim and not f.part_stored for f in again.files if f.form_count)  # from the cache: rows made from the forms
    assert snapshot(out) == expected and (out / "corrections.suggested.csv").read_bytes() == suggested


def test_slim_results_wait_on_disk_and_a_result_put_back_whole_is_held_as_it_is(tmp_path):
    from pipeline.model.result import FileResult, FileStatus, FormSummary
    from pipeline.run.spill import SpilledResults, SpillFile

    summary = FormSummary("ab-0", "a.pdf", 0, "培训经费", None, "2022", None, "shenzhen", "ok", "text_layer", 100.0, (), (), 0, (0, 0, 0), ())
    slim = FileResult("a.pdf", "ab" * 32, 10, FileStatus.OK, slim=True, summaries=[summary], cache_key="k")
    failed = FileResult("b.pdf", "cd" * 32, 5, FileStatus.FAILED, message="truncated")
    spill = SpillFile(tmp_path)
    files = SpilledResults(spill, [spill.keep(slim), spill.keep(failed)])
    assert isinstance(files.entries[0], tuple) and files.entries[1] is failed
    assert list(files) == [slim, failed] and files[0] is not slim  # a fresh copy at each read
    files[0].message = "lost"  # a change to a copy of a spilled result is not kept ...
    assert files[0].message == ""
    whole = FileResult("a.pdf", "ab" * 32, 10, FileStatus.OK)
    files[0] = whole  # ... so what is to be changed is put back whole first (RunResult.restore), and held as it is
    files[0].message = "corrected"
    assert files[0] is whole and files[0].message == "corrected" and len(files) == 2


def test_a_pool_with_one_file_in_flight_per_worker_gives_the_same_outputs(reference, tmp_path, monkeypatch):
    """The pool is fed a few files ahead per worker, never the whole dump at once: with one
    file in flight per worker (the tightest window), every file still comes back once. Its
    workers write their files' outputs and cache entries: only slim results come back."""
    from pipeline.run import batch

    dump, expected = reference
    monkeypatch.setattr(batch, "IN_FLIGHT_PER_WORKER", 1)
    out = tmp_path / "out"
    result = _run_here(dump, out, workers=2).result
    assert len(result.files) == len(list(p for p in dump.rglob("*") if p.is_file()))
    assert snapshot(out) == expected
    with_forms = [f for f in result.files if f.form_count]
    assert len(with_forms) >= 4 and all(f.slim and f.written and (out / ".cache" / f"{f.cache_key}.pkl").is_file() for f in with_forms)


def test_a_rerun_over_an_unchanged_dump_rewrites_no_output(reference, tmp_path):
    dump, _ = reference
    out = tmp_path / "out"
    extract(dump, out)
    rewritten_each_run = {"manifest.csv", "run.json", "run.log"}

    def stamps() -> dict[str, tuple[int, int]]:
        return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file() and p.name not in rewritten_each_run}

    before = stamps()
    assert any(name.startswith("forms/") for name in before) and any(name.startswith("report_files/form-") for name in before)
    extract(dump, out)
    assert stamps() == before


def test_tables_streamed_in_batches_hold_the_same_rows(reference, tmp_path, monkeypatch):
    """Above TABLES_IN_MEMORY_FORMS forms the tables go out in batches (a Parquet row group each,
    the workbook in constant_memory): the same rows and values, the CSV the same bytes; a table
    longer than a sheet holds says so in the sheet's last row."""
    import pandas as pd
    import pyarrow.parquet as pq

    from pipeline.outputs import export

    dump, expected = reference
    monkeypatch.setattr(export, "TABLES_IN_MEMORY_FORMS", 0)
    monkeypatch.setattr(export, "BATCH_VALUES", 80)  # a few rows of a table at a time
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 12)
    out = tmp_path / "out"
    _run_here(dump, out, workers=0)
    got = snapshot(out)
    for name in ("projects", "funding", "indicators"):
        assert got[f"tables/{name}.csv"] == expected[f"tables/{name}.csv"]
        pd.testing.assert_frame_equal(pd.read_parquet(out / "tables" / f"{name}.parquet"), pd.read_parquet(io.BytesIO(expected[f"tables/{name}.parquet"])))
        assert pq.ParquetFile(out / "tables" / f"{name}.parquet").num_row_groups > 1  # every table went out in batches
    assert got["tables/forms.jsonl"] == expected["tables/forms.jsonl"]
    projects = pd.read_excel(out / "tables" / "forms.xlsx", sheet_name="projects", dtype=str)
    assert projects["form_id"].tolist() == pd.read_csv(out / "tables" / "projects.csv", dtype=str)["form_id"].tolist()
    indicators = pd.read_excel(out / "tables" / "forms.xlsx", sheet_name="indicators", header=None, dtype=str)
    assert len(indicators) == 12 and "more rows than a sheet holds" in indicators.iloc[-1, 0]


def test_dask_workers_that_see_out_write_the_outputs_and_send_back_slim_results(reference, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from pipeline.run import batch

    dump, expected = reference
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "IN_FLIGHT_PER_WORKER", 1)  # fed as files come back, not all at once
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        result = _run_here(dump, out, dask_scheduler=cluster.scheduler_address, dask_shared=True).result
    with_forms = [f for f in result.files if f.form_count]
    assert len(with_forms) >= 4 and all(f.slim and f.written and not f.forms for f in with_forms)
    assert snapshot(out) == expected
    assert all((out / ".cache" / f"{f.cache_key}.pkl").is_file() for f in with_forms)  # cached by the workers, kept by the prune


def test_files_whose_names_flatten_alike_are_named_by_the_export_as_ever(tmp_path):
    """a/b.pdf and a__b.pdf flatten to the same form file name: neither is written as it arrives
    (its name depends on the other), and the export names both with their hash, as it always did."""
    from pipeline.outputs.export import form_filenames

    dump = tmp_path / "dump"
    (dump / "a").mkdir(parents=True)
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "a" / "b.pdf")
    shutil.copy(DUMP / "2022" / "单表" / "网格管理事务.pdf", dump / "a__b.pdf")
    shutil.copy(DUMP / "2022" / "单表" / "住房租赁市场发展专项.pdf", dump / "c.pdf")
    out = tmp_path / "out"
    result = _run_here(dump, out, workers=0).result
    written = {f.file: f.written for f in result.files}
    assert written == {"a/b.pdf": False, "a__b.pdf": False, "c.pdf": True}
    names = form_filenames([form for f in result.files for form in result.whole(f).forms])
    assert sorted(p.name for p in (out / "forms").glob("*.json")) == sorted(names)
    assert sum(".pdf.0." in name and name.count(".") == 4 for name in names) == 2  # the two alike carry a hash
