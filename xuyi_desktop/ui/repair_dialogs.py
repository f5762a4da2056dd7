"""Dialogs of the 信用修复 page: a new repair application, a new objection, and the opinion a step needs (审核意见,
决定理由, 处理意见). Each calls one service; a refusal is shown in the dialog in the service's words (the earliest
day repair becomes possible, a missing right …) and the dialog stays open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.credit_record_picker import DISPUTABLE, REPAIRABLE, RecordPicker
from xuyi_desktop.ui.entity_picker import EntityCandidates
from xuyi_desktop.ui.widgets import error_label


def date_edit(parent: QWidget, day: dt.date, *, latest: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    return edit


def entity_list(ctx: AppContext, picker: RecordPicker) -> EntityCandidates:
    """The one entity picker's candidates under the record picker's entity box: picking one lists its records
    (Enter on the text still looks it up as before)."""
    found = EntityCandidates(ctx, picker.entity_edit)

    def chosen(entity: Any) -> None:
        if picker.find(str(entity.id)):
            picker.entity_edit.setText(entity.name)

    found.chosen.connect(chosen)
    return found


def refusal_text(exc: BaseException) -> str:
    return getattr(exc, "message_zh", None) or str(exc)


class OpinionDialog(QDialog):
    """A written opinion (required), optionally a choice and a date, before one step. OK runs `action(dialog)`
    (a service call); a refusal shows in the dialog, which stays open; success closes it with `result_value`."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, note_label: str = "理由",
                 choices: Sequence[str] = (), choice_label: str = "", date_label: str = "",
                 day: dt.date | None = None, action: Callable[[OpinionDialog], Any] | None = None) -> None:
        super().__init__(parent)
        self._action = action
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
        self.error = error_label(self)
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
        return self.date_edit.date().toPython() if self.date_edit is not None else None  # type: ignore[return-value]

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

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


class RepairApplyDialog(QDialog):
    """新建信用修复申请: the record (from the entity's penalties in publicity and dishonesty records in force, each
    with the earliest day repair may be applied for), the applicant, the materials handed in, the commitment."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        from xuyi_desktop.services.repair import repair_rules

        super().__init__(parent)
        self.ctx, self._today = ctx, today
        self.saved: Any = None
        self.setWindowTitle(self.tr("新建信用修复申请"))
        self.picker = RecordPicker(ctx, REPAIRABLE, self, today=today)
        self.entity_list = entity_list(ctx, self.picker)
        self.applicant_edit = QLineEdit(self)
        self.applicant_edit.setPlaceholderText(self.tr("单位名称或个人姓名（默认为该主体）"))
        self.contact_edit = QLineEdit(self)
        self.contact_edit.setPlaceholderText(self.tr("经办人及联系电话"))
        self.applied_edit = date_edit(self, today or dt.date.today(), latest=today or dt.date.today())
        self.commitment_edit = QLineEdit(self)
        self.commitment_edit.setPlaceholderText(self.tr("“信用修复型”信用承诺的编号（在“信用承诺”中登记并打印）"))
        self.materials_box = QGroupBox(self.tr("已提交的材料（* 为必交）"), self)
        grid = QGridLayout(self.materials_box)
        self.material_checks: dict[str, QCheckBox] = {}
        for i, m in enumerate(repair_rules().materials):
            box = QCheckBox(("* " if m.required else "") + m.name, self.materials_box)
            box.setToolTip(m.name)
            self.material_checks[m.code] = box
            grid.addWidget(box, i // 2, i % 2)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("申请人"), self.applicant_edit)
        form.addRow(self.tr("联系人、电话"), self.contact_edit)
        form.addRow(self.tr("申请日期"), self.applied_edit)
        form.addRow(self.tr("信用修复承诺书"), self.commitment_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("登记申请"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("申请修复的信用记录（公示中的行政处罚、有效的失信记录）："), self))
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(self.materials_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(860, 640)
        self.picker.entityFound.connect(self._entity_found)
        self.picker.entity_edit.setFocus()

    def _entity_found(self) -> None:
        if not self.applicant_edit.text().strip():
            self.applicant_edit.setText(self.picker.entity_name)

    def ticked(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.material_checks.items() if box.isChecked())

    def tick(self, codes: Sequence[str]) -> None:
        for code, box in self.material_checks.items():
            box.setChecked(code in codes)

    def save(self) -> Any:
        from xuyi_desktop.services.repair import apply_repair

        self.error.setVisible(False)
        row = self.picker.selected()
        try:
            if row is None:
                raise ValidationError(FieldProblem("record", "请先查找主体并选择要修复的记录", "record required"))
            self.saved = apply_repair(
                self.ctx, row.record_id, applicant=self.applicant_edit.text(), contact=self.contact_edit.text(),
                materials=self.ticked(), commitment=self.commitment_edit.text().strip() or None,
                applied_on=self.applied_edit.date().toPython(), today=self._today,  # type: ignore[arg-type]
            )
        except DomainError as refused:
            self.error.setText(refusal_text(refused))
            self.error.setVisible(True)
            return None
        self.accept()
        return self.saved


class ObjectionDialog(QDialog):
    """登记信息异议: the disputed record (any credit record of the entity), the objector, what is disputed and why."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx, self._today = ctx, today
        self.saved: Any = None
        self.setWindowTitle(self.tr("登记信息异议"))
        self.picker = RecordPicker(ctx, DISPUTABLE, self, today=today)
        self.entity_list = entity_list(ctx, self.picker)
        self.objector_edit = QLineEdit(self)
        self.objector_edit.setPlaceholderText(self.tr("异议人（默认为该主体）"))
        self.content_edit = QPlainTextEdit(self)
        self.content_edit.setPlaceholderText(self.tr("异议内容和理由，如：处罚对象错误，该车辆不属本单位"))
        self.content_edit.setFixedHeight(self.fontMetrics().height() * 5 + 12)
        self.content_edit.setTabChangesFocus(True)
        self.received_edit = date_edit(self, today or dt.date.today(), latest=today or dt.date.today())
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("异议人"), self.objector_edit)
        form.addRow(self.tr("异议内容"), self.content_edit)
        form.addRow(self.tr("收到日期"), self.received_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("登记异议"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("被异议的信用记录："), self))
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("登记后按规定的工作日期限处理；异议成立的，处罚撤销、失信记录结束或移出名单。"), self))
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(820, 600)
        self.picker.entityFound.connect(
            lambda: None if self.objector_edit.text().strip() else self.objector_edit.setText(self.picker.entity_name))
        self.picker.entity_edit.setFocus()

    def save(self) -> Any:
        from xuyi_desktop.services.objections import add_objection

        self.error.setVisible(False)
        row = self.picker.selected()
        try:
            if row is None:
                raise ValidationError(FieldProblem("record", "请先查找主体并选择被异议的记录", "record required"))
            self.saved = add_objection(
                self.ctx, row.record_id, objector=self.objector_edit.text(), content=self.content_edit.toPlainText(),
                received_on=self.received_edit.date().toPython(), today=self._today,  # type: ignore[arg-type]
            )
        except DomainError as refused:
            self.error.setText(refusal_text(refused))
            self.error.setVisible(True)
            return None
        self.accept()
        return self.saved
