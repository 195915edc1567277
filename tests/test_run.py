"""Run-level behaviour: one outcome per input file, duplicates, hidden files, regenerated samples."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DUMP, REPO
from pipeline.run.batch import run

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def test_identical_files_are_extracted_once_and_the_copy_says_so(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    original = DUMP / "2022" / "单表" / "培训经费.pdf"
    shutil.copy(original, tmp_path / "a" / "x.pdf")
    shutil.copy(original, tmp_path / "b" / "y.pdf")
    result = run(tmp_path)
    rows = {f.file: f for f in result.files}
    assert rows["a/x.pdf"].status == "ok" and len(rows["a/x.pdf"].forms) == 1
    assert rows["b/y.pdf"].status == "skipped"
    assert rows["b/y.pdf"].message.startswith("duplicate of a/x.pdf")
    assert len({f.form_id for f in result.forms}) == len(result.forms) == 1


def test_every_file_gets_one_row_hidden_and_odd_ones_too(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "sub" / "empty.xlsx").write_bytes(b"")
    result = run(tmp_path)
    rows = {f.file: f for f in result.files}
    assert sorted(rows) == [".DS_Store", "sub/empty.xlsx", "sub/scan.png"]
    assert rows[".DS_Store"].status == "skipped" and "unknown file type" in rows[".DS_Store"].message
    assert rows["sub/scan.png"].status == "failed" and rows["sub/scan.png"].message.startswith("unreadable image")
    assert str(tmp_path) not in rows["sub/scan.png"].message
    assert rows["sub/empty.xlsx"].status == "failed" and rows["sub/empty.xlsx"].message == "empty file (0 bytes)"


def test_output_folder_inside_the_dump_is_not_read_back(tmp_path):
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", tmp_path / "form.pdf")
    out = tmp_path / "out"
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(tmp_path), "--out", str(out), "--quiet"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "1 files: " in done.stdout and "; 1 forms: " in done.stdout


@pytest.mark.skipif(not FONT.exists(), reason="fonts-wqy-microhei is not installed (make system-deps installs it)")
def test_samples_script_regenerates_the_committed_samples_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_samples.py"), "--out", str(tmp_path)], check=True, capture_output=True)
    generated = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DUMP).as_posix() for p in DUMP.rglob("*") if p.is_file())
    assert generated == committed
    for name in generated:
        assert (tmp_path / name).read_bytes() == (DUMP / name).read_bytes(), name


def test_every_manifest_row_not_ok_says_why_with_a_stable_code(sample_run):
    """Programs read `reason`, people read `message`: the code never changes with the wording."""
    import csv

    rows = {row["file"]: row for row in csv.DictReader((sample_run.out / "manifest.csv").open(encoding="utf-8-sig"))}
    expected = {
        "bad/encrypted.pdf": "encrypted",
        "bad/truncated.pdf": "truncated_pdf",
        "bad/empty.pdf": "empty_file",
        "bad/attachments.zip": "archive",
        "bad/no_form.pdf": "not_a_form",
        "bad/unknown.dat": "unknown_type",
        "other/部门整体支出绩效自评表.pdf": "other_form_type",
        "review/网格管理事务_得分不符.pdf": "checks_failed",
    }
    assert {name: rows[name]["reason"] for name in expected} == expected
    assert all(row["reason"] == "" for row in rows.values() if row["status"] == "ok")
    assert all(row["reason"] for row in rows.values() if row["status"] != "ok")


def test_every_reason_code_has_its_words_in_chinese(sample_run):
    """The review report shows a file's reason in Chinese: every code the code gives has words."""
    import csv
    import re

    from pipeline.model.errors import REASON_ZH
    from pipeline.outputs.export import MANIFEST_COLUMNS

    given = {row["reason"] for row in csv.DictReader((sample_run.out / "manifest.csv").open(encoding="utf-8-sig")) if row["reason"]}
    listed = set(re.findall(r"\b[a-z]+_[a-z_]+\b|\b(?:duplicate|encrypted|timeout|unreadable)\b", dict(MANIFEST_COLUMNS)["reason"]))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "pipeline").rglob("*.py"))
    written = set(re.findall(r"\b(?:code|reason)\s*=\s*\"([a-z_]+)\"", source))
    assert given and listed and written
    assert given | listed | written <= set(REASON_ZH), (given | listed | written) - set(REASON_ZH)


def test_later_pages_name_the_last_file_before_them_that_gave_forms():
    """A form's pages 2 and 3 as files of their own, a skipped file between: both name page 1's
    file, which names both; a later page with no file of forms before it in its folder names none."""
    from pipeline.model.result import FileResult, FileStatus
    from dataclasses import replace

    from pipeline.model.intermediate import DocumentContent, KeptReading
    from pipeline.run.batch import PagePlaces, _name_forms_continued
    from pipeline.run.spill import SpillFile

    def result(name: str, status: FileStatus, reason: str = "") -> FileResult:
        return FileResult(file=name, sha256="0" * 64, bytes=1, status=status, reason=reason, message=name)

    def may_go_on(name: str) -> FileResult:  # its last form has no 总分 row: its reading was kept to be read on
        return replace(result(name, FileStatus.NEEDS_REVIEW, "checks_failed"), kept=KeptReading(DocumentContent([]), "ocr", "hybrid", frozenset(), {}, {}))

    order = ["a/1.jpg", "a/2.jpg", "a/Thumbs.db", "a/3.jpg", "b/2.jpg"]
    slots = {
        "a/1.jpg": may_go_on("a/1.jpg"),
        "a/2.jpg": result("a/2.jpg", FileStatus.NEEDS_REVIEW, "continuation_page"),
        "a/Thumbs.db": result("a/Thumbs.db", FileStatus.SKIPPED, "unknown_type"),
        "a/3.jpg": result("a/3.jpg", FileStatus.NEEDS_REVIEW, "continuation_page"),
        "b/2.jpg": result("b/2.jpg", FileStatus.NEEDS_REVIEW, "continuation_page"),
    }
    places = PagePlaces()
    for key in order:
        places.note(key, slots[key])
    _name_forms_continued(order, slots, SpillFile(), places)
    messages = {key: entry.message for key, entry in slots.items() if isinstance(entry, FileResult)}
    assert messages["a/2.jpg"] == "a/2.jpg; the form it goes on is probably in a/1.jpg, before it in its folder"
    assert messages["a/3.jpg"] == "a/3.jpg; the form it goes on is probably in a/1.jpg, before it in its folder"
    assert messages["a/1.jpg"] == (
        "a/1.jpg; a later page of this file's last form is probably in a/2.jpg, after it in its folder; a later page of this file's last form is probably in a/3.jpg, after it in its folder"
    )
    assert messages["a/Thumbs.db"] == "a/Thumbs.db" and messages["b/2.jpg"] == "b/2.jpg"
