"""Hostile spreadsheets for the security tests, made on the spot: a zip bomb and a workbook with a DTD."""

from __future__ import annotations

import binascii
import struct
import zlib
from pathlib import Path

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"


def _write_zip(path: Path, members: list[tuple[str, int, bytes, int, int]]) -> None:
    """members: (name, method 0/8, data as stored, crc32, uncompressed size). No zip64: sizes < 4 GiB."""
    local, central = bytearray(), bytearray()
    for name, method, data, crc, size in members:
        raw = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0) + raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw),
                               0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


def _stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    return name, 0, data, binascii.crc32(data), len(data)


def zip_bomb(path: Path, inflated: int = (4 << 30) - (128 << 20)) -> Path:
    """An .xlsx of about 4 MB whose sheet inflates to almost 4 GiB of XML whitespace (deflate's limit, ~1030:1).

    Built in a second or two: the spaces are deflated in 64 MiB chunks each ended by a full flush, so every
    chunk compresses to the same bytes, made once."""
    chunk_size = 64 << 20
    chunk = b" " * chunk_size
    count = (inflated - len(SHEET_HEAD) - len(SHEET_TAIL)) // chunk_size
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    first = comp.compress(SHEET_HEAD) + comp.flush(zlib.Z_FULL_FLUSH)
    body = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = binascii.crc32(SHEET_HEAD)
    for _ in range(count):
        crc = binascii.crc32(chunk, crc)
    last = comp.compress(SHEET_TAIL) + comp.flush()
    crc = binascii.crc32(SHEET_TAIL, crc)
    data = first + body * count + last
    size = len(SHEET_HEAD) + count * chunk_size + len(SHEET_TAIL)
    _write_zip(path, [
        _stored("[Content_Types].xml", _CONTENT_TYPES), _stored("_rels/.rels", _RELS), _stored("xl/workbook.xml", _WORKBOOK),
        _stored("xl/_rels/workbook.xml.rels", _WB_RELS), ("xl/worksheets/sheet1.xml", 8, data, crc, size),
    ])
    return path


def with_dtd(path: Path) -> Path:
    """A small workbook whose sheet declares entities (a "billion laughs" in miniature)."""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY a "AAAAAAAAAA">'
             b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    _write_zip(path, [
        _stored("[Content_Types].xml", _CONTENT_TYPES), _stored("_rels/.rels", _RELS), _stored("xl/workbook.xml", _WORKBOOK),
        _stored("xl/_rels/workbook.xml.rels", _WB_RELS), _stored("xl/worksheets/sheet1.xml", sheet),
    ])
    return path
