"""Users in the desktop: first administrator, login and lockout, role-filtered navigation, idle lock,
the operation log (filter, verify, export), the backup page, masked personal data, and the app's session loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from ui_helpers import ID_PERSON

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, backup, users
from xuyi_desktop.services.entities import get_entity, register_entity
from xuyi_desktop.ui.entity_form import EntityForm
from xuyi_desktop.ui.login_dialog import LoginDialog, SetupAdminDialog, login_dialog_for
from xuyi_desktop.ui.main_window import MainWindow, Outcome

ADMIN_PW = "admin-pass-2026"
CLERK_PW = "clerk-pass-2026"


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the real ones take ~0.3 s per hash, and these tests log in dozens of times."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def make_users(ctx) -> None:  # type: ignore[no-untyped-def]
    """admin (王主任, 管理员) and clerk01 (李经办, 窗口经办人); nobody logged in afterwards."""
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK, display_name="李经办")
    users.create_user(ctx, "viewer01", CLERK_PW, Role.VIEWER, display_name="赵查询")
    users.logout(ctx)


def shown_window(qtbot, ctx, settings, **kwargs) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, settings, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def open_page(window: MainWindow, title: str):  # type: ignore[no-untyped-def]
    window.nav.setCurrentRow(nav_titles(window).index(title))
    return window.extra_pages[title]


# --- login ------------------------------------------------------------------------------------------------


def test_setup_mode_creates_the_administrator_through_the_widgets(qtbot, ctx):  # type: ignore[no-untyped-def]
    assert ctx.setup_mode
    dialog = login_dialog_for(ctx)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SetupAdminDialog)
    dialog.show()
    qtbot.keyClicks(dialog.username_edit, "admin")
    dialog.password_edit.setText("short")
    dialog.ok_button.click()
    assert dialog.error.text() == "密码至少10个字符" and ctx.setup_mode
    dialog.password_edit.setText(ADMIN_PW)
    dialog.confirm_edit.setText(ADMIN_PW + "x")
    dialog.display_name_edit.setText("王主任")
    dialog.ok_button.click()
    assert "两次输入的密码不一致" in dialog.error.text() and ctx.user is None
    dialog.confirm_edit.setText(ADMIN_PW)
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not ctx.setup_mode and ctx.user is not None
    assert (ctx.user.username, ctx.user.role, ctx.user.display_name) == ("admin", Role.ADMIN, "王主任")


def test_wrong_passwords_count_down_then_lock_and_the_lock_is_in_the_login_log(qtbot, ctx):  # type: ignore[no-untyped-def]
    make_users(ctx)
    dialog = login_dialog_for(ctx)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, LoginDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username_edit, "clerk01")
    for _attempt in range(1, 6):
        qtbot.keyClicks(dialog.password_edit, "wrong-password")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)  # Enter logs in
        # The same words for every failure: they never tell whether the name exists (issue 21).
        assert dialog.error.text() == "用户名或密码错误" and ctx.user is None
    qtbot.keyClicks(dialog.password_edit, CLERK_PW)  # even the right password is refused while locked
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert "锁定" in dialog.error.text() and ctx.user is None and dialog.isVisible()

    users.login(ctx, "admin", ADMIN_PW)
    actions = [(row.username, row.action) for row in audit.list_entries(ctx, logins=True)]
    assert ("clerk01", "login.locked") in actions and ("clerk01", "login.refused_locked") in actions
    assert actions.count(("clerk01", "login.failure")) == 5


def test_right_password_logs_in_and_the_status_bar_names_the_user(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username_edit, "admin")
    qtbot.keyClicks(dialog.password_edit, ADMIN_PW)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and ctx.user.username == "admin"
    window = shown_window(qtbot, ctx, settings)
    assert window.user_label.text() == "用户：王主任（管理员）"
    assert window.windowTitle() == "盱眙县信用交通"


def test_navigation_follows_the_role(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    clerk_window = shown_window(qtbot, ctx, settings)
    assert clerk_window.user_label.text() == "用户：李经办（窗口经办人）"
    assert "操作日志" not in nav_titles(clerk_window) and "备份与恢复" not in nav_titles(clerk_window)
    clerk_window.close()
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    admin_window = shown_window(qtbot, ctx, settings)
    assert {"操作日志", "备份与恢复"} <= set(nav_titles(admin_window))


# --- operation log ----------------------------------------------------------------------------------------


def test_operation_log_lists_filters_verifies_and_exports(qtbot, ctx, settings, tmp_path, dialogs):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier="91320830PYQLFT169T"))
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    window = shown_window(qtbot, ctx, settings)
    page = open_page(window, "操作日志")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=5000)
    listed = [(page.model.row_at(r).username, page.model.row_at(r).action) for r in range(page.model.rowCount())]
    assert ("admin", "user.create") in listed and ("clerk01", "entity.insert") in listed
    assert all(action not in audit.LOGIN_ACTIONS for _user, action in listed)  # 操作日志 without logins
    seqs = [page.model.row_at(r).seq for r in range(page.model.rowCount())]
    assert seqs == sorted(seqs, reverse=True)  # newest first

    page.user_edit.setText("clerk01")
    qtbot.keyClick(page.user_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.model.loading and "已显示" in page.count_label.text(), timeout=5000)
    users_shown = {page.model.row_at(r).username for r in range(page.model.rowCount())}
    assert users_shown == {"clerk01"}
    clerk_rows = page.model.rowCount()

    page.tabs.setCurrentIndex(1)  # 登录日志, still filtered by clerk01
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=5000)
    assert {page.model.row_at(r).action for r in range(page.model.rowCount())} == {"login.success", "logout"}
    page.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == clerk_rows, timeout=5000)

    with qtbot.waitSignal(page.verified, timeout=5000):
        page.verify_button.click()
    assert page.verify_label.text().startswith("完整")

    target = tmp_path / "日志.xlsx"
    with qtbot.waitSignal(page.exported, timeout=5000) as exported:
        page.export(target)
    assert exported.args == [clerk_rows]
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "时间", "办公室", "用户", "操作", "对象", "摘要", "操作代码")
    assert len(rows) == 1 + clerk_rows and {row[3] for row in rows[1:]} == {"clerk01"}
    inserted = [row for row in rows[1:] if row[7] == "entity.insert"]
    assert inserted and inserted[0][4] == "登记主体"  # the clerk's words, the code beside them for the administrator
    assert inserted[0][5].startswith("市场主体：") and ":" not in inserted[0][5]  # the entity's name, not entity:uuid
    assert audit.list_entries(ctx, action_prefix="export.audit")[0].username == "admin"
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed, not left behind


# --- idle lock --------------------------------------------------------------------------------------------


def test_idle_lock_covers_the_window_and_unlocks_with_the_password(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    window = shown_window(qtbot, ctx, settings, idle_ms=200)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    assert window.lock_screen.isVisible() and ctx.user is None
    assert not window.centralWidget().isEnabled() and not window.quit_action.isEnabled()
    assert "李经办" in window.lock_screen.who.text()

    window.lock_screen.password_edit.setText("wrong-password")
    qtbot.keyClick(window.lock_screen.password_edit, Qt.Key.Key_Return)
    assert window.locked and window.lock_screen.error.text() == "用户名或密码错误"
    window.lock_screen.password_edit.setText(CLERK_PW)
    qtbot.keyClick(window.lock_screen.password_edit, Qt.Key.Key_Return)
    assert not window.locked and not window.lock_screen.isVisible()
    assert ctx.user is not None and ctx.user.username == "clerk01"
    assert window.centralWidget().isEnabled() and window.quit_action.isEnabled()
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    actions = [row.action for row in audit.list_entries(ctx, logins=True, username="clerk01")]
    assert actions[:5] == ["logout", "login.success", "login.failure", "screen.locked", "login.success"]


def test_ctrl_l_locks_and_hides_an_open_form(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    window = shown_window(qtbot, ctx, settings, idle_ms=0)  # 0: no idle lock
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    form = window.registry.new_entity()
    form.name_edit.setText("盱眙县测试公司")
    window.lock_action.trigger()
    assert window.locked and not form.isVisible()
    assert window.unlock(ADMIN_PW)
    assert form.isVisible() and form.name_edit.text() == "盱眙县测试公司"  # typed data survives the lock
    form.done(QDialog.DialogCode.Rejected)


def test_log_out_closes_the_window_for_the_next_user(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    window = shown_window(qtbot, ctx, settings)
    window.logout_action.trigger()
    assert not window.isVisible() and window.outcome == Outcome.LOGOUT and ctx.user is None


# --- backup -----------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("backups are copies of the SQLite file; the server variant follows")
def test_backup_page_backs_up_into_the_folder_and_checks_the_database(qtbot, ctx, settings, tmp_path):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    folder = tmp_path / "backups-here"
    backup.set_backup_settings(ctx, folder=folder, keep=3)
    window = shown_window(qtbot, ctx, settings)
    page = open_page(window, "备份与恢复")
    qtbot.waitUntil(lambda: not page.busy_now and page.folder_edit.text() == str(folder), timeout=5000)
    assert page.keep_spin.value() == 3 and page.backups_table.rowCount() == 0
    page.passphrase_edit.setText("abcdefgh")
    page.passphrase_again_edit.setText("abcdefgX")
    page.backup_button.click()
    assert page.backup_error.text() == "两次输入的口令不一致" and not list(folder.iterdir())
    page.passphrase_edit.clear()
    page.passphrase_again_edit.clear()
    with qtbot.waitSignal(page.backedUp, timeout=10000) as done:
        page.backup_button.click()
    made = Path(done.args[0])
    assert made.parent == folder and made.exists() and made.suffix == ".db"
    qtbot.waitUntil(lambda: not page.busy_now and page.backups_table.rowCount() == 1, timeout=5000)
    assert page.backups_table.item(0, 0).text() == made.name

    with qtbot.waitSignal(page.checked, timeout=10000) as checked:
        page.check_button.click()
    assert checked.args[0].ok and "结论：正常" in page.check_report.toPlainText()


@pytest.mark.postgresql_only("a shared server database")
def test_backup_page_on_a_server_database_says_who_backs_it_up_and_still_checks(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    window = shown_window(qtbot, ctx, settings)
    page = open_page(window, "备份与恢复")
    assert page.server_notice.isVisible() and "pg_dump" in page.server_notice.text()
    assert not page.backup_button.isVisible() and not page.restore_button.isVisible()
    with qtbot.waitSignal(page.checked, timeout=10000) as checked:
        page.check_button.click()
    report = checked.args[0]
    assert report.ok and [i.name for i in report.items] == ["server", "audit_chain", "records", "schema"]
    assert "UTF8" in page.check_report.toPlainText()
    assert "结论：正常" in page.check_report.toPlainText()


@pytest.mark.sqlite_only("restores replace the SQLite file")
def test_restore_from_the_page_reopens_for_login(qtbot, ctx, settings, tmp_path, dialogs):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    saved = backup.backup_now(ctx, tmp_path / "before.db")
    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier="91320830PYQLFT169T"))
    window = shown_window(qtbot, ctx, settings)
    page = open_page(window, "备份与恢复")
    qtbot.waitUntil(lambda: not page.busy_now, timeout=5000)
    with qtbot.waitSignal(page.restored, timeout=10000):
        page.restore(saved)
    question = dialogs.texts("question")[0]
    assert "before.db" in question and "重新登录" in question and "恢复前副本" in question
    assert window.outcome == Outcome.RESTORED and not window.isVisible()
    assert "请重新登录" in dialogs.texts("information")[0]


# --- personal data in the form ----------------------------------------------------------------------------


def test_form_masks_personal_data_until_revealed(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    person = register_entity(ctx, EntityDraft(name="张三", identifier=ID_PERSON, phone="13812345678")).summary
    users.logout(ctx)

    users.login(ctx, "viewer01", CLERK_PW)  # no right to edit nor to see full personal data
    viewer_form = EntityForm(ctx, person.id, None, settings)
    qtbot.addWidget(viewer_form)
    assert viewer_form.identifier_edit.text() == "320830********1236" and viewer_form.phone_edit.text() == "138****5678"
    assert viewer_form.identifier_edit.isReadOnly() and viewer_form.name_edit.isReadOnly()
    assert viewer_form.reveal_button.isHidden() and not viewer_form.save_button.isEnabled()
    users.logout(ctx)

    users.login(ctx, "clerk01", CLERK_PW)
    masked = EntityForm(ctx, person.id, None, settings, reveal=False)
    qtbot.addWidget(masked)
    assert masked.identifier_edit.isReadOnly() and not masked.reveal_button.isHidden()
    masked.reveal_button.click()
    assert masked.identifier_edit.text() == ID_PERSON and masked.phone_edit.text() == "13812345678"
    assert not masked.identifier_edit.isReadOnly() and masked.reveal_button.isHidden() and not masked.is_dirty()

    editor = EntityForm(ctx, person.id, None, settings)  # may edit, but opening is not a reveal: masked
    qtbot.addWidget(editor)
    assert editor.identifier_edit.text() == "320830********1236" and editor.phone_edit.isReadOnly()
    editor.name_edit.setText("张三丰")
    with qtbot.waitSignal(editor.saveFinished, timeout=5000) as finished:  # the write runs off the GUI thread
        assert editor.save()  # a save without revealing keeps the stored ID number and phone
    assert finished.args == [True]
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    reveals = audit.list_entries(ctx, action_prefix="personal.reveal")
    assert [row.username for row in reveals] == ["clerk01"]  # only the click on 显示完整信息; opening is not logged
    stored = get_entity(ctx, person.id, reveal=True).summary
    assert (stored.name, stored.identifier, stored.phone) == ("张三丰", ID_PERSON, "13812345678")


# --- the session loop in app.main ---------------------------------------------------------------------------


@pytest.fixture
def app_db(new_db) -> str:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.context import open_context

    db = new_db("app")
    context = open_context(db)
    try:
        make_users(context)
    finally:
        context.close()
    return db


def test_cancel_on_the_login_screen_exits_with_0(qtbot, app_db, monkeypatch):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui import app, login_dialog

    monkeypatch.setattr(login_dialog, "authenticate", lambda ctx, *a, **k: False)
    assert app.main(["--db", app_db]) == 0


@pytest.mark.sqlite_only("the automatic backup copies the SQLite file (a server is backed up with pg_dump)")
def test_exit_makes_the_automatic_backup_and_logs_out(qtbot, app_db, monkeypatch, _isolated_data_dir):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui import app, login_dialog

    def log_in(ctx, *_a, **_k) -> bool:  # type: ignore[no-untyped-def]
        users.login(ctx, "clerk01", CLERK_PW)
        QTimer.singleShot(100, lambda: [w.close() for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)])
        return True

    monkeypatch.setattr(login_dialog, "authenticate", log_in)
    assert app.main(["--db", app_db]) == 0
    autos = list((_isolated_data_dir / "backups").glob("app-auto-*.db"))
    assert len(autos) == 1
    from xuyi_desktop.services.context import open_context

    context = open_context(app_db)
    try:
        users.login(context, "admin", ADMIN_PW)
        clerk = [row.action for row in audit.list_entries(context, username="clerk01")]
        assert clerk[:3] == ["logout", "backup.auto", "login.success"]
        assert "logout" in [row.action for row in audit.list_entries(context, logins=True, username="clerk01")]
    finally:
        context.close()


# --- issue 21: signing keys on the 用户管理 page, the status on the 核验 page -------------------------------


def test_admin_approves_a_pcs_key_on_the_users_page_after_comparing_the_fingerprint(  # type: ignore[no-untyped-def]
    qtbot, ctx, settings, tmp_path, monkeypatch
):
    from xuyi_desktop.services import office_keys
    from xuyi_desktop.ui.users_page import UsersPage
    from xuyi_desktop.ui.verify_page import describe

    make_users(ctx)
    # The clerk prints from a PC (a data folder) the office has not approved yet.
    monkeypatch.setenv("XUYI_DATA_DIR", str(tmp_path / "counter-2"))
    users.login(ctx, "clerk01", CLERK_PW)
    key = office_keys.print_key(ctx)
    fp = office_keys.fingerprint(key.public_key())
    from xuyi_desktop.printing import qr

    payload = qr.build_payload("HC", f"{ctx.office_code}-HC-2026-000001", ctx.office_code, __import__("datetime").date.today(),
                               {"x": 0}, key.sign)
    headline, lines = describe(office_keys.verify_payload(ctx, payload))
    assert headline.startswith("未经授权：") and any(fp in line for line in lines)
    users.logout(ctx)
    monkeypatch.setenv("XUYI_DATA_DIR", str(tmp_path / "data"))

    users.login(ctx, "admin", ADMIN_PW)
    window = shown_window(qtbot, ctx, settings)
    window.nav.setCurrentRow(nav_titles(window).index("用户管理"))
    page = window.extra_pages["用户管理"]
    assert isinstance(page, UsersPage)
    panel = page.keys_panel
    panel.select_fingerprint(fp)
    assert panel.approve_button.isEnabled() and not panel.retire_button.isEnabled()
    warnings: list[str] = []
    monkeypatch.setattr("xuyi_desktop.ui.keys_panel.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    assert not panel.approve(typed="0000 0000 0000 0000")  # a fingerprint that does not match is refused
    assert warnings and "不符" in warnings[-1]
    assert panel.approve(typed=fp.replace(" ", "").lower())
    row = next(v for v in panel._views if v.fingerprint == fp)
    assert row.status is office_keys.KeyStatus.APPROVED and row.approved_by == "admin"
    assert panel.table.item(panel._views.index(row), 1).text() == "已批准"
    headline, lines = describe(office_keys.verify_payload(ctx, payload))
    assert headline.startswith("有效：") and any("密钥批准：管理员 王主任（admin）" in line for line in lines)
    page.four_eyes_check.setChecked(False)
    from xuyi_desktop.services import four_eyes

    assert not four_eyes.four_eyes_enabled(ctx)
    window.resize(1366, 768)
    shots = os.environ.get("XUYI_SHOTS")
    if shots:  # a screenshot for a person to look at (not part of the assertion)
        window.grab().save(str(Path(shots) / "users_page_keys.png"))
