"""The signed verification code printed as a QR code on every verifiable document.

The payload is plain ASCII so that a USB QR scanner (a keyboard to the computer) can type it into any
field:

    XY1|CERT|TMP-AB12CD-CERT-2026-000001|TMP-AB12CD|2026-03-05|u=91320830PYQLFT169T;d=highway_construction;g=AA;n=~5Y2B6L6-…|<sig>

fields: format version, document type, serial, issuing office code, issue date (ISO), key facts as
`key=value` pairs joined by ";", and the Ed25519 signature (base64url, no padding) over the UTF-8 bytes of
everything before the last "|". A fact value that is not plain ASCII (a Chinese name) is written as "~" +
base64url of its UTF-8 bytes. Signing and key lookup live in services.office_keys; this module only
builds, parses and draws.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import segno
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from xuyi_desktop.printing.qr_encode import encode_rows, fast_path

VERSION = "XY1"
SEP = "|"
DOC_TYPES = {
    "CERT": "信用等级证书", "HC": "信用核查结果单", "GS": "信用评价结果公示名单", "XB": "信用报告", "ZX": "专项信用报告",
    "XF": "信用修复告知书", "MD": "名单公布",
    "JF": "信用积分明细",
    "RW": "建设任务进展情况", "ZB": "建设指标完成情况",
}
_PLAIN = re.compile(r"[A-Za-z0-9._:@*/+\-]*")  # safe to type, no separator characters
_KEY = re.compile(r"[a-z][a-z0-9_]{0,15}")


class PayloadFormatError(ValueError):
    """Not a verification code of this system (or damaged beyond parsing)."""


@dataclass(frozen=True)
class Payload:
    version: str
    doc_type: str
    serial: str
    office: str
    issued_on: dt.date
    facts: dict[str, str]
    signature: bytes
    signed_text: str  # exactly the bytes the signature covers, as text


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_value(value: str) -> str:
    return value if _PLAIN.fullmatch(value) else "~" + b64u(value.encode("utf-8"))


def decode_value(value: str) -> str:
    if value.startswith("~"):
        return b64u_decode(value[1:]).decode("utf-8")
    return value


def encode_facts(facts: Mapping[str, object]) -> str:
    parts = []
    for key, value in facts.items():
        if not _KEY.fullmatch(key):
            raise ValueError(f"bad fact key {key!r}")
        if value is None or value == "":
            continue
        parts.append(f"{key}={encode_value(str(value))}")
    return ";".join(parts)


def decode_facts(text: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    if not text:
        return facts
    for part in text.split(";"):
        key, eq, value = part.partition("=")
        if not eq or not _KEY.fullmatch(key):
            raise PayloadFormatError(f"bad fact {part!r}")
        facts[key] = decode_value(value)
    return facts


def signed_part(doc_type: str, serial: str, office: str, issued_on: dt.date, facts: Mapping[str, object]) -> str:
    for name, field in (("doc type", doc_type), ("serial", serial), ("office", office)):
        if not field or not _PLAIN.fullmatch(field):
            raise ValueError(f"{name} must be plain ASCII: {field!r}")
    return SEP.join((VERSION, doc_type, serial, office, issued_on.isoformat(), encode_facts(facts)))


def build_payload(
    doc_type: str, serial: str, office: str, issued_on: dt.date, facts: Mapping[str, object],
    sign: Callable[[bytes], bytes],
) -> str:
    """The complete code text: the signed part, "|", the signature."""
    body = signed_part(doc_type, serial, office, issued_on, facts)
    return body + SEP + b64u(sign(body.encode("utf-8")))


def parse_payload(text: str) -> Payload:
    """Split a scanned or typed code; raises PayloadFormatError if it is not one of ours."""
    text = text.strip().strip("\ufeff")
    body, sep, sig = text.rpartition(SEP)
    if not sep:
        raise PayloadFormatError("no signature")
    fields = body.split(SEP)
    if len(fields) != 6 or fields[0] != VERSION:
        raise PayloadFormatError("not an XY1 code")
    _, doc_type, serial, office, issued, facts_text = fields
    try:
        issued_on = dt.date.fromisoformat(issued)
        signature = b64u_decode(sig)
    except ValueError as exc:
        raise PayloadFormatError(str(exc)) from exc
    try:
        facts = decode_facts(facts_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadFormatError(str(exc)) from exc
    return Payload(VERSION, doc_type, serial, office, issued_on, facts, signature, body)


def qr_rows(text: str) -> list[str]:
    """The QR code's modules as rows of "0" and "1" (error correction M: a smudge or a fold must not make it
    unreadable). The symbol is segno's, mask included; the payloads (byte mode) are encoded by qr_encode,
    the same modules about ten times faster, anything else by segno itself."""
    data = fast_path(text)
    if data is not None:
        return encode_rows(data)[0]
    code = segno.make_qr(text, error="m", boost_error=False)
    return ["".join("1" if v else "0" for v in row) for row in code.matrix]


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules, row by row (True is dark)."""
    return [[v == "1" for v in row] for row in qr_rows(text)]


# A complete code inside extracted PDF text: the signature is always 64 bytes = 86 base64url characters, so
# text that an extractor glues on after it (same baseline) is never taken for part of the code.
PAYLOAD_IN_TEXT = re.compile(r"XY1\|(?:[^|\s]*\|){5}[A-Za-z0-9_-]{86}")


def find_payloads(text: str) -> list[str]:
    """Every code found in a document's extracted text, in order, duplicates dropped."""
    return list(dict.fromkeys(PAYLOAD_IN_TEXT.findall(text)))


def _embedded_font(canvas: Canvas, font: str | None) -> str | None:
    """The font for the invisible payload text: the one given, else the canvas's current font if it is an
    embedded (TrueType) one. Never one of the 14 standard fonts (those are not embedded)."""
    name = font or getattr(canvas, "_fontname", None)
    if not name or name in pdfmetrics.standardFonts:
        return None
    try:
        face = pdfmetrics.getFont(name)
    except KeyError:
        return None
    return name if isinstance(face, TTFont) else None


def draw_payload_text(canvas: Canvas, text: str, x: float, y: float, width: float, *, font: str | None = None) -> bool:
    """Put the code as invisible text (render mode 3) in the box's lower edge, so `xuyi verify FILE.pdf` can
    read it from the file without any image tools. Only in an embedded font; returns False if none."""
    name = _embedded_font(canvas, font)
    if name is None:
        return False
    natural = pdfmetrics.stringWidth(text, name, 1) or 1.0
    size = max(0.5, min(2.0, width / natural))
    canvas.saveState()
    t = canvas.beginText(x, y + 0.5)
    t.setTextRenderMode(3)
    t.setFont(name, size)
    t.textOut(text)
    canvas.drawText(t)
    canvas.restoreState()
    return True


_DARK_RUN = re.compile("1+")


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float, *, quiet_zone: int = 4,
            text_font: str | None = None) -> None:
    """Draw the code as vector rectangles in the square (x, y, size) (y is the bottom), a white quiet
    zone of `quiet_zone` modules included so nothing printed close by can disturb a scanner.

    The payload also goes on the page as invisible text under the code, in `text_font` (or the canvas's
    current font when that is embedded), for verification straight from the PDF file."""
    from xuyi_desktop.printing.layout import place

    place(canvas, "qr", x, y, x + size, y + size)
    rows = qr_rows(text)
    n = len(rows)
    module = size / (n + 2 * quiet_zone)
    draw_payload_text(canvas, text, x, y, size, font=text_font)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # In module units with y downwards, every rectangle has integer corners: the operators are written
    # directly (ReportLab's float formatting of some thousand rectangles would cost more than the page).
    canvas.translate(x + quiet_zone * module, y + size - quiet_zone * module)
    canvas.scale(module, -module)
    # A hair of overlap, so no white seams show between modules when rasterised.
    ops: list[str] = []
    for r, row in enumerate(rows):
        at_row = f" {r} "
        ops += [f"{start}{at_row}{end - start}.03 1.03 re" for start, end in map(re.Match.span, _DARK_RUN.finditer(row))]
    canvas._code.append("n " + " ".join(ops) + " f")
    canvas.restoreState()
