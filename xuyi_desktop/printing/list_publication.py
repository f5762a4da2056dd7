"""名单公布 PDF: the members in force of the red, black, watch or 治超 list, for publication, on the GB/T 9704 page.

Title, the introduction citing the basis, a ruled table (序号, 名称, 统一社会信用代码/身份证号码 — persons' numbers
masked by the service —, 列入事由, 列入期间) whose header repeats on every page, a note on the masking, then the
issuing organ, date, seal area and the signed QR code. The service (services/credit_prints.py) selects, numbers,
signs and audits; this module draws what it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import binary_streams

DOC_TYPE = "MD"
CELL = 10.5  # 五号: a USCC and a date stay on one line
WIDTHS_MM = (10, 40, 36, 0, 22)  # the reason column (0) takes what is left of the 156 mm text block


@dataclass(frozen=True)
class PublishedMember:
    name: str
    identifier: str  # persons masked
    reason: str
    entered_on: dt.date | None
    expires_on: dt.date | None


@dataclass(frozen=True)
class ListPublicationData:
    serial: str
    list_name: str
    intro: str
    members: tuple[PublishedMember, ...]
    footer: str
    organ: str
    issued_on: dt.date
    qr_payload: str | None


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _table(d: ListPublicationData, fonts: DocumentFonts) -> Flowable:
    cell = L.cell_style(fonts, CELL)
    centre = L.cell_style(fonts, CELL, align="center")
    head = L.cell_style(fonts, CELL, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    persons = [("*" in m.identifier) for m in d.members]
    ident_head = "身份证号码" if persons and all(persons) else (
        "统一社会信用代码" if not any(persons) else "统一社会信用代码（身份证号码）")
    rows: list[Sequence[object]] = [[P(t, head) for t in ("序号", "名称", ident_head, "列入事由", "列入期间")]]
    for i, m in enumerate(d.members, 1):
        rows.append([P(str(i), centre), P(m.name, cell), P(m.identifier or "—", centre), P(m.reason or "—", cell),
                     P(f"{_iso(m.entered_on)}至{_iso(m.expires_on)}", centre)])
    if not d.members:
        rows.append([P("", centre), P("（无）", cell), P("", centre), P("", cell), P("", centre)])
    widths = [w * mm for w in WIDTHS_MM]
    widths[3] = L.TEXT_WIDTH - sum(widths)
    return grid_table(fonts, rows, widths, header_rows=1, repeat_header=True, padding=3.0)


def publication_story(d: ListPublicationData, fonts: DocumentFonts) -> list[Flowable]:
    # A long name breaks before its parenthesis (GB/T 9704: 回行时词意完整), not wherever the line is full.
    title = d.list_name.replace("（", "\n（", 1) if d.list_name.endswith("）") and len(d.list_name) > 13 else d.list_name
    story: list[Flowable] = [
        P(title, L.title_style(fonts, leading=L.TITLE_SIZE * 1.6), space_after=4 * mm),
        P(d.intro, L.body_style(fonts), space_after=3 * mm),
        _table(d, fonts),
    ]
    note = L.cell_style(fonts, CELL, leading=16, color=L.GREY, align="justify")
    closing = ClosingBlock(fonts, d.organ, d.issued_on, qr_payload=d.qr_payload, height=46 * mm)
    story.append(KeepTogether([P(d.footer, note, space_before=2 * mm), Spacer(1, 4 * mm), closing]))
    return story


def render_list_publication(d: ListPublicationData, target: str | Path, *, fonts: DocumentFonts | None = None) -> int:
    """Write the publication to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    doc = OfficialDoc(target, fonts, serial=d.serial, serial_label="编号", title=d.list_name, author=d.organ,
                      subject=f"名单公布 {d.list_name}")
    with binary_streams():
        doc.build(publication_story(d, fonts))
    return doc.page
