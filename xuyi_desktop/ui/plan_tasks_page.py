"""建设任务: the plan's 30 tasks (annex 2) with their status, each unit's standing and the progress reports; 报送进展
opens the report dialog (text, percentage or milestone, evidence files); the progress summary prints for the leading
group. Statuses and rules come from services.plan_tasks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.plan import TaskStatus
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.plan_files import plan_file
from xuyi_desktop.services.plan_tasks import ReportView, TaskView, list_tasks, print_progress_summary, report_progress
from xuyi_desktop.services.units import unit_dictionary
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
from xuyi_desktop.ui.widgets import error_label, page_action
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of, splitter

STATUS_COLOURS = {TaskStatus.DONE: GREEN, TaskStatus.OVERDUE: RED, TaskStatus.IN_PROGRESS: ORANGE, TaskStatus.NOT_STARTED: None}


class TaskReportDialog(QDialog):
    """报送进展 for one task: which unit, when, what was done, how far, evidence files."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, view: TaskView, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.view, self._today = ctx, view, today
        self.saved_report: ReportView | None = None
        today = today or dt.date.today()
        t = view.task
        self.setWindowTitle(f"报送进展：任务{t.label} {t.item_name}")
        self.resize(620, 540)
        content = QLabel(t.content, self)
        content.setWordWrap(True)
        content.setStyleSheet("color: #424242;")
        self.unit = QComboBox(self)
        for name in t.units:
            self.unit.addItem(name + ("" if name in t.expected_units else "（配合）"), name)
        own = unit_dictionary().find(ctx.user.unit) if ctx.user is not None and ctx.user.unit else None
        if own is not None and self.unit.findData(own.name) >= 0:
            self.unit.setCurrentIndex(self.unit.findData(own.name))
        self.date_edit = date_edit(self, today)
        self.use_percent = QCheckBox("填写完成比例", self)
        self.percent = QSpinBox(self)
        self.percent.setRange(0, 100)
        self.percent.setSuffix(" %")
        self.percent.setEnabled(False)
        self.use_percent.toggled.connect(self.percent.setEnabled)
        percent_row = QHBoxLayout()
        percent_row.addWidget(self.use_percent)
        percent_row.addWidget(self.percent)
        percent_row.addStretch(1)
        self.milestone = QLineEdit(self)
        self.milestone.setPlaceholderText("如：已印发实施方案（可不填）")
        self.done_check = QCheckBox("本单位承担的部分已完成", self)
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText("做了什么、取得什么成效")
        self.files = QListWidget(self)
        self.files.setMaximumHeight(70)
        add_file = QPushButton("添加佐证材料…", self)
        add_file.clicked.connect(lambda: self.add_files())
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow("报送单位", self.unit)
        form.addRow("报送日期", self.date_edit)
        form.addRow("完成比例", percent_row)
        form.addRow("节点", self.milestone)
        form.addRow("", self.done_check)
        form.addRow("进展情况", self.text)
        form.addRow("佐证材料", self.files)
        form.addRow("", add_file)
        plan_buttons(self, form, self.error, self.save, ok_text="报送", head=content)

    def add_files(self, paths: list[str] | None = None) -> None:
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self, "选择佐证材料")
        for p in paths:
            self.files.addItem(p)

    def save(self) -> bool:
        try:
            report = report_progress(
                self._ctx, self.view.task.id, unit=str(self.unit.currentData()), text=self.text.toPlainText(),
                percent=self.percent.value() if self.use_percent.isChecked() else None, milestone=self.milestone.text(),
                completed=self.done_check.isChecked(), on=day_of(self.date_edit),
                attachments=[self.files.item(i).text() for i in range(self.files.count())], today=self._today,
            )
        except DomainError as refused:
            self.error.setText(refused.message_zh)
            self.error.setVisible(True)
            return False
        self.saved_report = report
        self.saved.emit(report)
        self.accept()
        return True


class PlanTasksPage(PlanPage):
    COLUMNS = ("序号", "任务", "完成时间", "责任部门", "状态", "完成单位")

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(ctx, settings, parent, today)
        self.views: list[TaskView] = []
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.unit = unit_combo(self, all_label="全部单位")
        self.status = QComboBox(self)
        self.status.addItem("全部状态", "")
        for s in TaskStatus:
            self.status.addItem(s.label, s.value)
        self.unit.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.report_button = QPushButton("报送进展…", self)
        self.report_button.clicked.connect(lambda: self.open_report())
        self.print_button = QPushButton("打印进展情况…", self)
        self.print_button.clicked.connect(lambda: self.print_summary())
        top = QHBoxLayout()
        for w in (QLabel("单位", self), self.unit, QLabel("状态", self), self.status):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.report_button)
        top.addWidget(self.print_button)
        self.summary = QLabel(self)
        self.table = read_only_table(self, self.COLUMNS, stretch=1)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.open_report())
        self.detail = QTextBrowser(self)
        self.units_table = read_only_table(self, ("单位", "状态", "说明", "最近报送"), stretch=2)
        self.reports = read_only_table(self, ("日期", "单位", "进展", "比例/节点", "附件"), stretch=2)
        self.reports.cellDoubleClicked.connect(lambda r, _c: self.open_attachment(r))
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.detail, 1)
        lv.addWidget(self.units_table, 1)
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel("进展记录（双击打开附件）", self))
        rv.addWidget(self.reports, 1)
        lower.addWidget(left)
        lower.addWidget(right)
        split = splitter(self, Qt.Orientation.Vertical, (self.table, lower))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        page_action(self, "报送进展", "Ctrl+R", self.open_report)

    def refresh(self, select: str | None = None) -> None:
        unit = str(self.unit.currentData() or "") or None
        status = str(self.status.currentData() or "")
        try:
            self.views = list_tasks(self._ctx, unit=unit, today=self._today, status=TaskStatus(status) if status else None)
        except DomainError as refused:
            self.summary.setText(refused.message_zh)
            return
        rows, colours = [], []
        for v in self.views:
            t = v.task
            rows.append([t.label, f"{t.item_name}：{t.content}", t.deadline, t.responsible, v.status.label,
                         f"{v.done_units}/{v.expected_units}" if v.expected_units else "—"])
            colours.append(STATUS_COLOURS[v.status])
        fill_table(self.table, rows, data=[v.task.id for v in self.views], colours=colours)
        self.table.setColumnWidth(1, 420)
        counts = {s: sum(1 for v in self.views if v.status is s) for s in TaskStatus}
        self.summary.setText(f"共 {len(self.views)} 项：" + "，".join(f"{s.label} {counts[s]}" for s in TaskStatus))
        if self.views:
            target = next((i for i, v in enumerate(self.views) if v.task.id == select), 0)
            self.table.selectRow(target)
        self.refreshed.emit()

    def current(self) -> TaskView | None:
        task_id = row_data(self.table)
        return next((v for v in self.views if v.task.id == task_id), None)

    def _show_detail(self) -> None:
        v = self.current()
        if v is None:
            return
        t = v.task
        self.detail.setHtml(
            f"<b>任务{t.label} {t.item_name}</b>（{v.status.label}）<br>{t.content}<br>"
            f"<span style='color:#616161'>完成时间：{t.deadline}（截止 {t.due.isoformat()}）；责任部门：{t.responsible}</span>"
        )
        fill_table(self.units_table, [[s.unit + ("" if s.expected else "（配合）"), s.status.label, s.reason,
                                       s.last_report.isoformat() if s.last_report else ""] for s in v.standings],
                   colours=[STATUS_COLOURS[s.status] for s in v.standings])
        rows = []
        for r in v.reports:
            how = "；".join(x for x in (f"{r.percent}%" if r.percent is not None else "", r.milestone, "已完成" if r.completed else "") if x)
            rows.append([r.reported_on.isoformat(), r.unit, r.text, how, "、".join(f.name for f in r.files)])
        fill_table(self.reports, rows, data=list(v.reports))

    def open_report(self, *, exec_dialog: bool = True) -> TaskReportDialog | None:
        v = self.current()
        if v is None:
            return None
        dialog = TaskReportDialog(self._ctx, v, self, today=self._today)

        def reported(_report: object) -> None:
            self.refresh(select=v.task.id)
            self.message.emit(f"已报送任务{v.task.label}进展")

        dialog.saved.connect(reported)
        if exec_dialog:
            dialog.exec()
        return dialog

    def open_attachment(self, row: int) -> None:
        report = row_data(self.reports, row)
        if not isinstance(report, ReportView) or not report.files:
            return
        try:
            path = plan_file(self._ctx, report.files[0].id)
        except DomainError as refused:
            QMessageBox.warning(self, "无法打开附件", refused.message_zh)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def print_summary(self, path: str | Path | None = None) -> None:
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            path, _ = QFileDialog.getSaveFileName(self, "保存建设任务进展情况", str(Path(folder) / "建设任务进展情况.pdf"), "PDF (*.pdf)")
            if not path:
                return
        target = Path(path)
        run_in_background(lambda: print_progress_summary(self._ctx, target, today=self._today),
                          lambda out: self.message.emit(f"已生成：{out}"),
                          lambda exc: QMessageBox.warning(self, "未生成", exc.message_zh if isinstance(exc, DomainError) else str(exc)),
                          owner=self)
