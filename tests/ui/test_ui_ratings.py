"""The 信用评价 page and the rating form, driven through their widgets: live grade, save, workflow."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from rating_flow import step_day
from ui_helpers import USCC_A

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import list_ratings
from xuyi_desktop.ui import rating_form
from xuyi_desktop.ui.rating_page import RatingPage

NAME = "盱眙县路桥工程有限公司"


@pytest.fixture
def rating_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    page = RatingPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


def pick(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_edit.clear()
    with qtbot.waitSignal(page.searchFinished, timeout=5000):
        qtbot.keyClicks(page.search_edit, text)
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)


def type_score(qtbot, form, text: str) -> None:  # type: ignore[no-untyped-def]
    form.score_edit.clear()
    qtbot.keyClicks(form.score_edit, text)


def saved(qtbot, form) -> bool:  # type: ignore[no-untyped-def]
    """form.save() and wait for its end (the write runs off the GUI thread): True written, False refused."""
    with qtbot.waitSignal(form.saveFinished, timeout=5000) as finished:
        form.save()
    return bool(finished.args[0])


def test_enter_rating_with_live_grade_then_move_it_to_effective(qtbot, ctx, rating_page, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    page = rating_page
    pick(qtbot, page, "xyxlq")
    assert page.entity is not None and page.entity.name == NAME
    assert page.table.rowCount() == 0

    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.form
    assert form is not None and form.isVisible()
    assert form.domain_combo.currentText() == "公路水运工程建设从业单位"  # its category's domain first
    assert form.score_edit.isVisible() and not form.points_edit.isVisible() and form.deductions_box.isVisible()
    assert form.derived_text() == "—"

    type_score(qtbot, form, "94.9")
    assert form.derived_text() == "A级"
    type_score(qtbot, form, "95")
    assert form.derived_text() == "AA级"
    type_score(qtbot, form, "101")
    assert form.derived_text() == "—" and "0至100" in form.grade_notes.text()
    type_score(qtbot, form, "95")

    form.organ_edit.setText("盱眙县交通运输局")
    form.document_edit.setText("盱交〔2025〕12号")
    with qtbot.waitSignal(form.saved, timeout=3000):
        qtbot.waitUntil(form.isActiveWindow, timeout=2000)
        qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.form is None or not form.isVisible()
    assert page.status_texts() == ["草稿"]
    assert page.table.item(0, 2).text() == "AA"

    buttons = page.workflow_buttons
    assert buttons[RatingStatus.REVIEWED].isEnabled() and not buttons[RatingStatus.EFFECTIVE].isEnabled()
    assert not page.objection_button.isEnabled()

    def click(target: RatingStatus) -> None:  # a move writes off the GUI thread: wait for its end
        with qtbot.waitSignal(page.moveFinished, timeout=10000) as moved:
            buttons[target].click()
        assert moved.args == [True]

    click(RatingStatus.REVIEWED)
    assert page.status_texts() == ["已审核"]
    assert buttons[RatingStatus.PUBLICITY].isEnabled() and not buttons[RatingStatus.REVIEWED].isEnabled()
    click(RatingStatus.PUBLICITY)
    assert page.status_texts() == ["公示中"] and page.objection_button.isEnabled()
    buttons[RatingStatus.EFFECTIVE].click()  # before the publicity period ends: a reviewer must give a reason
    assert page.status_texts() == ["公示中"]  # the dialogs fixture answers the reason dialog with Cancel
    assert not page.ops.busy  # … and nothing was started
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("上级督办，须提前生效", True)))
    click(RatingStatus.EFFECTIVE)
    assert page.status_texts() == ["生效"]
    assert not any(b.isEnabled() for t, b in buttons.items() if t is not RatingStatus.REVOKED)
    assert buttons[RatingStatus.REVOKED].isEnabled()
    (stored,) = list_ratings(ctx, USCC_A)
    assert (stored.grade, stored.status, stored.score) == ("AA", RatingStatus.EFFECTIVE, 95.0)
    assert stored.document_no == "盱交〔2025〕12号"


def test_deductions_compute_the_score_and_validation_shows_inline(qtbot, ctx, rating_page):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    page = rating_page
    pick(qtbot, page, USCC_A)
    form = page.new_rating()
    assert form is not None
    row = form.add_deduction("JC-11")  # 拖欠农民工工资：扣10分
    assert row == 0 and form.score_edit.text() == "90" and form.score_edit.isReadOnly()
    assert form.derived_text() == "A级"
    form.add_deduction("JC-02")  # 违法分包：直接定D级
    assert form.derived_text() == "D级" and "直接定为D级" in form.grade_notes.text()
    form.deductions_table.selectRow(1)
    form.remove_deduction()
    assert form.derived_text() == "A级"

    form.period_spin.setValue(dt.date.today().year + 1)
    form.date_edit.setMaximumDate(form.date_edit.maximumDate().addDays(10))
    form.date_edit.setDate(form.date_edit.date().addDays(3))  # a future decision date: refused by the service
    assert not saved(qtbot, form)
    assert form.errors["decision_date"].isVisible()
    assert "评定日期不能晚于今天" in form.errors["decision_date"].text()
    assert list_ratings(ctx, USCC_A) == []
    form.reject()


def test_correction_is_a_new_version_and_the_old_one_greys_out(qtbot, ctx, rating_page, monkeypatch):  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status

    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    year = dt.date.today().year - 1
    first = add_rating(ctx, RatingInput(USCC_A, "highway_construction", year, score=88))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, first.id, status, today=step_day(status))
    page = rating_page
    pick(qtbot, page, USCC_A)
    assert page.status_texts() == ["生效"]
    form = page.correct_selected()
    assert form is not None and not form.domain_combo.isEnabled() and form.score_edit.text() == "88"
    type_score(qtbot, form, "96")
    assert form.derived_text() == "AA级"
    assert saved(qtbot, form)
    assert page.status_texts() == ["草稿", "生效"]
    assert page.table.item(0, 5).text() == "第2版（更正）"
    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("更正版本，原评价已公示", True)))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        page.table.selectRow(0)
        with qtbot.waitSignal(page.moveFinished, timeout=10000) as moved:  # the move writes off the GUI thread
            assert page.move_selected(status)
        assert moved.args == [True]
    assert page.status_texts() == ["生效", "被取代"]
    assert page.table.item(1, 0).foreground().color().name() == "#9e9e9e"  # superseded: greyed


def test_a_clerk_cannot_approve_a_rating_through_the_page(qtbot, ctx, settings, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    """The workflow buttons stay disabled for a clerk, and forcing the move is refused by the service."""
    from argon2 import PasswordHasher

    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users
    from xuyi_desktop.services.ratings import RatingInput, add_rating

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    users.create_user(ctx, "admin", "admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "admin-secret-1")
    users.create_user(ctx, "clerk", "clerk-secret-1", Role.CLERK)
    users.login(ctx, "clerk", "clerk-secret-1")
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    add_rating(ctx, RatingInput(entity=USCC_A, domain="highway_construction", period=dt.date.today().year, score=96))

    page = RatingPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    pick(qtbot, page, USCC_A)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    page.table.selectRow(0)
    assert page.new_button.isEnabled()  # a clerk records ratings …
    assert not any(b.isEnabled() for b in page.workflow_buttons.values())  # … but cannot move them
    assert "审核信用评价" in page.workflow_buttons[RatingStatus.REVIEWED].toolTip()
    with qtbot.waitSignal(page.moveFinished, timeout=10000) as moved:  # the service refuses even if the button were pressed
        assert page.move_selected(RatingStatus.REVIEWED)
    assert moved.args == [False]
    assert [r.status for r in list_ratings(ctx, USCC_A)] == [RatingStatus.DRAFT]


def test_attachments_open_from_the_database_in_the_pcs_viewer(qtbot, ctx, rating_page, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QInputDialog

    from xuyi_desktop.services.ratings import RatingInput, add_rating, attach_file

    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    rating = add_rating(ctx, RatingInput(USCC_A, "highway_construction", dt.date.today().year - 1, score=88))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    page = rating_page
    pick(qtbot, page, USCC_A)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.message) as said:
        page.open_attachment_button.click()
    assert said.args[0] == "本评价没有附件" and opened == []
    files = []
    for name in ("评定通知书.pdf", "现场照片.jpg"):
        files.append(tmp_path / name)
        files[-1].write_bytes(b"%PDF-1.4\n" + name.encode() * 500)  # both PDFs by content: the second is handed on
        attach_file(ctx, rating.id, files[-1])
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: (a[3][1], True)))  # the second one
    page.open_attachment_button.click()
    assert len(opened) == 1 and open(opened[0], "rb").read() == files[1].read_bytes()


def test_the_save_runs_off_the_gui_thread_and_only_once(qtbot, ctx, rating_page, monkeypatch):  # type: ignore[no-untyped-def]
    """add_rating runs on a worker thread; meanwhile 保存 and 取消 are disabled, Ctrl+S and Esc do nothing, and one
    rating is written; its answer closes the form and lists the rating as before."""
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    threads: list[threading.Thread] = []
    release = threading.Event()
    real = rating_form.add_rating

    def slow_add(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(rating_form, "add_rating", slow_add)
    page = rating_page
    pick(qtbot, page, USCC_A)
    form = page.new_rating()
    assert form is not None
    form.period_spin.setValue(dt.date.today().year - 1)
    type_score(qtbot, form, "95")
    with qtbot.waitSignal(form.saved, timeout=5000):
        assert form.save()
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)  # the GUI thread is free while the write waits
        assert form.saving and not form.save_button.isEnabled() and not form.cancel_button.isEnabled()
        assert not form.save()  # a second Ctrl+S writes nothing
        form.reject()  # Esc while saving: the form waits for the answer
        assert form.isVisible()
        release.set()
    assert threads[0] is not threading.main_thread() and len(threads) == 1
    assert len(list_ratings(ctx, USCC_A)) == 1 and not form.isVisible()
    assert page.status_texts() == ["草稿"]


def test_a_workflow_move_runs_off_the_gui_thread_and_only_once(qtbot, ctx, rating_page, monkeypatch):  # type: ignore[no-untyped-def]
    """审核 writes on a worker thread; meanwhile the workflow buttons are disabled and a second move starts
    nothing; one status change is written and the list shows it when the answer arrives."""
    from xuyi_desktop.services.ratings import RatingInput, add_rating
    from xuyi_desktop.ui import rating_page as page_module

    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    add_rating(ctx, RatingInput(entity=USCC_A, domain="highway_construction", period=dt.date.today().year - 1, score=96))
    threads: list[threading.Thread] = []
    release = threading.Event()
    real = page_module.set_status

    def slow_move(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(page_module, "set_status", slow_move)
    page = rating_page
    pick(qtbot, page, USCC_A)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.moveFinished, timeout=5000) as moved:
        assert page.move_selected(RatingStatus.REVIEWED)
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)  # the GUI thread is free while the write waits
        assert page.ops.busy and not any(b.isEnabled() for b in page.workflow_buttons.values())
        assert not page.move_selected(RatingStatus.REVIEWED)  # a second press starts nothing
        release.set()
    assert moved.args == [True]
    assert threads[0] is not threading.main_thread() and len(threads) == 1
    assert [r.status for r in list_ratings(ctx, USCC_A)] == [RatingStatus.REVIEWED]
    assert page.status_texts() == ["已审核"] and page.workflow_buttons[RatingStatus.PUBLICITY].isEnabled()
