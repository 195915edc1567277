"""Spreadsheet cell values as the sheet displays them, from the value and its number format.

A form typed in Excel stores 820000 with the format ``0.00`` and shows ``820000.00``; it stores 95%
as 0.95 with ``0%``. The parser reads printed text, so a spreadsheet extractor hands it the
displayed text, and provenance keeps that text. Covered: ``General``, digit placeholders ``0 # ?``
with decimals, thousands separators and thousands scaling (a trailing ``,``), percent, scientific
``0.00E+00``, literal text (``"元"``, ``\\x``, ``[$¥-804]``), padding ``_x`` and fill ``*x`` (dropped,
as the displayed text is trimmed anyway) and up to four ``;`` sections (positive; negative; zero;
text), which is what the accounting formats of Chinese budget sheets use (zero shown as ``-``).
Dates and times are shown as ISO 8601 whatever their format. Anything else (conditions such as
``[>100]``, fractions, ``[DBNum1]`` Chinese numerals) falls back to ``General``, so a value is never
lost, only shown plainly.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

_DATE_CODES = set("ymdhsYMDHS")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 = 1900-01-01 in the 1900 date system (Lotus leap-year bug included)


def display_value(value: object, number_format: str | None = None) -> str:
    """Given a cell's value (as openpyxl or xlrd give it) and its number format, return its text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        return format_number(float(value), number_format or "General")
    return str(value)


def format_datetime(value: dt.datetime) -> str:
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return value.replace(microsecond=0).isoformat(sep=" ")


def general(value: float) -> str:
    """Excel's General format: integers in full (up to 15 digits), others to 15 significant digits."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text


def format_number(value: float, number_format: str) -> str:
    """Given a number and an Excel number format, return the text Excel shows (see module docstring)."""
    if not math.isfinite(value):
        return general(value)
    original = value
    sections = _split_sections(number_format)
    if value < 0 and len(sections) >= 2 and sections[1].strip():
        section, value, sign = sections[1], -value, ""  # the negative section prints its own sign
    elif value == 0 and len(sections) >= 3 and sections[2].strip():
        section, sign = sections[2], ""
    else:
        section, sign = sections[0], "-" if value < 0 else ""
        value = abs(value)
    tokens = _tokens(section)
    if tokens is None:
        return general(original)
    kinds = {kind for kind, _ in tokens}
    if "date" in kinds:
        return format_datetime(_EXCEL_EPOCH + dt.timedelta(days=original))
    if kinds & {"general", "text"}:
        shown = (general(value) if kind in ("general", "text") else text for kind, text in tokens if kind != "digit")
        return sign + "".join(shown)
    return sign + _render(value, tokens)


def _split_sections(number_format: str) -> list[str]:
    sections, current, quoted, escaped = [], "", False, False
    for ch in number_format:
        if escaped:
            current += ch
            escaped = False
        elif ch == "\\":
            current += ch
            escaped = True
        elif ch == '"':
            current += ch
            quoted = not quoted
        elif ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    sections.append(current)
    return sections


def _tokens(section: str) -> list[tuple[str, str]] | None:
    """Given one format section, return (kind, text) tokens; None when the section is not handled.

    Kinds: digit (``0 # ?``), point, comma, percent, exp (``E+``/``E-``), literal, general, text, date.
    """
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("literal", section[i + 1 : end]))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            tokens.append(("literal", section[i + 1]))
            i += 2
            continue
        if ch in "_*" and i + 1 < len(section):
            i += 2  # padding to a character's width, or a fill: nothing in the displayed text
            continue
        if ch == "[":
            end = section.find("]", i)
            if end < 0:
                return None
            inner = section[i + 1 : end]
            if inner.startswith("$"):
                tokens.append(("literal", inner[1:].split("-", 1)[0]))
            elif inner[:1] in "<>=" or inner.upper().startswith("DBNUM"):
                return None
            i = end + 1
            continue
        if section[i : i + 7].lower() == "general":
            tokens.append(("general", ""))
            i += 7
            continue
        if ch in "0#?":
            tokens.append(("digit", ch))
        elif ch == ".":
            tokens.append(("point", ch))
        elif ch == ",":
            tokens.append(("comma", ch))
        elif ch == "%":
            tokens.append(("percent", ch))
        elif ch in "Ee" and section[i + 1 : i + 2] in ("+", "-"):
            tokens.append(("exp", section[i : i + 2]))
            i += 2
            continue
        elif ch == "@":
            tokens.append(("text", ch))
        elif ch in _DATE_CODES:
            tokens.append(("date", ch))
        elif ch == "/":
            return None  # a fraction
        else:
            tokens.append(("literal", ch))
        i += 1
    return tokens


def _render(value: float, tokens: list[tuple[str, str]]) -> str:
    digit_at = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    literal = "".join(text for kind, text in tokens if kind in ("literal", "percent"))
    if not digit_at:
        return literal  # a section of text only, such as "-" for zero
    first, last = digit_at[0], digit_at[-1]
    prefix = "".join(text for kind, text in tokens[:first] if kind in ("literal", "percent"))
    suffix = "".join(text for kind, text in tokens[last + 1 :] if kind in ("literal", "percent"))
    body = tokens[first : last + 1]
    trailing_commas = 0
    for kind, _ in tokens[last + 1 :]:
        if kind != "comma":
            break
        trailing_commas += 1
    number = Decimal(repr(value)) * (Decimal(100) ** sum(1 for kind, _ in tokens if kind == "percent"))
    number /= Decimal(1000) ** trailing_commas
    exp_at = next((i for i, (kind, _) in enumerate(body) if kind == "exp"), None)
    if exp_at is not None:
        decimals = _decimal_digits(body[:exp_at])
        mantissa, exponent = f"{float(number):.{decimals[1]}E}".split("E")
        width = sum(1 for kind, _ in body[exp_at:] if kind == "digit") or 1
        exp_value = int(exponent)
        exp_sign = "-" if exp_value < 0 else ("+" if body[exp_at][1].endswith("+") else "")
        return prefix + mantissa + "E" + exp_sign + str(abs(exp_value)).zfill(width) + suffix
    point_at = next((i for i, (kind, _) in enumerate(body) if kind == "point"), None)
    integer_tokens = body if point_at is None else body[:point_at]
    min_decimals, max_decimals = _decimal_digits(body)
    rounded = number.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    integer_text, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.ljust(max_decimals, "0")
    while len(fraction) > min_decimals and fraction.endswith("0"):
        fraction = fraction[:-1]
    min_integer = sum(1 for kind, text in integer_tokens if kind == "digit" and text == "0")
    if int(integer_text) == 0 and min_integer == 0:
        integer_text = ""
    integer_text = integer_text.zfill(min_integer)
    grouped = any(kind == "comma" for kind, _ in integer_tokens) and integer_text
    if grouped:
        integer_text = f"{int(integer_text):,}"
    text = integer_text + ("." + fraction if point_at is not None else "")
    return prefix + text + suffix


def _decimal_digits(body: list[tuple[str, str]]) -> tuple[int, int]:
    """(digits always shown, digits shown at most) after the decimal point."""
    point_at = next((i for i, (kind, _) in enumerate(body) if kind == "point"), None)
    if point_at is None:
        return 0, 0
    after = [text for kind, text in body[point_at + 1 :] if kind == "digit"]
    required = 0
    for i, text in enumerate(after):
        if text == "0":
            required = i + 1
    return required, len(after)
