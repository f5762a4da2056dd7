"""Reading a package: every check before the database is written, then one transaction that applies it.

Checks, in order: a whole zip with only the expected members and no escaping path; the format and its
version; the receiver is this office; the sender is a registered office and the signature verifies with
its registered key; the ciphertext matches the signed checksum and decrypts with our key; the inner zip,
its manifest (same sender, receiver and package id; a schema this program knows), the checksum of the
changes file and every change within the announced ranges."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.migrate import alembic_config
from xuyi_desktop.storage.models import Office
from xuyi_desktop.storage.models_sync import SyncChange
from xuyi_desktop.sync import crypto
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync.format import PackageRefused


@dataclass
class Verified:
    header: dict[str, Any]
    manifest: dict[str, Any]
    changes: list[dict[str, Any]]
    file_sha256: str
    notes: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return str(self.header["sender"])

    @property
    def package_id(self) -> str:
        return str(self.header["package_id"])


def aad_of(header: dict[str, Any]) -> bytes:
    return f"{fmt.FORMAT}|{header['format_version']}|{header['sender']}|{header['receiver']}|{header['package_id']}".encode()


def known_schema(text: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    for rev in text.split("+"):
        try:
            if script.get_revision(rev) is None:
                return False
        except CommandError:
            return False
    return True


def verify(data: bytes, session: Session, local: str, own_xkey: Any) -> Verified:
    from xuyi_desktop.services import office_keys

    outer = fmt.read_zip(data, fmt.OUTER_NAMES, "同步包")
    try:
        header = json.loads(outer[fmt.HEADER].decode("utf-8"))
        assert isinstance(header, dict)
    except (UnicodeDecodeError, json.JSONDecodeError, AssertionError) as exc:
        raise PackageRefused("同步包的包头无法读取，已拒绝", "package header unreadable", code="damaged") from exc
    if header.get("format") != fmt.FORMAT:
        raise PackageRefused("这不是本系统的同步包", "not a sync package", code="format")
    if header.get("format_version") != fmt.FORMAT_VERSION:
        raise PackageRefused(
            f"同步包格式版本 {header.get('format_version')} 无法识别（本程序支持版本 {fmt.FORMAT_VERSION}），请升级程序",
            f"unknown package format version {header.get('format_version')}", code="version")
    sender, receiver = str(header.get("sender", "")), str(header.get("receiver", ""))
    if receiver != local:
        raise PackageRefused(f"此同步包是发给单位 {receiver} 的，不是本单位（{local}），已拒绝",
                             f"package is addressed to {receiver}, not {local}", code="receiver")
    office = session.execute(select(Office).where(Office.code == sender, Office.is_local.is_(False))).scalar_one_or_none()
    skey = office_keys.peer_signing_key(session, sender)
    if office is None or skey is None or office_keys.peer_exchange_key(session, sender) is None:
        raise PackageRefused(f"发送单位 {sender} 未在本机登记（请先导入其单位名片），已拒绝",
                             f"sender {sender} is not a registered office", code="sender")
    if not crypto.verify(skey, outer[fmt.SIGNATURE], outer[fmt.HEADER]):
        raise PackageRefused(f"同步包签名与单位 {sender} 登记的公钥不符：文件被改动，或并非该单位制作，已拒绝",
                             f"signature does not match the registered key of {sender}", code="signature")
    if fmt.sha256(outer[fmt.PAYLOAD]) != header.get("payload_sha256"):
        raise PackageRefused("同步包内容与签名记录的校验值不符（文件被改动），已拒绝", "payload checksum mismatch", code="checksum")
    try:
        inner_bytes = crypto.unseal(header["sealed"], outer[fmt.PAYLOAD], own_xkey, aad_of(header))
    except (crypto.InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise PackageRefused("同步包无法用本单位密钥解密（密钥不符或内容被改动），已拒绝", "cannot decrypt the package",
                             code="decrypt") from exc
    inner = fmt.read_zip(inner_bytes, fmt.INNER_NAMES, "同步包内容")
    try:
        manifest = json.loads(inner[fmt.MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageRefused("同步包清单无法读取，已拒绝", "manifest unreadable", code="damaged") from exc
    for k in ("sender", "receiver", "package_id", "format_version"):
        if manifest.get(k) != header.get(k):
            raise PackageRefused("同步包清单与包头不一致，已拒绝", f"manifest {k} differs from header", code="manifest")
    if not known_schema(str(manifest.get("schema_version", ""))):
        raise PackageRefused(f"同步包来自数据库结构更新的程序版本（{manifest.get('schema_version')}），请先升级本机程序",
                             "package schema version unknown here", code="schema")
    body = inner[fmt.CHANGES]
    expected = (manifest.get("files") or {}).get(fmt.CHANGES) or {}
    if fmt.sha256(body) != expected.get("sha256") or len(body) != expected.get("size"):
        raise PackageRefused("同步包中的变更文件校验值不符，已拒绝", "changes file checksum mismatch", code="checksum")
    try:
        changes = [json.loads(line) for line in body.decode("utf-8").splitlines() if line]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageRefused("同步包中的变更无法读取，已拒绝", "changes unreadable", code="damaged") from exc
    ranges = manifest.get("ranges") or {}
    if len(changes) != manifest.get("count"):
        raise PackageRefused("同步包中的变更条数与清单不符，已拒绝", "change count mismatch", code="manifest")
    for c in changes:
        r = ranges.get(c.get("office"))
        if not r or not (r[0] <= int(c.get("seq", -1)) <= r[1]):
            raise PackageRefused("同步包中有超出清单范围的变更，已拒绝", "change outside the announced ranges", code="manifest")
    return Verified(header, manifest, changes, fmt.sha256(data))


def held_and_missing(session: Session, have: dict[str, int]) -> dict[str, list[tuple[int, int]]]:
    """Per origin office, the seq ranges missing before the changes held in the backlog."""
    result: dict[str, list[tuple[int, int]]] = {}
    rows = session.execute(select(SyncChange.office_code, SyncChange.seq).where(SyncChange.status == "pending")
                           .order_by(SyncChange.office_code, SyncChange.seq)).all()
    expected: dict[str, int] = {}
    for origin, seq in rows:
        nxt = expected.get(origin, have.get(origin, 0) + 1)
        if seq > nxt:
            result.setdefault(origin, []).append((nxt, seq - 1))
        expected[origin] = seq + 1
    return result
