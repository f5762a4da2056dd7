"""The garbage collector runs on the GUI thread only (ui/gui_gc.py): a background save that allocates a lot never
frees a cycle (and the Qt object it holds) on its worker thread."""

from __future__ import annotations

import gc
import threading

import pytest

from xuyi_desktop.ui import gui_gc
from xuyi_desktop.ui.app import create_application


@pytest.mark.parametrize(
    ("counts", "thresholds", "due"),
    [
        ((10, 0, 0), (700, 10, 10), None),
        ((700, 0, 0), (700, 10, 10), None),  # CPython collects when the count passes the threshold, not at it
        ((701, 3, 0), (700, 10, 10), 0),
        ((701, 11, 2), (700, 10, 10), 1),
        ((701, 11, 11), (700, 10, 10), 2),
        ((50_000, 0, 0), (100_000, 10, 10), None),  # services/sync.py's raised threshold during a package holds
        ((701, 0, 11), (700, 10, 10), 0),  # an old generation is only collected with the ones below it
        ((5, 5, 5), (0, 10, 10), None),  # a zero threshold switches collection off, as in gc.set_threshold(0)
    ],
)
def test_the_generation_due_follows_cpython_s_rule(counts, thresholds, due) -> None:  # type: ignore[no-untyped-def]
    assert gui_gc.generation_due(counts, thresholds) == due


class _Cycle:
    """A cycle whose finaliser records the thread it was freed on."""

    freed_on: list[int] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.get_ident())


def test_the_application_collects_on_the_gui_thread_only(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = gui_gc.install(create_application())
    assert gui_gc.install(qapp) is collector  # one collector per application
    gc.enable()  # a library switching it back on (as in a worker of the mixed run) ...
    collector.collect_if_due()
    assert not gc.isenabled()  # ... is switched off again at the next tick
    qapp.aboutToQuit.emit()  # the event loop ending (注销 ends one; the same application runs the next) ...
    assert not gc.isenabled()  # ... leaves the collector in charge
    gc.collect()
    _Cycle.freed_on.clear()
    gui_thread = threading.get_ident()

    kept: list[object] = []

    def busy_worker() -> None:  # what a background save does: make garbage, then allocate far past the threshold
        for _ in range(50):
            _Cycle()
        kept.extend([] for _ in range(20 * gc.get_threshold()[0]))

    worker = threading.Thread(target=busy_worker)
    worker.start()
    worker.join()
    assert gc.get_count()[0] > gc.get_threshold()[0]  # the worker went past the threshold...
    assert _Cycle.freed_on == []  # ...and nothing was collected on its thread

    before = collector.collections
    qtbot.waitUntil(lambda: collector.collections > before, timeout=3000)
    gc.collect()  # whatever the timer left in older generations, still on this thread
    assert len(_Cycle.freed_on) == 50
    assert set(_Cycle.freed_on) == {gui_thread}
