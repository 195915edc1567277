"""Turning printed cell text into values, without inventing anything.

Text is kept exactly as printed (only trimmed); numbers are parsed strictly, and a cell that is
neither a number nor a not-applicable mark gives ``NumberResult(value=None, problem=...)`` so the
caller can report it instead of guessing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from pipeline.model.vocabulary import NOT_A_NUMBER, OVERFLOW_MARK

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class NumberResult:
    value: float | None
    problem: str | None = None  # why a printed, non-empty cell gave no number


def parse_number(text: str | None, percent_ok: bool = True) -> NumberResult:
    """``820000.00`` -> 820000.0, ``1,234.5`` -> 1234.5, ``100.00%`` -> 100.0, ``—`` -> None."""
    if text is None:
        return NumberResult(None)
    flat = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if flat in NOT_A_NUMBER:
        return NumberResult(None)
    if percent_ok and flat.endswith("%"):
        flat = flat[:-1]
    if _NUMBER.fullmatch(flat):
        return NumberResult(float(flat.replace(",", "")))
    if is_overflow_mark(flat):
        return NumberResult(None, overflow_problem(text))
    return NumberResult(None, f"not a number: {text.strip()!r}")


_AMOUNT_WITH_UNIT = re.compile(r"(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>万元|万|元)")


def amount_with_unit(text: str | None) -> tuple[float, str] | None:
    """``150万`` -> (150.0, "万元"), ``3.5万元`` -> (3.5, "万元"), ``8000元`` -> (8000.0, "元"): an amount
    that states its own unit; None for anything else."""
    if text is None:
        return None
    found = _AMOUNT_WITH_UNIT.fullmatch(unicodedata.normalize("NFKC", text).strip().replace(" ", ""))
    if found is None:
        return None
    unit = "万元" if found.group("unit").startswith("万") else "元"
    return float(found.group("number").replace(",", "")), unit


def decimals(text: str) -> int:
    """How many decimals the printed number shows (``8.62`` -> 2, ``100%`` -> 0)."""
    flat = unicodedata.normalize("NFKC", text).replace(" ", "").strip().rstrip("%")
    return len(flat.split(".", 1)[1]) if "." in flat else 0


def is_overflow_mark(text: str) -> bool:
    """The cell printed ``###``: its number was too wide for the column, so no value was printed."""
    return OVERFLOW_MARK.fullmatch(unicodedata.normalize("NFKC", text).strip().replace(" ", "")) is not None


# an OCR'd cell with print in it that no engine read as text (``ocr.engines.read_cells`` gives it
# confidence 0): its value is unknown, not empty
INK_NOT_READ = "print in the cell that no OCR engine read as text: the value is not known"


def overflow_problem(text: str) -> str:
    return f"printed {text.strip()!r}: the sheet's number did not fit its column, so its value is not in the print"


def clean_text(text: str | None) -> str | None:
    """Trimmed text as printed, HTML tags turned into line breaks; empty -> None."""
    if text is None:
        return None
    if _TAG.search(text):
        items = html_items(text)
        return "\n".join(items) if items else None
    stripped = text.strip()
    return stripped or None


def html_items(text: str) -> list[str]:
    """``<p>a</p> <p>b</p>`` -> ["a", "b"]; text without paragraphs -> one item."""
    paragraphs = _PARAGRAPH.findall(text)
    if not paragraphs:
        paragraphs = _BREAK.split(text)
    items = [html.unescape(_TAG.sub("", p)).strip() for p in paragraphs]
    return [item for item in items if item]


def text_items(text: str | None) -> list[str]:
    """A goal cell as a list: HTML paragraphs become items, plain text is one item."""
    if text is None or not text.strip():
        return []
    if _TAG.search(text):
        return html_items(text)
    return [text.strip()]


# 指标性质: look-alike glyphs typed for the comparison signs (≧ U+2267, ≦ U+2266, ═ U+2550, and
# after NFKC ﹦ U+FE66 and ＝ U+FF1D are "="); an ASCII >= or <= is a spelling, not a look-alike,
# and is kept as printed (河北 成安 types >=)
_SIGN_LOOKALIKES = (("≧", "≥"), ("≦", "≤"), ("═", "="))


# how OCR reads the signs of a 指标性质 cell: the bars of = and of ≥'s underline come out as 一
_OCR_SIGN_READINGS = {"一一": "=", "二": "=", "==": "=", ">一": "≥", "≥一": "≥", "<一": "≤", "≤一": "≤"}


def comparison_sign(text: str | None, ocr: bool = False) -> str | None:
    """A 指标性质 cell as the sign it means: ``≧`` -> ``≥``, ``═`` / ``﹦`` -> ``=``; other text
    (定性, …) is kept as printed, trimmed; empty and not-applicable marks are None. An OCR'd cell
    may also be a known misreading of a sign (``一一`` for ``=``): the cell holds nothing else."""
    if text is None:
        return None
    flat = "".join(unicodedata.normalize("NFKC", text).split())
    if flat in NOT_A_NUMBER:
        return None
    if ocr and flat in _OCR_SIGN_READINGS:
        return _OCR_SIGN_READINGS[flat]
    for lookalike, sign in _SIGN_LOOKALIKES:
        flat = flat.replace(lookalike, sign)
    return flat


_PHONE = re.compile(r"(?:\+?86[-\s]?)?(?:\(\d{3,4}\)|\d)[\d\s\-]{5,}\d(?:(?:转|-)\d{1,5})?")
_NAME_SEPARATORS = " \t,，、;；/:：()（）"


def person_and_phone(text: str | None) -> tuple[str | None, str | None]:
    """``李建华 0873-4521368`` -> ("李建华", "0873-4521368"): a 项目负责人及电话 cell taken apart.

    The phone is everything from the first run of at least seven digits (with dashes, spaces, an
    area code in brackets) on; what comes before it is the person. Without a phone the whole text
    is the person.
    """
    cleaned = clean_text(text)
    if cleaned is None:
        return None, None
    flat = unicodedata.normalize("NFKC", cleaned)
    phones = [m for m in _PHONE.finditer(flat) if sum(ch.isdigit() for ch in m.group()) >= 7]
    if not phones:
        return cleaned, None
    found = phones[0]
    person = flat[: found.start()].strip(_NAME_SEPARATORS)
    for word in ("联系电话", "电话", "手机"):
        person = person.removesuffix(word).strip(_NAME_SEPARATORS)
    phone = flat[found.start() :].strip()  # the phone with what follows it: 13990260322(办公)
    if flat[: found.start()].rstrip().endswith("(") and phone.endswith(")") and phone.count(")") > phone.count("("):
        phone = phone[:-1].rstrip()  # 王芳(0871-65123456): the brackets were around the number
    return person or None, phone
