"""Migration 0020 (the platform's refusal on 双公示 records): a database at 0019 holding 双公示 records opens in this
version without loss; the records start without a refusal and take one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xuyi_desktop.storage.migrate import current_revision, head_revision


@pytest.mark.sqlite_only("the database is taken back to revision 0019 in its SQLite file")
def test_a_0019_database_upgrades_without_loss_and_takes_refusals(tmp_path: Path) -> None:
    from alembic import command

    from xuyi_desktop.domain.sgs import RecordKind
    from xuyi_desktop.services import sgs
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.sgs_demo import penalty_raw
    from xuyi_desktop.storage.migrate import alembic_config

    db = tmp_path / "at0019.db"
    ctx = open_context(str(db))
    try:
        made = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 11, 3)), today=dt.date(2025, 12, 1))
        sgs.mark_reported(ctx, [made.id], on=dt.date(2025, 11, 5), batch_no="OLD-1", today=dt.date(2025, 12, 1))
        cfg = alembic_config()
        with ctx.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0019")
    finally:
        ctx.close()

    ctx = open_context(str(db))
    try:
        assert current_revision(ctx.engine) == head_revision()
        old = sgs.get_record(ctx, made.id, today=dt.date(2025, 12, 1))
        assert (old.document_no, old.batch_no, old.reported_on) == ("盱交罚〔2025〕1号", "OLD-1", dt.date(2025, 11, 5))
        assert old.rejected_reason == "" and old.rejected_on is None and old.status_text == "已报送"
        with ctx.transaction() as session:
            row = sgs.current_version(session, made.id)
            sgs.reject_in(session, ctx, row, reason="校验位错误", on=dt.date(2025, 12, 1), source="反馈.xlsx")
        assert sgs.get_record(ctx, made.id).status_text == "待重报"
    finally:
        ctx.close()
