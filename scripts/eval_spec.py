"""Read the evaluation corpus' source specs (eval/forms/<id>/source.json) into a cell grid.

A spec describes what a published form prints (see eval/README.md). Its ``rows`` are the table's
rows in printed order, each a list of cells written as in an HTML table: a cell is a string, a
``[text, col_span]`` or ``[text, col_span, row_span]`` list, or a ``{"text", "col_span",
"row_span"}`` object, and slots covered by a cell with ``row_span`` > 1 from a row above are *not*
repeated in the rows below. ``place()`` lays the cells out on the grid and fails when the grid is
not rectangular (every row ``columns`` wide, no overlaps, no span running off the bottom).

Used by scripts/make_eval.py (renderings), scripts/bench_eval.py and tests/test_eval_corpus.py;
needs nothing but the standard library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO / "eval"
FORMS = EVAL / "forms"


@dataclass(frozen=True)
class SpecCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str


def cell_fields(cell: object) -> tuple[str, int, int]:
    """(text, col_span, row_span) of one cell in any of the three spellings."""
    if isinstance(cell, str):
        return cell, 1, 1
    if isinstance(cell, list) and 1 <= len(cell) <= 3 and isinstance(cell[0], str):
        text = cell[0]
        col_span = int(cell[1]) if len(cell) > 1 else 1
        row_span = int(cell[2]) if len(cell) > 2 else 1
        return text, col_span, row_span
    if isinstance(cell, dict) and isinstance(cell.get("text"), str):
        return cell["text"], int(cell.get("col_span", 1)), int(cell.get("row_span", 1))
    raise ValueError(f"not a cell: {cell!r}")


def place(spec: dict) -> list[SpecCell]:
    """Lay the spec's rows out on a ``columns``-wide grid; ValueError if it is not rectangular."""
    width = int(spec["columns"])
    rows = spec["rows"]
    taken: dict[tuple[int, int], SpecCell] = {}
    cells: list[SpecCell] = []
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            text, col_span, row_span = cell_fields(raw)
            if col_span < 1 or row_span < 1:
                raise ValueError(f"row {r}: span below 1 in {raw!r}")
            while (r, c) in taken:
                c += 1
            cell = SpecCell(r, c, row_span, col_span, text)
            for rr in range(r, r + row_span):
                for cc in range(c, c + col_span):
                    if cc >= width:
                        raise ValueError(f"row {r}: cell {text!r} runs past column {width}")
                    if rr >= len(rows):
                        raise ValueError(f"row {r}: cell {text!r} spans past the last row")
                    if (rr, cc) in taken:
                        raise ValueError(f"row {r}: cell {text!r} overlaps {taken[(rr, cc)].text!r}")
                    taken[(rr, cc)] = cell
            cells.append(cell)
            c += col_span
        missing = [cc for cc in range(width) if (r, cc) not in taken]
        if missing:
            raise ValueError(f"row {r} ({[cell_fields(x)[0] for x in row][:3]}…): columns {missing} are empty slots")
    return cells


def load(form_id: str) -> dict:
    return json.loads((FORMS / form_id / "source.json").read_text(encoding="utf-8"))


def load_expected(form_id: str) -> dict:
    return json.loads((FORMS / form_id / "expected.json").read_text(encoding="utf-8"))


def form_ids() -> list[str]:
    return sorted(p.name for p in FORMS.iterdir() if (p / "source.json").is_file())


def split() -> dict[str, list[str]]:
    return json.loads((EVAL / "split.json").read_text(encoding="utf-8"))


if __name__ == "__main__":  # quick check of every spec
    for fid in form_ids():
        spec = load(fid)
        cells = place(spec)
        print(f"{fid}: {len(spec['rows'])} rows × {spec['columns']} columns, {len(cells)} cells")
