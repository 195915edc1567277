"""Hostile dumps (issue 12): no file loses the batch, exit codes say what happened, nothing stale or
half-written looks current, guards refuse before the work, CSV outputs are safe to open.

Every hostile file is generated here. Each end-to-end test runs a small clean dump with the hostile
input beside it and checks the hostile file's manifest row, the exit code, and that the good files'
outputs are the same bytes as in a clean run.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import DUMP, REPO
from pipeline.cli import main
from pipeline.model.errors import ExitCode
from pipeline.readers.names import MAX_NAME_BYTES, flat_name

GOOD = {"a/培训经费.pdf": DUMP / "2022" / "单表" / "培训经费.pdf", "a/网格管理事务.pdf": DUMP / "2022" / "单表" / "网格管理事务.pdf"}
OCR_OFF = ("--quiet", "--workers", "0", "--ocr", "never")


def good_dump(folder: Path) -> Path:
    dump = folder / "dump"
    for relpath, source in GOOD.items():
        (dump / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dump / relpath)
    return dump


def pdf_copy(target: Path, source: Path = GOOD["a/培训经费.pdf"], padding: bytes = b"") -> None:
    """A copy with other bytes (so not a duplicate): a comment after %%EOF, which readers ignore."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes() + b"\n% " + padding + str(target).encode("utf-8", "surrogateescape")[-40:] + b"\n")


def manifest(out: Path) -> dict[str, dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_file = {row["file"]: row for row in rows}
    assert len(by_file) == len(rows)  # one row per file
    return by_file


def manifest_lines(out: Path) -> dict[str, str]:
    lines = (out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    return {line.split(",", 1)[0]: line for line in lines}


def run_cli(dump: Path, out: Path, *options: str) -> int:
    return main(["extract", str(dump), "--out", str(out), *OCR_OFF, *options])


def cli_process(dump: Path, out: Path | str, *options: str, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), *OCR_OFF, *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    """The good files alone: their form files and manifest lines, to compare with."""
    folder = tmp_path_factory.mktemp("clean")
    out = folder / "out"
    assert run_cli(good_dump(folder), out) == 0
    return {"forms": {p.name: p.read_bytes() for p in (out / "forms").iterdir()}, "rows": manifest_lines(out), "tables": {p.name: p.read_bytes() for p in (out / "tables").iterdir()}}


def assert_good_files_unchanged(out: Path, clean: dict, tables: bool = False) -> None:
    for name, data in clean["forms"].items():
        assert (out / "forms" / name).read_bytes() == data, name
    rows = manifest_lines(out)
    for file, line in clean["rows"].items():
        assert rows[file] == line
    if tables:  # when the hostile file gives no forms, the tables are the clean run's too
        assert {p.name: p.read_bytes() for p in (out / "tables").iterdir()} == clean["tables"]


def log_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "run.log").read_text(encoding="utf-8").splitlines()]


# --- 1. no path or name loses the batch ------------------------------------------------------


LONG_PARTS = [
    "深圳市龙岗区吉华街道办事处二〇二二年度",
    "项目支出绩效自评材料汇编第一批次归档",
    "社区网格管理中心报送的各项目自评表扫描件与电子版",
    "最终审定稿件",
    "网格管理事务项目支出绩效自评表定稿版本.pdf",
]


def test_a_long_nested_chinese_path_gets_a_short_output_name_and_keeps_its_full_path(tmp_path, clean):
    dump = good_dump(tmp_path)
    relpath = "/".join(LONG_PARTS)
    assert sum(ord(c) > 0x2000 for c in relpath) >= 86 and len(relpath.encode()) > 255
    pdf_copy(dump / relpath)
    out = tmp_path / "out"
    assert run_cli(dump, out) == 0
    row = manifest(out)[relpath]
    assert row["status"] == "ok" and row["forms"] == "1"
    name = f"{flat_name(relpath)}.0.json"
    assert len(name.encode()) <= 255 and len(flat_name(relpath).encode()) <= MAX_NAME_BYTES
    assert name.startswith("深圳市龙岗区吉华街道办事处") and name.endswith(".pdf.0.json")
    form = json.loads((out / "forms" / name).read_text(encoding="utf-8"))
    assert form["source"]["file"] == relpath
    assert all(len(p.name.encode()) <= 255 for p in out.rglob("*"))
    assert_good_files_unchanged(out, clean)


def test_flat_name_is_deterministic_and_distinct():
    long = "/".join(LONG_PARTS)
    other = long.replace("定稿版本", "修订版本")
    assert flat_name(long) == flat_name(long) != flat_name(other)
    assert flat_name("2022/单表/培训经费.pdf") == "2022__单表__培训经费.pdf"  # short names as before


def test_gbk_and_undecodable_file_names_are_shown_readably_and_said_so(tmp_path, clean):
    dump = good_dump(tmp_path)
    gbk = "绩效自评表.pdf".encode("gbk")
    raw = os.fsencode(dump) + b"/" + gbk
    handle = os.open(raw, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(handle, GOOD["a/网格管理事务.pdf"].read_bytes() + b"\n% gbk\n")
    os.close(handle)
    junk = os.open(os.fsencode(dump) + b"/\xff\xfe-notes.txt", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(junk, b"just some notes\n")
    os.close(junk)
    out = tmp_path / "out"
    assert run_cli(dump, out) == 0
    rows = manifest(out)
    assert rows["绩效自评表.pdf"]["status"] == "ok"
    assert "shown decoded as GB18030" in rows["绩效自评表.pdf"]["message"]
    assert rows["\\xff\\xfe-notes.txt"]["status"] == "skipped"
    assert "shown as \\xNN" in rows["\\xff\\xfe-notes.txt"]["message"]
    forms = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "forms").glob("绩效自评表.pdf.*.json")]
    assert [f["source"]["file"] for f in forms] == ["绩效自评表.pdf"]
    assert {"绩效自评表.pdf", "\\xff\\xfe-notes.txt"} <= {r.get("file") for r in log_records(out)}
    assert_good_files_unchanged(out, clean)


def test_a_control_character_in_a_file_name_never_breaks_a_manifest_row(tmp_path, clean):
    dump = good_dump(tmp_path)
    pdf_copy(dump / "a\rb\nc.pdf")
    (dump / "=cmd|' calc'!A0.txt").write_text("notes\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli(dump, out) == 0
    lines = (out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 4  # header + one physical line per file
    rows = manifest(out)
    assert rows["a\\x0db\\x0ac.pdf"]["status"] == "ok"
    assert rows["'=cmd|' calc'!A0.txt"]["status"] == "skipped"  # neutralised in the CSV
    assert_good_files_unchanged(out, clean)


def test_a_failed_run_never_leaves_the_previous_manifest_looking_current(tmp_path, monkeypatch, capsys):
    dump = good_dump(tmp_path)
    out = tmp_path / "out"
    assert run_cli(dump, out) == 0
    assert json.loads((out / "run.json").read_text())["state"] == "complete"

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr("pipeline.run.plan.write_report", broken)  # as the plan calls it
    capsys.readouterr()
    assert run_cli(dump, out, "--force") == ExitCode.INTERNAL  # --force: an unchanged dump's export is otherwise not made again
    assert not (out / "manifest.csv").exists()
    status = json.loads((out / "run.json").read_text())
    assert status["state"] == "failed" and status["exit_code"] == 15
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["zpef: internal error: RuntimeError: a bug in the report (traceback in run.log in the output folder)"]
    last = log_records(out)[-1]
    assert last["outcome"] == "failed" and "Traceback" in last["traceback"] and "broken" in last["traceback"]


# --- 2. exit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("option", [("--timeout", "nan"), ("--timeout", "-1"), ("--timeout", "inf"), ("--max-file-mb", "0"), ("--workers", "-1")])
def test_bad_numbers_are_usage_errors(tmp_path, option, capsys):
    out = tmp_path / "out"
    assert run_cli(good_dump(tmp_path), out, *option) == ExitCode.USAGE
    assert not out.exists()
    assert capsys.readouterr().err.startswith("zpef: error: ")


def test_help_lists_the_exit_codes(capsys):
    assert main(["extract", "--help"]) == 0
    text = capsys.readouterr().out
    for code in ExitCode:
        assert f"  {int(code):<4} " in text


def test_an_unwritable_output_is_exit_4_with_one_line(tmp_path):
    done = cli_process(good_dump(tmp_path), "/proc/zpef-out")
    assert done.returncode == ExitCode.OUTPUT_UNWRITABLE
    assert done.stderr.startswith("zpef: output not writable: ") and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("target", ["pipeline.outputs.export.write_manifest", "pipeline.run.cache.pickle.dump"])
def test_a_full_disk_is_exit_4_and_leaves_no_manifest(tmp_path, monkeypatch, capsys, target):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(target, full)
    out = tmp_path / "out"
    assert run_cli(good_dump(tmp_path), out) == ExitCode.OUTPUT_UNWRITABLE
    assert "No space left on device" in capsys.readouterr().err
    assert not (out / "manifest.csv").exists()
    assert json.loads((out / "run.json").read_text())["exit_code"] == 4


def test_a_missing_package_is_exit_3_not_a_traceback(tmp_path):
    code = f"import sys; sys.modules['pandas'] = None; from pipeline.cli import main; sys.exit(main(['extract', {str(good_dump(tmp_path))!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == ExitCode.MISSING_DEPENDENCY
    assert "'pandas'" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_schema_is_exit_3(tmp_path, monkeypatch):
    from pipeline.checks import validate

    validate.validator.cache_clear()
    monkeypatch.setattr(validate, "SCHEMA_PATH", tmp_path / "gone.schema.json")
    try:
        assert run_cli(good_dump(tmp_path), tmp_path / "out") == ExitCode.MISSING_DEPENDENCY
    finally:
        validate.validator.cache_clear()


def _make(dump: Path, out: Path) -> subprocess.CompletedProcess:
    venv = Path(sys.executable).parent.parent
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        "make",
        "-s",
        "-o",
        "system-deps",
        "-o",
        str(venv / ".installed"),
        "extract",
        f"VENV={venv}",
        f"STAMP={venv / '.installed'}",
        f"DUMP={dump}",
        f"OUT={out}",
        "ARGS=--quiet --workers 0 --ocr never",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO, env=env)


def test_make_extract_passes_every_code_but_1_through(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    dump = good_dump(tmp_path)
    failed = _make(dump, Path("/proc/zpef-out"))  # make exits 2 for any failed recipe and names its code
    assert failed.returncode != 0 and "Error 4" in failed.stderr and "manifest" not in failed.stdout
    shutil.copy(DUMP / "bad" / "truncated.pdf", dump / "truncated.pdf")
    done = _make(dump, tmp_path / "out")
    assert done.returncode == 0 and "some files need review or failed" in done.stdout


# --- 3. non-regular files ------------------------------------------------------------------------


def test_non_regular_files_are_skipped_without_being_opened(tmp_path, clean):
    dump = good_dump(tmp_path)
    os.mkfifo(dump / "x.pdf")
    (dump / "zero.pdf").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(dump / "sock.pdf"))
    outside = tmp_path / "outside.pdf"
    pdf_copy(outside)
    (dump / "out-link.pdf").symlink_to(outside)
    (dump / "in-link.pdf").symlink_to(dump / "a" / "培训经费.pdf")
    (dump / "dangling.pdf").symlink_to(dump / "nothing-here.pdf")
    (dump / "folder-link").symlink_to(dump / "a")
    try:
        os.mknod(dump / "null.pdf", stat.S_IFCHR | 0o644, os.makedev(1, 3))  # /dev/null's numbers
    except OSError:
        pass  # not allowed here (no CAP_MKNOD): the link to /dev/zero stands for devices
    out = tmp_path / "out"
    try:
        done = cli_process(dump, out, timeout=120)  # a FIFO or /dev/zero opened would never end
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    rows = manifest(out)
    expected = {
        "x.pdf": "named pipe (FIFO), not a regular file: not opened",
        "zero.pdf": "symbolic link to a character device (/dev/zero): not followed",
        "sock.pdf": "socket, not a regular file: not opened",
        "out-link.pdf": f"symbolic link to a file outside the dump ({outside.resolve()}): not followed",
        "dangling.pdf": "symbolic link that does not resolve (No such file or directory): not followed",
        "folder-link": f"symbolic link to a folder ({(dump / 'a').resolve()}): not followed",
        "in-link.pdf": "duplicate of a/培训经费.pdf (same sha256): its forms are extracted there",
    }
    if (dump / "null.pdf").exists():
        expected["null.pdf"] = "character device, not a regular file: not opened"
    for file, message in expected.items():
        assert (rows[file]["status"], rows[file]["message"]) == ("skipped", message), file
    assert len(rows) == len(GOOD) + len(expected)
    assert_good_files_unchanged(out, clean, tables=True)


# --- 4. OUT and DUMP ---------------------------------------------------------------------------------


def test_out_equal_to_dump_is_refused(tmp_path, capsys):
    dump = good_dump(tmp_path)
    for out in (dump, dump / "a" / ".."):
        assert run_cli(dump, out) == ExitCode.USAGE
        assert "each run would read its own outputs back" in capsys.readouterr().err
    assert not (dump / "manifest.csv").exists() and not (dump / "run.json").exists()


def test_out_inside_the_dump_is_never_read_back(tmp_path):
    dump = good_dump(tmp_path)
    out = dump / "results"
    assert run_cli(dump, out) == 0
    first = (out / "manifest.csv").read_bytes(), sorted(p.name for p in (out / "forms").iterdir())
    assert run_cli(dump, out) == 0
    assert ((out / "manifest.csv").read_bytes(), sorted(p.name for p in (out / "forms").iterdir())) == first
    assert len(first[1]) == 2


def test_a_dump_inside_a_folder_the_run_rewrites_is_refused(tmp_path):
    out = tmp_path / "out"
    dump = good_dump(out / "forms")
    assert run_cli(dump, out) == ExitCode.USAGE


# --- 5. failures of the run are not cached; interrupts stop promptly ---------------------------------


def test_a_timed_out_file_is_tried_again_next_run_without_force(tmp_path, monkeypatch):
    from pipeline.run import batch

    dump = good_dump(tmp_path)
    out = tmp_path / "out"
    real = batch.SerialExecutor.results

    def timing_out(self, tasks):
        for task in tasks:
            yield task, batch.failed(task, "timed out after 1 s (--timeout); the worker was stopped")

    monkeypatch.setattr(batch.SerialExecutor, "results", timing_out)
    assert run_cli(dump, out) == ExitCode.FINDINGS
    assert {r["status"] for r in manifest(out).values()} == {"failed"}
    monkeypatch.setattr(batch.SerialExecutor, "results", real)
    before = len(log_records(out))
    assert run_cli(dump, out) == 0
    processed = [r["file"] for r in log_records(out)[before:] if r["stage"] == "file" and not r["cached"]]
    assert sorted(processed) == sorted(GOOD)


def test_a_file_whose_worker_was_killed_is_read_next_run(tmp_path):
    psutil = pytest.importorskip("psutil")
    dump = good_dump(tmp_path)
    shutil.copy(DUMP / "scans" / "phone_photo.jpg", dump / "photo.jpg")  # last in path order, seconds of OCR
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", "1", "--ocr-engine", "tesseract"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    done = lambda: {r["file"] for r in log_records(out) if r["stage"] == "file"} if (out / "run.log").exists() else set()  # noqa: E731
    deadline = time.time() + 240
    while time.time() < deadline and not set(GOOD) <= done():
        time.sleep(0.02)
    workers = [c for c in psutil.Process(process.pid).children(recursive=True) if "spawn_main" in " ".join(c.cmdline())]
    assert "photo.jpg" not in done() and workers
    for worker in workers:
        worker.kill()  # as the kernel's OOM killer would
    process.communicate(timeout=240)
    assert process.returncode == ExitCode.FINDINGS
    row = manifest(out)["photo.jpg"]
    assert row["status"] == "failed" and "the worker process died" in row["message"]
    before = len(log_records(out))
    assert cli_process(dump, out, "--workers", "1", "--ocr", "auto", "--ocr-engine", "tesseract").returncode in (0, 1)
    processed = [r["file"] for r in log_records(out)[before:] if r["stage"] == "file" and not r["cached"]]
    assert processed == ["photo.jpg"]  # not replayed from the cache, and the others were
    assert manifest(out)["photo.jpg"]["status"] != "failed"


def _ocr_dump(folder: Path, copies: int) -> Path:
    dump = folder / "dump"
    dump.mkdir()
    photo = (DUMP / "scans" / "phone_photo.jpg").read_bytes()
    for n in range(copies):
        (dump / f"photo{n}.jpg").write_bytes(photo + b"\0" * (n + 1))  # other bytes, same picture
    return dump


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_stops_the_pool_at_once_and_withdraws_the_manifest(tmp_path, stop):
    dump = _ocr_dump(tmp_path, copies=5)
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").write_text("stale\n")
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", "1", "--ocr-engine", "tesseract"]
    # a test run started as a background job ignores Ctrl-C, and so would the run it starts: as from a terminal
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    cached = lambda: len(list((out / ".cache").glob("*.pkl"))) if (out / ".cache").exists() else 0  # noqa: E731
    deadline = time.time() + 240
    while time.time() < deadline and cached() == 0:
        time.sleep(0.05)
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    assert process.returncode == (ExitCode.INTERRUPTED if stop == signal.SIGINT else ExitCode.TERMINATED)
    assert cached() < 5  # it did not wait for every remaining file
    assert not (out / "manifest.csv").exists()
    assert json.loads((out / "run.json").read_text())["state"] == "interrupted"
    assert err.strip().splitlines()[-1].startswith("zpef: ")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed exception, on purpose
def test_a_stop_whose_exception_a_finalizer_swallowed_still_stops_the_run(tmp_path):
    """A signal's handler runs wherever the main thread is: inside a ``__del__`` its exception is
    printed and dropped by CPython. The stop is remembered, and the run asks again between files."""
    from pipeline.model.errors import forget_stop_requests, stop_requested
    from pipeline.run.batch import run

    class Finalised:
        def __del__(self) -> None:
            stop_requested(KeyboardInterrupt)

    dump = good_dump(tmp_path)
    forget_stop_requests()
    try:
        Finalised()  # the handler ran in a finalizer: "Exception ignored in ..." and the program goes on
        with pytest.raises(KeyboardInterrupt):
            run(dump)
    finally:
        forget_stop_requests()


# --- 6. guards -------------------------------------------------------------------------------------


def test_a_file_over_max_file_mb_is_refused_before_it_is_read(tmp_path, clean):
    dump = good_dump(tmp_path)
    pdf_copy(dump / "big.pdf", padding=b"x" * 3_000_000)
    out = tmp_path / "out"
    assert run_cli(dump, out, "--max-file-mb", "2") == ExitCode.FINDINGS
    row = manifest(out)["big.pdf"]
    assert row["status"] == "failed" and row["sha256"] == "" and int(row["bytes"]) > 3_000_000
    assert row["message"].endswith("MB, more than --max-file-mb 2: not read")
    assert_good_files_unchanged(out, clean, tables=True)


def test_a_200_mb_text_export_is_refused_before_it_is_read(tmp_path, clean):
    dump = good_dump(tmp_path)
    seed = next((DUMP / "text_export").glob("*.txt")).read_bytes()
    with (dump / "export.txt").open("wb") as handle:
        handle.write(seed)
        handle.truncate(200_000_000)  # sparse: no 200 MB written to disk
    out = tmp_path / "out"
    assert run_cli(dump, out) == ExitCode.FINDINGS
    row = manifest(out)["export.txt"]
    assert row["status"] == "failed" and "200 MB text export" in row["message"] and row["bytes"] == "200000000"
    assert_good_files_unchanged(out, clean, tables=True)


def test_an_xlsx_with_a_cell_at_xfd1048576_reads_only_the_used_cells(tmp_path):
    import openpyxl

    from pipeline.readers.spreadsheet import read_xlsx

    workbook = next((DUMP / "spreadsheet").glob("*.xlsx"))
    book = openpyxl.load_workbook(workbook)
    book.worksheets[0].cell(row=1048576, column=16384).number_format = "0.00"  # empty, but the dimension is A1:XFD1048576
    book.save(tmp_path / "empty-corner.xlsx")
    original, cornered = read_xlsx(workbook), read_xlsx(tmp_path / "empty-corner.xlsx")
    texts = lambda content: [[(c.row, c.col, c.text) for g in p.grids for c in g.cells] for p in content.pages]  # noqa: E731
    assert texts(cornered) == texts(original) and not cornered.page_errors

    book.worksheets[0].cell(row=1048576, column=16384).value = "x"
    book.save(tmp_path / "text-corner.xlsx")
    content = read_xlsx(tmp_path / "text-corner.xlsx")
    assert "XFD1048576" in content.page_errors[1] and "not read" in content.page_errors[1]


# --- 7. CSV injection --------------------------------------------------------------------------------


def test_csv_outputs_neutralise_formulas_and_parquet_keeps_the_true_values(tmp_path):
    from pipeline.model.document import FormDocument, Funding, FundingLine, Indicator, Project, Source, Total
    from pipeline.outputs.export import write_manifest, write_tables
    from pipeline.model.result import FileResult

    hostile = '=HYPERLINK("http://example.invalid","点击")'
    form = FormDocument(
        form_id="1" * 16 + "-0",
        title="项目支出绩效自评表",
        template="shenzhen",
        source=Source(file="@SUM(1+1).pdf", sha256="1" * 64, form_index=0, pages=[1], method="text_layer"),
        project=Project(code="+8613800000000", name=hostile, year="2022"),
        funding=Funding(unit="元", lines=[FundingLine("年度资金总额", -5.0, 10.0, 10.0)]),
        indicators=[Indicator("产出", 50.0, "数量", "\tTab", "-5%", "\r回车\r\n两行", 50.0, -1.0, "正常文本")],
        total=Total(100.0, 98.0),
    )
    write_tables(tmp_path, [form])
    write_manifest(tmp_path, [FileResult(file="=cmd.pdf", sha256="", bytes=0, status="failed", message="-1 and \r a CR")])
    with (tmp_path / "tables" / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["source_file"], row["project_code"], row["project_name"]) == ("'@SUM(1+1).pdf", "'+8613800000000", "'" + hostile)
    assert (row["name"], row["target"], row["actual"], row["deviation_note"]) == ("'\tTab", "'-5%", "'\n回车\n两行", "正常文本")
    assert row["score"] == "-1.0"  # numbers untouched
    with (tmp_path / "tables" / "funding.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["initial_budget"] == "-5.0"
    parquet = pd.read_parquet(tmp_path / "tables" / "indicators.parquet")
    assert (parquet.loc[0, "project_name"], parquet.loc[0, "actual"], parquet.loc[0, "score"]) == (hostile, "\r回车\r\n两行", -1.0)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "manifest.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["file"], r["message"]) for r in rows] == [("'=cmd.pdf", "'-1 and \n a CR")]


# --- 8. a file that changes while it is read -----------------------------------------------------------


def test_a_file_growing_while_it_is_hashed_fails_with_the_bytes_read(tmp_path, monkeypatch, clean):
    from pipeline.readers import ingest

    dump = good_dump(tmp_path)
    growing = dump / "growing.pdf"
    pdf_copy(growing)
    real_read = os.read
    grown = []

    def read_and_grow(fd, size):
        data = real_read(fd, size)
        if data and not grown and os.fstat(fd).st_ino == growing.stat().st_ino:
            grown.append(True)
            with growing.open("ab") as handle:
                handle.write(b"% more bytes arriving\n")
        return data

    monkeypatch.setattr(ingest.os, "read", read_and_grow)
    out = tmp_path / "out"
    assert run_cli(dump, out) == ExitCode.FINDINGS
    row = manifest(out)["growing.pdf"]
    assert row["status"] == "failed" and "the file changed while it was read" in row["message"]
    assert int(row["bytes"]) == growing.stat().st_size  # the bytes actually read, not the size when listed
    assert_good_files_unchanged(out, clean, tables=True)


def test_a_file_changed_while_it_is_extracted_fails_and_is_read_again_next_run(tmp_path, monkeypatch, clean):
    from pipeline.run import batch

    dump = good_dump(tmp_path)
    changing = dump / "changing.pdf"
    pdf_copy(changing)
    real = batch.run_task

    def task_while_copying(task):
        if task.source.relpath == "changing.pdf":
            with changing.open("ab") as handle:
                handle.write(b"% still being copied\n")
        return real(task)

    monkeypatch.setattr(batch, "run_task", task_while_copying)
    out = tmp_path / "out"
    assert run_cli(dump, out) == ExitCode.FINDINGS
    row = manifest(out)["changing.pdf"]
    assert row["status"] == "failed" and "the file changed while it was read" in row["message"]
    assert_good_files_unchanged(out, clean)
    monkeypatch.setattr(batch, "run_task", real)
    assert run_cli(dump, out) == 0  # not cached: read again, now complete
    assert manifest(out)["changing.pdf"]["status"] == "ok"


def test_a_folder_that_cannot_be_listed_gets_a_row(tmp_path, monkeypatch, clean):
    dump = good_dump(tmp_path)
    locked = dump / "锁定"
    locked.mkdir()
    pdf_copy(locked / "hidden.pdf")
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and Path(os.fsdecode(path)) == locked:  # os.scandir takes a descriptor too (shutil.rmtree)
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert run_cli(dump, out) == ExitCode.FINDINGS
    row = manifest(out)["锁定"]
    assert (row["status"], row["message"]) == ("failed", "folder that cannot be listed (Permission denied): the files in it are not read")
    assert_good_files_unchanged(out, clean, tables=True)


def test_two_names_that_show_as_the_same_text_stay_two_rows(tmp_path):
    dump = good_dump(tmp_path)
    pdf_copy(dump / "自评.pdf")
    handle = os.open(os.fsencode(dump) + b"/" + "自评.pdf".encode("gbk"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(handle, b"notes\n")
    os.close(handle)
    out = tmp_path / "out"
    assert run_cli(dump, out) == 0
    rows = manifest(out)
    # the GBK name comes first in byte order and keeps the plain text; the other gets a hash
    assert len(rows) == len(GOOD) + 2 and rows["自评.pdf"]["status"] == "skipped" and "GB18030" in rows["自评.pdf"]["message"]
    twin = next(name for name in rows if name.startswith("自评.pdf~"))
    assert rows[twin]["status"] == "ok" and (out / "forms" / f"{twin}.0.json").is_file()


def test_an_xlsx_unpacking_to_more_than_the_limit_is_refused_before_it_is_loaded(tmp_path, monkeypatch):
    import openpyxl

    from pipeline.readers import spreadsheet
    from pipeline.model.errors import FileTooLarge

    workbook = next((DUMP / "spreadsheet").glob("*.xlsx"))
    monkeypatch.setattr(spreadsheet, "MAX_XLSX_SHEET_BYTES", 1000)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("loaded"))
    with pytest.raises(FileTooLarge, match="MB unpacked, more than"):
        spreadsheet.read_xlsx(workbook)


def test_an_xlsx_with_text_at_xfd1048576_fails_that_sheet_with_its_range_and_the_batch_goes_on(tmp_path, clean):
    import openpyxl

    dump = good_dump(tmp_path)
    book = openpyxl.load_workbook(next((DUMP / "spreadsheet").glob("*.xlsx")))
    book.worksheets[0]["XFD1048576"] = "x"
    book.save(dump / "corner.xlsx")
    out = tmp_path / "out"
    assert run_cli(dump, out) == ExitCode.FINDINGS
    row = manifest(out)["corner.xlsx"]
    assert row["status"] == "needs_review" and row["forms"] == "1"  # the second sheet's form is read
    assert "page 1: unreadable sheet" in row["message"] and "A1:XFD1048576" in row["message"] and "not read" in row["message"]
    assert_good_files_unchanged(out, clean)
