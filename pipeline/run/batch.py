"""Executors for the per-file task: in this process, a pool of worker processes, or Dask.

Every executor takes ``Task``s and yields ``(task, FileResult)`` as they finish, never raising
for one file: a file that times out, or whose worker dies (a crash, the kernel's OOM killer),
comes back as a failed FileResult with the reason, and the pool carries on with a fresh worker.
The serial executor is the pool's twin for tests and debugging (``--workers 0``).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from collections import Counter

from pipeline.checks.suggest import form_summary, suggestions_of
from pipeline.outputs.export import own_form_names, remove_left_temporaries, slim, write_file_outputs
from pipeline.outputs.store import CACHE_DIR
from pipeline.run.cache import ResultCache
from pipeline.run.spill import SpillFile, Spilled, SpilledResults
from pipeline.ocr.options import ExtractOptions
from pipeline.readers.ingest import InputFile, changed_since, describe_or_fail, duplicate_of, unread, walk
from pipeline.readers.names import flat_name, unique
from pipeline.run.observe import Progress, RunLog
from pipeline.model.errors import OutputUnwritable, raise_if_stop_requested
from pipeline.model.result import FileResult, RunResult
from pipeline.model.result import FileStatus
from pipeline.model.intermediate import KeptReading


@dataclass(frozen=True)
class Task:
    source: InputFile
    options: ExtractOptions
    pictures: bool = False  # make the report's pictures of the file's forms (FileResult.pictures)
    dump: Path | None = None  # the dump's root: the report renders a text-layer page from dump / file
    # set for a worker that sees OUT (a local pool's, or Dask's with --dask-shared): it writes the file's own
    # outputs into ``out`` and caches its result under ``cache_key`` itself, so only the slim result
    # travels back (``shared_name``: another file flattens to its name, so the export names its forms)
    out: Path | None = None
    cache_key: str = ""
    shared_name: bool = False
    later: tuple[InputFile, ...] = ()  # files holding the later pages of the source's last form, read on from it
    kept: tuple[KeptReading | None, ...] = ()  # with ``later``: the source's and their readings as kept alone (None: read again)


def run_task(task: Task) -> FileResult:
    """The unit of work, as run in a worker: process one file, then make its report pictures; timed."""
    from pipeline.run.unit import process_file, process_files  # the readers and OCR: a driver whose files are all cached never loads them

    started = time.perf_counter()
    result = process_files([task.source, *task.later], task.options, list(task.kept) or None) if task.later else process_file(task.source, task.options)
    if task.pictures and result.forms:
        clock = time.perf_counter()
        from pipeline.review.report import form_pages_of, pictures_of

        result.pictures |= pictures_of(result, task.dump)  # a later file's OCR'd pages are there already
        result.timings["pictures"], clock = time.perf_counter() - clock, time.perf_counter()
        result.pictures.update(form_pages_of(result, result.pictures))
        result.form_pages = True
        result.timings["report pages"] = time.perf_counter() - clock
    result.timings["total"] = time.perf_counter() - started
    return result


def write_pictures(out: Path, result: FileResult) -> FileResult:
    """Write a result's report pictures into OUT (unless there with these bytes already) and
    return the result without them: they are neither held until the export nor cached."""
    if not result.pictures:
        return result
    from pipeline.outputs.export import write_bytes

    for name, data in result.pictures.items():
        write_bytes(out / name, data)
    return replace(result, pictures={}, picture_names=tuple(result.pictures))


def run_task_writing(task: Task) -> FileResult:
    """The unit of work on a worker that sees OUT (a local pool's, or Dask's with ``--dask-shared``):
    process the file, cache its whole result, write its own outputs (forms, grids, page images,
    pictures) and send back the result slim — the main process never unpickles a whole result, so
    neither its memory nor its time grows with the forms' size."""
    from pipeline.outputs.store import store

    assert task.out is not None
    result = write_pictures(task.out, run_task(task))
    if result.retry:
        return result
    store(task.out / CACHE_DIR, task.cache_key, result)
    if not (result.forms or result.page_images):
        return result
    return write_file_outputs(task.out, result, own_form_names(result, task.shared_name), task.cache_key)


def run_task_from_bytes(task: Task, data: bytes) -> FileResult:
    """For workers that cannot see the dump: the file's bytes travel with the task."""
    with tempfile.TemporaryDirectory(prefix="zpef-") as folder:
        dump: Path | None = Path(folder)  # the file at its own relative path: the report pictures render its pages
        path = Path(folder) / task.source.relpath
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError:  # a name too long once decoded: the file is read, its pages are rendered by the report
            dump, path = None, Path(folder) / ("input" + Path(task.source.relpath).suffix[:16])
            path.write_bytes(data)
        return run_task(Task(replace(task.source, path=path), task.options, task.pictures, dump))


def failed(task: Task, message: str, reason: str = "internal_error") -> FileResult:
    """A failure of the run rather than of the file (timeout, dead worker): retried next run."""
    source = task.source
    return FileResult(file=source.relpath, sha256=source.sha256, bytes=source.size, status=FileStatus.FAILED, message=message, retry=True, reason=reason)


def draining(tasks: list[Task]) -> Iterator[Task]:
    """The tasks in order, each let go of as it is handed out: a dump's 20,000 tasks (a path, a
    hash and a description each) are not all held until the last file is done."""
    tasks.reverse()
    while tasks:
        yield tasks.pop()


class Executor(Protocol):
    def results(self, tasks: list[Task]) -> Iterator[tuple[Task, FileResult]]: ...


class SerialExecutor:
    """In this process, one file after another (no timeout: nothing could stop a hung file)."""

    def results(self, tasks: list[Task]) -> Iterator[tuple[Task, FileResult]]:
        for task in draining(tasks):
            try:
                yield task, run_task(task)
            except Exception as error:  # process_file does not raise; this guards its guards
                yield task, failed(task, f"internal error: {type(error).__name__}: {error}")


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per OCR process: the pool uses the cores
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the pool


IN_FLIGHT_PER_WORKER = 4  # files queued per worker: it never waits for the next, the driver never holds the dump's


class ProcessExecutor:
    """A pebble process pool: per-file timeout, and a dead worker is replaced, not fatal."""

    def __init__(self, workers: int, timeout: float | None) -> None:
        self.workers = workers
        self.timeout = timeout

    def results(self, tasks: list[Task]) -> Iterator[tuple[Task, FileResult]]:
        from pebble import ProcessExpired, ProcessPool

        context = multiprocessing.get_context("spawn")  # no inherited threads or OCR handles
        pool = ProcessPool(max_workers=self.workers, initializer=_init_worker, context=context)
        waiting = draining(tasks)
        futures: dict[Future[FileResult], Task] = {}  # in flight: a few per worker, not the whole dump's (20,000 futures held the driver's memory)

        def schedule(count: int) -> None:
            for task in itertools.islice(waiting, count):
                work = run_task_writing if task.out is not None else run_task
                futures[pool.schedule(work, args=(task,), timeout=self.timeout)] = task

        finished = False
        try:
            schedule(self.workers * IN_FLIGHT_PER_WORKER)
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                schedule(len(done))  # the workers go on while the results are taken
                for future in done:
                    task = futures.pop(future)  # a finished future holds its result: let it go with the result
                    try:
                        yield task, future.result()
                    except FutureTimeout:
                        yield task, failed(task, f"timed out after {self.timeout:g} s (--timeout); the worker was stopped", "timeout")
                    except ProcessExpired as error:
                        yield task, failed(task, f"the worker process died while reading this file (exit code {error.exitcode}: crash or out of memory)", "worker_died")
                    except OutputUnwritable:  # OUT is full or read-only: the run stops, as when this process writes
                        raise
                    except Exception as error:
                        yield task, failed(task, f"internal error: {type(error).__name__}: {error}")
            finished = True
        finally:
            # interrupted (Ctrl-C, SIGTERM, an error): stop the workers now rather than finish every file
            pool.close() if finished else pool.stop()
            pool.join()


class DaskExecutor:
    """The same task on a Dask distributed cluster. Files are sent as bytes unless ``shared``
    says the workers see the dump and OUT at the same paths: then each worker writes its file's
    own outputs and caches its result (``run_task_writing``), and only the slim result comes back.
    Otherwise results come back whole and this process writes them as a local run does."""

    def __init__(self, address: str, shared: bool) -> None:
        self.address = address
        self.shared = shared

    def results(self, tasks: list[Task]) -> Iterator[tuple[Task, FileResult]]:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(self.address) as client:
            waiting = draining(tasks)
            futures = {}  # in flight: a few per worker thread; a file's bytes are read when it is sent, not the whole dump up front

            def submit(count: int) -> None:
                for task in itertools.islice(waiting, count):
                    if self.shared and task.out is not None:
                        future = client.submit(run_task_writing, task, pure=False)
                    elif self.shared:
                        future = client.submit(run_task, task, pure=False)
                    else:
                        future = client.submit(run_task_from_bytes, task, task.source.path.read_bytes(), pure=False)
                    futures[future] = task
                    arriving.add(future)

            arriving = dask_completed()
            submit(max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER)
            for future in arriving:
                task = futures.pop(future)  # and the cluster lets the result go once no future names it
                submit(1)
                try:
                    result = future.result()
                except Exception as error:
                    result = failed(task, f"failed on the cluster: {type(error).__name__}: {error}")
                future.release()
                yield task, result


@dataclass(frozen=True)
class RunSettings:
    """How to run over a dump (what to extract is ExtractOptions)."""

    workers: int = 0  # 0: in this process
    timeout: float | None = None  # seconds per file (worker pools only)
    force: bool = False  # ignore cached results
    dask_scheduler: str | None = None
    dask_shared: bool = False
    show_progress: bool = False
    max_file_bytes: int | None = None  # larger files are refused before they are read
    verbose: bool = False  # one line per file on stderr as it is done

    def executor(self) -> Executor:
        if self.dask_scheduler:
            return DaskExecutor(self.dask_scheduler, self.dask_shared)
        if self.workers <= 0:
            return SerialExecutor()
        return ProcessExecutor(self.workers, self.timeout)


def run(
    dump: Path,
    exclude: tuple[Path, ...] = (),
    options: ExtractOptions = ExtractOptions(),
    settings: RunSettings = RunSettings(),
    cache: ResultCache | None = None,
    log: RunLog | None = None,
    only: Path | None = None,
    out: Path | None = None,
) -> RunResult:
    """Process every file under ``dump``: exactly one FileResult per file, in path order.

    The order of results never depends on which worker finished first, so outputs are the same
    bytes whatever the number of workers. Cached results are reused unless ``settings.force``;
    each new result is cached as soon as it arrives, so an interrupted run loses nothing done —
    except failures of the run rather than of the file (a timeout, a dead worker, a file changed
    while read), which are tried again next time. With ``out``, workers make the report's
    pictures of their files; a pool's workers write their files' outputs and cache entries
    themselves, so this process holds each file's slim result only, on disk (``SpilledResults``).
    """
    started = time.perf_counter()
    unlisted: dict[Path, str] = {}
    paths = [only] if only is not None else walk(dump, exclude, unlisted)  # only: one file given instead of a folder
    order: list[str] = []  # relpaths, in path order
    taken: set[str] = set()
    spill = SpillFile(out / CACHE_DIR if out is not None else None)  # slim results wait on disk, not in memory
    slots: dict[str, FileResult | Spilled] = {}
    places = PagePlaces()  # which files hold a form's later page, told apart as they settle (none loaded again)
    sources: dict[str, InputFile] = {}  # the files read (or whose results were cached), to read a form's pages on across files
    tasks: list[Task] = []
    first_seen: dict[str, str] = {}  # sha256 -> the first path with those bytes
    log = log or RunLog(None)
    with Progress(len(paths), settings.show_progress, settings.verbose) as progress:

        def settle(key: str, result: FileResult) -> None:
            progress.advance([result])
            places.note(key, result)
            slots[key] = spill.keep(result)

        for path in paths:
            hashed = time.perf_counter()
            described = unread(path, dump, FileStatus.FAILED, unlisted[path]) if path in unlisted else describe_or_fail(path, dump, settings.max_file_bytes)
            key = unique(described.file if isinstance(described, FileResult) else described.relpath, path, taken)
            order.append(key)
            taken.add(key)
            if isinstance(described, FileResult):
                log.file(replace(described, file=key), cached=False)
                settle(key, replace(described, file=key))
                continue
            described = replace(described, relpath=key)
            sources[key] = described
            log.stage(described.relpath, "hash", time.perf_counter() - hashed, "ok")
            if described.sha256 in first_seen and described.kind != "empty":
                settle(key, _noted(duplicate_of(described, first_seen[described.sha256]), described))
                continue
            first_seen[described.sha256] = described.relpath
            cached = cache.get(described) if cache is not None and not settings.force else None
            if cached is not None:
                if out is not None and cache is not None:
                    cached = _slim_cached(cached, cache.key(described))
                log.file(cached, cached=True)
                settle(key, _noted(cached, described))
            else:
                tasks.append(Task(described, options, pictures=out is not None, dump=dump))
        shared = {name for name, n in Counter(flat_name(key).casefold() for key in order).items() if n > 1}  # their forms are named by the export
        if out is not None and cache is not None and (settings.dask_scheduler and settings.dask_shared or not settings.dask_scheduler and settings.workers > 0):
            tasks = [replace(t, out=out, cache_key=cache.key(t.source), shared_name=flat_name(t.source.relpath).casefold() in shared) for t in tasks]

        def received(task: Task, result: FileResult) -> FileResult:
            """A result as it arrives: checked against its file's bytes, cached, its outputs written."""
            changed = changed_since(task.source)
            if changed:
                if cache is not None and task.cache_key:
                    cache.forget(task.cache_key)  # the worker cached what it read: not this file's bytes
                result = replace(failed(task, changed, "changed_while_read"), timings=result.timings)
            if out is not None:
                result = write_pictures(out, result)
            if cache is not None and task.cache_key and not result.retry:
                cache.used.add(task.cache_key)  # the worker wrote the entry and the outputs
            elif cache is not None and not result.retry:
                cache.put(task.source, result, task.later)
                if out is not None and (result.forms or result.page_images) and result.reason != "not_joined":
                    result = write_file_outputs(out, result, own_form_names(result, flat_name(result.file).casefold() in shared), cache.key(task.source, task.later))
            return result

        loader = cache.whole if cache is not None else None
        del paths, first_seen  # not needed past here; nor is ``tasks``, which the executor drains
        arriving = settings.executor().results(tasks) if tasks else iter(())
        tasks = []
        try:
            for task, result in arriving:
                raise_if_stop_requested()
                result = received(task, result)
                log.file(result, cached=False)
                settle(task.source.relpath, _noted(replace(result, timings={}) if result.slim else result, task.source))  # the stages' seconds are logged
            joined = _joined_pages(order, slots, spill, places, sources, cache, settings.force, options, loader)
            for task, result in ((task, cached) for task, cached in joined if cached is not None):
                if out is not None and cache is not None:
                    result = _slim_cached(result, cache.key(task.source, task.later))
                _settle_joined(task, result, slots, spill, places, _noted, loader)
            pool = out is not None and cache is not None and settings.workers > 0  # its workers write their outputs, as above
            to_read = [
                replace(
                    task,
                    pictures=out is not None,
                    dump=dump,
                    out=out if pool else None,
                    cache_key=cache.key(task.source, task.later) if pool and cache is not None else "",
                    shared_name=flat_name(task.source.relpath).casefold() in shared,
                )
                for task, cached in joined
                if cached is None
            ]
            for task, result in _local_executor(settings).results(to_read) if to_read else ():
                raise_if_stop_requested()
                result = received(task, result)
                log.stage(task.source.relpath, "join", result.timings.get("total", 0.0), result.reason or "ok")
                _settle_joined(task, result, slots, spill, places, _noted, loader)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or stopped by an error
            close = getattr(arriving, "close", None)
            if close is not None:
                close()  # the pool is stopped and joined: no worker writes any more
            if out is not None:
                remove_left_temporaries(out, cache_too=True)  # a worker stopped while writing left its temporary file
            raise
    _name_forms_continued(order, slots, spill, places, loader)
    return RunResult(files=SpilledResults(spill, (slots[key] for key in order)), seconds=time.perf_counter() - started, loader=loader)


def _noted(result: FileResult, source: InputFile) -> FileResult:
    """The result with the note on how its file name was made readable (never cached: the
    cache is keyed by that name, and the note belongs to the run)."""
    if not source.name_note:
        return result
    return replace(result, message="; ".join(filter(None, [result.message, source.name_note])))


@dataclass
class PagePlaces:
    """The files of a run that hold a form's later page, and those that part a form's pages."""

    later: set[str] = field(default_factory=set)  # alone: no form (``continuation_page``), or one with no title (``untitled``)
    untitled: set[str] = field(default_factory=set)  # later pages that repeat the indicator header: alone, a form with no title or project
    duplicates: set[str] = field(default_factory=set)  # skipped as another file's bytes: it may be a form's start

    def note(self, key: str, result: FileResult) -> None:
        if result.reason == "continuation_page":
            self.later.add(key)
        elif _begins_untitled(result):
            self.later.add(key)
            self.untitled.add(key)
        elif result.reason == "duplicate":
            self.duplicates.add(key)

    def chains(self, order: list[str], statuses: dict[str, FileStatus]) -> list[tuple[str, list[str]]]:
        """Each file of forms followed in its folder by files holding a form's later page, with
        those files in order: a phone or a scanner numbers a form's pages in turn, so the last file
        before them that gave forms is most likely the form's start. Files between that gave
        nothing (a Thumbs.db) do not part them; a duplicate does. An untitled later page with no
        file of forms before it starts one."""
        chains: dict[str, list[str]] = {}
        starts: dict[str, str] = {}  # folder -> the last file in it that gave forms
        for key in order:
            folder = key.rpartition("/")[0]
            if key in self.duplicates:
                starts.pop(folder, None)
            elif key in self.later and folder in starts:
                chains.setdefault(starts[folder], []).append(key)
            elif (key not in self.later or key in self.untitled) and statuses[key] in (FileStatus.OK, FileStatus.NEEDS_REVIEW):
                starts[folder] = key
        return list(chains.items())


def _slim_cached(result: FileResult, key: str) -> FileResult:
    """A cached result with forms or page images as the run holds it: slim, written by the export."""
    if not (result.forms or result.page_images):
        return result
    return slim(replace(result, timings={}, form_pages=False), [form_summary(f, suggestions_of(None, f, result)) for f in result.forms], key, written=False)


def _loaded(entry: FileResult | Spilled, spill: SpillFile) -> FileResult:
    return entry if isinstance(entry, FileResult) else spill.load(entry)


def _begins_untitled(result: FileResult) -> bool:
    """Whether the file's first form has no title and no project name: a later page of a form that
    repeats its indicator header (read alone as a form whose title was lost), not a form's first
    page, which prints the project's name under its title."""
    if result.slim:
        return bool(result.summaries) and not result.summaries[0].name
    from pipeline.run.unit import begins_untitled  # the readers and OCR: a driver whose files are all cached never loads them

    return begins_untitled(result.forms)


def _local_executor(settings: RunSettings) -> Executor:
    """The executor for the few files read again together (``_joined_pages``): this machine's."""
    return ProcessExecutor(settings.workers, settings.timeout) if settings.workers > 0 else SerialExecutor()


def _joined_pages(
    order: list[str],
    slots: dict[str, FileResult | Spilled],
    spill: SpillFile,
    places: PagePlaces,
    sources: dict[str, InputFile],
    cache: ResultCache | None,
    force: bool,
    options: ExtractOptions,
    loader: Callable[[FileResult], FileResult] | None,
) -> list[tuple[Task, FileResult | None]]:
    """A task for each file of forms followed by files of its last form's later pages
    (``PagePlaces.chains``), to read them as one document (``unit.process_files``), with its
    cached result when there is one (None: to read). Read after the run's other files, as only
    then is each file known to begin forms or to go on one."""
    statuses = {key: slots[key].status for key in order}
    tasks: list[tuple[Task, FileResult | None]] = []
    for start, laters in places.chains(order, statuses):
        if start not in sources or any(key not in sources for key in laters):
            continue  # a duplicate's result stands for it: its bytes were read under another name
        first = _whole(slots[start], spill, loader)
        if first.kept is None:
            continue  # its last form ends on its own pages (``unit.ends_whole``): the later pages are another form's, whose start is missing
        task = Task(sources[start], options, later=tuple(sources[key] for key in laters))
        cached = cache.get(task.source, task.later) if cache is not None and not force else None
        if cached is None:  # each file's reading as it kept it alone: read on, not OCR'd again
            task = replace(task, kept=(first.kept, *(_whole(slots[key], spill, loader).kept for key in laters)))
        tasks.append((task, cached))
    return tasks


def joins_of(order: list[str], results: dict[str, FileResult]) -> list[tuple[str, list[str]]]:
    """The files to read again as one document (``unit.process_files``), from their results read
    alone: each file of forms with the later pages after it (``PagePlaces.chains``), unless its
    last form ends with its 总分. What a run does after its other files; the benchmark does it too."""
    places = PagePlaces()
    for key in order:
        places.note(key, results[key])
    chains = places.chains(order, {key: result.status for key, result in results.items()})
    return [(start, laters) for start, laters in chains if results[start].kept is not None]


def _may_go_on(entry: FileResult | Spilled, spill: SpillFile, loader: Callable[[FileResult], FileResult] | None) -> bool:
    """Whether the file's last form may go on into the next files: it does not end with its 总分
    on its own pages, so its reading was kept (``unit.ends_whole``)."""
    return _whole(entry, spill, loader).kept is not None


def _whole(entry: FileResult | Spilled, spill: SpillFile, loader: Callable[[FileResult], FileResult] | None) -> FileResult:
    result = _loaded(entry, spill)
    return loader(result) if result.slim and loader is not None else result


def _settle_joined(
    task: Task,
    result: FileResult,
    slots: dict[str, FileResult | Spilled],
    spill: SpillFile,
    places: PagePlaces,
    noted: Callable[[FileResult, InputFile], FileResult],
    loader: Callable[[FileResult], FileResult] | None,
) -> None:
    """The first file's result now holds the form read on across the later files; each later file's
    row says which form its pages went on, with that form's status (its values are that form's),
    and gives no form of its own (one read alone from a repeated header is that form's page).
    Pages that did not join (``not_joined``: the forms do not go on into them) stay as they were."""
    if result.reason == "not_joined" or result.retry or not result.form_count:
        return
    slots[task.source.relpath] = spill.keep(noted(replace(result, timings={}) if result.slim else result, task.source))
    last = result.summaries[-1] if result.slim else result.forms[-1]
    for later in task.later:
        own = _whole(slots[later.relpath], spill, loader)  # whole again (its page images), and kept whole: no cached form of its own is exported
        message = f"its pages go on form {last.form_id} of {task.source.relpath}, read with it as one document (they were files of their own, in order in their folder): see that form"
        slots[later.relpath] = replace(
            own,
            forms=[],
            grids={},
            suggestions={},
            pictures={},
            kept=None,
            status=FileStatus(last.status),
            reason="joined",
            message=message,
            notes=[],
            slim=False,
            summaries=[],
            written=False,
            part_stored=False,
        )
        places.later.discard(later.relpath)


def _name_forms_continued(order: list[str], slots: dict[str, FileResult | Spilled], spill: SpillFile, places: PagePlaces, loader: Callable[[FileResult], FileResult] | None = None) -> None:
    """A file that holds a later page of a form (``continuation_page``, its key in ``places.later``)
    names the last file before it in its folder that gave forms (a phone or scanner numbers a
    form's pages in turn): most likely the form's start; and that file names it back — unless its
    last form ends with its 总分. Added each run, to cached results too (the neighbours are the
    run's, not the file's). Pages read on from that file (``_settle_joined``) are no longer here."""

    def noted(key: str, note: str) -> None:
        entry = slots[key]
        result = _loaded(entry, spill)  # a slim result: its outputs written
        slots[key] = spill.keep(replace(result, message="; ".join(filter(None, [result.message, note]))))

    for start, laters in places.chains(order, {key: slots[key].status for key in order}):
        if not _may_go_on(slots[start], spill, loader):
            for key in laters:
                noted(key, f"the last form of {start}, the file of forms before it in its folder, ends with its 总分: the start of this page's form was not found")
            continue
        for key in laters:
            noted(key, f"the form it goes on is probably in {start}, before it in its folder")
            noted(start, f"a later page of this file's last form is probably in {key}, after it in its folder")
