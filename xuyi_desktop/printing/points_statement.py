"""信用积分明细 (the credit-point statement, 诚信港区 pilot) on the GB/T 9704 page: who, balance and tier, the tier's
differentiated service, then every entry (date, rule, reason and evidence, points, running balance), corrections
marked; serial and "— N —" on every page, the signed QR code in the closing block. Draws what it is given; the
service (services/points.print_statement) numbers, signs and audits."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.credit_report import (
    ReportStamp,
    Styles,
    build,
    closing,
    facts_table,
    heading,
    none_line,
    stamp_rows,
    table,
)
from xuyi_desktop.printing.flow import P
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts

if TYPE_CHECKING:  # annotations only: the statement draws the ledger it is handed, printing does not import services
    from xuyi_desktop.services.points import Ledger

TITLE = "信用积分明细"


def statement_story(ledger: Ledger, stamp: ReportStamp, fonts: DocumentFonts) -> list[Flowable]:
    s = Styles(fonts)
    t = ledger.standing.tier
    id_label = "公民身份号码" if ledger.subject == "driver" else "统一社会信用代码"
    story: list[Flowable] = [
        P(TITLE, s.title),
        P(f"（{ledger.rules_name}，截至{L.cn_date(ledger.as_of)}）", s.subtitle, space_after=3 * mm),
        facts_table(s, stamp_rows(stamp)),
        *heading(s, "一、积分账户"),
        facts_table(s, [
            ("主体名称", ledger.entity_name), (id_label, ledger.identifier), ("主体类型", ledger.subject_label),
            ("当前积分", f"{ledger.standing.balance:g}分"), ("积分档次", f"{t.name}（{t.code}档，{t.min_points:g}分及以上）"),
            ("记录条数", f"{len(ledger.entries)}条"),
        ]),
        *heading(s, "二、差异化服务"),
    ]
    if t.services:
        story.append(table(s, ("序号", "本档次适用的服务措施"), [[str(i), x] for i, x in enumerate(t.services, 1)], (16,), centre=(0,)))
    else:
        story.append(none_line(s, "本档次无差异化服务措施。"))
    story += heading(s, "三、积分明细")
    last: list[Flowable] = []
    if ledger.entries:
        rows = []
        for e in ledger.entries:
            what = e.rule_name if not e.rule_code else f"{e.rule_code} {e.rule_name}"
            detail = "；".join(x for x in (e.reason, f"证据：{e.evidence}" if e.evidence else "",
                                          "（已冲正）" if e.corrected_by else "") if x)
            rows.append([e.occurred_on.isoformat(), e.kind_label, what, detail, f"{e.points:+g}", f"{e.balance_after:g}"])
        story.append(table(s, ("日期", "类别", "规则", "事由及证据", "分值", "余额"), rows, (21, 12, 34, 46, 13), centre=(0, 1, 4, 5)))
    else:
        story.append(none_line(s, "尚无积分记录。"))
    last.append(P("说明：积分记录只增不改，更正以冲正记录方式登记，原记录保留；余额按积分规则的上下限计算。扫描二维码或使用本系统“核验”"
                  "功能可离线核验本明细真伪。", s.note, space_before=2 * mm))
    story.append(closing(s, stamp, last))
    return story


def render_statement(ledger: Ledger, target: str | Path, stamp: ReportStamp, *, fonts: DocumentFonts | None = None) -> int:
    """Write the statement to `target`; returns the number of pages."""
    fonts = fonts or register_fonts()
    return build(statement_story(ledger, stamp, fonts), target, fonts, serial=stamp.serial, title=TITLE, organ=stamp.organ,
                 subject=f"{TITLE} {ledger.entity_name}")
