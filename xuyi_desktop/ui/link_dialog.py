"""添加关联…: link a person to an organisation from the entity's file (`xuyi entity link`), over the same service
(services.entities.link_person). Opened on an organisation it asks for the person; on a person, for the unit."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from xuyi_desktop.domain.entities import EntityKind, RelationType
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import link_person
from xuyi_desktop.ui.entity_picker import EntityPicker
from xuyi_desktop.ui.record_widgets import dialog_buttons, show_problem
from xuyi_desktop.ui.widgets import error_label


class LinkDialog(QDialog):
    """The other side is picked from the registry (a person for an organisation, a unit for a person); the
    relation type and the post are chosen; 保存 links them (audited like every change)."""

    def __init__(self, ctx: AppContext, entity_id: uuid.UUID, entity_name: str, entity_kind: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._entity_id = ctx, entity_id
        self._is_person = entity_kind == EntityKind.PERSON.value
        self.linked_id: uuid.UUID | None = None
        self.setWindowTitle(self.tr("添加关联"))
        self.picker = EntityPicker(ctx, self, allow_new=False)
        self.type_combo = QComboBox(self)
        for relation in RelationType:
            self.type_combo.addItem(self.tr(relation.label), relation.value)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(self.tr("如 驾驶员、项目经理、安全负责人"))
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("本主体"), QLabel(entity_name, self))
        form.addRow(self.tr("所属单位") if self._is_person else self.tr("关联人员"), self.picker)
        form.addRow(self.tr("关联类型"), self.type_combo)
        form.addRow(self.tr("岗位"), self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.save))
        self.setMinimumWidth(560)
        self.picker.setFocus()

    def save(self) -> bool:
        other = self.picker.entity or self.picker.accept_text()
        if other is None:
            show_problem(self.error, self.tr("请从列表中选定所属单位") if self._is_person else self.tr("请从列表中选定关联人员"))
            self.picker.setFocus()
            return False
        person, org = (self._entity_id, other.id) if self._is_person else (other.id, self._entity_id)
        try:
            self.linked_id = link_person(self._ctx, person, org, RelationType(str(self.type_combo.currentData())),
                                         title=self.title_edit.text())
        except DomainError as refused:
            show_problem(self.error, refused)
            return False
        self.accept()
        return True
