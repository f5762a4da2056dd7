"""本单位设置: the office's code and name (they go into every serial number), its kind, the organ named on printed
documents and where objections to a 公示名单 are sent. Shown as a step of the first start (with the
administrator) and on its own when a print finds the office still provisional. The rules are the services'
(services.offices.init_office, services.print_settings)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.services import offices
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.print_settings import get_print_settings, set_print_settings
from xuyi_desktop.ui.record_widgets import dialog_buttons, show_problem
from xuyi_desktop.ui.widgets import error_label

KINDS = (("bureau", "县交通运输局（县局）"), ("field", "基层站所"))


class OfficeFields(QGroupBox):
    """The office's identity and what its prints say; `apply` saves through the services."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, optional: bool = False) -> None:
        super().__init__(self.tr("本单位（印在文书编号和落款上）"), parent)
        self._ctx = ctx
        self.optional = optional
        provisional = bool(ctx.office_provisional)
        settings = get_print_settings(ctx)
        self.code_edit = QLineEdit("" if provisional else ctx.office_code, self)
        self.code_edit.setPlaceholderText(self.tr("例如：XY-JTJ（大写字母、数字、-）"))
        self.code_edit.setMaxLength(32)
        self.name_edit = QLineEdit("" if provisional else ctx.office_name, self)
        self.name_edit.setPlaceholderText(self.tr("例如：盱眙县交通运输局"))
        self.kind_combo = QComboBox(self)
        for code, label in KINDS:
            self.kind_combo.addItem(self.tr(label), code)
        self.organ_edit = QLineEdit(settings.organ_name, self)
        self.organ_edit.setPlaceholderText(self.tr("留空则用单位名称"))
        self.phone_edit = QLineEdit(settings.objection_phone, self)
        self.phone_edit.setPlaceholderText(self.tr("例如：0517-88221234"))
        self.address_edit = QLineEdit(settings.objection_address, self)
        self.address_edit.setPlaceholderText(self.tr("例如：盱眙县盱城街道五墩路1号"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("单位代码(&D)"), self.code_edit)
        form.addRow(self.tr("单位名称(&M)"), self.name_edit)
        form.addRow(self.tr("单位类型"), self.kind_combo)
        form.addRow(self.tr("出具机关名称"), self.organ_edit)
        form.addRow(self.tr("异议受理电话"), self.phone_edit)
        form.addRow(self.tr("异议受理地址"), self.address_edit)
        hint = QLabel(self.tr("单位代码一经与其他单位交换数据即不能更改；未设置前打印的文书编号带临时代码 {0}。")
                      .format(ctx.office_code if provisional else "TMP-…"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)

    def is_empty(self) -> bool:
        return not self.code_edit.text().strip() and not self.name_edit.text().strip()

    def apply(self) -> str | None:
        """Save; returns the reason it could not (None: saved or, when optional and empty, skipped)."""
        ctx = self._ctx
        code, name = self.code_edit.text().strip().upper(), self.name_edit.text().strip()
        try:
            if not (self.optional and self.is_empty()):
                if not code:
                    self.code_edit.setFocus()
                    return self.tr("请填写单位代码")
                if not name:
                    self.name_edit.setFocus()
                    return self.tr("请填写单位名称")
                if ctx.office_provisional or code != ctx.office_code or name != ctx.office_name:
                    offices.init_office(ctx, code, name, str(self.kind_combo.currentData()))
            set_print_settings(ctx, organ_name=self.organ_edit.text(), objection_phone=self.phone_edit.text(),
                               objection_address=self.address_edit.text())
        except ValidationError as invalid:
            field = invalid.problems[0].field if invalid.problems else ""
            (self.name_edit if field == "name" else self.code_edit).setFocus()
            return invalid.message_zh
        except DomainError as refused:
            return getattr(refused, "message_zh", str(refused))
        return None


class OfficeSetupDialog(QDialog):
    """本单位设置 on its own (an administrator)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("本单位设置"))
        self.fields = OfficeFields(ctx, self)
        self.error = error_label(self)
        buttons = dialog_buttons(self, self.save)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def save(self) -> bool:
        problem = self.fields.apply()
        if problem:
            show_problem(self.error, problem)
            return False
        self.accept()
        return True
