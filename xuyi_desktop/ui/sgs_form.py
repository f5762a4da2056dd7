"""Entering one 行政许可 or 行政处罚 decision: every field of the national set, the rule broken shown beside its field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import RecordView, add_record
from xuyi_desktop.ui.widgets import error_label

_LONG = ("nr", "sy", "yj", "bz")
_CHOICES = {
    "xdr_lb": rules.RELATIVE_CATEGORIES, "xdr_zjlx": rules.ID_TYPES, "fr_zjlx": rules.ID_TYPES,
    "xklb": rules.LICENSE_CATEGORIES, "zt": rules.LICENSE_STATES, "publicity_class": rules.PUBLICITY_CLASSES,
}


class SgsRecordForm(QDialog):
    """A dialog with one input per field; `saved` carries the stored record."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, kind: RecordKind, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._ctx, self.kind, self._today = ctx, kind, today
        self.setWindowTitle(self.tr("登记") + kind.label)
        self.inputs: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        body = QWidget(self)
        form = QFormLayout(body)
        for f in rules.fields_for(kind):
            widget: QLineEdit | QComboBox | QPlainTextEdit
            if f.name in _CHOICES:
                widget = QComboBox(body)
                widget.addItem("")
                widget.addItems(list(_CHOICES[f.name]))
            elif f.name in _LONG:
                widget = QPlainTextEdit(body)
                widget.setFixedHeight(54)
            else:
                widget = QLineEdit(body)
                if f.kind == "date":
                    widget.setPlaceholderText("YYYY-MM-DD")
                elif f.name == "cflb":
                    widget.setPlaceholderText(self.tr("如 罚款；警告（多项用“；”隔开）"))
            widget.setObjectName(f.name)
            self.inputs[f.name] = widget
            star = "*" if f.required == rules.ALWAYS else ""
            holder = QWidget(body)
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(widget)
            err = error_label(holder)
            err.setVisible(False)
            column.addWidget(err)
            self.errors[f.name] = err
            form.addRow(rules.label(kind, f.name) + star, holder)
        self.draft_box = QCheckBox(self.tr("暂存（历史台账中有误的记录照原样保存，计为不合规）"), body)
        form.addRow("", self.draft_box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.summary = error_label(self)
        self.summary.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(640, 720)
        self.result_view: RecordView | None = None

    def set_value(self, name: str, value: str) -> None:
        widget = self.inputs[name]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            widget.setText(value)

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QComboBox):
                text = widget.currentText()
            elif isinstance(widget, QPlainTextEdit):
                text = widget.toPlainText()
            else:
                text = widget.text()
            if text.strip():
                out[name] = text
        return out

    def error_text(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)
        self.summary.setVisible(False)

    def save(self) -> None:
        self._clear_errors()
        try:
            view = add_record(self._ctx, self.kind, self.values(), draft=self.draft_box.isChecked(), today=self._today)
        except ValidationError as exc:
            for p in exc.problems:
                label = self.errors.get(p.field)
                if label is not None:
                    label.setText("；".join(filter(None, [label.text(), p.message_zh])))
                    label.setVisible(True)
            self.summary.setText(f"有 {len(exc.problems)} 处需要改正：{exc.problems[0].message_zh}")
            self.summary.setVisible(True)
            first = next((self.inputs[p.field] for p in exc.problems if p.field in self.inputs), None)
            if first is not None:
                first.setFocus()
            return
        except DomainError as exc:
            self.summary.setText(exc.message_zh)
            self.summary.setVisible(True)
            return
        self.result_view = view
        self.saved.emit(view)
        self.accept()
