"""双公示 use cases: enter, correct (a new version), withdraw (marked, never deleted), mark reported, list.

Each use case is one transaction, checks the permission first, and records every change with full row images.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import RecordKind, ReportStatus
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit, list_scope
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.sgs_calendar import calendar
from xuyi_desktop.storage.change_log import insert_rows
from xuyi_desktop.storage.models import Entity, utcnow
from xuyi_desktop.storage.models_sgs import SgsRecord
from xuyi_desktop.storage.snapshots import _plain as plain_value
from xuyi_desktop.storage.snapshots import row_image

if TYPE_CHECKING:
    from xuyi_desktop.domain.working_days import HolidayYear

TABLE = "sgs_record"
_DATA_FIELDS = tuple(f.name for f in rules.FIELDS)


@lru_cache(maxsize=1)
def publicity_versions() -> rules.PublicityRuleVersions:
    """Every version of the publicity periods under resources/sgs/publicity/ (by effective date)."""
    folder = resource_path("sgs", "publicity")
    return rules.PublicityRuleVersions(tuple(
        rules.parse_publicity_rules(path.read_text(encoding="utf-8"), str(path)) for path in sorted(folder.glob("*.toml"))
    ))


def publicity_rules(decided: dt.date | None = None) -> rules.PublicityRules:
    """The periods in force on the decision date (the 2023 trial measures before 2026-04-01, the 2026 order
    after); without a date, the newest."""
    versions = publicity_versions()
    return versions.for_decision(decided or dt.date.max)


@lru_cache(maxsize=1)
def class_rules() -> tuple[rules.ClassRule, ...]:
    path = resource_path("sgs", "class_rules.toml")
    return rules.parse_class_rules(path.read_text(encoding="utf-8"), str(path))


def deadline_for(decided: dt.date) -> dt.date:
    """The last day to report a decision taken on `decided` (7 working days, the decision day not counted)."""
    return calendar().working_day_after(decided, rules.REPORT_WORKING_DAYS)


def deadline_of(decided: dt.date | None) -> tuple[dt.date | None, bool]:
    """(deadline, tentative). A year the holiday calendar lacks is counted by weekends alone and the deadline is
    待确认 (tentative) until that year's notice is installed: the record still counts as due by it."""
    if decided is None:
        return None, False
    return calendar().working_day_after_tentative(decided, rules.REPORT_WORKING_DAYS)


@dataclass(frozen=True)
class RecordView:
    id: uuid.UUID
    lineage_id: uuid.UUID
    revision: int
    kind: RecordKind
    values: dict[str, Any]
    entity_id: uuid.UUID | None
    deadline: dt.date | None
    status: ReportStatus
    reported_on: dt.date | None
    batch_no: str
    withdrawn_on: dt.date | None
    withdrawn_reason: str
    resubmit_needed: bool
    problems: tuple[str, ...]
    missing: tuple[str, ...]
    publicity_end: dt.date | None
    warnings: tuple[str, ...] = ()
    deadline_tentative: bool = False  # counted by weekends alone (the year's holiday notice missing): 待确认
    class_source: str = ""  # record / rule / pending / review
    rejected_reason: str = ""  # the upper platform refused it (feedback file): 待重报 until corrected
    rejected_on: dt.date | None = None

    @property
    def status_text(self) -> str:
        """The status as the list shows it: 待重报 wins over the deadline status once a record must be sent again."""
        return "待重报" if self.resubmit_needed else self.status.label

    @property
    def unreported(self) -> bool:
        """Still to be sent: never reported, or 待重报."""
        return self.reported_on is None or self.resubmit_needed

    @property
    def name(self) -> str:
        return self.values.get("xdr_mc", "")

    @property
    def document_no(self) -> str:
        return self.values.get("wsh", "")

    @property
    def decided(self) -> dt.date | None:
        return self.values.get("jdrq")

    @property
    def compliant(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        values = {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
                  for k, v in self.values.items()}
        return {
            "id": str(self.id), "lineage_id": str(self.lineage_id), "revision": self.revision, "kind": self.kind.value,
            "kind_label": self.kind.label, "entity_id": str(self.entity_id) if self.entity_id else None,
            "deadline": self.deadline.isoformat() if self.deadline else None, "status": self.status.value,
            "status_label": self.status.label, "reported_on": self.reported_on.isoformat() if self.reported_on else None,
            "batch_no": self.batch_no, "withdrawn_on": self.withdrawn_on.isoformat() if self.withdrawn_on else None,
            "withdrawn_reason": self.withdrawn_reason, "resubmit_needed": self.resubmit_needed,
            "problems": list(self.problems), "missing": list(self.missing),
            "publicity_end": self.publicity_end.isoformat() if self.publicity_end else None,
            "values": values, "warnings": list(self.warnings), "deadline_tentative": self.deadline_tentative,
            "deadline_label": (self.deadline.isoformat() + ("（待确认）" if self.deadline_tentative else "")) if self.deadline else "",
            "class_source": self.class_source, "rejected_reason": self.rejected_reason,
            "rejected_on": self.rejected_on.isoformat() if self.rejected_on else None, "status_text": self.status_text,
        }


def record_values(r: SgsRecord) -> dict[str, Any]:
    """The typed field values of a stored row (cflb as a list, amounts as Decimal, empty fields left out)."""
    out: dict[str, Any] = {}
    for name in _DATA_FIELDS:
        value = getattr(r, name)
        if value is None or value == "":
            continue
        if name == "cflb":
            value = [v for v in value.split("；") if v]
        elif name in ("fk", "wfff"):
            value = Decimal(value)
        out[name] = value
    return out


def view_of(r: SgsRecord, today: dt.date | None = None, warnings: Iterable[str] = ()) -> RecordView:
    today = today or dt.date.today()
    kind = RecordKind(r.kind)
    values = record_values(r)
    problems = tuple(json.loads(r.problems_json or "[]"))
    return RecordView(
        r.id, r.lineage_id, r.revision, kind, values, r.entity_id, r.deadline,
        rules.report_status(r.deadline, r.reported_on, today), r.reported_on, r.batch_no, r.withdrawn_on,
        r.withdrawn_reason, r.resubmit_needed, problems,
        tuple(rules.label(kind, n) for n in rules.missing_fields(kind, values)), r.gsjzq, tuple(warnings),
        bool(r.deadline_tentative), r.class_source or "", r.rejected_reason or "", r.rejected_on,
    )


def shown_to(ctx: AppContext, view: RecordView) -> RecordView:
    """The view as this user may see it: ID numbers masked for roles without the right to see them."""
    if ctx.can(Permission.REVEAL_PERSONAL):
        return view
    return dataclasses.replace(view, values=rules.mask_for_public(view.values))


def prepare(
    kind: RecordKind, raw: Mapping[str, Any], *, today: dt.date, typed: bool = False
) -> tuple[dict[str, Any], list[FieldProblem], list[str]]:
    """Type and check one record: (values, problems, warnings). Derives 公示截止期 for penalties when not given.
    `typed`: `raw` is a row the 双公示 sheet layout parsed (each field typed by rules.coerce_field already)."""
    values, problems = rules.coerce(kind, raw, typed=typed)
    if kind is RecordKind.PENALTY and str(raw.get("simple_procedure", "")).strip().lower() in ("1", "true", "是", "yes"):
        values["simple_procedure"] = True
    unreadable = {p.field for p in problems}
    problems += [p for p in rules.validate(kind, values, today=today) if p.field not in unreadable]
    warnings: list[str] = []
    if kind is RecordKind.PENALTY and "publicity_class" not in unreadable:
        warnings += _settle_class(values)
    if kind is RecordKind.PENALTY and isinstance(values.get("jdrq"), dt.date) and values.get("publicity_class") in rules.PUBLICITY_CLASSES:
        pr = publicity_rules(values["jdrq"])
        given = values.get("gsjzq")
        text = " ".join(str(values.get(n) or "") for n in ("wfxw", "sy", "yj"))
        if given is None:
            end = pr.end(values["publicity_class"], values["jdrq"])
            if end is not None:
                values["gsjzq"] = end
        else:
            why = rules.check_publicity_end(pr, values["publicity_class"], values["jdrq"], given, text)
            if why:
                problems.append(FieldProblem("gsjzq", f"公示截止期：{why}", "publicity end outside the class's range"))
    return values, problems, warnings


def _settle_class(values: dict[str, Any]) -> list[str]:
    """A penalty without a publicity class (files from other systems lack the column) gets one from the rule
    table, or 待定 for a reviewer; values["class_source"] says which (record / rule / pending)."""
    if values.get("publicity_class") in rules.PUBLICITY_CLASSES:
        values.setdefault("class_source", "record")
        return []
    if values.get("publicity_class") == rules.PENDING_CLASS:
        values["class_source"] = "pending"
        return ["失信程度（公示类别）待定：请审核人员确定类别"]
    found = rules.derive_class(class_rules(), values)
    if found is None:
        values["publicity_class"], values["class_source"] = rules.PENDING_CLASS, "pending"
        return ["未填写失信程度（公示类别），规则表也无法推定，记为“待定”，请审核人员确定"]
    values["publicity_class"], values["class_source"] = found.klass, "rule"
    return [f"未填写失信程度（公示类别），按规则推定为“{found.klass}”（{found.note}）"]


def _entity_for(session: Session, values: Mapping[str, Any]) -> uuid.UUID | None:
    ident = _identifier_of(values)
    if not ident:
        return None
    found = session.execute(select(Entity.id).where(Entity.identifier == ident, Entity.deleted_at.is_(None))).scalar()
    return found


def _identifier_of(values: Mapping[str, Any]) -> str | None:
    """The identifier that links the relative to an entity: the USCC, or a natural person's 身份证 number."""
    if values.get("xdr_lb") == rules.RELATIVE_PERSON:
        if values.get("xdr_zjlx", "身份证") == "身份证":
            return values.get("xdr_zjhm")
        return None
    return values.get("xdr_shxym")


def _record_columns(
    ctx: AppContext,
    kind: RecordKind,
    values: Mapping[str, Any],
    problems: list[FieldProblem],
    *,
    entity_id: uuid.UUID | None,
    lineage_id: uuid.UUID | None = None,
    revision: int = 1,
    correction_reason: str = "",
    carry: Mapping[str, Any] | None = None,
    deadline: Callable[[dt.date | None], tuple[dt.date | None, bool]] = deadline_of,
) -> dict[str, Any]:
    """The attributes a new version is given (by attribute name), in the order `insert_record` always set them.
    One builder for the ORM path and the bulk path, so both store the same row; columns left out here keep their
    column default in the database and are None in the change-log image (as on the unflushed ORM object)."""
    now = utcnow()
    new_id = uuid.uuid4()
    cols: dict[str, Any] = {
        "created_at": now, "updated_at": now, "deleted_at": None, "reported_on": None, "withdrawn_on": None,
        "repaired_on": None, "id": new_id, "kind": kind.value, "revision": revision, "superseded": False,
        "correction_reason": correction_reason, "entity_id": entity_id, "created_office": ctx.office_code,
        "updated_office": ctx.office_code, "version": 1,
        "problems_json": json.dumps([p.message_zh for p in problems], ensure_ascii=False) if problems else "[]",
        "batch_no": "", "resubmit_needed": False, "withdrawn_reason": "", "lineage_id": lineage_id or new_id,
    }
    get = values.get
    for name, empty, joined in _STORE_PLAN:  # the stored form (cflb joined, amounts as text), every field of every row
        value = get(name)
        if value is None:
            cols[name] = empty
        elif joined:
            cols[name] = "；".join(value)
        elif isinstance(value, Decimal):
            cols[name] = format(value.normalize(), "f")
        else:
            cols[name] = value
    cols["deadline"], cols["deadline_tentative"] = deadline(values.get("jdrq"))
    cols["class_source"] = str(values.get("class_source", "record" if kind is RecordKind.PENALTY else ""))
    cols["simple_procedure"] = bool(values.get("simple_procedure", False))
    for key, value in (carry or {}).items():
        cols[key] = value
    return cols


_DATE_FIELD = {name: rules.FIELD_BY_NAME[name].kind == "date" for name in _DATA_FIELDS}
# Per data field: its stored value when empty (None for a date, else ""), and whether a list is joined (cflb).
_STORE_PLAN = tuple((name, None if _DATE_FIELD[name] else "", name == "cflb") for name in _DATA_FIELDS)


@lru_cache(maxsize=1)
def _image_columns() -> tuple[tuple[str, str], ...]:
    """(column name, attribute name) of every mapped column, in the order row_image lists them."""
    mapper = sa_inspect(SgsRecord)
    return tuple((column.key, attr.key) for attr in mapper.column_attrs for column in attr.columns)


# What storage.snapshots._plain makes of the types a new record holds, looked up by exact type (plain_value
# itself for any other type): str, int, bool and None are kept as they are.
_AS_IS = frozenset({str, int, bool, type(None)})
_CONVERT: dict[type, Callable[[Any], Any]] = {uuid.UUID: str, dt.datetime: dt.datetime.isoformat, dt.date: dt.date.isoformat}


def _image_of(cols: Mapping[str, Any]) -> dict[str, Any]:
    """row_image of a new SgsRecord made from `cols`, without making it: same keys, order and values."""
    get = cols.get
    as_is = _AS_IS
    return {key: value if type(value) in as_is else _plain(value) for key, attr in _image_columns() for value in (get(attr),)}


def _plain(value: Any) -> Any:
    """storage.snapshots._plain of a value that is not kept as it is (UUIDs, times and dates by their exact type)."""
    convert = _CONVERT.get(type(value))
    return convert(value) if convert is not None else plain_value(value)


def insert_record(
    session: Session,
    ctx: AppContext,
    kind: RecordKind,
    values: Mapping[str, Any],
    problems: list[FieldProblem],
    *,
    entity_id: uuid.UUID | None,
    lineage_id: uuid.UUID | None = None,
    revision: int = 1,
    correction_reason: str = "",
    audit_summary: str | None = None,
    carry: Mapping[str, Any] | None = None,
) -> SgsRecord:
    """Insert one version in the caller's transaction, with its change-log entry and audit line. Every column is
    set here (no flush needed before the row image: the audit entry's flush writes the row with it).
    `carry`: workflow columns a correction keeps from the version it replaces."""
    cols = _record_columns(ctx, kind, values, problems, entity_id=entity_id, lineage_id=lineage_id, revision=revision,
                           correction_reason=correction_reason, carry=carry)
    row = SgsRecord(**cols)
    session.add(row)
    audit.record_business_change(
        session, ctx, table_name=TABLE, record_id=row.id, action="create" if revision == 1 else "correct",
        record_version=row.version, before=None, after=row_image(row),
        summary=audit_summary or f"{'登记' if revision == 1 else '更正'}{kind.label}：{values.get('wsh', '')} {values.get('xdr_mc', '')}",
    )
    return row


class BulkInserter:
    """New first versions for an import: the same columns, change-log image and audit line as `insert_record`,
    but the rows go in by one executemany of plain tuples every FLUSH_EVERY rows (and at `flush()`) instead of as
    ORM objects, and the image is built from the values instead of read back from an object. The caller's
    transaction still holds everything: a rollback takes the rows with it; call `flush()` before committing.

    A row is the values of `_record_columns` in its order, then the Python-side defaults of the columns it leaves
    out (what a Core INSERT of those values would add: rejected_reason, repair_notice_serial); bind processing
    (UUIDs, UTC times) is storage.change_log.insert_rows', column by column."""

    FLUSH_EVERY = 1000

    def __init__(self, session: Session, ctx: AppContext) -> None:
        self.session, self.ctx = session, ctx
        self._pending: list[tuple[Any, ...]] = []
        self._column_of = {attr: key for key, attr in _image_columns()}
        self._deadlines: dict[dt.date, tuple[dt.date | None, bool]] = {}
        self._attrs: tuple[str, ...] | None = None  # the attributes _record_columns gives, in its order
        self._columns: tuple[str, ...] = ()
        self._defaults: tuple[Any, ...] = ()

    def _deadline(self, decided: dt.date | None) -> tuple[dt.date | None, bool]:
        """deadline_of, counted once per decision date of this import (a ledger has few distinct dates)."""
        if decided is None:
            return None, False
        found = self._deadlines.get(decided)
        if found is None:
            found = self._deadlines[decided] = deadline_of(decided)
        return found

    def _layout(self, attrs: tuple[str, ...]) -> None:
        """The columns of a row (those given, then the defaulted ones), from the first row's attributes."""
        table = SgsRecord.__table__
        given = [self._column_of[a] for a in attrs]
        defaults = []
        for column in table.columns:
            if column.key in given or column.default is None:
                continue
            if not column.default.is_scalar:
                raise TypeError(f"sgs_record.{column.key}: a default the bulk insert cannot give")  # none today
            defaults.append((column.key, column.default.arg))
        self._attrs = attrs
        self._columns = (*given, *(k for k, _ in defaults))
        self._defaults = tuple(v for _, v in defaults)

    def add(self, kind: RecordKind, values: Mapping[str, Any], *, entity_id: uuid.UUID | None, audit_summary: str) -> None:
        cols = _record_columns(self.ctx, kind, values, [], entity_id=entity_id, deadline=self._deadline)
        audit.record_business_change(
            self.session, self.ctx, table_name=TABLE, record_id=cols["id"], action="create", record_version=1,
            before=None, after=_image_of(cols), summary=audit_summary,
        )
        attrs = tuple(cols)
        if attrs != self._attrs:
            if self._pending:
                self.flush()
            self._layout(attrs)
        self._pending.append((*cols.values(), *self._defaults))
        if len(self._pending) >= self.FLUSH_EVERY:
            self.flush()

    def discard(self) -> None:
        self._pending.clear()

    def flush(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            insert_rows(self.session.connection(), SgsRecord.__table__, self._columns, rows)  # type: ignore[arg-type]


def add_record(
    ctx: AppContext, kind: RecordKind, raw: Mapping[str, Any], *, draft: bool = False, today: dt.date | None = None
) -> RecordView:
    """Enter a decision. Any broken rule refuses it (ValidationError naming field and rule), unless `draft`
    (暂存: a ledger's historical record kept as it is; it counts against 合规率 until corrected)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    values, problems, warnings = prepare(kind, raw, today=today)
    if problems and (not draft or not values.get("jdrq") or not values.get("wsh")):
        if draft:
            problems = [p for p in problems if p.field in ("jdrq", "wsh")] or problems
        raise ValidationError(problems)
    with ctx.transaction() as session:
        _refuse_duplicate(session, kind, values.get("wsh"), None)
        entity_id = _entity_for(session, values)
        if entity_id is None and _identifier_of(values):
            warnings.append("系统中没有登记该证件号码的主体，记录未关联到市场主体")
        row = insert_record(session, ctx, kind, values, problems, entity_id=entity_id)
        return view_of(row, today, warnings)


def _refuse_duplicate(session: Session, kind: RecordKind, docno: str | None, lineage: uuid.UUID | None) -> None:
    if not docno:
        return
    stmt = select(SgsRecord.id).where(
        SgsRecord.kind == kind.value, SgsRecord.wsh == docno, SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None)
    )
    if lineage is not None:
        stmt = stmt.where(SgsRecord.lineage_id != lineage)
    if session.execute(stmt.limit(1)).first():
        raise ValidationError(FieldProblem("wsh", f"{rules.label(kind, 'wsh')}：{docno} 已登记，更正请用“更正”而不是重新登记", "duplicate document number"))


def _current(session: Session, record_id: uuid.UUID) -> SgsRecord:
    row = session.get(SgsRecord, record_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError(f"双公示记录 {record_id}")
    if row.superseded:
        newest = session.execute(
            select(SgsRecord).where(SgsRecord.lineage_id == row.lineage_id, SgsRecord.superseded.is_(False))
        ).scalar_one()
        return newest
    return row


def correct_record(
    ctx: AppContext, record_id: uuid.UUID, raw: Mapping[str, Any], *, reason: str, today: dt.date | None = None
) -> RecordView:
    """A correction: a new version of the decision; the old one is kept (superseded). Fields not given keep
    their value. A correction of an already reported record needs reporting again (resubmit_needed)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    if not reason.strip():
        raise ValidationError(FieldProblem("correction_reason", "更正原因：必填，不能为空", "reason required"))
    with ctx.transaction() as session:
        old = _current(session, record_id)
        kind = RecordKind(old.kind)
        merged: dict[str, Any] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record_values(old).items()}
        if old.class_source in ("rule", "pending") and "publicity_class" not in raw:
            merged.pop("publicity_class", None)  # derived, not decided: derive again from the corrected values
            if "gsjzq" not in raw:
                merged.pop("gsjzq", None)
        merged.update(raw)
        if "simple_procedure" not in raw:
            merged["simple_procedure"] = old.simple_procedure
        values, problems, warnings = prepare(kind, merged, today=today)
        if problems:
            raise ValidationError(problems)
        _refuse_duplicate(session, kind, values.get("wsh"), old.lineage_id)
        before = row_image(old)
        old.superseded = True
        old.updated_office = ctx.office_code
        session.flush()
        audit.record_business_change(
            session, ctx, table_name=TABLE, record_id=old.id, action="supersede", record_version=old.version,
            before=before, after=row_image(old), summary=f"{kind.label} {old.wsh} 被更正（第{old.revision + 1}版）",
        )
        carry = {
            "reported_on": old.reported_on, "batch_no": old.batch_no, "withdrawn_on": old.withdrawn_on,
            "withdrawn_reason": old.withdrawn_reason, "repaired_on": old.repaired_on,
            "resubmit_needed": old.reported_on is not None,
        }
        new = insert_record(
            session, ctx, kind, values, problems, entity_id=_entity_for(session, values), lineage_id=old.lineage_id,
            revision=old.revision + 1, correction_reason=reason.strip(), carry=carry,
        )
        return view_of(new, today, warnings)


def withdraw_record(ctx: AppContext, record_id: uuid.UUID, *, on: dt.date, reason: str, today: dt.date | None = None) -> RecordView:
    """Mark a decision withdrawn (撤销); it stays in the ledger and leaves public exports."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    if not reason.strip():
        raise ValidationError(FieldProblem("withdrawn_reason", "撤销原因：必填，不能为空", "reason required"))
    if on > today:
        raise ValidationError(FieldProblem("withdrawn_on", "撤销日期：不能晚于今天", "withdrawal in the future"))
    with ctx.transaction() as session:
        row = withdraw_in(session, ctx, _current(session, record_id), on=on, reason=reason)
        return view_of(row, today)


def withdraw_in(session: Session, ctx: AppContext, row: SgsRecord, *, on: dt.date, reason: str) -> SgsRecord:
    """withdraw_record inside the caller's transaction (an upheld objection withdraws in its own)."""
    if row.withdrawn_on is not None:
        raise ValidationError(FieldProblem("withdrawn_on", f"该决定已于 {row.withdrawn_on} 撤销", "already withdrawn"))
    if row.jdrq and on < row.jdrq:
        raise ValidationError(FieldProblem("withdrawn_on", "撤销日期：不能早于决定日期", "withdrawal before the decision"))
    before = row_image(row)
    row.withdrawn_on, row.withdrawn_reason = on, reason.strip()
    if RecordKind(row.kind) is RecordKind.LICENSE:
        row.zt = "无效"
    row.updated_office = ctx.office_code
    row.resubmit_needed = row.reported_on is not None
    row.rejected_reason, row.rejected_on = "", None  # the withdrawal is what is sent next, not the refused version
    session.flush()
    audit.record_business_change(
        session, ctx, table_name=TABLE, record_id=row.id, action="withdraw", record_version=row.version,
        before=before, after=row_image(row), summary=f"撤销{RecordKind(row.kind).label}：{row.wsh}（{reason.strip()}）",
    )
    return row


def current_version(session: Session, record_id: uuid.UUID) -> SgsRecord:
    """The current version of a decision given any version's id or its lineage id."""
    row = session.get(SgsRecord, record_id)
    if row is None:
        row = session.execute(select(SgsRecord).where(SgsRecord.lineage_id == record_id, SgsRecord.superseded.is_(False))).scalar()
        if row is None:
            raise NotFoundError(f"双公示记录 {record_id}")
    return _current(session, row.id)


def set_in(session: Session, ctx: AppContext, row: SgsRecord, *, summary: str, action: str, **values: Any) -> SgsRecord:
    """Change workflow columns of the current version in the caller's transaction (repair, notice served)."""
    return audit.update_recorded(session, ctx, row, verb=action, summary=summary, **values)


def mark_reported_in(session: Session, ctx: AppContext, rows: Iterable[SgsRecord], *, on: dt.date, batch_no: str) -> int:
    count = 0
    for row in rows:
        before = row_image(row)
        row.reported_on = row.reported_on if row.reported_on and not row.resubmit_needed else on
        if row.resubmit_needed:
            row.resubmit_needed = False
        row.rejected_reason, row.rejected_on = "", None
        row.batch_no = batch_no
        row.updated_office = ctx.office_code
        session.flush()
        audit.record_business_change(
            session, ctx, table_name=TABLE, record_id=row.id, action="report", record_version=row.version,
            before=before, after=row_image(row), summary=f"{RecordKind(row.kind).label} {row.wsh} 已报送（批次 {batch_no}，{on}）",
        )
        count += 1
    return count


def reject_in(session: Session, ctx: AppContext, row: SgsRecord, *, reason: str, on: dt.date, source: str) -> SgsRecord:
    """The upper platform refused the record (its feedback file `source`): 待重报 with the reason, in the caller's
    transaction; logged and audited like every change."""
    before = row_image(row)
    row.resubmit_needed = True
    row.rejected_reason, row.rejected_on = reason.strip() or "（平台未说明原因）", on
    row.updated_office = ctx.office_code
    session.flush()
    audit.record_business_change(
        session, ctx, table_name=TABLE, record_id=row.id, action="reject", record_version=row.version,
        before=before, after=row_image(row),
        summary=f"{RecordKind(row.kind).label} {row.wsh} 被上级平台退回，待重报：{row.rejected_reason}（{source}）",
    )
    return row


def mark_reported(
    ctx: AppContext, record_ids: Iterable[uuid.UUID], *, on: dt.date, batch_no: str, today: dt.date | None = None
) -> list[RecordView]:
    """Mark records 已报送 on `on` in batch `batch_no`. A record reported before keeps its first report date
    (timeliness counts that one) unless it was corrected since (then the new submission is recorded)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    if on > today:
        raise ValidationError(FieldProblem("reported_on", "报送日期：不能晚于今天", "report date in the future"))
    if not batch_no.strip():
        raise ValidationError(FieldProblem("batch_no", "报送批次号：必填，不能为空", "batch number required"))
    with ctx.transaction() as session:
        rows = [_current(session, rid) for rid in record_ids]
        for row in rows:
            if row.jdrq and on < row.jdrq:
                raise ValidationError(FieldProblem("reported_on", f"报送日期不能早于决定日期（{row.wsh}：{row.jdrq}）", "report before decision"))
        mark_reported_in(session, ctx, rows, on=on, batch_no=batch_no.strip())
        return [view_of(r, today) for r in rows]


def current_records_stmt(
    *,
    kind: RecordKind | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit: str | None = None,
) -> Select[SgsRecord]:
    stmt = select(SgsRecord).where(SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None))
    if kind is not None:
        stmt = stmt.where(SgsRecord.kind == kind.value)
    if date_from is not None:
        stmt = stmt.where(SgsRecord.jdrq >= date_from)
    if date_to is not None:
        stmt = stmt.where(SgsRecord.jdrq <= date_to)
    if unit:
        from xuyi_desktop.services.units import unit_spellings

        # a unit of the dictionary matches every spelling of its name in the 决定机关 column (全称, 简称)
        stmt = stmt.where(or_(SgsRecord.jg.in_(unit_spellings(unit)), SgsRecord.jgdm == unit.strip().upper()))
    return stmt


def visible_records_stmt(
    own_unit: str | None,
    *,
    kind: RecordKind | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit: str | None = None,
) -> Select[SgsRecord]:
    """current_records_stmt, limited to the user's own unit (决定机关, from services.list_scope.current_list_unit)
    where the bureau wants that: the one place the 双公示 list and its indicators are scoped."""
    stmt = current_records_stmt(kind=kind, date_from=date_from, date_to=date_to, unit=unit)
    if own_unit is None:
        return stmt
    from xuyi_desktop.services.units import unit_spellings

    return stmt.where(SgsRecord.jg.in_(unit_spellings(own_unit)))


def list_records(
    ctx: AppContext,
    *,
    status: ReportStatus | None = None,
    kind: RecordKind | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit: str | None = None,
    text: str | None = None,
    today: dt.date | None = None,
    limit: int | None = None,
) -> list[RecordView]:
    """Current versions, newest decision first; `status` is evaluated as of `today`. Where the bureau limits
    lists to the user's unit, only records decided by that unit (决定机关) are listed."""
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    stmt = visible_records_stmt(list_scope.current_list_unit(ctx), kind=kind, date_from=date_from, date_to=date_to, unit=unit)
    if text:
        t = text.strip()  # icontains: the same answer on SQLite and PostgreSQL (case-sensitive LIKE there)
        stmt = stmt.where(or_(SgsRecord.xdr_mc.icontains(t, autoescape=True), SgsRecord.wsh.icontains(t, autoescape=True),
                              SgsRecord.xdr_shxym == t.upper()))
    stmt = stmt.order_by(SgsRecord.jdrq.desc(), SgsRecord.wsh)
    views: list[RecordView] = []
    with ctx.transaction() as session:
        for row in session.execute(stmt).scalars():
            view = view_of(row, today)
            if status is None or view.status is status:
                views.append(shown_to(ctx, view))
                if limit is not None and len(views) >= limit:
                    break
    return views


def get_record(ctx: AppContext, record_id: uuid.UUID, today: dt.date | None = None) -> RecordView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return shown_to(ctx, view_of(_current(session, record_id), today))


def history(ctx: AppContext, record_id: uuid.UUID) -> list[RecordView]:
    """Every version of the decision, oldest first."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        row = session.get(SgsRecord, record_id)
        if row is None:
            raise NotFoundError(f"双公示记录 {record_id}")
        rows = session.execute(select(SgsRecord).where(SgsRecord.lineage_id == row.lineage_id).order_by(SgsRecord.revision)).scalars()
        return [shown_to(ctx, view_of(r)) for r in rows]


def count_records(ctx: AppContext) -> int:
    with ctx.transaction() as session:
        return int(session.execute(select(func.count()).select_from(SgsRecord).where(SgsRecord.superseded.is_(False))).scalar_one())


def install_holidays(ctx: AppContext, path: Path, *, replace: bool = False) -> tuple[HolidayYear, int]:
    """安装节假日安排 (`xuyi workdays install`, 文件 → 安装节假日安排…): the checked year file goes in (settings
    right, audited: sgs_calendar.install_file), then the 待确认 deadlines it settles are counted anew. Returns the
    year and how many deadlines changed."""
    from xuyi_desktop.services.sgs_calendar import install_file

    year = install_file(ctx, path, replace=replace)
    return year, recompute_tentative_deadlines(ctx)


def recompute_tentative_deadlines(ctx: AppContext) -> int:
    """After a holiday year is installed: every 待确认 deadline whose year the calendar now covers is counted
    again by the calendar (a change like any other: logged, audited, synced). Returns how many changed."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    changed = 0
    with ctx.transaction() as session:
        rows = session.execute(select(SgsRecord).where(
            SgsRecord.deadline_tentative.is_(True), SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None),
        )).scalars().all()
        for row in rows:
            deadline, tentative = deadline_of(row.jdrq)
            if tentative:
                continue
            before = row_image(row)
            old = row.deadline
            row.deadline, row.deadline_tentative = deadline, False
            row.updated_office = ctx.office_code
            session.flush()
            audit.record_business_change(
                session, ctx, table_name=TABLE, record_id=row.id, action="deadline", record_version=row.version,
                before=before, after=row_image(row),
                summary=f"{RecordKind(row.kind).label} {row.wsh} 报送截止日按节假日安排确定：{old} → {deadline}",
            )
            changed += 1
    return changed


def classify_record(ctx: AppContext, record_id: uuid.UUID, klass: str, *, reason: str, today: dt.date | None = None) -> RecordView:
    """A reviewer sets the publicity class of a penalty (待定 or derived by rule); its publicity end follows
    the rules in force on the decision date. Audited with the reason."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = today or dt.date.today()
    if klass not in rules.PUBLICITY_CLASSES:
        raise ValidationError(FieldProblem("publicity_class", f"失信程度（公示类别）应为 {'、'.join(rules.PUBLICITY_CLASSES)} 之一", "unknown class"))
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "确定公示类别的理由：必填，不能为空", "reason required"))
    with ctx.transaction() as session:
        row = _current(session, record_id)
        if RecordKind(row.kind) is not RecordKind.PENALTY:
            raise ValidationError(FieldProblem("publicity_class", "只有行政处罚记录有公示类别", "not a penalty"))
        before = row_image(row)
        old = row.publicity_class or "（空）"
        row.publicity_class, row.class_source = klass, "review"
        row.gsjzq = publicity_rules(row.jdrq).end(klass, row.jdrq) if row.jdrq else None
        row.updated_office = ctx.office_code
        session.flush()
        audit.record_business_change(
            session, ctx, table_name=TABLE, record_id=row.id, action="classify", record_version=row.version,
            before=before, after=row_image(row), summary=f"行政处罚 {row.wsh} 公示类别：{old} → {klass}（{reason.strip()}）",
        )
        return view_of(row, today)


class SgsError(DomainError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)

