"""Grab the login dialog, the operation log and the backup page to PNG files, to check them by eye.

    xvfb-run -a python -m xuyi_desktop.ui.screenshot_security --out /tmp/shots

Uses a throw-away database (users, a few entities, a wrong password, two backups) and a temporary INI file.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import backup, users
from xuyi_desktop.ui.login_dialog import LoginDialog
from xuyi_desktop.ui.screenshot import seed
from xuyi_desktop.ui.screenshot_kit import go_to, grab, ini_settings, open_window, settle_for, shooting, window_args


def main(argv: list[str] | None = None) -> int:
    args, out = window_args("python -m xuyi_desktop.ui.screenshot_security", argv, 1280, 800)
    work = Path(tempfile.mkdtemp())

    with shooting(str(work / "demo.db")) as (app, ctx, shots):
        users.create_user(ctx, "admin", "admin-pass-2026", Role.ADMIN, display_name="王主任")
        users.login(ctx, "admin", "admin-pass-2026")
        users.create_user(ctx, "lijb", "clerk-pass-2026", Role.CLERK, display_name="李经办")
        backup.set_backup_settings(ctx, folder=work / "backups", keep=10)
        seed(ctx, 40)
        users.logout(ctx)
        for _ in range(2):
            try:
                users.login(ctx, "lijb", "wrong")
            except users.LoginFailed:
                pass

        dialog = LoginDialog(ctx, None, "lijb")
        dialog.show()
        dialog.password_edit.setText("wrong")
        dialog.submit()
        settle_for(app)
        shots.append(grab(dialog, out / "login.png"))
        dialog.close()

        users.login(ctx, "admin", "admin-pass-2026")
        backup.backup_now(ctx)
        backup.auto_backup_if_due(ctx, on_exit=True)
        window = open_window(ctx, ini_settings(work / "ui.ini"), args.width, args.height, idle_ms=0)
        log = go_to(window, "操作日志")
        settle_for(app)
        log.verify()
        settle_for(app, 1.0)
        shots.append(grab(window, out / "audit_log.png"))
        log.tabs.setCurrentIndex(1)
        settle_for(app)
        shots.append(grab(window, out / "login_log.png"))

        page = go_to(window, "备份与恢复")
        settle_for(app)
        page.check()
        settle_for(app, 1.5)
        shots.append(grab(window, out / "backup.png"))

        window.lock()
        settle_for(app)
        shots.append(grab(window, out / "lock.png"))
        window.unlock("admin-pass-2026")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
