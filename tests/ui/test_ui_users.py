"""用户管理: an administrator adds, unlocks, deactivates users through the page; other roles never see it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QTimer

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, users
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.ui.main_window import MainWindow
from xuyi_desktop.ui.users_page import NewUserDialog, UsersPage

ADMIN_PW = "admin-pass-2026"
CLERK_PW = "clerk-pass-2026"


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def make_users(ctx) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK, display_name="李经办")
    users.logout(ctx)


def shown_window(qtbot, ctx, settings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def open_users_page(qtbot, ctx, settings) -> UsersPage:  # type: ignore[no-untyped-def]
    window = shown_window(qtbot, ctx, settings)
    window.nav.setCurrentRow(nav_titles(window).index("用户管理"))
    page = window.extra_pages["用户管理"]
    assert isinstance(page, UsersPage)
    return page


def test_admin_adds_a_clerk_through_the_page_and_the_clerk_logs_in(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    page = open_users_page(qtbot, ctx, settings)
    assert page.row_of("clerk01") >= 0
    assert page.table.item(page.row_of("clerk01"), 2).text() == "窗口经办人"
    assert page.table.item(page.row_of("clerk01"), 4).text() == "正常"
    seen: dict[str, object] = {}

    def fill_in() -> None:
        dialog = next(d for d in page.findChildren(NewUserDialog) if d.isVisible())
        try:
            fill(dialog)
        finally:  # a failed step must not leave the modal dialog waiting forever
            if dialog.isVisible():
                dialog.reject()

    def fill(dialog: NewUserDialog) -> None:
        assert [dialog.role_combo.itemText(i) for i in range(dialog.role_combo.count())] == [
            "窗口经办人",
            "审核人",
            "查询",
            "管理员",
        ]
        dialog.username_edit.setText("zhang san")  # a space: refused by the service, shown beside the field
        dialog.password_edit.setText("short")
        dialog.confirm_edit.setText("short")
        dialog.ok_button.click()
        seen["username_error"] = dialog.username_error.text()
        seen["password_error"] = dialog.password_error.text()
        dialog.username_edit.setText("clerk02")
        dialog.display_name_edit.setText("张经办")
        dialog.unit_edit.setText("盱眙县交通运输局")
        dialog.password_edit.setText("clerk02-pass")
        dialog.confirm_edit.setText("clerk02-pass-x")
        dialog.ok_button.click()
        seen["confirm_error"] = dialog.confirm_edit.text() == "" and dialog.confirm_error.text()
        dialog.confirm_edit.setText("clerk02-pass")
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_in)
    page.add_button.click()
    assert seen["username_error"] == "用户名不能为空，不能含空格，最长64个字符"
    assert seen["password_error"] == "密码至少10个字符；密码须包含小写字母、大写字母、数字、符号中的至少2种"
    assert seen["confirm_error"] == "两次输入的密码不一致"
    row = page.row_of("clerk02")
    assert row >= 0 and [page.table.item(row, c).text() for c in range(5)] == [
        "clerk02",
        "张经办",
        "窗口经办人",
        "盱眙县交通运输局",
        "正常",
    ]
    users.logout(ctx)
    clerk = users.login(ctx, "clerk02", "clerk02-pass")
    assert (clerk.username, clerk.role, clerk.unit) == ("clerk02", Role.CLERK, "盱眙县交通运输局")


def test_a_clerk_has_no_user_management(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    window = shown_window(qtbot, ctx, settings)
    assert "用户管理" not in nav_titles(window) and "用户管理" not in window.extra_pages
    with pytest.raises(PermissionDenied) as refused:
        users.create_user(ctx, "sneaky", "sneaky-pass-1", Role.ADMIN)
    assert refused.value.message_zh == "clerk01（窗口经办人）没有“管理用户”的权限"
    for call in (
        lambda: users.set_active(ctx, "admin", False),
        lambda: users.unlock_user(ctx, "clerk01"),
        lambda: users.reset_password(ctx, "admin", "taken-over-1"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_locked_user_is_unlocked_from_the_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    for _ in range(users.MAX_FAILED_ATTEMPTS):
        with pytest.raises(users.LoginFailed):
            users.login(ctx, "clerk01", "wrong-password")
    users.login(ctx, "admin", ADMIN_PW)
    page = open_users_page(qtbot, ctx, settings)
    row = page.row_of("clerk01")
    assert page.table.item(row, 4).text().startswith("锁定至 ")
    page.select("clerk01")
    assert page.unlock_button.isEnabled()
    page.unlock_button.click()
    assert page.table.item(page.row_of("clerk01"), 4).text() == "正常" and not page.unlock_button.isEnabled()
    users.logout(ctx)
    assert users.login(ctx, "clerk01", CLERK_PW).username == "clerk01"
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    assert audit.list_entries(ctx, action_prefix="user.unlock")[0].record_id == "clerk01"


def test_deactivating_the_last_admin_is_refused_and_others_can_be_deactivated(qtbot, ctx, settings, dialogs):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "admin2", ADMIN_PW, Role.ADMIN, display_name="钱副主任")
    page = open_users_page(qtbot, ctx, settings)

    page.select("admin")  # yourself
    page.toggle_button.click()
    assert dialogs.texts("warning")[-1] == "不能停用自己的账户"
    page.select("admin2")
    page.toggle_button.click()  # the question is answered Yes
    assert page.table.item(page.row_of("admin2"), 4).text() == "停用" and page.toggle_button.text() == "启用"
    page.select("clerk01")
    page.toggle_button.click()
    assert page.table.item(page.row_of("clerk01"), 4).text() == "停用"
    users.logout(ctx)
    with pytest.raises(users.LoginFailed):
        users.login(ctx, "clerk01", CLERK_PW)

    # admin is now the only active administrator: refused even for another administrator (an admin who is
    # not admin itself, as a maintenance tool would act)
    users.login(ctx, "admin", ADMIN_PW)
    ctx.user = ctx.user.__class__("root-tool", Role.ADMIN, "", "维护工具")
    with pytest.raises(ValidationError) as refused:
        users.set_active(ctx, "admin", False)
    assert refused.value.message_zh == "不能停用最后一个可用的管理员"
    ctx.user = None
    users.login(ctx, "admin", ADMIN_PW)
    deactivated = [row.record_id for row in audit.list_entries(ctx, action_prefix="user.deactivate")]
    assert sorted(deactivated) == ["admin2", "clerk01"]


def test_reset_password_from_the_page_never_logs_the_password(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    page = open_users_page(qtbot, ctx, settings)
    page.select("clerk01")
    assert page.reset_password("new-clerk-pass")
    users.logout(ctx)
    users.login(ctx, "clerk01", "new-clerk-pass")
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    entries = audit.list_entries(ctx, action_prefix="user.reset_password")
    assert len(entries) == 1 and "new-clerk-pass" not in entries[0].summary


def test_an_administrator_limits_lists_to_each_unit_from_the_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import list_scope

    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    page = open_users_page(qtbot, ctx, settings)
    assert page.unit_only_check.isVisible() and not page.unit_only_check.isChecked()
    page.unit_only_check.click()
    assert list_scope.lists_restricted(ctx) and "只看本单位" in page.status_label.text()
    page.unit_only_check.click()
    assert not list_scope.lists_restricted(ctx) and "全部单位" in page.status_label.text()
    assert [e.action for e in audit.list_entries(ctx, action_prefix="settings.list_scope")] == ["settings.list_scope"] * 2
