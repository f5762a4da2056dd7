"""The hand-written fast paths of sync give exactly what the general code gives: the merge state's stored text
(conflicts.dump_state, against the encoder), the change checks (records.check_change, against the
key-by-key rules), and insert_rows' column-wise bind processing (against processing row by row)."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine

from xuyi_desktop.storage import change_log
from xuyi_desktop.storage.models import ChangeLog
from xuyi_desktop.sync import conflicts, records
from xuyi_desktop.sync.conflicts import FieldState

_VALUES: list[Any] = [None, "", "盱眙", 'a"b\\c\n\x01\u2028', 0, -7, 2**62, 1.5, float("inf"), True, False,
                      ["x", 1, None], {"b": 1, "a": [2, "三"]}, "𠀀 emoji 🚌"]


def _encoder_text(state: dict[str, FieldState]) -> str:
    return json.dumps({f: s.dump() for f, s in sorted(state.items())}, ensure_ascii=False, sort_keys=True)


def test_dump_state_is_the_encoders_text() -> None:
    rng = random.Random(17)
    assert conflicts.dump_state({}) == _encoder_text({}) == "{}"
    for _ in range(2000):
        state = {
            rng.choice(["name", "identifier", "deleted", "licences", "a b", "字段", 'q"uote']): FieldState(
                (rng.randrange(0, 2**62), rng.choice(["XYJ", "XYF1", "A-B_2", 'o"d\\d']), rng.randrange(1, 10**9)),
                rng.choice(_VALUES))
            for _ in range(rng.randrange(0, 8))
        }
        assert conflicts.dump_state(state) == _encoder_text(state)
        assert conflicts.load_state(conflicts.dump_state(state)).keys() == state.keys()


def test_dump_state_of_fields_sharing_one_change_key() -> None:
    rng = random.Random(18)
    for _ in range(500):
        keys = [(rng.randrange(0, 2**62), rng.choice(["XYJ", 'o"d']), rng.randrange(1, 99)) for _ in range(3)]
        state = {f"f{i:02d}": FieldState(rng.choice(keys), rng.choice([None, None, None, "x", 0, True]))
                 for i in range(rng.randrange(0, 20))}
        assert conflicts.dump_state(state) == _encoder_text(state)
    change = _change()
    state: dict[str, FieldState] = {}
    conflicts.merge(None, state, change)  # an insert: every field set by the same change, nothing seen
    assert len(state) > 3 and conflicts.dump_state(state) == _encoder_text(state)


def test_dump_state_falls_back_to_the_encoder_for_unusual_keys() -> None:
    state = {"f": FieldState((True, "X", 1), None), "g": FieldState((1.0, "X", 2), "v")}  # type: ignore[arg-type]
    assert conflicts.dump_state(state) == _encoder_text(state)


def _change(**over: Any) -> dict[str, Any]:
    change: dict[str, Any] = {
        "id": str(uuid.uuid4()), "record_id": str(uuid.uuid4()), "office": "XYJ", "seq": 3, "stamp": 10, "version": 1,
        "action": "insert", "at": "2026-01-01T00:00:00+00:00", "actor": "a", "summary": "s", "table": "entity",
        "before": None,
        "after": {"name": "盱眙运输", "identifier": "x", "categories": ["a"], "deleted": False,
                  "licences": [{"id": str(uuid.uuid4()), "number": "1", "valid_to": None}]},
    }
    change.update(over)
    return change


def _reference_image_ok(table: records.SyncedTable, image: dict[str, Any]) -> str | None:
    """The key-by-key rule of records._image: the first bad field, or None."""
    entity = table.table == "entity"
    for key, value in image.items():
        if entity and key == "categories":
            ok = isinstance(value, list) and all(isinstance(v, str) and len(v) <= 64 for v in value)
        elif entity and key == "licences":
            ok = isinstance(value, list) and all(
                isinstance(v, dict) and set(v) <= records.LICENCE_FIELDS
                and all(x is None or type(x) in (str, int, float, bool) for x in v.values()) for v in value)
        else:
            ok = value is None or type(value) in (str, int, float, bool)
        if not ok:
            return str(key)
    return None


@pytest.mark.parametrize("bad", [
    {"categories": "a"}, {"categories": [1]}, {"categories": ["x" * 65]}, {"categories": None},
    {"licences": [{"id": "1", "nope": 1}]}, {"licences": [{"id": ["x"]}]}, {"licences": {}}, {"licences": None},
    {"name": ["x"]}, {"name": {"a": 1}}, {"notes": ["x"], "categories": 3},
])
def test_check_change_names_the_first_bad_field(bad: dict[str, Any]) -> None:
    change = _change()
    change["after"].update(bad)
    table = records.RECORDS["entity"]
    first = _reference_image_ok(table, change["after"])
    assert first is not None
    with pytest.raises(records.BadChange) as err:
        records.check_change(change, 2**62)
    assert err.value.en == f"field {first} of entity has a bad value"


def test_check_change_accepts_and_refuses_as_before() -> None:
    records.check_change(_change(), 2**62)
    records.check_change(_change(table="rating", after={"id": str(uuid.uuid4())}), 2**62)
    for over in ({"id": "x"}, {"seq": 0}, {"seq": True}, {"stamp": -1}, {"version": "1"}, {"office": "x"},
                 {"action": "Insert"}, {"at": 1}, {"actor": None}, {"summary": "x" * 4001}, {"stream": "bad stream"},
                 {"pos": 0}, {"record_id": None}):
        with pytest.raises(records.BadChange) as err:
            records.check_change(_change(**over), 2**62)
        assert err.value.en == "a change has missing or malformed fields"
    with pytest.raises(records.BadChange, match="stamped too far"):
        records.check_change(_change(stamp=11), 10)
    with pytest.raises(records.BadChange, match="unknown field"):
        records.check_change(_change(after={"nope": 1}), 2**62)
    with pytest.raises(records.BadChange, match="without an after image"):
        records.check_change(_change(after=None), 2**62)
    with pytest.raises(records.BadChange) as err:
        records.check_change(_change(table="nope"), 2**62)
    assert err.value.table == "nope"


def test_insert_rows_processes_each_value_as_before() -> None:
    engine = create_engine("sqlite://")
    ChangeLog.__table__.create(engine)
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    rows = [(uuid.uuid4(), "XYJ", i, at, "a", "entity", uuid.uuid4(), "insert", 1, "", None, '{"a": 1}') for i in (1, 2)]
    with engine.begin() as conn:
        change_log.insert_rows(conn, ChangeLog.__table__, change_log.LOG_COLUMNS, rows)
        got = conn.exec_driver_sql("SELECT id, seq, at, record_id, before_json FROM change_log ORDER BY seq").all()
        with pytest.raises(ValueError):
            change_log.insert_rows(conn, ChangeLog.__table__, change_log.LOG_COLUMNS, [rows[0][:-1]])
    assert [(r[0], r[1], r[3], r[4]) for r in got] == [(row[0].hex, row[2], row[6].hex, None) for row in rows]
    assert got[0][2].startswith("2026-01-02 03:04:05.000006")


def test_sync_writes_agree_with_the_queries() -> None:
    from sqlalchemy.orm import Session

    from xuyi_desktop.storage import sync_writes
    from xuyi_desktop.storage.models_sync import SyncChange
    from xuyi_desktop.storage.queries import sync as sync_queries

    engine = create_engine("sqlite://")
    SyncChange.__table__.create(engine)
    ids = [uuid.uuid4() for _ in range(6)]
    with Session(engine) as session, session.begin():
        session.add_all(SyncChange(id=cid, office_code="XYJ", seq=i + 1, stamp=i, status="pending", package_id="p",
                                   payload=f'{{"n": {i}}}') for i, cid in enumerate(ids))
        session.flush()
        conn = session.connection()
        assert sync_writes.payloads_of(conn, ids[:4]) == {
            cid.hex: p for cid, p in sync_queries.payloads_of(session, ids[:4]).items()}
        assert sync_writes.payloads_of(conn, []) == {}
        assert sync_writes.held_ids_between(conn, "XYJ", 2, 5) == {
            int(seq): cid.hex for seq, cid in sync_queries.held_between(session, "XYJ", 2, 5)}
        sync_writes.mark_applied(conn, ids[1:3])
        sync_writes.mark_applied(conn, [])
        status = dict(session.execute(SyncChange.__table__.select().with_only_columns(
            SyncChange.__table__.c.id, SyncChange.__table__.c.status)).all())
    assert [status[cid] for cid in ids] == ["pending", "applied", "applied", "pending", "pending", "pending"]
