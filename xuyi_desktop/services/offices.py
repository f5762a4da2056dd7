"""This installation's office identity: provisional from the first start until an administrator sets it."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Office

PROVISIONAL_NAME = "未设置的办公室（临时）"


def ensure_local_office(session: Session) -> Office:
    """Return the local office, creating a provisional one (unique code) on the very first start."""
    office = session.execute(select(Office).where(Office.is_local.is_(True))).scalar_one_or_none()
    if office is None:
        office = Office(
            code=f"TMP-{secrets.token_hex(3).upper()}", name=PROVISIONAL_NAME, role="field", is_local=True, provisional=True
        )
        session.add(office)
        session.flush()
    return office
