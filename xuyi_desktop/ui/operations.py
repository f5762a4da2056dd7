"""Run a slow call on a worker thread and get its result back on the GUI thread, so typing never blocks.

`run_in_background` is the primitive; `OperationRunner` is the page's helper around it (busy state, progress,
cancel, the one failure path, and the data-changed announcement after a successful write)."""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from xuyi_desktop.ui.data_events import announce

_RUNNING: set[Operation] = set()  # keeps each operation alive until its result has been delivered
_OUTCOMES: dict[int, tuple[bool, object]] = {}  # key → (ok, result or exception), left by the worker for the GUI
_KEYS = itertools.count(1)


class _Mailbox(QObject):
    """The one object the workers signal, living on the GUI thread for the whole run: a worker hands over only an
    int, so it never holds (and never drops) the last reference to an operation, its closure or its result."""

    arrived = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, Operation] = {}
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(int)
    def _deliver(self, key: int) -> None:
        operation = self.waiting.pop(key, None)
        outcome = _OUTCOMES.pop(key, None)
        if operation is not None and outcome is not None:
            operation._deliver(outcome)


_mailbox: _Mailbox | None = None


def _the_mailbox() -> _Mailbox:
    global _mailbox
    if _mailbox is None:  # first use, on the GUI thread (operations are started there)
        _mailbox = _Mailbox()
    return _mailbox


def _work(key: int, mailbox: _Mailbox) -> None:  # worker thread: touch no widget here
    """Run the operation's call and leave its outcome for the GUI thread.

    Every reference this thread takes is dropped before the GUI thread can drop its own, so no Python object the GUI
    owns (a page captured by the call, a closed dialog, an exception's frames) is ever freed here: freeing the last
    wrapper of a Qt object off the GUI thread destroys it there, and that crashes the process."""
    call = mailbox.waiting[key]._fn
    try:
        outcome: tuple[bool, object] = (True, call())
    except Exception as exc:  # noqa: BLE001 - every failure is handed to the GUI to show
        outcome = (False, exc)
    del call
    _OUTCOMES[key] = outcome
    del outcome
    mailbox.arrived.emit(key)


class Operation(QObject):
    """One background call. It lives on the GUI thread, so its public signals are emitted there."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[], Any], owner: QObject | None = None) -> None:
        super().__init__()
        self._fn = fn
        self._owner = owner

    def start(self, pool: QThreadPool | None = None) -> Operation:
        _RUNNING.add(self)
        mailbox = _the_mailbox()
        key = next(_KEYS)
        mailbox.waiting[key] = self
        (pool or QThreadPool.globalInstance()).start(functools.partial(_work, key, mailbox))
        return self

    def _deliver(self, outcome: tuple[bool, object]) -> None:
        ok, payload = outcome
        _RUNNING.discard(self)
        if self._owner is not None and not shiboken6.isValid(self._owner):
            return  # the widget that asked is gone (window closed): drop the result quietly
        (self.succeeded if ok else self.failed).emit(payload)
        self.finished.emit()


def run_in_background(
    fn: Callable[[], Any],
    on_success: Callable[[Any], Any],
    on_failure: Callable[[BaseException], Any] | None = None,
    *,
    owner: QObject | None = None,
) -> Operation:
    """Start `fn` on the thread pool; the callbacks run on the GUI thread, and only while `owner` still exists."""
    op = Operation(fn, owner)
    op.succeeded.connect(on_success)
    if on_failure is not None:
        op.failed.connect(on_failure)
    return op.start()


def wait_for_background(timeout_ms: int = 5000) -> bool:
    """Before closing the database: let running calls end (their results are then dropped with their owner)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


def pending_operations() -> int:
    """How many results have not been delivered yet (tests and shutdown use it)."""
    return len(_RUNNING)


# --- the page's operation helper: busy state, progress, cancel, one failure path, the data-changed signal --------


def failure_text(exc: BaseException) -> str:
    """The service's own Chinese message; anything else (a bug, a lost database) in general words."""
    message = getattr(exc, "message_zh", None)
    if message:
        return str(message)
    return QCoreApplication.translate("operations", "操作未完成：程序或数据库出现意外错误。请重试；如仍失败，请把“详细信息”告知管理员。")


class _Progress(QObject):
    """Carries (done, total) from the worker thread to the GUI thread (queued: the receiver lives there)."""

    progressed = Signal(int, int)


class OperationRunner(QObject):
    """One page's background work, the same way on every page:

    - `run(what, fn, done)` starts `fn` off the GUI thread; while it runs the page's buttons are disabled (and
      restored to what they were), the status label says `what` and the progress bar turns;
    - `fn` may call `runner.report(done, total)` and `runner.cancelled()` from the worker thread (the services'
      `progress=` and `cancelled=` parameters take them as they are); the cancel button sets the flag;
    - success calls `done(result)` on the GUI thread and then announces `changes` (record kinds, or a function of
      the result giving them) on the application-wide data-changed signal (ui/data_events.py);
    - failure shows the service's Chinese message in one warning box (the raw text behind 详细信息 when there is no
      Chinese message), or hands it to `failed` when the page shows it beside a field; a failure after the clerk
      asked to cancel is the cancellation, reported in the status label only.
    """

    started = Signal(str)
    succeeded = Signal(object)
    failed = Signal(str)  # the Chinese message shown (or handed to the page)
    finished = Signal()

    def __init__(
        self,
        page: QWidget,
        title: str,
        *,
        progress: QProgressBar | None = None,
        status: QLabel | None = None,
        cancel_button: QPushButton | None = None,
        busy_widgets: Iterable[QWidget] = (),
    ) -> None:
        super().__init__(page)
        self._page, self._title = page, title
        self._progress, self._status, self._cancel_button = progress, status, cancel_button
        self._busy_widgets = list(busy_widgets)
        self._was_enabled: dict[QWidget, bool] = {}
        self._cancel = threading.Event()
        self._running: Operation | None = None
        self.failure_box: QMessageBox | None = None  # the last box of an unexpected error (tests look at it)
        self._relay = _Progress(self)
        self._relay.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        if progress is not None:
            progress.setVisible(False)
        if cancel_button is not None:
            cancel_button.setVisible(False)
            cancel_button.clicked.connect(self.cancel)

    def set_busy_widgets(self, widgets: Iterable[QWidget]) -> None:
        self._busy_widgets = list(widgets)

    @property
    def busy(self) -> bool:
        return self._running is not None

    # worker-thread side
    def report(self, done: int, total: int) -> None:
        self._relay.progressed.emit(done, total)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # GUI side
    def cancel(self) -> None:
        if self._running is None:
            return
        self._cancel.set()
        if self._cancel_button is not None:
            self._cancel_button.setEnabled(False)
        self._say(QCoreApplication.translate("operations", "正在取消…（已做的改动将全部撤销）"))

    def run(
        self,
        what: str,
        fn: Callable[[], Any],
        done: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[BaseException], Any] | None = None,
        cancellable: bool = False,
        changes: Iterable[str] | Callable[[Any], Iterable[str]] = (),
    ) -> Operation | None:
        """Start `fn`; None (and nothing started) while another operation of this page is still running."""
        if self._running is not None:
            return None
        self._cancel.clear()
        self._was_enabled = {w: w.isEnabled() for w in self._busy_widgets}
        for w in self._busy_widgets:
            w.setEnabled(False)
        if self._progress is not None:
            self._progress.setRange(0, 0)
            self._progress.setVisible(True)
        if self._cancel_button is not None:
            self._cancel_button.setVisible(cancellable)
            self._cancel_button.setEnabled(True)
        self._say(what)
        self.started.emit(what)

        def ok(result: Any) -> None:
            self._finish()
            if done is not None:
                done(result)
            kinds = changes(result) if callable(changes) else changes
            announce(*kinds)
            self.succeeded.emit(result)
            self.finished.emit()

        def bad(exc: BaseException) -> None:
            was_cancel = self._cancel.is_set()
            self._finish()
            text = failure_text(exc)
            if was_cancel:
                self._say(getattr(exc, "message_zh", None) or QCoreApplication.translate("operations", "已取消，数据未改动"))
            elif failed is not None:
                self._say("")
                failed(exc)
            else:
                self._say(text)
                self.show_failure(exc)
            self.failed.emit(text)
            self.finished.emit()

        self._running = run_in_background(fn, ok, bad, owner=self._page)
        return self._running

    def show_failure(self, exc: BaseException) -> None:
        """The one failure box: the service's Chinese message; an unexpected error in general words, its own text
        (English, maybe SQL) behind 详细信息 where it does not widen the box."""
        if getattr(exc, "message_zh", None):
            QMessageBox.warning(self._page, self._title, failure_text(exc))
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self._title, failure_text(exc), QMessageBox.StandardButton.Ok, self._page)
        box.setDetailedText(f"{type(exc).__name__}: {exc}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.failure_box = box
        box.open()  # window-modal, not exec: the event loop keeps running

    def _finish(self) -> None:
        self._running = None
        if self._progress is not None:
            self._progress.setVisible(False)
        if self._cancel_button is not None:
            self._cancel_button.setVisible(False)
        for w, was in self._was_enabled.items():
            if shiboken6.isValid(w):
                w.setEnabled(was)
        self._was_enabled = {}

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status.setText(text)

    def _show_progress(self, done: int, total: int) -> None:
        if self._progress is not None and self._running is not None and total > 0:
            self._progress.setRange(0, total)
            self._progress.setValue(done)
