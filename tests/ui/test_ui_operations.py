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
    qtbot.waitUntil(lambda: pending_operations() == 0, timeout=5000)  # an earlier test's work may still be ending


class _Tracked:
    """A call, and its result, that record the thread their last reference was dropped on."""

    freed_on: list[tuple[str, int]] = []

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self) -> _Tracked:
        return _Tracked("result")

    def __del__(self) -> None:
        _Tracked.freed_on.append((self.what, threading.get_ident()))


def test_the_worker_never_frees_what_the_gui_owns(qtbot):  # type: ignore[no-untyped-def]
    """A worker that dropped the last reference to a call (which captures a page) or to its result would free them,
    and any Qt object they hold, off the GUI thread: a crash. Forty calls, none is freed on a worker."""
    gui = threading.get_ident()
    _Tracked.freed_on.clear()
    delivered: list[int] = []
    for _ in range(40):
        op = Operation(_Tracked("call"))
        op.succeeded.connect(lambda result: delivered.append(1))
        op.start()
        del op
    qtbot.waitUntil(lambda: len(delivered) == 40 and pending_operations() == 0, timeout=10000)
    qtbot.waitUntil(lambda: len(_Tracked.freed_on) == 80, timeout=3000)
    assert {thread for _what, thread in _Tracked.freed_on} == {gui}


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


# --- the page's operation helper ------------------------------------------------------------------------------


def _page():  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget

    from xuyi_desktop.ui.operations import OperationRunner

    page = QWidget()
    button, other, cancel = QPushButton("导出", page), QPushButton("刷新", page), QPushButton("取消", page)
    other.setEnabled(False)  # disabled before (no permission): still disabled after
    status, progress = QLabel(page), QProgressBar(page)
    runner = OperationRunner(page, "测试页", progress=progress, status=status, cancel_button=cancel,
                             busy_widgets=[button, other])
    return page, runner, button, other, status


def test_runner_busy_state_result_and_data_changed_announcement(qtbot, dialogs):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.data_events import data_events

    page, runner, button, other, status = _page()
    gate = threading.Event()
    results: list[object] = []
    kinds: list[str] = []
    data_events().changed.connect(kinds.append)
    with qtbot.waitSignal(runner.finished, timeout=3000):
        runner.run("正在导出…", lambda: gate.wait(3) and 7, results.append, changes=lambda n: {"entity", "rating"})
        assert runner.busy and not button.isEnabled() and status.text() == "正在导出…"
        assert runner.run("再来一次", lambda: 1) is None  # one operation at a time per page
        gate.set()
    assert results == [7] and kinds == ["entity", "rating"]
    assert not runner.busy and button.isEnabled() and not other.isEnabled()
    assert not dialogs


def test_runner_shows_the_services_chinese_message_and_hides_raw_errors_behind_details(qtbot, dialogs):  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.errors import FieldProblem, ValidationError
    from xuyi_desktop.ui.data_events import data_events

    page, runner, button, _other, status = _page()
    kinds: list[str] = []
    data_events().changed.connect(kinds.append)

    def refused() -> None:
        raise ValidationError(FieldProblem("peer", "请先登记接收单位", "no peer"))

    with qtbot.waitSignal(runner.failed, timeout=3000) as failed:
        runner.run("正在导出…", refused, changes={"entity"})
    assert failed.args[0] == "请先登记接收单位" and dialogs.texts("warning") == ["请先登记接收单位"]
    assert button.isEnabled() and kinds == []  # nothing written, nothing announced

    def broken() -> None:
        raise RuntimeError("(sqlite3.OperationalError) no such table: entity [SQL: SELECT …]")

    with qtbot.waitSignal(runner.failed, timeout=3000) as failed:
        runner.run("正在导出…", broken)
    assert "意外错误" in failed.args[0] and "sqlite3" not in failed.args[0]
    box = runner.failure_box
    assert box is not None and "sqlite3" in box.detailedText() and "sqlite3" not in box.text()
    box.close()


def test_runner_cancel_is_reported_in_the_status_line_only(qtbot, dialogs):  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.errors import DomainError

    page, runner, _button, _other, status = _page()
    started = threading.Event()

    class Cancelled(DomainError):
        message_zh = "已取消，数据未改动"

    def work() -> None:
        started.set()
        for _ in range(300):
            if runner.cancelled():
                raise Cancelled()
            threading.Event().wait(0.01)

    with qtbot.waitSignal(runner.failed, timeout=5000):
        runner.run("正在导入…", work, cancellable=True)
        started.wait(3)
        runner.cancel()
    assert status.text() == "已取消，数据未改动" and not dialogs
