"""The registry model stays lazy: one page at a time in browse mode, at most 500 ranked hits in filter mode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from ui_helpers import BULK_ROWS

from xuyi_desktop.services.entities import count_entities, page_entities
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.ui.entity_table_model import PAGE_SIZE, SEARCH_LIMIT, Column, EntityTableModel
from xuyi_desktop.ui.formatting import local_time


def first_organisation(model: EntityTableModel) -> EntitySummary:
    """A row whose identifier is shown in full (persons' ID numbers are masked in lists)."""
    return next(s for s in (model.summary(row) for row in range(model.rowCount())) if s and s.kind == "org")


def test_loads_one_page_and_grows_on_fetch_more(qtbot, bulk_ctx):  # type: ignore[no-untyped-def]
    assert count_entities(bulk_ctx) == BULK_ROWS
    model = EntityTableModel(bulk_ctx)
    assert model.rowCount() == PAGE_SIZE < BULK_ROWS
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    page, cursor = page_entities(bulk_ctx, size=PAGE_SIZE)
    rest, _ = page_entities(bulk_ctx, after=cursor, size=PAGE_SIZE)
    assert [model.entity_id(row) for row in range(model.rowCount())] == [e.id for e in page + rest]  # service order
    assert len({model.entity_id(row) for row in range(model.rowCount())}) == 2 * PAGE_SIZE

    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == BULK_ROWS
    assert len({model.entity_id(row) for row in range(BULK_ROWS)}) == BULK_ROWS


def test_a_shown_view_fetches_only_what_it_needs(qtbot, bulk_ctx):  # type: ignore[no-untyped-def]
    model = EntityTableModel(bulk_ctx)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == PAGE_SIZE
    view.scrollToBottom()  # the clerk scrolls to the end of what is loaded: the next page comes in
    qtbot.waitUntil(lambda: model.rowCount() > PAGE_SIZE, timeout=2000)
    assert model.rowCount() < BULK_ROWS


def test_sort_refetches_in_the_new_order_and_ignores_other_columns(qtbot, bulk_ctx):  # type: ignore[no-untyped-def]
    model = EntityTableModel(bulk_ctx)
    with qtbot.waitSignal(model.modelReset):
        model.sort(Column.IDENTIFIER, Qt.SortOrder.DescendingOrder)
    identifiers = [model.index(row, Column.IDENTIFIER).data() for row in range(model.rowCount())]
    assert model.rowCount() == PAGE_SIZE and identifiers == sorted(identifiers, reverse=True)
    assert identifiers[0][0] in "YN9"  # 统一社会信用代码 of registration authorities Y/N sort last

    with qtbot.assertNotEmitted(model.modelReset):
        model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
        model.sort(Column.CATEGORIES, Qt.SortOrder.AscendingOrder)
    assert model.sort_column == Column.IDENTIFIER

    model.sort(Column.UPDATED, Qt.SortOrder.DescendingOrder)
    summary = model.summary(0)
    assert model.index(0, Column.UPDATED).data() == local_time(summary.updated_at)
    assert len(model.index(0, Column.UPDATED).data()) == len("2024-01-01 12:00")


def test_filter_mode_shows_at_most_500_ranked_hits(qtbot, bulk_ctx):  # type: ignore[no-untyped-def]
    model = EntityTableModel(bulk_ctx)
    with qtbot.waitSignal(model.searchFinished, timeout=5000) as finished:
        model.set_filter("有限公司")
    assert finished.args == [SEARCH_LIMIT] and model.rowCount() == SEARCH_LIMIT
    assert not model.canFetchMore()
    assert "仅显示前500个" in model.description()

    wanted = first_organisation(model)
    with qtbot.waitSignal(model.searchFinished, timeout=5000):
        model.set_filter(wanted.identifier)
    assert model.entity_id(0) == wanted.id and "找到" in model.description()

    model.set_filter("")  # back to browsing: one page again
    assert model.filter_text == "" and model.rowCount() == PAGE_SIZE and model.canFetchMore()


def test_only_the_latest_search_is_shown(qtbot, bulk_ctx):  # type: ignore[no-untyped-def]
    model = EntityTableModel(bulk_ctx)
    wanted = first_organisation(model)
    model.set_filter("有限公司")  # slower and older: its answer must not win
    with qtbot.waitSignal(model.searchFinished, timeout=5000):
        model.set_filter(wanted.identifier)
    qtbot.waitUntil(lambda: not model.searching, timeout=5000)
    qtbot.wait(50)  # give a late first answer the chance to (wrongly) arrive
    assert model.filter_text == wanted.identifier
    assert model.entity_id(0) == wanted.id and model.rowCount() < SEARCH_LIMIT
