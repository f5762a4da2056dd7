"""更正 and 撤销 of one 双公示 record: the dialogs behind the page's buttons, over the CLI's services
(services.sgs.correct_record: a new version, the old one kept; services.sgs.withdraw_record: marked, never
deleted). A refusal is shown in the dialog, which stays open; only success closes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import RecordView, correct_record, withdraw_record
from xuyi_desktop.ui.record_widgets import dialog_buttons, show_problem
from xuyi_desktop.ui.widgets import error_label
from xuyi_desktop.ui.workflow_widgets import date_edit


def field_text(value: Any) -> str:
    """A stored value as the clerk types it (the services read the same text back)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    return str(value)


class SgsCorrectDialog(QDialog):
    """Every field of the record, filled in; what the clerk changes (and a reason) becomes the new version."""

    corrected = Signal(object)  # RecordView

    def __init__(self, ctx: AppContext, record: RecordView, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._record, self._today = ctx, record, today
        self.result_value: RecordView | None = None
        self.setWindowTitle(self.tr("更正{0}").format(record.kind.label))
        intro = QLabel(self.tr("{0} {1}（第{2}版）。更正生成新版本，原版本保留；已报送的记录更正后为“待重报”。").format(
            record.document_no, record.name, record.revision), self)
        intro.setWordWrap(True)
        if record.rejected_reason:
            intro.setText(intro.text() + "\n" + self.tr("平台退回原因：{0}").format(record.rejected_reason))
        self.inputs: dict[str, QLineEdit] = {}
        self.original: dict[str, str] = {}
        fields = QWidget(self)
        form = QFormLayout(fields)
        for f in rules.fields_for(record.kind):
            edit = QLineEdit(fields)
            text = field_text(record.values.get(f.name))
            edit.setText(text)
            edit.setCursorPosition(0)
            self.inputs[f.name], self.original[f.name] = edit, text
            form.addRow(rules.label(record.kind, f.name), edit)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(fields)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(self.tr("必填，如：按平台反馈更正处罚内容"))
        reason = QFormLayout()
        reason.addRow(self.tr("更正原因"), self.reason_edit)
        self.error = error_label(self)
        self.buttons = dialog_buttons(self, self.save)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存更正"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(reason)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 600)  # fits 1366×768 with the task bar; the fields scroll

    def set_value(self, name: str, text: str) -> None:
        self.inputs[name].setText(text)

    def changes(self) -> dict[str, str]:
        return {n: e.text().strip() for n, e in self.inputs.items() if e.text().strip() != self.original[n]}

    def save(self) -> None:
        raw = self.changes()
        if not raw and not self._record.rejected_reason:
            self._show(self.tr("没有修改任何内容"))
            return
        try:
            view = correct_record(self._ctx, self._record.id, raw, reason=self.reason_edit.text(), today=self._today)
        except DomainError as exc:
            self._show(exc.message_zh)
            return
        self.result_value = view
        self.corrected.emit(view)
        self.accept()

    def _show(self, text: str) -> None:
        show_problem(self.error, text)


class SgsWithdrawDialog(QDialog):
    """撤销: the date and the reason; the record stays in the ledger, leaves the public version, and is 待重报
    when it was reported."""

    withdrawn = Signal(object)  # RecordView

    def __init__(self, ctx: AppContext, record: RecordView, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._record, self._today = ctx, record, today
        self.result_value: RecordView | None = None
        self.setWindowTitle(self.tr("撤销{0}").format(record.kind.label))
        day = today or dt.date.today()
        intro = QLabel(self.tr("撤销 {0} {1}：记录保留并注明撤销，不再出现在公示版中；已报送的须重新报送。").format(
            record.document_no, record.name), self)
        intro.setWordWrap(True)
        self.date_edit = date_edit(self, day)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(self.tr("必填，如：复议决定撤销原处罚决定"))
        form = QFormLayout()
        form.addRow(self.tr("撤销日期"), self.date_edit)
        form.addRow(self.tr("撤销原因"), self.reason_edit)
        self.error = error_label(self)
        self.buttons = dialog_buttons(self, self.save, save=False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("撤销"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def save(self) -> None:
        try:
            view = withdraw_record(self._ctx, self._record.id, on=self.date_edit.date().toPython(),  # type: ignore[arg-type]
                                   reason=self.reason_edit.text(), today=self._today)
        except DomainError as exc:
            show_problem(self.error, exc)
            return
        self.result_value = view
        self.withdrawn.emit(view)
        self.accept()
