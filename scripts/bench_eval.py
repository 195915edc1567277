"""Accuracy of the pipeline on the evaluation corpus of real forms (eval/), per half × layout × rendering.

    python scripts/bench_eval.py [--half dev|holdout|both] [--kinds docx_pdf,xlsx_pdf,…] [--details]

For each half of eval/split.json and each rendering kind (see scripts/make_eval.py), the kind's
files of that half are copied into eval/build/dumps/<half>/<kind>/ and the pipeline is run on them
(``python -m pipeline extract DUMP --out eval/build/out/<half>/<kind> --quiet --workers 1``; its
cache makes a re-run over unchanged files cheap; ``--force`` ignores it, for timings). Each output form is matched to its expected form
by its source file name (<id>.<ext>) and compared with ``pipeline.evaluate.compare`` (the internal
``template`` field is left out). Printed per half × layout family × kind:

- forms found / expected (a file that gives no form, or is skipped, counts as not found);
- field accuracy: share of expected fields (and of extracted fields the expectation lacks) equal
  after NFKC and whitespace removal, over the forms found;
- **silent**: wrong or missing values in forms whose status is ``ok`` and that are not flagged
  low-confidence — the figure that must be 0;
- status counts of the files (ok / needs_review / failed / skipped) from the run's manifest.

Renderings missing from eval/build/renders are made first (scripts/make_eval.py). ``--details``
lists the differing fields of dev forms; holdout differences are never printed (the holdout half
is only measured when reporting figures, see eval/README.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_spec  # noqa: E402
import make_eval  # noqa: E402

REPO = eval_spec.REPO
sys.path.insert(0, str(REPO))
from pipeline.evaluate import compare  # noqa: E402

DUMPS = make_eval.BUILD / "dumps"
OUTS = make_eval.BUILD / "out"
FAST_KINDS = ("docx", "xlsx", "docx_pdf", "xlsx_pdf")
SCAN_KINDS = ("scan_pdf", "fax_tiff", "skew_scan", "seal_scan", "dashed_scan", "web_jpg", "faded_scan", "spread_scan", "bleed_scan", "pen_scan", "photo_pages")


def run_kind(half: str, kind: str, ids: list[str], engine: str | None, force: bool = False) -> tuple[Path, float]:
    dump, out = DUMPS / half / kind, OUTS / half / kind
    if dump.exists():
        shutil.rmtree(dump)
    dump.mkdir(parents=True)
    for fid in ids:
        src = make_eval.RENDERS / kind / f"{fid}.{make_eval.EXT[kind]}"
        for page in [src] + sorted(src.parent.glob(f"{fid}.p[2-9].jpg")) if kind == "photo_pages" else [src]:  # a photo per page: all in one folder
            shutil.copy2(page, dump / page.name)
    cmd = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", "1"]
    if engine:
        cmd += ["--ocr-engine", engine]
    if force:
        cmd.append("--force")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("OMP_THREAD_LIMIT", "1")
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pipeline failed on {dump} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return out, seconds


def read_results(out: Path, ids: list[str], kind: str) -> dict[str, dict]:
    """Per form id: manifest status, the first extracted form (or None) and how many forms the file gave."""
    manifest = {}
    with (out / "manifest.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            manifest[row["file"]] = row
    results = {}
    for fid in ids:
        name = f"{fid}.{make_eval.EXT[kind]}"
        row = manifest.get(name, {})
        forms = sorted((out / "forms").glob(f"{name}.*.json"), key=lambda p: p.name)
        forms = [p for p in forms if not p.name.endswith(".grid.json")]
        form = json.loads(forms[0].read_text(encoding="utf-8")) if forms else None
        results[fid] = {
            "file_status": row.get("status", "missing"),
            "message": row.get("message", ""),
            "form": form,
            "n_forms": len(forms),
        }
    return results


def score(form: dict, expected: dict) -> list:
    actual = {k: v for k, v in form.items() if k != "template"}
    wanted = {k: v for k, v in expected.items() if k != "template"}
    return [r for r in compare(actual, wanted) if r.pointer != "/template"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("dev", "holdout", "both"), default="both")
    parser.add_argument("--kinds", default=",".join(FAST_KINDS + SCAN_KINDS))
    parser.add_argument("--ocr-engine", default=None, help="passed to the pipeline (default: its own)")
    parser.add_argument("--details", action="store_true", help="list differing fields of dev forms")
    parser.add_argument("--force", action="store_true", help="ignore the pipeline's result cache (for timings)")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(make_eval.KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}")
    halves = ["dev", "holdout"] if args.half == "both" else [args.half]
    split = eval_spec.split()
    made = make_eval.render(kinds, None, force=False)
    if made:
        print("rendered: " + ", ".join(f"{k} {n}" for k, n in made.items()))

    layouts = {fid: eval_spec.load(fid)["layout"] for fid in eval_spec.form_ids()}
    print("## Evaluation corpus (real forms; field accuracy against eval/forms/*/expected.json)\n")
    print("| half | layout | kind | forms found / expected | fields exact | silent (wrong in ok forms) | files ok / review / failed / skipped | s |")
    print("|---|---|---|---|---|---|---|---|")
    details: list[str] = []
    for half in halves:
        ids = split[half]
        for kind in kinds:
            out, seconds = run_kind(half, kind, ids, args.ocr_engine, args.force)
            results = read_results(out, ids, kind)
            groups: dict[str, list[str]] = defaultdict(list)
            for fid in ids:
                groups[layouts[fid]].append(fid)
            for layout in sorted(groups) + ["all"]:
                members = ids if layout == "all" else groups[layout]
                fields, silent, found = [], 0, 0
                statuses = Counter(results[f]["file_status"] for f in members)
                for fid in members:
                    res = results[fid]
                    if res["form"] is None:
                        if half == "dev" and args.details:
                            details.append(f"{half} {kind} {fid}: no form ({res['file_status']}: {res['message']})")
                        continue
                    found += 1
                    diff = score(res["form"], eval_spec.load_expected(fid))
                    fields += diff
                    wrong = [r for r in diff if not r.equal and not r.flagged]
                    if res["form"].get("status") == "ok":
                        silent += len(wrong)
                    if half == "dev" and args.details and layout != "all":
                        for r in wrong:
                            details.append(f"{half} {kind} {fid} [{res['form'].get('status')}] {r.pointer}: expected {r.expected!r}, got {r.actual!r}")
                exact = f"{sum(r.equal for r in fields) / len(fields):.1%}" if fields else "—"
                status_text = " / ".join(str(statuses.get(s, 0)) for s in ("ok", "needs_review", "failed", "skipped"))
                timing = f"{seconds:.1f}" if layout == "all" else ""
                print(f"| {half} | {layout} | {kind} | {found} / {len(members)} | {exact} | {silent} | {status_text} | {timing} |")
    if details:
        print("\n## Dev differences\n")
        print("\n".join(details))


if __name__ == "__main__":
    main()
