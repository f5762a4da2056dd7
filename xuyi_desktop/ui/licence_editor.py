"""The small licences table inside the entity form: type, number, validity; rows added and removed by the clerk."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.domain.entities import LicenceDraft
from xuyi_desktop.services.entity_views import LicenceView

_HEADERS = ("证照类型", "证照编号", "有效期自", "有效期至")
DATE_HINT = "yyyy-MM-dd"


def _tr(text: str) -> str:
    return QCoreApplication.translate("LicenceEditor", text)


def parse_date(text: str) -> dt.date | None:
    """Accept 2024-01-31 or 20240131; empty means no date. Raises ValueError for anything else."""
    text = text.strip().replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text) if text else None


class LicenceEditor(QWidget):
    """Edits the licences of one entity; dates are typed as text so an unknown date can stay empty."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setHorizontalHeaderLabels([_tr(h) for h in _HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table: the form stays keyboard-first
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, self.fontMetrics().horizontalAdvance("道路运输经营许可证") + 16)
        date_width = self.fontMetrics().horizontalAdvance("2024-12-31") + 24
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, max(date_width, header.sectionSizeHint(column)))
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        for column in (2, 3):
            self.table.horizontalHeaderItem(column).setToolTip(_tr("日期格式：{0}，可留空").format(DATE_HINT))

        self.add_button = QPushButton(_tr("添加证照"), self)
        self.remove_button = QPushButton(_tr("删除证照"), self)
        self.add_button.setToolTip(_tr("添加一行证照（Ctrl+Insert）"))
        self.add_button.setShortcut(QKeySequence("Ctrl+Insert"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, values: tuple[str, str, str, str] = ("", "", "", "")) -> int:
        """Append a row (empty unless values are given) and put the cursor in its first cell."""
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.table.setCurrentCell(row, 0)
        self.changed.emit()
        return row

    def remove_selected(self) -> None:
        rows = sorted(
            {index.row() for index in self.table.selectedIndexes()} or {self.table.currentRow()}, reverse=True
        )
        for row in rows:
            if row >= 0:
                self.table.removeRow(row)
        self.changed.emit()

    def set_licences(self, licences: tuple[LicenceView, ...]) -> None:
        self.table.setRowCount(0)
        for lic in licences:
            self.add_row(
                (
                    lic.licence_type,
                    lic.number,
                    lic.valid_from.isoformat() if lic.valid_from else "",
                    lic.valid_to.isoformat() if lic.valid_to else "",
                )
            )

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item else ""

    def licences(self) -> tuple[tuple[LicenceDraft, ...], list[str]]:
        """The rows as drafts, and Chinese messages for dates that are not dates. Blank rows are skipped."""
        drafts: list[LicenceDraft] = []
        problems: list[str] = []
        for row in range(self.table.rowCount()):
            cells = [self._cell(row, column) for column in range(len(_HEADERS))]
            if not any(cells):
                continue
            dates: list[dt.date | None] = []
            for column in (2, 3):
                try:
                    dates.append(parse_date(cells[column]))
                except ValueError:
                    dates.append(None)
                    problems.append(
                        _tr("第{0}个证照：“{1}”不是有效日期（格式：{2}）").format(
                            len(drafts) + 1, cells[column], DATE_HINT
                        )
                    )
            drafts.append(LicenceDraft(cells[0], cells[1], dates[0], dates[1]))
        return tuple(drafts), problems
