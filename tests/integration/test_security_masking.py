"""Issue 21, findings 2, 3, 4, 7 and 12: masking that holds for viewers, whole-identifier search for them,
identifier searches audited, a lockout that counts parallel attempts, hostile names, one message for every
failed login, password rules."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft, EntityKind
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.identifiers import id_check_char
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import audit, sgs, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.entities import entity_history, find_entities, register_entity, update_entity
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.storage.models import AppUser

ADMIN_PW, CLERK_PW, VIEWER_PW = "Xuyi-admin-2026", "Xuyi-clerk-2026", "Xuyi-viewer-2026"


def id_number(n: int) -> str:
    first17 = f"32083019800101{n:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def staffed(database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK)
    users.create_user(ctx, "viewer01", VIEWER_PW, Role.VIEWER)
    users.logout(ctx)
    ctx.close()
    return database


def as_user(database: str, name: str, password: str):  # type: ignore[no-untyped-def]
    ctx = open_context(database)
    users.login(ctx, name, password)
    return ctx


def test_a_viewers_sgs_list_json_masks_id_numbers(staffed: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    clerk = as_user(staffed, "clerk01", CLERK_PW)
    raw = penalty_raw(5, dt.date(2025, 3, 3), person=True)
    full = raw["xdr_zjhm"]
    sgs.add_record(clerk, RecordKind.PENALTY, raw, today=dt.date(2025, 3, 4))
    assert sgs.list_records(clerk)[0].values["xdr_zjhm"] == full  # the clerk may see it (and edit the record)
    clerk.close()
    monkeypatch.setenv("XUYI_PASSWORD", VIEWER_PW)
    capsys.readouterr()
    assert main(["--db", staffed, "--user", "viewer01", "sgs", "list", "--json"]) == 0
    out = capsys.readouterr().out
    (record,) = json.loads(out)
    assert full not in out and record["values"]["xdr_zjhm"] == full[:6] + "********" + full[-4:]
    viewer = as_user(staffed, "viewer01", VIEWER_PW)
    assert full not in json.dumps([v.to_json() for v in sgs.history(viewer, sgs.list_records(viewer)[0].id)])
    viewer.close()


def test_a_viewer_cannot_rebuild_a_masked_id_number_by_prefix_searches(staffed: str) -> None:
    clerk = as_user(staffed, "clerk01", CLERK_PW)
    full = id_number(7)
    person = register_entity(clerk, EntityDraft(name="王小明", identifier=full, kind=EntityKind.PERSON, phone="13812345678"))
    update_entity(clerk, person.summary.id, EntityDraft(name="王小明", identifier=full, kind=EntityKind.PERSON, phone="13900001111"),
                  expected_version=person.summary.version)
    assert [h.identifier for h in find_entities(clerk, full[:10])] == [full[:6] + "********" + full[-4:]]  # clerks: prefixes
    clerk.close()

    viewer = as_user(staffed, "viewer01", VIEWER_PW)
    for prefix in (full[:8], full[:10], full[:14], full[:17]):
        assert find_entities(viewer, prefix) == [], prefix
    (hit,) = find_entities(viewer, full)  # the whole number finds the person, masked
    assert hit.identifier == full[:6] + "********" + full[-4:] and hit.phone == "139****1111"
    history = json.dumps([[e.before, e.after] for e in entity_history(viewer, hit.id)], ensure_ascii=False)
    assert full not in history and "13812345678" not in history and "13900001111" not in history
    viewer.close()

    admin = as_user(staffed, "admin", ADMIN_PW)
    searches = [r for r in audit.list_entries(admin, action_prefix="search.identifier") if r.username == "viewer01"]
    assert len(searches) == 5 and all(full not in r.summary for r in searches)
    assert f"按证件号码查询：{full[:6]}********{full[-4:]}（1条）" in [r.summary for r in searches]
    admin.close()


def test_whole_identifier_searches_are_rate_limited_for_viewers(staffed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from xuyi_desktop.services import entities

    monkeypatch.setattr(entities, "IDENTIFIER_SEARCHES_PER_HOUR", 3)
    viewer = as_user(staffed, "viewer01", VIEWER_PW)
    for n in range(3):
        find_entities(viewer, id_number(100 + n))
    with pytest.raises(ValidationError, match="一小时内按证件号码查询"):
        find_entities(viewer, id_number(200))
    assert find_entities(viewer, "盱眙") == []  # name searches are not limited
    viewer.close()


@pytest.mark.slow
def test_ten_parallel_wrong_passwords_lock_the_account(database: str) -> None:
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK)
    env = dict(os.environ, XUYI_PASSWORD="wrong-password-1")
    cmd = [sys.executable, "-c", "import sys; from xuyi_desktop.cli import main; sys.exit(main())",
           "--db", database, "--user", "clerk01", "entity", "find", "盱眙"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(10)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert all(code == 1 and err.strip() == "错误：用户名或密码错误 (wrong user name or password)" for code, err in results), results
    with ctx.transaction() as s:
        locked_until = s.execute(select(AppUser.locked_until).where(AppUser.username == "clerk01")).scalar_one()
    assert locked_until is not None and locked_until > dt.datetime.now(dt.UTC)
    log = [r.action for r in audit.list_entries(ctx, logins=True, username="clerk01")]
    # Every attempt is in the log (those that met a busy database are written at exit), the lock exactly once.
    assert log.count("login.failure") + log.count("login.refused_locked") == 10 and log.count("login.locked") == 1, log
    ctx.close()


def test_unknown_user_and_wrong_password_get_the_same_message(staffed: str, tmp_path: Path) -> None:
    ctx = open_context(staffed)
    messages = set()
    for name, pw in (("nobody", "whatever-123"), ("clerk01", "wrong-pass-123"), ("x" * 5000, "whatever-123"),
                     ("clerk\x1b[2J01", "whatever-123")):
        with pytest.raises(users.LoginFailed) as failed:
            users.login(ctx, name, pw)
        messages.add(failed.value.message_zh)
    assert messages == {"用户名或密码错误"}
    admin = as_user(staffed, "admin", ADMIN_PW)
    rows = audit.list_entries(admin, logins=True)
    assert max(len(r.username) for r in rows) <= 64 and max(len(r.summary) for r in rows) < 300
    assert not any("\x1b" in r.username or "\x1b" in r.summary for r in rows)
    # The audit-log export still works after a hostile name (it broke for good before).
    from xuyi_desktop.services.audit_export import export_audit

    assert export_audit(admin, tmp_path / "log.xlsx") > 0
    admin.close()
    ctx.close()


@pytest.mark.parametrize("password, why", [
    ("12345678", "至少10个字符"), ("password", "至少10个字符"), ("1234567890", "过于常见"), ("Password2026!", "过于常见"),
    ("clerk02clerk02", None), ("clerk02", "至少10个字符"), ("clerk02-2026", "不能是用户名"), ("aaaaaaaaaaaa", "至少2种"),
    ("qwertyuiop", "至少2种"), ("盱眙交通运输局信用科", "至少2种"), ("Xuyi交通运输局信用科", None),
])
def test_password_rules(staffed: str, password: str, why: str | None) -> None:
    admin = as_user(staffed, "admin", ADMIN_PW)
    if why is None:
        users.create_user(admin, "clerk02", password, Role.CLERK)
    else:
        with pytest.raises(ValidationError, match=why):
            users.create_user(admin, "clerk02", password, Role.CLERK)
    admin.close()


@pytest.mark.parametrize("name", ["盱眙县\x1b[31m顺达运输有限公司", "盱眙县顺达运输有限公司\x07", "\u202e司公限有输运达顺县眙盱",
                                  "盱眙县顺达\u200b运输有限公司", "盱眙县顺达\x00运输有限公司"])
def test_names_with_control_or_format_characters_are_refused(staffed: str, name: str) -> None:
    clerk = as_user(staffed, "clerk01", CLERK_PW)
    with pytest.raises(ValidationError, match="控制字符或不可见的格式字符"):
        register_entity(clerk, EntityDraft(name=name, identifier=id_number(9), kind=EntityKind.PERSON))
    clerk.close()
    admin = as_user(staffed, "admin", ADMIN_PW)
    with pytest.raises(ValidationError, match="控制字符"):
        users.create_user(admin, "ab\u202ecd", "Good-pass-2026", Role.CLERK)
    admin.close()


def test_deleting_the_users_around_the_program_does_not_return_to_set_up_mode(
    staffed: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = open_context(staffed)
    with ctx.engine.begin() as conn:  # what an SQL tool can do to the file
        conn.exec_driver_sql("DELETE FROM app_user")
    ctx.close()
    ctx = open_context(staffed)
    assert not ctx.setup_mode and not ctx.can(audit.Permission.VIEW)
    ctx.close()
    monkeypatch.delenv("XUYI_USER", raising=False)
    capsys.readouterr()
    assert main(["--db", staffed, "entity", "add", "--name", "盱眙县顺达运输有限公司", "--id", "91320830PYQLFT169T"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：数据库中没有任何用户，但操作日志记录过用户") and err.count("\n") == 1
