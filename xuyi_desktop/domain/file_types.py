"""What an attached file is, by its content (never by its name): documents and images only.

`.bat`, `.exe` and `.hta` files were accepted as attachments, cached under their own extension and opened with
the system's default handler. Now a file is attached only when its first bytes say it is one of the kinds
below, and it is cached and handed on under that kind's extension, whatever it was called.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    extension: str
    image: bool = False


PDF = FileKind("pdf", "PDF 文档", ".pdf")
OFD = FileKind("ofd", "OFD 版式文档", ".ofd")
DOCX = FileKind("docx", "Word 文档", ".docx")
XLSX = FileKind("xlsx", "Excel 表格", ".xlsx")
OLE = FileKind("ole", "Word/Excel/WPS 文档（旧格式）", ".doc")
JPEG = FileKind("jpeg", "JPEG 图片", ".jpg", image=True)
PNG = FileKind("png", "PNG 图片", ".png", image=True)
GIF = FileKind("gif", "GIF 图片", ".gif", image=True)
BMP = FileKind("bmp", "BMP 图片", ".bmp", image=True)
TIFF = FileKind("tiff", "TIFF 图片", ".tif", image=True)

ALLOWED_TEXT = "PDF、OFD、Word/Excel/WPS 文档或图片（JPG、PNG、GIF、BMP、TIFF）"


def _zip_kind(data: bytes) -> FileKind | None:
    """OOXML (docx/xlsx, macro-free) or OFD, told apart by the parts they must have."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "OFD.xml" in names:
                return OFD
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            types = zf.read("[Content_Types].xml")
            if b"macroEnabled" in types:
                return None
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


def sniff(data: bytes) -> FileKind | None:
    """The kind of a file by its content, or None when it is not a document or image we accept."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM") and len(data) > 26:
        return BMP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None
