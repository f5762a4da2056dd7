"""The modules listed in the main window's navigation, after 市场主体: one line each, in display order.

Each entry builds its page from the context; a page the current user's role may not see is left out.
Only modules that work are listed here (no placeholders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    title: str  # Chinese, shown in the navigation list
    build: Callable[[AppContext, QSettings, QWidget], QWidget]
    permission: Permission = Permission.VIEW


def _lazy(module: str, cls: str) -> Callable[[AppContext, QSettings, QWidget], QWidget]:
    """Import a page's module only when the page is built (keeps start-up fast)."""

    def build(ctx: AppContext, settings: QSettings, parent: QWidget) -> QWidget:
        import importlib

        return getattr(importlib.import_module(module), cls)(ctx, settings, parent)

    return build


EXTRA_PAGES: list[PageSpec] = [
    # e.g. PageSpec("信用核查", _lazy("xuyi_desktop.ui.credit_check_page", "CreditCheckPage")),
    PageSpec("信用核查", _lazy("xuyi_desktop.ui.credit_check_page", "CreditCheckPage")),
    PageSpec("信用评价", _lazy("xuyi_desktop.ui.rating_page", "RatingPage")),
    PageSpec("信用承诺", _lazy("xuyi_desktop.ui.commitment_page", "CommitmentPage")),
    PageSpec("双公示", _lazy("xuyi_desktop.ui.sgs_page", "SgsPage")),
    PageSpec("信用修复", _lazy("xuyi_desktop.ui.repair_page", "RepairPage")),
    PageSpec("失信记录", _lazy("xuyi_desktop.ui.dishonesty_page", "DishonestyPage")),
    PageSpec("名单管理", _lazy("xuyi_desktop.ui.lists_page", "ListsPage")),
    PageSpec("车辆船舶", _lazy("xuyi_desktop.ui.fleet_page", "FleetPage")),
    PageSpec("源头治超", _lazy("xuyi_desktop.ui.overload_page", "OverloadPage")),
    PageSpec("信用积分", _lazy("xuyi_desktop.ui.points_page", "PointsPage")),
    PageSpec("待办", _lazy("xuyi_desktop.ui.todo_page", "TodoPage")),
    PageSpec("建设任务", _lazy("xuyi_desktop.ui.plan_tasks_page", "PlanTasksPage")),
    PageSpec("指标看板", _lazy("xuyi_desktop.ui.plan_dashboard_page", "PlanDashboardPage")),
    PageSpec("工作台账", _lazy("xuyi_desktop.ui.plan_registers_page", "PlanRegistersPage")),
    PageSpec("核验", _lazy("xuyi_desktop.ui.verify_page", "VerifyPage"), Permission.VIEW),
    PageSpec("数据同步", _lazy("xuyi_desktop.ui.sync_page", "SyncPage"), Permission.ENTITY_EDIT),
    PageSpec("操作日志", _lazy("xuyi_desktop.ui.audit_log_page", "AuditLogPage"), Permission.AUDIT_VIEW),
    PageSpec("备份与恢复", _lazy("xuyi_desktop.ui.backup_page", "BackupPage"), Permission.BACKUP),
    PageSpec("用户管理", _lazy("xuyi_desktop.ui.users_page", "UsersPage"), Permission.USER_MANAGE),
    PageSpec("字典管理", _lazy("xuyi_desktop.ui.dictionaries_page", "DictionariesPage"), Permission.SETTINGS),
]
