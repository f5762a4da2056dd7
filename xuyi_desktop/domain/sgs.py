"""双公示: administrative licensing (行政许可) and penalty (行政处罚) decisions — fields, code lists, rules.

Pure rules, no storage: the field set after the national data standard (SPEC.md §7, codes XK_… / CF_… from
SOURCES.md), field-level validation with Chinese messages that name the field and the rule, the reporting
status from the 7-working-day deadline, completeness, and the publicity period of penalties.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any

from xuyi_desktop.domain.errors import FieldProblem
from xuyi_desktop.domain.identifiers import check_id_card, check_uscc, normalise_identifier
from xuyi_desktop.domain.working_days import add_months

REPORT_WORKING_DAYS = 7  # 国办发〔2015〕51号 etc.: published within 7 working days of the decision
LONG_TERM = dt.date(2099, 12, 31)  # 有效期至 2099/12/31 means long-term


class RecordKind(str, Enum):
    LICENSE = "XK"
    PENALTY = "CF"

    @property
    def label(self) -> str:
        return "行政许可" if self is RecordKind.LICENSE else "行政处罚"


class ReportStatus(str, Enum):
    PENDING = "pending"
    REPORTED = "reported"
    OVERDUE = "overdue"
    LATE = "late"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ReportStatus.PENDING: "待报送",
    ReportStatus.REPORTED: "已报送",
    ReportStatus.OVERDUE: "逾期未报",
    ReportStatus.LATE: "逾期已报",
}

# --- code lists ---------------------------------------------------------------------------------------
RELATIVE_ORG, RELATIVE_PERSON, RELATIVE_INDIVIDUAL = "法人及非法人组织", "自然人", "个体工商户"
RELATIVE_CATEGORIES = (RELATIVE_ORG, RELATIVE_PERSON, RELATIVE_INDIVIDUAL)
ID_TYPES = ("身份证", "护照号", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证")
LICENSE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
LICENSE_STATES = ("有效", "无效")
# 行政处罚法 (2021) 第九条, then the older names of the national standard that records from other systems still use.
PENALTY_CATEGORIES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
    "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
    "暂扣或者吊销许可证", "暂扣或者吊销执照",
)
LICENCE_MEASURES = frozenset({"暂扣许可证件", "吊销许可证件", "暂扣或者吊销许可证", "暂扣或者吊销执照", "降低资质等级"})
PUBLICITY_CLASSES = ("轻微", "一般", "严重")
PENDING_CLASS = "待定"  # no class given and none derived: a reviewer decides (counts as published meanwhile)

# Spellings clerks and other systems use, folded (NFKC, no spaces) → stored value.
CODE_SPELLINGS: dict[str, dict[str, str]] = {
    "xdr_lb": {
        **{v: v for v in RELATIVE_CATEGORIES},
        "法人": RELATIVE_ORG, "法人及其他组织": RELATIVE_ORG, "法人和非法人组织": RELATIVE_ORG, "非法人组织": RELATIVE_ORG,
        "企业": RELATIVE_ORG, "单位": RELATIVE_ORG, "个人": RELATIVE_PERSON, "个体户": RELATIVE_INDIVIDUAL,
        "1": RELATIVE_ORG, "2": RELATIVE_PERSON, "3": RELATIVE_INDIVIDUAL,
    },
    "xdr_zjlx": {
        **{v: v for v in ID_TYPES},
        "居民身份证": "身份证", "身份证号": "身份证", "身份证号码": "身份证", "护照": "护照号",
    },
    "fr_zjlx": {
        **{v: v for v in ID_TYPES},
        "居民身份证": "身份证", "身份证号": "身份证", "身份证号码": "身份证", "护照": "护照号",
    },
    "xklb": {v: v for v in LICENSE_CATEGORIES},
    "zt": {**{v: v for v in LICENSE_STATES}, "1": "有效", "2": "无效", "0": "无效"},
    "cflb": {
        **{v: v for v in PENALTY_CATEGORIES},
        "暂扣或吊销许可证": "暂扣或者吊销许可证", "暂扣或吊销执照": "暂扣或者吊销执照", "吊销许可证": "吊销许可证件",
        "暂扣许可证": "暂扣许可证件", "吊销执照": "暂扣或者吊销执照", "责令停产停业整顿": "责令停产停业",
        "没收违法所得、没收非法财物": "没收违法所得", "吊销证照": "吊销许可证件", "吊销营业执照": "暂扣或者吊销执照",
        "吊销道路运输经营许可证": "吊销许可证件", "吊销从业资格证": "吊销许可证件", "暂扣从业资格证": "暂扣许可证件",
        "降低资质": "降低资质等级", "限制生产经营活动": "限制开展生产经营活动", "限制开展生产经营": "限制开展生产经营活动",
        "责令停业": "责令停产停业", "关闭": "责令关闭", "拘留": "行政拘留",
    },
    "publicity_class": {
        **{v: v for v in (*PUBLICITY_CLASSES, PENDING_CLASS)},
        "轻微失信": "轻微", "一般失信": "一般", "严重失信": "严重", "未定": PENDING_CLASS, "待审核": PENDING_CLASS,
    },
}


def fold(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def code_value(field_name: str, value: object) -> str | None:
    """The stored value of a code-list field for any accepted spelling, None when unknown."""
    return CODE_SPELLINGS[field_name].get(fold(value))


def split_penalty_categories(value: object) -> tuple[list[str], list[str]]:
    """'罚款；警告' → (['罚款', '警告'], []) — a decision may carry several, separated by ；;,，、/ or a line
    break; the second list holds the parts that are not a category (each named in the clerk's message)."""
    parts = [p for p in re.split(r"[;；,，、/\n]+", unicodedata.normalize("NFKC", str(value))) if fold(p)]
    out: list[str] = []
    unknown: list[str] = []
    for part in parts:
        code = code_value("cflb", part)
        if code is None:
            unknown.append(fold(part))
        elif code not in out:
            out.append(code)
    return out, unknown


# --- the field set -------------------------------------------------------------------------------------

# Who must fill a field: always, only for organisations (and 个体工商户), only for natural persons.
ALWAYS, ORG, PERSON = "always", "org", "person"


@dataclass(frozen=True)
class FieldDef:
    name: str  # attribute / column name
    label: str  # Chinese name (the national standard's)
    codes: tuple[str, str]  # (XK_…, CF_…); "" where the record type lacks it
    kind: str = "text"  # text, date, code, codes, amount, uscc, idno
    required: str | None = None  # ALWAYS / ORG / PERSON / None
    recommended: str | None = None  # counted by completeness when it applies, never refused
    max_length: int = 200
    only: RecordKind | None = None


F = FieldDef
FIELDS: tuple[FieldDef, ...] = (
    F("xdr_mc", "行政相对人名称", ("XK_XDR_MC", "CF_XDR_MC"), required=ALWAYS),
    F("xdr_lb", "行政相对人类别", ("XK_XDR_LB", "CF_XDR_LB"), "code", required=ALWAYS),
    F("xdr_shxym", "统一社会信用代码", ("XK_XDR_SHXYM", "CF_XDR_SHXYM"), "uscc", required=ORG, max_length=18),
    F("frdb", "法定代表人", ("XK_FRDB", "CF_FRDB"), required=ORG, max_length=50),
    F("fr_zjlx", "法定代表人证件类型", ("XK_FR_ZJLX", "CF_FR_ZJLX"), "code", recommended=ORG),
    F("fr_zjhm", "法定代表人证件号码", ("XK_FR_SFZH", "CF_FR_SFZH"), "idno", recommended=ORG, max_length=64),
    F("xdr_zjlx", "证件类型", ("XK_XDR_ZJLX", "CF_XDR_ZJLX"), "code", required=PERSON),
    F("xdr_zjhm", "证件号码", ("XK_XDR_ZJHM", "CF_XDR_ZJHM"), "idno", required=PERSON, max_length=64),
    # 行政许可
    F("xkws", "行政许可决定文书名称", ("XK_XKWS", ""), required=ALWAYS, only=RecordKind.LICENSE, max_length=64),
    F("wsh", "决定文书号", ("XK_WSH", "CF_WSH"), "docno", required=ALWAYS, max_length=64),
    F("xklb", "许可类别", ("XK_XKLB", ""), "code", required=ALWAYS, only=RecordKind.LICENSE),
    F("xkzs", "许可证书名称", ("XK_XKZS", ""), recommended=ALWAYS, only=RecordKind.LICENSE, max_length=64),
    F("xkbh", "许可编号", ("XK_XKBH", ""), recommended=ALWAYS, only=RecordKind.LICENSE, max_length=64),
    F("nr", "决定内容", ("XK_NR", "CF_NR"), required=ALWAYS, max_length=4000),
    # 行政处罚
    F("wfxw", "违法行为类型", ("", "CF_WFXW"), required=ALWAYS, only=RecordKind.PENALTY, max_length=2000),
    F("sy", "违法事实", ("", "CF_SY"), required=ALWAYS, only=RecordKind.PENALTY, max_length=5000),
    F("yj", "处罚依据", ("", "CF_YJ"), required=ALWAYS, only=RecordKind.PENALTY, max_length=2048),
    F("cflb", "处罚类别", ("", "CF_CFLB"), "codes", required=ALWAYS, only=RecordKind.PENALTY),
    F("fk", "罚款金额（万元）", ("", "CF_NR_FK"), "amount", only=RecordKind.PENALTY),
    F("wfff", "没收违法所得、没收非法财物的金额（万元）", ("", "CF_NR_WFFF"), "amount", only=RecordKind.PENALTY),
    F("zkdx", "暂扣或吊销证照名称及编号", ("", "CF_NR_ZKDX"), only=RecordKind.PENALTY),
    F("jdrq", "决定日期", ("XK_JDRQ", "CF_JDRQ"), "date", required=ALWAYS),
    F("yxqz", "有效期自", ("XK_YXQZ", ""), "date", required=ALWAYS, only=RecordKind.LICENSE),
    F("yxqzi", "有效期至", ("XK_YXQZI", ""), "date", required=ALWAYS, only=RecordKind.LICENSE),
    F("cf_yxq", "处罚有效期", ("", "CF_YXQ"), "date", recommended=ALWAYS, only=RecordKind.PENALTY),
    F("gsjzq", "公示截止期", ("", "CF_GSJZQ"), "date", only=RecordKind.PENALTY),
    F("jg", "决定机关", ("XK_XKJG", "CF_CFJG"), required=ALWAYS, max_length=200),
    F("jgdm", "决定机关统一社会信用代码", ("XK_XKJGDM", "CF_CFJGDM"), "uscc", required=ALWAYS, max_length=18),
    F("zt", "当前状态", ("XK_ZT", ""), "code", required=ALWAYS, only=RecordKind.LICENSE),
    F("lydw", "数据来源单位", ("XK_LYDW", "CF_SJLY"), required=ALWAYS, max_length=200),
    F("lydwdm", "数据来源单位统一社会信用代码", ("XK_LYDWDM", "CF_SJLYDM"), "uscc", required=ALWAYS, max_length=18),
    # Not a field of the national standard: files from other systems lack it. When empty it is derived from
    # resources/sgs/class_rules.toml or set to 待定 for a reviewer (services.sgs.prepare); never a reason to refuse.
    F("publicity_class", "失信程度（公示类别）", ("", ""), "code", only=RecordKind.PENALTY),
    F("bz", "备注", ("XK_BZ", "CF_BZ"), max_length=512),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

# The labels as the two record types call a shared field.
KIND_LABELS: dict[RecordKind, dict[str, str]] = {
    RecordKind.LICENSE: {"wsh": "行政许可决定文书号", "nr": "许可内容", "jdrq": "许可决定日期", "jg": "许可机关",
                         "jgdm": "许可机关统一社会信用代码"},
    RecordKind.PENALTY: {"wsh": "行政处罚决定书文号", "nr": "处罚内容", "jdrq": "处罚决定日期", "jg": "处罚机关",
                         "jgdm": "处罚机关统一社会信用代码", "lydw": "数据来源单位", "lydwdm": "数据来源单位统一社会信用代码"},
}


def fields_for(kind: RecordKind) -> list[FieldDef]:
    return list(_FIELDS_FOR[kind])


# Per record type, counted once: validate and coerce run on every row of a 100,000-row ledger (issue 17).
_FIELDS_FOR: dict[RecordKind, tuple[FieldDef, ...]] = {k: tuple(f for f in FIELDS if f.only in (None, k)) for k in RecordKind}
_FIELD_NAMES_FOR: dict[RecordKind, frozenset[str]] = {k: frozenset(f.name for f in v) for k, v in _FIELDS_FOR.items()}
_CODE_VALUES: dict[str, frozenset[str]] = {name: frozenset(spellings.values()) for name, spellings in CODE_SPELLINGS.items()}


def label(kind: RecordKind, name: str) -> str:
    return KIND_LABELS[kind].get(name) or FIELD_BY_NAME[name].label


def field_code(kind: RecordKind, name: str) -> str:
    return FIELD_BY_NAME[name].codes[0 if kind is RecordKind.LICENSE else 1]


def _applies(rule: str | None, category: str | None) -> bool:
    if rule is None:
        return False
    if rule == ALWAYS:
        return True
    if rule == ORG:
        return category in (RELATIVE_ORG, RELATIVE_INDIVIDUAL)
    return category == RELATIVE_PERSON


def _category_group(category: object) -> str | None:
    """Which `_applies` rules hold for a relative category: ORG, PERSON or neither (ALWAYS rules hold for all)."""
    if category in (RELATIVE_ORG, RELATIVE_INDIVIDUAL):
        return ORG
    return PERSON if category == RELATIVE_PERSON else None


# The required fields per record type and category group, counted once (validate runs on every row of a ledger).
_REQUIRED_FOR: dict[tuple[RecordKind, str | None], tuple[str, ...]] = {
    (k, group): tuple(f.name for f in _FIELDS_FOR[k] if _applies(f.required, category))
    for k in RecordKind for group, category in ((ORG, RELATIVE_ORG), (PERSON, RELATIVE_PERSON), (None, None))
}


def required_fields(kind: RecordKind, values: Mapping[str, Any]) -> list[str]:
    needed = list(_REQUIRED_FOR[kind, _category_group(values.get("xdr_lb"))])
    if kind is RecordKind.PENALTY and "罚款" in (values.get("cflb") or []):
        needed.append("fk")
    return needed


def completeness_fields(kind: RecordKind, values: Mapping[str, Any]) -> list[str]:
    """Mandatory and recommended fields that apply to this record (completeness counts these)."""
    category = values.get("xdr_lb")
    rec = [f.name for f in fields_for(kind) if _applies(f.recommended, category)]
    return required_fields(kind, values) + [n for n in rec if n not in required_fields(kind, values)]


def is_filled(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != ()


# --- validation ---------------------------------------------------------------------------------------

_DOCNO = re.compile(r"^.{1,40}[〔\[【(（]\d{4}[〕\]】)）]第?\d{1,8}号$")
_AMOUNT_LIMIT = Decimal(1000000)  # 万元: 100 亿元, far above any county penalty


def parse_amount(value: Any) -> Decimal:
    """An amount in 万元 with at most 6 decimals (decimal(18,6)); raises ValueError with a Chinese message."""
    if isinstance(value, bool):
        raise ValueError("应为数字（单位：万元）")  # noqa: TRY004 (a cell's content, reported to the clerk)
    try:
        raw = fold(value).replace(",", "").removesuffix("万元")
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"应为数字（单位：万元），收到：{value}") from None
    if not amount.is_finite():
        raise ValueError("应为数字（单位：万元）")
    if amount < 0:
        raise ValueError("不能为负数")
    if amount >= _AMOUNT_LIMIT:
        raise ValueError("金额单位是万元，数值过大，请核对是否误填了元")
    if amount.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError("最多保留6位小数（单位：万元）")
    return amount


_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


def normalise_docno(value: str) -> str:
    """A document number as stored: spaces removed and full-width digits and letters made half-width
    (盱交罚〔２０２５〕１０２号 and 盱交罚〔2025〕102号 are one decision); the brackets stay as the organ writes them."""
    return "".join(value.split()).translate(_FULLWIDTH_ALNUM)


def check_docno(value: str) -> str | None:
    """Why a decision document number is malformed (None if fine): organ abbreviation, year in brackets, number."""
    compact = "".join(unicodedata.normalize("NFKC", value).split())
    match = _DOCNO.match(compact)
    if not match:
        return "格式应为“机关代字〔年份〕序号号”，如 盱交许〔2025〕12号、盱交罚字[2025]第0012号"
    year = int(re.search(r"[〔\[【(（](\d{4})", compact).group(1))  # type: ignore[union-attr]
    if not 1990 <= year <= 2100:
        return f"文号中的年份 {year} 不合理"
    return None


@lru_cache(maxsize=4096)
def _uscc_problems(value: str, name: str) -> tuple[tuple[str, str], ...]:
    """check_uscc's problems as (Chinese, English) messages, remembered: the organ and source codes repeat on
    every row of a ledger."""
    return tuple((p.message_zh, p.message_en) for p in check_uscc(value, name).problems)


# Per record type, in field order: (name, max length, a code-list field, a USCC field): what validate checks of
# every filled field, looked up once instead of per field and row.
_CHECKS_FOR: dict[RecordKind, tuple[tuple[str, int, bool, bool], ...]] = {
    k: tuple((f.name, f.max_length, f.kind == "code", f.kind == "uscc") for f in fields) for k, fields in _FIELDS_FOR.items()
}


def validate(kind: RecordKind, values: Mapping[str, Any], *, today: dt.date) -> list[FieldProblem]:
    """Every rule this record breaks, one FieldProblem per field and rule, in the clerk's words. Values are
    already typed (dates as dt.date, codes as stored values, cflb as a list, amounts as Decimal)."""
    problems: list[FieldProblem] = []

    def bad(name: str, rule_zh: str, rule_en: str) -> None:
        problems.append(FieldProblem(name, f"{label(kind, name)}：{rule_zh}", f"{name}: {rule_en}"))

    get = values.get
    for name in required_fields(kind, values):
        value = get(name)
        if value is None or value == "" or value == [] or value == ():  # not is_filled (inlined: every field, every row)
            why = "必填" if FIELD_BY_NAME[name].required else "处罚类别含罚款时必填"
            bad(name, f"{why}，不能为空", "required")
    for name, max_length, is_code, is_uscc in _CHECKS_FOR[kind]:
        value = get(name)
        if value is None or value == "" or value == [] or value == ():
            continue
        if isinstance(value, str) and len(value) > max_length:
            bad(name, f"不能超过{max_length}个字符（实际{len(value)}个）", "too long")
        if is_code and value not in _CODE_VALUES[name]:
            shown = "、".join(dict.fromkeys(CODE_SPELLINGS[name].values()))
            bad(name, f"不在代码表中（可填：{shown}）", "not in the code list")
        if is_uscc:
            for zh, en in _uscc_problems(str(value), name):
                bad(name, zh.removeprefix("统一社会信用代码"), en)
    category = values.get("xdr_lb")
    # 证件号码 of a natural person with a 身份证: the check character and birth date.
    for type_field, no_field in (("xdr_zjlx", "xdr_zjhm"), ("fr_zjlx", "fr_zjhm")):
        number = values.get(no_field)
        if is_filled(number):
            if values.get(type_field, "身份证") in ("身份证", None, ""):
                for p in check_id_card(str(number), no_field, today).problems:
                    bad(no_field, p.message_zh.removeprefix("身份证号码"), p.message_en)
        elif is_filled(values.get(type_field)) and no_field == "fr_zjhm":
            bad(no_field, "填写了证件类型时必须填写证件号码", "type given without number")
    if category == RELATIVE_PERSON and is_filled(values.get("xdr_shxym")):
        bad("xdr_shxym", "行政相对人为自然人时不填统一社会信用代码（填证件类型和证件号码）", "natural person has no USCC")
    docno = values.get("wsh")
    if is_filled(docno):
        docno_problem = check_docno(str(docno))
        if docno_problem:
            bad("wsh", docno_problem, "document number format")
    jdrq = values.get("jdrq")
    if isinstance(jdrq, dt.date):
        if jdrq > today:
            bad("jdrq", f"不能晚于今天（{today.isoformat()}）", "decision date in the future")
        if jdrq.year < 1990:
            bad("jdrq", "早于1990年，请核对", "decision date too early")
    if kind is RecordKind.LICENSE:
        start, end = values.get("yxqz"), values.get("yxqzi")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            bad("yxqzi", f"有效期至（{end.isoformat()}）不能早于有效期自（{start.isoformat()}）", "valid-until before valid-from")
        if isinstance(end, dt.date) and end > LONG_TERM:
            bad("yxqzi", "长期有效请填 2099-12-31", "long-term is 2099-12-31")
    else:
        cats = values.get("cflb") or []
        if is_filled(values.get("fk")) and "罚款" not in cats:
            bad("fk", "处罚类别不含罚款时不应填写罚款金额", "fine amount without 罚款")
        if is_filled(values.get("wfff")) and not {"没收违法所得", "没收非法财物"} & set(cats):
            bad("wfff", "处罚类别不含没收时不应填写没收金额", "confiscation amount without 没收")
        if "罚款" in cats and isinstance(values.get("fk"), Decimal) and values["fk"] == 0:
            bad("fk", "处罚类别含罚款时罚款金额应大于0", "fine must be positive")
        if LICENCE_MEASURES & set(cats) and not is_filled(values.get("zkdx")):
            bad("zkdx", "处罚类别含暂扣或者吊销证照时必填", "licence name and number required")
        for name in ("cf_yxq", "gsjzq"):
            day = values.get(name)
            if isinstance(jdrq, dt.date) and isinstance(day, dt.date) and day < jdrq:
                bad(name, f"不能早于处罚决定日期（{jdrq.isoformat()}）", "before the decision date")
    return problems


def missing_fields(kind: RecordKind, values: Mapping[str, Any]) -> list[str]:
    """Completeness: the applicable mandatory/recommended fields left empty."""
    return [n for n in completeness_fields(kind, values) if not is_filled(values.get(n))]


# --- status and deadline -------------------------------------------------------------------------------

def report_status(deadline: dt.date | None, reported_on: dt.date | None, today: dt.date) -> ReportStatus:
    """待报送 / 已报送 / 逾期未报 / 逾期已报 from the deadline (the last allowed day) and the report date."""
    if reported_on is not None:
        return ReportStatus.REPORTED if deadline is None or reported_on <= deadline else ReportStatus.LATE
    if deadline is not None and today > deadline:
        return ReportStatus.OVERDUE
    return ReportStatus.PENDING


# --- publicity periods of penalties --------------------------------------------------------------------

@dataclass(frozen=True)
class PublicityRule:
    """One class's publicity period in months; `minimum` None: not published as a rule (轻微)."""

    klass: str
    minimum: int | None
    maximum: int
    published_by_default: bool


@dataclass(frozen=True)
class SectorMinimum:
    """A sector whose penalties had a longer minimum (e.g. 安全生产 under the 2023 trial measures): matched by a
    keyword in the 违法行为类型, 违法事实 or 处罚依据."""

    keywords: tuple[str, ...]
    klass: str
    min_months: int


@dataclass(frozen=True)
class PublicityRules:
    """One version of the publicity rules, for decisions from `effective_from` on (SPEC §7)."""

    source: str
    effective_from: dt.date
    rules: dict[str, PublicityRule]
    name: str = ""
    sectors: tuple[SectorMinimum, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.source

    def end(self, klass: str, decided: dt.date) -> dt.date | None:
        """Publicity stops automatically at the maximum; None for a class not published by default."""
        rule = self.rules[klass]
        return add_months(decided, rule.maximum) if rule.published_by_default else None

    def minimum_months(self, klass: str, text: str = "") -> int | None:
        rule = self.rules[klass]
        sector = next((x for x in self.sectors if x.klass == klass and any(k in text for k in x.keywords)), None)
        if sector is not None:
            return max(sector.min_months, rule.minimum or 0)
        return rule.minimum

    def earliest_repair(self, klass: str, decided: dt.date, text: str = "") -> dt.date | None:
        minimum = self.minimum_months(klass, text)
        return add_months(decided, minimum) if minimum is not None else decided


def parse_publicity_rules(text: str, source: str = "publicity.toml") -> PublicityRules:
    data = tomllib.loads(text)
    rules: dict[str, PublicityRule] = {}
    for raw in data.get("class", []):
        klass = raw["name"]
        if klass not in PUBLICITY_CLASSES:
            raise ValueError(f"{source}: unknown class {klass}")
        minimum, maximum = raw.get("min_months"), int(raw["max_months"])
        if minimum is not None and not 0 <= int(minimum) <= maximum:
            raise ValueError(f"{source}: {klass} min_months > max_months")
        rules[klass] = PublicityRule(klass, None if minimum is None else int(minimum), maximum, bool(raw.get("published", True)))
    if set(rules) != set(PUBLICITY_CLASSES):
        raise ValueError(f"{source}: classes must be exactly {PUBLICITY_CLASSES}")
    sectors = []
    for raw in data.get("sector", []):
        if raw.get("class") not in PUBLICITY_CLASSES or not raw.get("keywords"):
            raise ValueError(f"{source}: sector needs keywords and a class")
        sectors.append(SectorMinimum(tuple(raw["keywords"]), raw["class"], int(raw["min_months"])))
    effective = data["effective_from"]
    return PublicityRules(str(data.get("source", "")), effective, rules, str(data.get("name", "")), tuple(sectors))


@dataclass(frozen=True)
class PublicityRuleVersions:
    """Every version, chosen by the decision date: the rules in force on the day the decision was taken."""

    versions: tuple[PublicityRules, ...]

    def for_decision(self, decided: dt.date) -> PublicityRules:
        ordered = sorted(self.versions, key=lambda v: v.effective_from)
        in_force = [v for v in ordered if v.effective_from <= decided]
        return in_force[-1] if in_force else ordered[0]


def check_publicity_end(rules: PublicityRules, klass: str, decided: dt.date, end: dt.date, text: str = "") -> str | None:
    """Why a given 公示截止期 is outside the class's range (None if allowed)."""
    rule = rules.rules[klass]
    if not rule.published_by_default and rule.maximum == 0:
        return f"{klass}失信行为的行政处罚信息不予公示（{rules.label}），不应填写公示截止期"
    latest = add_months(decided, rule.maximum)
    minimum = rules.minimum_months(klass, text)
    earliest = add_months(decided, minimum) if minimum is not None else decided
    if end > latest:
        return f"{klass}失信信息最长公示{_months(rule.maximum)}，公示截止期不能晚于 {latest.isoformat()}"
    if end < earliest:
        return f"{klass}失信信息最短公示{_months(minimum or 0)}，公示截止期不能早于 {earliest.isoformat()}"
    return None


# --- the publicity class when a record does not carry one ---------------------------------------------------

@dataclass(frozen=True)
class ClassRule:
    """First rule (file order) that holds gives the class; every condition given must hold."""

    klass: str
    note: str
    basis_contains: tuple[str, ...] = ()  # any of these in 处罚依据 / 违法行为类型 (the item catalogue)
    categories_any: tuple[str, ...] = ()  # the decision carries one of these
    categories_only: tuple[str, ...] = ()  # the decision carries only these
    min_fine: Decimal | None = None  # 万元, inclusive
    below_fine: Decimal | None = None  # 万元, exclusive

    def holds(self, categories: list[str], fine: Decimal | None, text: str) -> bool:
        if self.basis_contains and not any(k in text for k in self.basis_contains):
            return False
        if self.categories_any and not set(self.categories_any) & set(categories):
            return False
        if self.categories_only and (not categories or set(categories) - set(self.categories_only)):
            return False
        if self.min_fine is not None and (fine is None or fine < self.min_fine):
            return False
        return not (self.below_fine is not None and fine is not None and fine >= self.below_fine)


def parse_class_rules(text: str, source: str = "class_rules.toml") -> tuple[ClassRule, ...]:
    data = tomllib.loads(text)
    out = []
    for i, raw in enumerate(data.get("rule", []), start=1):
        klass = raw.get("class")
        if klass not in PUBLICITY_CLASSES:
            raise ValueError(f"{source} 第{i}条：class 应为 {'/'.join(PUBLICITY_CLASSES)}")
        cats = [*raw.get("categories_any", []), *raw.get("categories_only", [])]
        unknown = [c for c in cats if c not in PENALTY_CATEGORIES]
        if unknown:
            raise ValueError(f"{source} 第{i}条：{unknown} 不是处罚类别")
        conditions = ("basis_contains", "categories_any", "categories_only", "min_fine", "below_fine")
        if not any(raw.get(k) not in (None, [], "") for k in conditions):
            raise ValueError(f"{source} 第{i}条：至少需要一个条件")

        def dec(key: str, raw: dict[str, Any] = raw) -> Decimal | None:
            return None if raw.get(key) is None else Decimal(str(raw[key]))

        out.append(ClassRule(
            klass, str(raw.get("note", "")), tuple(raw.get("basis_contains", ())), tuple(raw.get("categories_any", ())),
            tuple(raw.get("categories_only", ())), dec("min_fine"), dec("below_fine"),
        ))
    return tuple(out)


def derive_class(rules: tuple[ClassRule, ...], values: Mapping[str, Any]) -> ClassRule | None:
    """The rule that classes a penalty record without a class (None: 待定, a reviewer decides)."""
    categories = list(values.get("cflb") or [])
    fine = values.get("fk") if isinstance(values.get("fk"), Decimal) else None
    text = " ".join(str(values.get(n) or "") for n in ("yj", "wfxw", "sy"))
    return next((r for r in rules if r.holds(categories, fine, text)), None)


def _months(n: int) -> str:
    return f"{n // 12}年" if n % 12 == 0 and n >= 12 else f"{n}个月"


def mask_for_public(kind_values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy fit for public exports: natural persons' ID numbers and legal representatives' ID numbers masked."""
    from xuyi_desktop.domain.masking import mask_id_number

    out = dict(kind_values)
    for name in ("xdr_zjhm", "fr_zjhm"):
        if out.get(name):
            out[name] = mask_id_number(str(out[name]))
    return out


Normaliser = Callable[[Any], Any]


def normalise_identifier_value(value: Any) -> str:
    return normalise_identifier(str(value))


# --- typing raw input (CLI, form, spreadsheet cell) ------------------------------------------------------

_DATE_TEXT = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> dt.date:
    """A date, or text 2025-03-15 / 2025/3/15 (the national files' YYYY/MM/DD) / 2025年3月15日 / 20250315."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    raw = fold(value)
    if raw in ("长期", "长期有效"):
        return LONG_TERM
    for pattern in _DATE_TEXT:
        m = pattern.match(raw)
        if m:
            try:
                return dt.date(*(int(g) for g in m.groups()))
            except ValueError:
                break
    raise ValueError(f"日期格式不正确（收到：{value}），请写成 2025-03-15")


def coerce_field(kind: RecordKind, name: str, value: Any) -> Any:
    """One raw value typed for its field; ValueError with a Chinese reason (without the field name)."""
    return _COERCERS[name](value)


def field_coercer(name: str) -> Callable[[Any], Any]:
    """coerce_field for one field, chosen once (a sheet column types every cell of its column with it)."""
    return _COERCERS[name]


def _code_coercer(name: str) -> Callable[[Any], Any]:
    spellings = CODE_SPELLINGS[name]

    def coerce_code(value: Any) -> Any:
        code = spellings.get(fold(value))
        if code is None:
            shown = "、".join(dict.fromkeys(spellings.values()))
            raise ValueError(f"“{value}”不在代码表中（可填：{shown}）")
        return code

    return coerce_code


def _coerce_codes(value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "；".join(str(v) for v in value)
    codes, unknown = split_penalty_categories(value)
    if unknown or not codes:
        bad = "、".join(f"“{u}”" for u in unknown) or f"“{value}”"
        raise ValueError(f"{bad}不是处罚类别（可填：{'、'.join(PENALTY_CATEGORIES[:14])}，多个类别用“；”隔开）")
    return codes


def _coerce_identifier(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_identifier(str(value))


def _coerce_docno(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_docno(str(value))


def _coerce_long_text(value: Any) -> Any:
    """Free text (决定内容, 违法事实 …): line breaks and inner spaces kept, the ends trimmed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _coerce_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _coercer_for(f: FieldDef) -> Callable[[Any], Any]:
    if f.kind == "date":
        return parse_date
    if f.kind == "amount":
        return parse_amount
    if f.kind == "code":
        return _code_coercer(f.name)
    if f.kind == "codes":
        return _coerce_codes
    if f.kind in ("uscc", "idno"):
        return _coerce_identifier
    if f.kind == "docno":
        return _coerce_docno
    return _coerce_long_text if f.name in ("nr", "sy", "yj", "bz", "wfxw") else _coerce_text


# One typing function per field, by its kind: chosen once, not per cell (237,000 cells in a 10,000-row ledger).
_COERCERS: dict[str, Callable[[Any], Any]] = {f.name: _coercer_for(f) for f in FIELDS}


# Kinds whose coerce_field output, typed again, is itself (a date, a Decimal read back from its text, a stored
# code, a list of stored codes, whitespace-folded text, a folded document number): a row the sheet layout has
# typed field by field (exchange/sgs_layout.py) need not be typed twice. Identifiers (NFKC, then upper case) are
# typed again: for a few exotic letters the two steps do not settle in one pass.
_SETTLED_KINDS = frozenset({"date", "amount", "code", "codes", "docno", "text"})
_SETTLED_NAMES = frozenset(f.name for f in FIELDS if f.kind in _SETTLED_KINDS)


def coerce(kind: RecordKind, raw: Mapping[str, Any], *, typed: bool = False) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Type every given field; fields that cannot be read come back as problems (and are left out). `typed`: the
    values are coerce_field's output already (a parsed sheet row): the same answer, without typing them twice."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    names = _FIELD_NAMES_FOR[kind]
    for name, value in raw.items():
        if name not in names:
            continue
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            continue
        if typed and name in _SETTLED_NAMES:
            values[name] = value
            continue
        try:
            values[name] = coerce_field(kind, name, value)
        except ValueError as exc:
            problems.append(FieldProblem(name, f"{label(kind, name)}：{exc}", f"{name}: unreadable"))
    return values, problems
