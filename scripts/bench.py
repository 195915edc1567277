"""Speed figures on the sample dump: forms/s, ms per page, and where the time goes.

    python scripts/bench.py [--dump samples/dump] [--repeat 5]

Prints figures; it asserts nothing (tests check behaviour, never wall-clock time).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from pipeline.ingest import describe, walk
from pipeline.parse import ParsedForm, parse_document
from pipeline.run import build_form
from pipeline.textlayer import read_pdf

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path, default=REPO / "samples" / "dump")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    files = [describe(p, args.dump) for p in walk(args.dump)]
    pdfs = [f for f in files if f.kind == "pdf"]
    stages = {"text layer + segmentation": [], "parse": [], "checks + validation": []}
    totals, forms, pages = [], 0, 0
    for _ in range(args.repeat):
        forms = pages = 0
        started = time.perf_counter()
        for source in pdfs:
            t0 = time.perf_counter()
            try:
                content = read_pdf(source.path)
            except Exception:
                continue
            t1 = time.perf_counter()
            parsed = [p for p in parse_document(content) if isinstance(p, ParsedForm)]
            t2 = time.perf_counter()
            for index, form in enumerate(parsed):
                build_form(form, source, index, "text_layer")
            t3 = time.perf_counter()
            stages["text layer + segmentation"].append(t1 - t0)
            stages["parse"].append(t2 - t1)
            stages["checks + validation"].append(t3 - t2)
            forms += len(parsed)
            pages += content.page_count
        totals.append(time.perf_counter() - started)
    best = min(totals)
    print(f"sample dump: {len(pdfs)} PDFs, {pages} pages, {forms} forms; best of {args.repeat} runs, one process")
    print(f"| figure | value |\n|---|---|")
    print(f"| forms/s | {forms / best:.1f} |")
    print(f"| ms per page | {best / pages * 1000:.1f} |")
    print(f"| median run (s) | {statistics.median(totals):.3f} |")
    spent = {name: sum(v) for name, v in stages.items()}
    for name, seconds in spent.items():
        print(f"| share: {name} | {seconds / sum(spent.values()) * 100:.0f}% |")


if __name__ == "__main__":
    main()
