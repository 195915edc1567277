"""The domain vocabulary: every label the parser anchors on, with its known synonyms.

Labels are compared after ``normalise_label`` (NFKC, so full-width and half-width punctuation
agree; whitespace, a leading ``*`` required-field mark, a ``其中:`` prefix and trailing colons
removed; parenthesised parts such as ``(元)`` or ``(50分)`` split off). This is the shared base:
add a synonym every layout may print here, a label of one layout in its template
(``pipeline/parse/templates/*.toml``), never in the parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

FORM_TITLE_MARK = "项目支出绩效自评表"
# every title a project form may end with: the usual one and the 衔接资金 "…项目绩效目标自评表"
# 阆中's title drops the 表; a fund's own form is titled by the fund (就业补助资金绩效自评表, 专项资金绩效自评表)
FORM_TITLE_MARKS = (FORM_TITLE_MARK, "绩效目标自评表", "项目绩效自评表", "支出绩效自评表", "项目自评表", "绩效目标自评", "资金绩效自评表")
OTHER_FORM_TITLES = {
    "部门整体支出绩效自评表": "department overall form (部门整体支出绩效自评表)",
    "单位整体支出绩效自评表": "unit overall form (单位整体支出绩效自评表)",
}

HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("项目编码", "项目代码", "项目编号"),
    "name": ("项目名称", "项目支出名称", "转移支付名称", "转移支付项目名称", "专项名称"),  # 转移支付(项目)名称; 专项名称 of a 专项转移支付 form
    "year": ("绩效自评年度", "自评年度", "评价年度"),
    # not 单位名称: the unit that fills the form in, which Hubei prints above a table naming its 项目实施单位
    "implementing_unit": ("实施单位", "项目实施单位", "项目执行单位", "执行单位", "项目承担单位", "承担单位", "资金使用单位"),
    "budget_unit": ("一级预算单位", "预算单位", "预算部门"),
    # a transfer payment's form names one per level (自治区/市级主管部门 over 市县/县级主管部门):
    # the project's is the local one; the level above has no field, and is reported unread
    "competent_department": ("主管部门", "主管单位", "项目主管部门", "项目主管单位", "业务主管部门", "归口管理部门", "县级主管部门", "市县主管部门", "区县主管部门", "县区主管部门", "地方主管部门"),
    # not 负责人 alone: a 财务负责人 is not the project's
    "manager": ("项目负责人",),
    "phone": ("联系电话", "项目负责人电话"),
    "manager_phone": ("项目负责人及电话", "项目负责人及联系电话", "联系人及电话", "联系人及联系电话"),  # one cell, two values
}
# labels that name a field only on a form that prints none of the field's own labels above: 单位名称
# is the unit that fills the form in (Hubei prints it above a table naming its 项目实施单位; 遂宁's
# 区域 form names no other unit); 省级主管部门 is the most local department a 区域 form names (安居)
FALLBACK_HEADER_FIELDS: dict[str, tuple[str, ...]] = {"implementing_unit": ("单位名称",), "competent_department": ("省级主管部门",)}
# a header label of the kind the schema holds: one no synonym above names fails a structure check
HEADER_LABEL_ENDINGS = ("单位", "部门", "名称", "编码", "编号", "代码", "负责人", "电话")

FUNDING_BLOCK = ("项目资金", "资金使用情况", "预算执行情况")

FUNDING_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算"),
    "annual_budget": ("全年预算数", "调整预算数", "调整后预算数", "全年预算"),
    "executed": ("全年执行数", "预算执行数", "执行数"),
    "weight": ("分值", "权重"),
    "execution_rate": ("执行率", "预算执行率", "预算执行进度"),
    "score": ("得分",),
}

FUNDING_ITEMS: dict[str, tuple[str, ...]] = {
    "年度资金总额": ("年度资金总额", "资金总额"),
    "当年财政拨款": ("当年财政拨款", "本年财政拨款", "财政拨款"),
    "上年结转资金": ("上年结转资金", "上年结余结转资金", "上年结转"),
    "其他资金": ("其他资金",),
}

GOAL_BLOCK = ("年度总体目标", "总体目标完成情况")
GOAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "expected": ("预期目标", "年初设定目标", "项目年度目标", "年度目标", "绩效目标", "总体目标", "年度预期目标"),
    "actual": ("实际完成情况", "年度总体目标完成情况综述", "年度目标完成情况", "目标完成情况", "完成情况", "全年实际完成情况", "具体完成情况", "目标实际完成情况"),
}

INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标",),
    "target": ("年度指标值", "指标值"),
    "actual": ("实际完成值",),
    "weight": ("分值", "权重"),
    "score": ("得分",),
    "deviation_note": ("偏差原因分析及改进措施", "偏差原因分析及改进", "偏差原因分析", "未完成原因分析"),
}

TOTAL_LABELS = ("总分", "合计")
# other words real forms put on the total row: 自评总分, 综合得分, 得分合计, 总计
TOTAL_LABEL_ENDINGS = ("总分", "得分合计", "分数合计", "综合得分", "总计")


# the label a total row prints before its grade (总分(100分) | 100 | 自评等级 | 优)
GRADE_LABELS = ("自评等级", "评价等级", "绩效等级", "等级")


def is_total_label(text: str, labels: tuple[str, ...] = TOTAL_LABELS, ocr: bool = False) -> bool:
    """The label of the total row (总分 | 100 | 98, 总分(100分)): one of the layout's, or a word
    ending like one. ``ocr``: a ruling line's remnant read at either end is not part of it (a
    photo's 总分(100分)1)."""
    flat = normalise_label(text).base
    if ocr:
        flat = flat.strip(REMNANT_MARKS + "1lI")
    return flat in labels or len(flat) <= 6 and flat.endswith(TOTAL_LABEL_ENDINGS)


@dataclass(frozen=True)
class RoleRule:
    """A column or row role told by the words a label contains, for labels no synonym names:
    ``全年实际值`` and ``实际完成值(B)`` hold actual values whatever a layout calls them."""

    role: str
    words: tuple[str, ...]  # every one appears in the bare label
    unless: tuple[str, ...] = ()  # none of these does


ROLE_MAX_LENGTH = 16  # a longer cell is a sentence (a value), not a header label
# a numbered section's heading (四、年度绩效指标完成情况, （二）预算执行情况): the caption of a block of the
# table, often a cell down its left side, never a column's label (完成情况 in it is no 实际完成值)
SECTION_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\))")

# Checked in order, after the synonym tables: the first rule whose words a label holds gives its role.
INDICATOR_ROLES: tuple[RoleRule, ...] = (
    RoleRule("deviation_note", ("原因",)),
    RoleRule("deviation_note", ("偏差",)),
    RoleRule("deviation_note", ("改进措施",)),
    RoleRule("nature", ("指标性质",)),
    RoleRule("nature", ("符号",)),  # 河北's 预期指标值 over 符号 | 单位(文字描述)
    RoleRule("unit", ("度量单位",)),
    RoleRule("unit", ("计量单位",)),
    RoleRule("level1", ("一级",)),
    # a scored checklist (随州: 项目权重 | 评价内容 | 分值 | 自评分): 项目权重 holds each block's label
    # with its points (项目决策2分), 评价内容 what is scored; not a weight column
    RoleRule("level1", ("项目权重",)),
    RoleRule("name", ("评价内容",)),
    RoleRule("level2", ("二级",)),
    RoleRule("name", ("三级",)),
    RoleRule("name", ("指标名称",)),
    RoleRule("name", ("指标内容",)),
    # not last year's (新疆 阜康's 上年完成值 beside 指标实际完成值 took the 实际 column)
    RoleRule("actual", ("实际",), ("实际完成情况", "上年")),
    RoleRule("actual", ("完成值",), ("上年",)),
    RoleRule("actual", ("完成情况",), ("总体", "上年")),
    RoleRule("target", ("指标值",)),
    RoleRule("target", ("目标值",)),
    RoleRule("target", ("预期值",)),
    RoleRule("target", ("计划值",)),
    RoleRule("weight", ("分值",)),
    RoleRule("weight", ("权重",)),
    RoleRule("score", ("得分",)),
    RoleRule("score", ("评分",)),
)

FUNDING_ROLES: tuple[RoleRule, ...] = (
    RoleRule("execution_rate", ("执行率",)),
    RoleRule("execution_rate", ("完成率",)),
    RoleRule("initial_budget", ("年初",)),
    RoleRule("annual_budget", ("调整",)),
    RoleRule("annual_budget", ("全年预算",)),
    RoleRule("annual_budget", ("预算数",)),
    RoleRule("executed", ("执行数",)),
    RoleRule("executed", ("执行金额",)),
    RoleRule("executed", ("支出数",)),
    RoleRule("executed", ("实际支出",)),
    RoleRule("executed", ("决算数",)),
    RoleRule("weight", ("分值",)),
    RoleRule("weight", ("权重",)),
    RoleRule("score", ("得分",)),
    RoleRule("note", ("原因",)),  # a reason column some layouts print beside the budget (not stored: see parse)
)

LEVEL_SHARES = ("中央", "地方", "省级", "市级", "县级", "区级", "市县", "省市")
# funding rows by meaning (年度财政资金总额, 其中:财政资金); rows the schema has no item for
# (财政专户管理资金, 单位资金) are listed in a form's dropped_rows, not forced into one
FUNDING_ITEM_ROLES: tuple[RoleRule, ...] = (
    RoleRule("年度资金总额", ("总额",)),
    RoleRule("年度资金总额", ("总计",)),
    RoleRule("上年结转资金", ("结转",)),
    RoleRule("上年结转资金", ("结余",)),
    RoleRule("其他资金", ("其他",), LEVEL_SHARES),  # 地方资金/其他: a level's share with the rest
    # not a government level's share of a transfer payment (其中:中央财政资金 | 地方资金 | 其他资金):
    # each level's money is appropriated that year; the split has no item, and is a dropped row
    RoleRule("当年财政拨款", ("财政拨款",), LEVEL_SHARES),
    RoleRule("当年财政拨款", ("财政资金",), LEVEL_SHARES),
    RoleRule("当年财政拨款", ("财政补助",), LEVEL_SHARES),
)

# words a header row prints that are captions of a block, not columns of it (never a lost column)
BLOCK_CAPTIONS = (
    "绩效指标",
    "年度绩效指标",
    "年度绩效指标完成情况",
    "绩效指标完成情况",
    "年度绩效目标",
    "年度总体目标",
    "总体目标完成情况",
    "项目资金",
    "资金使用情况",
    "预算执行情况",
    "项目支出绩效",
    "指标",
)

# 一级指标 and the 二级指标 under each (key: the level-1 family), with the national layout's
# 指标-suffixed names. Text exports lose their merged cells and shift some rows left, so the
# extractor puts a known name back in its column and finds where each level-1 block starts and ends.
LEVEL1_NAMES: dict[str, tuple[str, ...]] = {
    "产出": ("产出", "产出指标"),
    "效益": ("效益", "效益指标"),
    "满意度": ("满意度", "满意度指标"),
}
LEVEL2_NAMES: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "数量指标", "质量", "质量指标", "时效", "时效指标", "成本", "成本指标"),
    "效益": (
        "经济效益",
        "经济效益指标",
        "社会效益",
        "社会效益指标",
        "生态效益",
        "生态效益指标",
        "生态环境效益",
        "生态环境效益指标",
        "可持续影响",
        "可持续影响指标",
    ),
    "满意度": ("服务对象满意度", "服务对象满意度指标", "其他满意度", "其他满意度指标"),
}

# Words a form's page prints and a report's prose about its budget does not (a 决算 report's 部门概况
# or 收支情况说明 speaks of 预算单位, 财政拨款, 执行 and 绩效 too): a scanned page with no ruled table
# whose text holds none of them is no form's page. A page that holds one (a 绩效自评 section
# speaking of 得分) is left to a human, as any page whose table was not found.
FORM_PAGE_WORDS: tuple[str, ...] = (
    *HEADER_FIELDS["name"],
    "主管部门",
    "实施单位",
    *FUNDING_ITEMS["年度资金总额"],
    *(label for role in ("level1", "level2", "name", "target", "actual", "weight", "score") for label in INDICATOR_COLUMNS[role]),
    *(name for names in (*LEVEL1_NAMES.values(), *LEVEL2_NAMES.values()) for name in names if name.endswith("指标")),
    "总分",
    "自评",
)


def form_words_in(text: str) -> list[str]:
    """The words of ``FORM_PAGE_WORDS`` that ``text`` holds (compared as ``normalise`` makes them)."""
    flat = normalise(text)
    return [word for word in FORM_PAGE_WORDS if word in flat]


YEAR_LINE = re.compile(r"^\(?(\d{4})年度?\)?$")  # （2022年度） under the national title, after normalise()
# the total score printed on a line of its own outside the table: 项目总得分99分, 自评得分：95分
# (not 总分 alone: 总分100分 may state the points available, not those scored)
TOTAL_SCORE_LINE = re.compile(r"^(?:项目)?(?:自评总分|自评得分|总得分|得分):?(\d+(?:\.\d+)?)分?$")

UNIT_LINE_LABELS = ("金额单位", "单位")
AMOUNT_UNITS = ("万元", "元")

NOTHING_PRINTED = {"—", "-", "/", "－", "–", "——", "--", "／"}  # a cell's way of saying it holds no value
NOT_A_NUMBER = NOTHING_PRINTED | {"", "无"}
# what a spreadsheet prints in a cell whose number does not fit the column (LibreOffice ###, Excel
# fills the cell with #): the number is not in the print at all
OVERFLOW_MARK = re.compile(r"#+")
# what a 指标性质 cell prints: a comparison sign (≥ ≤ =, in ASCII >= too), or a word for the direction
NATURE_SIGNS = frozenset("≥≤=><≠")
NATURE_WORDS = frozenset({"正向", "反向", "定性", "定量", "正向指标", "反向指标", "定性指标", "定量指标"})


def is_nature(text: str) -> bool:
    """A 指标性质 as a form prints it (NFKC'd): one or two signs, or a direction word."""
    flat = normalise(text)
    return (0 < len(flat) <= 2 and set(flat) <= NATURE_SIGNS) or flat in NATURE_WORDS


NOT_APPLICABLE = {"不适用", "不涉及", "无此项"}  # an indicator row a form marks as not applying to the project

# a template's instructions left in a cell: 说明原因(100字以内), 应单独说明理由
INSTRUCTION = re.compile(r"\(\d+字以内\)|应单独说明|需说明原因")


def is_instruction(text: str) -> bool:
    return INSTRUCTION.search(normalise(text)) is not None


# template placeholders left in a form instead of an indicator name: 指标1, 指标2, ……, ...
# (指标2:, and 指标1:/ — a placeholder name with the not-applicable mark typed after it)
# A dash or slash alone is the row's name left blank; so is 一 alone, the dash as typed with a
# Chinese input method and as read by OCR (no indicator is named 一).
PLACEHOLDER = re.compile(r"^(?:指标\d+[:：]?[/／—\-]?|[.。·…]{2,}|…|[—\-－–/／]+|一{1,2})$")
NUMBERED_INDICATOR = re.compile(r"^指标\d+")  # 指标3:一级种薯繁育基地 — the start of an indicator's name
CHILD_ROW_MARK = "其中"  # 其中：… indicator rows detail their parent row (衔接资金)


@dataclass(frozen=True)
class Label:
    """A cell's text taken apart: the bare label and its parenthesised parts."""

    base: str
    extras: tuple[str, ...]


_PARENS = re.compile(r"\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, no whitespace and simplified characters: the form of a label used for comparison. A
    copy converted to traditional characters (document sites publish them) prints 項目資金(萬元) for
    项目资金(万元); values keep the characters they were printed in."""
    return _TO_SIMPLIFIED.convert(_flat(text))


def _flat(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_TO_SIMPLIFIED = opencc.OpenCC("t2s")


# glyphs that print the same: a reading of the page cannot tell them apart (≧ typed for ≥)
SAME_IN_PRINT = str.maketrans({"≧": "≥", "≦": "≤", "═": "=", "﹦": "="})


def same_in_print(a: str, b: str) -> bool:
    """Whether two readings are the same text as printed (NFKC, whitespace, look-alike glyphs)."""
    return _flat(a).translate(SAME_IN_PRINT) == _flat(b).translate(SAME_IN_PRINT)  # 資 is not 资 in print


# marks a reading can drop (after NFKC): 、 of a list, commas, stops, colons. Not the full stop "."
# (Tesseract reads a speck as one), whose dropping a number's digits-only reading catches.
DROPPABLE_MARKS = frozenset("、,;:。")


def marks_dropped(fuller: str, reading: str) -> bool:
    """Whether ``fuller`` prints a mark (``DROPPABLE_MARKS``) where ``reading`` has nothing: RapidOCR
    drops a small 、 between characters that Tesseract sees (办公宿舍楼、食堂 read 办公宿舍楼食堂,
    at 1.0, on two binarisations alike)."""
    a, b = _flat(fuller).translate(SAME_IN_PRINT), _flat(reading).translate(SAME_IN_PRINT)
    return any(op.tag == "delete" and set(a[op.src_start : op.src_end]) <= DROPPABLE_MARKS for op in Levenshtein.opcodes(a, b))


# OCR confusions seen in labels (never applied to values): brackets and a colon read as a semicolon
_LABEL_CONFUSIONS = str.maketrans({"〈": "(", "〉": ")", "《": "(", "》": ")", ";": ":", "【": "(", "】": ")"})
FUZZY_MIN_SCORE = 75.0  # rapidfuzz ratio a label must reach: one substituted character in four
FUZZY_MIN_LENGTH = 4  # shorter labels (分值, 得分) must match exactly: one wrong character is a different label


@lru_cache(maxsize=1 << 16)
def normalise_label(text: str) -> Label:
    flat = normalise(text).translate(_LABEL_CONFUSIONS).lstrip("*★☆")
    extras = tuple(_PARENS.findall(flat))
    base = _PARENS.sub("", flat).rstrip(":")
    if base.startswith("其中:"):
        base = base[len("其中:") :]
    elif base.startswith("其中"):
        base = base[len("其中") :]
    return Label(base=base.rstrip(":"), extras=extras)


@dataclass(frozen=True)
class _TableIndex:
    exact: dict[str, str]  # name -> key
    by_length: dict[int, list[tuple[str, str]]]  # length -> [(name, key)], for fuzzy matching


_INDEXES: dict[int, tuple[dict, _TableIndex]] = {}


def _index(table: dict[str, tuple[str, ...]]) -> _TableIndex:
    """Built once per table (the table is kept alive with it, so its id stays unique)."""
    found = _INDEXES.get(id(table))
    if found is None or found[0] is not table:
        exact: dict[str, str] = {}
        by_length: dict[int, list[tuple[str, str]]] = {}
        for key, names in table.items():
            for name in names:
                exact.setdefault(name, key)
                by_length.setdefault(len(name), []).append((name, key))
        found = (table, _TableIndex(exact, by_length))
        _INDEXES[id(table)] = found
    return found[1]


_NO_VALUE_AFTER_LABEL = tuple("及和与或(（/／、")  # 项目名称及编码: the label goes on, no value follows


def label_and_value(text: str, table: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """``联系电话：88894492`` -> ("phone", "88894492"): a cell that opens with a label of ``table``
    as printed (spaces inside it and a colon after it allowed) and goes on with a value, kept as
    printed. None when the rest is empty, goes on the label (及编码), or names a label itself."""
    for name, key in sorted(((name, key) for key, names in table.items() for name in names), key=lambda pair: -len(pair[0])):
        opened = re.match(r"\s*" + r"\s*".join(map(re.escape, name)) + r"\s*[:：]?\s*", text)
        if opened is None:
            continue
        value = text[opened.end() :].strip()
        flat = normalise(value)
        if not value or value.startswith(_NO_VALUE_AFTER_LABEL) or any(label in flat for names in table.values() for label in names):
            return None
        return key, value
    return None


# what an OCR engine reads a ruling line's remnant beside a label as (a stroke, a box's corner)
REMNANT_MARKS = "一—-_|丨口"


def match_key(text: str, table: dict[str, tuple[str, ...]], fuzzy: bool = True) -> str | None:
    """Which key of ``table`` the cell text names: exact match of its bare label, or for labels of
    FUZZY_MIN_LENGTH characters or more a close match (OCR: 年度资金总額, 出标产指 for 产出指标).
    Text from a text layer or a spreadsheet is exact: it is matched with ``fuzzy=False``, since one
    character apart is another label there (年度预算数 is not 年初预算数)."""
    base = normalise_label(text).base
    if not base:
        return None
    index = _index(table)
    if base in index.exact:
        return index.exact[base]
    if not fuzzy or len(base) < FUZZY_MIN_LENGTH:
        return None
    if len(base) - 1 >= FUZZY_MIN_LENGTH and base[:-1] in index.exact:  # a misread colon after the label
        return index.exact[base[:-1]]
    best_key, best_score = None, 0.0
    for name, key in index.by_length.get(len(base), ()):  # OCR substitutes characters; a longer label is another label
        score = max(fuzz.ratio(base, name), _anagram_score(base, name))
        if score > best_score:
            best_key, best_score = key, score
    if best_score >= FUZZY_MIN_SCORE:
        return best_key
    stripped = base.lstrip(REMNANT_MARKS)  # a ruling line's remnant read before the label: 一一项日名称, 口主管部门
    if stripped != base and len(stripped) >= FUZZY_MIN_LENGTH:
        return match_key(stripped, table, fuzzy)
    return None


def _anagram_score(base: str, name: str) -> float:
    """Vertically merged labels are sometimes read out of order (出标产指): same characters."""
    return 100.0 if len(base) == len(name) and sorted(base) == sorted(name) else 0.0


def role_of(text: str, rules: tuple[RoleRule, ...]) -> str | None:
    """The role a short label's words give it (see ``RoleRule``); None for values and sentences."""
    base = normalise_label(text).base.lstrip("★☆")
    if not base or len(base) > ROLE_MAX_LENGTH or SECTION_HEADING.match(normalise(text)):
        return None
    for rule in rules:
        if all(word in base for word in rule.words) and not any(word in base for word in rule.unless):
            return rule.role
    return None


def family_of(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """Which key of ``table`` (LEVEL1_NAMES, LEVEL2_NAMES) lists the cell's bare label, exactly:
    level names are too close to each other for a fuzzy match (效益指标 / 社会效益指标)."""
    base = normalise_label(text).base
    return next((key for key, names in table.items() if base in names), None)


def in_another_block(level1: str | None, level2: str | None) -> bool:
    """A 二级指标 the vocabulary places under another 一级指标 than this one (数量指标 is 产出's, not
    满意度's); False when either name is not a known one."""
    family1 = family_of(level1, LEVEL1_NAMES) if level1 else None
    family2 = family_of(level2, LEVEL2_NAMES) if level2 else None
    return family1 is not None and family2 is not None and family1 != family2


def cut_name_of(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The name of ``table`` (LEVEL1_NAMES, LEVEL2_NAMES) that a label is only the start of
    (可持续影 → 可持续影响指标, 效益指 → 效益指标): its end was cut off; None for a whole name, or
    for a label no name starts with (a layout's own level names)."""
    base = normalise_label(text).base
    if len(base) < 2 or family_of(text, table) is not None:
        return None
    return next((name for names in table.values() for name in names if name.startswith(base)), None)


# a year printed in the title itself: 2020年度项目支出绩效自评表, 项目支出绩效自评表（2023年度）
TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})年度?")
_TRAILING_YEAR = re.compile(r"\([^()]*\)$")  # a year or a note in brackets after the title: (2023年度), (公开14表)


def title_without_year(text: str | None) -> str | None:
    """The title as printed, minus a trailing (2023年度): that is the year line, printed on the title's line."""
    if text is None:
        return None
    found = _TRAILING_YEAR_RAW.search(text.strip())
    return text.strip()[: found.start()].rstrip() if found else text.strip()


_TRAILING_YEAR_RAW = re.compile(r"[(（]\s*\d{4}\s*年度?\s*[)）]$")


def title_year(text: str) -> str | None:
    """The year a title line prints, when it prints one."""
    found = TITLE_YEAR.search(normalise(text))
    return found.group(1) if found else None


def is_form_title(text: str) -> bool:
    """A title line: …项目支出绩效自评表 (…绩效目标自评表), or another form type's title (reported
    as unsupported); a year in brackets may follow it."""
    flat = _TRAILING_YEAR.sub("", normalise(text))
    if any(mark in flat for mark in "，。；,;"):
        return False  # a sentence that ends with the words (…开展了绩效目标自评), not a title
    return any(flat.endswith(mark) for mark in FORM_TITLE_MARKS) or any(flat.endswith(t) for t in OTHER_FORM_TITLES)


def nearly_form_title(text: str) -> bool:
    """A line one glyph away from ending as a title does (目评表 for 自评表, 續效 for 绩效): OCR's
    misreading of a title, worth reading again. Never a title by itself: a form is split at it
    only when another reading of it is one."""
    flat = _TRAILING_YEAR.sub("", normalise(text))
    if any(mark in flat for mark in "，。；,;") or is_form_title(text):
        return False
    return any(len(mark) >= 5 and len(flat) >= len(mark) and sum(a != b for a, b in zip(flat[-len(mark) :], mark)) == 1 for mark in FORM_TITLE_MARKS)


def other_form_type(text: str) -> str | None:
    """What a title names when it is another form type than a project's (部门整体支出绩效自评表)."""
    flat = _TRAILING_YEAR.sub("", normalise(text))
    return next((reason for mark, reason in OTHER_FORM_TITLES.items() if flat.endswith(mark)), None)


def is_placeholder(text: str | None) -> bool:
    """``指标1``, ``……``: a template's placeholder, not a real indicator name."""
    return text is not None and PLACEHOLDER.match(normalise(text)) is not None


def is_child_row(name: str | None) -> bool:
    """``其中：受益监测对象人数``: a row detailing the indicator above it."""
    return name is not None and normalise(name).startswith(CHILD_ROW_MARK)


# numbered rows: 一、 heads a group whose 1、 2、 (1) rows detail it, repeating its points
PARENT_NUMBER = re.compile(r"^[一二三四五六七八九十]+[、.．]")
CHILD_NUMBER = re.compile(r"^(?:\d+[、.．)]|\(\d+\))")


def is_numbered_parent(name: str | None) -> bool:
    return name is not None and PARENT_NUMBER.match(normalise(name)) is not None


def starts_an_indicator(name: str | None) -> bool:
    """``指标3一级种薯繁育基地``: a name numbered as an indicator begins a row; the end of a name a
    page break split does not begin so."""
    return name is not None and NUMBERED_INDICATOR.match(normalise(name)) is not None


def is_numbered_child(name: str | None) -> bool:
    return name is not None and CHILD_NUMBER.match(normalise(name)) is not None


def is_label(text: str, names: tuple[str, ...]) -> bool:
    return normalise_label(text).base in names


def unit_of(text: str) -> str | None:
    """The amount unit named in a label such as 项目资金(万元) or a line 金额单位：万元."""
    flat = normalise(text)
    for extra in normalise_label(text).extras:
        if extra in AMOUNT_UNITS:
            return extra
    for label in UNIT_LINE_LABELS:
        if flat.startswith(label + ":"):
            rest = flat[len(label) + 1 :]
            for unit in AMOUNT_UNITS:
                if rest.startswith(unit):
                    return unit
    return None


def is_unit_label(text: str) -> bool:
    """A cell holding only a unit line's label (金额单位：), its unit printed in the next cell."""
    flat = normalise(text).rstrip(":")
    return flat in UNIT_LINE_LABELS


# in brackets (产出(50分)), or after the label's last word without them (随州's 项目决策2分)
_WEIGHT_SUFFIX = re.compile(r"\((\d+(?:\.\d+)?)分\)?$|(?<=[\u4e00-\u9fff])(\d+(?:\.\d+)?)分$")


def level1_parts(text: str) -> tuple[str, float | None]:
    """``产出(50分)`` -> ("产出", 50.0); ``效益 (30分)`` -> ("效益", 30.0); ``项目决策2分`` ->
    ("项目决策", 2.0); no weight -> None.

    The label is read with the OCR bracket confusions of labels (``产出(50分》``) and a closing
    bracket may be missing (``满意度指标(10分``): the weight is printed, only its frame is damaged.
    """
    cleaned = text.strip()
    flat = _SPACES.sub("", unicodedata.normalize("NFKC", cleaned).translate(_LABEL_CONFUSIONS))
    found = _WEIGHT_SUFFIX.search(flat)
    if found is None:
        return cleaned, None
    return flat[: found.start()], float(found.group(1) or found.group(2))


@lru_cache(maxsize=1 << 12)
def is_header_label(text: str) -> bool:
    """The text is exactly a table header's label (一级指标, 实际完成值, 得分, 绩效指标): never a value."""
    flat = normalise(text)
    labels = {name for table in (INDICATOR_COLUMNS, FUNDING_COLUMNS, GOAL_COLUMNS) for names in table.values() for name in names}
    return flat in labels or flat in BLOCK_CAPTIONS and flat != "指标"
