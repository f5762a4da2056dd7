"""Dictionaries an administrator keeps (字典管理): what each kind holds and the rules of one entry.

Pure rules, no storage. Four kinds share one shape — a name, a code and a few fields of their own — so one table,
one set of use cases, one CLI command and one page serve them all:

- organ        决定机关与数据来源单位: for a unit of the bureau (resources/units.toml), the organ that decides in
               its name and the unit the data comes from, each with its 统一社会信用代码 — the defaults of a
               双公示 record entered by a user of that unit;
- power_item   权力事项: the licensing and penalty items (item name, code, legal basis, 许可/处罚, the default
               publicity class of a penalty), so 处罚依据 / 许可事项 and the class are picked, not typed;
- licence_type 许可证件类型;
- township     乡镇（街道） of 盱眙县 with their 12-digit statistical region codes (GB/T 2260 county 320830).

Entries are never deleted: one no longer used is ended (停用) with a date and a reason, so the records that
name it keep their meaning. An entry shipped as starter data (resources/dictionaries/starter.toml) is marked
初始数据，待核实 until an administrator saves it.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from xuyi_desktop.domain.errors import FieldProblem
from xuyi_desktop.domain.identifiers import check_uscc

PENALTY, LICENSE = "处罚", "许可"
PUBLICITY_CLASSES = ("轻微", "一般", "严重")
LICENSE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
COUNTY_REGION = "320830"
UNVERIFIED = "待核实"


@dataclass(frozen=True)
class DictField:
    name: str
    label: str
    required: bool = False
    kind: str = "text"  # text, uscc, region, choice, long
    choices: tuple[str, ...] = ()
    max_length: int = 200


@dataclass(frozen=True)
class DictKind:
    code: str
    label: str
    fields: tuple[DictField, ...]  # "name" and "code" first: they are the table's own columns
    note: str = ""

    def field(self, name: str) -> DictField:
        return next(f for f in self.fields if f.name == name)

    @property
    def extra(self) -> tuple[DictField, ...]:
        """The fields kept in the entry's attributes (all but name and code)."""
        return tuple(f for f in self.fields if f.name not in ("name", "code"))


D = DictField
KINDS: dict[str, DictKind] = {k.code: k for k in (
    DictKind("organ", "决定机关与数据来源单位", (
        D("unit", "适用单位", required=True),
        D("name", "决定机关", required=True),
        D("code", "决定机关统一社会信用代码", kind="uscc", max_length=18),
        D("source_name", "数据来源单位", required=True),
        D("source_code", "数据来源单位统一社会信用代码", kind="uscc", max_length=18),
    ), "所属单位为“适用单位”的用户登记双公示时，机关和来源单位按此填入"),
    DictKind("power_item", "权力事项", (
        D("category", "类别", required=True, kind="choice", choices=(PENALTY, LICENSE)),
        D("name", "事项名称", required=True),
        D("code", "事项编码", max_length=64),
        D("legal_basis", "法律依据", required=True, kind="long", max_length=2048),
        D("penalty_categories", "处罚类别", max_length=200),
        D("publicity_class", "默认公示类别", kind="choice", choices=("", *PUBLICITY_CLASSES)),
        D("license_category", "许可类别", kind="choice", choices=("", *LICENSE_CATEGORIES)),
        D("certificate", "许可证书名称", max_length=64),
    ), "行政许可、行政处罚事项目录：登记双公示时选取事项，依据与类别随之填入"),
    DictKind("licence_type", "许可证件类型", (
        D("name", "证件名称", required=True),
        D("code", "代码", max_length=64),
        D("issuer", "发证机关", max_length=200),
    )),
    DictKind("township", "乡镇（街道）", (
        D("name", "名称", required=True),
        D("code", "区划代码（12位）", kind="region", max_length=12),
    ), f"盱眙县（{COUNTY_REGION}）所辖街道、镇；区划代码以统计用区划代码为准"),
)}


def kind_of(code: str) -> DictKind:
    """The kind a code or a Chinese label names; KeyError when none."""
    text = code.strip()
    if text in KINDS:
        return KINDS[text]
    for k in KINDS.values():
        if text == k.label:
            return k
    raise KeyError(code)


def fold(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


_REGION = re.compile(r"^\d{12}$")


def check_entry(kind: DictKind, raw: Mapping[str, Any]) -> tuple[dict[str, str], list[FieldProblem]]:
    """The cleaned values of one entry (every field of the kind, "" when empty) and what is wrong with them."""
    values: dict[str, str] = {}
    problems: list[FieldProblem] = []
    unknown = sorted(set(raw) - {f.name for f in kind.fields})
    for name in unknown:
        problems.append(FieldProblem(name, f"{kind.label}没有“{name}”这一项", "unknown field"))
    for f in kind.fields:
        text = str(raw.get(f.name) or "").strip()
        if f.kind in ("uscc", "region"):
            text = fold(text).upper()
        values[f.name] = text
        if not text:
            if f.required:
                problems.append(FieldProblem(f.name, f"请填写{f.label}", f"{f.name} required"))
            continue
        if len(text) > f.max_length:
            problems.append(FieldProblem(f.name, f"{f.label}不能超过{f.max_length}个字符", "too long"))
        elif f.kind == "uscc":
            checked = check_uscc(text, f.name)
            values[f.name] = checked.value
            if checked.problems:
                problems.append(FieldProblem(f.name, f"{f.label}：{checked.problems[0].message_zh}", "bad USCC"))
        elif f.kind == "region" and (not _REGION.fullmatch(text) or not text.startswith(COUNTY_REGION)):
            problems.append(FieldProblem(f.name, f"{f.label}应为以 {COUNTY_REGION} 开头的12位数字（不知道可留空，显示为待核实）",
                                         "region code must be 12 digits under 320830"))
        elif f.kind == "choice" and text not in f.choices:
            problems.append(FieldProblem(f.name, f"{f.label}应为：{'、'.join(c for c in f.choices if c)}", "not a listed choice"))
    if kind.code == "power_item" and values.get("category") == LICENSE and values.get("publicity_class"):
        problems.append(FieldProblem("publicity_class", "公示类别只用于处罚事项", "publicity class applies to penalties only"))
    return values, problems


def entry_key(kind: str, values: Mapping[str, str]) -> str:
    """What makes two entries of a kind the same (a second one is refused): an organ per unit, a power item by
    category and name, the others by name."""
    if kind == "organ":
        return fold(values.get("unit", ""))
    if kind == "power_item":
        return f"{values.get('category', '')}|{fold(values.get('name', ''))}"
    return fold(values.get("name", ""))


_STARTER_NS = uuid.UUID("6f1c2a4e-3b1d-4c55-9a57-0d1f6a1e2b30")


def starter_id(kind: str, values: Mapping[str, str]) -> uuid.UUID:
    """The same id for the same starter entry in every database, so two offices that seeded alike sync alike."""
    return uuid.uuid5(_STARTER_NS, f"{kind}|{entry_key(kind, values)}")


class StarterFileError(ValueError):
    pass


def parse_starter(text: str, source: str) -> list[tuple[DictKind, dict[str, str]]]:
    """The entries of the starter file ([[organ]], [[power_item]] …), each checked; a broken one names itself."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StarterFileError(f"{source}：不是有效的 TOML：{exc}") from exc
    out: list[tuple[DictKind, dict[str, str]]] = []
    for code, rows in data.items():
        if code not in KINDS or not isinstance(rows, list):
            raise StarterFileError(f"{source}：未知的字典种类“{code}”")
        kind = KINDS[code]
        seen: set[str] = set()
        for i, row in enumerate(rows, 1):
            values, problems = check_entry(kind, row)
            if problems:
                raise StarterFileError(f"{source}：{kind.label}第{i}条：{problems[0].message_zh}")
            key = entry_key(code, values)
            if key in seen:
                raise StarterFileError(f"{source}：{kind.label}第{i}条重复")
            seen.add(key)
            out.append((kind, values))
    return out


def suggested_content(categories: str, amount_wan: str) -> str:
    """处罚内容 when the clerk leaves it empty: the categories, with 罚款 as the amount in 元
    ("罚款" + "0.2" → "罚款人民币2000元"); "" when nothing can be said."""
    parts: list[str] = []
    for cat in [c for c in categories.replace(";", "；").split("；") if c.strip()]:
        if cat.strip() == "罚款":
            try:
                yuan = (Decimal(fold(amount_wan).removesuffix("万元")) * 10000).normalize()
            except (InvalidOperation, ValueError):
                return ""
            if not yuan.is_finite() or yuan <= 0:
                return ""
            parts.append(f"罚款人民币{format(yuan, 'f')}元")
        else:
            parts.append(cat.strip())
    return "；".join(parts)
