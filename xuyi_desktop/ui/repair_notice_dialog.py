"""信用修复告知书 of one penalty decision, opened from the 双公示 page ("两书同达"): print it (the first print numbers
it, a reprint keeps the number) and record that it was served with the decision, on the date of the receipt.

Printing and serving are two steps because they are two facts: the notice is printed when the decision is drawn up
and served with it, in person or by post, often days later (services.credit_prints explains the serial)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_prints import NoticeState, notice_state, print_repair_notice
from xuyi_desktop.services.repair import record_notice_served
from xuyi_desktop.ui.widgets import error_label
from xuyi_desktop.ui.workflow_dialogs import refusal_text
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of


class RepairNoticeDialog(QDialog):
    changed = Signal(str)

    def __init__(self, ctx: AppContext, penalty_id: uuid.UUID, parent: QWidget | None = None, *,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.penalty_id, self._today = ctx, penalty_id, today
        self.state: NoticeState | None = None
        self.last_pdf: Path | None = None
        self.setWindowTitle(self.tr("信用修复告知书（两书同达）"))
        self.penalty_label = QLabel(self)
        self.penalty_label.setWordWrap(True)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.print_button = QPushButton(self.tr("打印告知书…"), self)
        self.served_edit = date_edit(self, today or dt.date.today(), latest=today or dt.date.today())
        self.served_button = QPushButton(self.tr("登记已送达"), self)
        self.served_button.setToolTip(self.tr("当事人签收后登记：告知书已随行政处罚决定书一并送达"))
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("行政处罚"), self.penalty_label)
        form.addRow(self.tr("告知书"), self.state_label)
        served = QHBoxLayout()
        served.addWidget(self.served_edit)
        served.addWidget(self.served_button)
        served.addStretch(1)
        form.addRow(self.tr("送达日期"), served)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        hint = QLabel(self.tr("首次打印时编号并记入该处罚记录，补打沿用原编号。告知书随处罚决定书一并送达当事人，"
                              "当事人在送达回执上签收后，登记送达日期。"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(lambda: self.print_notice())
        self.served_button.clicked.connect(self.record_served)
        self.resize(600, self.sizeHint().height())
        self.refresh()

    def refresh(self) -> None:
        try:
            self.state = notice_state(self.ctx, self.penalty_id, today=self._today)
        except DomainError as refused:
            self.show_error(refusal_text(refused))
            self.print_button.setEnabled(False)
            self.served_button.setEnabled(False)
            return
        s = self.state
        self.penalty_label.setText(f"{s.document_no}　{s.party}")
        if not s.printable:
            text = s.refusal
        elif not s.serial:
            text = self.tr("尚未打印")
        elif s.served_on:
            text = self.tr("{0}，已于 {1} 随处罚决定书送达").format(s.serial, s.served_on)
        else:
            text = self.tr("{0}，已打印，尚未登记送达").format(s.serial)
        self.state_label.setText(text)
        self.state_label.setStyleSheet("color: #c62828;" if not s.printable else "")
        self.print_button.setText(self.tr("补打告知书…") if s.serial else self.tr("打印告知书…"))
        self.print_button.setEnabled(s.printable and self.ctx.can(Permission.PRINT))
        self.served_button.setEnabled(bool(s.serial) and s.served_on is None and self.ctx.can(Permission.ENTITY_EDIT))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def print_notice(self, path: str | Path | None = None) -> Path | None:
        """Save the notice as PDF (numbered on the first print); the system viewer prints it."""
        s = self.state
        if s is None or not s.printable:
            return None
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
            name = f"信用修复告知书-{s.document_no}.pdf".replace("/", "-")
            chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("保存信用修复告知书"), str(Path(folder) / name),
                                                          self.tr("PDF 文件 (*.pdf)"))
            if not chosen:
                return None
            path = chosen
        self.error.setVisible(False)
        try:
            printed = print_repair_notice(self.ctx, self.penalty_id, Path(path), today=self._today)
        except DomainError as refused:
            self.show_error(refusal_text(refused))
            return None
        self.last_pdf = printed.path
        self.refresh()
        self.changed.emit(self.tr("{0}信用修复告知书 {1}：{2}").format("补打" if printed.reprint else "已打印", printed.serial, printed.path))
        return printed.path

    def record_served(self) -> bool:
        s = self.state
        if s is None or not s.serial:
            return False
        on = day_of(self.served_edit)
        try:
            record_notice_served(self.ctx, self.penalty_id, serial=s.serial, on=on)
        except DomainError as refused:
            self.show_error(refusal_text(refused))
            return False
        self.refresh()
        self.changed.emit(self.tr("已登记：信用修复告知书 {0} 于 {1} 随处罚决定书送达").format(s.serial, on))
        return True
