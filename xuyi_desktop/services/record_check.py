"""Records against their history (issue 21, finding 15): every business record must hold what the program last
wrote into it.

Every write of a business record goes through audit.record_business_change, which keeps the record's full
image in change_log (sync writes the images it receives there too) and, since issue 21, the SHA-256 of that
image in the audit entry, which the hash chain and its signed anchors protect. A record changed around the
program (sqlite3 on the database or on a backup file) no longer matches: `xuyi check` reports it and a restore
refuses the backup (unless the administrator insists: `--force`, or the window's confirmation).

The expected value of each field is the one set by the latest logged change that set it (changes ordered by
time, then sequence number), so sync's field-level merge of two offices' edits is expected as such; a field
with a sync conflict accepts any value a logged change gave it. A change-log image whose audit entry carries a
digest must still match that digest, so rewriting the row and its history together is found as well, and so
is deleting the change-log rows an audit entry names; a record the history knows that is gone from its table
was removed around the program (the program only marks records deleted).

Not covered (the README says so): records that have no history at all (demo data, rows inserted with an SQL
tool) are counted, not judged; a record sync keeps as the tombstone of a duplicate identifier may be deleted
without an image saying so; someone who rewrites row, change log, audit chain and anchors together — an
administrator with the PC's key — is found only against anchors kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import FIELD_LABELS
from xuyi_desktop.storage.all_models import Base
from xuyi_desktop.storage.change_log import image_digest
from xuyi_desktop.storage.queries import audit_changes as change_queries
from xuyi_desktop.storage.queries import audit_entries as entry_queries
from xuyi_desktop.storage.queries import record_check as check_queries
from xuyi_desktop.storage.queries import sync as sync_queries
from xuyi_desktop.sync import records as synced
from xuyi_desktop.sync.apply import DUPLICATE
from xuyi_desktop.sync.conflicts import BOOKKEEPING

DIGEST_KEY = "after_sha256"  # the audit entry's digest of the change-log image (services/audit.record_business_change)
SENSITIVE = frozenset({"identifier", "phone", "legal_representative", "address", "id_number", "person_id", "mobile"})
# Fields the program rewrites without a change of the record: signing keys follow a renamed office (offices.py).
NOT_JUDGED = {"signing_key": frozenset({"office_code"})}
ENTITY_AGGREGATE = ("deleted", "categories", "licences")
BATCH = 2000


@dataclass(frozen=True)
class Mismatch:
    """One record that does not hold what the program wrote into it."""

    table: str
    label: str
    record_id: str
    name: str
    field: str
    expected: Any = None
    found: Any = None
    history_altered: bool = False
    removed: bool = False

    def describe_zh(self) -> str:
        who = f"{self.label}「{self.name}」" if self.name else f"{self.label}（编号 {self.record_id[:8]}）"
        if self.removed:
            return f"{who}已不在数据库中（本程序只作删除标记，不会删去记录）"
        if self.history_altered:
            return f"{who}的变更记录与操作日志不符（变更记录被改动）"
        label = FIELD_LABELS.get(self.field, self.field) if self.table == "entity" else _FIELD_ZH.get(self.field, self.field)
        if self.field in SENSITIVE:
            return f"{who}的{label}与变更记录不符"
        return f"{who}的{label}应为「{_show(self.expected)}」，现为「{_show(self.found)}」"

    def describe_en(self) -> str:
        if self.removed:
            return f"{self.table} {self.record_id}: row removed"
        if self.history_altered:
            return f"{self.table} {self.record_id}: change log altered"
        return f"{self.table} {self.record_id}: {self.field} differs from its change log"

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "record_id": self.record_id, "name": self.name, "field": self.field,
                "history_altered": self.history_altered, "removed": self.removed, "text": self.describe_zh()}


_FIELD_ZH = {"grade": "等级", "score": "分数", "status": "状态", "name": "名称", "period": "年度", "domain": "领域",
             "valid_from": "有效期起", "valid_until": "有效期止", "decision_date": "决定日期", "document_no": "文书号",
             "deleted_at": "删除时间", "bad_points": "失信分"}


def _show(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"


@dataclass
class RecordReport:
    checked: int = 0
    without_history: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    total: int = 0  # mismatching records, of which at most `limit` are kept

    @property
    def ok(self) -> bool:
        return self.total == 0

    def summary_zh(self, most: int = 3) -> str:
        shown = "；".join(m.describe_zh() for m in self.mismatches[:most])
        more = f"等 {self.total} 条" if self.total > most else ""
        return f"{shown}{more}"


# --- normalising values --------------------------------------------------------------------------------------


def _is_datetime(column: Any) -> bool:
    kind = getattr(column.type, "impl", column.type)
    try:
        return kind.python_type is dt.datetime
    except NotImplementedError:
        return False


def _instant(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    return value


def _plain(value: Any) -> Any:
    """A value as JSON brings it back (what the change-log image holds)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, uuid.UUID | dt.date):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _licences(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((str(x.get("id")), x.get("licence_type"), x.get("number"), x.get("valid_from"), x.get("valid_to"))
                  for x in items if not x.get("deleted"))


# --- what the history says ------------------------------------------------------------------------------------


def _tables() -> dict[str, Table]:
    found = {}
    for name in synced.RECORDS:
        table = Base.metadata.tables.get(name)
        if table is not None:
            found[name] = table
    return found


def _judged(table: Table) -> dict[str, Any]:
    skip = BOOKKEEPING | NOT_JUDGED.get(table.name, frozenset())
    return {c.key: c for c in table.columns if c.key not in skip}


def _digests(session: Session, tables: dict[str, Table]) -> dict[tuple[str, str, int], set[str]]:
    """(table, record, change seq) → the digests audit entries keep of that change-log image. Without the office:
    a renamed office's change log carries its new code, its audit entries the old one (offices._rewrite_code)."""
    found: dict[tuple[str, str, int], set[str]] = {}
    for table, rid, details in entry_queries.details_containing(session, list(tables), DIGEST_KEY, BATCH):
        try:
            d = json.loads(details)
            found.setdefault((table, rid, int(d["change_seq"])), set()).add(d[DIGEST_KEY])
        except (ValueError, KeyError, TypeError):
            continue
    return found


class _Expected:
    """Per record: the value each field should hold, from the change log in order."""

    def __init__(self, session: Session, tables: dict[str, Table]) -> None:
        self.values: dict[tuple[str, str], dict[str, Any]] = {}
        self.altered: dict[tuple[str, str], bool] = {}
        conflicts = sync_queries.conflict_fields(session)
        self.conflicted = {(t, str(r), f) for t, r, f, _ in conflicts}
        # Two offices registered one identifier: sync keeps the loser as a tombstone (sync/apply.Batch._claim).
        self.tombstoned = {(t, str(r)) for t, r, _, kind in conflicts if kind == DUPLICATE}
        self.alternatives: dict[tuple[str, str, str], list[Any]] = {}
        digests = _digests(session, tables)
        # The audit log is this installation's own: the office codes in it are the streams whose changes it vouches
        # for (received changes are another office's, logged under its code and vouched for by its package).
        local = entry_queries.office_codes(session)
        seen: set[tuple[str, str, int]] = set()
        self.gone: set[tuple[str, str]] = set()  # the last logged change removed the record
        for office, seq, table, rid, before_json, after_json in change_queries.images_in_order(session, list(tables), BATCH):
            key = (table, str(rid))
            want = digests.get((table, key[1], seq)) if office in local else None
            if want is not None:
                seen.add((table, key[1], seq))
                if image_digest(after_json) not in want:
                    self.altered[key] = True
            if after_json is None:
                self.gone.add(key)
                continue
            self.gone.discard(key)
            try:
                after = json.loads(after_json)
                before = json.loads(before_json) if before_json else None
            except ValueError:
                self.altered[key] = True
                continue
            if not isinstance(after, dict):
                continue
            fields = self.values.setdefault(key, {})
            for name, value in after.items():
                if name in BOOKKEEPING:
                    continue
                if name not in fields or not isinstance(before, dict) or before.get(name) != value:
                    fields[name] = value
                if (table, key[1], name) in self.conflicted:
                    self.alternatives.setdefault((table, key[1], name), []).append(value)
        for table, rid, _seq in digests.keys() - seen:  # an audited change whose change-log row was removed
            self.altered[(table, rid)] = True


def _rows(session: Session, table: Table) -> Iterator[Any]:
    yield from check_queries.rows(session, table, BATCH)


def _entity_extras(session: Session) -> tuple[dict[str, list[str]], dict[str, list[dict[str, Any]]]]:
    cats: dict[str, list[str]] = {}
    lics: dict[str, list[dict[str, Any]]] = {}
    for eid, category in check_queries.entity_categories(session):
        cats.setdefault(str(eid), []).append(category)
    for row in check_queries.licences(session):
        lics.setdefault(str(row.entity_id), []).append({
            "id": str(row.id), "licence_type": row.licence_type, "number": row.number,
            "valid_from": row.valid_from.isoformat() if row.valid_from else None,
            "valid_to": row.valid_to.isoformat() if row.valid_to else None, "deleted": row.deleted_at is not None,
        })
    return cats, lics


def _same(column: Any, want: Any, have: Any) -> bool:
    if want == have and type(want) is type(have):  # the common case: text, numbers, None
        return True
    if column is not None and _is_datetime(column):
        return bool(_instant(want) == _instant(have))
    return bool(_plain(want) == _plain(have))


def check_records(session: Session, *, limit: int = 20) -> RecordReport:
    """Hold every business record against its history; at most `limit` mismatching records are described."""
    tables = _tables()
    expected = _Expected(session, tables)
    report = RecordReport()
    names: dict[str, str] = {}
    cats, lics = _entity_extras(session) if "entity" in tables else ({}, {})
    for name, table in tables.items():
        columns = _judged(table)
        label = synced.RECORDS[name].label
        present: set[str] = set()
        for row in _rows(session, table):
            m = row._mapping
            rid = str(m["id"])
            present.add(rid)
            if name == "entity":
                names[rid] = m["name"]
            report.checked += 1
            want = expected.values.get((name, rid))
            if want is None and not expected.altered.get((name, rid)):
                report.without_history += 1
                continue
            want = want or {}
            found = _first_difference(name, columns, want, m, rid, expected, cats, lics)
            if found is None and not expected.altered.get((name, rid)):
                continue
            report.total += 1
            if len(report.mismatches) < limit:
                title = _title(session, name, m, names)
                if found is None:
                    report.mismatches.append(Mismatch(name, label, rid, title, "", history_altered=True))
                else:
                    report.mismatches.append(Mismatch(name, label, rid, title, found[0], found[1], found[2]))
        # Records the history says exist that are not there: the program never removes a row (soft delete).
        for (t, rid), fields in expected.values.items():
            if t != name or rid in present or (t, rid) in expected.gone:
                continue
            report.total += 1
            if len(report.mismatches) < limit:
                shown = str(fields.get("name") or "") if name == "entity" else ""
                report.mismatches.append(Mismatch(name, label, rid, shown, "", removed=True))
    return report


def _first_difference(table: str, columns: dict[str, Any], want: dict[str, Any], m: Any, rid: str, expected: _Expected,
                      cats: dict[str, list[str]], lics: dict[str, list[dict[str, Any]]]) -> tuple[str, Any, Any] | None:
    for key, value in want.items():
        if table == "entity" and key in ENTITY_AGGREGATE:
            if key == "deleted":
                have: Any = m["deleted_at"] is not None
                ok = bool(value) == have or (have and (table, rid) in expected.tombstoned)
            elif key == "categories":
                have = sorted(cats.get(rid, []))
                ok = sorted(value or []) == have
            else:
                have = _licences(lics.get(rid, []))
                ok = _licences(value or []) == have
            column = None
        else:
            column = columns.get(key)
            if column is None:
                continue  # bookkeeping, a field the image has and the table no longer (dropped column)
            have = m[key]
            ok = _same(column, value, have)
        if ok:
            continue
        alternatives = expected.alternatives.get((table, rid, key))
        if alternatives and any(_same(column, alt, have) for alt in alternatives):
            continue
        if key == "licences":
            return key, f"{len(_licences(value or []))}个有效证照", f"{len(have)}个（或内容不同）"
        return key, value, _instant(have) if column is not None and _is_datetime(column) else _plain(have)
    return None


def _title(session: Session, table: str, m: Any, names: dict[str, str]) -> str:
    if table == "entity":
        return str(m["name"])
    keys = m.keys()
    if "entity_id" in keys and m["entity_id"] is not None:
        eid = str(m["entity_id"])
        if eid not in names:
            names[eid] = check_queries.entity_name(session, m["entity_id"]) or ""
        if names[eid]:
            extra = f" {m['period']}年度" if "period" in keys else ""
            return f"{names[eid]}{extra}"
    for key in ("name", "title", "subject", "plate_number", "vessel_name"):
        if key in keys and m[key]:
            return str(m[key])
    return ""
