"""report.html in a real browser: headless Debian Chromium driven by Playwright.

`make test` installs Chromium (scripts/system_deps.sh --browser) and Playwright (the `test` extra);
Playwright's own browser downloads are never used: the system Chromium is launched with a fresh
user-data dir. The acceptance test of issue 13 is here: accept a suggestion in the page, download
corrections.csv, put it in a copy of the dump, re-run, and the form is ok with its audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest

from conftest import DUMP
from pipeline.cli import main

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = playwright.expect

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROKEN_FILE = "review/网格管理事务_得分不符.pdf"
BROKEN_ID = "e1c757c28df6a128-0"
NOTE = "时效 得分 11 → 13：实际完成值“及时”达到年度指标值“及时”，且未填偏差原因"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make test installs it: scripts/system_deps.sh --browser)")


class Browser:
    """One Chromium with a fresh profile; every page's console errors, page errors and failed requests recorded."""

    def __init__(self, context) -> None:
        self.context = context
        self.problems: list[str] = []

    def open(self, path: Path):
        page = self.context.new_page()
        page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}") if message.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"request failed: {request.url}"))
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready]", state="attached")
        return page


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver, tempfile.TemporaryDirectory(prefix="zpef-chromium-") as profile:
        context = driver.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True, args=ARGS, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        yield Browser(context)
        context.close()


@pytest.fixture(scope="module")
def report(browser, sample_run):
    page = browser.open(sample_run.out / "report.html")
    yield page
    page.close()


def test_summary_shows_the_run(report, sample_run):
    with (sample_run.out / "manifest.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    lead = report.locator("#summary .lead").inner_text()
    assert lead.startswith(f"共 {len(rows)} 个文件、")
    assert f"{sum(r['status'] == 'failed' for r in rows)} 个失败" in lead and f"{sum(r['status'] == 'skipped' for r in rows)} 个跳过" in lead
    assert report.locator("#summary svg").count() == 3 and report.locator("#summary svg").first.is_visible()
    assert report.locator("#files tr[data-status=failed]").count() == sum(r["status"] == "failed" for r in rows) > 0


def test_accepting_the_suggestion_in_the_page_corrects_the_form_on_the_next_run(report, sample_run, tmp_path):
    card = report.locator(f"#review-{BROKEN_ID}")
    assert card.get_attribute("data-file") == BROKEN_FILE and report.locator("section.card").first.get_attribute("data-form") == BROKEN_ID
    assert "得分合计 96 ≠ 总分 98" in card.inner_text() and "得分合计与总分不符" in card.inner_text()
    crop = card.locator('figure.value.suggested[data-ptr="/indicators/2/score"] .crop img')
    crop.scroll_into_view_if_needed()
    report.wait_for_function("(img) => img.complete && img.naturalWidth > 1000", arg=crop.element_handle())
    report.fill("#reviewer", "张三")
    card.locator("button.accept-suggestion").click()
    assert card.locator("button.accept-suggestion").inner_text() == "已接受"
    assert "将写入 corrections.csv：13" in card.locator('figure.value[data-ptr="/indicators/2/score"] .state').inner_text()
    assert report.locator("#pending tbody tr").count() == 1
    with report.expect_download() as download:
        report.click("#download")
    saved = tmp_path / "corrections.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "corrections.csv"
    text = saved.read_bytes().decode("utf-8-sig")
    assert text.splitlines() == ["form_id,field,value,note,reviewer", f"{BROKEN_ID},/indicators/2/score,13,{NOTE},张三"]
    report.screenshot(path=str(tmp_path / "report-accepted.png"), full_page=False)
    assert (tmp_path / "report-accepted.png").stat().st_size > 50_000

    # the round trip: the file into a copy of the dump, the run again (its cache copied: only the report and corrections are new)
    dump, out = tmp_path / "dump", tmp_path / "out"
    shutil.copytree(DUMP, dump)
    shutil.copytree(sample_run.out, out)
    shutil.copy(saved, dump / "corrections.csv")
    main(["extract", str(dump), "--out", str(out), "--quiet"])
    form = json.loads((out / "forms" / "review__网格管理事务_得分不符.pdf.0.json").read_text(encoding="utf-8"))
    assert form["status"] == "ok" and form["indicators"][2]["score"] == 13
    assert form["corrections"] == [{"field": "/indicators/2/score", "extracted": 11.0, "corrected": 13.0, "note": NOTE, "reviewer": "张三"}]
    with (out / "manifest.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert rows[BROKEN_FILE]["status"] == "ok" and rows["corrections.csv"]["message"].startswith("corrections file (applied): 1 applied, 0 rejected")


def test_accepting_every_suggestion_of_a_rule_marking_reviewed_and_typing_in_the_whole_form(report):
    report.evaluate("localStorage.clear()")
    report.reload()
    report.wait_for_selector("html[data-ready]", state="attached")
    assert report.locator("#pending tbody tr").count() == 0
    report.locator('button.accept-rule[data-rule="total_score"]').click()
    assert report.locator("#pending tbody tr").count() == report.locator('.accept-suggestion[data-rule="total_score"]').count() >= 1
    fax = report.locator("section.card", has_text="scans/fax.tif").first  # the fax holds two forms
    fax.locator(".mark-reviewed").click()
    assert fax.locator(".mark-reviewed").get_attribute("aria-pressed") == "true" and "已复核" in fax.locator(".mark-reviewed").inner_text()
    assert "已复核 1 / " in report.locator("#progress").inner_text()
    confirmed = json.loads(fax.get_attribute("data-confirm"))
    assert confirmed and report.locator("#pending tbody tr").count() == 1 + len(confirmed)  # its low-confidence values confirmed as read
    card = report.locator(f"#review-{BROKEN_ID}")
    card.locator("details.whole summary").click()
    frame = card.frame_locator("iframe")
    cell = frame.locator('td[data-ptr="/project/name"]')
    cell.click()
    frame.locator("#editor input[name=value]").fill("网格管理事务（更正）")
    frame.locator("#editor button[value=save]").click()
    report.wait_for_function("document.querySelectorAll('#pending tbody tr').length === %d" % (2 + len(confirmed)))
    assert report.locator('#pending tbody tr[data-field="/project/name"] td').nth(2).inner_text() == "网格管理事务（更正）"
    expect(frame.locator('td[data-ptr="/project/name"]')).to_contain_text("→ 网格管理事务（更正）")
    report.reload()  # the work is kept in the browser
    report.wait_for_selector("html[data-ready]", state="attached")
    assert report.locator("#pending tbody tr").count() == 2 + len(confirmed)
    report.evaluate("localStorage.clear()")


def test_a_correction_typed_on_a_form_page_of_its_own_reaches_the_download(browser, report, sample_run):
    report.evaluate("localStorage.clear()")
    ok_id = report.locator('#forms tbody tr[data-status="ok"]').first.get_attribute("data-form")
    page = browser.open(sample_run.out / "report_files" / f"form-{ok_id}.html")
    cell = page.locator('td[data-ptr="/total/score"]')
    cell.focus()
    page.keyboard.press("Enter")  # the keyboard opens the editor too
    assert page.locator("#editor .editor-read").inner_text() == cell.get_attribute("data-read")
    page.fill("#editor input[name=value]", "99")
    page.fill("#editor input[name=note]", "原件为99")
    page.click("#editor button[value=save]")
    expect(cell).to_contain_text("→ 99")  # the dialog's close event comes a task later
    page.close()
    report.reload()
    report.wait_for_selector("html[data-ready]", state="attached")
    cells = report.locator(f'#pending tbody tr[data-form="{ok_id}"] td')
    assert cells.all_inner_texts()[:5] == [ok_id, "/total/score", "99", "原件为99", ""]
    report.evaluate("localStorage.clear()")
    report.reload()
    report.wait_for_selector("html[data-ready]", state="attached")


def test_the_forms_table_filters_and_sorts(report, sample_run):
    forms = report.locator("#forms tbody tr")
    total = forms.count()
    assert total == len(list((sample_run.out / "forms").glob("*[0-9].json")))
    report.select_option("#filter-status", "needs_review")
    assert report.locator("#forms tbody tr:visible").count() == report.locator('#forms tbody tr[data-status="needs_review"]').count() > 0
    assert report.locator("section.card:visible").count() == report.locator("section.card").count()
    report.select_option("#filter-status", "")
    report.select_option("#filter-rule", "total_score")
    assert report.locator("section.card:visible").count() == 1 and report.locator(f"#review-{BROKEN_ID}").is_visible()
    report.select_option("#filter-rule", "")
    report.select_option("#filter-template", "yunnan")
    assert 0 < report.locator("#forms tbody tr:visible").count() < total
    report.select_option("#filter-template", "")
    report.fill("#filter-text", "spreadsheet/")
    assert report.locator("#forms tbody tr:visible").count() == 3 and report.locator(f"#review-{BROKEN_ID}").is_hidden()
    report.fill("#filter-text", "")
    assert f"显示 {total} / {total} 张表" == report.locator("#filter-count").inner_text()
    header = report.locator("#forms th", has_text="№")
    header.click()
    header.click()
    numbers = [int(n) for n in report.locator("#forms tbody tr td:first-child").all_inner_texts()]
    assert numbers == sorted(numbers, reverse=True) and numbers[-1] == 1  # forms are numbered from 1
    header.click()


def test_a_form_page_shows_its_outlined_page_beside_its_tables(browser, sample_run):
    page = browser.open(sample_run.out / "report_files" / f"form-{BROKEN_ID}.html")
    assert page.locator("figure.pageimage img").count() == 2
    page.evaluate("Promise.all(Array.from(document.images).map(i => i.decode()))")
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 1000)")
    assert page.locator("rect.cell").count() > 50
    cell = page.locator('td[data-ptr="/indicators/2/score"]')
    assert cell.inner_text().strip() == "11"
    cell.hover()
    assert page.locator('rect.cell.hl[data-ptr="/indicators/2/score"]').count() == 1
    page.close()


def test_no_console_errors(browser):
    assert browser.problems == []


# --- hostile values: shown as text, never run -----------------------------------------------


HOSTILE_NAME = '"><img src=x onerror=window.__pwned=1>'
HOSTILE_CELL = '98"><img src=x onerror=window.__pwned=2><script>window.__pwned=5</script>'
HOSTILE_VALUE = "</script><script>window.__pwned=3</script>"
HOSTILE_NOTE = '"><img src=x onerror="window.__pwned=4">'


def test_markup_in_a_file_name_a_cell_and_a_correction_is_shown_as_text(browser, tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    workbook = openpyxl.load_workbook(next((DUMP / "spreadsheet").glob("*.xlsx")))
    workbook["2022年自评表"]["H24"] = HOSTILE_CELL  # the first form's 总分 得分: printed but not a number
    hostile_export = dump / f"{HOSTILE_NAME}.xlsx"
    workbook.save(hostile_export)
    shutil.copy(DUMP / BROKEN_FILE, dump / f"{HOSTILE_NAME}.pdf")
    export_id = hashlib.sha256(hostile_export.read_bytes()).hexdigest()[:16] + "-0"
    with (dump / "corrections.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["form_id", "field", "value", "note", "reviewer"])
        writer.writerow([export_id, "/project/code", HOSTILE_VALUE, HOSTILE_NOTE, HOSTILE_CELL])
        writer.writerow([BROKEN_ID, "/indicators/99/score", HOSTILE_VALUE, "", ""])  # rejected: listed, never run
    out = tmp_path / "out"
    assert main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"]) == 1
    forms = {form["form_id"]: form for form in (json.loads(p.read_text(encoding="utf-8")) for p in (out / "forms").glob("*.json") if not p.name.endswith(".grid.json"))}
    assert forms[export_id]["source"]["file"] == f"{HOSTILE_NAME}.xlsx" and forms[export_id]["project"]["code"] == HOSTILE_VALUE
    assert forms[export_id]["provenance"]["/total/score"]["text"] == HOSTILE_CELL and forms[export_id]["status"] == "needs_review"
    pages = [out / "report.html", out / "report_files" / f"form-{export_id}.html", out / "report_files" / f"form-{BROKEN_ID}.html"]
    for path in pages:
        page = browser.open(path)
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.querySelectorAll('img[onerror], [onerror]').length") == 0
        assert page.evaluate("Array.from(document.scripts).every(s => s.src.endsWith('report.js') || s.type === 'application/json')")
        text = page.locator("body").inner_text()
        if path.name == "report.html":
            assert HOSTILE_NAME in text and HOSTILE_CELL in text and HOSTILE_VALUE in text and HOSTILE_NOTE in text
            assert page.locator("#pending tbody tr").count() == 2  # the current file's lines, kept for the download, as text
            assert page.locator("#pending tbody tr").first.locator("td").nth(2).inner_text() == HOSTILE_VALUE
        else:
            assert HOSTILE_NAME in text
        page.close()
    assert browser.problems == []  # no request for the img of the name: it never became an element
