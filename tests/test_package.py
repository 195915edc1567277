"""The package as users install it: a wheel in a fresh virtual environment extracts a sample."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import DUMP, REPO


def _build_wheel(folder: Path) -> Path:
    """Build from a copy of the sources (a build writes build/ and *.egg-info beside them)."""
    source = folder / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("pipeline", "schemas"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and ("Could not find a version" in done.stderr or "NewConnectionError" in done.stderr):
        pytest.skip("the build backend (setuptools) cannot be fetched: no package index")
    assert done.returncode == 0, done.stderr
    return next((folder / "dist").glob("*.whl"))


def test_the_wheel_ships_the_schema_and_extracts_a_sample_in_a_fresh_venv(tmp_path):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"pipeline/schemas/form.schema.json", "pipeline/parse/templates/shenzhen.toml", "pipeline/review/report_ui/report.html", "pipeline/review/report_ui/report.js"} <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies of this environment, as a plain path: its own .pth files (an editable
    # install of this package) are not run, so `pipeline` can only come from the wheel
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True, capture_output=True, timeout=300)

    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "培训经费.pdf")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(venv / "bin" / "zpef"), "extract", str(dump), "--out", str(tmp_path / "out"), "--workers", "0", "--ocr", "never", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    where = subprocess.run([str(python), "-c", "import pipeline; print(pipeline.__file__)"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(site))
    form = json.loads(next((tmp_path / "out" / "forms").glob("*.json")).read_text(encoding="utf-8"))
    assert form["status"] == "ok" and not [c for c in form["checks"] if c["rule"] == "schema"]


def test_make_extract_installs_the_runtime_only_and_make_test_the_test_extras(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make not installed")

    def planned(target: str) -> list[str]:
        done = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}", f"PYTHON={sys.executable}"], capture_output=True, text=True, timeout=60, cwd=REPO, check=True)
        return [line for line in done.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]

    assert planned("extract") == [f"{tmp_path / 'venv'}/bin/python -m pip install -q -e ."]
    assert planned("test")[-1] == f"{tmp_path / 'venv'}/bin/python -m pip install -q -e '.[test]'"
