"""The form document: the public JSON contract as dataclasses (see schemas/form.schema.json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.6.0"
PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/
SCHEMA_NAME = "form.schema.json"
# an installed wheel ships the schema as pipeline/schemas/; a checkout has it at the root, schemas/
SCHEMA_PATH = next((p for p in (PACKAGE / "schemas" / SCHEMA_NAME, PACKAGE.parent / "schemas" / SCHEMA_NAME) if p.is_file()), PACKAGE.parent / "schemas" / SCHEMA_NAME)


class FormStatus(StrEnum):
    """A form's ``status``: ``needs_review`` when a check needs a human (rules.form_status)."""

    OK = "ok"
    NEEDS_REVIEW = "needs_review"


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


@dataclass
class ContinuedIn:
    """Pages of a form in a file after its own (a phone's or a scanner's file per page), joined to it."""

    file: str  # path relative to the dump root, "/"-separated
    sha256: str
    pages: list[int]  # 1-based, that file's own numbering


@dataclass
class Source:
    file: str  # path relative to the dump root, "/"-separated
    sha256: str
    form_index: int  # 0-based within the file
    pages: list[int]  # 1-based
    method: str  # text_layer | ocr | spreadsheet | text_export
    ocr_engine: str | None = None  # tesseract | rapidocr, when method is ocr
    continued_in: list[ContinuedIn] = field(default_factory=list)  # the form's pages in later files, in order

    def page_files(self) -> list[tuple[str, int]]:
        """(file, page) of every page the form is printed on, in order: its own file's, then the later files'."""
        return [(self.file, page) for page in self.pages] + [(later.file, page) for later in self.continued_in for page in later.pages]


@dataclass
class Project:
    code: str | None = None
    name: str | None = None
    year: str | None = None
    implementing_unit: str | None = None
    budget_unit: str | None = None
    competent_department: str | None = None
    manager: str | None = None  # 项目负责人
    phone: str | None = None  # 项目负责人's phone (项目负责人及电话)


@dataclass
class FundingLine:
    item: str  # 年度资金总额 | 当年财政拨款 | 上年结转资金 | 其他资金
    initial_budget: float | None = None
    annual_budget: float | None = None
    executed: float | None = None
    weight: float | None = None
    execution_rate: float | None = None
    score: float | None = None


@dataclass
class Funding:
    unit: str | None = None  # 元 | 万元
    lines: list[FundingLine] = field(default_factory=list)


@dataclass
class Goals:
    expected: list[str] = field(default_factory=list)
    actual: list[str] = field(default_factory=list)


@dataclass
class Indicator:
    level1: str | None = None
    level1_weight: float | None = None
    level2: str | None = None
    name: str | None = None
    target: str | None = None
    actual: str | None = None
    weight: float | None = None
    score: float | None = None
    deviation_note: str | None = None
    nature: str | None = None  # 指标性质: ≥ ≤ = (look-alike glyphs normalised)
    unit: str | None = None  # 度量单位


@dataclass
class Total:
    weight: float | None = None
    score: float | None = None
    grade: str | None = None  # 优 / 良 / 中 / 差 printed after the total (Yunnan)


# why a printed row is not kept as a value (the text of ``DroppedRow.reason``)
PLACEHOLDER_DROPPED = "template placeholder left in, nothing filled in"
NO_SCHEMA_ITEM = "funding row with no item in the schema"
INSTRUCTIONS_LEFT_IN = "the template's instructions left in a column the schema has no field for"


@dataclass
class DroppedRow:
    """A printed row the parser did not keep as a value (a template placeholder such as 指标1, a
    funding row the schema has no item for, instructions left in); ``reason`` is one of DROP_REASONS."""

    page: int
    text: str  # the row's own cells as printed, " | "-joined
    reason: str
    file: str | None = None  # printed in this later file of a form joined across files (``Source.continued_in``)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.file is None:
            del out["file"]
        return out


class Op(StrEnum):
    """What a ``Term`` computed ``expected`` from; ``found`` is always the value printed at ``at``."""

    SUM = "sum"  # Σ parts: a total (总分, 年度资金总额, a level-1 weight)
    RATE = "rate"  # parts[0] ÷ parts[1] × 100: 执行率 = 全年执行数 ÷ 全年预算数
    SHARE = "share"  # parts[0] × min(parts[1], 100) ÷ 100: 得分 = 分值 × 执行率
    AT_MOST = "at_most"  # the bound printed at parts[0]: 得分 ≤ 分值
    GRADE = "grade"  # the grade the score at parts[0] earns (优/良/中/差)
    READ = "read"  # nothing: the text printed at ``at`` could not be read as a value (``note`` says why)


@dataclass
class Term:
    """One piece of arithmetic a check did, as data: the value printed at ``at`` (``found``)
    against what ``op`` makes of the values at ``parts`` (``expected``); ``holds`` is the check's
    own verdict, at its tolerance and the printed precision."""

    op: Op
    at: str  # JSON pointer of the value compared: a sum's total, a rate, a score
    parts: list[str]  # JSON pointers of the operands, in order
    expected: float | str | None
    found: float | str | None
    holds: bool
    note: str | None = None  # in words, where numbers do not say it (why a value could not be read)

    def __post_init__(self) -> None:
        self.op = Op(self.op)


@dataclass
class Check:
    """A check's result. ``pointers`` name the values it is about: for a fail or warn the values
    at fault (a failing sum's parts and total, a doubtful reading), for a pass the values its
    arithmetic compared. ``terms`` is that arithmetic; a check over single values (a score within
    its weight) lists only the values at fault. ``message`` says the same in words."""

    rule: str
    status: CheckStatus
    message: str
    pointers: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    suggestion: str | None = None  # the suggestion from arithmetic appended to message (suggest.annotate)

    def __post_init__(self) -> None:
        self.status = CheckStatus(self.status)


@dataclass
class Correction:
    """A reviewer's correction from corrections.csv, applied after extraction: both values kept."""

    field: str  # JSON pointer of the corrected value, e.g. /indicators/2/score
    extracted: str | float | None  # the value as extracted (printed)
    corrected: str | float | None  # the reviewer's value, typed by the schema
    note: str | None = None
    reviewer: str | None = None


@dataclass
class Provenance:
    """Where a value was printed: page (1-based), bbox in points from the top-left, raw text."""

    page: int
    bbox: tuple[float, float, float, float]
    text: str
    confidence: float | None = None
    ref: str | None = None  # the source's own name for the cell: "Sheet1!C7", "line 17, field 2"
    file: str | None = None  # printed in this later file of a form joined across files (``Source.continued_in``); page is that file's

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"page": self.page, "bbox": [round(float(v), 2) for v in self.bbox], "text": self.text}
        if self.file is not None:
            out["file"] = self.file
        if self.confidence is not None:
            out["confidence"] = round(float(self.confidence), 3)
        if self.ref is not None:
            out["ref"] = self.ref
        return out


@dataclass
class FormDocument:
    form_id: str
    title: str | None
    template: str
    source: Source
    project: Project = field(default_factory=Project)
    funding: Funding = field(default_factory=Funding)
    goals: Goals = field(default_factory=Goals)
    indicators: list[Indicator] = field(default_factory=list)
    total: Total = field(default_factory=Total)
    other_notes: str | None = None  # 其他需要说明事项 and other free text printed after the total
    dropped_rows: list[DroppedRow] = field(default_factory=list)
    status: FormStatus = FormStatus.OK
    checks: list[Check] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        """Key order follows the contract, so files diff well and read top-down."""
        return {
            "schema_version": self.schema_version,
            "form_id": self.form_id,
            "status": self.status,
            "title": self.title,
            "template": self.template,
            "source": asdict(self.source),
            "project": asdict(self.project),
            "funding": asdict(self.funding),
            "goals": asdict(self.goals),
            "indicators": [asdict(i) for i in self.indicators],
            "total": asdict(self.total),
            "other_notes": self.other_notes,
            "dropped_rows": [d.to_json() for d in self.dropped_rows],
            "checks": [asdict(c) for c in self.checks],
            "corrections": [asdict(c) for c in self.corrections],
            "provenance": {pointer: p.to_json() for pointer, p in self.provenance.items()},
        }
