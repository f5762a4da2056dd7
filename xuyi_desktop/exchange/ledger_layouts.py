"""The 运政/港航 ledgers as exchange formats, declared once (template, import, error workbook and export read them):
主体台账 (entities with a licence), 从业人员台账 (practitioners with their 从业资格证), 车辆台账, 船舶台账, and the upper
level's 治超抄报 (overload notifications). Each column accepts the names county ledgers use for it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind, EntityStatus, category_code
from xuyi_desktop.domain.fleet import VEHICLE_STATUSES
from xuyi_desktop.exchange.columns import CellError, Column, Layout, date, identifier, number, text

_SPLIT = re.compile(r"[、，,;；/\s]+")


def categories(value: Any) -> tuple[str, ...]:
    """道路运输经营者、港口经营者 or road_operator,port_operator."""
    out: list[str] = []
    for part in _SPLIT.split(str(value).strip()):
        if not part:
            continue
        code = category_code(part)
        if code is None:
            raise CellError(f"未知的主体类别：{part}（可填：{'、'.join(label for label, _ in CATEGORIES.values())}）", "unknown category")
        if code not in out:
            out.append(code)
    return tuple(out)


def _kind(value: Any) -> str:
    t = str(value).strip()
    for k in EntityKind:
        if t in (k.value, k.label, {"org": "企业", "person": "自然人"}[k.value], {"org": "组织", "person": "人员"}[k.value]):
            return k.value
    raise CellError(f"主体类型应为“单位”或“个人”（收到：{value}）", "kind must be org or person")


def _entity_status(value: Any) -> str:
    t = str(value).strip()
    for s in EntityStatus:
        if t in (s.value, s.label, {"active": "在业", "cancelled": "已注销", "revoked": "已吊销"}[s.value]):
            return s.value
    raise CellError(f"状态应为存续、注销或吊销（收到：{value}）", "unknown entity status")


def _count(value: Any) -> int:
    n = number("座")(value)
    if not float(n).is_integer():
        raise CellError("应为整数", "integer expected")
    return int(n)


def _ratio(value: Any) -> float:
    """超限率: 35.2, '35.2%', or 0.352 from a cell formatted as a percentage."""
    if isinstance(value, float) and 0 < value < 1:
        return round(value * 100, 2)
    return number("%")(value)


def _export(f: str) -> Any:
    def fmt(values: Mapping[str, Any]) -> Any:
        v = values.get(f)
        if v is None:
            return ""
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, list | tuple):
            return "、".join(str(x) for x in v)
        return v

    return fmt


def _cols(cols: list[Column], extra: Mapping[str, tuple[str, ...]] | None) -> tuple[Column, ...]:
    return tuple(replace(c, aliases=c.aliases + (extra or {}).get(c.field, ()), format=c.format or _export(c.field)) for c in cols)


_DATE = "yyyy-mm-dd"
_TEXT = "@"
_STATUS_NOTE = "营运 / 停运 / 注销（可不填，默认营运）。"

ENTITY_SHEET, PRACTITIONER_SHEET, VEHICLE_SHEET, VESSEL_SHEET, OVERLOAD_SHEET = "主体台账", "从业人员台账", "车辆台账", "船舶台账", "治超抄报"


def entity_layout(extra: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    return Layout(ENTITY_SHEET, _cols([
        Column("name", "名称", ("单位名称", "企业名称", "业户名称", "经营业户名称", "姓名", "主体名称"), text(200), required=True, width=34),
        Column("identifier", "统一社会信用代码/身份证号码", ("统一社会信用代码", "社会信用代码", "信用代码", "身份证号码", "身份证号", "证件号码"),
               identifier, required=True, width=24, number_format=_TEXT, note="单位填18位统一社会信用代码，个人填18位身份证号码；请保持“文本”格式。"),
        Column("kind", "主体类型", ("类型",), _kind, choices=lambda: ["单位", "个人"], note="单位 / 个人（可不填：按证件号码判断）。", width=10),
        Column("categories", "主体类别", ("类别", "主体分类", "行业类别"), categories,
               choices=lambda: [label for label, _ in CATEGORIES.values()], width=22,
               note="道路运输经营者、道路运输从业人员、水路运输经营者、港口经营者等，多个用“、”隔开。"),
        Column("legal_representative", "法定代表人", ("法定代表人/负责人", "法人代表", "负责人", "业户负责人"), text(100), width=12),
        Column("address", "地址", ("住所", "经营地址", "注册地址", "住址"), text(300), width=34),
        Column("phone", "联系电话", ("电话", "手机号码", "联系方式"), text(32), number_format=_TEXT, width=14),
        Column("region_code", "行政区划代码", ("行政区划", "区划代码"), text(6), number_format=_TEXT, width=10),
        Column("status", "状态", ("经营状态", "登记状态"), _entity_status, choices=lambda: [s.label for s in EntityStatus], width=8),
        Column("licence_type", "证照类型", ("许可证类型", "证照名称", "许可证名称"), text(100), width=22,
               note="如 道路运输经营许可证、水路运输许可证、港口经营许可证。"),
        Column("licence_number", "证照编号", ("许可证号", "经营许可证号", "道路运输经营许可证号", "许可证编号"), text(64), number_format=_TEXT, width=20),
        Column("licence_from", "证照有效期自", ("许可证有效期起", "有效期起", "发证日期"), date, number_format=_DATE, width=12),
        Column("licence_to", "证照有效期至", ("许可证有效期止", "有效期止", "有效期至"), date, number_format=_DATE, width=12),
        Column("notes", "备注", ("说明",), text(), width=20),
    ], extra))


def practitioner_layout(extra: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    return Layout(PRACTITIONER_SHEET, _cols([
        Column("name", "姓名", ("从业人员姓名", "驾驶员姓名", "驾驶员"), text(100), required=True, width=10),
        Column("identifier", "身份证号码", ("身份证号", "公民身份号码", "证件号码"), identifier, required=True, number_format=_TEXT, width=22),
        Column("cert_no", "从业资格证号", ("从业资格证号码", "资格证号", "从业资格证件号", "资格证书号"), text(32), required=True,
               number_format=_TEXT, width=22, note="多为身份证号码；请保持“文本”格式。"),
        Column("qualification_class", "从业资格类别", ("资格类别", "从业资格类型", "准驾类别"), text(100), width=20,
               note="如 道路旅客运输驾驶员、道路货物运输驾驶员、危险货物道路运输驾驶员。"),
        Column("first_issued_on", "初次领证日期", ("初领日期", "初次发证日期", "初领从业资格证日期"), date, number_format=_DATE, width=12,
               note="驾驶员诚信考核周期自初次领证之日起算，每12个月为一个周期。"),
        Column("valid_to", "有效期至", ("从业资格证有效期至", "有效期止"), date, number_format=_DATE, width=12),
        Column("phone", "联系电话", ("电话", "手机号码"), text(32), number_format=_TEXT, width=14),
        Column("employer", "所属企业统一社会信用代码", ("所属企业信用代码", "服务单位统一社会信用代码", "所在单位统一社会信用代码", "企业统一社会信用代码"),
               identifier, number_format=_TEXT, width=24, note="所属企业须已登记（可在同一文件的“主体台账”中）。"),
        Column("employer_name", "所属企业名称", ("所属企业", "服务单位", "所在单位"), text(200), width=30, note="仅供核对，以统一社会信用代码为准。"),
    ], extra))


def vehicle_layout(extra: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    return Layout(VEHICLE_SHEET, _cols([
        Column("plate", "车牌号", ("车牌号码", "号牌号码", "车辆牌照号"), text(16), required=True, width=12,
               note="如 苏H12345、苏H1234挂；新能源号牌8位，如 苏HD12345。"),
        Column("plate_colour", "号牌颜色", ("车牌颜色", "牌照颜色"), text(10), required=True, width=10,
               choices=lambda: ["黄色", "蓝色", "黑色", "白色", "渐变绿色", "黄绿色"]),
        Column("operator", "经营业户统一社会信用代码", ("业户统一社会信用代码", "所属企业统一社会信用代码", "车属单位统一社会信用代码", "统一社会信用代码"),
               identifier, required=True, number_format=_TEXT, width=24, note="经营业户须已登记（可在同一文件的“主体台账”中）。"),
        Column("operator_name", "经营业户名称", ("业户名称", "所属企业", "车属单位"), text(200), width=30, note="仅供核对，以统一社会信用代码为准。"),
        Column("transport_cert_no", "道路运输证号", ("运输证号", "道路运输证号码", "营运证号"), text(32), number_format=_TEXT, width=16),
        Column("vehicle_type", "车辆类型", ("车型", "车辆种类"), text(50), width=16),
        Column("tonnage", "核定载质量(吨)", ("核定载质量", "吨位", "载质量(吨)", "核定吨位"), number("吨"), width=12),
        Column("seats", "核定载客(座)", ("核定载客", "座位数", "座位"), _count, width=10),
        Column("cert_valid_from", "道路运输证有效期起", ("运输证有效期起", "发证日期"), date, number_format=_DATE, width=14),
        Column("cert_valid_to", "道路运输证有效期止", ("运输证有效期止", "有效期至", "有效期止"), date, number_format=_DATE, width=14),
        Column("status", "营运状态", ("车辆状态", "状态"), text(8), choices=lambda: list(VEHICLE_STATUSES.values()), width=10, note=_STATUS_NOTE),
        Column("notes", "备注", ("说明",), text(), width=20),
    ], extra))


def vessel_layout(extra: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    return Layout(VESSEL_SHEET, _cols([
        Column("name", "船名", ("船舶名称", "中文船名"), text(100), required=True, width=18),
        Column("ship_id", "船舶识别号", ("船舶识别码", "识别号"), text(16), required=True, number_format=_TEXT, width=16,
               note="CN加11位数字，如 CN20120012345。"),
        Column("operator", "经营人统一社会信用代码", ("船舶经营人统一社会信用代码", "所属企业统一社会信用代码", "统一社会信用代码"),
               identifier, required=True, number_format=_TEXT, width=24, note="经营人须已登记（可在同一文件的“主体台账”中）。"),
        Column("operator_name", "经营人名称", ("船舶经营人", "所属企业"), text(200), width=30, note="仅供核对，以统一社会信用代码为准。"),
        Column("transport_cert_no", "船舶营业运输证号", ("营业运输证号", "营运证号", "运输证号"), text(32), number_format=_TEXT, width=18),
        Column("vessel_type", "船舶类型", ("船舶种类", "船型"), text(50), width=14),
        Column("gross_tonnage", "总吨", ("总吨位",), number("吨"), width=10),
        Column("deadweight", "载重吨", ("载重吨位", "参考载货量"), number("吨"), width=10),
        Column("cert_valid_from", "营业运输证有效期起", ("有效期起", "发证日期"), date, number_format=_DATE, width=14),
        Column("cert_valid_to", "营业运输证有效期止", ("有效期止", "有效期至"), date, number_format=_DATE, width=14),
        Column("status", "营运状态", ("船舶状态", "状态"), text(8), choices=lambda: list(VEHICLE_STATUSES.values()), width=10, note=_STATUS_NOTE),
        Column("notes", "备注", ("说明",), text(), width=20),
    ], extra))


def overload_layout(extra: Mapping[str, tuple[str, ...]] | None = None) -> Layout:
    return Layout(OVERLOAD_SHEET, _cols([
        Column("document_no", "抄报文书编号", ("文书编号", "抄报编号", "抄告单号", "抄告编号", "编号", "文书号"), text(64), required=True,
               number_format=_TEXT, width=22, note="每份抄报一个编号；再次导入同一编号不会重复登记。"),
        Column("plate", "车牌号", ("车牌号码", "号牌号码", "超限车辆"), text(16), required=True, width=12),
        Column("plate_colour", "号牌颜色", ("车牌颜色",), text(10), width=10),
        Column("operator_name", "运输企业名称", ("企业名称", "车属单位", "运输企业", "业户名称"), text(200), width=30),
        Column("operator_identifier", "运输企业统一社会信用代码", ("企业统一社会信用代码", "统一社会信用代码", "业户统一社会信用代码"),
               identifier, number_format=_TEXT, width=24),
        Column("driver_name", "驾驶员姓名", ("驾驶员", "驾驶人", "驾驶人姓名"), text(100), width=10),
        Column("driver_identifier", "驾驶员身份证号码", ("驾驶员身份证号", "驾驶人身份证号码", "驾驶员从业资格证号", "从业资格证号"),
               identifier, number_format=_TEXT, width=22),
        Column("occurred_on", "超限日期", ("检测日期", "违法日期", "查处日期", "发生日期", "日期"), date, required=True, number_format=_DATE, width=12),
        Column("place", "检测地点", ("超限地点", "检测站点", "地点", "查处地点"), text(200), width=24),
        Column("overload_ratio", "超限率(%)", ("超限率", "超限比例", "超载率"), _ratio, width=10),
        Column("source", "抄报单位", ("抄告单位", "来文单位"), text(200), width=24),
        Column("received_on", "抄报日期", ("收文日期", "抄告日期", "接收日期"), date, number_format=_DATE, width=12, note="可不填：按导入当天计。"),
    ], extra))


TEMPLATE_INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    ENTITY_SHEET: (
        "主体台账（运政/港航）导入模板（盱眙县信用交通）",
        "1. 每行一个主体；按统一社会信用代码或身份证号码与系统中已登记的主体匹配：已登记的补充或更新，未登记的新增，绝不重复登记。",
        "2. 文件中空白的单元格不会清除系统中已有的内容；主体类别只增不减；同一证照（类型+编号）只登记一次。",
        "3. 默认“全部或全不”：任何一行有误则不写入任何数据，并生成错误报告（出错单元格标红，“原因”列说明原因）；也可选择“只导入无误的行”。",
    ),
    PRACTITIONER_SHEET: (
        "从业人员台账导入模板",
        "1. 每行一名从业人员；按身份证号码匹配，未登记的新增为“道路运输从业人员”，已登记的补充从业资格信息。",
        "2. 填写所属企业统一社会信用代码的，建立“从业人员（驾驶员）”关联；驾驶员诚信考核周期自初次领证日期起算。",
    ),
    VEHICLE_SHEET: (
        "车辆台账导入模板",
        "1. 每行一辆车；按车牌号和号牌颜色匹配，已登记的更新，未登记的新增。车牌号校验省份简称、字母（不用 I、O）和新能源号牌规则。",
        "2. 经营业户按统一社会信用代码匹配，须已登记（可在同一文件的“主体台账”中一并导入）。",
    ),
    VESSEL_SHEET: (
        "船舶台账导入模板",
        "1. 每行一艘船；按船舶识别号（CN加11位数字）匹配，已登记的更新，未登记的新增。",
        "2. 经营人按统一社会信用代码匹配，须已登记（可在同一文件的“主体台账”中一并导入）。",
    ),
    OVERLOAD_SHEET: (
        "治超抄报导入模板",
        "1. 每行一份抄报；按抄报文书编号识别，再次导入同一编号不会重复登记。",
        "2. 按车牌号匹配车辆及其经营业户，按身份证号码或从业资格证号匹配驾驶员；匹配不上的列入“待匹配”，由经办人处理。",
    ),
}
