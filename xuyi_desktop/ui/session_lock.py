"""The idle lock: an application-wide watch on mouse and keyboard, and the screen that covers the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuyi_desktop.ui.widgets import error_label

IDLE_KEY = "security/idle_minutes"
DEFAULT_IDLE_MINUTES = 15
_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.TouchBegin,
    }
)


def idle_ms_from(settings: QSettings) -> int:
    """security/idle_minutes from the settings (default 15; 0 or less turns the lock off → 0)."""
    try:
        minutes = float(str(settings.value(IDLE_KEY, DEFAULT_IDLE_MINUTES)))
    except (TypeError, ValueError):
        minutes = DEFAULT_IDLE_MINUTES
    return max(int(minutes * 60_000), 0)


class IdleWatcher(QObject):
    """Emits `idle` once after `idle_ms` without mouse or key activity anywhere in the application."""

    idle = Signal()

    def __init__(self, idle_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self, singleShot=True, interval=max(idle_ms, 1))
        self.timer.timeout.connect(self.idle)
        self._installed = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()  # restart the countdown
        return False


class LockScreen(QFrame):
    """Covers the main window's contents; only the locked user's password (or 切换用户) gets past it."""

    unlockRequested = Signal(str)  # the password typed
    switchRequested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockScreen { background: #eef1f5; } #lockBox { background: white; border: 1px solid #c5ccd6; border-radius: 6px; }")
        box = QFrame(self)
        box.setObjectName("lockBox")
        box.setFixedWidth(420)
        self.title = QLabel(self.tr("屏幕已锁定"), box)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.who = QLabel(box)  # short lines, no word wrap: a wrapped label in a fixed-width box renders squashed
        self.hint = QLabel(self.tr("请输入该用户的密码解锁；其他人可点“切换用户”登录。"), box)
        self.password_edit = QLineEdit(box)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("请输入密码"))
        self.error = error_label(box)
        self.unlock_button = QPushButton(self.tr("解锁"), box)
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("切换用户"), box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addWidget(self.hint)
        inner.addSpacing(8)
        inner.addWidget(self.password_edit)
        inner.addWidget(self.error)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.password_edit.returnPressed.connect(self._unlock)
        self.unlock_button.clicked.connect(self._unlock)
        self.switch_button.clicked.connect(self.switchRequested)
        self.hide()

    def _unlock(self) -> None:
        password = self.password_edit.text()
        self.password_edit.clear()
        self.unlockRequested.emit(password)

    def show_for(self, who: str) -> None:
        self.who.setText(self.tr("当前用户：{0}").format(who))
        self.show_error("")
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.password_edit.setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
