"""Credit commitments (信用承诺, GB/T 46277-2025; SPEC §6): types, areas, states, terms and form templates.

Pure rules: the catalogue is parsed from text the caller reads (resources/commitments/), templates are
filled from plain values; nothing here touches the database or the file system.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xuyi_desktop.domain.errors import FieldProblem, ValidationError

CN_NUMERALS = "一二三四五六七八九十"
MAX_TERM_DAYS = 3650
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")

#: Placeholders a template may use (resources/commitments/templates/README.md lists them for the bureau).
PLACEHOLDERS = frozenset({
    "entity_name", "identifier", "identifier_label", "legal_representative", "address", "phone", "business",
    "area", "type_name", "term", "deadline", "consequences", "organ", "date", "serial", "items",
})


class CatalogueError(ValueError):
    """resources/commitments/ holds something the program cannot use; the message names file and entry."""


class CommitmentStatus(enum.StrEnum):
    ACTIVE = "active"
    FULFILLED = "fulfilled"
    VIOLATED = "violated"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> CommitmentStatus:
        """A status given by code (active) or by its Chinese label (履约中)."""
        t = text.strip()
        for s in cls:
            if t in (s.value, s.label):
                return s
        raise ValidationError(FieldProblem("status", f"未知的承诺状态：{text}（可用：{'、'.join(s.label for s in cls)}）", f"unknown status {text}"))


_STATUS_LABELS = {
    CommitmentStatus.ACTIVE: "履约中",
    CommitmentStatus.FULFILLED: "已践诺",
    CommitmentStatus.VIOLATED: "违诺",
    CommitmentStatus.REVOKED: "撤销",
}

#: 履约中 → 已践诺 / 违诺 / 撤销; every outcome is final.
TRANSITIONS: dict[CommitmentStatus, frozenset[CommitmentStatus]] = {
    CommitmentStatus.ACTIVE: frozenset({CommitmentStatus.FULFILLED, CommitmentStatus.VIOLATED, CommitmentStatus.REVOKED}),
    CommitmentStatus.FULFILLED: frozenset(),
    CommitmentStatus.VIOLATED: frozenset(),
    CommitmentStatus.REVOKED: frozenset(),
}


def check_transition(current: CommitmentStatus, target: CommitmentStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise ValidationError(FieldProblem(
            "status", f"承诺已是“{current.label}”状态，不能改为“{target.label}”（只有履约中的承诺可以办结）",
            f"cannot move a commitment from {current.value} to {target.value}",
        ))


@dataclass(frozen=True)
class CommitmentType:
    code: str
    name: str
    title: str
    template: str  # file name under templates/
    items: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Catalogue:
    types: tuple[CommitmentType, ...]
    areas: tuple[Area, ...]

    def type(self, code: str) -> CommitmentType:
        for t in self.types:
            if t.code == code:
                return t
        raise ValidationError(FieldProblem("type", f"未知的承诺类型：{code}（见 xuyi commitment types）", f"unknown commitment type {code}"))

    def area(self, code: str) -> Area:
        for a in self.areas:
            if a.code == code:
                return a
        raise ValidationError(FieldProblem("area", f"未知的应用领域：{code}（见 xuyi commitment areas）", f"unknown application area {code}"))


def parse_catalogue(types_toml: str, areas_toml: str) -> Catalogue:
    """types.toml ([[type]] code, name, title, template, items) and areas.toml ([[area]] code, name)."""
    try:
        raw_types = tomllib.loads(types_toml).get("type", [])
        raw_areas = tomllib.loads(areas_toml).get("area", [])
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"承诺类型或应用领域文件格式错误：{exc}") from exc
    types: list[CommitmentType] = []
    for i, t in enumerate(raw_types, start=1):
        code = str(t.get("code", ""))
        if not _CODE.fullmatch(code):
            raise CatalogueError(f"types.toml 第{i}个类型：code {code!r} 只能用小写字母、数字和下划线")
        if not t.get("name") or not t.get("template"):
            raise CatalogueError(f"types.toml 类型 {code}：缺少 name 或 template")
        items = tuple(str(x).strip() for x in t.get("items", []) if str(x).strip())
        types.append(CommitmentType(code, str(t["name"]), str(t.get("title") or "信用承诺书"), str(t["template"]), items))
    areas: list[Area] = []
    for i, a in enumerate(raw_areas, start=1):
        code = str(a.get("code", ""))
        if not _CODE.fullmatch(code) or not a.get("name"):
            raise CatalogueError(f"areas.toml 第{i}个领域：code 或 name 不合规（{code!r}）")
        areas.append(Area(code, str(a["name"])))
    for what, codes in (("types.toml", [t.code for t in types]), ("areas.toml", [a.code for a in areas])):
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            raise CatalogueError(f"{what}：code 重复 {sorted(dup)}")
    if not types or not areas:
        raise CatalogueError("至少需要一个承诺类型和一个应用领域")
    return Catalogue(tuple(types), tuple(areas))


# --- terms --------------------------------------------------------------------------------------------
def check_term_days(days: int) -> int:
    if not 1 <= days <= MAX_TERM_DAYS:
        raise ValidationError(FieldProblem("term_days", f"履约期限应为1至{MAX_TERM_DAYS}天", "term must be 1..3650 days"))
    return days


def term_until(signed_on: dt.date, days: int) -> dt.date:
    """The last day of the term: N calendar days after signing (the signing day not counted)."""
    return signed_on + dt.timedelta(days=check_term_days(days))


def is_overdue(status: CommitmentStatus, until: dt.date, today: dt.date) -> bool:
    """Term passed with no outcome recorded: to be followed up (fulfilled or violated)."""
    return status is CommitmentStatus.ACTIVE and until < today


def clean_items(items: Sequence[str]) -> tuple[str, ...]:
    """Promised items as entered: stripped, empties dropped, a leading "一、" or "1." numbering removed
    (the form numbers them itself)."""
    out = []
    for item in items:
        text = re.sub(r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、．)]|[（(]\d+[)）])\s*", "", item).strip()
        if text:
            out.append(text)
    if not out:
        raise ValidationError(FieldProblem("items", "至少填写一项承诺事项", "at least one promised item"))
    return tuple(out)


def numbered(items: Sequence[str]) -> list[str]:
    def num(i: int) -> str:
        if i <= 10:
            return CN_NUMERALS[i - 1]
        if i < 20:
            return "十" + CN_NUMERALS[i - 11]
        return str(i)

    return [f"{num(i)}、{text}" for i, text in enumerate(items, start=1)]


# --- templates ------------------------------------------------------------------------------------------
def template_placeholders(text: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(_strip_comments(text))}


def check_template(name: str, text: str) -> None:
    unknown = template_placeholders(text) - PLACEHOLDERS
    if unknown:
        raise CatalogueError(f"模板 {name} 使用了未知的占位符：{'、'.join('${' + u + '}' for u in sorted(unknown))}")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def fill_template(name: str, text: str, values: Mapping[str, str], items: Sequence[str]) -> list[str]:
    """The form's paragraphs: comments dropped, blank lines separate paragraphs, a line `${items}` becomes
    the numbered items (one paragraph each), every other placeholder is replaced by its value."""
    check_template(name, text)
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", _strip_comments(text).strip()):
        block = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if not block:
            continue
        if block == "${items}":
            paragraphs += numbered(items)
            continue
        paragraphs.append(_PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")) if m.group(1) != "items" else "；".join(items), block))
    return paragraphs


def strip_comment_lines(text: str) -> str:
    """Text files under resources/commitments/ (consequences.txt) without their # comment lines."""
    return _strip_comments(text).strip()
