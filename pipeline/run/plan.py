"""The whole-dump plan, timed as one run: extract every file (the pool), apply the reviewer's
corrections, suggest again where they changed a form, export (forms, tables, the report, the
manifest last) and prune the cache. ``cli`` only turns arguments into a ``DumpRun`` and reports
the ``DumpOutcome``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pipeline.checks.corrections import CorrectionsOutcome, apply_corrections_file, corrections_path
from pipeline.checks.suggest import resuggest
from pipeline.model.errors import raise_if_stop_requested, writing
from pipeline.model.result import FileStatus, RunResult
from pipeline.ocr.options import ExtractOptions
from pipeline.outputs.export import export, summary_line
from pipeline.review.report import write_report
from pipeline.run.batch import RunSettings, run
from pipeline.run.cache import ResultCache, code_fingerprint
from pipeline.run.observe import RunLog


@dataclass(frozen=True)
class DumpRun:
    """What to extract and how: the dump (or, with ``only``, one file of it), where to, the
    reading options, the executor's settings and the corrections file given (None: the dump's own)."""

    dump: Path
    out: Path
    options: ExtractOptions
    settings: RunSettings
    corrections: Path | None = None
    only: Path | None = None
    started: float | None = None  # time.perf_counter() when the command began (None: when the run begins)


@dataclass
class DumpOutcome:
    result: RunResult
    corrections: CorrectionsOutcome
    findings: bool  # a file needs review or failed, or a correction was not applied: exit code 1


def extract_dump(job: DumpRun, log: RunLog) -> DumpOutcome:
    """Run the plan; ``run.log`` gets the run's start, its end and the seconds of each part."""
    started = job.started if job.started is not None else time.perf_counter()
    shares = {"start-up": time.perf_counter() - started}  # arguments, imports, checks of the installation
    cache = ResultCache(job.out, settings=repr(job.options))
    log.write(stage="run", outcome="started", dump=str(job.dump), workers=job.settings.workers, options=repr(job.options))
    result = run(job.dump, exclude=(job.out,), options=job.options, settings=job.settings, cache=cache, log=log, only=job.only, out=job.out)
    raise_if_stop_requested()  # a stop asked while the last file came in
    shares["extract"] = result.seconds
    clock = time.perf_counter()
    corrections = apply_corrections_file(result, job.dump, job.corrections)  # after the cache: corrections never change it
    resuggest(result, corrections.corrected_forms | {r.form_id for r in corrections.rejected})
    shares["corrections and suggestions"], clock = time.perf_counter() - clock, time.perf_counter()
    with writing(job.out):
        report = partial(write_report, dump=job.dump, corrections=corrections)
        export(job.out, result, report=report, inputs=export_inputs(job.dump, job.options, corrections_path(job.dump, job.corrections)), remake=job.settings.force)
        cache.prune()
    shares["tables, manifest and report"] = time.perf_counter() - clock
    result.seconds = time.perf_counter() - started  # the summary's time is the whole run's, not extraction's alone
    log.write(stage="run", outcome="finished", seconds=round(result.seconds, 3), summary=summary_line(result), stage_seconds={stage: round(seconds, 3) for stage, seconds in shares.items()})
    findings = any(f.status in (FileStatus.NEEDS_REVIEW, FileStatus.FAILED) for f in result.files) or bool(corrections.rejected)
    return DumpOutcome(result, corrections, findings)


def export_inputs(dump: Path, options: ExtractOptions, corrections: Path | None) -> str:
    """What the outputs are made from besides each file's manifest row: the pipeline's code, the
    options, the dump's place (the report renders pages from it) and the corrections file's bytes."""
    applied = corrections.read_bytes().hex() if corrections is not None and corrections.is_file() else ""
    return "\n".join([code_fingerprint(), repr(options), str(dump.resolve()), applied])
