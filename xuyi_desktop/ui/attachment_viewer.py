"""The program's own viewer for attached pictures: shown inside the window, nothing handed to the system."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget


class AttachmentViewer(QDialog):
    """A picture at its size (scrollable), within 1366×768; a file that is not a readable picture says so."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("查看附件：{0}").format(title))
        self.resize(900, 640)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(str(path))
        self.loaded = not pixmap.isNull()
        if self.loaded:
            self.image.setPixmap(pixmap)
        else:
            self.image.setText(self.tr("无法显示该图片（文件可能已损坏）"))
        scroll = QScrollArea(self)
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(not self.loaded)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
