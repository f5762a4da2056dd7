"""Signing-key queries: by public key, by fingerprint, the keys of one office or of all."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_security import SigningKey

_LIVE = SigningKey.deleted_at.is_(None)


def by_public_key(session: Session, text: str) -> SigningKey | None:
    return session.execute(select(SigningKey).where(SigningKey.public_key == text)).scalar_one_or_none()


def by_fingerprint(session: Session, fingerprint: str) -> list[SigningKey]:
    """The live keys with this fingerprint (one per office that registered it)."""
    return list(session.execute(select(SigningKey).where(SigningKey.fingerprint == fingerprint, _LIVE)).scalars())


def live_keys(session: Session, office_code: str | None = None) -> list[SigningKey]:
    """Every live key, or those of one office."""
    stmt = select(SigningKey).where(_LIVE)
    if office_code is not None:
        stmt = stmt.where(SigningKey.office_code == office_code)
    return list(session.execute(stmt).scalars())


def public_key_texts(session: Session, office_code: str, *, revoked: bool = True) -> set[str]:
    """The public keys (text) registered for an office, every status, or all but the revoked ones."""
    if revoked:
        stmt = select(SigningKey.public_key).where(SigningKey.office_code == office_code)
    else:
        stmt = select(SigningKey.public_key).where(SigningKey.office_code == office_code, SigningKey.status != "revoked")
    return set(session.execute(stmt).scalars())
