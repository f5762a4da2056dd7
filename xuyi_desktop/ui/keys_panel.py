"""签名密钥 on the 用户管理 page: each PC's signing key, approved by an administrator after comparing the
fingerprint the PC shows (`xuyi key show` there, or this panel's 本机 line); retired or revoked when a PC is
replaced or lost. The services check the right and audit every decision."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
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

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services import office_keys
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.office_keys import KeyStatus
from xuyi_desktop.ui.record_widgets import SelectionMode, button_row, record_table

COLUMNS = ("指纹", "状态", "电脑", "登记", "批准人", "说明")
_STATUS_COLOUR = {"pending": Qt.GlobalColor.darkYellow, "revoked": Qt.GlobalColor.darkRed, "retired": Qt.GlobalColor.gray}


class KeysPanel(QGroupBox):
    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("签名密钥（各电脑打印文件上的核验码；批准前核验为“未经授权”）"))
        self._ctx = ctx
        self._views: list[office_keys.KeyView] = []
        self.this_pc = QLabel(self)
        self.this_pc.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = record_table(self, [self.tr(c) for c in COLUMNS], selection=SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.approve_button = QPushButton(self.tr("核对指纹并批准…"), self)
        self.retire_button = QPushButton(self.tr("停用…"), self)
        self.revoke_button = QPushButton(self.tr("吊销…"), self)
        buttons = button_row([self.approve_button, self.retire_button, self.revoke_button], [self.this_pc])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.approve_button.clicked.connect(lambda: self.approve())
        self.retire_button.clicked.connect(lambda: self.retire())
        self.revoke_button.clicked.connect(lambda: self.revoke())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        try:
            here = office_keys.this_installation(self._ctx)
            self.this_pc.setText(self.tr("本机指纹：{0}（{1}）").format(here.fingerprint, here.status.label))
            self._views = office_keys.list_keys(self._ctx)
        except DomainError as exc:
            self._views = []
            self.this_pc.setText(getattr(exc, "message_zh", str(exc)))
        self.table.setRowCount(len(self._views))
        for row, v in enumerate(self._views):
            approved = f"{v.approved_by_name}（{v.approved_by}）{v.approved_at.astimezone():%Y-%m-%d}" if v.approved_at else ""
            cells = (v.fingerprint, v.status.label, v.installation + ("（本机）" if v.this_pc else ""),
                     f"{v.registered_at.astimezone():%Y-%m-%d} {v.registered_by}", approved, v.note)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2 and v.data_folder:
                    item.setToolTip(self.tr("数据目录：{0}").format(v.data_folder))
                if column == 1 and v.status.value in _STATUS_COLOUR:
                    item.setForeground(_STATUS_COLOUR[v.status.value])
                self.table.setItem(row, column, item)
        self._update_buttons()

    def selected(self) -> office_keys.KeyView | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self._views[rows.pop()] if len(rows) == 1 else None

    def select_fingerprint(self, fp: str) -> None:
        for row, v in enumerate(self._views):
            if v.fingerprint == fp:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        v = self.selected()
        for button, to in ((self.approve_button, KeyStatus.APPROVED), (self.retire_button, KeyStatus.RETIRED),
                           (self.revoke_button, KeyStatus.REVOKED)):
            button.setEnabled(v is not None and office_keys.may_change(v.status, to))

    def _run(self, title: str, action, done: str) -> bool:
        try:
            view = action()
        except DomainError as exc:
            QMessageBox.warning(self, title, getattr(exc, "message_zh", str(exc)))
            return False
        self.refresh()
        self.select_fingerprint(view.fingerprint)
        self.message.emit(done.format(view.fingerprint, view.installation))
        return True

    def approve(self, typed: str | None = None) -> bool:
        """The administrator types the fingerprint read out at the PC: it must match the selected key."""
        v = self.selected()
        if v is None:
            return False
        title = self.tr("批准签名密钥")
        if typed is None:
            typed, ok = QInputDialog.getText(
                self, title, self.tr("请在电脑 {0} 上查看本机指纹，并在此输入以核对：").format(v.installation),
                QLineEdit.EchoMode.Normal, "")
            if not ok:
                return False
        try:
            same = office_keys.normalise_fingerprint(typed) == v.fingerprint
        except DomainError as exc:
            QMessageBox.warning(self, title, getattr(exc, "message_zh", str(exc)))
            return False
        if not same:
            QMessageBox.warning(self, title, self.tr("输入的指纹与所选密钥不符，未批准。请再次核对。"))
            return False
        return self._run(title, lambda: office_keys.approve_key(self._ctx, v.fingerprint), self.tr("已批准签名密钥 {0}（电脑 {1}）"))

    def retire(self, note: str | None = None) -> bool:
        return self._end_key(self.tr("停用签名密钥"), self.tr("停用后该电脑不能再签发；此前签发的文件仍有效。备注（可空）："),
                             note, office_keys.retire_key, self.tr("已停用签名密钥 {0}（电脑 {1}）"))

    def revoke(self, reason: str | None = None) -> bool:
        return self._end_key(self.tr("吊销签名密钥"), self.tr("吊销后该密钥签发的所有文件一律无效。吊销原因："),
                             reason, office_keys.revoke_key, self.tr("已吊销签名密钥 {0}（电脑 {1}）"))

    def _end_key(self, title: str, prompt: str, text: str | None,
                 end: Callable[[AppContext, str, str], object], done: str) -> bool:
        """停用 and 吊销 differ only in their words and service: the selected key, the note asked unless given."""
        v = self.selected()
        if v is None:
            return False
        if text is None:
            text, ok = QInputDialog.getText(self, title, prompt)
            if not ok:
                return False
        return self._run(title, lambda: end(self._ctx, v.fingerprint, text or ""), done)
