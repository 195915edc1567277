"""Scale benchmark: a synthetic dump of many forms, run with 1 and 2 workers. Prints figures.

    python scripts/bench_scale.py [--forms 1000] [--scan-pages 50] [--work /tmp/zpef-scale]

The dump is generated here (varied content from the seed's vocabulary, numbers consistent; a
``--review-share`` of the forms lose a point without a reason, so they need review and get a
suggestion): ``--forms`` exported PDFs and ``--scan-pages`` image-only PDFs made from some of
them. Side by side, from one run: forms/s and pages/s at 1 and 2 workers; the pipeline at one
worker against bare pdfplumber ``extract_tables`` over the same files; the scaling ratio; peak
memory (all processes) of the big run against a 10-form run, and of the driver alone at half and
all of the forms; a re-run over the unchanged dump against the first run; where the time goes per
stage (from OUT/run.log); the review report of the big run: its size and how long headless
Chromium takes to open it (Playwright with Debian's chromium). Wall-clock figures: on a shared machine, repeat and compare ratios.

``--driver`` measures only the driver (the main process): its peak memory at a quarter (or ``--small N``) and all of
the forms, its time after the pool, a re-run, and with ``--dask N`` a Dask LocalCluster run with
``--dask-shared``; ``--reuse`` takes the dump generated before in ``--work``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from sample_files import specs  # noqa: E402
from sample_files.pdf import register_font, write_pdf  # noqa: E402
from make_scans import image_pdf, render  # noqa: E402

LEVEL2 = {
    "产出": [("数量", "完成{n}场培训", "举办{n}场"), ("质量", "验收合格率", "≥{p}%"), ("时效", "按期完成", "及时"), ("成本", "支出控制", "控制在预算内")],
    "效益": [("经济效益", "", ""), ("社会效益", "群众受益面", "有所提高"), ("生态效益", "", ""), ("可持续影响", "长效机制", "逐步建立")],
    "满意度": [("服务对象满意度", "群众满意度", ">{p}%"), ("其他满意度", "", "")],
}
UNITS = ["街道办事处", "社区工作站", "城市管理科", "网格管理中心", "公共服务办"]
PROJECTS = ["网格管理事务", "培训经费", "安全生产宣传", "社区环境整治", "便民服务提升", "物业管理指导", "住房租赁调研"]


def synthetic_form(rng: random.Random, index: int, review: bool = False) -> specs.FormSpec:
    """A Shenzhen-layout form with invented but consistent numbers; with ``review``, one indicator
    loses a point with no 偏差原因 while the total stays, so the form needs review and gets a
    suggestion from arithmetic (as forms of real dumps do)."""
    name = f"{rng.choice(PROJECTS)}{index:04d}"
    budget = rng.randrange(10_000, 2_000_000)
    executed = budget if rng.random() < 0.7 else int(budget * rng.uniform(0.8, 1.0))
    rate = round(executed / budget * 100)
    rows = specs.header_rows(f"4403072204415{index:08d}", name, ":", "项目资金(元)", "执行率(%)")
    rows += specs.funding_rows(
        "项目资金(元)",
        ":",
        [
            ("年度资金总额", f"{budget:.2f}", f"{budget:.2f}", f"{executed:.2f}"),
            ("其中:当年财政拨款", f"{budget:.2f}", f"{budget:.2f}", f"{executed:.2f}"),
            ("上年结转资金", "0.00", "0.00", "0.00"),
            ("其他资金", "0.00", "0.00", "0.00"),
        ],
    )
    rows[4][6] = specs.S(6, str(rate))  # the 年度资金总额 row's 执行率
    rows[4][7] = specs.S(7, str(min(10, round(10 * rate / 100))))
    goal = f"完成{name}年度工作任务，提升辖区服务水平。"
    rows += specs.goal_rows(goal, goal)
    header_row = len(rows)
    blocks = []
    for level1, weight in (("产出", 50), ("效益", 30), ("满意度", 10)):
        items = LEVEL2[level1]
        live = [i for i, (_, label, _) in enumerate(items) if label]
        shares = [weight // len(live)] * len(live)
        shares[0] += weight - sum(shares)
        block = []
        docked = review and level1 == "产出"
        for i, (level2, label, target) in enumerate(items):
            if i in live:
                w = shares[live.index(i)]
                text = target.format(n=rng.randrange(5, 30), p=rng.choice([85, 90, 95]))
                score = w - 1 if docked and not block else w  # its first indicator
                block.append([level2, label.format(n=rng.randrange(5, 30)), text, text, str(w), str(score), ""])
            else:
                block.append([level2, "", "", "不适用", "0", "0", ""])
        blocks.append((f"{level1}({weight}分)", block))
    total = 10 if rate >= 100 else min(10, round(10 * rate / 100))
    rows += specs.indicator_rows(blocks, ("100", str(90 + total)), total_from_first_col=False)
    return specs.FormSpec(f"{name}项目支出绩效自评表", rows, header_row)


def make_dump(folder: Path, forms: int, scan_pages: int, seed: int = 7, review_share: float = 0.3) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    register_font()
    rng = random.Random(seed)
    exported = folder / "exported"
    exported.mkdir(parents=True)
    for index in range(forms):
        write_pdf(exported / f"{index // 100:02d}" / f"form{index:05d}.pdf", [(synthetic_form(rng, index, rng.random() < review_share), False)])
    scans = folder / "scans"
    scans.mkdir(parents=True)
    pdfs = sorted(exported.rglob("*.pdf"))
    for index in range(scan_pages):
        image_pdf(scans / f"scan{index:03d}.pdf", [render(pdfs[index % len(pdfs)], 0, 300)])


class PeakMemory:
    """Samples the resident memory of a process (the driver) and of it with all its children."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.driver_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                driver = self.process.memory_info().rss
                total = driver + sum(c.memory_info().rss for c in self.process.children(recursive=True))
                self.peak, self.driver_peak = max(self.peak, total), max(self.driver_peak, driver)
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.peak, self.driver_peak


def timed_run(dump: Path, out: Path, workers: int, *extra: str) -> tuple[float, int, int]:
    """Seconds, peak memory of all processes and of the driver alone."""
    command = [sys.executable, "-m", "pipeline", "extract", str(dump), "--out", str(out), "--quiet", "--workers", str(workers), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = PeakMemory(process.pid)
    process.wait()
    return (time.perf_counter() - started, *memory.stop())


def pdfplumber_seconds(folder: Path) -> float:
    """Bare pdfplumber ``extract_tables`` over every page of the same files, in one process (its
    own start-up included, as the pipeline's run includes its own)."""
    script = (
        "import sys, pdfplumber, pathlib\n"
        "for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.pdf')):\n"
        "    with pdfplumber.open(path) as pdf:\n"
        "        [page.extract_tables() for page in pdf.pages]\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True)
    return time.perf_counter() - started


def stage_seconds(log: Path) -> dict[str, float]:
    """Seconds per stage of the files processed, summed (from run.log's per-file stage lines)."""
    spent: dict[str, float] = defaultdict(float)
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("stage") in ("hash", "extract", "parse", "build", "suggest", "pictures"):
            spent[record["stage"]] += record["seconds"]
    return spent


def stage_shares(log: Path) -> dict[str, float]:
    spent = stage_seconds(log)
    total = sum(spent.values()) or 1.0
    return {stage: seconds / total for stage, seconds in spent.items()}


def run_stages(log: Path) -> str:
    """The run's own split (run.log's last stage_seconds): the pool, and what follows it."""
    finished = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"finished"' in line]
    stages = finished[-1].get("stage_seconds", {}) if finished else {}
    return ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in stages.items())


def count(out: Path) -> tuple[int, int]:
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))  # messages hold commas: read it as CSV
    return sum(int(row["forms"] or 0) for row in rows), sum(int(row["pages"] or 0) for row in rows)


CHROMIUM = Path("/usr/bin/chromium")


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    return len(files), sum(p.stat().st_size for p in files)


def report_open_seconds(report: Path, times: int = 3) -> list[float]:
    """Seconds from navigation to the report's script being ready (every row filterable, state
    restored), in headless Chromium, each time in a fresh profile."""
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        for _ in range(times):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            started = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_selector("html[data-ready]", state="attached")
            seconds.append(time.perf_counter() - started)
            page.context.close()
        browser.close()
    return seconds


def report_figures(out: Path) -> None:
    """The review report of a run: its weight and its open time."""
    html = (out / "report.html").stat().st_size
    files, files_bytes = folder_bytes(out / "report_files")
    pages, pages_bytes = folder_bytes(out / "pages")
    forms = sum(1 for p in (out / "report_files").glob("form-*.html"))
    queue = (out / "report.html").read_text(encoding="utf-8").count('<section class="card filterable"')
    seconds = {}
    log = out / "run.log"
    for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
        record = json.loads(line)
        if record.get("stage") == "run" and record.get("outcome") == "finished":
            seconds = record.get("stage_seconds", {})
    print(
        f"- report of {forms} forms ({queue} in the review queue): report.html {html / 1e6:.1f} MB, report_files/ {files_bytes / 1e6:.0f} MB in {files} files, "
        f"pages/ {pages_bytes / 1e6:.0f} MB in {pages} files; tables, manifest and report of the last run over it: {seconds.get('tables, manifest and report', 0):.1f} s"
    )
    if not CHROMIUM.exists():
        print("- report open time: not measured (no /usr/bin/chromium; scripts/system_deps.sh --browser installs it)")
        return
    opened = report_open_seconds(out / "report.html")
    print(f"- report opens in headless Chromium in {min(opened):.2f} s (best of {len(opened)}; all: {', '.join(f'{s:.2f}' for s in opened)})")


def after_pool(out: Path) -> float:
    """Seconds of the run after the pool (corrections, tables, report, manifest), from run.log."""
    log = out / "run.log"
    finished = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"finished"' in line]
    stages = finished[-1].get("stage_seconds", {}) if finished else {}
    return sum(seconds for stage, seconds in stages.items() if stage != "extract")


def subset(dump: Path, folder: Path, forms: int) -> Path:
    """The first ``forms`` exported PDFs of a generated dump, copied into ``folder``."""
    if folder.exists():
        shutil.rmtree(folder)
    for pdf in sorted((dump / "exported").rglob("*.pdf"))[:forms]:
        (folder / pdf.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, folder / pdf.parent.name / pdf.name)
    return folder


def driver_figures(args: argparse.Namespace, dump: Path) -> None:
    """The driver's peak memory at a part (``--small``, else a quarter) and all of the exported forms (local, 2 workers), the
    time after the pool, a re-run; with ``--dask N``, the same dump on a Dask LocalCluster of N
    worker processes with --dask-shared (the workers write the forms' own outputs)."""
    small_forms = args.small or args.forms // 4
    quarter = subset(dump, args.work / "quarter", small_forms)
    print("| run | forms | seconds | forms/s | driver peak (MB) | after the pool (s) |\n|---|---|---|---|---|---|")
    peaks = {}
    for name, folder, forms in (("local, 2 workers", quarter, small_forms), ("local, 2 workers", dump / "exported", args.forms)):
        out = args.work / f"out-driver-{forms}"
        if out.exists():
            shutil.rmtree(out)
        seconds, _, driver = timed_run(folder, out, 2)
        peaks[forms] = driver
        print(f"| {name} | {forms} | {seconds:.1f} | {forms / seconds:.1f} | {driver / 1e6:.0f} | {after_pool(out):.1f} |", flush=True)
        if forms == args.forms:
            rerun, _, rerun_driver = timed_run(folder, out, 2)
            print(f"| re-run, unchanged | {forms} | {rerun:.1f} | | {rerun_driver / 1e6:.0f} | {after_pool(out):.1f} |", flush=True)
            cold = seconds
    if args.dask:
        import distributed

        with distributed.LocalCluster(n_workers=args.dask, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
            out = args.work / f"out-dask-{args.forms}"
            if out.exists():
                shutil.rmtree(out)
            seconds, _, driver = timed_run(dump / "exported", out, 2, "--dask-scheduler", cluster.scheduler_address, "--dask-shared")
            print(f"| Dask LocalCluster ({args.dask} workers), --dask-shared | {args.forms} | {seconds:.1f} | {args.forms / seconds:.1f} | {driver / 1e6:.0f} | {after_pool(out):.1f} |", flush=True)
    print()
    small, big = peaks[small_forms], peaks[args.forms]
    print(f"- driver peak memory, {args.forms} forms / {small_forms} forms: {big / 1e6:.0f} / {small / 1e6:.0f} MB = {big / small:.2f}x (target <= 1.2x)")
    print(f"- re-run over the unchanged dump: {rerun:.2f} s = {rerun / cold:.1%} of the first run (target <= 5%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--scan-pages", type=int, default=50)
    parser.add_argument("--work", type=Path, default=Path("/tmp/zpef-scale"))
    parser.add_argument("--review-share", type=float, default=0.3, help="share of forms whose scores do not add up (default 0.3)")
    parser.add_argument("--driver", action="store_true", help="only the driver's memory at a quarter and all of the forms, and a re-run")
    parser.add_argument("--dask", type=int, default=0, metavar="N", help="with --driver: also a Dask LocalCluster of N workers, --dask-shared")
    parser.add_argument("--small", type=int, default=0, metavar="N", help="with --driver: the smaller run's forms (default: a quarter of --forms)")
    parser.add_argument("--reuse", action="store_true", help="use the dump generated in --work before (same --forms)")
    args = parser.parse_args()
    dump = args.work / "dump"
    started = time.perf_counter()
    if not (args.reuse and (dump / "exported").exists()):
        make_dump(dump, args.forms, args.scan_pages, review_share=args.review_share)
        print(f"generated {args.forms} exported forms and {args.scan_pages} scanned pages in {time.perf_counter() - started:.0f} s\n")
    if args.driver:
        driver_figures(args, dump)
        return

    small = args.work / "small"
    if small.exists():
        shutil.rmtree(small)
    shutil.copytree(dump / "exported" / "00", small / "00")
    for extra in sorted(small.rglob("*.pdf"))[10:]:
        extra.unlink()
    half = args.work / "half"  # the driver's memory at two dump sizes: half the forms, then all
    if half.exists():
        shutil.rmtree(half)
    for pdf in sorted((dump / "exported").rglob("*.pdf"))[: args.forms // 2]:
        (half / pdf.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, half / pdf.parent.name / pdf.name)

    print("| dump | workers | seconds | forms/s | pages/s | peak memory, all processes (MB) | driver (MB) |\n|---|---|---|---|---|---|---|")
    results = {}
    runs = [("exported", dump / "exported", 1), ("exported", dump / "exported", 2), ("half of exported", half, 2), ("10 forms", small, 2)]
    if args.scan_pages:
        runs[2:2] = [("scans", dump / "scans", 1), ("scans", dump / "scans", 2)]
    for name, folder, workers in runs:
        out = args.work / f"out-{name.replace(' ', '-')}-{workers}"
        if out.exists():
            shutil.rmtree(out)
        seconds, peak, driver = timed_run(folder, out, workers, "--force")
        forms, pages = count(out)
        results[(name, workers)] = (seconds, peak, out, driver, forms)
        print(f"| {name} | {workers} | {seconds:.1f} | {forms / seconds:.1f} | {pages / seconds:.1f} | {peak / 1e6:.0f} | {driver / 1e6:.0f} |")
    print()
    plumber = pdfplumber_seconds(dump / "exported")
    one, forms = results[("exported", 1)][0], results[("exported", 1)][4]
    print(f"- pipeline, 1 worker: {forms / one:.1f} forms/s; bare pdfplumber extract_tables, one process: {forms / plumber:.1f} forms/s ({plumber:.1f} s); ratio per process {plumber / one:.2f}x")
    two = results[("exported", 2)][0]
    print(f"- pipeline on 2 cores ({forms / two:.1f} forms/s) against bare pdfplumber extract_tables in one process: {plumber / two:.2f}x (target >= 2x, about 40 forms/s)")
    for name in ("exported", "scans") if args.scan_pages else ("exported",):
        print(f"- scaling 1 -> 2 workers, {name}: {results[(name, 1)][0] / results[(name, 2)][0]:.2f}x (target >= 1.8x)")
    big, small_peak = results[("exported", 2)][1], results[("10 forms", 2)][1]
    print(f"- peak memory of all processes, {args.forms}-form run / 10-form run: {big / small_peak:.2f}")
    driver_big, driver_half = results[("exported", 2)][3], results[("half of exported", 2)][3]
    print(f"- driver peak memory, {args.forms} forms / {args.forms // 2} forms: {driver_big / 1e6:.0f} / {driver_half / 1e6:.0f} MB = {driver_big / driver_half:.2f}x (target <= 1.2x)")
    for name in ("exported", "scans") if args.scan_pages else ("exported",):
        shares = stage_shares(results[(name, 2)][2] / "run.log")
        print(f"- stage shares, {name}: " + ", ".join(f"{stage} {share:.0%}" for stage, share in sorted(shares.items(), key=lambda s: -s[1])))
        print(f"- run stages, {name}: {run_stages(results[(name, 2)][2] / 'run.log')}")
    spent = stage_seconds(results[("exported", 1)][2] / "run.log")
    pictures = spent.pop("pictures", 0.0)
    print(
        f"- per form, 1 worker (seconds its stages took): reading, checks and suggestions {sum(spent.values()) / forms * 1000:.0f} ms, "
        f"report pictures {pictures / forms * 1000:.0f} ms; bare pdfplumber {plumber / forms * 1000:.0f} ms "
        f"(ratio without the pictures {plumber / sum(spent.values()):.2f}x)"
    )
    out = results[("exported", 2)][2]
    rerun = min(timed_run(dump / "exported", out, 2)[0] for _ in range(2))
    print(f"- re-run over the unchanged dump: {rerun:.2f} s = {rerun / results[('exported', 2)][0]:.1%} of the first run (target <= 5%)")
    report_figures(out)


if __name__ == "__main__":
    main()
