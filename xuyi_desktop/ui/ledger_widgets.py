"""Pieces the 车辆船舶, 源头治超 and 信用积分 pages share: a read-only table filled from rows, a small form dialog whose
fields are declared once, and date helpers. No business rule lives here: every check is the services'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.ui.widgets import error_label

ROW_ROLE = Qt.ItemDataRole.UserRole + 7


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RowTable(QTableWidget):
    """A read-only, whole-row-selecting table of `rows`; `cells(row)` gives each row's texts, the row object rides along."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None, stretch: int = -1) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(headers) - 1 if stretch < 0 else stretch, QHeaderView.ResizeMode.Stretch)
        self.rows: list[Any] = []

    def fill(self, rows: Sequence[Any], cells: Callable[[Any], Sequence[object]],
             colour: Callable[[Any], str | None] | None = None) -> None:
        from PySide6.QtGui import QColor

        self.rows = list(rows)
        self.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            tint = colour(row) if colour else None
            for c, value in enumerate(cells(row)):
                item = QTableWidgetItem(text(value))
                item.setData(ROW_ROLE, r)
                item.setToolTip(text(value))
                if tint:
                    item.setForeground(QColor(tint))
                self.setItem(r, c, item)
        if self.rows:
            self.selectRow(0)

    def current(self) -> Any | None:
        rows = self.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None


@dataclass
class Field:
    """One field of a FormDialog: key, label, kind (text / multiline / date / optional_date / number / choice), choices."""

    key: str
    label: str
    kind: str = "text"
    choices: Sequence[str] = ()
    value: object = None
    placeholder: str = ""


class FormDialog(QDialog):
    """A small dialog from declared fields. `submit(values)` runs the service call; a DomainError is shown in red
    under the fields and the dialog stays open with what was typed; success closes it with `result_value` set."""

    def __init__(self, title: str, fields: Sequence[Field], submit: Callable[[dict[str, Any]], Any], parent: QWidget | None = None,
                 note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.result_value: Any = None
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout()
        for f in fields:
            w = self._widget(f)
            self.widgets[f.key] = w
            form.addRow(f.label, w)
        self.error = error_label(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if note:
            hint = QLabel(note, self)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555;")
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _widget(self, f: Field) -> QWidget:
        if f.kind == "choice":
            combo = QComboBox(self)
            combo.addItems(list(f.choices))
            if f.value is not None:
                combo.setCurrentText(str(f.value))
            return combo
        if f.kind in ("date", "optional_date"):
            edit = QDateEdit(self)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            if f.kind == "optional_date":
                edit.setMinimumDate(QDate(1900, 1, 1))
                edit.setSpecialValueText("（不填）")
                edit.setDate(qdate(f.value) if isinstance(f.value, dt.date) else edit.minimumDate())
            else:
                edit.setDate(qdate(f.value if isinstance(f.value, dt.date) else dt.date.today()))
            return edit
        if f.kind == "number":
            spin = QDoubleSpinBox(self)
            spin.setRange(-100000, 1000000)
            spin.setDecimals(2)
            spin.setSpecialValueText("（不填）")
            spin.setMinimum(-100000)
            spin.setValue(float(str(f.value)) if f.value is not None else spin.minimum())
            return spin
        if f.kind == "multiline":
            box = QPlainTextEdit(self)
            box.setPlainText(str(f.value or ""))
            box.setFixedHeight(70)
            return box
        line = QLineEdit(self)
        line.setText(str(f.value or ""))
        line.setPlaceholderText(f.placeholder)
        return line

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QComboBox):
                out[key] = w.currentText()
            elif isinstance(w, QDateEdit):
                out[key] = None if w.date() == w.minimumDate() and w.specialValueText() else pydate(w.date())
            elif isinstance(w, QDoubleSpinBox):
                out[key] = None if w.value() == w.minimum() else w.value()
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText().strip()
            elif isinstance(w, QLineEdit):
                out[key] = w.text().strip()
        return out

    def set_value(self, key: str, value: object) -> None:
        """Fill a field programmatically (tests set Chinese text this way: keyClicks cannot type it)."""
        w = self.widgets[key]
        if isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QDateEdit) and isinstance(value, dt.date):
            w.setDate(qdate(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(float(value))  # type: ignore[arg-type]
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        elif isinstance(w, QLineEdit):
            w.setText(str(value))

    def submit(self) -> None:
        try:
            self.result_value = self._submit(self.values())
        except DomainError as refused:
            self.error.setText(refused.message_zh)
            self.error.setVisible(True)
            return
        self.accept()
