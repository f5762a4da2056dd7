"""One application-wide "data changed" signal: a write anywhere (a page's save through ui/operations, a sync
import, another counter of a shared database) tells every open view, which refreshes what it shows.

The signal carries the record kind as the sync allowlist names it (xuyi_desktop/sync/records.py: "entity",
"rating", "commitment", "sgs_record", …). A view that shows several kinds listens to each; `listen` collects the
kinds announced in one turn of the event loop into one call, so an import of 500 entity changes refreshes a list
once, not 500 times.

    from xuyi_desktop.ui.data_events import announce, listen
    announce("entity")                                   # after a successful write (GUI thread)
    listen(self, {"entity", "rating"}, self.refresh)     # a view: refresh while `self` exists
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

ANY = None  # listen(owner, ANY, slot): every kind


class DataEvents(QObject):
    """The one emitter. Emit on the GUI thread only (ui/operations delivers results there)."""

    changed = Signal(str)  # the record kind (a table name of the sync allowlist)


_events: DataEvents | None = None


def data_events() -> DataEvents:
    global _events
    if _events is None or not shiboken6.isValid(_events):
        _events = DataEvents()
    return _events


def announce(*kinds: str) -> None:
    """Tell every view that records of these kinds were written (each kind once, in a stable order)."""
    for kind in sorted(set(kinds)):
        data_events().changed.emit(kind)


class _Listener(QObject):
    """A child of the view: it goes with the view, and its connection with it; one call per event-loop turn."""

    def __init__(self, owner: QObject, kinds: frozenset[str] | None, slot: Callable[[], Any]) -> None:
        super().__init__(owner)
        self._kinds, self._slot = kinds, slot
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._fire)
        data_events().changed.connect(self._changed)

    def _changed(self, kind: str) -> None:
        if shiboken6.isValid(self) and (self._kinds is None or kind in self._kinds):
            self._timer.start()

    def _fire(self) -> None:
        self._slot()


def listen(owner: QObject, kinds: Iterable[str] | None, slot: Callable[[], Any]) -> QObject:
    """Call `slot()` (on the GUI thread, at most once per event-loop turn) after a change of any of `kinds`
    (None: any kind), for as long as `owner` exists. Returns the listener (a child of `owner`)."""
    return _Listener(owner, None if kinds is None else frozenset(kinds), slot)


POLL_MS = 20_000  # a shared database: how often the window asks the change log what other counters wrote


class ChangeLogWatcher(QObject):
    """On a shared database, other counters write too: every POLL_MS the change-log head is read off the GUI
    thread, and the record kinds written since the last look are announced like a write of this window's own."""

    def __init__(self, ctx: Any, parent: QObject, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._head: dict[str, int] | None = None
        self._asking = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()  # the first answer is only the head to compare with

    def poll(self) -> None:
        from xuyi_desktop.services.change_feed import changes_since
        from xuyi_desktop.ui.operations import run_in_background

        if self._asking:
            return
        self._asking, ctx, since = True, self._ctx, self._head
        run_in_background(lambda: changes_since(ctx, since), self._answered, self._unanswered, owner=self)

    def _answered(self, changes: Any) -> None:
        self._asking = False
        self._head = changes.head
        announce(*changes.kinds)

    def _unanswered(self, _exc: BaseException) -> None:
        self._asking = False  # a server briefly away: ask again next time


def watch_shared_database(ctx: Any, parent: QObject) -> ChangeLogWatcher | None:
    """The watcher for a shared database; None for this PC's own file (every write there is this window's)."""
    from xuyi_desktop.services.change_feed import is_shared

    return ChangeLogWatcher(ctx, parent) if is_shared(ctx) else None
