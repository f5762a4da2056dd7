"""The 双公示 page: the four figures for a period and unit, each judged against its target (each one click from the
records pulling it down), a monthly chart with legend and axes drawn with QPainter, and the records list
(searchable from the keyboard) with entry, import, export to the upper platform (its template, the zero report),
the public version, the platform's feedback, correction, withdrawal and marking reported. Every action calls the
service its CLI command calls."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from PySide6.QtCore import QDate, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import PENDING_CLASS, PUBLICITY_CLASSES, RecordKind, ReportStatus
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import RecordView, classify_record, list_records
from xuyi_desktop.services.sgs_stats import Indicators, MonthFigures, indicators, judge_figures
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.record_widgets import save_template
from xuyi_desktop.ui.widgets import page_action

RESUBMIT_COLOUR = QColor("#6a1b9a")  # 待重报
STATUS_COLOURS = {
    ReportStatus.PENDING: QColor("#1565c0"), ReportStatus.REPORTED: QColor("#2e7d32"),
    ReportStatus.OVERDUE: QColor("#c62828"), ReportStatus.LATE: QColor("#ef6c00"),
}
FIGURES = (
    ("report_rate", "报送率", "not_reported"),
    ("compliance_rate", "合规率", "non_compliant"),
    ("timeliness_rate", "及时率", "late"),
    ("completeness", "数据完整率", "incomplete"),
)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


CHART_SERIES = (("应报送", "#bdbdbd"), ("已报送", "#66bb6a"), ("按时报送", "#2e7d32"))


class MonthlyChart(QWidget):
    """Bars per month: decisions due (grey), reported (green), reported on time (dark green), with a legend,
    a count axis with grid lines and a month axis. No extra library."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[MonthFigures] = []
        self.setMinimumHeight(170)

    def set_months(self, months: list[MonthFigures]) -> None:
        self.months = [m for m in months if m.month != "—"]
        self.update()

    @staticmethod
    def ticks(top: int) -> list[int]:
        """0, a round step, …, at or above `top` (at most five lines)."""
        step = 1
        for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
            step = s
            if top / s <= 4:
                break
        n = -(-max(top, 1) // step)
        return [i * step for i in range(n + 1)]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = painter.fontMetrics()
        line = fm.height()
        left = fm.horizontalAdvance("00000") + 14
        rect = self.rect().adjusted(left, line + 10, -12, -(2 * line + 8))
        axis = QPen(QColor("#616161"))
        # legend (top right)
        x = self.rect().right() - 12
        for name, colour in reversed(CHART_SERIES):
            w = fm.horizontalAdvance(name)
            x -= w
            painter.setPen(axis)
            painter.drawText(QRectF(x, 4, w, line), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)
            x -= 16
            painter.fillRect(QRectF(x, 4 + line / 2 - 5, 12, 10), QColor(colour))
            x -= 14
        painter.setPen(axis)
        painter.drawText(QRectF(4, 4, left + 40, line), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), "记录数（条）")
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topLeft())
        painter.drawText(QRectF(rect.left(), rect.bottom() + line + 4, rect.width(), line), int(Qt.AlignmentFlag.AlignCenter), "决定月份")
        if not self.months:
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), "所选期间没有记录")
            painter.end()
            return
        ticks = self.ticks(max(max(m.records for m in self.months), 1))
        top = ticks[-1]
        grid = QPen(QColor("#e0e0e0"))
        for t in ticks:
            y = rect.bottom() - rect.height() * t / top
            if t:
                painter.setPen(grid)
                painter.drawLine(int(rect.left()) + 1, int(y), int(rect.right()), int(y))
            painter.setPen(axis)
            painter.drawText(QRectF(0, y - line / 2, left - 6, line), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(t))
        slot = rect.width() / len(self.months)
        bar = max(min(slot / 4, 28.0), 2.0)
        step = max(1, int(-(-(fm.horizontalAdvance("2025-00") + 6) // max(slot, 1))))  # skip labels that would touch
        for i, m in enumerate(self.months):
            x0 = rect.left() + i * slot + slot / 2 - 1.5 * bar
            for j, (value, (_, colour)) in enumerate(zip((m.due, m.reported, m.on_time), CHART_SERIES)):
                h = rect.height() * value / top
                painter.fillRect(QRectF(x0 + j * bar, rect.bottom() - h, bar - 1, h), QColor(colour))
            if i % step == 0:
                painter.setPen(axis)
                label = m.month if len(self.months) <= 12 or i == 0 or m.month.endswith("-01") else m.month[5:]
                painter.drawText(QRectF(rect.left() + i * slot - slot, rect.bottom() + 3, 3 * slot, line),
                                 int(Qt.AlignmentFlag.AlignCenter), label)
        painter.end()


class SgsPage(QWidget):
    message = Signal(str)
    refreshed = Signal()

    COLUMNS = ("类型", "决定文书号", "行政相对人", "决定日期", "截止日", "状态", "报送日期", "批次", "公示类别", "问题")
    CLASS_COLUMN = 8
    STATUS_COLUMN = 5
    # Columns sized to their longest text (up to a cap), so a document number or a long name is never cut to "…".
    FIT_COLUMNS = {0: 120, 1: 260, 2: 420, 3: 110, 4: 130, 5: 110, 6: 110, 7: 260, 8: 170}

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._settings, self._today = ctx, settings, today
        self.figures: Indicators | None = None
        self.records: list[RecordView] = []
        self.filter_ids: set[str] | None = None
        self._build()
        self.refresh()

    # --- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        today = self._today or dt.date.today()
        self.from_edit = QDateEdit(QDate(today.year, 1, 1), self)
        self.to_edit = QDateEdit(QDate(today.year, today.month, today.day), self)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.unit_edit = QLineEdit(self)
        self.unit_edit.setPlaceholderText(self.tr("决定机关（全部）"))
        self.unit_edit.setMinimumWidth(170)
        from xuyi_desktop.ui.widgets import attach_unit_completer

        attach_unit_completer(self.unit_edit)
        refresh = QPushButton(self.tr("统计"), self)
        refresh.clicked.connect(self.refresh)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("搜索：相对人名称、文书号、信用代码或“待重报”（Ctrl+F）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(300)
        self.search_edit.textChanged.connect(lambda _t: self._fill())
        top = QHBoxLayout()
        for w in (QLabel(self.tr("决定日期"), self), self.from_edit, QLabel("～", self), self.to_edit, self.unit_edit, refresh):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.search_edit, 1)

        self.figure_buttons: dict[str, QPushButton] = {}
        figures = QHBoxLayout()
        for key, title, _ in FIGURES:
            button = QPushButton(f"{title}\n—", self)
            button.setMinimumHeight(52)
            button.setToolTip(self.tr("点击列出拉低该指标的记录"))
            button.clicked.connect(lambda _=False, k=key: self.show_offenders(k))
            self.figure_buttons[key] = button
            figures.addWidget(button)
        self.show_all_button = QPushButton(self.tr("全部记录"), self)
        self.show_all_button.setMinimumHeight(52)
        self.show_all_button.clicked.connect(lambda: self.show_offenders(None))
        figures.addWidget(self.show_all_button)
        self.counts_label = QLabel(self)
        self.counts_label.setWordWrap(True)
        self.chart = MonthlyChart(self)

        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)

        self.add_penalty_button = QPushButton(self.tr("登记行政处罚"), self)
        self.add_license_button = QPushButton(self.tr("登记行政许可"), self)
        self.import_button = QPushButton(self.tr("导入台账…"), self)
        self.template_button = QPushButton(self.tr("下载模板…"), self)
        self.template_button.setToolTip(self.tr("行政许可、行政处罚导入模板（每种记录一张工作表，含填写说明）"))
        self.export_button = QPushButton(self.tr("导出报送批次…"), self)
        self.export_button.setToolTip(self.tr("按上级平台模板导出本期未报送的记录并标记已报送；本期无记录时生成零报送说明"))
        self.public_button = QPushButton(self.tr("导出公示版…"), self)
        self.public_button.setToolTip(self.tr("可向社会公示的记录（个人证件号码隐去中间部分），不标记已报送"))
        self.publish_button = QPushButton(self.tr("发布到信用交通江苏…"), self)
        self.publish_button.setToolTip(self.tr("按平台发布格式导出信用评价、信用承诺（含践诺、违诺）、红黑名单、信用修复"))
        self.feedback_button = QPushButton(self.tr("导入反馈…"), self)
        self.feedback_button.setToolTip(self.tr("导入上级平台的反馈文件：被退回的记录标为“待重报”并注明原因"))
        self.correct_button = QPushButton(self.tr("更正…"), self)
        self.withdraw_button = QPushButton(self.tr("撤销…"), self)
        self.report_button = QPushButton(self.tr("标记已报送…"), self)
        self.report_button.setToolTip(self.tr("只标记所选记录中尚未报送（或待重报）的记录"))
        self.classify_button = QPushButton(self.tr("确定公示类别…"), self)
        self.classify_button.setToolTip(self.tr("审核人员确定选中行政处罚的失信程度（公示类别）：待定或按规则推定的记录，须写明理由"))
        self.classify_button.setVisible(self._ctx.can(Permission.CREDIT_REVIEW))  # reviewers only
        self.classify_button.setEnabled(False)
        self.notice_button = QPushButton(self.tr("打印信用修复告知书…"), self)
        self.notice_button.setToolTip(self.tr("两书同达：打印选中行政处罚的信用修复告知书，登记随决定书送达"))
        self.notice_button.setEnabled(False)
        self.notice_button.clicked.connect(lambda: self.open_repair_notice())
        self.add_penalty_button.clicked.connect(lambda: self.open_form(RecordKind.PENALTY))
        self.add_license_button.clicked.connect(lambda: self.open_form(RecordKind.LICENSE))
        self.import_button.clicked.connect(self.open_import)
        self.template_button.clicked.connect(lambda: self.save_template())
        self.export_button.clicked.connect(lambda: self.open_export(public=False))
        self.public_button.clicked.connect(lambda: self.open_export(public=True))
        self.publish_button.clicked.connect(lambda: self.open_export(public=False, publication=True))
        self.feedback_button.clicked.connect(lambda: self.import_feedback())
        self.correct_button.clicked.connect(lambda: self.correct_selected())
        self.withdraw_button.clicked.connect(lambda: self.withdraw_selected())
        self.report_button.clicked.connect(lambda: self.mark_selected_reported())
        self.classify_button.clicked.connect(lambda: self.classify_selected())
        self.table.itemSelectionChanged.connect(self._update_classify)
        self.table.itemActivated.connect(lambda _i: self.correct_selected())  # Enter or double-click opens the correction
        can_edit = self._ctx.can(Permission.ENTITY_EDIT)
        can_export = self._ctx.can(Permission.EXPORT)
        for b in (self.add_penalty_button, self.add_license_button, self.import_button, self.feedback_button):
            b.setEnabled(can_edit)
        self.export_button.setEnabled(can_export and can_edit)
        self.public_button.setEnabled(can_export)
        self.publish_button.setEnabled(can_export)
        exchange = QHBoxLayout()
        for b in (self.add_penalty_button, self.add_license_button, self.import_button, self.template_button,
                  self.export_button, self.public_button, self.feedback_button, self.publish_button):
            exchange.addWidget(b)
        exchange.addStretch(1)
        selection = QHBoxLayout()
        self.selection_label = QLabel(self)
        for b in (self.correct_button, self.withdraw_button, self.report_button, self.classify_button, self.notice_button):
            selection.addWidget(b)
        selection.addWidget(self.selection_label)
        selection.addStretch(1)
        page_action(self, self.tr("登记行政处罚"), "Ctrl+N", lambda: self.open_form(RecordKind.PENALTY))
        page_action(self, self.tr("刷新"), "F5", self.refresh)
        page_action(self, self.tr("搜索"), "Ctrl+F", self._focus_search)
        page_action(self, self.tr("导出报送批次"), "Ctrl+E", lambda: self.open_export(public=False))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(figures)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.chart)
        layout.addLayout(exchange)
        layout.addLayout(selection)
        layout.addWidget(self.table, 1)
        self.form: QDialog | None = None
        self.import_dialog: QDialog | None = None
        self.classify_dialog: QDialog | None = None
        self.notice_dialog: QDialog | None = None
        self.export_dialog: object = None
        self.record_dialog: object = None
        self.feedback_result: object = None

    # --- data -----------------------------------------------------------------------------------------------

    def _period(self) -> tuple[dt.date, dt.date]:
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()  # type: ignore[return-value]

    def refresh(self) -> None:
        date_from, date_to = self._period()
        unit = self.unit_edit.text().strip() or None
        today = self._today

        def work() -> tuple[Indicators, list[RecordView]]:
            return (
                indicators(self._ctx, date_from=date_from, date_to=date_to, unit=unit, as_of=today),
                list_records(self._ctx, date_from=date_from, date_to=date_to, unit=unit, today=today),
            )

        run_in_background(work, self._loaded, self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        text = exc.message_zh if isinstance(exc, DomainError) else str(exc)
        self.message.emit(text)
        QMessageBox.warning(self, self.tr("双公示"), text)

    def _loaded(self, data: tuple[Indicators, list[RecordView]]) -> None:
        self.figures, self.records = data
        f = self.figures
        judged = judge_figures(f)
        for key, title, _ in FIGURES:
            button = self.figure_buttons[key]
            j = judged.get(key)
            value = getattr(f, key)
            if j is None:
                button.setText(f"{title}\n{percent(value)}")
                button.setStyleSheet("")
                continue
            verdict = {True: "达标", False: "未达标", None: ""}[j.met]
            button.setText(f"{title}  {percent(value)}\n目标 {j.target_text}  {verdict}".rstrip())
            button.setToolTip(self.tr("{0}：目标 {1}。点击列出拉低该指标的记录").format(j.name, j.target_text))
            colour = {True: ("#e8f5e9", "#1b5e20"), False: ("#ffebee", "#b71c1c"), None: (None, None)}[j.met]
            button.setStyleSheet(f"QPushButton {{ background: {colour[0]}; color: {colour[1]}; font-weight: bold; }}" if colour[0] else "")
            button.setProperty("met", j.met)
        pending = sum(1 for r in self.records if r.resubmit_needed)
        self.counts_label.setText(
            f"记录 {f.records} 条，应报送 {f.due} 条，已报送 {f.reported} 条；未报送 {len(f.not_reported)}，"
            f"不合规 {len(f.non_compliant)}，逾期报送 {len(f.late)}，缺项 {len(f.incomplete)}"
            + (f"，待重报 {pending}" if pending else "")
        )
        self.chart.set_months(f.months)
        self.filter_ids = None
        self._fill()
        self.refreshed.emit()

    def show_offenders(self, key: str | None) -> None:
        """List only the records that pull figure `key` down (None: all records)."""
        if self.figures is None:
            return
        if key is None:
            self.filter_ids = None
        else:
            attr = next(a for k, _, a in FIGURES if k == key)
            self.filter_ids = {o.id for o in getattr(self.figures, attr)}
        self._fill()

    def _matches(self, r: RecordView) -> bool:
        text = self.search_edit.text().strip()
        if not text:
            return True
        folded = text.upper()
        return (text in r.name or text == r.status_text or folded in r.document_no.upper() or folded in str(r.values.get("xdr_shxym", "")).upper()
                or folded in str(r.values.get("xdr_zjhm", "")).upper())

    def visible_records(self) -> list[RecordView]:
        return [r for r in self.records if (self.filter_ids is None or str(r.id) in self.filter_ids) and self._matches(r)]

    def _fill(self) -> None:
        rows = self.visible_records()
        self.table.setUpdatesEnabled(False)
        self.table.clearSelection()
        self.table.setRowCount(len(rows))
        longest: dict[int, str] = {}
        for i, r in enumerate(rows):
            problem = (f"平台退回：{r.rejected_reason}" if r.rejected_reason else "") or "；".join(r.problems) \
                or ("已撤销" if r.withdrawn_on else "") or ("缺" + "、".join(r.missing) if r.missing else "")
            cells = (
                r.kind.label, r.document_no, r.name, str(r.decided or ""), str(r.deadline or "待定"), r.status_text,
                str(r.reported_on or ""), r.batch_no, self.class_text(r), problem,
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, str(r.id))
                if j == self.STATUS_COLUMN:
                    item.setForeground(RESUBMIT_COLOUR if r.resubmit_needed else STATUS_COLOURS[r.status])
                if j == self.CLASS_COLUMN and r.values.get("publicity_class") == PENDING_CLASS:
                    item.setForeground(QColor("#ef6c00"))
                if j == len(cells) - 1 and r.rejected_reason:
                    item.setForeground(RESUBMIT_COLOUR)
                    item.setToolTip(text)
                self.table.setItem(i, j, item)
                if j in self.FIT_COLUMNS and len(text) > len(longest.get(j, "")):
                    longest[j] = text
        self._fit_columns(longest)
        self.table.setUpdatesEnabled(True)
        self._update_classify()

    def _fit_columns(self, longest: dict[int, str]) -> None:
        """Key columns as wide as their longest text (measured once per column, not per row), within a cap."""
        fm = self.table.fontMetrics()
        head = self.table.horizontalHeader().fontMetrics()
        for j, cap in self.FIT_COLUMNS.items():
            need = max(fm.horizontalAdvance(longest.get(j, "")), head.horizontalAdvance(self.COLUMNS[j])) + 24
            self.table.setColumnWidth(j, min(need, cap))

    @staticmethod
    def class_text(r: RecordView) -> str:
        """A penalty's publicity class, saying where it came from when no one has decided it (待定 / 按规则推定)."""
        if r.kind is not RecordKind.PENALTY:
            return ""
        klass = r.values.get("publicity_class", "") or PENDING_CLASS
        if klass == PENDING_CLASS:
            return "待定"
        return f"{klass}（按规则推定）" if r.class_source == "rule" else klass

    # --- actions ----------------------------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _exported(self, text: str, result: object) -> None:
        """A batch export marks records 已报送 (the list changes); a public version or publication does not."""
        if getattr(result, "batch_no", ""):
            self._done(text)
        else:
            self.message.emit(text)

    def _done(self, text: str) -> None:
        """A record changed: say so in the status bar and show the list as it now is."""
        self.message.emit(text)
        self.refresh()

    def open_form(self, kind: RecordKind) -> None:
        from xuyi_desktop.ui.sgs_form import SgsRecordForm

        self.form = SgsRecordForm(self._ctx, kind, self, today=self._today)
        self.form.saved.connect(lambda view: self._done(f"已登记 {view.document_no}"))
        self.form.open()

    def open_import(self) -> None:
        from xuyi_desktop.ui.sgs_import import SgsImportDialog

        self.import_dialog = SgsImportDialog(self._ctx, self, today=self._today)
        self.import_dialog.finished_import.connect(lambda _r: self.refresh())
        self.import_dialog.open()

    def save_template(self, path: str | None = None) -> Path | None:
        """下载模板: the 双公示 import template (services.sgs_exchange.write_sgs_template, as `xuyi sgs template`)."""
        from xuyi_desktop.services.sgs_exchange import write_sgs_template

        out = save_template(self, Path("双公示导入模板.xlsx"), write_sgs_template, path)
        if out is not None:
            self.message.emit(self.tr("导入模板已保存：{0}").format(out))
        return out

    def open_export(self, *, public: bool, publication: bool = False, exec_dialog: bool = True):
        """导出报送批次 / 导出公示版 (services.sgs_exchange.export_sgs, as `xuyi export sgs`) and 发布到信用交通江苏
        (services.platform_export.export_publication, as `xuyi export publication`)."""
        from xuyi_desktop.ui.sgs_export_dialog import SgsExportDialog

        dialog = SgsExportDialog(self._ctx, self, public=public, publication=publication, today=self._today)
        dialog.exported.connect(lambda result: self._exported(dialog.status.text().splitlines()[0], result))
        self.export_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def import_feedback(self, path: str | None = None) -> None:
        """导入反馈: the platform's feedback file marks the refused records 待重报 (services.sgs_feedback, as
        `xuyi import sgs-feedback`), off the GUI thread; the outcome is shown and the list refreshed."""
        from xuyi_desktop.services.sgs_feedback import FeedbackResult, import_feedback

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("选择上级平台的反馈文件"), "", "Excel (*.xlsx)")
            if not path:
                return
        ctx, today, file = self._ctx, self._today, Path(path)
        self.feedback_button.setEnabled(False)
        self.message.emit(self.tr("正在导入反馈…"))

        def done(result: FeedbackResult) -> None:
            self.feedback_button.setEnabled(True)
            self.feedback_result = result
            lines = [self.tr("共 {0} 行：退回待重报 {1} 条，通过 {2} 条，未匹配 {3} 条。").format(
                result.rows, len(result.marked), result.accepted, len(result.unmatched))]
            lines += [f"待重报：{m.document_no} {m.name}：{m.reason}" for m in result.marked[:10]]
            lines += [f"未处理：第{u.row}行 {u.document_no} {u.name}：{u.problem}" for u in result.unmatched[:10]]
            QMessageBox.information(self, self.tr("导入反馈"), "\n".join(lines))
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.feedback_button.setEnabled(True)
            self._failed(exc)

        run_in_background(lambda: import_feedback(ctx, file, today=today), done, failed, owner=self)

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [uuid.UUID(self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows]

    def selected_records(self) -> list[RecordView]:
        by_id = {r.id: r for r in self.records}
        return [by_id[i] for i in self.selected_ids() if i in by_id]

    def _selected_one(self) -> RecordView | None:
        chosen = self.selected_records()
        return chosen[0] if len(chosen) == 1 else None

    def _selected_penalty(self) -> RecordView | None:
        record = self._selected_one()
        return record if record is not None and record.kind is RecordKind.PENALTY and not record.withdrawn_on else None

    def _update_classify(self) -> None:
        self.classify_button.setEnabled(self._ctx.can(Permission.CREDIT_REVIEW) and self._selected_penalty() is not None)
        self.notice_button.setEnabled(self._ctx.can(Permission.PRINT) and self._selected_penalty() is not None)
        one = self._selected_one()
        can_edit = self._ctx.can(Permission.ENTITY_EDIT)
        self.correct_button.setEnabled(can_edit and one is not None)
        self.withdraw_button.setEnabled(can_edit and one is not None and one.withdrawn_on is None)
        chosen = self.selected_records()
        unreported = sum(1 for r in chosen if r.unreported)
        self.report_button.setEnabled(can_edit and unreported > 0)
        self.report_button.setText(self.tr("标记已报送（{0}）…").format(unreported) if chosen else self.tr("标记已报送…"))
        self.selection_label.setText(self.tr("已选 {0} 条，其中未报送 {1} 条").format(len(chosen), unreported) if chosen else "")

    def correct_selected(self, *, exec_dialog: bool = True):
        """更正 the selected record (services.sgs.correct_record, as `xuyi sgs correct`)."""
        from xuyi_desktop.ui.sgs_correct_dialog import SgsCorrectDialog

        record = self._selected_one()
        if record is None or not self._ctx.can(Permission.ENTITY_EDIT):
            return None
        dialog = SgsCorrectDialog(self._ctx, record, self, today=self._today)
        dialog.corrected.connect(lambda view: self._done(self.tr("已更正 {0}（第{1}版）").format(view.document_no, view.revision)))
        self.record_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def withdraw_selected(self, *, exec_dialog: bool = True):
        """撤销 the selected record (services.sgs.withdraw_record, as `xuyi sgs withdraw`)."""
        from xuyi_desktop.ui.sgs_correct_dialog import SgsWithdrawDialog

        record = self._selected_one()
        if record is None or record.withdrawn_on is not None or not self._ctx.can(Permission.ENTITY_EDIT):
            return None
        dialog = SgsWithdrawDialog(self._ctx, record, self, today=self._today)
        dialog.withdrawn.connect(lambda view: self._done(self.tr("已撤销 {0}").format(view.document_no)))
        self.record_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def open_repair_notice(self, *, exec_dialog: bool = True):
        """两书同达: the selected penalty's 信用修复告知书 (print, reprint, record served)."""
        from xuyi_desktop.ui.repair_notice_dialog import RepairNoticeDialog

        record = self._selected_penalty()
        if record is None:
            return None
        dialog = RepairNoticeDialog(self._ctx, record.id, self, today=self._today)
        dialog.changed.connect(self.message.emit)
        self.notice_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def classify_selected(self, *, exec_dialog: bool = True):
        """确定公示类别 (reviewers): the class picked from 轻微/一般/严重 and a reason; services.sgs.classify_record."""
        from xuyi_desktop.ui.profile_widgets import ReasonDialog

        record = self._selected_penalty()
        if record is None:
            return None
        ctx, today = self._ctx, self._today
        current = record.values.get("publicity_class", "")

        def classify(dialog: ReasonDialog) -> RecordView:
            return classify_record(ctx, record.id, dialog.choice, reason=dialog.reason, today=today)

        dialog = ReasonDialog(
            self.tr("确定公示类别"),
            self.tr("行政处罚 {0}（{1}）当前公示类别：{2}。确定后公示截止期按决定日期适用的公示规则计算。").format(
                record.document_no, record.name, self.class_text(record)
            ),
            self, choices=PUBLICITY_CLASSES, choice_label=self.tr("失信程度（公示类别）"),
            current=current if current in PUBLICITY_CLASSES else "一般", action=classify,
        )
        dialog.accepted.connect(lambda: self._classified(dialog.result_value))
        self.classify_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog

    def _classified(self, view: RecordView | None) -> None:
        if view is not None:
            klass = view.values.get("publicity_class", "")
            self.message.emit(self.tr("{0} 公示类别已确定为“{1}”，公示至 {2}").format(view.document_no, klass, view.publicity_end or "—"))
        self.refresh()

    def mark_selected_reported(self, *, exec_dialog: bool = True):
        """标记已报送: only the selected records not yet reported, after a confirmation naming how many."""
        from xuyi_desktop.ui.sgs_report_dialog import SgsMarkReportedDialog

        chosen = self.selected_records()
        if not chosen:
            QMessageBox.information(self, self.tr("双公示"), self.tr("请先选择要标记的记录"))
            return None
        if not any(r.unreported for r in chosen):
            QMessageBox.information(self, self.tr("双公示"), self.tr("所选 {0} 条记录都已报送，无需标记").format(len(chosen)))
            return None
        dialog = SgsMarkReportedDialog(self._ctx, chosen, self, today=self._today)
        dialog.marked.connect(lambda n: self._done(self.tr("已标记 {0} 条为已报送").format(n)))
        self.record_dialog = dialog
        if exec_dialog:
            dialog.open()
        return dialog
