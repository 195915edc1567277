"""Speed and accuracy figures on the sample dump. Prints figures; asserts nothing.

    python scripts/bench.py [--repeat 3] [--engines tesseract,rapidocr] [--skip-ocr]

1. Exported (text-layer) PDFs: forms/s, ms per page and where the time goes.
2. Scans, per kind and per OCR engine: field accuracy against samples/expected (share of fields
   exactly equal after NFKC and whitespace removal), the same for numbers only, numbers that are
   wrong *and not flagged* (the figure that must stay 0), and CPU seconds per page (one core),
   beside plain ``tesseract --psm 6`` over the same pages timed in the same run.
3. With ``--corpus eval/build/scans-dev`` (made by scripts/make_scan_corpus.py): the same per
   scan kind and half (dev / report) of that corpus, with forms found and wrong values (any
   field, not only numbers) in forms that came out ``ok``. Kinds with a file per page (png16,
   webp, photo, web100) are read as a run reads them: a form's later pages are read on from its
   first page's file (``batch.joins_of``, ``unit.process_files``), that reading timed too, and the
   form is measured whole on the file of its first page.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from pipeline.evaluate import compare  # noqa: E402
from pipeline.ocr.options import ExtractOptions  # noqa: E402
from pipeline.readers.ingest import describe, walk  # noqa: E402
from pipeline.parse.form import ParsedForm, parse_document  # noqa: E402
from pipeline.run.unit import build_form, process_file, process_files  # noqa: E402
from pipeline.readers.textlayer import read_pdf  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DUMP = REPO / "samples" / "dump"
EXPECTED = REPO / "samples" / "expected"
sys.path.insert(0, str(REPO / "tests"))


def text_layer_figures(repeat: int) -> None:
    files = [describe(p, DUMP) for p in walk(DUMP)]
    pdfs = []
    for f in files:
        if f.kind != "pdf":
            continue
        try:
            content = read_pdf(f.path)
        except Exception:
            continue
        if content.pages and all(p.text_problem is None for p in content.pages):
            pdfs.append(f)
    stages = {"text layer + segmentation": 0.0, "parse": 0.0, "checks + validation": 0.0}
    totals, forms, pages = [], 0, 0
    for _ in range(repeat):
        forms = pages = 0
        started = time.perf_counter()
        for source in pdfs:
            t0 = time.perf_counter()
            content = read_pdf(source.path)
            t1 = time.perf_counter()
            parsed = [p for p in parse_document(content) if isinstance(p, ParsedForm)]
            t2 = time.perf_counter()
            for index, form in enumerate(parsed):
                build_form(form, source, index, "text_layer")
            t3 = time.perf_counter()
            for name, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2)):
                stages[name] += seconds
            forms += len(parsed)
            pages += content.page_count
        totals.append(time.perf_counter() - started)
    best = min(totals)
    print(f"## Exported PDFs ({len(pdfs)} files, {pages} pages, {forms} forms; best of {repeat}, one process)\n")
    print("| figure | value |\n|---|---|")
    print(f"| forms/s | {forms / best:.1f} |")
    print(f"| ms per page | {best / pages * 1000:.0f} |")
    for name, seconds in stages.items():
        print(f"| share: {name} | {seconds / sum(stages.values()) * 100:.0f}% |")
    print()


def engine_set_up(engines: list[str]) -> None:
    """A warm-up before any page is timed: each engine made (models loaded) and one scan read
    untimed, so the modules a scan needs are imported and the schema validator compiled. Those
    are once per process (a worker pays them once for its whole share of a dump) and were charged
    to the first file measured: half a second a page of clean_300dpi.pdf."""
    from pipeline.ocr.engines import engine

    figures = []
    for name in engines:
        started = time.process_time()
        engine(name)
        made = time.process_time() - started
        process_file(describe(DUMP / "scans" / "phone_photo.jpg", DUMP), ExtractOptions(ocr_engine=name))
        figures.append(f"{name} {made:.2f} s to set up, {time.process_time() - started:.2f} s with a first page read")
    print(f"Warm-up, once per process (CPU s, not in the s/page figures below): {'; '.join(figures)}\n")


def scan_figures(engines: list[str]) -> None:
    from test_end_to_end import _expected_form

    cases = json.loads((EXPECTED / "cases.json").read_text(encoding="utf-8"))
    by_file: dict[str, list[dict]] = defaultdict(list)
    for case in cases["forms"]:
        if case.get("scan"):
            by_file[case["source"]["file"]].append(case)
    print("## Scans (field accuracy against samples/expected; CPU seconds per OCR'd page, one core)\n")
    print("| scan | engine | fields exact | numbers exact | wrong numbers not flagged | forms ok / review | s per page | plain tesseract s/page |")
    print("|---|---|---|---|---|---|---|---|")
    baselines = {}
    for file in by_file:
        pages = {p for case in by_file[file] for p in case["source"]["pages"]}
        baselines[file] = plain_tesseract_seconds(DUMP / file, None) / max(1, len(pages))
    for engine in engines:
        for file, file_cases in sorted(by_file.items()):
            source = describe(DUMP / file, DUMP)
            started = time.process_time()
            result = process_file(source, ExtractOptions(ocr_engine=engine))
            seconds = time.process_time() - started
            forms = {f.source.form_index: f.to_json() for f in result.forms}
            fields, numbers, silent, ocr_pages = [], [], 0, set()
            for case in file_cases:
                form = forms.get(case["source"]["form_index"])
                ocr_pages.update(case["source"]["pages"])
                if form is None:
                    continue
                results = compare(form, _expected_form(case))
                fields += results
                numbers += [r for r in results if r.numeric]
                wrong = [r for r in results if r.numeric and not r.equal and not r.flagged]
                silent += len(wrong) if form["status"] == "ok" else 0
            statuses = [f.status for f in result.forms]
            exact = sum(r.equal for r in fields) / len(fields) if fields else 0.0
            exact_numbers = sum(r.equal for r in numbers) / len(numbers) if numbers else 0.0
            print(
                f"| {Path(file).name} | {engine} | {exact:.1%} | {exact_numbers:.1%} | {silent} | "
                f"{statuses.count('ok')} / {statuses.count('needs_review')} | {seconds / max(1, len(ocr_pages)):.2f} | {baselines[file]:.2f} |"
            )
    print()


def _match(found: list[dict], expected: list[dict]) -> list[tuple[dict, dict | None]]:
    """Each expected form with the found form that matches it best (each found form used once)."""
    pairs, free = [], list(found)
    for want in expected:
        best = max(free, key=lambda form: sum(r.equal for r in compare(form, want)), default=None)
        if best is not None and sum(r.equal for r in compare(best, want)) > 0:
            free.remove(best)
        else:
            best = None
        pairs.append((want, best))
    return pairs


def plain_tesseract_seconds(path: Path, page: int | None) -> float:
    """CPU seconds of plain ``tesseract --psm 6`` over the whole page(s) of one file (the page
    render is not counted; tesseract's own start-up is)."""
    import subprocess
    import tempfile

    import numpy as np
    from PIL import Image

    from pipeline.ocr.extract import image_frames

    with tempfile.TemporaryDirectory() as folder:
        images = []
        if path.suffix == ".pdf":
            import pypdfium2 as pdfium

            for index, pdf_page in enumerate(pdfium.PdfDocument(path)):
                image = Path(folder) / f"{index}.png"
                pdf_page.render(scale=300 / 72, grayscale=True).to_pil().save(image)
                images.append(image)
        else:
            for index, (gray, dpi) in enumerate(image_frames(path)):
                image = Path(folder) / f"{index}.png"
                Image.fromarray(np.asarray(gray)).save(image, dpi=(dpi, dpi))
                images.append(image)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for image in images:
            subprocess.run(["tesseract", str(image), "stdout", "-l", "chi_sim", "--psm", "6"], capture_output=True, check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _by_source(rows: list[dict]) -> list[list[dict]]:
    """The rows of one kind grouped by the file they were made from, each group in page order."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["source"]].append(row)
    return [sorted(group, key=lambda row: row["page"] or 0) for group in groups.values()]


def _read_as_a_run(corpus: Path, rows: list[dict], options: ExtractOptions) -> tuple[list, float]:
    """Each file's result as ``make extract`` gives it, and the CPU seconds: a form's later pages
    in files of their own are read on from the file before them (``unit.process_files``), that
    reading timed too; their own results then hold no form."""
    from pipeline.model.result import FileResult
    from pipeline.run.batch import joins_of

    started = time.process_time()
    sources = [describe(corpus / row["file"], corpus) for row in rows]
    results = [process_file(source, options) for source in sources]
    keys = [source.relpath for source in sources]
    by_key = dict(zip(keys, results))
    for start, laters in joins_of(keys, dict(by_key)):
        joined = process_files([sources[keys.index(key)] for key in (start, *laters)], options, [by_key[key].kept for key in (start, *laters)])
        if joined.reason != "not_joined" and joined.forms:
            by_key[start] = joined
            for key in laters:
                by_key[key] = FileResult(file=key, sha256="", bytes=0, status=joined.status, pages=by_key[key].pages, reason="joined")
    return [by_key[key] for key in keys], time.process_time() - started


def corpus_figures(corpus: Path, engines: list[str], halves: list[str], kinds: list[str] | None, details: bool = False) -> None:
    """Per scan kind of a corpus made by scripts/make_scan_corpus.py: accuracy, forms found, wrong
    values in ok forms, s/page per engine and plain tesseract --psm 6 timed in the same run."""
    from test_end_to_end import _expected_form

    cases = json.loads((EXPECTED / "cases.json").read_text(encoding="utf-8"))
    expected_by_source: dict[str, list[dict]] = defaultdict(list)
    for case in cases["forms"]:
        expected_by_source[case["source"]["file"]].append(case)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    rows = [m for m in manifest if m["half"] in halves and (kinds is None or m["kind"] in kinds)]
    print(f"## Scan corpus {corpus.name} (halves: {', '.join(halves)}; one core)\n")
    print("| kind | half | engine | fields exact | forms found | forms ok / review | wrong values in ok forms | s/page | plain tesseract s/page |")
    print("|---|---|---|---|---|---|---|---|---|")
    by_kind: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[(row["kind"], row["half"])].append(row)
    for (kind, half), kind_rows in by_kind.items():
        baseline, pages_total = 0.0, 0
        for row in kind_rows:
            baseline += plain_tesseract_seconds(corpus / row["file"], row["page"])
        for engine in engines:
            fields, found, wanted, ok, review, silent, seconds, pages = [], 0, 0, 0, 0, 0, 0.0, 0
            for source_rows in _by_source(kind_rows):
                results, used = _read_as_a_run(corpus, source_rows, ExtractOptions(ocr_engine=engine))
                seconds += used
                for row, result in zip(source_rows, results):
                    pages += max(1, result.pages)
                    # a file per page: each file is measured on the forms that begin on its page (a form
                    # going on into the next files is read on into them, as a run does)
                    expected = [c for c in expected_by_source[row["source"]] if row["page"] is None or c["source"]["pages"][0] == row["page"]]
                    forms = [f.to_json() for f in result.forms]
                    ok += sum(f["status"] == "ok" for f in forms)
                    review += sum(f["status"] != "ok" for f in forms)
                    for case, form in _match(forms, [_expected_form(c) for c in expected]):
                        wanted += 1
                        if form is None:
                            fields += compare({}, case)
                            continue
                        found += 1
                        results_of_form = compare(form, case)
                        fields += results_of_form
                        if form["status"] == "ok":
                            wrong = [r for r in results_of_form if not r.equal and not r.flagged]
                            silent += len(wrong)
                            if details and half == "dev":  # the report half's differences are never printed
                                for r in wrong:
                                    print(f"    {row['file']} {r.pointer}: expected {r.expected!r}, read {r.actual!r}", file=sys.stderr)
            pages_total = pages
            exact = sum(r.equal for r in fields) / len(fields) if fields else 0.0
            print(f"| {kind} | {half} | {engine} | {exact:.1%} | {found}/{wanted} | {ok} / {review} | {silent} | {seconds / max(1, pages):.2f} | {baseline / max(1, pages_total):.2f} |", flush=True)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="hybrid,tesseract")
    parser.add_argument("--skip-ocr", action="store_true")
    parser.add_argument("--skip-text", action="store_true", help="no exported-PDF figures")
    parser.add_argument("--skip-samples", action="store_true", help="no figures for samples/dump/scans")
    parser.add_argument("--corpus", type=Path, help="a corpus made by scripts/make_scan_corpus.py")
    parser.add_argument("--halves", default="dev,report")
    parser.add_argument("--kinds", help="only these kinds of the corpus (comma-separated)")
    parser.add_argument("--details", action="store_true", help="print the dev half's wrong values in ok forms (stderr)")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    if not args.skip_text:
        text_layer_figures(args.repeat)
    if not args.skip_ocr and (not args.skip_samples or args.corpus):
        engine_set_up(engines)
    if not args.skip_ocr and not args.skip_samples:
        scan_figures(engines)
    if not args.skip_ocr and args.corpus:
        corpus_figures(args.corpus, engines, args.halves.split(","), args.kinds.split(",") if args.kinds else None, args.details)


if __name__ == "__main__":
    main()
