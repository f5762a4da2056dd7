"""One entity writer (storage/entity_writes.py) for the services and sync apply: the change log and the audit lines
it leads to are byte-identical to what the four writers it replaced produced.

test_entity_writes_expected.json was recorded by this test on c0a8b43 (before the writers were merged): a small set of
entities registered through the ledger bulk path (EntityWriter) and one by one, edited, exported to another office
and imported there (new entities take the Core path, an entity changed after its creation the ORM path), then edited
at the receiving office. Ids, times and digests differ from run to run and are replaced by placeholders in order
of first appearance; everything else must match to the byte."""

from __future__ import annotations

import gc
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, check_entity_draft
from xuyi_desktop.services import audit, sync
from xuyi_desktop.services import entities as svc
from xuyi_desktop.storage.models import AuditEntry, ChangeLog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import make_offices

_HEX = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{64}", re.I)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def _normalise(rows: list[list[Any]]) -> list[list[Any]]:
    names: dict[str, str] = {}

    def name(m: re.Match[str]) -> str:
        key = m.group(0).replace("-", "").lower()
        return names.setdefault(key, f"<{len(names)}>")

    return [[_TIME.sub("<time>", _HEX.sub(name, v)) if isinstance(v, str) else v for v in row] for row in rows]


def _rows(office: Any) -> list[list[Any]]:
    with office.ctx.transaction() as s:
        logs = [["log", c.office_code, c.seq, c.actor, c.table_name, str(c.record_id), c.action, c.record_version,
                 c.summary, c.before_json, c.after_json]
                for c in s.execute(select(ChangeLog).order_by(ChangeLog.office_code, ChangeLog.seq)).scalars()]
        audits = [["audit", a.office_code, a.username, a.action, a.record_table, a.record_id, a.summary, a.details_json]
                  for a in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
                  # sync.export/import carry sizes and package ids; office.* the offices' random keys
                  if a.action not in ("sync.export", "sync.import") and not a.action.startswith("office.")]
    return logs + audits


def _record(root: Path) -> list[list[Any]]:
    a, b = make_offices(root, ["XYJ", "XYF1"])
    try:
        with a.active():
            with a.ctx.transaction() as s, audit.batched(s, a.ctx):
                writer = svc.EntityWriter(s, a.ctx)
                lic = LicenceDraft("道路运输经营许可证", "苏交运管许可淮字320830001234号", None, None)
                for i, (ident, name) in enumerate([("91320830PYQLFT169T", "盱眙县顺达运输有限公司"),
                                                   ("923208306JU6UCCY4U", "盱眙县马坝镇货运部")]):
                    d = check_entity_draft(EntityDraft(name=name, identifier=ident, address="淮河路1号",
                                                       categories=("road_operator", "construction_unit") if i else (),
                                                       licences=(lic,) if i == 0 else ())).draft
                    writer.register(d)
                writer.flush()
            one = svc.register_entity(a.ctx, EntityDraft(name="张三", identifier="320830199001011236", phone="13800000000"))
            svc.update_entity(a.ctx, one.summary.id, EntityDraft(name="张三", identifier="320830199001011236", address="东风路2号"),
                              expected_version=one.summary.version)
            p = sync.export_package(a.ctx, "XYF1", root / "p.xsync")
        with b.active():
            assert sync.import_package(b.ctx, p.path).applied == p.changes
            svc.update_entity(b.ctx, one.summary.id, EntityDraft(name="张三", identifier="320830199001011236", address="盱城街道3号"),
                              expected_version=None)
        return _normalise(_rows(a) + [["--"]] + _rows(b))
    finally:
        a.close()
        b.close()


EXPECTED = Path(__file__).with_name("test_entity_writes_expected.json")


def test_change_log_and_audit_lines_are_as_before_the_one_writer(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    got = _record(tmp_path / "offices")
    assert gc.get_threshold() == thresholds  # export and import raise it while they run, and restore it
    if not EXPECTED.exists():  # recording (on the code before the change): write, then fail so nobody forgets
        EXPECTED.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"recorded {EXPECTED.name}")
    assert got == json.loads(EXPECTED.read_text(encoding="utf-8"))
