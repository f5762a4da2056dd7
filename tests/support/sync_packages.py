"""Packages made by hand for the tests of reading: validly signed by a registered office but with content our
writer would never produce (unknown tables, lying sizes, bombs), and damaged zips."""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xuyi_desktop.services import office_keys
from xuyi_desktop.storage.migrate import head_revision
from xuyi_desktop.sync import crypto, importing, records
from xuyi_desktop.sync import format as fmt


def change(office: str, seq: int, table: str = "entity", after: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A well-formed change (an entity insert unless told otherwise)."""
    rid = str(uuid.uuid4())
    image = after if after is not None else {
        "id": rid, "kind": "org", "name": "伪造的主体", "identifier": "91320830PYQLFT169T", "check_override_reason": None,
        "legal_representative": "", "address": "", "phone": "", "region_code": "320830", "status": "active", "notes": "",
        "categories": [], "licences": [], "version": 1, "deleted": False}
    return {"id": str(uuid.uuid4()), "office": office, "seq": seq, "at": "2026-12-01T08:00:00+00:00", "actor": "x",
            "table": table, "record_id": rid, "action": "insert", "version": 1, "summary": "伪造", "before": None,
            "after": image, "stamp": 1_764_576_000_000_000 + seq, **extra}


def forge(src: Any, receiver: str, out: Path, changes: list[dict[str, Any]], *, manifest: dict[str, Any] | None = None,
          content: bytes | Iterable[bytes] | None = None, content_size: int | None = None,
          header: dict[str, Any] | None = None, lines: list[bytes] | None = None, content_delta: int = 0) -> Path:
    """A package signed with `src`'s real key and sealed to `receiver`'s real key (as registered at src).

    `content`: the compressed bytes to encrypt instead of the deflated manifest + changes (e.g. a bomb);
    `content_size`: what the signed header claims the content inflates to (default: the truth);
    `lines`: raw lines to put after the manifest instead of the changes; `content_delta`: claim the true
    content size plus this."""
    with src.active():
        signing = office_keys.office_key(src.ctx)
        with src.ctx.transaction() as session:
            xkey = office_keys.peer_exchange_key(session, receiver)
    package_id = str(uuid.uuid4())
    stamp = 1_764_576_000_000_000
    ranges: dict[str, list[int]] = {}
    for c in changes:
        s, p = records.stream_of(c), records.pos_of(c)
        r = ranges.setdefault(s, [p, p])
        r[0], r[1] = min(r[0], p), max(r[1], p)
    m = {"format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "schema_version": head_revision(),
         "records_version": records.RECORDS_VERSION, "sender": src.code, "receiver": receiver, "package_id": package_id,
         "kind": "delta", "created_at": "2026-12-01T08:00:00+00:00", "clock": stamp, "ranges": ranges,
         "count": len(changes), "stream": src.code, "have": {}, "missing": {}, "clash": [], "received": []}
    m.update(manifest or {})
    h: dict[str, Any] = {"format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "sender": src.code,
                         "receiver": receiver, "package_id": package_id, "kind": "delta",
                         "created_at": m["created_at"], "clock": stamp}
    sealed, encryptor = crypto.seal_stream(xkey, importing.aad_of(h))
    h["sealed"] = sealed
    body = lines if lines is not None else [fmt.canonical(x) for x in changes]
    plain = b"".join(x + b"\n" for x in [fmt.canonical(m), *body])
    if content is None:
        blocks: Iterable[bytes] = [zlib.compress(plain)]
        true_size = len(plain) + content_delta
    else:
        blocks = [content] if isinstance(content, bytes) else content
        true_size = content_size or 0
    digest = hashlib.sha256()
    tmp = out.with_suffix(".payload")
    size = 0
    with open(tmp, "wb") as fh:
        for block in blocks:
            enc = encryptor.update(block)
            digest.update(enc)
            fh.write(enc)
            size += len(enc)
        tail = encryptor.finalize() + encryptor.tag
        digest.update(tail)
        fh.write(tail)
        size += len(tail)
    h.update({"payload_size": size, "payload_sha256": digest.hexdigest(),
              "content_size": content_size if content_size is not None else true_size})
    h.update(header or {})
    hb = fmt.canonical(h)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.write(tmp, fmt.PAYLOAD)
        zf.writestr(fmt.HEADER, hb)
        zf.writestr(fmt.SIGNATURE, crypto.sign(signing, hb))
    tmp.unlink()
    return out


MIB = 1024 * 1024


def repeated_deflate(block: bytes, times: int, *, wrapper: bool) -> tuple[bytes, int]:
    """DEFLATE data that inflates to `block` repeated `times` times, made without compressing it all: one
    block compressed with a full flush (no reference to earlier data) is a piece that can be repeated.
    Returns (compressed bytes, CRC-32 of the inflated data). wrapper: zlib format (header and Adler-32)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    end = comp.flush(zlib.Z_FINISH)
    crc, adler = 0, 1
    for _ in range(times):
        crc = zlib.crc32(block, crc)
        if wrapper:
            adler = zlib.adler32(block, adler)
    body = piece * times + end
    if wrapper:
        body = b"\x78\xda" + body + struct.pack(">I", adler)
    return body, crc


def deflated_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip whose members are given already DEFLATE-compressed: (name, compressed, crc32, inflated size)."""
    local, central, offset = bytearray(), bytearray(), 0
    for name, data, crc, size in members:
        encoded = name.encode()
        head = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        local += head + encoded + data
        offset += len(head) + len(encoded) + len(data)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)
    return bytes(local + central + end)


def zeros_deflated(n: int, *, line: bool = True) -> Iterable[bytes]:
    """A DEFLATE stream (zlib format) of n bytes: zero bytes broken into lines (or one endless line), made a
    chunk at a time so the test never holds it whole."""
    comp = zlib.compressobj(9)
    block = (b"0" * 1023 + b"\n") if line else b"0" * 1024
    chunk = block * 1024
    left = n
    while left > 0:
        part = chunk if left >= len(chunk) else chunk[:left]
        left -= len(part)
        out = comp.compress(part)
        if out:
            yield out
    yield comp.flush()


def set_member_flags(data: bytes, name: str, *, flag_bits: int | None = None, method: int | None = None) -> bytes:
    """Change a member's general-purpose flags or compression method in both its local and central headers."""
    raw = bytearray(data)
    encoded = name.encode()
    for sig, flag_at, method_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 8, 26, 30), (b"PK\x01\x02", 8, 10, 28, 46)):
        start = 0
        while (i := raw.find(sig, start)) >= 0:
            n = struct.unpack("<H", raw[i + name_len_at : i + name_len_at + 2])[0]
            if raw[i + name_at : i + name_at + n] == encoded:
                if flag_bits is not None:
                    raw[i + flag_at : i + flag_at + 2] = struct.pack("<H", flag_bits)
                if method is not None:
                    raw[i + method_at : i + method_at + 2] = struct.pack("<H", method)
            start = i + 4
    return bytes(raw)


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def rewrite_members(data: bytes, change: Any) -> bytes:
    import io

    zf = zipfile.ZipFile(io.BytesIO(data))
    items = [(n, zf.read(n)) for n in zf.namelist()]
    from sync_offices import write_zip

    return write_zip(change(items))


def header_of(data: bytes) -> dict[str, Any]:
    import io

    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read(fmt.HEADER))
