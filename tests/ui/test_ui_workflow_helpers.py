"""The helpers the workflow pages share (ui.workflow_widgets, ui.workflow_dialogs): a list finds its records again by
id, a date box gives a date, a service form shows a refusal and stays open, a reason dialog is an opinion dialog."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidgetItem, QWidget

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.ui.profile_widgets import ReasonDialog
from xuyi_desktop.ui.workflow_dialogs import ServiceDialog, refusal_text
from xuyi_desktop.ui.workflow_widgets import date_edit, day_of, fill_rows, row_table, select_view, selected_view


@dataclass(frozen=True)
class _View:
    id: uuid.UUID
    name: str


def test_a_list_keeps_each_rows_id_and_selects_a_record_again(qtbot):  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    table = row_table(parent, ("名称", "说明"), 1)
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers and not table.wordWrap()
    assert row_table(parent, ("名称",), 0, wrap=True).wordWrap()
    views = [_View(uuid.uuid4(), "甲"), _View(uuid.uuid4(), "乙")]
    fill_rows(table, views, lambda v: [QTableWidgetItem(v.name), QTableWidgetItem("")], select=views[1].id)
    assert table.rowCount() == 2 and table.item(0, 0).data(Qt.ItemDataRole.UserRole) == str(views[0].id)
    assert selected_view(table, views) == views[1]
    assert select_view(table, views, views[0].id) and selected_view(table, views) == views[0]
    assert not select_view(table, views, uuid.uuid4())
    assert selected_view(table, []) is None  # a row from before a reload names no view


def test_a_date_box_gives_the_day_and_keeps_later_days_out(qtbot):  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    edit = date_edit(parent, dt.date(2026, 12, 3), latest=dt.date(2026, 12, 3))
    assert day_of(edit) == dt.date(2026, 12, 3) and edit.displayFormat() == "yyyy-MM-dd"
    edit.setDate(QDate(2027, 1, 1))
    assert day_of(edit) == dt.date(2026, 12, 3)
    assert day_of(date_edit(parent, QDate(2026, 1, 31))) == dt.date(2026, 1, 31)


class _Form(ServiceDialog[str]):
    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer

    def save(self) -> str | None:
        def call() -> str:
            if not self.answer:
                raise ValidationError(FieldProblem("name", "请填写名称", "name required"))
            return self.answer

        return self._saving(call)


def test_a_service_form_shows_the_refusal_and_stays_open_then_closes_with_the_result(qtbot):  # type: ignore[no-untyped-def]
    form = _Form("")
    qtbot.addWidget(form)
    form.show()
    assert form.save() is None and form.saved is None and form.isVisible()
    assert form.error.text() == "请填写名称" and not form.error.isHidden()
    form.answer = "盱眙县顺达客运有限公司"
    assert form.save() == "盱眙县顺达客运有限公司" and form.saved == form.answer
    assert form.result() == form.DialogCode.Accepted and form.error.isHidden()
    assert refusal_text(ValueError("x")) == "x"


def test_a_reason_dialog_asks_for_the_reason_and_starts_on_the_current_choice(qtbot):  # type: ignore[no-untyped-def]
    calls: list[tuple[str, str]] = []
    dialog = ReasonDialog("分类", "请选择", choices=("一般", "严重"), choice_label="类别", current="严重",
                          action=lambda d: calls.append((d.choice, d.reason)) or "done")
    qtbot.addWidget(dialog)
    assert dialog.choice == "严重" and dialog.reason_edit is dialog.note_edit
    assert not dialog.confirm() and dialog.error.text() == "请填写理由" and calls == []
    dialog.reason_edit.setPlainText("  按目录属严重失信  ")
    assert dialog.confirm() and calls == [("严重", "按目录属严重失信")] and dialog.result_value == "done"
