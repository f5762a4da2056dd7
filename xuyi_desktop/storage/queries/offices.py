"""Office queries: the local office, one office by code, the registered peers."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Office


def local(session: Session) -> Office | None:
    """This installation's own office row, if set."""
    return session.execute(select(Office).where(Office.is_local.is_(True))).scalar_one_or_none()


def by_code(session: Session, code: str) -> Office | None:
    """The office with this code, local or peer."""
    return session.execute(select(Office).where(Office.code == code)).scalar_one_or_none()


def peer(session: Session, code: str) -> Office | None:
    """The registered peer office with this code (never the local one)."""
    return session.execute(select(Office).where(Office.code == code, Office.is_local.is_(False))).scalar_one_or_none()


def peers(session: Session) -> list[Office]:
    """Every registered peer office, by code."""
    return list(session.execute(select(Office).where(Office.is_local.is_(False)).order_by(Office.code)).scalars().all())


def rewrite_code(session: Session, old: str, new: str) -> None:
    """Rename an office code everywhere it is written: the change log and its counter, the PCs' signing keys,
    and every record's created_office/updated_office."""
    from xuyi_desktop.storage.all_models import Base
    from xuyi_desktop.storage.models import ChangeLog, Counter

    session.execute(update(ChangeLog).where(ChangeLog.office_code == old).values(office_code=new))
    session.execute(update(Counter).where(Counter.name == f"change_log:{old}").values(name=f"change_log:{new}"))
    from xuyi_desktop.storage.models_security import SigningKey  # the PCs' keys sign for the office's new code

    session.execute(update(SigningKey).where(SigningKey.office_code == old).values(office_code=new))
    for table in Base.metadata.sorted_tables:
        for column in ("created_office", "updated_office"):
            if column in table.c:
                session.execute(update(table).where(table.c[column] == old).values({column: new}))
