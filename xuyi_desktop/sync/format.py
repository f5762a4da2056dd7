"""The package format (version 2) and reading it within bounds.

A package is a zip of three members, all stored (never compressed at the zip level):

    header.json   the signed header (canonical JSON, at most max_header_kb): format, version, sender, receiver,
                  package id, kind, sender's clocks, the sealed content key, payload size and SHA-256, and the
                  size of the content once inflated
    header.sig    64 bytes: the sender's Ed25519 signature of header.json
    payload.bin   AES-256-GCM ciphertext (tag last) of the DEFLATE-compressed content: UTF-8 lines, the first
                  the manifest (JSON), each further line one change (JSON)

Reading never trusts a size it has not checked: the zip's own directory is bounded before it is parsed, each
member's declared size is checked before it is read and read through a running cap, the header's signature is
verified before one byte of the payload is decrypted, the payload must have exactly the signed size and hash,
and it is decrypted and inflated as a stream with a cap on the inflated size (the signed size, the configured
maximum and a ratio to the compressed size). Nothing is ever whole in memory but one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.sync.settings import Limits

FORMAT = "xuyi-sync-package"
FORMAT_VERSION = 2
HEADER, SIGNATURE, PAYLOAD = "header.json", "header.sig", "payload.bin"
OUTER_NAMES = {HEADER, SIGNATURE, PAYLOAD}
SIGNATURE_SIZE = 64
TAG_SIZE = 16
CHUNK = 1024 * 1024
COMPRESS_LEVEL = 6
SMALL = 1024 * 1024  # below this inflated size the ratio cap does not apply (tiny packages compress badly)


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


def damaged(what: str = "同步包", en: str = "damaged") -> PackageRefused:
    return PackageRefused(f"{what}不完整或已损坏（可能复制中断、文件被截断或被改动），未导入任何数据",
                          f"package damaged: {en}", code="damaged")


def loads(data: bytes, what: str) -> Any:
    """JSON from untrusted bytes: any failure (bad UTF-8, bad JSON, nesting deep enough to exhaust the
    stack) is a refusal, never an exception of another kind."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
        raise PackageRefused(f"{what}无法读取（格式不对或已损坏），已拒绝", f"{what}: unreadable JSON ({type(exc).__name__})",
                             code="damaged") from None


def unsafe_name(name: str) -> bool:
    """A member name that could escape the folder it would be extracted to (we never extract, but such a
    file was made by hand and is refused)."""
    n = name.replace("\\", "/")
    return n.startswith("/") or (len(n) > 1 and n[1] == ":") or any(part == ".." for part in n.split("/"))


# --- reading --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outer:
    path: Path
    header_bytes: bytes
    signature: bytes
    payload_size: int
    file_size: int


def _central_directory_bounded(path: Path, size: int) -> None:
    """Refuse before zipfile parses the directory if it claims more than three entries or more than 64 KiB
    (zipfile would read a directory of any size into memory)."""
    with open(path, "rb") as fh:
        tail_len = min(size, 65536 + 22)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise damaged(en="no end of central directory")
    entries, cd_size = struct.unpack("<H", tail[at + 10 : at + 12])[0], struct.unpack("<I", tail[at + 12 : at + 16])[0]
    if (entries != 0xFFFF and entries > 8) or (cd_size != 0xFFFFFFFF and cd_size > 65536):
        raise PackageRefused("同步包中含有不应有的文件，已拒绝", "too many members or directory too large", code="unexpected")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise PackageRefused("同步包中的文件超过规定大小，已拒绝", f"member {info.filename} too large", code="size")
    return data


def read_outer(path: Path, limits: Limits) -> Outer:
    """The three members, checked, with header and signature read (bounded); the payload is only measured."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageRefused(f"无法读取同步包文件：{path}", f"cannot read {path}", code="io") from exc
    if not path.is_file():
        raise PackageRefused(f"不是同步包文件：{path}", f"not a file: {path}", code="io")
    if size > limits.max_package:
        raise PackageRefused(f"同步包文件超过 {limits.max_package // 1024 // 1024} MB 的上限，已拒绝", "package file too large",
                             code="size")
    if size < 22:
        raise damaged(en="file too short")
    _central_directory_bounded(path, size)
    zf = zipfile.ZipFile(path)
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for info in infos:
            if unsafe_name(info.filename):
                raise PackageRefused(f"同步包中含有指向包外的路径“{info.filename[:80]}”，已拒绝",
                                     f"member path escapes the package: {info.filename[:80]}", code="path")
            if info.filename not in OUTER_NAMES or names.count(info.filename) > 1:
                raise PackageRefused(f"同步包中含有不应有的文件“{info.filename[:80]}”，已拒绝",
                                     f"unexpected member {info.filename[:80]}", code="unexpected")
            if info.flag_bits & 0x1:
                raise PackageRefused("同步包中的文件被另行加密（不是本系统制作的同步包），已拒绝", "member is zip-encrypted",
                                     code="unexpected")
            if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                raise PackageRefused("同步包中的文件使用了本系统不用的压缩方式（不是本系统制作的同步包），已拒绝",
                                     f"member {info.filename} is compressed (method {info.compress_type})",
                                     code="unexpected")
        missing = OUTER_NAMES - set(names)
        if missing:
            raise damaged(en=f"missing {sorted(missing)}")
        by_name = {i.filename: i for i in infos}
        if by_name[HEADER].file_size > limits.max_header or by_name[SIGNATURE].file_size != SIGNATURE_SIZE:
            raise PackageRefused("同步包的包头或签名大小不对，已拒绝", "header or signature has the wrong size", code="size")
        if by_name[PAYLOAD].file_size > limits.max_package or by_name[PAYLOAD].file_size < TAG_SIZE:
            raise damaged(en="payload size")
        header = _read_member(zf, by_name[HEADER], limits.max_header)
        signature = _read_member(zf, by_name[SIGNATURE], SIGNATURE_SIZE)
    return Outer(path, header, signature, by_name[PAYLOAD].file_size, size)


def payload_chunks(path: Path, expected_size: int) -> Iterator[bytes]:
    """The payload member as it is on disk (stored), chunk by chunk, never more than its checked size."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(PAYLOAD)
        if info.file_size != expected_size or info.compress_type != zipfile.ZIP_STORED:
            raise damaged(en="payload changed while reading")
        seen = 0
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                if seen > expected_size:
                    raise damaged(en="payload longer than declared")
                yield chunk
        if seen != expected_size:
            raise damaged(en="payload shorter than declared")


def content_lines(chunks: Iterable[bytes], decryptor: Any, *, content_size: int, limits: Limits,
                  digest: Any) -> Iterator[bytes]:
    """Decrypt and inflate the payload as a stream and yield its lines (without the newline).

    The last TAG_SIZE bytes are the GCM tag, checked at the end (an exception then, after lines were yielded:
    the caller treats everything it read as unconfirmed until the generator is exhausted). `digest` receives
    the ciphertext, so the caller can compare it with the signed hash. Refuses as soon as the inflated size
    passes `content_size`, or a line passes max_line."""
    inflater = zlib.decompressobj()
    total = 0
    pending = bytearray()
    tail = b""

    def inflate(data: bytes) -> Iterator[bytes]:
        nonlocal total
        while data:
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error:
                raise damaged(en="content does not inflate") from None
            data = inflater.unconsumed_tail
            total += len(out)
            if total > content_size:
                raise PackageRefused("同步包解压后的大小超过包头中声明的大小（可能是恶意构造的文件），已拒绝",
                                     "content inflates beyond its declared size", code="size")
            if inflater.eof and inflater.unused_data:
                raise damaged(en="data after the compressed content")
            yield out

    def lines(out: bytes) -> Iterator[bytes]:
        start = 0
        while True:
            nl = out.find(b"\n", start)
            if nl < 0:
                pending.extend(out[start:])
                if len(pending) > limits.max_line:
                    raise PackageRefused("同步包中有一条变更超过规定大小，已拒绝", "a line is too long", code="size")
                return
            if pending:
                pending.extend(out[start:nl])
                line = bytes(pending)
                pending.clear()
            else:
                line = out[start:nl]
            if len(line) > limits.max_line:
                raise PackageRefused("同步包中有一条变更超过规定大小，已拒绝", "a line is too long", code="size")
            yield line
            start = nl + 1

    for chunk in chunks:
        digest.update(chunk)
        data = tail + chunk
        tail, data = data[-TAG_SIZE:], data[:-TAG_SIZE]
        if data:
            for out in inflate(decryptor.update(data)):
                yield from lines(out)
    for out in inflate(decryptor.finalize_with_tag(tail)):
        yield from lines(out)
    if not inflater.eof or pending or total != content_size:
        raise damaged(en="content incomplete")


# --- writing --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    size: int
    payload_size: int
    payload_sha256: str
    content_size: int
    file_sha256: str


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def write_package(out: Path, lines: Iterable[bytes], encryptor: Any,
                  sign_header: Callable[[dict[str, Any]], tuple[bytes, bytes]],
                  cancelled: Cancelled | None = None) -> Written:
    """Stream `lines` (each without its newline) through DEFLATE and the encryptor into payload.bin, then
    add the header (sign_header gets payload size, hash and content size and returns (header, signature)).
    Written to a temporary name in the same folder, flushed to the device and renamed: a pulled USB stick
    never leaves a half file that looks whole."""
    out = Path(out)
    if out.exists() and not out.is_file():
        raise PackageRefused(f"不能写到 {out}：这不是一个普通文件", f"{out} is not a regular file", code="io")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    deflater = zlib.compressobj(COMPRESS_LEVEL)
    digest = hashlib.sha256()
    content_size = payload_size = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            info = zipfile.ZipInfo(PAYLOAD, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=True) as fh:

                def put(data: bytes) -> None:
                    nonlocal payload_size
                    if data:
                        enc = encryptor.update(data)
                        digest.update(enc)
                        payload_size += len(enc)
                        fh.write(enc)

                buffer: list[bytes] = []
                buffered = 0
                for n, line in enumerate(lines):
                    if n % 2000 == 0:
                        check(cancelled)
                    buffer.append(line)
                    buffer.append(b"\n")
                    buffered += len(line) + 1
                    if buffered >= CHUNK:
                        block = b"".join(buffer)
                        content_size += len(block)
                        put(deflater.compress(block))
                        buffer, buffered = [], 0
                block = b"".join(buffer)
                content_size += len(block)
                put(deflater.compress(block))
                put(deflater.flush())
                put(encryptor.finalize())
                tag = encryptor.tag
                digest.update(tag)
                payload_size += len(tag)
                fh.write(tag)
            header, signature = sign_header({"payload_size": payload_size, "payload_sha256": digest.hexdigest(),
                                             "content_size": content_size})
            for name, data in ((HEADER, header), (SIGNATURE, signature)):
                member = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_STORED
                zf.writestr(member, data)
        check(cancelled)
        file_digest = hashlib.sha256()
        with open(tmp, "rb+") as fh:
            while block := fh.read(CHUNK):
                file_digest.update(block)
            fh.flush()
            os.fsync(fh.fileno())
        size = tmp.stat().st_size
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(out.parent)
    return Written(size, payload_size, digest.hexdigest(), content_size, file_digest.hexdigest())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
