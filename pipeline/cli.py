"""Command line: ``zpef extract DUMP --out OUT`` (also ``python -m pipeline extract …``).

Exit codes: 0 every file ok (skipped junk does not count); 1 some file needs review or failed;
2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import ExitCode, UsageError
from .export import export, summary_line
from .extract import OCR_MODES, ExtractOptions
from .ocr import DEFAULT_ENGINE, ENGINES
from .run import run


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
    return parser


def extract_command(args: argparse.Namespace) -> ExitCode:
    dump: Path = args.dump
    if not dump.is_dir():
        raise UsageError(f"dump folder not found: {dump}")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path exists and is not a folder: {out}")
    show_progress = not args.quiet and sys.stderr.isatty()
    options = ExtractOptions(ocr=args.ocr, ocr_engine=args.ocr_engine)
    result = run(dump, exclude=(out,), show_progress=show_progress, options=options)
    export(out, result)
    print(summary_line(result))
    if any(f.status in ("needs_review", "failed") for f in result.files):
        print(f"see {out / 'manifest.csv'} for what needs a human", file=sys.stderr)
        return ExitCode.FINDINGS
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
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
        print("zpef: interrupted; outputs of the previous complete run are untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
