"""Reading a package: every check before the database is written, all of it within bounds (sync/format.py).

Checks, in order: the file and its zip directory are within limits, exactly the three expected members, each
stored, unencrypted and of an allowed size; the header is JSON of the expected shape; format and version
(an older or a newer program is named as such); the receiver is this office; the sender is a registered office
and the header's signature verifies with its registered key; the payload has the signed size and SHA-256;
the declared inflated size is within limits and within a ratio of the payload; the content key was sealed to
this office; then, streaming: the manifest agrees with the header and names a schema this program knows, and
every change is well-formed, of a table and fields declared in sync/records.py, within the announced ranges,
stamped no further in the future than allowed; the number of changes is the announced one and the GCM tag
verifies. Only then does the caller open its transaction, and it reads the changes again from the file (the
same checks on the hash and the tag at the end: a file changed in between rolls everything back).

Any failure of any kind while reading becomes a PackageRefused with a Chinese reason (never a traceback).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.migrate import alembic_config
from xuyi_desktop.storage.models import Office
from xuyi_desktop.sync import crypto, records
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync.format import PackageRefused
from xuyi_desktop.sync.settings import Limits

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error, KeyError,
               NotImplementedError, RuntimeError, UnicodeDecodeError, OverflowError, TypeError, IndexError)


@dataclass
class Verified:
    path: Path
    header: dict[str, Any]
    manifest: dict[str, Any]
    count: int
    file_sha256: str
    payload_size: int
    own_xkey: Any
    limits: Limits
    notes: list[str] = field(default_factory=list)
    # Every change's (position, id) per stream, as verified: enough to tell a package whose every change is
    # already held here (a re-import) without reading the file a second time.
    positions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # Every change's (stream, position, id, stamp) in the file's order, as verified: what placing a change needs,
    # so the second read (texts) takes each line as it is instead of parsing it again.
    entries: list[tuple[str, int, str, int]] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return str(self.header["sender"])

    @property
    def package_id(self) -> str:
        return str(self.header["package_id"])

    def entries_with_texts(self) -> Iterator[tuple[tuple[str, int, str, int], str]]:
        """Each entry with its line (see texts), the file read to its end whatever happens: its checks decide."""
        texts = self.texts()
        for entry in self.entries:
            text = next(texts, None)
            if text is None:  # fewer lines than verified: the file changed (its checks normally said so already)
                raise PackageRefused("同步包内容与签名记录的校验值不符（文件被改动），已拒绝", "payload changed", code="checksum")
            yield entry, text
        if sum(1 for _ in texts):  # more lines than verified: read them all, so the checks at the end run first
            raise PackageRefused("同步包内容与签名记录的校验值不符（文件被改动），已拒绝", "payload changed", code="checksum")

    def texts(self) -> Iterator[str]:
        """Each change's line as the sender wrote it (the canonical JSON its backlog holds), in the order of
        `entries`, read again from the file with the same checks at the end (hash, tag, size): a file changed since
        it was verified raises PackageRefused when the last line has been read, and the caller rolls back."""
        for n, line in enumerate(_lines(self.path, self.header, self.payload_size, self.own_xkey, self.limits)):
            if n:
                yield line.decode("utf-8")


def aad_of(header: dict[str, Any]) -> bytes:
    return f"{fmt.FORMAT}|{header['format_version']}|{header['sender']}|{header['receiver']}|{header['package_id']}".encode()


def known_schema(text: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    for rev in text.split("+"):
        try:
            if not rev or script.get_revision(rev) is None:
                return False
        except CommandError:
            return False
    return True


def _is_str(value: Any, limit: int = 200) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _is_int(value: Any, lo: int = 0) -> TypeGuard[int]:
    return type(value) is int and lo <= value <= records.MAX_INT


def _header(raw: bytes, outer: fmt.Outer, local: str) -> dict[str, Any]:
    header = fmt.loads(raw, "同步包的包头")
    if not isinstance(header, dict):
        raise PackageRefused("同步包的包头无法读取，已拒绝", "package header is not an object", code="damaged")
    if header.get("format") != fmt.FORMAT:
        raise PackageRefused("这不是本系统的同步包", "not a sync package", code="format")
    version = header.get("format_version")
    if not _is_int(version):
        raise PackageRefused("同步包的包头无法读取，已拒绝", "format version missing", code="damaged")
    if version < fmt.FORMAT_VERSION:
        raise PackageRefused(
            f"这个同步包是旧版本程序制作的（格式版本 {version}，本程序为 {fmt.FORMAT_VERSION}），本程序不再读取："
            f"请对方单位升级程序后重新导出（未确认的变更会自动重新发出，不会丢失）",
            f"package format {version} is older than {fmt.FORMAT_VERSION}: the sender must upgrade and export again",
            code="version")
    if version > fmt.FORMAT_VERSION:
        raise PackageRefused(
            f"这个同步包是更新版本的程序制作的（格式版本 {version}，本程序只认识 {fmt.FORMAT_VERSION}），请先升级本机程序再导入",
            f"package format {version} is newer than this program ({fmt.FORMAT_VERSION}): upgrade", code="version")
    sealed = header.get("sealed")
    ok = (
        _is_str(header.get("sender"), 32) and _is_str(header.get("receiver"), 32)
        and _is_str(header.get("package_id"), 64) and header.get("kind") in ("delta", "snapshot")
        and _is_str(header.get("created_at"), 40) and _is_int(header.get("clock"))
        and isinstance(sealed, dict) and all(_is_str(k, 40) and _is_str(v, 200) for k, v in sealed.items())
        and _is_int(header.get("payload_size"), fmt.TAG_SIZE) and _is_str(header.get("payload_sha256"), 64)
        and bool(_HEX64.match(header["payload_sha256"])) and _is_int(header.get("content_size"), 1)
    )
    if not ok:
        raise PackageRefused("同步包的包头不完整或格式不对，已拒绝", "package header malformed", code="damaged")
    receiver = header["receiver"]
    if receiver != local:
        raise PackageRefused(f"此同步包是发给单位 {receiver} 的，不是本单位（{local}），已拒绝",
                             f"package is addressed to {receiver}, not {local}", code="receiver")
    return header


def _lines(path: Path, header: dict[str, Any], payload_size: int, own_xkey: Any, limits: Limits) -> Iterator[bytes]:
    try:
        decryptor = crypto.open_stream(header["sealed"], own_xkey, aad_of(header))
    except (crypto.InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise PackageRefused("同步包无法用本单位密钥解密（密钥不符或内容被改动），已拒绝", "cannot decrypt the package",
                             code="decrypt") from exc
    digest = hashlib.sha256()
    try:
        yield from fmt.content_lines(fmt.payload_chunks(path, payload_size), decryptor,
                                     content_size=int(header["content_size"]), limits=limits, digest=digest)
    except crypto.InvalidTag:
        raise PackageRefused("同步包内容无法解密（被改动或已损坏），已拒绝", "payload does not authenticate", code="decrypt") from None
    except PackageRefused:
        raise
    except _ZIP_ERRORS as exc:
        raise fmt.damaged(en=type(exc).__name__) from None
    if digest.hexdigest() != header["payload_sha256"]:
        raise PackageRefused("同步包内容与签名记录的校验值不符（文件被改动），已拒绝", "payload checksum mismatch", code="checksum")


def _manifest(line: bytes, header: dict[str, Any], limits: Limits) -> dict[str, Any]:
    manifest = fmt.loads(line, "同步包清单")
    if not isinstance(manifest, dict):
        raise PackageRefused("同步包清单无法读取，已拒绝", "manifest is not an object", code="damaged")
    for k in ("sender", "receiver", "package_id", "format_version", "kind", "clock"):
        if manifest.get(k) != header.get(k):
            raise PackageRefused("同步包清单与包头不一致，已拒绝", f"manifest {k} differs from header", code="manifest")
    if not known_schema(str(manifest.get("schema_version", ""))[:400]):
        raise PackageRefused(f"同步包来自数据库结构更新的程序版本（{str(manifest.get('schema_version'))[:40]}），请先升级本机程序",
                             "package schema version unknown here", code="schema")
    ranges = manifest.get("ranges")
    have, missing, clash = manifest.get("have"), manifest.get("missing"), manifest.get("clash")
    ok = (
        isinstance(ranges, dict) and len(ranges) <= 10000
        and all(_is_str(s, 64) and isinstance(r, list) and len(r) == 2 and _is_int(r[0], 1) and _is_int(r[1], 1)
                and r[0] <= r[1] for s, r in ranges.items())
        and _is_int(manifest.get("count")) and manifest["count"] <= limits.max_changes
        and _is_int(manifest.get("records_version"), 1)
        and isinstance(have, dict) and all(_is_str(s, 64) and _is_int(v) for s, v in have.items())
        and isinstance(missing, dict) and all(
            _is_str(s, 64) and isinstance(r, list) and all(isinstance(x, list) and len(x) == 2 and _is_int(x[0])
                                                         and _is_int(x[1]) for x in r) for s, r in missing.items())
        and isinstance(clash, list) and all(isinstance(x, list) and len(x) == 4 and _is_str(x[0], 64) and _is_int(x[1])
                                            and _is_str(x[2], 40) and _is_str(x[3], 40) for x in clash)
        and isinstance(manifest.get("received"), list) and all(_is_str(x, 64) for x in manifest["received"])
        and _is_str(manifest.get("stream"), 64) and bool(records.STREAM.match(manifest["stream"]))
        and records.office_of_stream(manifest["stream"]) == header["sender"]
    )
    if not ok:
        raise PackageRefused("同步包清单不完整或格式不对，已拒绝", "manifest malformed", code="manifest")
    return manifest


PeerKeys = Callable[[Session, str], tuple[Any, Any]]
"""(signing key, exchange key) a registered peer office has here, None for each it lacks: the caller
(services.sync) looks them up in the office key store, so this module trusts only what it is handed."""


def verify(path: Path, session: Session, local: str, own_xkey: Any, limits: Limits, max_stamp: int,
           peer_keys: PeerKeys) -> Verified:
    path = Path(path)
    try:
        outer = fmt.read_outer(path, limits)
    except PackageRefused:
        raise
    except _ZIP_ERRORS as exc:
        raise fmt.damaged(en=type(exc).__name__) from None
    header = _header(outer.header_bytes, outer, local)
    sender = header["sender"]
    office = session.execute(select(Office).where(Office.code == sender, Office.is_local.is_(False))).scalar_one_or_none()
    skey, xkey = peer_keys(session, sender) if office is not None else (None, None)
    if office is None or skey is None or xkey is None:
        raise PackageRefused(f"发送单位 {sender} 未在本机登记（请先导入其单位名片），已拒绝",
                             f"sender {sender} is not a registered office", code="sender")
    if not crypto.verify(skey, outer.signature, outer.header_bytes):
        raise PackageRefused(f"同步包签名与单位 {sender} 登记的公钥不符：文件被改动，或并非该单位制作，已拒绝",
                             f"signature does not match the registered key of {sender}", code="signature")
    # Signed from here on: the sizes below are the sender's own statement, still bounded by our limits.
    if header["payload_size"] != outer.payload_size:
        raise PackageRefused("同步包内容的大小与签名记录的不符（文件被改动或不完整），已拒绝", "payload size mismatch",
                             code="checksum")
    content_size = header["content_size"]
    if content_size > limits.max_content:
        raise PackageRefused(f"同步包解压后将超过 {limits.max_content // 1024 // 1024} MB 的上限，已拒绝（未解压）",
                             "declared content too large", code="size")
    if content_size > fmt.SMALL and content_size > limits.max_ratio * outer.payload_size:
        raise PackageRefused("同步包的压缩比异常（可能是恶意构造的文件），已拒绝（未解压）", "compression ratio too high", code="size")
    try:
        digest = hashlib.sha256()
        for chunk in fmt.payload_chunks(path, outer.payload_size):
            digest.update(chunk)
    except PackageRefused:
        raise
    except _ZIP_ERRORS as exc:
        raise fmt.damaged(en=type(exc).__name__) from None
    if digest.hexdigest() != header["payload_sha256"]:
        raise PackageRefused("同步包内容与签名记录的校验值不符（文件被改动），已拒绝", "payload checksum mismatch", code="checksum")

    manifest: dict[str, Any] | None = None
    ranges: dict[str, list[int]] = {}
    positions: dict[str, list[tuple[int, str]]] = {}
    entries: list[tuple[str, int, str, int]] = []
    count = 0
    for n, line in enumerate(_lines(path, header, outer.payload_size, own_xkey, limits)):
        if n == 0:
            manifest = _manifest(line, header, limits)
            ranges = manifest["ranges"]
            continue
        count += 1
        if count > manifest["count"]:  # type: ignore[index]
            raise PackageRefused("同步包中的变更条数与清单不符，已拒绝", "more changes than announced", code="manifest")
        change = fmt.loads(line, "同步包中的变更")
        try:
            records.check_change(change, max_stamp)
        except records.BadChange as exc:
            theirs = manifest["records_version"]  # type: ignore[index]
            if exc.table and theirs > records.RECORDS_VERSION:
                raise PackageRefused(
                    f"同步包含有本机程序不认识的记录类型“{exc.table[:40]}”（对方的同步记录清单为第 {theirs} 版，本机为第 "
                    f"{records.RECORDS_VERSION} 版）：请先升级本机程序。本包未导入，不影响之后的同步包",
                    f"unknown record kind {exc.table!r}: upgrade this program", code="table") from None
            raise PackageRefused(f"{exc.zh}，已拒绝整个同步包（未写入任何数据，不影响之后的同步包）",
                                 exc.en, code="table" if exc.table else "change") from None
        stream, pos = records.stream_of(change), records.pos_of(change)
        r = ranges.get(stream)
        if r is None or not r[0] <= pos <= r[1] or records.office_of_stream(stream) != change["office"]:
            raise PackageRefused("同步包中有超出清单范围的变更，已拒绝", "change outside the announced ranges", code="manifest")
        positions.setdefault(stream, []).append((pos, change["id"]))
        entries.append((stream, pos, change["id"], change["stamp"]))
    if manifest is None:
        raise fmt.damaged(en="no manifest")
    if count != manifest["count"]:
        raise PackageRefused("同步包中的变更条数与清单不符，已拒绝", "change count mismatch", code="manifest")
    return Verified(path, header, manifest, count, fmt.file_sha256(path), outer.payload_size, own_xkey, limits,
                    positions=positions, entries=entries)
