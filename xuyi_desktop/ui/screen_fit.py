"""Sizes that fit the screen the window opens on (1366×768 counters: a taskbar and a title bar leave ~700 px)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME_ALLOWANCE = QSize(16, 40)  # the title bar and borders the window manager adds outside the widget


def fitted(widget: QWidget, preferred: QSize) -> QSize:
    """`preferred`, shrunk to what the screen's free area holds once the window frame is added."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return preferred
    area = screen.availableGeometry().size() - FRAME_ALLOWANCE
    return QSize(min(preferred.width(), area.width()), min(preferred.height(), area.height()))
