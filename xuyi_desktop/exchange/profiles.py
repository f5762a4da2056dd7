"""Export profiles: the file format an upper platform takes, as data (resources/exchange/profiles/*.toml).

A profile names its destination, the records it carries (`source`), the one header row of the platform's
template (its field codes, XK_XDR_MC …, or Chinese labels), which of our fields fills each column (none: the
column stays empty, e.g. the legacy 工商注册号), the value each code list takes on the platform, the date format
and what a period without records sends (零报送). A new destination or a changed template is a new file here;
nothing in the code names a platform.

Pure parsing and checking (no database): the services feed rows, `exchange.profile_workbook` writes them.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.paths import resource_path

# What rows a profile can carry, and the fields each source offers (the services fill them).
SGS_LICENSE, SGS_PENALTY = "sgs_license", "sgs_penalty"
SOURCES: dict[str, str] = {
    SGS_LICENSE: "双公示·行政许可",
    SGS_PENALTY: "双公示·行政处罚",
    "ratings": "信用评价结果",
    "commitments": "信用承诺（含践诺、违诺）",
    "lists": "红黑名单",
    "repairs": "信用修复",
}
HEADER_STYLES = ("code", "label")
ZERO_FORMS = ("statement", "empty_template")
DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日")


class ProfileError(DomainError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


@dataclass(frozen=True)
class ProfileColumn:
    header: str  # what the header cell says (the platform's code, or its label)
    label: str  # the Chinese name (a note on the header cell; the clerk's word)
    field: str  # our field; "" = always empty
    required: bool = False  # the platform refuses a row without it (checked before anything is written)


@dataclass(frozen=True)
class ZeroReport:
    form: str = "statement"
    sheet: str = "零报送"
    title: str = "零报送说明"
    text: str = "本期无数据"


@dataclass(frozen=True)
class ExportProfile:
    name: str
    title: str
    destination: str
    source: str
    sheet: str
    columns: tuple[ProfileColumn, ...]
    date_format: str = "%Y/%m/%d"
    header_notes: bool = True
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    zero_report: ZeroReport = ZeroReport()
    note: str = ""
    path: Path | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def cell(self, name: str, value: Any) -> str:
        """One value as the platform wants it: dates in the profile's format, several categories joined with ；,
        amounts without trailing zeros, code lists through the profile's value table."""
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, dt.date):
            return value.strftime(self.date_format)
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
        elif isinstance(value, (list, tuple)):
            table = self.values.get(name, {})
            return "；".join(table.get(str(v), str(v)) for v in value)
        else:
            text = str(value)
        return self.values.get(name, {}).get(text, text)

    def row(self, values: Mapping[str, Any]) -> list[str]:
        return [self.cell(c.field, values.get(c.field)) if c.field else "" for c in self.columns]


def profiles_folder() -> Path:
    return resource_path("exchange", "profiles")


def parse_profile(text: str, where: str, *, fields: Mapping[str, frozenset[str]] | None = None) -> ExportProfile:
    """Read and check one profile. `fields` (source → field names) lets the caller refuse a column naming a
    field its source lacks; every problem names the file and the entry."""

    def bad(zh: str, en: str) -> ProfileError:
        return ProfileError(f"导出格式文件 {where}：{zh}", f"export profile {where}: {en}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"不是有效的 TOML（{exc}）", "not valid TOML") from exc
    for key in ("name", "title", "destination", "source", "sheet"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise bad(f"缺少“{key}”", f"missing {key}")
    source = data["source"]
    if source not in SOURCES:
        raise bad(f"source 应为 {'、'.join(SOURCES)} 之一（收到：{source}）", "unknown source")
    style = data.get("header", "code")
    if style not in HEADER_STYLES:
        raise bad("header 应为 code 或 label", "header must be code or label")
    date_format = data.get("date_format", "%Y/%m/%d")
    if date_format not in DATE_FORMATS:
        raise bad(f"date_format 应为 {'、'.join(DATE_FORMATS)} 之一", "unsupported date format")
    raw_columns = data.get("column")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise bad("没有任何 [[column]]", "no columns")
    known = fields.get(source) if fields is not None else None
    columns: list[ProfileColumn] = []
    seen: set[str] = set()
    for i, c in enumerate(raw_columns, start=1):
        code, label = str(c.get("code", "")).strip(), str(c.get("label", "")).strip()
        header = code if style == "code" else label
        if not header:
            raise bad(f"第{i}列缺少{'code' if style == 'code' else 'label'}", f"column {i} has no header")
        if header in seen:
            raise bad(f"表头“{header}”重复", f"duplicate header {header}")
        seen.add(header)
        name = str(c.get("field", "")).strip()
        if name and known is not None and name not in known:
            raise bad(f"第{i}列（{header}）的 field “{name}” 不是{SOURCES[source]}的字段", f"unknown field {name}")
        columns.append(ProfileColumn(header, label or code, name, bool(c.get("required", False))))
    values: dict[str, dict[str, str]] = {}
    for name, table in (data.get("values") or {}).items():
        if not isinstance(table, dict):
            raise bad(f"values.{name} 应为一张对照表", f"values.{name} is not a table")
        values[name] = {str(k): str(v) for k, v in table.items()}
    z = data.get("zero_report") or {}
    zero = ZeroReport(
        form=z.get("form", "statement"), sheet=z.get("sheet", "零报送"), title=z.get("title", "零报送说明"),
        text=z.get("text", "本期无数据"),
    )
    if zero.form not in ZERO_FORMS:
        raise bad("zero_report.form 应为 statement 或 empty_template", "unknown zero report form")
    return ExportProfile(
        name=data["name"].strip(), title=data["title"].strip(), destination=data["destination"].strip(), source=source,
        sheet=data["sheet"].strip(), columns=tuple(columns), date_format=date_format,
        header_notes=bool(data.get("header_notes", True)), values=values, zero_report=zero,
        note=str(data.get("note", "")).strip(),
    )


def load_profile(name: str, *, fields: Mapping[str, frozenset[str]] | None = None) -> ExportProfile:
    """A profile by its name (resources/exchange/profiles/NAME.toml) or by the path of a .toml file."""
    given = Path(name)
    path = given if given.suffix == ".toml" and given.exists() else profiles_folder() / f"{name}.toml"
    if not path.exists():
        names = "、".join(p.name for p in list_profiles())
        raise ProfileError(f"没有名为 {name} 的导出格式（可用：{names}）", f"no export profile {name}")
    profile = parse_profile(path.read_text(encoding="utf-8"), path.name, fields=fields)
    return replace(profile, path=path)


def list_profiles(source: str | None = None, *, fields: Mapping[str, frozenset[str]] | None = None) -> list[ExportProfile]:
    """Every profile shipped (sorted by file name), or those of one source."""
    out = []
    for path in sorted(profiles_folder().glob("*.toml")):
        profile = load_profile(str(path), fields=fields)
        if source is None or profile.source == source:
            out.append(profile)
    return out
