"""信用核查汇总表: the first pages of a batch check's PDF — every row of the list in list order, the entity's
grade, the verdict and its restrictions, and the rows that matched no entity or several, in red. The result
sheet of each entity follows it in the same file (services.tender.batch_check)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P, grid_table
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import binary_streams

if TYPE_CHECKING:
    from xuyi_desktop.services.tender import BatchRow

PROBLEM = colors.Color(0.78, 0.16, 0.16)
WIDTHS = (11 * mm, 54 * mm, 27 * mm, 23 * mm, 41 * mm)  # 156 mm, the GB/T 9704 text block


def render_batch_summary(
    rows: Sequence[BatchRow], target: str | Path, *, fonts: DocumentFonts | None = None, business_name: str,
    source_name: str, organ: str, checked_by: str, issued_on: dt.date,
) -> int:
    """Write the summary to `target`; returns the number of pages."""
    from xuyi_desktop.domain.tender import grades_text, masked, report_summary

    fonts = fonts or register_fonts()
    size = L.SMALL_SIZE
    cell = L.cell_style(fonts, size)
    centre = L.cell_style(fonts, size, align="center")
    grey = L.cell_style(fonts, 9, color=L.GREY)
    red = L.cell_style(fonts, size, align="center", color=PROBLEM)
    red_cell = L.cell_style(fonts, size, color=PROBLEM)
    head = L.cell_style(fonts, size, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    body = L.body_style(fonts, size=14, leading=24)
    note = L.cell_style(fonts, 10.5, leading=16, color=L.GREY, first_indent=0.0, align="justify")

    checked = [r for r in rows if r.result is not None]
    serials = [r.result.serial for r in checked if r.result is not None]
    counts = {s: sum(r.status == s for r in rows) for s in ("not_found", "ambiguous", "duplicate", "invalid")}
    restricted = sum(1 for r in checked if r.result is not None and r.result.verdict == "restriction")
    problems = "，".join(f"{label}{counts[s]}行" for s, label in (("not_found", "未找到"), ("ambiguous", "名称不唯一"),
                                                                   ("duplicate", "重复"), ("invalid", "有误")) if counts[s])
    intro = (f"业务类型：{business_name}。名单：{source_name}，共{len(rows)}行；已核查{len(checked)}家"
             f"（存在约束{restricted}家）" + (f"，{problems}" if problems else "") + f"。核查人：{checked_by}。")

    story: list = [P("信用核查汇总表", L.title_style(fonts, leading=L.TITLE_SIZE * 1.9)), P(intro, body)]
    table: list[list[Any]] = [[P(t, head) for t in ("序号", "主体（名单行号）", "信用等级", "核查结论", "约束措施及说明")]]
    for n, r in enumerate(rows, start=1):
        res = r.result
        if res is not None:
            who = [P(res.entity.get("name", ""), cell), P(str(res.entity.get("identifier", "")), grey),
                   P(f"名单第{r.row}行，核查编号：", grey), P(res.serial, grey)]
            notes = [c.text for c in res.consequences if c.kind == "restriction"] or ["无约束措施"]
            reports = report_summary(res.third_party_reports)
            if reports:
                notes.append(f"第三方信用报告：{reports}")
            if r.message:
                notes.append(r.message)
            verdict = P(res.verdict_label, red if res.verdict == "restriction" else centre)
            table.append([P(str(n), centre), who, P(grades_text(res), cell), verdict, P("\n".join(notes), cell)])
        else:
            given = [x for x in (r.name, masked(r.identifier)) if x]
            who = [P(given[0] if given else "（空）", red_cell), *(P(x, grey) for x in given[1:]),
                   P(f"名单第{r.row}行", grey)]
            table.append([P(str(n), centre), who, P("—", centre), P(r.status_label, red), P(r.message, red_cell)])
    story.append(grid_table(fonts, table, WIDTHS, header_rows=1, repeat_header=True))
    story.append(Spacer(1, 3 * mm))
    text = ("说明：本表依据核查时本系统记录的信用信息生成；各主体的信用核查结果单附后，每份结果单有独立的核查编号和"
            "二维码，可离线核验。名单中未找到或名称不唯一的行未做核查，请核对名称或补充统一社会信用代码后另行核查。")
    closing = ClosingBlock(fonts, organ, issued_on, signature_label="经办人（签字）：", height=40 * mm)
    story.append(KeepTogether([P(text, note), Spacer(1, 3 * mm), closing]))

    span = "" if not serials else (serials[0] if len(serials) == 1 else f"{serials[0]} 至 {serials[-1].rsplit('-', 1)[-1]}")
    doc = OfficialDoc(target, fonts, serial=span, serial_label="核查编号", title="信用核查汇总表", author=organ,
                      subject=f"信用核查汇总 {source_name}")
    with binary_streams():
        doc.build(story)
    return doc.page
