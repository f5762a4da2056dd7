"""The declared list of record kinds that sync (sync/records.py) agrees with the models: a record kind added
without its entry, or an entry without its table, fails here and says where to add it."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from pathlib import Path

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.storage.all_models import Base
from xuyi_desktop.storage.change_log import record_changes
from xuyi_desktop.storage.models import RecordMixin
from xuyi_desktop.sync import records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import make_offices


def test_every_record_kind_is_declared_synced_or_not() -> None:
    kinds = {m.class_.__tablename__ for m in Base.registry.mappers if issubclass(m.class_, RecordMixin)}
    undeclared = kinds - set(records.RECORDS) - set(records.NOT_SYNCED)
    assert not undeclared, (f"record kinds {sorted(undeclared)} are neither in RECORDS nor in NOT_SYNCED of "
                            "xuyi_desktop/sync/records.py: add one entry (see its docstring)")
    for table, entry in records.RECORDS.items():
        assert entry.fields, f"{table}: declared in sync/records.py but no such table"
        assert entry.label and not entry.label.isascii(), f"{table}: give it a Chinese label"
        if table != "entity":
            model = records.model_for(table)
            assert {c.key for c in model.__table__.columns} - entry.exclude == entry.fields


def test_the_entity_image_is_what_its_entry_declares(ctx) -> None:  # type: ignore[no-untyped-def]
    made = svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T", licences=(
        LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2026, 1, 1), dt.date(2030, 1, 1)),)))
    with ctx.transaction() as s:
        from xuyi_desktop.storage.models import Entity

        image = svc.snapshot(s.get(Entity, made.summary.id))
    assert set(image) <= records.ENTITY_FIELDS
    assert all(set(lic) <= records.LICENCE_FIELDS for lic in image["licences"]) and image["licences"]
    records.check_change({"id": str(uuid.uuid4()), "office": "XYJ", "seq": 1, "stamp": 1, "at": "2026-01-01T00:00:00",
                          "actor": "a", "table": "entity", "record_id": str(made.summary.id), "action": "insert",
                          "version": 1, "summary": "", "before": None, "after": image}, 10)


def test_a_local_change_of_a_kind_that_does_not_sync_stays_local(tmp_path: Path) -> None:
    bureau, field = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        with bureau.ctx.transaction() as s:
            record_changes(s, "XYJ", [{"at": dt.datetime.now(dt.UTC), "actor": "x", "table_name": "credit_check",
                                       "record_id": uuid.uuid4(), "action": "insert", "record_version": 1,
                                       "before": None, "after": {"id": "x"}}])
        with bureau.active():
            svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T"))
            result = sync.export_package(bureau.ctx, "XYF1", tmp_path / "p.xsync")
        assert result.changes == 1 and result.local_only == 1
        with field.active():
            assert sync.import_package(field.ctx, result.path).applied == 1
    finally:
        bureau.close()
        field.close()
