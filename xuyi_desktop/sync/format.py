"""The package format: an outer zip (header.json, header.sig, payload.bin) whose payload is the AES-GCM
encrypted inner zip (manifest.json, changes.jsonl). Version 1."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from xuyi_desktop.domain.errors import DomainError

FORMAT = "xuyi-sync-package"
FORMAT_VERSION = 1
HEADER, SIGNATURE, PAYLOAD = "header.json", "header.sig", "payload.bin"
MANIFEST, CHANGES = "manifest.json", "changes.jsonl"
OUTER_NAMES = {HEADER, SIGNATURE, PAYLOAD}
INNER_NAMES = {MANIFEST, CHANGES}
MAX_ENTRY = 2 * 1024**3


class PackageRefused(DomainError):
    """A package that fails a check: nothing was written to the business tables."""

    def __init__(self, zh: str, en: str, *, code: str = "refused") -> None:
        self.message_zh, self.message_en, self.code = zh, en, code
        super().__init__(zh)


class SyncCancelled(DomainError):
    """The user cancelled an export or import: its transaction was rolled back, nothing was written."""

    message_zh = "已取消：数据库未作任何改动"
    message_en = "cancelled: nothing was written"


Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise SyncCancelled()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def unsafe_name(name: str) -> bool:
    """A member name that could escape the folder it would be extracted to (we never extract, but such a
    file was made by hand and is refused)."""
    n = name.replace("\\", "/")
    return n.startswith("/") or (len(n) > 1 and n[1] == ":") or any(part == ".." for part in n.split("/"))


def write_zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, data)
    return buf.getvalue()


def read_zip(data: bytes, allowed: set[str], what: str) -> dict[str, bytes]:
    """All members of a zip, refusing anything damaged, unexpected or escaping its folder."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise PackageRefused(f"{what}不完整或已损坏（可能复制中断或文件被截断），未导入任何数据",
                             f"{what}: not a complete zip file", code="damaged") from exc
    out: dict[str, bytes] = {}
    with zf:
        for info in zf.infolist():
            if unsafe_name(info.filename):
                raise PackageRefused(f"{what}中含有指向包外的路径“{info.filename}”，已拒绝",
                                     f"{what}: member path escapes the package: {info.filename}", code="path")
            if info.filename not in allowed or info.filename in out:
                raise PackageRefused(f"{what}中含有不应有的文件“{info.filename}”，已拒绝",
                                     f"{what}: unexpected member {info.filename}", code="unexpected")
            if info.file_size > MAX_ENTRY:
                raise PackageRefused(f"{what}中的文件过大，已拒绝", f"{what}: member too large", code="size")
            try:
                out[info.filename] = zf.read(info)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise PackageRefused(f"{what}已损坏（校验不符），未导入任何数据",
                                     f"{what}: member {info.filename} is damaged", code="damaged") from exc
    missing = allowed - set(out)
    if missing:
        raise PackageRefused(f"{what}不完整：缺少 {', '.join(sorted(missing))}", f"{what}: missing {sorted(missing)}", code="damaged")
    return out
