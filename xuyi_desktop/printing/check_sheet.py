"""信用核查结果单: the printed record of a counter credit check, on the GB/T 9704 page."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import LABEL_FILL, ClosingBlock, OfficialDoc, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import binary_streams

if TYPE_CHECKING:
    from xuyi_desktop.services.credit_check import CreditCheckResult

KIND_LABELS = {"incentive": "激励", "restriction": "约束", "info": "提示"}
KIND_ORDER = {"incentive": 0, "restriction": 1, "info": 2}


def _when(iso: str) -> str:
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if at.tzinfo is not None:
        at = at.astimezone()  # the counter's local time
    return f"{L.cn_date(at.date())} {at:%H:%M}"


@dataclass(frozen=True)
class _Density:
    """How tightly the sheet is set: the first density at which it fits one page is used."""

    cell: float
    padding: float
    title_leading: float
    heading_leading: float
    gap: float  # space before a heading, mm


DENSITIES = (
    _Density(12.0, 4.0, 1.7, 24.0, 2.0),
    _Density(11.0, 3.0, 1.4, 21.0, 1.2),
    _Density(10.5, 2.4, 1.25, 19.0, 0.6),
)

COMMITMENT_STATES = {"violated": "违诺", "fulfilled": "已履约", "active": "履约中"}


def _commitment_state(c: dict) -> str:
    label = c.get("status_label") or COMMITMENT_STATES.get(c.get("status", ""), c.get("status", ""))
    return label + ("（逾期）" if c.get("overdue") else "")


def check_story(
    result: CreditCheckResult, fonts: DocumentFonts, *, organ: str, checked_by: str, issued_on: dt.date,
    qr_payload: str | None, density: _Density = DENSITIES[0],
) -> list:
    cs = density.cell
    cell = L.cell_style(fonts, cs)
    label = L.cell_style(fonts, cs, align="distribute")
    centre = L.cell_style(fonts, cs, align="center")
    head = L.cell_style(fonts, cs, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    heading = L.heading_style(fonts, first_indent=0.0, leading=density.heading_leading)
    note = L.cell_style(fonts, 10.5, leading=16, color=L.GREY, first_indent=0.0, align="justify")
    plain = L.body_style(fonts, size=min(14.0, cs + 2), leading=density.heading_leading)
    pad = density.padding
    gap = density.gap * mm
    w = L.TEXT_WIDTH
    e = result.entity
    person = e.get("kind") == "person"
    numbers = iter("一二三四五六七八九十")

    def section(title: str, first: bool = False) -> L.CnParagraph:
        return P(f"{next(numbers)}、{title}", heading, space_before=0 if first else gap)

    story: list = [
        P("信用核查结果单", L.title_style(fonts, leading=L.TITLE_SIZE * density.title_leading), name="title"),
        section("核查信息", True),
    ]
    iw = 24 * mm
    info = [
        [P("核查业务", label), P(result.business_name, cell), P("核查时间", label), P(_when(result.checked_at), cell)],
        [P("核查单位", label), P(organ, cell), P("核查人", label), P(checked_by or "", cell)],
    ]
    story.append(grid_table(fonts, info, [iw, w / 2 - iw, iw, w / 2 - iw], label_cols=(0, 2), padding=pad))

    story.append(section("主体信息"))
    ident_label = "身份证号码" if person else "统一社会信用代码"
    lw = 38 * mm if not person else 28 * mm  # 统一社会信用代码 on one line
    lw2 = 24 * mm
    vw = (w - lw - lw2) / 2 + 8 * mm
    subject: list[list[object]] = [
        [P("主体名称", label), P(e.get("name", ""), cell), "", ""],
        [P(ident_label, label), P(e.get("identifier", ""), cell), P("主体类型", label), P(e.get("kind_label", "") or "—", cell)],
        [P("主体类别", label), P("、".join(e.get("category_labels") or []) or "—", cell), P("法定代表人", label),
         P((e.get("legal_representative") if not person else "") or "—", cell)],
    ]
    table = grid_table(fonts, subject, [lw, vw, lw2, w - lw - vw - lw2], label_cols=(0,), padding=pad)
    table.setStyle(TableStyle([("SPAN", (1, 0), (3, 0)), ("BACKGROUND", (2, 1), (2, -1), LABEL_FILL)]))
    story.append(table)

    story.append(section("信用等级"))
    grades = [[P(t, head) for t in ("评价领域", "信用等级", "评价年度", "有效期至", "评价机关", "说明")]]
    for g in result.grades:
        if g.grade:
            grade = f"{g.grade}级（暂定）" if g.provisional else f"{g.grade}级"
        else:
            grade = "无"
        grades.append([
            P(g.domain_name, cell), P(grade, centre), P(f"{g.period}年度" if g.period else "—", centre),
            P(g.valid_until or "—", centre), P(getattr(g, "organ", "") or "—", cell), P(g.note or "", cell),
        ])
    if len(grades) == 1:
        grades.append([P("该主体所属类别无适用的评价领域", cell)] + [P("", cell) for _ in range(5)])
    gw = [28 * mm, 22 * mm, 20 * mm, 23 * mm, 34 * mm]
    story.append(grid_table(fonts, grades, [*gw, w - sum(gw)], header_rows=1, repeat_header=True, padding=pad))

    story.append(section("信用结果应用"))
    domain_names = {g.domain: g.domain_name for g in result.grades}
    lines = sorted(result.consequences, key=lambda c: KIND_ORDER.get(c.kind, 9))
    if lines:
        rows = [[P(t, head) for t in ("类别", "依据", "措施")]]
        for c in lines:
            basis = f"{domain_names.get(c.domain, c.domain)}{c.grade}级" if c.grade else (c.source or "失信记录")
            rows.append([P(KIND_LABELS.get(c.kind, c.kind), centre), P(basis, cell), P(c.text, cell)])
        story.append(grid_table(fonts, rows, [16 * mm, 46 * mm, w - 62 * mm], header_rows=1, repeat_header=True, padding=pad))
    else:
        story.append(P(f"本次“{result.business_name}”业务无适用的激励或约束措施。", plain))

    story.append(section("信用承诺"))  # as the check page shows them: violated first
    if result.commitments:
        rows = [[P(t, head) for t in ("编号", "状态", "承诺类型", "涉及业务", "期限至")]]
        for cm in result.commitments:
            business = cm.get("business", "") or "—"
            if cm.get("status") == "violated" and cm.get("violation_facts"):
                business += f"；违诺事实：{cm['violation_facts']}"
            rows.append([P(cm.get("serial", ""), cell), P(_commitment_state(cm), centre), P(cm.get("type_name", ""), cell),
                         P(business, cell), P(cm.get("term_until", "") or "—", centre)])
        cw = [53 * mm, 18 * mm, 34 * mm, 0, 23 * mm]
        cw[3] = w - sum(cw)
        story.append(grid_table(fonts, rows, cw, header_rows=1, repeat_header=True, padding=pad))
    else:
        story.append(P("无信用承诺记录。", plain))

    story.append(section("失信记录"))
    if result.dishonesty:
        rows = [[P(t, head) for t in ("发生日期", "失信类别", "文号", "说明")]]
        for d in result.dishonesty:
            rows.append([P(d.get("occurred_on", ""), centre), P(d.get("category", ""), cell), P(d.get("document_no") or "—", cell), P(d.get("description") or "", cell)])
        story.append(grid_table(fonts, rows, [26 * mm, 36 * mm, 36 * mm, w - 98 * mm], header_rows=1, repeat_header=True, padding=pad))
    else:
        story.append(P("未发现处于有效期内的失信记录。", plain))

    if result.third_party_reports is not None:  # 招投标 (resources/tender/tender.toml): 第三方信用报告
        story.append(section("第三方信用报告"))
        if result.third_party_reports:
            rows = [[P(t, head) for t in ("出具机构", "报告编号", "报告结论", "有效期至", "状态")]]
            for t in result.third_party_reports:
                rows.append([P(t["agency_name"], cell), P(t["report_no"], cell), P(t["grade"] or "—", centre),
                             P(t["valid_until"], centre), P(t["state_label"], cell)])
            story.append(grid_table(fonts, rows, [44 * mm, 36 * mm, 22 * mm, 24 * mm, w - 126 * mm], header_rows=1, repeat_header=True, padding=pad))
        else:
            story.append(P("未登记第三方信用报告。", plain))

    notes = (
        f"说明：本结果单依据核查时本系统记录的信用信息生成，仅供本次“{result.business_name}”业务办理使用；"
        "自然人证件号码已作脱敏处理；扫描左下方二维码可离线核验。"
    )
    closing = ClosingBlock(fonts, organ, issued_on, qr_payload=qr_payload, signature_label="经办人（签字）：", height=40 * mm)
    # The signature, the code and the seal stay together with the note above them.
    story.append(KeepTogether([Spacer(1, 2 * mm), P(notes, note, name="note"), Spacer(1, 2 * mm), closing]))
    return story


def render_check_sheet(
    result: CreditCheckResult, target: str | Path | BinaryIO, *, organ: str, checked_by: str, issued_on: dt.date,
    qr_payload: str | None, fonts: DocumentFonts | None = None,
) -> int:
    """Write the sheet to `target`; returns the number of pages. The sheet is set at the loosest density at
    which it fits one page (the usual check); a long result runs over several pages at the loosest."""
    fonts = fonts or register_fonts()
    e = result.entity
    chosen: tuple[bytes, int, list[L.Placed]] | None = None
    for density in DENSITIES:
        buf = io.BytesIO()
        with L.recording() as boxes:
            story = check_story(result, fonts, organ=organ, checked_by=checked_by, issued_on=issued_on,
                                qr_payload=qr_payload, density=density)
            doc = OfficialDoc(buf, fonts, serial=result.serial, title="信用核查结果单", author=organ,
                              subject=f"信用核查 {e.get('name', '')}")
            with binary_streams():
                doc.build(story)
        if chosen is None or doc.page == 1:
            chosen = (buf.getvalue(), doc.page, boxes)
        if doc.page == 1:
            break
    assert chosen is not None
    data, pages, placed = chosen
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
    outer = L.current_recording()
    if outer is not None:
        outer.extend(placed)
    return pages
