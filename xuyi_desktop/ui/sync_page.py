"""数据同步: export a package to a peer office, import one with a preview first, what each peer has
confirmed (已发出未确认 with its age, reminders, clocks), the history of packages, the missing packages, and
the conflicts a reviewer settles.

Every call runs through the page's operation helper (ui/operations.OperationRunner): in the background, with a
progress bar and a cancel button; cancelling rolls the one transaction back, so the database is as before. An
import and a settled conflict announce the record kinds they wrote (ui/data_events), so the registry list and
the status bar count refresh without reopening a page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import sync
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sync_review import ConflictView, conflict_views
from xuyi_desktop.ui.operations import OperationRunner
from xuyi_desktop.ui.record_widgets import SelectionMode, button_row, record_table
from xuyi_desktop.ui.widgets import page_action

SETTINGS_FOLDER = "sync/export_folder"
CONFLICT_COLUMNS = ["时间", "记录", "字段", "当前值", "另一值", "类型", "当前值来自", "另一值来自"]


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def written_kinds(result: sync.ImportResult) -> set[str]:
    """The record kinds an applied import wrote (per_table keys are "table.action")."""
    return {key.partition(".")[0] for key in result.per_table} if result.applied else set()


def preview_text(result: sync.ImportResult) -> str:
    lines = [f"来自单位 {result.sender} 的同步包：共 {result.changes} 条变更（以下为预览，尚未写入）"]
    if result.applied == 0 and not result.held:
        lines.append("没有新的变更：已全部导入过，导入不会改变数据")
    elif result.applied == 0:
        lines.append("没有可以应用的新变更：导入后数据暂不改变")
    else:
        lines.append(f"将应用 {result.applied} 条新变更：")
        for key, n in sorted(result.per_table.items()):
            table, _, action = key.partition(".")
            label = sync.TABLE_LABELS.get(table, table)
            verb = {"insert": "新增", "update": "修改", "delete": "删除"}.get(action, action)
            lines.append(f"  {label}　{verb} {n} 条")
    if result.duplicates:
        lines.append(f"此前已收到 {result.duplicates} 条（不会重复应用）")
    lines.append(f"冲突：{result.conflicts} 处" + ("（导入后记入冲突记录，待审核）" if result.conflicts else ""))
    if result.held:
        lines.append(f"{result.held} 条因缺少前面的同步包将暂存待补：" + sync.missing_text(result.missing))
    if result.aside:
        lines.append(f"{result.aside} 条与本机已有的变更编号相同（对方可能从备份恢复过数据库）：将暂存，待对方下一个同步包自动理顺")
    lines.extend(result.notes)
    return "\n".join(lines)


class SyncPage(QWidget):
    """Signals tell tests (and the window) when a background step has ended."""

    message = Signal(str)
    exported = Signal(object)  # sync.ExportResult
    previewed = Signal(object)  # sync.ImportResult (status preview)
    imported = Signal(object)  # sync.ImportResult
    failed = Signal(str)
    refreshed = Signal()

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self._started = False
        self._previewed_path: Path | None = None
        self._conflicts: list[ConflictView] = []
        self._build()

    # --- building ---
    def _build(self) -> None:
        export_box = QGroupBox(self.tr("导出同步包"), self)
        self.peer_combo = QComboBox(export_box)
        self.folder_edit = QLineEdit(export_box)
        self.folder_edit.setPlaceholderText(self.tr("选择文件夹或U盘"))
        if self._settings is not None:
            self.folder_edit.setText(str(self._settings.value(SETTINGS_FOLDER, "") or ""))
        self.folder_button = QPushButton(self.tr("浏览…"), export_box)
        self.export_button = QPushButton(self.tr("导出"), export_box)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        export_form = QFormLayout(export_box)
        export_form.addRow(self.tr("发给单位"), self.peer_combo)
        export_form.addRow(self.tr("保存到"), folder_row)
        export_form.addRow("", self.export_button)
        if not self._ctx.can(Permission.EXPORT):
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(self.tr("导出同步包需要“导出”权限"))

        import_box = QGroupBox(self.tr("导入同步包"), self)
        self.file_edit = QLineEdit(import_box)
        self.file_edit.setPlaceholderText(self.tr("选择收到的同步包文件（.xsync）"))
        self.file_button = QPushButton(self.tr("浏览…"), import_box)
        self.preview_button = QPushButton(self.tr("预览"), import_box)
        self.apply_button = QPushButton(self.tr("确认导入"), import_box)
        self.apply_button.setEnabled(False)
        self.preview_view = QPlainTextEdit(import_box)
        self.preview_view.setReadOnly(True)
        self.preview_view.setPlaceholderText(self.tr("先预览：显示将新增、修改、删除的记录数和冲突，确认后才写入"))
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.file_button)
        buttons = button_row([], [self.preview_button, self.apply_button])
        import_layout = QVBoxLayout(import_box)
        import_layout.addLayout(file_row)
        import_layout.addWidget(self.preview_view, 1)
        import_layout.addLayout(buttons)

        top = QHBoxLayout()
        top.addWidget(export_box, 1)
        top.addWidget(import_box, 1)

        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("QLabel { color: #a61b1b; background: #fff4e5; padding: 4px; }")
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice_label.setVisible(False)

        self.tabs = QTabWidget(self)
        self.peers_table = self._table(["单位", "名称", "发出情况", "未确认变更", "待发出", "最近发出", "最近收到", "提醒"])
        self.history_table = self._table(["时间", "方向", "单位", "类型", "状态", "变更", "已应用", "暂存", "冲突", "文件"])
        self.missing_view = QPlainTextEdit(self)
        self.missing_view.setReadOnly(True)
        conflicts = QWidget(self)
        self.conflicts_table = self._table(CONFLICT_COLUMNS)
        self.conflicts_table.setWordWrap(True)
        self.restore_button = QPushButton(self.tr("采用另一值"), conflicts)
        self.keep_button = QPushButton(self.tr("保留当前值"), conflicts)
        if not self._ctx.can(Permission.SYNC_RESOLVE):
            for b in (self.restore_button, self.keep_button):
                b.setEnabled(False)
                b.setToolTip(self.tr("处理同步冲突需要“处理同步冲突”权限"))
        conflict_buttons = button_row([], [self.keep_button, self.restore_button])
        conflicts_layout = QVBoxLayout(conflicts)
        conflicts_layout.addWidget(self.conflicts_table, 1)
        conflicts_layout.addLayout(conflict_buttons)
        self.tabs.addTab(self.peers_table, self.tr("各单位发出与确认"))
        self.tabs.addTab(self.history_table, self.tr("同步包记录"))
        self.tabs.addTab(self.missing_view, self.tr("缺少的同步包"))
        self.tabs.addTab(conflicts, self.tr("冲突"))
        self.conflicts_tab = self.tabs.indexOf(conflicts)

        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(240)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = QHBoxLayout()
        status.addWidget(self.status_label, 1)
        status.addWidget(self.progress)
        status.addWidget(self.cancel_button)
        status.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice_label)
        layout.addLayout(top, 2)
        layout.addWidget(self.tabs, 3)
        layout.addLayout(status)

        self.folder_button.clicked.connect(self._browse_folder)
        self.file_button.clicked.connect(self._browse_file)
        self.export_button.clicked.connect(self.export)
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.apply)
        self.refresh_button.clicked.connect(self.refresh)
        self.restore_button.clicked.connect(lambda: self.resolve(restore=True))
        self.keep_button.clicked.connect(lambda: self.resolve(restore=False))
        self.file_edit.textChanged.connect(self._file_changed)
        page_action(self, self.tr("刷新"), "F5", self.refresh)
        self.ops = OperationRunner(self, self.tr("数据同步"), progress=self.progress, status=self.status_label,
                                   cancel_button=self.cancel_button,
                                   busy_widgets=[self.export_button, self.preview_button, self.apply_button,
                                                 self.refresh_button, self.restore_button, self.keep_button])
        self.ops.failed.connect(self._failed)

    def _table(self, headers: list[str]) -> QTableWidget:
        table = record_table(self, [self.tr(h) for h in headers], selection=SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.refresh()

    # --- background ---
    def busy_now(self) -> bool:
        return self.ops.busy

    def _run(self, what: str, fn: Callable[[], Any], done: Callable[[Any], None], *, cancellable: bool = False,
             changes: Callable[[Any], set[str]] | set[str] | frozenset[str] = frozenset()) -> None:
        self.ops.run(what, fn, done, cancellable=cancellable, changes=changes)

    def _failed(self, text: str) -> None:
        self.message.emit(text)
        self.failed.emit(text)

    def cancel(self) -> None:
        self.ops.cancel()

    # --- refresh ---
    def refresh(self) -> None:
        ctx = self._ctx

        def read() -> dict[str, Any]:
            from xuyi_desktop.services.offices import list_offices

            return {"peers": [o for o in list_offices(ctx) if not o.is_local], "history": sync.package_history(ctx),
                    "missing": sync.missing_changes(ctx), "aside": sync.aside_changes(ctx),
                    "conflicts": conflict_views(ctx), "notices": sync.startup_notices(ctx)}

        self._run(self.tr("正在读取…"), read, self._show)

    @staticmethod
    def _when(value: str | None) -> str:
        if not value:
            return "—"
        import datetime as dt

        return dt.datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")

    def _show(self, data: dict[str, Any]) -> None:
        peers, history, missing, conflicts = data["peers"], data["history"], data["missing"], data["conflicts"]
        current = self.peer_combo.currentData()
        self.peer_combo.clear()
        for p in peers:
            self.peer_combo.addItem(f"{p.code}　{p.name}", p.code)
        if current is not None and self.peer_combo.findData(current) >= 0:
            self.peer_combo.setCurrentIndex(self.peer_combo.findData(current))
        notices = data["notices"]
        self.notice_label.setText("\n".join(f"⚠ {n}" for n in notices))
        self.notice_label.setVisible(bool(notices))
        self.peers_table.setRowCount(len(peers))
        for r, p in enumerate(peers):
            state = p.sync or {}
            notes = "；".join(x for x in (state.get("reminder"), state.get("clock_note")) if x)
            values = [p.code, p.name, state.get("label", ""), state.get("unacknowledged_changes", 0),
                      state.get("waiting_changes", 0), self._when(state.get("last_sent_at")),
                      self._when(state.get("last_heard_at")), notes]
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if c == 2:
                    item.setToolTip(str(v))
                if c == 7 and v:
                    item.setToolTip(str(v))
                self.peers_table.setItem(r, c, item)
        self.history_table.setRowCount(len(history))
        for r, h in enumerate(history):
            values = [h.at.astimezone().strftime("%Y-%m-%d %H:%M"), "导出" if h.direction == "out" else "导入", h.peer,
                      "全量" if h.kind == "snapshot" else "增量", h.status_label, h.changes,
                      h.applied, h.held, h.conflicts, Path(h.file_name).name]
            for c, v in enumerate(values):
                self.history_table.setItem(r, c, QTableWidgetItem(str(v)))
        lines = []
        if missing:
            lines.append(sync.missing_text(missing) + "。这些变更到达后，暂存的变更会自动应用；对方的下一个同步包会自动补发，无需另行索取。")
        for a in data["aside"]:
            lines.append(f"{sync.stream_text(a.stream)} 的第 {a.seq} 号变更与本机已有的不同（对方可能从备份恢复过数据库）：已暂存，"
                         "对方收到本单位的下一个同步包后会重新编号并补发。")
        for p in peers:
            reported = {s: r for s, r in ((p.sync or {}).get("reported_missing") or {}).items()}
            if reported:
                lines.append(f"单位 {p.code} 报告缺少：" + sync.missing_text({s: [tuple(x) for x in r] for s, r in reported.items()}))
        self.missing_view.setPlainText("\n".join(lines) if lines else "没有缺少的同步包：收到的变更都已应用。")
        self._show_conflicts(conflicts)
        self.tabs.setTabText(self.conflicts_tab, self.tr("冲突（{0}）").format(len(conflicts)) if conflicts else self.tr("冲突"))
        self.status_label.setText("")
        self.refreshed.emit()

    def _show_conflicts(self, conflicts: list[ConflictView]) -> None:
        """Which record (by name), which field (as the forms call it), the kept and the other value side by side."""
        self._conflicts = conflicts
        self.conflicts_table.setRowCount(len(conflicts))
        for r, c in enumerate(conflicts):
            values = [c.row.at.astimezone().strftime("%Y-%m-%d %H:%M"), c.record_title, c.field_label,
                      c.current, c.other, c.kind_label, c.current_office, c.other_office]
            for col, v in enumerate(values):
                item = QTableWidgetItem(_short(v))
                if v != _short(v) or col == 1:
                    item.setToolTip(f"{c.table_label}：{c.record_title}" if col == 1 else v)
                self.conflicts_table.setItem(r, col, item)
        self.conflicts_table.resizeRowsToContents()

    # --- export ---
    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("选择保存同步包的文件夹或U盘"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def export(self) -> None:
        peer = self.peer_combo.currentData()
        folder = self.folder_edit.text().strip()
        if not peer:
            QMessageBox.warning(self, self.tr("数据同步"), self.tr("请先选择接收单位（须先登记其单位名片）"))
            return
        if not folder or not Path(folder).is_dir():
            QMessageBox.warning(self, self.tr("数据同步"), self.tr("请选择一个存在的文件夹或U盘"))
            return
        if self._settings is not None:
            self._settings.setValue(SETTINGS_FOLDER, folder)
        ctx, ops = self._ctx, self.ops

        def work() -> sync.ExportResult:
            return sync.export_package(ctx, str(peer), Path(folder), progress=ops.report, cancelled=ops.cancelled)

        def done(result: sync.ExportResult) -> None:
            text = self.tr("已导出发给 {0} 的同步包：{1} 条变更，{2}").format(result.receiver, result.changes, result.path)
            self.status_label.setText(text)
            self.message.emit(text)
            self.exported.emit(result)
            self.refresh()

        self._run(self.tr("正在导出…"), work, done, cancellable=True)

    # --- import: preview first, then apply ---
    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择同步包"), self.folder_edit.text(),
                                              self.tr("同步包 (*.xsync);;所有文件 (*)"))
        if path:
            self.file_edit.setText(path)

    def _file_changed(self) -> None:
        self._previewed_path = None
        self.apply_button.setEnabled(False)
        self.preview_view.clear()

    def preview(self) -> None:
        text = self.file_edit.text().strip()
        if not text:
            QMessageBox.warning(self, self.tr("数据同步"), self.tr("请先选择同步包文件"))
            return
        path, ctx, ops = Path(text), self._ctx, self.ops

        def work() -> sync.ImportResult:
            return sync.import_package(ctx, path, preview=True, progress=ops.report, cancelled=ops.cancelled)

        def done(result: sync.ImportResult) -> None:
            self.preview_view.setPlainText(preview_text(result))
            self._previewed_path = path
            self.apply_button.setEnabled(True)
            self.status_label.setText(self.tr("请核对预览，确认后点击“确认导入”"))
            self.previewed.emit(result)

        self._run(self.tr("正在校验并预览…"), work, done, cancellable=True)

    def apply(self) -> None:
        path = self._previewed_path
        if path is None:
            QMessageBox.warning(self, self.tr("数据同步"), self.tr("请先预览同步包"))
            return
        ctx, ops = self._ctx, self.ops

        def work() -> sync.ImportResult:
            return sync.import_package(ctx, path, progress=ops.report, cancelled=ops.cancelled)

        def done(result: sync.ImportResult) -> None:
            self._previewed_path = None
            self.apply_button.setEnabled(False)
            self.preview_view.setPlainText(result.message_zh)
            self.status_label.setText(result.message_zh)
            self.message.emit(result.message_zh)
            self.imported.emit(result)
            self.refresh()

        self._run(self.tr("正在导入…"), work, done, cancellable=True, changes=written_kinds)

    # --- conflicts ---
    def resolve(self, *, restore: bool) -> None:
        row = self.conflicts_table.currentRow()
        if row < 0 or row >= len(self._conflicts):
            QMessageBox.warning(self, self.tr("数据同步"), self.tr("请先选择一处冲突"))
            return
        c = self._conflicts[row]
        if restore:
            answer = QMessageBox.question(
                self, self.tr("采用另一值"),
                self.tr("将“{0}”的“{1}”改为另一值“{2}”？这是一次新的修改，会同步到其他单位，其他单位的同一冲突也随之关闭。").format(
                    c.record_title, c.field_label, _short(c.other)))
            if answer != QMessageBox.StandardButton.Yes:
                return
        ctx = self._ctx

        def work() -> None:
            sync.resolve_conflict(ctx, c.id, restore=restore)

        def done(_result: Any) -> None:
            self.message.emit(self.tr("冲突已处理"))
            self.refresh()

        self._run(self.tr("正在处理冲突…"), work, done, changes={c.row.table_name, "sync_decision"})
