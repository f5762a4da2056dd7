"""User-account queries: lookups, and the one-statement failure counting and locking of the login.

The counting statements are single UPDATE … RETURNING statements on purpose: a lock set by a parallel login
attempt a moment ago is seen (the rules — how many failures lock, for how long — stay in services.users)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import AppUser


def by_name(session: Session, username: str) -> AppUser | None:
    """The account with exactly this user name."""
    return session.execute(select(AppUser).where(AppUser.username == username)).scalar_one_or_none()


def all_by_name(session: Session) -> list[AppUser]:
    """Every account, by user name."""
    return list(session.execute(select(AppUser).order_by(AppUser.username)).scalars())


def active_admins(session: Session, admin_role: str) -> list[AppUser]:
    """The active accounts with the administrator role."""
    return list(session.execute(
        select(AppUser).where(AppUser.role == admin_role, AppUser.active.is_(True))
    ).scalars().all())


def any_user(session: Session) -> bool:
    """Whether any account exists."""
    return bool(session.execute(select(exists().where(AppUser.id.is_not(None)))).scalar())


def clear_failures_if_unlocked(session: Session, user_id: Any) -> None:
    """Zero the failure count of an account that has no lock set."""
    session.execute(update(AppUser).where(AppUser.id == user_id, AppUser.locked_until.is_(None))
                    .values(failed_attempts=0).execution_options(synchronize_session=False))


def count_failure(session: Session, user_id: Any, now: dt.datetime) -> int | None:
    """Add one failure to an account not locked at `now`; the new count, or None when it is locked."""
    return session.execute(
        update(AppUser).where(AppUser.id == user_id, or_(AppUser.locked_until.is_(None), AppUser.locked_until <= now))
        .values(failed_attempts=AppUser.failed_attempts + 1).returning(AppUser.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def clear_if_unlocked(session: Session, user_id: Any, now: dt.datetime) -> Any:
    """Clear the failure count and an expired lock of an account not locked at `now`; its id, or None when locked."""
    return session.execute(
        update(AppUser).where(AppUser.id == user_id, or_(AppUser.locked_until.is_(None), AppUser.locked_until <= now))
        .values(failed_attempts=0, locked_until=None).returning(AppUser.id).execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def lock(session: Session, user_id: Any, until: dt.datetime) -> None:
    """Lock the account until `until` and zero its failure count."""
    session.execute(update(AppUser).where(AppUser.id == user_id).values(
        locked_until=until, failed_attempts=0).execution_options(synchronize_session=False))
