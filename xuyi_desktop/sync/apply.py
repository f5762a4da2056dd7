"""Applying shipped changes to the business tables, through the merge of sync/conflicts.py.

`entity` is an aggregate: its image (services/entities.snapshot) carries its categories and licences,
which are applied from it. Every other table is rebuilt from its full row image (storage/snapshots.row_image).
Received changes are also written to change_log under their origin office and seq, so a record's history
shows them; they are never re-recorded as changes of this office. (After an office restored a backup, a change
it lost may come back while the same office and seq already name another change here: the history then keeps
the one it has, the change itself is applied all the same.)

Only the tables declared in sync/records.py are ever written here (`records.model_for`).

Each conflict is logged under a key that names it identically in every office (conflicts.conflict_key); a
decision on it (a `sync_decision` record, made by a reviewer in any office) closes it wherever it is or will be.

Changes are applied in batches (`Batch`): the merge state, the current rows and the live holders of the
identifiers a batch touches are read with one query each; rows are changed in memory and flushed once per
batch; change_log, conflicts and merge state are written with executemany, and the full-text index is
updated once per batch. The batch only ever runs inside the caller's transaction.

Two offices registering the same identifier: the unique index on live identifiers allows one live record.
The record whose identifier was set by the smaller change key (stamp, office, seq; then record id) keeps it;
the other is kept as a tombstone with a `duplicate_identifier` conflict for a reviewer to merge. The rule only
depends on the changes, so every office reaches the same result whichever package arrives first.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from xuyi_desktop.storage import change_log, counters, entity_writes
from xuyi_desktop.storage.entity_writes import NewEntity
from xuyi_desktop.storage.models import ChangeLog, Entity, Licence, utcnow
from xuyi_desktop.storage.models_sync import SyncConflict, SyncDecision, SyncRecordState
from xuyi_desktop.storage.search_index import IndexRow, SearchIndex
from xuyi_desktop.storage.snapshots import row_image
from xuyi_desktop.sync import conflicts as merge_rules
from xuyi_desktop.sync import records
from xuyi_desktop.sync.clock import OfficeClock
from xuyi_desktop.sync.conflicts import FieldState, Key

SEARCH_KEY_COUNTER = entity_writes.SEARCH_KEY_COUNTER
DUPLICATE = "duplicate_identifier"
DECISIONS = "sync_decision"
CHUNK = 500  # ids per IN (…) query


def _model_for(table: str) -> type[Any] | None:
    """The model of a synced table; None for any table not declared in sync/records.py."""
    return records.model_for(table)


def _chunks(items: list[Any], n: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


_date = entity_writes.parse_date
_datetime = entity_writes.parse_time
_table = entity_writes._table


def entity_image(entity: Any) -> dict[str, Any]:
    """The image of an entity (ORM or new) as the merge compares it: storage's snapshot without the version."""
    image = entity_writes.snapshot(entity)
    image.pop("version", None)
    return image


def _convert(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    kind = getattr(kind, "impl", kind)  # a TypeDecorator (UtcDateTime) says `object`; what it stores says datetime
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return value
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is dt.datetime:
        return _datetime(value)
    if python_type is dt.date:
        return _date(value)
    return value


def _write_row(session: Session, model: type[Any], row: Any, image: dict[str, Any], change: dict[str, Any],
               *, flush: bool = True) -> Any:
    table = model.__table__
    if row is None:
        row = model(id=uuid.UUID(change["record_id"]), created_office=change["office"])
        session.add(row)
    for column in table.columns:
        name = column.key
        if name in merge_rules.BOOKKEEPING or name not in image:
            continue
        value = _convert(column, image[name])
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    row.updated_office = change["office"]
    if flush:
        session.flush()
    return row


LOG_COLUMNS = change_log.LOG_COLUMNS


def _log_values(change: dict[str, Any], record_id: uuid.UUID | None = None) -> tuple[Any, ...]:
    """The change_log row of a received change, in LOG_COLUMNS order (record_id: the change's, already parsed)."""
    before, after = change.get("before"), change.get("after")
    return (uuid.UUID(change["id"]), change["office"], int(change["seq"]), _datetime(change["at"]), change.get("actor", ""),
            change["table"], record_id if record_id is not None else uuid.UUID(change["record_id"]), change["action"],
            int(change.get("version") or 0), change.get("summary", ""),
            None if before is None else merge_rules.dumps(before), None if after is None else merge_rules.dumps(after))


def _insert_logs(session: Session, values: list[tuple[Any, ...]]) -> None:
    """change_log rows of received changes; a row whose office and seq already name another change here (an
    office that restored a backup numbered again) is left out, the change itself is applied anyway."""
    change_log.insert_rows(session.connection(), _table(ChangeLog), LOG_COLUMNS, values,
                           skip_conflict_on=("office_code", "seq"))


def log_change(session: Session, change: dict[str, Any]) -> None:
    """The received change in change_log, under its origin office and sequence number."""
    _insert_logs(session, [_log_values(change)])

class _State:
    __slots__ = ("dirty", "exists", "fields", "max_stamp")

    def __init__(self, max_stamp: int, fields: dict[str, FieldState], exists: bool) -> None:
        self.max_stamp, self.fields, self.exists, self.dirty = max_stamp, fields, exists, False


class StateCache:
    """The merge state (sync_record_state) of a set of records: read in one query per table and chunk,
    written back with executemany."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[tuple[str, uuid.UUID], _State] = {}

    def load(self, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
        by_table: dict[str, list[uuid.UUID]] = {}
        for t, rid in keys:
            if (t, rid) not in self.rows:
                by_table.setdefault(t, []).append(rid)
        st = cast(Table, SyncRecordState.__table__)
        for table, ids in by_table.items():
            for chunk in _chunks(sorted(set(ids))):
                for t, rid, max_stamp, fields in self.session.execute(
                    select(st.c.table_name, st.c.record_id, st.c.max_stamp, st.c.fields_json)
                    .where(st.c.table_name == table, st.c.record_id.in_(chunk))
                ):
                    self.rows[(t, rid)] = _State(max_stamp or 0, merge_rules.load_state(fields), True)
            for rid in ids:
                self.rows.setdefault((table, rid), _State(0, {}, False))

    def get(self, table: str, record_id: uuid.UUID) -> _State:
        if (table, record_id) not in self.rows:
            self.load([(table, record_id)])
        return self.rows[(table, record_id)]

    def write(self) -> None:
        st = cast(Table, SyncRecordState.__table__)
        new: list[tuple[Any, ...]] = []
        old: list[dict[str, Any]] = []
        for (t, rid), s in self.rows.items():
            if not s.dirty:
                continue
            fields_json = merge_rules.dump_state(s.fields)
            if s.exists:
                old.append({"t": t, "rid": rid, "max_stamp": s.max_stamp, "fields_json": fields_json})
            else:
                new.append((t, rid, s.max_stamp, fields_json))
            s.exists, s.dirty = True, False
        conn = self.session.connection()
        if new:
            change_log.insert_rows(conn, st, ("table_name", "record_id", "max_stamp", "fields_json"), new)
        if old:
            conn.execute(
                update(st).where(and_(st.c.table_name == bindparam("t"), st.c.record_id == bindparam("rid")))
                .values(max_stamp=bindparam("max_stamp"), fields_json=bindparam("fields_json")), old)


def record_state(session: Session, table: str, record_id: uuid.UUID) -> SyncRecordState:
    state = session.get(SyncRecordState, (table, record_id))
    if state is None:
        state = SyncRecordState(table_name=table, record_id=record_id, max_stamp=0, fields_json="{}")
        session.add(state)
    return state


def current_image(session: Session, table: str, record_id: uuid.UUID) -> tuple[Any, dict[str, Any] | None]:
    if table == "entity":
        entity = session.get(Entity, record_id)
        return entity, (entity_image(entity) if entity is not None else None)
    model = _model_for(table)
    if model is None:
        return None, None
    row = session.get(model, record_id)
    return row, (row_image(row) if row is not None else None)


class Batch:
    """Applies a run of changes in memory and writes them with a handful of statements (see the module doc)."""

    def __init__(self, session: Session, index: SearchIndex, changes: list[dict[str, Any]]) -> None:
        self.session, self.index = session, index
        self.states = StateCache(session)
        self.rows: dict[tuple[str, uuid.UUID], Any] = {}
        self.logs: list[tuple[Any, ...]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.touched: dict[uuid.UUID, Entity] = {}
        self.holders: dict[str, uuid.UUID] = {}  # identifier -> the live entity holding it
        self.held: dict[uuid.UUID, set[str]] = {}  # the reverse: entity -> the identifiers it holds here
        self.decisions: set[uuid.UUID] = set()  # sync_decision records this batch wrote
        keys = []
        self.record_ids: dict[str, uuid.UUID] = {}  # each record id of the batch parsed once
        for c in changes:
            table = c["table"]
            if table != "entity" and _model_for(table) is None:
                raise KeyError(table)
            rid = self.record_ids.get(c["record_id"])
            if rid is None:
                rid = self.record_ids[c["record_id"]] = uuid.UUID(c["record_id"])
            keys.append((table, rid))
        self.states.load(keys)
        by_table: dict[str, set[uuid.UUID]] = {}
        for t, rid in keys:
            by_table.setdefault(t, set()).add(rid)
        for table, ids in by_table.items():
            model = Entity if table == "entity" else _model_for(table)
            assert model is not None
            stmt = select(model)
            if model is Entity:
                stmt = stmt.options(selectinload(Entity.categories), selectinload(Entity.licences))
            for chunk in _chunks(sorted(ids)):
                for row in session.execute(stmt.where(model.id.in_(chunk))).scalars():
                    self.rows[(table, row.id)] = row
            for rid in ids:
                self.rows.setdefault((table, rid), None)
        idents = {str((c.get("after") or {}).get("identifier")) for c in changes
                  if c["table"] == "entity" and (c.get("after") or {}).get("identifier")}
        for chunk in _chunks(sorted(idents)):
            for eid, ident in session.execute(select(Entity.id, Entity.identifier).where(
                    Entity.identifier.in_(chunk), Entity.deleted_at.is_(None))):
                self._hold(ident, eid)
        missing = sum(1 for (t, _), row in self.rows.items() if t == "entity" and row is None)
        # A new entity is written with Core (NewEntity) unless one of its licences already exists here under
        # another entity: that rare case keeps the ORM path, which updates the licence where it is.
        self.fresh: dict[uuid.UUID, NewEntity] = {}
        self.orm_only: set[uuid.UUID] = set()
        self.released: set[str] = set()  # identifiers an entity of this batch gave up (see _write_fresh)
        lic_owner: dict[uuid.UUID, uuid.UUID] = {}
        for c in changes:
            rid = self.record_ids[c["record_id"]]
            if c["table"] == "entity" and self.rows.get(("entity", rid)) is None:
                for lic in (c.get("after") or {}).get("licences") or []:
                    lic_owner[uuid.UUID(lic["id"])] = rid
        for chunk in _chunks(sorted(lic_owner)):
            for (lid,) in session.execute(select(Licence.id).where(Licence.id.in_(chunk))):
                self.orm_only.add(lic_owner[lid])
        self.next_key = counters.reserve(session, SEARCH_KEY_COUNTER, missing) if missing else 0
        self.keys_left = missing

    def _search_key(self) -> int:
        if self.keys_left <= 0:
            self.next_key, self.keys_left = counters.reserve(self.session, SEARCH_KEY_COUNTER), 1
        key = self.next_key
        self.next_key, self.keys_left = key + 1, self.keys_left - 1
        return key

    def current(self, table: str, record_id: uuid.UUID) -> tuple[Any, dict[str, Any] | None]:
        if (table, record_id) not in self.rows:
            row, image = current_image(self.session, table, record_id)
            self.rows[(table, record_id)] = row
            return row, image
        row = self.rows[(table, record_id)]
        if row is None:
            return None, None
        return row, (entity_image(row) if table == "entity" else row_image(row))

    def conflict(self, table: str, record_id: uuid.UUID, c: merge_rules.Conflict) -> None:
        self.conflicts.append({
            "id": uuid.uuid4(), "table_name": table, "record_id": record_id, "field": c.field, "kind": c.kind,
            "winner_json": json.dumps(c.winner, ensure_ascii=False), "loser_json": json.dumps(c.loser, ensure_ascii=False),
            "winner_office": c.winner_office, "loser_office": c.loser_office, "winner_change": c.winner_change,
            "loser_change": c.loser_change, "conflict_key": merge_rules.conflict_key(table, record_id, c),
            "status": "open", "resolved_by": "", "resolved_at": None, "resolved_office": "",
        })

    def apply(self, change: dict[str, Any], change_ids: dict[Any, str] | None = None) -> int:
        table = change["table"]
        record_id = self.record_ids.get(change["record_id"]) or uuid.UUID(change["record_id"])
        if table == DECISIONS:
            self.decisions.add(record_id)
        with self.session.no_autoflush:  # pending rows may name new entities written only at finish()
            return self._apply(table, record_id, change, change_ids)

    def _apply(self, table: str, record_id: uuid.UUID, change: dict[str, Any], change_ids: dict[Any, str] | None) -> int:
        state = self.states.get(table, record_id)
        row, current = self.current(table, record_id)
        before_conflicts = len(self.conflicts)
        image, found, changed = merge_rules.merge(current, state.fields, change, change_ids or {})
        for c in found:
            self.conflict(table, record_id, c)
        if changed:
            if table == "entity":
                if row is None and record_id not in self.orm_only and str(image.get("identifier")) not in self.released:
                    row = self.fresh[record_id] = entity_writes.image_new_entity(image, change, self._search_key(), utcnow(), record_id)
                else:
                    if isinstance(row, NewEntity):
                        row = self._promote(record_id)
                    row = entity_writes.apply_image(self.session, None, row, image, change,
                                        search_key=self._search_key() if row is None else None)
                self.touched[record_id] = row
                self._claim(row, state, change)
            else:
                model = _model_for(table)
                assert model is not None
                row = _write_row(self.session, model, row, image, change, flush=False)
            self.rows[(table, record_id)] = row
        state.max_stamp = max(state.max_stamp, int(change["stamp"]))
        state.dirty = True
        self.logs.append(_log_values(change, record_id))
        return len(self.conflicts) - before_conflicts

    def _claim_key(self, entity_id: uuid.UUID) -> tuple[Key, str]:
        st = self.states.get("entity", entity_id).fields.get("identifier")
        return (st.key if st is not None else merge_rules.ZERO), str(entity_id)

    def _write_fresh(self) -> None:
        """Insert the new entities, their categories and licences with one multi-row statement each, then flush the
        ORM's changes (pending rows of other tables may name the new entities). The unique index on live
        identifiers never sees two live rows: a tombstone a claim made is written at once (_claim), and an
        identifier that an ORM row of this batch gives up is taken by a new entity only on the ORM path."""
        session = self.session
        if not self.fresh:
            session.flush()
            return
        fresh = list(self.fresh.values())
        self.fresh = {}
        entity_writes.insert_new(session.connection(), fresh)  # Core: no autoflush of the rows naming these entities
        session.flush()

    def _promote(self, record_id: uuid.UUID) -> Entity:
        """A new entity of this batch that a later change of the batch touches: written now, then read back as
        an ORM object for the general path."""
        if record_id in self.fresh:
            self._write_fresh()
        row = self.session.get(Entity, record_id, options=[selectinload(Entity.categories), selectinload(Entity.licences)])
        assert row is not None
        self.rows[("entity", record_id)] = row
        if record_id in self.touched:
            self.touched[record_id] = row
        return row

    def _hold(self, ident: str, eid: uuid.UUID) -> None:
        old = self.holders.get(ident)
        if old is not None and old != eid:
            self.held.get(old, set()).discard(ident)
        self.holders[ident] = eid
        self.held.setdefault(eid, set()).add(ident)

    def _claim(self, entity: Entity, state: _State, change: dict[str, Any]) -> None:
        """Keep at most one live entity per identifier (see the module doc)."""
        mine = self.held.get(entity.id)
        if mine:
            for ident in [i for i in mine if i != entity.identifier or entity.deleted_at is not None]:
                mine.discard(ident)
                self.released.add(ident)
                if self.holders.get(ident) == entity.id:
                    del self.holders[ident]
        if entity.deleted_at is not None:
            return
        holder_id = self.holders.get(entity.identifier)
        if holder_id is None or holder_id == entity.id:
            self._hold(entity.identifier, entity.id)
            return
        holder = self.rows.get(("entity", holder_id)) or self.session.get(Entity, holder_id)
        assert holder is not None
        if self._claim_key(entity.id) < self._claim_key(holder_id):
            winner, loser = entity, holder
        else:
            winner, loser = holder, entity
        if isinstance(loser, NewEntity) and loser.id not in self.fresh:  # already written: change the row
            loser = self._promote(loser.id)
        self.states.load([("entity", holder_id)])
        loser.deleted_at = _datetime(change.get("at"))
        self.rows[("entity", loser.id)] = loser
        self.touched[loser.id] = loser
        self.touched[winner.id] = winner
        self._hold(entity.identifier, winner.id)
        if isinstance(loser, Entity):  # the tombstone first, so the unique index never sees two live rows (only it:
            et = _table(Entity)  # other pending rows may name new entities not yet written; the ORM writes the same later)
            self.session.connection().execute(update(et).where(et.c.id == loser.id).values(deleted_at=loser.deleted_at))
        lstate = self.states.get("entity", loser.id)
        lkey = lstate.fields.get("identifier")
        wkey = self.states.get("entity", winner.id).fields.get("identifier")
        self.conflicts.append({
            "id": uuid.uuid4(), "table_name": "entity", "record_id": loser.id, "field": "identifier", "kind": DUPLICATE,
            "winner_json": json.dumps(str(winner.id)), "loser_json": json.dumps(loser.identifier, ensure_ascii=False),
            "winner_office": wkey.key[1] if wkey else winner.created_office,
            "loser_office": lkey.key[1] if lkey else loser.created_office,
            "winner_change": "", "loser_change": "",
            "conflict_key": f"entity|{loser.id}|identifier|{DUPLICATE}|{winner.id}",
            "status": "open", "resolved_by": "", "resolved_at": None, "resolved_office": "",
        })

    def finish(self) -> None:
        """Write everything this batch changed: rows, merge state, change_log, conflicts, the search index."""
        session = self.session
        self._write_fresh()
        self.states.write()
        if self.logs:
            _insert_logs(session, self.logs)
        if self.conflicts:
            record_conflicts(session, self.conflicts)
        if self.decisions:
            close_decided(session, sorted(self.decisions))
        live = [e for e in self.touched.values() if e.deleted_at is None]
        gone = [e.search_key for e in self.touched.values() if e.deleted_at is not None]
        # A new entity written by this batch (NewEntity) has a search key reserved by this batch: never indexed, so
        # it goes in with the index's insert for rows known not to be there (no look-up of tokens to take out first).
        fresh = [IndexRow(e.search_key, e.name, e.name_pinyin, e.name_initials) for e in live if isinstance(e, NewEntity)]
        known = [IndexRow(e.search_key, e.name, e.name_pinyin, e.name_initials) for e in live if not isinstance(e, NewEntity)]
        if fresh:
            self.index.bulk_insert(session.connection(), fresh)
        if known:
            self.index.index(session, known)
        if gone:
            self.index.remove(session, gone)
        self.logs, self.conflicts, self.touched, self.decisions = [], [], {}, set()


def _decided(session: Session, keys: list[str]) -> dict[str, SyncDecision]:
    found: dict[str, SyncDecision] = {}
    for chunk in _chunks(sorted(set(keys))):
        for d in session.execute(select(SyncDecision).where(SyncDecision.conflict_key.in_(chunk),
                                                            SyncDecision.deleted_at.is_(None))).scalars():
            found[d.conflict_key] = d
    return found


def record_conflicts(session: Session, rows: list[dict[str, Any]]) -> None:
    """Log conflicts once each (by key); one already decided in another office is logged closed."""
    keys = [r["conflict_key"] for r in rows]
    known: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        known |= set(session.execute(select(SyncConflict.conflict_key).where(SyncConflict.conflict_key.in_(chunk))).scalars())
    decided = _decided(session, keys)
    fresh, seen = [], set()
    for r in rows:
        if r["conflict_key"] in known or r["conflict_key"] in seen:
            continue
        seen.add(r["conflict_key"])
        d = decided.get(r["conflict_key"])
        if d is not None:
            r = dict(r, status=d.decision, resolved_by=d.decided_by, resolved_at=d.updated_at,
                     resolved_office=d.updated_office)
        fresh.append(r)
    if fresh:
        session.execute(insert(SyncConflict), fresh)


def close_decided(session: Session, decision_ids: list[uuid.UUID]) -> None:
    """Close the conflicts that received decisions name (a reviewer decided in another office). Two offices
    deciding the same conflict write the same record; the merge keeps one, and every office shows that one."""
    for chunk in _chunks(decision_ids):
        for d in session.execute(select(SyncDecision).where(SyncDecision.id.in_(chunk))).scalars():
            session.execute(
                update(SyncConflict).where(SyncConflict.conflict_key == d.conflict_key)
                .values(status=d.decision, resolved_by=d.decided_by, resolved_at=d.updated_at,
                        resolved_office=d.updated_office)
                .execution_options(synchronize_session=False))


def apply_change(session: Session, index: SearchIndex, change: dict[str, Any], change_ids: dict[Any, str],
                 batch: Batch | None = None) -> int:
    """Merge one received change into the database; returns the number of conflicts logged. With a batch,
    the writes wait for batch.finish()."""
    own = batch is None
    if batch is None:
        batch = Batch(session, index, [change])
    found = batch.apply(change, change_ids)
    if own:
        batch.finish()
    return found


def stamp_local(session: Session, change: dict[str, Any], at_us: int, clock: OfficeClock,
                states: StateCache | None = None, record_id: uuid.UUID | None = None) -> int:
    """Give a local change its merge stamp from the office clock (above every stamp seen here, and every stamp
    the record has) and record it as the holder of the fields it changed. Returns the stamp. With a
    StateCache, the caller writes it back (`record_id`: the change's, when the caller holds it parsed)."""
    own = states is None
    cache = states if states is not None else StateCache(session)
    state = cache.get(change["table"], record_id if record_id is not None else uuid.UUID(change["record_id"]))
    stamp = clock.tick(at_us, state.max_stamp)
    change["stamp"] = stamp
    key = merge_rules.change_key(change)
    before = change.get("before") or {}
    for f in merge_rules.modified_fields(change):
        state.fields[f] = FieldState(key, before.get(f) if before else None)
    state.max_stamp, state.dirty = stamp, True
    if own:
        cache.write()
    return stamp


__all__ = ["Batch", "StateCache", "apply_change", "current_image", "log_change", "select", "stamp_local"]
