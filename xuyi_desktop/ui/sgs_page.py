"""The 双公示 page: the four figures for a period and unit (each one click from the records pulling it down),
a monthly chart drawn with QPainter, and the records list with entry, import and marking reported."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QDate, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
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
from xuyi_desktop.services.sgs import RecordView, classify_record, list_records, mark_reported
from xuyi_desktop.services.sgs_stats import Indicators, MonthFigures, indicators
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.widgets import page_action

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


class MonthlyChart(QWidget):
    """Bars per month: decisions due (grey), reported (green), reported on time (dark green). No extra library."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[MonthFigures] = []
        self.setMinimumHeight(160)

    def set_months(self, months: list[MonthFigures]) -> None:
        self.months = [m for m in months if m.month != "—"]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(36, 10, -10, -24)
        painter.setPen(QPen(QColor("#9e9e9e")))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        if not self.months:
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "所选期间没有记录")
            return
        top = max(max(m.records for m in self.months), 1)
        painter.drawText(QRectF(0, rect.top() - 6, 32, 14), int(Qt.AlignmentFlag.AlignRight), str(top))
        slot = rect.width() / len(self.months)
        bar = max(slot / 4, 2.0)
        for i, m in enumerate(self.months):
            x = rect.left() + i * slot + slot / 2 - 1.5 * bar
            for j, (value, colour) in enumerate(((m.due, "#bdbdbd"), (m.reported, "#66bb6a"), (m.on_time, "#2e7d32"))):
                h = rect.height() * value / top
                painter.fillRect(QRectF(x + j * bar, rect.bottom() - h, bar - 1, h), QColor(colour))
            painter.setPen(QPen(QColor("#424242")))
            painter.drawText(QRectF(rect.left() + i * slot, rect.bottom() + 4, slot, 16), int(Qt.AlignmentFlag.AlignCenter), m.month[2:])
        painter.end()


class SgsPage(QWidget):
    message = Signal(str)
    refreshed = Signal()

    COLUMNS = ("类型", "决定文书号", "行政相对人", "决定日期", "截止日", "状态", "报送日期", "批次", "公示类别", "问题")
    CLASS_COLUMN = 8

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
        from xuyi_desktop.ui.widgets import attach_unit_completer

        attach_unit_completer(self.unit_edit)
        refresh = QPushButton(self.tr("统计"), self)
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        for w in (QLabel(self.tr("决定日期"), self), self.from_edit, QLabel("～", self), self.to_edit, self.unit_edit, refresh):
            top.addWidget(w)
        top.addStretch(1)

        self.figure_buttons: dict[str, QPushButton] = {}
        figures = QHBoxLayout()
        for key, title, _ in FIGURES:
            button = QPushButton(f"{title}\n—", self)
            button.setMinimumHeight(56)
            button.setToolTip(self.tr("点击列出拉低该指标的记录"))
            button.clicked.connect(lambda _=False, k=key: self.show_offenders(k))
            self.figure_buttons[key] = button
            figures.addWidget(button)
        self.show_all_button = QPushButton(self.tr("全部记录"), self)
        self.show_all_button.clicked.connect(lambda: self.show_offenders(None))
        figures.addWidget(self.show_all_button)
        self.counts_label = QLabel(self)
        self.chart = MonthlyChart(self)

        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.add_penalty_button = QPushButton(self.tr("登记行政处罚"), self)
        self.add_license_button = QPushButton(self.tr("登记行政许可"), self)
        self.import_button = QPushButton(self.tr("导入台账…"), self)
        self.report_button = QPushButton(self.tr("标记已报送…"), self)
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
        self.report_button.clicked.connect(self.mark_selected_reported)
        self.classify_button.clicked.connect(lambda: self.classify_selected())
        self.table.itemSelectionChanged.connect(self._update_classify)
        actions = QHBoxLayout()
        for b in (self.add_penalty_button, self.add_license_button, self.import_button, self.report_button, self.classify_button,
                  self.notice_button):
            actions.addWidget(b)
        actions.addStretch(1)
        page_action(self, self.tr("登记行政处罚"), "Ctrl+N", lambda: self.open_form(RecordKind.PENALTY))
        page_action(self, self.tr("刷新"), "F5", self.refresh)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(figures)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.chart)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self.form = None
        self.import_dialog = None
        self.classify_dialog = None
        self.notice_dialog = None

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
        for key, title, _ in FIGURES:
            self.figure_buttons[key].setText(f"{title}\n{percent(getattr(f, key))}")
        self.counts_label.setText(
            f"记录 {f.records} 条，应报送 {f.due} 条，已报送 {f.reported} 条；未报送 {len(f.not_reported)}，"
            f"不合规 {len(f.non_compliant)}，逾期报送 {len(f.late)}，缺项 {len(f.incomplete)}"
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

    def visible_records(self) -> list[RecordView]:
        return [r for r in self.records if self.filter_ids is None or str(r.id) in self.filter_ids]

    def _fill(self) -> None:
        rows = self.visible_records()
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = (
                r.kind.label, r.document_no, r.name, str(r.decided or ""), str(r.deadline or "待定"), r.status.label,
                str(r.reported_on or ""), r.batch_no, self.class_text(r),
                "；".join(r.problems) or ("已撤销" if r.withdrawn_on else "") or ("缺" + "、".join(r.missing) if r.missing else ""),
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, str(r.id))
                if j == 5:
                    item.setForeground(STATUS_COLOURS[r.status])
                if j == self.CLASS_COLUMN and r.values.get("publicity_class") == PENDING_CLASS:
                    item.setForeground(QColor("#ef6c00"))
                self.table.setItem(i, j, item)
        self._update_classify()

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

    def open_form(self, kind: RecordKind) -> None:
        from xuyi_desktop.ui.sgs_form import SgsRecordForm

        self.form = SgsRecordForm(self._ctx, kind, self, today=self._today)
        self.form.saved.connect(lambda view: (self.message.emit(f"已登记 {view.document_no}"), self.refresh()))
        self.form.open()

    def open_import(self) -> None:
        from xuyi_desktop.ui.sgs_import import SgsImportDialog

        self.import_dialog = SgsImportDialog(self._ctx, self, today=self._today)
        self.import_dialog.finished_import.connect(lambda _r: self.refresh())
        self.import_dialog.open()

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [uuid.UUID(self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows]

    def _selected_penalty(self) -> RecordView | None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        record = next((r for r in self.records if r.id == ids[0]), None)
        return record if record is not None and record.kind is RecordKind.PENALTY and not record.withdrawn_on else None

    def _update_classify(self) -> None:
        self.classify_button.setEnabled(self._ctx.can(Permission.CREDIT_REVIEW) and self._selected_penalty() is not None)
        self.notice_button.setEnabled(self._ctx.can(Permission.PRINT) and self._selected_penalty() is not None)

    def open_repair_notice(self, *, exec_dialog: bool = True):  # type: ignore[no-untyped-def]
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

    def classify_selected(self, *, exec_dialog: bool = True):  # type: ignore[no-untyped-def]
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

    def mark_selected_reported(self) -> None:
        ids = self.selected_ids()
        if not ids:
            QMessageBox.information(self, self.tr("双公示"), self.tr("请先选择要标记的记录"))
            return
        batch, ok = QInputDialog.getText(self, self.tr("标记已报送"), self.tr("报送批次号："))
        if not ok or not batch.strip():
            return
        try:
            mark_reported(self._ctx, ids, on=self._today or dt.date.today(), batch_no=batch, today=self._today)
        except DomainError as exc:
            QMessageBox.warning(self, self.tr("双公示"), exc.message_zh)
            return
        self.refresh()
