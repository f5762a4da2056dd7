"""Rejections the services raise beyond field validation; each says what to do in Chinese and English."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from xuyi_desktop.domain.errors import DomainError


@dataclass(frozen=True)
class EntityRef:
    """Enough of an existing entity to point the clerk at it."""

    id: uuid.UUID
    name: str
    identifier: str


class DuplicateIdentifierError(DomainError):
    """The identifier is already registered; the clerk is pointed at the existing record."""

    def __init__(self, existing: EntityRef) -> None:
        self.existing = existing
        self.message_zh = f"该证件号码已登记：{existing.name}（{existing.identifier}），请勿重复登记"
        self.message_en = f"identifier already registered as {existing.id}"
        super().__init__(self.message_zh)


class SimilarNameWarning(DomainError):
    """A live entity has a very similar name; the clerk may confirm and save anyway."""

    def __init__(self, similar: list[EntityRef]) -> None:
        self.similar = similar
        names = "、".join(f"{s.name}（{s.identifier}）" for s in similar[:3])
        self.message_zh = f"已存在名称相近的主体：{names}。确认不是同一主体后可继续保存"
        self.message_en = "a very similar name exists; confirm to save anyway (--allow-similar)"
        super().__init__(self.message_zh)


class NotFoundError(DomainError):
    def __init__(self, what: str) -> None:
        self.message_zh = f"未找到：{what}"
        self.message_en = f"not found: {what}"
        super().__init__(self.message_zh)


class RecordDeletedError(NotFoundError):
    """The record is a tombstone: deleted here, or by another office and received by sync. Not "未找到":
    the clerk had it open and must learn that it was deleted, by whom and when."""

    def __init__(self, name: str, office: str, at: object) -> None:
        when = at.astimezone().strftime("%Y-%m-%d %H:%M") if hasattr(at, "astimezone") else ""
        self.message_zh = (f"“{name}”已被删除（单位 {office}，{when}），不能再修改，本次修改未保存"
                           "（如确需恢复，请审核人在“数据同步”页的冲突中处理，或重新登记）")
        self.message_en = f"{name}: deleted by office {office} at {when}; nothing saved"
        DomainError.__init__(self, self.message_zh)


class ConcurrentEditError(DomainError):
    """Someone saved the record after this clerk opened it; nothing was overwritten."""

    def __init__(self, name: str, expected: int | None, actual: int | None) -> None:
        self.expected, self.actual = expected, actual
        if expected is None or actual is None:  # found only at the write: another counter saved in between
            self.message_zh = f"“{name}”刚刚被其他窗口或柜台修改并保存，请重新打开后再保存，本次修改未写入"
            self.message_en = f"{name}: saved by someone else a moment ago; nothing saved"
        else:
            self.message_zh = f"“{name}”已被他人修改（版本{expected}→{actual}），请重新打开后再保存，本次修改未写入"
            self.message_en = f"record changed by someone else (version {expected} -> {actual}); nothing saved"
        super().__init__(self.message_zh)

    @classmethod
    def at_write(cls) -> ConcurrentEditError:
        """Two counters passed the version check at the same moment; the database refused the second write
        (UPDATE … WHERE version = the one read matched no row)."""
        return cls("该记录", None, None)
