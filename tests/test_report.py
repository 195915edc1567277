"""The review report (pipeline.review.report): report.html and report_files/, static, offline, complete."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import DUMP
from pipeline.cli import main
from pipeline.model.document import Check, CheckStatus, FormDocument, FundingLine, Indicator, Op, Provenance, Source, Term, Total
from pipeline.checks.reconcile import reconcile, values_readable
from pipeline.review.report import FILES_DIR, SCALE, check_view, gray4_png, term_zh, write_report
from pipeline.checks.rules import RULES, meaning_zh
from pipeline.model.result import FileResult, RunResult

BROKEN_ID = "e1c757c28df6a128-0"
LINK = re.compile(r'(?:src|href|data-src)="([^"]*)"')
STYLE = re.compile(r"(left|top|width|height):(-?[\d.]+)px")


@pytest.fixture(scope="module")
def report_run(tmp_path_factory) -> Path:
    """A small real run: the broken PDF, the spreadsheet (no page images) and the text export."""
    folder = tmp_path_factory.mktemp("report")
    dump = folder / "dump"
    for source in (DUMP / "review" / "网格管理事务_得分不符.pdf", *(DUMP / "spreadsheet").iterdir(), *(DUMP / "text_export").iterdir()):
        target = dump / source.relative_to(DUMP)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    out = folder / "out"
    assert main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"]) == 1
    return out


def cards(text: str) -> list[str]:
    return re.findall(r'<section class="card filterable".*?\n  </section>', text, flags=re.S)


def style(fragment: str) -> dict[str, float]:
    return {k: float(v) for k, v in STYLE.findall(fragment)}


def test_report_is_offline_and_every_link_resolves(report_run):
    pages = [report_run / "report.html", *sorted((report_run / FILES_DIR).glob("*.html"))]
    assert len(pages) == 1 + 7  # the report and one page per form
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and 'src="//' not in text
        for target in LINK.findall(text):
            target = html.unescape(target).split("#")[0]
            if target:
                assert (page.parent / target).exists(), (page.name, target)
    assert (report_run / FILES_DIR / "report.js").exists() and (report_run / FILES_DIR / "report.css").exists()


def test_summary_counts_time_and_charts_in_chinese(report_run):
    text = (report_run / "report.html").read_text(encoding="utf-8")
    summary = re.search(r'<section id="summary">.*?</section>', text, flags=re.S).group(0)
    assert re.search(r"共 3 个文件、7 张表：6 张通过，1 张需复核；文件：2 个通过，1 个需复核，0 个失败，0 个跳过；用时 \d+\.\d 秒。", summary)
    assert summary.count("<svg") == 3
    assert "文件状态" in summary and "总分分布" in summary and "最常未通过的检查" in summary


def test_every_rule_has_its_meaning_in_chinese():
    assert all(meaning_zh(name) for name in RULES)


def test_the_broken_form_is_collapsed_to_its_suspect_value_with_the_suggestion_to_accept(report_run):
    text = (report_run / "report.html").read_text(encoding="utf-8")
    (card,) = cards(text)
    assert f'id="review-{BROKEN_ID}"' in card and 'data-rules="total_score"' in card
    assert "得分合计与总分不符" in card and RULES["total_score"].title_en in card and html.escape(meaning_zh("total_score")) in card
    assert "得分合计 96 ≠ 总分 98: 资金 10 + 数量 10 + 质量 10 + 时效 11" in card  # the message as in the JSON
    assert re.search(r"<li>总分 得分：表中为 98，\d+ 项相加为 96</li>", card)  # and what the check found, in Chinese, from its terms
    assert "扣分但未填写偏差原因" in card  # the warning, in words
    button = re.search(r'<button type="button" class="accept-suggestion"([^>]*)>', card).group(1)
    assert 'data-rule="total_score"' in button and 'data-value="13"' in button
    assert json.loads(html.unescape(re.search(r"data-pointers='([^']*)'", button).group(1))) == ["/indicators/2/score"]
    assert html.unescape(re.search(r'data-note="([^"]*)"', button).group(1)) == "时效 得分 11 → 13：实际完成值“及时”达到年度指标值“及时”，且未填偏差原因"
    suspect, _, rest = card.partition('<details class="others">')
    assert re.findall(r'<figure class="value[^"]*" data-form="[^"]+" data-ptr="([^"]+)"', suspect) == ["/indicators/2/score"]  # only the suspect value shows
    others = re.findall(r'<figure class="value[^"]*" data-form="[^"]+" data-ptr="([^"]+)"', rest)
    assert "/total/score" in others and "/indicators/0/score" in others
    figure = re.search(r'<figure class="value suggested" data-form="[^"]+" data-ptr="/indicators/2/score"(.*?)</figure>', suspect, flags=re.S).group(1)
    assert '读取值 <b class="read">11</b>' in figure and "文本层" in figure and 'data-read="11"' in figure and 'data-suggested="13"' in figure
    assert "<input" not in card  # one editor dialog for the page: inputs per value cost seconds at a thousand forms


def test_a_crop_is_a_lazy_window_onto_the_page_image_stored_once(report_run):
    text = (report_run / "report.html").read_text(encoding="utf-8")
    (card,) = cards(text)
    figure = re.search(r'data-ptr="/indicators/2/score"(.*?)</figure>', card, flags=re.S).group(1)
    window = style(re.search(r'<div class="crop" style="([^"]+)"', figure).group(1))
    image_tag = re.search(r'<img src="([^"]+)"[^>]*style="([^"]+)"', figure)
    assert 'loading="lazy"' in figure
    source = report_run / html.unescape(image_tag.group(1))
    assert source.suffix == ".png" and source.parent.name == FILES_DIR
    assert text.count(image_tag.group(1)) >= 3  # every crop of the page shares the one image
    assert all(p.name.startswith("page-") for p in (report_run / FILES_DIR).iterdir() if p.suffix != ".html" and p.name not in ("report.js", "report.css"))
    placed = style(image_tag.group(2))
    outline = style(re.search(r'<span class="outline" style="([^"]+)"', figure).group(1))
    assert window["width"] <= 340 and 0 <= outline["left"] < outline["left"] + outline["width"] <= window["width"]
    with Image.open(source) as page:
        assert page.size == (1241, 1754) and page.format == "PNG"
        assert len(page.getcolors()) <= 16  # 16 gray levels
        factor = page.width / placed["width"]
        gray = page.convert("L")
        # the outline frames the printed 11: dark glyph pixels inside it, paper around them
        x0, y0 = (outline["left"] - placed["left"]) * factor, (outline["top"] - placed["top"]) * factor
        box = gray.crop((int(x0) + 4, int(y0) + 4, int(x0 + outline["width"] * factor) - 4, int(y0 + outline["height"] * factor) - 4))
        darkest, lightest = box.getextrema()
        assert darkest < 80 and lightest > 200


@pytest.mark.parametrize("width", [1241, 1240, 1])
def test_a_page_image_is_a_4_bit_gray_png_of_its_render_in_16_levels(width):
    rng = np.random.default_rng(width)
    gray = rng.integers(0, 256, size=(37, width), dtype=np.uint8)
    gray[0, :4] = [0, 8, 9, 255][: min(4, width)]  # the edges of the levels
    data = gray4_png(gray)
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
        assert decoded.format == "PNG" and decoded.size == (width, 37)
        shown = np.asarray(decoded.convert("L")).astype(int)
    levels = np.minimum(15, (gray.astype(int) + 8) // 17)
    assert np.array_equal(shown, levels * 17)  # a viewer shows level v as v × 17: 0 → 0, 8 → 0, 9 → 17, 255 → 255
    assert data[24:26] == bytes([4, 0])  # bit depth 4, colour type 0 (gray)


def test_every_form_has_a_page_with_its_image_outlined_or_its_cell_references(report_run):
    for path in sorted((report_run / "forms").glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        page = (report_run / FILES_DIR / f"form-{form['form_id']}.html").read_text(encoding="utf-8")
        assert "资金" in page and "绩效指标" in page and "项目" in page and '<dialog id="editor">' in page
        if form["source"]["method"] == "text_layer":
            for number in form["source"]["pages"]:
                figure = re.search(rf"<figcaption>第 {number} 页</figcaption>.*?</figure>", page, flags=re.S).group(0)
                on_page = [p for p, v in form["provenance"].items() if v["page"] == number]
                assert figure.count("<rect ") == len(on_page) > 10
                image = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)"', figure)
                assert (int(image.group(2)), int(image.group(3))) == (1241, 1754)  # A4 at 150 dpi
                assert (report_run / FILES_DIR / html.unescape(image.group(1))).exists()
                assert 'loading="lazy"' in figure
        else:
            assert "<img" not in page and "无页面图像" in page
            ref = form["provenance"]["/total/score"]["ref"]  # Sheet!H32 or "line 84, field 3"
            assert f'<span class="ref">{ref}</span>' in page
        cells = re.findall(r'<td class="[^"]*editable" tabindex="0" data-ptr="([^"]+)"', page)
        assert "/total/score" in cells and "/indicators/0/score" in cells  # any value can be corrected


def test_stale_files_of_a_previous_report_are_removed(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "a.pdf")
    shutil.copy(DUMP / "2022" / "单表" / "培训经费.pdf", dump / "b.pdf")
    out = tmp_path / "out"
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    before = {p.name for p in (out / FILES_DIR).iterdir()}
    (dump / "a.pdf").unlink()
    assert main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"]) == 0
    after = {p.name for p in (out / FILES_DIR).iterdir()}
    assert after < before and not any(name.startswith("crop-") for name in after)
    assert {name for name in after if name.startswith("page-")} == {name for name in before if name.startswith("page-eca0871a")}  # a.pdf's pages gone
    assert "没有需要复核的表" in (out / "report.html").read_text(encoding="utf-8")


def test_forms_of_unknown_layout_share_one_card_with_the_labels_a_template_needs(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "unknown" / "四川_乡村学校少年宫运行补助.pdf", dump / "sichuan.pdf")
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "broken.pdf")
    out = tmp_path / "out"
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    text = (out / "report.html").read_text(encoding="utf-8")
    assert len(cards(text)) == 1  # the broken form only: the unknown one is in its own card
    unknown = re.search(r'<section id="unknown">.*?</section>', text, flags=re.S).group(0)
    assert "sichuan.pdf" in unknown and "hubei (0.41)" in unknown
    labels = {label.strip(): kind for kind, label in re.findall(r'<li class="(known|new)">([^<]+?) <small>', unknown)}
    assert labels["权重"] == "new" and labels["原因"] == "new" and labels["得分"] == "known"
    assert not any(re.search(r"\d", label) for label in labels)  # values are not labels


# --- hand-built runs: OCR'd page images, ordering ---------------------------------------------


def ocr_form(index: int, checks_failing: int, bbox=(300.0, 400.0, 340.0, 420.0)) -> FormDocument:
    form = FormDocument(
        form_id=f"{'ab' * 8}-{index}",
        title="扫描表",
        template="shenzhen",
        source=Source(file="scan.png", sha256="ab" * 32, form_index=index, pages=[1], method="ocr", ocr_engine="hybrid"),
        indicators=[Indicator("产出", 100.0, "数量", "场次", "10场", "10场", 100.0, 90.0, "x")],
        total=Total(100.0, 95.0 if checks_failing else 90.0),
        provenance={"/indicators/0/score": Provenance(1, bbox, "90", 0.42), "/total/score": Provenance(1, (300.0, 500.0, 340.0, 520.0), "95", 0.97)},
    )
    form.checks = reconcile(form)
    if checks_failing > 1:
        form.checks.append(values_readable([("/project/code", "not a number: 'x'")]))
    form.status = "needs_review"
    return form


def page_webp(bbox: tuple[float, float, float, float]) -> bytes:
    """A 150 dpi page image, as the OCR worker encodes it, with a black box where ``bbox`` (points) is."""
    image = Image.new("L", (1241, 1754), 255)
    ImageDraw.Draw(image).rectangle([v * SCALE for v in bbox], fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=60)
    return buffer.getvalue()


def test_what_a_check_found_is_said_in_chinese_from_its_terms():
    form = ocr_form(0, 2)
    found = {c.rule: check_view(form, c).details for c in form.checks if c.status in ("fail", "warn")}
    assert found["total_score"] == ["总分 得分：表中为 95，1 项相加为 90"]
    assert found["values_readable"] == ["项目编码：印有内容但无法读取（not a number: 'x'）"]
    terms = [
        Term(Op.RATE, "/funding/lines/0/execution_rate", ["/funding/lines/0/executed", "/funding/lines/0/annual_budget"], 90.0, 95.0, False),
        Term(Op.SHARE, "/funding/lines/0/score", ["/funding/lines/0/weight", "/funding/lines/0/execution_rate"], 9.0, 10.0, False),
        Term(Op.AT_MOST, "/indicators/0/score", ["/indicators/0/weight"], 10.0, 12.0, False),
        Term(Op.GRADE, "/total/grade", ["/total/score"], "良", "优", False),
    ]
    form.funding.lines = [FundingLine("年度资金总额")]
    assert [term_zh(form, t) for t in terms] == [
        "年度资金总额 执行率：表中为 95，年度资金总额 全年执行数 ÷ 年度资金总额 全年预算数 × 100 = 90",
        "年度资金总额 得分：表中为 10，年度资金总额 分值 × 年度资金总额 执行率 ÷ 100 = 9",
        "数量 得分 12 高于 数量 分值 10",
        "总分 等级：表中为 优，总分所在分数段的等级为 良",
    ]
    many = Check("total_score", CheckStatus.FAIL, "", [], [Term(Op.SUM, "/total/score", [], 1.0, 2.0, False)] * 12)
    assert check_view(form, many).details[-1] == "……另有 4 项" and len(check_view(form, many).details) == 9


def test_crops_of_ocr_pages_are_windows_onto_the_one_kept_150_dpi_image(tmp_path):
    bbox = (300.0, 400.0, 340.0, 420.0)
    first, second = ocr_form(0, 1, bbox), ocr_form(1, 2, bbox)
    result = RunResult(files=[FileResult("scan.png", "ab" * 32, 1, "needs_review", forms=[first, second], page_images={1: page_webp(bbox)})], seconds=1.0)
    write_report(tmp_path, result)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    found = cards(text)
    assert [re.search(r'id="review-([^"]+)"', s).group(1) for s in found] == [second.form_id, first.form_id]  # worst first
    card = re.search(r'<figure class="value[^"]*" data-form="[^"]+" data-ptr="/indicators/0/score"(.*?)</figure>', found[1], flags=re.S).group(1)
    assert '<span class="conf low">置信度 0.42</span>' in card
    image_tag = re.search(r'<img src="([^"]+)"[^>]*style="([^"]+)"', card)
    assert image_tag.group(1) == "pages/scan.png.p1.webp"  # stored once, in pages/, and nothing in report_files
    assert not [p for p in (tmp_path / FILES_DIR).iterdir() if p.suffix in (".png", ".webp", ".jpg")]
    placed, outline = style(image_tag.group(2)), style(re.search(r'<span class="outline" style="([^"]+)"', card).group(1))
    with Image.open(tmp_path / "pages" / "scan.png.p1.webp") as page:
        gray = page.convert("L")
        factor = page.width / placed["width"]
        centre = ((outline["left"] + outline["width"] / 2 - placed["left"]) * factor, (outline["top"] + outline["height"] / 2 - placed["top"]) * factor)
        beside = (centre[0] - 30 * SCALE, centre[1])
        assert gray.getpixel(tuple(map(int, centre))) < 60 and gray.getpixel(tuple(map(int, beside))) > 200  # the box is where the provenance says
    page = (tmp_path / FILES_DIR / f"form-{first.form_id}.html").read_text(encoding="utf-8")
    assert '<rect class="cell low" data-ptr="/indicators/0/score" x="300.0" y="400.0" width="40.0" height="20.0">' in page
    assert 'viewBox="0 0 595.7 841.9"' in page and 'src="../pages/scan.png.p1.webp"' in page
    confirm = json.loads(html.unescape(re.search(r"data-confirm='([^']*)'", found[1]).group(1)))
    assert confirm == [["/indicators/0/score", "90"]]  # marking the form reviewed confirms its low-confidence value as read


def test_the_download_starts_from_the_current_corrections_file_as_written(tmp_path):
    """Every line of the corrections file the run read, with its note and reviewer, rejected ones
    too, one per value (the later wins, as when applied): a downloaded file loses none of them."""
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(DUMP / "review" / "网格管理事务_得分不符.pdf", dump / "broken.pdf")
    out = tmp_path / "out"
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    form_id = json.loads(next((out / "forms").glob("*.json")).read_text(encoding="utf-8"))["form_id"]
    (dump / "corrections.csv").write_text(
        "form_id,field,value,note,reviewer\n"
        f"{form_id},/indicators/2/score,12,first try,李四\n"
        f'{form_id},/indicators/99/score,1,"a note, with a comma",李四\n'
        f"{form_id},/indicators/2/score,13,原件为13,张三\n",
        encoding="utf-8",
    )
    main(["extract", str(dump), "--out", str(out), "--quiet", "--workers", "0"])
    text = (out / "report.html").read_text(encoding="utf-8")
    existing = json.loads(re.search(r'<script type="application/json" id="existing-lines">(.*?)</script>', text, flags=re.S).group(1))
    assert existing == [
        {"form_id": form_id, "field": "/indicators/99/score", "value": "1", "note": "a note, with a comma", "reviewer": "李四"},
        {"form_id": form_id, "field": "/indicators/2/score", "value": "13", "note": "原件为13", "reviewer": "张三"},
    ]
