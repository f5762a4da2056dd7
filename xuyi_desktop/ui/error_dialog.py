"""One error dialog for the whole window: the clerk reads a Chinese sentence; the raw text (SQL, file paths, a
driver's English) stays behind 详情 for the administrator. Long texts wrap and the dialog never grows wider than
the screen.

`clerk_message(exc)` is the sentence alone, for status lines and labels.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QTextEdit, QWidget

_log = logging.getLogger(__name__)

# Fragments of a database driver's message → what the clerk is told (checked in order; the first match wins).
_DB_REASONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("database is locked", "lock timeout", "could not obtain lock", "deadlock"),
     "数据库正忙（其他窗口或柜台正在保存），请稍后再试"),
    (("unable to open database", "could not connect", "connection refused", "server closed the connection",
      "connection to server", "no such file"),
     "无法连接数据库，请检查数据库文件或网络后重试"),
    (("disk i/o error", "disk is full", "database or disk is full", "no space left"),
     "磁盘已满或无法写入，请联系系统管理员"),
    (("unique constraint", "duplicate key", "integrityerror", "foreign key"),
     "数据与已有记录冲突，未保存；请刷新后重试"),
    (("no such table", "no such column", "undefinedtable", "undefinedcolumn", "does not exist"),
     "数据库版本与程序不一致，请联系系统管理员升级数据库"),
    (("readonly", "read-only", "attempt to write a readonly database", "permission denied"),
     "数据库为只读，不能保存；请联系系统管理员"),
    (("malformed", "not a database", "file is encrypted"),
     "数据库文件已损坏，请联系系统管理员从备份恢复"),
)
GENERIC = "操作未完成，数据库未作改动。请重试；如仍不成功，请把“详情”中的内容告诉系统管理员"


def _is_database_error(exc: BaseException) -> bool:
    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        return False
    return isinstance(exc, SQLAlchemyError) or type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg", "psycopg2")


def clerk_message(exc: BaseException) -> str:
    """A Chinese sentence for the clerk: a refusal's own message_zh, a known database failure in plain words,
    otherwise the generic sentence. Never the raw SQL or a driver's English."""
    own = getattr(exc, "message_zh", None)
    if own:
        return str(own)
    text = f"{type(exc).__name__}: {exc}".lower()
    if _is_database_error(exc) or isinstance(exc, OSError):
        for fragments, reason in _DB_REASONS:
            if any(f in text for f in fragments):
                return reason
    return GENERIC


def detail_text(exc: BaseException) -> str:
    """What 详情 shows: the exception's type and text (for the administrator)."""
    return f"{type(exc).__module__}.{type(exc).__name__}: {exc}"


def max_dialog_width(parent: QWidget | None = None) -> int:
    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    available = screen.availableGeometry().width() if screen is not None else 1366
    return max(320, min(640, available - 120))


def fit_message_box(box: QMessageBox) -> None:
    """Keep a message box narrower than the screen: the text wraps instead of widening the window."""
    width = max_dialog_width(box.parentWidget())
    box.setStyleSheet(f"QLabel {{ max-width: {width}px; }}")
    for label in box.findChildren(QWidget):
        if label.objectName() == "qt_msgbox_label":
            label.setProperty("wordWrap", True)
            label.setMinimumWidth(min(420, width))  # wide enough to read a sentence per line, never past the screen


def details_button(box: QMessageBox) -> QPushButton:
    """The button that shows the detailed text (Qt keeps it outside box.buttons())."""
    for button in box.findChildren(QPushButton):
        if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole or button not in box.buttons():
            return button
    raise LookupError("no details button")


# The boxes shown lately (newest last): tests and the screenshot tool look at them; the window never waits on one.
SHOWN: list[QMessageBox] = []


def message_box(
    parent: QWidget | None, title: str, text: str, exc: BaseException | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Critical,
) -> QMessageBox:
    """The dialog, not shown yet: wrapped text, at most the screen's width, the raw error behind 详情."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if exc is not None and not getattr(exc, "message_zh", None):  # a refusal's own sentence needs no details
        box.setDetailedText(detail_text(exc))
    fit_message_box(box)
    return box


def show_message(
    parent: QWidget | None, title: str, text: str, exc: BaseException | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Critical,
) -> QMessageBox:
    """Open the box window-modal (not exec: the event loop and the tests keep running)."""
    box = message_box(parent, title, text, exc, icon)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    SHOWN.append(box)
    del SHOWN[:-20]
    box.open()
    if box.detailedText():
        _name_details_button(box)
    return box


def _name_details_button(box: QMessageBox) -> None:
    """Qt names its toggle in English on show and on every click: name it in Chinese after each."""
    button = details_button(box)

    def rename() -> None:
        shown = any(w.isVisible() for w in box.findChildren(QTextEdit))
        button.setText("收起详情" if shown else "详情…")

    rename()
    button.clicked.connect(lambda: QTimer.singleShot(0, rename))


def show_error(parent: QWidget | None, title: str, lead: str, exc: BaseException) -> QMessageBox:
    """`lead` says what failed ("保存失败，本次未写入。"); the reason follows in the clerk's words, the raw text
    behind 详情. The exception goes to the log file as well."""
    _log.error("%s: %s", title, detail_text(exc), exc_info=exc)
    return show_message(parent, title, f"{lead}\n原因：{clerk_message(exc)}", exc)
