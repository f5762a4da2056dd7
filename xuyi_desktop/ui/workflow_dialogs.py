"""The dialogs a workflow step opens: a form whose OK calls one service (ServiceDialog) and the written opinion a
step needs (OpinionDialog: 审核意见, 决定理由, 处理意见 …). Each shows a refusal in the dialog, in the service's words,
and stays open; only success closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Generic, Self, TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.ui.widgets import error_label
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of

T = TypeVar("T")


def refusal_text(exc: BaseException) -> str:
    """The refusal in the words the service chose (a DomainError's Chinese message), else the error as text."""
    return getattr(exc, "message_zh", None) or str(exc)


class ServiceDialog(QDialog, Generic[T]):
    """A form whose Save runs one service call (`_saving`): a refusal shows in `error` under the form and the dialog
    stays open; success keeps the result in `saved` (the page reads it on `accepted`) and closes the dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved: T | None = None
        self.error = error_label(self)

    def save(self) -> T | None:
        raise NotImplementedError

    def save_buttons(self, text: str = "") -> QDialogButtonBox:
        """Save (renamed to `text` when given) runs `save`; Cancel closes."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        if text:
            buttons.button(QDialogButtonBox.StandardButton.Save).setText(text)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def _saving(self, call: Callable[[], T]) -> T | None:
        self.error.setVisible(False)
        try:
            self.saved = call()
        except DomainError as refused:
            self.show_error(refusal_text(refused))
            return None
        self.accept()
        return self.saved


class OpinionDialog(ServiceDialog[Any]):
    """A written opinion (required), optionally a choice and a date, before one step. OK runs `action(dialog)`
    (a service call); a refusal shows in the dialog, which stays open; success closes it with `result_value`."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, note_label: str = "理由",
                 choices: Sequence[str] = (), choice_label: str = "", date_label: str = "",
                 day: dt.date | None = None, action: Callable[[Self], Any] | None = None) -> None:
        super().__init__(parent)
        self._action: Callable[[Any], Any] | None = action  # called with this dialog (a subclass: ReasonDialog)
        self._note_label = note_label
        self.result_value: Any = None
        self.setWindowTitle(title)
        self.prompt_label = QLabel(prompt, self)
        self.prompt_label.setWordWrap(True)
        form = QFormLayout()
        self.choice_combo: QComboBox | None = None
        if choices:
            self.choice_combo = QComboBox(self)
            self.choice_combo.addItems(list(choices))
            form.addRow(choice_label, self.choice_combo)
        self.date_edit: QDateEdit | None = None
        if date_label:
            self.date_edit = date_edit(self, day or dt.date.today())
            form.addRow(date_label, self.date_edit)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.note_edit.setTabChangesFocus(True)
        form.addRow(self.tr("{0}（必填）").format(note_label), self.note_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt_label)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self.note_edit.setFocus()

    @property
    def note(self) -> str:
        return self.note_edit.toPlainText().strip()

    @property
    def choice(self) -> str:
        return self.choice_combo.currentText() if self.choice_combo is not None else ""

    @property
    def day(self) -> dt.date | None:
        return day_of(self.date_edit) if self.date_edit is not None else None

    def confirm(self) -> bool:
        if not self.note:
            self.show_error(self.tr("请填写{0}").format(self._note_label))
            self.note_edit.setFocus()
            return False
        if self._action is not None:
            try:
                self.result_value = self._action(self)
            except DomainError as refused:
                self.show_error(refusal_text(refused))
                return False
        self.accept()
        return True
