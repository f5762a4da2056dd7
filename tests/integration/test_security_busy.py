"""Issue 21, finding 13: a long import (another program holding the write lock) does not lock out logins.
The login is decided on a read; its audit entry is written by the next write, and a wrong password given
meanwhile is counted then."""

from __future__ import annotations

import threading
import time
from typing import Self

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.storage.models import AppUser

ADMIN_PW, CLERK_PW = "Xuyi-admin-2026", "Xuyi-clerk-2026"


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


class HeldWriteLock:
    """Another program in the middle of a long import: a write transaction holding the lock the login needs."""

    def __init__(self, database: str) -> None:
        self.ctx = open_context(database)
        self.release = threading.Event()
        self.held = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.ctx.transaction() as session:
            session.execute(text("UPDATE counter SET value = value WHERE name = 'audit_log'"))  # the chain's lock
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("UPDATE app_user SET updated_at = updated_at"))
            self.held.set()
            self.release.wait(30)

    def __enter__(self) -> Self:
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)
        self.ctx.close()


@pytest.mark.slow
def test_logins_go_through_while_an_import_holds_the_write_lock(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    setup = open_context(database)
    users.create_user(setup, "admin", ADMIN_PW, Role.ADMIN)
    users.login(setup, "admin", ADMIN_PW)
    users.create_user(setup, "clerk01", CLERK_PW, Role.CLERK)
    setup.close()

    ctx = open_context(database)
    with HeldWriteLock(database):
        started = time.monotonic()
        with pytest.raises(users.LoginFailed, match="用户名或密码错误"):
            users.login(ctx, "clerk01", "wrong-password-1")
        assert users.login(ctx, "clerk01", CLERK_PW).username == "clerk01"
        waited = time.monotonic() - started
        assert ctx.user is not None and len(ctx.deferred_audit) == 2
    print(f"two logins behind a held write lock: {waited:.1f} s (a login waits 3 s at most for the lock; the usual wait is 10 s)")
    register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=uscc(1), categories=("road_operator",)))
    assert ctx.deferred_audit == []
    admin = open_context(database)
    users.login(admin, "admin", ADMIN_PW)
    log = [(r.action, r.username) for r in audit.list_entries(admin, limit=10)]
    assert ("login.failure", "clerk01") in log and ("login.success", "clerk01") in log
    assert log.index(("login.success", "clerk01")) > log.index(("entity.insert", "clerk01"))  # newest first: login before
    with admin.transaction() as s:
        assert s.execute(select(AppUser.failed_attempts).where(AppUser.username == "clerk01")).scalar_one() == 0  # reset by the login
    assert audit.verify_chain(admin).ok
    admin.close()
    ctx.close()
