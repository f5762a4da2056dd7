"""Files kept with plan records (a report's evidence, a campaign's photos, a training certificate): the bytes go into
attachment_content (services/attachments.py, once per content, synced), the link into plan_attachment."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.attachments import cache_path, read_checked, store_content, write_cache
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models import AttachmentContent, content_id
from xuyi_desktop.storage.models_plan import PlanAttachment
from xuyi_desktop.storage.queries import plan as plan_queries

PURPOSES = {"evidence": "佐证材料", "photo": "照片", "certificate": "证书"}


@dataclass(frozen=True)
class FileRef:
    id: uuid.UUID
    name: str
    size: int
    purpose: str

    def to_json(self) -> dict[str, object]:
        return {"id": str(self.id), "name": self.name, "size": self.size, "purpose": self.purpose}


def read_files(paths: Sequence[Path | str]) -> list[tuple[Path, bytes, str]]:
    """Read and check every file before any transaction starts (a missing or oversized file refuses the whole change)."""
    out = []
    for p in paths:
        path = Path(p)
        data, sha = read_checked(path)
        out.append((path, data, sha))
    return out


def attach_in(session: Session, ctx: AppContext, owner_table: str, owner_id: uuid.UUID,
              files: Sequence[tuple[Path, bytes, str]], purpose: str = "evidence") -> list[FileRef]:
    """Link already-read files to a plan record, in the caller's transaction."""
    refs = []
    for path, data, sha in files:
        store_content(session, ctx, data, sha, path.name)
        row = audit.insert_recorded(session, ctx, PlanAttachment(
            owner_table=owner_table, owner_id=owner_id, purpose=purpose, original_name=path.name, sha256=sha, size=len(data),
        ), summary=f"添加{PURPOSES.get(purpose, '附件')}：{path.name}")
        write_cache(cache_path(sha, path.suffix), data)
        refs.append(FileRef(row.id, row.original_name, row.size, purpose))
    return refs


def files_of(session: Session, owner_table: str, owner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[FileRef]]:
    if not owner_ids:
        return {}
    rows = plan_queries.attachments_of(session, owner_table, owner_ids)
    out: dict[uuid.UUID, list[FileRef]] = {}
    for a in rows:
        out.setdefault(a.owner_id, []).append(FileRef(a.id, a.original_name, a.size, a.purpose))
    return out


def attach_files(ctx: AppContext, owner_table: str, owner_id: uuid.UUID, paths: Sequence[Path | str],
                 purpose: str = "evidence") -> list[FileRef]:
    """Add files to an existing plan record (the record must exist)."""
    from xuyi_desktop.storage.all_models import Base

    audit.require(ctx, Permission.ENTITY_EDIT)
    files = read_files(paths)
    model = next((m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == owner_table), None)
    with ctx.transaction() as session:
        if model is None or session.get(model, owner_id) is None:
            raise NotFoundError(f"记录 {owner_id}")
        return attach_in(session, ctx, owner_table, owner_id, files, purpose)


def plan_file(ctx: AppContext, attachment_id: uuid.UUID) -> Path:
    """A local copy of the file (from the cache when intact, else written from the database), to open or save."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        att = session.get(PlanAttachment, attachment_id)
        if att is None or att.deleted_at is not None:
            raise NotFoundError(f"附件 {attachment_id}")
        target = cache_path(att.sha256, Path(att.original_name).suffix)
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == att.sha256:
            return target
        content = session.get(AttachmentContent, content_id(att.sha256))
        if content is None:
            raise NotFoundError(f"附件“{att.original_name}”的内容")
        data = base64.b64decode(content.content_b64)
        if hashlib.sha256(data).hexdigest() != att.sha256:
            raise NotFoundError(f"附件“{att.original_name}”的内容与登记的校验值不符，可能已被改动")
        target.unlink(missing_ok=True)
        return write_cache(target, data)
