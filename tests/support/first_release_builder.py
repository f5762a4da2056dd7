"""Run by make_samples.py UNDER THE FIRST RELEASE'S CODE (PYTHONPATH = a checkout of the first landed commit):
makes tests/support/first-release/xuyi.db with a few entities through that version's own services, and writes
what it wrote (raw rows, read back by that version) to expected.json beside it. Not imported by the tests."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

from xuyi_desktop import __version__
from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, RelationType
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services.context import open_context

TABLES = ("office", "entity", "entity_category", "licence", "entity_relation", "change_log", "counter")


def build(folder: Path) -> None:
    db = folder / "xuyi.db"
    ctx = open_context(str(db))
    org = svc.register_entity(ctx, EntityDraft(
        name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T", categories=("road_operator",),
        legal_representative="王建国", address="盱眙县淮河北路1号", phone="0517-88812345", notes="首次登记",
        licences=(LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2024, 1, 1), dt.date(2028, 1, 1)),),
    ))
    driver = svc.register_entity(ctx, EntityDraft(
        name="张三", identifier="320830199001011236", categories=("road_practitioner",), phone="13812345678",
    ))
    svc.link_person(ctx, driver.summary.id, org.summary.id, RelationType.EMPLOYEE, title="驾驶员", start_date=dt.date(2024, 3, 1))
    # A 2015 Fujian pilot code with a wrong check character, kept with the clerk's written reason.
    svc.register_entity(ctx, EntityDraft(name="福建试点物流有限公司", identifier="91350100M000100Y4A"),
                        override_reason="2015年福建试点代码，营业执照原件核对无误")
    # A 15-digit ID number, converted to 18 digits by that version.
    svc.register_entity(ctx, EntityDraft(name="李四", identifier="320830850315321"))
    # An edit (version 2, an update in the change log) and a soft delete (a tombstone).
    svc.update_entity(ctx, org.summary.id, EntityDraft(
        name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T", categories=("road_operator",),
        legal_representative="王建国", address="盱眙县淮河北路18号", phone="0517-88812345", notes="首次登记；地址已更正",
        licences=(LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2024, 1, 1), dt.date(2028, 1, 1)),),
    ), expected_version=1)
    gone = svc.register_entity(ctx, EntityDraft(name="盱眙县已注销汽车维修厂", identifier="923208306JU6UCCY4U"))
    svc.delete_entity(ctx, gone.summary.id, expected_version=1, reason="重复登记")
    ctx.close()

    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.row_factory = sqlite3.Row
        rows = {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in TABLES}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    for leftover in (folder / "xuyi.db-wal", folder / "xuyi.db-shm"):
        if leftover.exists():
            raise SystemExit(f"{leftover} left beside the database: the sample would not be whole")
    expected = {"program_version": __version__, "revision": revision, "rows": rows}
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
