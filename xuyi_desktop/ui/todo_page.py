"""待办: what falls due or is overdue (services.todo), each item opening its record; and the notice on start — a
status-bar button with the count, and (for a logged-in clerk, unless switched off) a small list that does not take
the keyboard from the search box."""

from __future__ import annotations

import datetime as dt
from typing import cast

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.todo import TodoItem, todo_items
from xuyi_desktop.ui.operations import run_in_background
from xuyi_desktop.ui.plan_common import ORANGE, RED, PlanPage, fill_table, read_only_table, row_data

SHOW_ON_START = "todo/show_on_start"
TITLE = "待办"


def _rows(items: list[TodoItem]) -> tuple[list[list[str]], list[QColor | None]]:
    rows = [[("【逾期】" if i.overdue else "") + i.kind_label, i.title, i.due.isoformat() if i.due else "", i.note] for i in items]
    colours = [RED if i.overdue else (ORANGE if i.due is not None and i.due <= dt.date.today() else None) for i in items]
    return rows, colours


class TodoPage(PlanPage):
    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(ctx, settings, parent, today)
        self.items: list[TodoItem] = []
        self.summary = QLabel(self)
        refresh = QPushButton("刷新", self)
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        self.table = read_only_table(self, ("类型", "事项", "到期日", "说明"), stretch=3)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_item(row))
        hint = QLabel("双击一项打开对应记录；逾期的事项排在前面", self)
        hint.setStyleSheet("color: #616161;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self.refresh()

    def refresh(self) -> None:
        self.summary.setText("正在汇总待办事项…")
        run_in_background(lambda: todo_items(self._ctx, today=self._today), self._loaded, self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(exc.message_zh if isinstance(exc, DomainError) else f"无法汇总待办：{exc}")

    def _loaded(self, items: list[TodoItem]) -> None:
        self.items = items
        rows, colours = _rows(items)
        fill_table(self.table, rows, data=list(range(len(items))), colours=colours)
        overdue = sum(1 for i in items if i.overdue)
        self.summary.setText(f"待办 {len(items)} 项，其中逾期 {overdue} 项" if items else "没有待办事项")
        self.refreshed.emit()

    def open_item(self, row: int) -> QWidget | None:
        index = row_data(self.table, row)
        if index is None:
            return None
        item = self.items[int(cast(int, index))]
        return self.show_record(item.record_kind, item.record_id)


class TodoPopup(QDialog):
    """The list shown on start: not modal, not taking the keyboard (the clerk's first search still goes to the
    search box); 查看全部 opens the 待办 page."""

    open_page = Signal()

    def __init__(self, items: list[TodoItem], settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("今日待办")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 320)
        overdue = sum(1 for i in items if i.overdue)
        label = QLabel(f"待办 {len(items)} 项，其中逾期 {overdue} 项：", self)
        self.table = read_only_table(self, ("类型", "事项", "到期日"), stretch=1)
        rows, colours = _rows(items[:30])
        fill_table(self.table, [r[:3] for r in rows], colours=colours)
        self.again = QCheckBox("启动时显示", self)
        self.again.setChecked(True)
        self.again.toggled.connect(lambda on: settings.setValue(SHOW_ON_START, on))
        show_all = QPushButton("查看全部待办", self)
        show_all.clicked.connect(self._show_all)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.again)
        bottom.addStretch(1)
        bottom.addWidget(show_all)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)


    def _show_all(self) -> None:
        self.open_page.emit()
        self.close()


class TodoNotice:
    """The status-bar button "待办 N 项" of a main window and the list on start. `window.show_page(title)` opens the
    page; nothing here changes data."""

    def __init__(self, window: QMainWindow, ctx: AppContext, settings: QSettings) -> None:
        self.window, self.ctx, self.settings = window, ctx, settings
        self.popup: TodoPopup | None = None
        self.button = QPushButton("待办：统计中…", window)
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.open_page)
        window.statusBar().addPermanentWidget(self.button)
        run_in_background(lambda: todo_items(ctx), self._loaded, lambda _e: self.button.setText("待办：无法统计"), owner=self.button)

    def _loaded(self, items: list[TodoItem]) -> None:
        overdue = sum(1 for i in items if i.overdue)
        self.button.setText(f"待办 {len(items)} 项" + (f"（逾期 {overdue}）" if overdue else ""))
        self.button.setStyleSheet("color: #c62828; font-weight: bold;" if overdue else "")
        wanted = str(self.settings.value(SHOW_ON_START, "true")).lower() not in ("false", "0")
        if items and wanted and self.ctx.user is not None and self.window.isVisible():
            self.popup = TodoPopup(items, self.settings, self.window)
            self.popup.open_page.connect(self.open_page)
            geo = self.window.geometry()
            self.popup.move(geo.right() - self.popup.width() - 24, geo.bottom() - self.popup.height() - 48)
            self.popup.show()

    def open_page(self) -> None:
        show = getattr(self.window, "show_page", None)
        if show is not None:
            show(TITLE)
