"""Flowing multi-page documents on the GB/T 9704 page: the document template (text block, serial on every
page, page numbers "— N —"), tables whose cells obey the line-breaking rule, and the closing block with the
QR code, signature line, issuing organ, date and seal area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.fonts import DocumentFonts
from xuyi_desktop.printing.output import CREATOR
from xuyi_desktop.printing.qr import draw_qr

HEADER_FILL = colors.Color(0.93, 0.93, 0.93)
LABEL_FILL = colors.Color(0.965, 0.965, 0.965)
RULE = colors.Color(0.25, 0.25, 0.25)


class OfficialDoc(BaseDocTemplate):
    """A4 with the GB/T 9704 text block; every page carries the serial (top right) and "— N —"."""

    def __init__(self, target: str | Path | BinaryIO, fonts: DocumentFonts, *, serial: str = "", serial_label: str = "编号",
                 title: str = "", author: str = "", subject: str = "") -> None:
        super().__init__(
            target if hasattr(target, "write") else str(target), pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT), leftMargin=L.MARGIN_LEFT, rightMargin=L.MARGIN_RIGHT,
            topMargin=L.MARGIN_TOP, bottomMargin=L.MARGIN_BOTTOM, title=title, author=author, subject=subject,
            creator=CREATOR, producer=CREATOR, initialFontName=fonts.body.name, initialFontSize=16, lang="zh-CN",
            pageCompression=1,
        )
        self.fonts = fonts
        self.serial = serial
        self.serial_label = serial_label
        frame = Frame(L.TEXT_LEFT, L.TEXT_BOTTOM, L.TEXT_WIDTH, L.TEXT_HEIGHT, 0, 0, 0, 0, id="text")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._furniture)])

    def _furniture(self, canvas, doc) -> None:
        if self.serial:
            L.draw_serial(canvas, self.serial, self.fonts, label=self.serial_label)
        L.draw_page_number(canvas, doc.page, self.fonts)


def P(text: str, style: L.TextStyle, *, name: str = "text", space_before: float = 0.0,
      space_after: float = 0.0) -> L.CnParagraph:
    return L.CnParagraph(text, style, name=name, space_before=space_before, space_after=space_after)


def grid_table(
    fonts: DocumentFonts, rows: Sequence[Sequence[object]], widths: Sequence[float], *, header_rows: int = 0, label_cols: Sequence[int] = (),
    repeat_header: bool = False, align_center_cols: Sequence[int] = (), padding: float = 4.0,
) -> Table:
    """A ruled table. Plain strings become CnParagraph cells by the caller (cells must obey 禁则)."""
    table = Table(list(map(list, rows)), colWidths=list(widths), repeatRows=header_rows if repeat_header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.body.name),  # the table sets it even for flowable cells
        ("GRID", (0, 0), (-1, -1), 0.6, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding * 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding * 0.6),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL))
    for col in label_cols:
        style.append(("BACKGROUND", (col, header_rows), (col, -1), LABEL_FILL))
    table.setStyle(TableStyle(style))
    return table


class ClosingBlock(Flowable):
    """The foot of a form: QR code with its caption on the left, an optional signature line above it, and
    the issuing organ with the date under the seal area on the right (GB/T 9704 7.3.5.2). Every part is a
    box laid out before drawing: the organ's name keeps to the right of the signature line and the QR code
    (shrinking, then wrapping), and the block is as tall as its highest part."""

    QR_SIZE = 27 * mm
    DATE_BASELINE = 12 * mm

    def __init__(self, fonts: DocumentFonts, organ: str, day: dt.date, *, qr_payload: str | None = None,
                 qr_caption: str = "扫码核验真伪", signature_label: str = "", height: float = 44 * mm,
                 signer: str = "") -> None:
        super().__init__()
        self.fonts, self.organ, self.day = fonts, organ, day
        self.qr_payload, self.qr_caption, self.signature_label = qr_payload, qr_caption, signature_label
        self.signer = signer
        self.min_height = height
        self.height = height

    def _layout(self, width: float) -> tuple[L.IssuerLayout, float, float]:
        """The issuer's layout, the signature's baseline and right edge."""
        qr_right = self.QR_SIZE + 5 * mm if self.qr_payload else 0.0
        sig_right, sig_base = 0.0, 0.0
        if self.signature_label:
            style = L.TextStyle(self.fonts.body.name, 12, 12, "left")
            sig_right = L.text_width(self.signature_label, style) + 2 + 34 * mm
        left = max(qr_right, sig_right + 5 * mm if sig_right else 0.0)
        lay = L.issuer_layout(self.organ, self.day, self.fonts, date_baseline=self.DATE_BASELINE, right=width,
                              size=L.BODY_SIZE, left=left)
        if self.signature_label:
            # Above the QR code on the left, clear of the seal area on the right.
            sig_base = max(lay.placement.organ_baseline + 8 * mm, (5 * mm + self.QR_SIZE + 7 * mm) if self.qr_payload else 0.0)
        return lay, sig_base, sig_right

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        lay, sig_base, _ = self._layout(availWidth)
        self.height = max(self.min_height, lay.placement.top + 1 * mm, sig_base + 12 + 2 * mm,
                          (5 * mm + self.QR_SIZE + 1 * mm) if self.qr_payload else 0.0)
        return availWidth, self.height

    def draw(self) -> None:
        c = self.canv
        lay, sig_base, _ = self._layout(self.width)
        if self.qr_payload:
            draw_qr(c, self.qr_payload, 0, 5 * mm, self.QR_SIZE, text_font=self.fonts.body.name)
            cap = L.TextStyle(self.fonts.body.name, 9, 9, "center", color=L.GREY)
            L.draw_aligned(c, 0, 1.5 * mm, self.QR_SIZE, self.qr_caption, cap, name="qr.caption")
        L.draw_laid_issuer(c, lay, self.fonts)
        if self.signature_label:
            L.draw_signature_line(c, 0, sig_base, self.signature_label, self.fonts, line_width=34 * mm, value=self.signer)

