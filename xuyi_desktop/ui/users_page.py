"""用户管理 (administrators only): the users, adding one, deactivating/reactivating, unlocking, resetting a password;
the bureau-wide switches (unit-only lists, four eyes for ratings) and the PCs' signing keys (ui.keys_panel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import four_eyes, list_scope, users
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.keys_panel import KeysPanel
from xuyi_desktop.ui.record_widgets import SelectionMode, button_row, confirm, record_table, show_problem
from xuyi_desktop.ui.widgets import error_label, page_action

ROLE_ORDER = (Role.CLERK, Role.REVIEWER, Role.VIEWER, Role.ADMIN)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "message_zh", None) or f"{type(exc).__name__}: {exc}"


def status_text(view: users.UserView) -> str:
    if not view.active:
        return "停用"
    if view.locked and view.locked_until is not None:
        return f"锁定至 {view.locked_until.astimezone():%H:%M}"
    return "正常"


class NewUserDialog(QDialog):
    """新增用户: the service checks the name and password; its Chinese messages appear under the fields."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.created: users.UserView | None = None
        self.setWindowTitle(self.tr("新增用户"))
        self.username_edit = QLineEdit(self)
        self.username_edit.setMaxLength(64)
        self.display_name_edit = QLineEdit(self)
        self.role_combo = QComboBox(self)
        for role in ROLE_ORDER:
            self.role_combo.addItem(role.label, role.value)
        self.unit_edit = QLineEdit(self)
        from xuyi_desktop.ui.widgets import attach_unit_completer

        attach_unit_completer(self.unit_edit)  # 局属各单位 from resources/units.toml
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("至少{0}个字符").format(users.password_policy().min_length))
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.username_error = error_label(self)
        self.role_error = error_label(self)
        self.password_error = error_label(self)
        self.confirm_error = error_label(self)
        self.error = error_label(self)  # anything not tied to one field
        self.ok_button = QPushButton(self.tr("确定"), self)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("取消"), self)

        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username_edit)
        form.addRow("", self.username_error)
        form.addRow(self.tr("姓名"), self.display_name_edit)
        form.addRow(self.tr("角色"), self.role_combo)
        form.addRow("", self.role_error)
        form.addRow(self.tr("所属单位"), self.unit_edit)
        form.addRow(self.tr("密码"), self.password_edit)
        form.addRow("", self.password_error)
        form.addRow(self.tr("确认密码"), self.confirm_edit)
        form.addRow("", self.confirm_error)
        buttons = button_row([], [self.ok_button, self.cancel_button])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

    def _errors(self) -> dict[str, QLabel]:
        return {
            "username": self.username_error,
            "role": self.role_error,
            "password": self.password_error,
            "confirm": self.confirm_error,
        }

    def _show(self, field: str, text: str) -> None:
        label = self._errors().get(field, self.error)
        show_problem(label, text if not label.text() or not label.isVisible() else label.text() + "；" + text)

    def submit(self) -> bool:
        for label in (*self._errors().values(), self.error):
            label.clear()
            label.setVisible(False)
        password = self.password_edit.text()
        if password != self.confirm_edit.text():
            self._show("confirm", self.tr("两次输入的密码不一致"))
            self.confirm_edit.clear()
            self.confirm_edit.setFocus()
            return False
        try:
            self.created = users.create_user(
                self._ctx,
                self.username_edit.text(),
                password,
                Role(self.role_combo.currentData()),
                unit=self.unit_edit.text(),
                display_name=self.display_name_edit.text(),
            )
        except ValidationError as exc:
            for problem in exc.problems:
                self._show(problem.field, problem.message_zh)
            return False
        except DomainError as exc:
            self._show("", _reason(exc))
            return False
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.accept()
        return True


class UsersPage(QWidget):
    """The list of users with what an administrator may do to each; every change goes through services.users."""

    message = Signal(str)
    changed = Signal()

    COLUMNS = ("用户名", "姓名", "角色", "所属单位", "状态")

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._views: list[users.UserView] = []
        self.table = record_table(self, [self.tr(c) for c in self.COLUMNS], selection=SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.add_button = QPushButton(self.tr("新增用户…"), self)
        self.add_button.setToolTip(self.tr("新增用户 (Ctrl+N)"))
        self.toggle_button = QPushButton(self.tr("停用"), self)
        self.unlock_button = QPushButton(self.tr("解锁"), self)
        self.reset_button = QPushButton(self.tr("重置密码…"), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.status_label = QLabel(self)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unit_only_check = QCheckBox(self.tr("经办人和查询用户只看本单位的记录"), self)
        self.unit_only_check.setToolTip(
            self.tr("双公示和信用承诺列表只显示用户所属单位作出（受理）的记录；管理员、审核人仍看全部单位")
        )
        self.unit_only_check.setChecked(list_scope.lists_restricted(ctx))
        self.four_eyes_check = QCheckBox(self.tr("信用评价双人复核：录入人不能使本人录入的评价生效"), self)
        self.four_eyes_check.setChecked(four_eyes.four_eyes_enabled(ctx))
        self.keys_panel = KeysPanel(ctx, self)
        self.keys_panel.message.connect(self.message)

        buttons = button_row([self.add_button, self.toggle_button, self.unlock_button, self.reset_button],
                             [self.refresh_button])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        checks = button_row([self.unit_only_check, self.four_eyes_check])
        layout.addLayout(checks)
        layout.addWidget(self.keys_panel, 1)
        layout.addWidget(self.status_label)

        self.add_button.clicked.connect(lambda: self.add_user())
        self.toggle_button.clicked.connect(self.toggle_active)
        self.unlock_button.clicked.connect(self.unlock)
        self.reset_button.clicked.connect(lambda: self.reset_password())
        self.refresh_button.clicked.connect(self.refresh)
        self.unit_only_check.toggled.connect(self.set_unit_only)
        self.four_eyes_check.toggled.connect(self.set_four_eyes)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        page_action(self, self.tr("新增用户"), "Ctrl+N", lambda: self.add_user())
        self.refresh()

    # --- the list ---
    def refresh(self) -> None:
        keep = self.selected_username()
        try:
            self._views = users.list_users(self._ctx)
        except DomainError as exc:
            self._views = []
            self.status_label.setText(_reason(exc))
        self.table.setRowCount(len(self._views))
        for row, view in enumerate(self._views):
            cells = (view.username, view.display_name, view.role.label, view.unit, status_text(view))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, view.username)
                if column == 4 and text != "正常":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        if keep:
            self.select(keep)
        self._update_buttons()

    def set_unit_only(self, on: bool) -> None:
        done = self.tr("已设置：各单位用户只看本单位的记录") if on else self.tr("已设置：各单位用户可看全部单位的记录")
        self._switch(self.unit_only_check, list_scope.set_lists_restricted, on, done)

    def set_four_eyes(self, on: bool) -> None:
        done = self.tr("已开启信用评价双人复核") if on else self.tr("已关闭信用评价双人复核")
        self._switch(self.four_eyes_check, four_eyes.set_four_eyes, on, done)

    def _switch(self, check: QCheckBox, apply: Callable[[AppContext, bool], object], on: bool, done: str) -> None:
        """An office-wide switch: set by its service, or, when refused, put back (without toggling again) and why."""
        try:
            apply(self._ctx, on)
        except DomainError as exc:
            check.blockSignals(True)
            check.setChecked(not on)
            check.blockSignals(False)
            self.status_label.setText(_reason(exc))
            return
        self._done(done)

    def row_of(self, username: str) -> int:
        return next((i for i, v in enumerate(self._views) if v.username == username), -1)

    def select(self, username: str) -> None:
        row = self.row_of(username)
        if row >= 0:
            self.table.selectRow(row)

    def selected_username(self) -> str:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else ""

    def _selected_view(self) -> users.UserView | None:
        row = self.row_of(self.selected_username())
        return self._views[row] if row >= 0 else None

    def _update_buttons(self) -> None:
        view = self._selected_view()
        for button in (self.toggle_button, self.unlock_button, self.reset_button):
            button.setEnabled(view is not None)
        self.toggle_button.setText(self.tr("启用") if view is not None and not view.active else self.tr("停用"))
        self.unlock_button.setEnabled(view is not None and view.locked)

    def _done(self, text: str) -> None:
        self.refresh()
        self.status_label.setText(text)
        self.message.emit(text)
        self.changed.emit()

    def _refused(self, exc: DomainError) -> None:
        QMessageBox.warning(self, self.tr("用户管理"), _reason(exc))

    # --- actions ---
    def new_user_dialog(self) -> NewUserDialog:
        return NewUserDialog(self._ctx, self)

    def add_user(self, dialog: NewUserDialog | None = None) -> bool:
        dialog = dialog or self.new_user_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.created is None:
            return False
        self._done(self.tr("已新增用户 {0}").format(dialog.created.username))
        self.select(dialog.created.username)
        return True

    def toggle_active(self) -> None:
        view = self._selected_view()
        if view is None:
            return
        if view.active:
            if not confirm(
                self,
                self.tr("停用用户"),
                self.tr("停用后 {0}（{1}）将不能登录，其数据和操作日志保留，可随时再启用。确定停用吗？").format(
                    view.username, view.display_name
                ),
            ):
                return
        try:
            users.set_active(self._ctx, view.username, not view.active)
        except DomainError as exc:
            self._refused(exc)
            return
        self._done((self.tr("已启用用户 {0}") if not view.active else self.tr("已停用用户 {0}")).format(view.username))

    def unlock(self) -> None:
        view = self._selected_view()
        if view is None:
            return
        try:
            users.unlock_user(self._ctx, view.username)
        except DomainError as exc:
            self._refused(exc)
            return
        self._done(self.tr("已解锁用户 {0}").format(view.username))

    def reset_password(self, password: str | None = None) -> bool:
        """Ask for the new password twice (unless given) and set it; the user should change it at next login."""
        view = self._selected_view()
        if view is None:
            return False
        if password is None:
            first, ok = QInputDialog.getText(
                self,
                self.tr("重置密码"),
                self.tr("为 {0} 设置新密码（至少{1}个字符）：").format(view.username, users.password_policy().min_length),
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return False
            again, ok = QInputDialog.getText(
                self, self.tr("重置密码"), self.tr("再次输入新密码："), QLineEdit.EchoMode.Password
            )
            if not ok:
                return False
            if first != again:
                QMessageBox.warning(self, self.tr("重置密码"), self.tr("两次输入的密码不一致"))
                return False
            password = first
        try:
            users.reset_password(self._ctx, view.username, password)
        except DomainError as exc:
            self._refused(exc)
            return False
        self._done(self.tr("已重置用户 {0} 的密码").format(view.username))
        return True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
