"""Command line: ``zpef extract DUMP --out OUT`` (also ``python -m pipeline extract …``).

Exit codes: 0 every file ok (skipped junk does not count); 1 some file needs review or failed, or
a correction line could not be applied; 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from functools import partial
from pathlib import Path

from . import __version__
from .errors import ExitCode, UsageError
from .export import export, summary_line
from .extract import OCR_MODES, ExtractOptions
from .batch import RunSettings, run
from .cache import CACHE_DIR, ResultCache
from .ocr import DEFAULT_ENGINE, ENGINES
from .observe import RunLog
from .corrections import CORRECTIONS_FILE, apply_corrections_file
from .report import write_report
from .suggest import annotate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zpef", description="Extract 项目支出绩效自评表 forms into validated JSON and tables.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="extract every form in a dump of documents")
    extract.add_argument("dump", type=Path, help="folder of documents (searched recursively)")
    extract.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    extract.add_argument("--quiet", action="store_true", help="no progress bar")
    extract.add_argument("--ocr", choices=OCR_MODES, default="auto",
                         help="auto: OCR pages without a usable text layer and image files (default); always; never")
    extract.add_argument("--ocr-engine", choices=sorted(ENGINES), default=DEFAULT_ENGINE, help=f"OCR engine (default {DEFAULT_ENGINE})")
    extract.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                         help="worker processes (default: number of cores; 0 runs everything in this process)")
    extract.add_argument("--timeout", type=float, default=900.0, help="seconds one file may take before it is stopped and failed (default 900)")
    extract.add_argument("--max-pages", type=int, default=500, help="files with more pages are failed, not read (default 500)")
    extract.add_argument("--force", action="store_true", help=f"ignore results cached in OUT/{CACHE_DIR} and extract every file again")
    extract.add_argument("--dask-scheduler", default=os.environ.get("ZPEF_DASK_SCHEDULER"),
                         help="run on a Dask cluster, e.g. tcp://host:8786 (or set ZPEF_DASK_SCHEDULER)")
    extract.add_argument("--dask-shared", action="store_true", help="the Dask workers see the dump at the same path (else files are sent as bytes)")
    extract.add_argument("--corrections", type=Path, default=None,
                         help=f"reviewer corrections CSV to apply after extraction (default: {CORRECTIONS_FILE} in the dump root, if present)")
    return parser


def extract_command(args: argparse.Namespace) -> ExitCode:
    dump: Path = args.dump
    if not dump.is_dir():
        raise UsageError(f"dump folder not found: {dump}")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path exists and is not a folder: {out}")
    if args.workers < 0 or args.max_pages < 1 or args.timeout <= 0:
        raise UsageError("--workers must be >= 0, --max-pages >= 1 and --timeout > 0")
    if args.corrections is not None and not args.corrections.is_file():
        raise UsageError(f"corrections file not found: {args.corrections}")
    options = ExtractOptions(ocr=args.ocr, ocr_engine=args.ocr_engine, max_pages=args.max_pages)
    settings = RunSettings(
        workers=args.workers,
        timeout=args.timeout,
        force=args.force,
        dask_scheduler=args.dask_scheduler,
        dask_shared=args.dask_shared,
        show_progress=not args.quiet and sys.stderr.isatty(),
    )
    out.mkdir(parents=True, exist_ok=True)
    cache = ResultCache(out, settings=repr(options))
    log = RunLog(out / "run.log")
    log.write(stage="run", outcome="started", dump=str(dump), workers=args.workers, options=repr(options))
    try:
        result = run(dump, exclude=(out,), options=options, settings=settings, cache=cache, log=log)
        corrections = apply_corrections_file(result, dump, args.corrections)  # after the cache: corrections never change it
        for form in result.forms:
            annotate(form)
        export(out, result, report=partial(write_report, dump=dump, corrections=corrections))
        cache.prune()
        log.write(stage="run", outcome="finished", seconds=round(result.seconds, 3), summary=summary_line(result))
    finally:
        log.close()
    for problem in corrections.rejected:
        print(f"zpef: correction not applied: {problem.describe(corrections.source or CORRECTIONS_FILE)}", file=sys.stderr)
    print(summary_line(result))
    if any(f.status in ("needs_review", "failed") for f in result.files) or corrections.rejected:
        print(f"see {out / 'manifest.csv'} and {out / 'report.html'} for what needs a human", file=sys.stderr)
        return ExitCode.FINDINGS
    return ExitCode.OK


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and int(ExitCode.USAGE)
    try:
        return int(extract_command(args))
    except UsageError as error:
        print(f"zpef: error: {error}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        print("zpef: interrupted; files finished so far are cached, run the same command again to finish", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
