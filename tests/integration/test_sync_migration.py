"""Migration 0012: a database of the previous version (0010), with sync history in it, opens without loss: its
changes, what its peers had acknowledged, its packages (written → sent), its conflicts, and a restore made
before the upgrade is not taken for a new one."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa

from xuyi_desktop.storage.database import make_engine
from xuyi_desktop.storage.migrate import current_revision, head_revision

AT = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def _tables() -> dict[str, sa.Table]:
    md = sa.MetaData()
    return {
        "office": sa.Table("office", md, sa.Column("id", sa.Uuid), sa.Column("code", sa.String), sa.Column("name", sa.String),
                           sa.Column("role", sa.String), sa.Column("is_local", sa.Boolean),
                           sa.Column("provisional", sa.Boolean), sa.Column("created_at", sa.DateTime(timezone=True))),
        "sync_change": sa.Table("sync_change", md, sa.Column("id", sa.Uuid), sa.Column("office_code", sa.String),
                                sa.Column("seq", sa.BigInteger), sa.Column("stamp", sa.BigInteger),
                                sa.Column("status", sa.String), sa.Column("package_id", sa.String),
                                sa.Column("payload", sa.Text)),
        "sync_ack": sa.Table("sync_ack", md, sa.Column("peer", sa.String), sa.Column("origin", sa.String),
                             sa.Column("seq", sa.BigInteger)),
        "sync_package": sa.Table("sync_package", md, *[sa.Column(n, t) for n, t in (
            ("id", sa.Uuid), ("package_id", sa.String), ("direction", sa.String), ("kind", sa.String), ("peer", sa.String),
            ("at", sa.DateTime(timezone=True)), ("file_name", sa.String), ("file_sha256", sa.String), ("status", sa.String),
            ("changes", sa.Integer), ("applied", sa.Integer), ("held", sa.Integer), ("conflicts", sa.Integer),
            ("ranges_json", sa.Text))]),
        "sync_conflict": sa.Table("sync_conflict", md, *[sa.Column(n, t) for n, t in (
            ("id", sa.Uuid), ("at", sa.DateTime(timezone=True)), ("table_name", sa.String), ("record_id", sa.Uuid),
            ("field", sa.String), ("kind", sa.String), ("winner_json", sa.Text), ("loser_json", sa.Text),
            ("winner_office", sa.String), ("loser_office", sa.String), ("winner_change", sa.String),
            ("loser_change", sa.String), ("status", sa.String), ("resolved_by", sa.String),
            ("resolved_at", sa.DateTime(timezone=True)))]),
    }


def test_a_database_of_the_previous_version_keeps_its_sync_history(new_db) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from xuyi_desktop.services import sync
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import alembic_config

    url = new_db("sync0010", empty=True)
    url = url if "://" in url else f"sqlite:///{url}"
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    t = _tables()
    change_id, record, conflict = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    payload = {"id": str(change_id), "office": "XYJ", "seq": 1, "at": AT.isoformat(), "actor": "a", "table": "entity",
               "record_id": str(record), "action": "insert", "version": 1, "summary": "登记", "before": None,
               "after": {"id": str(record), "name": "盱眙县顺达运输有限公司"}, "stamp": 1}
    with engine.begin() as conn:
        conn.execute(t["office"].insert(), [
            {"id": uuid.uuid4(), "code": "XYJ", "name": "县局", "role": "bureau", "is_local": True, "provisional": False,
             "created_at": AT},
            {"id": uuid.uuid4(), "code": "XYF1", "name": "执法大队", "role": "field", "is_local": False, "provisional": False,
             "created_at": AT}])
        conn.execute(t["sync_change"].insert(), [{"id": change_id, "office_code": "XYJ", "seq": 1, "stamp": 1,
                                                  "status": "applied", "package_id": "", "payload": json.dumps(payload)}])
        conn.execute(t["sync_ack"].insert(), [{"peer": "XYJ", "origin": "XYJ", "seq": 1},
                                              {"peer": "XYF1", "origin": "XYJ", "seq": 1}])
        conn.execute(t["sync_package"].insert(), [
            {"id": uuid.uuid4(), "package_id": "p-out", "direction": "out", "kind": "delta", "peer": "XYF1", "at": AT,
             "file_name": "a.xsync", "file_sha256": "0" * 64, "status": "written", "changes": 1, "applied": 0, "held": 0,
             "conflicts": 0, "ranges_json": '{"XYJ": [1, 1]}'},
            {"id": uuid.uuid4(), "package_id": "p-in", "direction": "in", "kind": "delta", "peer": "XYF1", "at": AT,
             "file_name": "b.xsync", "file_sha256": "1" * 64, "status": "applied", "changes": 2, "applied": 2, "held": 0,
             "conflicts": 1, "ranges_json": '{"XYF1": [1, 2]}'}])
        conn.execute(t["sync_conflict"].insert(), [
            {"id": conflict, "at": AT, "table_name": "entity", "record_id": record, "field": "address", "kind": "field",
             "winner_json": '"淮河路1号"', "loser_json": '"东风路2号"', "winner_office": "XYJ", "loser_office": "XYF1",
             "winner_change": "", "loser_change": "", "status": "open", "resolved_by": "", "resolved_at": None}])
    engine.dispose()

    ctx = open_context(url)
    try:
        assert current_revision(ctx.engine) == head_revision()
        history = {h.package_id: h for h in sync.package_history(ctx)}
        assert history["p-out"].status == "sent" and history["p-out"].status_label == "已发出未确认"
        assert history["p-in"].status == "applied" and history["p-in"].applied == 2
        (c,) = sync.list_conflicts(ctx)
        assert (c.id, c.field, c.winner, c.loser, c.status) == (conflict, "address", "淮河路1号", "东风路2号", "open")
        (peer,) = sync.peer_states(ctx)
        assert peer.code == "XYF1" and peer.state == "acknowledged" and peer.unacknowledged == 0
        with ctx.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT office_code, seq, payload FROM sync_change")).one()
            assert (row[0], row[1], json.loads(row[2])["id"]) == ("XYJ", 1, str(change_id))
            acks = {(p, o): (s, sent) for p, o, s, sent in conn.execute(sa.text("SELECT peer, origin, seq, sent FROM sync_ack"))}
            assert acks == {("XYJ", "XYJ"): (1, 0), ("XYF1", "XYJ"): (1, 0)}
    finally:
        ctx.close()
