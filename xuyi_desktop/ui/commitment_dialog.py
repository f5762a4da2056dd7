"""Dialogs of the 信用承诺 page: a new commitment (the clerk fills the form), and recording a violation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.services.commitments import CommitmentInput, CommitmentView, add_commitment, catalogue, violate
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import find_entities
from xuyi_desktop.ui.widgets import error_label


class CommitmentDialog(QDialog):
    """Fill in a commitment: entity (identifier, name or pinyin initials), type, area, business, term, items.
    The promised items start as the type's defaults (from resources/commitments/types.toml)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: CommitmentView | None = None
        self.setWindowTitle(self.tr("新建信用承诺"))
        self.resize(640, 560)
        cat = catalogue()
        self.entity_edit = QLineEdit(self)
        self.entity_edit.setPlaceholderText(self.tr("统一社会信用代码 / 身份证号码 / 名称 / 拼音首字母"))
        self.type_combo = QComboBox(self)
        for t in cat.types:
            self.type_combo.addItem(t.name, t.code)
        self.area_combo = QComboBox(self)
        for a in cat.areas:
            self.area_combo.addItem(a.name, a.code)
        self.business_edit = QLineEdit(self)
        self.business_edit.setPlaceholderText(self.tr("如：道路运输经营许可申请 XK-2026-0123"))
        self.term_spin = QSpinBox(self)
        self.term_spin.setRange(1, 3650)
        self.term_spin.setValue(30)
        self.term_spin.setSuffix(self.tr(" 天"))
        self.signer_edit = QLineEdit(self)
        self.signer_edit.setPlaceholderText(self.tr("默认为法定代表人"))
        self.items_edit = QPlainTextEdit(self)
        self.items_edit.setToolTip(self.tr("每行一项承诺事项；打印时自动编号"))
        self.error = error_label(self)

        form = QFormLayout()
        form.addRow(self.tr("承诺主体"), self.entity_edit)
        form.addRow(self.tr("承诺类型"), self.type_combo)
        form.addRow(self.tr("应用领域"), self.area_combo)
        form.addRow(self.tr("涉及业务"), self.business_edit)
        form.addRow(self.tr("履约期限"), self.term_spin)
        form.addRow(self.tr("签署人"), self.signer_edit)
        form.addRow(self.tr("承诺事项"), self.items_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(QLabel(self.tr("保存后分配承诺书编号，可打印承诺书交申请人签字盖章。"), self))
        layout.addWidget(self.buttons)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self._type_changed()

    def _type_changed(self, *_: object) -> None:
        t = catalogue().type(str(self.type_combo.currentData()))
        self.items_edit.setPlainText("\n".join(t.items))

    def set_type(self, code: str) -> None:
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(code)))

    def set_area(self, code: str) -> None:
        self.area_combo.setCurrentIndex(max(0, self.area_combo.findData(code)))

    def _entity_key(self) -> str:
        text = self.entity_edit.text().strip()
        if not text:
            return ""
        hits = find_entities(self.ctx, text, limit=2)
        if len(hits) == 1 or (hits and hits[0].identifier == text.upper()):
            return str(hits[0].id)
        return text  # an identifier the service resolves, or a clear "not found"

    def save(self) -> CommitmentView | None:
        """Validate through the service; on success the dialog closes with `saved` set."""
        self.error.setVisible(False)
        try:
            key = self._entity_key()
            if not key:
                raise ValidationError(FieldProblem("entity", "请填写承诺主体", "entity required"))
            items = tuple(line for line in self.items_edit.toPlainText().splitlines() if line.strip())
            self.saved = add_commitment(self.ctx, CommitmentInput(
                key, str(self.type_combo.currentData()), str(self.area_combo.currentData()), self.business_edit.text(),
                self.term_spin.value(), items, signer=self.signer_edit.text(),
            ))
        except DomainError as exc:
            self.error.setText(getattr(exc, "message_zh", str(exc)))
            self.error.setVisible(True)
            return None
        self.accept()
        return self.saved


class ViolationDialog(QDialog):
    """违诺: the facts (required), the handling and the penalty decision's number. Creates the dishonesty record."""

    def __init__(self, ctx: AppContext, view: CommitmentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.view = ctx, view
        self.saved: CommitmentView | None = None
        self.setWindowTitle(self.tr("登记违诺：{0}").format(view.serial))
        self.facts_edit = QPlainTextEdit(self)
        self.handling_edit = QLineEdit(self)
        self.penalty_edit = QLineEdit(self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("承诺"), QLabel(f"{view.serial}　{view.entity_name}　{view.business}", self))
        form.addRow(self.tr("违诺事实"), self.facts_edit)
        form.addRow(self.tr("处理情况"), self.handling_edit)
        form.addRow(self.tr("处罚文号"), self.penalty_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("保存后承诺状态改为“违诺”，并记入该主体的失信记录。"), self))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> CommitmentView | None:
        try:
            self.saved = violate(
                self.ctx, self.view.id, facts=self.facts_edit.toPlainText(), handling=self.handling_edit.text(),
                penalty_document_no=self.penalty_edit.text(),
            )
        except DomainError as exc:
            self.error.setText(getattr(exc, "message_zh", str(exc)))
            self.error.setVisible(True)
            return None
        self.accept()
        return self.saved
