"""信用修复告知书 (行政处罚信息信用修复告知书, "两书同达", 国办发〔2025〕22号) on the GB/T 9704 page.

Served together with a penalty decision: it tells the party that the decision will be published, for how long
under the rules in force on the decision date, from which day repair may be applied for, what to hand in and
where. The service (services/credit_prints.py) fills `RepairNoticeData` from the penalty, the publicity rules and
the materials checklist; this module only lays it out: title, addressee, the opening paragraph, numbered
sections, the issuing organ with the date and seal area, the signed QR code, and the party's receipt (送达回执).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import binary_streams

DOC_TYPE = "XF"
TITLE = "行政处罚信息信用修复告知书"


@dataclass(frozen=True)
class RepairNoticeData:
    serial: str
    party: str  # the addressee: the party's name
    person: bool  # 你 instead of 你单位
    identifier_label: str
    identifier: str  # masked for persons
    document_no: str
    decided_on: dt.date
    organ: str  # who decided (and serves the notice)
    facts: str  # 违法行为 (short)
    punishment: str  # 处罚类别（处罚内容）
    publicity_class: str  # 轻微 / 一般 / 严重
    published: bool
    min_text: str  # "3个月" / "1年"
    max_text: str
    publicity_end: dt.date | None
    repair_from: dt.date | None
    rules_source: str  # the regulation the periods come from (by decision date)
    basis: str  # the paragraph citing 国办发〔2025〕22号 and the rules
    materials: tuple[tuple[str, bool], ...]  # (name, required)
    channels: tuple[str, ...]  # where to apply, each a sentence
    effect: str
    issued_on: dt.date
    qr_payload: str | None


def _sections(d: RepairNoticeData, you: str) -> list[tuple[str, list[str]]]:
    """The numbered sections: (heading, paragraphs)."""
    if not d.published:
        return [("一、公示情况", [
            f"该行政处罚信息属轻微失信信息，按照{d.rules_source}的规定，原则上不在信用网站公示，无需申请信用修复。"
            f"{you}应当按照行政处罚决定书的要求按期履行义务、纠正违法行为。",
        ])]
    period = (f"该行政处罚信息属{d.publicity_class}失信信息。按照{d.rules_source}的规定，其公示期限自处罚决定作出之日"
              f"（{L.cn_date(d.decided_on)}）起计算，最短{d.min_text}、最长{d.max_text}")
    period += f"，最迟于{L.cn_date(d.publicity_end)}自动停止公示。" if d.publicity_end else "。"
    repair_day = L.cn_date(d.repair_from) if d.repair_from else "最短公示期满之日"
    conditions = [
        "（一）已全面履行行政处罚决定书规定的义务，纠正违法失信行为，消除不良影响；",
        f"（二）最短公示期已满，即自{repair_day}起方可提出申请；",
        "（三）作出信用修复承诺，对所提交材料的真实性负责；",
        "（四）法律、法规和国家规定的其他条件。",
    ]
    materials = [f"{i}. {name}{'' if required else '（按需提交）'}；" for i, (name, required) in enumerate(d.materials, 1)]
    if materials:
        materials[-1] = materials[-1].rstrip("；") + "。"
    return [
        ("一、公示期限", [period]),
        ("二、申请信用修复的条件", [f"{you}同时符合下列条件的，可以申请信用修复：", *conditions]),
        ("三、申请材料", materials),
        ("四、申请渠道", list(d.channels)),
        ("五、信用修复的效果", [d.effect]),
    ]


BODY = 14.0  # 四号, as the reports: the notice and its receipt fit two pages (SPEC's 16 pt made it three)
LEADING = 23.0


def notice_story(d: RepairNoticeData, fonts: DocumentFonts) -> list[Flowable]:
    body = L.body_style(fonts, size=BODY, leading=LEADING, char_space=0.0)
    plain = body.with_(first_indent=0.0)
    item = body.with_(first_indent=2.0)
    head = L.heading_style(fonts, size=BODY, leading=LEADING)
    you = "你" if d.person else "你单位"
    opening = (f"{you}因{d.facts}，于{L.cn_date(d.decided_on)}被{d.organ}给予行政处罚（{d.punishment}），"
               f"行政处罚决定书文号为{d.document_no}。{d.basis}现将有关事项告知如下：")
    story: list[Flowable] = [
        P(TITLE, L.title_style(fonts, leading=L.TITLE_SIZE * 1.6), space_after=4 * mm),
        P(f"{d.party}：", plain),
        P(opening, body),
    ]
    for heading, paragraphs in _sections(d, you):
        story.append(CondPageBreak(3 * LEADING))
        story.append(P(heading, head))
        story.extend(P(p, item) for p in paragraphs)
    story.append(P("特此告知。", body))
    closing = ClosingBlock(fonts, d.organ, d.issued_on, qr_payload=d.qr_payload, height=42 * mm)
    story.append(KeepTogether([Spacer(1, 2 * mm), closing]))
    story.append(KeepTogether(receipt(d, fonts)))
    return story


def receipt(d: RepairNoticeData, fonts: DocumentFonts) -> list[Flowable]:
    """送达回执: the party signs that it received the notice with the decision (kept in the case file)."""
    cell = L.cell_style(fonts, 11)
    label = L.cell_style(fonts, 11, align="distribute")
    centre = L.heading_style(fonts, first_indent=0.0, align="center", size=13.0, leading=20)
    rows: Sequence[Sequence[object]] = [
        [P("当事人", label), P(f"{d.party}（{d.identifier_label}：{d.identifier}）", cell), "", ""],
        [P("告知书编号", label), P(d.serial, cell), P("处罚决定书", label), P(d.document_no, cell)],
        [P("签收人签字", label), P("　\n　", cell), P("签收日期", label), P("    年    月    日", cell)],
    ]
    widths = [27 * mm, 53 * mm, 27 * mm, L.TEXT_WIDTH - 107 * mm]
    table = grid_table(fonts, rows, widths, label_cols=(0, 2), padding=4.0)
    table.setStyle([("SPAN", (1, 0), (3, 0)), ("BACKGROUND", (2, 0), (2, 0), None)])
    return [CondPageBreak(36 * mm), Spacer(1, 3 * mm), P("送 达 回 执", centre, space_after=1.5 * mm), table]


def render_repair_notice(d: RepairNoticeData, target: str | Path, *, fonts: DocumentFonts | None = None) -> int:
    """Write the notice to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    doc = OfficialDoc(target, fonts, serial=d.serial, serial_label="告知书编号", title=TITLE, author=d.organ,
                      subject=f"{TITLE} {d.party} {d.document_no}")
    with binary_streams():
        doc.build(notice_story(d, fonts))
    return doc.page
