"""Dialogs of the 信用承诺 page: a new commitment (the clerk fills the form), and recording a violation.

告知承诺 and 容缺受理 run the credit check first (services.commitments): when it excludes the entity the dialog
shows why, and a reviewer (审核人) may accept it as an exception with a written reason (例外受理, audited)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.commitments import (
    CommitmentInput,
    CommitmentRefused,
    CommitmentView,
    add_commitment,
    catalogue,
    violate,
)
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import resolve_query
from xuyi_desktop.ui.entity_picker import EntityPicker
from xuyi_desktop.ui.operations import OperationRunner
from xuyi_desktop.ui.record_widgets import dialog_buttons, show_problem
from xuyi_desktop.ui.widgets import error_label


class CommitmentDialog(QDialog):
    """Fill in a commitment: entity (identifier, name or pinyin initials), type, area, business, term, items.
    The promised items start as the type's defaults (from resources/commitments/types.toml).

    The save runs off the GUI thread (ui/operations): 保存, 取消 and 例外受理 are disabled until its answer, which
    closes the dialog or shows the refusal where it always did; `saveFinished` tells when an attempt ended."""

    saveFinished = Signal(bool)  # a save attempt ended: True written (the dialog closed), False refused (values kept)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: CommitmentView | None = None
        self.setWindowTitle(self.tr("新建信用承诺"))
        self.resize(640, 560)
        cat = catalogue()
        self.picker = EntityPicker(ctx, self)  # the one entity picker: candidates as the clerk types, 登记新主体…
        self.entity_edit = self.picker.edit
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

        # Shown when the credit check excludes the entity: the reasons, and for a reviewer 例外受理 with a reason.
        self.refused: CommitmentRefused | None = None
        self.refusal_box = QGroupBox(self.tr("信用核查不予受理"), self)
        self.refusal_box.setStyleSheet("QGroupBox { color: #c62828; font-weight: bold; }")
        self.refusal_label = QLabel(self.refusal_box)
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setStyleSheet("color: #c62828; font-weight: normal;")
        self.override_edit = QPlainTextEdit(self.refusal_box)
        self.override_edit.setPlaceholderText(self.tr("例外受理的理由（必填，记入操作日志），如：经分管领导批准，申请人已提交全部材料"))
        self.override_edit.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        self.override_edit.setTabChangesFocus(True)
        self.override_button = QPushButton(self.tr("例外受理"), self.refusal_box)
        self.override_button.setAutoDefault(False)
        self.override_button.clicked.connect(self.save_with_override)
        self.override_hint = QLabel(self.tr("确需受理的，请审核人员登录后办理“例外受理”。"), self.refusal_box)
        self.override_hint.setWordWrap(True)
        self.override_hint.setStyleSheet("color: #555; font-weight: normal;")
        refusal_layout = QVBoxLayout(self.refusal_box)
        refusal_layout.addWidget(self.refusal_label)
        refusal_layout.addWidget(self.override_hint)
        refusal_layout.addWidget(self.override_edit)
        refusal_layout.addWidget(self.override_button)
        self.refusal_box.setVisible(False)

        form = QFormLayout()
        form.addRow(self.tr("承诺主体"), self.picker)
        form.addRow(self.tr("承诺类型"), self.type_combo)
        form.addRow(self.tr("应用领域"), self.area_combo)
        form.addRow(self.tr("涉及业务"), self.business_edit)
        form.addRow(self.tr("履约期限"), self.term_spin)
        form.addRow(self.tr("签署人"), self.signer_edit)
        form.addRow(self.tr("承诺事项"), self.items_edit)
        self.buttons = dialog_buttons(self, self.save)
        self.ops = OperationRunner(self, self.tr("新建信用承诺"), busy_widgets=(self.buttons, self.override_button))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.refusal_box)
        layout.addWidget(QLabel(self.tr("保存后分配承诺书编号，可打印承诺书交申请人签字盖章。"), self))
        layout.addWidget(self.buttons)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self._type_changed()
        # The refusal was for what was entered then: a change of entity, type or area asks the check again.
        self.entity_edit.textChanged.connect(self._hide_refusal)
        self.type_combo.currentIndexChanged.connect(self._hide_refusal)
        self.area_combo.currentIndexChanged.connect(self._hide_refusal)

    def _type_changed(self, *_: object) -> None:
        t = catalogue().type(str(self.type_combo.currentData()))
        self.items_edit.setPlainText("\n".join(t.items))

    def set_type(self, code: str) -> None:
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(code)))

    def set_area(self, code: str) -> None:
        self.area_combo.setCurrentIndex(max(0, self.area_combo.findData(code)))

    def _entity_key(self) -> Callable[[], str]:
        """The entity picked in the list, else the one entity the text names (identifier, exact name, or a fragment
        with one hit); several hits are refused naming them (AmbiguousQueryError), none as 未找到. Read from the
        widgets now; the look-up itself runs with the save, off the GUI thread."""
        ctx, picked, text = self.ctx, self.picker.entity, self.entity_edit.text().strip()
        if picked is not None:
            return lambda: str(picked.id)
        return lambda: str(resolve_query(ctx, text)) if text else ""

    @property
    def saving(self) -> bool:
        """A save is running in the background."""
        return self.ops.busy

    def save(self, *, override_reason: str = "") -> bool:
        """Validate through the service, off the GUI thread; on success the dialog closes with `saved` set. A
        refusal by the credit check shows its reasons (and 例外受理 to a reviewer). True when the save started
        (its end is `saveFinished`); False while another one runs."""
        if self.ops.busy:
            return False  # 保存 twice must not register twice
        self.error.setVisible(False)
        ctx, key = self.ctx, self._entity_key()
        items = tuple(line for line in self.items_edit.toPlainText().splitlines() if line.strip())
        type_code, area_code = str(self.type_combo.currentData()), str(self.area_combo.currentData())
        business, term, signer = self.business_edit.text(), self.term_spin.value(), self.signer_edit.text()

        def write() -> CommitmentView:  # worker thread: the service opens its own session
            entity = key()
            if not entity:
                raise ValidationError(FieldProblem("entity", "请填写承诺主体", "entity required"))
            return add_commitment(ctx, CommitmentInput(
                entity, type_code, area_code, business, term, items, signer=signer, override_reason=override_reason,
            ))

        return self.ops.run(self.tr("正在保存…"), write, self._written, failed=self._refused_save) is not None

    def _written(self, view: CommitmentView) -> None:
        self.saved = view
        self.accept()
        self.saveFinished.emit(True)

    def _refused_save(self, exc: BaseException) -> None:
        if isinstance(exc, CommitmentRefused):
            self._show_refusal(exc)
        elif isinstance(exc, DomainError):
            show_problem(self.error, exc)
        else:  # not a refusal (a bug, a lost database): the kit's one failure box; the form keeps its values
            self.ops.show_failure(exc)
        self.saveFinished.emit(False)

    def reject(self) -> None:
        """取消 or Esc: not while a save runs (its answer decides whether the dialog closes)."""
        if not self.ops.busy:
            super().reject()

    def _show_refusal(self, refused: CommitmentRefused) -> None:
        self.refused = refused
        reasons = "\n".join(f"• {r}" for r in refused.reasons)
        self.refusal_label.setText(
            self.tr("受理“{0}”承诺前的信用核查排除了该主体，承诺未登记：\n{1}").format(self.type_combo.currentText(), reasons)
        )
        may_override = self.ctx.can(Permission.CREDIT_REVIEW)
        self.override_edit.setVisible(may_override)
        self.override_button.setVisible(may_override)
        self.override_hint.setVisible(not may_override)
        self.refusal_box.setVisible(True)
        if may_override:
            self.override_edit.setFocus()

    def _hide_refusal(self, *_: object) -> None:
        self.refused = None
        self.refusal_box.setVisible(False)
        self.override_edit.clear()

    def save_with_override(self) -> bool:
        """例外受理 (reviewers): the same commitment again, with the written reason (audited by the service)."""
        reason = self.override_edit.toPlainText().strip()
        if not reason:
            show_problem(self.error, self.tr("例外受理须写明理由"))
            self.override_edit.setFocus()
            self.saveFinished.emit(False)
            return False
        return self.save(override_reason=reason)


class ViolationDialog(QDialog):
    """违诺: the facts (required), the handling and the penalty decision's number. Creates the dishonesty record.
    The write runs off the GUI thread like the commitment's own save (`saveFinished` when it ended)."""

    saveFinished = Signal(bool)

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
        buttons = dialog_buttons(self, self.save)
        self.ops = OperationRunner(self, self.tr("登记违诺"), busy_widgets=(buttons,))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("保存后承诺状态改为“违诺”，并记入该主体的失信记录。"), self))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        """Record the violation off the GUI thread; True when started, False while another save runs."""
        if self.ops.busy:
            return False
        ctx, cid = self.ctx, self.view.id
        facts, handling, penalty = self.facts_edit.toPlainText(), self.handling_edit.text(), self.penalty_edit.text()
        return self.ops.run(
            self.tr("正在保存…"),
            lambda: violate(ctx, cid, facts=facts, handling=handling, penalty_document_no=penalty),
            self._written, failed=self._refused_save,
        ) is not None

    def _written(self, view: CommitmentView) -> None:
        self.saved = view
        self.accept()
        self.saveFinished.emit(True)

    def _refused_save(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            show_problem(self.error, exc)
        else:
            self.ops.show_failure(exc)
        self.saveFinished.emit(False)

    def reject(self) -> None:
        if not self.ops.busy:
            super().reject()
