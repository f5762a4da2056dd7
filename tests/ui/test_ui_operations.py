"""Background calls: the work runs on a pool thread, the answer arrives on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from xuyi_desktop.ui.operations import Operation, pending_operations, run_in_background


def test_result_is_delivered_on_the_gui_thread(qtbot):  # type: ignore[no-untyped-def]
    gui = threading.get_ident()
    seen: dict[str, object] = {}
    op = Operation(lambda: seen.setdefault("worker", threading.get_ident()) and 42)
    op.succeeded.connect(lambda value: seen.update(value=value, slot=threading.get_ident()))
    with qtbot.waitSignal(op.finished, timeout=3000):
        op.start()
    assert seen["value"] == 42 and seen["slot"] == gui and seen["worker"] != gui
    assert pending_operations() == 0


def test_failure_is_delivered_with_the_exception(qtbot):  # type: ignore[no-untyped-def]
    failures: list[BaseException] = []

    def boom() -> None:
        raise ValueError("数据库已锁定")

    op = run_in_background(boom, lambda _v: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=3000)
    assert isinstance(failures[0], ValueError) and op is not None


def test_nothing_is_delivered_to_a_deleted_owner(qtbot):  # type: ignore[no-untyped-def]
    owner = QObject()
    results: list[object] = []
    gate = threading.Event()
    op = run_in_background(lambda: gate.wait(3) and "late", results.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(owner), timeout=2000)
    gate.set()
    qtbot.waitUntil(lambda: pending_operations() == 0, timeout=3000)
    assert results == [] and op is not None


def test_qt_calls_cannot_use_up_none_or_true(qtbot):  # type: ignore[no-untyped-def]
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call and to True per emit (see qt_compat)."""
    import sys

    from PySide6.QtCore import Signal

    from xuyi_desktop.ui import qt_compat

    class Source(QObject):
        ping = Signal()

    source = Source()
    if qt_compat.binding_steals_references():
        assert qt_compat.protect_singletons()
        assert min(sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)) > 2**39
    for _ in range(20_000):  # would abort an unprotected Python 3.11 process (None starts at a few thousand)
        source.setObjectName("x")
        source.ping.emit()
