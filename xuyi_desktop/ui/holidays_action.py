"""文件 → 安装节假日安排… (administrators): next year's holiday file, checked and installed by the same service as
`xuyi workdays install` (services.sgs.install_holidays: audited; the 待确认 双公示 deadlines are counted anew)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.ui.record_widgets import confirm


class HolidaysAction(QObject):
    """The menu entry and what it does; `installed(year)` after a year went in."""

    installed = Signal(int)

    def __init__(self, window: QWidget, menu: QMenu, ctx: AppContext) -> None:
        super().__init__(window)
        self._window, self._ctx = window, ctx
        self.action = QAction(self.tr("安装节假日安排(&H)…"), window)
        self.action.setToolTip(self.tr("安装国务院办公厅公布的年度节假日安排文件（YYYY.toml），双公示报送截止日按其计算"))
        self.action.setVisible(ctx.can(Permission.SETTINGS))
        self.action.triggered.connect(lambda: self.run())
        menu.addAction(self.action)

    def run(self, path: str | None = None) -> int | None:
        """Ask for the file (unless given), say what it holds, ask before replacing a year already there; returns
        the year installed, or None (cancelled or refused: the refusal is shown, nothing changed)."""
        from xuyi_desktop.services.sgs import install_holidays
        from xuyi_desktop.services.sgs_calendar import calendar, check_file

        if not self._ctx.can(Permission.SETTINGS):
            return None
        title = self.tr("安装节假日安排")
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self._window, title, "", self.tr("节假日安排 (*.toml)"))
            if not path:
                return None
        try:
            year = check_file(Path(path))
            replace = year.year in calendar().years
            if replace and not confirm(self._window, title, self.tr("已有{0}年的节假日安排（随程序发布或此前安装），要替换为所选文件吗？")
                                       .format(year.year)):
                return None
            installed, changed = install_holidays(self._ctx, Path(path), replace=replace)
        except (DomainError, OSError) as refused:
            QMessageBox.warning(self._window, title, getattr(refused, "message_zh", str(refused)))
            return None
        text = self.tr("已安装{0}年节假日安排：{1}个节假日，{2}个调休上班日。").format(
            installed.year, len(installed.periods), sum(len(p.workdays) for p in installed.periods))
        if changed:
            text += self.tr("\n{0}条待确认的报送截止日已按节假日安排重新计算。").format(changed)
        QMessageBox.information(self._window, title, text)
        self.installed.emit(installed.year)
        return installed.year
