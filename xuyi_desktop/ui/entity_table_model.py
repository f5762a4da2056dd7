"""The registry table: pages fetched lazily as the clerk scrolls (1,000,000 rows stay cheap), or ranked search hits."""

from __future__ import annotations

import uuid
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from xuyi_desktop.domain.entities import EntityStatus
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import PageCursor, SortKey, find_entities, page_entities
from xuyi_desktop.services.entity_file import RegistryMark, registry_marks
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.ui.error_dialog import clerk_message
from xuyi_desktop.ui.formatting import local_time
from xuyi_desktop.ui.operations import run_in_background

PAGE_SIZE = 200
SEARCH_LIMIT = 500
ENTITY_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: a flat table has no children


class Column(IntEnum):
    """Column order of the registry table."""

    NAME = 0
    KIND = 1
    IDENTIFIER = 2
    GRADE = 3
    DISHONEST = 4
    CATEGORIES = 5
    STATUS = 6
    PHONE = 7
    UPDATED = 8


_HEADERS = {
    Column.NAME: "名称",
    Column.KIND: "类型",
    Column.IDENTIFIER: "证件号码",
    Column.GRADE: "信用等级",
    Column.DISHONEST: "失信",
    Column.CATEGORIES: "类别",
    Column.STATUS: "状态",
    Column.PHONE: "联系电话",
    Column.UPDATED: "更新时间",
}

# Only columns with an index behind them can be sorted: keyset paging needs one.
SORTABLE: dict[Column, SortKey] = {
    Column.NAME: SortKey.NAME,
    Column.IDENTIFIER: SortKey.IDENTIFIER,
    Column.UPDATED: SortKey.UPDATED,
}
_SORT_LABELS = {SortKey.NAME: "名称", SortKey.IDENTIFIER: "证件号码", SortKey.UPDATED: "更新时间"}
_INACTIVE = QColor("#8a8a8a")
_DISHONEST = QColor("#c62828")
_NO_MARK = RegistryMark()


def _tr(text: str) -> str:
    return QCoreApplication.translate("EntityTableModel", text)


class EntityTableModel(QAbstractTableModel):
    """Browse mode pages with page_entities (canFetchMore/fetchMore); filter mode shows find_entities hits."""

    searchStarted = Signal()
    searchFinished = Signal(int)  # number of hits shown
    searchFailed = Signal(str)
    loadFailed = Signal(str)
    descriptionChanged = Signal(str)  # one line for the label above the table

    def __init__(self, ctx: AppContext, *, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._page_size = page_size
        self._rows: list[EntitySummary] = []
        self._marks: dict[uuid.UUID, RegistryMark] = {}  # grade and dishonesty, read with each page of rows
        self._ids: set[uuid.UUID] = set()
        self._cursor: PageCursor | None = None
        self._exhausted = False
        self._sort = SortKey.NAME
        self._descending = False
        self._filter = ""
        self._hits_capped = False
        self._hits_ranked = True
        self._search_generation = 0
        self._searching = False
        self.reload()

    # --- Qt model interface -------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in Column._value2member_map_:
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(_HEADERS[column])
        if role == Qt.ItemDataRole.ToolTipRole and column not in SORTABLE:
            return _tr("此列不能排序")
        if role == Qt.ItemDataRole.InitialSortOrderRole and column == Column.UPDATED:
            return Qt.SortOrder.DescendingOrder  # newest first on the first click
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if column in (Column.GRADE, Column.DISHONEST):
            return self._mark_data(self._marks.get(row.id, _NO_MARK), column, role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column)
        if role == ENTITY_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and row.status != EntityStatus.ACTIVE.value:
            return _INACTIVE
        return None

    @staticmethod
    def _mark_data(mark: RegistryMark, column: Column, role: int) -> Any:
        if column == Column.GRADE:
            if role == Qt.ItemDataRole.DisplayRole:
                return mark.grade_text
            if role == Qt.ItemDataRole.ToolTipRole:
                return mark.grade_tip or _tr("无生效的信用评价")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr("失信") if mark.dishonest else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(mark.dishonest) if mark.dishonest else None
        if role == Qt.ItemDataRole.ForegroundRole and mark.dishonest:
            return _DISHONEST
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def mark(self, row: int) -> RegistryMark:
        """The grade and dishonesty columns of a row (for tests and the status line)."""
        summary = self.summary(row)
        return self._marks.get(summary.id, _NO_MARK) if summary else _NO_MARK

    def _read_marks(self, rows: list[EntitySummary]) -> None:
        """One call for the page just shown; a failure leaves the two columns empty, never the list."""
        if not rows:
            return
        try:
            self._marks.update(registry_marks(self._ctx, [row.id for row in rows]))
        except Exception as exc:  # noqa: BLE001 - the list itself is still right
            self.loadFailed.emit(_tr("读取信用等级失败：{0}").format(clerk_message(exc)))

    @staticmethod
    def _text(row: EntitySummary, column: Column) -> str:
        if column == Column.NAME:
            # A hit through a vehicle or vessel says so: the clerk typed a plate and sees the operator it belongs to.
            return f"{row.name}　〔{row.matched}〕" if row.matched else row.name
        if column == Column.KIND:
            return row.kind_label
        if column == Column.IDENTIFIER:
            return row.identifier
        if column == Column.CATEGORIES:
            return "、".join(row.category_labels)
        if column == Column.STATUS:
            return row.status_label
        if column == Column.PHONE:
            return row.phone
        return local_time(row.updated_at)

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        return not parent.isValid() and not self._filter and not self._exhausted

    def fetchMore(self, parent: _Index = _ROOT) -> None:
        if not self.canFetchMore(parent):
            return
        try:
            page, cursor = page_entities(
                self._ctx, sort=self._sort, descending=self._descending, after=self._cursor, size=self._page_size
            )
        except Exception as exc:  # noqa: BLE001 - a locked or lost database must not take the window down
            self._exhausted = True
            self.loadFailed.emit(_tr("读取主体列表失败：{0}").format(clerk_message(exc)))
            return
        self._cursor, self._exhausted = cursor, cursor is None
        fresh = [row for row in page if row.id not in self._ids]  # a row saved and shown early is not repeated
        self._read_marks(fresh)
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._ids.update(row.id for row in fresh)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Browse: reset and refetch in the new order. Filter: reorder the hits on screen (at most 500)."""
        if column not in Column._value2member_map_ or Column(column) not in SORTABLE:
            return
        key, descending = SORTABLE[Column(column)], order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        if self._filter:
            self.layoutAboutToBeChanged.emit()
            self._rows.sort(key=lambda row: getattr(row, key.value), reverse=descending)
            self._hits_ranked = False
            self.layoutChanged.emit()
            self._describe()
        else:
            self.reload()

    # --- registry operations ------------------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def searching(self) -> bool:
        return self._searching

    @property
    def sort_column(self) -> Column:
        return next(column for column, key in SORTABLE.items() if key == self._sort)

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def reload(self) -> None:
        """Back to the first page of the full list (browse mode) in the current order."""
        self.beginResetModel()
        self._rows, self._ids, self._cursor, self._exhausted = [], set(), None, False
        self._marks = {}
        self.endResetModel()
        self.fetchMore()
        self._describe()

    def set_filter(self, text: str) -> None:
        """Show the ranked hits for `text` (searched off the GUI thread); empty text returns to the full list."""
        text = text.strip()
        self._search_generation += 1
        if not text:
            self._searching = False
            if self._filter:
                self._filter = ""
                self.reload()
            self.searchFinished.emit(len(self._rows))
            return
        generation, ctx = self._search_generation, self._ctx
        self._searching = True
        self.searchStarted.emit()
        self.descriptionChanged.emit(_tr("正在查询“{0}”…").format(text))
        run_in_background(
            lambda: find_entities(ctx, text, limit=SEARCH_LIMIT),
            lambda hits: self._show_hits(generation, text, hits),
            lambda exc: self._search_failed(generation, exc),
            owner=self,
        )

    def refresh(self) -> None:
        """After a change made elsewhere: reload the list, or run the current search again."""
        if self._filter:
            self.set_filter(self._filter)
        else:
            self.reload()

    def entity_id(self, row: int) -> uuid.UUID | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def summary(self, row: int) -> EntitySummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, entity_id: uuid.UUID) -> int:
        """The row showing this entity among those loaded, or -1."""
        if entity_id not in self._ids:
            return -1
        return next((i for i, row in enumerate(self._rows) if row.id == entity_id), -1)

    def show_saved(self, summary: EntitySummary) -> int:
        """Show a just-saved entity without reloading (the clerk keeps the scroll position); returns its row."""
        row = self.row_of(summary.id)
        self._read_marks([summary])
        if row >= 0:
            self._rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
            return row
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, summary)
        self._ids.add(summary.id)
        self.endInsertRows()
        return 0

    def remove_entity(self, entity_id: uuid.UUID) -> None:
        """Take a deleted entity off the screen."""
        row = self.row_of(entity_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._ids.discard(entity_id)
        self.endRemoveRows()

    # --- search results -----------------------------------------------------------------------------------

    def _show_hits(self, generation: int, text: str, hits: list[EntitySummary]) -> None:
        if generation != self._search_generation:
            return  # the clerk has searched again since; an older answer must not overwrite the newer one
        self._searching = False
        self._marks = {}
        self._read_marks(list(hits))
        self.beginResetModel()
        self._filter = text
        self._rows, self._ids = list(hits), {hit.id for hit in hits}
        self._hits_capped = len(hits) >= SEARCH_LIMIT
        self._hits_ranked = True
        self.endResetModel()
        self._describe()
        self.searchFinished.emit(len(hits))

    def _search_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._search_generation:
            return
        self._searching = False
        message = _tr("查询失败：{0}").format(clerk_message(exc))  # never a driver's raw SQL text
        self.descriptionChanged.emit(message)
        self.searchFailed.emit(message)

    def description(self) -> str:
        """What the table shows, in one line: the full list and its order, or how many hits (at most 500)."""
        order = _tr("降序") if self._descending else _tr("升序")
        if self._filter:
            ranking = (
                _tr("按匹配程度排列")
                if self._hits_ranked
                else _tr("按{0}{1}排列").format(_tr(_SORT_LABELS[self._sort]), order)
            )
            if self._hits_capped:
                text = _tr("“{0}”的结果超过{1}个，仅显示前{1}个，{2}；请输入更完整的名称或证件号码")
            else:
                text = _tr("“{0}”找到{3}个结果（最多显示{1}个），{2}")
            return text.format(self._filter, SEARCH_LIMIT, ranking, len(self._rows))
        return _tr("全部主体，按{0}{1}排列，滚动时自动加载").format(_tr(_SORT_LABELS[self._sort]), order)

    def _describe(self) -> None:
        self.descriptionChanged.emit(self.description())
