"""Backup, restore and database check: who may, where the files go, how many are kept, and the audit trail."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.paths import data_dir
from xuyi_desktop.services import audit, audit_anchor, record_check
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.storage import backup as files
from xuyi_desktop.storage.database import make_engine, resolve_db_url, sqlite_path
from xuyi_desktop.storage.migrate import current_revision, head_revision
from xuyi_desktop.storage.models import AppSetting, utcnow

FOLDER_KEY, KEEP_KEY, LAST_AUTO_KEY = "backup.folder", "backup.keep", "backup.last_auto"
DEFAULT_KEEP, MAX_KEEP = 10, 1000
MIN_PASSPHRASE_LENGTH = 8


class NotSqliteError(DomainError):
    """Backups here are file snapshots; a server database has its own tools."""

    message_zh = "备份与恢复只适用于本机 SQLite 数据库文件；PostgreSQL 数据库请由数据库管理员用 pg_dump / pg_restore 备份和恢复"
    message_en = "backup and restore work on SQLite files only; back up PostgreSQL with pg_dump / pg_restore"


def backs_up_files(ctx: AppContext) -> bool:
    """Whether backup and restore apply here: an SQLite file does, a shared server database does not."""
    return sqlite_path(ctx.url) is not None


def _db_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise NotSqliteError()
    return path


# --- settings ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSettings:
    """Where backups go, how many automatic ones are kept, and when the last automatic one was made."""

    folder: Path
    keep: int
    last_auto: dt.datetime | None
    folder_is_default: bool


def default_folder() -> Path:
    return data_dir() / "backups"


def _get(session: Session, key: str) -> str | None:
    row = session.get(AppSetting, key)
    return row.value if row is not None else None


def _put(session: Session, key: str, value: str) -> None:
    session.merge(AppSetting(key=key, value=value))


def backup_settings(ctx: AppContext) -> BackupSettings:
    """No permission needed: the automatic backup reads these whoever is logged in."""
    with ctx.transaction() as session:
        folder, keep, last = (_get(session, k) for k in (FOLDER_KEY, KEEP_KEY, LAST_AUTO_KEY))
    try:
        keep_n = min(max(int(keep), 1), MAX_KEEP) if keep else DEFAULT_KEEP
    except ValueError:
        keep_n = DEFAULT_KEEP
    try:
        last_at = dt.datetime.fromisoformat(last) if last else None
    except ValueError:
        last_at = None
    return BackupSettings(Path(folder) if folder else default_folder(), keep_n, last_at, not folder)


def set_backup_settings(ctx: AppContext, *, folder: Path | str | None = None, keep: int | None = None) -> BackupSettings:
    """Change the folder (\"\" = back to the default) and/or the number kept; the folder must be writable now."""
    audit.require(ctx, Permission.SETTINGS)
    problems = []
    if keep is not None and not 1 <= keep <= MAX_KEEP:
        problems.append(FieldProblem("keep", f"保留份数应在1到{MAX_KEEP}之间", f"keep must be 1..{MAX_KEEP}"))
    chosen: Path | None = None
    if folder:
        chosen = Path(folder).expanduser().resolve()
        reason = _unwritable(chosen)
        if reason:
            problems.append(FieldProblem("folder", f"备份文件夹无法创建或写入：{chosen}（{reason}）", f"backup folder not writable: {reason}"))
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        if folder is not None:
            if chosen is None:
                session.execute(delete(AppSetting).where(AppSetting.key == FOLDER_KEY))
            else:
                _put(session, FOLDER_KEY, str(chosen))
        if keep is not None:
            _put(session, KEEP_KEY, str(keep))
    result = backup_settings(ctx)
    with ctx.transaction() as session:
        audit.write(
            session, ctx, "settings.backup", f"备份设置：文件夹 {result.folder}，自动备份保留 {result.keep} 份",
            details={"folder": str(result.folder), "keep": result.keep},
        )
    return result


def _unwritable(folder: Path) -> str | None:
    probe = folder / f".xuyi-write-test-{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


# --- backup ------------------------------------------------------------------------------------------------


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S-") + f"{now.microsecond // 1000:03d}"


def _default_name(db_file: Path, *, auto: bool, encrypted: bool) -> str:
    suffix = files.ENCRYPTED_SUFFIX if encrypted else files.PLAIN_SUFFIX
    return f"{db_file.stem}-{'auto-' if auto else ''}{_stamp(dt.datetime.now())}{suffix}"


def _target(db_file: Path, folder: Path, out: Path | None, *, auto: bool, encrypted: bool) -> Path:
    if out is None or out.is_dir() or not out.suffix:  # a folder: existing, or a path without an extension
        target = (out or folder) / _default_name(db_file, auto=auto, encrypted=encrypted)
    else:
        target = out
    target = target.expanduser().resolve()
    live = db_file.resolve()
    if target in {live, *(live.with_name(live.name + s) for s in ("-wal", "-shm", "-journal"))}:
        raise ValidationError(FieldProblem("out", "备份文件不能是数据库文件本身", "the backup cannot overwrite the database itself"))
    if target.exists():
        raise ValidationError(FieldProblem("out", f"文件已存在，不会覆盖：{target}", f"file exists, not overwritten: {target}"))
    return target


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            FieldProblem("passphrase", f"备份口令至少{MIN_PASSPHRASE_LENGTH}个字符", f"passphrase shorter than {MIN_PASSPHRASE_LENGTH}")
        )


def _write(db_file: Path, target: Path, passphrase: str | None) -> tuple[files.WrittenBackup, float]:
    started = time.perf_counter()
    try:
        written = files.write_backup(db_file, target, passphrase)
    except OSError as exc:
        raise files.BackupFileError(
            f"无法写入备份（{exc.strerror or exc}）：{target.parent}，请检查文件夹或U盘", f"cannot write backup: {exc}"
        ) from None
    except sqlite3.Error as exc:
        raise files.BackupFileError(f"读取数据库失败，未生成备份：{exc}", f"reading the database failed: {exc}") from None
    files.remove_stale_leftovers(target.parent, db_file)
    return written, time.perf_counter() - started


def _details(written: files.WrittenBackup, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "path": str(written.path), "size": written.size, "sha256": written.sha256,
        "encrypted": written.encrypted, "seconds": round(seconds, 2), **extra,
    }


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def backup_now(ctx: AppContext, out: Path | None = None, passphrase: str | None = None) -> Path:
    """A backup on request (administrators). `out` is a file, or a folder (existing, or a path without an
    extension) that gets a dated file name; default: the folder from the settings."""
    audit.require(ctx, Permission.BACKUP)
    db_file = _db_file(ctx.url)
    if passphrase is not None:
        _check_passphrase(passphrase)
    target = _target(db_file, backup_settings(ctx).folder, out, auto=False, encrypted=passphrase is not None)
    audit_anchor.anchor_now(ctx, "backup")  # the backup holds a signed head of the chain (issue 21)
    written, seconds = _write(db_file, target, passphrase)
    with ctx.transaction() as session:
        audit.write(
            session, ctx, "backup.create",
            f"备份数据库到 {written.path}（{_size_text(written.size)}{'，已加密' if written.encrypted else ''}）",
            details=_details(written, seconds),
        )
    return written.path


def prune_auto_backups(folder: Path, stem: str, keep: int) -> list[Path]:
    """Keep the newest `keep` automatic backups of this database; backups made by hand are never deleted."""
    prefix = f"{stem}-auto-"
    autos = sorted(p for p in folder.glob(f"*{files.PLAIN_SUFFIX}") if p.name.startswith(prefix))
    removed = autos[: max(len(autos) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def auto_backup_if_due(ctx: AppContext, *, on_exit: bool) -> Path | None:
    """The daily automatic backup (and one on every exit). A duty of the system, not a right of the user:
    no permission check, so it also runs for a clerk; audited as backup.auto under the current identity.
    Server databases are skipped (None): their administrator backs them up with pg_dump."""
    db_file = sqlite_path(ctx.url)
    if db_file is None:
        return None
    settings = backup_settings(ctx)
    if not on_exit and settings.last_auto is not None and settings.last_auto.astimezone().date() >= dt.date.today():
        return None
    try:
        target = _target(db_file, settings.folder, None, auto=True, encrypted=False)
        audit_anchor.anchor_now(ctx, "backup")
        written, seconds = _write(db_file, target, None)
    except DomainError as exc:
        with ctx.transaction() as session:
            audit.write(session, ctx, "backup.auto_failed", f"自动备份失败：{exc.message_zh}", details={"folder": str(settings.folder)})
        raise
    removed = prune_auto_backups(settings.folder, db_file.stem, settings.keep)
    with ctx.transaction() as session:
        _put(session, LAST_AUTO_KEY, utcnow().isoformat())
        audit.write(
            session, ctx, "backup.auto", f"自动备份到 {written.path}（{_size_text(written.size)}）",
            details=_details(written, seconds, on_exit=on_exit, pruned=[p.name for p in removed]),
        )
    return written.path


# --- restore -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    """What happened, for the message to the administrator."""

    database: Path
    pre_restore_copy: Path | None
    backup_revision: str
    revision: str
    encrypted: bool


def _pre_restore_name(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.stem}.pre-restore-{stamp}.db")
    n = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.pre-restore-{stamp}-{n}.db")
        n += 1
    return candidate


class TamperedBackup(files.BackupFileError):
    """Records in the backup were changed around the program (sqlite3 on the file): refused unless the
    administrator insists (`restore --force`, or the window's second confirmation)."""

    def __init__(self, backup_file: Path, report: record_check.RecordReport) -> None:
        self.report = report
        super().__init__(
            f"备份文件中有 {report.total} 条记录未经本程序被改动：{report.summary_zh()}。"
            f"拒绝恢复：{backup_file.name}（确认仍要恢复请加 --force）",
            f"{report.total} records in the backup were changed outside the program; not restored (--force to restore anyway)",
        )


def staged_records(staged: Path) -> record_check.RecordReport:
    """The staged (upgraded) copy's records against their history."""
    engine = make_engine("sqlite:///" + str(staged))
    try:
        with Session(engine) as session:
            return record_check.check_records(session)
    finally:
        engine.dispose()
        files.leave_wal(staged, wait_seconds=0)  # the file stands alone again before it is swapped in


def _verify_staged(backup_file: Path, staged: Path) -> str:
    """Everything a backup must pass before it may replace a database; returns its schema revision."""
    problems = files.integrity_problems(staged)
    if problems:
        raise files.BackupFileError(
            f"备份文件未通过完整性检查（{problems[0]}）：{backup_file.name}，未做任何更改", f"backup failed integrity_check: {problems[0]}"
        )
    revision = files.stored_revision(staged)
    if revision is None:
        raise files.BackupFileError(f"该文件不是本系统的数据库备份：{backup_file.name}", "not a database of this program (no schema revision)")
    if not files.revision_is_known(revision):
        raise files.BackupFileError(
            f"备份的数据库版本（{revision}）比本程序支持的版本（{head_revision()}）新，请先升级本程序再恢复",
            f"backup schema {revision} is newer than this program ({head_revision()}): upgrade the program first",
        )
    chain = files.upgrade_and_verify_copy(staged)
    if not chain.ok:
        raise files.BackupFileError(f"备份中的操作日志校验失败：{chain.reason_zh}，拒绝恢复", f"audit chain in backup broken: {chain.reason_en}")
    return revision


def _checked_records(backup_file: Path, staged: Path, force: bool) -> record_check.RecordReport:
    report = staged_records(staged)
    if not report.ok and not force:
        raise TamperedBackup(backup_file, report)
    return report


def restore_database(
    db: str | None, backup_file: Path, passphrase: str | None = None, *, actor_ctx: AppContext, force: bool = False
) -> RestoreResult:
    """Replace the database `db` with a verified backup, keeping the current one as a pre-restore copy.

    The right is checked against `actor_ctx` before anything is read; an existing database can only be
    replaced by someone logged in to that very database. `actor_ctx` is closed when it is that database:
    open a new context (and log in again) afterwards, since users come back as they were in the backup.
    A backup whose records do not match their history (changed with an SQL tool) is refused (TamperedBackup)
    unless `force`; a forced restore names those records in its audit entry.
    """
    audit.require(actor_ctx, Permission.BACKUP)
    target = _db_file(resolve_db_url(db)).resolve()
    actor_file = sqlite_path(actor_ctx.url)
    same_db = actor_file is not None and actor_file.resolve() == target
    if target.exists() and not same_db:
        raise files.BackupFileError(
            f"请先登录要恢复的数据库（{target}）再执行恢复", "log in to the database being replaced to restore it"
        )
    backup_file = Path(backup_file).expanduser().resolve()
    actor = actor_ctx.actor
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}.tmp")
    pre_copy: Path | None = None
    try:
        kind = files.unpack_backup(backup_file, staged, passphrase)
        from_revision = _verify_staged(backup_file, staged)
        records = _checked_records(backup_file, staged, force)
        if same_db:
            actor_ctx.close()
        if target.exists():
            files.leave_wal(target)
            pre_copy = files.copy_database(target, _pre_restore_name(target))
        files.replace_database(staged, target)
    except OSError as exc:
        raise files.BackupFileError(f"恢复失败，数据库未改动：{exc.strerror or exc}", f"restore failed, database unchanged: {exc}") from None
    finally:
        files.remove_with_side_files(staged)
    restored = open_context(str(target))
    forced = f"（其中 {records.total} 条记录未经本程序被改动，管理员确认后仍恢复：{records.summary_zh()}）" if not records.ok else ""
    try:
        with restored.transaction() as session:
            audit.write(
                session, restored, "backup.restore", f"从备份 {backup_file} 恢复数据库{forced}",
                username=actor,
                details={
                    "backup": str(backup_file), "encrypted": kind is files.BackupKind.ENCRYPTED,
                    "pre_restore_copy": str(pre_copy) if pre_copy else None, "backup_revision": from_revision,
                    "altered_records": [m.as_dict() for m in records.mismatches], "forced": bool(forced),
                },
            )
        revision = current_revision(restored.engine) or ""
    finally:
        restored.close()
    return RestoreResult(target, pre_copy, from_revision, revision, kind is files.BackupKind.ENCRYPTED)


# --- check -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    """One line of the report: what was checked, whether it passed, in words."""

    name: str
    label_zh: str
    ok: bool
    detail_zh: str
    detail_en: str


@dataclass(frozen=True)
class DatabaseReport:
    location: str
    items: tuple[CheckItem, ...]

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def problems(self) -> list[CheckItem]:
        return [item for item in self.items if not item.ok]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "database": self.location, "checks": [item.__dict__ for item in self.items]}


def _pragma_rows(ctx: AppContext, sql: str) -> list[tuple[Any, ...]]:
    with ctx.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql)]


Outcome = tuple[bool, str, str]  # passed, detail in Chinese, detail in English


def _integrity(ctx: AppContext) -> Outcome:
    rows = [r[0] for r in _pragma_rows(ctx, "PRAGMA integrity_check(20)")]
    if rows == ["ok"]:
        return True, "正常", "ok"
    return False, f"发现 {len(rows)} 处损坏：{rows[0]}", f"{len(rows)} problems: {rows[0]}"


def _foreign_keys(ctx: AppContext) -> Outcome:
    rows = _pragma_rows(ctx, "PRAGMA foreign_key_check")
    if not rows:
        return True, "正常", "ok"
    table, rowid, parent = rows[0][0], rows[0][1], rows[0][2]
    # A WITHOUT ROWID table (entity_category, migration 0023) has no row number to show: name the table only.
    where_zh, where_en = (f"{table} 第 {rowid} 行", f"{table} rowid {rowid}") if rowid is not None else (
        f"{table} 表中的一条记录", f"a row of {table}")
    return (
        False,
        f"{len(rows)} 条记录引用了不存在的记录，例如 {where_zh} → {parent}",
        f"{len(rows)} dangling references, e.g. {where_en} -> {parent}",
    )


def _chain(ctx: AppContext) -> Outcome:
    report = audit.verify_chain(ctx)
    if report.ok:
        return True, f"完整，共校验 {report.checked} 条", f"intact, {report.checked} entries"
    return False, f"操作日志被改动：{report.reason_zh}", f"audit log altered: {report.reason_en}"


def _records(ctx: AppContext) -> Outcome:
    """Every business record against its history (services/record_check): a record changed around the program."""
    with ctx.transaction() as session:
        report = record_check.check_records(session)
    if report.ok:
        rest = f"（另有 {report.without_history} 条无变更记录，如演示数据，未核对）" if report.without_history else ""
        return True, f"一致，共核对 {report.checked - report.without_history} 条{rest}", f"{report.checked} records match their history"
    return (
        False,
        f"发现 {report.total} 条记录未经本程序被改动：{report.summary_zh()}",
        f"{report.total} records changed outside the program: " + "; ".join(m.describe_en() for m in report.mismatches[:3]),
    )


def _schema(ctx: AppContext) -> Outcome:
    current, head = current_revision(ctx.engine), head_revision()
    if current == head:
        return True, f"{current}（最新）", f"{current} (head)"
    return False, f"{current}，本程序为 {head}", f"{current}, program expects {head}"


def _server(ctx: AppContext) -> Outcome:
    """A shared database must store UTF-8 (Chinese names); its collation decides the order of lists and should
    be C.UTF-8 or C, as the README's createdb line makes it."""
    with ctx.engine.connect() as conn:
        encoding, collation, version = conn.execute(text(
            "SELECT pg_encoding_to_char(encoding), datcollate, current_setting('server_version') "
            "FROM pg_database WHERE datname = current_database()"
        )).one()
    if encoding != "UTF8":
        return False, f"数据库字符集为 {encoding}，必须是 UTF8（否则中文无法保存）", f"encoding {encoding}, must be UTF8"
    return True, f"PostgreSQL {version}，字符集 UTF8，排序规则 {collation}", f"PostgreSQL {version}, UTF8, collation {collation}"


_CHECKS: tuple[tuple[str, str, Callable[[AppContext], Outcome], str | None], ...] = (
    # name, label, check, only on this database (None: all)
    ("integrity", "数据库文件完整性", _integrity, "sqlite"),
    ("foreign_keys", "记录之间的引用（外键）", _foreign_keys, "sqlite"),
    ("server", "数据库服务器", _server, "postgresql"),
    ("audit_chain", "操作日志哈希链", _chain, None),
    ("records", "业务记录与变更记录核对", _records, None),
    ("schema", "数据库架构版本", _schema, None),
)


def check_database(ctx: AppContext) -> DatabaseReport:
    """File integrity, dangling references, the audit chain and the schema revision, in one report.
    A check that cannot even run (a badly damaged file) is reported as failed, not raised."""
    audit.require(ctx, Permission.VIEW)
    dialect = ctx.engine.dialect.name
    items: list[CheckItem] = []
    for name, label, run, only_on in _CHECKS:
        if only_on is not None and only_on != dialect:
            continue
        try:
            ok, zh, en = run(ctx)
        except DBAPIError as exc:
            ok, zh, en = False, f"无法检查：{exc.orig}", f"could not run: {exc.orig}"
        items.append(CheckItem(name, label, ok, zh, en))
    return DatabaseReport(ctx.location, tuple(items))


@dataclass(frozen=True)
class BackupFile:
    """A backup found in the backup folder, as the 备份与恢复 page lists it."""

    path: Path
    modified: dt.datetime  # local time of the file
    size: int  # bytes
    encrypted: bool
    automatic: bool  # made on exit (app-auto-…), not by a clerk's 立即备份


def list_backups(ctx: AppContext) -> tuple[BackupSettings, list[BackupFile]]:
    """The settings and the backups in the folder, newest first (a slow network folder: call it off the GUI thread).
    Only this program's backup files count: plain or encrypted suffix, not hidden."""
    settings = backup_settings(ctx)
    found: list[BackupFile] = []
    if settings.folder.is_dir():
        for path in settings.folder.iterdir():
            if path.is_file() and path.suffix in (files.PLAIN_SUFFIX, files.ENCRYPTED_SUFFIX) and not path.name.startswith("."):
                stat = path.stat()
                found.append(BackupFile(path, dt.datetime.fromtimestamp(stat.st_mtime), stat.st_size,
                                        path.suffix == files.ENCRYPTED_SUFFIX, "-auto-" in path.name))
    found.sort(key=lambda f: f.modified, reverse=True)
    return settings, found


PLAIN_SUFFIX, ENCRYPTED_SUFFIX = files.PLAIN_SUFFIX, files.ENCRYPTED_SUFFIX  # for the restore dialog's file filter
