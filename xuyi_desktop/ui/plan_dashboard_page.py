"""指标看板: every target of the plan and the municipal department scores for a year and unit — target, actual, met —
with a chart of actual against target and the monthly trend (QtCharts). One click on a figure (its row, or its bar)
lists the records behind it; a double click opens one. Printing the one-page sheet, the year-end workbook and
recording the monthly 双公示 report are here too. The figures come from services.indicators only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSettings, QStandardPaths, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.printing.plan_docs import TREND_SERIES, _short
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.indicators import IndicatorReport, add_monthly_report, plan_indicators, print_indicators
from xuyi_desktop.services.record_details import KINDS
from xuyi_desktop.services.yearbook import export_yearbook
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.plan_common import (
    GREEN,
    ORANGE,
    RED,
    PlanPage,
    fill_table,
    plan_buttons,
    read_only_table,
    row_data,
    unit_combo,
)
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of, splitter

SERIES_COLOURS = ("#2166bf", "#2e8c3d", "#e5730d", "#8c3399")


def _cleared(chart: QChart) -> QChart:
    """The chart without its series and axes, to be drawn again for another year or unit."""
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    return chart


def _percent_axis(high: int, ticks: int) -> QValueAxis:
    """Percentages from 0 to `high`, in whole numbers."""
    axis = QValueAxis()
    axis.setRange(0, high)
    axis.setTickCount(ticks)
    axis.setLabelFormat("%d")
    return axis


class MonthlyReportDialog(QDialog):
    """登记月报: the month, the day it was sent, for the bureau or a unit."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        today = today or dt.date.today()
        last = today.replace(day=1) - dt.timedelta(days=1)
        self.setWindowTitle("登记“双公示”月报已报送")
        self.month_edit = QLineEdit(last.strftime("%Y-%m"), self)
        self.on_edit = date_edit(self, today)
        self.unit = unit_combo(self, all_label="全局（局汇总报送）")
        self.note_edit = QLineEdit(self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c62828;")
        form = QFormLayout()
        form.addRow("月份（YYYY-MM）", self.month_edit)
        form.addRow("报送日期", self.on_edit)
        form.addRow("报送单位", self.unit)
        form.addRow("备注", self.note_edit)
        plan_buttons(self, form, self.error, self.save)

    def save(self) -> bool:
        try:
            add_monthly_report(self._ctx, self.month_edit.text(), unit=str(self.unit.currentData() or ""),
                               on=day_of(self.on_edit), note=self.note_edit.text())
        except DomainError as refused:
            self.error.setText(refused.message_zh)
            return False
        self.accept()
        return True


class PlanDashboardPage(PlanPage):
    COLUMNS = ("类别", "指标", "目标", "实际", "是否达标")

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(ctx, settings, parent, today)
        self.report: IndicatorReport | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        today = self._today or dt.date.today()
        self.year_spin = QSpinBox(self)
        self.year_spin.setRange(2020, 2100)
        self.year_spin.setValue(today.year)
        self.unit = unit_combo(self)
        refresh = QPushButton("统计", self)
        refresh.clicked.connect(self.refresh)
        self.print_button = QPushButton("打印指标完成情况…", self)
        self.print_button.clicked.connect(lambda: self.print_sheet())
        self.yearbook_button = QPushButton("导出年度统计…", self)
        self.yearbook_button.clicked.connect(lambda: self.export_book())
        self.monthly_button = QPushButton("登记月报…", self)
        self.monthly_button.clicked.connect(self.record_monthly)
        top = QHBoxLayout()
        for w in (QLabel("年度", self), self.year_spin, QLabel("单位", self), self.unit, refresh):
            top.addWidget(w)
        top.addStretch(1)
        for w in (self.monthly_button, self.print_button, self.yearbook_button):
            top.addWidget(w)
        self.summary = QLabel(self)

        self.table = read_only_table(self, self.COLUMNS, stretch=1)
        self.table.itemSelectionChanged.connect(self._figure_chosen)
        self.records_label = QLabel("点击一项指标，查看计入或拉低该指标的记录；双击记录打开", self)
        self.records = read_only_table(self, ("类型", "记录", "日期", "说明"), stretch=3)
        self.records.cellDoubleClicked.connect(lambda row, _c: self.open_drill_record(row))

        self.bar_chart = QChart()
        self.bar_chart.setTitle("实际值相当于目标值的百分比（点击柱形查看记录）")
        self.bar_chart.legend().setVisible(False)
        self.bar_chart.setMargins(QMargins(4, 4, 4, 4))
        self.bar_view = QChartView(self.bar_chart, self)
        self.bar_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.trend_chart = QChart()
        self.trend_chart.setTitle("月度走势（%）")
        self.trend_chart.setMargins(QMargins(4, 4, 4, 4))
        self.trend_view = QChartView(self.trend_chart, self)
        self.trend_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        for view in (self.bar_view, self.trend_view):
            view.setMinimumHeight(200)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table, 3)
        lv.addWidget(self.records_label)
        lv.addWidget(self.records, 2)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.bar_view)
        right.addWidget(self.trend_view)
        split = splitter(self, Qt.Orientation.Horizontal, (left, right))
        split.setChildrenCollapsible(False)
        split.setSizes([720, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    # --- data ---------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        year, unit = self.year_spin.value(), str(self.unit.currentData() or "") or None
        as_of = self._today
        self.summary.setText("统计中…")
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_in_background(lambda: plan_indicators(self._ctx, year=year, unit=unit, as_of=as_of),
                          lambda report: self._loaded(report) if generation == self._generation else None,
                          self._failed, owner=self)  # an earlier question answered late is dropped

    def _failed(self, exc: BaseException) -> None:
        text = exc.message_zh if isinstance(exc, DomainError) else f"统计失败：{exc}"
        self.summary.setText(text)
        self.message.emit(text)

    def _loaded(self, report: IndicatorReport) -> None:
        self.report = report
        rows, colours = [], []
        for f in report.figures:
            applies = f.definition.applies(report.year)
            detail = f"（{f.numerator}/{f.denominator}）" if f.numerator is not None and f.denominator else ""
            rows.append(["方案目标" if f.definition.group == "plan" else "市考核", f.definition.name, f.definition.target_text(),
                         f.actual_text + detail, f.met_text if applies else "本年度不考核"])
            colours.append(GREEN if f.met else (RED if f.met is False else None))
        fill_table(self.table, rows, data=[f.definition.code for f in report.figures], colours=colours)
        for r, f in enumerate(report.figures):
            self.table.item(r, 1).setToolTip(f"{f.definition.definition}\n{f.definition.note}".strip())
        self.summary.setText(f"{report.year}年度，{report.unit or '全局'}，数据截至{report.as_of.isoformat()}："
                             f"达标 {report.met_count} 项，共考核 {report.judged_count} 项")
        self.records.setRowCount(0)
        self._draw_bars(report)
        self._draw_trend(report)
        self.refreshed.emit()

    def _draw_bars(self, report: IndicatorReport) -> None:
        """Horizontal bars (so every name is readable): actual as a percentage of the target, green when met; the
        dashed line is the target. A click on a bar selects its figure."""
        chart = _cleared(self.bar_chart)
        figures = [f for f in report.figures if f.definition.applies(report.year)][::-1]  # first figure on top
        self._bar_codes = [f.definition.code for f in figures]
        met, unmet = QBarSet("达标"), QBarSet("未达标")
        met.setColor(QColor(GREEN))
        unmet.setColor(QColor(ORANGE))
        for f in figures:
            value = min(150.0, (f.actual or 0.0) / f.definition.target * 100) if f.definition.target else 0.0
            met.append(value if f.met else 0.0)
            unmet.append(0.0 if f.met else value)
        series = QHorizontalStackedBarSeries()
        series.append(met)
        series.append(unmet)
        series.setBarWidth(0.7)
        met.clicked.connect(self.select_figure_at)
        unmet.clicked.connect(self.select_figure_at)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([_short(f.definition.name) for f in figures])
        font = axis_y.labelsFont()
        font.setPointSize(8)
        axis_y.setLabelsFont(font)
        axis_y.setTruncateLabels(False)
        axis_x = _percent_axis(150, 4)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        target = QLineSeries()
        target.setName("目标")
        target.setPen(QPen(QColor("#c62828"), 1.5, Qt.PenStyle.DashLine))
        target.append(100, -0.5)
        target.append(100, len(figures) - 0.5)
        chart.addSeries(target)
        line_y = QValueAxis()
        line_y.setRange(-0.5, len(figures) - 0.5)
        line_y.setVisible(False)
        chart.addAxis(line_y, Qt.AlignmentFlag.AlignRight)
        target.attachAxis(axis_x)
        target.attachAxis(line_y)

    def _draw_trend(self, report: IndicatorReport) -> None:
        chart = _cleared(self.trend_chart)
        axis_x = QCategoryAxis()  # "%d月" as a label format loses the 月: name each month instead
        axis_x.setRange(1, 12)
        for m in range(1, 13):
            axis_x.append(f"{m}月", m)
        axis_x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        axis_x.setTruncateLabels(False)
        axis_y = _percent_axis(100, 5)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        self.trend_series: dict[str, QLineSeries] = {}
        for (code, name), colour in zip(TREND_SERIES, SERIES_COLOURS):
            series = QLineSeries()
            series.setName(name)
            series.setPen(QPen(QColor(colour), 2))
            series.setPointsVisible(True)
            for month, value in zip(report.months, report.trend.get(code, [])):
                if value is not None:
                    series.append(int(month[5:]), value * 100)
            chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            self.trend_series[code] = series
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    # --- drill-down ---------------------------------------------------------------------------------------
    def select_figure_at(self, index: int) -> None:
        """A bar was clicked: select its figure's row (which lists its records)."""
        code = self._bar_codes[index]
        for r in range(self.table.rowCount()):
            if row_data(self.table, r) == code:
                self.table.selectRow(r)
                return

    def _figure_chosen(self) -> None:
        code = row_data(self.table)
        if self.report is None or code is None:
            return
        f = self.report.figure(str(code))
        fill_table(self.records, [[KINDS[r.kind][1] if r.kind in KINDS else r.kind, r.title, r.day.isoformat() if r.day else "",
                                   r.note] for r in f.records],
                   data=[(r.kind, r.id) for r in f.records])
        what = f.records_label or "记录"
        self.records_label.setText(f"“{f.definition.name}”{what}：{len(f.records)} 条" + ("（双击打开）" if f.records else ""))

    def open_drill_record(self, row: int) -> QWidget | None:
        data = row_data(self.records, row)
        if not data:
            return None
        kind, record_id = cast(tuple[str, str], data)
        return self.show_record(kind, record_id)

    # --- print, export, monthly report ---------------------------------------------------------------------
    def _folder(self) -> str:
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def print_sheet(self, path: str | Path | None = None) -> None:
        self._write(path, "保存指标完成情况", "指标完成情况{0}.pdf", "PDF (*.pdf)", print_indicators, "已生成：{0}")

    def export_book(self, path: str | Path | None = None) -> None:
        self._write(path, "导出年度统计", "年度统计{0}.xlsx", "Excel (*.xlsx)", export_yearbook, "已导出：{0}")

    def _write(self, path: str | Path | None, title: str, name: str, filter_: str, write: Callable[..., object],
               done: str) -> None:
        """Write the year's figures for the chosen unit to `path` (asked for, `name` in Documents by default) off the
        GUI thread; `done` names the file in the status bar, a failure shows in a box."""
        year, unit = self.year_spin.value(), str(self.unit.currentData() or "") or None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, title, str(Path(self._folder()) / name.format(year)), filter_)
            if not path:
                return
        target = Path(path)
        run_in_background(lambda: write(self._ctx, target, year=year, unit=unit, as_of=self._today),
                          lambda out: self.message.emit(done.format(out)), self._failed_box, owner=self)

    def _failed_box(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "未完成", exc.message_zh if isinstance(exc, DomainError) else str(exc))

    def record_monthly(self, *, exec_dialog: bool = True) -> MonthlyReportDialog:
        dialog = MonthlyReportDialog(self._ctx, self, today=self._today)
        if exec_dialog and dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
        return dialog
