"""Backup files: consistent SQLite snapshots, optionally encrypted, written so a half file never looks whole.

A plain backup is an ordinary SQLite file (any SQLite tool opens it). An encrypted backup is
`HEADER | KEY CHECK | AES-256-GCM ciphertext | TAG`: the header carries magic bytes, the format version,
the scrypt parameters, salt, nonce and the plaintext size, and is authenticated as associated data.
The key check (an HMAC under a second derived key) tells a wrong passphrase from a damaged file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.storage import audit_chain
from xuyi_desktop.storage.audit_chain import ChainReport
from xuyi_desktop.storage.database import make_engine, make_private
from xuyi_desktop.storage.migrate import alembic_config, backup_sqlite_file

MAGIC = b"XUYIBAK\x1a"  # \x1a ends `type` on a Windows console, as in PNG
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT_VERSION = 1
# magic, format version, log2(scrypt N), scrypt r, scrypt p, pad, salt, nonce, plaintext size
_HEADER = struct.Struct(">8sHBBBx16s12sQ")
_KEY_CHECK_LEN = 32
_TAG_LEN = 16
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1  # 128 MiB, about half a second: slow to guess, fine to wait for
_COPY_CHUNK = 1 << 20
ENCRYPTED_SUFFIX = ".xbak"
PLAIN_SUFFIX = ".db"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupFileError(DomainError):
    """A backup file (or the database to replace) cannot be used; says what to do in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


class WrongPassphrase(BackupFileError):
    def __init__(self) -> None:
        super().__init__("备份口令不正确，未做任何更改", "wrong backup passphrase; nothing was changed")


class BackupKind(str, Enum):
    PLAIN = "plain"
    ENCRYPTED = "encrypted"


def backup_kind(path: Path) -> BackupKind:
    """Recognise a backup by its first bytes; anything else is refused before it is read any further."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupFileError(f"找不到备份文件：{path}", f"backup file not found: {path}") from None
    except OSError as exc:
        raise BackupFileError(f"无法读取备份文件：{path}（{exc.strerror}）", f"cannot read backup file: {exc}") from None
    if head.startswith(MAGIC):
        return BackupKind.ENCRYPTED
    if head == SQLITE_MAGIC:
        return BackupKind.PLAIN
    raise BackupFileError(f"不是本系统的备份文件，或文件已损坏：{path.name}", f"not a backup file or damaged: {path}")


def is_encrypted(path: Path) -> bool:
    return backup_kind(path) is BackupKind.ENCRYPTED


# --- writing -------------------------------------------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to flush."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_with_side_files(path: Path) -> None:
    """Best effort (runs in `finally`): a vanished USB stick must not hide the error that matters."""
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(OSError):
            candidate.unlink(missing_ok=True)


def remove_stale_leftovers(target_folder: Path, db_file: Path, max_age_seconds: float = 24 * 3600) -> None:
    """Temporary files a killed backup or a pulled USB stick left behind; only old ones, so a backup
    running at the same time in another window keeps its own."""
    cutoff = time.time() - max_age_seconds
    patterns = ((target_folder, ".*.partial"), (db_file.parent, f".{db_file.stem}.snapshot-*.tmp"))
    for folder, pattern in patterns:
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


def partial_path(final: Path) -> Path:
    """A hidden temporary name beside the final file (same file system, so os.replace is atomic)."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.partial")


def take_snapshot(src: Path, dest: Path) -> None:
    """Online-backup `src` into a new file `dest` and make it a self-contained single file (no WAL)."""
    backup_sqlite_file(src, dest)
    conn = sqlite3.connect(dest)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


@dataclass(frozen=True)
class WrittenBackup:
    path: Path
    size: int
    sha256: str
    encrypted: bool


def write_backup(src_db: Path, final: Path, passphrase: str | None = None) -> WrittenBackup:
    """Snapshot the live database next to itself, then copy or encrypt it into the target folder atomically.

    The snapshot stays on the local disk (short read lock, no plaintext on a USB stick when encrypting);
    the target only ever shows a hidden .partial file until the finished, fsynced file is renamed into place.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = src_db.with_name(f".{src_db.stem}.snapshot-{secrets.token_hex(4)}.tmp")
    partial = partial_path(final)
    try:
        take_snapshot(src_db, scratch)
        make_private(partial)  # owner-only on POSIX, before a byte is written
        with scratch.open("rb") as plain, partial.open("wb") as out:
            digest = _encrypt(plain, out, passphrase, scratch.stat().st_size) if passphrase else _copy(plain, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        fsync_dir(final.parent)
        return WrittenBackup(final, final.stat().st_size, digest, passphrase is not None)
    finally:
        remove_with_side_files(scratch)
        remove_with_side_files(partial)


def _copy(src, out) -> str:
    digest = hashlib.sha256()
    while chunk := src.read(_COPY_CHUNK):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    key = Scrypt(salt=salt, length=64, n=1 << log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return key[:32], key[32:]


def _key_check(check_key: bytes, header: bytes) -> bytes:
    return hmac.new(check_key, b"xuyi-backup-key-check" + header, hashlib.sha256).digest()


def _encrypt(src, out, passphrase: str, size: int) -> str:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, nonce, size)
    enc_key, check_key = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    encryptor = Cipher(algorithms.AES(enc_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    digest = hashlib.sha256()

    def emit(data: bytes) -> None:
        digest.update(data)
        out.write(data)

    emit(header + _key_check(check_key, header))
    written = 0
    while chunk := src.read(_COPY_CHUNK):
        written += len(chunk)
        emit(encryptor.update(chunk))
    if written != size:
        raise BackupFileError("备份过程中快照文件大小发生变化", "snapshot size changed while encrypting")
    encryptor.finalize()
    emit(encryptor.tag)
    return digest.hexdigest()


# --- reading -------------------------------------------------------------------------------------------


def _damaged(path: Path, what_zh: str, what_en: str) -> BackupFileError:
    return BackupFileError(f"备份文件已损坏或不完整（{what_zh}）：{path.name}，未做任何更改", f"backup file damaged ({what_en}): {path}")


def unpack_backup(backup: Path, dest: Path, passphrase: str | None) -> BackupKind:
    """Write the SQLite file inside `backup` to `dest` (decrypting and authenticating it if encrypted)."""
    kind = backup_kind(backup)
    make_private(dest)
    with backup.open("rb") as src, dest.open("wb") as out:
        if kind is BackupKind.ENCRYPTED:
            if not passphrase:
                raise BackupFileError("备份文件已加密，请提供备份口令", "backup is encrypted: passphrase required")
            _decrypt(backup, src, out, passphrase)
        else:
            _copy(src, out)
        out.flush()
        os.fsync(out.fileno())
    if kind is BackupKind.PLAIN:
        _check_sqlite_length(backup, dest)
    return kind


def _decrypt(backup: Path, src, out, passphrase: str) -> None:
    header = src.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise _damaged(backup, "文件头不完整", "truncated header")
    _magic, version, log2_n, r, p, salt, nonce, size = _HEADER.unpack(header)
    if version > FORMAT_VERSION:
        raise BackupFileError(
            f"备份文件格式版本 {version} 比本程序新，请先升级本程序再恢复", f"backup format {version} is newer than this program: upgrade it first"
        )
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise _damaged(backup, "文件头参数异常", "implausible header")
    expected = _HEADER.size + _KEY_CHECK_LEN + size + _TAG_LEN
    actual = backup.stat().st_size
    if actual != expected:
        raise _damaged(backup, f"长度应为 {expected} 字节，实际 {actual} 字节", f"{actual} bytes instead of {expected}")
    enc_key, check_key = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(src.read(_KEY_CHECK_LEN), _key_check(check_key, header)):
        raise WrongPassphrase()
    decryptor = Cipher(algorithms.AES(enc_key), modes.GCM(nonce)).decryptor()
    decryptor.authenticate_additional_data(header)
    left = size
    while left:
        chunk = src.read(min(_COPY_CHUNK, left))
        if not chunk:
            raise _damaged(backup, "数据不完整", "truncated data")
        left -= len(chunk)
        out.write(decryptor.update(chunk))
    try:
        decryptor.finalize_with_tag(src.read(_TAG_LEN))
    except (InvalidTag, ValueError):
        raise _damaged(backup, "校验码不符", "authentication tag mismatch") from None


def _check_sqlite_length(backup: Path, db: Path) -> None:
    """A plain SQLite file states its own page count; a file shorter or longer than that was cut or padded."""
    with db.open("rb") as f:
        head = f.read(100)
    if len(head) < 100:
        raise _damaged(backup, "文件过短", "file too short")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    header_count_valid = head[24:28] == head[92:96] and pages > 0
    if header_count_valid and db.stat().st_size != page_size * pages:
        raise _damaged(backup, f"应有 {page_size * pages} 字节，实际 {db.stat().st_size} 字节", "size does not match page count")


@contextlib.contextmanager
def _plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """PRAGMA integrity_check on a file that is not live; [] when SQLite says ok."""
    try:
        with _plain_connection(path) as conn:
            rows = [r[0] for r in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def stored_revision(path: Path) -> str | None:
    """The Alembic revision a database file is at; None when it has none (not one of ours)."""
    try:
        with _plain_connection(path) as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    return "+".join(sorted(r[0] for r in rows)) if rows else None


def revision_is_known(revision: str) -> bool:
    """Known to this program means at or below head (the history is linear); unknown means newer."""
    try:
        script = ScriptDirectory.from_config(alembic_config())
        return all(script.get_revision(part) is not None for part in revision.split("+"))
    except CommandError:
        return False


def upgrade_and_verify_copy(path: Path) -> ChainReport:
    """Bring a restored copy to head with the migrations, then verify its audit chain (before it goes live)."""
    engine = make_engine("sqlite:///" + str(path))
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        with Session(engine) as session:
            report = audit_chain.verify(session)
    finally:
        engine.dispose()
    leave_wal(path, wait_seconds=0)
    return report


# --- swapping --------------------------------------------------------------------------------------------


class DatabaseInUse(BackupFileError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"数据库正被其他窗口或程序使用，请先关闭后再恢复：{path}", f"database is open in another window or program: {path}"
        )


def leave_wal(path: Path, *, wait_seconds: float = 5.0) -> None:
    """Fold the WAL into the file and switch to a rollback journal, so the file stands alone.

    SQLite refuses to leave WAL mode while any other connection has the file open, which makes this
    the test that nobody else is using the database before it is replaced.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        conn = sqlite3.connect(path, timeout=max(wait_seconds, 0.1))
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = None
        finally:
            conn.close()
        if mode == "delete":
            break
        if time.monotonic() >= deadline:
            raise DatabaseInUse(path)
        time.sleep(0.2)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def replace_database(new_file: Path, target: Path) -> None:
    """Atomically put `new_file` where `target` is; the target must already be released (leave_wal)."""
    try:
        os.replace(new_file, target)
    except PermissionError:  # Windows: another process still has the file open
        raise DatabaseInUse(target) from None
    fsync_dir(target.parent)


def copy_database(src: Path, final: Path) -> Path:
    """An online-backup copy of a local database, published atomically (used for the pre-restore copy)."""
    partial = partial_path(final)
    try:
        take_snapshot(src, partial)
        with partial.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(partial, final)
        fsync_dir(final.parent)
        return final
    finally:
        remove_with_side_files(partial)

