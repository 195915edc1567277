"""The dev half of eval/ typed again in every face and size, to find classes of wrong values.

    python scripts/eval_variants.py [--kinds docx,xlsx] [--size 13.5] [--scan none|scan_pdf|fax_tiff]
    python scripts/eval_variants.py --kinds xlsx --shift 8
    python scripts/eval_variants.py --kinds xlsx --squeeze 0.8

``make_eval`` gives each real form one style (face, size, column widths, orientation); here every
dev form is written in each of its six styles (``--size`` sets one print size for all and turns
each page the other way, so rows and page breaks fall elsewhere), converted by LibreOffice, and,
with ``--scan``, rasterised as ``make_eval`` does for that kind. The pipeline is run on the lot and
every value that differs from ``expected.json`` *without being flagged* is listed, in any form:
one in a form marked ``ok`` is the worst defect, one in a form in review is a class to fix before
it meets a form the checks pass. ``--shift N`` writes each of these N times,
with 0..N-1 blank lines above the form, so each page break falls on another row (merges cut by a break). Only the dev half is used; the holdout is never rendered here.

Output in the gitignored eval/build/variants/<name>/ (sources, dump, pipeline output).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_eval  # noqa: E402
import eval_spec  # noqa: E402
import make_eval  # noqa: E402

VARIANTS = make_eval.BUILD / "variants"


def style(spec: dict, index: int, size: float | None, squeeze: float = 1.0) -> make_eval.Style:
    base = make_eval.STYLES[index]
    if size is not None:
        return make_eval.Style(base.font, size, not base.landscape, base.widths, squeeze)
    if len(spec["rows"]) >= 20 and not base.landscape and base.size < 12:
        return make_eval.Style(base.font, 12.5, False, base.widths, squeeze)  # as make_eval.style_for
    return make_eval.Style(base.font, base.size, base.landscape, base.widths, squeeze)


def sources_of(fid: str, spec: dict, kind: str, size: float | None, shift: int, squeeze: float = 1.0) -> list[tuple[str, dict, make_eval.Style]]:
    """(file stem, spec, style) of each variant of one form."""
    styles = [(f"{index}", style(spec, index, size, squeeze)) for index in range(len(make_eval.STYLES))]
    if not shift:
        return [(f"{fid}~{kind}{name}", spec, look) for name, look in styles]
    shifted = [(k, dict(spec, before_lines=[" "] * k + spec.get("before_lines", []))) for k in range(shift)]
    return [(f"{fid}~{kind}{name}s{k}", moved, look) for k, moved in shifted for name, look in styles]


def render(kinds: list[str], size: float | None, scan: str, work: Path, shift: int = 0, squeeze: float = 1.0) -> Path:
    sources, pdfs, dump = work / "src", work / "pdf", work / "dump"
    for folder in (sources, pdfs, dump):
        folder.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        writer = make_eval.write_xlsx if kind == "xlsx" else make_eval.write_docx
        made = []
        for fid in eval_spec.split()["dev"]:
            for stem, spec, look in sources_of(fid, eval_spec.load(fid), kind, size, shift, squeeze):
                path = sources / f"{stem}.{kind}"
                if not path.exists():
                    writer(spec, look, path)
                if not (pdfs / f"{stem}.pdf").exists():
                    made.append(path)
        make_eval.soffice_to_pdf(made, pdfs)
    for pdf in sorted(pdfs.glob("*.pdf")):
        if scan == "none":
            target = dump / pdf.name
            if not target.exists():
                target.write_bytes(pdf.read_bytes())
        elif scan == "scan_pdf":
            if not (dump / pdf.name).exists():
                make_eval.scan_pdf(pdf, dump / pdf.name)
        elif not (dump / f"{pdf.stem}.tif").exists():
            make_eval.fax_tiff(pdf, dump / f"{pdf.stem}.tif")
    return dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", default="docx,xlsx")
    parser.add_argument("--size", type=float, default=None, help="one print size (pt) for every style, pages turned")
    parser.add_argument("--shift", type=int, default=0, help="each form N times, 0..N-1 blank lines above it")
    parser.add_argument("--squeeze", type=float, default=1.0, help="sheet columns narrowed by this factor, row heights kept (clipped and ### cells)")
    parser.add_argument("--scan", choices=("none", "scan_pdf", "fax_tiff"), default="none")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if set(kinds) - {"docx", "xlsx"}:
        parser.error("--kinds takes docx and/or xlsx")
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    name = (
        "-".join(kinds)
        + (f"-{args.size:g}pt" if args.size else "")
        + (f"-shift{args.shift}" if args.shift else "")
        + (f"-squeeze{args.squeeze:g}" if args.squeeze != 1 else "")
        + ("" if args.scan == "none" else f"-{args.scan}")
    )
    work = VARIANTS / name
    dump = render(kinds, args.size, args.scan, work, args.shift, args.squeeze)
    out = work / "out"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", args.workers]
    proc = subprocess.run(cmd, cwd=eval_spec.REPO, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pipeline failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    fields = equal = silent = ok = 0
    for path in sorted(dump.iterdir()):
        fid = path.stem.split("~")[0]
        forms = sorted(p for p in (out / "forms").glob(f"{path.name}.*.json") if not p.name.endswith(".grid.json"))
        if not forms:
            print(f"{path.name}: no form")
            continue
        form = json.loads(forms[0].read_text(encoding="utf-8"))
        ok += form.get("status") == "ok"
        diff = bench_eval.score(form, eval_spec.load_expected(fid))
        fields += len(diff)
        equal += sum(r.equal for r in diff)
        for r in diff:
            if not r.equal and not r.flagged:
                silent += form.get("status") == "ok"
                print(f"{path.name} [{form.get('status')}] {r.pointer}: expected {r.expected!r}, got {r.actual!r}")
    files = len(list(dump.iterdir()))
    print(f"{name}: {files} files, {ok} forms ok; fields exact {equal}/{fields} = {equal / max(fields, 1):.2%}; wrong values in ok forms: {silent}")


if __name__ == "__main__":
    main()
