"""Run a slow call on a worker thread and get its result back on the GUI thread, so typing never blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

_RUNNING: set[Operation] = set()  # keeps each operation alive until its result has been delivered


class Operation(QObject):
    """One background call. It lives on the GUI thread, so its public signals are emitted there."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    _done = Signal(object)  # (ok, payload) from the worker, queued to the GUI thread

    def __init__(self, fn: Callable[[], Any], owner: QObject | None = None) -> None:
        super().__init__()
        self._fn = fn
        self._owner = owner
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def start(self, pool: QThreadPool | None = None) -> Operation:
        _RUNNING.add(self)
        (pool or QThreadPool.globalInstance()).start(self._run)
        return self

    def _run(self) -> None:  # worker thread: touch no widget here
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - every failure is handed to the GUI to show
            self._done.emit((False, exc))
        else:
            self._done.emit((True, result))

    @Slot(object)
    def _deliver(self, outcome: tuple[bool, object]) -> None:
        ok, payload = outcome
        _RUNNING.discard(self)
        if self._owner is not None and not shiboken6.isValid(self._owner):
            return  # the widget that asked is gone (window closed): drop the result quietly
        (self.succeeded if ok else self.failed).emit(payload)
        self.finished.emit()


def run_in_background(
    fn: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None] | None = None,
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
