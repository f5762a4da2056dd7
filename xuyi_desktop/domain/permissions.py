"""Roles and what each may do: one table, read by the service layer for the CLI and the GUI alike."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    CLERK = "clerk"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return {"clerk": "窗口经办人", "reviewer": "审核人", "admin": "管理员", "viewer": "查询"}[self.value]


class Permission(str, Enum):
    VIEW = "view"
    ENTITY_EDIT = "entity_edit"
    REVEAL_PERSONAL = "reveal_personal"
    PRINT = "print"
    EXPORT = "export"
    RATING_APPROVE = "rating_approve"
    SYNC_RESOLVE = "sync_resolve"
    REPAIR_APPROVE = "repair_approve"
    CREDIT_REVIEW = "credit_review"
    USER_MANAGE = "user_manage"
    SETTINGS = "settings"
    BACKUP = "backup"
    KEYS = "keys"
    AUDIT_VIEW = "audit_view"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Permission.VIEW: "查询",
    Permission.ENTITY_EDIT: "登记和修改",
    Permission.REVEAL_PERSONAL: "查看完整个人信息",
    Permission.PRINT: "打印",
    Permission.EXPORT: "导出",
    Permission.RATING_APPROVE: "审核信用评价",
    Permission.SYNC_RESOLVE: "处理同步冲突",
    Permission.REPAIR_APPROVE: "审批信用修复",
    Permission.CREDIT_REVIEW: "审核信用信息（公示类别、例外受理、提前生效）",
    Permission.USER_MANAGE: "管理用户",
    Permission.SETTINGS: "系统设置",
    Permission.BACKUP: "备份与恢复",
    Permission.KEYS: "管理密钥",
    Permission.AUDIT_VIEW: "查看操作日志",
}

_CLERK = {Permission.VIEW, Permission.ENTITY_EDIT, Permission.REVEAL_PERSONAL, Permission.PRINT, Permission.EXPORT}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.CLERK: frozenset(_CLERK),
    Role.REVIEWER: frozenset(
        _CLERK | {Permission.RATING_APPROVE, Permission.SYNC_RESOLVE, Permission.REPAIR_APPROVE, Permission.CREDIT_REVIEW,
                  Permission.AUDIT_VIEW}
    ),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


# Roles that supervise every unit's records: a unit-only list never applies to them.
SEES_ALL_UNITS = frozenset({Role.ADMIN, Role.REVIEWER})


def list_unit(role: Role, unit: str, restricted: bool) -> str | None:
    """The unit whose records a user's lists (双公示, 信用承诺) are limited to, or None for every unit.

    The bureau decides whether lists are limited at all (`restricted`); when they are, it applies to clerks
    and viewers who belong to a unit, never to administrators and reviewers, who check everyone's work."""
    unit = unit.strip()
    if not restricted or not unit or role in SEES_ALL_UNITS:
        return None
    return unit
