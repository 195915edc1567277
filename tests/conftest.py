from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.model.intermediate import Cell, Grid

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
DUMP = SAMPLES / "dump"
EXPECTED = SAMPLES / "expected"


@dataclass
class SampleRun:
    out: Path
    exit_code: int


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """One real run of the CLI over samples/dump, shared by the end-to-end tests."""
    out = tmp_path_factory.mktemp("out")
    code = main(["extract", str(DUMP), "--out", str(out), "--quiet"])
    return SampleRun(out=out, exit_code=code)


@pytest.fixture(scope="session")
def cases() -> dict:
    return json.loads((EXPECTED / "cases.json").read_text(encoding="utf-8"))


def at(grid: Grid, row: int, col: int) -> Cell:
    """The cell covering (row, col) of a grid, merged or not: readers' tests look cells up by slot."""
    found = grid.dense()[row][col]
    assert found is not None, (row, col)
    return found
