"""The application-wide data-changed signal: a sync import made on the 数据同步 page, or a write by another counter
of the same database, refreshes the registry list and the status-bar count without reopening a page; the
conflicts tab names the record and the field as a reviewer reads them."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.services.sgs_demo import uscc
from xuyi_desktop.ui.data_events import ChangeLogWatcher, announce, data_events, listen
from xuyi_desktop.ui.main_window import MainWindow
from xuyi_desktop.ui.sync_page import SyncPage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"
LOCAL = "盱眙县本地货运有限公司"


def _window(qtbot, ctx, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, QSettings(str(tmp_path / "main.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def _import(qtbot, page: SyncPage, package: Path) -> None:  # type: ignore[no-untyped-def]
    """Preview, then 确认导入, as the clerk does."""
    page.file_edit.setText(str(package))
    with qtbot.waitSignal(page.previewed, timeout=20000):
        qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.imported, timeout=20000):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)


def test_a_sync_import_refreshes_the_registry_list_and_the_status_bar_count(qtbot, offices, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    a, b = offices
    with a.active():
        svc.register_entity(a.ctx, EntityDraft(name=NAME, identifier=uscc(7101)))
        package = sync.export_package(a.ctx, "XYF1", tmp_path / "a.xsync").path
    with b.active():
        local = svc.register_entity(b.ctx, EntityDraft(name=LOCAL, identifier=uscc(7102))).summary.id
        window = _window(qtbot, b.ctx, tmp_path)
        registry = window.registry
        qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：1", timeout=10000)
        assert registry.model.rowCount() == 1 and registry.select_entity(local)

        page = window.show_page("数据同步")  # the registry page stays built behind it; it is not reopened
        assert isinstance(page, SyncPage)
        qtbot.waitUntil(lambda: not page.busy_now() and page.peer_combo.count() == 1, timeout=10000)
        _import(qtbot, page, package)
        qtbot.waitUntil(lambda: registry.model.rowCount() == 2, timeout=10000)
        qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：2", timeout=10000)
    names = {registry.model.summary(r).name for r in range(registry.model.rowCount())}  # type: ignore[union-attr]
    assert names == {NAME, LOCAL}
    assert registry.current_entity_id() == local  # the clerk's selection survives the refresh
    assert not dialogs.texts("warning")
    window.close()


def test_a_sync_conflict_names_the_entity_and_the_field_in_the_clerks_words(qtbot, offices, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    a, b = offices
    with a.active():
        entity = svc.register_entity(a.ctx, EntityDraft(name=NAME, identifier=uscc(7201))).summary.id
        first = sync.export_package(a.ctx, "XYF1", tmp_path / "a1.xsync").path
    with b.active():
        sync.import_package(b.ctx, first)
    # both offices correct the code the same day, differently: b's correction is the later one and is kept
    for office, code in ((a, uscc(7202)), (b, uscc(7203))):
        with office.active():
            svc.update_entity(office.ctx, entity, EntityDraft(name=NAME, identifier=code), expected_version=None)
    with a.active():
        second = sync.export_package(a.ctx, "XYF1", tmp_path / "a2.xsync").path
    with b.active():
        page = SyncPage(b.ctx, QSettings(str(tmp_path / "b.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(page)
        page.resize(1366 - 200, 768 - 80)
        with qtbot.waitSignal(page.refreshed, timeout=10000):
            page.show()
        _import(qtbot, page, second)
        qtbot.waitUntil(lambda: page.conflicts_table.rowCount() == 1 and not page.busy_now(), timeout=10000)
    header = [page.conflicts_table.horizontalHeaderItem(c).text() for c in range(page.conflicts_table.columnCount())]
    row = {header[c]: page.conflicts_table.item(0, c).text() for c in range(len(header))}
    assert row["记录"] == NAME
    assert row["字段"] == "统一社会信用代码"
    assert (row["当前值"], row["另一值"]) == (uscc(7203), uscc(7202))  # side by side: kept, and the other
    assert row["当前值来自"] == "XYF1 测试单位XYF1" and row["另一值来自"] == "XYJ 测试单位XYJ"
    texts = [page.conflicts_table.item(0, c).text() for c in range(len(header))]
    assert not any(str(entity)[:8] in t for t in texts)  # no UUID anywhere in the row
    assert not any(t in ("identifier", "entity") for t in texts)


def test_another_counters_write_reaches_the_list_through_the_change_log_poll(qtbot, ctx, database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two contexts on one database, as two counters of a hall: the window's watcher reads the change-log head and
    announces what the other counter wrote (the window starts it by itself on a shared server database)."""
    from xuyi_desktop.services.context import open_context

    window = _window(qtbot, ctx, tmp_path)
    qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：0", timeout=10000)
    watcher = ChangeLogWatcher(ctx, window, interval_ms=3_600_000)  # polled by hand below
    qtbot.waitUntil(lambda: watcher._head is not None, timeout=10000)
    other = open_context(database)
    try:
        svc.register_entity(other, EntityDraft(name=NAME, identifier=uscc(7301)))
    finally:
        other.close()
    kinds: list[str] = []
    data_events().changed.connect(kinds.append)
    watcher.poll()
    qtbot.waitUntil(lambda: window.registry.model.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：1", timeout=10000)
    assert "entity" in kinds
    kinds.clear()
    watcher.poll()  # nothing new: nothing announced
    qtbot.waitUntil(lambda: not watcher._asking, timeout=10000)
    assert kinds == []
    window.close()


def _settle() -> None:
    """Let the event loop run its pending zero-interval timers (the listeners' one call per turn)."""
    from PySide6.QtCore import QCoreApplication

    for _ in range(3):
        QCoreApplication.processEvents()


def test_listeners_are_called_once_per_turn_and_only_for_their_kinds(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    view = QWidget()
    calls: list[str] = []
    listen(view, {"entity"}, lambda: calls.append("entity"))
    listen(view, None, lambda: calls.append("any"))
    announce("entity", "rating", "entity")
    announce("sgs_record")
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    _settle()
    assert sorted(calls) == ["any", "entity"]
    view.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(view), timeout=2000)
    announce("entity")  # a listener goes with its view
    _settle()
    assert len(calls) == 2
