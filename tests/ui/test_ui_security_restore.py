"""Issue 21, finding 15 in the window: restoring a backup whose records were changed with sqlite3 asks the
administrator a second time, naming the record; No leaves the database as it was, Yes restores (audited)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QMessageBox
from test_ui_security import ADMIN_PW, make_users, open_page, shown_window

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import backup, users
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.ui.main_window import Outcome

NAME = "盱眙县顺达交通运输有限公司"


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.mark.sqlite_only("restores replace the SQLite file")
@pytest.mark.parametrize("insist", [False, True])
def test_a_tampered_backup_needs_a_second_yes(qtbot, ctx, settings, tmp_path: Path, dialogs, insist: bool):  # type: ignore[no-untyped-def]
    make_users(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    register_entity(ctx, EntityDraft(name=NAME, identifier="91320830PYQLFT169T"))
    saved = backup.backup_now(ctx, tmp_path / "before.db")
    conn = sqlite3.connect(saved)
    conn.execute("UPDATE entity SET name = '盱眙县顺达交通运输集团'")
    conn.commit()
    conn.close()
    window = shown_window(qtbot, ctx, settings)
    page = open_page(window, "备份与恢复")
    qtbot.waitUntil(lambda: not page.busy_now, timeout=5000)
    dialogs.answers = [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Yes if insist else QMessageBox.StandardButton.No]
    if insist:
        with qtbot.waitSignal(page.restored, timeout=10000):
            page.restore(saved)
        assert window.outcome == Outcome.RESTORED
    else:
        page.restore(saved)
        qtbot.waitUntil(lambda: len(dialogs.texts("question")) == 2 and not page.busy_now, timeout=10000)
        assert window.outcome != Outcome.RESTORED
    second = dialogs.texts("question")[1]
    assert f"市场主体「盱眙县顺达交通运输集团」的名称应为「{NAME}」" in second and "仍要用这个备份恢复吗" in second
