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
    """The foot, every part a box laid out before drawing: the QR code on the left; beside it the party
    ("承诺主体（盖章）：" and its name, shrinking then wrapping within the line), the signature line and the
    accepting organ; the signing date bottom right with the party's seal area over it, clear of the
    signature line and the organ (the seal may cover the party's name and the date, as a stamp does)."""

    QR_SIZE = 30 * mm
    SIZE = 12.0  # 小四
    DATE_SIZE = 14.0

    def __init__(self, fonts: DocumentFonts, data: CommitmentFormData, height: float = 42 * mm) -> None:
        super().__init__()
        self.fonts, self.data, self.min_height = fonts, data, height
        self.height = height
        self._laid: tuple[float, dict[str, Any]] | None = None

    def _layout(self, width: float) -> dict[str, Any]:
        """The foot's boxes at this width, measured once (platypus wraps a block several times before it
        draws it: KeepTogether, the frame, the draw)."""
        if self._laid is None or self._laid[0] != width:
            self._laid = (width, self._measure(width))
        return self._laid[1]

    def _measure(self, width: float) -> dict[str, Any]:
        d, fonts = self.data, self.fonts
        small = L.TextStyle(fonts.body.name, self.SIZE, self.SIZE * 1.45, "left")
        x = self.QR_SIZE + 5 * mm if d.qr_payload else 0.0
        date_style = L.TextStyle(fonts.body.name, self.DATE_SIZE, self.DATE_SIZE, "left")
        date_text = L.cn_date(d.signed_on)
        date_w = L.text_width(date_text, date_style)
        seal_r = L.SEAL_DIAMETER / 2
        seal_cx = width - seal_r - 4 * mm
        date_x = min(seal_cx - date_w / 2, width - date_w)
        date_base = 10 * mm
        seal_cy = date_base + 12 * mm
        seal_left = seal_cx - seal_r
        # 受理机关 on the left of the seal, its last line on the date's baseline.
        organ_label = "受理机关："
        organ_x = x + L.text_width(organ_label, small)
        organ_style, organ_lines = L.fit_lines(d.organ or "—", small, max(seal_left - 3 * mm - organ_x, 20 * mm),
                                               max_lines=2, min_size=10.5)
        organ_pitch = organ_style.size * 1.45
        organ_top_base = date_base + (len(organ_lines) - 1) * organ_pitch
        sig_base = organ_top_base + 9 * mm
        sig_label_w = L.text_width(d.signature_label, L.TextStyle(fonts.body.name, self.SIZE, self.SIZE, "left"))
        sig_line = max(10 * mm, min(30 * mm, seal_left - 3 * mm - (x + sig_label_w + 2)))
        party_label = "承诺主体（盖章）："
        party_x = x + L.text_width(party_label, small)
        name_style, name_lines = L.fit_lines(d.entity_name or "—", small.with_(size=14.0, leading=14.0 * 1.4),
                                             width - party_x, max_lines=2, min_size=11.0)
        name_pitch = name_style.leading
        name_last_base = sig_base + 10 * mm
        name_first_base = name_last_base + (len(name_lines) - 1) * name_pitch
        top = max(name_first_base + name_style.size * 0.86 + 1 * mm, seal_cy + seal_r + 1 * mm,
                  (4.5 * mm + self.QR_SIZE + 1 * mm) if d.qr_payload else 0.0)
        return {
            "x": x, "small": small, "date": (date_x, date_base, date_text, date_style), "seal": (seal_cx, seal_cy),
            "organ": (organ_label, organ_x, organ_style, organ_lines, organ_pitch, organ_top_base),
            "sig": (sig_base, sig_line), "party": (party_label, party_x, name_style, name_lines, name_pitch, name_first_base),
            "height": top,
        }

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = max(self.min_height, float(self._layout(availWidth)["height"]))
        return availWidth, self.height

    def draw(self) -> None:
        c, d, fonts = self.canv, self.data, self.fonts
        lay = self._layout(self.width)
        if d.qr_payload:
            draw_qr(c, d.qr_payload, 0, 4.5 * mm, self.QR_SIZE)
            cap = L.TextStyle(fonts.body.name, 9, 9, "center", color=L.GREY)
            L.draw_aligned(c, 0, 1.0 * mm, self.QR_SIZE, "扫码核验真伪", cap, name="qr.caption")
        x, small = lay["x"], lay["small"]
        seal_cx, seal_cy = lay["seal"]
        L.draw_seal_area(c, seal_cx, seal_cy, fonts.body.name, label="")  # "承诺主体（盖章）" says where
        party_label, party_x, name_style, name_lines, name_pitch, name_first = lay["party"]
        L.draw_text(c, x, name_first, party_label, small, name="party.label")
        for i, line in enumerate(name_lines):
            L.draw_text(c, party_x, name_first - i * name_pitch, line.text, name_style, name="issuer.party")
        sig_base, sig_line = lay["sig"]
        L.draw_signature_line(c, x, sig_base, d.signature_label, fonts, line_width=sig_line)
        organ_label, organ_x, organ_style, organ_lines, organ_pitch, organ_top = lay["organ"]
        L.draw_text(c, x, organ_top, organ_label, small, name="organ.label")
        for i, line in enumerate(organ_lines):
            L.draw_text(c, organ_x, organ_top - i * organ_pitch, line.text, organ_style, name="organ")
        date_x, date_base, date_text, date_style = lay["date"]
        L.draw_text(c, date_x, date_base, date_text, date_style, name="issuer.date")


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
