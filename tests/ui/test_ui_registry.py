"""The registry page and the entity form, driven through their widgets as a clerk would."""

from __future__ import annotations

import threading

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from ui_helpers import ID_PERSON, USCC_A, USCC_B, USCC_C, USCC_WRONG_CHECK

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services.entities import (
    count_entities,
    entity_history,
    find_entities,
    get_entity,
    register_entity,
    update_entity,
)
from xuyi_desktop.ui import entity_form, registry_page
from xuyi_desktop.ui.entity_table_model import Column

NAME = "盱眙县顺达交通运输有限公司"


def save(qtbot, form) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+S, as the clerk presses it (window shortcuts need the form to be the active window)."""
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def saved(qtbot, form) -> bool:  # type: ignore[no-untyped-def]
    """form.save() and wait for its end (the write runs off the GUI thread): True written, False refused."""
    with qtbot.waitSignal(form.saveFinished, timeout=5000) as finished:
        form.save()
    return bool(finished.args[0])


def search(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the search box and press Enter; wait for the background search to deliver."""
    page.search_edit.clear()
    with qtbot.waitSignal(page.model.searchFinished, timeout=5000):
        if text.isascii():
            qtbot.keyClicks(page.search_edit, text)  # keyClicks only for ASCII (non-ASCII aborts on this box)
        else:
            page.search_edit.setText(text)
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.model
    return [model.index(row, Column.NAME).data() for row in range(model.rowCount())]


def create(qtbot, page, name: str = NAME, identifier: str = USCC_A, phone: str = "13812345678"):  # type: ignore[no-untyped-def]
    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.form
    assert form is not None and form.isVisible()
    form.name_edit.setText(name)
    qtbot.keyClicks(form.identifier_edit, identifier)
    qtbot.keyClicks(form.phone_edit, phone)
    form.categories_list.item(0).setCheckState(Qt.CheckState.Checked)  # 道路运输经营者
    with qtbot.waitSignal(form.saved, timeout=3000):
        save(qtbot, form)
    return form.saved_summary


def test_search_box_has_focus_on_start(page):  # type: ignore[no-untyped-def]
    assert QApplication.focusWidget() is page.search_edit
    assert page.search_edit.placeholderText() == "输入名称、证件号码或拼音首字母，回车查询"


def test_create_entity_through_form_shows_it_in_the_table(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    summary = create(qtbot, page)
    assert page.form is None  # closed after saving
    row = page.model.row_of(summary.id)
    assert row >= 0 and page.current_entity_id() == summary.id
    assert page.model.index(row, Column.NAME).data() == NAME
    assert page.model.index(row, Column.KIND).data() == "单位"
    assert page.model.index(row, Column.CATEGORIES).data() == "道路运输经营者"
    assert page.model.index(row, Column.PHONE).data() == "138****5678"  # masked in the list
    stored = get_entity(ctx, summary.id, reveal=True).summary
    assert (stored.identifier, stored.phone, stored.categories) == (USCC_A, "13812345678", ("road_operator",))
    assert dialogs == []


def test_find_by_chinese_fragment_pinyin_initials_and_exact_identifier(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A))
    register_entity(ctx, EntityDraft(name="淮安市顺达物流有限公司", identifier=USCC_B))
    register_entity(ctx, EntityDraft(name="盱眙县公路养护中心", identifier=USCC_C))
    page.refresh()

    search(qtbot, page, "顺达")
    assert set(names(page)) == {NAME, "淮安市顺达物流有限公司"}
    assert "找到2个结果" in page.description.text() and "500" in page.description.text()

    search(qtbot, page, "xyx")  # 盱眙县… initials, typed key by key
    assert set(names(page)) == {NAME, "盱眙县公路养护中心"}

    search(qtbot, page, USCC_B)
    assert names(page)[0] == "淮安市顺达物流有限公司"
    assert page.current_entity_id() == page.model.entity_id(0)  # first hit selected, Enter opens it

    search(qtbot, page, "")  # empty search: back to the full lazy list
    assert page.model.filter_text == "" and page.model.rowCount() == 3


def test_edit_through_form_updates_table_and_history(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    summary = create(qtbot, page)
    page.select_entity(summary.id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter on the row opens the form
    form = page.form
    assert form is not None and form.name_edit.text() == NAME
    assert form.phone_edit.text() == "138****5678" and form.phone_edit.isReadOnly()  # opening is not a reveal
    form.reveal_button.click()  # 显示完整信息: the clerk edits the real number, not the mask
    assert form.phone_edit.text() == "13812345678" and not form.phone_edit.isReadOnly()
    assert form.history_table.rowCount() == 1 and form.history_table.item(0, 2).text() == "登记"

    form.name_edit.setText("盱眙县顺达客运有限公司")
    form.phone_edit.clear()
    qtbot.keyClicks(form.phone_edit, "0517-88221234")
    with qtbot.waitSignal(form.saved, timeout=3000):
        save(qtbot, form)

    row = page.model.row_of(summary.id)
    assert page.model.index(row, Column.NAME).data() == "盱眙县顺达客运有限公司"
    assert page.model.index(row, Column.PHONE).data() == "051******1234"
    assert [h.action for h in entity_history(ctx, summary.id)] == ["insert", "update"]

    form = page.edit_entity(summary.id)
    assert form.history_table.rowCount() == 2
    assert form.history_table.item(0, 2).text() == "修改"  # newest first
    assert form.history_table.item(0, 3).text() == "修改 名称、联系电话"
    assert form.history_table.item(0, 1).text() == ctx.office_code
    form.reject()
    assert dialogs == []


def test_wrong_check_character_is_shown_under_the_identifier_and_nothing_is_written(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    form = page.new_entity()
    form.name_edit.setText(NAME)
    qtbot.keyClicks(form.identifier_edit, USCC_WRONG_CHECK)
    error = form.errors["identifier"]
    qtbot.waitUntil(error.isVisible, timeout=2000)  # updated while typing, before any save
    assert "校验位错误（应为T）" in error.text()
    assert form.override_button.isVisible()

    save(qtbot, form)
    assert form.isVisible() and error.isVisible()
    assert QApplication.focusWidget() is form.identifier_edit
    assert count_entities(ctx) == 0

    qtbot.keyClicks(form.identifier_edit, "\b")  # fixing the code clears the message as the clerk types
    qtbot.keyClicks(form.identifier_edit, "T")
    qtbot.waitUntil(lambda: not error.isVisible(), timeout=2000)
    assert not form.override_button.isVisible()


def test_wrong_check_character_can_be_overridden_with_a_written_reason(qtbot, page, ctx, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    reasons = iter([("", False), ("2015年试点代码，已核对营业执照原件", True)])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: next(reasons)))
    form = page.new_entity()
    form.name_edit.setText(NAME)
    qtbot.keyClicks(form.identifier_edit, USCC_WRONG_CHECK)
    form.validate()
    form.override_button.click()  # cancelled: still refused
    assert not form.save() and count_entities(ctx) == 0
    form.override_button.click()
    assert "2015年试点代码" in form.override_note.text() and not form.errors["identifier"].isVisible()
    with qtbot.waitSignal(form.saved, timeout=3000):
        save(qtbot, form)
    detail = get_entity(ctx, USCC_WRONG_CHECK)
    assert detail.check_override_reason == "2015年试点代码，已核对营业执照原件"


def test_inline_messages_follow_the_fields_the_clerk_touches(qtbot, page):  # type: ignore[no-untyped-def]
    form = page.new_entity()
    form.validate()
    assert not any(label.isVisible() for label in form.errors.values())  # an empty new form is not scolded
    qtbot.keyClicks(form.phone_edit, "12345")
    qtbot.waitUntil(form.errors["phone"].isVisible, timeout=2000)
    assert form.errors["phone"].text().startswith("联系电话格式不正确")
    assert not form.errors["name"].isVisible()
    assert not form.save()
    assert form.errors["name"].text() == "名称不能为空"  # after a save attempt every problem shows
    assert QApplication.focusWidget() is form.name_edit


def test_person_categories_and_licence_dates_are_checked(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    form = page.new_entity()
    form.name_edit.setText("张三")
    qtbot.keyClicks(form.identifier_edit, ID_PERSON)
    form.categories_list.item(0).setCheckState(Qt.CheckState.Checked)  # 道路运输经营者: not for persons
    form.licence_editor.add_row(("从业资格证", "320830199001011236", "2024-13-01", ""))
    assert not form.save()
    assert "不适用于个人" in form.errors["categories"].text()
    assert "不是有效日期" in form.errors["licences"].text()
    form.categories_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    form.categories_list.item(1).setCheckState(Qt.CheckState.Checked)  # 道路运输从业人员
    form.licence_editor.table.item(0, 2).setText("2024-01-01")
    with qtbot.waitSignal(form.saved, timeout=3000):
        assert form.save()
    row = page.model.row_of(form.saved_summary.id)
    assert page.model.index(row, Column.KIND).data() == "个人"
    assert page.model.index(row, Column.IDENTIFIER).data() == "320830********1236"  # masked in the list
    assert get_entity(ctx, form.saved_summary.id).licences[0].licence_type == "从业资格证"


def test_duplicate_identifier_is_refused_with_a_message(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    existing = register_entity(ctx, EntityDraft(name="盱眙县老字号运输公司", identifier=USCC_A))
    dialogs.answers.append(QMessageBox.StandardButton.No)  # do not open the existing one
    form = page.new_entity()
    form.name_edit.setText(NAME)
    qtbot.keyClicks(form.identifier_edit, USCC_A)
    assert not saved(qtbot, form)
    assert form.isVisible() and count_entities(ctx) == 1
    assert "该证件号码已登记：盱眙县老字号运输公司" in dialogs.texts("question")[0]
    assert "已登记" in form.errors["identifier"].text()

    assert not saved(qtbot, form)  # answering Yes opens the registered entity instead
    qtbot.waitUntil(lambda: page.form is not None and page.form is not form, timeout=2000)
    assert page.form.name_edit.text() == "盱眙县老字号运输公司"
    assert page.form.windowTitle().endswith("盱眙县老字号运输公司")
    assert existing.summary.id == get_entity(ctx, USCC_A).summary.id


def test_similar_name_asks_and_saves_only_when_confirmed(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A))
    dialogs.answers += [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    form = page.new_entity()
    form.name_edit.setText(NAME)
    qtbot.keyClicks(form.identifier_edit, USCC_B)
    assert not saved(qtbot, form) and count_entities(ctx) == 1
    assert "仍要保存吗" in dialogs.texts("question")[0]
    assert saved(qtbot, form) and count_entities(ctx) == 2


def test_concurrent_edit_keeps_the_typed_values(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    detail = register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A))
    page.refresh()
    form = page.edit_entity(detail.summary.id)
    other = EntityDraft(name=NAME, identifier=USCC_A, phone="13900000000")
    update_entity(ctx, detail.summary.id, other, expected_version=1)  # another counter saves first
    form.name_edit.setText("盱眙县顺达新名称有限公司")
    dialogs.answers.append(QMessageBox.StandardButton.No)
    assert not saved(qtbot, form)
    assert "已被他人修改" in dialogs.texts("question")[0]
    assert form.isVisible() and form.name_edit.text() == "盱眙县顺达新名称有限公司"
    assert get_entity(ctx, detail.summary.id).summary.name == NAME

    assert saved(qtbot, form)  # asked again, the clerk keeps their values this time
    assert get_entity(ctx, detail.summary.id).summary.name == "盱眙县顺达新名称有限公司"
    assert [h.action for h in entity_history(ctx, detail.summary.id)] == ["insert", "update", "update"]


def test_save_runs_off_the_gui_thread_and_cannot_start_twice(qtbot, page, ctx, monkeypatch):  # type: ignore[no-untyped-def]
    """The write runs on a worker thread; meanwhile the buttons are disabled, Ctrl+S and Esc do nothing, and the
    window keeps processing events; its answer closes the form and shows the entity as before."""
    threads: list[threading.Thread] = []
    release = threading.Event()

    def slow_register(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        release.wait(5)
        return register_entity(*args, **kwargs)

    monkeypatch.setattr(entity_form, "register_entity", slow_register)
    form = page.new_entity()
    form.name_edit.setText(NAME)
    qtbot.keyClicks(form.identifier_edit, USCC_A)
    with qtbot.waitSignal(form.saved, timeout=5000):
        assert form.save()
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)  # the GUI thread is free while the write waits
        assert form.saving and not form.save_button.isEnabled() and not form.cancel_button.isEnabled()
        assert not form.save()  # a second Ctrl+S does not write twice
        form.reject()  # Esc while saving: the form waits for the answer
        assert form.isVisible()
        release.set()
    assert threads[0] is not threading.main_thread()
    assert len(threads) == 1 and count_entities(ctx) == 1
    assert not form.isVisible() and form.saved_summary is not None and form.saved_summary.name == NAME
    assert form.save_button.isEnabled()


def test_escape_asks_before_discarding_edits(qtbot, page, dialogs):  # type: ignore[no-untyped-def]
    form = page.new_entity()
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not form.isVisible() and dialogs == []

    form = page.new_entity()
    form.name_edit.setText(NAME)
    dialogs.answers.append(QMessageBox.StandardButton.No)
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Escape)
    assert form.isVisible() and form.name_edit.text() == NAME
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Escape)  # second time: Yes, discard
    assert not form.isVisible()
    assert [kind for kind, _ in dialogs] == ["question", "question"]


def test_delete_asks_with_the_name_and_removes_the_row(qtbot, page, ctx, dialogs):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A))
    register_entity(ctx, EntityDraft(name="盱眙县公路养护中心", identifier=USCC_C))
    page.refresh()
    page.select_row(0)
    name = page.model.summary(0).name
    dialogs.answers.append(QMessageBox.StandardButton.No)
    page.delete_button.click()
    assert page.model.rowCount() == 2 and count_entities(ctx) == 2
    page.table.setFocus()
    with qtbot.waitSignal(page.deleteFinished, timeout=5000) as finished:  # the write runs off the GUI thread
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert finished.args == [True]
    assert f"“{name}”" in dialogs.texts("question")[1]
    assert page.model.rowCount() == 1 and count_entities(ctx) == 1
    assert find_entities(ctx, name) == []


def test_delete_runs_off_the_gui_thread_once(qtbot, page, ctx, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A))
    page.refresh()
    page.select_row(0)
    threads: list[threading.Thread] = []
    release = threading.Event()
    real = registry_page.delete_entity

    def slow_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry_page, "delete_entity", slow_delete)
    with qtbot.waitSignal(page.deleteFinished, timeout=5000) as finished:
        page.delete_selected()
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)
        assert not page.delete_button.isEnabled()
        page.delete_selected()  # Del again while deleting: no second question, no second write
        assert len(dialogs.texts("question")) == 1
        release.set()
    assert finished.args == [True] and threads[0] is not threading.main_thread() and len(threads) == 1
    assert page.model.rowCount() == 0 and count_entities(ctx) == 0


def test_keyboard_shortcuts(qtbot, page):  # type: ignore[no-untyped-def]
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.search_edit
    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.form is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.form.name_edit, timeout=2000)
    qtbot.keyClick(page.form.name_edit, Qt.Key.Key_Escape)
    assert page.form is None


def test_header_clicks_sort_only_indexed_columns(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="甲公司", identifier=USCC_C))
    register_entity(ctx, EntityDraft(name="乙公司", identifier=USCC_A))
    page.refresh()
    header = page.table.horizontalHeader()

    def click(column: Column) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    click(Column.IDENTIFIER)
    assert names(page) == ["甲公司", "乙公司"]  # 12… before 91…
    click(Column.IDENTIFIER)
    assert names(page) == ["乙公司", "甲公司"] and page.model.sort_order == Qt.SortOrder.DescendingOrder
    click(Column.STATUS)  # not sortable: nothing moves, the arrow stays where the order is
    assert header.sortIndicatorSection() == Column.IDENTIFIER and names(page) == ["乙公司", "甲公司"]
    click(Column.UPDATED)  # newest first on the first click
    assert page.model.sort_column == Column.UPDATED and names(page) == ["乙公司", "甲公司"]


def test_tab_walks_the_left_column_before_the_categories(qtbot, page):  # type: ignore[no-untyped-def]
    form = page.new_entity()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    form.kind_combo.setFocus()
    qtbot.keyClick(form.kind_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.legal_rep_edit
    form.notes_edit.setFocus()
    qtbot.keyClick(form.notes_edit, Qt.Key.Key_Tab)  # notes take no tab characters: Tab moves on
    assert QApplication.focusWidget() is form.categories_list
    form.reject()


def test_without_the_right_to_register_new_and_delete_are_off(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.main_window import MainWindow

    ctx.setup_mode = False  # users exist and nobody is logged in: the services would refuse
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    page = window.registry
    assert not page.new_button.isEnabled() and not page.new_action.isEnabled()
    assert "权限" in page.new_button.toolTip()
    page.new_action.trigger()
    assert page.form is None
