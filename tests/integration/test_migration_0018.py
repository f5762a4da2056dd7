"""Migration 0018 (vehicles, vessels, qualifications, overload notices, points): a database made at 0016 with rows in
it opens in this version without loss, and the new records work on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from xuyi_desktop.storage.database import make_engine
from xuyi_desktop.storage.migrate import current_revision, head_revision


@pytest.mark.sqlite_only("rows written as revision 0016 wrote them into its SQLite file")
def test_a_0016_database_upgrades_without_loss_and_takes_vehicles(tmp_path: Path) -> None:
    from alembic import command

    from xuyi_desktop.domain.fleet import VehicleDraft
    from xuyi_desktop.services import entities, fleet, points
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import alembic_config

    db = tmp_path / "at0016.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0016")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
            "VALUES ('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', 'TMP-OLD016', '旧办公室', 'field', 1, 1, '2026-11-02 03:04:05.000000')"
        ))
        conn.execute(text(
            "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
            " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version)"
            " VALUES ('1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', 'org', '盱眙老车队运输有限公司', '91320830PYQLFT169T', '', '', '', '320830',"
            " 'active', '', 'xuyilaochedui', 'xylcd', '盱眙老车队运输', 1,"
            " '2026-11-02 03:04:05.000000', '2026-11-02 03:04:05.000000', 'TMP-OLD016', 'TMP-OLD016', 1)"
        ))
        conn.execute(text("INSERT INTO entity_category (entity_id, category) VALUES ('1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', 'road_operator')"))
        conn.execute(text("INSERT INTO entity_fts(rowid, uni, bi, ini, py) VALUES (1, '盱 眙', '盱眙 眙老', 'xy yl', 'xuy uyi')"))
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 1)"))
    engine.dispose()

    ctx = open_context(str(db))
    try:
        assert ctx.safety_copy is not None and ctx.safety_copy.exists()
        assert current_revision(ctx.engine) == head_revision()
        old = entities.get_entity(ctx, "91320830PYQLFT169T")
        assert old.summary.name == "盱眙老车队运输有限公司" and old.created_office == "TMP-OLD016"
        fleet.add_vehicle(ctx, VehicleDraft("91320830PYQLFT169T", "苏H12345", "黄色"))
        assert [h.matched for h in entities.find_entities(ctx, "苏H12345")] == ["车辆 苏H12345（黄色）"]
        assert points.add_entry(ctx, "91320830PYQLFT169T", "JF-01", reason="无违法").balance_after == 105
    finally:
        ctx.close()
