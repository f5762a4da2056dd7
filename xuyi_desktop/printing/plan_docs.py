"""The leading group's papers on the GB/T 9704 page: the task progress summary (every annex-2 task with its status
and each unit's standing) and the one-page indicator sheet with its charts (drawn with ReportLab graphics, so they
are vector shapes in the PDF, not pictures). Both numbered on every page, with the signed QR code in the closing
block; the services (plan_tasks, indicators) number, sign and audit, this module only draws what it is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from xuyi_desktop.domain.plan import PlanPeriod, TaskStatus
from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.credit_report import Styles, facts_table, heading, table
from xuyi_desktop.printing.flow import ClosingBlock, OfficialDoc, P
from xuyi_desktop.printing.fonts import DocumentFonts
from xuyi_desktop.printing.output import binary_streams

if TYPE_CHECKING:
    from xuyi_desktop.services.indicators import IndicatorReport
    from xuyi_desktop.services.plan_tasks import TaskView

TASK_TITLE = "“信用交通县”建设任务进展情况"
INDICATOR_TITLE = "“信用交通县”建设指标完成情况"
SERIES_COLOURS = (colors.Color(0.13, 0.40, 0.75), colors.Color(0.18, 0.55, 0.24), colors.Color(0.90, 0.45, 0.05),
                  colors.Color(0.55, 0.20, 0.60))
TARGET_GREY = colors.Color(0.75, 0.75, 0.75)


def _first_sentence(text: str, limit: int = 70) -> str:
    head = text.split("。")[0]
    return head if len(head) <= limit else head[:limit] + "……"


def _build(story: list[Flowable], target: str | Path, fonts: DocumentFonts, *, serial: str, title: str, organ: str) -> int:
    doc = OfficialDoc(target, fonts, serial=serial, serial_label="编号", title=title, author=organ, subject=title)
    with binary_streams():
        doc.build(story)
    return doc.page


# --- task summary ------------------------------------------------------------------------------------------

def render_task_summary(period: PlanPeriod, views: Sequence[TaskView], target: str | Path, *, serial: str, organ: str,
                        today: dt.date, payload: str | None, fonts: DocumentFonts,
                        short_unit: Callable[[str], str] = lambda name: name) -> int:
    """`short_unit`: a unit as a crowded cell shows it (the service passes the unit dictionary's short names)."""
    s = Styles(fonts)
    counts = {st: sum(1 for v in views if v.status is st) for st in TaskStatus}
    story: list[Flowable] = [
        P(TASK_TITLE, s.title),
        P(f"（{period.title}，截至{L.cn_date(today)}）", s.subtitle, space_after=3 * mm),
        facts_table(s, [
            ("编号", serial), ("出具单位", organ), ("统计日期", L.cn_date(today)), ("依据", period.source),
            ("任务总数", f"{len(views)}项：已完成{counts[TaskStatus.DONE]}项，进行中{counts[TaskStatus.IN_PROGRESS]}项，"
                         f"逾期{counts[TaskStatus.OVERDUE]}项，未开始{counts[TaskStatus.NOT_STARTED]}项"),
        ]),
        P("说明：状态按各责任单位报送的进展和任务完成时间确定。“持续推进”的任务每"
          f"{period.report_every_days}天至少报送一次进展，超过即为逾期；任务的全部应报单位报告完成后为已完成。"
          "“有关科室”可报送进展，不计入应报单位。", s.note, space_before=2 * mm),
    ]
    for code, name in period.sections:
        mine = [v for v in views if v.task.section == code]
        if not mine:
            continue
        story += heading(s, f"{code}、{name}")
        rows = []
        for v in mine:
            t = v.task
            groups: dict[str, list[str]] = {}
            for u in v.standings:
                if u.expected or u.reports:
                    pct = f"{u.percent}%" if u.percent is not None and u.status is not TaskStatus.DONE else ""
                    groups.setdefault(u.status.label, []).append(short_unit(u.unit) + pct)
            units = "；".join(f"{label}：{'、'.join(names)}" for label, names in groups.items())
            rows.append([t.label, f"{t.item_name}：{_first_sentence(t.content, 48)}", t.deadline, v.status.label, units or "—"])
        story.append(table(s, ("序号", "任务", "完成时间", "状态", "各单位情况"), rows, (17, 64, 20, 13), centre=(0, 2, 3)))
    overdue: dict[tuple[str, str], list[str]] = {}
    for v in views:
        for u in v.standings:
            if u.expected and u.status is TaskStatus.OVERDUE:
                overdue.setdefault((v.task.label, u.reason), []).append(short_unit(u.unit))
    last: list[Flowable] = [*heading(s, "逾期提醒")]
    if overdue:
        last.append(table(s, ("序号", "情况", "单位"), [[label, reason, "、".join(units)] for (label, reason), units in overdue.items()],
                          (17, 68), centre=(0,)))
    else:
        last.append(P("没有逾期的任务。", s.body))
    block = ClosingBlock(fonts, organ, today, qr_payload=payload, height=46 * mm)
    story.append(KeepTogether([*last, Spacer(1, 4 * mm), block]))
    return _build(story, target, fonts, serial=serial, title=TASK_TITLE, organ=organ)


# --- indicator sheet ---------------------------------------------------------------------------------------

CHART_HEIGHT = 52 * mm


def _drawing(width: float, fonts: DocumentFonts) -> Drawing:
    """A chart's canvas whose initial font is the embedded body font (ReportLab's default, a Helvetica that is
    never embedded, would otherwise be listed in the PDF)."""
    d = Drawing(width, CHART_HEIGHT)
    d.initialFontName, d.initialFontSize = fonts.body.name, 8
    return d


def _bar_chart(report: IndicatorReport, fonts: DocumentFonts, width: float) -> Drawing:
    """Actual against target, in percent of the target for every judged figure (100 = target reached)."""
    figures = [f for f in report.figures if f.definition.applies(report.year)]
    names = [_short(f.definition.name) for f in figures]
    actual = [min(150.0, (f.actual or 0.0) / f.definition.target * 100) if f.definition.target else 0.0 for f in figures]
    d = _drawing(width, fonts)
    d.add(String(0, CHART_HEIGHT - 9, "实际值相当于目标值的百分比", fontName=fonts.body.name, fontSize=8, fillColor=L.GREY))
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 22, 30, width - 28, CHART_HEIGHT - 44
    bc.data = [actual]
    bc.valueAxis.valueMin, bc.valueAxis.valueMax, bc.valueAxis.valueStep = 0, 150, 50
    bc.valueAxis.labels.fontName = fonts.body.name
    bc.valueAxis.labels.fontSize = 7
    bc.categoryAxis.categoryNames = names
    bc.categoryAxis.labels.fontName = fonts.body.name
    bc.categoryAxis.labels.fontSize = 6.5
    bc.categoryAxis.labels.angle = 40
    bc.categoryAxis.labels.boxAnchor = "ne"
    bc.bars.strokeColor = None
    for i, f in enumerate(figures):
        bc.bars[(0, i)].fillColor = SERIES_COLOURS[1] if f.met else (SERIES_COLOURS[2] if f.met is False else TARGET_GREY)
    d.add(bc)
    y100 = bc.y + bc.height * 100 / 150
    d.add(Line(bc.x, y100, bc.x + bc.width, y100, strokeColor=colors.Color(0.8, 0.1, 0.1), strokeDashArray=(3, 2), strokeWidth=0.7))
    d.add(String(bc.x + bc.width - 1, y100 + 2, "目标", fontName=fonts.body.name, fontSize=7, textAnchor="end",
                 fillColor=colors.Color(0.8, 0.1, 0.1)))
    return d


def _short(name: str) -> str:
    return (name.replace("市考核：", "市·").replace("“双公示”信息", "双公示").replace("信用记录数据内容", "记录")
            .replace("全省诚信单位（集体）和诚信个人推荐", "诚信评选推荐").replace("7个工作日内报送（及时率）", "及时率")
            .replace("“双公示”月报按时报送", "月报按时").replace("信用承诺应用领域", "承诺领域")
            .replace("“信易+”应用场景", "信易+场景"))


TREND_SERIES = (("sgs_report_rate", "报送率"), ("sgs_compliance_rate", "合规率"), ("city_timeliness", "及时率"),
                ("record_completeness", "数据完整率"))


def _trend_chart(report: IndicatorReport, fonts: DocumentFonts, width: float) -> Drawing:
    """The monthly trend of the four rates (percent); a month without records is left out of its line."""
    d = _drawing(width, fonts)
    d.add(String(0, CHART_HEIGHT - 9, "月度走势（%）", fontName=fonts.body.name, fontSize=8, fillColor=L.GREY))
    months = report.months or [f"{report.year}-01"]
    lc = HorizontalLineChart()
    lc.x, lc.y, lc.width, lc.height = 22, 30, width - 28, CHART_HEIGHT - 44
    data = []
    for code, _ in TREND_SERIES:
        values = report.trend.get(code) or [None] * len(months)
        data.append([None if v is None else v * 100 for v in values] or [None])
    lc.data = data
    lc.categoryAxis.categoryNames = [m[5:] + "月" for m in months]
    lc.categoryAxis.labels.fontName = fonts.body.name
    lc.categoryAxis.labels.fontSize = 7
    lc.valueAxis.valueMin, lc.valueAxis.valueMax, lc.valueAxis.valueStep = 0, 100, 25
    lc.valueAxis.labels.fontName = fonts.body.name
    lc.valueAxis.labels.fontSize = 7
    for i, colour in enumerate(SERIES_COLOURS):
        lc.lines[i].strokeColor = colour
        lc.lines[i].strokeWidth = 1.2
    d.add(lc)
    legend = Legend()
    legend.x, legend.y = 22, 8
    legend.fontName, legend.fontSize = fonts.body.name, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 52
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [(SERIES_COLOURS[i], name) for i, (_, name) in enumerate(TREND_SERIES)]
    d.add(legend)
    return d


def indicator_rows(report: IndicatorReport) -> list[list[str]]:
    """The table's rows (group, indicator, target, actual, met): what `xuyi indicators --json` calls name,
    target_text, actual_text and met_text."""
    rows = []
    for f in report.figures:
        met = f.met_text if f.definition.applies(report.year) else "本年度不考核"
        detail = f"（{f.numerator}/{f.denominator}）" if f.numerator is not None and f.denominator else ""
        rows.append(["方案目标" if f.definition.group == "plan" else "市考核", f.definition.name,
                     f.definition.target_text(), f.actual_text + detail, met])
    return rows


def render_indicator_sheet(report: IndicatorReport, target: str | Path, *, serial: str, organ: str, today: dt.date,
                           payload: str | None, fonts: DocumentFonts) -> int:
    s = Styles(fonts)
    cell = L.cell_style(fonts, 9, leading=12)
    centre = L.cell_style(fonts, 9, leading=12, align="center")
    head = L.cell_style(fonts, 9, leading=12, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    widths = [16 * mm, 70 * mm, 18 * mm, 30 * mm]
    widths.append(L.TEXT_WIDTH - sum(widths))
    cells = [[P(h, head) for h in ("类别", "指标", "目标", "实际", "是否达标")]]
    for row in indicator_rows(report):
        cells.append([P(row[0], centre), P(row[1], cell), P(row[2], centre), P(row[3], centre), P(row[4], centre)])
    grid = Table(cells, colWidths=widths)
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.body.name), ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.3, 0.3, 0.3)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    half = (L.TEXT_WIDTH - 4 * mm) / 2
    charts = Table([[_bar_chart(report, fonts, half), _trend_chart(report, fonts, half)]], colWidths=[half + 2 * mm] * 2)
    charts.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.body.name), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    scope = report.unit or "全局"
    story: list[Flowable] = [
        P(INDICATOR_TITLE, s.title.with_(size=20, leading=28)),
        P(f"（{report.year}年度，{scope}，数据截至{L.cn_date(report.as_of)}；编号{serial}）", L.cell_style(fonts, 10.5, align="center"),
          space_after=2 * mm),
        grid,
        P(f"达标{report.met_count}项（共考核{report.judged_count}项）。比率指标括号内为分子/分母；“—”表示本年度尚无可计算的记录。",
          L.cell_style(fonts, 8.5, leading=11, color=L.GREY), space_before=1 * mm, space_after=1 * mm),
        charts,
        Spacer(1, 6 * mm),
        ClosingBlock(fonts, organ, today, qr_payload=payload, height=38 * mm),
    ]
    return _build(story, target, fonts, serial=serial, title=INDICATOR_TITLE, organ=organ)
