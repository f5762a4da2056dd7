"""帮助 → 生成培训数据…: the county training set (services.county_demo) from the desktop, for administrators,
after a confirmation that says what it does and that the database will never sync afterwards."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.error_dialog import clerk_message, show_message
from xuyi_desktop.ui.operations import run_in_background

CONFIRM_TEXT = (
    "将在当前数据库中生成一套县级培训数据：约30个单位（名称较长的真实风格名称）、20名从业人员，"
    "以及信用评价、双公示行政处罚（含待报送和逾期未报送）、信用承诺（履约、违诺、撤销）、名单和失信记录。\n\n"
    "数据经各项业务规则生成；生成后本数据库标为“培训数据库”，不能再导出同步包。"
    "只能在新建的空数据库中生成。\n\n确定生成吗？"
)


class TrainingDataAction(QObject):
    """The menu item and its run; `finished(text)` after a run (the window refreshes its pages)."""

    finished = Signal(str)

    def __init__(self, window: QWidget, menu: QMenu, ctx: AppContext) -> None:
        super().__init__(window)
        self._window, self._ctx = window, ctx
        self.running = False
        self.action = QAction(self.tr("生成培训数据(&T)…"), window)
        self.action.setToolTip(self.tr("在新建的数据库中生成县级培训数据（仅管理员；生成后该数据库不能同步）"))
        self.action.setVisible(ctx.can(Permission.SETTINGS))
        self.action.triggered.connect(lambda: self.run())
        menu.addAction(self.action)

    def run(self, *, confirmed: bool = False) -> bool:
        if self.running or not self._ctx.can(Permission.SETTINGS):
            return False
        if not confirmed:
            answer = QMessageBox.question(
                self._window, self.tr("生成培训数据"), self.tr(CONFIRM_TEXT),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        from xuyi_desktop.services.county_demo import generate_county

        self.running = True
        self.action.setEnabled(False)
        ctx = self._ctx
        run_in_background(lambda: generate_county(ctx), self._done, self._failed, owner=self)
        return True

    def _done(self, result: Any) -> None:
        self.running = False
        self.action.setEnabled(True)
        text = self.tr(
            "已生成培训数据：市场主体{0}个（其中个人{1}名），信用评价{2}条，行政处罚{3}条，信用承诺{4}份，名单成员{5}个。\n"
            "本数据库已标为培训数据库，不能导出同步包。"
        ).format(result.entities, result.persons, result.ratings, result.penalties, result.commitments, result.list_members)
        show_message(self._window, self.tr("生成培训数据"), text, icon=QMessageBox.Icon.Information)
        self.finished.emit(text)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.action.setEnabled(True)
        show_message(self._window, self.tr("生成培训数据"), self.tr("未生成培训数据：{0}").format(clerk_message(exc)), exc)
        self.finished.emit("")


def add_training_action(window: Any, menu: QMenu, ctx: AppContext) -> TrainingDataAction:
    """The one line main_window calls: the item in 帮助, refreshing the registry list after a run."""
    item = TrainingDataAction(window, menu, ctx)
    registry = getattr(window, "registry", None)
    if registry is not None and hasattr(registry, "refresh"):
        item.finished.connect(lambda text: registry.refresh() if text else None)
    return item
