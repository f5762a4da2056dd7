"""Rating attachment queries: files whose bytes are not yet in the database, a rating's attachments."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import AttachmentContent, RatingAttachment


def without_content(session: Session) -> list[tuple[str, str, str]]:
    """(sha256, stored path, original name) of the live attachments whose bytes the database does not hold."""
    stmt = (
        select(RatingAttachment.sha256, RatingAttachment.stored_path, RatingAttachment.original_name)
        .outerjoin(AttachmentContent, AttachmentContent.sha256 == RatingAttachment.sha256)
        .where(AttachmentContent.id.is_(None), RatingAttachment.deleted_at.is_(None))
    )
    return [(sha, stored, name) for sha, stored, name in session.execute(stmt).all()]


def of_rating(session: Session, rating_id: uuid.UUID) -> list[tuple[RatingAttachment, uuid.UUID | None]]:
    """The rating's live attachments, oldest first, each with the id of its stored content (None: not held)."""
    stmt = (
        select(RatingAttachment, AttachmentContent.id)
        .outerjoin(AttachmentContent, AttachmentContent.sha256 == RatingAttachment.sha256)
        .where(RatingAttachment.rating_id == rating_id, RatingAttachment.deleted_at.is_(None))
        .order_by(RatingAttachment.created_at)
    )
    return [(a, cid) for a, cid in session.execute(stmt).all()]
