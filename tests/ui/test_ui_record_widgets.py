"""The builders the record pages share (ui/record_widgets, ui/record_text): each page relies on them for its
list, date boxes, questions and form fields, so what they promise is checked once here."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from xuyi_desktop.domain.profile import RatingFact
from xuyi_desktop.ui import record_widgets as rw
from xuyi_desktop.ui.record_text import rating_validity


def test_record_table_picks_whole_rows_and_edits_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    table = rw.record_table(parent, ["名称", "日期"], selection=rw.SelectionMode.SingleSelection, tab_keys=False,
                            alternating=True)
    assert table.columnCount() == 2 and table.rowCount() == 0
    assert table.horizontalHeaderItem(1).text() == "日期"
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert table.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    assert not table.tabKeyNavigation() and table.alternatingRowColors()
    assert table.verticalHeader().isHidden()
    plain = rw.record_table(parent, ["名称"])
    assert plain.tabKeyNavigation() and not plain.alternatingRowColors()
    assert plain.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection  # Qt's own default kept


def test_list_and_detail_gives_the_list_three_parts(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    left, right = QWidget(), QWidget()
    split = rw.list_and_detail(parent, left, right, collapsible=False, vertical=True)
    assert split.orientation() == Qt.Orientation.Vertical
    assert split.widget(0) is left and split.widget(1) is right
    assert not split.childrenCollapsible()
    assert rw.list_and_detail(parent, QWidget(), QWidget()).orientation() == Qt.Orientation.Horizontal


def test_date_edit_pops_a_calendar_and_writes_iso_dates(qtbot) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.workflow_widgets import date_edit  # the one date box of every page

    edit = date_edit(None, QDate(2026, 3, 5))  # type: ignore[arg-type]
    qtbot.addWidget(edit)
    assert edit.calendarPopup() and edit.text() == "2026-03-05"
    later = date_edit(None, None)  # type: ignore[arg-type]
    qtbot.addWidget(later)
    assert later.displayFormat() == "yyyy-MM-dd"


def test_save_template_adds_xlsx_and_shows_a_refusal(qtbot, dialogs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    written: list[object] = []
    assert rw.save_template(parent, tmp_path / "x.xlsx", lambda p: written.append(p) or p, str(tmp_path / "模板")) == tmp_path / "模板.xlsx"

    def full(_path):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    assert rw.save_template(parent, tmp_path / "x.xlsx", full, str(tmp_path / "b.xlsx")) is None
    assert written == [tmp_path / "模板.xlsx"] and any("No space" in t for t in dialogs.texts("warning"))


def test_confirm_says_yes_only_for_yes(qtbot, dialogs) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialogs.answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    assert rw.confirm(parent, "删除", "确定删除吗？") is False
    assert rw.confirm(parent, "删除", "确定删除吗？") is True
    assert dialogs.texts("question") == ["确定删除吗？", "确定删除吗？"]


def test_pick_label_asks_only_among_several(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[list[str]] = []

    def answer(*args: object, **_: object) -> tuple[str, bool]:
        labels = args[3]
        assert isinstance(labels, list)
        asked.append(labels)
        return labels[1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(answer))
    assert rw.pick_label(parent, "附件", "选择附件：", ["a.pdf"]) == 0 and not asked
    assert rw.pick_label(parent, "附件", "选择附件：", ["a.pdf", "b.pdf"]) == 1 and len(asked) == 1
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("", False)))
    assert rw.pick_label(parent, "附件", "选择附件：", ["a.pdf", "b.pdf"]) is None


def test_inputs_read_and_written_whatever_their_kind(qtbot) -> None:  # type: ignore[no-untyped-def]
    combo = QComboBox()
    combo.setEditable(True)
    widgets: list[rw.FieldInput] = [QLineEdit(), combo, QPlainTextEdit()]
    for widget in widgets:
        qtbot.addWidget(widget)
        rw.set_input_text(widget, "罚款")
        assert rw.input_text(widget) == "罚款"


def test_dialog_buttons_and_the_problem_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    saved: list[bool] = []
    buttons = rw.dialog_buttons(dialog, lambda: saved.append(True))
    assert buttons.button(QDialogButtonBox.StandardButton.Save) is not None
    buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert saved == [True]
    ok = rw.dialog_buttons(dialog, dialog.accept, save=False)
    assert ok.button(QDialogButtonBox.StandardButton.Ok) is not None

    box, error = rw.with_error_line(dialog, QLineEdit())
    assert isinstance(error, QLabel) and error.parent() is box and error.isHidden()
    rw.show_problem(error, "请填写名称")
    assert error.text() == "请填写名称" and not error.isHidden()

    class Refused(Exception):
        message_zh = "主体不存在"

    rw.show_problem(error, Refused("entity missing"))
    assert error.text() == "主体不存在"
    rw.show_problem(error, ValueError("plain"))
    assert error.text() == "plain"


def test_rating_validity_words_a_rating_as_both_pages_show_it() -> None:
    owner = QObject()
    rating = RatingFact("road", "道路运输", "A", "effective", valid_from=dt.date(2026, 1, 1),
                        valid_until=dt.date(2026, 12, 31), publicity_grade="AA", publicity_period=2026,
                        publicity_until=dt.date(2027, 1, 10))
    assert rating_validity(owner, rating) == ("2026-01-01至2026-12-31", ["2026年度评价AA级公示中（至2027-01-10）"])
    none = RatingFact("road", "道路运输", None, "none", reason="无评价记录")
    assert rating_validity(owner, none) == ("—", ["无评价记录"])


def test_button_row_puts_the_space_between_left_and_right(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    a, b, c = QLabel("a", parent), QLabel("b", parent), QLabel("c", parent)
    row = rw.button_row([a, b], [c])
    assert [row.itemAt(i).widget() for i in range(row.count())] == [a, b, None, c]
    assert row.itemAt(2).spacerItem() is not None
    assert rw.button_row([], [c]).itemAt(0).spacerItem() is not None


def test_open_form_hands_the_accepted_dialog_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    got: list[QDialog] = []
    assert rw.open_form(dialog, got.append, show=False) is dialog
    assert not dialog.isVisible()
    dialog.accept()
    assert got == [dialog]


def test_record_page_keeps_the_context_and_tells_the_status_bar(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    page = rw.RecordPage(ctx)
    qtbot.addWidget(page)
    assert page.ctx is ctx and page.settings is None
    with qtbot.waitSignal(page.message) as blocker:
        page.message.emit("已保存")
    assert blocker.args == ["已保存"]


def test_search_box_headline_and_scroll(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    box = rw.search_box(parent, "输入名称")
    assert box.placeholderText() == "输入名称" and box.isClearButtonEnabled()
    name = QLabel("某某运输有限公司", parent)
    rw.make_headline(name, parent.font())
    assert name.font().bold() and name.font().pointSizeF() > parent.font().pointSizeF()
    assert name.wordWrap()
    content = QWidget()
    scroll = rw.vertical_scroll(parent, content)
    assert scroll.widget() is content and scroll.widgetResizable()
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_open_window_reports_the_close_whichever_way(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    closed: list[QDialog] = []
    assert rw.open_window(dialog, closed.append, activate=True) is dialog
    assert dialog.isVisible()
    dialog.reject()
    assert closed == [dialog]


def test_path_row_browses_into_its_box(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    edit, row = rw.path_row(parent, "选择…", lambda: edit.setText("/tmp/台账.xlsx"))
    button = row.itemAt(1).widget()
    assert row.itemAt(0).widget() is edit and isinstance(button, QPushButton) and button.text() == "选择…"
    button.click()
    assert edit.text() == "/tmp/台账.xlsx"


def test_query_row_runs_on_enter_and_on_click(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    runs: list[str] = []
    edit, button, row = rw.query_row(parent, "证件号码", "查看", lambda: runs.append(edit.text()))
    assert edit.placeholderText() == "证件号码" and button.text() == "查看" and row.count() == 2
    edit.setText("320830")
    edit.returnPressed.emit()
    button.click()
    assert runs == ["320830", "320830"]
