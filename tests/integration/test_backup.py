"""Backup, restore and check on real SQLite files, through the services and the `xuyi` command."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from alembic import command

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, entities, users
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.backup import (
    NotSqliteError,
    auto_backup_if_due,
    backup_now,
    backup_settings,
    check_database,
    restore_database,
    set_backup_settings,
)
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.demo_data import generate_demo_data
from xuyi_desktop.storage.backup import MAGIC, BackupFileError, DatabaseInUse, WrongPassphrase
from xuyi_desktop.storage.database import make_engine
from xuyi_desktop.storage.migrate import alembic_config, current_revision, head_revision

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from writer_harness import WriterProcess, assert_whole_transactions, entity_count, invariants

ADMIN_PW, CLERK_PW = "admin-secret-1", "clerk-secret-1"
PASSPHRASE = "备份口令-secret-1"
LATE = EntityDraft(name="备份后登记运输有限公司", identifier="923208306JU6UCCY4U")


SQLITE_FILE = pytest.mark.sqlite_only("backups are online copies of the SQLite file; a server database is backed up with pg_dump")


@pytest.fixture
def staffed(database: str) -> Path | str:
    """An administrator, a clerk, 300 demo entities and one entity registered the audited way."""
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk", CLERK_PW, Role.CLERK)
    generate_demo_data(ctx, 300, seed=5, chunk=100)
    entities.register_entity(ctx, EntityDraft(name="盱眙顺达运输有限公司", identifier="91320830PYQLFT169T"))
    ctx.close()
    return database if "://" in database else Path(database)  # the file itself on SQLite, where backups apply


def _as(db: Path, name: str, password: str) -> AppContext:
    ctx = open_context(str(db))
    users.login(ctx, name, password)
    return ctx


def _cli(db: Path, *args: str, user: str = "admin", password: str = ADMIN_PW, passphrase: str | None = None):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k != "XUYI_BACKUP_PASSPHRASE"}
    env.update(XUYI_USER=user, XUYI_PASSWORD=password)
    if passphrase is not None:
        env["XUYI_BACKUP_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )


def _query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _fingerprint(db: Path) -> tuple[list[str], str]:
    """The bytes of the database (and its WAL) and every file name in its folder: 'nothing changed'."""
    digest = hashlib.sha256()
    for part in (db, db.with_name(db.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return sorted(p.name for p in db.parent.iterdir()), digest.hexdigest()


def _tamper(db: Path, sql: str) -> None:
    """What someone with the file and an SQLite shell could do: drop the guard, then edit."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@SQLITE_FILE
def test_plain_backup_restores_the_snapshot_and_keeps_the_previous_database(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "copies")  # a folder: the file gets a dated name inside it
    assert backup.parent == tmp_path / "copies" and backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert not backup.with_name(backup.name + "-wal").exists()  # one self-contained file
    late = entities.register_entity(admin, LATE)
    assert entity_count(staffed) == 302

    result = restore_database(str(staffed), backup, actor_ctx=admin)

    assert result.database == staffed.resolve() and not result.encrypted
    assert entity_count(staffed) == 301  # the entity registered after the backup is gone ...
    previous = result.pre_restore_copy
    assert previous is not None and previous.name.startswith(f"{staffed.stem}.pre-restore-")
    assert _query(previous, f"SELECT count(*) FROM entity WHERE id = '{late.summary.id.hex}'") == [(1,)]  # ... but kept here
    again = _as(staffed, "admin", ADMIN_PW)
    assert check_database(again).ok
    rows = audit.list_entries(again, logins=False, limit=5)
    assert rows[0].action == "backup.restore" and rows[0].username == "admin"
    assert "backup.create" not in [r.action for r in rows]  # written after the snapshot was taken
    before = _as(previous, "admin", ADMIN_PW)
    assert check_database(before).ok  # the pre-restore copy is a sound database in its own right


@pytest.mark.slow
@SQLITE_FILE
def test_encrypted_backup_round_trip_through_the_cli(staffed: Path, tmp_path: Path) -> None:
    target = tmp_path / "usb" / "xuyi.xbak"
    made = _cli(staffed, "backup", "--encrypt", "--out", str(target), passphrase=PASSPHRASE)
    assert made.returncode == 0, made.stderr
    assert "已加密" in made.stdout
    data = target.read_bytes()
    assert data.startswith(MAGIC) and b"SQLite format 3" not in data
    assert "盱眙顺达运输有限公司".encode() not in data and b"91320830PYQLFT169T" not in data
    admin = _as(staffed, "admin", ADMIN_PW)
    entities.register_entity(admin, LATE)
    admin.close()

    restored = _cli(staffed, "restore", str(target), passphrase=PASSPHRASE)

    assert restored.returncode == 0, restored.stderr
    assert "pre-restore" in restored.stdout
    assert entity_count(staffed) == 301
    checked = _cli(staffed, "check", "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["ok"] is True


@SQLITE_FILE
def test_wrong_passphrase_is_refused_in_chinese_and_nothing_changes(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "b.xbak", passphrase=PASSPHRASE)
    entities.register_entity(admin, LATE)
    untouched = _fingerprint(staffed)
    with pytest.raises(WrongPassphrase) as info:
        restore_database(str(staffed), backup, "not-the-passphrase", actor_ctx=admin)
    assert info.value.message_zh == "备份口令不正确，未做任何更改"
    assert _fingerprint(staffed) == untouched
    admin.close()

    by_cli = _cli(staffed, "restore", str(backup), passphrase="also-wrong-1")
    assert by_cli.returncode == 1
    assert by_cli.stderr.startswith("错误：备份口令不正确") and "wrong backup passphrase" in by_cli.stderr
    no_secret = _cli(staffed, "restore", str(backup))  # not a terminal and no XUYI_BACKUP_PASSPHRASE
    assert no_secret.returncode == 1 and "需要备份口令" in no_secret.stderr
    assert entity_count(staffed) == 302
    assert not list(staffed.parent.glob("*.pre-restore-*"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))


def _scribble_pages(path: Path) -> None:
    """Overwrite ten pages in the middle with garbage: same length, broken b-trees."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // 2) // 4096 * 4096
    data[middle : middle + 10 * 4096] = b"\xa5" * (10 * 4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("encrypted", "damage", "words"),
    [
        (False, _truncate, "不完整"),
        (True, _truncate, "不完整"),
        (True, _flip_middle_byte, "校验码不符"),
        (False, _scribble_pages, "完整性检查"),
    ],
    ids=["plain-truncated", "encrypted-truncated", "encrypted-bit-flip", "plain-garbage-pages"],
)
@SQLITE_FILE
def test_damaged_backup_is_refused_and_the_database_is_untouched(staffed: Path, tmp_path: Path, encrypted, damage, words) -> None:  # type: ignore[no-untyped-def]
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / ("b.xbak" if encrypted else "b.db"), passphrase=PASSPHRASE if encrypted else None)
    damage(backup)
    untouched = _fingerprint(staffed)
    with pytest.raises(BackupFileError) as info:
        restore_database(str(staffed), backup, PASSPHRASE if encrypted else None, actor_ctx=admin)
    assert words in info.value.message_zh and "未做任何更改" in info.value.message_zh
    assert _fingerprint(staffed) == untouched  # no pre-restore copy, no leftover temporary file, same bytes


@SQLITE_FILE
def test_something_that_is_not_a_backup_is_refused(staffed: Path, tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("不是备份", encoding="utf-8")
    result = _cli(staffed, "restore", str(stray))
    assert result.returncode == 1 and "不是本系统的备份文件" in result.stderr
    missing = _cli(staffed, "restore", str(tmp_path / "nowhere.db"))
    assert missing.returncode == 1 and "找不到备份文件" in missing.stderr


@SQLITE_FILE
def test_a_clerk_can_neither_back_up_nor_restore(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "b.db")
    admin.close()
    out = tmp_path / "clerk.db"
    refused = _cli(staffed, "backup", "--out", str(out), user="clerk", password=CLERK_PW)
    assert refused.returncode == 1 and "没有“备份与恢复”的权限" in refused.stderr
    assert not out.exists()
    entities.register_entity(_as(staffed, "admin", ADMIN_PW), LATE)
    refused = _cli(staffed, "restore", str(backup), user="clerk", password=CLERK_PW)
    assert refused.returncode == 1 and "没有“备份与恢复”的权限" in refused.stderr
    assert entity_count(staffed) == 302
    assert not list(staffed.parent.glob("*.pre-restore-*"))
    settings = _cli(staffed, "backup-settings", "--keep", "2", user="clerk", password=CLERK_PW)
    assert settings.returncode == 1 and "系统设置" in settings.stderr


@SQLITE_FILE
def test_automatic_backups_run_for_a_clerk_once_a_day_and_the_last_n_are_kept(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    folder = tmp_path / "auto"
    set_backup_settings(admin, folder=folder, keep=3)
    manual = backup_now(admin)  # made by hand into the same folder: never pruned
    clerk = _as(staffed, "clerk", CLERK_PW)
    with pytest.raises(PermissionDenied):
        set_backup_settings(clerk, keep=5)

    first = auto_backup_if_due(clerk, on_exit=False)
    assert first is not None and first.parent == folder.resolve()
    assert auto_backup_if_due(clerk, on_exit=False) is None  # already done today
    on_exit = [auto_backup_if_due(clerk, on_exit=True) for _ in range(4)]  # every exit backs up

    autos = sorted(folder.glob(f"{staffed.stem}-auto-*.db"))
    assert autos == sorted(p for p in on_exit[-3:] if p is not None)
    assert manual.exists() and first not in autos
    assert backup_settings(clerk).last_auto is not None
    logged = audit.list_entries(admin, logins=False, action_prefix="backup.auto")
    assert len(logged) == 5 and {r.username for r in logged} == {"clerk"}


@pytest.mark.slow
@SQLITE_FILE
def test_backup_settings_cli_and_refusals(staffed: Path, tmp_path: Path) -> None:
    shown = json.loads(_cli(staffed, "backup-settings", "--json").stdout)
    assert shown["keep"] == 10 and shown["folder_is_default"] and shown["folder"].endswith("backups")
    changed = _cli(staffed, "backup-settings", "--folder", str(tmp_path / "elsewhere"), "--keep", "4")
    assert changed.returncode == 0, changed.stderr
    made = _cli(staffed, "backup")
    assert made.returncode == 0 and str(tmp_path / "elsewhere") in made.stdout
    assert _cli(staffed, "backup-settings", "--keep", "0").returncode == 1
    admin = _as(staffed, "admin", ADMIN_PW)
    with pytest.raises(ValidationError):
        backup_now(admin, staffed)  # never over the live database
    with pytest.raises(ValidationError):
        backup_now(admin, tmp_path / "short.xbak", passphrase="short")


@SQLITE_FILE
def test_check_is_ok_then_names_the_tampered_audit_entry(staffed: Path) -> None:
    good = _cli(staffed, "check")
    assert good.returncode == 0, good.stderr
    assert "操作日志哈希链：完整" in good.stdout and "数据库文件完整性：正常" in good.stdout
    (target,) = _query(staffed, "SELECT seq FROM audit_log WHERE action = 'entity.insert'")[0]
    _tamper(staffed, f"UPDATE audit_log SET summary = '改过的摘要' WHERE seq = {target}")
    bad = _cli(staffed, "check")
    assert bad.returncode == 1
    assert bad.stderr.startswith("错误：数据库检查未通过") and f"第{target}条日志内容被改动" in bad.stderr
    assert json.loads(_cli(staffed, "check", "--json").stdout)["ok"] is False


@SQLITE_FILE
def test_check_names_a_damaged_database_file(staffed: Path) -> None:
    conn = sqlite3.connect(staffed)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so the damage sticks
    conn.close()
    _scribble_pages(staffed)
    bad = _cli(staffed, "check")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "数据库文件完整性" in bad.stderr and "Traceback" not in bad.stderr


@SQLITE_FILE
def test_restore_refuses_a_backup_whose_audit_chain_was_edited(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "b.db")
    _tamper(backup, "UPDATE audit_log SET username = 'nobody' WHERE seq = 2")
    untouched = _fingerprint(staffed)
    with pytest.raises(BackupFileError) as info:
        restore_database(str(staffed), backup, actor_ctx=admin)
    assert "操作日志校验失败" in info.value.message_zh and "第2条" in info.value.message_zh
    assert _fingerprint(staffed) == untouched


@SQLITE_FILE
def test_restore_refuses_a_backup_from_a_newer_program(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "b.db")
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    untouched = _fingerprint(staffed)
    with pytest.raises(BackupFileError) as info:
        restore_database(str(staffed), backup, actor_ctx=admin)
    assert "请先升级本程序" in info.value.message_zh and "9999" in info.value.message_zh
    assert _fingerprint(staffed) == untouched


@SQLITE_FILE
def test_an_older_backup_is_upgraded_through_the_migrations(staffed: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-version.db"
    engine = make_engine("sqlite:///" + str(old))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    admin = _as(staffed, "admin", ADMIN_PW)
    result = restore_database(str(staffed), old, actor_ctx=admin)
    assert result.backup_revision == "0001" and result.revision == head_revision()
    fresh = open_context(str(staffed))  # the backup had no users: set-up mode again
    assert fresh.setup_mode and current_revision(fresh.engine) == head_revision()
    assert check_database(fresh).ok
    assert [r.action for r in audit.list_entries(fresh, limit=1)] == ["backup.restore"]


@pytest.mark.slow
@SQLITE_FILE
def test_restore_waits_for_and_then_refuses_a_database_open_elsewhere(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    backup = backup_now(admin, tmp_path / "b.db")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sqlite3,sys,time; c=sqlite3.connect({str(staffed)!r}); c.execute('select 1 from entity').fetchall(); print('open', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        started = time.monotonic()
        with pytest.raises(DatabaseInUse) as info:
            restore_database(str(staffed), backup, actor_ctx=admin)
        assert time.monotonic() - started >= 4  # it waited a few seconds for the other program first
        assert "正被其他窗口或程序使用" in info.value.message_zh
    finally:
        holder.kill()
        holder.wait()
    assert not list(staffed.parent.glob(".*.tmp")) and not list(staffed.parent.glob("*.pre-restore-*"))
    assert entity_count(staffed) == 301


def test_server_databases_are_refused_with_the_pg_dump_hint(staffed: Path, tmp_path: Path) -> None:
    admin = _as(staffed, "admin", ADMIN_PW)
    with pytest.raises(NotSqliteError) as info:
        restore_database("postgresql://xuyi@dbserver/xuyi", tmp_path / "b.db", actor_ctx=admin)
    assert "pg_dump" in info.value.message_zh
    on_server = dataclasses.replace(admin, url="postgresql://xuyi@dbserver/xuyi")
    with pytest.raises(NotSqliteError):
        backup_now(on_server)
    assert auto_backup_if_due(on_server, on_exit=True) is None  # the server's own backups are the DBA's duty


@SQLITE_FILE
def test_an_existing_database_is_only_replaced_by_its_own_administrator(staffed: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    outsider = open_context(str(other))  # set-up mode there: all rights, but over another database
    backup = backup_now(_as(staffed, "admin", ADMIN_PW), tmp_path / "b.db")
    with pytest.raises(BackupFileError) as info:
        restore_database(str(staffed), backup, actor_ctx=outsider)
    assert "请先登录要恢复的数据库" in info.value.message_zh


CHUNK = 20_000


@SQLITE_FILE
@pytest.mark.slow
def test_backup_while_the_application_writes_then_restore(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    ctx = open_context(str(live))
    writer = WriterProcess(live, chunk=CHUNK, seed=7, entities=300_000)
    try:
        writer.wait_for(CHUNK)
        time.sleep(1.0)  # well into the next chunk: its transaction is open while the backup runs
        committed_before = entity_count(live)  # a separate connection, just before the backup starts
        backup = backup_now(ctx, tmp_path / "under-load.db")
        assert writer.proc.poll() is None, "the writer should still be writing"
        writer.wait_for(writer.committed + CHUNK)  # and it keeps committing after the backup
    finally:
        writer.kill()
    assert committed_before >= CHUNK

    fresh = tmp_path / "restored" / "xuyi.db"
    result = restore_database(str(fresh), backup, actor_ctx=ctx)
    assert result.pre_restore_copy is None

    facts = invariants(fresh)
    assert_whole_transactions(facts, CHUNK)
    assert facts["entities"] >= committed_before
    restored = open_context(str(fresh))
    report = check_database(restored)
    assert report.ok, report.as_dict()


@SQLITE_FILE
def test_a_dangling_reference_is_named_with_or_without_a_row_number(staffed: Path) -> None:
    """entity_category is a WITHOUT ROWID table (migration 0023): its dangling row is named without '第 None 行'."""
    ghost = uuid.uuid4().hex
    with sqlite3.connect(staffed) as conn:  # written around the program, with the references switched off
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO entity_category (entity_id, category) VALUES (?, 'road_freight')", (ghost,))
    report = check_database(_as(staffed, "admin", ADMIN_PW))
    item = next(i for i in report.items if i.name == "foreign_keys")
    assert not item.ok and "None" not in item.detail_zh and "None" not in item.detail_en
    assert "entity_category 表中的一条记录 → entity" in item.detail_zh
