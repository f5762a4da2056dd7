"""The 双公示 sheets (行政许可, 行政处罚): their columns declared once from the domain's field set.

Template, importer, error report and export all read these. Headers of ledgers exported by other systems
vary: each column accepts the national field code (CF_WSH …), our field name and the usual variants, compared
after NFKC (full-width/half-width) by `exchange.columns`; a clerk's mapping for a source adds aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.columns import CellError, Column, Layout

SHEET_NAMES = {RecordKind.LICENSE: "行政许可", RecordKind.PENALTY: "行政处罚"}

# Variants seen in county ledgers and other systems' exports (beside the label, code and field name).
_VARIANTS: dict[str, tuple[str, ...]] = {
    "xdr_mc": ("行政相对人", "相对人名称", "当事人", "当事人名称", "企业名称", "单位名称", "名称", "姓名", "被处罚人", "申请人"),
    "xdr_lb": ("相对人类别", "行政相对人类型", "相对人类型", "主体类别", "当事人类别"),
    "xdr_shxym": ("统一社会信用代码", "行政相对人代码_1", "社会信用代码", "信用代码", "相对人统一社会信用代码"),
    "frdb": ("法定代表人姓名", "法人代表", "法定代表人(负责人)", "负责人"),
    "fr_zjlx": ("法人证件类型", "法定代表人证件类别"),
    "fr_zjhm": ("法人证件号码", "法定代表人身份证号", "法定代表人身份证号码"),
    "xdr_zjlx": ("相对人证件类型", "证件类别"),
    "xdr_zjhm": ("相对人证件号码", "身份证号码", "身份证号"),
    "xkws": ("许可文书名称", "决定文书名称", "文书名称"),
    "wsh": ("决定文书号", "文书号", "文号", "许可文书号", "处罚决定书文号", "决定书文号", "行政处罚决定文书号", "处罚文书号"),
    "xklb": ("许可类型", "审批类别"),
    "xkzs": ("证书名称", "许可证名称"),
    "xkbh": ("许可证号", "许可证编号", "证书编号"),
    "nr": ("许可内容", "处罚内容", "决定内容", "内容"),
    "wfxw": ("违法行为", "违法行为名称", "案由"),
    "sy": ("违法事实", "主要违法事实"),
    "yj": ("处罚依据", "依据"),
    "cflb": ("处罚类别", "处罚种类", "处罚类型"),
    "fk": ("罚款金额", "罚款金额(万元)", "罚款(万元)", "罚款数额(万元)"),
    "wfff": ("没收金额(万元)", "没收违法所得金额(万元)", "没收违法所得、没收非法财物的金额"),
    "zkdx": ("暂扣或吊销证照名称及编号", "暂扣或者吊销证照名称及编号"),
    "jdrq": ("决定日期", "许可决定日期", "处罚决定日期", "作出决定日期", "决定时间"),
    "yxqz": ("有效期起", "有效期开始日期", "有效期起始日期", "许可有效期自"),
    "yxqzi": ("有效期止", "有效期截止日期", "有效期结束日期", "许可有效期至"),
    "cf_yxq": ("处罚有效期",),
    "gsjzq": ("公示截止期", "公示截止日期", "公示期限"),
    "jg": ("许可机关", "处罚机关", "决定机关", "作出决定机关", "实施机关"),
    "jgdm": ("许可机关统一社会信用代码", "处罚机关统一社会信用代码", "决定机关统一社会信用代码", "机关代码"),
    "zt": ("当前状态", "状态", "许可状态"),
    "lydw": ("数据来源单位", "数据来源", "来源单位"),
    "lydwdm": ("数据来源单位统一社会信用代码", "数据来源单位代码", "来源单位代码"),
    "publicity_class": ("失信程度", "公示类别", "失信行为等级", "严重程度"),
    "bz": ("备注", "说明"),
}

_NOTES: dict[str, str] = {
    "xdr_lb": "法人及非法人组织 / 自然人 / 个体工商户。",
    "xdr_shxym": "法人及非法人组织、个体工商户必填18位代码；自然人不填。请保持“文本”格式。",
    "frdb": "法人及非法人组织、个体工商户必填。",
    "xdr_zjlx": "自然人必填。",
    "xdr_zjhm": "自然人必填；请保持“文本”格式，否则末几位会丢失。",
    "wsh": "如 盱交罚〔2025〕12号。",
    "cflb": "可多选，用“；”隔开，如 警告；罚款。",
    "fk": "单位：万元；处罚类别含罚款时必填。",
    "jdrq": "如 2025-03-15 或 2025/03/15，不能晚于今天。",
    "yxqzi": "长期有效填 2099/12/31。",
    "gsjzq": "可不填：按失信程度自动得出（一般1年、严重3年，自处罚决定日起）。",
    "publicity_class": "轻微 / 一般 / 严重（《信用修复管理办法》）。",
}

_DATE_FMT = "yyyy/mm/dd"


def _parser(kind: RecordKind, name: str) -> Any:
    coerce = rules.field_coercer(name)  # rules.coerce_field, its dispatch on the field's kind done once

    def parse(value: Any) -> Any:
        try:
            return coerce(value)
        except ValueError as exc:
            raise CellError(str(exc), f"{name}: unreadable") from exc

    return parse


def _choices(name: str) -> Any:
    lists = {"xdr_lb": rules.RELATIVE_CATEGORIES, "xdr_zjlx": rules.ID_TYPES, "fr_zjlx": rules.ID_TYPES,
             "xklb": rules.LICENSE_CATEGORIES, "zt": rules.LICENSE_STATES, "cflb": rules.PENALTY_CATEGORIES,
             "publicity_class": rules.PUBLICITY_CLASSES}
    if name not in lists:
        return None
    values = list(lists[name])
    return lambda: values


def _export_value(kind: RecordKind, name: str) -> Any:
    def fmt(values: Mapping[str, Any]) -> Any:
        value = values.get(name)
        if value is None:
            return ""
        if hasattr(value, "strftime"):
            return value.strftime("%Y/%m/%d")
        if isinstance(value, list):
            return "；".join(value)
        return str(value)

    return fmt


def sgs_layout(kind: RecordKind, extra_aliases: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    """The columns of one record type, in the upper platform's order (the national field order)."""
    cols: list[Column] = []
    for f in rules.fields_for(kind):
        header = rules.label(kind, f.name)
        code = f.codes[0 if kind is RecordKind.LICENSE else 1]
        aliases = tuple(dict.fromkeys(a for a in (code, f.name, f.label, *_VARIANTS.get(f.name, ())) if a and a != header))
        width = {"nr": 40, "sy": 40, "yj": 30, "xdr_mc": 30, "wsh": 24, "jg": 24}.get(f.name, 14.0)
        if f.kind in ("uscc", "idno"):
            width = 22
        cols.append(
            Column(
                f.name, header, aliases=aliases, parse=_parser(kind, f.name), required=f.required == rules.ALWAYS,
                choices=_choices(f.name), note=_NOTES.get(f.name, ""), width=width,
                number_format="@" if f.kind in ("uscc", "idno") else (_DATE_FMT if f.kind == "date" else None),
                format=_export_value(kind, f.name),
            )
        )
    if extra_aliases:
        cols = [replace(c, aliases=c.aliases + extra_aliases.get(c.field, ())) for c in cols]
    return Layout(SHEET_NAMES[kind], tuple(cols))


def always_required(kind: RecordKind) -> list[str]:
    """Columns a sheet of this type must have (mandatory for every relative category)."""
    return [f.name for f in rules.fields_for(kind) if f.required == rules.ALWAYS]


TEMPLATE_INSTRUCTIONS = (
    "双公示台账导入模板（盱眙县信用交通）",
    "1. “行政许可”“行政处罚”各一张表，每行一个决定；表头可在前几行标题之下，列的顺序不限，列名可用“也可使用的列名”或国标代码（如 CF_WSH）。",
    "2. 红色表头为必填；法人及非法人组织、个体工商户填统一社会信用代码和法定代表人，自然人填证件类型和证件号码。",
    "3. 日期写成 2025/03/15 或 2025-03-15；金额单位为万元；有效期至 2099/12/31 表示长期。",
    "4. 导入默认“全部或全不”：任何一行有误则不写入任何数据，并生成错误报告（出错单元格标红，“原因”列说明原因）；也可选择“只导入无误的行”。",
    "5. 每个决定须在决定日期后7个工作日内报送（按法定节假日安排计算）。",
)
