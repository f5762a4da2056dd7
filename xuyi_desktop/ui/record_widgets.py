"""Small builders the record pages share (commitments, 失信记录, ratings, users, registry, 双公示 forms …), so
each page says only what is its own (columns, fields, actions) and a list, a date box or a "确定吗？" reads and
behaves the same on every page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.widgets import error_label

SelectionMode = QAbstractItemView.SelectionMode
D = TypeVar("D", bound=QDialog)

# A record's state in the lists: in force, broken or overdue (red), kept (green), ended or revoked (grey).
RED = QColor("#c62828")
GREEN = QColor("#2e7d32")
GREY = QColor("#757575")


class RecordPage(QWidget):
    """A page of one kind of record in the main window: the office's context, the window's settings, and
    `message`, the short notice the window shows in its status bar."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings


def make_record_list(table: QTableView, *, selection: SelectionMode | None = None, tab_keys: bool = True,
                     alternating: bool = False) -> None:
    """Whole rows are picked and nothing is edited in place (the dialogs edit), without row numbers: how every
    record list reads. `tab_keys=False` lets Tab leave the list for the buttons."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if selection is not None:
        table.setSelectionMode(selection)
    table.setTabKeyNavigation(tab_keys)
    table.setAlternatingRowColors(alternating)
    table.verticalHeader().setVisible(False)


def record_table(parent: QWidget, titles: Sequence[str], *, selection: SelectionMode | None = None,
                 tab_keys: bool = True, alternating: bool = False) -> QTableWidget:
    """An empty record list with these column titles (see make_record_list)."""
    table = QTableWidget(0, len(titles), parent)
    table.setHorizontalHeaderLabels(list(titles))
    make_record_list(table, selection=selection, tab_keys=tab_keys, alternating=alternating)
    return table


def list_and_detail(parent: QWidget, left: QWidget, right: QWidget, *, collapsible: bool = True,
                    vertical: bool = False) -> QSplitter:
    """The list on the left (three parts of the width) and what is selected, in detail, on the right (one);
    with vertical=True the list above and the detail below."""
    split = QSplitter(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal, parent)
    split.addWidget(left)
    split.addWidget(right)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 1)
    if not collapsible:
        split.setChildrenCollapsible(False)
    return split


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No with No the default, so that Enter never deletes, disables or ends anything by itself."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def vertical_scroll(parent: QWidget, content: QWidget) -> QScrollArea:
    """A frameless area that scrolls `content` up and down only (the page's width is what the content wraps to)."""
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


def pick_label(parent: QWidget, title: str, prompt: str, labels: list[str]) -> int | None:
    """The index of the label the clerk picks (the first is offered), None when cancelled; one label is not asked."""
    if len(labels) == 1:
        return 0
    picked, ok = QInputDialog.getItem(parent, title, prompt, labels, 0, False)
    return labels.index(picked) if ok else None


FieldInput = QLineEdit | QComboBox | QPlainTextEdit


def input_text(widget: FieldInput) -> str:
    """What a form field holds, whichever kind of input the dictionary made for it."""
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    return widget.text()


def set_input_text(widget: FieldInput, value: str) -> None:
    """Put a stored value back into a form field, whichever kind of input it is."""
    if isinstance(widget, QComboBox):
        widget.setCurrentText(value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    else:
        widget.setText(value)


def dialog_buttons(dialog: QDialog, accepted: Callable[[], object], *, save: bool = True) -> QDialogButtonBox:
    """保存 (or 确定 with save=False) and 取消 for a form dialog: the first runs `accepted` (which decides whether
    the dialog closes), the second closes it."""
    first = QDialogButtonBox.StandardButton.Save if save else QDialogButtonBox.StandardButton.Ok
    buttons = QDialogButtonBox(first | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(accepted)
    buttons.rejected.connect(dialog.reject)
    return buttons


def show_problem(label: QLabel, problem: Exception | str) -> None:
    """Show why the form was not saved in its red line: a refusal's Chinese message, or the text given."""
    label.setText(problem if isinstance(problem, str) else getattr(problem, "message_zh", str(problem)))
    label.setVisible(True)


def with_error_line(parent: QWidget, widget: QWidget, *, spacing: int | None = None) -> tuple[QWidget, QLabel]:
    """A form field and, under it, the red line for its problems (hidden until there is one), as one form cell."""
    box = QWidget(parent)
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        column.setSpacing(spacing)
    column.addWidget(widget)
    error = error_label(box)
    column.addWidget(error)
    return box, error


def make_headline(label: QLabel, base: QFont) -> None:
    """The entity's name at the top of a check or a file: larger and bold, wrapped, and selectable for copying."""
    big = QFont(base)
    big.setPointSizeF(big.pointSizeF() * 1.45)
    big.setBold(True)
    label.setFont(big)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


def open_form(dialog: D, on_accepted: Callable[[D], object], *, show: bool = True) -> D:
    """Open a record's form without blocking (show=False: tests fill it in); once saved, `on_accepted` gets the
    dialog to read what was saved. The dialog is returned so the page (and its tests) can keep it."""
    dialog.accepted.connect(lambda: on_accepted(dialog))
    if show:
        dialog.open()
    return dialog


def button_row(left: Sequence[QWidget], right: Sequence[QWidget] = ()) -> QHBoxLayout:
    """A row of buttons: the page's own actions on the left, then space, then those that close or refresh (or a
    note) on the right, as every page and dialog lays them out."""
    row = QHBoxLayout()
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row


def search_box(parent: QWidget, placeholder: str) -> QLineEdit:
    """A box to type a query or a filter into: it says what it takes, and has a clear button at its end."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def open_window(dialog: D, on_closed: Callable[[D], object], *, activate: bool = False) -> D:
    """Open a window-modal form or file without blocking (open, not exec: the event loop and the tests keep
    running); `on_closed(dialog)` runs when it closes, whichever way, so the page can drop its handle and free it.
    activate=True: keyboard-first, the form, not the list behind it, gets the keys."""
    dialog.finished.connect(lambda _result: on_closed(dialog))
    dialog.open()
    if activate:
        dialog.activateWindow()
    return dialog


def path_row(parent: QWidget, browse_text: str, browse: Callable[[], object]) -> tuple[QLineEdit, QHBoxLayout]:
    """A file's path, typed or chosen with the button beside it (`browse` asks and fills the box in)."""
    edit = QLineEdit(parent)
    button = QPushButton(browse_text, parent)
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return edit, row


def query_row(parent: QWidget, placeholder: str, button_text: str,
              run: Callable[[], object]) -> tuple[QLineEdit, QPushButton, QHBoxLayout]:
    """A query box and its button side by side, both running `run`: Enter in the box, or a click."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.returnPressed.connect(run)
    button = QPushButton(button_text, parent)
    button.clicked.connect(run)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return edit, button, row


def save_template(parent: QWidget, suggested: Path, write: Callable[[Path], Path], path: str | None = None) -> Path | None:
    """下载模板 on any page: ask where (unless `path` is given), add .xlsx when the clerk typed none, write the
    service's template there; a refusal or a file error is shown, never raised. Returns the file written."""
    title = parent.tr("下载模板")
    if path is None:
        path, _filter = QFileDialog.getSaveFileName(parent, parent.tr("保存导入模板"), str(suggested),
                                                    parent.tr("Excel 文件 (*.xlsx)"))
        if not path:
            return None
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    try:
        return write(Path(path))
    except (DomainError, OSError) as refused:
        QMessageBox.warning(parent, title, getattr(refused, "message_zh", str(refused)))
        return None
