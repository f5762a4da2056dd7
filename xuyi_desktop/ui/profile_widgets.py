"""What the 信用核查 page and the 信用档案 view share: section tables that grow with their rows (the page scrolls,
not each box), the verdict banner, a reason dialog, and the colours of penalty and licence states.

Display only: every value shown comes from services.credit_check / services.profile; no rule is decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.ui.rating_common import GREYED, INCENTIVE, INFO, PROVISIONAL, RESTRICTION
from xuyi_desktop.ui.workflow_dialogs import OpinionDialog

AMBER = PROVISIONAL

# Verdict → (text colour, background, mark). The verdict itself comes from the service (Decision.verdict).
VERDICT_STYLE = {
    "restriction": (RESTRICTION, QColor("#ffebee"), "✘"),
    "incentive": (INCENTIVE, QColor("#e8f5e9"), "✔"),
    "none": (AMBER, QColor("#fff3e0"), "—"),
}

# Penalty states (domain.profile.PenaltyState values) → colour in lists.
PENALTY_STATE_COLOURS = {
    "in_publicity": RESTRICTION,
    "pending_class": AMBER,
    "expired": GREYED,
    "repaired": INCENTIVE,
    "withdrawn": GREYED,
    "not_published": GREYED,
    "not_yet": INFO,
}

CLASS_SOURCE_NOTE = {"rule": "按规则推定", "pending": "待审核确定"}


@dataclass(frozen=True)
class Col:
    """A column of a section table: its title and a sample of its widest usual content (None: it stretches)."""

    title: str
    sample: str | None = None


class SectionTable(QTableWidget):
    """A read-only table as tall as its rows: inside a scroll area the page scrolls as one, and nothing is cut
    to "…" (long texts wrap in the stretching column). An empty table shows one greyed line saying so."""

    def __init__(self, columns: Sequence[Col], empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self._empty_text = empty_text
        self.empty = True
        self.setHorizontalHeaderLabels([c.title for c in columns])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setWordWrap(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.verticalHeader().setVisible(False)
        head = self.horizontalHeader()
        head.setHighlightSections(False)
        head.setMinimumSectionSize(36)
        metrics = self.fontMetrics()
        stretch = [i for i, c in enumerate(columns) if c.sample is None] or [len(columns) - 1]
        for i, c in enumerate(columns):
            if i in stretch:
                head.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            else:
                width = max(metrics.horizontalAdvance(c.sample or ""), metrics.horizontalAdvance(c.title)) + 20
                head.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.setColumnWidth(i, width)
        head.sectionResized.connect(lambda *_: self._refit_soon())
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self.refit)
        self.set_rows([])

    # --- filling ------------------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Sequence[str | QTableWidgetItem]], *, keys: Sequence[object] | None = None) -> None:
        """Replace the rows; `keys` (one per row) are kept in the first cell's UserRole for the caller."""
        self.clearSpans()
        self.clearContents()
        self.empty = not rows
        if not rows:
            self.setRowCount(1)
            item = QTableWidgetItem(self._empty_text)
            item.setForeground(QBrush(GREYED))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(0, 0, item)
            if self.columnCount() > 1:
                self.setSpan(0, 0, 1, self.columnCount())
            self.refit()
            return
        self.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                item = cell if isinstance(cell, QTableWidgetItem) else QTableWidgetItem(str(cell))
                if not item.toolTip() and len(item.text()) > 12:
                    item.setToolTip(item.text())
                self.setItem(r, c, item)
            if keys is not None:
                self.item(r, 0).setData(Qt.ItemDataRole.UserRole, keys[r])
        self.refit()

    def key(self, row: int) -> object:
        item = self.item(row, 0)
        return None if self.empty or item is None else item.data(Qt.ItemDataRole.UserRole)

    def current_key(self) -> object:
        rows = self.selectionModel().selectedRows()
        return self.key(rows[0].row()) if rows else None

    def texts(self, row: int) -> list[str]:
        return [(self.item(row, c).text() if self.item(row, c) else "") for c in range(self.columnCount())]

    def row_texts(self) -> list[list[str]]:
        """Every row as shown ([] when the table says it is empty): for tests and the screenshots check."""
        return [] if self.empty else [self.texts(r) for r in range(self.rowCount())]

    # --- height follows the rows --------------------------------------------------------------------------

    def _refit_soon(self) -> None:
        self._refit_timer.start()

    def refit(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        height = self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth() + 2
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._refit_soon()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())


def item(text: str, colour: QColor | None = None, *, bold: bool = False, tip: str = "") -> QTableWidgetItem:
    """A table cell with an optional colour, weight and tooltip."""
    cell = QTableWidgetItem(text)
    if colour is not None:
        cell.setForeground(QBrush(colour))
    if bold:
        font = QFont(cell.font())
        font.setBold(True)
        cell.setFont(font)
    if tip:
        cell.setToolTip(tip)
    return cell


def section(title: str, body: QWidget, parent: QWidget | None = None, *, extra: QWidget | None = None) -> QGroupBox:
    """A titled box around one table (and, optionally, a row of buttons under it)."""
    box = QGroupBox(title, parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.setSpacing(4)
    layout.addWidget(body)
    if extra is not None:
        layout.addWidget(extra)
    return box


class VerdictBanner(QFrame):
    """The check's answer at a glance: green 可享受激励, amber 无激励措施, red 存在约束, with the reason beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.verdict = ""
        self.title_label = QLabel(self)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.reason_label = QLabel(self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(18)
        layout.addWidget(self.title_label)
        layout.addWidget(self.reason_label, 1)
        self.clear()

    def clear(self) -> None:
        self.verdict = ""
        self.title_label.setText("")
        self.reason_label.setText("")
        self.setVisible(False)

    def show_verdict(self, verdict: str, label: str, reason: str, *, stale: bool = False) -> None:
        colour, background, mark = VERDICT_STYLE.get(verdict, VERDICT_STYLE["none"])
        if stale:  # the shown check was for another business type: greyed until the clerk checks again
            colour, background = GREYED, QColor("#f5f5f5")
        self.verdict = verdict
        self.title_label.setText(f"{mark} {label}")
        self.reason_label.setText(reason)
        self.setStyleSheet(
            f"QFrame#verdictBanner {{ background: {background.name()}; border: 2px solid {colour.name()}; border-radius: 4px; }}"
            f"QFrame#verdictBanner QLabel {{ color: {colour.name()}; background: transparent; border: none; }}"
        )
        self.setVisible(True)


class ReasonDialog(OpinionDialog):
    """Ask for a written reason (and optionally a choice, `current` chosen first) before a reviewer's action: an
    OpinionDialog whose note is the 理由. OK runs `action(dialog)` (a service call); a refusal is shown in the
    dialog, which stays open, and only success closes it with `result_value` set."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, choices: Sequence[str] = (),
                 choice_label: str = "", current: str = "", action: Callable[[ReasonDialog], Any] | None = None) -> None:
        super().__init__(title, prompt, parent, choices=choices, choice_label=choice_label, action=action)
        self.reason_edit = self.note_edit
        if self.choice_combo is not None and current in choices:
            self.choice_combo.setCurrentText(current)
        self.resize(520, self.sizeHint().height())
        (self.choice_combo or self.reason_edit).setFocus()

    @property
    def reason(self) -> str:
        return self.note
