"""The 数据同步 page: one office exports from its page, another previews then imports on its own page, and a
reviewer settles a conflict (two SQLite files, two contexts, offices registered with each other)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.ui.sync_page import SyncPage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump, entity_state

USCC = "91320830PYQLFT169T"
NAME = "盱眙县顺达运输有限公司"


def _page(qtbot, office, tmp_path: Path) -> SyncPage:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / f"{office.code}.ini"), QSettings.Format.IniFormat)
    page = SyncPage(office.ctx, settings)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with office.active(), qtbot.waitSignal(page.refreshed, timeout=10000):
        page.show()
    return page


def test_export_on_one_office_preview_and_import_on_another(qtbot, offices, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    a, b = offices
    with a.active():
        entity = svc.register_entity(a.ctx, EntityDraft(name=NAME, identifier=USCC)).summary.id
    usb = tmp_path / "usb"
    usb.mkdir()

    page_a = _page(qtbot, a, tmp_path)
    assert page_a.peer_combo.count() == 1 and page_a.peer_combo.currentData() == "XYF1"
    page_a.folder_edit.setText(str(usb))
    with a.active(), qtbot.waitSignal(page_a.exported, timeout=20000) as sent:
        qtbot.mouseClick(page_a.export_button, Qt.MouseButton.LeftButton)
    package = sent.args[0].path
    assert package.parent == usb and package.exists()
    with a.active():
        qtbot.waitUntil(lambda: page_a.history_table.rowCount() == 1 and not page_a.busy_now(), timeout=10000)
    assert page_a.history_table.item(0, 4).text() == "已发出未确认"
    assert page_a.peers_table.item(0, 0).text() == "XYF1"
    assert page_a.peers_table.item(0, 2).text().startswith("已发出未确认：1 条变更，最早一包 不到 1 小时前发出")

    page_b = _page(qtbot, b, tmp_path)
    before = business_dump(b.ctx)
    page_b.file_edit.setText(str(package))
    assert not page_b.apply_button.isEnabled()  # nothing is applied before a preview
    with b.active(), qtbot.waitSignal(page_b.previewed, timeout=20000):
        qtbot.mouseClick(page_b.preview_button, Qt.MouseButton.LeftButton)
    text = page_b.preview_view.toPlainText()
    assert "来自单位 XYJ" in text and "市场主体　新增 1 条" in text and "冲突：0 处" in text
    assert business_dump(b.ctx) == before  # the preview changed nothing
    assert page_b.apply_button.isEnabled()
    with b.active(), qtbot.waitSignal(page_b.imported, timeout=20000) as got:
        qtbot.mouseClick(page_b.apply_button, Qt.MouseButton.LeftButton)
    assert got.args[0].applied == 1
    with b.active():
        qtbot.waitUntil(lambda: page_b.history_table.rowCount() == 1 and not page_b.busy_now(), timeout=10000)
    assert page_b.history_table.item(0, 4).text() == "已导入"
    assert "没有缺少的同步包" in page_b.missing_view.toPlainText()
    assert entity_state(a.ctx) == entity_state(b.ctx)
    assert not dialogs.texts("warning")
    # b's next package tells a: the row turns to 已确认 on a's page
    with b.active():
        reply = sync.export_package(b.ctx, "XYJ", tmp_path / "reply.xsync").path
    with a.active():
        sync.import_package(a.ctx, reply)
        with qtbot.waitSignal(page_a.refreshed, timeout=10000):
            page_a.refresh()
    assert page_a.peers_table.item(0, 2).text() == "已确认：对方已收到发出的全部变更"
    assert page_a.history_table.item(1, 4).text() == "已确认收到"  # the package sent (the newest row is b's reply)

    # both offices edit the same field: the conflict shows on b's page, and the reviewer takes the other value
    for office, address in ((a, "淮河路1号"), (b, "东风路2号")):
        with office.active():
            svc.update_entity(office.ctx, entity, EntityDraft(name=NAME, identifier=USCC, address=address),
                              expected_version=None)
    with a.active():
        p2 = sync.export_package(a.ctx, "XYF1", tmp_path / "a2.xsync").path
    page_b.file_edit.setText(str(p2))
    with b.active(), qtbot.waitSignal(page_b.previewed, timeout=20000):
        qtbot.mouseClick(page_b.preview_button, Qt.MouseButton.LeftButton)
    assert "冲突：1 处" in page_b.preview_view.toPlainText()
    with b.active(), qtbot.waitSignal(page_b.imported, timeout=20000):
        qtbot.mouseClick(page_b.apply_button, Qt.MouseButton.LeftButton)
    with b.active():
        qtbot.waitUntil(lambda: page_b.conflicts_table.rowCount() == 1 and not page_b.busy_now(), timeout=10000)
    assert page_b.conflicts_table.item(0, 1).text() == NAME
    assert page_b.conflicts_table.item(0, 2).text() == "地址"
    # b edited last, so b's value wins the merge; a's value is "the other value"
    assert page_b.conflicts_table.item(0, 3).text() == "东风路2号"
    assert page_b.conflicts_table.item(0, 4).text() == "淮河路1号"
    page_b.conflicts_table.selectRow(0)
    with b.active(), qtbot.waitSignal(page_b.refreshed, timeout=20000):
        qtbot.mouseClick(page_b.restore_button, Qt.MouseButton.LeftButton)
    with b.active():
        qtbot.waitUntil(lambda: not page_b.busy_now(), timeout=10000)
        assert page_b.conflicts_table.rowCount() == 0
        assert svc.get_entity(b.ctx, entity).address == "淮河路1号"
    assert any("淮河路1号" in t for t in dialogs.texts("question"))


def test_cancelled_import_leaves_the_database_untouched(qtbot, offices, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    a, b = offices
    monkeypatch.setattr(sync, "BATCH", 1)
    with a.active():
        for i, ident in enumerate([USCC, "923208306JU6UCCY4U", "320830199001011236"]):
            svc.register_entity(a.ctx, EntityDraft(name=f"{NAME}{i}", identifier=ident), allow_similar=True)
        package = sync.export_package(a.ctx, "XYF1", tmp_path / "p.xsync").path
    page = _page(qtbot, b, tmp_path)
    page.file_edit.setText(str(package))
    with b.active(), qtbot.waitSignal(page.previewed, timeout=20000):
        qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    before = business_dump(b.ctx)
    original = page.ops.run

    def run_cancelled(what, fn, done=None, **kwargs):  # type: ignore[no-untyped-def]
        def work():  # type: ignore[no-untyped-def]
            page.ops._cancel.set()  # the clerk presses 取消 while the import runs
            return fn()
        return original(what, work, done, **kwargs)

    monkeypatch.setattr(page.ops, "run", run_cancelled)
    with b.active(), qtbot.waitSignal(page.failed, timeout=20000) as failed:
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert "已取消" in failed.args[0]
    assert business_dump(b.ctx) == before
    assert not dialogs.texts("warning")  # a cancellation is said in the status line, not in a box


def test_reminders_and_clock_warnings_show_on_the_page_and_at_start(qtbot, offices, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.main_window import MainWindow

    a, b = offices
    with b.clock(30), b.active():  # b's PC runs 30 days fast: a sees it in b's package
        svc.register_entity(b.ctx, EntityDraft(name=NAME, identifier=USCC))
        p = sync.export_package(b.ctx, "XYJ", tmp_path / "b.xsync").path
    with a.active():
        sync.import_package(a.ctx, p)
        reply = sync.export_package(a.ctx, "XYF1", tmp_path / "a.xsync").path
    with b.clock(30), b.active():
        sync.import_package(b.ctx, reply)
    # b, the fast PC: warned on its 数据同步 page and when its window opens
    with b.clock(30):
        page = _page(qtbot, b, tmp_path)
        assert page.notice_label.isVisible() and "本机时钟比单位 XYJ 的电脑快至少" in page.notice_label.text()
        settings = QSettings(str(tmp_path / "main.ini"), QSettings.Format.IniFormat)
        with b.active():
            window = MainWindow(b.ctx, settings)
            qtbot.addWidget(window)
            window.resize(1366, 768)
            window.show()
            qtbot.waitUntil(lambda: window.sync_label.isVisible(), timeout=10000)
    assert "本机时钟" in window.sync_label.text()
    assert any("请校正本机的日期和时间" in t for t in dialogs.texts("warning"))
    window.close()
    # a, ten days later without a word from b: the reminder; b's clock noted in the peers table
    with a.clock(10):
        page_a = _page(qtbot, a, tmp_path)
        page_a.resize(1366 - 200, 768 - 80)
    assert "未收到单位 XYF1" in page_a.notice_label.text()
    assert "单位 XYF1 的电脑时钟比本机快至少" in page_a.peers_table.item(0, 7).text()
