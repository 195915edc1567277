"""Printed text to values (pipeline.model.values): strict numbers, text as printed."""

from __future__ import annotations

import pytest

from pipeline.model.values import NumberResult, clean_text, comparison_sign, decimals, html_items, parse_number, person_and_phone, text_items


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("820000.00", 820000.0),
        ("1,234.5", 1234.5),
        ("1,234,567.89", 1234567.89),
        ("100%", 100.0),
        ("100.00%", 100.0),
        ("86.25%", 86.25),
        ("１００", 100.0),
        ("１００％", 100.0),
        ("８６．４", 86.4),
        (" 98 ", 98.0),
        ("0", 0.0),
        ("0.00", 0.0),
        ("-5", -5.0),
        (".5", 0.5),
    ],
)
def test_numbers(text, value):
    result = parse_number(text)
    assert result == NumberResult(value)
    assert result.problem is None


@pytest.mark.parametrize("text", ["—", "-", "/", "", "   ", "－", "——", "／", "无", None])
def test_not_applicable_marks_give_none_without_a_problem(text):
    assert parse_number(text) == NumberResult(None, None)


@pytest.mark.parametrize("text", ["举办15场", "15场", "1,23", "12.3.4", "约100", "%", "100%%"])
def test_text_that_is_not_a_number_is_reported(text):
    result = parse_number(text)
    assert result.value is None
    assert result.problem is not None
    assert text.strip() in result.problem


def test_problem_message_quotes_the_printed_text():
    assert parse_number("举办15场") == NumberResult(None, "not a number: '举办15场'")


def test_percent_can_be_refused():
    assert parse_number("100%", percent_ok=False).value is None
    assert parse_number("100%", percent_ok=False).problem is not None
    assert parse_number("100", percent_ok=False).value == 100.0


@pytest.mark.parametrize(
    ("text", "places"),
    [("8.62", 2), ("100%", 0), ("100", 0), ("86.25", 2), ("100.00%", 2), ("8.6", 1), ("1,234.500", 3), ("８．６２", 2), (" 9 ", 0)],
)
def test_decimals(text, places):
    assert decimals(text) == places


def test_decimals_agrees_with_parse_number_when_a_space_precedes_percent():
    # regression: decimals() once counted the space before % as a decimal place
    assert parse_number("86.4 %").value == 86.4
    assert decimals("86.4 %") == 1
    assert decimals("８６．４ ％") == 1


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  培训经费  ", "培训经费"),
        ("效益 (30分)", "效益 (30分)"),  # inner spaces and punctuation kept as printed
        ("项目资金（元）", "项目资金（元）"),  # full-width punctuation not normalised
        ("１００", "１００"),
        ("a\nb", "a\nb"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_text_keeps_text_as_printed_and_trims(text, cleaned):
    assert clean_text(text) == cleaned


def test_clean_text_turns_html_paragraphs_into_lines():
    assert clean_text("<p>a</p> <p>b &amp; c</p>") == "a\nb & c"
    assert clean_text("<p> </p>") is None


def test_text_items_splits_paragraphs():
    assert text_items("<p>a</p> <p>b</p>") == ["a", "b"]
    assert text_items('<P class="x">第一条</P>\n<p>第二条</p>') == ["第一条", "第二条"]
    assert text_items("<p>a</p><p></p><p> b </p>") == ["a", "b"]


def test_text_items_unescapes_entities():
    assert text_items("<p>A &amp; B</p><p>&lt;5%</p>") == ["A & B", "<5%"]


def test_text_items_inline_tags_and_breaks():
    assert text_items("<p><b>加粗</b>文字</p>") == ["加粗文字"]
    assert text_items("第一行<br>第二行<br/>第三行") == ["第一行", "第二行", "第三行"]


def test_text_items_plain_text_is_one_item():
    text = " 培训项目预算执行率过99%以上，提高业务人员能力水平。\n提供更好的服务。 "
    assert text_items(text) == [text.strip()]
    assert text_items("完成率>90%") == ["完成率>90%"]


@pytest.mark.parametrize("text", [None, "", "  \n "])
def test_text_items_empty(text):
    assert text_items(text) == []


def test_html_items_without_paragraphs_is_one_item():
    assert html_items("<span>x</span>") == ["x"]


# --- 指标性质 and 项目负责人及电话 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "sign"),
    [("≥", "≥"), ("≧", "≥"), ("≦", "≤"), ("═", "="), ("﹦", "="), ("＝", "="), (" >= ", ">="), ("<=", "<="), ("定性", "定性"), ("—", None), ("", None)],
)
def test_comparison_sign_normalises_look_alikes(printed, sign):
    assert comparison_sign(printed) == sign


@pytest.mark.parametrize(
    ("printed", "parts"),
    [
        ("李建华 0873-4521368", ("李建华", "0873-4521368")),
        ("李建华/13908761234", ("李建华", "13908761234")),
        ("王芳（0871-65123456）", ("王芳", "0871-65123456")),
        ("李明 电话：0873 4521368", ("李明", "0873 4521368")),
        ("谢凯13990260322(办公)", ("谢凯", "13990260322(办公)")),
        ("张三", ("张三", None)),
        ("13908761234", (None, "13908761234")),
        ("", (None, None)),
    ],
)
def test_person_and_phone(printed, parts):
    assert person_and_phone(printed) == parts
