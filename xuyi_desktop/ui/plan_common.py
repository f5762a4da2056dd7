"""What the plan's pages share: the page base (PlanPage: signals, context, the record dialogs it keeps open), the
record dialog a to-do item or a dashboard figure opens, the unit drop-down, the end of a form (plan_buttons) and
read-only tables filled from rows. The services decide everything; these only show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.record_details import RecordDetail, describe_record
from xuyi_desktop.services.units import unit_names
from xuyi_desktop.ui.workflow_widgets import row_table

RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
ORANGE = QColor("#ef6c00")


def unit_combo(parent: QWidget, *, all_label: str | None = "全局（全部单位）", current: str = "") -> QComboBox:
    """The unit dictionary as a drop-down; the first entry (data "") means every unit when `all_label` is given."""
    combo = QComboBox(parent)
    if all_label is not None:
        combo.addItem(all_label, "")
    for name in unit_names():
        combo.addItem(name, name)
    if current:
        index = combo.findData(current)
        if index >= 0:
            combo.setCurrentIndex(index)
    return combo


def read_only_table(parent: QWidget, headers: Sequence[str], *, stretch: int | None = None) -> QTableWidget:
    """A workflow list (row_table) whose rows are one line high and whose columns fit their text."""
    table = row_table(parent, headers, None)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[object]], *, data: Sequence[object] | None = None,
               colours: Sequence[QColor | None] | None = None) -> None:
    """Replace the rows; `data` is kept on each row's first cell (Qt.UserRole), `colours` tint a row's text."""
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setToolTip(item.text())
            if colours is not None and colours[r] is not None:
                item.setForeground(QBrush(colours[r]))
            table.setItem(r, c, item)
        if data is not None:
            table.item(r, 0).setData(Qt.ItemDataRole.UserRole, data[r])


def row_data(table: QTableWidget, row: int | None = None) -> object:
    row = table.currentRow() if row is None else row
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class RecordDialog(QDialog):
    """A record as (label, value) lines, with a button to the page of the window that works on it."""

    navigate = Signal(str)

    def __init__(self, detail: RecordDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail = detail
        self.setWindowTitle(f"{detail.kind_label}：{detail.title}")
        self.resize(640, 460)
        title = QLabel(f"<b>{detail.kind_label}</b>　{detail.title}", self)
        title.setWordWrap(True)
        self.table = read_only_table(self, ("项目", "内容"), stretch=1)
        self.table.setWordWrap(True)
        fill_table(self.table, detail.rows)
        self.table.setColumnWidth(0, 110)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.go_button: QPushButton | None = None
        if detail.page:
            self.go_button = buttons.addButton(f"转到“{detail.page}”页面", QDialogButtonBox.ButtonRole.ActionRole)
            self.go_button.clicked.connect(self._go)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # now that the columns have their widths: long values wrap, short ones do not

    def _go(self) -> None:
        self.navigate.emit(self.detail.page)
        self.accept()


def plan_buttons(dialog: QDialog, form: QFormLayout, error: QLabel, save: Callable[[], object], *, ok_text: str = "",
                 head: QWidget | None = None) -> QDialogButtonBox:
    """The plan's forms end alike: `head` (a task's content), the form, its error line, OK (named `ok_text` when given)
    running `save`, which closes the dialog on success, and Cancel."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    if ok_text:
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    if head is not None:
        layout.addWidget(head)
    layout.addLayout(form, 1 if head is not None else 0)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return buttons


def open_record(ctx: AppContext, kind: str, record_id: str, parent: QWidget, navigate: Any = None) -> RecordDialog | None:
    """Show the record (non-modal, so the clerk can keep it beside the list); None if it cannot be read."""
    try:
        detail = describe_record(ctx, kind, record_id)
    except DomainError as refused:
        QMessageBox.warning(parent, "无法打开", refused.message_zh)
        return None
    dialog = RecordDialog(detail, parent)
    if navigate is not None:
        dialog.navigate.connect(navigate)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class PlanPage(QWidget):
    """What the plan's pages share: the window's signals (status text, go to a page, refreshed), the context and the
    day they are opened for, and the record dialogs they open beside the list (kept so they stay alive)."""

    message = Signal(str)
    navigate = Signal(str)
    refreshed = Signal()

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._settings, self._today = ctx, settings, today
        self.dialogs: list[QWidget] = []

    def show_record(self, kind: str, record_id: str, parent: QWidget | None = None) -> RecordDialog | None:
        """Open one record (non-modal, its 转到 button navigating the window); None if it cannot be read."""
        dialog = open_record(self._ctx, kind, record_id, parent or self, self.navigate)
        if dialog is not None:
            self.dialogs.append(dialog)
        return dialog
