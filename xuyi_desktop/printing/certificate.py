"""信用等级证书: one A4 page per certificate, drawn like an official certificate: a double frame with corner
ornaments, the title, a statement paragraph, the grade in large type, the particulars, the issuing organ and
date under the seal area, the serial number and the signed QR code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import Cancelled, PrintCancelled, Progress, binary_streams, new_canvas
from xuyi_desktop.printing.qr import draw_qr

FRAME_RED = colors.Color(0.66, 0.11, 0.12)
GOLD = colors.Color(0.72, 0.55, 0.22)
SOBER_INK = colors.Color(0.20, 0.22, 0.25)
SOBER_RULE = colors.Color(0.55, 0.56, 0.58)


@dataclass(frozen=True)
class CertificateLook:
    """How a certificate of a grade looks: red and gold with ornaments for the good grades (an honour the
    entity may hang on the wall), plain ink with a single thin frame for the others (a record, not a prize)."""

    festive: bool
    frame: colors.Color
    accent: colors.Color
    title: colors.Color
    grade: colors.Color


FESTIVE_LOOK = CertificateLook(True, FRAME_RED, GOLD, FRAME_RED, FRAME_RED)
SOBER_LOOK = CertificateLook(False, SOBER_INK, SOBER_RULE, L.INK, L.INK)


def look_for(grade: str) -> CertificateLook:
    """A, AA, AAA (and A-级 variants) are good grades; B, C, D and anything else are printed plainly."""
    return FESTIVE_LOOK if grade.strip().upper().startswith("A") else SOBER_LOOK
PREVIEW_SERIAL = "样张（未编号）"
PERSON_LABEL = "身份证号码"


@dataclass(frozen=True)
class CertificateData:
    serial: str
    entity_name: str
    identifier: str  # masked already where the entity is a person
    identifier_label: str  # 统一社会信用代码 / 身份证号码
    domain_name: str
    period: int
    grade: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    organ: str
    issued_on: dt.date
    document_no: str = ""
    qr_payload: str | None = None
    preview: bool = False  # a 样张: watermarked, unnumbered, no code


def _frame(c: Canvas, look: CertificateLook = FESTIVE_LOOK) -> None:
    w, h = L.PAGE_WIDTH, L.PAGE_HEIGHT
    if not look.festive:  # one thin rule, no ornaments
        c.saveState()
        c.setStrokeColor(look.frame)
        c.setLineWidth(1.2)
        c.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
        c.setStrokeColor(look.accent)
        c.setLineWidth(0.4)
        c.rect(14 * mm, 14 * mm, w - 28 * mm, h - 28 * mm)
        c.restoreState()
        return
    c.saveState()
    c.setStrokeColor(FRAME_RED)
    c.setLineWidth(3.2)
    c.rect(11 * mm, 11 * mm, w - 22 * mm, h - 22 * mm)
    c.setLineWidth(0.8)
    c.rect(14 * mm, 14 * mm, w - 28 * mm, h - 28 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.5)
    c.rect(15.6 * mm, 15.6 * mm, w - 31.2 * mm, h - 31.2 * mm)
    # Corner ornaments: a square set on the inner frame with a diamond inside.
    c.setStrokeColor(FRAME_RED)
    s = 9 * mm
    for x, y in ((14 * mm, 14 * mm), (w - 14 * mm, 14 * mm), (14 * mm, h - 14 * mm), (w - 14 * mm, h - 14 * mm)):
        c.setFillColor(colors.white)
        c.setLineWidth(0.8)
        c.rect(x - s / 2, y - s / 2, s, s, stroke=1, fill=1)
        c.setFillColor(FRAME_RED)
        d = s * 0.32
        p = c.beginPath()
        p.moveTo(x, y + d)
        p.lineTo(x + d, y)
        p.lineTo(x, y - d)
        p.lineTo(x - d, y)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def _rule(c: Canvas, y: float, half: float, look: CertificateLook = FESTIVE_LOOK) -> None:
    """A short ornamental rule under the title: line, diamond, line (a plain line on a sober certificate)."""
    cx = L.PAGE_WIDTH / 2
    c.saveState()
    c.setStrokeColor(look.frame)
    c.setFillColor(look.frame)
    if not look.festive:
        c.setLineWidth(0.6)
        c.line(cx - half, y, cx + half, y)
        c.restoreState()
        return
    c.setLineWidth(0.8)
    c.line(cx - half, y, cx - 3 * mm, y)
    c.line(cx + 3 * mm, y, cx + half, y)
    p = c.beginPath()
    p.moveTo(cx, y + 1.6 * mm)
    p.lineTo(cx + 1.6 * mm, y)
    p.lineTo(cx, y - 1.6 * mm)
    p.lineTo(cx - 1.6 * mm, y)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


def _validity(d: CertificateData) -> str:
    if d.valid_from and d.valid_until:
        return f"{L.cn_date(d.valid_from)}至{L.cn_date(d.valid_until)}"
    if d.valid_until:
        return f"至{L.cn_date(d.valid_until)}"
    return "—"


def draw_certificate(c: Canvas, d: CertificateData, fonts: DocumentFonts) -> None:
    """Draw one certificate on the current page (the caller calls showPage)."""
    w = L.PAGE_WIDTH
    left, right = 30 * mm, w - 30 * mm
    width = right - left
    look = look_for(d.grade)
    _frame(c, look)

    # Serial top right, title, ornamental rule.
    small = L.TextStyle(fonts.body.name, 10.5, 10.5, "right", color=L.GREY)
    L.draw_aligned(c, left, L.PAGE_HEIGHT - 25 * mm, width, f"证书编号：{d.serial}", small, name="serial")
    if look.festive:
        title = L.title_style(fonts, size=40, leading=40, char_space=12, color=look.title, bold=True)
    else:
        title = L.title_style(fonts, size=32, leading=32, char_space=8, color=look.title, bold=False)
    L.draw_aligned(c, left, L.PAGE_HEIGHT - 52 * mm, width, "信用等级证书", title, name="title")
    _rule(c, L.PAGE_HEIGHT - 61 * mm, 38 * mm, look)

    # The entity addressed, then the statement; a long name shrinks a little, then wraps (at most three lines).
    body = L.TextStyle(fonts.body.name, 16, 30, "justify", 2.0)
    addressee = L.TextStyle(fonts.body.name, 16, 30, "left", 0.0)
    addressee, name_lines = L.fit_lines(f"{d.entity_name}：", addressee, width, max_lines=3, min_size=13)
    if len(name_lines) > 1:
        addressee = addressee.with_(leading=addressee.size * 1.5)
        name_lines = L.layout_lines(f"{d.entity_name}：", addressee, width)
    y = L.draw_lines(c, name_lines, left, L.PAGE_HEIGHT - 72 * mm, width, addressee, name="addressee")
    you = "你" if d.identifier_label == PERSON_LABEL else "你单位"
    statement = f"经评定，{you}在{d.period}年度{d.domain_name}信用评价中，信用等级为："
    y = L.draw_paragraph(c, statement, left, y, width, body, name="statement")

    # The particulars: labels spread to one width (分散对齐), values on ruled lines beside them.
    rows = [
        ("主体名称", d.entity_name),
        (d.identifier_label, d.identifier),
        ("评价领域", d.domain_name),
        ("有效期限", _validity(d)),
    ]
    if d.document_no:
        rows.append(("评定文号", d.document_no))
    lx = left + 10 * mm
    vright = right - 10 * mm

    # Long names and document numbers must not run into the seal area: take the first of these
    # (grade size, gap below the statement, particulars size, leading) whose block ends above it.
    qr_size = 30 * mm
    issuer = L.issuer_layout(d.organ, d.issued_on, fonts, date_baseline=40 * mm, right=right, size=16,
                             left=left + qr_size + 5 * mm)
    floor = issuer.placement.top + 1 * mm  # the top of the seal circle (or of a long organ's first line)
    for grade_size, grade_gap, size, leading in ((88, 36, 14, 22), (72, 30, 14, 22), (64, 27, 12, 18), (56, 24, 11, 15),
                                                 (48, 21, 10.5, 13.5), (40, 18, 9, 11.5)):
        label = L.TextStyle(fonts.body.name, size, size, "distribute")
        value = L.TextStyle(fonts.body.name, size, leading, "left")
        label_w = L.text_width("统一社会信用代码", label)
        vx = lx + label_w + size + 2
        laid = [(name, L.layout_lines(text, value, vright - vx)) for name, text in rows]
        gy = y - grade_gap * mm
        top = gy - grade_size * 0.25 * mm
        bottom = top - sum(leading * len(lines) + 6 for _, lines in laid)
        if bottom >= floor:
            break

    # The grade, large.
    grade_style = L.TextStyle(fonts.title.name, grade_size, grade_size, "left", color=look.grade, bold=look.festive, char_space=4)
    ji_style = L.TextStyle(fonts.title.name, grade_size * 0.39, grade_size * 0.39, "left", color=look.grade, bold=look.festive)
    gw, jw = L.text_width(d.grade, grade_style), L.text_width("级", ji_style)
    gx = (w - gw - jw - 3 * mm) / 2
    L.draw_text(c, gx, gy, d.grade, grade_style)
    L.draw_text(c, gx + gw + 3 * mm, gy, "级", ji_style)
    L.place(c, "grade", gx, gy - grade_size * 0.05, gx + gw + 3 * mm + jw, gy + grade_size * 0.75)

    ty = top
    for name, lines in laid:
        L.draw_aligned(c, lx, ty, label_w, name, label, name="particulars.label")
        L.draw_text(c, lx + label_w + 2, ty, "：", value)
        for i, line in enumerate(lines):
            L.draw_text(c, vx, ty - i * value.leading, line.text, value, name="particulars.value")
            c.saveState()
            c.setStrokeColor(colors.Color(0.72, 0.72, 0.72))
            c.setLineWidth(0.4)
            c.line(vx - 2, ty - i * value.leading - 4, vright, ty - i * value.leading - 4)
            c.restoreState()
        ty -= value.leading * len(lines) + 6

    # Issuing organ and date with the seal area; QR code bottom left.
    L.draw_laid_issuer(c, issuer, fonts)
    qx, qy = left, 30 * mm
    caption = L.TextStyle(fonts.body.name, 9, 9, "center", color=L.GREY)
    if d.qr_payload and not d.preview:
        draw_qr(c, d.qr_payload, qx, qy, qr_size, text_font=fonts.body.name)
        L.draw_aligned(c, qx, qy - 3.5 * mm, qr_size, "扫码核验真伪", caption, name="qr.caption")
    else:
        c.saveState()
        c.setStrokeColor(L.GREY)
        c.setDash(2, 2)
        c.rect(qx, qy, qr_size, qr_size)
        c.restoreState()
        L.place(c, "qr", qx, qy, qx + qr_size, qy + qr_size)
        L.draw_aligned(c, qx, qy + qr_size / 2 - 3, qr_size, "样张无核验码", caption)
    note = L.TextStyle(fonts.body.name, 8.5, 8.5, "center", color=L.GREY)
    L.draw_aligned(
        c, left, 19.5 * mm, width,
        "本证书证明上述主体在有效期限内的信用等级；等级如经更正或撤销，以评价机关最新公布的结果为准。", note,
        name="note",
    )
    if d.preview:
        L.draw_watermark(c, "样张", fonts, note="仅供核对，不作证明使用")


def render_certificates(
    items: Sequence[CertificateData], target: str | Path | BinaryIO, *, fonts: DocumentFonts | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> int:
    """Write the certificates, one page each, into one PDF at `target`. Returns the page count.
    `progress(done, total)` is called after each page; `cancelled()` returning True stops with
    PrintCancelled (the caller removes the partial file)."""
    fonts = fonts or register_fonts()
    organ = items[0].organ if items else ""
    c = new_canvas(target, fonts, title="信用等级证书", author=organ, subject="信用等级证书")
    total = len(items)
    for i, item in enumerate(items, 1):
        if cancelled is not None and cancelled():
            raise PrintCancelled()
        draw_certificate(c, item, fonts)
        c.showPage()
        if progress is not None:
            progress(i, total)
    with binary_streams():
        c.save()
    return total
