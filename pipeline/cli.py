"""Command line: ``zpef extract DUMP --out OUT`` (also ``python -m pipeline extract …``).

Exit codes have one meaning each (``errors.ExitCode``, listed by ``--help``): 0 every file ok; 1
some file needs review or failed; 2 bad usage; 3 a missing dependency; 4 an unwritable output;
15 an internal error (traceback in ``OUT/run.log``); 130/143 interrupted by Ctrl-C/SIGTERM.
Anything that stops a run prints one line on stderr and records the reason in ``OUT/run.json``.

The pipeline's modules are imported when the parser is built, not with this module, so that a
missing package is reported as such (exit 3) rather than as a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from pipeline import __version__
from pipeline.model.errors import ExitCode, MissingDependency, OutputUnwritable, RunError, Terminated, UsageError, exit_codes_help, forget_stop_requests, stop_requested, writing

DEFAULT_MAX_FILE_MB = 1000.0


def engine_versions() -> list[tuple[str, str]]:
    """What a run would use, as (component, version or why it is missing): for --version, and so a
    bug report names the engines and data behind an extraction."""
    from importlib import metadata

    from pipeline.readers.convert import soffice
    from pipeline.ocr.engines import OcrUnavailable, tessdata_dir

    found: list[tuple[str, str]] = [("zpef", __version__)]
    for package in ("pdfplumber", "pypdfium2", "pikepdf", "openpyxl", "python-docx", "rapidocr", "onnxruntime", "tesserocr", "jsonschema"):
        try:
            found.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            found.append((package, "not installed"))
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        found.append(("tesseract", "not found (scans cannot be read: make system-deps)"))
    else:
        done = subprocess.run([tesseract, "--version"], capture_output=True, text=True, timeout=30)
        found.append(("tesseract", (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else "unknown version"))
    try:
        found.append(("chi_sim data", str(Path(tessdata_dir()) / "chi_sim.traineddata")))
    except OcrUnavailable as error:
        found.append(("chi_sim data", str(error)))
    office = soffice()
    found.append(("LibreOffice", office or "not found (.doc/.wps files cannot be read: make system-deps)"))
    return found


class VersionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option_string: str | None = None) -> None:
        print("\n".join(f"{name:<13} {version}" for name, version in engine_versions()))
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from pipeline.outputs.store import CACHE_DIR
    from pipeline.checks.corrections import CORRECTIONS_FILE
    from pipeline.ocr.options import DEFAULT_ENGINE, ENGINE_NAMES, OCR_MODES

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="zpef", description="Extract 项目支出绩效自评表 forms into validated JSON and tables.", epilog=exit_codes_help(), formatter_class=formatter)
    parser.add_argument("--version", action=VersionAction, nargs=0, help="the versions of zpef and of the engines and data it uses")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="extract every form in a dump of documents", epilog=exit_codes_help(), formatter_class=formatter)
    extract.add_argument("dump", type=Path, help="folder of documents (searched recursively), or one file")
    extract.add_argument("-o", "--out", type=Path, default=Path("out"), help="output folder (default: out); not the dump itself")
    extract.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    extract.add_argument("-v", "--verbose", action="store_true", help="one line per file on stderr as it is done: its status and why")
    extract.add_argument("--ocr", choices=OCR_MODES, default="auto", help="auto: OCR pages without a usable text layer and image files (default); always; never")
    extract.add_argument("--ocr-engine", choices=ENGINE_NAMES, default=DEFAULT_ENGINE, help=f"OCR engine (default {DEFAULT_ENGINE})")
    extract.add_argument("-j", "--jobs", "--workers", dest="workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: number of cores; 0 runs everything in this process)")
    extract.add_argument("--timeout", type=float, default=900.0, help="seconds one file may take before it is stopped and failed (default 900)")
    extract.add_argument("--max-pages", type=int, default=500, help="files with more pages are failed, not read (default 500)")
    extract.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB, help=f"files larger than this many megabytes are failed, not read (default {DEFAULT_MAX_FILE_MB:g})")
    extract.add_argument("--force", action="store_true", help=f"ignore results cached in OUT/{CACHE_DIR} and extract every file again")
    extract.add_argument("--dask-scheduler", default=os.environ.get("ZPEF_DASK_SCHEDULER"), help="run on a Dask cluster, e.g. tcp://host:8786 (or set ZPEF_DASK_SCHEDULER)")
    extract.add_argument("--dask-shared", action="store_true", help="the Dask workers see the dump at the same path (else files are sent as bytes)")
    extract.add_argument("--corrections", type=Path, default=None, help=f"reviewer corrections CSV to apply after extraction (default: {CORRECTIONS_FILE} in the dump root, if present)")
    return parser


def check_arguments(args: argparse.Namespace) -> None:
    """Usage errors, found before anything is read or written."""
    args.only = None
    if args.dump.is_file():  # one file, as OCRmyPDF takes one: read as a dump of one, named from its folder
        args.only, args.dump = args.dump, args.dump.parent
    elif not args.dump.is_dir():
        raise UsageError(f"dump folder or file not found: {args.dump}")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"output path exists and is not a folder: {args.out}")
    if args.workers < 0 or args.max_pages < 1:
        raise UsageError("--workers must be >= 0 and --max-pages >= 1")
    for name in ("timeout", "max_file_mb"):
        value = getattr(args, name)
        if not math.isfinite(value) or value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a number of seconds/megabytes > 0, not {value}")
    if args.corrections is not None and not args.corrections.is_file():
        raise UsageError(f"corrections file not found: {args.corrections}")
    check_folders(args.dump, args.out)


def check_folders(dump: Path, out: Path) -> None:
    """The dump and the output must not overlap in a way that feeds outputs back as inputs or
    lets a run rewrite the dump. OUT inside DUMP is fine: the walk never enters it."""
    from pipeline.outputs.store import CACHE_DIR
    from pipeline.outputs.export import FORMS_DIR, PAGES_DIR, TABLES_DIR
    from pipeline.review.report import FILES_DIR

    dump_real, out_real = dump.resolve(), out.resolve()
    if dump_real == out_real:
        raise UsageError(f"the output folder is the dump folder ({dump}): each run would read its own outputs back; choose another --out")
    for managed in (FORMS_DIR, TABLES_DIR, PAGES_DIR, FILES_DIR, CACHE_DIR):
        if dump_real.is_relative_to(out_real / managed):
            raise UsageError(f"the dump is inside {out / managed}, which every run rewrites; move it or choose another --out")


def prepare_output(out: Path) -> None:
    """Create OUT and prove a file can be written there, before any work."""
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".zpef-write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()


def check_installation() -> None:
    """The schema every form is validated against ships with the package; without it every
    file would fail one by one."""
    from pipeline.checks.validate import SCHEMA_PATH, validator

    try:
        validator()
    except OSError as error:
        raise MissingDependency(f"schema file not found: {SCHEMA_PATH} (the installation is incomplete: reinstall zpef-pipeline)") from error


def extract_command(args: argparse.Namespace, started: float | None = None) -> ExitCode:
    from pipeline.outputs.export import withdraw_manifest, write_run_status
    from pipeline.run.observe import RunLog

    check_arguments(args)
    check_installation()
    dump: Path = args.dump
    out: Path = args.out
    prepare_output(out)
    with writing(out):
        log = RunLog(out / "run.log")
    try:
        with writing(out):
            write_run_status(out, "running", dump=str(dump))
            withdraw_manifest(out)
        code, report = run_and_export(args, log, started)
        with writing(out):
            write_run_status(out, "complete", exit_code=int(code))
    except BaseException as error:
        record_stop(out, log, error)
        raise
    finally:
        log.close()
    report()  # the summary, once the run is recorded as complete
    return code


def record_stop(out: Path, log, error: BaseException) -> None:
    """Why the run stopped, in run.log (with the traceback of a bug) and run.json."""
    from pipeline.outputs.export import write_run_status

    code = exit_code_of(error)
    state = "interrupted" if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED) else "failed"
    reason = one_line(error, code)
    extra = {"traceback": traceback.format_exc()} if code == ExitCode.INTERNAL else {}
    try:
        log.write(stage="run", outcome=state, exit_code=int(code), error=reason, **extra)
        write_run_status(out, state, exit_code=int(code), error=reason)
    except (OSError, OutputUnwritable):
        pass  # the output is what failed: the line on stderr says so


def run_and_export(args: argparse.Namespace, log, started: float | None = None) -> tuple[ExitCode, Callable[[], None]]:
    """The run and its outputs (``run.plan``); returns the exit code and what to print when it is recorded."""
    from pipeline.checks.corrections import CORRECTIONS_FILE
    from pipeline.ocr.options import ExtractOptions
    from pipeline.outputs.export import summary_line
    from pipeline.run.batch import RunSettings
    from pipeline.run.plan import DumpRun, extract_dump

    settings = RunSettings(
        workers=args.workers,
        timeout=args.timeout,
        force=args.force,
        dask_scheduler=args.dask_scheduler,
        dask_shared=args.dask_shared,
        show_progress=not args.quiet and sys.stderr.isatty(),
        max_file_bytes=int(args.max_file_mb * 1_000_000),
        verbose=args.verbose,
    )
    options = ExtractOptions(ocr=args.ocr, ocr_engine=args.ocr_engine, max_pages=args.max_pages)
    outcome = extract_dump(DumpRun(args.dump, args.out, options, settings, args.corrections, args.only, started), log)

    def report() -> None:
        for problem in outcome.corrections.rejected:
            print(f"zpef: correction not applied: {problem.describe(outcome.corrections.source or CORRECTIONS_FILE)}", file=sys.stderr)
        print(summary_line(outcome.result))
        if outcome.findings:
            print(f"see {args.out / 'manifest.csv'} and {args.out / 'report.html'} for what needs a human", file=sys.stderr)

    return (ExitCode.FINDINGS if outcome.findings else ExitCode.OK), report


def exit_code_of(error: BaseException) -> ExitCode:
    if isinstance(error, RunError):
        return error.exit_code
    if isinstance(error, ModuleNotFoundError) and (error.name or "").partition(".")[0] != __package__:
        return ExitCode.MISSING_DEPENDENCY
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, Terminated):
        return ExitCode.TERMINATED
    return ExitCode.INTERNAL


def one_line(error: BaseException, code: ExitCode) -> str:
    """What the user reads on stderr (and run.json records) when a run stops."""
    if code == ExitCode.USAGE:
        return f"error: {error}"
    if code == ExitCode.MISSING_DEPENDENCY:
        if isinstance(error, ModuleNotFoundError):
            return f"missing dependency: Python package {error.name!r} is not installed (make extract, or pip install zpef-pipeline; Dask needs zpef-pipeline[dask])"
        return f"missing dependency: {error}"
    if code == ExitCode.OUTPUT_UNWRITABLE:
        return f"output not writable: {error}"
    if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
        how = "interrupted" if code == ExitCode.INTERRUPTED else "stopped by SIGTERM"
        return f"{how}; no manifest was written, files finished so far are cached: run the same command again to finish"
    return f"internal error: {type(error).__name__}: {error} (traceback in run.log in the output folder)"


def _stop_on_sigterm(signum: int, frame: object) -> None:
    stop_requested(Terminated)


def _stop_on_sigint(signum: int, frame: object) -> None:
    stop_requested(KeyboardInterrupt)


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()  # the summary's time is the command's: its imports and start-up included
    forget_stop_requests()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored (a background job)
        signal.signal(signal.SIGINT, _stop_on_sigint)
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:
            return int(exit_.code or 0) and int(ExitCode.USAGE)
        return int(extract_command(args, started))
    except BaseException as error:  # every way a run stops: one line here, the details in run.log
        code = exit_code_of(error)
        if isinstance(error, SystemExit):
            raise
        print(f"zpef: {one_line(error, code)}", file=sys.stderr)
        return int(code)


if __name__ == "__main__":
    sys.exit(main())
