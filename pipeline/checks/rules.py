"""Every check rule in one table: its name, what it means in Chinese and English, and whether a
warning of it sends the form to a human. A form's status is decided here and nowhere else.

The functions that run the rules live in ``reconcile`` (arithmetic and structure of the document)
and ``run`` / ``corrections`` (what the parser or a reviewer reported); this table is what the
report, the manifest summary and the status read, so a new rule is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model.document import Check, CheckStatus, FormStatus
from pipeline.model.result import FileResult, FileStatus


@dataclass(frozen=True)
class Rule:
    name: str
    title_zh: str  # for the archivists who review
    title_en: str
    warning_needs_review: bool = False  # a warning of this rule sends the form to review (a fail always does)


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("total_score", "得分合计与总分不符", "Scores do not add up to the total"),
        Rule("total_weight", "分值合计与总分分值不符", "Weights do not add up to the total weight"),
        Rule("level1_weight", "二级指标分值合计与一级指标分值不符", "Indicator weights do not add up to their level-1 weight"),
        Rule("score_within_weight", "得分高于分值", "A score is higher than its weight"),
        Rule("funding_sum", "资金来源合计与年度资金总额不符", "Funding lines do not add up to 年度资金总额"),
        Rule("execution_rate", "执行率与金额不符", "执行率 does not match the amounts"),
        Rule("funding_score", "预算执行得分与分值×执行率不符", "Funding score does not match 分值 × 执行率"),
        Rule("deviation_note", "扣分但未填写偏差原因", "Points docked without a 偏差原因"),
        Rule("low_confidence", "识别把握不大的值", "Values OCR read with low confidence", warning_needs_review=True),
        Rule("repeated_funding_score", "其中行重复填写分值或得分", "A 其中 funding row repeats 分值/得分"),
        Rule("double_counted_indicator", "子项与上级指标重复计分", "Child rows carry points their parent carries too"),
        Rule("placeholder_rows", "模板占位行未删除", "Template placeholders left in"),
        Rule("zero_funding_total", "年度资金总额填为零", "年度资金总额 printed as zeros over filled 其中 rows"),
        Rule("grade", "等级与总分不符", "The grade is not the one the total earns"),
        Rule("indicator_levels", "指标行缺少一级或二级指标", "Indicator rows not placed under their level-1 / level-2"),
        Rule("points_read", "指标行缺少分值和得分", "Indicator rows without 分值 or 得分 where the others carry them"),
        Rule("header_in_values", "表头文字被读作数值", "Header labels read as values"),
        Rule("nature_read", "指标性质未读出", "A 指标性质 sign printed but not read"),
        Rule("level_names_whole", "指标名称不完整", "A level name cut short"),
        Rule("layout_known", "未识别的表样", "Layout no template describes"),
        Rule("title_found", "未读到表题", "The form's title was not read"),
        Rule("values_readable", "无法读取的印刷值", "Printed values that could not be read"),
        Rule("structure_read", "表中有未读取的列或行", "Printed columns or rows that were not read"),
        Rule("indicators_found", "未找到绩效指标行", "No indicator rows found"),
        Rule("schema", "不符合JSON结构定义", "The document breaks the JSON schema"),
        Rule("corrections", "corrections.csv 中的更正", "Corrections from corrections.csv"),
    )
}


def rule_for(name: str) -> Rule:
    """The rule of that name; an unregistered name still gets a title (its own name)."""
    return RULES.get(name) or Rule(name, name, name)


def needs_human(check: Check) -> bool:
    """A failed check, or a warning of a rule whose warnings need a human."""
    return check.status == CheckStatus.FAIL or check.status == CheckStatus.WARN and rule_for(check.rule).warning_needs_review


def form_status(checks: list[Check]) -> FormStatus:
    """``needs_review`` when any check needs a human, else ``ok``: the one place this is decided."""
    return FormStatus.NEEDS_REVIEW if any(needs_human(c) for c in checks) else FormStatus.OK


# What each rule means, in the archivists' words (the review report shows it under the title).
MEANING_ZH: dict[str, str] = {
    "total_score": "各项得分（预算执行率得分与各三级指标得分）相加，应等于表中印的总分得分。不等时，通常是某个数字印错或读错。",
    "total_weight": "各项分值相加，应等于总分的分值（一般为100分）。",
    "level1_weight": "同一一级指标下各三级指标的分值相加，应等于该一级指标标注的分值，如“产出(50分)”。",
    "score_within_weight": "每项得分不应高于它的分值。",
    "funding_sum": "资金来源各行（其中：财政拨款、上年结转、其他资金）的金额相加，应等于年度资金总额。",
    "execution_rate": "执行率应等于全年执行数 ÷ 全年预算数（按表中印的精度，允许四舍五入）。",
    "funding_score": "预算执行率得分应等于分值 × 执行率（按表中印的精度）。",
    "deviation_note": "扣了分却没有填写偏差原因分析：请核对得分是否读对，或原表是否漏填。",
    "low_confidence": "扫描件上的数字或文字识别把握不大（置信度低于0.8，或两个识别引擎读法不一致），需要人工对照原件确认。",
    "repeated_funding_score": "“其中”资金行也填了分值或得分；只计年度资金总额一行，其余不重复计算。",
    "double_counted_indicator": "明细行与其上级指标重复计分；合计时只计上级指标。",
    "placeholder_rows": "表中留有模板占位内容（如“指标1”“……”），未删除。",
    "zero_funding_total": "年度资金总额一行填为零，而其中各行有金额；资金合计与执行率检查因此跳过。",
    "grade": "总分后印的等级应与总分所在的分数段一致。",
    "indicator_levels": "有指标行没有读到所属的一级或二级指标，可能是合并单元格没有还原。",
    "points_read": "有指标行缺少分值或得分，而同表其他行都有。",
    "header_in_values": "把表头文字（如“得分”“绩效指标”）读成了数值或目标内容。",
    "nature_read": "表中印有指标性质符号（≥、≤、=），但这一行的没有读出。",
    "pages_joined": "这张表的后续页是单独的文件（手机或扫描仪一页一个文件），按文件夹中的顺序拼接到本表；总分与各页得分之和不符或没有总分时，请确认这些页确实属于同一张表。",
    "level_names_whole": "一级或二级指标名称只读到开头（如“可持续影”），其余部分可能被分页或单元格截断，请对照原件。",
    "layout_known": "表样不属于任何已知模板：按表头含义读取，结果需逐项核对；可据此新增模板。",
    "title_found": "表格上方的表题（如“项目支出绩效自评表”）没有读到：可能被裁掉或识别失败，请对照原件补录。",
    "values_readable": "表中印有内容，但不是可识别的数字，已保留为空值。",
    "structure_read": "表中有列或行没有读取（表头无法对应到字段、必有的列缺失或无值），数据可能不完整。",
    "indicators_found": "没有找到绩效指标行。",
    "schema": "生成的数据不符合JSON结构定义，属于程序问题，请报告。",
    "corrections": "corrections.csv 中针对本表的更正：已应用，或因字段、类型不符而未应用。",
}


def meaning_zh(name: str) -> str:
    """What the rule checks, in Chinese; empty for an unregistered rule."""
    return MEANING_ZH.get(name, "")


def summarise(result: FileResult) -> None:
    """Status and message of a file that gave forms, from its forms, notes and fixes (again after corrections)."""
    review = [f for f in result.forms if f.status != FormStatus.OK]
    result.status = FileStatus.NEEDS_REVIEW if review or result.notes else FileStatus.OK
    summary = f"{len(result.forms)} form(s)"
    if review:
        rules = {c.rule for f in review for c in f.checks if needs_human(c)}
        summary += f", {len(review)} need review ({', '.join(sorted(rules))})"
    result.message = "; ".join([summary] + result.notes + result.fixes)
    result.reason = "checks_failed" if review else "page_errors" if result.notes else ""
