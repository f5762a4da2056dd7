"""Issue 21, finding 15: a record changed inside a backup (or the database) with sqlite3 is found by `xuyi check`
and refused by restore; the program's own writes, imports and demo data pass."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import entities, ratings, users
from xuyi_desktop.services.backup import TamperedBackup, backup_now, check_database, restore_database
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.demo_data import generate_demo_data

ADMIN_PW = "admin-secret-1"
UNIT = "91320830PYQLFT169T"
NAME = "盱眙顺达运输有限公司"
THIS_YEAR = dt.date.today().year

SQLITE_FILE = pytest.mark.sqlite_only("backups are copies of the SQLite file")


def _setup(database: str) -> AppContext:
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    generate_demo_data(ctx, 50, seed=3, chunk=50)  # rows without a history: counted, not judged
    entity = entities.register_entity(ctx, EntityDraft(name=NAME, identifier=UNIT, categories=("construction_unit",)))
    entities.update_entity(ctx, entity.summary.id, EntityDraft(name=NAME, identifier=UNIT, categories=("construction_unit",),
                                                               address="盱眙县淮河北路1号"),
                           expected_version=entity.summary.version)
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=96,
                                                       evaluating_organ="盱眙县交通运输局"))
    ratings.set_status(ctx, view.id, ratings.RatingStatus.REVIEWED)
    return ctx


def _sql(db: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def _rows(db: Path | str, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XUYI_USER": "admin", "XUYI_PASSWORD": ADMIN_PW}
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL, check=False)


def _records_item(ctx: AppContext):  # type: ignore[no-untyped-def]
    return next(i for i in check_database(ctx).items if i.name == "records")


def test_the_programs_own_writes_pass_and_a_direct_edit_is_named(database: str) -> None:
    ctx = _setup(database)
    item = _records_item(ctx)
    assert item.ok, item.detail_zh
    assert "50 条无变更记录" in item.detail_zh  # the demo entities

    ctx.close()
    if "://" in database:
        pytest.skip("the direct edit below uses sqlite3")
    _sql(Path(database), "UPDATE rating SET grade = 'AAA'")
    ctx = open_context(database)
    users.login(ctx, "admin", ADMIN_PW)
    item = _records_item(ctx)
    assert not item.ok
    assert f"信用评价「{NAME} {THIS_YEAR}年度」的等级应为「AA」，现为「AAA」" in item.detail_zh
    ctx.close()


@SQLITE_FILE
def test_a_backup_with_a_renamed_entity_is_refused_and_check_reports_it(database: str, tmp_path: Path) -> None:
    ctx = _setup(database)
    backup = backup_now(ctx, tmp_path / "b.db")
    _sql(backup, "UPDATE entity SET name = '盱眙顺达运输有限公司（假）' WHERE identifier = ?", UNIT)

    with pytest.raises(TamperedBackup) as refused:
        restore_database(database, backup, actor_ctx=ctx)
    assert f"市场主体「{NAME}（假）」的名称应为「{NAME}」" in refused.value.message_zh
    assert "拒绝恢复" in refused.value.message_zh
    ctx.close()

    cli = _cli(Path(database), "restore", str(backup))  # the CLI: refused, nothing replaced
    assert cli.returncode == 1 and cli.stderr.startswith("错误：备份文件中有 1 条记录未经本程序被改动"), cli.stderr
    assert "Traceback" not in cli.stderr
    names = _rows(database, "SELECT name FROM entity WHERE identifier = ?", UNIT)
    assert names == [(NAME,)]  # the database was not replaced

    forced = _cli(Path(database), "restore", str(backup), "--force")  # the administrator insists: done, audited
    assert forced.returncode == 0, forced.stderr
    check = _cli(Path(database), "check", "--json")
    assert check.returncode == 1
    report = json.loads(check.stdout)
    records = next(c for c in report["checks"] if c["name"] == "records")
    assert not records["ok"] and f"市场主体「{NAME}（假）」的名称应为「{NAME}」" in records["detail_zh"]
    text = _cli(Path(database), "check")
    assert "业务记录与变更记录核对" in text.stdout and text.stderr.startswith("错误：数据库检查未通过")
    rows = _rows(database, "SELECT summary, details_json FROM audit_log WHERE action = 'backup.restore' ORDER BY seq DESC LIMIT 1")
    assert "管理员确认后仍恢复" in rows[0][0] and json.loads(rows[0][1])["forced"] is True


@SQLITE_FILE
def test_a_backup_with_row_and_history_rewritten_together_is_still_refused(database: str, tmp_path: Path) -> None:
    """The change log's image is vouched for by a digest in the hash-chained audit entry."""
    ctx = _setup(database)
    backup = backup_now(ctx, tmp_path / "b.db")
    _sql(backup, "UPDATE rating SET grade = 'AAA'")
    _sql(backup, "UPDATE change_log SET after_json = replace(after_json, '\"grade\": \"AA\"', '\"grade\": \"AAA\"') "
                 "WHERE table_name = 'rating'")
    with pytest.raises(TamperedBackup) as refused:
        restore_database(database, backup, actor_ctx=ctx)
    assert f"信用评价「{NAME} {THIS_YEAR}年度」的变更记录与操作日志不符" in refused.value.message_zh
    ctx.close()


@SQLITE_FILE
@pytest.mark.parametrize("cover", ["history removed", "row removed"])
def test_removing_history_or_rows_does_not_hide_a_change(database: str, tmp_path: Path, cover: str) -> None:
    ctx = _setup(database)
    backup = backup_now(ctx, tmp_path / "b.db")
    if cover == "history removed":  # edit the row, then drop its change log: the audit entries still name it
        _sql(backup, "UPDATE rating SET grade = 'AAA'")
        _sql(backup, "DELETE FROM change_log WHERE table_name = 'rating'")
        expected = f"信用评价「{NAME} {THIS_YEAR}年度」的变更记录与操作日志不符"
    else:  # the program never removes a row; an SQL tool did
        _sql(backup, "PRAGMA foreign_keys = OFF")
        _sql(backup, "DELETE FROM rating")
        expected = "信用评价（编号 "
    with pytest.raises(TamperedBackup) as refused:
        restore_database(database, backup, actor_ctx=ctx)
    assert expected in refused.value.message_zh, refused.value.message_zh
    ctx.close()


@SQLITE_FILE
def test_an_untouched_backup_restores_without_force(database: str, tmp_path: Path) -> None:
    ctx = _setup(database)
    backup = backup_now(ctx, tmp_path / "b.db")
    result = restore_database(database, backup, actor_ctx=ctx)
    assert result.database == Path(database).resolve()
    again = open_context(database)
    users.login(again, "admin", ADMIN_PW)
    assert check_database(again).ok
    again.close()


def test_records_merged_by_sync_match_their_history(tmp_path: Path) -> None:
    """Two offices edit one entity (different fields, then the same field), and both register one identifier:
    after the packages cross, every office's records still match their history (no false alarm)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    a, b = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    try:
        with a.active():
            shared = entities.register_entity(a.ctx, EntityDraft(name=NAME, identifier=UNIT))
        with a.active():
            first = sync.export_package(a.ctx, b.code, tmp_path / "1.xsync")
        with b.active():
            sync.import_package(b.ctx, first.path)
            mine = entities.get_entity(b.ctx, str(shared.summary.id))
            entities.update_entity(b.ctx, mine.summary.id, EntityDraft(name=NAME, identifier=UNIT, address="淮河北路1号",
                                                                        notes="乙所备注"), expected_version=mine.summary.version)
            entities.register_entity(b.ctx, EntityDraft(name="盱眙县顺通公路养护工程队", identifier="923208306JU6UCCY4U"))
        with a.active():
            theirs = entities.get_entity(a.ctx, str(shared.summary.id))
            entities.update_entity(a.ctx, theirs.summary.id, EntityDraft(name=NAME, identifier=UNIT, notes="甲局备注"),
                                   expected_version=theirs.summary.version)
            entities.register_entity(a.ctx, EntityDraft(name="盱眙顺通养护队", identifier="923208306JU6UCCY4U"))
        for src, dst, n in ((a, b, 2), (b, a, 3), (a, b, 4)):
            with src.active():
                package = sync.export_package(src.ctx, dst.code, tmp_path / f"{n}.xsync")
            with dst.active():
                sync.import_package(dst.ctx, package.path)
        for office in (a, b):
            with office.active():
                item = _records_item(office.ctx)
                assert item.ok, (office.code, item.detail_zh)
    finally:
        a.close()
        b.close()
