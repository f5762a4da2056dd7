"""The main window: what the status bar tells the clerk, the menus, and remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize
from ui_helpers import USCC_A

import xuyi_desktop
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.ui.main_window import MainWindow


def test_title_navigation_and_status_bar(qtbot, window, ctx):  # type: ignore[no-untyped-def]
    assert window.windowTitle() == "盱眙县信用交通"  # the window holds several modules now
    assert window.nav.item(0).text() == "市场主体"  # then the modules of ui/pages.py the role may see
    assert window.pages.currentWidget() is window.registry
    assert ctx.location in window.db_label.text() and window.db_label.toolTip() == window.db_label.text()
    assert ctx.office_provisional and "临时" in ctx.office_name  # a fresh database: 未设置的办公室（临时）
    assert window.office_label.text() == f"办公室：{ctx.office_name}（{ctx.office_code}）"
    qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：0", timeout=3000)


def test_count_follows_saves(qtbot, window, ctx):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：0", timeout=3000)
    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier=USCC_A))
    window.registry.refresh()  # F5
    qtbot.waitUntil(lambda: window.count_label.text() == "主体总数：1", timeout=3000)


def test_about_names_product_and_version(window, dialogs):  # type: ignore[no-untyped-def]
    window.about_action.trigger()
    ((kind, text),) = dialogs
    assert kind == "about"
    assert "盱眙县信用交通桌面系统" in text and "Xuyi County" in text and xuyi_desktop.__version__ in text


def test_quit_action_closes_the_window(qtbot, window):  # type: ignore[no-untyped-def]
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.quit_action.trigger()
    assert not window.isVisible()


def test_geometry_and_columns_are_restored_in_a_new_window(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    first = MainWindow(ctx, settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resize(QSize(720, 520))
    first.move(QPoint(20, 10))
    first.registry.table.setColumnWidth(2, 333)
    qtbot.waitUntil(lambda: first.size() == QSize(720, 520), timeout=2000)
    first.close()  # offscreen screens are 800x600: the size stays inside so nothing is clamped

    second = MainWindow(ctx, settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == QSize(720, 520)
    assert second.registry.table.columnWidth(2) == 333
    second.close()


def test_provisional_office_is_marked(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    ctx.office_name = "盱眙县交通运输局"  # a provisional office whose name does not say so itself
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    assert window.office_label.text() == f"办公室：盱眙县交通运输局（{ctx.office_code}）［临时］"
