"""Rules the service makes, seen through the window (the CLI half is in
tests/integration/test_rules_in_services.py): the page asks the service, and what another counter changed in
between is refused by the service with its message."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from rating_flow import step_day
from ui_helpers import USCC_A

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import ratings
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.ui.rating_page import RatingPage

NAME = "盱眙县路桥工程有限公司"


@pytest.fixture
def rating_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    page = RatingPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _pick(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_edit.clear()
    with qtbot.waitSignal(page.searchFinished, timeout=5000):
        qtbot.keyClicks(page.search_edit, text)
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)


def test_a_rating_revoked_meanwhile_is_refused_by_the_service_in_the_form(qtbot, ctx, rating_page) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    year = dt.date.today().year - 1
    view = ratings.add_rating(ctx, ratings.RatingInput(USCC_A, "highway_construction", year, score=88))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))
    page = rating_page
    _pick(qtbot, page, USCC_A)
    assert page.correct_button.isEnabled()
    form = page.correct_selected()
    assert form is not None
    ratings.set_status(ctx, view.id, RatingStatus.REVOKED, note="评定有误")  # at another counter, while the form is open
    form.score_edit.setText("96")
    assert not form.save()
    assert "已撤销，不能更正" in form.general_error.text() and form.general_error.isVisibleTo(form)
    assert len(ratings.list_ratings(ctx, USCC_A)) == 1  # nothing written
    form.reject()
    page.reload()
    page.table.selectRow(0)
    assert page.status_texts() == ["撤销"] and not page.correct_button.isEnabled()
    assert page.correct_selected() is None
