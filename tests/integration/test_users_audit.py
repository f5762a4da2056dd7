"""Users, roles and the hash-chained audit trail on a real SQLite file, through services and the CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, entities, users
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.context import open_context
from xuyi_desktop.storage.database import make_engine, resolve_db_url
from xuyi_desktop.storage.models import AppUser, AuditEntry

ADMIN_PW, CLERK_PW, VIEWER_PW = "admin-secret-1", "clerk-secret-1", "viewer-secret-1"


@pytest.fixture
def staffed(database: str):  # type: ignore[no-untyped-def]
    """A database with an administrator, a clerk and a viewer; returns the path."""
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk", CLERK_PW, Role.CLERK, unit="县交通运输综合执法大队")
    users.create_user(ctx, "viewer", VIEWER_PW, Role.VIEWER)
    ctx.close()
    return database


def _as(database: str, name: str, password: str):  # type: ignore[no-untyped-def]
    ctx = open_context(database)
    users.login(ctx, name, password)
    return ctx


def test_first_user_must_be_admin_and_setup_mode_ends(ctx) -> None:  # type: ignore[no-untyped-def]
    assert ctx.setup_mode and ctx.actor == "system"
    with pytest.raises(ValidationError):
        users.create_user(ctx, "clerk", CLERK_PW, Role.CLERK)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    assert not ctx.setup_mode
    with pytest.raises(PermissionDenied):  # nobody logged in any more
        entities.find_entities(ctx, "x")


def test_password_is_hashed_never_stored(staffed: str) -> None:
    stored = _rows(staffed, "SELECT password_hash FROM app_user WHERE username='clerk'")[0][0]
    log = " ".join(r[0] + r[1] for r in _rows(staffed, "SELECT summary, details_json FROM audit_log"))
    assert stored.startswith("$argon2") and CLERK_PW not in stored and CLERK_PW not in log


def test_roles_are_enforced_in_the_services(staffed: str) -> None:
    clerk = _as(staffed, "clerk", CLERK_PW)
    with pytest.raises(PermissionDenied) as info:
        users.create_user(clerk, "mallory", "whatever-1", Role.ADMIN)
    assert "没有" in info.value.message_zh
    created = entities.register_entity(clerk, EntityDraft(name="甲运输公司", identifier="91320830PYQLFT169T"))
    viewer = _as(staffed, "viewer", VIEWER_PW)
    assert entities.find_entities(viewer, "甲运输")[0].id == created.summary.id
    with pytest.raises(PermissionDenied):
        entities.register_entity(viewer, EntityDraft(name="乙公司", identifier="923208306JU6UCCY4U"))
    with pytest.raises(PermissionDenied):
        entities.find_entities(viewer, "甲运输", reveal=True)
    with pytest.raises(PermissionDenied):
        audit.list_entries(clerk)


def test_every_change_and_reveal_is_attributable(staffed: str) -> None:
    clerk = _as(staffed, "clerk", CLERK_PW)
    person = entities.register_entity(clerk, EntityDraft(name="张三", identifier="320830199001011236", phone="13812345678"))
    entities.update_entity(clerk, person.summary.id, EntityDraft(name="张三", identifier="320830199001011236", phone="13912345678"), expected_version=1)
    entities.get_entity(clerk, person.summary.id, reveal=True)
    admin = _as(staffed, "admin", ADMIN_PW)
    rows = audit.list_entries(admin, logins=False, username="clerk")
    actions = [r.action for r in rows]
    assert actions[:3] == ["personal.reveal", "entity.update", "entity.insert"]
    assert all(r.office_code == clerk.office_code for r in rows)


def test_five_wrong_passwords_lock_the_account_and_the_lock_is_audited(staffed: str) -> None:
    ctx = open_context(str(staffed))
    for _ in range(4):
        with pytest.raises(users.LoginFailed):
            users.login(ctx, "clerk", "wrong-password")
    with pytest.raises(users.LoginFailed) as info:
        users.login(ctx, "clerk", "wrong-password")
    assert info.value.message_zh == "用户名或密码错误"  # the lock is not announced to someone without the password
    with ctx.transaction() as s:
        locked_until = s.execute(select(AppUser.locked_until).where(AppUser.username == "clerk")).scalar_one()
    assert dt.timedelta(minutes=14) < locked_until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    with pytest.raises(users.LoginFailed) as again:  # the right password does not open a locked account
        users.login(ctx, "clerk", CLERK_PW)
    assert "锁定" in again.value.message_zh
    admin = _as(staffed, "admin", ADMIN_PW)
    log = [r.action for r in audit.list_entries(admin, logins=True, username="clerk")]
    assert log.count("login.failure") == 5 and "login.locked" in log and "login.refused_locked" in log
    # once the lock has run out, the right password works again
    with admin.transaction() as s:
        s.execute(select(AppUser).where(AppUser.username == "clerk")).scalar_one().locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert users.login(ctx, "clerk", CLERK_PW).role is Role.CLERK


def test_audit_log_refuses_updates_and_deletes(staffed: str) -> None:
    ctx = _as(staffed, "admin", ADMIN_PW)
    with pytest.raises(DBAPIError, match="append-only"):
        with ctx.transaction() as s:
            s.execute(text("UPDATE audit_log SET summary = 'x' WHERE seq = 1"))
    with pytest.raises(DBAPIError, match="append-only"):
        with ctx.transaction() as s:
            s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert audit.verify_chain(ctx).ok


def _rows(db: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    """Raw SQL beside the application, as a database shell would run it."""
    engine = make_engine(resolve_db_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _tamper(db: str, sql: str) -> None:
    """What someone with the file and a SQLite shell, or the server's superuser in psql, could do: switch the
    append-only guard off and edit."""
    engine = make_engine(resolve_db_url(db))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER audit_log_no_update"))
                conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            else:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XUYI_USER="admin", XUYI_PASSWORD=ADMIN_PW)
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=60)


def test_editing_an_audit_row_is_named_by_verify(staffed: str) -> None:
    clerk = _as(staffed, "clerk", CLERK_PW)
    entities.register_entity(clerk, EntityDraft(name="甲运输公司", identifier="91320830PYQLFT169T"))
    clerk.close()
    target = _rows(staffed, "SELECT seq FROM audit_log WHERE action = 'entity.insert'")[0][0]
    _tamper(staffed, f"UPDATE audit_log SET username = 'admin' WHERE seq = {target}")
    result = _cli(staffed, "audit", "verify")
    assert result.returncode == 1
    assert f"第{target}条" in result.stderr and f"entry {target}" in result.stderr


def test_deleting_an_audit_row_is_named_by_verify(staffed: str) -> None:
    _tamper(staffed, "DELETE FROM audit_log WHERE seq = 2")
    ctx = open_context(str(staffed))
    report = audit.verify_chain(ctx)
    assert not report.ok and report.first_broken_seq == 2 and "缺失" in report.reason_zh


def test_cutting_off_the_tail_is_detected(staffed: str) -> None:
    last = _rows(staffed, "SELECT max(seq) FROM audit_log")[0][0]
    _tamper(staffed, f"DELETE FROM audit_log WHERE seq = {last}")
    report = audit.verify_chain(open_context(str(staffed)))
    assert not report.ok and report.first_broken_seq == last


def test_cli_refuses_what_the_role_does_not_allow(staffed: str) -> None:
    env = dict(os.environ, XUYI_USER="clerk", XUYI_PASSWORD=CLERK_PW, XUYI_NEW_PASSWORD="another-secret")
    result = subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(staffed), "user", "add", "mallory", "--role", "admin"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1 and "没有“管理用户”的权限" in result.stderr
    no_login = subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(staffed), "entity", "find", "x"],
        capture_output=True, text=True, env={k: v for k, v in os.environ.items() if not k.startswith("XUYI_") or k == "XUYI_DATA_DIR"}, timeout=60,
    )
    assert no_login.returncode == 1 and "登录" in no_login.stderr
    assert _rows(staffed, "SELECT count(*) FROM app_user WHERE username='mallory'")[0][0] == 0
    assert AuditEntry.__tablename__ == "audit_log"
