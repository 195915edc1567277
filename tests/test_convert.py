"""Legacy and foreign office files through real LibreOffice (pipeline.readers.convert): .doc, .wps, Word
files named .xls, .odt, and LibreOffice's own .ods; and a clear message when it is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import DUMP, EXPECTED
from pipeline.readers.convert import soffice
from pipeline.readers.ingest import describe
from pipeline.readers.ods import read_ods
from pipeline.parse.form import parse_document
from pipeline.run.unit import process_file
from pipeline.readers.spreadsheet import read_xlsx

WORD_SAMPLE = DUMP / "word" / "吉华街道_项目支出绩效自评表_2022.docx"
WORKBOOK = DUMP / "spreadsheet" / "吉华街道_项目支出绩效自评表_2022.xlsx"
CONTENT_KEYS = ("title", "template", "project", "funding", "goals", "indicators", "total")
needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: make system-deps installs it")


def libreoffice_convert(source: Path, target: str, out: Path) -> Path:
    """Save ``source`` as ``target`` with LibreOffice, as an office would."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", target, "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180
        )
    return out / f"{source.stem}.{target}"


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Word sample saved by LibreOffice as Word 97-2003 (.doc) and as OpenDocument text."""
    folder = tmp_path_factory.mktemp("legacy")
    shutil.copy(WORD_SAMPLE, folder / "form.docx")
    libreoffice_convert(folder / "form.docx", "doc", folder)
    libreoffice_convert(folder / "form.docx", "odt", folder)
    return folder


def expected(name: str) -> dict:
    seed = json.loads((EXPECTED / "seed" / name).read_text(encoding="utf-8"))
    return {key: seed[key] for key in CONTENT_KEYS}


def form_content(form) -> dict:  # a FormDocument's content as in the expected JSON
    data = form.to_json()
    return {key: data[key] for key in CONTENT_KEYS}


@needs_libreoffice
@pytest.mark.parametrize(
    "name, kind, detail",
    [
        ("年度自评表.doc", "doc", "Word 97-2003 document (.doc)"),
        ("年度自评表.wps", "doc", "WPS Writer document (.wps, Word format)"),
        ("年度自评表.xls", "doc", "Word 97-2003 document (named .xls)"),  # a Word file an office named .xls
    ],
)
def test_word_97_files_are_converted_and_read_like_the_docx(legacy, tmp_path, name, kind, detail):
    shutil.copy(legacy / "form.doc", tmp_path / name)
    source = describe(tmp_path / name, tmp_path)
    assert (source.kind, source.detail) == (kind, detail)
    result = process_file(source)
    assert (result.status, result.method, result.pages) == ("ok", "word", 2), result.message
    assert [form_content(f) for f in result.forms] == [expected("form1.json"), expected("form3.json")]
    assert [f.source.pages for f in result.forms] == [[1], [2]]
    assert result.forms[0].provenance["/indicators/0/level1"].ref == "table 1, rows 13-16, cell 2"


@needs_libreoffice
def test_odt_is_converted_and_read(legacy):
    source = describe(legacy / "form.odt", legacy)
    assert (source.kind, source.detail) == ("odt", "OpenDocument text (.odt)")
    result = process_file(source)
    assert result.status == "ok" and [form_content(f) for f in result.forms] == [expected("form1.json"), expected("form3.json")]


@needs_libreoffice
def test_ods_saved_by_libreoffice_reads_like_the_xlsx_it_came_from(tmp_path):
    ods = libreoffice_convert(WORKBOOK, "ods", tmp_path)
    assert describe(ods, tmp_path).kind == "ods"
    from_ods, from_xlsx = read_ods(ods), read_xlsx(WORKBOOK)
    assert from_ods.page_count == from_xlsx.page_count == 2
    for page_ods, page_xlsx in zip(from_ods.pages, from_xlsx.pages):
        [grid_ods], [grid_xlsx] = page_ods.grids, page_xlsx.grids
        assert [(c.row, c.col, c.row_span, c.col_span, c.text, c.ref) for c in grid_ods.cells] == [(c.row, c.col, c.row_span, c.col_span, c.text, c.ref) for c in grid_xlsx.cells]
    forms = parse_document(from_ods)
    assert [f.pages for f in forms] == [[1], [1], [2]]


def test_without_libreoffice_the_manifest_says_what_to_install(tmp_path, monkeypatch):
    # An OLE2 Word file: made here from the .doc when LibreOffice is present, else any OLE2 file
    # with a WordDocument stream is enough to reach the converter; ZPEF_SOFFICE="" means "none".
    monkeypatch.setenv("ZPEF_SOFFICE", "")
    assert soffice() is None
    doc = tmp_path / "自评表.doc"
    doc.write_bytes(_minimal_word_ole2())
    result = process_file(describe(doc, tmp_path))
    assert result.status == "failed"
    assert result.message.startswith("Word 97-2003 document (.doc): LibreOffice is needed to read it and was not found")
    assert "libreoffice-writer-nogui" in result.message


@needs_libreoffice
def test_a_damaged_word_file_fails_with_libreoffice_s_reason(tmp_path):
    doc = tmp_path / "damaged.doc"
    doc.write_bytes(_minimal_word_ole2())
    result = process_file(describe(doc, tmp_path))
    assert result.status == "failed" and "LibreOffice could not convert it" in result.message


def _minimal_word_ole2(stream_name: str = "WordDocument") -> bytes:
    """A valid OLE2 compound file with one stream, WordDocument by default (its content is not Word)."""
    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = b"\xfe\xff"  # little-endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # sector shift
    header[0x20:0x22] = (6).to_bytes(2, "little")  # mini sector shift
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # one FAT sector
    header[0x30:0x34] = (1).to_bytes(4, "little")  # directory starts at sector 1
    header[0x38:0x3C] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")  # no mini FAT
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")  # no DIFAT sectors
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # FAT in sector 0
    for i in range(1, 109):
        header[0x4C + 4 * i : 0x50 + 4 * i] = (0xFFFFFFFF).to_bytes(4, "little")
    fat = bytearray(b"\xff" * sector)
    entries = [0xFFFFFFFD, 0xFFFFFFFE] + [i + 1 for i in range(2, 9)] + [0xFFFFFFFE]  # FAT, directory, stream of 8 sectors
    for i, value in enumerate(entries):
        fat[4 * i : 4 * i + 4] = value.to_bytes(4, "little")
    directory = bytearray(sector)

    def entry(index: int, name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> None:
        raw = (name + "\x00").encode("utf-16-le")
        base = 128 * index
        directory[base : base + len(raw)] = raw
        directory[base + 0x40 : base + 0x42] = len(raw).to_bytes(2, "little")
        directory[base + 0x42] = kind
        directory[base + 0x43] = 1  # black
        directory[base + 0x44 : base + 0x50] = b"\xff" * 12  # no siblings, no child
        directory[base + 0x4C : base + 0x50] = child.to_bytes(4, "little")
        directory[base + 0x74 : base + 0x78] = start.to_bytes(4, "little")
        directory[base + 0x78 : base + 0x7C] = size.to_bytes(4, "little")

    entry(0, "Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    entry(1, stream_name, 2, 2, 8 * sector)
    stream = bytes(range(256)) * 16
    return bytes(header + fat + directory + stream)


@needs_libreoffice
def test_rtf_named_doc_is_converted(legacy, tmp_path):
    rtf = libreoffice_convert(legacy / "form.docx", "rtf", tmp_path)
    shutil.move(rtf, tmp_path / "自评表.doc")  # web systems often save RTF as .doc
    source = describe(tmp_path / "自评表.doc", tmp_path)
    assert (source.kind, source.detail) == ("rtf", "Rich Text Format document (RTF)")
    result = process_file(source)
    assert result.status == "ok" and [form_content(f) for f in result.forms] == [expected("form1.json"), expected("form3.json")]


@needs_libreoffice
def test_a_conversion_that_takes_too_long_is_stopped_with_a_message(legacy, tmp_path):
    from pipeline.readers.convert import convert
    from pipeline.model.errors import InputError

    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        convert(legacy / "form.doc", "doc", "docx", "Word 97-2003 document (.doc)", tmp_path, timeout=0.05)
    assert raised.value.message == "Word 97-2003 document (.doc): LibreOffice did not finish converting it within 0 s"
    assert time.monotonic() - started < 10  # stopped, not waited for


def test_wps_spreadsheet_in_excel_format_is_read_by_xlrd(tmp_path):
    test_spreadsheet = pytest.importorskip("test_spreadsheet")
    if test_spreadsheet.xlwt is None:
        pytest.skip("xlwt is not installed (pip install -e '.[test]')")
    from sample_files import specs

    test_spreadsheet.write_xls(tmp_path / "自评表.et", [("Sheet1", [specs.form3()])])
    source = describe(tmp_path / "自评表.et", tmp_path)
    assert (source.kind, source.detail) == ("xls", "WPS Spreadsheets workbook (.et, Excel format)")
    result = process_file(source)
    assert result.status == "ok" and result.method == "spreadsheet" and [form_content(f) for f in result.forms] == [expected("form3.json")]


@needs_libreoffice
def test_installing_libreoffice_later_rereads_what_failed_without_it(legacy, tmp_path, monkeypatch):
    import pandas as pd

    from pipeline.cli import main

    dump, out = tmp_path / "dump", tmp_path / "out"
    dump.mkdir()
    shutil.copy(legacy / "form.doc", dump / "自评表.doc")

    def status() -> str:
        manifest = pd.read_csv(out / "manifest.csv", encoding="utf-8-sig", keep_default_na=False)
        return manifest.iloc[0]["status"]

    monkeypatch.setenv("ZPEF_SOFFICE", "")
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    assert status() == "failed"
    monkeypatch.delenv("ZPEF_SOFFICE")
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])  # same cache folder, no --force
    assert status() == "ok"


def test_a_password_protected_docx_says_a_password_is_needed(tmp_path):
    path = tmp_path / "加密.docx"
    path.write_bytes(_minimal_word_ole2("EncryptedPackage"))
    source = describe(path, tmp_path)
    assert source.kind == "encrypted_office"
    result = process_file(source)
    assert (result.status, result.message) == ("failed", "password-protected Office file (.docx or .xlsx): a password is needed to read it")


def _processes_mentioning(marker: str) -> list[int]:
    """Pids whose command line names ``marker`` (a folder unique to one test): read, never signalled."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_libreoffice
def test_stopping_the_worker_stops_its_libreoffice(legacy, tmp_path):
    import signal
    import sys

    workdir = tmp_path / "unique-convert-folder"
    workdir.mkdir()
    script = f"import sys; from pathlib import Path; from pipeline.readers.convert import convert; convert(Path({str(legacy / 'form.doc')!r}), 'doc', 'docx', 'x', Path({str(workdir)!r}), timeout=600)"
    worker = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not [pid for pid in _processes_mentioning(str(workdir)) if pid != worker.pid] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.poll() is None, "the conversion finished before it could be stopped"
    output = workdir / "out" / "input.docx"
    worker.send_signal(signal.SIGTERM)  # as pebble stops a worker that ran over --timeout
    worker.wait(timeout=30)
    stopped = time.time()  # the worker stops its LibreOffice before it exits (a loaded machine takes a while)
    time.sleep(5)  # an orphaned LibreOffice would have finished by now and written its output
    assert _processes_mentioning(str(workdir)) == []
    # a fast machine may finish a small file as the signal lands; an orphan would write seconds later
    assert not output.exists() or output.stat().st_mtime < stopped + 1.0
