"""The first screen: create the administrator on a new database, otherwise log in (services.users does the rules)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import users
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.widgets import error_label

PRODUCT = "盱眙县信用交通"


def _password_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _CredentialsDialog(QDialog):
    """Title, an explanation line, a form, a red message line and OK/取消 (Enter presses OK)."""

    def __init__(self, ctx: AppContext, title: str, intro: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(title)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(self.tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(400)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def submit(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


class SetupAdminDialog(_CredentialsDialog):
    """No user exists yet: the first account, an administrator, logged in straight away; beside it the office
    (code and name for the serial numbers, the organ printed on documents, the objection contact)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            self.tr("{0} — 首次设置").format(PRODUCT),
            self.tr("这是一个新数据库，还没有任何用户。请创建系统管理员账户，并设置本单位（文书编号和落款用）；"
                    "本单位也可以以后由管理员设置。"),
            self.tr("创建并登录"),
            parent,
        )
        from xuyi_desktop.ui.office_setup import OfficeFields

        self._admin_done = False
        admin_box = QGroupBox(self.tr("系统管理员"), self)
        layout = self.layout()
        index = layout.indexOf(self.error) - 1  # the form sits just above the message line
        item = layout.takeAt(index)
        form = item.layout() if item is not None else None
        assert form is not None  # the dialog's own form layout
        admin_box.setLayout(form)
        self.office = OfficeFields(ctx, self, optional=True)
        row = QHBoxLayout()
        row.addWidget(admin_box, 1)
        row.addWidget(self.office, 1)
        layout.insertLayout(index, row)
        self.setMinimumWidth(820)
        self.username_edit = QLineEdit(self)
        self.password_edit = _password_edit(self)
        self.password_edit.setPlaceholderText(self.tr("至少{0}个字符").format(users.password_policy().min_length))
        self.confirm_edit = _password_edit(self)
        self.display_name_edit = QLineEdit(self)
        self.display_name_edit.setPlaceholderText(self.tr("例如：张伟（印在经办人、核查人处）"))
        self.form.addRow(self.tr("用户名(&U)"), self.username_edit)
        self.form.addRow(self.tr("密码(&P)"), self.password_edit)
        self.form.addRow(self.tr("确认密码(&C)"), self.confirm_edit)
        self.form.addRow(self.tr("姓名(&N)"), self.display_name_edit)
        self.username_edit.setFocus()

    def submit(self) -> bool:
        if self._admin_done:  # the administrator exists; only the office step was refused
            return self._office_step()
        username, password = self.username_edit.text().strip(), self.password_edit.text()
        if not self.office.is_empty():
            from xuyi_desktop.services.offices import _check_code

            try:
                _check_code(self.office.code_edit.text())
            except ValidationError as invalid:
                self.office.code_edit.setFocus()
                self.show_error(invalid.message_zh)
                return False
        if not username:
            return self._refuse(self.tr("请输入用户名"), self.username_edit)
        if len(password) < users.password_policy().min_length:
            return self._refuse(self.tr("密码至少{0}个字符").format(users.password_policy().min_length), self.password_edit)
        if password != self.confirm_edit.text():
            self.confirm_edit.clear()
            return self._refuse(self.tr("两次输入的密码不一致，请重新输入确认密码"), self.confirm_edit)
        if not self.display_name_edit.text().strip():
            return self._refuse(self.tr("请输入姓名（打印的文书上写真实姓名，不写用户名）"), self.display_name_edit)
        try:
            users.create_user(self._ctx, username, password, Role.ADMIN, display_name=self.display_name_edit.text())
            users.login(self._ctx, username, password)
        except ValidationError as invalid:
            field = invalid.problems[0].field if invalid.problems else ""
            return self._refuse(invalid.message_zh, self.password_edit if field == "password" else self.username_edit)
        except DomainError as refused:
            return self._refuse(getattr(refused, "message_zh", str(refused)), self.username_edit)
        self._admin_done = True
        for edit in (self.username_edit, self.password_edit, self.confirm_edit, self.display_name_edit):
            edit.setEnabled(False)
        return self._office_step()

    def _office_step(self) -> bool:
        problem = self.office.apply()
        if problem:
            self.show_error(self.tr("管理员已创建。本单位未能保存：{0}").format(problem))
            return False
        self.accept()
        return True

    def _refuse(self, text: str, focus: QLineEdit) -> bool:
        self.show_error(text)
        focus.setFocus()
        return False


class LoginDialog(_CredentialsDialog):
    """用户名 and 密码; Enter logs in; the service's message (attempts left, locked until) is shown as is."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__(ctx, self.tr("{0} — 登录").format(PRODUCT), self.tr("请输入用户名和密码登录。"), self.tr("登录"), parent)
        self.username_edit = QLineEdit(username, self)
        self.password_edit = _password_edit(self)
        self.form.addRow(self.tr("用户名(&U)"), self.username_edit)
        self.form.addRow(self.tr("密码(&P)"), self.password_edit)
        (self.password_edit if username else self.username_edit).setFocus()

    def submit(self) -> bool:
        username = self.username_edit.text().strip()
        if not username:
            self.show_error(self.tr("请输入用户名"))
            self.username_edit.setFocus()
            return False
        try:
            users.login(self._ctx, username, self.password_edit.text())
        except users.LoginFailed as failed:
            self.show_error(failed.message_zh)
            self.password_edit.clear()
            self.password_edit.setFocus()
            return False
        except DomainError as refused:
            self.show_error(getattr(refused, "message_zh", str(refused)))
            return False
        self.password_edit.clear()
        self.accept()
        return True


def login_dialog_for(ctx: AppContext, parent: QWidget | None = None, username: str = "") -> _CredentialsDialog:
    return SetupAdminDialog(ctx, parent) if ctx.setup_mode else LoginDialog(ctx, parent, username)


def authenticate(ctx: AppContext, parent: QWidget | None = None, username: str = "") -> bool:
    """Show the right first screen until someone is logged in; False when the clerk chose 退出."""
    dialog = login_dialog_for(ctx, parent, username)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted and ctx.user is not None
    finally:
        dialog.deleteLater()
