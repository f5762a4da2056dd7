"""Credit repair (信用修复, SPEC §8) and objections (信息异议): the application's states, its materials checklist
and the earliest day repair may be applied for — pure rules; the periods themselves are data
(resources/sgs/publicity/*.toml by decision date, resources/repair/repair.toml for other dishonesty)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.working_days import add_months


class RepairStatus(str, Enum):
    """申请 → 受理 → 审核 → 准予修复 / 不予修复."""

    APPLIED = "applied"
    ACCEPTED = "accepted"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"applied": "已申请", "accepted": "已受理", "reviewed": "已审核", "approved": "准予修复",
                "rejected": "不予修复"}[self.value]

    @property
    def open(self) -> bool:
        return self in (RepairStatus.APPLIED, RepairStatus.ACCEPTED, RepairStatus.REVIEWED)


REPAIR_TRANSITIONS: dict[RepairStatus, frozenset[RepairStatus]] = {
    RepairStatus.APPLIED: frozenset({RepairStatus.ACCEPTED, RepairStatus.REJECTED}),
    RepairStatus.ACCEPTED: frozenset({RepairStatus.REVIEWED, RepairStatus.REJECTED}),
    RepairStatus.REVIEWED: frozenset({RepairStatus.APPROVED, RepairStatus.REJECTED}),
    RepairStatus.APPROVED: frozenset(),
    RepairStatus.REJECTED: frozenset(),
}


def check_repair_transition(current: RepairStatus, target: RepairStatus) -> None:
    if target not in REPAIR_TRANSITIONS[current]:
        raise ValidationError(FieldProblem("status", f"修复申请不能从“{current.label}”改为“{target.label}”",
                                           f"illegal transition {current.value} -> {target.value}"))


class ObjectionStatus(str, Enum):
    RECEIVED = "received"
    REVIEWING = "reviewing"
    UPHELD = "upheld"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"received": "已收到", "reviewing": "审查中", "upheld": "异议成立", "rejected": "异议不成立"}[self.value]


class RepairFileError(DomainError):
    def __init__(self, message_zh: str) -> None:
        self.message_zh, self.message_en = message_zh, "resources/repair/repair.toml is invalid"
        super().__init__(message_zh)


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    required: bool
    commitment: bool = False


@dataclass(frozen=True)
class RepairRules:
    materials: tuple[Material, ...]
    dishonesty_min_months: Mapping[str, int]
    objection_working_days: int
    rerate_domains: tuple[str, ...] = field(default_factory=tuple)

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)

    def dishonesty_earliest(self, category: str, occurred: dt.date) -> dt.date:
        months = self.dishonesty_min_months.get(category, self.dishonesty_min_months.get("default", 3))
        return add_months(occurred, int(months))


def parse_repair_rules(text: str, where: str = "repair.toml") -> RepairRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RepairFileError(f"{where}：TOML 格式错误（{exc}）") from exc
    materials = []
    for i, m in enumerate(data.get("material", []), start=1):
        if not m.get("code") or not m.get("name"):
            raise RepairFileError(f"{where} 第{i}项 material：code 和 name 必须填写")
        materials.append(Material(str(m["code"]), str(m["name"]), bool(m.get("required", True)), bool(m.get("commitment", False))))
    if len({m.code for m in materials}) != len(materials) or not materials:
        raise RepairFileError(f"{where}：material 为空或 code 重复")
    days = int(data.get("objection", {}).get("working_days", 15))
    return RepairRules(tuple(materials), {str(k): int(v) for k, v in data.get("dishonesty_min_months", {}).items()},
                       days, tuple(data.get("rerate", {}).get("domains", ())))


def checklist(rules: RepairRules, ticked: Iterable[str] = (), attachments: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The materials as stored on the application: every item of the rules with whether it was handed in."""
    done = set(ticked)
    unknown = done - {m.code for m in rules.materials}
    if unknown:
        raise ValidationError(FieldProblem("materials", f"材料代码 {sorted(unknown)} 不在清单中（可选：{'、'.join(m.code for m in rules.materials)}）",
                                           "unknown material"))
    return [
        {"code": m.code, "name": m.name, "required": m.required, "ticked": m.code in done,
         **({"attachment": dict((attachments or {})[m.code])} if attachments and m.code in attachments else {})}
        for m in rules.materials
    ]


def missing_required(items: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(i["name"]) for i in items if i.get("required") and not i.get("ticked")]
