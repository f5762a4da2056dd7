"""Users: the first administrator, adding users, logging in with lockout. Passwords are argon2 hashes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.passwords import PasswordPolicy, load_policy, password_problems
from xuyi_desktop.domain.permissions import Permission, Role
from xuyi_desktop.domain.text_safety import escape_unsafe, name_problem
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext, CurrentUser
from xuyi_desktop.storage.database import short_lock_wait
from xuyi_desktop.storage.models import AppUser, utcnow
from xuyi_desktop.storage.queries import users as user_queries

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MAX_USERNAME = 64
_hasher = PasswordHasher()
_dummy: list[str] = []  # a hash to check against for unknown names, so they take as long as wrong passwords
WRONG = "用户名或密码错误"  # the same for an unknown user, a deactivated one and a wrong password


def password_policy() -> PasswordPolicy:
    return load_policy(resource_path("security", "passwords.toml"))


class LoginFailed(DomainError):
    """Wrong name or password, or a locked account. Deliberately does not say which of name/password."""

    def __init__(self, message_zh: str, message_en: str, locked_until: dt.datetime | None = None) -> None:
        self.message_zh, self.message_en, self.locked_until = message_zh, message_en, locked_until
        super().__init__(message_zh)


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    role: Role
    unit: str
    active: bool
    locked_until: dt.datetime | None

    @property
    def locked(self) -> bool:
        """Locked out now by wrong passwords (the lock ends by itself at locked_until, or an administrator unlocks)."""
        return self.locked_until is not None and self.locked_until > utcnow()


def _check_new(username: str, password: str) -> None:
    problems = []
    if not username or len(username) > MAX_USERNAME or any(ch.isspace() for ch in username):
        problems.append(FieldProblem("username", f"用户名不能为空，不能含空格，最长{MAX_USERNAME}个字符", "invalid user name"))
    elif why := name_problem(username):
        problems.append(FieldProblem("username", f"用户名{why}", "user name contains control or format characters"))
    problems += password_problems(password, username, password_policy())
    if problems:
        raise ValidationError(problems)


def _by_name(session: Session, username: str) -> AppUser | None:
    return user_queries.by_name(session, username)


def create_user(
    ctx: AppContext, username: str, password: str, role: Role, *, unit: str = "", display_name: str = ""
) -> UserView:
    """Add a user. In set-up mode only an administrator may be created (the first user); after that the
    caller needs the user-management right."""
    username = username.strip()
    if ctx.setup_mode and role is not Role.ADMIN:
        raise ValidationError(FieldProblem("role", "第一个用户必须是管理员", "the first user must be an administrator"))
    audit.require(ctx, Permission.USER_MANAGE)
    _check_new(username, password)
    from xuyi_desktop.services.units import canonical_unit

    unit = canonical_unit(unit)  # one of 局属各单位 (an alias becomes its standard name), or none
    with ctx.transaction() as session:
        if _by_name(session, username) is not None:
            raise ValidationError(FieldProblem("username", f"用户名“{username}”已存在", "user name already exists"))
        user = AppUser(
            username=username, display_name=display_name.strip() or username, role=role.value, unit=unit.strip(),
            password_hash=_hasher.hash(password),
        )
        session.add(user)
        audit.write(session, ctx, "user.create", f"新增用户 {username}（{role.label}）", record_table="app_user", record_id=user.username)
    if ctx.setup_mode:
        from xuyi_desktop.services.office_keys import approve_on_setup

        approve_on_setup(ctx, username, user.display_name)  # still in set-up mode: the first administrator vouches for this PC's key
    ctx.setup_mode = False
    return UserView(username, user.display_name, role, user.unit, True, None)


def _shown_name(username: str) -> str:
    """A login name as the audit log may hold it: escaped, and cut to the column's width."""
    shown = escape_unsafe(username, keep_whitespace=False)
    return shown if len(shown) <= MAX_USERNAME else shown[: MAX_USERNAME - 1] + "…"


def login(ctx: AppContext, username: str, password: str) -> CurrentUser:
    """Check the password; 5 failures in a row lock the account for 15 minutes. Every outcome is audited
    and committed, including failures (the error is raised after the commit).

    The password is checked outside any transaction (argon2 takes a tenth of a second; nobody waits on it),
    and the failure count is raised by one UPDATE … RETURNING, so parallel attempts cannot lose a count.
    An unknown name, a deactivated user and a wrong password get the same message in the same time; only
    someone who knows the password learns that the account is locked."""
    username = username.strip()
    shown = _shown_name(username) or "?"
    now = utcnow()
    valid_name = 0 < len(username) <= MAX_USERNAME and name_problem(username) is None
    user_id, stored, active = None, None, False
    if valid_name:
        with ctx.transaction() as session:
            user = _by_name(session, username)
            if user is not None:
                user_id, stored, active = user.id, user.password_hash, user.active
    if not _dummy:
        _dummy.append(_hasher.hash("xuyi-timing-equaliser"))
    ok = _verify(stored or _dummy[0], password) and stored is not None
    failure: LoginFailed | None = None
    try:
        with ctx.transaction() as session:
            _short_lock_wait(session)
            failure, current = _record_outcome(session, ctx, username, shown, now, valid_name, user_id, active, ok, password)
    except OperationalError as exc:
        if not _is_busy(exc):
            raise
        # Another window holds the write lock (a long import): reading still works, so the password was
        # checked; the entry is kept and written by this context's next write. A right password logs in now;
        # a wrong one is refused after a pause (it is counted when the entry is written).
        failure, current = _deferred_outcome(ctx, username, shown, now, valid_name, user_id, active, ok, password)
    if failure is not None:
        raise failure
    assert current is not None  # no failure: a user
    return current


LOCK_WAIT_MS = 3000


def _short_lock_wait(session: Session) -> None:
    """The login's write waits at most LOCK_WAIT_MS for the write lock (not the usual 10 s)."""
    short_lock_wait(session, LOCK_WAIT_MS)


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig or exc).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text


def _deferred_outcome(ctx: AppContext, username: str, shown: str, now: dt.datetime, valid_name: bool, user_id: Any,
                      active: bool, ok: bool, password: str) -> tuple[LoginFailed | None, CurrentUser | None]:
    import time

    from xuyi_desktop.services.audit import _entry

    with ctx.transaction() as session:  # a read: the lock of the other window does not stop it
        user = session.get(AppUser, user_id) if user_id is not None else None
        locked = user is not None and user.locked_until is not None and user.locked_until > now
        current = CurrentUser(user.username, Role(user.role), user.unit, user.display_name) if user is not None else None
    if user is not None and active and ok and not locked and current is not None:
        ctx.user = current
        ctx.deferred_audit.append({**_entry(ctx, "login.success", f"{username} 登录（数据库正忙，稍后记录）", "", "", None, None),
                                   "at": now, "reset_user_id": str(user_id)})
        return None, current
    entry = _entry(ctx, "login.failure", f"登录失败：用户 {shown}（数据库正忙时）", "", "", None, shown)
    entry["at"] = now
    if user is not None and active and not ok and not locked:
        entry["failed_user_id"] = str(user_id)
    ctx.deferred_audit.append(entry)
    time.sleep(2)  # no fast guessing while the count cannot be written
    return LoginFailed(WRONG, "wrong user name or password"), None


def reset_deferred_success(session: Session, user_id: str) -> None:
    """A login that succeeded while the database was busy clears the failure count, as an immediate one does."""
    import uuid

    user_queries.clear_failures_if_unlocked(session, uuid.UUID(user_id))


def count_deferred_failure(session: Session, ctx: AppContext, user_id: str, shown: str) -> None:
    """A wrong password given while the database was busy, counted now (and locking as usual)."""
    import uuid

    now = utcnow()
    counted = user_queries.count_failure(session, uuid.UUID(user_id), now)
    if counted is not None and counted >= MAX_FAILED_ATTEMPTS:
        user_queries.lock(session, uuid.UUID(user_id), now + dt.timedelta(minutes=LOCK_MINUTES))
        audit.write(session, ctx, "login.locked", f"连续{MAX_FAILED_ATTEMPTS}次密码错误，账户 {shown} 锁定{LOCK_MINUTES}分钟", username=shown)


def _record_outcome(session: Session, ctx: AppContext, username: str, shown: str, now: dt.datetime, valid_name: bool,
                    user_id: Any, active: bool, ok: bool, password: str) -> tuple[LoginFailed | None, CurrentUser | None]:
    failure: LoginFailed | None = None
    current: CurrentUser | None = None
    if user_id is None or not active:
        why = "用户名不合规" if not valid_name else ("不存在" if user_id is None else "已停用")
        audit.write(session, ctx, "login.failure", f"登录失败：用户 {shown} {why}", username=shown)
        failure = LoginFailed(WRONG, "wrong user name or password")
    elif ok:
        # Clearing the count only when the account is not locked: one statement, so a lock set by a
        # parallel attempt a moment ago is seen.
        cleared = user_queries.clear_if_unlocked(session, user_id, now)
        user = session.get(AppUser, user_id, populate_existing=True)
        assert user is not None
        if cleared is None:
            audit.write(session, ctx, "login.refused_locked", f"账户 {shown} 已锁定，拒绝登录", username=shown)
            failure = LoginFailed(_locked_text(user.locked_until or now), "account locked", user.locked_until)
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            current = CurrentUser(user.username, Role(user.role), user.unit, user.display_name)
            ctx.user = current
            audit.write(session, ctx, "login.success", f"{username} 登录")
    else:
        counted = user_queries.count_failure(session, user_id, now)
        failure = LoginFailed(WRONG, "wrong user name or password")
        if counted is None:
            audit.write(session, ctx, "login.refused_locked", f"账户 {shown} 已锁定，密码错误", username=shown)
        else:
            audit.write(session, ctx, "login.failure", f"登录失败：{shown} 密码错误（第{counted}次）", username=shown)
            if counted >= MAX_FAILED_ATTEMPTS:
                user_queries.lock(session, user_id, now + dt.timedelta(minutes=LOCK_MINUTES))
                audit.write(session, ctx, "login.locked",
                            f"连续{MAX_FAILED_ATTEMPTS}次密码错误，账户 {shown} 锁定{LOCK_MINUTES}分钟", username=shown)
    return failure, current


def _locked_text(until: dt.datetime) -> str:
    return f"账户已锁定，请于 {until.astimezone():%H:%M} 后再试"


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def logout(ctx: AppContext, reason: str = "logout") -> None:
    """End the session (reason 'screen.locked' for the idle lock); audited."""
    if ctx.user is None:
        return
    with ctx.transaction() as session:
        audit.write(session, ctx, reason, f"{ctx.user.username} {'锁屏' if reason == 'screen.locked' else '退出登录'}")
    ctx.user = None


def list_users(ctx: AppContext) -> list[UserView]:
    audit.require(ctx, Permission.USER_MANAGE)
    with ctx.transaction() as session:
        return [
            UserView(u.username, u.display_name, Role(u.role), u.unit, u.active, u.locked_until)
            for u in user_queries.all_by_name(session)
        ]


# --- administration of existing users (user-management right) ---------------------------------------------


def _existing(session: Session, username: str) -> AppUser:
    user = _by_name(session, username.strip())
    if user is None:
        raise ValidationError(FieldProblem("username", f"用户“{username}”不存在", "no such user"))
    return user


def set_active(ctx: AppContext, username: str, active: bool) -> UserView:
    """Deactivate (the user can no longer log in; nothing is deleted) or reactivate a user. Refuses to
    deactivate yourself or the last active administrator."""
    audit.require(ctx, Permission.USER_MANAGE)
    with ctx.transaction() as session:
        user = _existing(session, username)
        if not active and ctx.user is not None and user.username == ctx.user.username:
            raise ValidationError(FieldProblem("username", "不能停用自己的账户", "cannot deactivate yourself"))
        if not active and user.role == Role.ADMIN.value and user.active:
            admins = user_queries.active_admins(session, Role.ADMIN.value)
            if len(admins) <= 1:
                raise ValidationError(
                    FieldProblem("username", "不能停用最后一个可用的管理员", "cannot deactivate the last active administrator")
                )
        if user.active != active:
            user.active = active
            action, verb = ("user.activate", "启用") if active else ("user.deactivate", "停用")
            audit.write(session, ctx, action, f"{verb}用户 {user.username}", record_table="app_user", record_id=user.username)
        return UserView(user.username, user.display_name, Role(user.role), user.unit, user.active, user.locked_until)


def unlock_user(ctx: AppContext, username: str) -> UserView:
    """Lift a lockout after too many wrong passwords (and reset the failure count)."""
    audit.require(ctx, Permission.USER_MANAGE)
    with ctx.transaction() as session:
        user = _existing(session, username)
        user.locked_until, user.failed_attempts = None, 0
        audit.write(session, ctx, "user.unlock", f"解锁用户 {user.username}", record_table="app_user", record_id=user.username)
        return UserView(user.username, user.display_name, Role(user.role), user.unit, user.active, None)


def reset_password(ctx: AppContext, username: str, new_password: str) -> None:
    """Set a new password for a user (who forgot theirs); also lifts a lockout. The password is never logged."""
    audit.require(ctx, Permission.USER_MANAGE)
    with ctx.transaction() as session:
        user = _existing(session, username)
        problems = password_problems(new_password, user.username, password_policy())
        if problems:
            raise ValidationError(problems)
        user.password_hash = _hasher.hash(new_password)
        user.locked_until, user.failed_attempts = None, 0
        audit.write(session, ctx, "user.reset_password", f"重置用户 {user.username} 的密码", record_table="app_user", record_id=user.username)
