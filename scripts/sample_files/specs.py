"""The sample forms as printed, typed once: the three seed forms (from ../shared/seed, the text
export of real published forms: merged cells, wrapped text, HTML left in cells), one form invented
in each other template's layout (pipeline/parse/templates), a form in a layout no template describes and
a 部门整体支出绩效自评表. Every writer of scripts/sample_files draws or types these."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMN_WIDTHS = [52, 60, 52, 88, 60, 60, 34, 34, 75]  # 9 columns, 515 pt: A4 minus margins


@dataclass
class Spec:
    """One printed cell: column, text, spans."""

    col: int
    text: str
    col_span: int = 1
    row_span: int = 1


@dataclass
class FormSpec:
    title: str
    rows: list[list[Spec]]
    header_row: int  # index of the indicator header row (repeated on continuation pages if asked)
    notes: list[str] = field(default_factory=list)  # lines between the title and the table
    widths: list[float] = field(default_factory=lambda: list(COLUMN_WIDTHS))  # column widths, 515 pt in all


def S(col: int, text: str, col_span: int = 1, row_span: int = 1) -> Spec:
    return Spec(col, text, col_span, row_span)


def header_rows(code: str, name: str, colon: str, unit_label: str, rate_label: str) -> list[list[Spec]]:
    return [
        [S(0, f"项目编码{colon}"), S(1, code, 2), S(3, f"项目名称{colon}"), S(4, name, 2), S(6, f"绩效自评年度{colon}", 2), S(8, "2022")],
        [S(0, f"实施单位{colon}"), S(1, "深圳市龙岗区吉华街道社区网格管理中心", 3), S(4, f"一级预算单位{colon}"), S(5, "深圳市龙岗区吉华街道办事处", 4)],
        [S(0, "资金使用情况", 9)],
        [S(0, "", 2), S(2, "年初预算数"), S(3, "全年预算数"), S(4, "全年执行数"), S(5, "分值"), S(6, rate_label), S(7, "得分"), S(8, "")],
    ]


def funding_rows(unit_label: str, colon: str, lines: list[tuple[str, str, str, str]]) -> list[list[Spec]]:
    rows = []
    for i, (label, initial, annual, executed) in enumerate(lines):
        row = [S(0, unit_label, 1, 4)] if i == 0 else []
        if i == 0:
            tail = ["10", "100", "10"]
        else:
            tail = ["—", "—", "—"]
        row += [S(1, label), S(2, initial), S(3, annual), S(4, executed)]
        row += [S(5, tail[0]), S(6, tail[1]), S(7, tail[2]), S(8, "")]
        rows.append(row)
    return rows


def goal_rows(expected: str, actual: str) -> list[list[Spec]]:
    return [
        [S(0, "项目目标完成情况", 9)],
        [S(0, "年度总体目标", 1, 2), S(1, "预期目标", 4), S(5, "* 实际完成情况", 4)],
        [S(1, expected, 4), S(5, actual, 4)],
    ]


INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "* 实际完成值", "* 分值", "* 得分", "偏差原因分析及改进措施"]


def indicator_rows(blocks: list[tuple[str, list[list[str]]]], total: tuple[str, str], total_from_first_col: bool) -> list[list[Spec]]:
    """blocks: (level-1 label, rows of [level2, name, target, actual, weight, score, note]).

    A level-2 of None continues the merge of the row above.
    """
    n_rows = 1 + sum(len(rows) for _, rows in blocks) + (0 if total_from_first_col else 1)
    header = [S(0, "年度绩效指标", 1, n_rows)] + [S(i + 1, t) for i, t in enumerate(INDICATOR_HEADER)]
    rows = [header]
    for label, block in blocks:
        for i, values in enumerate(block):
            row = [S(1, label, 1, len(block))] if i == 0 else []
            level2, rest = values[0], values[1:]
            if level2 is not None:
                span = 1
                while i + span < len(block) and block[i + span][0] is None:
                    span += 1
                row.append(S(2, level2, 1, span))
            row += [S(3 + j, v) for j, v in enumerate(rest)]
            rows.append(row)
    if total_from_first_col:
        rows.append([S(0, "总分", 6), S(6, total[0]), S(7, total[1]), S(8, "—")])
    else:
        rows.append([S(1, "总分", 5), S(6, total[0]), S(7, total[1]), S(8, "—")])
    return rows


FORM1_GOALS = (
    "<p>1.通过法律法规宣传教育等途径,大力宣传普及安全的法律法规和安全生产生活注意事项,切实提升出租屋业主、管理人、楼栋长和承租人的消防安全防范意识和应急处置能力。</p> "
    "<p>2.通过物业管理管理督促各物业服务企业进一步落实主体责任,提升工作人员素质水平,物业服务企业自身服务本领和技能,为解决物业小区矛盾纠纷提供了专业的法律指导,防范各类安全事故发生。</p> "
    "<p>3.健全网格员队伍垂直管理模式,全力打造社区网格管理的组织机构和队伍建设的“标准化”;提升“四实”信息采集质量,加强问题隐患排查,通过信息化手段深入推进网格融合;加强网格信息化建设与应用,推进网格事件月报分析智能化和“块数据”建设,深化“一中心两化”综治信息化建设。</p> "
    "<p>4.为进一步推进住宅小区业主委员会建设,健全业主委员会治理结构,规范业主委员会履职,切实解决物业管理工作中存在的突出问题。</p> "
    "<p>5.根据区委区政府关于物业管理提升相关工作部署,为进一步提高我街道物业管理服务质量,不断提升物业行业整体服务水平,实行年度评价制度。</p>"
)

FORM1_NOTE_QUALITY = (
    "为进一步提升网格员业务水平和工作能力,加强基层网格队伍管理,促进社区网格化工作的专业化、规范化、制度化建设,"
    "我中心计划组织网格员开展心理训练与团队建设,通过团建活动,让网格员在互动中缓解职场压力,学会有效沟通,"
    "以更积极、阳光的精神面貌服务于基层工作,并结合所学知识运用在日常网格走访工作中,对工作中遇到的心理危机进行初期的有效干预,"
    "保障居民心理健康,促进和谐社区建设。"
)


def form1(timeliness_score: str = "13") -> FormSpec:
    rows = header_rows("440307220441500300039", "网格管理事务", ":", "项目资金(元)", "执行率(%)")
    rows += funding_rows(
        "项目资金(元)",
        ":",
        [
            ("年度资金总额", "820000.00", "820000.00", "820000.00"),
            ("其中:当年财政拨款", "820000.00", "820000.00", "820000.00"),
            ("上年结转资金", "0.00", "0.00", "0.00"),
            ("其他资金", "0.00", "0.00", "0.00"),
        ],
    )
    rows += goal_rows(FORM1_GOALS, FORM1_GOALS)
    header_row = len(rows)
    rows += indicator_rows(
        [
            (
                "产出(50分)",
                [
                    ["数量", "一社一案一会法律法规宣教场次", "举办15场", "举办12场", "12", "10", "因做2022年预算时预计一社一案一会宣传项目场次为15场,根据实际情况实际申请项目场次为12场。"],
                    ["质量", "网格员常态化军训拓展训练效果", "训练效果良好", "进行心理训练与团建", "10", "10", FORM1_NOTE_QUALITY],
                    ["时效", "出租屋分类分级工作公示及时性", "及时", "及时", "13", timeliness_score, ""],
                    ["成本", "网格管理事务总支出", "控制在年度预算内", "控制在年度预算内", "15", "15", ""],
                ],
            ),
            (
                "效益 (30分)",
                [
                    ["经济效益", "", "", "不适用", "0", "0", ""],
                    ["社会效益", "深入推进网格化管理，完善网格化管理机制，促进社区稳定发展。", "有效促进", "有效促进", "15", "15", ""],
                    ["生态效益", "", "", "不适用", "0", "0", ""],
                    ["可持续影响", "提升辖区居民居住安全水平", "逐步提升", "逐步提升", "15", "15", ""],
                ],
            ),
            (
                "满意度 (10分)",
                [
                    ["服务对象满意度", "辖区居民服务满意度", ">90%", "95%", "10", "10", ""],
                    ["其他满意度", "", "", "不适用", "0", "0", ""],
                ],
            ),
        ],
        ("100", "98"),
        total_from_first_col=False,
    )
    return FormSpec("网格管理事务项目支出绩效自评表", rows, header_row)


def form2() -> FormSpec:
    rows = header_rows("440307220441547600507", "住房租赁市场发展专项（中央直", ":", "项目资金(元)", "执行率(%)")
    rows += funding_rows(
        "项目资金(元)",
        ":",
        [
            ("年度资金总额", "142335.00", "55626.00", "55626.00"),
            ("其中:当年财政拨款", "0.00", "0.00", "0.00"),
            ("上年结转资金", "142335.00", "55626.00", "55626.00"),
            ("其他资金", "0.00", "0.00", "0.00"),
        ],
    )
    goal = "1.开展辖区住房基础数据库信息采集; 2.完成辖区长租公寓现状调研报告"
    rows += goal_rows(goal, goal)
    header_row = len(rows)
    rows += indicator_rows(
        [
            (
                "产出(50分)",
                [
                    ["数量", "住房基础数据库信息采集数量", "不少于1万套", "不少于1万套", "10", "10", ""],
                    ["质量", "调研报告质量", "通过验收", "通过验收", "15", "15", ""],
                    ["时效", "调研报告完成时间", "2022年底前", "2022年底前", "15", "15", ""],
                    ["成本", "项目支出", "控制在预算内", "控制在预算内", "10", "10", ""],
                ],
            ),
            (
                "效益(30分)",
                [
                    ["经济效益", "", "", "不适用", "0", "0", ""],
                    ["社会效益", "居民租赁住房品质", "有所提高", "有所提高", "15", "15", ""],
                    ["生态效益", "", "", "不适用", "0", "0", ""],
                    ["可持续影响", "辖区住房租赁市场的发展", "健康良性发展", "健康良性发展", "15", "15", ""],
                ],
            ),
            (
                "满意度 (10分)",
                [
                    ["服务对象满意度", "辖区群众满意度", "大于90%", "92%", "10", "10", ""],
                    ["其他满意度", "", "", "无", "0", "0", ""],
                    [None, "", "", "无", "0", "0", ""],
                ],
            ),
        ],
        ("100", "100"),
        total_from_first_col=True,
    )
    return FormSpec("住房租赁市场发展专项（中央直达）项目支出绩效自评表", rows, header_row)


def form3() -> FormSpec:
    rows = header_rows("440307220441502105005", "培训经费", "：", "项目资金（元）", "执行率（%）")
    rows += funding_rows(
        "项目资金（元）",
        "：",
        [
            ("年度资金总额", "0.00", "13860.00", "13860.00"),
            ("其中：当年财政拨款", "0.00", "13860.00", "13860.00"),
            ("上年结转资金", "0.00", "0.00", "0.00"),
            ("其他资金", "0.00", "0.00", "0.00"),
        ],
    )
    goal = "培训项目预算执行率过99%以上，提高业务人员能力水平，提供更好的服务。"
    rows += goal_rows(goal, goal)
    header_row = len(rows)
    rows += indicator_rows(
        [
            (
                "产出 (50分)",
                [
                    ["数量", "网格员业务能力培训场次", ">1", ">1", "10", "10", ""],
                    ["质量", "网格员业务能力培训质量", "良好", "良好", "15", "15", ""],
                    ["时效", "网格员业务能力培训时间", "及时完成", "及时完成", "15", "15", ""],
                    ["成本", "网格员业务能力培训成本", "总支出控制在年度预算内", "总支出控制在年度预算内", "10", "10", ""],
                ],
            ),
            (
                "效益 (30分)",
                [
                    ["经济效益", "", "", "不适用", "0", "0", ""],
                    ["社会效益", "提高员工的业务能力", "提升社区居民对网格员工作的认可度", "有所提高", "30", "30", ""],
                    ["生态效益", "", "", "不适用", "0", "0", ""],
                    ["可持续影响", "", "", "不适用", "0", "0", ""],
                ],
            ),
            (
                "满意度\n(10分)",
                [
                    ["服务对象满意度", "员工满意度", ">90%", "92%", "10", "10", ""],
                    ["其他满意度", "", "", "无", "0", "0", ""],
                ],
            ),
        ],
        ("100", "100"),
        total_from_first_col=False,
    )
    return FormSpec("培训经费（网格）项目支出绩效自评表", rows, header_row)


def national_form() -> FormSpec:
    """The national layout (财预〔2020〕10号 annex), invented content in 万元 with its usual traps:
    a year line under the title, 主管部门, 调整预算数, 本年财政拨款, "年度资金总额:", percentages,
    a score rounded to the printed precision, coded unit names and 指标-suffixed level names."""
    rows = [
        [S(0, "项目名称"), S(1, "基层农技人员能力提升培训", 8)],
        [S(0, "主管部门"), S(1, "219-和平县农业农村局", 3), S(4, "实施单位"), S(5, "219001-和平县农业技术推广中心", 4)],
        [S(0, "项目资金（万元）", 1, 5), S(1, ""), S(2, "年初预算数"), S(3, "调整预算数"), S(4, "全年执行数"), S(5, "分值"), S(6, "执行率"), S(7, "得分"), S(8, "")],
        [S(1, "年度资金总额:"), S(2, "120.0000"), S(3, "150.5000"), S(4, "129.8060"), S(5, "10"), S(6, "86.25%"), S(7, "8.62"), S(8, "")],
        [S(1, "其中：本年财政拨款"), S(2, "100.0000"), S(3, "130.5000"), S(4, "109.8060"), S(5, "—"), S(6, "—"), S(7, "—"), S(8, "")],
        [S(1, "上年结转资金"), S(2, "20.0000"), S(3, "20.0000"), S(4, "20.0000"), S(5, "—"), S(6, "—"), S(7, "—"), S(8, "")],
        [S(1, "其他资金"), S(2, "0"), S(3, "0"), S(4, "0"), S(5, "—"), S(6, "—"), S(7, "—"), S(8, "")],
        [S(0, "年度总体目标", 1, 2), S(1, "预期目标", 4), S(5, "实际完成情况", 4)],
        [S(1, "全年培训基层农技人员500人次以上，培训合格率不低于95%，提升基层农技推广服务能力。", 4), S(5, "全年培训基层农技人员523人次，培训合格率96.2%，基层农技推广服务能力有所提升。", 4)],
    ]
    header_row = len(rows)
    rows.append([S(0, "绩效指标", 1, 7)] + [S(i + 1, t) for i, t in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])])
    indicator_data = [
        (
            "产出指标(50分)",
            [
                ["数量指标", "完成培训人次", "≥500人次", "523人次", "20", "20", ""],
                ["质量指标", "培训合格率", "≥95%", "96.2%", "15", "15", ""],
                ["时效指标", "按期完成率", "100%", "100%", "15", "15", ""],
            ],
        ),
        (
            "效益指标(30分)",
            [
                ["社会效益指标", "基层人员技能提升", "明显提升", "有所提升", "20", "17", "部分学员参训时间不足，下年度加强考勤管理。"],
                ["可持续影响指标", "培训成果长效应用机制", "建立", "已建立", "10", "10", ""],
            ],
        ),
        (
            "满意度指标(10分)",
            [
                ["服务对象满意度指标", "参训学员满意度", "≥90%", "93%", "10", "10", ""],
            ],
        ),
    ]
    for label, block in indicator_data:
        for i, values in enumerate(block):
            row = [S(1, label, 1, len(block))] if i == 0 else []
            row += [S(2 + j, v) for j, v in enumerate(values)]
            rows.append(row)
    rows.append([S(0, "总分", 6), S(6, "100"), S(7, "95.62"), S(8, "")])
    return FormSpec("项目支出绩效自评表", rows, header_row, notes=["（2022年度）"])


# --- the other layouts of the family (templates in pipeline/parse/templates), invented content -------


def level_rows(blocks: list[tuple[str, list[list[str | None]]]], level1_col: int) -> list[list[Spec]]:
    """Indicator rows: (level-1 label, rows of [level2, the other cells…]) from ``level1_col`` on;
    a level-2 of None continues the merge of the row above."""
    rows = []
    for label, block in blocks:
        for i, values in enumerate(block):
            row = [S(level1_col, label, 1, len(block))] if i == 0 else []
            level2, rest = values[0], values[1:]
            if level2 is not None:
                span = 1
                while i + span < len(block) and block[i + span][0] is None:
                    span += 1
                row.append(S(level1_col + 1, level2, 1, span))
            row += [S(level1_col + 2 + j, v or "") for j, v in enumerate(rest)]
            rows.append(row)
    return rows


YUNNAN_WIDTHS = [40, 46, 52, 80, 30, 44, 32, 46, 30, 30, 85]  # 11 columns: 指标性质 and 度量单位 added


def yunnan_form() -> FormSpec:
    """Yunnan: 指标性质 / 指标值 / 度量单位 columns (with the look-alike glyphs ≧ and ═ typed for ≥
    and =), amounts in 元, level-1 weights 40 / 30 / 20, a grade after the total, 其他需要说明事项,
    and two template placeholder rows (……, 指标1) left empty."""
    rows = [
        [S(0, "项目名称"), S(1, "思茅区2022年茶园绿色防控技术推广项目", 10)],
        [S(0, "主管部门"), S(1, "普洱市思茅区农业农村局", 4), S(5, "实施单位", 2), S(7, "普洱市思茅区茶叶和特色生物产业发展中心", 4)],
        [S(0, "项目资金（元）", 1, 5), S(1, "", 2), S(3, "年初预算数"), S(4, "全年预算数", 2), S(6, "全年执行数", 2), S(8, "分值"), S(9, "执行率"), S(10, "得分")],
        [S(1, "年度资金总额", 2), S(3, "600000.00"), S(4, "600000.00", 2), S(6, "582000.00", 2), S(8, "10"), S(9, "97%"), S(10, "9.7")],
        [S(1, "其中：当年财政拨款", 2), S(3, "500000.00"), S(4, "500000.00", 2), S(6, "482000.00", 2), S(8, "—"), S(9, "—"), S(10, "—")],
        [S(1, "上年结转资金", 2), S(3, "100000.00"), S(4, "100000.00", 2), S(6, "100000.00", 2), S(8, "—"), S(9, "—"), S(10, "—")],
        [S(1, "其他资金", 2), S(3, "0.00"), S(4, "0.00", 2), S(6, "0.00", 2), S(8, "—"), S(9, "—"), S(10, "—")],
        [S(0, "年度总体目标", 1, 2), S(1, "预期目标", 5), S(6, "实际完成情况", 5)],
        [
            S(1, "在思茅区推广茶园绿色防控技术5000亩以上，举办技术培训10期以上，减少化学农药使用，带动茶农增收。", 5),
            S(6, "推广茶园绿色防控技术5200亩，举办技术培训12期，化学农药使用量减少12%，茶农亩均增收280元。", 5),
        ],
    ]
    header_row = len(rows)
    blocks: list[tuple[str, list[list[str | None]]]] = [
        (
            "产出指标（40分）",
            [
                ["数量指标", "推广绿色防控技术面积", "≥", "5000", "亩", "5200亩", "10", "10", ""],
                [None, "举办技术培训班", "≧", "10", "期", "12期", "5", "5", ""],
                ["质量指标", "病虫害防治效果", "≥", "85", "%", "87%", "10", "10", ""],
                ["时效指标", "项目完成时间", "≤", "2022年12月", "", "2022年11月", "5", "5", ""],
                ["成本指标", "每亩补助标准", "≤", "100", "元/亩", "96元/亩", "10", "10", ""],
                ["", "……", "", "", "", "", "", "", ""],
            ],
        ),
        (
            "效益指标（30分）",
            [
                ["经济效益指标", "带动茶农亩均增收", "≥", "300", "元/亩", "280元/亩", "10", "8", "受春季干旱影响部分茶园减产，下年度加强抗旱技术指导。"],
                ["社会效益指标", "化学农药使用量减少", "≥", "10", "%", "12%", "10", "10", ""],
                ["生态效益指标", "茶园生态环境", "═", "有所改善", "", "有所改善", "10", "10", ""],
            ],
        ),
        (
            "满意度指标（20分）",
            [
                ["服务对象满意度指标", "茶农满意度", "≥", "90", "%", "94%", "20", "20", ""],
                ["", "指标1", "", "", "", "", "", "", ""],
            ],
        ),
    ]
    indicator_count = sum(len(block) for _, block in blocks)
    rows.append(
        [S(0, "绩效指标", 1, 1 + indicator_count)]
        + [S(i + 1, t) for i, t in enumerate(["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "未完成原因分析"])]
    )
    rows += level_rows(blocks, 1)
    rows.append([S(0, "总分", 8), S(8, "100"), S(9, "97.7"), S(10, "优")])
    rows.append([S(0, "其他需要说明事项", 3), S(3, "项目资金已按合同约定拨付，结余资金18000元已按规定收回财政。", 8)])
    return FormSpec("项目支出绩效自评表", rows, header_row, notes=["（2022年度）"], widths=YUNNAN_WIDTHS)


XIANJIE_WIDTHS = [44, 50, 56, 100, 34, 60, 60, 36, 75]


def xianjie_form() -> FormSpec:
    """衔接资金 绩效目标自评表: 项目负责人及电话, no 年初预算数 and no 上年结转资金, 年初设定目标 /
    年度总体目标完成情况综述, 分值 before 年度指标值, ★ core indicators, 其中 child rows without points."""
    rows = [
        [S(0, "项目名称"), S(1, "宝华镇高原特色农业产业园基础设施建设", 8)],
        [S(0, "主管部门"), S(1, "红河县乡村振兴局", 3), S(4, "实施单位", 2), S(6, "红河县宝华镇人民政府", 3)],
        [S(0, "项目负责人及电话"), S(1, "李建华 0873-4521368", 8)],
        [S(0, "项目资金（万元）", 1, 4), S(1, ""), S(2, "全年预算数"), S(3, "全年执行数"), S(4, "分值"), S(5, "执行率"), S(6, "得分"), S(7, "", 2)],
        [S(1, "年度资金总额"), S(2, "300.00"), S(3, "288.00"), S(4, "10"), S(5, "96.00%"), S(6, "9.6"), S(7, "", 2)],
        [S(1, "其中：本年财政拨款"), S(2, "280.00"), S(3, "268.00"), S(4, "—"), S(5, "—"), S(6, "—"), S(7, "", 2)],
        [S(1, "其他资金"), S(2, "20.00"), S(3, "20.00"), S(4, "—"), S(5, "—"), S(6, "—"), S(7, "", 2)],
        [S(0, "年度总体目标", 1, 2), S(1, "年初设定目标", 4), S(5, "年度总体目标完成情况综述", 4)],
        [S(1, "新建产业园机耕道路2.5公里以上，带动脱贫人口300人以上受益，人均增收1000元以上。", 4), S(5, "新建产业园机耕道路2.6公里，其中硬化2.1公里，326名脱贫人口受益，人均增收1200元。", 4)],
    ]
    header_row = len(rows)
    blocks: list[tuple[str, list[list[str | None]]]] = [
        (
            "产出指标",
            [
                ["数量指标", "★新建产业园机耕道路长度", "15", "≥2.5公里", "2.6公里", "15", ""],
                [None, "其中：硬化道路长度", "—", "≥2公里", "2.1公里", "—", ""],
                ["质量指标", "工程验收合格率", "10", "100%", "100%", "10", ""],
                ["时效指标", "项目完工及时率", "10", "100%", "100%", "10", ""],
                ["成本指标", "★机耕道路每公里建设成本", "15", "≤100万元", "96万元", "15", ""],
            ],
        ),
        (
            "效益指标",
            [
                ["经济效益指标", "★带动脱贫人口（含监测对象）人均增收", "10", "≥1000元", "1200元", "10", ""],
                ["社会效益指标", "★受益脱贫人口数", "10", "≥300人", "326人", "10", ""],
                [None, "其中：受益监测对象人数", "—", "≥20人", "23人", "—", ""],
                ["可持续影响指标", "项目设施持续发挥作用年限", "10", "≥10年", "10年", "10", ""],
            ],
        ),
        (
            "满意度指标",
            [
                ["服务对象满意度指标", "受益群众满意度", "10", "≥90%", "95%", "10", ""],
            ],
        ),
    ]
    indicator_count = sum(len(block) for _, block in blocks)
    rows.append(
        [S(0, "绩效指标", 1, 1 + indicator_count)] + [S(i + 1, t) for i, t in enumerate(["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"])]
    )
    rows += level_rows(blocks, 1)
    rows.append([S(0, "总分", 4), S(4, "100"), S(5, "", 2), S(7, "99.6"), S(8, "")])
    return FormSpec("红河县2022年度衔接推进乡村振兴补助资金项目绩效目标自评表", rows, header_row, widths=XIANJIE_WIDTHS)


def hubei_form() -> FormSpec:
    """Hubei 20 + 80: 预算执行情况(万元)(20分) with 预算数(A) / 执行数(B) / 执行率(B/A) /
    得分(20分*执行率), the 20 points printed only in the caption; 年度绩效目标(80分); a 项目类型
    check-box row; level-1 labels without weights; free text after the total."""
    rows = [
        [S(0, "项目名称"), S(1, "孝感市乡镇农产品质量安全监管能力建设", 8)],
        [S(0, "主管部门"), S(1, "孝感市农业农村局", 3), S(4, "实施单位"), S(5, "孝感市农产品质量安全检验检测中心", 4)],
        [S(0, "项目类型"), S(1, "■常年性项目　□一次性项目", 8)],
        [S(0, "预算执行情况（万元）（20分）", 1, 4), S(1, "", 2), S(3, "预算数（A）"), S(4, "执行数（B）"), S(5, "执行率（B/A）"), S(6, "得分（20分*执行率）", 3)],
        [S(1, "年度资金总额", 2), S(3, "86.00"), S(4, "81.70"), S(5, "95.00%"), S(6, "19.00", 3)],
        [S(1, "其中：财政拨款", 2), S(3, "80.00"), S(4, "75.70"), S(5, "94.63%"), S(6, "—", 3)],
        [S(1, "其他资金", 2), S(3, "6.00"), S(4, "6.00"), S(5, "100.00%"), S(6, "—", 3)],
        [S(0, "年度绩效目标（80分）", 1, 2), S(1, "预期目标", 4), S(5, "实际完成情况", 4)],
        [
            S(1, "为全市乡镇农产品质量安全监管站配置快速检测设备，全年快检样品6000批次以上，抽检合格率稳定在98%以上。", 4),
            S(5, "完成乡镇监管站快检设备配置，全年快检样品6350批次，抽检合格率98.6%。", 4),
        ],
    ]
    header_row = len(rows)
    blocks: list[tuple[str, list[list[str | None]]]] = [
        (
            "产出指标",
            [
                ["数量指标", "乡镇快速检测样品数", "≥6000批次", "6350批次", "15", "15", ""],
                ["质量指标", "快检结果复核符合率", "≥95%", "97.2%", "15", "15", ""],
                ["时效指标", "检测设备配置完成时间", "2022年6月底前", "2022年5月", "10", "10", ""],
                ["成本指标", "单批次快检成本", "≤30元", "28元", "10", "10", ""],
            ],
        ),
        (
            "效益指标",
            [
                ["社会效益指标", "农产品质量安全抽检合格率", "≥98%", "98.6%", "10", "10", ""],
                ["可持续影响指标", "乡镇监管站检测能力", "持续提升", "有所提升", "10", "8", "部分乡镇站检测人员流动较大，下年度加强培训和人员稳定。"],
            ],
        ),
        (
            "满意度指标",
            [
                ["服务对象满意度指标", "生产经营主体满意度", "≥90%", "92%", "10", "10", ""],
            ],
        ),
    ]
    indicator_count = sum(len(block) for _, block in blocks)
    rows.append(
        [S(0, "绩效指标", 1, 1 + indicator_count)] + [S(i + 1, t) for i, t in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])]
    )
    rows += level_rows(blocks, 1)
    rows.append([S(0, "总分", 6), S(6, "100"), S(7, "97"), S(8, "")])
    rows.append([S(0, "主要经验及做法、存在的问题和建议", 2), S(2, "建立乡镇快检与县级复核联动机制；部分乡镇站检测人员流动较大，建议稳定基层检测队伍，加大培训力度。", 7)])
    return FormSpec("项目支出绩效自评表", rows, header_row, notes=["（2022年度）"])


def sichuan_form() -> FormSpec:
    """A layout no template describes (a Sichuan 部门预算项目 form): one budget row 年初预算 |
    调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因, indicators weighted 90 under 权重,
    a 合计 row, 项目负责人 / 财务负责人 at the bottom. It must come out as layout unknown."""
    rows = [
        [S(0, "项目名称"), S(1, "510000220000000123456-乡村学校少年宫运行补助", 8)],
        [S(0, "预算单位"), S(1, "旺苍县教育和体育局", 3), S(4, "项目类型"), S(5, "其他运转类", 4)],
        [S(0, "年初预算"), S(1, "调整后预算数"), S(2, "预算执行数"), S(3, "预算执行率"), S(4, "权重"), S(5, "得分"), S(6, "原因", 3)],
        [S(0, "50.00"), S(1, "48.00"), S(2, "46.56"), S(3, "97%"), S(4, "10"), S(5, "9.7"), S(6, "—", 3)],
        [S(0, "年度目标"), S(1, "保障全县12所乡村学校少年宫正常运行，受益学生1200人以上，学生综合素质明显提升。", 8)],
    ]
    header_row = len(rows)
    rows.append([S(0, "一级指标"), S(1, "二级指标"), S(2, "三级指标", 2), S(4, "指标值"), S(5, "实际完成值"), S(6, "权重"), S(7, "得分"), S(8, "原因")])
    data = [
        (
            "产出指标",
            [
                ["数量指标", "受益学生人数", "≥1200人", "1260人", "30", "30", "—"],
                ["质量指标", "少年宫活动开展覆盖率", "100%", "100%", "20", "20", "—"],
                ["时效指标", "资金拨付及时率", "100%", "100%", "10", "10", "—"],
            ],
        ),
        ("效益指标", [["社会效益指标", "学生综合素质提升", "明显提升", "有所提升", "20", "19", "部分活动因天气原因停开"]]),
        ("满意度指标", [["服务对象满意度指标", "学生及家长满意度", "≥90%", "95%", "10", "10", "—"]]),
    ]
    for label, block in data:
        for i, values in enumerate(block):
            row = [S(0, label, 1, len(block))] if i == 0 else []
            row += [S(1, values[0]), S(2, values[1], 2)] + [S(4 + j, v) for j, v in enumerate(values[2:])]
            rows.append(row)
    rows.append([S(0, "合计", 6), S(6, "100"), S(7, "98.7"), S(8, "")])
    rows.append([S(0, "项目负责人：王芳", 4), S(4, "财务负责人：陈刚", 5)])
    return FormSpec("2022年度部门预算项目支出绩效自评表", rows, header_row, notes=["金额单位：万元"])


def department_form() -> FormSpec:
    """A 部门整体支出绩效自评表: another form type (generic management indicators, 是否核心指标,
    得分系数), to be reported as unsupported, not read as a project form."""
    rows = [
        [S(0, "部门（单位）名称", 2), S(2, "旺苍县农业农村局", 7)],
        [S(0, "部门预算资金（万元）", 1, 4), S(1, "", 2), S(3, "年初预算数"), S(4, "全年预算数"), S(5, "全年执行数"), S(6, "执行率", 3)],
        [S(1, "年度资金总额", 2), S(3, "2350.00"), S(4, "2480.00"), S(5, "2406.50"), S(6, "97.04%", 3)],
        [S(1, "其中：基本支出", 2), S(3, "1650.00"), S(4, "1680.00"), S(5, "1668.30"), S(6, "99.30%", 3)],
        [S(1, "项目支出", 2), S(3, "700.00"), S(4, "800.00"), S(5, "738.20"), S(6, "92.28%", 3)],
        [S(0, "年度总体目标", 1, 2), S(1, "预期目标", 4), S(5, "实际完成情况", 4)],
        [S(1, "全面履行农业农村部门职责，完成粮食生产、农产品质量安全和乡村建设年度任务。", 4), S(5, "粮食播种面积和产量稳定，农产品质量安全抽检合格率98.9%，乡村建设任务全部完成。", 4)],
    ]
    header_row = len(rows)
    data = [
        ("决策", [["目标设定", "绩效目标合理性", "否", "5", "1", "5"], ["预算编制", "预算编制科学性", "否", "5", "1", "5"]]),
        ("过程", [["预算执行", "预算执行率", "是", "10", "0.97", "9.7"], ["预算管理", "管理制度健全性", "否", "10", "1", "10"]]),
        ("产出", [["职责履行", "重点工作完成率", "是", "40", "1", "40"]]),
        ("效益", [["履职效益", "社会效益", "是", "20", "0.95", "19"], ["满意度", "服务对象满意度", "否", "10", "1", "10"]]),
    ]
    count = sum(len(block) for _, block in data)
    rows.append([S(0, "绩效指标", 1, 1 + count)] + [S(i + 1, t) for i, t in enumerate(["一级指标", "二级指标", "三级指标", "是否核心指标", "分值", "得分系数", "得分", "偏差原因分析及改进措施"])])
    for label, block in data:
        for i, values in enumerate(block):
            row = [S(1, label, 1, len(block))] if i == 0 else []
            rows.append(row + [S(2 + j, v) for j, v in enumerate(values)] + [S(8, "")])
    rows.append([S(0, "总分", 5), S(5, "100"), S(6, ""), S(7, "98.7"), S(8, "")])
    return FormSpec("2022年度部门整体支出绩效自评表", rows, header_row)


def printed_pdfs() -> dict[str, list[tuple[FormSpec, bool]]]:
    """The text-layer PDFs of ``samples/dump/2022/`` by path, with the forms each prints and
    whether the indicator header is repeated when a form runs onto a new page. Form 1 runs over two
    pages, breaking inside the 产出 merge: with the header repeated in the combined file, without it
    in the single-form file."""
    return {
        "2022/吉华街道_项目支出绩效自评表_2022.pdf": [(form1(), True), (form2(), True), (form3(), True)],
        "2022/单表/网格管理事务.pdf": [(form1(), False)],
        "2022/单表/住房租赁市场发展专项.pdf": [(form2(), False)],
        "2022/单表/培训经费.pdf": [(form3(), False)],
        "2022/national/基层农技人员能力提升培训.pdf": [(national_form(), False)],
        # one form per other template
        "2022/yunnan/茶园绿色防控技术推广.pdf": [(yunnan_form(), False)],
        "2022/xianjie/产业园基础设施建设.pdf": [(xianjie_form(), False)],
        "2022/hubei/乡镇农产品质量安全监管能力建设.pdf": [(hubei_form(), False)],
    }
