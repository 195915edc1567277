"""Every check rule in one table: its name, what it means in Chinese and English, and whether a
warning of it sends the form to a human. A form's status is decided here and nowhere else.

The functions that run the rules live in ``reconcile`` (arithmetic and structure of the document)
and ``run`` / ``corrections`` (what the parser or a reviewer reported); this table is what the
report, the manifest summary and the status read, so a new rule is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Check, CheckStatus, FormStatus


@dataclass(frozen=True)
class Rule:
    name: str
    title_zh: str  # for the archivists who review
    title_en: str
    warning_needs_review: bool = False  # a warning of this rule sends the form to review (a fail always does)


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("total_score", "得分合计与总分不符", "Scores do not add up to the total"),
    Rule("total_weight", "分值合计与总分分值不符", "Weights do not add up to the total weight"),
    Rule("level1_weight", "二级指标分值合计与一级指标分值不符", "Indicator weights do not add up to their level-1 weight"),
    Rule("score_within_weight", "得分高于分值", "A score is higher than its weight"),
    Rule("funding_sum", "资金来源合计与年度资金总额不符", "Funding lines do not add up to 年度资金总额"),
    Rule("execution_rate", "执行率与金额不符", "执行率 does not match the amounts"),
    Rule("funding_score", "预算执行得分与分值×执行率不符", "Funding score does not match 分值 × 执行率"),
    Rule("deviation_note", "扣分但未填写偏差原因", "Points docked without a 偏差原因"),
    Rule("low_confidence", "识别置信度低的数字或编码", "Numbers or codes OCR read with low confidence", warning_needs_review=True),
    Rule("repeated_funding_score", "其中行重复填写分值或得分", "A 其中 funding row repeats 分值/得分"),
    Rule("double_counted_indicator", "子项与上级指标重复计分", "Child rows carry points their parent carries too"),
    Rule("placeholder_rows", "模板占位行未删除", "Template placeholders left in"),
    Rule("zero_funding_total", "年度资金总额填为零", "年度资金总额 printed as zeros over filled 其中 rows"),
    Rule("grade", "等级与总分不符", "The grade is not the one the total earns"),
    Rule("indicator_levels", "指标行缺少一级或二级指标", "Indicator rows not placed under their level-1 / level-2"),
    Rule("points_read", "指标行缺少分值和得分", "Indicator rows without 分值 or 得分 where the others carry them"),
    Rule("header_in_values", "表头文字被读作数值", "Header labels read as values"),
    Rule("nature_read", "指标性质未读出", "A 指标性质 sign printed but not read"),
    Rule("layout_known", "未识别的表样", "Layout no template describes"),
    Rule("values_readable", "无法读取的印刷值", "Printed values that could not be read"),
    Rule("structure_read", "表中有未读取的列或行", "Printed columns or rows that were not read"),
    Rule("indicators_found", "未找到绩效指标行", "No indicator rows found"),
    Rule("schema", "不符合JSON结构定义", "The document breaks the JSON schema"),
    Rule("corrections", "corrections.csv 中的更正", "Corrections from corrections.csv"),
)}


def rule_for(name: str) -> Rule:
    """The rule of that name; an unregistered name still gets a title (its own name)."""
    return RULES.get(name) or Rule(name, name, name)


def needs_human(check: Check) -> bool:
    """A failed check, or a warning of a rule whose warnings need a human."""
    return check.status == CheckStatus.FAIL or check.status == CheckStatus.WARN and rule_for(check.rule).warning_needs_review


def form_status(checks: list[Check]) -> FormStatus:
    """``needs_review`` when any check needs a human, else ``ok``: the one place this is decided."""
    return FormStatus.NEEDS_REVIEW if any(needs_human(c) for c in checks) else FormStatus.OK
