"""What the workflow pages (信用修复, 名单管理, 招投标核查, the plan's pages) build the same way: a read-only list picked by
whole rows, with each row's record found again by its id; a two-pane splitter; a date box; a dialog kept open beside
the page. Display only: the services decide every value shown."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHeaderView,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


class HasId(Protocol):
    """A service's view of one record: the rows of a workflow list are found again by it."""

    @property
    def id(self) -> uuid.UUID: ...


V = TypeVar("V", bound=HasId)
D = TypeVar("D", bound=QDialog)


def row_table(parent: QWidget, titles: Sequence[str], stretch: int | None, *, wrap: bool = False) -> QTableWidget:
    """A list the clerk reads and picks one row of (never edits): whole rows, one at a time, no row numbers; the
    `stretch` column takes the spare width."""
    table = QTableWidget(0, len(titles), parent)
    table.setHorizontalHeaderLabels(list(titles))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(wrap)
    if stretch is not None:
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill_rows(table: QTableWidget, views: Sequence[V], cells: Callable[[V], Sequence[QTableWidgetItem]],
              select: uuid.UUID | None = None) -> None:
    """One row of `cells(view)` a view, the view's id kept on its first cell; the row of `select` is selected again
    (after a step, the record just changed stays in front of the clerk)."""
    table.setRowCount(len(views))
    for row, view in enumerate(views):
        for col, cell in enumerate(cells(view)):
            if col == 0:
                cell.setData(Qt.ItemDataRole.UserRole, str(view.id))
            table.setItem(row, col, cell)
        if select is not None and view.id == select:
            table.selectRow(row)


def selected_view(table: QTableWidget, views: Sequence[V]) -> V | None:
    """The view of the selected row, None when no row (or a row from before a reload) is selected."""
    chosen = table.selectionModel().selectedRows() if table.selectionModel() else []
    return views[chosen[0].row()] if chosen and chosen[0].row() < len(views) else None


def select_view(table: QTableWidget, views: Sequence[V], record_id: uuid.UUID) -> bool:
    """Select the row of that record; False when the list (as filtered) does not show it."""
    for row, view in enumerate(views):
        if view.id == record_id:
            table.selectRow(row)
            return True
    return False


def splitter(parent: QWidget, orientation: Qt.Orientation, panes: Sequence[QWidget],
             stretch: Sequence[int] = (3, 2)) -> QSplitter:
    """The panes side by side (or one above the other), sharing a resize in the `stretch` proportions."""
    split = QSplitter(orientation, parent)
    for pane in panes:
        split.addWidget(pane)
    for index, factor in enumerate(stretch):
        split.setStretchFactor(index, factor)
    return split


def date_edit(parent: QWidget, day: dt.date | QDate | None, *, latest: dt.date | None = None) -> QDateEdit:
    """The one date box: a calendar drop-down, shown as 2026-12-03 as clerks and paper forms write dates; `day`
    None leaves Qt's default for a box the page fills in later; `latest` keeps a later day out (a receipt date)."""
    if day is None:
        edit = QDateEdit(parent)
    else:
        edit = QDateEdit(day if isinstance(day, QDate) else QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    return edit


def day_of(edit: QDateEdit) -> dt.date:
    """The box's day as a date (PySide6 types toPython() as object)."""
    return cast(dt.date, edit.date().toPython())


def open_dialog(dialog: D, on_accepted: Callable[[], object], exec_dialog: bool = True) -> D:
    """Open the dialog beside the page (window-modal, not blocking) and call `on_accepted` when it is accepted; the
    tests pass exec_dialog=False to drive the dialog themselves."""
    dialog.accepted.connect(on_accepted)
    if exec_dialog:
        dialog.open()
    return dialog
