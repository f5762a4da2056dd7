"""标记已报送 on a selection: only the selected records not yet reported (or 待重报) are marked, with the report date
and batch number, after a confirmation that names how many — a selection of all 4,004 records with most of
them reported marks only the others (services.sgs.mark_reported, as `xuyi sgs mark-reported`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import RecordView, mark_reported
from xuyi_desktop.ui.widgets import error_label


class SgsMarkReportedDialog(QDialog):
    marked = Signal(int)

    def __init__(self, ctx: AppContext, selected: Sequence[RecordView], parent: QWidget | None = None, *,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._today = ctx, today
        self.to_mark = [r for r in selected if r.unreported]
        skipped = len(selected) - len(self.to_mark)
        self.setWindowTitle(self.tr("标记已报送"))
        text = self.tr("将把 {0} 条未报送的记录标记为已报送。").format(len(self.to_mark))
        if skipped:
            text += self.tr("所选 {0} 条中另有 {1} 条已经报送，不作改动。").format(len(selected), skipped)
        self.message = QLabel(text, self)
        self.message.setWordWrap(True)
        day = today or dt.date.today()
        self.date_edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.batch_edit = QLineEdit(self)
        self.batch_edit.setPlaceholderText(self.tr("上级平台的报送批次号（必填）"))
        form = QFormLayout()
        form.addRow(self.tr("报送日期"), self.date_edit)
        form.addRow(self.tr("报送批次号"), self.batch_edit)
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("标记 {0} 条").format(len(self.to_mark)))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())
        self.batch_edit.setFocus()

    def save(self) -> None:
        try:
            views = mark_reported(self._ctx, [r.id for r in self.to_mark], on=self.date_edit.date().toPython(),  # type: ignore[arg-type]
                                  batch_no=self.batch_edit.text(), today=self._today)
        except DomainError as exc:
            self.error.setText(exc.message_zh)
            self.error.setVisible(True)
            return
        self.marked.emit(len(views))
        self.accept()
