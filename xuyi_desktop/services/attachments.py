"""Attached files: their bytes live in the database (attachment_content), the data folder keeps a cache copy.

Why in the database: the counters of a shared PostgreSQL database each have their own data folder, and an
office receiving a rating by sync has none of the sender's files. Stored once per content (SHA-256), it goes
with the change log to every office and is on the server for every counter."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.file_types import ALLOWED_TEXT, sniff
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.paths import data_dir
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models import AttachmentContent, RatingAttachment, content_id
from xuyi_desktop.storage.queries import attachments as attachment_queries

MAX_BYTES = 20 * 1024 * 1024  # a scanned decision or certificate; a package on a USB stick stays manageable


@dataclass(frozen=True)
class AttachmentView:
    id: uuid.UUID
    rating_id: uuid.UUID
    name: str
    size: int
    sha256: str
    in_database: bool  # False: attached before 0010 on a PC that has not exported or opened it since


def read_checked(source: Path) -> tuple[bytes, str]:
    """The file's bytes and SHA-256, refusing what cannot be attached with a sentence for the clerk."""
    if not source.is_file():
        raise ValidationError(FieldProblem("attachment", f"找不到文件：{source}", "file not found"))
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(FieldProblem(
            "attachment", f"附件不能超过 {MAX_BYTES // 1024 // 1024} MB（{source.name} 为 {size / 1024 / 1024:.1f} MB），请压缩或分开添加",
            "attachment too large",
        ))
    data = source.read_bytes()
    if sniff(data) is None:
        raise ValidationError(FieldProblem(
            "attachment", f"“{source.name}”不是可接受的附件：附件只能是{ALLOWED_TEXT}（按文件内容判断，与扩展名无关）",
            "attachments must be documents or images (checked by content)",
        ))
    return data, hashlib.sha256(data).hexdigest()


def cache_suffix(data: bytes) -> str:
    """The extension a cached copy gets: that of the kind its content is, never the name it came with."""
    kind = sniff(data)
    if kind is None:
        raise NotFoundError("该附件不是文档或图片（可能是在限制附件类型之前添加的程序或脚本），出于安全不予打开或导出")
    return kind.extension


def cache_path(sha256: str, suffix: str) -> Path:
    return data_dir() / "attachments" / sha256[:2] / f"{sha256}{suffix.lower()}"


def write_cache(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return target


def store_content(session: Session, ctx: AppContext, data: bytes, sha256: str, name: str) -> None:
    """Keep the bytes once per content, with its change-log entry (so sync carries them) and an audit line."""
    if session.get(AttachmentContent, content_id(sha256)) is not None:
        return
    content = AttachmentContent(
        id=content_id(sha256), sha256=sha256, size=len(data), content_b64=base64.b64encode(data).decode("ascii"),
    )
    audit.insert_recorded(session, ctx, content, summary=f"附件内容 {name}（{len(data)} 字节）")


def adopt_local_files(session: Session, ctx: AppContext) -> int:
    """Copy into the database, with their change-log entries, the files attached on this PC before the bytes
    were kept there (migration 0010). Run before every sync export, so a package never lacks a file this PC
    holds; returns how many were copied in."""
    rows = attachment_queries.without_content(session)
    adopted = 0
    for sha, stored, name in rows:
        path = data_dir() / stored
        if session.get(AttachmentContent, content_id(sha)) is None and path.is_file():
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == sha:  # an altered cache copy is not the attachment
                store_content(session, ctx, data, sha, name)
                adopted += 1
    return adopted


def list_attachments(ctx: AppContext, rating_id: uuid.UUID) -> list[AttachmentView]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        rows = attachment_queries.of_rating(session, rating_id)
        return [AttachmentView(a.id, a.rating_id, a.original_name, a.size, a.sha256, cid is not None) for a, cid in rows]


def attachment_file(ctx: AppContext, attachment_id: uuid.UUID) -> Path:
    """A local file with the attachment's bytes, to open or save: the cache copy when it is intact, else written
    from the database. Files attached on this PC before the bytes were kept in the database are copied in now."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        att = session.get(RatingAttachment, attachment_id)
        if att is None or att.deleted_at is not None:
            raise NotFoundError(f"附件 {attachment_id}")
        content = session.get(AttachmentContent, content_id(att.sha256))
        if content is not None:
            data = base64.b64decode(content.content_b64)
            if hashlib.sha256(data).hexdigest() != att.sha256:
                raise NotFoundError(f"附件“{att.original_name}”的内容与登记的校验值不符，可能已被改动")
            target = cache_path(att.sha256, cache_suffix(data))
            if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == att.sha256:
                return target
            target.unlink(missing_ok=True)
            return write_cache(target, data)
        if adopt_local_files(session, ctx):
            content = session.get(AttachmentContent, content_id(att.sha256))
            if content is not None:
                data = base64.b64decode(content.content_b64)
                return write_cache(cache_path(att.sha256, cache_suffix(data)), data)
    raise NotFoundError(f"附件“{att.original_name}”的内容不在本数据库中，只在添加它的电脑上；请在那台电脑上打开一次")


def save_attachment(ctx: AppContext, attachment_id: uuid.UUID, out: Path | str) -> Path:
    """Save a copy of an attachment where the user says (a regular file or a new name; the folder must exist).
    Audited: who took which file where."""
    import shutil

    from xuyi_desktop.services.output_files import OutputRefused, check_target

    out = check_target(Path(out))
    if not out.parent.is_dir():
        raise OutputRefused(f"文件夹不存在：{out.parent}", f"folder does not exist: {out.parent}")
    source = attachment_file(ctx, attachment_id)
    try:
        shutil.copyfile(source, out)
    except OSError as exc:
        raise OutputRefused(f"无法保存附件到 {out}（{exc.strerror or exc}）", f"cannot save to {out}: {exc}") from None
    with ctx.transaction() as session:
        att = session.get(RatingAttachment, attachment_id)
        audit.write(session, ctx, "attachment.save", f"另存附件“{att.original_name if att else attachment_id}”到 {out}",
                    record_table="rating_attachment", record_id=attachment_id, details={"file": str(out)})
    return out
