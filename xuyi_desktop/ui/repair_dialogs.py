"""Dialogs of the 信用修复 page: a new repair application and a new objection (the opinion a step needs is
workflow_dialogs.OpinionDialog, re-exported here with refusal_text for older imports). Each calls one service; a
refusal is shown in the dialog in the service's words (the earliest day repair becomes possible, a missing right …)
and the dialog stays open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.credit_record_picker import DISPUTABLE, REPAIRABLE, RecordPicker
from xuyi_desktop.ui.entity_picker import EntityCandidates
from xuyi_desktop.ui.workflow_dialogs import OpinionDialog as OpinionDialog
from xuyi_desktop.ui.workflow_dialogs import ServiceDialog
from xuyi_desktop.ui.workflow_dialogs import refusal_text as refusal_text
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of


def entity_list(ctx: AppContext, picker: RecordPicker) -> EntityCandidates:
    """The one entity picker's candidates under the record picker's entity box: picking one lists its records
    (Enter on the text still looks it up as before)."""
    found = EntityCandidates(ctx, picker.entity_edit)

    def chosen(entity: Any) -> None:
        if picker.find(str(entity.id)):
            picker.entity_edit.setText(entity.name)

    found.chosen.connect(chosen)
    return found


class _RecordRequestDialog(ServiceDialog[Any]):
    """What a request about one credit record shares: the record picked among the entity's records (the entity
    list under its search box), a form, the refusal under it, and Save named after the request."""

    def __init__(self, ctx: AppContext, sources: str, parent: QWidget | None, today: dt.date | None) -> None:
        super().__init__(parent)
        self.ctx, self._today = ctx, today
        self.picker = RecordPicker(ctx, sources, self, today=today)
        self.entity_list = entity_list(ctx, self.picker)

    def _lay_out(self, heading: str, form: QFormLayout, note: QWidget, save_text: str, name_edit: QLineEdit) -> None:
        """Heading, picker, form, `note`, error, buttons; `name_edit` (the applicant, the objector) is filled with the
        entity found unless the clerk typed a name."""
        self.buttons = self.save_buttons(save_text)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(heading, self))
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.picker.entityFound.connect(
            lambda: None if name_edit.text().strip() else name_edit.setText(self.picker.entity_name))
        self.picker.entity_edit.setFocus()


class RepairApplyDialog(_RecordRequestDialog):
    """新建信用修复申请: the record (from the entity's penalties in publicity and dishonesty records in force, each
    with the earliest day repair may be applied for), the applicant, the materials handed in, the commitment."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        from xuyi_desktop.services.repair import repair_rules

        super().__init__(ctx, REPAIRABLE, parent, today)
        self.setWindowTitle(self.tr("新建信用修复申请"))
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
        form = QFormLayout()
        form.addRow(self.tr("申请人"), self.applicant_edit)
        form.addRow(self.tr("联系人、电话"), self.contact_edit)
        form.addRow(self.tr("申请日期"), self.applied_edit)
        form.addRow(self.tr("信用修复承诺书"), self.commitment_edit)
        self._lay_out(self.tr("申请修复的信用记录（公示中的行政处罚、有效的失信记录）："), form, self.materials_box,
                      self.tr("登记申请"), self.applicant_edit)
        self.resize(860, 640)

    def ticked(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.material_checks.items() if box.isChecked())

    def tick(self, codes: Sequence[str]) -> None:
        for code, box in self.material_checks.items():
            box.setChecked(code in codes)

    def save(self) -> Any:
        from xuyi_desktop.services.repair import apply_repair

        def apply() -> Any:
            row = self.picker.selected()
            if row is None:
                raise ValidationError(FieldProblem("record", "请先查找主体并选择要修复的记录", "record required"))
            return apply_repair(
                self.ctx, row.record_id, applicant=self.applicant_edit.text(), contact=self.contact_edit.text(),
                materials=self.ticked(), commitment=self.commitment_edit.text().strip() or None,
                applied_on=day_of(self.applied_edit), today=self._today,
            )

        return self._saving(apply)


class ObjectionDialog(_RecordRequestDialog):
    """登记信息异议: the disputed record (any credit record of the entity), the objector, what is disputed and why."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(ctx, DISPUTABLE, parent, today)
        self.setWindowTitle(self.tr("登记信息异议"))
        self.objector_edit = QLineEdit(self)
        self.objector_edit.setPlaceholderText(self.tr("异议人（默认为该主体）"))
        self.content_edit = QPlainTextEdit(self)
        self.content_edit.setPlaceholderText(self.tr("异议内容和理由，如：处罚对象错误，该车辆不属本单位"))
        self.content_edit.setFixedHeight(self.fontMetrics().height() * 5 + 12)
        self.content_edit.setTabChangesFocus(True)
        self.received_edit = date_edit(self, today or dt.date.today(), latest=today or dt.date.today())
        form = QFormLayout()
        form.addRow(self.tr("异议人"), self.objector_edit)
        form.addRow(self.tr("异议内容"), self.content_edit)
        form.addRow(self.tr("收到日期"), self.received_edit)
        self._lay_out(self.tr("被异议的信用记录："), form,
                      QLabel(self.tr("登记后按规定的工作日期限处理；异议成立的，处罚撤销、失信记录结束或移出名单。"), self),
                      self.tr("登记异议"), self.objector_edit)
        self.resize(820, 600)

    def save(self) -> Any:
        from xuyi_desktop.services.objections import add_objection

        def add() -> Any:
            row = self.picker.selected()
            if row is None:
                raise ValidationError(FieldProblem("record", "请先查找主体并选择被异议的记录", "record required"))
            return add_objection(
                self.ctx, row.record_id, objector=self.objector_edit.text(), content=self.content_edit.toPlainText(),
                received_on=day_of(self.received_edit), today=self._today,
            )

        return self._saving(add)
