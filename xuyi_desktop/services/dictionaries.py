"""字典管理: the dictionaries an administrator keeps (domain/dictionaries.py) and what the forms take from them.

Use cases: list, add, edit, end (停用) — administrators edit (Permission.SETTINGS), everyone reads. Every change
is one transaction with its change-log entry and audit line (audit.insert_recorded / update_recorded), so it
travels to the other offices in the next sync package (sync/records.py lists dictionary_entry).

The starter data (resources/dictionaries/starter.toml) is loaded on first use, with the same ids in every
database and no change-log entry: each office loads it alike, so only an administrator's edits travel.

What the 双公示 form and `xuyi sgs add` take from here: the deciding organ and data-source unit with their USCCs
for the user's unit (sgs_defaults), and from a 权力事项 its legal basis, violation, penalty categories and default
publicity class, or its licensing fields (item_values).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import IntegrityError

from xuyi_desktop.domain import dictionaries as rules
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import ConcurrentEditError, NotFoundError
from xuyi_desktop.storage import dictionary_queries as queries
from xuyi_desktop.storage.models import utcnow
from xuyi_desktop.storage.models_dictionaries import DictionaryEntry

TABLE = "dictionary_entry"
STARTER_NOTE = "初始数据，待核实"


@dataclass(frozen=True)
class EntryView:
    id: uuid.UUID
    kind: str
    values: dict[str, str]  # every field of the kind ("" when empty), name and code included
    starter: bool
    ended_on: dt.date | None
    end_reason: str
    version: int
    sort_order: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def code(self) -> str:
        return self.values.get("code", "")

    @property
    def kind_label(self) -> str:
        return rules.KINDS[self.kind].label

    @property
    def status_label(self) -> str:
        if self.ended_on is not None:
            return f"已停用（{self.ended_on.isoformat()}）"
        return STARTER_NOTE if self.starter else "在用"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "kind": self.kind, "kind_label": self.kind_label, "values": dict(self.values),
            "starter": self.starter, "status": self.status_label,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None, "end_reason": self.end_reason,
            "version": self.version,
        }


def _view(row: DictionaryEntry) -> EntryView:
    kind = rules.KINDS[row.kind]
    attrs = json.loads(row.attrs or "{}")
    values = {f.name: str(attrs.get(f.name, "")) for f in kind.extra}
    values["name"], values["code"] = row.name, row.code
    ordered = {f.name: values[f.name] for f in kind.fields}
    return EntryView(row.id, row.kind, ordered, bool(row.starter), row.ended_on, row.end_reason or "", row.version, row.sort_order)


def _attrs(kind: rules.DictKind, values: Mapping[str, str]) -> str:
    return json.dumps({f.name: values[f.name] for f in kind.extra}, ensure_ascii=False, sort_keys=True)


def _kind(code: str) -> rules.DictKind:
    try:
        return rules.kind_of(code)
    except KeyError:
        raise ValidationError(FieldProblem(
            "kind", f"没有“{code}”这种字典，应为：{'、'.join(f'{k.code}（{k.label}）' for k in rules.KINDS.values())}",
            "unknown dictionary kind")) from None


# --- starter data -----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def starter_entries() -> tuple[tuple[rules.DictKind, dict[str, str]], ...]:
    path = resource_path("dictionaries", "starter.toml")
    return tuple(rules.parse_starter(path.read_text(encoding="utf-8"), "dictionaries/starter.toml"))


_SEEDED: weakref.WeakSet[Any] = weakref.WeakSet()  # the engines whose database was checked


def ensure_seeded(ctx: AppContext) -> int:
    """Load the starter entries this database lacks (by their fixed ids); returns how many were added. Once per
    database and process; a concurrent first start at another counter of a shared database is harmless."""
    if ctx.engine in _SEEDED:
        return 0
    entries = [(k, v, rules.starter_id(k.code, v)) for k, v in starter_entries()]
    added = 0
    try:
        with ctx.transaction() as session:
            have = queries.existing_ids(session, [i for _, _, i in entries])
            now = utcnow()
            for order, (kind, values, entry_id) in enumerate(entries, 1):
                if entry_id in have:
                    continue
                session.add(DictionaryEntry(
                    id=entry_id, kind=kind.code, name=values["name"], code=values.get("code", ""), attrs=_attrs(kind, values),
                    sort_order=order * 10, starter=True, ended_on=None, end_reason="", created_at=now, updated_at=now,
                    created_office=ctx.office_code, updated_office=ctx.office_code, version=1,
                ))
                added += 1
            if added:
                audit.write(session, ctx, "dictionary.seed", f"载入字典初始数据 {added} 条（{STARTER_NOTE}）",
                            record_table=TABLE, details={"added": added})
    except IntegrityError:  # another counter loaded them at the same moment
        added = 0
    _SEEDED.add(ctx.engine)
    return added


# --- reading ---------------------------------------------------------------------------------------------

def list_entries(ctx: AppContext, kind: str, *, include_ended: bool = False) -> list[EntryView]:
    """The entries of a kind in display order (the ended ones too when asked)."""
    audit.require(ctx, Permission.VIEW)
    k = _kind(kind)
    ensure_seeded(ctx)
    with ctx.transaction() as session:
        return [_view(r) for r in queries.of_kind(session, k.code, include_ended=include_ended)]


def get_entry(ctx: AppContext, kind: str, key: str | uuid.UUID) -> EntryView:
    """An entry by id, or by its exact name or code within the kind (ended ones included)."""
    audit.require(ctx, Permission.VIEW)
    k = _kind(kind)
    ensure_seeded(ctx)
    with ctx.transaction() as session:
        row = _find(session, k, key)
        return _view(row)


def _find(session: Any, kind: rules.DictKind, key: str | uuid.UUID) -> DictionaryEntry:
    entry_id = key if isinstance(key, uuid.UUID) else None
    if entry_id is None:
        try:
            entry_id = uuid.UUID(str(key).strip())
        except ValueError:
            entry_id = None
    if entry_id is not None:
        row = queries.by_id(session, entry_id)
        if row is None or row.deleted_at is not None or row.kind != kind.code:
            raise NotFoundError(f"{kind.label} {key}")
        return row
    text = rules.fold(key)
    rows = queries.of_kind(session, kind.code, include_ended=True)
    if kind.code == "organ":  # an organ entry is named by its unit (any spelling of it) first
        from xuyi_desktop.services.units import unit_dictionary

        unit = unit_dictionary().find(str(key))
        by_unit = [r for r in rows if unit is not None and _view(r).values["unit"] == unit.name]
        if by_unit:
            return min(by_unit, key=lambda r: r.ended_on is not None)  # the one in use before an ended one
    hits = [r for r in rows
            if rules.fold(r.name) == text or (r.code and rules.fold(r.code).upper() == text.upper())]
    if not hits:
        raise NotFoundError(f"{kind.label}“{key}”")
    if len(hits) > 1:
        raise ValidationError(FieldProblem("key", f"“{key}”对应{len(hits)}条{kind.label}，请用编号（id）指明", "ambiguous key"))
    return hits[0]


# --- changing (administrators) --------------------------------------------------------------------------

def _refuse_duplicate(session: Any, kind: rules.DictKind, values: Mapping[str, str], self_id: uuid.UUID | None) -> None:
    key = rules.entry_key(kind.code, values)
    for r in queries.of_kind(session, kind.code):
        if r.id != self_id and rules.entry_key(kind.code, _view(r).values) == key:
            what = f"单位“{values['unit']}”的条目" if kind.code == "organ" else f"“{r.name}”"
            raise ValidationError(FieldProblem("unit" if kind.code == "organ" else "name",
                                               f"{kind.label}中已有{what}，请修改那一条", "duplicate entry"))


def _checked(kind: rules.DictKind, raw: Mapping[str, Any]) -> dict[str, str]:
    values, problems = rules.check_entry(kind, raw)
    if kind.code == "organ" and values.get("unit") and not any(p.field == "unit" for p in problems):
        from xuyi_desktop.domain.plan import UnknownUnit
        from xuyi_desktop.services.units import canonical_unit

        try:
            values["unit"] = canonical_unit(values["unit"])
        except UnknownUnit as exc:
            problems.append(FieldProblem("unit", exc.message_zh, exc.message_en))
    if problems:
        raise ValidationError(problems)
    return values


def add_entry(ctx: AppContext, kind: str, raw: Mapping[str, Any]) -> EntryView:
    audit.require(ctx, Permission.SETTINGS)
    k = _kind(kind)
    ensure_seeded(ctx)
    values = _checked(k, raw)
    with ctx.transaction() as session:
        _refuse_duplicate(session, k, values, None)
        row = DictionaryEntry(
            id=uuid.uuid4(), kind=k.code, name=values["name"], code=values.get("code", ""), attrs=_attrs(k, values),
            sort_order=queries.next_sort_order(session, k.code), starter=False, ended_on=None, end_reason="",
        )
        audit.insert_recorded(session, ctx, row, summary=f"新增{k.label}：{values['name']}", verb="create")
        return _view(row)


def edit_entry(ctx: AppContext, kind: str, key: str | uuid.UUID, changes: Mapping[str, Any], *,
               expected_version: int | None = None) -> EntryView:
    """Change some fields (an empty value clears one). Saving a starter entry marks it checked."""
    audit.require(ctx, Permission.SETTINGS)
    k = _kind(kind)
    ensure_seeded(ctx)
    with ctx.transaction() as session:
        row = _find(session, k, key)
        if expected_version is not None and row.version != expected_version:
            raise ConcurrentEditError(row.name, expected_version, row.version)
        values = _checked(k, {**_view(row).values, **changes})
        _refuse_duplicate(session, k, values, row.id)
        audit.update_recorded(session, ctx, row, verb="update", summary=f"修改{k.label}：{values['name']}",
                              name=values["name"], code=values.get("code", ""), attrs=_attrs(k, values), starter=False)
        return _view(row)


def end_entry(ctx: AppContext, kind: str, key: str | uuid.UUID, *, reason: str, on: dt.date | None = None) -> EntryView:
    """停用: the entry is no longer offered; records that name it keep it. Needs a reason."""
    audit.require(ctx, Permission.SETTINGS)
    k = _kind(kind)
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写停用原因", "reason required"))
    with ctx.transaction() as session:
        row = _find(session, k, key)
        if row.ended_on is not None:
            raise ValidationError(FieldProblem("key", f"{k.label}“{row.name}”已于{row.ended_on.isoformat()}停用", "already ended"))
        audit.update_recorded(session, ctx, row, verb="end", summary=f"停用{k.label}：{row.name}（{reason.strip()}）",
                              ended_on=on or dt.date.today(), end_reason=reason.strip())
        return _view(row)


def reopen_entry(ctx: AppContext, kind: str, key: str | uuid.UUID) -> EntryView:
    """恢复使用 an ended entry (ended by mistake)."""
    audit.require(ctx, Permission.SETTINGS)
    k = _kind(kind)
    with ctx.transaction() as session:
        row = _find(session, k, key)
        if row.ended_on is None:
            raise ValidationError(FieldProblem("key", f"{k.label}“{row.name}”在用，无需恢复", "not ended"))
        _refuse_duplicate(session, k, _view(row).values, row.id)
        audit.update_recorded(session, ctx, row, verb="reopen", summary=f"恢复使用{k.label}：{row.name}", ended_on=None, end_reason="")
        return _view(row)


# --- what the 双公示 form takes from the dictionaries -------------------------------------------------------

class NoOrganForUnit(DomainError):
    def __init__(self, unit: str) -> None:
        self.message_zh = f"字典中没有单位“{unit or '（未设置）'}”的决定机关，请管理员在“字典管理”中添加"
        self.message_en = f"no deciding organ in the dictionary for unit {unit!r}"
        super().__init__(self.message_zh)


def organ_for_unit(ctx: AppContext, unit: str | None = None) -> EntryView | None:
    """The organ entry of a unit (the user's by default); a unit without one falls back to the bureau's
    (局机关) entry; None when neither exists."""
    from xuyi_desktop.services.units import unit_dictionary

    units = unit_dictionary()
    wanted = unit if unit is not None else (ctx.user.unit if ctx.user else "")
    found = units.find(wanted) if wanted else None
    organs = list_entries(ctx, "organ")
    by_unit = {o.values["unit"]: o for o in organs}
    if found is not None and found.name in by_unit:
        return by_unit[found.name]
    bureau = next((u.name for u in units.units if u.kind == "局机关"), None)
    return by_unit.get(bureau or "")


def sgs_defaults(ctx: AppContext, unit: str | None = None) -> dict[str, str]:
    """决定机关, 数据来源单位 and their USCCs for a record entered by this user (fields with a value only)."""
    organ = organ_for_unit(ctx, unit)
    if organ is None:
        return {}
    v = organ.values
    out = {"jg": v["name"], "jgdm": v["code"], "lydw": v["source_name"], "lydwdm": v["source_code"]}
    return {k: x for k, x in out.items() if x}


def names(ctx: AppContext, kind: str) -> list[str]:
    """The names in use of a kind, in order (what a drop-down or completer offers: licence types, townships)."""
    return [e.name for e in list_entries(ctx, kind)]


def power_items(ctx: AppContext, category: str) -> list[EntryView]:
    """The 权力事项 in use of a category (处罚 / 许可)."""
    return [e for e in list_entries(ctx, "power_item") if e.values["category"] == category]


def item_values(item: EntryView) -> dict[str, str]:
    """The 双公示 fields a 权力事项 fills: for a penalty 违法行为类型, 处罚依据, 处罚类别 and the default publicity
    class; for a licence 行政许可决定文书名称, 许可类别, 许可证书名称."""
    v = item.values
    if v["category"] == rules.PENALTY:
        out = {"wfxw": v["name"], "yj": v["legal_basis"], "cflb": v["penalty_categories"], "publicity_class": v["publicity_class"]}
    else:
        out = {"xkws": f"{v['name']}决定书", "xklb": v["license_category"], "xkzs": v["certificate"]}
    return {k: x for k, x in out.items() if x}


suggested_content = rules.suggested_content



def sgs_prefill(ctx: AppContext, kind: Any, *, party: uuid.UUID | None = None, item: str | uuid.UUID | None = None,
                unit_defaults: bool = True) -> dict[str, str]:
    """What a 双公示 record of `kind` (domain.sgs.RecordKind) starts with: the organ and source unit of the user's
    unit, the party's fields from the registry, and the 权力事项's fields (a penalty item for 行政处罚, a
    licensing item for 行政许可). The clerk's own values are laid over these."""
    from xuyi_desktop.domain.sgs import RecordKind
    from xuyi_desktop.services.entity_lookup import party_values

    out: dict[str, str] = dict(sgs_defaults(ctx)) if unit_defaults else {}
    if kind is RecordKind.LICENSE:
        out["zt"] = "有效"
    if party is not None:
        out.update(party_values(ctx, party))
    if item is not None:
        entry = get_entry(ctx, "power_item", item)
        wanted = rules.PENALTY if kind is RecordKind.PENALTY else rules.LICENSE
        if entry.values["category"] != wanted:
            raise ValidationError(FieldProblem("item", f"“{entry.name}”是{entry.values['category']}事项，不能用于{kind.label}",
                                               "item of the other category"))
        if entry.ended_on is not None:
            raise ValidationError(FieldProblem("item", f"权力事项“{entry.name}”已停用", "item ended"))
        out.update(item_values(entry))
    return out


def complete_content(kind: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A penalty without 处罚内容 gets one said from its categories and amount (罚款人民币2000元), when possible."""
    from xuyi_desktop.domain.sgs import RecordKind

    if kind is RecordKind.PENALTY and not str(values.get("nr") or "").strip():
        text = suggested_content(str(values.get("cflb") or ""), str(values.get("fk") or ""))
        if text:
            values = {**values, "nr": text}
    return values
