"""信用核查结果单: the printed record of a counter credit check, on the GB/T 9704 page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P, grid_table
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


def render_check_sheet(
    result: CreditCheckResult, target: str | Path, *, organ: str, checked_by: str, issued_on: dt.date,
    qr_payload: str | None, fonts: DocumentFonts | None = None,
) -> int:
    """Write the sheet to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    cell = L.cell_style(fonts, 12)
    label = L.cell_style(fonts, 12, align="distribute")
    centre = L.cell_style(fonts, 12, align="center")
    head = L.cell_style(fonts, 12, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    heading = L.heading_style(fonts, first_indent=0.0, leading=24)
    note = L.cell_style(fonts, 10.5, leading=16, color=L.GREY, first_indent=0.0, align="justify")
    w = L.TEXT_WIDTH
    e = result.entity
    person = e.get("kind") == "person"

    story: list = [
        P("信用核查结果单", L.title_style(fonts, leading=L.TITLE_SIZE * 1.9)),
        P("一、核查信息", heading),
    ]
    lw = 38 * mm if person is False else 28 * mm  # 统一社会信用代码 on one line
    info = [
        [P("核查业务", label), P(result.business_name, cell), P("核查时间", label), P(_when(result.checked_at), cell)],
        [P("核查单位", label), P(organ, cell), P("核查人", label), P(checked_by, cell)],
    ]
    iw = 24 * mm
    story.append(grid_table(fonts, info, [iw, w / 2 - iw, iw, w / 2 - iw], label_cols=(0, 2)))

    story.append(P("二、主体信息", heading, space_before=2 * mm))
    ident_label = "身份证号码" if person else "统一社会信用代码"
    subject = [
        [P("主体名称", label), P(e.get("name", ""), cell)],
        [P(ident_label, label), P(e.get("identifier", ""), cell)],
        [P("主体类型", label), P(e.get("kind_label", ""), cell)],
        [P("主体类别", label), P("、".join(e.get("category_labels") or []) or "—", cell)],
    ]
    if not person and e.get("legal_representative"):
        subject.append([P("法定代表人", label), P(e["legal_representative"], cell)])
    story.append(grid_table(fonts, subject, [lw, w - lw], label_cols=(0,)))

    story.append(P("三、信用等级", heading, space_before=2 * mm))
    grades = [[P(t, head) for t in ("评价领域", "信用等级", "评价年度", "有效期至", "说明")]]
    for g in result.grades:
        if g.grade:
            grade = f"{g.grade}级（暂定）" if g.provisional else f"{g.grade}级"
        else:
            grade = "无"
        grades.append([
            P(g.domain_name, cell), P(grade, centre), P(f"{g.period}年度" if g.period else "—", centre),
            P(g.valid_until or "—", centre), P(g.note or "", cell),
        ])
    if len(grades) == 1:
        grades.append([P("该主体所属类别无适用的评价领域", cell)] + [P("", cell) for _ in range(4)])
    story.append(grid_table(fonts, grades, [44 * mm, 28 * mm, 20 * mm, 24 * mm, w - 116 * mm], header_rows=1, repeat_header=True))

    story.append(P("四、信用结果应用", heading, space_before=2 * mm))
    domain_names = {g.domain: g.domain_name for g in result.grades}
    lines = sorted(result.consequences, key=lambda c: KIND_ORDER.get(c.kind, 9))
    if lines:
        rows = [[P(t, head) for t in ("类别", "依据", "措施")]]
        for c in lines:
            basis = f"{domain_names.get(c.domain, c.domain)}{c.grade}级" if c.grade else "失信记录"
            rows.append([P(KIND_LABELS.get(c.kind, c.kind), centre), P(basis, cell), P(c.text, cell)])
        story.append(grid_table(fonts, rows, [16 * mm, 46 * mm, w - 62 * mm], header_rows=1, repeat_header=True))
    else:
        story.append(P(f"本次“{result.business_name}”业务无适用的激励或约束措施。", L.body_style(fonts, size=14, leading=24)))

    story.append(P("五、失信记录", heading, space_before=2 * mm))
    if result.dishonesty:
        rows = [[P(t, head) for t in ("发生日期", "失信类别", "文号", "说明")]]
        for d in result.dishonesty:
            rows.append([P(d.get("occurred_on", ""), centre), P(d.get("category", ""), cell), P(d.get("document_no") or "—", cell), P(d.get("description") or "", cell)])
        story.append(grid_table(fonts, rows, [26 * mm, 36 * mm, 36 * mm, w - 98 * mm], header_rows=1, repeat_header=True))
    else:
        story.append(P("未发现处于有效期内的失信记录。", L.body_style(fonts, size=14, leading=24)))

    if result.third_party_reports is not None:  # 招投标 (resources/tender/tender.toml): 第三方信用报告
        story.append(P("六、第三方信用报告", heading, space_before=2 * mm))
        if result.third_party_reports:
            rows = [[P(t, head) for t in ("出具机构", "报告编号", "报告结论", "有效期至", "状态")]]
            for t in result.third_party_reports:
                rows.append([P(t["agency_name"], cell), P(t["report_no"], cell), P(t["grade"] or "—", centre),
                             P(t["valid_until"], centre), P(t["state_label"], cell)])
            story.append(grid_table(fonts, rows, [44 * mm, 36 * mm, 22 * mm, 24 * mm, w - 126 * mm], header_rows=1, repeat_header=True))
        else:
            story.append(P("未登记第三方信用报告。", L.body_style(fonts, size=14, leading=24)))

    story.append(Spacer(1, 3 * mm))
    notes = (
        f"说明：本结果单依据核查时本系统记录的信用信息生成，仅供本次“{result.business_name}”业务办理使用；"
        "自然人证件号码已作脱敏处理；扫描左下方二维码可离线核验。"
    )
    closing = ClosingBlock(fonts, organ, issued_on, qr_payload=qr_payload, signature_label="经办人（签字）：")
    story.append(KeepTogether([P(notes, note), Spacer(1, 3 * mm), closing]))

    doc = OfficialDoc(target, fonts, serial=result.serial, title="信用核查结果单", author=organ, subject=f"信用核查 {e.get('name', '')}")
    with binary_streams():
        doc.build(story)
    return doc.page
