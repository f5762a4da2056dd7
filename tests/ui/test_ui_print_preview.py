"""Printing as Windows users expect (issue 19): the print preview with the system print dialog and 另存为 PDF,
opened for every PDF the pages open; a numbered print under the provisional office asks first; the first start
sets up the office beside the administrator."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

pytest.importorskip("PySide6.QtPdf")

import print_docs as F  # noqa: E402

from xuyi_desktop.printing.commitment_form import render_commitment_forms  # noqa: E402
from xuyi_desktop.printing.output import PrintCancelled  # noqa: E402
from xuyi_desktop.services import print_settings  # noqa: E402
from xuyi_desktop.ui import print_preview  # noqa: E402
from xuyi_desktop.ui.print_preview import PrintPreviewDialog  # noqa: E402


@pytest.fixture
def form_pdf(tmp_path: Path) -> Path:
    out = tmp_path / "信用承诺书.pdf"
    buf = io.BytesIO()
    render_commitment_forms([F.commitment()], buf)
    out.write_bytes(buf.getvalue())
    return out


def test_the_preview_shows_the_pages_prints_them_and_saves_a_copy(qtbot, form_pdf: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPrintSupport import QPrinter

    dialog = PrintPreviewDialog(form_pdf)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.document.pageCount() == 1 and dialog.pages_label.text() == "共 1 页"
    assert dialog.print_button.text().startswith("打印") and dialog.save_button.text().startswith("另存为 PDF")
    avail = dialog.screen().availableGeometry()
    assert dialog.width() <= avail.width() and dialog.height() <= avail.height()  # sized to the screen it is on
    assert dialog.minimumSizeHint().height() <= 600 and dialog.minimumSizeHint().width() <= 900  # so 1366×768 fits

    # What the print dialog hands on goes to the printer: here a PDF printer, to look at the result.
    printer = dialog.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_document(exec_dialog=False, printer=printer) == 1
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF") and (tmp_path / "printed.pdf").stat().st_size > 50_000

    copy = dialog.save_as(tmp_path / "另存.pdf")
    assert copy is not None and copy.read_bytes() == form_pdf.read_bytes()
    dialog.zoom.setCurrentIndex(1)  # 适合宽度
    dialog.zoom.setCurrentIndex(3)  # 100%
    assert dialog.view.zoomFactor() == pytest.approx(1.0)


def test_every_pdf_a_page_opens_goes_to_the_preview_other_files_to_the_system(qtbot, form_pdf: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    print_preview.install_pdf_handler()
    try:
        assert QDesktopServices.openUrl(QUrl.fromLocalFile(str(form_pdf)))
        shown = print_preview._HANDLER.shown
        assert shown and isinstance(shown[-1], PrintPreviewDialog) and shown[-1].path == form_pdf
        qtbot.waitUntil(lambda: shown[-1].isVisible())
        shown[-1].close()
        text = tmp_path / "说明.txt"
        text.write_text("x", encoding="utf-8")
        count = len(shown)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(text)))  # the system's program (none offscreen)
        fake = tmp_path / "假的.pdf"
        fake.write_bytes(b"not a pdf")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(fake)))  # a PDF by name only: not ours to render
        assert len([d for d in shown if d.isVisible()]) == 0 and len(shown) <= count
    finally:
        print_preview.uninstall_pdf_handler()


def _answer(text: str) -> None:
    """Press the button called `text` on the message box that is about to open."""

    def press() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, press)
            return
        next(b for b in box.buttons() if b.text() == text).click()

    QTimer.singleShot(0, press)


def test_a_numbered_print_under_the_provisional_office_asks_first(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    assert ctx.office_provisional
    _answer("取消")
    assert print_preview.confirm_provisional_print(None, ctx) is False
    _answer("仍然打印")
    assert print_preview.confirm_provisional_print(None, ctx) is True
    assert print_preview.confirm_provisional_print(None, ctx) is True  # once a session

    # From a print running on the thread pool: the worker waits for the clerk's answer on the GUI thread.
    ctx.provisional_print_confirmed = False
    print_preview.install_provisional_guard()
    outcome: list[object] = []

    def work() -> None:
        try:
            print_settings.before_numbered_print(ctx)
            outcome.append("printed")
        except PrintCancelled as cancelled:
            outcome.append(cancelled)

    try:
        _answer("取消")
        worker = threading.Thread(target=work)
        worker.start()
        qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
        worker.join()
        assert isinstance(outcome[0], PrintCancelled) and not getattr(ctx, "provisional_print_confirmed", False)
        _answer("仍然打印")
        worker = threading.Thread(target=work)
        worker.start()
        qtbot.waitUntil(lambda: len(outcome) == 2, timeout=10_000)
        worker.join()
        assert outcome[1] == "printed" and ctx.provisional_print_confirmed
    finally:
        print_preview.uninstall_provisional_guard()


def test_the_first_start_sets_up_the_office_beside_the_administrator(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.print_settings import get_print_settings
    from xuyi_desktop.ui.login_dialog import SetupAdminDialog

    dialog = SetupAdminDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    hint = dialog.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700, hint  # fits a 1366×768 screen
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText("Admin-pass-2026")
    dialog.confirm_edit.setText("Admin-pass-2026")
    dialog.ok_button.click()
    assert "请输入姓名" in dialog.error.text() and ctx.setup_mode  # real names go on the prints
    dialog.display_name_edit.setText("王主任")
    dialog.office.code_edit.setText("tmp-1")
    dialog.office.name_edit.setText("盱眙县交通运输局")
    dialog.ok_button.click()
    assert "TMP-" in dialog.error.text() and ctx.setup_mode  # refused before the administrator is created
    dialog.office.code_edit.setText("XY-JTJ")
    dialog.office.kind_combo.setCurrentIndex(0)
    dialog.office.phone_edit.setText("0517-88221234")
    dialog.office.address_edit.setText("盱眙县盱城街道五墩路1号")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    assert (ctx.office_code, ctx.office_name, ctx.office_provisional) == ("XY-JTJ", "盱眙县交通运输局", False)
    assert ctx.user is not None and ctx.user.display_name == "王主任"
    settings = get_print_settings(ctx)
    assert settings.objection_phone == "0517-88221234" and settings.objection_address.endswith("五墩路1号")
    assert print_settings.provisional_warning(ctx) is None


def test_the_office_step_may_wait_and_then_printing_still_asks(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.login_dialog import SetupAdminDialog
    from xuyi_desktop.ui.office_setup import OfficeSetupDialog

    dialog = SetupAdminDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText("Admin-pass-2026")
    dialog.confirm_edit.setText("Admin-pass-2026")
    dialog.display_name_edit.setText("王主任")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and ctx.office_provisional
    assert print_settings.provisional_warning(ctx) is not None
    later = OfficeSetupDialog(ctx)
    qtbot.addWidget(later)
    later.fields.code_edit.setText("XY-GJZ")
    later.fields.name_edit.setText("盱眙县港航事业发展中心")
    later.fields.kind_combo.setCurrentIndex(1)
    assert later.save() and not ctx.office_provisional and ctx.office_code == "XY-GJZ"


def test_the_file_menu_opens_office_setup_for_administrators_only(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    """文件 → 本单位设置… is the window's `xuyi office init` / `print settings`: an administrator changes the office
    and the objection contact later; a clerk does not see the action."""
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users
    from xuyi_desktop.services.print_settings import get_print_settings
    from xuyi_desktop.ui.main_window import MainWindow

    users.create_user(ctx, "admin", "Admin-pass-2026", Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", "Admin-pass-2026")
    users.create_user(ctx, "ck", "Clerk-pass-2026", Role.CLERK, display_name="李窗口")
    window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(window)
    assert window.office_action.isVisible()
    dialog = window.open_office_setup(exec_dialog=False)
    qtbot.addWidget(dialog)
    dialog.fields.code_edit.setText("XY-JTJ")
    dialog.fields.name_edit.setText("盱眙县交通运输局")
    dialog.fields.phone_edit.setText("0517-88221234")
    assert dialog.save() and (ctx.office_code, ctx.office_provisional) == ("XY-JTJ", False)
    assert get_print_settings(ctx).objection_phone == "0517-88221234"
    users.login(ctx, "ck", "Clerk-pass-2026")
    clerk = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(clerk)
    assert not clerk.office_action.isVisible()

