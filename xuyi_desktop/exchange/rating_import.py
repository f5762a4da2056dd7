"""The rating results sheet the upper-level evaluation delivers (评价结果导入): its columns, declared once.

Domains and grades come from the scheme files under resources/, so a new domain needs no code here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from xuyi_desktop.domain.rating_schemes import SchemeRegistry
from xuyi_desktop.exchange import columns as c
from xuyi_desktop.exchange.columns import CellError, Column, Layout

SHEET_NAME = "信用评价结果"

_GRADE = re.compile(r"^[A-Z]{1,4}$")
_DEDUCTION_SPLIT = re.compile(r"[;,、\s]+")


def domain_spellings(reg: SchemeRegistry) -> dict[str, str]:
    """Every accepted spelling of a domain (code, name, name + 信用评价), folded, to its code."""
    table: dict[str, str] = {}
    for code in reg.codes():
        scheme = reg.latest(code)
        for spelling in (code, scheme.name, scheme.name + "信用评价", scheme.name + "信用评价领域"):
            table[c.fold_choice(spelling)] = code
    return table


def domain_choices(reg: SchemeRegistry) -> list[str]:
    """The drop-down: Chinese names of the domains open for new ratings."""
    return [reg.latest(code).name for code in reg.codes() if reg.latest(code).active]


def grade_choices(reg: SchemeRegistry) -> list[str]:
    """Every grade some active domain uses, best first (AAA, AA, A, B, C, D)."""
    grades: list[str] = []
    for code in reg.codes():
        scheme = reg.latest(code)
        if scheme.active:
            grades.extend(g for g in scheme.grades if g not in grades)
    return sorted(grades, key=lambda g: (g[0], -len(g)))


def grade(value: Any) -> str:
    """'AA', 'ａａ', 'AA级' → 'AA'. Whether the domain has that grade is checked with the scheme."""
    text = c.fold_choice(value).removesuffix("级")
    if not _GRADE.match(text):
        raise CellError(f"等级应为 AA、A、B 这样的字母（收到：{value}）", "grade expected")
    return text


def deductions(value: Any) -> tuple[tuple[str, float | None], ...]:
    """'JC-10；JC-12:3' → (('JC-10', None), ('JC-12', 3.0)): item codes, each with its points if not the standard."""
    items: list[tuple[str, float | None]] = []
    for part in _DEDUCTION_SPLIT.split(unicodedata.normalize("NFKC", str(value)).upper()):
        if not part:
            continue
        code, _, points = part.partition(":")
        try:
            items.append((code, float(points.removesuffix("分")) if points else None))
        except ValueError as exc:
            raise CellError(f"扣分项应写成 代码 或 代码:分值，多项用分号隔开（收到：{part}）", "deduction format") from exc
    return tuple(items)


def rating_layout(reg: SchemeRegistry) -> Layout:
    """The declaration. Column order is the template's; headers in the delivered files may vary (aliases)."""
    spellings = domain_spellings(reg)
    return Layout(
        SHEET_NAME,
        (
            Column(
                "identifier", "统一社会信用代码/身份证号码",
                aliases=("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "统一社会信用代码或身份证号码",
                         "证件号码", "身份证号码", "身份证号", "证件号", "证照号码", "统一社会信用代码/身份证号"),
                parse=c.identifier, required=True, width=24, number_format="@",
                note="单位填18位统一社会信用代码，个人填18位身份证号码。请保持“文本”格式，否则末几位会丢失。",
            ),
            Column(
                "name", "名称",
                aliases=("单位名称", "企业名称", "主体名称", "姓名", "名称/姓名", "单位名称/姓名", "企业名称/姓名",
                         "从业单位名称", "经营者名称", "人员姓名"),
                parse=c.text(200), width=32,
                note="单位名称或个人姓名。用于核对；新登记主体（--create-missing）时必填。",
            ),
            Column(
                "domain", "评价领域",
                aliases=("领域", "评价类别", "评价对象类别", "评价对象", "领域代码", "信用评价领域", "评价类型"),
                parse=c.choice(lambda: spellings, "评价领域"), required=True, width=26,
                choices=lambda: domain_choices(reg),
                note="从下拉列表选择；也可填领域代码（xuyi rating domains）。",
            ),
            Column(
                "period", "评价年度",
                aliases=("年度", "评价周期", "考核年度", "评价年份", "评定年度", "周期"),
                parse=c.year, required=True, width=10,
                note="四位年份，如 2024。",
            ),
            Column(
                "score", "得分",
                aliases=("分数", "总分", "评价得分", "综合得分", "考核得分", "信用评价得分", "最终得分", "评分"),
                parse=c.number("分"), width=8,
                note="按分数评定的领域必填；等级由得分按评价规则得出。",
            ),
            Column(
                "points", "记分",
                aliases=("不良行为记分", "累计记分", "记分分值", "违章记分"),
                parse=c.number("分"), width=8,
                note="按记分评定的领域（如驾驶员）必填。",
            ),
            Column(
                "deductions", "扣分项",
                aliases=("扣分项代码", "扣分事项", "扣分事项代码"),
                parse=deductions, width=18,
                note="可选：扣分项代码，多项用分号隔开，非标准分值写成 代码:分值（如 JC-10;JC-12:3）。",
            ),
            Column(
                "grade", "等级",
                aliases=("信用等级", "评价等级", "评定等级", "信用评价等级", "考核等级", "评价结果"),
                parse=grade, width=8, choices=lambda: grade_choices(reg),
                note="可不填（由得分得出）；填写时必须与得分对应的等级一致。",
            ),
            Column(
                "evaluating_organ", "评价机关",
                aliases=("评价机构", "评定机关", "评价单位", "评定单位", "发布机关", "评价部门"),
                parse=c.text(100), width=24,
            ),
            Column(
                "decision_date", "评定日期",
                aliases=("评价日期", "发布日期", "认定日期", "评定时间", "评价时间"),
                parse=c.date, width=12, number_format="yyyy-mm-dd",
                note="如 2024-03-15，不能晚于今天。",
            ),
            Column(
                "document_no", "文号",
                aliases=("发文文号", "文件编号", "文件号", "公告文号", "批准文号", "发文字号"),
                parse=c.text(100), width=22,
            ),
            Column(
                "basis_notes", "备注",
                aliases=("评定依据", "说明", "依据"),
                parse=c.text(), width=24,
            ),
        ),
    )


TEMPLATE_INSTRUCTIONS = (
    "信用评价结果导入模板（盱眙县信用交通）",
    "1. 每行一条评价结果；表头可以在前几行标题之下，列的顺序不限，列名可用右侧“也可使用的列名”。",
    "2. 等级由得分按评价规则自动得出；若填写等级，必须与得分一致。",
    "3. 导入是“全部或全不”：任何一行有误则不写入任何数据，并生成错误报告（出错单元格标红，“原因”列说明原因），改正后可直接再次导入错误报告。",
    "4. 系统中没有登记的主体默认视为错误；确认需要新登记时，导入时选择“同时登记新主体”（命令行 --create-missing），此时名称必填。",
    "5. 导入的评价为“草稿”，需经审核、公示后生效。",
)
