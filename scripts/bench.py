"""Speed and accuracy figures on the sample dump. Prints figures; asserts nothing.

    python scripts/bench.py [--repeat 3] [--engines tesseract,rapidocr] [--skip-ocr]

1. Exported (text-layer) PDFs: forms/s, ms per page and where the time goes.
2. Scans, per kind and per OCR engine: field accuracy against samples/expected (share of fields
   exactly equal after NFKC and whitespace removal), the same for numbers only, numbers that are
   wrong *and not flagged* (the figure that must stay 0), and seconds per page on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from pipeline.evaluate import compare  # noqa: E402
from pipeline.extract import ExtractOptions  # noqa: E402
from pipeline.ingest import describe, walk  # noqa: E402
from pipeline.parse import ParsedForm, parse_document  # noqa: E402
from pipeline.run import build_form, process_file  # noqa: E402
from pipeline.textlayer import read_pdf  # noqa: E402

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


def scan_figures(engines: list[str]) -> None:
    from test_end_to_end import _expected_form

    cases = json.loads((EXPECTED / "cases.json").read_text(encoding="utf-8"))
    by_file: dict[str, list[dict]] = defaultdict(list)
    for case in cases["forms"]:
        if case.get("scan"):
            by_file[case["source"]["file"]].append(case)
    print("## Scans (field accuracy against samples/expected; seconds per OCR'd page, one core)\n")
    print("| scan | engine | fields exact | numbers exact | wrong numbers not flagged | forms ok / review | s per page |")
    print("|---|---|---|---|---|---|---|")
    for engine in engines:
        for file, file_cases in sorted(by_file.items()):
            source = describe(DUMP / file, DUMP)
            started = time.perf_counter()
            result = process_file(source, ExtractOptions(ocr_engine=engine))
            seconds = time.perf_counter() - started
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
                f"{statuses.count('ok')} / {statuses.count('needs_review')} | {seconds / max(1, len(ocr_pages)):.1f} |"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="tesseract,rapidocr")
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    text_layer_figures(args.repeat)
    if not args.skip_ocr:
        scan_figures([e for e in args.engines.split(",") if e])


if __name__ == "__main__":
    main()
