"""The 信用承诺 page through its widgets: fill the form, save, fulfil, violate, save the PDF, preview, batch print;
and the commitment shown in the credit check."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from ui_helpers import USCC_A, USCC_B

from xuyi_desktop.domain.commitments import CommitmentStatus
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import commitments as svc
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.ui import commitment_dialog, commitment_page
from xuyi_desktop.ui.commitment_page import Column, CommitmentPage
from xuyi_desktop.ui.operations import pending_operations


@pytest.fixture
def page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",), legal_representative="李明"))
    register_entity(ctx, EntityDraft(name="盱眙县淮河运输有限公司", identifier=USCC_B, categories=("construction_unit",), legal_representative="赵强"))
    p = CommitmentPage(ctx, settings)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


def fill(qtbot, page, identifier: str, business: str, area: str = "licensing"):  # type: ignore[no-untyped-def]
    dialog = page.new_commitment(exec_dialog=False)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.entity_edit, identifier)  # ASCII: typed like a clerk
    dialog.set_type("missing_materials")
    dialog.set_area(area)
    dialog.business_edit.setText(business)  # Chinese: set (keyClicks aborts on non-ASCII)
    dialog.term_spin.setValue(15)
    assert "补齐" in dialog.items_edit.toPlainText()  # the type's default items
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None, dialog.error.text()
    return dialog.saved


def test_fill_save_fulfil_violate_and_print(qtbot, ctx, page, dialogs, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An empty form says what is missing and saves nothing.
    empty = page.new_commitment(exec_dialog=False)
    qtbot.addWidget(empty)
    with qtbot.waitSignal(empty.saveFinished, timeout=5000):  # the save runs off the GUI thread
        empty.buttons.button(empty.buttons.StandardButton.Save).click()
    assert empty.saved is None and not empty.error.isHidden() and "承诺主体" in empty.error.text()

    first = fill(qtbot, page, USCC_A, "道路运输经营许可申请 XK-2026-0007")
    assert page.table.rowCount() == 1 and page.current() is not None and page.current().id == first.id
    assert page.table.item(0, Column.STATUS).text() == "履约中"
    assert first.serial in page.table.item(0, Column.SERIAL).text()
    assert "李明" in page.detail.toPlainText() or first.signer == "李明"

    # Save the PDF of the selected commitment.
    out = tmp_path / "form.pdf"
    page.save_pdf(out)
    qtbot.waitUntil(lambda: page.last_pdf == out and pending_operations() == 0, timeout=10_000)
    assert out.read_bytes().startswith(b"%PDF")

    # Preview: rendered to a temporary PDF and shown (system viewer without QtPdf).
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    page.preview()
    qtbot.waitUntil(lambda: page.last_pdf != out and pending_operations() == 0, timeout=10_000)
    assert page.last_pdf is not None and page.last_pdf.exists() and page.last_pdf.stat().st_size > 10_000
    try:
        import PySide6.QtPdf  # noqa: F401
    except ImportError:
        assert opened == [str(page.last_pdf)]

    # 已践诺 (the question is answered Yes by the fixture).
    with qtbot.waitSignal(page.actionFinished, timeout=5000) as finished:  # the change runs off the GUI thread
        assert page.fulfil_selected()
    assert finished.args == [True]
    assert page.current().status is CommitmentStatus.FULFILLED
    assert page.table.item(0, Column.STATUS).text() == "已践诺"
    assert not page.violate_button.isEnabled()

    # A second one, violated through the dialog.
    second = fill(qtbot, page, USCC_B, "客运车辆更新补助申请", area="fund_application")
    assert page.current().id == second.id
    dialog = page.violate_selected(exec_dialog=False)
    qtbot.addWidget(dialog)
    dialog.facts_edit.setPlainText("逾期未补交车辆技术等级评定材料")
    dialog.penalty_edit.setText("PEN-2026-7")
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        assert dialog.save()
    assert dialog.saved is not None and dialog.saved.status is CommitmentStatus.VIOLATED
    assert page.current().status is CommitmentStatus.VIOLATED and "逾期未补交" in page.detail.toPlainText()

    # Filter by status.
    page.status_combo.setCurrentIndex(page.status_combo.findData("violated"))
    assert page.table.rowCount() == 1 and page.views[0].id == second.id
    page.status_combo.setCurrentIndex(0)
    assert page.table.rowCount() == 2

    # Batch: nothing selected → every listed one, into one PDF.
    page.table.clearSelection()
    batch = tmp_path / "batch.pdf"
    page.print_batch(batch)
    qtbot.waitUntil(lambda: not page.batch_running and pending_operations() == 0, timeout=20_000)
    assert page.last_pdf == batch
    assert batch.stat().st_size > 20_000
    assert not dialogs.texts("warning"), dialogs


def test_credit_check_page_shows_the_violated_commitment(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.credit_check_page import CreditCheckPage

    e = register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    c = svc.add_commitment(ctx, svc.CommitmentInput(e.summary.id, "approval_substitute", "licensing", "许可申请 XK-1", 30))
    svc.violate(ctx, c.id, facts="承诺内容与实际不符")
    page = CreditCheckPage(ctx, settings)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    qtbot.keyClicks(page.search_edit, USCC_A)
    before = page.result
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.result is not before, timeout=5000)
    texts = ["　".join(row) for row in page.commitments_table.row_texts()]
    assert texts and c.serial in texts[0] and "违诺" in texts[0] and "承诺内容与实际不符" in texts[0]
    assert any("违诺" in text for _, text in page.consequence_lines())


def test_revoke_is_a_reviewers_button(qtbot, ctx, settings, dialogs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """撤销 needs the reviewer's right (the service's): a clerk's button is disabled and, reached anyway, says so
    before any reason is typed; a reviewer's is enabled."""
    from PySide6.QtWidgets import QInputDialog

    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users

    users.create_user(ctx, "admin", "Admin-pass-2026", Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", "Admin-pass-2026")
    users.create_user(ctx, "ck", "Clerk-pass-2026", Role.CLERK, display_name="李窗口")
    users.create_user(ctx, "rv", "Review-pass-2026", Role.REVIEWER, display_name="张审核")
    register_entity(ctx, EntityDraft(name="盱眙县路桥工程有限公司", identifier=USCC_A, categories=("construction_unit",),
                                     legal_representative="李明"))
    users.login(ctx, "ck", "Clerk-pass-2026")
    made = svc.add_commitment(ctx, svc.CommitmentInput(USCC_A, "missing_materials", "licensing", "道路运输经营许可申请", 15, ()))
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (asked.append("reason"), ("误录", True))[1]))

    clerk_page = CommitmentPage(ctx, settings)
    qtbot.addWidget(clerk_page)
    clerk_page.reload(select=made.id)
    assert clerk_page.current() is not None and clerk_page.fulfil_button.isEnabled()
    assert not clerk_page.revoke_button.isEnabled()
    assert clerk_page.revoke_selected() is False and asked == []
    assert any("审核人员" in t for t in dialogs.texts("warning"))
    assert svc.get_commitment(ctx, made.id).status is CommitmentStatus.ACTIVE

    users.login(ctx, "rv", "Review-pass-2026")
    reviewer_page = CommitmentPage(ctx, settings)
    qtbot.addWidget(reviewer_page)
    reviewer_page.reload(select=made.id)
    assert reviewer_page.revoke_button.isEnabled()
    with qtbot.waitSignal(reviewer_page.actionFinished, timeout=5000) as finished:  # off the GUI thread
        assert reviewer_page.revoke_selected() is True and asked == ["reason"]
    assert finished.args == [True]
    assert svc.get_commitment(ctx, made.id).status is CommitmentStatus.REVOKED


def test_saves_and_status_changes_run_off_the_gui_thread_once(qtbot, ctx, page, dialogs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The commitment's save and 已践诺 run on a worker thread; while they run the buttons are disabled and a
    second click starts nothing, so one commitment is registered and fulfilled once."""
    threads: list[threading.Thread] = []
    release = threading.Event()

    def held(call):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread())
            release.wait(5)
            return call(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(commitment_dialog, "add_commitment", held(svc.add_commitment))
    dialog = page.new_commitment(exec_dialog=False)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.entity_edit, USCC_A)
    dialog.set_type("missing_materials")
    dialog.business_edit.setText("道路运输经营许可申请 XK-2026-0008")
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    closed: list[int] = []
    dialog.finished.connect(closed.append)
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000) as finished:
        save.click()
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)  # the GUI thread is free while the write waits
        assert dialog.saving and not save.isEnabled() and not dialog.save()
        dialog.reject()  # 取消 while saving: the dialog waits for the answer
        assert closed == []
        release.set()
    assert finished.args == [True] and threads[0] is not threading.main_thread()
    assert closed == [dialog.DialogCode.Accepted]
    assert dialog.saved is not None and len(svc.list_commitments(ctx)) == 1
    assert page.current() is not None and page.current().id == dialog.saved.id

    threads.clear()
    release.clear()
    monkeypatch.setattr(commitment_page.svc, "fulfil", held(svc.fulfil))
    with qtbot.waitSignal(page.actionFinished, timeout=5000) as finished:
        assert page.fulfil_selected()
        qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)
        assert not page.fulfil_button.isEnabled() and not page.revoke_button.isEnabled()
        assert not page.fulfil_selected()  # a second click starts nothing
        release.set()
    assert finished.args == [True] and threads == [threads[0]] and threads[0] is not threading.main_thread()
    assert page.current().status is CommitmentStatus.FULFILLED
