"""How service values look on screen: local times and change-log actions, in one place for every widget."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication

from xuyi_desktop.domain.entities import FIELD_LABELS
from xuyi_desktop.services.entity_views import HistoryEntry

_ACTIONS = {"insert": "登记", "update": "修改", "delete": "删除"}


def local_time(value: dt.datetime | None) -> str:
    """Services hand out UTC; clerks read their own clock (yyyy-MM-dd HH:mm)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def action_label(action: str) -> str:
    """The Chinese word for a change-log action (unknown actions are shown as stored)."""
    label = _ACTIONS.get(action)
    return QCoreApplication.translate("formatting", label) if label else action


def change_summary(entry: HistoryEntry) -> str:
    """An edit as the clerk reads it ("修改 名称、联系电话"), from the before/after images; else the stored summary."""
    if entry.action != "update" or not entry.before or not entry.after:
        return entry.summary
    before, after = entry.before, entry.after
    changed = [key for key in after if key not in ("version", "id") and before.get(key) != after.get(key)]
    if not changed:
        return entry.summary
    labels = [QCoreApplication.translate("formatting", FIELD_LABELS.get(key, key)) for key in changed]
    return QCoreApplication.translate("formatting", "修改 ") + "、".join(labels)
