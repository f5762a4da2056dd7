"""Market entities (市场主体): categories, statuses and the rules a registration must pass."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import Enum

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.identifiers import (
    IdentifierKind,
    check_id_card,
    check_uscc,
    infer_kind,
    normalise_identifier,
    region_code_of,
)
from xuyi_desktop.domain.text_safety import name_problem


class EntityKind(str, Enum):
    """Organisations carry a USCC, persons an ID number."""

    ORG = "org"
    PERSON = "person"

    @property
    def label(self) -> str:
        return {"org": "单位", "person": "个人"}[self.value]


# The plan's evaluation subjects (SPEC §3): code -> (label, which kind may hold it).
CATEGORIES: dict[str, tuple[str, EntityKind]] = {
    "road_operator": ("道路运输经营者", EntityKind.ORG),
    "road_practitioner": ("道路运输从业人员", EntityKind.PERSON),
    "water_operator": ("水路运输经营者", EntityKind.ORG),
    "construction_unit": ("公路水运工程建设从业单位", EntityKind.ORG),
    "key_personnel": ("主要从业人员", EntityKind.PERSON),
    "maintenance_unit": ("公路养护作业单位", EntityKind.ORG),
    "port_operator": ("港口经营者", EntityKind.ORG),
    "research_unit": ("科技项目承担单位", EntityKind.ORG),
}
_CATEGORY_BY_LABEL = {label: code for code, (label, _) in CATEGORIES.items()}


def category_code(text: str) -> str | None:
    """Accept a category by code or by its Chinese label (the CLI and importers take either)."""
    text = text.strip()
    return text if text in CATEGORIES else _CATEGORY_BY_LABEL.get(text)


# Field names of an entity as the form and the change history label them.
FIELD_LABELS: dict[str, str] = {
    "kind": "主体类型",
    "name": "名称",
    "identifier": "证件号码",
    "check_override_reason": "校验位确认理由",
    "legal_representative": "法定代表人/负责人",
    "address": "地址",
    "phone": "联系电话",
    "region_code": "行政区划代码",
    "status": "状态",
    "notes": "备注",
    "categories": "类别",
    "licences": "证照",
    "deleted": "删除标记",
}


class EntityStatus(str, Enum):
    """Registration status of the entity itself (not of its licences)."""

    ACTIVE = "active"
    CANCELLED = "cancelled"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"active": "存续", "cancelled": "注销", "revoked": "吊销"}[self.value]


class RelationType(str, Enum):
    """How a person belongs to an organisation."""

    EMPLOYEE = "employee"
    KEY_PERSONNEL = "key_personnel"

    @property
    def label(self) -> str:
        return {"employee": "从业人员（如驾驶员）", "key_personnel": "主要从业人员"}[self.value]


@dataclass(frozen=True)
class LicenceDraft:
    """A licence the entity holds, e.g. 道路运输经营许可证 with its number and validity."""

    licence_type: str
    number: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class EntityDraft:
    """What a clerk typed for an entity, before or after normalisation."""

    name: str
    identifier: str
    kind: EntityKind | None = None
    categories: tuple[str, ...] = ()
    legal_representative: str = ""
    address: str = ""
    phone: str = ""
    region_code: str = ""
    status: EntityStatus = EntityStatus.ACTIVE
    notes: str = ""
    licences: tuple[LicenceDraft, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CheckedDraft:
    """A draft that passed every rule, normalised, with warnings the clerk should see."""

    draft: EntityDraft
    warnings: tuple[FieldProblem, ...]
    converted_from_15: str | None = None
    check_char_overridden: bool = False


_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")
_REGION = re.compile(r"^\d{6}$")
MAX_NAME = 200


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def check_entity_draft(
    draft: EntityDraft, *, override_reason: str | None = None, today: dt.date | None = None
) -> CheckedDraft:
    """Normalise and validate a draft; raise ValidationError naming every broken field.

    A wrong USCC check character passes only with a written override reason (SPEC §2, Fujian pilot codes).
    """
    problems: list[FieldProblem] = []
    warnings: list[FieldProblem] = []
    name = _clean(draft.name)
    identifier = normalise_identifier(draft.identifier)
    kind = draft.kind or EntityKind(
        EntityKind.PERSON if infer_kind(identifier) is IdentifierKind.ID_CARD else EntityKind.ORG
    )
    converted = None
    overridden = False

    if not name:
        problems.append(FieldProblem("name", "名称不能为空", "name is empty"))
    elif len(name) > MAX_NAME:
        problems.append(FieldProblem("name", f"名称不能超过{MAX_NAME}个字符", f"name longer than {MAX_NAME}"))
    for field_name, label, value in (("name", "名称", name), ("legal_representative", "法定代表人", draft.legal_representative or ""),
                                     ("address", "地址", draft.address or "")):
        why = name_problem(value)
        if why:
            problems.append(FieldProblem(field_name, f"{label}{why}", f"{field_name} contains control or format characters"))

    if kind is EntityKind.ORG:
        uscc = check_uscc(identifier)
        identifier = uscc.value
        warnings.extend(uscc.warnings)
        if not uscc.ok:
            if uscc.format_ok and override_reason and override_reason.strip():
                overridden = True
                warnings.append(FieldProblem("identifier", "校验位不符，已按人工确认登记", "check character overridden"))
            else:
                problems.extend(uscc.problems)
        id_kind = IdentifierKind.USCC
    else:
        idc = check_id_card(identifier, today=today)
        identifier, converted = idc.value, idc.converted_from_15
        problems.extend(idc.problems)
        if converted:
            warnings.append(
                FieldProblem("identifier", f"15位身份证号已转换为18位：{identifier}", f"15-digit ID converted to {identifier}")
            )
        id_kind = IdentifierKind.ID_CARD

    categories: list[str] = []
    for raw in draft.categories:
        code = category_code(raw)
        if code is None:
            problems.append(FieldProblem("categories", f"未知的主体类别：{raw}", f"unknown category: {raw}"))
        elif CATEGORIES[code][1] is not kind:
            problems.append(
                FieldProblem(
                    "categories",
                    f"类别“{CATEGORIES[code][0]}”不适用于{kind.label}",
                    f"category {code} does not apply to kind {kind.value}",
                )
            )
        elif code not in categories:
            categories.append(code)

    phone = "".join((draft.phone or "").split())
    if phone and not _PHONE.match(phone):
        problems.append(FieldProblem("phone", "联系电话格式不正确（手机号11位，或区号-号码）", "phone number is malformed"))

    region = (draft.region_code or "").strip()
    if not region and identifier and not problems:
        region = region_code_of(identifier, id_kind)
    if region and not _REGION.match(region):
        problems.append(FieldProblem("region_code", "行政区划代码应为6位数字", "region code must be 6 digits"))

    licences: list[LicenceDraft] = []
    for i, lic in enumerate(draft.licences, start=1):
        ltype, number = _clean(lic.licence_type), normalise_identifier(lic.number) if lic.number else ""
        if not ltype or not number:
            problems.append(FieldProblem("licences", f"第{i}个证照：证照类型和证照编号都必须填写", f"licence {i}: type and number are required"))
        if lic.valid_from and lic.valid_to and lic.valid_from > lic.valid_to:
            problems.append(FieldProblem("licences", f"第{i}个证照：有效期起始日期晚于截止日期", f"licence {i}: valid_from after valid_to"))
        licences.append(replace(lic, licence_type=ltype, number=number))

    if problems:
        raise ValidationError(problems)
    checked = replace(
        draft,
        name=name,
        identifier=identifier,
        kind=kind,
        categories=tuple(categories),
        legal_representative=_clean(draft.legal_representative),
        address=_clean(draft.address),
        phone=phone,
        region_code=region,
        notes=(draft.notes or "").strip(),
        licences=tuple(licences),
    )
    return CheckedDraft(checked, tuple(warnings), converted, overridden)
