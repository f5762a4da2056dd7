"""信用承诺书: the commitment form on the GB/T 9704 page (SPEC §6, §10), one form or a batch in one PDF.

The wording comes from the editable templates under resources/commitments/ (filled by the service); this
module lays out what it is given: title, the committing party's particulars, the body paragraphs, and the
foot with the signature line, the party's seal area over the date, the accepting organ and the signed QR
code. Every page carries the form's serial number (top right) and its page number "— N —" counted within
the form, also in a batch where many forms share one PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing import qr
from xuyi_desktop.printing.flow import LABEL_FILL, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import CREATOR, Cancelled, PrintCancelled, Progress, binary_streams
from xuyi_desktop.printing.qr import draw_qr

DOC_TYPE = "CN"
DOC_LABEL = "信用承诺书"
# `xuyi verify` and the verification page accept commitment codes once this module is imported (the
# service layer imports it; services.credit_check imports the service).
qr.DOC_TYPES.setdefault(DOC_TYPE, DOC_LABEL)

PREVIEW_SERIAL = "样张（未编号）"


@dataclass(frozen=True)
class CommitmentFormData:
    serial: str
    title: str
    entity_name: str
    identifier_label: str
    identifier: str
    legal_representative: str
    address: str
    phone: str
    type_name: str
    area_name: str
    business: str
    term_text: str
    paragraphs: tuple[str, ...]
    organ: str
    signed_on: dt.date
    signature_label: str = "法定代表人（签字）："
    qr_payload: str | None = None
    preview: bool = False


class _FormStart(Flowable):
    """Zero-size marker at the start of each form: the document switches serial and page count here."""

    def __init__(self, index: int, serial: str, preview: bool) -> None:
        super().__init__()
        self.index, self.serial, self.preview = index, serial, preview

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _CommitmentDoc(BaseDocTemplate):
    """A4, GB/T 9704 text block; the page furniture is drawn when a page ends, so it knows which form the
    page belongs to (serial, page number within the form)."""

    def __init__(self, target: str | Path | BinaryIO, fonts: DocumentFonts, *, total: int, title: str, author: str,
                 progress: Progress | None, cancelled: Cancelled | None) -> None:
        super().__init__(
            target if hasattr(target, "write") else str(target), pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
            leftMargin=L.MARGIN_LEFT, rightMargin=L.MARGIN_RIGHT, topMargin=L.MARGIN_TOP, bottomMargin=L.MARGIN_BOTTOM,
            title=title, author=author, subject=DOC_LABEL, creator=CREATOR, producer=CREATOR,
            initialFontName=fonts.body.name, initialFontSize=16, lang="zh-CN", pageCompression=1,
        )
        self.fonts, self.total, self.progress, self.cancelled = fonts, total, progress, cancelled
        self.form_serial, self.form_first_page, self.form_preview = "", 1, False
        frame = Frame(L.TEXT_LEFT, L.TEXT_BOTTOM, L.TEXT_WIDTH, L.TEXT_HEIGHT, 0, 0, 0, 0, id="text")
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=self._furniture)])

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _FormStart):
            if flowable.index > 1 and self.progress is not None:
                self.progress(flowable.index - 1, self.total)
            if self.cancelled is not None and self.cancelled():
                raise PrintCancelled()
            self.form_serial, self.form_first_page, self.form_preview = flowable.serial, self.page, flowable.preview

    def _furniture(self, canvas, doc) -> None:
        if self.form_serial:
            L.draw_serial(canvas, self.form_serial, self.fonts)
        L.draw_page_number(canvas, doc.page - self.form_first_page + 1, self.fonts)
        if self.form_preview:
            L.draw_watermark(canvas, "样张", self.fonts, note="仅供核对，不作承诺凭证")


class _Closing(Flowable):
    """The foot: signature line and the party's seal area over the signing date on the right (the party
    signs and seals), the accepting organ and the QR code on the left."""

    def __init__(self, fonts: DocumentFonts, data: CommitmentFormData, height: float = 42 * mm) -> None:
        super().__init__()
        self.fonts, self.data, self.height = fonts, data, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        c, d, fonts = self.canv, self.data, self.fonts
        qr_size = 30 * mm
        if d.qr_payload:
            draw_qr(c, d.qr_payload, 0, 4.5 * mm, qr_size)
            cap = L.TextStyle(fonts.body.name, 9, 9, "center", color=L.GREY)
            L.draw_aligned(c, 0, 1.0 * mm, qr_size, "扫码核验真伪", cap)
        small = L.TextStyle(fonts.body.name, 12, 12, "left")
        x = qr_size + 5 * mm if d.qr_payload else 0
        L.draw_signature_line(c, x, self.height - 4 * mm, d.signature_label, fonts, line_width=26 * mm)
        L.draw_text(c, x, self.height - 12 * mm, f"受理机关：{d.organ}", small)
        L.draw_issuer(
            c, d.entity_name, d.signed_on, fonts, date_baseline=12 * mm, right=self.width, size=L.BODY_SIZE,
            seal_label="（承诺主体盖章）",
        )


def _lines_paragraph(text: str, style: L.TextStyle, lines: list[L.Line], width: float) -> L.CnParagraph:
    para = L.CnParagraph(text, style, _lines=lines)
    para._width = width  # laid out already at this width
    return para


def form_story(data: CommitmentFormData, fonts: DocumentFonts, index: int = 1) -> list[Flowable]:
    cell = L.cell_style(fonts, 12)
    label = L.cell_style(fonts, 12, align="distribute")
    # A form, not an official letter: 仿宋 4号 (14 pt) so that the usual form fits on one page.
    body = L.body_style(fonts, size=14.0, leading=22.0, char_space=0.0)
    w = L.TEXT_WIDTH
    story: list[Flowable] = [
        _FormStart(index, data.serial, data.preview),
        P(data.title, L.title_style(fonts, leading=L.TITLE_SIZE * 1.7)),
    ]
    lw, vw, lw2 = 38 * mm, 52 * mm, 24 * mm

    def pair(l1: str, v1: str, l2: str, v2: str) -> list[object]:
        return [P(l1, label), P(v1 or "—", cell), P(l2, label), P(v2 or "—", cell)]

    def one(l1: str, v1: str) -> list[object]:
        return [P(l1, label), P(v1 or "—", cell), "", ""]

    rows = [one("承诺主体", data.entity_name), one(data.identifier_label, data.identifier)]
    if data.legal_representative or data.phone:
        rows.append(pair("法定代表人", data.legal_representative, "联系电话", data.phone))
    if data.address:
        rows.append(one("住所（地址）", data.address))
    rows += [
        pair("承诺类型", data.type_name, "应用领域", data.area_name),
        one("涉及业务", data.business),
        one("履约期限", data.term_text),
    ]
    table = grid_table(fonts, rows, [lw, vw, lw2, w - lw - vw - lw2], label_cols=(0,), padding=3.0)
    extra: list[tuple[Any, ...]] = [("BACKGROUND", (2, i), (2, i), LABEL_FILL) for i, r in enumerate(rows) if r[2] != ""]
    extra += [("SPAN", (1, i), (3, i)) for i, r in enumerate(rows) if r[2] == ""]
    table.setStyle(TableStyle(extra))
    story.append(table)
    story.append(Spacer(1, 3 * mm))
    paras = list(data.paragraphs)
    for i, text in enumerate(paras):
        salutation = i == 0 and text.endswith("：") and len(text) <= 30
        style = body.with_(first_indent=0.0) if salutation else body
        if i < len(paras) - 1:
            story.append(P(text, style))
            continue
        # The signature block never stands alone on a page: the last two lines of the body go with it.
        lines = L.layout_lines(text, style, w)
        head, tail = lines[:-2], lines[-2:]
        if head:
            story.append(_lines_paragraph(text, style, head, w))
        story.append(KeepTogether([_lines_paragraph(text, style, tail, w), Spacer(1, 2 * mm), _Closing(fonts, data)]))
    if not paras:
        story.append(_Closing(fonts, data))
    return story


def render_commitment_forms(
    items: Sequence[CommitmentFormData], target: str | Path | BinaryIO, *, fonts: DocumentFonts | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> int:
    """Write the forms into one PDF at `target`, each starting on a new page; returns the page count.
    progress(done, total) after each form; cancelled() → PrintCancelled (the caller discards the file)."""
    fonts = fonts or register_fonts()
    story: list[Flowable] = []
    for i, item in enumerate(items, 1):
        if i > 1:
            story.append(PageBreak())
        story += form_story(item, fonts, i)
    organ = items[0].organ if items else ""
    title = items[0].title if len(items) == 1 else f"{DOC_LABEL}（{len(items)}份）"
    doc = _CommitmentDoc(target, fonts, total=len(items), title=title, author=organ, progress=progress, cancelled=cancelled)
    with binary_streams():
        doc.build(story)
    if progress is not None and items:
        progress(len(items), len(items))
    return doc.page
