"""Python's cyclic garbage collector, run on the GUI thread only.

Saves, imports and checks run on worker threads (ui/operations.py). Left automatic, the collector runs on whichever
thread happens to allocate past its threshold, and a cycle it frees there may hold the last reference to a Qt
object (a closed dialog's wrapper): Qt then destroys a widget off the GUI thread and the process crashes (seen in
CI as a segmentation fault during a background commitment save). So the automatic collector is switched off and a
GUI-thread timer does the same job: it looks at the generation counts a few times a second and collects the
generations that passed their thresholds, exactly as the automatic collector would have (the thresholds stay the
ones `gc.set_threshold` sets, so services/bulk_gc.py's raised threshold during a package or an import
still applies).

The same approach is used by long-lived PyQt applications (calibre's `GarbageCollector`)."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 250  # often enough that a burst of garbage never waits long; a check costs microseconds


def generation_due(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int | None:
    """The oldest generation the automatic collector would collect now, or None when none is due.

    Mirrors CPython's rule: generation 0 is collected when its count passes its threshold; an older one is
    collected with it when its own count (collections of the younger one since) has passed its threshold too."""
    due: int | None = None
    for generation, (count, threshold) in enumerate(zip(counts, thresholds, strict=True)):
        if threshold <= 0 or count <= threshold:
            break
        due = generation
    return due


class GuiThreadCollector(QObject):
    """Owns the collection while the application runs; `stop()` hands it back to Python (tests)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.collections = 0  # how many collections this object ran (tests look at it)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        gc.disable()
        self._timer.start()

    def collect_if_due(self) -> None:
        if gc.isenabled():  # a library switched automatic collection back on: it must stay off
            gc.disable()
        generation = generation_due(gc.get_count(), gc.get_threshold())
        if generation is not None:
            gc.collect(generation)
            self.collections += 1

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def install(app: QCoreApplication) -> GuiThreadCollector:
    """Install the collector on `app` once (a second call returns the first one).

    It is not stopped when the event loop ends: after 注销 the same application runs its loop again (ui/app.main),
    and at exit Python's finalisation collects regardless."""
    existing = app.findChild(GuiThreadCollector)
    if isinstance(existing, GuiThreadCollector):
        return existing
    return GuiThreadCollector(app)
