"""Small widgets the pages share."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QWidget


class ElidedLabel(QLabel):
    """A label that shortens long text in the middle (database paths) instead of pushing the status bar wide."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…") * 8, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


def error_label(parent: QWidget | None = None) -> QLabel:
    """The red line under a form field that says, in Chinese, what is wrong with it."""
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def page_action(owner: QWidget, text: str, keys: str, slot: Callable[[], object]) -> QAction:
    """A keyboard shortcut that works while focus is inside `owner` only, so pages in the same window can
    each use Ctrl+N or Ctrl+F without Qt finding the shortcut ambiguous (and firing neither)."""
    action = QAction(text, owner)
    action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def attach_unit_completer(edit: QLineEdit) -> QCompleter:
    """Offer the unit dictionary's names (局属各单位, resources/units.toml) as the clerk types a unit; any spelling
    the dictionary knows is accepted by the services, which store the standard name."""
    from xuyi_desktop.services.units import unit_names

    completer = QCompleter(unit_names(), edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    edit.setCompleter(completer)
    return completer
