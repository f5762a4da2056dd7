"""Users: the first administrator, adding users, logging in with lockout. Passwords are argon2 hashes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission, Role
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext, CurrentUser
from xuyi_desktop.storage.models import AppUser, utcnow

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


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


def _check_new(username: str, password: str) -> None:
    problems = []
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        problems.append(FieldProblem("username", "用户名不能为空，不能含空格，最长64个字符", "invalid user name"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(FieldProblem("password", f"密码至少{MIN_PASSWORD_LENGTH}个字符", f"password shorter than {MIN_PASSWORD_LENGTH}"))
    if problems:
        raise ValidationError(problems)


def _by_name(session: Session, username: str) -> AppUser | None:
    return session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()


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
    ctx.setup_mode = False
    return UserView(username, user.display_name, role, user.unit, True, None)


def login(ctx: AppContext, username: str, password: str) -> CurrentUser:
    """Check the password; 5 failures in a row lock the account for 15 minutes. Every outcome is audited
    and committed, including failures (the error is raised after the commit)."""
    username = username.strip()
    now = utcnow()
    failure: LoginFailed | None = None
    with ctx.transaction() as session:
        user = _by_name(session, username)
        if user is None or not user.active:
            audit.write(session, ctx, "login.failure", f"登录失败：用户 {username} 不存在或已停用", username=username or "?")
            failure = LoginFailed("用户名或密码错误", "wrong user name or password")
        elif user.locked_until is not None and user.locked_until > now:
            audit.write(session, ctx, "login.refused_locked", f"账户 {username} 已锁定，拒绝登录", username=username)
            failure = LoginFailed(_locked_text(user.locked_until), "account locked", user.locked_until)
        elif not _verify(user.password_hash, password):
            user.failed_attempts += 1
            audit.write(session, ctx, "login.failure", f"登录失败：{username} 密码错误（第{user.failed_attempts}次）", username=username)
            if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_attempts = 0
                audit.write(session, ctx, "login.locked", f"连续{MAX_FAILED_ATTEMPTS}次密码错误，账户 {username} 锁定{LOCK_MINUTES}分钟", username=username)
                failure = LoginFailed(_locked_text(user.locked_until), "account locked", user.locked_until)
            else:
                left = MAX_FAILED_ATTEMPTS - user.failed_attempts
                failure = LoginFailed(f"用户名或密码错误（再错{left}次将锁定账户）", "wrong user name or password")
        else:
            user.failed_attempts, user.locked_until = 0, None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            current = CurrentUser(user.username, Role(user.role), user.unit, user.display_name)
            ctx.user = current
            audit.write(session, ctx, "login.success", f"{username} 登录")
    if failure is not None:
        raise failure
    return current


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
            for u in session.execute(select(AppUser).order_by(AppUser.username)).scalars()
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
            admins = session.execute(
                select(AppUser).where(AppUser.role == Role.ADMIN.value, AppUser.active.is_(True))
            ).scalars().all()
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
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            FieldProblem("password", f"密码至少{MIN_PASSWORD_LENGTH}个字符", f"password shorter than {MIN_PASSWORD_LENGTH}")
        )
    with ctx.transaction() as session:
        user = _existing(session, username)
        user.password_hash = _hasher.hash(new_password)
        user.locked_until, user.failed_attempts = None, 0
        audit.write(session, ctx, "user.reset_password", f"重置用户 {user.username} 的密码", record_table="app_user", record_id=user.username)
