"""备份与恢复: back up now, the folder and how many are kept, the backups there, restore, and the database check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import backup
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.operations import OperationRunner, failure_text
from xuyi_desktop.ui.record_widgets import SelectionMode, button_row, confirm, record_table, show_problem
from xuyi_desktop.ui.widgets import error_label


class BackupPage(QWidget):
    """Every slow call runs through the page's operation helper (in the background, behind a busy bar, one failure
    path); `restored` tells the window to reopen (the whole database changed: the window is rebuilt, so no
    data-changed announcement is needed)."""

    message = Signal(str)
    restored = Signal(object)  # backup.RestoreResult; the context is closed by then
    backedUp = Signal(object)  # Path
    checked = Signal(object)  # backup.DatabaseReport

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._started = False
        self._build()

    # --- building ---
    def _build(self) -> None:
        now_box = QGroupBox(self.tr("立即备份"), self)
        self.passphrase_edit = QLineEdit(now_box)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText(self.tr("可留空；填写则备份文件加密（至少{0}个字符）").format(backup.MIN_PASSPHRASE_LENGTH))
        self.passphrase_again_edit = QLineEdit(now_box)
        self.passphrase_again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again_edit.setPlaceholderText(self.tr("再次输入口令"))
        self.backup_button = QPushButton(self.tr("立即备份"), now_box)
        self.backup_error = error_label(now_box)
        now_form = QFormLayout(now_box)
        now_form.addRow(self.tr("备份口令"), self.passphrase_edit)
        now_form.addRow(self.tr("确认口令"), self.passphrase_again_edit)
        now_form.addRow("", self.backup_error)
        now_form.addRow("", self.backup_button)
        note = QLabel(self.tr("加密备份的口令请另行妥善保管：忘记口令则无法恢复。"), now_box)
        note.setStyleSheet("color: #666;")
        note.setWordWrap(True)
        now_form.addRow("", note)

        settings_box = QGroupBox(self.tr("备份设置"), self)
        self.folder_edit = QLineEdit(settings_box)
        self.browse_button = QPushButton(self.tr("浏览…"), settings_box)
        self.keep_spin = QSpinBox(settings_box)
        self.keep_spin.setRange(1, backup.MAX_KEEP)
        self.keep_spin.setSuffix(self.tr(" 份"))
        self.save_settings_button = QPushButton(self.tr("保存设置"), settings_box)
        self.last_auto_label = QLabel(settings_box)
        self.settings_error = error_label(settings_box)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        settings_form = QFormLayout(settings_box)
        settings_form.addRow(self.tr("备份文件夹"), folder_row)
        settings_form.addRow(self.tr("自动备份保留"), self.keep_spin)
        settings_form.addRow(self.tr("上次自动备份"), self.last_auto_label)
        settings_form.addRow("", self.settings_error)
        settings_form.addRow("", self.save_settings_button)
        if not self._ctx.can(Permission.SETTINGS):
            for widget in (self.folder_edit, self.browse_button, self.keep_spin, self.save_settings_button):
                widget.setEnabled(False)
            settings_box.setToolTip(self.tr("修改备份设置需要“系统设置”权限"))

        top = QHBoxLayout()
        top.addWidget(now_box, 1)
        top.addWidget(settings_box, 1)

        list_box = QGroupBox(self.tr("备份文件夹中的备份"), self)
        self.backups_table = record_table(list_box, [self.tr("文件名"), self.tr("时间"), self.tr("大小"), self.tr("类型")],
                                          selection=SelectionMode.SingleSelection)
        header = self.backups_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.refresh_button = QPushButton(self.tr("刷新列表"), list_box)
        self.restore_button = QPushButton(self.tr("从备份恢复…"), list_box)
        self.restore_button.setToolTip(self.tr("用选中的备份（或选择的文件）替换当前数据库"))
        list_buttons = button_row([self.refresh_button], [self.restore_button])
        list_layout = QVBoxLayout(list_box)
        list_layout.addWidget(self.backups_table, 1)
        list_layout.addLayout(list_buttons)

        check_box = QGroupBox(self.tr("数据库检查"), self)
        self.check_button = QPushButton(self.tr("数据库检查"), check_box)
        self.check_report = QPlainTextEdit(check_box)
        self.check_report.setReadOnly(True)
        self.check_report.setPlaceholderText(self.tr("检查数据库文件完整性、记录引用、操作日志哈希链和数据库版本"))
        check_layout = QVBoxLayout(check_box)
        check_layout.addWidget(self.check_report, 1)
        check_row = button_row([], [self.check_button])
        check_layout.addLayout(check_row)

        middle = QHBoxLayout()
        middle.addWidget(list_box, 3)
        middle.addWidget(check_box, 2)

        self.busy = QProgressBar(self)
        self.busy.setMaximumWidth(160)
        self.busy.setMaximumHeight(self.fontMetrics().height())
        self.status_label = QLabel(self)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = QHBoxLayout()
        status.addWidget(self.busy)
        status.addWidget(self.status_label, 1)

        # A shared server database is backed up on the server (pg_dump), not by copying a file from a counter PC.
        self.server_notice = QLabel(
            self.tr("本系统连接的是共享数据库（{0}），由数据库管理员在服务器上用 pg_dump 定期备份、用 pg_restore 恢复，"
                    "各柜台电脑不做备份与恢复。本页仍可检查数据库（操作日志哈希链和数据库版本）。").format(self._ctx.location),
            self,
        )
        self.server_notice.setWordWrap(True)
        self.server_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(self.server_notice)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(status)

        self.ops = OperationRunner(self, self.tr("备份与恢复"), progress=self.busy, status=self.status_label,
                                   busy_widgets=[self.backup_button, self.save_settings_button, self.restore_button,
                                                 self.check_button, self.refresh_button])
        self.files_apply = backup.backs_up_files(self._ctx)
        self.server_notice.setVisible(not self.files_apply)
        if not self.files_apply:
            for box in (now_box, settings_box, list_box):
                box.setVisible(False)
            self.check_report.setPlaceholderText(self.tr("检查数据库服务器（版本、字符集）、操作日志哈希链和数据库版本"))
            self.ops.set_busy_widgets([self.check_button])
        self.backup_button.clicked.connect(self.back_up_now)
        self.browse_button.clicked.connect(self._browse)
        self.save_settings_button.clicked.connect(self.save_settings)
        self.refresh_button.clicked.connect(self.refresh)
        self.restore_button.clicked.connect(lambda: self.restore())
        self.check_button.clicked.connect(self.check)
        self.backups_table.doubleClicked.connect(lambda _index: self.restore())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            if self.files_apply:
                self.refresh()

    # --- busy ---
    @property
    def busy_now(self) -> bool:
        return self.ops.busy

    def _run(self, what: str, fn: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], Any] | None = None) -> None:
        self.ops.run(what, fn, done, failed=failed)

    # --- settings and the list ---
    def refresh(self) -> None:
        """Read the settings and list the backups in the folder (in the background: it may be a slow share)."""
        self._run(self.tr("读取备份列表…"), lambda: backup.list_backups(self._ctx), self._show_settings)

    def _show_settings(self, result: tuple[backup.BackupSettings, list[backup.BackupFile]]) -> None:
        current, found = result
        self.folder_edit.setText(str(current.folder))
        self.keep_spin.setValue(current.keep)
        last = current.last_auto.astimezone().strftime("%Y-%m-%d %H:%M") if current.last_auto else self.tr("尚无")
        self.last_auto_label.setText(last)
        self.backups_table.setRowCount(len(found))
        for row, f in enumerate(found):
            kind = self.tr("加密") if f.encrypted else self.tr("自动") if f.automatic else self.tr("手动")
            cells = (f.path.name, f.modified.strftime("%Y-%m-%d %H:%M:%S"), f"{f.size / 1024 / 1024:.1f} MB", kind)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(f.path))
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.backups_table.setItem(row, column, item)
        self.status_label.setText(self.tr("备份文件夹中有 {0} 个备份").format(len(found)))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("选择备份文件夹"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def save_settings(self) -> None:
        folder, keep = self.folder_edit.text().strip(), self.keep_spin.value()
        self.settings_error.setVisible(False)

        def failed(exc: BaseException) -> None:
            show_problem(self.settings_error, failure_text(exc))

        def saved(_result: Any) -> None:
            self.message.emit(self.tr("备份设置已保存"))
            self.refresh()

        self._run(self.tr("保存设置…"), lambda: backup.set_backup_settings(self._ctx, folder=folder, keep=keep), saved, failed)

    # --- backup ---
    def back_up_now(self) -> None:
        passphrase = self.passphrase_edit.text()
        if passphrase != self.passphrase_again_edit.text():
            show_problem(self.backup_error, self.tr("两次输入的口令不一致"))
            self.passphrase_again_edit.clear()
            self.passphrase_again_edit.setFocus()
            return
        if passphrase and len(passphrase) < backup.MIN_PASSPHRASE_LENGTH:
            show_problem(self.backup_error, self.tr("备份口令至少{0}个字符").format(backup.MIN_PASSPHRASE_LENGTH))
            return
        self.backup_error.setVisible(False)

        def done(path: Path) -> None:
            self.passphrase_edit.clear()
            self.passphrase_again_edit.clear()
            self.message.emit(self.tr("已备份到 {0}").format(path))
            self.refresh()
            self.status_label.setText(self.tr("已备份到 {0}").format(path))
            self.backedUp.emit(path)

        self._run(self.tr("正在备份…"), lambda: backup.backup_now(self._ctx, passphrase=passphrase or None), done)

    # --- restore ---
    def _selected_backup(self) -> str:
        items = self.backups_table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else ""

    def restore(self, path: str | Path | None = None, passphrase: str | None = None) -> None:
        """Choose a backup, give its passphrase if it is encrypted, confirm the consequences, then replace."""
        if path is None:
            start = self._selected_backup() or self.folder_edit.text()
            chosen, _filter = QFileDialog.getOpenFileName(
                self, self.tr("选择要恢复的备份"), start, self.tr("数据库备份 (*{0} *{1});;所有文件 (*)").format(backup.PLAIN_SUFFIX, backup.ENCRYPTED_SUFFIX)
            )
            if not chosen:
                return
            path = chosen
        source = Path(path)
        if source.suffix == backup.ENCRYPTED_SUFFIX and passphrase is None:
            passphrase, ok = QInputDialog.getText(
                self, self.tr("备份口令"), self.tr("该备份已加密，请输入备份口令："), QLineEdit.EchoMode.Password
            )
            if not ok:
                return
        if not confirm(
            self,
            self.tr("从备份恢复"),
            self.tr(
                "将用备份“{0}”替换当前数据库：\n{1}\n\n"
                "· 备份之后登记、修改的所有数据都将不在恢复后的数据库中；\n"
                "· 当前数据库会先另存为恢复前副本，可以找回；\n"
                "· 用户和密码也恢复为备份时的状态，恢复后所有人需要重新登录；\n"
                "· 其他电脑若正在使用此数据库，请先让其退出。\n\n确定恢复吗？"
            ).format(source.name, self._ctx.location),
        ):
            return
        self._restore(source, passphrase, force=False)

    def _restore(self, source: Path, passphrase: str | None, *, force: bool) -> None:
        ctx = self._ctx

        def failed(exc: BaseException) -> None:
            if isinstance(exc, backup.TamperedBackup) and not force:
                # Records in the backup were changed around the program: the administrator decides, knowingly.
                if confirm(
                    self,
                    self.tr("备份中的记录被改动过"),
                    self.tr("{0}\n\n这些记录不是通过本程序修改的，可能被人用数据库工具改过。"
                            "仍要用这个备份恢复吗？（恢复会记入操作日志，并列出这些记录）").format(exc.message_zh),
                ):
                    self._restore(source, passphrase, force=True)
                return
            QMessageBox.warning(self, self.tr("恢复失败"), self.tr("恢复未完成，当前数据库未改动。\n\n{0}").format(failure_text(exc)))

        self._run(
            self.tr("正在恢复，请稍候…"),
            lambda: backup.restore_database(ctx.url, source, passphrase or None, actor_ctx=ctx, force=force),
            self.restored.emit,
            failed,
        )

    # --- check ---
    def check(self) -> None:
        self.check_report.setPlainText(self.tr("检查中…"))
        self._run(self.tr("正在检查数据库…"), lambda: backup.check_database(self._ctx), self._show_report)

    def _show_report(self, report: backup.DatabaseReport) -> None:
        lines = [self.tr("数据库：{0}").format(report.location), ""]
        for item in report.items:
            lines.append(f"{'✔' if item.ok else '✘'} {item.label_zh}：{item.detail_zh}")
        lines += ["", self.tr("结论：正常") if report.ok else self.tr("结论：发现 {0} 个问题，请联系管理员").format(len(report.problems))]
        self.check_report.setPlainText("\n".join(lines))
        self.status_label.setText(self.tr("数据库检查完成：{0}").format(self.tr("正常") if report.ok else self.tr("有问题")))
        self.checked.emit(report)
